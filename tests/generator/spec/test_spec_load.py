"""Reading and parsing: JSON/YAML by content, safe YAML, errors with locations, URLs."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from odido_gen.spec import LoadedSpec, SpecError, SpecWarning, load_spec
from openapi_pydantic.v3.v3_0 import OpenAPI as OpenAPI30
from openapi_pydantic.v3.v3_1 import OpenAPI as OpenAPI31
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

MINIMAL_30 = {
    "openapi": "3.0.3",
    "info": {"title": "T", "version": "1"},
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def write(tmp_path: Path, name: str, content: str | bytes | dict[str, Any]) -> Path:
    path = tmp_path / name
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


# -- formats ----------------------------------------------------------------------------------


def test_json_is_detected_by_content_whatever_the_extension(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, "api.yaml", MINIMAL_30))
    assert spec.document["paths"]["/pets"]["get"]["operationId"] == "listPets"
    assert spec.original_version == "3.0.3"
    assert isinstance(spec.openapi, OpenAPI30)


def test_yaml_is_detected_by_content_whatever_the_extension(tmp_path: Path) -> None:
    text = """
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /pets:
    get:
      responses:
        '200': {description: ok}
"""
    spec = load_spec(write(tmp_path, "api.json", text))
    assert spec.original_version == "3.1.0"
    assert spec.document["openapi"] == "3.1.0"  # 3.1 stays 3.1
    assert isinstance(spec.openapi, OpenAPI31)


def test_flow_style_yaml_starting_with_a_brace_is_read(tmp_path: Path) -> None:
    text = "{openapi: 3.0.3, info: {title: T, version: '1'}, paths: {}}  # a comment\n"
    assert load_spec(write(tmp_path, "api.yaml", text)).document["paths"] == {}


def test_yaml_timestamps_stay_strings(tmp_path: Path) -> None:
    text = """
openapi: 3.0.3
info: {title: T, version: 1.10}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: string
                example: 2024-01-31T10:00:00Z
                default: 2024-01-31
"""
    spec = load_spec(write(tmp_path, "api.yaml", text))
    schema = spec.document["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert schema["example"] == "2024-01-31T10:00:00Z"
    assert schema["default"] == "2024-01-31"
    # info.version is a string by definition: its text is kept, not the float 1.1
    assert spec.document["info"]["version"] == "1.10"
    json.dumps(spec.document)  # plain JSON data


def test_yaml_non_string_keys_become_strings(tmp_path: Path) -> None:
    text = """
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      responses:
        200: {description: ok}
        404: {description: missing}
      x-flags:
        true: yes
        1.50: x
"""
    spec = load_spec(write(tmp_path, "api.yaml", text))
    op = spec.document["paths"]["/a"]["get"]
    assert list(op["responses"]) == ["200", "404"]
    assert op["x-flags"] == {"true": True, "1.50": "x"}


def test_yaml_alias_bomb_is_rejected(tmp_path: Path) -> None:
    lines = ["openapi: 3.0.3", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(SpecError, match="alias"):
        load_spec(write(tmp_path, "lol.yaml", "\n".join(lines) + "\n"))


def test_yaml_recursive_alias_is_rejected(tmp_path: Path) -> None:
    text = "openapi: 3.0.3\na: &a [1, *a]\n"
    with pytest.raises(SpecError, match="recursive alias"):
        load_spec(write(tmp_path, "rec.yaml", text))


def test_yaml_aliases_in_moderation_are_expanded_into_independent_copies(tmp_path: Path) -> None:
    text = """
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      responses: &common
        '200': {description: ok}
  /b:
    get:
      responses: *common
