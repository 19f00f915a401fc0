"""The lock file `odido-gen.lock`: what was pulled from the portal, and the config it implies.

TOML, written by hand so the bytes are stable: products sorted by key, fields in a fixed
order, no timestamps. The derived config lives only here (never in odido-gen.toml), so a user's
`[products.<key>]` values override it and survive every pull.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from odido_gen._errors import ConfigError
from odido_gen.config import LOCK_FILE, HeaderConfig
from odido_gen.portal._derive import DEFAULT_VERSION, Derived
from odido_gen.portal._model import PortalPlan

__all__ = [
    "LOCK_FILE",
    "LOCK_VERSION",
    "Lock",
    "LockedAPI",
    "LockedProduct",
    "derived_products",
    "read_lock",
    "render_lock",
]

LOCK_VERSION = 1
_HEADER_COMMENT = (
    "# Written by `odido-gen portal pull`: do not edit. Override derived values in\n"
    "# odido-gen.toml under [products.<key>]; your values win and survive pulls.\n"
)


@dataclass(frozen=True)
class LockedAPI:
    api_id: str
    name: str
    listen_path: str | None
    file: str  # relative to the lock's directory, POSIX separators
    source: str
    sha256: str


@dataclass(frozen=True)
class LockedProduct:
    key: str
    id: int | None
    name: str
    display_name: str
    path: str
    scopes: tuple[str, ...]
    catalogues: tuple[str, ...]
    documentation_only: bool
    derived: Derived
    plans: tuple[PortalPlan, ...] = ()
    apis: tuple[LockedAPI, ...] = ()


@dataclass(frozen=True)
class Lock:
    products: Mapping[str, LockedProduct] = field(default_factory=dict)
    version: int = LOCK_VERSION


# --- writing -------------------------------------------------------------------------------

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _str(value: str) -> str:
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(value: str) -> str:
    bare = value and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    return value if bare else _str(value)


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_str(v) for v in values) + "]"


def _lines(pairs: Iterable[tuple[str, str | int | bool | None]]) -> list[str]:
    lines = []
    for name, value in pairs:
        if value is None:
            continue  # TOML has no null: absent means unknown
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, int):
            rendered = str(value)
        else:
            rendered = value
        lines.append(f"{name} = {rendered}")
    return lines


def render_lock(lock: Lock) -> str:
    """The lock as TOML text; equal locks give equal text."""
    out = [_HEADER_COMMENT, f"version = {lock.version}\n"]
    for key in sorted(lock.products):
        product = lock.products[key]
        table = f"products.{_key(key)}"
        out.append(f"\n[{table}]\n")
        out.extend(
            line + "\n"
            for line in _lines(
                [
                    ("id", product.id),
                    ("name", _str(product.name)),
                    ("display_name", _str(product.display_name)),
                    ("path", _str(product.path)),
                    ("scopes", _list(product.scopes)),
                    ("catalogues", _list(product.catalogues)),
                    ("documentation_only", product.documentation_only),
                ]
            )
        )
        derived = product.derived
        out.append(f"\n[{table}.derived]\n")
        out.extend(
            line + "\n"
            for line in _lines(
                [
                    ("spec", _str(derived.spec) if derived.spec is not None else None),
                    ("distribution", _str(derived.distribution)),
                    ("package", _str(derived.package)),
                    ("client_name", _str(derived.client_name)),
                    ("base_path", _str(derived.base_path)),
                    (
                        "header",
                        f"{{ name = {_str(derived.header.name)}, "
                        f"prefix = {_str(derived.header.prefix)} }}",
                    ),
                    ("scopes", _list(derived.scopes)),
                    ("version", _str(derived.version)),
                ]
            )
        )
        for plan in product.plans:
            out.append(f"\n[[{table}.plans]]\n")
            out.extend(
                line + "\n"
                for line in _lines([("name", _str(plan.name)), ("scope", _str(plan.scope))])
            )
        for api in product.apis:
            out.append(f"\n[[{table}.apis]]\n")
            out.extend(
                line + "\n"
                for line in _lines(
                    [
                        ("api_id", _str(api.api_id)),
                        ("name", _str(api.name)),
                        ("listen_path", _str(api.listen_path) if api.listen_path else None),
                        ("file", _str(api.file)),
                        ("source", _str(api.source)),
                        ("sha256", _str(api.sha256)),
                    ]
                )
            )
    return "".join(out)


# --- reading -------------------------------------------------------------------------------


class _Reader:
    """Typed access to one table of the parsed lock, with errors that name the place."""

    def __init__(self, where: str, table: object) -> None:
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table")
        self.where = where
        self.table: dict[str, object] = table

    def _fail(self, name: str, what: str) -> ConfigError:
        return ConfigError(f"{self.where}.{name} must be {what}")

    def text(self, name: str, default: str | None = None) -> str:
        value = self.table.get(name, default)
        if not isinstance(value, str):
            raise self._fail(name, "a string")
        return value

    def opt_text(self, name: str) -> str | None:
        return self.text(name) if name in self.table else None

    def opt_int(self, name: str) -> int | None:
        value = self.table.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise self._fail(name, "an integer")
        return value

    def flag(self, name: str) -> bool:
        value = self.table.get(name, False)
        if not isinstance(value, bool):
            raise self._fail(name, "true or false")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(name, "a list of strings")
        return tuple(value)

    def tables(self, name: str) -> list[_Reader]:
        value = self.table.get(name, [])
        if not isinstance(value, list):
            raise self._fail(name, "an array of tables")
        return [_Reader(f"{self.where}.{name}[{i}]", v) for i, v in enumerate(value)]

    def sub(self, name: str) -> _Reader:
        return _Reader(f"{self.where}.{name}", self.table.get(name))


def _read_derived(d: _Reader) -> Derived:
    header = d.sub("header")
    return Derived(
        spec=d.opt_text("spec"),
        distribution=d.text("distribution"),
        package=d.text("package"),
        client_name=d.text("client_name"),
        base_path=d.text("base_path", ""),
        header=HeaderConfig(header.text("name"), header.text("prefix", "")),
        scopes=d.texts("scopes"),
        version=d.text("version", DEFAULT_VERSION),
    )


def _read_product(key: str, r: _Reader) -> LockedProduct:
    # Keyword arguments are evaluated in order: errors name the first bad field in the file.
    return LockedProduct(
        key=key,
        id=r.opt_int("id"),
        name=r.text("name"),
        display_name=r.text("display_name", ""),
        path=r.text("path", ""),
        scopes=r.texts("scopes"),
        catalogues=r.texts("catalogues"),
        documentation_only=r.flag("documentation_only"),
        derived=_read_derived(r.sub("derived")),
        plans=tuple(PortalPlan(p.text("name"), p.text("scope", "")) for p in r.tables("plans")),
        apis=tuple(
            LockedAPI(
                api_id=a.text("api_id", ""),
                name=a.text("name", ""),
                listen_path=a.opt_text("listen_path"),
                file=a.text("file"),
                source=a.text("source", ""),
                sha256=a.text("sha256"),
            )
            for a in r.tables("apis")
        ),
    )


def parse_lock(text: str, *, where: str = LOCK_FILE) -> Lock:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{where} is not valid TOML ({exc}): run `odido-gen portal pull`"
        ) from None
    root = _Reader(where, data)
    version = root.opt_int("version") or LOCK_VERSION
    if version != LOCK_VERSION:
        raise ConfigError(
            f"{where} has lock version {version}; this odido-gen reads version {LOCK_VERSION}"
        )
    products = root.sub("products") if "products" in data else _Reader(where, {})
    return Lock(
        products={
            key: _read_product(key, _Reader(f"{where}: products.{key}", table))
            for key, table in sorted(products.table.items())
        },
        version=version,
    )


def read_lock(path: str | Path) -> Lock:
    """Read a lock file written by `odido-gen portal pull`; ConfigError when it is invalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    return parse_lock(text, where=str(path))


def derived_products(lock: Lock) -> dict[str, dict[str, object]]:
    """Per product key, the config values pulled from the portal (keys of odido-gen.toml).

    The config loader lays the user's `[products.<key>]` tables over these. `spec` is relative
    to the lock's directory. Products without a downloaded spec are left out.
    """
    result: dict[str, dict[str, object]] = {}
    for key, product in sorted(lock.products.items()):
        derived = product.derived
        if derived.spec is None:
            continue
        result[key] = {
            "spec": derived.spec,
            "distribution": derived.distribution,
            "package": derived.package,
            "client_name": derived.client_name,
            "base_path": derived.base_path,
            "header": {"name": derived.header.name, "prefix": derived.header.prefix},
            "scopes": list(derived.scopes),
            "version": derived.version,
            "portal": {"id": product.id, "name": product.name},
        }
    return result
