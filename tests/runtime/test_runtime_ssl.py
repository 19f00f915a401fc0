"""The shared TLS context: verifies as httpx's default does, reads its CA bundle only for TLS."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from odido_gen.sandbox._server import serve
from odido_runtime import _ssl
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


@pytest.fixture
def fresh_context(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The shared context made anew for the test (and again after it, for the others)."""
    _ssl.shared_ssl_context.cache_clear()
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    _ssl.shared_ssl_context.cache_clear()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An https server on loopback with a self-signed certificate; its URL and certificate."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=x"]
    names = ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        [openssl, *request, *names, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("tls ok"))])
    with serve(app, ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        yield url, cert


def _held(ctx: ssl.SSLContext) -> int:
    """CA certificates in the store as OpenSSL holds it, bypassing the loading accessor."""
    stats: dict[str, int] = super(type(ctx), ctx).cert_store_stats()
    return stats["x509_ca"]


def test_settings_match_httpx_default(fresh_context: pytest.MonkeyPatch) -> None:
    ours, httpx_default = _ssl.shared_ssl_context(), httpx.create_ssl_context()
    assert ours.verify_mode == httpx_default.verify_mode == ssl.CERT_REQUIRED
    assert ours.check_hostname is httpx_default.check_hostname is True
    assert ours.options == httpx_default.options
    assert ours.minimum_version == httpx_default.minimum_version
    assert _ssl.shared_ssl_context() is ours


def test_ca_bundle_read_only_when_needed(fresh_context: pytest.MonkeyPatch) -> None:
    ctx = _ssl.shared_ssl_context()
    assert _held(ctx) == 0
    with httpx.Client(verify=ctx) as client:
        client.build_request("GET", "http://127.0.0.1/")
    assert _held(ctx) == 0
    assert ctx.cert_store_stats()["x509_ca"] > 0  # reading the store loads it


def test_https_verified_with_lazily_read_ca(
    fresh_context: pytest.MonkeyPatch, tls_server: tuple[str, Path]
) -> None:
    url, cert = tls_server
    # The default bundle does not know the self-signed certificate: verification is on.
    with (
        httpx.Client(verify=_ssl.shared_ssl_context()) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get(url)
    _ssl.shared_ssl_context.cache_clear()
    fresh_context.setenv("SSL_CERT_FILE", str(cert))
    with httpx.Client(verify=_ssl.shared_ssl_context()) as client:
        assert client.get(url).text == "tls ok"


def test_https_async(fresh_context: pytest.MonkeyPatch, tls_server: tuple[str, Path]) -> None:
    url, cert = tls_server
    fresh_context.setenv("SSL_CERT_FILE", str(cert))

    async def main() -> str:
        async with httpx.AsyncClient(verify=_ssl.shared_ssl_context()) as client:
            return (await client.get(url)).text

    assert asyncio.run(main()) == "tls ok"
