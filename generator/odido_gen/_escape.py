"""Context-specific escaping of untrusted spec text.

Spec text reaches generated files only through these functions. Each returns `Code`, the one kind
of string (besides `Identifier`) that the template environment lets through: a template that
prints a raw spec string fails to render, so a missing escape is a loud bug, not a quiet hole.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from typing import Any

__all__ = [
    "Code",
    "Untrusted",
    "comment",
    "docstring",
    "markdown",
    "markdown_code",
    "markdown_inline",
    "py_literal",
    "py_str",
    "toml_str",
    "untrusted",
    "visible",
]

# Characters that are invisible, reorder text (bidi controls) or break lines in some readers.
_QUOTE_RUN = re.compile(r'"(?=")|"$')
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DROP_KEPT = {"": {}, "\n": {ord("\n"): None}}
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class Code(str):
    """A fragment the generator built or escaped itself: safe to place in its output as is."""

    __slots__ = ()


class Untrusted(str):
    """Text taken from a spec. Templates refuse to print it; only the escaping filters take it.

    Concatenation keeps the mark, so `op.method + " " + op.path` is still refused unescaped.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return self

    def __add__(self, other: str) -> Untrusted:
        return Untrusted(str.__add__(self, other))

    def __radd__(self, other: str) -> Untrusted:
        return Untrusted(str.__add__(str.__str__(other), self))

    def __mod__(self, other: object) -> Untrusted:
        return Untrusted(str.__mod__(self, other))


def _keep_mark(name: str) -> Any:
    method = getattr(str, name)

    def marked(self: Untrusted, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if isinstance(result, str):
            return Untrusted(result)
        if isinstance(result, list | tuple):
            return type(result)(Untrusted(r) if isinstance(r, str) else r for r in result)
        return result

    marked.__name__ = marked.__qualname__ = name
    return marked


# String methods (and so Jinja filters such as upper, trim, replace, truncate, slicing) keep
# the mark on what they return; only the escaping filters turn spec text into `Code`.
for _name in (
    "__getitem__", "__mul__", "__rmul__", "capitalize", "casefold", "center", "expandtabs",
    "format", "format_map", "join", "ljust", "lower", "lstrip", "partition", "removeprefix",
    "removesuffix", "replace", "rjust", "rpartition", "rsplit", "rstrip", "split",
    "splitlines", "strip", "swapcase", "title", "translate", "upper", "zfill",
):  # fmt: skip
    setattr(Untrusted, _name, _keep_mark(_name))
del _name


def untrusted(value: object) -> Untrusted | None:
    """Mark spec text (None and non-strings stay None: absent text is not text)."""
    return Untrusted(value) if isinstance(value, str) else None


def _escape_code(code: int) -> str:
    """The shortest Python escape for a code point (`\\U` beyond the BMP: `\\u` takes four
    digits only, so `\\udd374` would be half a surrogate pair and a `4`)."""
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str, *, keep: str = "") -> str:
    """Replace unsafe characters with `\\uXXXX`-style escapes (valid in Python strings)."""
    if text.isascii() and not _ASCII_CONTROL.search(text.translate(_DROP_KEPT[keep])):
        return text  # the common case, without a per-character walk
    out = []
    for ch in text:
        if ch in keep or unicodedata.category(ch) not in _UNSAFE_CATEGORIES:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(_escape_code(code))
    return "".join(out)


def py_str(value: str) -> Code:
    """A Python string literal with the value's exact content."""
    # repr() always yields a valid literal; re-escape what repr keeps but readers may hide.
    return Code(visible(repr(str(value))))


def py_literal(value: object) -> Code:
    """A Python literal for JSON data (defaults, enum values)."""
    if value is None or isinstance(value, bool):
        return Code(repr(value))
    if isinstance(value, int):
        return Code(repr(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("non-finite numbers have no JSON literal")
        return Code(repr(value))
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, list):
        return Code("[" + ", ".join(py_literal(v) for v in value) + "]")
    if isinstance(value, dict):
        items = ", ".join(f"{py_str(str(k))}: {py_literal(v)}" for k, v in value.items())
        return Code("{" + items + "}")
    raise TypeError(f"not JSON data: {type(value).__name__}")


def docstring(text: str | None, *, width: int = 88, indent: str = "") -> Code:
    """Text for the inside of a triple-quoted docstring: wrapped, escaped, never closing early."""
    if not text:
        return Code("")
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    lines: list[str] = []
    for paragraph in paragraphs:
        if not paragraph:
            continue
        if lines:
            lines.append("")
        joined = " ".join(paragraph.split())
        lines.extend(textwrap.wrap(joined, width=width, break_on_hyphens=False) or [""])
    # Blank lines stay empty: whitespace there is a lint error no formatter may remove.
    body = "\n".join(f"{indent}{line}" if i and line else line for i, line in enumerate(lines))
    # Escape backslashes, then every quote that starts a run or ends the text: no `"""` remains.
    body = _QUOTE_RUN.sub('\\\\"', body.replace("\\", "\\\\"))
    return Code(visible(body, keep="\n"))


def comment(text: str) -> Code:
    """One comment line's text: no line breaks, nothing that ends the comment."""
    return Code(visible(" ".join(str(text).split())).replace("\\", "\\\\"))


_TOML_SHORT = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_str(value: str) -> Code:
    """A TOML basic string, in ASCII. Unlike JSON, TOML has no surrogate-pair escapes: a
    character beyond the BMP is `\\UXXXXXXXX`, and a lone surrogate (not a character) is
    replaced by U+FFFD."""
    out = ['"']
    for ch in str(value):
        code = ord(ch)
        if ch in _TOML_SHORT:
            out.append(_TOML_SHORT[ch])
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        elif code > 0xFFFF:
            out.append(f"\\U{code:08x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return Code("".join(out))


def markdown(text: str | None) -> Code:
    """Prose for a Markdown file: HTML and link syntax neutralised, one paragraph per block."""
    if not text:
        return Code("")
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|#":
        escaped = escaped.replace(ch, "\\" + ch)
    return Code(visible(escaped.strip(), keep="\n"))


def markdown_inline(text: str | None) -> Code:
    """Markdown prose on one line (a table cell): line breaks folded to spaces."""
    return markdown(" ".join(str(text or "").split()))


def markdown_code(text: str) -> Code:
    """Inline code in Markdown: a backtick fence longer than any run inside.

    A `|` is escaped even so: in a table (GitHub Flavored Markdown) it ends the cell before
    the code span is read, leaving the rest of the text, HTML included, as Markdown.
    """
    value = visible(" ".join(str(text).split())).replace("|", "\\|")
    fence = "`"
    while fence in value:
        fence += "`"
    if not value or value.startswith("`") or value.endswith("`"):
        value = f" {value} "
    return Code(f"{fence}{value}{fence}")
