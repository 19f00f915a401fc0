"""One TLS context for every HTTP client the runtime makes."""

from __future__ import annotations

import functools
import ssl

import httpx

__all__ = ["shared_ssl_context"]


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The verifying context httpx would build (certifi, or SSL_CERT_FILE / SSL_CERT_DIR).

    Loading the CA bundle takes tens of milliseconds; without sharing, the API client and
    every token request would each load it again. An SSLContext is safe to share.
    """
    return httpx.create_ssl_context()
