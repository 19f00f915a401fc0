"""The errors odido-runtime raises, all rooted at `OdidoError`:

```
OdidoError
 ├── ConfigurationError              missing or invalid environment/credential settings
 ├── AuthenticationError             the token endpoint refused to issue a token
 └── APIError                        a call to an API failed (.request, .method, .url)
      ├── APIConnectionError         no response: refused connection, DNS, reset, ...
      │    └── APITimeoutError       no response in time
      ├── APIResponseValidationError a 2xx body that does not fit the operation's type
      └── APIStatusError             the API answered with a non-2xx status
           ├── BadRequestError           400
           ├── UnauthorizedError         401 (after one token refresh)
           ├── PermissionDeniedError     403
           ├── NotFoundError             404
           ├── ConflictError             409
           ├── UnprocessableEntityError  422
           ├── RateLimitError            429 (after the retries)
           └── InternalServerError       5xx
```

Every message is one line and names what failed (client id, method, URL, status, request id),
never a client secret or a token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "OdidoError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnauthorizedError",
    "UnprocessableEntityError",
]

_MAX_DETAIL = 200
# Headers that carry a request id, in order of preference (Tyk, Genesys Cloud, generic).
REQUEST_ID_HEADERS: Final = ("x-request-id", "inin-correlation-id", "x-correlation-id")


def one_line(text: str, limit: int = _MAX_DETAIL) -> str:
    """Collapse whitespace (no CR/LF can reach a log line) and cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class OdidoError(Exception):
    """Base class of every error odido-runtime raises."""


class ConfigurationError(OdidoError):
    """Missing or invalid settings: environment name, URLs, client id or secret."""


class AuthenticationError(OdidoError):
    """The token endpoint refused to issue a token.

    `error` is the OAuth2 error code (`invalid_client`, `unauthorized_client`, `invalid_scope`,
    `invalid_request`, `unsupported_grant_type`, ...). Read the code rather than the status:
    Keycloak versions disagree on 400 vs 401 for the same problem. When the endpoint gave no
    OAuth2 error body, `error` is `server_error` (5xx), `temporarily_unavailable` (429) or
    `invalid_response` (anything else, including a 2xx without `access_token`).
    """

    def __init__(
        self,
        error: str,
        description: str | None = None,
        *,
        status_code: int | None = None,
        client_id: str | None = None,
        token_url: str | None = None,
    ) -> None:
        self.error = error
        self.description = description
        self.status_code = status_code
        self.client_id = client_id
        self.token_url = token_url
        parts = [f"token request refused: {error}"]
        if description:
            parts.append(f"({one_line(description)})")
        if status_code is not None:
            parts.append(f"[HTTP {status_code}]")
        if client_id is not None:
            parts.append(f"for client {client_id!r}")
        if token_url is not None:
            parts.append(f"at {token_url}")
        super().__init__(" ".join(parts))


class APIError(OdidoError):
    """A call to an API failed. `request` is the request that was sent (its method and URL).

    `token_endpoint` is true when the request that failed was the token request: the API
    request itself was never sent, so retrying it is safe whatever its method.
    """

    token_endpoint: bool = False

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request
        self.method = request.method
        self.url = str(request.url)


class APIConnectionError(APIError):
    """No response arrived: refused connection, DNS failure, reset, protocol error..."""

    def __init__(self, message: str | None = None, *, request: httpx.Request) -> None:
        detail = f": {one_line(message)}" if message else ""
        super().__init__(
            f"connection failed for {request.method} {request.url}{detail}", request=request
        )


class APITimeoutError(APIConnectionError):
    """No response arrived in time (connect, read, write or pool timeout)."""

    def __init__(self, message: str | None = None, *, request: httpx.Request) -> None:
        APIError.__init__(
            self,
            f"request timed out: {request.method} {request.url}"
            + (f" ({one_line(message)})" if message else ""),
            request=request,
        )


class APIResponseValidationError(APIError):
    """A successful response whose body does not fit the type the spec promised.

    `body` is the decoded JSON (else the text); `errors` lists where and why it does not fit
    (pydantic's `loc` and `msg`, without the input values); the `pydantic.ValidationError` or
    JSON error is the `__cause__`.
    """

    def __init__(
        self,
        *,
        response: httpx.Response,
        expected: str,
        errors: list[tuple[str, str]],
        body: object,
    ) -> None:
        request = response.request
        where = "; ".join(f"{loc or 'body'}: {msg}" for loc, msg in errors[:3])
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(
            f"the {response.status_code} response to {request.method} {request.url} does not "
            f"match {one_line(expected, 80)}: {one_line(where)}{more}",
            request=request,
        )
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.errors = errors
        self.request_id = request_id_of(response.headers)


class APIStatusError(APIError):
    """The API answered with a non-2xx status.

    `body` is the error body parsed into the operation's error model when one was given and the
    body fits it, else the decoded JSON, else the text (`None` when empty).
    """

    status_code: int

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.request_id = request_id_of(response.headers)


class BadRequestError(APIStatusError):
    """400 Bad Request."""


class UnauthorizedError(APIStatusError):
    """401 Unauthorized: the token was refused even after fetching a fresh one."""


class PermissionDeniedError(APIStatusError):
    """403 Forbidden: the token is valid but its plan or scopes do not cover this API."""


class NotFoundError(APIStatusError):
    """404 Not Found."""


class ConflictError(APIStatusError):
    """409 Conflict."""


class UnprocessableEntityError(APIStatusError):
    """422 Unprocessable Entity."""


class RateLimitError(APIStatusError):
    """429 Too Many Requests, still after the retries (plans set the rate limits)."""


class InternalServerError(APIStatusError):
    """Any 5xx status."""


_STATUS_ERRORS: Final[Mapping[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def request_id_of(headers: httpx.Headers) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return one_line(value, 100)
    return None


def _detail_of(body: object) -> str | None:
    """A short human message from an error body: ErrorBody.message, Tyk's error, ..."""
    if body is None:
        return None
    if isinstance(body, str):
        return body or None
    if isinstance(body, Mapping):
        for key in ("message", "error_description", "error", "detail", "errors"):
            value = body.get(key)
            if value:
                return str(value)
        return None
    for attr in ("message", "error_description", "error", "detail"):
        value = getattr(body, attr, None)
        if value:
            return str(value)
    return None


def make_status_error(response: httpx.Response, body: Any) -> APIStatusError:
    """The `APIStatusError` subclass for `response`, with a one-line message."""
    status = response.status_code
    cls = _STATUS_ERRORS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    request = response.request
    message = f"{status} {response.reason_phrase or 'Error'}: {request.method} {request.url}"
    request_id = request_id_of(response.headers)
    if request_id:
        message += f" (request id {request_id})"
    detail = _detail_of(body)
    if detail:
        message += f": {one_line(detail)}"
    return cls(message, response=response, body=body)
