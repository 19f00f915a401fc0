"""The sandbox gateway: Tyk's refusals, answers from the spec, and forwarding upstream."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from _sandbox_support import (
    GENESYS,
    GENESYS_SCOPE,
    PETSTORE,
    PETSTORE_SCOPE,
    copy_specs,
    make_config,
    token,
)
from odido_gen.sandbox._app import create_app
from odido_gen.sandbox._gateway import operations
from odido_gen.sandbox._keycloak import Keycloak
from odido_gen.sandbox._server import serve
from odido_gen.spec import load_spec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

GENESYS_LIST = "/oauth/genesyscloud/api/v2/outbound/contactlists"


def _refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]


def test_missing_header(sandbox_url: str) -> None:
    valid = token(sandbox_url, GENESYS_SCOPE)

    # Genesys wants x-auth-token: a token in Authorization is no token at all.
    response = httpx.get(sandbox_url + GENESYS_LIST, headers={"Authorization": f"Bearer {valid}"})

    assert _refusal(response) == (401, "Authorization field missing")
    assert _refusal(httpx.get(sandbox_url + "/petstore-lite/pets")) == (
        401,
        "Authorization field missing",
    )


@pytest.mark.parametrize("value", ["not-a-token", "Bearer not-a-token", "Bearer", "Basic abc"])
def test_unknown_or_malformed_token(sandbox_url: str, value: str) -> None:
    response = httpx.get(sandbox_url + GENESYS_LIST, headers={"x-auth-token": value})

    assert _refusal(response) == (401, "Key not authorized")


def test_token_without_the_prefix(sandbox_url: str) -> None:
    valid = token(sandbox_url, GENESYS_SCOPE)

    response = httpx.get(sandbox_url + GENESYS_LIST, headers={"x-auth-token": valid})

    assert _refusal(response) == (401, "Key not authorized")


def test_revoked_token(sandbox_url: str, sandbox_app: Starlette) -> None:
    valid = token(sandbox_url, GENESYS_SCOPE)
    keycloak: Keycloak = sandbox_app.state.keycloak
    keycloak.revoke(valid)

    response = httpx.get(sandbox_url + GENESYS_LIST, headers={"x-auth-token": f"Bearer {valid}"})

    assert _refusal(response) == (401, "Key not authorized")


def test_token_without_the_product_scope(sandbox_url: str) -> None:
    other = token(sandbox_url, f"{PETSTORE_SCOPE} demoplan")

    response = httpx.get(sandbox_url + GENESYS_LIST, headers={"x-auth-token": f"Bearer {other}"})

    assert _refusal(response) == (403, "Access to this API has been disallowed")


def _pets(
    sandbox_url: str, method: str, path: str, *, params: dict[str, int] | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token(sandbox_url, PETSTORE_SCOPE)}"}
    url = f"{sandbox_url}/petstore-lite{path}"
    body = {"name": "Rex"} if method == "POST" else None
    return httpx.request(method, url, headers=headers, params=params, json=body)


def test_answers_from_the_spec(sandbox_url: str) -> None:
    listing = _pets(sandbox_url, "GET", "/pets", params={"pageNumber": 1})
    one = _pets(sandbox_url, "GET", "/pets/5")
    created = _pets(sandbox_url, "POST", "/pets")
    deleted = _pets(sandbox_url, "DELETE", "/pets/5")

    assert listing.status_code == 200
    assert listing.json() == {
        "entities": [{"id": 1, "name": "Rex the dog", "status": "available"}],
        "pageNumber": 1,
        "pageCount": 1,
    }
    assert one.status_code == 200
    assert one.json()["barks"] is True
    assert one.json()["status"] == "available"
    assert created.status_code == 201
    assert set(created.json()) >= {"id", "name", "status"}
    assert (deleted.status_code, deleted.content) == (204, b"")


def test_no_such_operation(sandbox_url: str) -> None:
    assert _pets(sandbox_url, "GET", "/owners").status_code == 404
    assert _pets(sandbox_url, "PUT", "/pets").status_code == 405
    # Outside every listen path: the gateway's own plain-text 404.
    response = httpx.get(sandbox_url + "/nowhere/at/all")
    assert (response.status_code, response.text) == (404, "404 page not found")


def test_every_genesys_operation_answers(sandbox_url: str) -> None:
    document = load_spec(GENESYS).document
    headers = {"x-auth-token": f"Bearer {token(sandbox_url, GENESYS_SCOPE)}"}
    with httpx.Client(base_url=sandbox_url + "/oauth/genesyscloud", headers=headers) as client:
        for operation in operations(document):
            path = operation.template.replace("{", "").replace("}", "")
            response = client.request(operation.method, path, json={})
            assert response.status_code in (200, 201, 202, 204), (operation, response.text)
            if response.status_code != 204:
                json.loads(response.content)


def test_forwarding_to_an_upstream(tmp_path: Path) -> None:
    seen: list[dict[str, object]] = []

    async def echo(request: Request) -> Response:
        seen.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "body": (await request.body()).decode(),
                "headers": dict(request.headers),
            }
        )
        return JSONResponse({"upstream": True}, status_code=202, headers={"x-upstream": "yes"})

    upstream_app = Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST"])])
    specs = copy_specs(tmp_path / "specs", PETSTORE)
    with serve(upstream_app) as upstream:
        config = make_config(specs, upstream=upstream + "/base", upstream_token="gateway-token")
        with serve(create_app(config)) as url:
            caller = token(url, PETSTORE_SCOPE)
            response = httpx.post(
                f"{url}/petstore-lite/anything/here?a=1&a=2",
                headers={"Authorization": f"Bearer {caller}", "X-Trace": "t1"},
                content=b'{"x": 1}',
            )

    assert (response.status_code, response.json()) == (202, {"upstream": True})
    assert response.headers["x-upstream"] == "yes"
    [call] = seen
    assert call["method"] == "POST"
    assert (call["path"], call["query"]) == ("/base/anything/here", "a=1&a=2")
    assert call["body"] == '{"x": 1}'
    headers = call["headers"]
    assert isinstance(headers, dict)
    assert headers["authorization"] == "Bearer gateway-token"
    assert headers["x-trace"] == "t1"


def test_unreachable_upstream(tmp_path: Path) -> None:
    specs = copy_specs(tmp_path / "specs", PETSTORE)
    config = make_config(specs, upstream="http://127.0.0.1:9")
    with serve(create_app(config)) as url:
        caller = token(url, PETSTORE_SCOPE)
        response = httpx.get(
            f"{url}/petstore-lite/pets", headers={"Authorization": f"Bearer {caller}"}
        )

    assert _refusal(response) == (502, "There was a problem proxying the request")
