"""Repairs of real-world defects, each reported as a warning with its JSON pointer.

Two passes: a structural one over paths and operations (path parameters, duplicates,
operationIds), then one walk over every keyword object that also rewrites Swagger 2.0
`$ref`s and schema keywords of a converted document and collects the `$ref`s to check.
Repairs are minimal: they remove or fix the one keyword that is wrong.
"""

from __future__ import annotations

import re
from typing import Any, Final

from ._errors import Problem, Report
from ._pointer import Unresolvable, resolve
from ._swagger2 import SCHEMA_KEYS, rewrite_ref
from ._walk import METHODS, Cell, Kind, tokens_of, walk

__all__ = ["RefSite", "repair"]

_TEMPLATE: Final = re.compile(r"\{([^{}]+)\}")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_TYPES_30: Final = frozenset({"string", "number", "integer", "boolean", "array", "object"})
_TYPES_31: Final = _TYPES_30 | {"null"}
# Type names seen in the wild that mean a JSON Schema type (and maybe a format).
_TYPE_ALIASES: Final[dict[str, tuple[str, str | None]]] = {
    "int": ("integer", None),
    "int32": ("integer", "int32"),
    "int64": ("integer", "int64"),
    "long": ("integer", "int64"),
    "float": ("number", "float"),
    "double": ("number", "double"),
    "bool": ("boolean", None),
    "str": ("string", None),
    "date": ("string", "date"),
    "date-time": ("string", "date-time"),
    "datetime": ("string", "date-time"),
    "dateTime": ("string", "date-time"),
    "uuid": ("string", "uuid"),
    "map": ("object", None),
    "dict": ("object", None),
    "list": ("array", None),
}
# Swagger 2.0-style parameter keywords that belong in `schema` in OpenAPI 3 (in a stable order).
_PARAM_SCHEMA_KEYS: Final = tuple(k for k in SCHEMA_KEYS if k != "x-nullable")
_EXAMPLE_KEYS: Final = frozenset({"summary", "description", "value", "externalValue", "$ref"})

Tokens = list[str | int]
# A `$ref` met by the walk: (the reference object, its location, its kind, the reference)
RefSite = tuple[dict[str, Any], Cell, int, str]


def _rename_key(obj: dict[str, Any], old: str, new: str) -> None:
    """Rename a key in place, keeping its position."""
    items = [(new if k == old else k, v) for k, v in obj.items()]
    obj.clear()
    obj.update(items)


def _put_first(obj: dict[str, Any], key: str, value: Any) -> None:
    items = list(obj.items())
    obj.clear()
    obj[key] = value
    obj.update(items)


