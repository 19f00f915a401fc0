"""Models generated in shards, one in a worker process: the same files as in one run, and no
worse on failure."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from odido_gen._errors import RenderError
from odido_gen.config import product_from_options
from odido_gen.generate import render_product
from odido_gen.render import _model_worker
from odido_gen.render._models import (
    MODEL_SHARDS,
    ModelShard,
    generate_models,
    generate_shard,
    merge_shards,
    model_shards,
)
from odido_gen.spec import SpecError

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "tests" / "fixtures" / "specs" / "petstore-lite.yaml"
GENESYS = ROOT / "specs" / "genesys-outbound.json"


@pytest.mark.parametrize("spec", [PETSTORE, GENESYS], ids=["petstore", "genesys-outbound"])
def test_worker_renders_the_same_files(spec: Path) -> None:
    config = product_from_options(spec=str(spec), package="worker_check")
    alone = render_product(config, model_worker=False)
    beside = render_product(config, model_worker=True)
    assert beside.files == alone.files
    assert (beside.operations, beside.models) == (alone.operations, alone.models)


@pytest.mark.parametrize(
    "interpreter",
    ["/nonexistent/python", "/bin/false", f"{sys.executable}"],
    ids=["missing", "fails", "works"],
)
def test_a_worker_that_cannot_run_falls_back(
    interpreter: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = product_from_options(spec=str(PETSTORE), package="worker_check")
    expected = render_product(config, model_worker=False).files
    monkeypatch.setattr(_model_worker.ModelWorker, "interpreter", interpreter)
    assert render_product(config, model_worker=True).files == expected


def test_a_model_error_from_the_worker_is_reported() -> None:
    worker = _model_worker.ModelWorker()
    worker.start()
    # A schema the model generator refuses: a `$ref` to a remote document.
    worker.submit(ModelShard("broken", "3.0.3", {"A": {"$ref": "http://example.com/a.json"}}, {}))
    with pytest.raises(RenderError, match=r"^broken: models could not be generated"):
        worker.result()


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_shards_are_closed_groups_dealt_out_largest_first_to_the_least_loaded() -> None:
    schemas = {
        "A": {"type": "object", "properties": {"b": _ref("B")}},
        "B": {"type": "object", "properties": {"c": {"type": "array", "items": _ref("C")}}},
        "C": {"type": "object"},
        "D": {"type": "object", "properties": {"e": _ref("E")}},
        "E": {"type": "string"},
        "F": {"type": "object"},
    }
    shards = model_shards("k", "3.0.3", schemas)
    assert len(shards) == MODEL_SHARDS == 2
    assert [sorted(s.schemas) for s in shards] == [["A", "B", "C"], ["D", "E", "F"]]
    assert model_shards("k", "3.0.3", schemas) == shards  # deterministic
    # The worker's group first; the other starts with the load of its process's other work.
    ahead = model_shards("k", "3.0.3", schemas, head_start=2)
    assert [sorted(s.schemas) for s in ahead] == [["A", "B", "C", "F"], ["D", "E"]]
    ahead = model_shards("k", "3.0.3", schemas, head_start=10)
    assert [sorted(s.schemas) for s in ahead] == [["A", "B", "C", "D", "E", "F"]]
    assert [sorted(s.schemas) for s in model_shards("k", "3.0.3", {"A": schemas["C"]})] == [["A"]]


def test_shards_that_clash_are_generated_again_in_one_run() -> None:
    """The nested model of A.b is AB, the other shard's schema is Ab: each run alone writes
    its class to `ab.py`. The merge notices, and one run over everything writes both."""
    schemas = {
        "A": {"type": "object", "properties": {"b": {"type": "object", "properties": {"y": {}}}}},
        "Ab": {"type": "object", "properties": {"x": {"type": "string"}}},
    }
    shards = model_shards("k", "3.0.3", schemas)
    parts = [generate_shard(s) for s in shards]
    assert [set(p.sources) for p in parts] == [{"a.py", "ab.py"}, {"ab.py"}]
    whole = generate_shard(ModelShard("k", "3.0.3", schemas, shards[0].aliases))
    assert merge_shards(shards, parts) == whole == generate_models("k", "3.0.3", schemas)
    assert {"A", "AB", "Ab"} <= set(whole.exports)


def test_a_clash_renders_the_same_files_and_leaves_none_behind(tmp_path: Path) -> None:
    """`AB` and `Ab` share no `$ref`, so they go to different shards, and each shard writes its
    class to `ab.py`. Formatted early, this process's `ab.py` must give way to the one run's
    (which holds both classes), on disk too."""
    schemas = {
        "AB": {"type": "object", "properties": {"x": {"type": "string"}}},
        "Ab": {"type": "object", "properties": {"y": {"type": "integer"}}},
    }
    spec = tmp_path / "clash.json"
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}
    paths = {}
    for name in schemas:
        answer = json.loads(json.dumps(ok))
        answer["200"]["content"]["application/json"]["schema"] = _ref(name)
        paths[f"/{name}"] = {"get": {"operationId": f"get{name}", "responses": answer}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Clash", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    spec.write_text(json.dumps(document), encoding="utf-8")
    shards = model_shards("k", "3.0.3", schemas)
    parts = [generate_shard(shard) for shard in shards]
    assert [set(p.sources) for p in parts] == [{"ab.py"}, {"ab.py"}]  # the clash

    config = product_from_options(spec=str(spec), package="clash_check")
    alone = render_product(config, model_worker=False)
    staging = tmp_path / "staging"
    staging.mkdir()
    beside = render_product(config, model_worker=True, staging=staging)
    assert beside.files == alone.files
    module = beside.files["clash_check/models/ab.py"]  # one run puts both classes there
    assert "class AB(" in module and "class Ab(" in module
    on_disk = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}
    assert on_disk == set(beside.files)


def _write_spec(
    folder: Path, schemas: dict[str, Any], scheme: object = "not a scheme", **operation: Any
) -> Path:
    ok = {"description": "ok", "content": {"application/json": {"schema": _ref("A")}}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Checked", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "getA", "responses": {"200": ok}, **operation}}},
        "components": {"schemas": schemas, "securitySchemes": {"key": scheme}},
    }
    spec = folder / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    return spec


def test_a_document_validation_changes_reaches_the_worker_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's shard is made before validation; an invalid keyword that validation
    drops (A's numeric `description`) changes that shard, so it is made here instead."""
    schemas = {"A": {"type": "object", "description": 123, "properties": {"x": {"type": "string"}}}}
    spec = _write_spec(tmp_path, schemas)
    spec.write_text(
        spec.read_text().replace('"not a scheme"', '{"type": "http", "scheme": "bearer"}')
    )
    config = product_from_options(spec=str(spec), package="checked")
    withdrawn: list[ModelShard] = []
    withdraw = _model_worker.ModelWorker.withdraw

    def spy(self: _model_worker.ModelWorker, shard: ModelShard) -> None:
        withdrawn.append(shard)
        withdraw(self, shard)

    monkeypatch.setattr(_model_worker.ModelWorker, "withdraw", spy)
    beside = render_product(config, model_worker=True)
    assert [sorted(s.schemas) for s in withdrawn] == [["A"]]
    assert beside.files == render_product(config, model_worker=False).files
    assert any("invalid description removed" in w for w in beside.warnings)


def test_a_document_that_is_invalid_is_reported_as_such_with_a_worker(tmp_path: Path) -> None:
    # Building this document before validation fails on `security`; the spec error wins.
    spec = _write_spec(tmp_path, {"A": {"type": "object"}}, security="not a list")
    config = product_from_options(spec=str(spec), package="checked")
    for worker in (False, True):
        with pytest.raises(
            SpecError, match=r"#/paths/~1a/get/security: Input should be a valid list"
        ):
            render_product(config, model_worker=worker)
