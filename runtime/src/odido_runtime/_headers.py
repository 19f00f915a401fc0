"""How a product wants its access token sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Final

from ._errors import ConfigurationError

__all__ = ["HeaderStyle"]

# RFC 9110 token characters: a header name with anything else would be refused by httpx anyway.
_TOKEN: Final = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@dataclass(frozen=True, slots=True)
class HeaderStyle:
    """The header that carries the access token: `<name>: <prefix><token>`.

    Most products use `Authorization: Bearer <token>` (the default); the Genesys product uses
    `x-auth-token: Bearer <token>` (`HeaderStyle.GENESYS`).
    """

    name: str = "Authorization"
    prefix: str = "Bearer "

    BEARER: ClassVar[HeaderStyle]
    GENESYS: ClassVar[HeaderStyle]

    def __post_init__(self) -> None:
        if not _TOKEN.match(self.name):
            raise ConfigurationError(f"invalid header name {self.name!r}")
        if "\r" in self.prefix or "\n" in self.prefix:
            raise ConfigurationError("header prefix must not contain line breaks")

    def value(self, access_token: str) -> str:
        """The header value for `access_token`."""
        return self.prefix + access_token


HeaderStyle.BEARER = HeaderStyle()
HeaderStyle.GENESYS = HeaderStyle(name="x-auth-token", prefix="Bearer ")
