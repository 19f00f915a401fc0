"""`odido_gen.sandbox.cli.sandbox`: the click command the main CLI attaches."""

from odido_gen.sandbox._cli import sandbox

__all__ = ["sandbox"]
