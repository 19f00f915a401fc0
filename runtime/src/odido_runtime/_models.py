"""The base of every generated model, and turning request values into wire data."""

from __future__ import annotations

import datetime as _dt
import enum
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic

__all__ = [
    "Model",
    "form_fields",
    "join_values",
    "query_object",
    "to_jsonable",
    "to_query_value",
]


class Model(pydantic.BaseModel):
    """Base class of generated models.

    - Fields are snake_case in Python with their wire name as alias; either name is accepted.
    - Fields the spec does not list are kept (`model_extra`): newer servers don't break clients.
    - Dumps use wire names; `to_jsonable` leaves out fields that were never set.
    - `defer_build`: validators are built on first use, so importing many models stays cheap.
    """

    model_config = pydantic.ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        defer_build=True,
        # Spec properties may be named model_dump, model_config, ...: the generator renames
        # them (`model_dump_`), and pydantic need not warn about the `model_` prefix.
        protected_namespaces=(),
    )


def to_jsonable(value: object) -> Any:
    """Models to wire-named JSON data without unset fields; containers recursively."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def to_query_value(value: object) -> Any:
    """One query/header value as text: booleans as `true`/`false`, dates in ISO 8601."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return [to_query_value(v) for v in value]
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return to_query_value(value.value)
    return str(value)


def join_values(value: Sequence[object] | None, separator: str = ",") -> str | None:
    """A non-exploded array parameter (`style: form, explode: false`): `a,b,c`."""
    if value is None:
        return None
    return separator.join(str(to_query_value(v)) for v in value)


def query_object(
    value: pydantic.BaseModel | Mapping[str, object] | None,
    name: str,
    *,
    style: str = "form",
    explode: bool = True,
) -> dict[str, Any]:
    """The query parameters of an object-valued parameter `name`, as OpenAPI styles them.

    `form` + explode (the default): one parameter per property (`q=x&page=2`); `form` without
    explode: `name=q,x,page,2`; `deepObject`: `name[q]=x&name[page]=2`. Unset and None
    properties are left out; nested objects, which no style defines, are sent as JSON text.
    """
    if value is None:
        return {}
    data = to_jsonable(value)
    if not isinstance(data, Mapping):
        raise TypeError(f"query parameter {name!r} must be an object, not {type(value).__name__}")
    fields = {str(k): _query_text(v) for k, v in data.items() if v is not None}
    if style == "deepObject":
        return {f"{name}[{k}]": v for k, v in fields.items()}
    if not explode:
        flat = [str(part) for k, v in fields.items() for part in (k, v)]
        return {name: ",".join(flat)}
    return fields


def _query_text(value: object) -> Any:
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"))
    return to_query_value(value)


def form_fields(body: object) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a multipart body into plain fields and file parts (bytes or file-like values)."""
    data: dict[str, Any] = {}
    files: dict[str, Any] = {}
    if isinstance(body, pydantic.BaseModel):
        # Python mode keeps bytes and file objects as they are; JSON mode would encode them.
        items = body.model_dump(by_alias=True, exclude_unset=True)
    elif isinstance(body, Mapping):
        items = dict(body)
    else:
        raise TypeError(f"a multipart body must be a model or a mapping, not {type(body).__name__}")
    for key, value in items.items():
        if value is None:
            continue
        key = str(key)
        if (
            isinstance(value, (bytes, bytearray))
            or hasattr(value, "read")
            or (isinstance(value, tuple) and len(value) >= 2)
        ):
            files[key] = value
        else:
            data[key] = to_query_value(to_jsonable(value))
    return data, files
