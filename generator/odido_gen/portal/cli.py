"""`odido_gen.portal.cli.portal`: the click group the main CLI attaches."""

from odido_gen.portal._cli import portal

__all__ = ["portal"]
