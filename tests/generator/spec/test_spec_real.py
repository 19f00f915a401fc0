"""Real descriptions: the Genesys definitions and the shared corpus of 30 public specs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from odido_gen.spec import LoadedSpec, load_spec
from openapi_pydantic.v3.v3_0 import OpenAPI as OpenAPI30

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO / ".." / "shared"
CORPUS = SHARED / "corpus"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(spec: LoadedSpec) -> list[tuple[str, str]]:
    paths = spec.document.get("paths") or {}
    return [
        (path, method)
        for path, item in paths.items()
        if not path.startswith("x-")
        for method in item
        if method in METHODS
    ]


def test_genesys_outbound() -> None:
    spec = load_spec(REPO / "specs" / "genesys-outbound.json", label="genesys")
    assert spec.original_version == "2.0"
    assert isinstance(spec.openapi, OpenAPI30)
    assert len(operations(spec)) == 89
    doc = spec.document
    assert doc["servers"] == [{"url": "https://api.mypurecloud.com"}]
    get = doc["paths"]["/api/v2/outbound/contactlists"]["get"]
    assert get["operationId"] == "getOutboundContactlists"
    assert get["x-purecloud-method-name"] == "getOutboundContactlists"
    index = next(i for i, p in enumerate(get["parameters"]) if p["name"] == "sortOrder")
    pointer = f"#/paths/~1api~1v2~1outbound~1contactlists/get/parameters/{index}/schema/default"
    assert any(w.pointer == pointer and "'a'" in w.message for w in spec.warnings)
    assert get["parameters"][index]["schema"] == {
        "type": "string",
        "enum": ["ascending", "descending"],
    }
    assert "ErrorBody" in doc["components"]["schemas"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ContactListEntityListing"
    }


def test_genesys_full_definition() -> None:
    spec = load_spec(SHARED / "specs" / "genesys-cloud-platform-api.json")
    assert len(operations(spec)) == 932
    pointers = {w.pointer for w in spec.warnings}
    # the path parameter that is not in its path
    assert "#/paths/~1api~1v2~1scripts~1published/get/parameters/0" in pointers
    assert (
        "#/paths/~1api~1v2~1users~1{userId}~1station~1associatedstation~1{stationId}/put/responses/424"
        in pointers
    )


def _manifest() -> list[tuple[str, int]]:
    with (CORPUS / "MANIFEST.tsv").open(newline="", encoding="utf-8") as f:
        return [
            (row["file"], int(row["operation_count"])) for row in csv.DictReader(f, delimiter="\t")
        ]


@pytest.mark.parametrize(("name", "operation_count"), _manifest() if CORPUS.is_dir() else [])
def test_corpus_spec_loads(name: str, operation_count: int) -> None:
    spec = load_spec(CORPUS / name, label=name)
    assert len(operations(spec)) == operation_count
    assert spec.document["openapi"].startswith(("3.0.", "3.1."))
