"""Swagger 2.0 -> OpenAPI 3.0.3.

The structure (servers, components, parameters, request bodies, responses, security schemes)
is rebuilt here; `$ref` rewriting and the schema-level changes (`x-nullable`, `type: file`,
string `discriminator`) happen in the single walk of `_repair`, which runs on every document.
Objects of the input are moved, not copied: the input is ours and is consumed.
"""

from __future__ import annotations

from typing import Any, Final

from ._errors import Problem, Report
from ._pointer import Unresolvable, resolve
from ._walk import METHODS, clone

__all__ = ["TARGET_VERSION", "convert", "rewrite_ref"]

TARGET_VERSION: Final = "3.0.3"

_DEFAULT_MEDIA: Final = "application/json"
_FORM: Final = "application/x-www-form-urlencoded"
_MULTIPART: Final = "multipart/form-data"
# Keys of a Swagger 2.0 non-body parameter / header / items object that describe its value.
SCHEMA_KEYS: Final = (
    "type",
    "format",
    "items",
    "enum",
    "default",
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
    "multipleOf",
    "x-nullable",
)
_PREFIXES: Final = (
    ("#/definitions/", "#/components/schemas/"),
    ("#/parameters/", "#/components/parameters/"),
    ("#/responses/", "#/components/responses/"),
)
_FLOWS: Final = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}


def rewrite_ref(ref: str) -> str:
    for old, new in _PREFIXES:
        if ref.startswith(old):
            return new + ref[len(old) :]
    return ref


Tokens = list[str | int]


