"""Reading a description (file or URL) and parsing it as JSON or YAML into plain JSON data."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from ._errors import Problem
from ._walk import Cell, tokens_of

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "display_source",
    "fetch",
    "is_url",
    "may_have_external_refs",
    "parse_document",
    "read_file",
]

# Larger than any real description (today's whole Genesys definition is about 20 MB).
MAX_BYTES = 128 * 1024 * 1024
# A YAML document may repeat content through aliases and merge keys; the expanded document
# may hold this many times the nodes PyYAML built (plus a floor) before it counts as a bomb.
_ALIAS_FACTOR = 50
_ALIAS_FLOOR = 100_000
# Far deeper than any real description (a few dozen levels). The generator's passes and the
# model generator recurse over schemas: a deeper document would end in a RecursionError.
MAX_DEPTH = 256

if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:  # libyaml's parser is ~10x faster; the resolver and constructor stay in Python.
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def is_url(source: str) -> bool:
    return source[:8].lower().startswith(("http://", "https://"))


def display_source(source: str) -> str:
    """The source as shown in messages: a URL loses its user info and query (may hold secrets)."""
    if not is_url(source):
        return source
    parts = urlsplit(source)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "..." if parts.query else "", ""))


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise Problem(f"file is larger than {MAX_BYTES} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise Problem("file not found") from None
    except IsADirectoryError:
        raise Problem("is a directory, not a file") from None
    except OSError as exc:
        raise Problem(f"cannot read file: {exc.strerror or exc}") from None


def fetch(url: str, timeout: float) -> bytes:
    try:
        with (
            httpx.Client(follow_redirects=True, timeout=timeout) as client,
            client.stream(
                "GET", url, headers={"Accept": "application/json, application/yaml, */*"}
            ) as resp,
        ):
            if resp.status_code >= 400:
                raise Problem(f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip())
            chunks: list[bytes] = []
            total = 0
            for chunk in resp.iter_bytes():
                total += len(chunk)
                if total > MAX_BYTES:
                    raise Problem(f"response is larger than {MAX_BYTES} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException:
        raise Problem(f"timed out after {timeout:g} s") from None
    except httpx.HTTPError as exc:
        # httpx messages name the URL; keep only the kind of failure (the URL may hold secrets).
        raise Problem(f"cannot fetch: {type(exc).__name__}") from None


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Problem(f"not valid UTF-16 at byte {exc.start}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise Problem(f"not valid UTF-8 at byte {exc.start} (line {line})") from None


def parse_document(raw: bytes) -> Any:
    """Parse JSON or YAML, chosen by content: text starting with `{` or `[` is tried as JSON
    first (YAML is a superset, but JSON parsing is much faster and its errors clearer)."""
    text = _decode(raw)
    if text.lstrip()[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            json_error = Problem(
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            )
        except ValueError as exc:  # an integer longer than Python converts
            raise Problem(_value_error(exc)) from None
        except RecursionError:
            raise Problem("JSON nested too deeply") from None
        else:
            _check_data(data)
            return data
        try:  # flow-style YAML (comments, single quotes) also starts with `{`
            data = _load_yaml(text)
        except Problem:
            raise json_error from None
    else:
        data = _load_yaml(text)
    _check_data(data)
    return data


def _value_error(exc: ValueError) -> str:
    if "integer string conversion" in str(exc):
        return f"a number has more than {sys.get_int_max_str_digits()} digits"
    return " ".join(str(exc).split())


# JSON's `"\\ud800"` escapes can spell half a character, which no file can hold as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_MESSAGE = "holds a lone surrogate (half of a UTF-16 pair), which is not text"


def _check_data(root: Any) -> None:
    """Refuse what JSON cannot hold or the generator cannot walk: documents nested deeper
    than `MAX_DEPTH`, non-finite numbers (`NaN`, `Infinity`, `1e999`, YAML's `.inf`) and
    lone surrogates."""
    if not isinstance(root, dict | list):
        if type(root) is float and not math.isfinite(root):
            raise Problem(f"{root!r} is not a JSON number")
        return
    # (container, depth, location as a linked list of (parent, token)); iterative on purpose.
    stack: list[tuple[Any, int, Cell]] = [(root, 1, None)]
    while stack:
        node, depth, cell = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, dict | list):
                if depth >= MAX_DEPTH:
                    raise Problem(
                        f"nested more than {MAX_DEPTH} levels deep below this point",
                        tokens_of((cell, key))[:8],
                    )
                stack.append((value, depth + 1, (cell, key)))
            elif type(value) is float and not math.isfinite(value):
                raise Problem(
                    f"{value!r} is not a JSON number (NaN, infinities and numbers out of "
                    "range are not allowed)",
                    tokens_of((cell, key)),
                )
            elif type(value) is str and not value.isascii() and _SURROGATE.search(value):
                raise Problem(_SURROGATE_MESSAGE, tokens_of((cell, key)))
            if type(key) is str and not key.isascii() and _SURROGATE.search(key):
                raise Problem(f"a key {_SURROGATE_MESSAGE}", tokens_of(cell))


class _Loader(_BaseLoader):
    """Safe YAML loader for descriptions.

    - timestamps and `!!binary` stay the strings they are written as (an `example: 2024-01-01`
      is not a `datetime`); `!!set`, `!!omap`, `!!pairs` and unknown tags are errors;
    - mapping keys are the key's text, so `200:` is `"200"` and `true:` is `"true"`;
    - merge keys and aliases are counted, so an alias or merge "bomb" fails fast.
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML's own class attribute)
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }
    yaml_constructors: ClassVar[dict[Any, Any]] = {
        tag: ctor
        for tag, ctor in _BaseLoader.yaml_constructors.items()
        if tag
        not in (
            "tag:yaml.org,2002:timestamp",
            "tag:yaml.org,2002:binary",
            "tag:yaml.org,2002:set",
            "tag:yaml.org,2002:omap",
            "tag:yaml.org,2002:pairs",
        )
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.odido_built = 0
        self.odido_shared = 0
        self.odido_merged = 0

    def construct_document(self, node: Node) -> Any:
        # `openapi: 3.0`, `swagger: 2.0` and `info: {version: 1.10}` are strings by definition:
        # keep their text rather than the float YAML reads (1.10 would become "1.1").
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node.value in ("openapi", "swagger"):
                    _as_text(value_node)
                elif key_node.value == "info" and isinstance(value_node, MappingNode):
                    for info_key, info_value in value_node.value:
                        if info_key.value == "version":
                            _as_text(info_value)
        return super().construct_document(node)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            self.odido_shared += 1
        else:
            self.odido_built += 1
        return super().construct_object(node, deep)

    def flatten_mapping(self, node: MappingNode) -> None:
        super().flatten_mapping(node)
        # Each call handles one mapping; merged key lists can double per level of merging.
        self.odido_merged += len(node.value)
        if self.odido_merged > _ALIAS_FLOOR + _ALIAS_FACTOR * max(self.odido_built, 1_000):
            raise ConstructorError(
                None, None, "merge keys (<<) expand to too many entries", node.start_mark
            )

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(
                None, None, f"expected a mapping node, but found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found a mapping key that is not a scalar",
                    key_node.start_mark,
                )
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping


def _as_text(node: Node) -> None:
    if isinstance(node, ScalarNode) and node.tag in (
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    ):
        node.tag = "tag:yaml.org,2002:str"


def _construct_text(loader: _Loader, node: Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)
_Loader.add_constructor("tag:yaml.org,2002:binary", _construct_text)


def _load_yaml(text: str) -> Any:
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise Problem(f"invalid YAML{where}: {what}") from None
    except yaml.YAMLError as exc:
        raise Problem(f"invalid YAML: {exc}") from None
    except ValueError as exc:  # an integer longer than Python converts
        raise Problem(f"invalid YAML: {_value_error(exc)}") from None
    except RecursionError:
        raise Problem("YAML nested too deeply") from None
    finally:
        loader.dispose()
    if loader.odido_shared:
        data = _unshare(data, _ALIAS_FLOOR + _ALIAS_FACTOR * loader.odido_built)
    return data


def _unshare(root: Any, budget: int) -> Any:
    """Copy the containers that aliases made shared (later repairs change objects in place),
    failing once the expanded document exceeds `budget` nodes (a "billion laughs")."""
    if not isinstance(root, dict | list):
        return root
    out: Any = {} if isinstance(root, dict) else []
    stack: list[tuple[Any, Any]] = [(root, out)]
    count = 0
    while stack:
        src, dst = stack.pop()
        count += len(src)
        if count > budget:
            raise Problem(
                f"YAML aliases expand to more than {budget} nodes "
                "(an alias bomb, or a recursive alias)"
            )
        if isinstance(src, dict):
            for key, value in src.items():
                if isinstance(value, dict | list):
                    copy: Any = {} if isinstance(value, dict) else []
                    stack.append((value, copy))
                    dst[key] = copy
                else:
                    dst[key] = value
        else:
            for value in src:
                if isinstance(value, dict | list):
                    copy = {} if isinstance(value, dict) else []
                    stack.append((value, copy))
                    dst.append(copy)
                else:
                    dst.append(value)
    return out


# Possessive `\s*+`: backtracking into the spaces must not let the lookahead see a space.
_EXTERNAL_REF = re.compile(r"""\$ref["']?\s*+:\s*+(?!["']?#)""")


def may_have_external_refs(raw: bytes) -> bool:
    """Cheap test before the walk that looks for `$ref`s to other files."""
    return _EXTERNAL_REF.search(raw.decode("utf-8", "replace")) is not None
