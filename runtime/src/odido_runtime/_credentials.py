"""Client credentials (an app's client id and secret, plus the scopes to ask for)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from ._errors import ConfigurationError

__all__ = ["ClientCredentials", "normalize_scopes"]


def normalize_scopes(scopes: str | Sequence[str] | None) -> tuple[str, ...]:
    """Scopes as a tuple without blanks or duplicates, in the given order.

    A string is split on whitespace and commas: the token endpoint wants them space-separated,
    the portal lists them comma-separated.
    """
    if not scopes:
        return ()
    items = scopes.replace(",", " ").split() if isinstance(scopes, str) else scopes
    seen: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise ConfigurationError(f"scopes must be strings, got {type(item).__name__}")
        for part in item.replace(",", " ").split():
            seen[part] = None
    return tuple(seen)


class ClientCredentials:
    """The client id and secret of an app on the Odido developer portal.

    The secret is kept out of `repr()`, `str()`, comparisons in messages, logs and pickles
    by design: read it only through `client_secret`.
    """

    __slots__ = ("_client_id", "_client_secret", "_scopes")

    _client_id: str
    _client_secret: str
    _scopes: tuple[str, ...]

    def __init__(
        self, client_id: str, client_secret: str, scopes: str | Sequence[str] = ()
    ) -> None:
        if not isinstance(client_id, str) or not client_id.strip():
            raise ConfigurationError("client_id must be a non-empty string")
        if not isinstance(client_secret, str) or not client_secret:
            raise ConfigurationError(f"client_secret for client {client_id!r} must not be empty")
        object.__setattr__(self, "_client_id", client_id.strip())
        object.__setattr__(self, "_client_secret", client_secret)
        object.__setattr__(self, "_scopes", normalize_scopes(scopes))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClientCredentials:
        """Credentials from `ODIDO_CLIENT_ID`, `ODIDO_CLIENT_SECRET`, `ODIDO_SCOPES` (optional)."""
        env = os.environ if environ is None else environ
        client_id = env.get("ODIDO_CLIENT_ID", "").strip()
        client_secret = env.get("ODIDO_CLIENT_SECRET", "")
        found = {"ODIDO_CLIENT_ID": client_id, "ODIDO_CLIENT_SECRET": client_secret}
        missing = [name for name, value in found.items() if not value]
        if missing:
            raise ConfigurationError(
                f"no client credentials: set {' and '.join(missing)} "
                "(the Client ID and Client Secret of your app on the developer portal)"
            )
        return cls(client_id, client_secret, env.get("ODIDO_SCOPES", ""))

    @property
    def client_id(self) -> str:
        return self._client_id

    @property
    def client_secret(self) -> str:
        return self._client_secret

    @property
    def scopes(self) -> tuple[str, ...]:
        return self._scopes

    def with_scopes(self, scopes: str | Sequence[str]) -> ClientCredentials:
        """A copy asking for other scopes."""
        return ClientCredentials(self._client_id, self._client_secret, scopes)

    def __repr__(self) -> str:
        return (
            f"ClientCredentials(client_id={self._client_id!r}, client_secret='***', "
            f"scopes={self._scopes!r})"
        )

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClientCredentials):
            return NotImplemented
        return (self._client_id, self._client_secret, self._scopes) == (
            other._client_id,
            other._client_secret,
            other._scopes,
        )

    def __hash__(self) -> int:
        return hash((self._client_id, self._client_secret, self._scopes))

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("ClientCredentials is immutable")

    def __copy__(self) -> ClientCredentials:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> ClientCredentials:
        return self

    def __reduce__(self) -> NoReturn:
        # A pickle is a file; the secret must not end up in one by accident.
        raise TypeError("ClientCredentials cannot be pickled (it holds a secret)")
