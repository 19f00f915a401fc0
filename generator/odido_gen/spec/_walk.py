"""One iterative walk over an OpenAPI/Swagger document that knows what each object is.

The walk yields every "keyword object" (schema, parameter, response, ...) with its kind and
location, and never descends into literal data (`example`, `default`, `enum`, `const`, example
`value`s) or into `x-` extensions, where a `$ref` key is data and not a reference. Keys of name
maps (`properties`, `responses`, `content`, component maps) are names, so `default` there is a
response code and `x-foo` a property name, not an extension (except in `paths` and `responses`).
It uses an explicit stack: documents may nest deeper than Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

__all__ = [
    "METHODS",
    "Cell",
    "Kind",
    "Role",
    "child_role",
    "clone",
    "role_at",
    "tokens_of",
    "walk",
]

# A location is a linked list of (parent, token) pairs: cheap to build for every node,
# turned into a list of tokens only when a message needs it.
Cell = tuple["Cell", str | int] | None


def tokens_of(cell: Cell) -> list[str | int]:
    out: list[str | int] = []
    while cell is not None:
        cell, token = cell
        out.append(token)
    out.reverse()
    return out


class Kind:
    ROOT: Final = 0
    OTHER: Final = 1
    SCHEMA: Final = 2
    PARAM: Final = 3
    RESPONSE: Final = 4
    HEADER: Final = 5
    MEDIA: Final = 6
    EXAMPLE: Final = 7
    REQUEST_BODY: Final = 8
    PATH_ITEM: Final = 9
    OPERATION: Final = 10
    CALLBACK: Final = 11
    LINK: Final = 12
    SECURITY_SCHEME: Final = 13
    FLOWS: Final = 14
    FLOW: Final = 15
    SERVER: Final = 16
    SERVER_VAR: Final = 17
    ENCODING: Final = 18
    COMPONENTS: Final = 19


METHODS: Final = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

_LITERAL: Final = frozenset({"example", "default", "enum", "const"})
_SCHEMA_ONE: Final = frozenset(
    {
        "items",
        "not",
        "additionalProperties",
        "additionalItems",
        "contains",
        "propertyNames",
        "if",
        "then",
        "else",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contentSchema",
    }
)
_SCHEMA_LIST: Final = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_MAP: Final = frozenset(
    {"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"}
)
# key -> (kind of the values, whether `x-` keys of the map are extensions)
_NAME_MAPS: Final[dict[str, tuple[int, bool]]] = {
    "schemas": (Kind.SCHEMA, False),
    "definitions": (Kind.SCHEMA, False),
    "parameters": (Kind.PARAM, False),
    "headers": (Kind.HEADER, False),
    "content": (Kind.MEDIA, False),
    "responses": (Kind.RESPONSE, True),
    "requestBodies": (Kind.REQUEST_BODY, False),
    "paths": (Kind.PATH_ITEM, True),
    "webhooks": (Kind.PATH_ITEM, False),
    "pathItems": (Kind.PATH_ITEM, False),
    "callbacks": (Kind.CALLBACK, False),
    "links": (Kind.LINK, False),
    "securitySchemes": (Kind.SECURITY_SCHEME, False),
    "securityDefinitions": (Kind.SECURITY_SCHEME, False),
    "variables": (Kind.SERVER_VAR, False),
    "encoding": (Kind.ENCODING, False),
    "examples": (Kind.EXAMPLE, False),
}
_ONE: Final[dict[str, int]] = {
    "schema": Kind.SCHEMA,
    "requestBody": Kind.REQUEST_BODY,
    "components": Kind.COMPONENTS,
}
_LISTS: Final[dict[str, int]] = {"parameters": Kind.PARAM, "servers": Kind.SERVER}

# What a child value is: (kind, is a name map, the name map's `x-` keys are extensions)
Role = tuple[int, bool, bool]


def child_role(kind: int, key: str, value: Any) -> Role | None:
    """The role of `value` found under `key` in a keyword object of `kind`; None for
    literal data and extensions, which the walk skips."""
    if key.startswith("x-") or key in _LITERAL:
        return None
    if kind == Kind.SCHEMA:
        if key in _SCHEMA_ONE or key in _SCHEMA_LIST:
            return (Kind.SCHEMA, False, False)
        if key in _SCHEMA_MAP:
            return (Kind.SCHEMA, True, False)
        if key == "examples":  # 3.1: a list of literal values
            return None
        return (Kind.OTHER, False, False)
    if kind == Kind.EXAMPLE and key == "value":
        return None
    if kind == Kind.LINK and key in ("parameters", "requestBody"):
        return None
    if key == "examples" and (kind == Kind.RESPONSE or not isinstance(value, dict)):
        return None  # Swagger 2.0 response examples: media type -> literal value
    if kind == Kind.PATH_ITEM and key in METHODS:
        return (Kind.OPERATION, False, False)
    if kind == Kind.CALLBACK:
        return (Kind.PATH_ITEM, False, False)
    if kind == Kind.FLOWS:
        return (Kind.FLOW, False, False)
    if kind == Kind.SECURITY_SCHEME and key == "flows":
        return (Kind.FLOWS, False, False)
    if isinstance(value, dict):
        if key in _NAME_MAPS:
            child_kind, ext = _NAME_MAPS[key]
            return (child_kind, True, ext)
        if key in _ONE:
            return (_ONE[key], False, False)
    elif isinstance(value, list) and key in _LISTS:
        return (_LISTS[key], False, False)
    return (Kind.OTHER, False, False)


def role_at(doc: Any, tokens: list[str | int]) -> list[Role]:
    """The role of each node on the way to `tokens` (index 0: the root)."""
    roles: list[Role] = [(Kind.ROOT, False, False)]
    node = doc
    for token in tokens:
        kind, is_map, _ = roles[-1]
        if isinstance(node, list) and isinstance(token, int) and token < len(node):
            node = node[token]
            roles.append((kind, False, False))
        elif isinstance(node, dict) and token in node:
            value = node[token]
            if is_map:
                role: Role | None = (kind, False, False)
            else:
                role = child_role(kind, str(token), value)
            roles.append(role if role is not None else (Kind.OTHER, False, False))
            node = value
        else:
            break
    return roles


def walk(
    root: dict[str, Any], root_kind: int = Kind.ROOT, root_cell: Cell = None
) -> Iterator[tuple[dict[str, Any], Cell, int]]:
    """Yield (object, location, kind) for each keyword object, in document order.

    The caller may change the yielded object before resuming: its children are read afterwards.
    """
    # Stack entries: (value, location, kind, is a name map, name map has extensions)
    stack: list[tuple[Any, Cell, int, bool, bool]] = [(root, root_cell, root_kind, False, False)]
    push = stack.append
    while stack:
        node, cell, kind, is_map, map_ext = stack.pop()
        children: list[tuple[Any, Cell, int, bool, bool]]
        if isinstance(node, list):
            for i in range(len(node) - 1, -1, -1):
                item = node[i]
                if isinstance(item, dict | list):
                    push((item, (cell, i), kind, False, False))
            continue
        if is_map:
            children = [
                (value, (cell, key), kind, False, False)
                for key, value in node.items()
                if isinstance(value, dict) and not (map_ext and key.startswith("x-"))
            ]
            stack.extend(reversed(children))
            continue
        yield node, cell, kind
        children = []
        for key, value in node.items():
            if isinstance(value, dict | list):
                role = child_role(kind, key, value)
                if role is not None:
                    children.append((value, (cell, key), *role))
        stack.extend(reversed(children))


def clone(value: Any) -> Any:
    """Copy plain JSON data (iteratively: no recursion limit)."""
    if not isinstance(value, dict | list):
        return value
    out: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, out)]
    while stack:
        src, dst = stack.pop()
        pairs = src.items() if isinstance(src, dict) else enumerate(src)
        for key, item in pairs:
            if isinstance(item, dict | list):
                copy: Any = {} if isinstance(item, dict) else []
                stack.append((item, copy))
            else:
                copy = item
            if isinstance(dst, dict):
                dst[key] = copy
            else:
                dst.append(copy)
    return out
