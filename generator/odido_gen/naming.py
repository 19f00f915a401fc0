"""Turning untrusted spec names into safe, stable Python names.

Every identifier that reaches generated code is produced here and is an `Identifier`, a `str`
subclass that the renderer trusts; anything else from a spec is escaped for its context.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "Identifier",
    "UniqueNames",
    "class_name",
    "constant_name",
    "module_name",
    "snake_case",
]

# Long enough for real operationIds (Genesys has 102 characters), short enough for file systems.
MAX_NAME_LENGTH = 120

_BUILTINS = frozenset(dir(builtins))
# Names that read as digits in many fonts; linters refuse them (E741, E742, E743).
_AMBIGUOUS = frozenset({"l", "I", "O"})
# Device names Windows reserves, with any extension: `con.py` cannot be checked out there.
_RESERVED_FILE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
_WORD_BOUNDARY = re.compile(
    r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+[a-z]*",
)


class Identifier(str):
    """A validated Python identifier (never a keyword): safe to place in code as is."""

    __slots__ = ()

    def __new__(cls, value: str) -> Identifier:
        if not value.isidentifier() or keyword.iskeyword(value) or not value.isascii():
            raise ValueError(f"not a safe identifier: {value!r}")
        return super().__new__(cls, value)


def _ascii_words(text: str) -> list[str]:
    # NFKD folds accents and compatibility forms (e.g. full-width letters) to ASCII where a
    # plain-ASCII equivalent exists; everything else becomes a word separator.
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WORD_BOUNDARY.findall(folded)


def _safe(name: str, *, fallback: str, avoid_builtins: bool) -> str:
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    name = name[:MAX_NAME_LENGTH].rstrip("_") or fallback
    if (
        keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        or name.startswith("__")
        or (avoid_builtins and name in _BUILTINS)
        or name in _AMBIGUOUS
    ):
        name = f"{name}_"
    return name


def snake_case(text: str, *, fallback: str = "value", avoid_builtins: bool = True) -> Identifier:
    """`getOutboundContactlists` -> `get_outbound_contactlists`; `site.id` -> `site_id`."""
    words = [w.lower() for w in _ascii_words(text)]
    return Identifier(_safe("_".join(words), fallback=fallback, avoid_builtins=avoid_builtins))


def class_name(text: str, *, fallback: str = "Model") -> Identifier:
    """`contact list` -> `ContactList`; keeps inner capitals of `ContactListEntityListing`.

    A class whose module name would be a keyword (`Global` -> `global.py`) or a device name
    Windows reserves (`Con` -> `con.py`) gets a `Model` suffix, since every model lives in a
    module named after it; so do keywords and builtins (`None` -> `NoneModel`).
    """
    words = _ascii_words(text)
    name = "".join(w[:1].upper() + w[1:] for w in words) or fallback
    if name[0].isdigit():
        name = f"{fallback}{name}"
    name = name[:MAX_NAME_LENGTH]
    # No underscores: the model generator drops them from class names (`None_` -> `None1`),
    # and the client must name the class it generated. So a `Model` suffix instead.
    plain = "_".join(w.lower() for w in _WORD_BOUNDARY.findall(name))
    if (
        keyword.iskeyword(name)
        or name in _BUILTINS
        or name in _AMBIGUOUS
        or keyword.iskeyword(plain)
        or keyword.issoftkeyword(plain)
        or plain in _RESERVED_FILE_NAMES
        or name.lower() in _RESERVED_FILE_NAMES
    ):
        name = f"{name}Model"
    return Identifier(name)


def constant_name(text: str) -> Identifier:
    return Identifier(snake_case(text, avoid_builtins=False).upper())


def module_name(text: str) -> Identifier:
    """A module file name stem: no separators, no dots, never empty, never a dunder, never
    a device name Windows reserves (`con`, `nul`, `com1`, ...)."""
    name = snake_case(text, fallback="module", avoid_builtins=False)
    return Identifier(f"{name}_") if name in _RESERVED_FILE_NAMES else name


class UniqueNames:
    """Hands out names unique within one scope, deterministically: `x`, `x_2`, `x_3`, ...

    Class names use no separator (`Pet`, `Pet2`), as CapWords names do.
    """

    def __init__(self, reserved: Iterable[str] = (), *, separator: str = "_") -> None:
        self._taken: set[str] = set(reserved)
        self._separator = separator

    def claim(self, name: Identifier) -> Identifier:
        candidate, n = name, 1
        while candidate in self._taken:
            n += 1
            suffix = f"{self._separator}{n}"
            # Within MAX_NAME_LENGTH: names derived from this one (a module) are cut there,
            # and must not cut the suffix away.
            base = name.rstrip("_")[: MAX_NAME_LENGTH - len(suffix)]
            candidate = Identifier(f"{base}{suffix}")
        self._taken.add(candidate)
        return candidate

    def __contains__(self, name: object) -> bool:
        return name in self._taken
