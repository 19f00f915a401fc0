"""`OdidoAuth`: an httpx.Auth that gets OAuth2 client-credentials tokens and sends them.

The flow per request: take the cached token (or fetch one, once for all concurrent callers),
send it in the product's header style; on a 401 drop that token, fetch a fresh one and send
the request once more. A second 401 is returned to the caller (the base clients raise
`UnauthorizedError` for it).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import secrets
import time
from collections.abc import AsyncGenerator, Generator, Sequence
from typing import Final, get_args
from urllib.parse import quote_plus, urlencode

import httpx

from ._credentials import ClientCredentials, normalize_scopes
from ._env import Environment
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    one_line,
)
from ._headers import HeaderStyle
from ._ssl import shared_ssl_context
from ._tokens import DEFAULT_CACHE, Token, TokenCache, TokenKey
from ._types import TOKEN_TIMEOUT, AuthMethod, TimeoutTypes

__all__ = ["OdidoAuth"]

logger = logging.getLogger("odido_runtime")

_AUTH_METHODS: Final = frozenset(get_args(AuthMethod))


@functools.cache
def _digest_key() -> bytes:
    # Per-process random key: a cache key never reveals anything about the secret.
    return secrets.token_bytes(32)


def _secret_digest(secret: str) -> str:
    return hashlib.blake2b(secret.encode(), key=_digest_key(), digest_size=16).hexdigest()


def _basic_header(client_id: str, client_secret: str) -> str:
    # RFC 6749 §2.3.1: form-urlencode id and secret before base64, so ':' '%' '+' and
    # non-ASCII survive (Keycloak decodes both parts after splitting at the first ':').
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode("ascii")).decode("ascii")


def _transport_error(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    error: APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        error = APITimeoutError(str(exc) or type(exc).__name__, request=request)
    else:
        error = APIConnectionError(str(exc) or type(exc).__name__, request=request)
    error.token_endpoint = True
    return error


class OdidoAuth(httpx.Auth):
    """OAuth2 client credentials for httpx: `httpx.Client(auth=OdidoAuth(...))`.

    Works with `httpx.Client` and `httpx.AsyncClient`. Tokens are cached per (token URL,
    client id, scopes) in `cache` (by default one cache for the whole process) and fetched
    once for any number of concurrent requests.

    Token requests are sent with `token_client` when it fits the flow (an `httpx.Client` for
    sync requests, an `httpx.AsyncClient` for async ones), so its transport, proxies and CA
    settings apply; the base clients pass their own. Otherwise each token request gets a
    short-lived client of its own. Mind that `token_client`'s event hooks see token
    requests, credentials included.
    """

    def __init__(
        self,
        credentials: ClientCredentials | None = None,
        *,
        environment: Environment | str | None = None,
        header: HeaderStyle = HeaderStyle.BEARER,
        auth_method: AuthMethod = "client_secret_basic",
        scopes: str | Sequence[str] | None = None,
        cache: TokenCache | None = None,
        token_timeout: TimeoutTypes = TOKEN_TIMEOUT,
        token_client: httpx.Client | httpx.AsyncClient | None = None,
    ) -> None:
        if auth_method not in _AUTH_METHODS:
            known = ", ".join(sorted(_AUTH_METHODS))
            raise ConfigurationError(f"auth_method must be one of {known}, got {auth_method!r}")
        creds = ClientCredentials.from_env() if credentials is None else credentials
        self._credentials = creds
        self._environment = Environment.resolve(environment)
        self._header = header
        self._auth_method = auth_method
        self._scopes = creds.scopes if scopes is None else normalize_scopes(scopes)
        self._cache = DEFAULT_CACHE if cache is None else cache
        self._token_timeout = httpx.Timeout(token_timeout)
        self._token_url = self._environment.token_url
        self._token_client = token_client
        self._key = TokenKey(
            self._token_url,
            creds.client_id,
            tuple(sorted(self._scopes)),
            _secret_digest(creds.client_secret),
        )
        # Precomputed once: the hot path only formats the header value.
        self._header_name = header.name
        self._prefix = header.prefix

    # -- public helpers -------------------------------------------------------------------

    @property
    def credentials(self) -> ClientCredentials:
        return self._credentials

    @property
    def environment(self) -> Environment:
        return self._environment

    @property
    def header(self) -> HeaderStyle:
        return self._header

    @property
    def auth_method(self) -> AuthMethod:
        return self._auth_method

    @property
    def scopes(self) -> tuple[str, ...]:
        return self._scopes

    @property
    def cache(self) -> TokenCache:
        return self._cache

    @property
    def cache_key(self) -> TokenKey:
        return self._key

    def get_token(self) -> Token:
        """A valid token: the cached one, or a fresh one from the token endpoint."""
        return self._cache.get(self._key, self._fetch_sync)

    async def aget_token(self) -> Token:
        """Async twin of `get_token`."""
        return await self._cache.aget(self._key, self._fetch_async)

    def invalidate(self, token: Token | None = None) -> bool:
        """Forget the cached token (only if it is still `token`, when given)."""
        return self._cache.invalidate(self._key, token)

    def __repr__(self) -> str:
        return (
            f"OdidoAuth(client_id={self._credentials.client_id!r}, "
            f"environment={self._environment.name!r}, header={self._header_name!r}, "
            f"auth_method={self._auth_method!r}, scopes={self._scopes!r})"
        )

    # -- httpx.Auth -----------------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        name = self._header_name
        token = self._cache.get(self._key, self._fetch_sync)
        request.headers[name] = self._prefix + token.access_token
        try:
            response = yield request
            if response.status_code == 401:
                # Read the (small) refusal first: that frees its connection for the token
                # request, which may go through the same client and its connection pool.
                response.read()
                self._cache.invalidate(self._key, token)
                token = self._cache.get(self._key, self._fetch_sync)
                request.headers[name] = self._prefix + token.access_token
                yield request
        finally:
            # The response (and any error) keeps the request: without this the token would
            # live on in `response.request.headers`, whose repr shows it.
            request.headers.pop(name, None)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        name = self._header_name
        token = await self._cache.aget(self._key, self._fetch_async)
        request.headers[name] = self._prefix + token.access_token
        try:
            response = yield request
            if response.status_code == 401:
                await response.aread()
                self._cache.invalidate(self._key, token)
                token = await self._cache.aget(self._key, self._fetch_async)
                request.headers[name] = self._prefix + token.access_token
                yield request
        finally:
            request.headers.pop(name, None)

    # -- token requests -------------------------------------------------------------------

    def _token_request(self) -> httpx.Request:
        creds = self._credentials
        fields = {"grant_type": "client_credentials"}
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        if self._scopes:
            fields["scope"] = " ".join(self._scopes)
        if self._auth_method == "client_secret_basic":
            headers["Authorization"] = _basic_header(creds.client_id, creds.client_secret)
        else:
            fields["client_id"] = creds.client_id
            fields["client_secret"] = creds.client_secret
        return httpx.Request(
            "POST",
            self._token_url,
            headers=headers,
            content=urlencode(fields).encode("ascii"),
            extensions={"timeout": self._token_timeout.as_dict()},
        )

    def _public_request(self) -> httpx.Request:
        """The token request without headers or body, safe to hang on an exception."""
        return httpx.Request("POST", self._token_url)

    def _fetch_sync(self) -> Token:
        started = time.monotonic()
        try:
            if isinstance(self._token_client, httpx.Client):
                # auth=None: the token request must not go through this auth flow again.
                response = self._token_client.send(self._token_request(), auth=None)
            else:
                with httpx.Client(
                    timeout=self._token_timeout, verify=shared_ssl_context()
                ) as client:
                    response = client.send(self._token_request())
        except httpx.TransportError as exc:
            raise _transport_error(exc, self._public_request()) from None
        return self._token_from(response, started)

    async def _fetch_async(self) -> Token:
        started = time.monotonic()
        try:
            if isinstance(self._token_client, httpx.AsyncClient):
                response = await self._token_client.send(self._token_request(), auth=None)
            else:
                async with httpx.AsyncClient(
                    timeout=self._token_timeout, verify=shared_ssl_context()
                ) as client:
                    response = await client.send(self._token_request())
        except httpx.TransportError as exc:
            raise _transport_error(exc, self._public_request()) from None
        return self._token_from(response, started)

    def _token_from(self, response: httpx.Response, started: float) -> Token:
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if 200 <= status < 300 and isinstance(payload, dict):
            try:
                token = Token.from_response(payload, obtained_at=started)
            except ValueError:
                pass
            else:
                logger.debug(
                    "got a token for client %r at %s (scopes %r, expires in %s s)",
                    self._credentials.client_id,
                    self._token_url,
                    " ".join(token.scopes),
                    token.expires_in,
                )
                return token
        error: str | None = None
        description: str | None = None
        if isinstance(payload, dict) and isinstance(payload.get("error"), str):
            error = payload["error"]
            raw = payload.get("error_description")
            description = raw if isinstance(raw, str) else None
        if not error:
            error = (
                "server_error"
                if status >= 500
                else "temporarily_unavailable"
                if status == 429
                else "invalid_response"
            )
            # A body of unknown shape is not quoted: a broken proxy might echo the request.
            content_type = response.headers.get("content-type", "no content type")
            description = f"unexpected answer ({one_line(content_type, 60)})"
        secret = self._credentials.client_secret
        if description and secret in description:
            description = description.replace(secret, "***")
        if secret in error:
            error = "invalid_response"
        logger.debug(
            "token request for client %r refused: %s (HTTP %s)",
            self._credentials.client_id,
            error,
            status,
        )
        raise AuthenticationError(
            error,
            description,
            status_code=status,
            client_id=self._credentials.client_id,
            token_url=self._token_url,
        )
