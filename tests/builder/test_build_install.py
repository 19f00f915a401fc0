"""The built wheels install alone: a fresh virtualenv with odido-runtime and odido-genesys (and
their dependencies from the package index), nothing else of this repository, calling the
sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from importlib.metadata import version
from pathlib import Path

import pytest
from _build_support import ROOT, run, twine_check
from _sandbox_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    GENESYS,
    TOKEN_PATH,
    copy_specs,
    sandbox_process,
)
from odido_runtime import __version__ as RUNTIME_VERSION

pytestmark = pytest.mark.slow  # a virtualenv and an install from the package index

# Runs in the fresh virtualenv, with -I: neither this repository nor PYTHONPATH is importable.
CALL = """
import sys
import odido_genesys, odido_runtime
from odido_genesys import GenesysClient

for module in (odido_genesys, odido_runtime):
    assert module.__file__.startswith(sys.prefix), module.__file__
with GenesysClient() as client:  # environment and credentials from ODIDO_* variables
    page = client.outbound.get_outbound_contactlists(page_size=2)
    first = next(iter(client.outbound.iter_get_outbound_contactlists(page_size=2)))
print(type(page).__name__, len(page.entities or []), type(first).__name__)
"""


def _pip(python: Path, *args: str) -> None:
    result = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runtime_and_genesys_wheels_install_alone_and_call_the_sandbox(tmp_path: Path) -> None:
    # The repository's own config: the Genesys product, as a user of this repository builds it.
    built = run("build", "--out", str(tmp_path / "dist"), folder=ROOT)
    assert built.exit_code == 0, built.output
    artifacts = sorted((tmp_path / "dist").iterdir())
    assert [p.name for p in artifacts] == [
        "odido_genesys-0.1.0-py3-none-any.whl",
        "odido_genesys-0.1.0.tar.gz",
        f"odido_runtime-{RUNTIME_VERSION}-py3-none-any.whl",
        f"odido_runtime-{RUNTIME_VERSION}.tar.gz",
    ]
    checked = twine_check(*artifacts)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    wheels = [str(p) for p in artifacts if p.suffix == ".whl"]
    # Ours without their dependencies (never from the index: the names could be anyone's
    # there), then the dependencies the wheels declare, from the index at this venv's versions.
    _pip(python, "install", "--no-deps", *wheels)
    _pip(python, "install", f"httpx=={version('httpx')}", f"pydantic=={version('pydantic')}")
    _pip(python, "check")
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ours = sorted(p["name"] for p in json.loads(listed) if "odido" in p["name"])
    assert ours == ["odido-genesys", "odido-runtime"]

    specs = copy_specs(tmp_path / "specs", GENESYS)
    with sandbox_process(specs) as sandbox:
        called = subprocess.run(
            [str(python), "-I", "-c", CALL],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
            env={
                "PATH": "/usr/bin:/bin",
                "ODIDO_TOKEN_URL": sandbox.url + TOKEN_PATH,
                "ODIDO_API_BASE": sandbox.url,
                "ODIDO_CLIENT_ID": CLIENT_ID,
                "ODIDO_CLIENT_SECRET": CLIENT_SECRET,
            },
        )

    assert called.returncode == 0, called.stderr
    kind, count, item = called.stdout.split()
    assert int(count) >= 1 and kind != "dict" and item != "dict"
    assert sys.prefix not in called.stdout
