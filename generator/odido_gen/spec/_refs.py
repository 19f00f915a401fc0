"""`$ref` handling: bundling references to other local files, and checking local references."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ._errors import Problem, Report, pointer
from ._parse import parse_document, read_file
from ._pointer import Unresolvable, parse_fragment, resolve
from ._repair import RefSite
from ._walk import Cell, Kind, clone, tokens_of, walk

__all__ = ["MAX_REF_CHAIN", "bundle_external", "check_local_refs", "check_ref_chains"]

# Component map for a reference met in a given context (when the target's own location
# does not say it).
_BUCKET_OF_KIND = {
    Kind.SCHEMA: "schemas",
    Kind.PARAM: "parameters",
    Kind.RESPONSE: "responses",
    Kind.HEADER: "headers",
    Kind.EXAMPLE: "examples",
    Kind.REQUEST_BODY: "requestBodies",
    Kind.LINK: "links",
    Kind.CALLBACK: "callbacks",
    Kind.SECURITY_SCHEME: "securitySchemes",
}
_KIND_OF_BUCKET = {bucket: kind for kind, bucket in _BUCKET_OF_KIND.items()} | {
    "definitions": Kind.SCHEMA,
    "pathItems": Kind.PATH_ITEM,
}
# Swagger 2.0 keeps only three kinds of reusable objects, at the top level.
_SWAGGER2_BUCKETS = {"schemas": "definitions", "parameters": "parameters", "responses": "responses"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_BUNDLED = 10_000
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class _Bundler:
    def __init__(self, doc: dict[str, Any], main: Path, swagger2: bool) -> None:
        self.doc = doc
        self.main = main
        # Referenced files must lie in the main file's folder (or below it): a spec comes from
        # a portal, and `../../home/me/.netrc` must not be read into a package or an error.
        self.root = main.parent
        self.swagger2 = swagger2
        self.files: dict[Path, Any] = {main: doc}
        self.memo: dict[tuple[Path, str], str] = {}
        self.count = 0
        # (object to scan, its location, its kind, the file its local refs are relative to)
        self.work: list[tuple[dict[str, Any], Cell, int, Path]] = []
        self.pending: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
        self.taken: dict[int, set[str]] = {}

    def run(self) -> None:
        self.work.append((self.doc, None, Kind.ROOT, self.main))
        while self.work:
            obj, cell, kind, base = self.work.pop()
            # Objects replaced by the file content they name; done after the walk, which
            # must not descend into content whose references are relative to another file.
            inline: list[tuple[dict[str, Any], Cell, int, Path, dict[str, Any]]] = []
            for node, here, node_kind in walk(obj, kind, cell):
                ref = node.get("$ref")
                if not isinstance(ref, str) or (ref.startswith("#") and base == self.main):
                    continue
                local = self.localize(ref, base, here, node_kind)
                if isinstance(local, str):
                    node["$ref"] = local
                else:
                    inline.append((node, here, node_kind, local[0], local[1]))
            for node, here, node_kind, path, value in inline:
                node.clear()
                node.update(clone(value))
                self.work.append((node, here, node_kind, path))
        for container, name, copy in self.pending:
            container[name] = copy

    def localize(
        self, ref: str, base: Path, cell: Cell, kind: int
    ) -> str | tuple[Path, dict[str, Any]]:
        """The local reference that replaces `ref`, or (file, object) to copy in its place."""
        where = [*tokens_of(cell), "$ref"]
        if _SCHEME.match(ref):
            raise Problem(f"remote $ref {ref!r} is not supported (download it first)", where)
        file_part, _, fragment = ref.partition("#")
        fragment = "#" + fragment
        path = (base.parent / unquote(file_part)).resolve() if file_part else base
        if not path.is_relative_to(self.root):
            raise Problem(
                f"$ref {ref!r} names a file outside the spec's folder {self.root} (refused: "
                "a spec may only refer to files beside it or below)",
                where,
            )
        if path == self.main:
            return fragment
        key = (path, fragment)
        if key in self.memo:
            return self.memo[key]
        target_doc = self.load(path, ref, where)
        try:
            value = resolve(target_doc, fragment)
        except Unresolvable:
            raise Problem(f"$ref {ref!r}: {fragment} not found in {path}", where) from None
        if not isinstance(value, dict):
            raise Problem(f"$ref {ref!r} does not name an object", where)
        self.count += 1
        if self.count > _MAX_BUNDLED:
            raise Problem(f"more than {_MAX_BUNDLED} references to other files", where)
        tokens = parse_fragment(fragment) if fragment != "#" else []
        bucket = self.bucket(tokens, kind)
        if bucket is None:  # no place for it among reusable objects (a path item)
            return path, value
        container = self.container(bucket)
        name = self.unique_name(container, tokens[-1] if tokens else Path(file_part).stem)
        copy = clone(value)
        # Added to the document at the end: the walk of the document must not meet copies
        # whose references are relative to another file.
        self.pending.append((container, name, copy))
        place: list[str | int] = [bucket, name] if self.swagger2 else ["components", bucket, name]
        local = pointer(place)
        self.memo[key] = local
        target_cell: Cell = None
        for token in place:
            target_cell = (target_cell, token)
        self.work.append((copy, target_cell, _KIND_OF_BUCKET.get(bucket, Kind.OTHER), path))
        return local

    def bucket(self, tokens: list[str], kind: int) -> str | None:
        if len(tokens) == 3 and tokens[0] == "components":
            bucket: str | None = tokens[1]
        elif len(tokens) == 2 and tokens[0] in ("definitions", "parameters", "responses"):
            bucket = "schemas" if tokens[0] == "definitions" else tokens[0]
        else:
            bucket = _BUCKET_OF_KIND.get(kind, "schemas" if kind == Kind.OTHER else None)
        if bucket is not None and self.swagger2:
            return _SWAGGER2_BUCKETS.get(bucket)
        return bucket

    def container(self, bucket: str) -> dict[str, Any]:
        parent = self.doc if self.swagger2 else self.doc.setdefault("components", {})
        if not isinstance(parent, dict):
            raise Problem("components is not an object", ["components"])
        container = parent.setdefault(bucket, {})
        if not isinstance(container, dict):
            raise Problem(f"{bucket} is not an object", [bucket])
        return container

    def unique_name(self, container: dict[str, Any], wanted: str) -> str:
        taken = self.taken.setdefault(id(container), set())
        base = _SAFE_NAME.sub("_", wanted).strip("_") or "Bundled"
        name, n = base, 1
        while name in container or name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        return name

    def load(self, path: Path, ref: str, where: list[str | int]) -> Any:
        if path not in self.files:
            try:
                raw = read_file(path)
            except Problem as exc:
                raise Problem(f"$ref {ref!r}: {path}: {exc.detail}", where) from None
            try:
                self.files[path] = parse_document(raw)
            except Problem as exc:
                raise Problem(exc.detail, source=str(path)) from None
        return self.files[path]


def bundle_external(doc: dict[str, Any], main: Path | None, *, swagger2: bool) -> None:
    """Copy the targets of `$ref`s to other local files into the document's reusable objects
    (a stable, unique name each) and point the references at the copies. `$ref`s inside `x-`
    extensions are left alone."""
    if main is None:
        for node, cell, _ in walk(doc):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                raise Problem(
                    f"$ref {ref!r} to another file cannot be followed for a description "
                    "loaded from a URL",
                    [*tokens_of(cell), "$ref"],
                )
        return
    _Bundler(doc, main.resolve(), swagger2).run()


def check_local_refs(doc: dict[str, Any], refs: list[RefSite], report: Report) -> None:
    """Fail on the first (in document order) local `$ref` whose target does not exist.

    One case is repaired instead: a schema `$ref` to a component schema that does not exist
    (`#/components/schemas/Name`, as converters write for types they could not map) becomes
    an empty schema, which allows any value.
    """
    schemas = (
        doc.get("components", {}).get("schemas")
        if isinstance(doc.get("components"), dict)
        else None
    )
    for obj, cell, kind, ref in refs:
        where = [*tokens_of(cell), "$ref"]
        if not ref.startswith("#"):
            raise Problem(f"$ref {ref!r} to another file was not bundled", where)
        if ref != "#" and not ref.startswith("#/"):
            raise Problem(f"unsupported $ref {ref!r} (only JSON pointers are supported)", where)
        try:
            resolve(doc, ref)
        except Unresolvable:
            tokens = parse_fragment(ref)
            if (
                kind == Kind.SCHEMA
                and isinstance(schemas, dict)
                and len(tokens) == 3
                and tokens[:2] == ["components", "schemas"]
                and obj.get("$ref") == ref
            ):
                report.warn(
                    where,
                    f"unresolvable $ref {ref!r}: no such schema; replaced by an empty schema "
                    "(any value)",
                )
                del obj["$ref"]
                continue
            raise Problem(f"unresolvable $ref {ref!r}: no such location", where) from None


# A schema that stands for another one (an alias, `items`, `allOf`, `anyOf`, ...) is typed by
# following the reference; the model generator's time grows much faster than the length of
# such chains (hundreds of seconds for a few hundred). Real descriptions chain a few.
MAX_REF_CHAIN = 32
_SCHEMAS = "#/components/schemas/"
# Keywords whose members are named fields of a model: a reference there names a class.
_FIELD_MAPS = frozenset({"properties", "patternProperties"})
_NAME_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs"})


def _through_fields(tokens: list[str | int]) -> bool:
    """Whether a location inside a component schema passes through a model's fields."""
    expect_name = False
    for token in tokens:
        if expect_name:
            expect_name = False
        elif token in _FIELD_MAPS:
            return True
        elif token in _NAME_MAPS:
            expect_name = True
    return False


