"""Warnings and errors of the spec loader, and JSON pointer formatting."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from odido_gen._errors import OdidoGenError

__all__ = [
    "Problem",
    "Report",
    "SpecError",
    "SpecWarning",
    "escape_token",
    "pointer",
    "shown",
]

Token = str | int


def escape_token(token: Token) -> str:
    """Escape one JSON pointer token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(tokens: Iterable[Token]) -> str:
    """The URI-fragment form used in messages: `#/paths/~1pets/get`; the root is `#`."""
    return "#" + "".join("/" + escape_token(t) for t in tokens)


@dataclass(frozen=True)
class SpecWarning:
    """A defect of the description that the loader repaired (or a conversion compromise).

    `pointer` locates the repaired value in `LoadedSpec.document` (for a removed entry: where
    it was). Notes of the Swagger 2.0 conversion itself (a `collectionFormat` with no
    OpenAPI 3 equivalent) point into the Swagger input, as the converted key no longer exists.
    """

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{shown(self.pointer)}: {shown(self.message)}"


class SpecError(OdidoGenError):
    """The description cannot be loaded. The message is one line naming the location."""

    def __init__(
        self,
        source: str,
        detail: str,
        *,
        pointer: str | None = None,
        label: str | None = None,
    ) -> None:
        self.source = source
        self.detail = _one_line(detail)
        self.pointer = pointer
        self.label = label
        prefix = f"[{label}] " if label else ""
        super().__init__(f"{prefix}{source}{shown(pointer or '')}: {shown(self.detail)}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


# Messages quote the spec (names, keys, values): on a terminal, control characters could move
# the cursor or fake other output, and a megabyte-long key would drown the message.
_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)
_MAX_SHOWN = 300


def shown(text: str) -> str:
    """Spec text as it may appear in a one-line message: no control or bidi characters, and
    long text cut in the middle."""
    text = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if len(text) > _MAX_SHOWN:
        text = f"{text[: _MAX_SHOWN - 80]}...{text[-77:]}"
    return text


class Problem(Exception):
    """Internal failure with a location; `load_spec` turns it into a `SpecError`.

    `source` overrides the loaded source when the problem lies in another file (a bundled `$ref`).
    """

    def __init__(
        self, detail: str, tokens: Iterable[Token] | None = None, *, source: str | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.pointer = None if tokens is None else pointer(tokens)
        self.source = source


class Report:
    """Collects warnings in the order the loader meets them."""

    def __init__(self) -> None:
        self.items: list[SpecWarning] = []

    def warn(self, tokens: Iterable[Token], message: str) -> None:
        self.items.append(SpecWarning(pointer(tokens), _one_line(message)))
