"""One-line errors with exit code 2, and the token and cookie never shown or stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from _portal_support import (
    COOKIE_CANARY,
    TOKEN_CANARY,
    Sandbox,
    assert_no_secrets,
    run_portal,
    serve_routes,
)
from click.testing import Result
from odido_gen.portal._cli import _portal_url
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>Log in - Portal</title></head><body>"
    '<form action="/auth/password/login" method="post"><input type="password" name="password">'
    "</form></body></html>"
)


def _pull(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    result = run_portal(
        "pull",
        *args,
        "--out",
        str(tmp_path / "specs"),
        "--lock",
        str(tmp_path / "odido-gen.lock"),
        env=env,
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if not line.startswith("warning: ")] == lines[-1:]
    assert lines[-1].startswith("Error: ")
    assert result.stdout == ""
    assert not (tmp_path / "odido-gen.lock").exists()
    assert_no_secrets(result, tmp_path)
    return result


def test_bad_admin_token(sandbox: Sandbox, tmp_path: Path) -> None:
    result = _pull(
        tmp_path, "--portal", sandbox.url, env={"ODIDO_PORTAL_TOKEN": TOKEN_CANARY + "-wrong"}
    )

    assert "the portal refused the admin token (HTTP 401)" in result.stderr
    assert "check --token or ODIDO_PORTAL_TOKEN" in result.stderr


def test_expired_session_cookie(sandbox: Sandbox, tmp_path: Path) -> None:
    result = _pull(
        tmp_path, "--portal", sandbox.url, "--cookie", f"_portal_session={COOKIE_CANARY}x"
    )

    assert "session expired: log in again and pass a fresh cookie" in result.stderr


def test_login_page_instead_of_a_spec(tmp_path: Path) -> None:
    catalogue = '<a href="/portal/catalogue-products/p">P</a>'
    product = '<h1>P</h1><a href="/portal/catalogue-products/p/api1/docs">docs</a>'
    routes = [
        Route("/portal/catalogue-products", lambda r: HTMLResponse(catalogue)),
        Route("/portal/catalogue-products/p", lambda r: HTMLResponse(product)),
        Route(
            "/portal/catalogue-products/p/api1/docs/download",
            lambda r: HTMLResponse(LOGIN_PAGE),
        ),
    ]
    with serve_routes(routes) as url:
        result = _pull(tmp_path, "--portal", url, "--cookie", f"s={COOKIE_CANARY}")

    assert "served the login page instead of a spec: session expired" in result.stderr


def test_forbidden_cookie(tmp_path: Path) -> None:
    routes = [Route("/portal/catalogue-products", lambda r: PlainTextResponse("no", 403))]
    with serve_routes(routes) as url:
        result = _pull(tmp_path, "--portal", url, "--cookie", f"s={COOKIE_CANARY}")

    assert "refused the session cookie (HTTP 403)" in result.stderr


def test_dns_failure(tmp_path: Path) -> None:
    result = _pull(tmp_path, "--portal", "http://portal.odido-gen.invalid", "--token", TOKEN_CANARY)

    assert "cannot resolve host 'portal.odido-gen.invalid'" in result.stderr


def test_connection_refused(tmp_path: Path, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    result = _pull(tmp_path, "--portal", url, "--token", TOKEN_CANARY)

    assert f"cannot connect to {url}/" in result.stderr


def test_timeout(tmp_path: Path) -> None:
    async def slow(request: Request) -> Response:
        await asyncio.sleep(3)
        return JSONResponse([])

    with serve_routes([Route("/portal-api/products", slow)]) as url:
        result = _pull(tmp_path, "--portal", url, "--token", TOKEN_CANARY, "--timeout", "0.2")

    assert "timed out after 0.2 s waiting for" in result.stderr


def test_wrong_portal_url(sandbox: Sandbox, tmp_path: Path) -> None:
    url = sandbox.url + "/nothing-here"
    result = _pull(tmp_path, "--portal", url, "--token", TOKEN_CANARY)

    assert "no admin API at" in result.stderr


def _admin_with_spec(spec: Response) -> list[Route]:
    product = {
        "ID": 1,
        "Name": "P",
        "Path": "p",
        "APIDetails": [{"APIID": "a1", "Name": "A", "ListenPath": "/p/"}],
    }
    return [
        Route("/portal-api/products", lambda r: JSONResponse([product])),
        Route("/portal-api/products/1", lambda r: JSONResponse(product)),
        Route("/portal-api/products/1/api-details/a1/oas", lambda r: spec),
        Route("/portal-api/{other}", lambda r: JSONResponse([])),
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (HTMLResponse("<html><body>Maintenance</body></html>"), "served an HTML page, not an"),
        (JSONResponse({"info": {}}), "is not an OpenAPI or Swagger document"),
        (PlainTextResponse("key: [unclosed"), "is not a JSON or YAML spec"),
        (Response(b"\xff\xfe\x00garbage\x80"), "is not a JSON or YAML spec"),
        (JSONResponse({"errors": [f"bad token {TOKEN_CANARY}"]}, 500), "answered HTTP 500"),
    ],
)
def test_non_spec_payloads(tmp_path: Path, spec: Response, message: str) -> None:
    with serve_routes(_admin_with_spec(spec)) as url:
        result = _pull(tmp_path, "--portal", url, "--token", TOKEN_CANARY)

    assert message in result.stderr


def test_no_credentials_and_no_portal(tmp_path: Path) -> None:
    assert "no credentials" in _pull(tmp_path, "--portal", "http://x").stderr
    assert "which portal?" in _pull(tmp_path, "--token", TOKEN_CANARY).stderr
    assert "unknown Odido environment" in _pull(tmp_path, "--env", "moon", "--token", "t").stderr
    bad_cookie = _pull(tmp_path, "--portal", "http://x", "--cookie", COOKIE_CANARY)
    assert "--cookie must be the Cookie header" in bad_cookie.stderr


def test_env_picks_the_portal_of_an_environment() -> None:
    assert _portal_url(None, "agile") == "https://developer-agile.odido.nl"
    assert _portal_url("http://127.0.0.1:1", "agile") == "http://127.0.0.1:1"
