"""Generation downstream: `[tool.odido-gen]` in a project's pyproject.toml, the drift check in
its CI, and the hatchling build hook that generates the clients into its wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from _build_support import DOWNSTREAM, run, sdist_names, tree, wheel_metadata, wheel_names

WHEEL = "store_finder-1.0.0-py3-none-any.whl"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of examples/downstream, as its repository would hold it."""
    copy = tmp_path / "downstream"
    shutil.copytree(DOWNSTREAM, copy, ignore=shutil.ignore_patterns("generated", "dist"))
    return copy


def python_build(project: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), *extra, "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_hook_is_registered_with_hatchling() -> None:
    (hook,) = [e for e in entry_points(group="hatch") if e.name == "odido-gen"]
    assert hook.value == "odido_gen.hatch"


def test_drift_check_in_the_downstream_ci(project: Path) -> None:
    generated = run("generate", folder=project)
    clean = run("generate", "--check", folder=project)
    spec = project / "specs" / "stores.yaml"
    spec.write_text(spec.read_text().replace("One store.", "One store, by id."))
    drifted = run("generate", "--check", folder=project)

    assert generated.exit_code == 0, generated.output
    assert (project / "generated" / "odido-stores" / "odido_stores" / "_client.py").is_file()
    assert clean.exit_code == 0, clean.output
    assert drifted.exit_code == 1
    assert "stores: " in drifted.output and "is out of date" in drifted.output
    assert "odido_stores/resources/stores.py" in drifted.output


def test_build_generates_the_client_into_the_wheel(project: Path, tmp_path: Path) -> None:
    before = tree(project)

    # Through the sdist (python -m build), and straight from the tree (pip wheel).
    built = python_build(project, tmp_path / "build")
    piped = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
         "--disable-pip-version-check", "-q", "-w", str(tmp_path / "pip"), "."],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert built.returncode == 0, built.stdout + built.stderr
    assert piped.returncode == 0, piped.stdout + piped.stderr
    wheel = tmp_path / "build" / WHEEL
    names = wheel_names(wheel)
    assert {"odido_stores/__init__.py", "odido_stores/_client.py", "odido_stores/py.typed"} <= set(
        names
    )
    assert "odido_stores/resources/stores.py" in names and "store_finder/__init__.py" in names
    assert not [n for n in names if n.endswith(("pyproject.toml", "README.md"))]
    # Deterministic: the same wheel either way, byte for byte.
    assert wheel.read_bytes() == (tmp_path / "pip" / WHEEL).read_bytes()
    # The sdist carries the spec and the settings, not generated code.
    sdist = sdist_names(tmp_path / "build" / "store_finder-1.0.0.tar.gz")
    assert "store_finder-1.0.0/specs/stores.yaml" in sdist
    assert not [n for n in sdist if "odido_stores" in n]
    assert wheel_metadata(wheel).get_all("Requires-Dist") == ["odido-runtime<0.3,>=0.2.0"]
    # Nothing generated or built was left in the project.
    assert tree(project) == before
    # The application imports the generated client from the wheel.
    check = subprocess.run(
        [sys.executable, "-I", "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); import store_finder, odido_stores; "
         "assert odido_stores.__file__.startswith(sys.argv[1]), odido_stores.__file__; "
         "print(store_finder.store_names.__doc__)", str(wheel)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert "The names of the stores" in check.stdout


def test_the_hook_asks_for_the_runtime_dependency(project: Path, tmp_path: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('dependencies = ["odido-runtime>=0.2.0,<0.3"]', "")
    )

    result = python_build(project, tmp_path / "dist", "--wheel")

    assert result.returncode != 0
    assert 'add "odido-runtime>=0.2.0,<0.3" to [project] dependencies' in result.stderr + (
        result.stdout
    )


def test_the_hook_names_an_unknown_product(project: Path, tmp_path: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('products = ["stores"]', 'products = ["x"]'))

    result = python_build(project, tmp_path / "dist", "--wheel")

    assert result.returncode != 0
    assert "unknown product 'x' (configured in pyproject.toml: stores)" in (
        result.stdout + result.stderr
    )
