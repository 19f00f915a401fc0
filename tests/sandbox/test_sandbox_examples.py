"""Example instances synthesised from response schemas."""

from __future__ import annotations

from typing import Any

import pytest
from _sandbox_support import GENESYS
from odido_gen.sandbox._examples import MAX_DEPTH, example_for
from odido_gen.spec import load_spec

NODE = {"$ref": "#/components/schemas/Node"}


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "format": "date-time"}, "2024-01-01T00:00:00Z"),
        ({"type": "string", "format": "local-date-time"}, "2024-01-01T00:00:00"),
        ({"type": "string", "format": "uuid"}, "00000000-0000-4000-8000-000000000000"),
        ({"type": "string", "minLength": 9}, "stringxxx"),
        ({"type": "string", "maxLength": 3}, "str"),
        ({"type": "string", "enum": ["b", "c"], "default": "a"}, "b"),  # Genesys' bad default
        ({"type": "string", "enum": ["b", "c"], "default": "c"}, "c"),
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, 6),
        ({"type": "integer", "exclusiveMinimum": 5}, 6),
        ({"type": "number", "maximum": -2}, -2.0),
        ({"type": "boolean"}, True),
        ({"type": ["null", "integer"]}, 0),
        ({"type": "string", "example": "given"}, "given"),
        ({"const": 3}, 3),
        ({"oneOf": [{"type": "null"}, {"type": "integer"}]}, 0),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, {"key": 0}),
        (
            {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "secret": {"type": "string", "writeOnly": True},
                },
            },
            {"id": "string"},
        ),
    ],
)
def test_values_respect_the_schema(schema: dict[str, Any], expected: object) -> None:
    assert example_for(schema, {}) == expected


def test_refs_all_of_and_cycles() -> None:
    document = {
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "required": ["name", "parent"],
                    "properties": {
                        "name": {"type": "string"},
                        "parent": NODE,
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        },
                    },
                },
                "Named": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Base"},
                        {"type": "object", "required": ["extra"], "properties": {"extra": {}}},
                    ]
                },
                "Base": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "integer"}},
                },
            }
        }
    }

    node = example_for(NODE, document)
    named = example_for({"$ref": "#/components/schemas/Named"}, document)

    assert node["name"] == "string"
    assert node["children"][0]["name"] == "string"
    assert _depth(node) <= MAX_DEPTH + 1
    assert named == {"id": 0, "extra": {}}


def test_genesys_responses_are_deterministic_and_bounded() -> None:
    document = load_spec(GENESYS).document
    schemas = document["components"]["schemas"]

    for name in schemas:
        first = example_for({"$ref": f"#/components/schemas/{name}"}, document)
        assert first == example_for({"$ref": f"#/components/schemas/{name}"}, document)
        assert _depth(first) <= MAX_DEPTH + 1
        assert len(repr(first)) < 500_000, name