"""
    spec = load_spec(write(tmp_path, "api.yaml", text))
    a = spec.document["paths"]["/a"]["get"]["responses"]
    b = spec.document["paths"]["/b"]["get"]["responses"]
    assert a == b
    assert a is not b


def test_yaml_unknown_tags_are_errors(tmp_path: Path) -> None:
    text = "openapi: 3.0.3\ninfo: !Sub {title: T}\n"
    with pytest.raises(SpecError, match="line 2"):
        load_spec(write(tmp_path, "api.yaml", text))


def test_bad_yaml_reports_line_and_column(tmp_path: Path) -> None:
    text = "openapi: 3.0.3\ninfo:\n  title: [a\n  version: b\n"
    path = write(tmp_path, "api.yaml", text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid YAML at line 4, column ")
    assert "\n" not in message


def test_bad_json_reports_line_and_column(tmp_path: Path) -> None:
    text = '{\n  "openapi": "3.0.3",\n  "info": {"title": "T" "version": "1"}\n}\n'
    with pytest.raises(SpecError, match=r"invalid JSON at line 3, column 25: Expecting ','"):
        load_spec(write(tmp_path, "api.json", text))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(SpecError) as info:
        load_spec(path, label="genesys")
    assert str(info.value) == f"[genesys] {path}: file not found"
    assert info.value.label == "genesys"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("- a\n- b\n", "not an object"),
        ("", "not an object"),
        ('"just text"', "not an object"),
        ("title: no version key\n", "no 'openapi' or 'swagger' key"),
        ("openapi: 2.5.0\n", "unsupported OpenAPI version"),
        ("swagger: '1.2'\n", "unsupported Swagger version"),
    ],
)
def test_documents_that_are_not_descriptions(tmp_path: Path, content: str, fragment: str) -> None:
    with pytest.raises(SpecError, match=fragment):
        load_spec(write(tmp_path, "api.yaml", content))


def test_invalid_utf8_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not valid UTF-8"):
        load_spec(write(tmp_path, "api.yaml", b"openapi: 3.0.3\ninfo: \xff\n"))


def test_result_fields(tmp_path: Path) -> None:
    raw = json.dumps(MINIMAL_30).encode()
    path = write(tmp_path, "api.json", raw)
    spec = load_spec(str(path))
    assert isinstance(spec, LoadedSpec)
    assert spec.source == str(path)
    assert spec.sha256 == hashlib.sha256(raw).hexdigest()
    assert spec.warnings == ()
    assert spec.openapi.paths is not None
    assert spec.openapi.paths["/pets"].get is not None


def test_spec_warning_str() -> None:
    warning = SpecWarning("#/paths/~1a/get", "something repaired")
    assert str(warning) == "#/paths/~1a/get: something repaired"


def test_same_bytes_give_identical_documents_in_input_key_order(tmp_path: Path) -> None:
    doc = {
        "paths": {"/z": {"get": {"responses": {"200": {"description": "ok"}}}}, "/a": {}},
        "info": {"version": "1", "title": "T"},
        "openapi": "3.0.3",
        "components": {"schemas": {"Zebra": {"type": "object"}, "Ant": {"type": "string"}}},
    }
    path = write(tmp_path, "api.json", doc)
    first, second = load_spec(path), load_spec(path)
    assert json.dumps(first.document) == json.dumps(second.document)
    assert list(first.document) == ["paths", "info", "openapi", "components"]
    assert list(first.document["components"]["schemas"]) == ["Zebra", "Ant"]
    assert list(first.document["paths"]) == ["/z", "/a"]


# -- URLs ---------------------------------------------------------------------------------------


def _app() -> Starlette:
    body = json.dumps(MINIMAL_30)

    async def spec(request: Request) -> Response:
        return Response(body, media_type="application/json")

    async def yaml_spec(request: Request) -> Response:
        return PlainTextResponse("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n")

    async def moved(request: Request) -> Response:
        return RedirectResponse("/spec.json", status_code=301)

    async def with_file_ref(request: Request) -> Response:
        doc = json.loads(body)
        doc["paths"]["/pets"]["get"]["parameters"] = [{"$ref": "params.yaml#/limit"}]
        return Response(json.dumps(doc), media_type="application/json")

    async def missing(request: Request) -> Response:
        return PlainTextResponse("404 page not found", status_code=404)

    return Starlette(
        routes=[
            Route("/spec.json", spec),
            Route("/docs/download", yaml_spec),
            Route("/old", moved),
            Route("/missing", missing),
            Route("/with-file-ref.json", with_file_ref),
        ]
    )


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(_app(), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_url_is_fetched(server_url: str) -> None:
    spec = load_spec(f"{server_url}/spec.json")
    assert spec.source == f"{server_url}/spec.json"
    assert spec.sha256 == hashlib.sha256(json.dumps(MINIMAL_30).encode()).hexdigest()
    assert "/pets" in spec.document["paths"]


def test_url_yaml_served_as_text(server_url: str) -> None:
    assert load_spec(f"{server_url}/docs/download").document["paths"] == {}


def test_url_redirects_are_followed(server_url: str) -> None:
    spec = load_spec(f"{server_url}/old")
    assert spec.source == f"{server_url}/old"
    assert "/pets" in spec.document["paths"]


def test_url_http_error(server_url: str) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(f"{server_url}/missing", label="genesys")
    assert str(info.value) == f"[genesys] {server_url}/missing: HTTP 404 Not Found"


def test_url_secrets_stay_out_of_messages(server_url: str) -> None:
    host = server_url.removeprefix("http://")
    url = f"http://user:s3cret@{host}/missing?token=t0ken"
    with pytest.raises(SpecError) as info:
        load_spec(url)
    assert "s3cret" not in str(info.value)
    assert "t0ken" not in str(info.value)


def test_url_with_a_ref_to_another_file(server_url: str) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(f"{server_url}/with-file-ref.json")
    assert str(info.value) == (
        f"{server_url}/with-file-ref.json#/paths/~1pets/get/parameters/0/$ref: $ref "
        "'params.yaml#/limit' to another file cannot be followed for a description loaded "
        "from a URL"
    )


def test_url_connection_refused() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on it now
    with pytest.raises(SpecError, match="cannot fetch"):
        load_spec(f"http://127.0.0.1:{port}/spec.json", timeout=5)
