"""The loopback server runner and the Keycloak-compatible token endpoint, over raw HTTP."""

from __future__ import annotations

import base64
import socket
import time
from typing import Any

import httpx
import pytest
from _runtime_support import Stack
from odido_gen.sandbox._keycloak import Keycloak, RegisteredClient
from odido_gen.sandbox._server import serve
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


def test_serve_runs_and_stops_an_app() -> None:
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("hi"))])
    with serve(app) as url:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url).text == "hi"
        port = int(url.rsplit(":", 1)[1])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


def test_serve_reports_a_failed_startup() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.failed", "message": "broken on purpose"})

    with pytest.raises(RuntimeError, match="did not start"), serve(app):
        pass


def _post(stack: Stack, data: dict[str, str], **kwargs: object) -> httpx.Response:
    return httpx.post(stack.token_url, data=data, **kwargs)  # type: ignore[arg-type]


def test_discovery_document(stack: Stack) -> None:
    stack.new_client()  # its scopes are listed
    doc = httpx.get(f"{stack.base_url}/realms/tyk-dev-portal/.well-known/openid-configuration")
    assert doc.status_code == 200
    body = doc.json()
    assert body["issuer"] == f"{stack.base_url}/realms/tyk-dev-portal"
    assert body["token_endpoint"] == stack.token_url
    assert body["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert "Genesys_Services_Oauth_External" in body["scopes_supported"]
    missing = httpx.get(f"{stack.base_url}/realms/nope/.well-known/openid-configuration")
    assert missing.status_code == 404


def test_token_response_shape_and_counters(stack: Stack) -> None:
    creds = stack.new_client()
    before = stack.keycloak.token_requests()
    response = _post(
        stack,
        {
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "scope": "demoplan",
        },
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "refresh_expires_in",
        "token_type",
        "not-before-policy",
        "scope",
    }
    assert (body["expires_in"], body["token_type"], body["scope"]) == (300, "Bearer", "demoplan")
    info = stack.keycloak.introspect(body["access_token"])
    assert info is not None
    assert (info.client_id, info.scopes, info.active) == (creds.client_id, {"demoplan"}, True)
    assert stack.keycloak.token_requests() == before + 1
    assert stack.keycloak.token_requests(creds.client_id) == 1
    assert stack.keycloak.tokens_issued(creds.client_id) == 1
    assert stack.keycloak.introspect("made-up") is None


@pytest.mark.parametrize(
    ("data", "status", "error", "description"),
    [
        ({}, 400, "invalid_request", "Missing form parameter: grant_type"),
        ({"grant_type": "magic"}, 400, "unsupported_grant_type", "Unsupported grant_type"),
        (
            {"grant_type": "client_credentials"},
            400,
            "invalid_client",
            "Missing client_id parameter",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "ghost", "client_secret": "x"},
            401,
            "invalid_client",
            "Invalid client or Invalid client credentials",
        ),
    ],
)
def test_keycloak_error_answers(
    stack: Stack, data: dict[str, str], status: int, error: str, description: str
) -> None:
    response = _post(stack, data)
    assert response.status_code == status
    assert response.json() == {"error": error, "error_description": description}


def test_missing_secret_is_unauthorized_client(stack: Stack) -> None:
    creds = stack.new_client()
    response = _post(stack, {"grant_type": "client_credentials", "client_id": creds.client_id})
    assert (response.status_code, response.json()["error"]) == (401, "unauthorized_client")


def test_basic_auth_is_form_urldecoded(stack: Stack) -> None:
    creds = stack.new_client(secret="a+b%20c:d")
    raw = base64.b64encode(f"{creds.client_id}:a%2Bb%2520c%3Ad".encode()).decode()
    good = _post(
        stack, {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {raw}"}
    )
    assert good.status_code == 200
    # Not encoded: '+' decodes to a space and '%20' to a space: the secret no longer matches.
    naive = base64.b64encode(f"{creds.client_id}:a+b%20c:d".encode()).decode()
    bad = _post(
        stack, {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {naive}"}
    )
    assert (bad.status_code, bad.json()["error"]) == (401, "unauthorized_client")


def test_unknown_realm(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.base_url}/realms/other/protocol/openid-connect/token",
        data={"grant_type": "client_credentials"},
    )
    assert (response.status_code, response.json()) == (404, {"error": "Realm does not exist"})


def test_introspection_endpoint_and_expiry() -> None:
    keycloak = Keycloak([RegisteredClient("app", "pw", scopes=("s",), expires_in=1)])
    with serve(keycloak.app) as url:
        token = httpx.post(
            keycloak.token_url(url),
            data={"grant_type": "client_credentials", "scope": "s"},
            auth=("app", "pw"),
        ).json()["access_token"]
        introspect = keycloak.token_url(url) + "/introspect"
        active = httpx.post(introspect, data={"token": token}, auth=("app", "pw")).json()
        assert (active["active"], active["client_id"], active["scope"]) == (True, "app", "s")
        refused = httpx.post(introspect, data={"token": token}, auth=("app", "wrong"))
        assert refused.status_code == 401
        time.sleep(1.05)
        info = keycloak.introspect(token)
        assert info is not None
        assert info.expired
        assert httpx.post(introspect, data={"token": token}, auth=("app", "pw")).json() == {
            "active": False
        }
        keycloak.revoke(token)
        assert keycloak.introspect(token).revoked  # type: ignore[union-attr]
