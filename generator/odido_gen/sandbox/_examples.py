"""Deterministic example instances for OpenAPI 3 schemas (what the sandbox gateway answers).

Schema examples, enums, consts and defaults win; otherwise a value of the right type and format.
Objects carry every property near the top and only required ones deeper down, arrays one item;
a recursive `$ref` expands again only for required properties and never beyond `MAX_DEPTH`, so
cyclic schemas (Genesys has several) give a finite answer.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from odido_gen.spec._pointer import Unresolvable
from odido_gen.spec._pointer import resolve as resolve_pointer

__all__ = ["MAX_DEPTH", "example_for", "resolve"]

MAX_DEPTH = 8
_OPTIONAL_DEPTH = 3  # below this many levels only required properties are filled in
_BUDGET = 5000  # values built per answer before only required properties are filled in

_FORMATS: Mapping[str, str] = {
    "date-time": "2024-01-01T00:00:00Z",
    "local-date-time": "2024-01-01T00:00:00",
    "date": "2024-01-01",
    "time": "00:00:00",
    "local-time": "00:00:00",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "byte": "ZXhhbXBsZQ==",
    "binary": "",
    "password": "secret",
}


def resolve(document: Mapping[str, Any], node: Any) -> tuple[Any, str | None]:
    """Follow local `$ref`s (`#/...`) from `node`; returns the target and the last ref."""
    last: str | None = None
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen:
            return {}, ref
        seen.add(ref)
        try:
            node = resolve_pointer(document, ref)
        except Unresolvable:
            return {}, ref  # the spec loader has reported it; answer something
        last = ref
    return node, last


def _schema_type(schema: Mapping[str, Any]) -> str | None:
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "null")
    if isinstance(declared, str):
        return declared
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


class _Builder:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.budget = _BUDGET

    def merged(self, schema: Mapping[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        """`schema` with its `allOf` parts folded in (properties and required united)."""
        result: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema.get("allOf") or []:
            target, ref = resolve(self.document, part)
            if (ref is not None and ref in path) or not isinstance(target, Mapping):
                continue
            inner = self.merged(target, (*path, ref) if ref else path)
            properties = {**result.get("properties", {}), **inner.get("properties", {})}
            required = [*inner.get("required", []), *result.get("required", [])]
            for key, value in inner.items():
                result.setdefault(key, value)
            if properties:
                result["properties"] = properties
            if required:
                result["required"] = list(dict.fromkeys(required))
        return result

    def value(self, node: Any, depth: int, path: tuple[str, ...], minimal: bool) -> Any:
        self.budget -= 1
        schema, ref = resolve(self.document, node)
        if ref is not None:
            if ref in path:
                minimal = True  # a cycle: expand required parts only
            path = (*path, ref)
        if not isinstance(schema, Mapping):
            return {}
        if "allOf" in schema:
            schema = self.merged(schema, path)
        if "example" in schema:
            return copy.deepcopy(schema["example"])
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            return copy.deepcopy(examples[0])
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        enum = [v for v in schema.get("enum") or [] if v is not None]
        if enum:
            return copy.deepcopy(schema["default"] if schema.get("default") in enum else enum[0])
        for key in ("oneOf", "anyOf"):
            options = [
                o for o in schema.get(key) or [] if resolve(self.document, o)[0] != {"type": "null"}
            ]
            if options:
                return self.value(options[0], depth, path, minimal)
        kind = _schema_type(schema)
        if "default" in schema and kind not in ("object", "array"):
            return copy.deepcopy(schema["default"])
        if depth >= MAX_DEPTH:
            minimal = True
        if kind == "object":
            return self.object(schema, depth, path, minimal)
        if kind == "array":
            count = max(int(schema.get("minItems", 0)), 0 if minimal else 1)
            if depth >= MAX_DEPTH:
                return []
            return [
                self.value(schema.get("items", {}), depth + 1, path, minimal) for _ in range(count)
            ]
        if kind == "string":
            return _string(schema)
        if kind == "integer":
            return int(_number(schema, integer=True))
        if kind == "number":
            return float(_number(schema, integer=False))
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return {}

    def object(
        self, schema: Mapping[str, Any], depth: int, path: tuple[str, ...], minimal: bool
    ) -> dict[str, Any]:
        if depth >= MAX_DEPTH:
            return {}  # the hard stop: a required cycle would recurse forever
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        every = not minimal and depth < _OPTIONAL_DEPTH and self.budget > 0
        result: dict[str, Any] = {}
        for name, prop in properties.items():
            if name not in required and not every:
                continue
            target, _ = resolve(self.document, prop)
            if isinstance(target, Mapping) and target.get("writeOnly") is True:
                continue  # never in a response
            result[name] = self.value(prop, depth + 1, path, minimal)
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, Mapping) and extra and not minimal:
            result["key"] = self.value(extra, depth + 1, path, minimal)
        return result


def _string(schema: Mapping[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format", "")), "string")
    min_length = schema.get("minLength")
    max_length = schema.get("maxLength")
    if isinstance(min_length, int) and len(text) < min_length:
        text = text + "x" * (min_length - len(text))
    if isinstance(max_length, int) and len(text) > max_length:
        text = text[:max_length]
    return text


def _number(schema: Mapping[str, Any], *, integer: bool) -> float:
    step = 1 if integer else 0.5
    low, high = schema.get("minimum"), schema.get("maximum")
    exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    # OpenAPI 3.0 spells exclusive bounds as booleans, 3.1 as numbers.
    if isinstance(exclusive_low, int | float) and not isinstance(exclusive_low, bool):
        low, exclusive_low = exclusive_low, True
    if isinstance(exclusive_high, int | float) and not isinstance(exclusive_high, bool):
        high, exclusive_high = exclusive_high, True
    value: float = 0
    if isinstance(low, int | float) and value <= low:
        value = low + step if exclusive_low is True else low
    elif isinstance(high, int | float) and value >= high:
        value = high - step if exclusive_high is True else high
    return math.ceil(value) if integer else value


def example_for(schema: Any, document: Mapping[str, Any]) -> Any:
    """An instance of `schema` (resolving `$ref`s in `document`); same input, same output."""
    return _Builder(document).value(schema, 0, (), False)
