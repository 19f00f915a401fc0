"""`$ref`s: local ones must resolve, extension values are not looked at, other files are
bundled, cycles and long chains are fine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from odido_gen.spec import LoadedSpec, SpecError, load_spec
from odido_gen.spec._refs import MAX_REF_CHAIN


def openapi(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}}
    doc["paths"] = paths
    doc.update(extra)
    return doc


def load(tmp_path: Path, doc: dict[str, Any], name: str = "api.json") -> LoadedSpec:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return load_spec(path)


def get_with_schema(schema: dict[str, Any]) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    return {"get": {"responses": {"200": {"description": "ok", "content": content}}}}


def test_unresolvable_ref_names_the_pointer_and_the_target(tmp_path: Path) -> None:
    doc = openapi({"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/Nope"}]}}})
    doc["paths"]["/a"]["get"]["responses"] = {"200": {"description": "ok"}}
    with pytest.raises(SpecError) as info:
        load(tmp_path, doc)
    assert str(info.value) == (
        f"{tmp_path / 'api.json'}#/paths/~1a/get/parameters/0/$ref: unresolvable $ref "
        "'#/components/parameters/Nope': no such location"
    )
    assert info.value.pointer == "#/paths/~1a/get/parameters/0/$ref"


def test_unresolvable_swagger2_ref_names_the_converted_target(tmp_path: Path) -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"default": {"$ref": "#/responses/Missing"}}}}},
    }
    with pytest.raises(SpecError, match=r"#/paths/~1a/get/responses/default/\$ref: .*"):
        load(tmp_path, doc)


def test_unresolvable_deep_pointer_is_an_error(tmp_path: Path) -> None:
    doc = openapi(
        {"/a": get_with_schema({"$ref": "#/components/schemas/Pet/properties/nope"})},
        components={"schemas": {"Pet": {"type": "object", "properties": {}}}},
    )
    with pytest.raises(SpecError, match="unresolvable"):
        load(tmp_path, doc)


def test_missing_component_schema_becomes_an_empty_schema_with_a_warning(tmp_path: Path) -> None:
    schemas = {
        "Config": {
            "type": "object",
            "properties": {"value": {"$ref": "#/components/schemas/oas_any_type_not_mapped"}},
        }
    }
    spec = load(tmp_path, openapi({}, components={"schemas": schemas}))
    assert [str(w) for w in spec.warnings] == [
        "#/components/schemas/Config/properties/value/$ref: unresolvable $ref "
        "'#/components/schemas/oas_any_type_not_mapped': no such schema; replaced by an empty "
        "schema (any value)"
    ]
    assert spec.document["components"]["schemas"]["Config"]["properties"]["value"] == {}


def test_refs_inside_extensions_and_literal_values_are_ignored(tmp_path: Path) -> None:
    doc = openapi(
        {
            "/a": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "x-code-samples": {"$ref": "samples.yaml#/Nope"},
                    "x-internal": [{"$ref": "#/does/not/exist"}],
                }
            },
            "x-paths-ext": {"$ref": "#/nope"},
        },
        components={
            "schemas": {
                "S": {
                    "type": "object",
                    "example": {"$ref": "#/not/a/reference"},
                    "default": {"$ref": "also-not.yaml"},
                    "enum": [{"$ref": "#/x"}],
                    "x-tyk": {"$ref": "../elsewhere.yaml"},
                    "properties": {
                        # a property named like an extension is a property, not an extension
                        "x-name": {"type": "string"},
                        "default": {"$ref": "#/components/schemas/S"},
                    },
                }
            },
            "examples": {"E": {"value": {"$ref": "#/not/either"}}},
        },
    )
    spec = load(tmp_path, doc, name="api.yaml")
    assert spec.document["paths"]["/a"]["get"]["x-code-samples"] == {"$ref": "samples.yaml#/Nope"}


def test_a_broken_ref_under_a_property_named_like_an_extension_is_checked(tmp_path: Path) -> None:
    schemas = {"S": {"properties": {"x-name": {"$ref": "#/components/parameters/Nope"}}}}
    with pytest.raises(SpecError, match=r"#/components/schemas/S/properties/x-name/\$ref"):
        load(tmp_path, openapi({}, components={"schemas": schemas}))


def test_cyclic_refs_are_fine(tmp_path: Path) -> None:
    schemas = {
        "Node": {
            "type": "object",
            "properties": {
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "other": {"$ref": "#/components/schemas/Other"},
            },
        },
        "Other": {"allOf": [{"$ref": "#/components/schemas/Node"}]},
        "Json": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"$ref": "#/components/schemas/Json"}},
            ]
        },
    }
    spec = load(tmp_path, openapi({}, components={"schemas": schemas}))
    assert spec.warnings == ()


@pytest.mark.parametrize(
    "schemas",
    [
        {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}},
        {"A": {"$ref": "#/components/schemas/A"}},
        {"A": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/A"}]}},
        {
            "A": {"oneOf": [{"anyOf": [{"$ref": "#/components/schemas/B"}]}]},
            "B": {"$ref": "#/components/schemas/A"},
        },
    ],
)
def test_cycles_of_aliases_and_choices_are_refused(tmp_path: Path, schemas: dict[str, Any]) -> None:
    # Validators recurse on them until the interpreter crashes.
    with pytest.raises(SpecError, match="refer to themselves through"):
        load(tmp_path, openapi({}, components={"schemas": schemas}))


def test_a_5000_deep_chain_of_refs(tmp_path: Path) -> None:
    n = 5000
    # Schemas may chain only so far (the model generator slows down steeply); parameters,
    # responses and the like may chain as far as they like.
    schemas: dict[str, Any] = {
        f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(MAX_REF_CHAIN)
    }
    schemas[f"S{MAX_REF_CHAIN}"] = {"type": "string"}
    parameters: dict[str, Any] = {
        f"P{i}": {"$ref": f"#/components/parameters/P{i + 1}"} for i in range(n)
    }
    parameters[f"P{n}"] = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    op = get_with_schema({"$ref": "#/components/schemas/S0"})
    op["get"]["parameters"] = [{"$ref": "#/components/parameters/P0"}]
    doc = openapi({"/a/{id}": op}, components={"schemas": schemas, "parameters": parameters})
    spec = load(tmp_path, doc)
    # the path parameter was found at the end of the chain: nothing added or removed
    assert spec.warnings == ()


def test_a_schema_chain_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    n = 5000
    schemas: dict[str, Any] = {
        f"S{i}": {"type": "array", "items": {"$ref": f"#/components/schemas/S{i + 1}"}}
        for i in range(n)
    }
    schemas[f"S{n}"] = {"type": "string"}
    # through model fields, chains are fine: each field names a class
    schemas |= {
        f"M{i}": {
            "type": "object",
            "properties": {"next": {"$ref": f"#/components/schemas/M{i + 1}"}},
        }
        for i in range(n)
    }
    schemas[f"M{n}"] = {"type": "object"}
    with pytest.raises(SpecError, match=r"#/components/schemas/S\d+: .*chain of more than 32"):
        load(tmp_path, openapi({}, components={"schemas": schemas}))
    for i in range(n):
        del schemas[f"S{i}"]
    assert load(tmp_path, openapi({}, components={"schemas": schemas})).warnings == ()


def test_percent_encoded_pointers(tmp_path: Path) -> None:
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    doc = openapi(
        {
            "/items/{item_id}/upsert": {
                "put": {"requestBody": body, "responses": {"200": {"description": "ok"}}},
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
            },
            "/other": get_with_schema(
                {
                    "$ref": "#/paths/~1items~1%7Bitem_id%7D~1upsert/put/requestBody/content/"
                    "application~1json/schema"
                }
            ),
        }
    )
    assert load(tmp_path, doc).warnings == ()


# -- other files ------------------------------------------------------------------------------


def test_refs_to_other_files_are_bundled(tmp_path: Path) -> None:
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "pets.yaml").write_text(
        """
