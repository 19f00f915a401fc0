"""`create_app`: the whole local Odido stack as one Starlette app."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from odido_gen.sandbox._catalog import Catalog, load_catalog, spec_files
from odido_gen.sandbox._config import SandboxConfig
from odido_gen.sandbox._gateway import Gateway
from odido_gen.sandbox._keycloak import Keycloak, RegisteredClient
from odido_gen.sandbox._portal import portal_routes
from odido_gen.spec import load_spec

__all__ = ["create_app"]

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _documents(specs_dir: Path) -> dict[Path, dict[str, Any]]:
    return {path: load_spec(path, label=path.name).document for path in spec_files(specs_dir)}


def create_app(config: SandboxConfig) -> Starlette:
    """The portal (admin API and pages), the token endpoint and the gateway, on one app.

    `app.state.catalog` holds the products served and `app.state.keycloak` the token
    endpoint's state (e.g. to revoke tokens in a test).
    """
    documents = _documents(config.specs_dir)
    catalog: Catalog = load_catalog(config.specs_dir, documents)
    keycloak = Keycloak(
        [RegisteredClient(config.client_id, config.client_secret, scopes=catalog.scopes)],
        realm=config.realm,
        expires_in=config.token_lifetime,
    )
    gateway = Gateway(
        [(p, documents[p.spec_file]) for p in catalog.products],
        keycloak,
        upstream=config.upstream,
        upstream_token=config.upstream_token,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=60.0) as client:
            gateway.client = client
            yield
            gateway.client = None

    app = Starlette(
        routes=[
            *portal_routes(catalog, config),
            *keycloak.routes,
            # Last: everything else is the gateway's (or its plain-text 404).
            Route("/{path:path}", gateway.handle, methods=_ALL_METHODS),
        ],
        lifespan=lifespan,
    )
    app.state.catalog = catalog
    app.state.keycloak = keycloak
    return app
