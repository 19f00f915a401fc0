"""Format, verify and place a rendered package: atomically, or compare it for drift."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from odido_gen._errors import RenderError

__all__ = ["Drift", "diff_tree", "format_files", "replace_tree"]

# A generated file tree is small; anything this large means a runaway spec, not a client.
MAX_FILES = 20_000


def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())


def _safe_relative(path: str) -> Path:
    rel = Path(path)
    if rel.is_absolute() or any(part in ("", ".", "..") for part in rel.parts):
        raise RenderError(f"refusing to write outside the package: {path!r}")
    return rel


def format_files(files: Mapping[str, str], *, label: str) -> dict[str, str]:
    """Run ruff (fix + format) over the files and check that every module parses.

    The files are laid out in a private temporary folder; the result is returned as text so
    that callers decide where, and whether, anything is written.
    """
    if len(files) > MAX_FILES:
        raise RenderError(f"{label}: {len(files)} files is more than the {MAX_FILES} allowed")
    with tempfile.TemporaryDirectory(prefix="odido-gen-") as tmp:
        root = Path(tmp)
        for path, text in files.items():
            target = root / _safe_relative(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        ruff = _ruff()
        config = root / "pyproject.toml"
        common = ["--no-cache", "--quiet", "--config", str(config)]
        fixed = subprocess.run(
            [ruff, "check", "--fix", *common, "."], cwd=root, capture_output=True, text=True
        )
        formatted = subprocess.run(
            [ruff, "format", *common, "."], cwd=root, capture_output=True, text=True
        )
        if formatted.returncode != 0:
            raise RenderError(f"{label}: ruff format failed: {_first_line(formatted.stderr)}")
        if fixed.returncode != 0:
            # Formatting can settle what fixing alone could not; ask once more before failing.
            again = subprocess.run(
                [ruff, "check", *common, "--output-format", "concise", "."],
                cwd=root,
                capture_output=True,
                text=True,
            )
            if again.returncode != 0:
                raise RenderError(
                    f"{label}: generated code is not ruff-clean: "
                    f"{_first_line(again.stdout or again.stderr)}"
                )
        result: dict[str, str] = {}
        for path in sorted(files):
            text = (root / path).read_text(encoding="utf-8")
            if path.endswith(".py"):
                try:
                    ast.parse(text, filename=path)
                except SyntaxError as exc:
                    raise RenderError(
                        f"{label}: {path}:{exc.lineno}: generated code does not parse"
                    ) from None
            result[path] = text
        return result


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return "(no output)"


@dataclass(frozen=True)
class Drift:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def lines(self, prefix: str) -> list[str]:
        return [
            *(f"  would add     {prefix}/{p}" for p in self.added),
            *(f"  would remove  {prefix}/{p}" for p in self.removed),
            *(f"  would change  {prefix}/{p}" for p in self.changed),
        ]


# What tools leave inside a package folder; neither generated nor drift.
_TOOL_LEFTOVERS = frozenset(
    {"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache", "build", "dist"}
)


def _existing(target: Path) -> dict[str, Path]:
    if not target.is_dir():
        return {}
    found = {}
    for path in target.rglob("*"):
        rel = path.relative_to(target)
        if (
            path.is_file()
            and not _TOOL_LEFTOVERS & set(rel.parts)
            and not rel.parts[0].endswith(".egg-info")
            and not rel.name.endswith(".pyc")
        ):
            found[rel.as_posix()] = path
    return found


def diff_tree(target: Path, files: Mapping[str, str]) -> Drift:
    existing = _existing(target)
    changed = tuple(
        p
        for p in sorted(files)
        if p in existing and existing[p].read_bytes() != files[p].encode("utf-8")
    )
    return Drift(
        added=tuple(sorted(set(files) - set(existing))),
        removed=tuple(sorted(set(existing) - set(files))),
        changed=changed,
    )


def replace_tree(target: Path, files: Mapping[str, str]) -> bool:
    """Make `target` hold exactly `files`; all or nothing. Returns whether anything changed."""
    if not diff_tree(target, files):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for path, text in files.items():
            out = staging / _safe_relative(path)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8", newline="\n")
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
        try:
            os.replace(staging, target)
        except OSError:
            if old is not None:
                os.replace(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return True
