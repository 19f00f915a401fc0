"""Odido environments: where to get tokens and where the API gateway lives."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Final
from urllib.parse import urlsplit

from ._errors import ConfigurationError

__all__ = ["Environment"]

_REALM_PATH: Final = "/realms/tyk-dev-portal/protocol/openid-connect/token"


def _check_url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{what} must be an absolute http(s) URL, got {value!r}")
    if parts.username is not None or parts.password is not None:
        # Credentials belong in ClientCredentials, never in a URL that ends up in messages.
        raise ConfigurationError(f"{what} must not contain user info")
    return value


@dataclass(frozen=True, slots=True)
class Environment:
    """An Odido environment: its token endpoint, API gateway and (optionally) developer portal.

    The four Odido environments are available by name (`Environment.named("agile")`); any other
    stack, such as a local sandbox, is an `Environment(name=..., token_url=..., api_base=...)`.
    """

    name: str
    token_url: str
    api_base: str
    portal_url: str | None = None

    ENV_VAR: ClassVar[str] = "ODIDO_ENVIRONMENT"

    def __post_init__(self) -> None:
        if not self.name:
            raise ConfigurationError("environment name must not be empty")
        _check_url(self.token_url, "token_url")
        _check_url(self.api_base, "api_base")
        # One canonical spelling, so `api_base + base_path` never doubles a slash.
        object.__setattr__(self, "api_base", self.api_base.rstrip("/"))
        if self.portal_url is not None:
            _check_url(self.portal_url, "portal_url")
            object.__setattr__(self, "portal_url", self.portal_url.rstrip("/"))

    @classmethod
    def named(cls, name: str) -> Environment:
        """One of the Odido environments: `dev`, `agile`, `staging` or `production` (`prod`)."""
        key = name.strip().lower()
        key = _ALIASES.get(key, key)
        try:
            return _KNOWN[key]
        except KeyError:
            known = ", ".join(_KNOWN)
            raise ConfigurationError(
                f"unknown Odido environment {name!r}; use one of {known}, "
                "or Environment(name=..., token_url=..., api_base=...)"
            ) from None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The names `named()` knows."""
        return tuple(_KNOWN)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """The environment the process environment selects.

        `ODIDO_ENVIRONMENT` names one of the Odido environments. `ODIDO_TOKEN_URL` and
        `ODIDO_API_BASE` (and optionally `ODIDO_PORTAL_URL`) override its URLs, or, without
        `ODIDO_ENVIRONMENT`, together define a custom environment.
        """
        env = os.environ if environ is None else environ
        name = env.get(cls.ENV_VAR, "").strip()
        token_url = env.get("ODIDO_TOKEN_URL", "").strip()
        api_base = env.get("ODIDO_API_BASE", "").strip()
        portal_url = env.get("ODIDO_PORTAL_URL", "").strip()
        if name and name.lower() in _KNOWN.keys() | _ALIASES.keys():
            base = cls.named(name)
            if not (token_url or api_base or portal_url):
                return base
            return cls(
                name=base.name,
                token_url=token_url or base.token_url,
                api_base=api_base or base.api_base,
                portal_url=portal_url or base.portal_url,
            )
        if token_url and api_base:
            return cls(
                name=name or "custom",
                token_url=token_url,
                api_base=api_base,
                portal_url=portal_url or None,
            )
        if name:
            raise ConfigurationError(
                f"{cls.ENV_VAR}={name!r} is not a known environment: use one of "
                f"{', '.join(_KNOWN)}, or set ODIDO_TOKEN_URL and ODIDO_API_BASE"
            )
        raise ConfigurationError(
            f"no Odido environment configured: set {cls.ENV_VAR} to one of "
            f"{', '.join(_KNOWN)}, or set ODIDO_TOKEN_URL and ODIDO_API_BASE"
        )

    @classmethod
    def resolve(cls, value: Environment | str | None) -> Environment:
        """`value` as an Environment: itself, by name, or (None) from the process environment."""
        if isinstance(value, Environment):
            return value
        if value is None:
            return cls.from_env()
        return cls.named(value)


def _odido(name: str, host_suffix: str, portal_host: str) -> Environment:
    return Environment(
        name=name,
        token_url=f"https://connect{host_suffix}.odido.nl{_REALM_PATH}",
        api_base=f"https://api{host_suffix}.odido.nl",
        portal_url=f"https://{portal_host}.odido.nl",
    )


_KNOWN: Final[Mapping[str, Environment]] = {
    "dev": _odido("dev", "-dev", "developer-dev"),
    "agile": _odido("agile", "-agile", "developer-agile"),
    "staging": _odido("staging", "-staging", "developer-staging"),
    "production": _odido("production", "", "developer"),
}
_ALIASES: Final[Mapping[str, str]] = {"prod": "production"}
