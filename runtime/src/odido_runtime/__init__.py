"""odido-runtime: the shared runtime of the odido-gen client packages.

OAuth2 client-credentials tokens from Odido's Keycloak (cached, single-flight), sent in each
product's header style; base clients with retries and typed errors; lazy paging.
"""

from ._auth import OdidoAuth
from ._client import AsyncAPIClient, SyncAPIClient
from ._credentials import ClientCredentials
from ._env import Environment
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    OdidoError,
    PermissionDeniedError,
    RateLimitError,
    UnauthorizedError,
    UnprocessableEntityError,
)
from ._headers import HeaderStyle
from ._models import (
    Model,
    form_fields,
    join_values,
    query_object,
    to_jsonable,
    to_query_value,
)
from ._paging import AsyncPager, SyncPager
from ._product import ProductInfo
from ._serde import build_path, parse_response
from ._tokens import Token, TokenCache, TokenKey
from ._types import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    TOKEN_TIMEOUT,
    AuthMethod,
    NotGiven,
)
from ._version import __version__

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "TOKEN_TIMEOUT",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAPIClient",
    "AsyncPager",
    "AuthMethod",
    "AuthenticationError",
    "BadRequestError",
    "ClientCredentials",
    "ConfigurationError",
    "ConflictError",
    "Environment",
    "HeaderStyle",
    "InternalServerError",
    "Model",
    "NotFoundError",
    "NotGiven",
    "OdidoAuth",
    "OdidoError",
    "PermissionDeniedError",
    "ProductInfo",
    "RateLimitError",
    "SyncAPIClient",
    "SyncPager",
    "Token",
    "TokenCache",
    "TokenKey",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "__version__",
    "build_path",
    "form_fields",
    "join_values",
    "parse_response",
    "query_object",
    "to_jsonable",
    "to_query_value",
]

# Public names report this package as their home, so reprs and docs point at the API,
# not at private modules (as httpx does).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("odido_runtime."):
        _obj.__module__ = __name__
del _name, _obj
