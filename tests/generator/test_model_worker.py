"""Models generated in a worker process: the same files as in-process, and no worse on failure."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from odido_gen._errors import RenderError
from odido_gen.config import product_from_options
from odido_gen.generate import render_product
from odido_gen.render import _model_worker

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
    worker.submit("broken", "3.0.3", {"A": {"$ref": "http://example.com/a.json"}})
    with pytest.raises(RenderError, match=r"^broken: models could not be generated"):
        worker.result()
