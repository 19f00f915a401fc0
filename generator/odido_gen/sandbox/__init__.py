"""A local Odido stack (token endpoint, gateway, portal) on 127.0.0.1 for tests and demos."""

from odido_gen.sandbox._app import create_app
from odido_gen.sandbox._cli import sandbox
from odido_gen.sandbox._config import SandboxConfig

__all__ = ["SandboxConfig", "create_app", "sandbox"]
