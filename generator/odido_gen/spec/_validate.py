"""Parsing the normalized document with openapi-pydantic, with a last round of repairs."""

from __future__ import annotations

from typing import Any, Final

import pydantic
from openapi_pydantic.v3.v3_0 import OpenAPI as OpenAPI30
from openapi_pydantic.v3.v3_1 import OpenAPI as OpenAPI31

from ._errors import Problem, Report
from ._walk import METHODS, Kind, role_at

__all__ = ["OpenAPIModel", "parse_model"]

OpenAPIModel = OpenAPI30 | OpenAPI31

# Optional schema keywords that can be dropped when their value is invalid: the schema
# only gets less strict.
_DROPPABLE: Final = frozenset(
    {
        "title",
        "description",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "maxProperties",
        "minProperties",
        "maxContains",
        "minContains",
        "required",
        "dependentRequired",
        "enum",
        "format",
        "nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "externalDocs",
        "xml",
        "example",
        "examples",
        "discriminator",
        "contentEncoding",
        "contentMediaType",
    }
)
# At most this many keywords are dropped before the loader gives up.
_MAX_ROUNDS: Final = 25


def _error_location(doc: Any, loc: tuple[int | str, ...]) -> list[str | int]:
    """pydantic's loc as JSON pointer tokens: loc mixes keys with the names of union members
    tried (`Schema`, `Reference`, `bool`), which are skipped as they are not in the data."""
    tokens: list[str | int] = []
    node = doc
    for part in loc:
        if isinstance(node, dict):
            if not (isinstance(part, str) and part in node):
                continue
        elif not (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            continue
        node = node[part]
        tokens.append(part)
    return tokens


def _first_error(doc: Any, exc: pydantic.ValidationError) -> tuple[list[str | int], str]:
    errors = exc.errors()
    # A failed union lists an error per member; "no $ref" only says it is not a Reference.
    useful = [e for e in errors if not (e["type"] == "missing" and e["loc"][-1:] == ("$ref",))]
    error = (useful or errors)[0]
    tokens = _error_location(doc, error["loc"])
    missing = error["type"] == "missing" and error["loc"] and error["loc"][-1] not in tokens
    detail = error["msg"]
    if missing:
        detail = f"{error['loc'][-1]}: {detail.lower()}"
    elif error["type"] not in ("missing",):
        detail = f"{detail} (got {_short(error.get('input'))})"
    return tokens, detail


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_model(doc: dict[str, Any], report: Report) -> OpenAPIModel:
    model: type[OpenAPI30] | type[OpenAPI31] = (
        OpenAPI31 if str(doc.get("openapi")).startswith("3.1") else OpenAPI30
    )
    rounds = 0
    while True:
        try:
            return model.model_validate(_without_map_extensions(doc))
        except pydantic.ValidationError as exc:
            tokens, detail = _first_error(doc, exc)
            rounds += 1
            if rounds > _MAX_ROUNDS or not _drop_invalid_keyword(doc, tokens, detail, report):
                raise Problem(detail, tokens) from None
        except RecursionError:
            raise Problem("document nested too deeply") from None


def _without_map_extensions(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without the `x-` keys of Paths, Responses and Callback objects.

    The specification allows extensions there, but openapi-pydantic types these objects as
    plain maps of path items / responses and rejects them. Only the containers on the way are
    copied (shallowly), and only when there is something to leave out.
    """
    paths = doc.get("paths")
    if isinstance(paths, dict):
        new_paths = _strip_paths(paths)
        if new_paths is not paths:
            doc = {**doc, "paths": new_paths}
    return doc


def _strip_paths(paths: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] | None = None
    for key, item in paths.items():
        new_item = None if key.startswith("x-") else _strip_item(item)
        if new_item is not item and out is None:
            out = {}
            for k, v in paths.items():
                if k == key:
                    break
                out[k] = v
        if out is not None and new_item is not None:
            out[key] = new_item
    return paths if out is None else out


def _strip_item(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    changed: dict[str, Any] = {}
    for method, op in item.items():
        if method not in METHODS or not isinstance(op, dict):
            continue
        new_op = op
        responses = op.get("responses")
        if isinstance(responses, dict) and any(k.startswith("x-") for k in responses):
            new_op = {
                **new_op,
                "responses": {k: v for k, v in responses.items() if not k.startswith("x-")},
            }
        callbacks = op.get("callbacks")
        if isinstance(callbacks, dict):
            new_callbacks = {
                name: _strip_paths(cb) if isinstance(cb, dict) else cb
                for name, cb in callbacks.items()
            }
            if any(new_callbacks[n] is not callbacks[n] for n in callbacks):
                new_op = {**new_op, "callbacks": new_callbacks}
        if new_op is not op:
            changed[method] = new_op
    return {**item, **changed} if changed else item


def _drop_invalid_keyword(
    doc: dict[str, Any], tokens: list[str | int], detail: str, report: Report
) -> bool:
    """Drop the innermost optional schema keyword on the error's path, if there is one."""
    roles = role_at(doc, tokens)
    # roles[i] is the role of the node reached by tokens[:i]
    for i in range(min(len(roles), len(tokens)) - 1, -1, -1):
        kind, is_map, _ = roles[i]
        key = tokens[i]
        if kind == Kind.SCHEMA and not is_map and isinstance(key, str) and key in _DROPPABLE:
            parent: Any = doc
            for token in tokens[:i]:
                parent = parent[token]
            del parent[key]
            report.warn(tokens[: i + 1], f"invalid {key} removed: {detail}")
            return True
    return False
