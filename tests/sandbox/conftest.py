"""Fixtures of the sandbox tests: the app served in-process, one per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _sandbox_support import GENESYS, PETSTORE, copy_specs, make_config
from odido_gen.sandbox._app import create_app
from odido_gen.sandbox._server import serve
from starlette.applications import Starlette


@pytest.fixture(scope="session")
def sandbox_app(tmp_path_factory: pytest.TempPathFactory) -> Starlette:
    specs = copy_specs(tmp_path_factory.mktemp("specs"), GENESYS, PETSTORE)
    return create_app(make_config(specs))


@pytest.fixture(scope="session")
def sandbox_url(sandbox_app: Starlette) -> Iterator[str]:
    with serve(sandbox_app) as url:
        yield url
