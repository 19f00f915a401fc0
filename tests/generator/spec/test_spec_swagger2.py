"""Swagger 2.0 -> OpenAPI 3.0.3 conversion, one rule at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from odido_gen.spec import LoadedSpec, load_spec
from openapi_pydantic.v3.v3_0 import OpenAPI as OpenAPI30


def swagger(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}
    doc.update(extra)
    return doc


def load(tmp_path: Path, doc: dict[str, Any]) -> LoadedSpec:
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps(doc))
    return load_spec(path)


def op(**fields: Any) -> dict[str, Any]:
    fields.setdefault("responses", {"200": {"description": "ok"}})
    return fields


def test_version_and_model(tmp_path: Path) -> None:
    spec = load(tmp_path, swagger())
    assert spec.original_version == "2.0"
    assert spec.document["openapi"] == "3.0.3"
    assert "swagger" not in spec.document
    assert isinstance(spec.openapi, OpenAPI30)
    assert list(spec.document) == ["openapi", "info", "paths"]


# -- servers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "servers"),
    [
        ({"host": "api.example.com", "basePath": "/v2"}, [{"url": "https://api.example.com/v2"}]),
        (
            {"host": "h", "schemes": ["http", "https"]},
            [{"url": "http://h"}, {"url": "https://h"}],
        ),
        ({"host": "h", "basePath": "/"}, [{"url": "https://h"}]),
        ({"basePath": "/api/v1"}, [{"url": "/api/v1"}]),
        ({}, None),
    ],
)
def test_servers(tmp_path: Path, fields: dict[str, Any], servers: Any) -> None:
    doc = load(tmp_path, swagger(**fields)).document
    assert doc.get("servers") == servers
    assert not {"host", "basePath", "schemes", "consumes", "produces"} & doc.keys()


# -- components -------------------------------------------------------------------------------


def test_definitions_parameters_responses_move_to_components_with_refs_rewritten(
    tmp_path: Path,
) -> None:
    doc = swagger(
        paths={
            "/pets": {
                "get": op(
                    parameters=[{"$ref": "#/parameters/limit"}],
                    responses={
                        "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pets"}},
                        "default": {"$ref": "#/responses/Error"},
                    },
                )
            }
        },
        definitions={
            "Pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
            "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Error": {"type": "object"},
        },
        parameters={"limit": {"name": "limit", "in": "query", "type": "integer"}},
        responses={"Error": {"description": "error", "schema": {"$ref": "#/definitions/Error"}}},
    )
    spec = load(tmp_path, doc)
    d = spec.document
    assert not {"definitions", "parameters", "responses"} & d.keys()
    comps = d["components"]
    assert list(comps) == ["schemas", "parameters", "responses"]
    assert comps["schemas"]["Pets"]["items"] == {"$ref": "#/components/schemas/Pet"}
    assert comps["parameters"]["limit"] == {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer"},
    }
    assert comps["responses"]["Error"] == {
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    get = d["paths"]["/pets"]["get"]
    assert get["parameters"] == [{"$ref": "#/components/parameters/limit"}]
    assert get["responses"]["default"] == {"$ref": "#/components/responses/Error"}
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pets"
    }


def test_security_definitions(tmp_path: Path) -> None:
    doc = swagger(
        securityDefinitions={
            "basic": {"type": "basic", "description": "user/pass"},
            "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "implicit": {
                "type": "oauth2",
                "flow": "implicit",
                "authorizationUrl": "https://a/authorize",
                "scopes": {"read": "Read"},
            },
            "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://a/token"},
            "app": {
                "type": "oauth2",
                "flow": "application",
                "tokenUrl": "https://a/token",
                "scopes": {},
                "x-extra": 1,
            },
            "code": {
                "type": "oauth2",
                "flow": "accessCode",
                "authorizationUrl": "https://a/authorize",
                "tokenUrl": "https://a/token",
                "scopes": {"all": "All"},
            },
        },
        security=[{"basic": []}],
    )
    d = load(tmp_path, doc).document
    schemes = d["components"]["securitySchemes"]
    assert schemes["basic"] == {"type": "http", "scheme": "basic", "description": "user/pass"}
    assert schemes["key"] == {"type": "apiKey", "name": "X-Key", "in": "header"}
    assert schemes["implicit"] == {
        "type": "oauth2",
        "flows": {
            "implicit": {"authorizationUrl": "https://a/authorize", "scopes": {"read": "Read"}}
        },
    }
    assert schemes["password"]["flows"] == {
        "password": {"tokenUrl": "https://a/token", "scopes": {}}
    }
    assert schemes["app"] == {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "https://a/token", "scopes": {}}},
        "x-extra": 1,
    }
    assert schemes["code"]["flows"] == {
        "authorizationCode": {
            "authorizationUrl": "https://a/authorize",
            "tokenUrl": "https://a/token",
            "scopes": {"all": "All"},
        }
    }
    assert d["security"] == [{"basic": []}]


# -- request bodies ---------------------------------------------------------------------------


def _body_param(**extra: Any) -> dict[str, Any]:
    param = {
        "name": "pet",
        "in": "body",
        "description": "The pet",
        "schema": {"$ref": "#/definitions/Pet"},
    }
    param.update(extra)
    return param


@pytest.mark.parametrize(
    ("global_consumes", "op_consumes", "expected"),
    [
        (None, ["application/xml", "application/json"], ["application/xml", "application/json"]),
        (["text/plain"], None, ["text/plain"]),
        (["text/plain"], ["application/json"], ["application/json"]),
        (None, None, ["application/json"]),
    ],
)
def test_body_parameter_becomes_request_body(
    tmp_path: Path,
    global_consumes: list[str] | None,
    op_consumes: list[str] | None,
    expected: list[str],
) -> None:
    operation = op(
        operationId="addPet",
        parameters=[_body_param(required=True, **{"x-flag": "kept"})],
    )
    if op_consumes:
        operation["consumes"] = op_consumes
    doc = swagger(paths={"/pets": {"post": operation}}, definitions={"Pet": {"type": "object"}})
    if global_consumes:
        doc["consumes"] = global_consumes
    post = load(tmp_path, doc).document["paths"]["/pets"]["post"]
    assert "parameters" not in post
    assert "consumes" not in post
    body = post["requestBody"]
    assert list(body["content"]) == expected
    for media in body["content"].values():
        assert media == {"schema": {"$ref": "#/components/schemas/Pet"}}
    assert body["description"] == "The pet"
    assert body["required"] is True
    assert body["x-flag"] == "kept"
    assert post["x-codegen-request-body-name"] == "pet"
    assert list(post) == [
        "operationId",
        "requestBody",
        "responses",
        "x-codegen-request-body-name",
    ]


def test_body_parameter_not_required_and_example_kept_on_media_type(tmp_path: Path) -> None:
    operation = op(parameters=[_body_param(example={"name": "Rex"})])
    doc = swagger(paths={"/pets": {"put": operation}}, definitions={"Pet": {"type": "object"}})
    body = load(tmp_path, doc).document["paths"]["/pets"]["put"]["requestBody"]
    assert body["required"] is False
    assert body["content"]["application/json"]["example"] == {"name": "Rex"}


def test_path_level_and_shared_body_parameters(tmp_path: Path) -> None:
    doc = swagger(
        paths={
            "/pets/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "type": "string"},
                    {"$ref": "#/parameters/petBody"},
                ],
                "put": op(),
                "patch": op(),
            }
        },
        parameters={"petBody": _body_param(required=True)},
        definitions={"Pet": {"type": "object"}},
    )
    d = load(tmp_path, doc).document
    item = d["paths"]["/pets/{id}"]
    # the path parameter stays on the path item, the body goes to each operation
    assert item["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert "parameters" not in d.get("components", {})
    put_body = item["put"]["requestBody"]
    patch_body = item["patch"]["requestBody"]
    assert put_body == patch_body
    # independent copies, so that repairs of one do not touch the other
    assert (
        put_body["content"]["application/json"]["schema"]
        is not (patch_body["content"]["application/json"]["schema"])
    )


@pytest.mark.parametrize(
    ("consumes", "file", "expected"),
    [
        (None, False, "application/x-www-form-urlencoded"),
        (None, True, "multipart/form-data"),
        (["multipart/form-data"], False, "multipart/form-data"),
        (["application/x-www-form-urlencoded"], True, "multipart/form-data"),
    ],
)
def test_form_data_becomes_form_request_body(
    tmp_path: Path, consumes: list[str] | None, file: bool, expected: str
) -> None:
    params: list[dict[str, Any]] = [
        {"name": "name", "in": "formData", "type": "string", "required": True, "description": "N"},
        {"name": "tags", "in": "formData", "type": "array", "items": {"type": "string"}},
    ]
    if file:
        params.append({"name": "photo", "in": "formData", "type": "file", "required": True})
    operation = op(parameters=[{"name": "q", "in": "query", "type": "string"}, *params])
    if consumes:
        operation["consumes"] = consumes
    post = load(tmp_path, swagger(paths={"/pets": {"post": operation}})).document["paths"]["/pets"][
        "post"
    ]
    assert post["parameters"] == [{"name": "q", "in": "query", "schema": {"type": "string"}}]
    body = post["requestBody"]
    assert list(body["content"]) == [expected]
    schema = body["content"][expected]["schema"]
    assert schema["type"] == "object"
    assert schema["properties"]["name"] == {"type": "string", "description": "N"}
    assert schema["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    if file:
        assert schema["properties"]["photo"] == {"type": "string", "format": "binary"}
        assert schema["required"] == ["name", "photo"]
    else:
        assert schema["required"] == ["name"]
    assert body["required"] is True
    if expected == "application/x-www-form-urlencoded":
        # 2.0's default collectionFormat (csv) for the array field
        assert body["content"][expected]["encoding"] == {
            "tags": {"style": "form", "explode": False}
        }


# -- parameters -------------------------------------------------------------------------------


def test_parameter_keywords_move_into_schema(tmp_path: Path) -> None:
    param = {
        "name": "limit",
        "in": "query",
        "description": "How many",
        "required": False,
        "type": "integer",
        "format": "int32",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
        "x-nullable": True,
        "x-example": 5,
    }
    operation = op(parameters=[param])
    p = load(tmp_path, swagger(paths={"/a": {"get": operation}})).document["paths"]["/a"]["get"][
        "parameters"
    ][0]
    assert p == {
        "name": "limit",
        "in": "query",
        "description": "How many",
        "required": False,
        "schema": {
            "type": "integer",
            "format": "int32",
            "minimum": 1,
            "maximum": 100,
            "default": 20,
            "nullable": True,
        },
        "x-example": 5,
    }


@pytest.mark.parametrize(
    ("where", "collection", "style"),
    [
        ("query", None, {"style": "form", "explode": False}),
        ("query", "csv", {"style": "form", "explode": False}),
        ("query", "multi", {"style": "form", "explode": True}),
        ("query", "ssv", {"style": "spaceDelimited", "explode": False}),
        ("query", "pipes", {"style": "pipeDelimited", "explode": False}),
        ("path", "csv", {"style": "simple"}),
        ("header", None, {"style": "simple"}),
    ],
)
def test_collection_format(
    tmp_path: Path, where: str, collection: str | None, style: dict[str, Any]
) -> None:
    param: dict[str, Any] = {
        "name": "ids",
        "in": where,
        "required": True,
        "type": "array",
        "items": {"type": "string", "enum": ["a", "b"]},
    }
    if collection:
        param["collectionFormat"] = collection
    path = "/a/{ids}" if where == "path" else "/a"
    spec = load(tmp_path, swagger(paths={path: {"get": op(parameters=[param])}}))
    p = spec.document["paths"][path]["get"]["parameters"][0]
    assert p["schema"] == {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
    assert {k: p[k] for k in ("style", "explode") if k in p} == style
    assert "collectionFormat" not in p
    assert spec.warnings == ()


def test_tsv_collection_format_is_csv_with_a_warning(tmp_path: Path) -> None:
    param = {
        "name": "ids",
        "in": "query",
        "type": "array",
        "items": {"type": "string"},
        "collectionFormat": "tsv",
    }
    spec = load(tmp_path, swagger(paths={"/a": {"get": op(parameters=[param])}}))
    p = spec.document["paths"]["/a"]["get"]["parameters"][0]
    assert (p["style"], p["explode"]) == ("form", False)
    assert [str(w) for w in spec.warnings] == [
        "#/paths/~1a/get/parameters/0/collectionFormat: collectionFormat 'tsv' has no "
        "OpenAPI 3 equivalent; treated as 'csv'"
    ]


# -- responses --------------------------------------------------------------------------------


def test_responses_content_headers_and_examples(tmp_path: Path) -> None:
    operation = op(
        produces=["application/json", "application/xml"],
        responses={
            "200": {
                "description": "ok",
                "schema": {"$ref": "#/definitions/Pet"},
                "headers": {
                    "X-Rate-Limit": {"type": "integer", "format": "int32", "description": "n"},
                    "X-Tags": {"type": "array", "items": {"type": "string"}},
                },
                "examples": {"application/json": {"name": "Rex"}},
            },
            "204": {"description": "nothing"},
            "x-note": "kept",
        },
    )
    doc = swagger(paths={"/pet": {"get": operation}}, definitions={"Pet": {"type": "object"}})
    responses = load(tmp_path, doc).document["paths"]["/pet"]["get"]["responses"]
    ok = responses["200"]
    assert ok["content"] == {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/Pet"},
            "example": {"name": "Rex"},
        },
        "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}},
    }
    assert ok["headers"] == {
        "X-Rate-Limit": {"description": "n", "schema": {"type": "integer", "format": "int32"}},
        "X-Tags": {"schema": {"type": "array", "items": {"type": "string"}}, "style": "simple"},
    }
    assert responses["204"] == {"description": "nothing"}
    assert responses["x-note"] == "kept"


@pytest.mark.parametrize(
    ("global_produces", "op_produces", "expected"),
    [
        (["text/csv"], None, ["text/csv"]),
        (["text/csv"], ["application/json"], ["application/json"]),
        (None, None, ["application/json"]),
    ],
)
def test_response_media_types_from_produces(
    tmp_path: Path,
    global_produces: list[str] | None,
    op_produces: list[str] | None,
    expected: list[str],
) -> None:
    operation = op(responses={"200": {"description": "ok", "schema": {"type": "string"}}})
    if op_produces:
        operation["produces"] = op_produces
    doc = swagger(paths={"/a": {"get": operation}})
    if global_produces:
        doc["produces"] = global_produces
    get = load(tmp_path, doc).document["paths"]["/a"]["get"]
    assert list(get["responses"]["200"]["content"]) == expected
    assert "produces" not in get


def test_file_responses_and_schemas_become_binary_strings(tmp_path: Path) -> None:
    operation = op(
        produces=["application/octet-stream"],
        responses={"200": {"description": "the file", "schema": {"type": "file"}}},
    )
    doc = swagger(
        paths={"/download": {"get": operation}},
        definitions={"Upload": {"type": "object", "properties": {"data": {"type": "file"}}}},
    )
    d = load(tmp_path, doc).document
    assert d["paths"]["/download"]["get"]["responses"]["200"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    assert d["components"]["schemas"]["Upload"]["properties"]["data"] == {
        "type": "string",
        "format": "binary",
    }


# -- schemas and extensions -------------------------------------------------------------------


def test_schema_keywords(tmp_path: Path) -> None:
    doc = swagger(
        definitions={
            "Pet": {
                "type": "object",
                "discriminator": "petType",
                "required": ["petType"],
                "properties": {
                    "petType": {"type": "string"},
                    "nick": {"type": "string", "x-nullable": True, "description": "d"},
                    "owner": {"$ref": "#/definitions/Owner", "x-nullable": True},
                },
            },
            "Owner": {"type": "object"},
        }
    )
    schemas = load(tmp_path, doc).document["components"]["schemas"]
    assert schemas["Pet"]["discriminator"] == {"propertyName": "petType"}
    # key order kept: x-nullable becomes nullable in place
    assert list(schemas["Pet"]["properties"]["nick"].items()) == [
        ("type", "string"),
        ("nullable", True),
        ("description", "d"),
    ]
    assert schemas["Pet"]["properties"]["owner"] == {
        "$ref": "#/components/schemas/Owner",
        "nullable": True,
    }


def test_operation_extensions_and_other_keys_are_kept(tmp_path: Path) -> None:
    operation = op(
        operationId="getOutboundContactlists",
        summary="s",
        tags=["Outbound"],
        deprecated=True,
        security=[{"auth": ["all"]}],
        **{"x-purecloud-method-name": "getOutboundContactlists", "x-other": {"$ref": "#/nope"}},
    )
    doc = swagger(paths={"/a": {"get": operation, "x-path-ext": 1}}, **{"x-top": True})
    d = load(tmp_path, doc).document
    get = d["paths"]["/a"]["get"]
    assert get["x-purecloud-method-name"] == "getOutboundContactlists"
    assert get["x-other"] == {"$ref": "#/nope"}  # not a reference: inside an extension
    assert get["security"] == [{"auth": ["all"]}]
    assert list(get) == [
        "operationId",
        "summary",
        "tags",
        "deprecated",
        "security",
        "x-purecloud-method-name",
        "x-other",
        "responses",
    ]
    assert d["paths"]["/a"]["x-path-ext"] == 1
    assert d["x-top"] is True
