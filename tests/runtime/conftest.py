"""Fixtures of the runtime tests: one loopback stack (Keycloak + gateway) per session."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
from _runtime_support import Stack, start_stack
from odido_runtime import ClientCredentials


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    yield from start_stack()


@pytest.fixture
def creds(stack: Stack) -> ClientCredentials:
    """Fresh credentials (secret: the canary) allowed every test scope, both auth methods."""
    return stack.new_client()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture everything the runtime, httpx and httpcore log."""
    for name in ("odido_runtime", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.DEBUG)
    return caplog
