"""From a normalised OpenAPI 3.x document and a product config to the product model."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from odido_gen._escape import Code, Untrusted, py_literal, py_str, untrusted
from odido_gen.config import ProductConfig
from odido_gen.model._types import (
    Body,
    BodyKind,
    Operation,
    Paging,
    Parameter,
    Product,
    PyType,
    Resource,
    Result,
    SecurityNote,
)
from odido_gen.naming import Identifier, UniqueNames, class_name, module_name, snake_case

__all__ = ["build_product"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_PREFIX = "#/components/schemas/"

# Names the generated modules define or import at top level; a model class must not shadow one.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Any",
        "AsyncAPIClient",
        "AsyncPager",
        "Literal",
        "Mapping",
        "Model",
        "NotGiven",
        "ProductInfo",
        "HeaderStyle",
        "SyncAPIClient",
        "SyncPager",
        "TYPE_CHECKING",
        "ClassVar",
        "Field",
        "RootModel",
        "BaseModel",
        "ConfigDict",
    },
)
# Argument names every generated method uses itself.
RESERVED_ARGUMENTS = frozenset(
    {
        "self",
        "timeout",
        "max_retries",
        "extra_headers",
        "response",
        "data",
        "files",
        "httpx",
        "datetime",
        "date",
        "models",
        # builtins the method bodies use in annotations passed at run time (list[...], ...)
        "list",
        "dict",
        "str",
        "bytes",
        "int",
        "float",
        "bool",
        "set",
        "tuple",
        # the runtime helpers generated method bodies call
        "build_path",
        "parse_response",
        "to_query_value",
        "join_values",
        "form_fields",
        "query_object",
    },
)
RESERVED_MEMBERS = frozenset({"_client", "with_options"})


def _client_attributes() -> frozenset[str]:
    """Attributes of the runtime's base clients: a resource attribute must not hide one."""
    from odido_runtime import AsyncAPIClient, SyncAPIClient

    return frozenset(
        {*dir(SyncAPIClient), *dir(AsyncAPIClient), "product", "credentials", "environment"}
    )


# Longer annotations are unreadable and come only from hostile or degenerate specs.
_MAX_ANNOTATION = 2000
# Schema keys whose values are names (of properties, of nested definitions), not keywords.
_NAME_MAPS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}
)
# Of those, the maps whose values describe parts of an instance, and single keys that do
# (with the suffix of the class name an inline object there gets): see `_nested`.
_INSTANCE_MAPS = frozenset({"properties", "patternProperties"})
_INSTANCE_KEYS = {"items": "Item", "additionalProperties": "Value"}
# Keywords about how a schema is used where it is referenced, kept beside a `$ref`.
_USE_KEYWORDS = frozenset(
    {"description", "nullable", "readOnly", "writeOnly", "deprecated", "default"}
)
# Schema keys whose values are data.
_DATA_KEYWORDS = frozenset({"default", "enum", "const"})
_DROPPED_KEYWORDS = frozenset(
    {
        "example",
        "examples",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    },
)
# Header parameters OpenAPI says to ignore (3.0 and 3.1, "Parameter Object"), and those that
# would let a spec redirect the request or override what the transport and auth decide.
_IGNORED_HEADERS = frozenset(
    {
        "accept",
        "content-type",
        "authorization",
        "host",
        "cookie",
        "connection",
        "content-length",
        "transfer-encoding",
        "proxy-authorization",
    },
)
_HEADER_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$")  # RFC 9110 field name
_JSON_MEDIA = re.compile(r"^application/([\w.+-]*\+)?json(;.*)?$|^\*/\*$|^application/x-json")
_TEXT_MEDIA = re.compile(r"^text/")
_FORM_MEDIA = "application/x-www-form-urlencoded"
_MULTIPART_MEDIA = re.compile(r"^multipart/")


