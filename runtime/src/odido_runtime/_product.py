"""What a generated product package tells the runtime about itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._credentials import normalize_scopes
from ._headers import HeaderStyle

__all__ = ["ProductInfo"]


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """A product package's identity and API conventions.

    `name` and `version` are the distribution's (they go into the User-Agent); `base_path` is
    where the gateway listens for the product (e.g. `/oauth/genesyscloud`).
    """

    name: str
    version: str
    base_path: str = ""
    header: HeaderStyle = field(default_factory=HeaderStyle)
    scopes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        path = self.base_path.strip()
        if path:
            path = "/" + path.strip("/")
        object.__setattr__(self, "base_path", path)
        object.__setattr__(self, "scopes", normalize_scopes(self.scopes))
