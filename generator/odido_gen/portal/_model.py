"""What a source tells about the portal's products, independent of how it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["FetchedSpec", "PortalAPI", "PortalPlan", "PortalProduct", "Source"]


@dataclass(frozen=True)
class PortalPlan:
    name: str
    scope: str = ""  # the plan's JWTScope: comma-separated OAuth scopes


@dataclass(frozen=True)
class PortalAPI:
    api_id: str  # the gateway's APIID; for documentation-only products the SpecAlias
    name: str
    listen_path: str | None = None
    oas_url: str | None = None
    spec_id: int | None = None  # set for a documentation-only product's SpecDetails entry


@dataclass(frozen=True)
class PortalProduct:
    id: int | None
    name: str
    display_name: str
    path: str
    scopes: tuple[str, ...] = ()
    catalogues: tuple[str, ...] = ()
    plans: tuple[PortalPlan, ...] = ()
    documentation_only: bool = False
    apis: tuple[PortalAPI, ...] = field(default=())


@dataclass(frozen=True)
class FetchedSpec:
    content: bytes  # exactly as served: stored byte for byte
    source: str  # URL or file path it came from
    document: dict[str, object]  # parsed, for deriving the header style
    extension: str  # ".json" or ".yaml"


class Source(Protocol):
    """A way into the portal: admin API, live portal, or one spec by URL or file."""

    def products(self) -> list[PortalProduct]: ...

    def fetch_spec(self, product: PortalProduct, api: PortalAPI) -> FetchedSpec | None:
        """The API's spec, or None (after a warning) when the portal has none for it."""
        ...
