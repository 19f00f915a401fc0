"""Rendering: datamodel-code-generator for models, Jinja templates for the rest, ruff to format."""

from odido_gen.render._package import render_package
from odido_gen.render._write import Drift, diff_tree, format_files, replace_tree

__all__ = ["Drift", "diff_tree", "format_files", "render_package", "replace_tree"]
