"""A generation that fails at any stage leaves the previous package exactly as it was.

The package is rendered and checked in a staging folder beside the target and renamed into
place only when everything passed; failures are injected in-process at each stage.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _hostile_support import ROOT, openapi, write_json
from odido_gen._errors import RenderError
from odido_gen.config import ProductConfig, product_from_options
from odido_gen.generate import generate_all
from odido_gen.spec import SpecError

PETSTORE = ROOT / "tests" / "fixtures" / "specs" / "petstore-lite.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def previous(tmp_path: Path) -> tuple[ProductConfig, Path, dict[str, bytes]]:
    """A product generated once: its config, the output folder and the package's files."""
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(PETSTORE.read_bytes())
    config = product_from_options(spec=str(spec), package="pets", client_name="Pets")
    out = tmp_path / "out"
    generate_all([config], out, cache=None, jobs=1)
    files = snapshot(out / "pets")
    assert "pets/_client.py" in files
    return config, out, files


def _changed_spec(config: ProductConfig) -> None:
    """A different, valid spec: a successful run would change the package."""
    Path(config.spec).write_text(
        PETSTORE.read_text().replace("Petstore Lite", "Petstore Changed"), encoding="utf-8"
    )


def _fake_ruff(tmp_path: Path, script: str) -> str:
    path = tmp_path / "fake-ruff"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def _raise(exc: BaseException) -> Callable[..., Any]:
    def fail(*args: object, **kwargs: object) -> Any:
        raise exc

    return fail


def _assert_untouched(out: Path, before: dict[str, bytes]) -> None:
    assert snapshot(out / "pets") == before
    # No staging (".pets.new-...") or backup (".pets.old-...") folder is left behind.
    assert sorted(p.name for p in out.iterdir()) == ["pets"]


def test_a_spec_that_does_not_load(previous: tuple[ProductConfig, Path, dict[str, bytes]]) -> None:
    config, out, before = previous
    Path(config.spec).write_text("openapi: 3.0.3\ninfo: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match="invalid YAML"):
        generate_all([config], out, cache=None, jobs=1)
    _assert_untouched(out, before)


def test_a_spec_the_model_generator_refuses(
    previous: tuple[ProductConfig, Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import datamodel_code_generator

    config, out, before = previous
    _changed_spec(config)
    monkeypatch.setattr(datamodel_code_generator, "generate", _raise(ValueError("injected")))
    with pytest.raises(RenderError, match="models could not be generated: injected"):
        generate_all([config], out, cache=None, jobs=1)
    _assert_untouched(out, before)


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ('echo "error: injected format failure" >&2; exit 2', "ruff format failed"),
        # fixing and formatting pass, the final check does not
        (
            'case "$*" in *concise*) echo "x.py:1:1: F401 injected"; exit 1;; *--fix*) exit 1;;'
            " esac; exit 0",
            "not ruff-clean: x.py:1:1: F401 injected",
        ),
    ],
)
def test_ruff_fails(
    previous: tuple[ProductConfig, Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    script: str,
    message: str,
) -> None:
    from odido_gen.render import _write

    config, out, before = previous
    _changed_spec(config)
    monkeypatch.setattr(_write, "_ruff", lambda: _fake_ruff(tmp_path, script))
    with pytest.raises(RenderError, match=message):
        generate_all([config], out, cache=None, jobs=1)
    _assert_untouched(out, before)


def test_output_that_does_not_parse(
    previous: tuple[ProductConfig, Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from odido_gen import generate
    from odido_gen.render import _write

    config, out, before = previous
    _changed_spec(config)
    real = generate.render_package

    def broken(product: Any) -> dict[str, str]:
        files = real(product)
        files["pets/broken.py"] = "def (:\n"
        return files

    monkeypatch.setattr(generate, "render_package", broken)
    # A formatter that leaves the files as they are, so that the parse check sees them.
    monkeypatch.setattr(_write, "_ruff", lambda: _fake_ruff(tmp_path, "exit 0"))
    with pytest.raises(RenderError, match=r"pets/broken\.py:1: generated code does not parse"):
        generate_all([config], out, cache=None, jobs=1)
    _assert_untouched(out, before)


def test_an_interrupt_while_rendering(
    previous: tuple[ProductConfig, Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from odido_gen import generate

    config, out, before = previous
    _changed_spec(config)
    monkeypatch.setattr(generate, "format_files", _raise(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        generate_all([config], out, cache=None, jobs=1)
    _assert_untouched(out, before)


def test_one_bad_product_places_none(
    previous: tuple[ProductConfig, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    config, out, before = previous
    _changed_spec(config)
    bad = write_json(tmp_path / "bad.json", openapi(paths={"/a": {"get": {"responses": 5}}}))
    other = product_from_options(spec=str(bad), package="other")
    with pytest.raises((SpecError, RenderError)):
        generate_all([config, other], out, cache=None, jobs=1)
    _assert_untouched(out, before)


def test_a_failure_while_placing_restores_the_previous_package(
    previous: tuple[ProductConfig, Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from odido_gen.render import _write

    config, out, before = previous
    _changed_spec(config)
    real = os.replace
    calls: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(Path(src).name)
        if Path(src).name.startswith(".pets.new-"):  # the staged package into place
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(_write.os, "replace", replace)
    with pytest.raises(RenderError, match=r"cannot put the package in place .*: No space left"):
        generate_all([config], out, cache=None, jobs=1)
    monkeypatch.undo()
    assert calls[0] == "pets" and calls[-1].startswith(".pets.old-")  # moved back
    _assert_untouched(out, before)


def test_a_failure_while_placing_one_product_leaves_no_staging_folder(
    previous: tuple[ProductConfig, Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """When placing the first product fails, the staging folders of the products after it
    are discarded too."""
    from odido_gen.render import _write

    config, out, before = previous
    _changed_spec(config)
    spec = tmp_path / "other.yaml"
    spec.write_bytes(PETSTORE.read_bytes())
    other = product_from_options(spec=str(spec), package="zoo", client_name="Zoo")
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(src).name.startswith(".pets.new-"):
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(_write.os, "replace", replace)
    with pytest.raises(RenderError, match="No space left"):
        generate_all([config, other], out, cache=None, jobs=1)
    monkeypatch.undo()
    assert snapshot(out / "pets") == before
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
