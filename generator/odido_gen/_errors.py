"""The generator's error hierarchy.

OdidoGenError       anything the user can act on; the CLI prints one line, exit code 2
 ├── ConfigError    odido-gen.toml / [tool.odido-gen] is wrong
 ├── RenderError    a product could not become a package (e.g. output failed to parse)
 └── SpecError      (odido_gen.spec) a spec that cannot be read or used
"""

from __future__ import annotations

__all__ = ["ConfigError", "OdidoGenError", "RenderError"]


class OdidoGenError(Exception):
    """An error with a one-line message that says what is wrong and where."""

    exit_code = 2


class ConfigError(OdidoGenError):
    """The product configuration is invalid."""


class RenderError(OdidoGenError):
    """A product could not be rendered into a valid package."""
