"""The Jinja environment: templates only lay out what the product model decided."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from odido_gen import _escape

__all__ = ["environment", "templates_dir"]


def templates_dir() -> Path:
    """`templates/` of a source checkout, or the copy packed into the installed wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent.parent / "templates"):
        if (candidate / "README.md.j2").is_file():
            return candidate
    raise FileNotFoundError("odido-gen's templates are missing from this installation")


def _finalize(value: object) -> object:
    """Refuse raw spec text and anything that is not text or a number: both are template bugs."""
    if isinstance(value, _escape.Untrusted):
        raise TypeError(
            f"template printed unescaped spec text ({str.__str__(value)[:40]!r}); pass it "
            "through the filter for its context (py_str, docstring, comment, toml, md, ...)",
        )
    if value is None:
        return ""
    if not isinstance(value, (str, int)):
        raise TypeError(f"template printed a {type(value).__name__}, not text")
    return value


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # nothing here is HTML; each context has its own filter instead
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(
        py_str=_escape.py_str,
        py_literal=_escape.py_literal,
        docstring=_escape.docstring,
        comment=_escape.comment,
        toml=_escape.toml_str,
        md=_escape.markdown,
        md_code=_escape.markdown_code,
        md_inline=_escape.markdown_inline,
    )
    return env