def _escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class _Builder:
    def __init__(self, document: Mapping[str, Any], config: ProductConfig) -> None:
        self.doc = document
        self.config = config
        self.warnings: list[str] = []
        components = document.get("components") or {}
        self.components: Mapping[str, Any] = components
        raw_schemas: Mapping[str, Any] = components.get("schemas") or {}
        self.class_names = UniqueNames(RESERVED_CLASS_NAMES, separator="")
        # Every component schema gets a unique, safe class name before anything refers to it.
        self.schema_names: dict[str, Identifier] = {
            name: self.class_names.claim(class_name(name)) for name in raw_schemas
        }
        self.raw_schemas = raw_schemas
        self._type_memo: dict[tuple[int, bool], PyType] = {}
        self.schemas: dict[str, Any] = {}
        for name, schema in raw_schemas.items():
            owner = self.schema_names[name]
            self.schemas[owner] = self._rewrite_refs(schema, owner)

    # -- references -------------------------------------------------------------------------

    def _rewrite_refs(
        self,
        node: Any,
        owner: str = "",
        *,
        all_of_member: bool = False,
        inherited: frozenset[str] = frozenset(),
    ) -> Any:
        """Copy a schema for the model generator.

        `$ref`s (and discriminator mappings) point at the renamed component schemas; prose
        loses trailing blanks; examples, extensions and validation constraints are left out:
        a client parses what servers send, and servers do not always keep their own limits.
        Property names are names, and default/enum/const values are data: both are copied
        as they are, never read as keywords. Inline object variants of a oneOf/anyOf become
        component schemas of their own (named after `owner` and their title), so that every
        union member is a named model, and so do inline objects inside others (`_nested`),
        except properties that `inherited` names (declared by another `allOf` member).
        `allOf` members that only annotate (`nullable`, prose) join their parent, and names
        in `required` that no property declares are dropped (for an `allOf` member: none of
        the composition's).
        """
        if isinstance(node, list):
            return [self._rewrite_refs(v, owner) for v in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("allOf"), list) and isinstance(node.get("properties"), dict):
            inherited |= self._names_declared_by(node["allOf"])
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED_KEYWORDS or key.startswith("x-"):
                continue
            if key == "additionalProperties" and value is False:
                continue  # fields a newer server adds must survive in `model_extra`
            if key == "nullable" and value is False:
                # The default, said out loud (Box): the model generator would then type an
                # optional field `bool = None`, which no type checker accepts.
                continue
            if key == "default" and value is None and not _allows_null(node):
                continue  # `default: null` on a schema that cannot be null means "no default"
            if key in _DATA_KEYWORDS:
                out[key] = value
            elif key in _INSTANCE_MAPS and isinstance(value, dict):
                # A property another allOf member declares too stays inline: the model
                # generator keeps that member's type for it (a named type would override it,
                # which type checkers refuse when the two differ).
                out[key] = {
                    name: (self._rewrite_refs if name in inherited else self._nested)(
                        v, f"{owner}{class_name(name)}"
                    )
                    for name, v in value.items()
                }
            elif key in _NAME_MAPS and isinstance(value, dict):
                out[key] = {
                    name: self._rewrite_refs(v, f"{owner}{class_name(name)}")
                    for name, v in value.items()
                }
            elif key in _INSTANCE_KEYS and isinstance(value, dict):
                out[key] = self._nested(value, f"{owner}{_INSTANCE_KEYS[key]}")
            elif key in ("oneOf", "anyOf") and isinstance(value, list):
                out[key] = [self._variant(v, owner, i) for i, v in enumerate(value, 1)]
            elif key == "allOf" and isinstance(value, list):
                out[key] = [
                    self._rewrite_refs(
                        v,
                        owner,
                        all_of_member=True,
                        inherited=self._names_declared_by(value[:i] + value[i + 1 :]),
                    )
                    for i, v in enumerate(value)
                ]
            elif key in ("description", "title") and isinstance(value, str):
                # Trailing blanks in prose would end up inside docstrings, where no
                # formatter may remove them.
                out[key] = "\n".join(line.rstrip() for line in value.strip().splitlines())
            elif key == "$ref" and isinstance(value, str):
                out[key] = self._renamed_ref(value)
            elif key == "discriminator" and isinstance(value, dict):
                mapping = value.get("mapping")
                out[key] = dict(value)
                if isinstance(mapping, dict):
                    out[key]["mapping"] = {
                        k: self._renamed_ref(v) if isinstance(v, str) else v
                        for k, v in mapping.items()
                    }
            else:
                out[key] = self._rewrite_refs(value, owner)
        _relax_one_way_required(out)
        _merge_annotation_members(out)
        if not all_of_member:
            self._drop_undeclared_required(out, node, owner)
        return out

    def _drop_undeclared_required(
        self, schema: dict[str, Any], raw: Mapping[str, Any], owner: str
    ) -> None:
        """Make optional what `required` names but no property declares (Box's `accessed`).

        Such a name cannot be typed; required, it refuses every answer that leaves it out,
        the spec's own examples included. A schema open to other properties keeps it.
        """
        if "required" not in schema and "allOf" not in schema:
            return
        declared, closed = self._declared(raw, set())
        if not closed:
            return
        dropped: set[str] = set()
        for part in [schema, *(m for m in schema.get("allOf") or [] if isinstance(m, dict))]:
            required = part.get("required")
            if isinstance(required, list) and (missing := set(required) - declared):
                part["required"] = [name for name in required if name not in missing]
                dropped |= missing
        if dropped:
            names = ", ".join(sorted(repr(n) for n in dropped))
            self.warnings.append(
                f"schema {owner}: required {names} declared by no property; made optional"
            )

    def _names_declared_by(self, members: list[Any]) -> frozenset[str]:
        """The property names some of `members` (schemas of the spec) declare."""
        return frozenset(name for member in members for name in self._declared(member, set())[0])

    def _declared(self, schema: Any, seen: set[str]) -> tuple[set[str], bool]:
        """The property names a schema of the spec declares (with its `allOf`, through
        `$ref`s), and whether those are all it allows: not when it is open to others
        (additional or pattern properties) or part of the composition cannot be read."""
        if not isinstance(schema, dict):
            return set(), False
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith(_SCHEMA_PREFIX) or ref in seen:
                return set(), False
            seen.add(ref)
            return self._declared(self.raw_schemas.get(_unescape(ref[len(_SCHEMA_PREFIX) :])), seen)
        closed = schema.get("additionalProperties") in (None, False) and not schema.get(
            "patternProperties"
        )
        props = schema.get("properties")
        names = set(props) if isinstance(props, dict) else set()
        for member in schema.get("allOf") or []:
            more, member_closed = self._declared(member, seen)
            names |= more
            closed = closed and member_closed
        return names, closed

    def _nested(self, node: Any, hint: str) -> Any:
        """A schema inside another; an inline object becomes a component of its own, named
        after where it sits (`Folder.classification` -> `FolderClassification`).

        The model generator names nested classes by their property alone, so Box's
        `File.classification` became a second `Classification` beside the component of that
        name, and `models.Classification` meant whichever module sorted first. Named here,
        every class has one name of its own. What describes the use (nullable, readOnly,
        default, ...) stays beside the `$ref`; the description goes to both.
        """
        if not (isinstance(node, dict) and _is_inline_object(node)):
            return self._rewrite_refs(node, hint)
        name = self.class_names.claim(class_name(hint))
        body = {k: v for k, v in node.items() if k not in _USE_KEYWORDS or k == "description"}
        self.schemas[name] = self._rewrite_refs(body, name)
        use = self._rewrite_refs({k: v for k, v in node.items() if k in _USE_KEYWORDS}, hint)
        return {"$ref": f"{_SCHEMA_PREFIX}{name}", **use}

    def _variant(self, member: Any, owner: str, index: int) -> Any:
        if not (isinstance(member, dict) and _is_model(member)):
            return self._rewrite_refs(member, owner)
        title = member.get("title")
        hint = f"{owner}{class_name(title) if isinstance(title, str) else f'Option{index}'}"
        name = self.class_names.claim(class_name(hint))
        self.schemas[name] = self._rewrite_refs(member, name)
        return {"$ref": f"{_SCHEMA_PREFIX}{name}"}

    def _renamed_ref(self, ref: str) -> str:
        if not ref.startswith(_SCHEMA_PREFIX):
            return ref
        head, _, rest = ref[len(_SCHEMA_PREFIX) :].partition("/")
        target = self.schema_names.get(_unescape(head))
        if target is None:
            return ref
        return f"{_SCHEMA_PREFIX}{target}" + (f"/{rest}" if rest else "")

    def _deref(self, node: Any) -> Any:
        """Follow `$ref`s to components (parameters, bodies, responses); cycles stop the walk."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(ref := node.get("$ref"), str):
            if ref in seen or not ref.startswith("#/"):
                return {}
            seen.add(ref)
            target: Any = self.doc
            for token in ref[2:].split("/"):
                target = target.get(_unescape(token)) if isinstance(target, dict) else None
            node = target if target is not None else {}
        return node

    def _component_of(self, schema: Mapping[str, Any]) -> Identifier | None:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX) and "/" not in ref[21:]:
            return self.schema_names.get(_unescape(ref[len(_SCHEMA_PREFIX) :]))
        return None

    # -- types ------------------------------------------------------------------------------

    def type_of(
        self,
        schema: Any,
        hint: str,
        *,
        open_enums: bool,
        visiting: frozenset[str] = frozenset(),
    ) -> PyType:
        """The annotation for a schema; inline objects become models named after `hint`.

        Memoised per schema object: schemas that refer to each other through unions and arrays
        would otherwise be expanded again at every use (exponential in a hostile spec), and an
        annotation that still grows too long becomes `Any`.
        """
        if not isinstance(schema, dict) or not schema:
            return PyType(Code("Any"), typing=frozenset({"Any"}))
        memo_key = (id(schema), open_enums)
        if (known := self._type_memo.get(memo_key)) is not None:
            return known
        result = self._type_of(schema, hint, open_enums=open_enums, visiting=visiting)
        if len(result.expr) > _MAX_ANNOTATION:
            result = PyType(Code("Any"), typing=frozenset({"Any"}))
        self._type_memo[memo_key] = result
        return result

    def _type_of(
        self,
        schema: dict[str, Any],
        hint: str,
        *,
        open_enums: bool,
        visiting: frozenset[str],
    ) -> PyType:
        component = self._component_of(schema)
        if component is not None:
            raw = self.raw_schemas[_unescape(schema["$ref"][len(_SCHEMA_PREFIX) :])]
            if _is_model(raw) or component in visiting:
                return _model_type(component)
            return self.type_of(
                raw, component, open_enums=open_enums, visiting=visiting | {component}
            )
        if "$ref" in schema:  # a ref to something that is not a whole schema: leave it open
            return PyType(Code("Any"), typing=frozenset({"Any"}))
        nullable = bool(schema.get("nullable"))
        types = schema.get("type")
        if isinstance(types, list):
            nullable = nullable or "null" in types
            non_null = [t for t in types if t != "null"]
            if len(non_null) > 1:
                parts = [
                    self.type_of(
                        {**schema, "type": t}, hint, open_enums=open_enums, visiting=visiting
                    )
                    for t in non_null
                ]
                result = PyType.union(parts)
                return result.optional() if nullable else result
            types = non_null[0] if non_null else None
        result = self._type_of_single(schema, types, hint, open_enums=open_enums, visiting=visiting)
        return result.optional() if nullable else result

    def _type_of_single(
        self,
        schema: Mapping[str, Any],
        type_: Any,
        hint: str,
        *,
        open_enums: bool,
        visiting: frozenset[str],
    ) -> PyType:
        if "const" in schema and _is_scalar(schema["const"]):
            return _literal([schema["const"]], open_=False)
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and all(_is_scalar(v) for v in enum):
            values = [v for v in enum if v is not None]
            if values:
                t = _literal(values, open_=open_enums and all(isinstance(v, str) for v in values))
                return t.optional() if None in enum else t
        for keyword in ("oneOf", "anyOf"):
            members = schema.get(keyword)
            if isinstance(members, list) and members and not schema.get("properties"):
                parts = [
                    self.type_of(m, f"{hint}{i}", open_enums=open_enums, visiting=visiting)
                    for i, m in enumerate(members, 1)
                ]
                return PyType.union(parts)
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and not schema.get("properties"):
            return self.type_of(all_of[0], hint, open_enums=open_enums, visiting=visiting)
        if type_ == "string":
            fmt = schema.get("format")
            if fmt == "binary":
                return PyType(Code("bytes"))
            if fmt == "date-time":
                return PyType(Code("datetime"), typing=frozenset({"datetime"}))
            if fmt == "date":
                return PyType(Code("date"), typing=frozenset({"date"}))
            return PyType(Code("str"))
        if type_ == "integer":
            return PyType(Code("int"))
        if type_ == "number":
            return PyType(Code("float"))
        if type_ == "boolean":
            return PyType(Code("bool"))
        if type_ == "null":
            return PyType(Code("None"))
        if type_ == "array" or "items" in schema:
            item = self.type_of(
                schema.get("items"), f"{hint}Item", open_enums=open_enums, visiting=visiting
            )
            return PyType(Code(f"list[{item.expr}]"), item.models, item.typing)
        if _is_model(schema):
            return self._hoist(schema, hint)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            value = self.type_of(extra, f"{hint}Value", open_enums=open_enums, visiting=visiting)
            return PyType(Code(f"dict[str, {value.expr}]"), value.models, value.typing)
        if type_ == "object":
            return PyType(Code("dict[str, Any]"), typing=frozenset({"Any"}))
        return PyType(Code("Any"), typing=frozenset({"Any"}))

    def _hoist(self, schema: Mapping[str, Any], hint: str) -> PyType:
        """Give an inline object schema a component name of its own, so it becomes a model."""
        name = self.class_names.claim(class_name(hint))
        self.schemas[name] = self._rewrite_refs(schema, name)
        return _model_type(name)

    # -- operations -------------------------------------------------------------------------

    def operations(self) -> Iterator[tuple[str, str, str, Mapping[str, Any], list[Any]]]:
        paths = self.doc.get("paths") or {}
        for path, item in paths.items():
            if not isinstance(item, dict) or str(path).startswith("x-"):
                continue  # extensions of the Paths object are not paths
            item = self._deref(item)
            shared = item.get("parameters") or []
            for method in _METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    pointer = f"#/paths/{_escape_pointer(path)}/{method}"
                    yield path, method, pointer, op, shared

    def build(self) -> Product:
        resources: dict[str, list[tuple[str, str, str, Mapping[str, Any], list[Any]]]] = {}
        tag_docs = {
            t.get("name"): t.get("description")
            for t in self.doc.get("tags") or []
            if isinstance(t, dict)
        }
        for entry in self.operations():
            tags = entry[3].get("tags") or ["default"]
            resources.setdefault(str(tags[0]), []).append(entry)

        attributes = UniqueNames(_client_attributes())
        built: list[Resource] = []
        for tag, entries in resources.items():
            attribute = attributes.claim(snake_case(tag, fallback="default", avoid_builtins=False))
            # From the (unique) attribute, so that two tags never make one class name.
            resource_class = Identifier(f"{class_name(attribute, fallback='Default')}Resource")
            members = UniqueNames(RESERVED_MEMBERS)
            ops = tuple(self._operation(members, *entry) for entry in entries)
            built.append(
                Resource(
                    tag=Untrusted(tag),
                    attribute=attribute,
                    module=module_name(attribute),
                    class_name=resource_class,
                    description=_text(tag_docs.get(tag)),
                    operations=ops,
                ),
            )
        info = self.doc.get("info") or {}
        return Product(
            key=self.config.key,
            distribution=self.config.distribution,
            package=Identifier(self.config.package),
            client_name=Identifier(f"{self.config.client_name}Client"),
            async_client_name=Identifier(f"Async{self.config.client_name}Client"),
            version=self.config.version,
            title=Untrusted(str(info.get("title") or self.config.client_name)),
            description=_text(self.config.description or info.get("description")),
            api_version=Untrusted(str(info.get("version") or "")),
            base_path=self.config.base_path,
            header_name=self.config.header.name,
            header_prefix=self.config.header.prefix,
            scopes=self.config.scopes,
            resources=tuple(built),
            schemas=self.schemas,
            spec_source=self.config.spec,
            spec_sha256="",
            openapi_version=str(self.doc.get("openapi") or "3.0.3"),
            security=self._security(),
            portal=dict(self.config.portal) if self.config.portal else None,
            warnings=self.warnings,
        )

    def _operation(
        self,
        members: UniqueNames,
        path: str,
        method: str,
        pointer: str,
        op: Mapping[str, Any],
        shared: list[Any],
    ) -> Operation:
        operation_id = op.get("operationId")
        base = (
            operation_id if isinstance(operation_id, str) and operation_id else f"{method} {path}"
        )
        name = members.claim(snake_case(base, fallback=method, avoid_builtins=False))
        hint = class_name(base, fallback="Operation")

        arguments = UniqueNames(RESERVED_ARGUMENTS)
        merged: dict[tuple[str, str], Any] = {}
        for raw in [*shared, *(op.get("parameters") or [])]:
            param = self._deref(raw)
            if isinstance(param, dict) and "name" in param and "in" in param:
                merged[(str(param["name"]), str(param["in"]))] = param
        params: list[Parameter] = []
        accept: str | None = None
        # Path parameters first, in the order the path names them: they are positional.
        order = {n: i for i, n in enumerate(re.findall(r"{([^}]+)}", path))}
        for (wire, location), param in sorted(
            merged.items(),
            key=lambda kv: (
                kv[0][1] != "path",
                order.get(kv[0][0], 0) if kv[0][1] == "path" else 0,
            ),
        ):
            if location == "cookie":
                self.warnings.append(
                    f"{pointer}: cookie parameter {wire!r} is not supported; it is left out",
                )
                continue
            if location not in ("path", "query", "header"):
                continue
            if location == "header" and wire.lower() == "accept":
                # OpenAPI says to ignore it, but one allowed value is one the server insists
                # on (Tyk's streams API: application/vnd.tyk.streams.oas): send that.
                accept = _only_value(self._deref(param.get("schema")))
                continue
            if location == "header" and wire.lower() in _IGNORED_HEADERS:
                continue  # described by the body, the responses, the security scheme, httpx
            if location == "header" and not _HEADER_TOKEN.match(wire):
                self.warnings.append(
                    f"{pointer}: header parameter {wire!r} is not a valid HTTP field name; "
                    "it is left out",
                )
                continue
            params.append(self._parameter(arguments, hint, wire, location, param, pointer))

        body = self._body(arguments, hint, op.get("requestBody"))
        result, errors = self._responses(hint, op.get("responses") or {})
        if accept is not None:
            result = dataclasses.replace(result, accept=Untrusted(accept))
        paging = self._paging(method, params, result)
        if paging is not None:
            members.claim(Identifier(f"iter_{name}"))
        return Operation(
            name=name,
            method=method.upper(),
            path=Untrusted(path),
            operation_id=untrusted(operation_id),
            summary=_text(op.get("summary")),
            description=_text(op.get("description")),
            deprecated=bool(op.get("deprecated")),
            parameters=tuple(params),
            body=body,
            result=result,
            errors=errors,
            paging=paging,
            pointer=Untrusted(pointer),
        )

    def _parameter(
        self,
        arguments: UniqueNames,
        hint: str,
        wire: str,
        location: str,
        param: Mapping[str, Any],
        pointer: str,
    ) -> Parameter:
        schema = param.get("schema")
        if not isinstance(schema, dict):
            content = param.get("content")
            if isinstance(content, dict) and content:
                schema = next(iter(content.values())).get("schema")
        schema = schema if isinstance(schema, dict) else {}
        resolved = self._deref(schema)
        ptype = self.type_of(schema, f"{hint}{class_name(wire)}", open_enums=False)
        style = param.get("style") or ("form" if location == "query" else "simple")
        object_style = None
        if (
            location == "query"
            and style in ("form", "deepObject")
            and len(ptype.models) == 1
            and ptype.expr == f"models.{next(iter(ptype.models))}"
            and _is_model(resolved)
        ):
            object_style = style  # a model: sent as its properties (typesense's search)
        elif ptype.models:
            # Other parameters are plain text on the wire; one typed by a model is text too.
            ptype = PyType(Code("str"))
        required = bool(param.get("required")) or location == "path"
        default = resolved.get("default") if isinstance(resolved, dict) else None
        default_code = None
        if not required and default is not None and _is_scalar(default):
            if _fits(default, ptype):
                default_code = py_literal(default)
            else:
                self.warnings.append(
                    f"{pointer}/parameters: default {default!r} of {wire!r} does not fit its "
                    f"type {ptype.expr}; left out",
                )
        explode = bool(param.get("explode", style == "form"))
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        if style in ("spaceDelimited", "pipeDelimited"):
            explode = False
        return Parameter(
            name=arguments.claim(snake_case(wire, fallback="param", avoid_builtins=False)),
            wire_name=Untrusted(wire),
            location=location,  # type: ignore[arg-type]
            type=ptype,
            required=required,
            default=default_code,
            description=_text(param.get("description")),
            explode=explode or not (ptype.expr.startswith("list[") or object_style),
            separator=separator,
            deprecated=bool(param.get("deprecated")),
            object_style=object_style,
        )

    def _body(self, arguments: UniqueNames, hint: str, raw: Any) -> Body | None:
        body = self._deref(raw)
        if not isinstance(body, dict):
            return None
        content = body.get("content") or {}
        if not isinstance(content, dict) or not content:
            return None
        media, kind = _pick_body_media(content)
        media_obj = content.get(media) or {}
        schema = media_obj.get("schema") if isinstance(media_obj, dict) else None
        if kind == "binary":
            ptype = PyType(Code("bytes"))
        elif kind == "text":
            ptype = PyType(Code("str"))
        else:
            ptype = self.type_of(schema, f"{hint}Body", open_enums=False)
            if kind in ("form", "multipart") and not ptype.models:
                ptype = PyType(Code("Mapping[str, Any]"), typing=frozenset({"Any", "Mapping"}))
        return Body(
            name=arguments.claim(Identifier("body")),
            kind=kind,
            media_type=Untrusted(media),
            type=ptype,
            required=bool(body.get("required")),
            description=_text(body.get("description")),
        )

    def _responses(
        self, hint: str, responses: Mapping[str, Any]
    ) -> tuple[Result, tuple[tuple[str, PyType], ...]]:
        codes = [str(c) for c in responses]
        success = sorted(c for c in codes if c.startswith("2"))
        chosen = success[0] if success else ("default" if "default" in codes else None)
        result = Result(kind="none", type=PyType(Code("None")))
        if chosen is not None:
            result = self._result(f"{hint}Response", responses[chosen])
        errors: list[tuple[str, PyType]] = []
        for code in codes:
            if code[:1] in "45" or (code == "default" and chosen != "default"):
                response = self._deref(responses[code])
                content = response.get("content") if isinstance(response, dict) else None
                if not isinstance(content, dict):
                    continue
                media = next((m for m in content if _JSON_MEDIA.match(m)), None)
                if media is None or not isinstance(content[media], dict):
                    continue
                schema = content[media].get("schema")
                if isinstance(schema, dict) and schema:
                    errors.append(
                        (
                            Untrusted(code),
                            self.type_of(schema, f"{hint}Error{code}", open_enums=True),
                        )
                    )
        return result, tuple(errors)

    def _result(self, hint: str, raw: Any) -> Result:
        response = self._deref(raw)
        content = response.get("content") if isinstance(response, dict) else None
        if not isinstance(content, dict) or not content:
            return Result(kind="none", type=PyType(Code("None")))
        accept = None
        if "application/json" not in content and "*/*" not in content:
            accept = Untrusted(", ".join(str(m) for m in content))
        media = next((m for m in content if _JSON_MEDIA.match(m)), None)
        if media is not None:
            media_obj = content[media] if isinstance(content[media], dict) else {}
            schema = media_obj.get("schema")
            if self._deref(schema).get("format") == "binary" if isinstance(schema, dict) else False:
                return Result(kind="binary", type=PyType(Code("bytes")), accept=accept)
            return Result(
                kind="json", type=self.type_of(schema, hint, open_enums=True), accept=accept
            )
        if any(_TEXT_MEDIA.match(m) for m in content) and not any(
            _is_binary_media(m) for m in content
        ):
            return Result(kind="text", type=PyType(Code("str")), accept=accept)
        return Result(kind="binary", type=PyType(Code("bytes")), accept=accept)

    def _paging(self, method: str, params: list[Parameter], result: Result) -> Paging | None:
        if method != "get" or result.kind != "json" or len(result.type.models) != 1:
            return None
        page = next((p for p in params if p.wire_name == "pageNumber"), None)
        (model,) = result.type.models
        if page is None or result.type.expr != f"models.{model}":
            return None
        schema = self.schemas[model]
        props = schema.get("properties") or {}
        entities = props.get("entities")
        if not isinstance(entities, dict) or not ({"pageCount", "nextUri"} & set(props)):
            return None
        item = self.type_of(entities.get("items"), "Item", open_enums=True)
        return Paging(
            page_param=page.name, item=item, start_default=page.required or bool(page.default)
        )

    def _security(self) -> tuple[SecurityNote, ...]:
        schemes = self.components.get("securitySchemes") or {}
        notes = []
        for name, scheme in schemes.items():
            scheme = self._deref(scheme)
            kind = str(scheme.get("type", "unknown"))
            supported = kind in ("oauth2", "openIdConnect")
            if kind == "apiKey":
                kind = f"apiKey in {scheme.get('in')} ({scheme.get('name')})"
                supported = scheme.get("in") == "header"
            elif kind == "http":
                kind = f"http {scheme.get('scheme')}"
                supported = str(scheme.get("scheme", "")).lower() == "bearer"
            elif kind == "oauth2":
                flows = scheme.get("flows") or {}
                kind = f"oauth2 ({', '.join(flows)})"
            notes.append(
                SecurityNote(name=Untrusted(str(name)), kind=Untrusted(kind), supported=supported)
            )
        return tuple(notes)


def _pick_body_media(content: Mapping[str, Any]) -> tuple[str, BodyKind]:
    """The request media type we send, by preference: JSON, form, multipart, binary, text."""
    ranked: list[tuple[int, str, BodyKind]] = []
    for media in content:
        kind: BodyKind
        if _JSON_MEDIA.match(media):
            rank, kind = 0, "json"
        elif media == _FORM_MEDIA:
            rank, kind = 1, "form"
        elif _MULTIPART_MEDIA.match(media):
            rank, kind = 2, "multipart"
        elif _TEXT_MEDIA.match(media):
            rank, kind = 4, "text"
        else:
            rank, kind = 3, "binary"
        ranked.append((rank, media, kind))
    _, media, kind = min(ranked, key=lambda r: r[0])
    return media, kind


def _relax_one_way_required(schema: dict[str, Any]) -> None:
    """Drop readOnly and writeOnly properties from `required`.

    One model serves requests and responses: a property the server fills in (readOnly) cannot
    be required of the caller, and one it never returns (writeOnly) cannot be required of it.
    """
    required, props = schema.get("required"), schema.get("properties")
    if not isinstance(required, list) or not isinstance(props, dict):
        return
    one_way = {
        name
        for name, prop in props.items()
        if isinstance(prop, dict) and (prop.get("readOnly") or prop.get("writeOnly"))
    }
    if one_way & set(required):
        schema["required"] = [name for name in required if name not in one_way]


def _only_value(schema: Any) -> str | None:
    """The one string a schema allows (a one-value enum, or const), if that is what it does."""
    if not isinstance(schema, dict):
        return None
    values = schema.get("enum")
    if "const" in schema:
        values = [schema["const"]]
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        value = values[0].strip()
        # A header value: printable ASCII only (no CR/LF to split the request with).
        return value if value and value.isascii() and value.isprintable() else None
    return None


# Keywords that describe a schema without constraining its values.
_ANNOTATIONS = frozenset(
    {"nullable", "description", "title", "deprecated", "readOnly", "writeOnly"}
)


def _merge_annotation_members(schema: dict[str, Any]) -> None:
    """`allOf: [{$ref: X}, {nullable: true}]` -> `allOf: [{$ref: X}], nullable: true`.

    The model generator makes a class of every allOf; an annotation-only member would turn a
    reference to a union (OpenAI's tool_choice: a string enum or an object) into a subclass of
    one branch. Joined to the parent, a single reference stays that type (`| None`).
    """
    members = schema.get("allOf")
    if not isinstance(members, list) or len(members) < 2:
        return
    # (an empty member too: it held only examples, which are left out)
    notes = [m for m in members if isinstance(m, dict) and set(m) <= _ANNOTATIONS]
    if not notes or len(notes) == len(members):
        return
    schema["allOf"] = [m for m in members if not any(m is n for n in notes)]
    for note in notes:
        for key, value in note.items():
            schema.setdefault(key, value)


def _model_type(name: Identifier) -> PyType:
    # Generated modules reach models through the lazy `models` package, so a model's name can
    # never clash with anything else a module defines or imports.
    return PyType(Code(f"models.{name}"), models=frozenset({name}))


def _is_binary_media(media: str) -> bool:
    return not (_JSON_MEDIA.match(media) or _TEXT_MEDIA.match(media))


def _is_inline_object(schema: Mapping[str, Any]) -> bool:
    """An object schema with properties of its own (directly or in inline `allOf` members)."""
    if "$ref" in schema or schema.get("enum") is not None:
        return False
    if schema.get("type") not in (None, "object"):
        return False
    if isinstance(schema.get("properties"), dict) and schema["properties"]:
        return True
    return any(isinstance(m, dict) and _is_inline_object(m) for m in schema.get("allOf") or [])


def _is_model(schema: Mapping[str, Any]) -> bool:
    """Whether a schema becomes a class: objects with properties and compositions of them."""
    if not isinstance(schema, dict):
        return False
    if schema.get("properties") or schema.get("allOf"):
        return True
    if schema.get("enum") is not None or schema.get("type") not in (None, "object"):
        return False
    return bool(schema.get("discriminator"))


def _allows_null(schema: Mapping[str, Any]) -> bool:
    types = schema.get("type")
    return (
        bool(schema.get("nullable"))
        or types == "null"
        or (isinstance(types, list) and "null" in types)
    )


def _fits(value: object, ptype: PyType) -> bool:
    """Whether a spec default is a value of the parameter's Python type (for the signature)."""
    expr = ptype.expr
    if isinstance(value, bool):
        return expr in ("bool", "Any")
    if isinstance(value, int):
        return expr in ("int", "float", "Any") or (
            expr.startswith("Literal[") and repr(value) in expr
        )
    if isinstance(value, float):
        return expr in ("float", "Any")
    if isinstance(value, str):
        if expr.startswith("Literal["):
            return py_str(value) in expr or expr.endswith("| str")
        return expr in ("str", "Any")
    return False


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _literal(values: list[Any], *, open_: bool) -> PyType:
    unique = list(dict.fromkeys(values))
    inner = ", ".join(py_literal(v) if not isinstance(v, str) else py_str(v) for v in unique)
    expr = f"Literal[{inner}]"
    if open_:
        expr += " | str"
    return PyType(Code(expr), typing=frozenset({"Literal"}))


def _text(value: object) -> Untrusted | None:
    return untrusted(value.strip() or None) if isinstance(value, str) else None


def _unescape(token: str) -> str:
    """A JSON pointer token from a URI fragment: percent-decoded, then `~1`, `~0`."""
    return unquote(token).replace("~1", "/").replace("~0", "~")


def build_product(document: Mapping[str, Any], config: ProductConfig) -> Product:
    return _Builder(document, config).build()
