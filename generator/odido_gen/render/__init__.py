"""Rendering: datamodel-code-generator for models, Jinja templates for the rest, ruff to format."""

from odido_gen.render._package import render_package
from odido_gen.render._write import (
    Drift,
    diff_tree,
    discard,
    format_files,
    install_tree,
    replace_tree,
    stage_dir,
)

__all__ = [
    "Drift",
    "diff_tree",
    "discard",
    "format_files",
    "install_tree",
    "render_package",
    "replace_tree",
    "stage_dir",
]
