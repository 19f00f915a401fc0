"""Small shared types: the `NOT_GIVEN` sentinel, timeout aliases and defaults."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, Literal, TypeAlias, final

import httpx

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "TOKEN_TIMEOUT",
    "AuthMethod",
    "ErrorTypes",
    "NotGiven",
    "TimeoutTypes",
]

AuthMethod: TypeAlias = Literal["client_secret_basic", "client_secret_post"]
TimeoutTypes: TypeAlias = float | httpx.Timeout | None
# Status ("404", "4XX", "default") -> the type of its error body; or a function returning that
# mapping, called only when an error arrives, so that a call that succeeds loads no error model.
ErrorTypes: TypeAlias = Mapping[str, object] | Callable[[], Mapping[str, object]]

# Generous read timeout (some listings are slow), short connect timeout (a dead host fails fast).
DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES: Final = 2
# The token endpoint answers in milliseconds; a stuck one should not stall every API call for long.
TOKEN_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)


@final
class NotGiven:
    """Type of `NOT_GIVEN`: tells "argument omitted" apart from an explicit `None`.

    `timeout=None` means "no timeout", so `None` cannot double as "use the client's default".
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        # One instance, so `is NOT_GIVEN` checks stay valid after copies and pickling.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
