"""odido-gen: typed Python client packages for the APIs of the Odido developer portal."""

from odido_gen._version import __version__

__all__ = ["__version__"]
