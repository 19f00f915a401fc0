"""Access tokens and the cache that shares them between threads and asyncio tasks.

One token per (token URL, client id, scopes, secret), reused until shortly before it expires.
Fetching is single-flight per key: of many callers that need a token at the same moment, one
fetches and the others wait for its result. The only lock is a plain mutex around dictionary
updates, never held while a token request (or anything else) runs, so it cannot block an event
loop; waiting is on a `threading.Event` (threads) or an asyncio future (tasks).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    # asyncio costs ~20 ms to import; a sync-only program never needs it.
    import asyncio

__all__ = ["Token", "TokenCache", "TokenKey"]

# Keycloak's access token lifespan on the Odido realms; used when a response omits expires_in.
DEFAULT_LIFETIME: Final = 300.0
_MIN_MARGIN: Final = 30.0


def refresh_margin(lifetime: float) -> float:
    """How long before expiry a token stops being handed out.

    max(30 s, 10 % of the lifetime), but at most half of it: a 2-second token is still used
    for a second instead of being fetched again on every call.
    """
    return min(max(_MIN_MARGIN, lifetime * 0.1), lifetime * 0.5)


@dataclass(frozen=True, slots=True)
class Token:
    """An access token as the token endpoint issued it.

    Times are `time.monotonic()` values, immune to wall-clock jumps. The token itself is kept
    out of `repr()`.
    """

    access_token: str = field(repr=False)
    token_type: str = "Bearer"
    expires_in: float | None = None
    scopes: tuple[str, ...] = ()
    obtained_at: float = field(default_factory=time.monotonic, repr=False)
    expires_at: float = field(init=False, repr=False)
    refresh_at: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lifetime = DEFAULT_LIFETIME if self.expires_in is None else max(self.expires_in, 0.0)
        object.__setattr__(self, "expires_at", self.obtained_at + lifetime)
        object.__setattr__(self, "refresh_at", self.expires_at - refresh_margin(lifetime))

    @classmethod
    def from_response(cls, payload: Mapping[str, Any], *, obtained_at: float) -> Token:
        """A token from a token endpoint's JSON answer (`access_token`, `expires_in`, ...).

        Raises ValueError when `access_token` is missing.
        """
        access_token = payload.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ValueError("no access_token in the token response")
        expires_in: float | None
        try:
            expires_in = float(payload["expires_in"])
        except (KeyError, TypeError, ValueError):
            expires_in = None
        token_type = payload.get("token_type")
        scope = payload.get("scope")
        return cls(
            access_token=access_token,
            token_type=token_type if isinstance(token_type, str) and token_type else "Bearer",
            expires_in=expires_in,
            scopes=tuple(scope.split()) if isinstance(scope, str) else (),
            obtained_at=obtained_at,
        )

    @property
    def fresh(self) -> bool:
        """Whether the cache would still hand this token out."""
        return time.monotonic() < self.refresh_at

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.expires_at


class TokenKey(NamedTuple):
    """What a cached token is for. `secret_digest` keeps two secrets of one client apart."""

    token_url: str
    client_id: str
    scopes: tuple[str, ...]
    secret_digest: str

    def __repr__(self) -> str:
        return (
            f"TokenKey(token_url={self.token_url!r}, client_id={self.client_id!r}, "
            f"scopes={self.scopes!r})"
        )


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Flight:
    """One token fetch in progress, and who waits for it."""

    __slots__ = ("error", "event", "owner_thread", "token", "waiters")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.owner_thread = threading.get_ident()
        self.token: Token | None = None
        # None with token None means "the fetcher was cancelled": waiters try again.
        self.error: Exception | None = None

    def outcome(self) -> Token | None:
        if self.token is not None:
            return self.token
        if self.error is not None:
            raise self.error
        return None


class TokenCache:
    """A thread- and asyncio-safe, single-flight cache of access tokens.

    `OdidoAuth` uses one process-wide cache unless given its own, so clients built with the same
    credentials share tokens.
    """

    def __init__(self) -> None:
        self._tokens: dict[TokenKey, Token] = {}
        self._flights: dict[TokenKey, _Flight] = {}
        self._mutex = threading.Lock()

    def peek(self, key: TokenKey) -> Token | None:
        """The cached token for `key` if it is still fresh, else None. Never fetches."""
        token = self._tokens.get(key)
        if token is not None and time.monotonic() < token.refresh_at:
            return token
        return None

    def put(self, key: TokenKey, token: Token) -> None:
        with self._mutex:
            self._tokens[key] = token

    def invalidate(self, key: TokenKey, token: Token | None = None) -> bool:
        """Forget the token for `key`; with `token`, only if it is still the cached one.

        The condition matters when many requests get a 401 at once: the first invalidates,
        the rest must not throw away the fresh token fetched in the meantime.
        """
        with self._mutex:
            cached = self._tokens.get(key)
            if cached is None or (token is not None and cached is not token):
                return False
            del self._tokens[key]
            return True

    def clear(self) -> None:
        with self._mutex:
            self._tokens.clear()

    def __len__(self) -> int:
        return len(self._tokens)

    def __repr__(self) -> str:
        return f"<TokenCache tokens={len(self._tokens)}>"

    def _join(self, key: TokenKey) -> tuple[Token | None, _Flight, bool]:
        """Under the mutex: a fresh token, or the flight to wait for (and whether we own it)."""
        token = self._tokens.get(key)
        if token is not None and time.monotonic() < token.refresh_at:
            return token, _NO_FLIGHT, False
        flight = self._flights.get(key)
        if flight is not None:
            return None, flight, False
        flight = self._flights[key] = _Flight()
        return None, flight, True

    def _land(
        self, key: TokenKey, flight: _Flight, token: Token | None, error: Exception | None
    ) -> None:
        with self._mutex:
            if token is not None:
                self._tokens[key] = token
            if self._flights.get(key) is flight:
                del self._flights[key]
            flight.token = token
            flight.error = error
            waiters, flight.waiters = flight.waiters, []
        flight.event.set()
        for loop, future in waiters:
            # A closed loop raises RuntimeError: nobody is waiting there any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_wake, future)

    def get(self, key: TokenKey, fetch: Callable[[], Token]) -> Token:
        """The cached token for `key`, or one from `fetch` (called once for concurrent callers)."""
        token = self._tokens.get(key)
        if token is not None and time.monotonic() < token.refresh_at:
            return token
        while True:
            with self._mutex:
                token, flight, owner = self._join(key)
            if token is not None:
                return token
            if owner:
                try:
                    token = fetch()
                except BaseException as exc:
                    self._land(key, flight, None, exc if isinstance(exc, Exception) else None)
                    raise
                self._land(key, flight, token, None)
                return token
            if flight.owner_thread == threading.get_ident():
                # The fetch belongs to an asyncio task of this thread's loop, which cannot run
                # while we block: fetch on our own instead of deadlocking.
                token = fetch()
                self.put(key, token)
                return token
            flight.event.wait()
            token = flight.outcome()
            if token is not None:
                return token

    async def aget(self, key: TokenKey, fetch: Callable[[], Awaitable[Token]]) -> Token:
        """Async twin of `get`: waiting never blocks the event loop."""
        token = self._tokens.get(key)
        if token is not None and time.monotonic() < token.refresh_at:
            return token
        import asyncio

        loop = asyncio.get_running_loop()
        while True:
            with self._mutex:
                token, flight, owner = self._join(key)
                if token is None and not owner:
                    future: asyncio.Future[None] = loop.create_future()
                    flight.waiters.append((loop, future))
            if token is not None:
                return token
            if owner:
                try:
                    token = await fetch()
                except BaseException as exc:
                    self._land(key, flight, None, exc if isinstance(exc, Exception) else None)
                    raise
                self._land(key, flight, token, None)
                return token
            await future
            token = flight.outcome()
            if token is not None:
                return token


_NO_FLIGHT: Final = _Flight()
# Shared by every OdidoAuth that is not given a cache of its own.
DEFAULT_CACHE: Final = TokenCache()
