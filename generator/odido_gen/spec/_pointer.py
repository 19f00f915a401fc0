"""Resolution of local references (`#/a/b`) inside a loaded document."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

__all__ = ["Unresolvable", "parse_fragment", "resolve", "resolve_chain"]

# How many `$ref` hops a lookup may follow before it gives up (a cycle, or an absurd chain).
_MAX_HOPS = 100_000


class Unresolvable(LookupError):
    pass


def parse_fragment(ref: str) -> list[str]:
    """Tokens of a `#/a/b` reference: percent-decoded first (it is a URI fragment), then
    unescaped as a JSON pointer."""
    if ref in ("#", "#/"):
        return [] if ref == "#" else [""]
    if not ref.startswith("#/"):
        raise Unresolvable(f"not a local JSON pointer: {ref!r}")
    return [unquote(part).replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/")]


def _step(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        if token in node:
            return node[token]
        raise Unresolvable(token)
    if isinstance(node, list) and token.isdigit() and (token == "0" or token[0] != "0"):
        index = int(token)
        if index < len(node):
            return node[index]
    raise Unresolvable(token)


def resolve(doc: Any, ref: str) -> Any:
    """The value a local `$ref` names.

    A reference object met on the way is followed when the next token is not one of its own
    keys (`#/components/schemas/A/properties/b` where A is itself a `$ref`).
    """
    node = doc
    hops = 0
    for token in parse_fragment(ref):
        while True:
            try:
                node = _step(node, token)
                break
            except Unresolvable:
                target = node.get("$ref") if isinstance(node, dict) else None
                hops += 1
                if not isinstance(target, str) or not target.startswith("#") or hops > _MAX_HOPS:
                    raise Unresolvable(ref) from None
                node = resolve_chain(doc, node)
    return node


def resolve_chain(doc: Any, node: Any) -> Any:
    """Follow `$ref` after `$ref` until a value that is not a local reference."""
    seen: set[int] = set()
    while isinstance(node, dict):
        target = node.get("$ref")
        if not isinstance(target, str) or not target.startswith("#"):
            break
        if id(node) in seen:
            raise Unresolvable(f"reference cycle at {target!r}")
        seen.add(id(node))
        node = resolve(doc, target)
    return node
