"""Generated methods work for every shape a spec allows, and spec text cannot redirect them.

Each spec becomes a package whose operations are called through a mock transport (see
`_hostile_support.PROBE`): requests must go to the API's host with the client's credentials.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from _hostile_support import CliRun, Probe, json_response, openapi, probe, run_cli, write_json


def credentials_spec() -> dict[str, Any]:
    """Header parameters named like the credentials' header, with defaults of their own."""
    params = [
        {"name": name, "in": "header", "schema": {"type": "string", "default": "Bearer attacker"}}
        for name in ("Authorization", "authorization", "AUTHORIZATION", "Cookie", "Host")
    ]
    return openapi(
        paths={
            "/a": {
                "get": {"operationId": "getIt", "parameters": params, "responses": json_response()}
            }
        }
    )


def header_names_spec() -> dict[str, Any]:
    """Header parameter names that HTTP cannot carry as they are."""
    params = [
        {"name": name, "in": "header", "schema": {"type": "string", "default": "v"}}
        for name in ("X-na\u00efve", "X-\u65e5\u672c", "X Space", 'X"Quote', "X:Colon")
    ]
    return openapi(
        paths={
            "/a": {
                "get": {"operationId": "getIt", "parameters": params, "responses": json_response()}
            }
        }
    )


def optional_bodies_spec() -> dict[str, Any]:
    """Request bodies that are optional, called without one."""
    form = {"type": "object", "properties": {"a": {"type": "string"}}}
    paths = {
        f"/{media.replace('/', '-')}": {
            "post": {
                "operationId": f"send {media}",
                "requestBody": {"required": False, "content": {media: {"schema": form}}},
                "responses": json_response(),
            }
        }
        for media in (
            "application/json",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "text/plain",
            "application/octet-stream",
        )
    }
    return openapi(paths=paths)


def encoded_refs_spec() -> dict[str, Any]:
    """References in URI-fragment form: `%20` is a space, `~1` a slash."""
    pet = {"type": "object", "properties": {"a": {"type": "string"}}}
    return openapi(
        paths={
            "/a": {
                "get": {
                    "operationId": "getPet",
                    "responses": json_response({"$ref": "#/components/schemas/My%20Pet"}),
                }
            },
            "/b": {
                "get": {
                    "operationId": "getSlashed",
                    "responses": json_response({"$ref": "#/components/schemas/a~1b"}),
                }
            },
        },
        components={"schemas": {"My Pet": pet, "a/b": pet}},
    )


def extension_paths_spec() -> dict[str, Any]:
    """`x-` keys of the Paths object are extensions, not paths."""
    op = {"get": {"operationId": "fromExtension", "responses": json_response()}}
    return openapi(
        paths={
            "x-internal": op,
            "/real": {"get": {"operationId": "real", "responses": json_response()}},
        }
    )


SPECS = {
    # Each of these shows an open bug while its test fails (see the tests' docstrings).
    "credentials": credentials_spec,
    "extension-paths": extension_paths_spec,
    "header-names": header_names_spec,
    "optional-bodies": optional_bodies_spec,
    "encoded-refs": encoded_refs_spec,
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[CliRun, Probe | None]]:
    roots = {name: tmp_path_factory.mktemp(name) for name in SPECS}

    def one(name: str) -> tuple[CliRun, Probe | None]:
        root = roots[name]
        spec = write_json(root / "spec.json", SPECS[name]())
        (root / "out").mkdir()
        run = run_cli(spec, root / "out")
        body = {"a": "x"}
        return run, probe(
            run.package_dir, "hostile_api", body=body
        ) if run.returncode == 0 else None

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(SPECS, pool.map(one, SPECS), strict=True))


def _working(outcomes: dict[str, tuple[CliRun, Probe | None]], name: str) -> Probe:
    run, report = outcomes[name]
    assert run.returncode == 0, run.stderr[-3000:]
    assert report is not None
    report.assert_clean()
    return report


def test_spec_headers_cannot_replace_the_credentials(
    outcomes: dict[str, tuple[CliRun, Probe | None]],
) -> None:
    """Header parameters the client owns are ignored: a spec's `Host` (with a default) would
    redirect the request to another virtual host of the gateway, token included, and `Cookie`
    would send the spec's cookies."""
    report = _working(outcomes, "credentials")
    (request,) = report.requests
    assert request["headers"]["authorization"] == "Basic dXNlcjpwYXNz"  # user:pass
    assert request["headers"]["host"] == "api.invalid"
    assert "cookie" not in request["headers"]


def test_header_names_http_cannot_carry(outcomes: dict[str, tuple[CliRun, Probe | None]]) -> None:
    """Header parameters whose names HTTP cannot carry are left out with a warning, as
    cookie parameters are (generated, every call would fail with UnicodeEncodeError)."""
    _working(outcomes, "header-names")


def test_optional_bodies_can_be_left_out(outcomes: dict[str, tuple[CliRun, Probe | None]]) -> None:
    """An optional body, multipart included, can be left out of the call."""
    report = _working(outcomes, "optional-bodies")
    assert len(report.requests) == 5


def test_encoded_refs_keep_their_types(
    outcomes: dict[str, tuple[CliRun, Probe | None]], tmp_path: Path
) -> None:
    """Percent-encoded `$ref`s (`My%20Pet`) are decoded: the operation returns the model,
    not `Any`."""
    run, _ = outcomes["encoded-refs"]
    assert run.returncode == 0, run.stderr[-3000:]
    source = (run.package_dir / "hostile_api" / "resources" / "default.py").read_text()
    assert "-> models.MyPet:" in source
    assert "-> models.AB:" in source


def test_extensions_of_paths_are_not_operations(
    outcomes: dict[str, tuple[CliRun, Probe | None]],
) -> None:
    """An `x-` extension of `paths` shaped like a path item is no operation (else a method
    would call `GET /x-internal`)."""
    report = _working(outcomes, "extension-paths")
    assert [call[1] for call in report.calls] == ["real"]
