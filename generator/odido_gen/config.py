"""Product configuration: `odido-gen.toml`, or `[tool.odido-gen]` in a pyproject.toml.

```toml
output = "generated"                 # relative to the config file
[products.genesys]
spec = "specs/genesys-outbound.json" # path relative to the config file, or an http(s) URL
distribution = "odido-genesys"       # default: odido-<key>
package = "odido_genesys"            # default: odido_<key>
client_name = "Genesys"              # default: from the key -> GenesysClient / AsyncGenesysClient
base_path = "/oauth/genesyscloud"    # the product's path on the gateway
header = { name = "x-auth-token", prefix = "Bearer " }
scopes = ["Genesys_Services_Oauth_External"]
version = "0.1.0"                    # PEP 440 version of the generated distribution
```

Products pulled from the portal (`odido-gen.lock` beside the config) supply defaults for the same
keys; whatever the config file says wins, so hand-made overrides survive every pull.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from odido_gen._errors import ConfigError
from odido_gen.naming import class_name

__all__ = [
    "CONFIG_FILE",
    "Config",
    "HeaderConfig",
    "ProductConfig",
    "find_config",
    "load_config",
    "product_from_options",
]

CONFIG_FILE = "odido-gen.toml"
LOCK_FILE = "odido-gen.lock"
_PRODUCT_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$")
_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]{0,98}$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")  # RFC 9110 token
_PRODUCT_KEYS = frozenset(
    {
        "spec",
        "distribution",
        "package",
        "client_name",
        "base_path",
        "header",
        "scopes",
        "version",
        "description",
        "portal",
    },
)


@dataclass(frozen=True)
class HeaderConfig:
    """How the access token travels: `<name>: <prefix><token>`."""

    name: str = "Authorization"
    prefix: str = "Bearer "


@dataclass(frozen=True)
class ProductConfig:
    key: str
    # An absolute path or an http(s) URL; a URL may carry credentials, so never in the repr.
    spec: str = field(repr=False)
    distribution: str
    package: str
    client_name: str
    base_path: str = ""
    header: HeaderConfig = field(default_factory=HeaderConfig)
    scopes: tuple[str, ...] = ()
    version: str = "0.1.0"
    description: str | None = None
    portal: Mapping[str, Any] | None = None

    @property
    def is_url(self) -> bool:
        return self.spec.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Config:
    path: Path | None  # None for a one-off product given on the command line
    output: Path
    products: Mapping[str, ProductConfig]


def find_config(start: Path) -> Path | None:
    """The nearest odido-gen.toml, or pyproject.toml with [tool.odido-gen], from `start` upwards."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "odido-gen" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load_config(path: Path, *, output: Path | None = None) -> Config:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("odido-gen")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: no [tool.odido-gen] table")
        where = "tool.odido-gen"
    else:
        table, where = data, ""
    base = path.parent
    products_table = table.get("products", {})
    if not isinstance(products_table, dict):
        raise ConfigError(f"{path}: {_join(where, 'products')}: expected a table of products")
    unknown = sorted(set(table) - {"output", "products"})
    if unknown:
        raise ConfigError(f"{path}: {_join(where, unknown[0])}: unknown setting")

    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in _lock_products(base).items()}
    for key, values in products_table.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: {_join(where, 'products', key)}: expected a table")
        merged.setdefault(key, {}).update(values)

    products = {
        key: _product(key, merged[key], base, f"{path}: {_join(where, 'products', key)}")
        for key in sorted(merged)
    }
    out = output if output is not None else base / _string(table, "output", "generated", str(path))
    return Config(path=path, output=out, products=products)


def _lock_products(base: Path) -> Mapping[str, Mapping[str, Any]]:
    """Products derived by `odido-gen portal pull`, if a lock file is present."""
    lock = base / LOCK_FILE
    if not lock.is_file():
        return {}
    from odido_gen.portal import derived_products, read_lock

    return derived_products(read_lock(lock))


