"""Canary secrets pushed through error paths not covered elsewhere never show up.

tests/runtime/test_runtime_secrets.py covers the runtime's errors, reprs and logs, and
tests/portal/test_portal_errors.py the portal commands. Here: a spec URL that carries
credentials (`https://user:pass@host/spec?token=...`) through every way `generate` can fail or
succeed, the product config's repr, and the sandbox's logs and answers when it is given
secrets and then sent wrong ones.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from _hostile_support import ROOT, run_cli
from odido_gen.config import product_from_options
from odido_gen.sandbox._server import serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

PASSWORD = "canary-spec-password-3f9a"
QUERY_TOKEN = "canary-spec-token-7c1e"
CLIENT_SECRET = "canary-client-secret-b52d"
ADMIN_TOKEN = "canary-admin-token-e08a"
SESSION = "canary-session-cookie-41fc"
CANARIES = (PASSWORD, QUERY_TOKEN, CLIENT_SECRET, ADMIN_TOKEN, SESSION)
PETSTORE = ROOT / "tests" / "fixtures" / "specs" / "petstore-lite.yaml"

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Secrets", "version": "1"},
    "paths": {"/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "ok"}}}}},
}


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, (
                f"{canary} leaked: ...{text[max(0, text.find(canary) - 200) :][:400]}"
            )
            assert quote(canary) not in text


def assert_no_canary_in_files(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for canary in CANARIES:
                assert canary.encode() not in data, path


# -- a spec host that sees the credentials -------------------------------------------------------


@dataclass
class SpecHost:
    url: str
    other: str  # another origin, for redirects
    seen: list[dict[str, str]]


def _routes(seen: list[dict[str, str]], other: list[str]) -> list[Route]:
    def record(request: Request) -> None:
        seen.append({"url": str(request.url), **dict(request.headers)})

    async def spec(request: Request) -> Response:
        record(request)
        return JSONResponse(SPEC)

    async def status(request: Request) -> Response:
        record(request)
        return PlainTextResponse(
            f"failed for {request.url}", status_code=int(request.path_params["code"])
        )

    async def text(request: Request) -> Response:
        record(request)
        bodies = {
            "yaml": "openapi: 3.0.3\ninfo: [unclosed\n",
            "ref": (
                '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": '
                '{"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}}'
            ),
            "file": (
                '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": '
                '{"get": {"responses": {"200": {"$ref": "other.json#/R"}}}}}}'
            ),
            "nan": '{"openapi": "3.0.3", "info": {"title": "t", "version": NaN}, "paths": {}}',
        }
        return PlainTextResponse(bodies[request.path_params["kind"]])

    async def redirect(request: Request) -> Response:
        record(request)
        return RedirectResponse(f"{other[0]}/status/404", status_code=302)

    return [
        Route("/spec.json", spec),
        Route("/status/{code:int}", status),
        Route("/text/{kind}", text),
        Route("/redirect", redirect),
    ]


@pytest.fixture(scope="module")
def spec_host() -> Iterator[SpecHost]:
    seen: list[dict[str, str]] = []
    other: list[str] = []
    with (
        serve(Starlette(routes=_routes(seen, other))) as url,
        serve(Starlette(routes=_routes(seen, other))) as second,
    ):
        other.append(second)
        yield SpecHost(url, second, seen)


def _with_credentials(url: str, path: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://user:{PASSWORD}@{rest}{path}?token={QUERY_TOKEN}&x=1"


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/status/404", "HTTP 404"),
        ("/status/500", "HTTP 500"),
        ("/text/yaml", "invalid YAML"),
        ("/text/ref", "unresolvable $ref"),
        ("/text/file", "cannot be followed"),
        ("/text/nan", "not a JSON number"),
        ("/redirect", "HTTP 404"),
    ],
)
def test_spec_url_credentials_stay_out_of_errors(
    spec_host: SpecHost, tmp_path: Path, path: str, fragment: str
) -> None:
    url = _with_credentials(spec_host.url, path)
    run = run_cli(url, tmp_path / "out", verbose=True)
    assert run.returncode == 2, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert fragment in lines[0]
    assert_no_canary(run.stdout, run.stderr)
    # The host was asked with the credentials; a redirect to another origin drops them.
    first = spec_host.seen[-2] if path == "/redirect" else spec_host.seen[-1]
    assert QUERY_TOKEN in first["url"]
    if path == "/redirect":
        assert_no_canary(*spec_host.seen[-1].values())


def test_spec_url_credentials_stay_out_of_an_unreachable_host(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    url = _with_credentials(f"http://127.0.0.1:{port}", "/spec.json")
    run = run_cli(url, tmp_path / "out")
    assert run.returncode == 2
    assert "cannot fetch" in run.stderr
    assert_no_canary(run.stdout, run.stderr)


def test_spec_url_credentials_stay_out_of_the_package(spec_host: SpecHost, tmp_path: Path) -> None:
    url = _with_credentials(spec_host.url, "/spec.json")
    run = run_cli(url, tmp_path / "out", verbose=True)
    assert run.returncode == 0, run.stderr
    assert_no_canary(run.stdout, run.stderr)
    assert_no_canary_in_files(tmp_path / "out")
    again = run_cli(url, tmp_path / "out", extra=("--check",))
    assert again.returncode == 0, again.stderr
    assert_no_canary(again.stdout, again.stderr)


def test_product_config_repr_hides_spec_url_credentials() -> None:
    """The config's repr hides the spec URL's password and token: a traceback with locals,
    a log line or a debugger would show them."""
    config = product_from_options(
        spec=f"https://user:{PASSWORD}@specs.invalid/api.json?token={QUERY_TOKEN}",
        package="secret_api",
    )
    assert_no_canary(repr(config), str(config))


# -- the sandbox ---------------------------------------------------------------------------------


@dataclass
class SandboxRun:
    url: str
    process: subprocess.Popen[str]
    banner: str
    lines: queue.Queue[str]  # stdout after the banner (uvicorn's access log goes there)

    def stop(self) -> tuple[str, str]:
        """Stop the sandbox; its stdout after the banner, and its stderr."""
        self.process.terminate()
        _, stderr = self.process.communicate(timeout=30)
        out = []
        while (line := self.lines.get(timeout=30)) != "":
            out.append(line)
        return "".join(out), stderr


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxRun]:
    """`python -m odido_gen.sandbox` given every secret, logging at debug level."""
    specs = tmp_path_factory.mktemp("specs")
    (specs / "petstore-lite.yaml").write_bytes(PETSTORE.read_bytes())
    command = [
        sys.executable, "-m", "odido_gen.sandbox", "--specs", str(specs), "--port", "0",
        "--client-id", "canary-client", "--client-secret", CLIENT_SECRET,
        "--admin-token", ADMIN_TOKEN, "--cookie", SESSION, "--log-level", "debug",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("ODIDO_")},
            "PYTHONUNBUFFERED": "1",
        },
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    banner: list[str] = []
    try:
        while not banner or not banner[-1].startswith("Press Ctrl+C"):
            line = lines.get(timeout=60)
            assert line, "the sandbox exited"
            banner.append(line)
        url = banner[0].split(" on ", 1)[1].strip()
        yield SandboxRun(url, process, "".join(banner), lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


TOKEN_PATH = "/realms/tyk-dev-portal/protocol/openid-connect/token"


def test_sandbox_banner_prints_no_secret_it_was_given(sandbox: SandboxRun) -> None:
    assert_no_canary(sandbox.banner)
    assert sandbox.banner.count("(as given)") == 3, sandbox.banner
    assert "ODIDO_CLIENT_SECRET=$ODIDO_CLIENT_SECRET" in sandbox.banner


def test_sandbox_answers_and_logs_keep_secrets(sandbox: SandboxRun) -> None:
    base = sandbox.url
    answers: list[httpx.Response] = []
    with httpx.Client(base_url=base, timeout=30) as http:
        form = {"grant_type": "client_credentials", "scope": "petstore-lite"}
        # wrong secrets, as Basic auth and in the form
        answers.append(
            http.post(TOKEN_PATH, data=form, auth=("canary-client", CLIENT_SECRET + "x"))
        )
        answers.append(
            http.post(
                TOKEN_PATH,
                data={**form, "client_id": "canary-client", "client_secret": CLIENT_SECRET + "x"},
            )
        )
        good = http.post(TOKEN_PATH, data=form, auth=("canary-client", CLIENT_SECRET))
        assert good.status_code == 200, good.text
        token = good.json()["access_token"]
        # the gateway, with a wrong token and with the right one on a wrong path
        api = next(
            line.split(" at ", 1)[1].split(" ", 1)[0]
            for line in sandbox.banner.splitlines()
            if " at http" in line
        )
        answers.append(http.get(f"{api}/pets", headers={"Authorization": f"Bearer {token}x"}))
        answers.append(http.get("/no-such-api", headers={"Authorization": f"Bearer {token}"}))
        # the admin API and the portal, with a wrong token and a wrong cookie
        answers.append(
            http.get("/portal-api/products", headers={"Authorization": ADMIN_TOKEN + "x"})
        )
        answers.append(
            http.get(
                "/portal/catalogue-products", headers={"Cookie": f"_portal_session={SESSION}x"}
            )
        )
    for answer in answers:
        assert answer.status_code >= 400 or "login" in answer.text.lower(), answer.text[:300]
        assert_no_canary(answer.text, *answer.headers.values())
        assert token not in answer.text
    stdout, stderr = sandbox.stop()
    # What the sandbox logged (uvicorn at debug level) names no secret and no token.
    assert "/pets" in stdout + stderr  # the access log was on
    assert_no_canary(stdout, stderr)
    assert token not in stdout + stderr
