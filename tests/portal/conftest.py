"""Fixtures of the portal-sync tests: sandboxes served in-process on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from _portal_support import GENESYS, PETSTORE, Sandbox, start_sandbox


@pytest.fixture(scope="session")
def two_products(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A specs directory with the repo's Genesys Outbound spec and the petstore fixture."""
    specs = tmp_path_factory.mktemp("two-products")
    shutil.copy(GENESYS, specs / GENESYS.name)
    shutil.copy(PETSTORE, specs / PETSTORE.name)
    return specs


@pytest.fixture(scope="session")
def sandbox(two_products: Path) -> Iterator[Sandbox]:
    """One sandbox for the session; tests must not change its specs directory."""
    with start_sandbox(two_products) as running:
        yield running


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port