def _is_choice(tokens: list[str | int]) -> bool:
    """Whether a location inside a schema is the schema itself or one of its `anyOf`/`oneOf`
    choices (of choices): a reference there stands for the whole value, nothing nested."""
    pairs = zip(tokens[::2], tokens[1::2], strict=False)
    return len(tokens) % 2 == 0 and all(k in ("anyOf", "oneOf") for k, _ in pairs)


def check_ref_chains(refs: list[RefSite]) -> None:
    """Fail when component schemas refer to each other in a chain longer than
    `MAX_REF_CHAIN` outside model fields (cycles are cut, as the generator cuts them), or in
    a cycle of aliases and choices alone (`S: anyOf [string, S]`): validators recurse on
    those until the stack overflows (pydantic-core crashes the interpreter)."""
    edges: dict[str, list[str]] = {}
    choices: dict[str, list[str]] = {}
    for _, cell, kind, ref in refs:
        if kind != Kind.SCHEMA or not ref.startswith(_SCHEMAS):
            continue
        tokens = tokens_of(cell)
        if len(tokens) < 3 or tokens[:2] != ["components", "schemas"]:
            continue
        if _through_fields(tokens[3:]):
            continue
        to = parse_fragment(ref)
        if len(to) == 3:
            edges.setdefault(str(tokens[2]), []).append(to[2])
            if _is_choice(tokens[3:]):
                choices.setdefault(str(tokens[2]), []).append(to[2])
    if not edges:
        return
    _refuse_choice_cycles(choices)
    # Longest chain from each schema: an iterative depth-first walk, each schema done once.
    longest: dict[str, int] = {}
    following: dict[str, str] = {}
    active: set[str] = set()
    for start in edges:
        if start in longest:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        active.add(start)
        while stack:
            node, index = stack[-1]
            targets = edges.get(node, [])
            if index < len(targets):
                stack[-1] = (node, index + 1)
                target = targets[index]
                if target not in longest and target not in active:
                    active.add(target)
                    stack.append((target, 0))
                continue
            stack.pop()
            active.discard(node)
            best, after = 0, None
            for target in targets:
                length = 1 + longest.get(target, 0)  # a target still active closes a cycle
                if length > best:
                    best, after = length, target
            longest[node] = best
            if after is not None:
                following[node] = after
            if best > MAX_REF_CHAIN:
                chain = [node]
                while len(chain) < 4 and chain[-1] in following:
                    chain.append(following[chain[-1]])
                raise Problem(
                    f"schemas refer to each other in a chain of more than {MAX_REF_CHAIN} "
                    f"references ({' -> '.join(chain)} -> ...)",
                    ["components", "schemas", node],
                )


def _refuse_choice_cycles(choices: dict[str, list[str]]) -> None:
    done: set[str] = set()
    for start in choices:
        if start in done:
            continue
        path = [start]
        on_path = {start}
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node, index = stack[-1]
            targets = choices.get(node, [])
            if index == len(targets):
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            stack[-1] = (node, index + 1)
            target = targets[index]
            if target in on_path:
                cycle = [*path[path.index(target) :], target]
                raise Problem(
                    "schemas refer to themselves through $ref, anyOf and oneOf alone "
                    f"({' -> '.join(cycle[:5])}{' -> ...' if len(cycle) > 5 else ''}): with "
                    "nothing nested in between, validators recurse on them without end",
                    ["components", "schemas", target],
                )
            if target not in done:
                path.append(target)
                on_path.add(target)
                stack.append((target, 0))
