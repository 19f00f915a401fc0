"""Helpers of the build tests: configs, running the CLI, reading built artifacts."""

from __future__ import annotations

import email.message
import email.parser
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result
from odido_gen.cli import main

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "tests" / "fixtures" / "specs" / "petstore-lite.yaml"
DOWNSTREAM = ROOT / "examples" / "downstream"


def write_config(folder: Path, extra: str = "", *, version: str = "2.1.0") -> Path:
    """An odido-gen.toml with one product, `pets`, from the petstore-lite spec."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "odido-gen.toml"
    config.write_text(
        'output = "generated"\n'
        "[products.pets]\n"
        f"spec = {str(PETSTORE)!r}\n"
        'client_name = "Pets"\n'
        'base_path = "/petstore-lite"\n'
        f'version = "{version}"\n' + extra,
    )
    return config


@contextmanager
def cwd(folder: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def run(*args: str, folder: Path | None = None, color: bool = False) -> Result:
    with cwd(folder or Path.cwd()):
        return CliRunner().invoke(main, list(args), color=color, prog_name="odido-gen")


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode())


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def sdist_names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        return archive.getnames()


def twine_check(*artifacts: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, artifacts)],
        capture_output=True,
        text=True,
        check=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
