"""Request building and response parsing helpers shared by the sync and async clients."""

from __future__ import annotations

import datetime as dt
import enum
import json as _json
import re
from collections.abc import Mapping
from typing import Any, Final, TypeVar, overload
from urllib.parse import quote

import httpx
import pydantic
import pydantic_core

from ._errors import APIResponseValidationError
from ._types import ErrorTypes

__all__ = ["build_path", "dump_json", "encode_params", "parse_error_body", "parse_response"]

T = TypeVar("T")

_ADAPTERS: dict[object, pydantic.TypeAdapter[Any]] = {}


def _adapter(type_: Any) -> pydantic.TypeAdapter[Any]:
    """A TypeAdapter per type, built once: building one costs far more than validating."""
    try:
        return _ADAPTERS[type_]
    except KeyError:
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(type_)
        # setdefault: of two threads building at once, both end up using the same adapter.
        return _ADAPTERS.setdefault(type_, adapter)
    except TypeError:  # an unhashable type expression: validate without caching
        return pydantic.TypeAdapter(type_)


@overload
def parse_response(response: httpx.Response, type_: None) -> None: ...
@overload
def parse_response(response: httpx.Response, type_: type[T]) -> T: ...
@overload
def parse_response(response: httpx.Response, type_: Any) -> Any: ...
def parse_response(response: httpx.Response, type_: Any) -> Any:
    """The body of `response` as `type_`.

    `None` gives None, `bytes` the raw content, `str` the text, `httpx.Response` the response
    itself; anything else is validated from JSON with a cached pydantic TypeAdapter (raises
    `APIResponseValidationError` when the body is no JSON or does not fit).
    """
    if type_ is None or type_ is type(None):
        return None
    if type_ is bytes:
        return response.content
    if type_ is str:
        return response.text
    if type_ is httpx.Response:
        return response
    try:
        return _adapter(type_).validate_json(response.content)
    except pydantic.ValidationError as exc:
        details = exc.errors(include_url=False, include_input=False)
        errors = [(".".join(str(part) for part in e["loc"]), e["msg"]) for e in details]
        invalid_json = any(e["type"] == "json_invalid" for e in details)
        body: object = response.text if invalid_json else _json.loads(response.content)
        raise APIResponseValidationError(
            response=response, expected=_type_label(type_), errors=errors, body=body
        ) from exc


def _type_label(type_: Any) -> str:
    return type_.__name__ if isinstance(type_, type) else str(type_).replace("typing.", "")


def _error_type(error_types: Mapping[str, object], status: int) -> object:
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in error_types:
            return error_types[key]
    return None


def parse_error_body(response: httpx.Response, error_types: ErrorTypes | None) -> object:
    """An error body: as the operation's error model if one fits, else JSON, else text."""
    content = response.content
    if not content:
        return None
    if callable(error_types):
        error_types = error_types()
    if error_types:
        type_ = _error_type(error_types, response.status_code)
        if type_ is not None:
            try:
                parsed = _adapter(type_).validate_json(content)
            except (pydantic.ValidationError, ValueError):
                pass  # the gateway's own error shape, say: fall back to plain JSON
            else:
                # A model of optional fields "fits" any object; keep it only if the body
                # set at least one declared field (Tyk's {"error": ...} sets none of ErrorBody's).
                if not isinstance(parsed, pydantic.BaseModel) or (
                    parsed.model_fields_set & set(type(parsed).model_fields)
                ):
                    return parsed
    try:
        return _json.loads(content)
    except ValueError:
        return response.text


def _to_text(value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


_PLACEHOLDER: Final = re.compile(r"\{([^{}]+)\}")


def build_path(template: str, params: Mapping[str, object]) -> str:
    """Fill `{name}` placeholders of a path template, percent-quoting each value.

    Names are literal (`{site.id}` is the key "site.id"). Every character that could change the
    path's shape is quoted, including "/" and the dot segments "." and "..".
    """

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        try:
            value = params[name]
        except KeyError:
            raise ValueError(f"missing path parameter {name!r} for {template!r}") from None
        if value is None:
            raise ValueError(f"path parameter {name!r} must not be None")
        text = _to_text(value)
        if not text:
            raise ValueError(f"path parameter {name!r} must not be empty")
        if text in (".", ".."):
            return text.replace(".", "%2E")
        return quote(text, safe="")

    return _PLACEHOLDER.sub(fill, template)


_Primitive = str | int | float


def _query_value(value: object) -> _Primitive:
    if isinstance(value, bool | enum.Enum | dt.date | dt.time):
        return _to_text(value)
    if isinstance(value, str | int | float):
        return value
    return str(value)


def encode_params(params: Mapping[str, object]) -> list[tuple[str, _Primitive]]:
    """Query parameters: None values dropped, lists and tuples repeated as `k=a&k=b`."""
    items: list[tuple[str, _Primitive]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            items.extend((key, _query_value(v)) for v in value if v is not None)
        else:
            items.append((key, _query_value(value)))
    return items


def _unset_free(value: object) -> object:
    """Models (at any depth) as dicts of the fields that were set; everything else as is."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {k: _unset_free(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_unset_free(v) for v in value]
    return value


def dump_json(value: object) -> bytes:
    """JSON bytes for a request body: models by alias and without the fields never set
    (an explicit `None` is sent, a default is not); dates, enums and such as pydantic does."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump_json(by_alias=True, exclude_unset=True).encode()
    return pydantic_core.to_json(_unset_free(value), by_alias=True)