class _Repairer:
    def __init__(self, doc: dict[str, Any], report: Report, *, swagger2: bool) -> None:
        self.doc = doc
        self.report = report
        self.swagger2 = swagger2
        self.v31 = str(doc.get("openapi", "")).startswith("3.1")
        self.warn = report.warn

    # -- references ------------------------------------------------------------------------

    def deref(self, obj: Any) -> Any:
        """Follow a chain of local `$ref`s (iteratively); None when it does not resolve."""
        seen = 0
        while isinstance(obj, dict) and isinstance(obj.get("$ref"), str):
            ref = obj["$ref"]
            if self.swagger2:
                ref = rewrite_ref(ref)
            seen += 1
            if not ref.startswith("#") or seen > 10_000:
                return None
            try:
                obj = resolve(self.doc, ref)
            except Unresolvable:
                return None
        return obj

    # -- document --------------------------------------------------------------------------

    def document(self) -> None:
        doc = self.doc
        info = doc.get("info")
        if not isinstance(info, dict):
            self.warn(["info"], "missing info object added")
            doc["info"] = info = {"title": "", "version": ""}
        for key in ("title", "version"):
            value = info.get(key)
            if value is None:
                self.warn(["info", key], f"missing info.{key} set to an empty string")
                info[key] = ""
            elif not isinstance(value, str):
                self.warn(["info", key], f"info.{key} {value!r} is not a string; converted")
                info[key] = str(value)
        if "paths" not in doc and not self.v31:
            self.warn(["paths"], "missing paths object added")
            doc["paths"] = {}

    # -- paths and operations --------------------------------------------------------------

    def relative_paths(self) -> None:
        """A path must start with `/`: it is appended to the API's base URL. Without one, it
        could be a whole URL (`https://elsewhere/x`) that clients send their token to. Line
        breaks and other control characters have no place in a URL path."""
        paths = self.doc.get("paths")
        if not isinstance(paths, dict):
            return
        for path in paths:
            if _CONTROL.search(path):
                raise Problem(f"path {path!r} holds control characters", ["paths", path])
        bad = [p for p in paths if not p.startswith(("/", "x-"))]
        for path in bad:
            fixed = "/" + path
            if fixed in paths:
                raise Problem(
                    f"path {path!r} does not start with '/', and {fixed!r} exists", ["paths", path]
                )
            self.warn(["paths", fixed], f"path {path!r} does not start with '/'; '/' added")
            _rename_key(paths, path, fixed)

    def paths(self) -> None:
        self.relative_paths()
        seen_ids: dict[str, Tokens] = {}
        duplicates: list[tuple[dict[str, Any], Tokens]] = []
        for top in ("paths", "webhooks"):
            paths = self.doc.get(top)
            if not isinstance(paths, dict):
                continue
            for path, item in paths.items():
                if not isinstance(item, dict) or path.startswith("x-") or "$ref" in item:
                    continue
                where: Tokens = [top, path]
                names = _TEMPLATE.findall(path) if top == "paths" else []
                shared = item.get("parameters")
                shared_path: set[str] = set()
                if isinstance(shared, list):
                    self.parameters(shared, [*where, "parameters"], names, top == "paths")
                    shared_path = self.path_names(shared)
                for method, op in item.items():
                    if method not in METHODS or not isinstance(op, dict):
                        continue
                    op_where = [*where, method]
                    params = op.get("parameters")
                    declared = set(shared_path)
                    if isinstance(params, list):
                        self.parameters(params, [*op_where, "parameters"], names, top == "paths")
                        declared |= self.path_names(params)
                    for name in names:
                        if name in declared:
                            continue
                        declared.add(name)
                        if not isinstance(params, list):
                            params = []
                            op["parameters"] = params
                        params.append(
                            {
                                "name": name,
                                "in": "path",
                                "required": True,
                                "schema": {"type": "string"},
                            }
                        )
                        self.warn(
                            [*op_where, "parameters", len(params) - 1],
                            f"path parameter {name!r} of the path template was not declared; "
                            "added as a required string",
                        )
                    if "responses" not in op and not self.v31:
                        self.warn([*op_where, "responses"], "missing responses added")
                        op["responses"] = {"default": {"description": ""}}
                    op_id = op.get("operationId")
                    if isinstance(op_id, str):
                        if op_id in seen_ids:
                            duplicates.append((op, [*op_where, "operationId"]))
                        else:
                            seen_ids[op_id] = [*op_where, "operationId"]
        for op, where in duplicates:
            op_id = op["operationId"]
            n = 2
            while f"{op_id}_{n}" in seen_ids:
                n += 1
            new_id = f"{op_id}_{n}"
            seen_ids[new_id] = where
            op["operationId"] = new_id
            self.warn(where, f"duplicate operationId {op_id!r} renamed to {new_id!r}")

    def path_names(self, params: list[Any]) -> set[str]:
        names = set()
        for p in params:
            target = self.deref(p)
            if isinstance(target, dict) and target.get("in") == "path":
                names.add(str(target.get("name")))
        return names

    def parameters(self, params: list[Any], where: Tokens, names: list[str], check: bool) -> None:
        """Drop duplicate (name, in) parameters (the first one stays) and path parameters
        that the path template does not have."""
        seen: set[tuple[str, str]] = set()
        keep: list[Any] = []
        for i, p in enumerate(params):
            target = self.deref(p)
            name = target.get("name") if isinstance(target, dict) else None
            loc = target.get("in") if isinstance(target, dict) else None
            if not (isinstance(name, str) and isinstance(loc, str)):
                # an unresolvable $ref or a malformed parameter: reported later
                keep.append(p)
                continue
            key = (name, loc)
            if key in seen:
                self.warn([*where, i], f"duplicate parameter {key[0]!r} in {key[1]} removed")
                continue
            seen.add(key)
            if check and key[1] == "path" and key[0] not in names:
                self.warn(
                    [*where, i],
                    f"path parameter {key[0]!r} is not in the path template; removed",
                )
                continue
            keep.append(p)
        if len(keep) != len(params):
            params[:] = keep

    # -- the walk --------------------------------------------------------------------------

    def walk(self) -> list[RefSite]:
        refs: list[RefSite] = []
        swagger2 = self.swagger2
        for obj, cell, kind in walk(self.doc):
            ref = obj.get("$ref")
            if isinstance(ref, str):
                if swagger2:
                    ref = obj["$ref"] = rewrite_ref(ref)
                refs.append((obj, cell, kind, ref))
            if kind == Kind.SCHEMA:
                self.schema(obj, cell)
            elif "$ref" in obj:
                continue
            elif kind == Kind.PARAM:
                self.parameter(obj, cell)
            elif kind == Kind.RESPONSE:
                description = obj.get("description")
                if not isinstance(description, str):
                    self.warn(
                        tokens_of(cell),
                        "response without description; set to an empty string",
                    )
                    if description is None:
                        _put_first(obj, "description", "")
                    else:
                        obj["description"] = str(description)
            elif kind == Kind.MEDIA or kind == Kind.HEADER:
                self.examples(obj, cell)
            elif kind == Kind.FLOW and not isinstance(obj.get("scopes"), dict):
                self.warn([*tokens_of(cell), "scopes"], "OAuth2 flow without scopes; set to {}")
                obj["scopes"] = {}
        return refs

    def parameter(self, obj: dict[str, Any], cell: Cell) -> None:
        if "schema" not in obj and "content" not in obj and not self.swagger2:
            moved = [k for k in _PARAM_SCHEMA_KEYS if k in obj]
            if moved:
                self.warn(
                    tokens_of(cell),
                    f"Swagger 2.0-style keywords {', '.join(moved)} moved into schema",
                )
                schema = {k: obj.pop(k) for k in moved}
                obj["schema"] = schema
        if obj.get("in") == "path" and obj.get("required") is not True:
            self.warn(
                [*tokens_of(cell), "required"], "path parameter must be required; set to true"
            )
            obj["required"] = True
        self.examples(obj, cell)

    def examples(self, obj: dict[str, Any], cell: Cell) -> None:
        """`examples` of a media type, parameter or header is a map of Example objects."""
        examples = obj.get("examples")
        if examples is None:
            return
        where = [*tokens_of(cell), "examples"]
        if isinstance(examples, list):
            self.warn(where, "examples is a list; turned into a map of Example objects")
            obj["examples"] = {f"example{i + 1}": {"value": v} for i, v in enumerate(examples)}
        elif isinstance(examples, dict):
            for name, example in examples.items():
                if not isinstance(example, dict) or not (_EXAMPLE_KEYS & example.keys()):
                    self.warn([*where, name], "example given as a bare value; wrapped as its value")
                    examples[name] = {"value": example}
        else:
            self.warn(where, "examples is not a map; turned into example")
            del obj["examples"]
            obj.setdefault("example", examples)

    # -- schemas ---------------------------------------------------------------------------

    def schema(self, obj: dict[str, Any], cell: Cell) -> None:
        if self.swagger2:
            # Conversion, not repair: no warnings.
            if "x-nullable" in obj:
                if "nullable" in obj:
                    del obj["x-nullable"]
                else:
                    _rename_key(obj, "x-nullable", "nullable")
            if obj.get("type") == "file":
                obj["type"] = "string"
                obj["format"] = "binary"
            if isinstance(obj.get("discriminator"), str):
                obj["discriminator"] = {"propertyName": obj["discriminator"]}
        elif isinstance(obj.get("discriminator"), str):
            self.warn(
                [*tokens_of(cell), "discriminator"],
                "discriminator is a property name; turned into {propertyName: ...}",
            )
            obj["discriminator"] = {"propertyName": obj["discriminator"]}
        if isinstance(obj.get("items"), list):
            if obj.get("type", "object") != "object" or any(
                k in obj for k in ("anyOf", "oneOf", "allOf", "properties")
            ):
                self.schema_tuple(obj, cell)
            else:
                self.schema_choice_list(obj, cell)
        if "type" in obj:
            self.schema_type(obj, cell)
        if "enum" in obj:
            self.schema_enum(obj, cell)
        if "required" in obj:
            self.schema_required(obj, cell)
        for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if bound in obj:
                self.schema_bound(obj, cell, bound, limit)
        if self.v31 and isinstance(obj.get("examples"), dict):
            self.warn(
                [*tokens_of(cell), "examples"],
                "schema examples must be a list; the map's values are used",
            )
            values = obj["examples"].values()
            obj["examples"] = [
                v["value"] if isinstance(v, dict) and "value" in v else v for v in values
            ]

    def schema_choice_list(self, obj: dict[str, Any], cell: Cell) -> None:
        """A list under `items` with no `type`, or type object: Slack writes "one of these"
        so. `items` says nothing of the objects such answers are, so it is read as anyOf."""
        self.warn(
            [*tokens_of(cell), "items"],
            "items is a list on a schema that is no array; read as anyOf the listed schemas",
        )
        obj["anyOf"] = obj.pop("items")

    def schema_tuple(self, obj: dict[str, Any], cell: Cell) -> None:
        """`items` as a list (draft 4 tuple): 3.1 spells it `prefixItems`; 3.0 has no tuples,
        so each item may be any of the listed schemas."""
        items = obj["items"]
        where = [*tokens_of(cell), "items"]
        if self.v31 and "prefixItems" not in obj:
            self.warn(where, "items is a list (tuple); renamed prefixItems")
            _rename_key(obj, "items", "prefixItems")
        elif len(items) == 1:
            self.warn(where, "items is a list of one schema; that schema is used")
            obj["items"] = items[0]
        else:
            self.warn(where, "items is a list (tuple); turned into anyOf the listed schemas")
            obj["items"] = {"anyOf": items} if items else {}

    def schema_type(self, obj: dict[str, Any], cell: Cell) -> None:
        value = obj["type"]
        valid = _TYPES_31 if self.v31 else _TYPES_30
        if isinstance(value, str) and value in valid:
            return
        where = [*tokens_of(cell), "type"]
        if isinstance(value, list) and value and all(isinstance(t, str) for t in value):
            if self.v31 and all(t in valid for t in value):
                return
            names = [t for t in value if t != "null"]
            if "null" in value and not self.v31:
                obj["nullable"] = True
            if len(names) == 1 and names[0] in valid:
                self.warn(where, f"type list {value!r} turned into {names[0]!r} (+ nullable)")
                obj["type"] = names[0]
                return
        elif value == "file":
            self.warn(where, "type 'file' turned into string/binary")
            obj["type"] = "string"
            obj["format"] = "binary"
            return
        elif value == "null" and not self.v31:
            self.warn(where, "type 'null' turned into nullable")
            del obj["type"]
            obj["nullable"] = True
            return
        elif isinstance(value, str) and value in _TYPE_ALIASES:
            new, fmt = _TYPE_ALIASES[value]
            self.warn(where, f"unknown type {value!r} read as {new!r}" + (f"/{fmt}" if fmt else ""))
            obj["type"] = new
            if fmt and "format" not in obj:
                obj["format"] = fmt
            return
        self.warn(where, f"invalid type {value!r} removed (any value)")
        del obj["type"]

    def schema_enum(self, obj: dict[str, Any], cell: Cell) -> None:
        enum = obj["enum"]
        where = [*tokens_of(cell), "enum"]
        if not isinstance(enum, list) or not enum:
            self.warn(where, "enum is empty or not a list; removed")
            del obj["enum"]
            return
        type_ = obj.get("type")
        if type_ in ("boolean", "integer", "number") and all(isinstance(v, str) for v in enum):
            coerced = [_coerce(v, type_) for v in enum]
            if all(v is not None for v in coerced):
                self.warn(where, f"{type_} enum written as strings; values converted")
                obj["enum"] = enum = coerced
        if "default" in obj:
            default = obj["default"]
            if default is not None and not any(_same(default, v) for v in enum):
                self.warn(
                    [*tokens_of(cell), "default"],
                    f"default {default!r} is not one of the enum values; removed",
                )
                del obj["default"]

    def schema_required(self, obj: dict[str, Any], cell: Cell) -> None:
        required = obj["required"]
        where = [*tokens_of(cell), "required"]
        type_ = obj.get("type")
        if not isinstance(required, list):
            self.warn(where, f"required {required!r} on a schema is not a list; removed")
            del obj["required"]
        elif not required and not self.v31:
            self.warn(where, "empty required list removed")
            del obj["required"]
        elif isinstance(type_, str) and type_ != "object":
            self.warn(where, f"required list on a schema of type {type_!r}; removed")
            del obj["required"]
        elif not all(isinstance(name, str) for name in required):
            self.warn(where, "required list has entries that are not strings; they are removed")
            obj["required"] = [name for name in required if isinstance(name, str)]

    def schema_bound(self, obj: dict[str, Any], cell: Cell, bound: str, limit: str) -> None:
        value = obj[bound]
        where = [*tokens_of(cell), bound]
        if self.v31:
            if isinstance(value, bool):
                if value and isinstance(obj.get(limit), int | float):
                    self.warn(where, f"boolean {bound} (OpenAPI 3.0 style) turned into a number")
                    obj[bound] = obj.pop(limit)
                else:
                    self.warn(where, f"boolean {bound} (OpenAPI 3.0 style) removed")
                    del obj[bound]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.warn(where, f"numeric {bound} (OpenAPI 3.1 style) turned into {limit} + true")
            obj[limit] = value
            obj[bound] = True


def _same(a: Any, b: Any) -> bool:
    """JSON equality: `true` is not `1`, but `1` is `1.0`."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _coerce(value: str, type_: str) -> Any:
    if type_ == "boolean":
        return {"true": True, "false": False}.get(value.lower())
    try:
        return int(value) if type_ == "integer" else float(value)
    except ValueError:
        return None


def repair(doc: dict[str, Any], report: Report, *, swagger2: bool) -> list[RefSite]:
    """Repair `doc` in place; return the local `$ref`s met (location, reference)."""
    repairer = _Repairer(doc, report, swagger2=swagger2)
    repairer.document()
    repairer.paths()
    return repairer.walk()