def product_from_options(
    *,
    spec: str,
    package: str,
    distribution: str | None = None,
    client_name: str | None = None,
    base_path: str = "",
    header: HeaderConfig | None = None,
    scopes: tuple[str, ...] = (),
    version: str = "0.1.0",
) -> ProductConfig:
    """A product given wholly on the command line (`generate --spec ... --package ...`)."""
    values: dict[str, Any] = {
        "spec": spec,
        "package": package,
        "distribution": distribution or package.replace("_", "-"),
        "base_path": base_path,
        "scopes": list(scopes),
        "version": version,
    }
    if client_name:
        values["client_name"] = client_name
    if header is not None:
        values["header"] = {"name": header.name, "prefix": header.prefix}
    key = package.removeprefix("odido_").replace("_", "-") or package
    return _product(key, values, Path.cwd(), "command line")


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def _string(table: Mapping[str, Any], key: str, default: str | None, where: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key}: expected a string, got {type(value).__name__}")
    return value


def _product(key: str, values: Mapping[str, Any], base: Path, where: str) -> ProductConfig:
    if not _PRODUCT_KEY.match(key):
        raise ConfigError(f"{where}: product key must match {_PRODUCT_KEY.pattern}")
    unknown = sorted(set(values) - _PRODUCT_KEYS)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown setting")
    if "spec" not in values:
        raise ConfigError(
            f"{where}.spec: missing (a path or URL of the product's OpenAPI description)"
        )
    spec = _string(values, "spec", None, where)
    if not spec.startswith(("http://", "https://")):
        spec = str((base / spec).resolve())
    slug = key.replace("-", "_")
    distribution = _string(values, "distribution", f"odido-{key.replace('_', '-')}", where)
    if not _DISTRIBUTION.match(distribution):
        raise ConfigError(
            f"{where}.distribution: {distribution!r} is not a valid distribution name"
        )
    package = _string(values, "package", f"odido_{slug}", where)
    if not _PACKAGE.match(package) or package.startswith("__"):
        raise ConfigError(f"{where}.package: {package!r} is not a valid lowercase package name")
    client = _string(values, "client_name", class_name(key), where)
    if not client.isidentifier() or not client[:1].isupper() or not client.isascii():
        raise ConfigError(f"{where}.client_name: {client!r} is not a CapWords identifier")
    base_path = _string(values, "base_path", "", where).rstrip("/")
    if base_path and not base_path.startswith("/"):
        raise ConfigError(f"{where}.base_path: must start with '/' (got {base_path!r})")
    version = _string(values, "version", "0.1.0", where)
    try:
        normalized = str(Version(version))
    except InvalidVersion:
        normalized = ""
    if normalized != version:
        # Only canonical versions: 'v2' would silently become '2', '1.0-beta' '1.0b0'.
        hint = f"; did you mean {normalized!r}?" if normalized else ""
        raise ConfigError(
            f"{where}.version: {version!r} is not a canonical PEP 440 version{hint} "
            "(a spec's info.version such as 'v2' is not a Python version)",
        )
    header = _header(values.get("header"), where)
    scopes_value = values.get("scopes", [])
    if isinstance(scopes_value, str):
        scopes_value = scopes_value.split()
    if not isinstance(scopes_value, list) or not all(isinstance(s, str) for s in scopes_value):
        raise ConfigError(f"{where}.scopes: expected a list of strings")
    description = values.get("description")
    if description is not None and not isinstance(description, str):
        raise ConfigError(f"{where}.description: expected a string")
    portal = values.get("portal")
    if portal is not None and not isinstance(portal, dict):
        raise ConfigError(f"{where}.portal: expected a table")
    return ProductConfig(
        key=key,
        spec=spec,
        distribution=distribution,
        package=package,
        client_name=client,
        base_path=base_path,
        header=header,
        scopes=tuple(scopes_value),
        version=normalized,
        description=description,
        portal=portal,
    )


def _header(value: object, where: str) -> HeaderConfig:
    if value is None:
        return HeaderConfig()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.header: expected a table like {{ name = ..., prefix = ... }}")
    name = value.get("name", "Authorization")
    prefix = value.get("prefix", "Bearer ")
    if not isinstance(name, str) or not _HEADER_NAME.match(name):
        raise ConfigError(f"{where}.header.name: {name!r} is not a valid HTTP header name")
    if not isinstance(prefix, str) or any(c in prefix for c in "\r\n\0"):
        raise ConfigError(f"{where}.header.prefix: expected a single-line string")
    return HeaderConfig(name=name, prefix=prefix)
