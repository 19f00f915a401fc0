"""The product model: everything the templates lay out, decided in Python.

Names here are `Identifier`s; type annotations are `Code` built from identifiers and escaped
literals; anything that is still spec text (summaries, descriptions, paths) is a plain `str`
that the templates must pass through an escaping filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from odido_gen._escape import Code
from odido_gen.naming import Identifier

__all__ = [
    "Body",
    "Operation",
    "Paging",
    "Parameter",
    "Product",
    "PyType",
    "Resource",
    "Result",
]

ParamLocation = Literal["path", "query", "header", "cookie"]
BodyKind = Literal["json", "form", "multipart", "binary", "text"]
ResultKind = Literal["json", "binary", "text", "none"]


@dataclass(frozen=True)
class PyType:
    """A Python type annotation and what it needs imported."""

    expr: Code
    models: frozenset[Identifier] = frozenset()
    typing: frozenset[str] = frozenset()  # names from typing / datetime the annotation uses

    def optional(self) -> PyType:
        if self.expr == "None" or self.expr.endswith("| None") or self.expr == "Any":
            return self
        return PyType(Code(f"{self.expr} | None"), self.models, self.typing)

    @staticmethod
    def union(types: list[PyType]) -> PyType:
        exprs: list[str] = []
        for t in types:
            for part in _split_union(t.expr):
                if part not in exprs:
                    exprs.append(part)
        if "Any" in exprs:
            exprs = ["Any"]
        if "None" in exprs:  # None last reads best and keeps `X | None` canonical
            exprs = [e for e in exprs if e != "None"] + ["None"]
        return PyType(
            Code(" | ".join(exprs)),
            frozenset().union(*(t.models for t in types)),
            frozenset().union(*(t.typing for t in types)),
        )


def _split_union(expr: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(expr):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(expr[start:i].strip())
            start = i + 1
    parts.append(expr[start:].strip())
    return parts


@dataclass(frozen=True)
class Parameter:
    name: Identifier  # the Python argument
    wire_name: str  # spec text
    location: ParamLocation
    type: PyType
    required: bool
    default: Code | None  # a Python literal, or None for "not sent unless given"
    description: str | None
    explode: bool = True  # False: arrays are sent joined (`a,b,c`)
    separator: str = ","
    deprecated: bool = False
    # A query parameter whose value is a model: sent as its properties, in this OpenAPI
    # style ("form" or "deepObject"); None for every other parameter.
    object_style: str | None = None

    @property
    def annotation(self) -> Code:
        return self.type.expr if self.required or self.default else self.type.optional().expr


@dataclass(frozen=True)
class Body:
    name: Identifier
    kind: BodyKind
    media_type: str
    type: PyType
    required: bool
    description: str | None

    @property
    def content_type_header(self) -> str | None:
        """An explicit Content-Type, where httpx would not set the right one by itself."""
        if self.kind in ("form", "multipart") or self.media_type == "application/json":
            return None
        return self.media_type


@dataclass(frozen=True)
class Result:
    kind: ResultKind
    type: PyType  # `None` for no content, `bytes` for binary, `str` for text
    # An explicit Accept header (spec text) where the answer is not plain application/json,
    # which the runtime asks for by default: a server may refuse that with 406.
    accept: str | None = None


@dataclass(frozen=True)
class Paging:
    """A page-number listing: `iter_<name>` walks the pages and yields their `entities`."""

    page_param: Identifier
    item: PyType
    start_default: bool  # the page parameter has a default, so it is never None


@dataclass(frozen=True)
class Operation:
    name: Identifier
    method: str  # upper case
    path: str  # spec text: reaches code only as an escaped literal
    operation_id: str | None
    summary: str | None
    description: str | None
    deprecated: bool
    parameters: tuple[Parameter, ...]
    body: Body | None
    result: Result
    errors: tuple[tuple[str, PyType], ...]  # ("404" | "4XX" | "default", type)
    paging: Paging | None
    pointer: str  # JSON pointer of the operation, for messages

    @property
    def path_params(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    @property
    def query_params(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "query")

    @property
    def header_params(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "header")

    @property
    def cookie_params(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "cookie")

    @property
    def positional(self) -> tuple[Parameter, ...]:
        return self.path_params

    @property
    def keyword_required(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location != "path" and p.required)

    @property
    def keyword_optional(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location != "path" and not p.required)

    @property
    def models(self) -> frozenset[Identifier]:
        """Model classes the method body needs at run time."""
        names: set[Identifier] = set(self.result.type.models)
        for _, t in self.errors:
            names |= t.models
        if self.paging:
            names |= self.paging.item.models
        return frozenset(names)

    @property
    def annotation_models(self) -> frozenset[Identifier]:
        names: set[Identifier] = set(self.models)
        for p in self.parameters:
            names |= p.type.models
        if self.body:
            names |= self.body.type.models
        return frozenset(names)

    @property
    def typing_names(self) -> frozenset[str]:
        names: set[str] = set(self.result.type.typing)
        for p in self.parameters:
            names |= p.type.typing
        if self.body:
            names |= self.body.type.typing
        if self.paging:
            names |= self.paging.item.typing
        return frozenset(names)


@dataclass(frozen=True)
class Resource:
    tag: str  # spec text
    attribute: Identifier  # client.<attribute>
    module: Identifier  # resources/<module>.py
    class_name: Identifier  # <X>Resource / Async<X>Resource
    description: str | None
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class SecurityNote:
    name: str
    kind: str  # e.g. "oauth2 (clientCredentials)", "apiKey in query"
    supported: bool


@dataclass
class Product:
    key: str
    distribution: str
    package: Identifier
    client_name: Identifier  # GenesysClient
    async_client_name: Identifier
    version: str
    title: str
    description: str | None
    api_version: str
    base_path: str
    header_name: str
    header_prefix: str
    scopes: tuple[str, ...]
    resources: tuple[Resource, ...]
    schemas: dict[str, Any]  # component schemas for the model generator, keyed by class name
    spec_source: str
    spec_sha256: str
    openapi_version: str = "3.0.3"
    security: tuple[SecurityNote, ...] = ()
    portal: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def referenced_models(self) -> frozenset[Identifier]:
        """Model classes the client modules name; each must exist in the models package."""
        names: set[Identifier] = set()
        for resource in self.resources:
            for op in resource.operations:
                names |= op.annotation_models
        return frozenset(names)

    @property
    def operation_count(self) -> int:
        return sum(len(r.operations) for r in self.resources)
