#!/usr/bin/env python3
"""Set-up and task runner: the README's two commands, with nothing but Python 3.11+ on the machine.

    python3 dev.py generate   # make .venv, install odido-gen, generate odido-gen.toml's clients
    python3 dev.py test       # make .venv, install dev tools (and Prism), run every check

Each command installs what it needs into ./.venv (and ./node_modules for the npm tools) and
skips the install when the inputs have not changed since the last one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"

# Files whose content decides what gets installed; a change to any re-runs the install.
INSTALL_INPUTS = ("pyproject.toml", "runtime/pyproject.toml")
NPM_INPUTS = ("package.json", "package-lock.json")


def _digest(paths: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for name in paths:
        p = ROOT / name
        h.update(name.encode())
        h.update(p.read_bytes() if p.exists() else b"-")
    return h.hexdigest()


def _run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    shown = " ".join(str(c) for c in cmd)
    print(f"$ {shown}", flush=True)
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)
    if code:
        sys.exit(code)


def ensure_venv() -> None:
    if not PY.exists():
        print(f"creating {VENV.relative_to(ROOT)}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / ".installed"
    want = _digest(INSTALL_INPUTS)
    if stamp.exists() and stamp.read_text() == want:
        return
    _run(PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--upgrade", "pip")
    _run(
        PY, "-m", "pip", "install", "-q", "--disable-pip-version-check",
        "-e", "./runtime", "-e", ".[dev]",
    )  # fmt: skip
    stamp.write_text(want)


def ensure_npm_tools() -> None:
    if not (ROOT / "package.json").exists():
        return
    stamp = ROOT / "node_modules" / ".installed"
    want = _digest(NPM_INPUTS)
    if stamp.exists() and stamp.read_text() == want:
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("the tests need Node.js and npm (for Stoplight Prism); install them and re-run")
    _run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
    stamp.write_text(want)


def generated_packages() -> list[Path]:
    return sorted(p for p in (ROOT / "generated").iterdir() if (p / "pyproject.toml").exists())


def cmd_generate(args: list[str]) -> None:
    ensure_venv()
    _run(BIN / "odido-gen", "generate", *args)


def cmd_test(args: list[str]) -> None:
    ensure_venv()
    ensure_npm_tools()
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env['PATH']}"
    packages = [str(p.relative_to(ROOT)) for p in generated_packages()]
    lint_targets = ["generator", "runtime", "tests", "benchmarks", "dev.py", *packages]
    _run(BIN / "ruff", "check", *lint_targets, env=env)
    _run(BIN / "ruff", "format", "--check", *lint_targets, env=env)
    _run(BIN / "mypy", "--strict", "generator/odido_gen", "runtime/src/odido_runtime", env=env)
    for package in packages:
        # Each generated package is checked on its own, as a downstream user would see it.
        _run(BIN / "mypy", "--strict", package, env=env)
    _run(BIN / "odido-gen", "generate", "--check", env=env)
    _run(BIN / "pytest", *args, env=env)


COMMANDS = {"generate": cmd_generate, "test": cmd_test}


def main() -> None:
    # The machine's python3 may be older than the project's floor; say so plainly.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit("odido-gen needs Python 3.11 or newer")
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(COMMANDS)}}} [args...]")
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
