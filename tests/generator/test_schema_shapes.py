"""Schema and parameter shapes from real specs, generated and called over a mock transport.

Each case is a shape the public corpus has (tests/corpus/): OpenAI's `allOf` of one reference
plus `nullable`, Box's `required` names that no property declares, typesense's object-valued
query parameter, Tyk's one-value `Accept` parameter, 3.0 `nullable` on required fields, and
Box's inline objects named like components.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from odido_gen.config import product_from_options
from odido_gen.generate import generate_all
from odido_runtime import APIResponseValidationError

PACKAGE = "shapes_api"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _get(schema: dict[str, Any], parameters: list[Any] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "parameters": parameters or [],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": schema}},
                }
            },
        }
    }


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Shapes", "version": "1"},
    "paths": {
        "/runs": _get(_ref("Run")),
        "/links": _get(_ref("Link")),
        "/full": _get(_ref("Full")),
        "/search": _get(
            {"type": "object"},
            [
                {"name": "search", "in": "query", "required": True, "schema": _ref("Search")},
                {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            ],
        ),
        "/deep": _get(
            {"type": "object"},
            [{"name": "filter", "in": "query", "style": "deepObject", "schema": _ref("Search")}],
        ),
        "/files": _get(_ref("File")),
        "/classifications": _get(_ref("Classification")),
        "/streams": _get(
            {"type": "object"},
            [
                {
                    "name": "Accept",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "enum": ["application/vnd.tyk.streams.oas"]},
                }
            ],
        ),
    },
    "components": {
        "schemas": {
            "Named": {
                "type": "object",
                "properties": {"type": {"type": "string"}},
                "required": ["type"],
            },
            "Choice": {"oneOf": [{"type": "string", "enum": ["none", "auto"]}, _ref("Named")]},
            "Run": {
                "type": "object",
                "properties": {
                    "tool_choice": {"allOf": [_ref("Choice"), {"nullable": True}]},
                    "label": {"type": "string", "nullable": True},
                },
                "required": ["tool_choice", "label"],
            },
            "Link": {  # Box's shared_link: "accessed" is required and never declared
                "type": "object",
                "properties": {
                    "shared": {
                        "allOf": [
                            {
                                "type": "object",
                                "properties": {"url": {"type": "string"}},
                                "required": ["url", "accessed"],
                            },
                            {"description": "The link.", "example": {"url": "u"}},
                        ]
                    }
                },
                "required": ["shared"],
            },
            "Base": {
                "type": "object",
                "properties": {"base_id": {"type": "string"}},
            },
            "Full": {  # required names another allOf member declares stay required
                "allOf": [
                    _ref("Base"),
                    {"properties": {"x": {"type": "integer"}}, "required": ["x", "base_id"]},
                ]
            },
            "Classification": {  # Box: a component, and File's inline property of that name
                "type": "object",
                "properties": {"level": {"type": "string"}},
            },
            "File": {
                "type": "object",
                "properties": {
                    "classification": {
                        "type": "object",
                        "description": "Details about the classification applied to this file.",
                        "nullable": True,
                        "properties": {"name": {"type": "string"}},
                    },
                    "entries": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"id": {"type": "string"}}},
                    },
                    "metadata": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {"value": {"type": "string"}},
                        },
                    },
                },
            },
            "ClientError": {
                "type": "object",
                "properties": {
                    "context_info": {"type": "object", "additionalProperties": {}, "nullable": True}
                },
            },
            "ConflictError": {  # Box: an allOf member redefines a property the base declares
                "allOf": [
                    _ref("ClientError"),
                    {
                        "properties": {
                            "context_info": {
                                "type": "object",
                                "properties": {"conflicts": {"type": "array", "items": {}}},
                            },
                            "hint": {"type": "object", "properties": {"text": {"type": "string"}}},
                        }
                    },
                ]
            },
            "Search": {
                "type": "object",
                "properties": {
                    "q": {"type": "string"},
                    "query_by": {"type": "array", "items": {"type": "string"}},
                    "exact": {"type": "boolean"},
                },
                "required": ["q"],
            },
        }
    },
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, list[str]]]:
    root = tmp_path_factory.mktemp("shapes")
    spec = root / "spec.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    config = product_from_options(spec=str(spec), package=PACKAGE, client_name="Shapes")
    (result,) = generate_all([config], root / "out", jobs=1)
    package_dir = root / "out" / result.target.name
    sys.path.insert(0, str(package_dir))
    try:
        yield importlib.import_module(PACKAGE), list(result.rendered.warnings)
    finally:
        sys.path.remove(str(package_dir))
        for name in [n for n in sys.modules if n.startswith(PACKAGE)]:
            del sys.modules[name]


def _client(module: ModuleType, answer: object, seen: list[httpx.Request]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answer)

    return module.ShapesClient(
        base_url="https://api.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        auth=httpx.BasicAuth("u", "p"),
    )


def _call(package: tuple[ModuleType, list[str]], method: str, answer: object, **kw: Any) -> Any:
    module, _ = package
    seen: list[httpx.Request] = []
    with _client(module, answer, seen) as client:
        result = getattr(client.default, method)(**kw)
    return result, seen[0]


def test_all_of_one_reference_and_nullable_is_that_type_or_none(
    package: tuple[ModuleType, list[str]],
) -> None:
    module, _ = package
    run, _ = _call(package, "get_runs", {"tool_choice": "none", "label": None})
    assert (run.tool_choice, run.label) == ("none", None)
    run, _ = _call(package, "get_runs", {"tool_choice": {"type": "function"}, "label": "x"})
    assert isinstance(run.tool_choice, module.models.Named)
    run, _ = _call(package, "get_runs", {"tool_choice": None, "label": "x"})
    assert run.tool_choice is None
    with pytest.raises(APIResponseValidationError, match="label: Field required"):
        _call(package, "get_runs", {"tool_choice": "auto"})  # nullable, yet required


def test_required_names_no_property_declares_are_optional(
    package: tuple[ModuleType, list[str]],
) -> None:
    _, warnings = package
    link, _ = _call(package, "get_links", {"shared": {"url": "https://x"}})
    assert link.shared.url == "https://x"
    with pytest.raises(APIResponseValidationError, match="url: Field required"):
        _call(package, "get_links", {"shared": {}})  # declared and required: still required
    assert any("'accessed' declared by no property; made optional" in w for w in warnings)
    full, _ = _call(package, "get_full", {"x": 1, "base_id": "b"})
    assert (full.x, full.base_id) == (1, "b")
    with pytest.raises(APIResponseValidationError, match="base_id: Field required"):
        _call(package, "get_full", {"x": 1})


def test_inline_objects_are_models_named_after_where_they_sit(
    package: tuple[ModuleType, list[str]],
) -> None:
    models = package[0].models
    answer = {"classification": {"name": "n"}, "entries": [{"id": "1"}], "metadata": {"k": {}}}
    file, _ = _call(package, "get_files", answer)
    assert type(file.classification) is models.FileClassification
    assert file.classification.name == "n"
    assert type(file.entries[0]) is models.FileEntriesItem
    assert type(file.metadata["k"]) is models.FileMetadataValue
    file, _ = _call(package, "get_files", {"classification": None})  # nullable where used
    assert file.classification is None
    # The component keeps its name: `models.Classification` is never File's property.
    found, _ = _call(package, "get_classifications", {"level": "public"})
    assert type(found) is models.Classification
    assert found.level == "public"
    assert "level" in models.Classification.model_fields
    assert "name" not in models.Classification.model_fields
    # A property an allOf member redefines keeps the base's type (a model there would be an
    # override mypy refuses, see test_package_is_type_clean); a new one is a model.
    conflict = models.ConflictError.model_validate({"context_info": {"conflicts": []}})
    assert conflict.context_info == {"conflicts": []}
    assert models.ConflictError.model_fields["hint"].annotation == models.ConflictErrorHint | None


def test_object_query_parameters_are_sent_as_their_properties(
    package: tuple[ModuleType, list[str]],
) -> None:
    module, _ = package
    search = module.models.Search(q="café", query_by=["a", "b"], exact=True)
    _, request = _call(package, "get_search", {}, search=search, limit=5)
    assert request.url.params.multi_items() == [
        ("q", "café"),
        ("query_by", "a"),
        ("query_by", "b"),
        ("exact", "true"),
        ("limit", "5"),
    ]
    _, request = _call(package, "get_deep", {}, filter=module.models.Search(q="x"))
    assert request.url.params.multi_items() == [("filter[q]", "x")]
    _, request = _call(package, "get_deep", {})
    assert request.url.query == b""


def test_a_one_value_accept_parameter_is_sent(package: tuple[ModuleType, list[str]]) -> None:
    _, request = _call(package, "get_streams", {})
    assert request.headers["accept"] == "application/vnd.tyk.streams.oas"
    _, request = _call(package, "get_search", {}, search={"q": "x"})
    assert request.headers["accept"] == "application/json"


def test_package_is_type_clean(package: tuple[ModuleType, list[str]]) -> None:
    """The shapes above type-check (the generated package, mypy --strict)."""
    import subprocess

    module, _ = package
    root = Path(module.__file__ or "").parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", PACKAGE],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
