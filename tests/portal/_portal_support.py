"""Helpers of the portal-sync tests: sandboxes, small ad-hoc portals, the CLI, canaries."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from odido_gen.portal import portal
from odido_gen.sandbox._app import create_app
from odido_gen.sandbox._config import SandboxConfig
from odido_gen.sandbox._server import serve
from starlette.applications import Starlette
from starlette.routing import BaseRoute

ROOT = Path(__file__).resolve().parents[2]
GENESYS = ROOT / "specs" / "genesys-outbound.json"
PETSTORE = ROOT / "tests" / "fixtures" / "specs" / "petstore-lite.yaml"

# Secrets that must never show up in any output, message or file.
TOKEN_CANARY = "canary-admin-token-5be1f0c9"
COOKIE_CANARY = "canary-session-9d2e7a41"


@dataclass(frozen=True)
class Sandbox:
    url: str
    config: SandboxConfig

    @property
    def token(self) -> str:
        return self.config.admin_token

    @property
    def cookie(self) -> str:
        return self.config.cookie


@contextlib.contextmanager
def start_sandbox(specs_dir: Path, **settings: object) -> Iterator[Sandbox]:
    config = SandboxConfig(
        specs_dir=specs_dir,
        admin_token=TOKEN_CANARY,
        session=COOKIE_CANARY,
        **settings,  # type: ignore[arg-type]
    )
    with serve(create_app(config)) as url:
        yield Sandbox(url, config)


@contextlib.contextmanager
def serve_routes(routes: list[BaseRoute]) -> Iterator[str]:
    """A small ad-hoc server (a misbehaving portal, a spec host) on 127.0.0.1."""
    with serve(Starlette(routes=routes)) as url:
        yield url


def run_portal(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """`odido-gen portal ...` in-process; stdout and stderr kept apart."""
    result = CliRunner().invoke(portal, list(args), env=dict(env or {}), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
        )
    return result


def assert_no_secrets(result: Result, *places: Path) -> None:
    """Neither canary in the command's output nor in any file below `places`."""
    for canary in (TOKEN_CANARY, COOKIE_CANARY):
        assert canary not in result.output
        assert canary not in result.stderr
        assert canary not in repr(result.exception)
        for place in places:
            for path in place.rglob("*"):
                if path.is_file():
                    assert canary.encode() not in path.read_bytes(), path
