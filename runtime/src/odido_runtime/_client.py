"""`SyncAPIClient` and `AsyncAPIClient`: the base classes of every generated product client.

They own the things every call shares: base URL (environment API base + product base path),
authentication (`OdidoAuth` in the product's header style), default headers and User-Agent,
timeouts, retries with exponential backoff and jitter (honouring Retry-After), and turning
non-2xx answers into typed errors. The sync and async classes are twins; keep them in step.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final, Self, TypeVar

import httpx

from ._auth import OdidoAuth
from ._credentials import ClientCredentials, normalize_scopes
from ._env import Environment
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    make_status_error,
)
from ._product import ProductInfo
from ._serde import dump_json, encode_params, parse_error_body
from ._ssl import shared_ssl_context
from ._types import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    AuthMethod,
    ErrorTypes,
    NotGiven,
    TimeoutTypes,
)
from ._version import __version__

__all__ = ["AsyncAPIClient", "SyncAPIClient"]

logger = logging.getLogger("odido_runtime")

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
# Token endpoint failures worth another try: the API request itself was never sent.
_RETRY_TOKEN_ERRORS: Final = frozenset({"server_error", "temporarily_unavailable"})
_GENERIC_PRODUCT: Final = ProductInfo(name="", version="")

_C = TypeVar("_C", httpx.Client, httpx.AsyncClient)


def parse_retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds to wait according to `Retry-After` (delta seconds or an HTTP date), or None."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # HTTP dates are GMT; a naive one is malformed but means GMT
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(seconds, 0.0)


def _timeout_dict(timeout: TimeoutTypes) -> dict[str, float | None]:
    return httpx.Timeout(timeout).as_dict()


class _BaseAPIClient:
    """What the sync and async clients share: configuration, request building, retry policy."""

    product: ClassVar[ProductInfo] = _GENERIC_PRODUCT
    # Backoff: initial * 2**attempt, at most max_retry_delay, minus up to 25 % jitter.
    initial_retry_delay: ClassVar[float] = 0.5
    max_retry_delay: ClassVar[float] = 8.0
    # A longer Retry-After is cut to this: a caller should not hang for minutes unasked.
    max_retry_after: ClassVar[float] = 60.0

    _auth: httpx.Auth
    _environment: Environment | None
    _base_url: str
    _max_retries: int
    _timeout: httpx.Timeout
    _timeout_ext: dict[str, float | None]
    _default_headers: dict[str, str]
    _owns_client: bool

    def _configure(
        self,
        *,
        credentials: ClientCredentials | None,
        environment: Environment | str | None,
        scopes: str | Sequence[str] | None,
        auth_method: AuthMethod,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        auth: httpx.Auth | None,
        http_client: _C | None,
        client_type: type[_C],
    ) -> _C:
        """Set up everything but the request path; returns the HTTP client to send with."""
        product = type(self).product
        creds: ClientCredentials | None = None
        env: Environment | None = None
        if auth is None:
            creds = ClientCredentials.from_env() if credentials is None else credentials
            env = Environment.resolve(environment)
        elif environment is not None or base_url is None:
            env = Environment.resolve(environment)
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self._environment = env
        if base_url is not None:
            self._base_url = base_url.rstrip("/")
        else:
            assert env is not None
            self._base_url = env.api_base + product.base_path
        self._max_retries = max_retries
        self._timeout = httpx.Timeout(timeout)
        self._timeout_ext = self._timeout.as_dict()
        user_agent = f"odido-runtime/{__version__}"
        if product.name:
            user_agent += f" {product.name}/{product.version}"
        self._default_headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if default_headers:
            self._default_headers.update(default_headers)
        self._owns_client = http_client is None
        client = (
            client_type(
                timeout=self._timeout, headers=self._default_headers, verify=shared_ssl_context()
            )
            if http_client is None
            else http_client
        )
        if auth is None:
            assert creds is not None and env is not None
            wanted = normalize_scopes(scopes) if scopes is not None else None
            # Token requests go through the same client: its transport, proxy and CA
            # settings apply to them too (and a MockTransport given in tests covers them).
            auth = OdidoAuth(
                creds,
                environment=env,
                header=product.header,
                auth_method=auth_method,
                scopes=wanted if wanted is not None else (creds.scopes or product.scopes),
                token_client=client,
            )
        self._auth = auth
        return client

    # -- properties -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def environment(self) -> Environment | None:
        """The environment in use (None when `auth` and `base_url` were both given)."""
        return self._environment

    @property
    def auth(self) -> httpx.Auth:
        return self._auth

    @property
    def max_retries(self) -> int:
        return self._max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def default_headers(self) -> Mapping[str, str]:
        return dict(self._default_headers)

    def __repr__(self) -> str:
        env = self._environment.name if self._environment else None
        return f"<{type(self).__name__} base_url={self._base_url!r} environment={env!r}>"

    # -- request building -----------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith(("https://", "http://")):
            return path
        if not path.startswith("/"):
            path = "/" + path
        return self._base_url + path

    def _request_kwargs(
        self,
        *,
        params: Mapping[str, object] | None,
        headers: Mapping[str, str | None] | None,
        json: object,
        content: bytes | None,
        data: Mapping[str, object] | None,
        files: object,
        timeout: TimeoutTypes | NotGiven,
    ) -> dict[str, Any]:
        merged: dict[str, str] | None = None if self._owns_client else dict(self._default_headers)
        if json is not None and content is None:
            content = dump_json(json)
            merged = merged if merged is not None else {}
            merged["Content-Type"] = "application/json"
        if headers:
            merged = merged if merged is not None else {}
            for name, value in headers.items():
                if value is not None:
                    merged[name] = value
        kwargs: dict[str, Any] = {
            "extensions": {
                "timeout": self._timeout_ext
                if isinstance(timeout, NotGiven)
                else _timeout_dict(timeout)
            }
        }
        if merged:
            kwargs["headers"] = merged
        if params:
            kwargs["params"] = encode_params(params)
        if content is not None:
            kwargs["content"] = content
        if data is not None:
            kwargs["data"] = {k: v for k, v in data.items() if v is not None}
        if files is not None:
            kwargs["files"] = files
        return kwargs

    # -- retry policy ---------------------------------------------------------------------

    def _retries(self, method: str, max_retries: int | NotGiven) -> tuple[int, bool]:
        """(retries allowed, whether a sent request may be repeated)."""
        if isinstance(max_retries, NotGiven):
            return self._max_retries, method in IDEMPOTENT_METHODS
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        # Asking for retries on a call opts that call in, whatever its method.
        return max_retries, True

    def _backoff(self, attempt: int, headers: httpx.Headers | None) -> float:
        if headers is not None:
            retry_after = parse_retry_after(headers)
            if retry_after is not None:
                return min(retry_after, self.max_retry_after)
        delay = min(self.initial_retry_delay * 2.0**attempt, self.max_retry_delay)
        return delay * (1.0 - 0.25 * random.random())

    def _retry_after_error(
        self, exc: BaseException, attempt: int, retries: int, repeatable: bool
    ) -> float | None:
        """Seconds to wait before retrying after `exc`, or None to raise it."""
        if attempt >= retries:
            return None
        if isinstance(exc, AuthenticationError):
            ok = exc.error in _RETRY_TOKEN_ERRORS
        elif isinstance(exc, APIConnectionError):
            ok = repeatable or exc.token_endpoint
        else:
            ok = False
        return self._backoff(attempt, None) if ok else None

    def _log_retry(
        self, request: httpx.Request, why: object, delay: float, attempt: int, retries: int
    ) -> None:
        logger.info(
            "retrying %s %s in %.2f s after %s (retry %d of %d)",
            request.method,
            request.url,
            delay,
            why,
            attempt + 1,
            retries,
        )


async def _sleep(seconds: float) -> None:
    import asyncio  # only async clients pay for importing it

    await asyncio.sleep(seconds)


def _wrap_transport_error(exc: httpx.TransportError, request: httpx.Request) -> APIError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(str(exc) or type(exc).__name__, request=request)
    return APIConnectionError(str(exc) or type(exc).__name__, request=request)


class SyncAPIClient(_BaseAPIClient):
    """Base class of the generated synchronous clients (`GenesysClient(SyncAPIClient)`).

    Subclasses set `product`. Use as a context manager, or call `close()`.
    """

    def __init__(
        self,
        *,
        credentials: ClientCredentials | None = None,
        environment: Environment | str | None = None,
        scopes: str | Sequence[str] | None = None,
        auth_method: AuthMethod = "client_secret_basic",
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self._client = self._configure(
            credentials=credentials,
            environment=environment,
            scopes=scopes,
            auth_method=auth_method,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            auth=auth,
            http_client=http_client,
            client_type=httpx.Client,
        )

    @property
    def http_client(self) -> httpx.Client:
        return self._client

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str | None] | None = None,
        json: object = None,
        content: bytes | None = None,
        data: Mapping[str, object] | None = None,
        files: object = None,
        error_types: ErrorTypes | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> httpx.Response:
        """Send a request to `path` (relative to `base_url`) and return the 2xx response.

        Raises an `APIStatusError` subclass for any other status (after retries), and
        `APIConnectionError`/`APITimeoutError`/`AuthenticationError` when no answer came.
        """
        method = method.upper()
        request = self._client.build_request(
            method,
            self._url(path),
            **self._request_kwargs(
                params=params,
                headers=headers,
                json=json,
                content=content,
                data=data,
                files=files,
                timeout=timeout,
            ),
        )
        retries, repeatable = self._retries(method, max_retries)
        attempt = 0
        while True:
            try:
                response = self._client.send(request, auth=self._auth)
            except httpx.TransportError as exc:
                error: BaseException = _wrap_transport_error(exc, request)
                cause: BaseException | None = exc
            except (APIConnectionError, AuthenticationError) as exc:  # from the token endpoint
                error, cause = exc, exc.__cause__
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response
                if attempt < retries and repeatable and status in RETRY_STATUSES:
                    delay = self._backoff(attempt, response.headers)
                    self._log_retry(request, status, delay, attempt, retries)
                    response.close()
                    time.sleep(delay)
                    attempt += 1
                    continue
                raise make_status_error(response, parse_error_body(response, error_types))
            delay_or_none = self._retry_after_error(error, attempt, retries, repeatable)
            if delay_or_none is None:
                raise error from cause
            self._log_retry(request, type(error).__name__, delay_or_none, attempt, retries)
            time.sleep(delay_or_none)
            attempt += 1

    def close(self) -> None:
        """Close the HTTP client (unless it was passed in as `http_client`)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncAPIClient(_BaseAPIClient):
    """Base class of the generated asynchronous clients (`AsyncGenesysClient(AsyncAPIClient)`).

    Subclasses set `product`. Use with `async with`, or call `aclose()`.
    """

    def __init__(
        self,
        *,
        credentials: ClientCredentials | None = None,
        environment: Environment | str | None = None,
        scopes: str | Sequence[str] | None = None,
        auth_method: AuthMethod = "client_secret_basic",
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self._client = self._configure(
            credentials=credentials,
            environment=environment,
            scopes=scopes,
            auth_method=auth_method,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            auth=auth,
            http_client=http_client,
            client_type=httpx.AsyncClient,
        )

    @property
    def http_client(self) -> httpx.AsyncClient:
        return self._client

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str | None] | None = None,
        json: object = None,
        content: bytes | None = None,
        data: Mapping[str, object] | None = None,
        files: object = None,
        error_types: ErrorTypes | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> httpx.Response:
        """Async twin of `SyncAPIClient.request`."""
        method = method.upper()
        request = self._client.build_request(
            method,
            self._url(path),
            **self._request_kwargs(
                params=params,
                headers=headers,
                json=json,
                content=content,
                data=data,
                files=files,
                timeout=timeout,
            ),
        )
        retries, repeatable = self._retries(method, max_retries)
        attempt = 0
        while True:
            try:
                response = await self._client.send(request, auth=self._auth)
            except httpx.TransportError as exc:
                error: BaseException = _wrap_transport_error(exc, request)
                cause: BaseException | None = exc
            except (APIConnectionError, AuthenticationError) as exc:  # from the token endpoint
                error, cause = exc, exc.__cause__
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response
                if attempt < retries and repeatable and status in RETRY_STATUSES:
                    delay = self._backoff(attempt, response.headers)
                    self._log_retry(request, status, delay, attempt, retries)
                    await response.aclose()
                    await _sleep(delay)
                    attempt += 1
                    continue
                raise make_status_error(response, parse_error_body(response, error_types))
            delay_or_none = self._retry_after_error(error, attempt, retries, repeatable)
            if delay_or_none is None:
                raise error from cause
            self._log_retry(request, type(error).__name__, delay_or_none, attempt, retries)
            await _sleep(delay_or_none)
            attempt += 1

    async def aclose(self) -> None:
        """Close the HTTP client (unless it was passed in as `http_client`)."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
