"""Product configuration derived from portal metadata and the spec.

Every value here is a default: the user's `[products.<key>]` table in odido-gen.toml wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from odido_gen.config import HeaderConfig
from odido_gen.naming import class_name, snake_case
from odido_gen.portal._model import PortalProduct

__all__ = [
    "DEFAULT_HEADER",
    "DEFAULT_VERSION",
    "KNOWN_PRODUCTS",
    "Derived",
    "KnownProduct",
    "derive",
    "find_known_product",
    "gateway_header",
    "product_key",
    "slug",
    "spec_header",
    "split_scopes",
]

DEFAULT_VERSION = "0.1.0"
DEFAULT_HEADER = HeaderConfig()  # Authorization: Bearer <token>


@dataclass(frozen=True)
class KnownProduct:
    """A product whose gateway set-up is known but not visible in its spec or metadata."""

    name: str
    display_name: str
    path: str
    listen_path: str
    scopes: tuple[str, ...]
    header: HeaderConfig
    aliases: tuple[str, ...] = ()


# The Genesys spec describes Genesys Cloud's own OAuth; Odido's gateway in front of it wants
# the portal token in `x-auth-token` (Odido's getting-started guide).
KNOWN_PRODUCTS: tuple[KnownProduct, ...] = (
    KnownProduct(
        name="Genesys_Services_Oauth_External",
        display_name="Genesys Services OAuth External",
        path="genesys",
        listen_path="/oauth/genesyscloud/",
        scopes=("Genesys_Services_Oauth_External",),
        header=HeaderConfig("x-auth-token", "Bearer "),
        # `genesys-outbound` is the name of the Outbound slice's spec file (specs/).
        aliases=("genesys", "genesys-outbound"),
    ),
)


def find_known_product(
    *, name: str | None = None, path: str | None = None, listen_path: str | None = None
) -> KnownProduct | None:
    for known in KNOWN_PRODUCTS:
        names = {known.name.lower(), *known.aliases}
        if (name and name.lower() in names) or (path and path.lower() == known.path):
            return known
        if listen_path and listen_path.rstrip("/") == known.listen_path.rstrip("/"):
            return known
    return None


@dataclass(frozen=True)
class Derived:
    spec: str | None  # spec path relative to the lock's directory, POSIX separators
    distribution: str
    package: str
    client_name: str
    base_path: str
    header: HeaderConfig
    scopes: tuple[str, ...]
    version: str = DEFAULT_VERSION


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits, runs of anything else as one `-` (may be empty)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def product_key(product: PortalProduct) -> str:
    """The config key (`[a-z][a-z0-9_-]*`, at most 64 characters): from Path, else Name."""
    key = slug(product.path) or slug(product.name) or f"product-{product.id or 0}"
    if not key[0].isalpha():
        key = f"product-{key}"
    return key[:64].rstrip("-")


def _distribution(key: str) -> str:
    # PEP 503 normal form: lowercase, runs of `-_.` as one `-`.
    normal = re.sub(r"[-_.]+", "-", key).strip("-")
    return normal if normal.startswith("odido-") else f"odido-{normal}"


def _package(key: str) -> str:
    stem = snake_case(key, fallback="product", avoid_builtins=False)
    return stem if stem.startswith("odido_") else f"odido_{stem}"


def split_scopes(*values: str) -> tuple[str, ...]:
    """Comma-separated scope lists (the portal's format) to a de-duplicated tuple, in order."""
    seen: dict[str, None] = {}
    for value in values:
        for scope in value.replace(" ", ",").split(","):
            if scope.strip():
                seen.setdefault(scope.strip(), None)
    return tuple(seen)


def spec_header(documents: Iterable[Mapping[str, object]]) -> HeaderConfig | None:
    """An `apiKey` security scheme sent in a header, from OpenAPI 3 or Swagger 2 documents."""
    for document in documents:
        schemes: object = document.get("securityDefinitions")
        components = document.get("components")
        if isinstance(components, Mapping):
            schemes = components.get("securitySchemes", schemes)
        if not isinstance(schemes, Mapping):
            continue
        for key in sorted(schemes, key=str):
            scheme = schemes[key]
            if (
                isinstance(scheme, Mapping)
                and scheme.get("type") == "apiKey"
                and scheme.get("in") == "header"
                and isinstance(scheme.get("name"), str)
                and scheme["name"]
            ):
                return HeaderConfig(str(scheme["name"]), "")
    return None


def gateway_header(
    known: KnownProduct | None, documents: Iterable[Mapping[str, object]]
) -> HeaderConfig:
    """The header Odido's gateway reads the token from, for a product and its specs."""
    # The known table describes Odido's gateway; a spec describes the upstream service, so
    # for a known product the table wins.
    if known is not None:
        return known.header
    return spec_header(documents) or DEFAULT_HEADER


def derive(
    product: PortalProduct,
    key: str,
    *,
    spec: str | None,
    documents: Iterable[Mapping[str, object]],
) -> Derived:
    listen_path = next((a.listen_path for a in product.apis if a.listen_path), None)
    known = find_known_product(name=product.name, path=product.path, listen_path=listen_path)
    if listen_path is None and known is not None:
        listen_path = known.listen_path
    return Derived(
        spec=spec,
        distribution=_distribution(key),
        package=_package(key),
        client_name=class_name(product.path or product.name or key, fallback="Product"),
        base_path=(listen_path or "").rstrip("/"),
        header=gateway_header(known, documents),
        scopes=split_scopes(*product.scopes, *(plan.scope for plan in product.plans)),
    )
