"""Repairs of real-world defects: each one is made minimally and warns with its pointer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from odido_gen.spec import LoadedSpec, SpecError, load_spec
from openapi_pydantic.v3.v3_1 import OpenAPI as OpenAPI31


def openapi(paths: dict[str, Any], version: str = "3.0.3", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": version, "info": {"title": "T", "version": "1"}}
    doc["paths"] = paths
    doc.update(extra)
    return doc


def load(tmp_path: Path, doc: dict[str, Any]) -> LoadedSpec:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc))
    return load_spec(path)


def ok() -> dict[str, Any]:
    return {"200": {"description": "ok"}}


def messages(spec: LoadedSpec) -> list[str]:
    return [str(w) for w in spec.warnings]


def test_a_valid_document_has_no_warnings(tmp_path: Path) -> None:
    doc = openapi(
        {
            "/pets/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "get": {"operationId": "getPet", "responses": ok()},
            },
            "x-paths-extension": {"any": "thing"},
        }
    )
    doc["paths"]["/pets/{id}"]["get"]["responses"]["x-ext"] = 1
    spec = load(tmp_path, doc)
    assert spec.warnings == ()
    assert spec.document == doc  # extensions kept even where openapi-pydantic has no room


def test_enum_default_not_in_enum_is_dropped(tmp_path: Path) -> None:
    param = {
        "name": "sortOrder",
        "in": "query",
        "schema": {"type": "string", "default": "a", "enum": ["ascending", "descending"]},
    }
    spec = load(tmp_path, openapi({"/a": {"get": {"parameters": [param], "responses": ok()}}}))
    assert messages(spec) == [
        "#/paths/~1a/get/parameters/0/schema/default: default 'a' is not one of the enum "
        "values; removed"
    ]
    schema = spec.document["paths"]["/a"]["get"]["parameters"][0]["schema"]
    assert schema == {"type": "string", "enum": ["ascending", "descending"]}


def test_enum_default_that_is_in_the_enum_stays(tmp_path: Path) -> None:
    schema = {"type": "integer", "enum": [1, 2], "default": 2, "nullable": True}
    doc = openapi({}, components={"schemas": {"N": schema, "M": {"enum": ["x"], "default": None}}})
    assert load(tmp_path, doc).warnings == ()


def test_boolean_enum_written_as_strings_is_converted(tmp_path: Path) -> None:
    schema = {"type": "boolean", "enum": ["true", "false"], "default": False}
    spec = load(tmp_path, openapi({}, components={"schemas": {"Flag": schema}}))
    assert messages(spec) == [
        "#/components/schemas/Flag/enum: boolean enum written as strings; values converted"
    ]
    assert spec.document["components"]["schemas"]["Flag"] == {
        "type": "boolean",
        "enum": [True, False],
        "default": False,
    }


def test_response_without_description(tmp_path: Path) -> None:
    responses = {"200": {"content": {"application/json": {"schema": {"type": "string"}}}}}
    spec = load(tmp_path, openapi({"/a": {"get": {"responses": responses}}}))
    assert messages(spec) == [
        "#/paths/~1a/get/responses/200: response without description; set to an empty string"
    ]
    assert list(spec.document["paths"]["/a"]["get"]["responses"]["200"]) == [
        "description",
        "content",
    ]


def test_swagger2_response_without_description(tmp_path: Path) -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/a": {"put": {"responses": {"424": {"schema": {"type": "string"}}}}}},
    }
    spec = load(tmp_path, doc)
    assert messages(spec) == [
        "#/paths/~1a/put/responses/424: response without description; set to an empty string"
    ]
    assert spec.document["paths"]["/a"]["put"]["responses"]["424"]["description"] == ""


def test_path_parameter_missing_from_the_template_is_dropped(tmp_path: Path) -> None:
    params = [
        {"name": "scriptId", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "q", "in": "query", "schema": {"type": "string"}},
    ]
    doc = openapi({"/scripts/published": {"get": {"parameters": params, "responses": ok()}}})
    spec = load(tmp_path, doc)
    assert messages(spec) == [
        "#/paths/~1scripts~1published/get/parameters/0: path parameter 'scriptId' is not in "
        "the path template; removed"
    ]
    assert spec.document["paths"]["/scripts/published"]["get"]["parameters"] == [params[1]]


def test_template_variable_without_parameter_is_added(tmp_path: Path) -> None:
    params = [{"name": "q", "in": "query", "schema": {"type": "string"}}]
    doc = openapi(
        {
            "/sites/{site.id}/items/{itemId}": {
                "parameters": [
                    {
                        "name": "itemId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "get": {"parameters": params, "responses": ok()},
                "delete": {"responses": ok()},
            }
        }
    )
    spec = load(tmp_path, doc)
    assert messages(spec) == [
        "#/paths/~1sites~1{site.id}~1items~1{itemId}/get/parameters/1: path parameter "
        "'site.id' of the path template was not declared; added as a required string",
        "#/paths/~1sites~1{site.id}~1items~1{itemId}/delete/parameters/0: path parameter "
        "'site.id' of the path template was not declared; added as a required string",
    ]
    item = spec.document["paths"]["/sites/{site.id}/items/{itemId}"]
    added = {"name": "site.id", "in": "path", "required": True, "schema": {"type": "string"}}
    assert item["get"]["parameters"] == [*params, added]
    assert item["delete"]["parameters"] == [added]


def test_path_parameter_not_marked_required(tmp_path: Path) -> None:
    param = {"name": "id", "in": "path", "schema": {"type": "string"}}
    spec = load(tmp_path, openapi({"/a/{id}": {"get": {"parameters": [param], "responses": ok()}}}))
    assert messages(spec) == [
        "#/paths/~1a~1{id}/get/parameters/0/required: path parameter must be required; set to true"
    ]
    assert spec.document["paths"]["/a/{id}"]["get"]["parameters"][0]["required"] is True


def test_duplicate_operation_ids_are_renamed_in_document_order(tmp_path: Path) -> None:
    doc = openapi(
        {
            "/a": {
                "get": {"operationId": "getThing", "responses": ok()},
                "put": {"operationId": "getThing", "responses": ok()},
            },
            "/b": {
                "get": {"operationId": "getThing", "responses": ok()},
                "post": {"operationId": "getThing_2", "responses": ok()},
            },
        }
    )
    spec = load(tmp_path, doc)
    ids = [op["operationId"] for item in spec.document["paths"].values() for op in item.values()]
    assert ids == ["getThing", "getThing_3", "getThing_4", "getThing_2"]
    assert messages(spec) == [
        "#/paths/~1a/put/operationId: duplicate operationId 'getThing' renamed to 'getThing_3'",
        "#/paths/~1b/get/operationId: duplicate operationId 'getThing' renamed to 'getThing_4'",
    ]


def test_duplicate_parameters_keep_the_first(tmp_path: Path) -> None:
    first = {"name": "q", "in": "query", "schema": {"type": "string"}}
    second = {"name": "q", "in": "query", "schema": {"type": "integer"}}
    header = {"name": "q", "in": "header", "schema": {"type": "string"}}
    ref = {"$ref": "#/components/parameters/Q"}
    doc = openapi(
        {"/a": {"get": {"parameters": [first, header, second, ref], "responses": ok()}}},
        components={"parameters": {"Q": first}},
    )
    spec = load(tmp_path, doc)
    assert messages(spec) == [
        "#/paths/~1a/get/parameters/2: duplicate parameter 'q' in query removed",
        "#/paths/~1a/get/parameters/3: duplicate parameter 'q' in query removed",
    ]
    assert spec.document["paths"]["/a"]["get"]["parameters"] == [first, header]


def test_operation_parameter_overriding_a_path_parameter_is_not_a_defect(tmp_path: Path) -> None:
    shared = {"name": "q", "in": "query", "schema": {"type": "string"}}
    own = {"name": "q", "in": "query", "description": "own", "schema": {"type": "string"}}
    doc = openapi({"/a": {"parameters": [shared], "get": {"parameters": [own], "responses": ok()}}})
    assert load(tmp_path, doc).warnings == ()


@pytest.mark.parametrize(
    ("schema", "fixed", "message"),
    [
        (
            {"type": "object", "required": True},
            {"type": "object"},
            "required: required True on a schema is not a list; removed",
        ),
        (
            {"type": "string", "required": ["a"]},
            {"type": "string"},
            "required: required list on a schema of type 'string'; removed",
        ),
        (
            {"type": "object", "required": []},
            {"type": "object"},
            "required: empty required list removed",
        ),
        (
            {"type": ["string", "null"]},
            {"type": "string", "nullable": True},
            "type: type list ['string', 'null'] turned into 'string' (+ nullable)",
        ),
        ({"type": "null"}, {"nullable": True}, "type: type 'null' turned into nullable"),
        (
            {"type": "int32"},
            {"type": "integer", "format": "int32"},
            "type: unknown type 'int32' read as 'integer'/int32",
        ),
        ({"type": "whatever"}, {}, "type: invalid type 'whatever' removed (any value)"),
        (
            {"type": "file"},
            {"type": "string", "format": "binary"},
            "type: type 'file' turned into string/binary",
        ),
        (
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "number", "exclusiveMinimum": True, "minimum": 0},
            "exclusiveMinimum: numeric exclusiveMinimum (OpenAPI 3.1 style) turned into "
            "minimum + true",
        ),
        ({"enum": []}, {}, "enum: enum is empty or not a list; removed"),
        (
            {"discriminator": "kind", "type": "object"},
            {"discriminator": {"propertyName": "kind"}, "type": "object"},
            "discriminator: discriminator is a property name; turned into {propertyName: ...}",
        ),
        (
            {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "items: items is a list (tuple); turned into anyOf the listed schemas",
        ),
        (  # Slack's "one of these" (the answers are objects, not arrays)
            {"items": [{"$ref": "#/components/schemas/S"}, {"type": "integer"}]},
            {"anyOf": [{"$ref": "#/components/schemas/S"}, {"type": "integer"}]},
            "items: items is a list on a schema that is no array; read as anyOf the listed schemas",
        ),
        (
            {"type": "object", "items": [{"type": "string"}, {"type": "integer"}]},
            {"type": "object", "anyOf": [{"type": "string"}, {"type": "integer"}]},
            "items: items is a list on a schema that is no array; read as anyOf the listed schemas",
        ),
        (
            {"type": "string", "maxLength": -1},
            {"type": "string"},
            "maxLength: invalid maxLength removed: Input should be greater than or equal to 0 "
            "(got -1)",
        ),
    ],
)
def test_schema_repairs_30(
    tmp_path: Path, schema: dict[str, Any], fixed: dict[str, Any], message: str
) -> None:
    doc = openapi({}, components={"schemas": {"S": {"properties": {"p": schema}}}})
    spec = load(tmp_path, doc)
    assert messages(spec) == [f"#/components/schemas/S/properties/p/{message}"]
    assert spec.document["components"]["schemas"]["S"]["properties"]["p"] == fixed


@pytest.mark.parametrize(
    ("schema", "fixed", "message"),
    [
        (
            {"type": "number", "minimum": 0, "exclusiveMinimum": True},
            {"type": "number", "exclusiveMinimum": 0},
            "exclusiveMinimum: boolean exclusiveMinimum (OpenAPI 3.0 style) turned into a number",
        ),
        (
            {"type": "array", "items": [{"type": "string"}]},
            {"type": "array", "prefixItems": [{"type": "string"}]},
            "items: items is a list (tuple); renamed prefixItems",
        ),
        (
            {"type": "string", "examples": {"a": {"value": "x"}, "b": "y"}},
            {"type": "string", "examples": ["x", "y"]},
            "examples: schema examples must be a list; the map's values are used",
        ),
    ],
)
def test_schema_repairs_31(
    tmp_path: Path, schema: dict[str, Any], fixed: dict[str, Any], message: str
) -> None:
    doc = openapi({}, "3.1.0", components={"schemas": {"S": schema}})
    spec = load(tmp_path, doc)
    assert isinstance(spec.openapi, OpenAPI31)
    assert messages(spec) == [f"#/components/schemas/S/{message}"]
    assert spec.document["components"]["schemas"]["S"] == fixed


def test_31_type_lists_and_null_are_valid(tmp_path: Path) -> None:
    schema = {"type": ["string", "null"], "enum": ["a", None], "required": []}
    doc = openapi({}, "3.1.0", components={"schemas": {"S": schema}})
    spec = load(tmp_path, doc)
    assert spec.warnings == ()
    assert spec.document["openapi"] == "3.1.0"


def test_examples_in_the_wrong_shape(tmp_path: Path) -> None:
    media = {"schema": {"type": "string"}, "examples": ["a", "b"]}
    param = {
        "name": "q",
        "in": "query",
        "schema": {"type": "string"},
        "examples": {"plain": "raw value", "proper": {"value": "x"}},
    }
    doc = openapi(
        {
            "/a": {
                "post": {
                    "parameters": [param],
                    "requestBody": {"content": {"text/plain": media}},
                    "responses": ok(),
                }
            }
        }
    )
    spec = load(tmp_path, doc)
    assert messages(spec) == [
        "#/paths/~1a/post/parameters/0/examples/plain: example given as a bare value; "
        "wrapped as its value",
        "#/paths/~1a/post/requestBody/content/text~1plain/examples: examples is a list; "
        "turned into a map of Example objects",
    ]
    post = spec.document["paths"]["/a"]["post"]
    assert post["parameters"][0]["examples"] == {
        "plain": {"value": "raw value"},
        "proper": {"value": "x"},
    }
    assert post["requestBody"]["content"]["text/plain"]["examples"] == {
        "example1": {"value": "a"},
        "example2": {"value": "b"},
    }


def test_swagger2_style_parameter_in_a_30_document(tmp_path: Path) -> None:
    param = {"name": "limit", "in": "query", "type": "integer", "default": 10}
    spec = load(tmp_path, openapi({"/a": {"get": {"parameters": [param], "responses": ok()}}}))
    assert messages(spec) == [
        "#/paths/~1a/get/parameters/0: Swagger 2.0-style keywords type, default moved into schema"
    ]
    assert spec.document["paths"]["/a"]["get"]["parameters"][0] == {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "default": 10},
    }


def test_document_level_repairs(tmp_path: Path) -> None:
    doc = {"openapi": "3.0.9", "info": {"title": "T", "version": 2}}
    spec = load(tmp_path, doc)
    assert messages(spec) == [
        "#/openapi: unknown OpenAPI version '3.0.9' read as '3.0.4'",
        "#/info/version: info.version 2 is not a string; converted",
        "#/paths: missing paths object added",
    ]
    assert spec.original_version == "3.0.9"
    assert spec.document["openapi"] == "3.0.4"


def test_oauth_flow_without_scopes(tmp_path: Path) -> None:
    flows = {"clientCredentials": {"tokenUrl": "https://t/token"}}
    doc = openapi({}, components={"securitySchemes": {"o": {"type": "oauth2", "flows": flows}}})
    spec = load(tmp_path, doc)
    assert messages(spec) == [
        "#/components/securitySchemes/o/flows/clientCredentials/scopes: OAuth2 flow without "
        "scopes; set to {}"
    ]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            openapi(
                {"/a": {"get": {"parameters": [{"name": "b", "in": "body"}], "responses": ok()}}}
            ),
            "#/paths/~1a/get/parameters/0/in: Input should be 'query', 'header', 'path' or "
            "'cookie' (got 'body')",
        ),
        (
            openapi({}, servers=[{"description": "no url"}]),
            "#/servers/0: url: field required",
        ),
        (
            openapi({"/a": {"get": {"responses": {"200": {"description": "ok", "content": 3}}}}}),
            "#/paths/~1a/get/responses/200/content: Input should be a valid dictionary (got 3)",
        ),
    ],
)
def test_what_cannot_be_repaired_is_an_error_with_a_pointer(
    tmp_path: Path, doc: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError) as info:
        load(tmp_path, doc)
    assert str(info.value) == f"{tmp_path / 'api.json'}{message}"
