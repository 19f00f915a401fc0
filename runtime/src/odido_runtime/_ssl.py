"""One TLS context for every HTTP client the runtime makes, reading its CA bundle on first use."""

from __future__ import annotations

import functools
import os
import ssl
import sys
import threading
from typing import Any

__all__ = ["shared_ssl_context"]


class _LazyCAContext(ssl.SSLContext):
    """A verifying client context that loads its CA certificates at the first TLS handshake.

    Loading the bundle takes tens of milliseconds, and a client that only talks plain http
    (a local gateway, a test server) never needs it. Every handshake goes through
    `wrap_socket` or `wrap_bio` (httpcore's sync backend, anyio, trio and asyncio all use
    one of them), so loading there is enough; the other readers of the store load too.
    """

    _ca: tuple[str | None, str | None]
    _ca_lock: threading.Lock
    _ca_loaded: bool

    def _load_ca(self) -> None:
        if self._ca_loaded:
            return
        with self._ca_lock:
            if not self._ca_loaded:
                cafile, capath = self._ca
                self.load_verify_locations(cafile=cafile, capath=capath)
                self._ca_loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._load_ca()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._load_ca()
        return super().wrap_bio(*args, **kwargs)

    def get_ca_certs(self, binary_form: bool = False) -> Any:
        self._load_ca()
        return super().get_ca_certs(binary_form)

    def cert_store_stats(self) -> dict[str, int]:
        self._load_ca()
        return super().cert_store_stats()


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The verifying context httpx would build (certifi, or SSL_CERT_FILE / SSL_CERT_DIR).

    Shared: without it the API client and every token request would each load the CA bundle
    again (an SSLContext is safe to share). Settings are those of `ssl.create_default_context`,
    which httpx uses; only the reading of the certificates waits for the first handshake.
    """
    ctx = _LazyCAContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates and host names
    if os.environ.get("SSL_CERT_FILE"):
        ctx._ca = (os.environ["SSL_CERT_FILE"], None)
    elif os.environ.get("SSL_CERT_DIR"):
        ctx._ca = (None, os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        ctx._ca = (certifi.where(), None)
    ctx._ca_lock = threading.Lock()
    ctx._ca_loaded = False
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:  # as create_default_context does
        ctx.keylog_filename = keylog
    return ctx