class _Converter:
    def __init__(self, doc: dict[str, Any], report: Report) -> None:
        self.doc = doc
        self.report = report
        self.consumes = _media_list(doc.get("consumes"))
        self.produces = _media_list(doc.get("produces"))
        self.used: set[int] = set()

    # -- document -----------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        doc = self.doc
        out: dict[str, Any] = {}
        for key, value in doc.items():
            if key == "swagger":
                out["openapi"] = TARGET_VERSION
            elif key in ("host", "basePath", "schemes"):
                if "servers" not in out:
                    servers = self.servers(doc.get("schemes"))
                    if servers:
                        out["servers"] = servers
            elif key in ("consumes", "produces"):
                continue
            elif key in ("definitions", "parameters", "responses", "securityDefinitions"):
                if "components" not in out:
                    out["components"] = self.components()
            elif key == "paths":
                out["paths"] = self.paths(value)
            else:
                out[key] = value
        if "paths" not in out:
            out["paths"] = {}
        return out

    def servers(self, schemes: Any) -> list[dict[str, Any]]:
        host = self.doc.get("host")
        base_path = self.doc.get("basePath")
        base = base_path.rstrip("/") if isinstance(base_path, str) else ""
        if not isinstance(host, str) or not host:
            # No host: the API is served by the host serving the description.
            return [{"url": base or "/"}] if base else []
        if not isinstance(schemes, list) or not schemes:
            schemes = ["https"]
        return [
            {"url": f"{scheme}://{host}{base}"} for scheme in schemes if isinstance(scheme, str)
        ]

    def components(self) -> dict[str, Any]:
        doc = self.doc
        comps: dict[str, Any] = {}
        for key in doc:
            value = doc[key]
            if key == "definitions" and isinstance(value, dict):
                comps["schemas"] = value
            elif key == "parameters" and isinstance(value, dict):
                params: dict[str, Any] = {}
                for name, param in value.items():
                    where: Tokens = ["parameters", name]
                    if isinstance(param, dict) and param.get("in") in ("body", "formData"):
                        continue  # copied into the request bodies of the operations using it
                    params[name] = self.parameter(param, where)
                if params:
                    comps["parameters"] = params
            elif key == "responses" and isinstance(value, dict):
                comps["responses"] = {
                    name: self.response(resp, self.produces, ["components", "responses", name])
                    for name, resp in value.items()
                }
            elif key == "securityDefinitions" and isinstance(value, dict):
                comps["securitySchemes"] = {
                    name: self.security_scheme(scheme, ["securityDefinitions", name])
                    for name, scheme in value.items()
                }
        return comps

    def security_scheme(self, scheme: Any, where: Tokens) -> Any:
        if not isinstance(scheme, dict):
            return scheme
        kind = scheme.get("type")
        out: dict[str, Any] = {}
        if kind == "basic":
            for key, value in scheme.items():
                if key == "type":
                    out["type"] = "http"
                    out["scheme"] = "basic"
                else:
                    out[key] = value
            return out
        if kind != "oauth2":
            return scheme  # apiKey is the same in both versions
        flow_name = scheme.get("flow")
        flow: dict[str, Any] = {}
        if flow_name in ("implicit", "accessCode") and "authorizationUrl" in scheme:
            flow["authorizationUrl"] = scheme["authorizationUrl"]
        if flow_name in ("password", "application", "accessCode") and "tokenUrl" in scheme:
            flow["tokenUrl"] = scheme["tokenUrl"]
        scopes = scheme.get("scopes")
        flow["scopes"] = scopes if isinstance(scopes, dict) else {}
        if flow_name not in _FLOWS:
            raise Problem(f"unknown OAuth2 flow {flow_name!r}", [*where, "flow"])
        for key, value in scheme.items():
            if key in ("flow", "authorizationUrl", "tokenUrl", "scopes"):
                continue
            out[key] = value
            if key == "type":
                out["flows"] = {_FLOWS[flow_name]: flow}
        return out

    # -- paths ---------------------------------------------------------------------------------

    def paths(self, paths: Any) -> Any:
        if not isinstance(paths, dict):
            return paths
        for path, item in paths.items():
            if isinstance(item, dict) and not path.startswith("x-"):
                paths[path] = self.path_item(item, ["paths", path])
        return paths

    def path_item(self, item: dict[str, Any], where: Tokens) -> dict[str, Any]:
        shared = item.get("parameters")
        shared_list = shared if isinstance(shared, list) else []
        # Body and form parameters cannot stay on the path item: they go to each operation.
        inherited = [p for p in shared_list if self.location(p) in ("body", "formData")]
        out: dict[str, Any] = {}
        for key, value in item.items():
            if key == "parameters" and isinstance(value, list):
                kept = [
                    self.parameter(p, [*where, "parameters", i])
                    for i, p in enumerate(value)
                    if self.location(p) not in ("body", "formData")
                ]
                if kept:
                    out["parameters"] = kept
            elif key in METHODS and isinstance(value, dict):
                out[key] = self.operation(value, inherited, [*where, key])
            else:
                out[key] = value
        return out

    def location(self, param: Any) -> Any:
        """The `in` of a parameter, looking through a `$ref` to `#/parameters/...`."""
        if not isinstance(param, dict):
            return None
        ref = param.get("$ref")
        if isinstance(ref, str):
            target = self.target(ref)
            return target.get("in") if isinstance(target, dict) else None
        return param.get("in")

    def target(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            return None
        try:
            return resolve(self.doc, ref)
        except Unresolvable:
            return None  # reported by the reference check, after conversion

    def operation(self, op: dict[str, Any], inherited: list[Any], where: Tokens) -> dict[str, Any]:
        consumes = _media_list(op.get("consumes"), self.consumes)
        produces = _media_list(op.get("produces"), self.produces)
        own = op.get("parameters")
        own_list: list[Any] = own if isinstance(own, list) else []
        own_keys = {self.key(p) for p in own_list} - {None}
        own_body = any(self.location(p) == "body" for p in own_list)
        # Path-level body/form parameters apply unless the operation redeclares them.
        body_params: list[tuple[dict[str, Any], Tokens]] = [
            (self.deref(p), [*where[:-1], "parameters"])
            for p in inherited
            if self.key(p) not in own_keys and not (own_body and self.location(p) == "body")
        ]
        params: list[Any] = []
        for i, p in enumerate(own_list):
            here = [*where, "parameters", i]
            if self.location(p) in ("body", "formData"):
                body_params.append((self.deref(p), here))
            else:
                params.append(self.parameter(p, here))
        request_body = self.request_body(body_params, consumes, op) if body_params else None

        out: dict[str, Any] = {}
        for key, value in op.items():
            if key in ("consumes", "produces"):
                continue
            if key == "parameters":
                if params:
                    out["parameters"] = params
                if request_body is not None:
                    out["requestBody"] = request_body
                    request_body = None
            elif key == "responses":
                if request_body is not None:
                    out["requestBody"] = request_body
                    request_body = None
                out["responses"] = self.responses(value, produces, [*where, "responses"])
            elif key == "schemes":
                servers = self.servers(value)
                if servers:
                    out["servers"] = servers
            else:
                out[key] = value
        if request_body is not None:
            out["requestBody"] = request_body
        body_name = next((p.get("name") for p, _ in body_params if p.get("in") == "body"), None)
        if isinstance(body_name, str) and "x-codegen-request-body-name" not in out:
            # The 2.0 body parameter's name, for generators that name the argument after it
            # (the key swagger2openapi and openapi-generator use).
            out["x-codegen-request-body-name"] = body_name
        return out

    def key(self, param: Any) -> tuple[str, str] | None:
        p = self.deref(param)
        name, loc = p.get("name"), p.get("in")
        return (name, loc) if isinstance(name, str) and isinstance(loc, str) else None

    def deref(self, param: Any) -> dict[str, Any]:
        if isinstance(param, dict) and isinstance(param.get("$ref"), str):
            target = self.target(param["$ref"])
            if isinstance(target, dict):
                return target
        return param if isinstance(param, dict) else {}

    # -- parameters ----------------------------------------------------------------------------

    def parameter(self, param: Any, where: Tokens) -> Any:
        if not isinstance(param, dict) or "$ref" in param:
            return param  # the reference itself is rewritten by the walk
        loc = param.get("in")
        out: dict[str, Any] = {}
        schema: dict[str, Any] | None = None
        collection = param.get("collectionFormat")
        for key, value in param.items():
            if key in SCHEMA_KEYS:
                if schema is None:
                    schema = {}
                    out["schema"] = schema
                    style = self.style(collection, loc, param.get("type"), where)
                    out.update(style)
                self.schema_key(schema, key, value, [*where, key])
            elif key != "collectionFormat":
                out[key] = value
        return out

    def schema_key(self, schema: dict[str, Any], key: str, value: Any, where: Tokens) -> None:
        """Copy one keyword of a 2.0 parameter/header/items object into its schema."""
        if key == "items" and isinstance(value, dict):
            items: dict[str, Any] = {}
            for k, v in value.items():
                if k == "collectionFormat":
                    if v not in (None, "csv"):
                        self.report.warn(
                            [*where, k], f"collectionFormat {v!r} of nested items is not supported"
                        )
                    continue
                self.schema_key(items, k, v, [*where, k])
            schema["items"] = items
        elif key == "x-nullable":
            schema["nullable"] = value
        else:
            schema[key] = value

    def style(self, collection: Any, loc: Any, type_: Any, where: Tokens) -> dict[str, Any]:
        """style/explode for a collectionFormat (2.0's default is csv, 3.0's is form/explode)."""
        if type_ != "array":
            if collection is not None:
                self.report.warn(
                    [*where, "collectionFormat"],
                    "collectionFormat on a non-array parameter ignored",
                )
            return {}
        fmt = collection if collection is not None else "csv"
        if fmt == "tsv":
            self.report.warn(
                [*where, "collectionFormat"],
                "collectionFormat 'tsv' has no OpenAPI 3 equivalent; treated as 'csv'",
            )
            fmt = "csv"
        if loc == "query":
            if fmt == "csv":
                return {"style": "form", "explode": False}
            if fmt == "multi":
                return {"style": "form", "explode": True}
            if fmt == "ssv":
                return {"style": "spaceDelimited", "explode": False}
            if fmt == "pipes":
                return {"style": "pipeDelimited", "explode": False}
        elif loc in ("path", "header"):
            if fmt != "csv":
                self.report.warn(
                    [*where, "collectionFormat"],
                    f"collectionFormat {fmt!r} is not possible in a {loc} parameter; "
                    "treated as 'csv'",
                )
            return {"style": "simple"}
        elif loc == "formData":
            if fmt == "csv":
                return {"style": "form", "explode": False}
            if fmt == "multi":
                return {"style": "form", "explode": True}
            if fmt == "ssv":
                return {"style": "spaceDelimited", "explode": False}
            if fmt == "pipes":
                return {"style": "pipeDelimited", "explode": False}
        self.report.warn([*where, "collectionFormat"], f"unknown collectionFormat {fmt!r} ignored")
        return {}

    # -- request bodies ------------------------------------------------------------------------

    def request_body(
        self,
        params: list[tuple[dict[str, Any], Tokens]],
        consumes: list[str],
        op: dict[str, Any],
    ) -> dict[str, Any]:
        bodies = [(p, w) for p, w in params if p.get("in") == "body"]
        forms = [(p, w) for p, w in params if p.get("in") == "formData"]
        if bodies:
            body, where = bodies[0]
            for _, extra in bodies[1:]:
                self.report.warn(extra, "more than one body parameter; only the first is kept")
            if forms:
                self.report.warn(
                    forms[0][1], "formData parameters next to a body parameter dropped"
                )
            return self.body(body, consumes, op, where)
        return self.form(forms, consumes)

    def body(
        self, param: dict[str, Any], consumes: list[str], op: dict[str, Any], where: Tokens
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "description" in param:
            out["description"] = param["description"]
        # A parameter shared by several operations (path level, or `#/parameters/...`) is
        # copied for all but the first: repairs change objects in place.
        shared = id(param) in self.used
        self.used.add(id(param))
        schema = param.get("schema")
        content: dict[str, Any] = {}
        for i, media in enumerate(consumes or [_DEFAULT_MEDIA]):
            entry: dict[str, Any] = {}
            if schema is not None:
                entry["schema"] = schema if i == 0 and not shared else clone(schema)
            if "example" in param:
                entry["example"] = clone(param["example"])
            content[media] = entry
        out["content"] = content
        out["required"] = param.get("required") is True
        for key, value in param.items():
            if key.startswith("x-"):
                out[key] = value
        return out

    def form(
        self, params: list[tuple[dict[str, Any], Tokens]], consumes: list[str]
    ) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        encoding: dict[str, Any] = {}
        has_file = False
        for param, where in params:
            name = param.get("name")
            if not isinstance(name, str):
                raise Problem("formData parameter without a name", where)
            schema: dict[str, Any] = {}
            for key, value in param.items():
                if key in SCHEMA_KEYS:
                    self.schema_key(schema, key, value, [*where, key])
                elif key == "description" or key.startswith("x-"):
                    schema[key] = value
            if schema.get("type") == "file":
                has_file = True
            properties[name] = schema
            if param.get("required") is True:
                required.append(name)
            if param.get("type") == "array":
                style = self.style(param.get("collectionFormat"), "formData", "array", where)
                if style:
                    encoding[name] = style
        form_types = [m for m in consumes if m in (_FORM, _MULTIPART)]
        if has_file or (_MULTIPART in form_types and _FORM not in form_types):
            media_types = [_MULTIPART]
        elif form_types:
            media_types = form_types
        else:
            media_types = [_FORM]
        body_schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            body_schema["required"] = required
        content: dict[str, Any] = {}
        for i, media in enumerate(media_types):
            entry: dict[str, Any] = {"schema": body_schema if i == 0 else clone(body_schema)}
            if media == _FORM and encoding:
                entry["encoding"] = clone(encoding)
            content[media] = entry
        return {"content": content, "required": bool(required)}

    # -- responses -----------------------------------------------------------------------------

    def responses(self, responses: Any, produces: list[str], where: Tokens) -> Any:
        if not isinstance(responses, dict):
            return responses
        return {
            code: resp if code.startswith("x-") else self.response(resp, produces, [*where, code])
            for code, resp in responses.items()
        }

    def response(self, resp: Any, produces: list[str], where: Tokens) -> Any:
        if not isinstance(resp, dict) or "$ref" in resp:
            return resp
        out: dict[str, Any] = {}
        media_types = produces or [_DEFAULT_MEDIA]
        schema = resp.get("schema")
        examples = resp.get("examples")
        for key, value in resp.items():
            if key == "schema":
                content: dict[str, Any] = {}
                for i, media in enumerate(media_types):
                    content[media] = {"schema": schema if i == 0 else clone(schema)}
                if isinstance(examples, dict):
                    for media, example in examples.items():
                        entry = content.setdefault(media, {"schema": clone(schema)})
                        entry["example"] = example
                out["content"] = content
            elif key == "examples":
                if schema is None and isinstance(examples, dict):
                    out["content"] = {m: {"example": ex} for m, ex in examples.items()}
            elif key == "headers" and isinstance(value, dict):
                out["headers"] = {
                    name: self.header(header, [*where, "headers", name])
                    for name, header in value.items()
                }
            else:
                out[key] = value
        return out

    def header(self, header: Any, where: Tokens) -> Any:
        if not isinstance(header, dict) or "$ref" in header:
            return header
        out: dict[str, Any] = {}
        schema: dict[str, Any] | None = None
        for key, value in header.items():
            if key in SCHEMA_KEYS:
                if schema is None:
                    schema = {}
                    out["schema"] = schema
                    if header.get("type") == "array":
                        out["style"] = "simple"
                self.schema_key(schema, key, value, [*where, key])
            elif key != "collectionFormat":
                out[key] = value
        return out


def _media_list(value: Any, fallback: list[str] | None = None) -> list[str]:
    if isinstance(value, list):
        found = [m for m in value if isinstance(m, str)]
        if found:
            return found
    return list(fallback) if fallback else []


def convert(doc: dict[str, Any], report: Report) -> dict[str, Any]:
    """The OpenAPI 3.0.3 form of a Swagger 2.0 document (consumes `doc`)."""
    return _Converter(doc, report).run()
