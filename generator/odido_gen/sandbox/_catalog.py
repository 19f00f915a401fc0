"""The sandbox's products: one per spec file in the specs directory.

Metadata comes from the file name (`petstore-lite.yaml` -> Name `petstore-lite`, Path
`petstore-lite`, ListenPath `/petstore-lite/`, scope `petstore-lite`), from the table of known
products (`genesys-outbound.json` -> the Genesys product), and then from optional overrides:
an `odido-gen.lock` in the directory or its parent (matched by spec file name) and
`sandbox.toml` in the directory:

```toml
[products.petstore-lite]          # the spec file's name without extension
name = "Petstore_Lite"
display_name = "Petstore Lite"
path = "petstore"
listen_path = "/petstore/"
scopes = ["Petstore_Lite"]        # the product's own scopes
header = { name = "x-api-key", prefix = "" }
api_id = "..."                    # the gateway's APIID
api_name = "Petstore API"
documentation_only = false        # true: listed with SpecDetails, no gateway
upload_oas = true                 # false: the admin API answers 422 "no oas specified"
oas_url = "https://..."           # the API's OASUrl

[[plans]]                         # replaces the default plan
name = "demoplan"
display_name = "Demo plan"
scope = "demoplan"                # its JWTScope
```
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from odido_gen._errors import ConfigError
from odido_gen.config import HeaderConfig
from odido_gen.portal._derive import find_known_product, gateway_header, slug
from odido_gen.portal._lock import LOCK_FILE, read_lock

__all__ = [
    "CATALOGUE",
    "OVERRIDES_FILE",
    "SPEC_SUFFIXES",
    "Catalog",
    "SandboxPlan",
    "SandboxProduct",
    "load_catalog",
    "spec_files",
]

OVERRIDES_FILE = "sandbox.toml"
SPEC_SUFFIXES = (".json", ".yaml", ".yml")
CATALOGUE = "Odido Partners"  # the one catalogue every sandbox product is listed in


@dataclass(frozen=True)
class SandboxPlan:
    id: int
    name: str
    display_name: str
    scope: str  # JWTScope


@dataclass(frozen=True)
class SandboxProduct:
    id: int
    name: str
    display_name: str
    path: str
    scopes: tuple[str, ...]
    listen_path: str  # with the trailing slash, as Tyk shows it
    api_id: str
    api_name: str
    header: HeaderConfig
    spec_file: Path
    content: bytes
    documentation_only: bool = False
    upload_oas: bool = True
    oas_url: str = ""

    @property
    def base_path(self) -> str:
        return self.listen_path.rstrip("/")

    @property
    def media_type(self) -> str:
        return "application/json" if self.spec_file.suffix == ".json" else "application/x-yaml"


@dataclass(frozen=True)
class Catalog:
    products: tuple[SandboxProduct, ...]
    plans: tuple[SandboxPlan, ...]

    def product(self, product_id: int) -> SandboxProduct | None:
        return next((p for p in self.products if p.id == product_id), None)

    def by_path(self, path: str) -> SandboxProduct | None:
        return next((p for p in self.products if p.path == path), None)

    @property
    def scopes(self) -> tuple[str, ...]:
        """Every scope a client may ask for: the products' and the plans'."""
        found = [s for p in self.products for s in p.scopes] + [p.scope for p in self.plans]
        return tuple(dict.fromkeys(s for s in found if s))


def _read_overrides(specs_dir: Path) -> dict[str, Any]:
    path = specs_dir / OVERRIDES_FILE
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _lock_overrides(specs_dir: Path) -> dict[str, dict[str, Any]]:
    """Per spec file name, the product metadata recorded in `odido-gen.lock`.

    The lock is looked for in the specs directory, then in its parent (where `portal pull`
    puts it, beside odido-gen.toml), so a sandbox over pulled specs mirrors the portal.
    """
    path = next(
        (p for p in (specs_dir / LOCK_FILE, specs_dir.parent / LOCK_FILE) if p.is_file()), None
    )
    if path is None:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for product in read_lock(path).products.values():
        for api in product.apis:
            found[Path(api.file).name] = {
                "id": product.id,
                "name": product.name,
                "display_name": product.display_name,
                "path": product.path,
                "scopes": list(product.scopes),
                "listen_path": api.listen_path,
                "api_id": api.api_id,
                "api_name": api.name,
                "header": {
                    "name": product.derived.header.name,
                    "prefix": product.derived.header.prefix,
                },
            }
    return {k: {n: v for n, v in d.items() if v not in (None, "")} for k, d in found.items()}


def _title(document: object) -> str:
    info = document.get("info") if isinstance(document, dict) else None
    title = info.get("title") if isinstance(info, dict) else None
    return title if isinstance(title, str) else ""


def _product(
    product_id: int, spec_file: Path, document: Mapping[str, Any], values: Mapping[str, Any]
) -> SandboxProduct:
    stem = spec_file.stem
    known = find_known_product(name=stem, path=stem)
    where = f"{OVERRIDES_FILE}: products.{stem}"

    def text(key: str, default: str) -> str:
        value = values.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{where}.{key}: expected a string")
        return value

    name = text("name", known.name if known else stem)
    path = text("path", known.path if known else slug(stem) or "product")
    listen_path = text("listen_path", known.listen_path if known else f"/{path}/")
    scopes = values.get("scopes", list(known.scopes) if known else [name])
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ConfigError(f"{where}.scopes: expected a list of strings")
    header_value = values.get("header")
    if header_value is not None:
        if not isinstance(header_value, dict) or not isinstance(header_value.get("name"), str):
            raise ConfigError(f"{where}.header: expected {{ name = ..., prefix = ... }}")
        header = HeaderConfig(header_value["name"], str(header_value.get("prefix", "")))
    else:
        header = gateway_header(known, [document])
    display_default = (
        known.display_name if known else stem.replace("-", " ").replace("_", " ").title()
    )
    return SandboxProduct(
        id=product_id,
        name=name,
        display_name=text("display_name", display_default),
        path=path,
        scopes=tuple(scopes),
        listen_path="/" + listen_path.strip("/") + "/",
        api_id=text("api_id", hashlib.sha256(f"odido-sandbox:{stem}".encode()).hexdigest()[:32]),
        api_name=text("api_name", _title(document) or name),
        header=header,
        spec_file=spec_file,
        content=spec_file.read_bytes(),
        documentation_only=values.get("documentation_only") is True,
        upload_oas=values.get("upload_oas", True) is not False,
        oas_url=text("oas_url", ""),
    )


def load_catalog(specs_dir: Path, documents: Mapping[Path, Mapping[str, Any]]) -> Catalog:
    """The products of the spec files in `specs_dir`; `documents` holds each file's parsed spec."""
    overrides = _read_overrides(specs_dir)
    from_lock = _lock_overrides(specs_dir)
    table = overrides.get("products", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{OVERRIDES_FILE}: products: expected a table")
    merged = [
        (spec_file, {**from_lock.get(spec_file.name, {}), **table.get(spec_file.stem, {})})
        for spec_file in sorted(documents)
    ]
    given = [values["id"] for _, values in merged if "id" in values]
    if not all(isinstance(i, int) for i in given) or len(set(given)) != len(given):
        raise ConfigError(f"{specs_dir}: product ids must be distinct integers")
    # Products without an id get the lowest free ones, in file-name order.
    free = (n for n in range(1, len(merged) + len(given) + 1) if n not in given)
    products = [
        _product(values.get("id") or next(free), spec_file, documents[spec_file], values)
        for spec_file, values in merged
    ]
    plan_values = overrides.get("plans", [{"name": "demoplan", "display_name": "Demo plan"}])
    if not isinstance(plan_values, list) or not all(isinstance(p, dict) for p in plan_values):
        raise ConfigError(f"{OVERRIDES_FILE}: plans: expected an array of tables")
    plans = tuple(
        SandboxPlan(
            id=index,
            name=str(p["name"]),
            display_name=str(p.get("display_name", p["name"])),
            scope=str(p.get("scope", p["name"])),
        )
        for index, p in enumerate(plan_values, start=1)
        if "name" in p
    )
    return Catalog(products=tuple(products), plans=plans)


def spec_files(specs_dir: Path) -> list[Path]:
    """The spec files in `specs_dir`, sorted by name."""
    if not specs_dir.is_dir():
        raise ConfigError(f"{specs_dir}: not a directory of specs")
    return sorted(p for p in specs_dir.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file())