Pet:
  type: object
  properties:
    tag: {$ref: '#/Tag'}
    owner: {$ref: '../people.json#/components/schemas/Person'}
Tag: {type: string}
"""
    )
    people = {"components": {"schemas": {"Person": {"type": "object"}}}}
    (tmp_path / "people.json").write_text(json.dumps(people))
    (tmp_path / "limit.yaml").write_text("name: limit\nin: query\nschema: {type: integer}\n")
    (tmp_path / "pet-path.yaml").write_text(
        "get:\n  responses:\n    '200':\n      description: ok\n"
        "      content:\n        application/json:\n"
        "          schema: {$ref: 'defs/pets.yaml#/Pet'}\n"
    )
    op = get_with_schema({"$ref": "defs/pets.yaml#/Pet"})
    op["get"]["parameters"] = [{"$ref": "limit.yaml"}]
    doc = openapi(
        {"/pets": op, "/pet": {"$ref": "pet-path.yaml"}},
        components={"schemas": {"Pet": {"type": "string"}}},
    )
    spec = load(tmp_path, doc, name="main.yaml")
    d = spec.document
    schemas = d["components"]["schemas"]
    # the existing "Pet" keeps its name; the bundled one gets a unique, stable one
    assert list(schemas) == ["Pet", "Pet_2", "Tag", "Person"]
    assert schemas["Pet_2"]["properties"] == {
        "tag": {"$ref": "#/components/schemas/Tag"},
        "owner": {"$ref": "#/components/schemas/Person"},
    }
    assert d["components"]["parameters"] == {
        "limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    }
    get = d["paths"]["/pets"]["get"]
    assert get["parameters"] == [{"$ref": "#/components/parameters/limit"}]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pet_2"
    }
    # a path item has no place among 3.0 components: it is copied in place
    pet = d["paths"]["/pet"]["get"]["responses"]["200"]["content"]["application/json"]
    assert pet["schema"] == {"$ref": "#/components/schemas/Pet_2"}
    # stable: the same files give the same document
    assert json.dumps(load(tmp_path, doc, name="main.yaml").document) == json.dumps(d)


def test_swagger2_refs_to_other_files_are_bundled_before_conversion(tmp_path: Path) -> None:
    (tmp_path / "defs.json").write_text(
        json.dumps(
            {
                "Pet": {
                    "type": "object",
                    "properties": {"nick": {"type": "string", "x-nullable": True}},
                }
            }
        )
    )
    doc = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/pet": {
                "get": {
                    "responses": {
                        "200": {"description": "ok", "schema": {"$ref": "defs.json#/Pet"}}
                    }
                }
            }
        },
    }
    d = load(tmp_path, doc).document
    assert d["components"]["schemas"]["Pet"]["properties"]["nick"] == {
        "type": "string",
        "nullable": True,
    }
    content = d["paths"]["/pet"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Pet"}


@pytest.mark.parametrize("how", ["dot-dot", "absolute", "symlink", "nested"])
def test_refs_to_files_outside_the_spec_folder_are_refused(tmp_path: Path, how: str) -> None:
    """A spec comes from a portal: it must not read the files of the machine it is built on."""
    secret = tmp_path / "private.yaml"
    secret.write_text("Pet: {type: object, description: private}\n")
    folder = tmp_path / "api"
    folder.mkdir()
    ref = {
        "dot-dot": "../private.yaml#/Pet",
        "absolute": f"{secret}#/Pet",
        "symlink": "link.yaml#/Pet",
        "nested": "defs.yaml#/Pet",
    }[how]
    (folder / "link.yaml").symlink_to(secret)
    (folder / "defs.yaml").write_text("Pet: {$ref: '../private.yaml#/Pet'}\n")
    doc = openapi({"/a": get_with_schema({"$ref": ref})})
    with pytest.raises(SpecError) as info:
        load(folder, doc)
    message = str(info.value)
    assert "outside the spec's folder" in message and "\n" not in message
    assert "private" not in message.replace("private.yaml", "")


def test_ref_to_a_missing_file(tmp_path: Path) -> None:
    doc = openapi({"/a": get_with_schema({"$ref": "missing.yaml#/Pet"})})
    with pytest.raises(SpecError) as info:
        load(tmp_path, doc)
    message = str(info.value)
    assert "#/paths/~1a/get/responses/200/content/application~1json/schema/$ref" in message
    assert "missing.yaml" in message
    assert "file not found" in message


def test_ref_to_a_missing_location_in_another_file(tmp_path: Path) -> None:
    (tmp_path / "defs.yaml").write_text("Pet: {type: object}\n")
    doc = openapi({"/a": get_with_schema({"$ref": "defs.yaml#/Dog"})})
    with pytest.raises(SpecError, match="#/Dog not found in"):
        load(tmp_path, doc)


def test_remote_refs_are_not_followed(tmp_path: Path) -> None:
    doc = openapi({"/a": get_with_schema({"$ref": "https://example.com/pet.yaml#/Pet"})})
    with pytest.raises(SpecError, match="remote"):
        load(tmp_path, doc)
