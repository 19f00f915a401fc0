"""Format, verify and place a rendered package: atomically, or compare it for drift."""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import subprocess
import tempfile
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from odido_gen._errors import RenderError
from odido_gen._escape import visible
from odido_gen._gc import cycle_collector_paused

__all__ = [
    "Drift",
    "diff_tree",
    "discard",
    "format_files",
    "install_tree",
    "replace_tree",
    "stage_dir",
]

# A generated file tree is small; anything this large means a runaway spec, not a client.
MAX_FILES = 20_000


def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())


# File names every file system, archive format and operating system takes: no separators, no
# `..`, no device names Windows reserves (`con.py` included), and short enough for ext4/NTFS.
_PORTABLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_MAX_NAME_BYTES = 255
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def _safe_relative(path: str) -> Path:
    rel = PurePosixPath(path)
    if rel.is_absolute() or "\\" in path or any(p in ("", ".", "..") for p in path.split("/")):
        raise RenderError(f"refusing to write outside the package: {path!r}")
    for part in rel.parts:
        if (
            not _PORTABLE_NAME.fullmatch(part)
            or part.endswith(".")
            or part.split(".", 1)[0].lower() in _RESERVED_NAMES
        ):
            raise RenderError(f"refusing to write a file with a non-portable name: {path!r}")
        if len(part.encode()) > _MAX_NAME_BYTES:
            raise RenderError(
                f"refusing to write a file name longer than {_MAX_NAME_BYTES} bytes: "
                f"{path[:80]!r}..."
            )
    return Path(*rel.parts)


def _check_names(files: Mapping[str, str]) -> None:
    """Every path safe, and no two that a case-insensitive file system would merge."""
    seen: dict[str, str] = {}
    for path in files:
        _safe_relative(path)
        other = seen.setdefault(path.casefold(), path)
        if other != path:
            raise RenderError(f"{other!r} and {path!r} differ only in case")


# Characters that are invisible, reorder the text around them (bidi controls, as in "Trojan
# Source") or break lines in some editors: spec text that reaches a module's strings or
# comments untouched (the model generator copies descriptions as they are) gets them escaped.
_SUSPECT = re.compile(r"[^\x20-\x7e\n\t]")


def _escaped(text: str) -> str:
    return visible(text, keep="\n")


def _string_literal(path: str, tok: tokenize.TokenInfo, escaped: str) -> str:
    """`escaped` if it means what `tok` means; else a plain literal of the same value (a raw
    string cannot escape, and a backslash before the character would change the escape)."""
    prefix = tok.string[: len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))].lower()
    if "f" in prefix or "b" in prefix:
        if "r" in prefix:
            raise RenderError(f"{path}:{tok.start[0]}: a raw string holds unsafe characters")
        return escaped
    value = ast.literal_eval(tok.string)
    if "r" not in prefix and ast.literal_eval(escaped) == value:
        return escaped
    return visible(repr(value))


def _neutralize(path: str, text: str) -> str:
    """A module with unsafe characters escaped in its strings and comments; a name that is
    not ASCII (a confusable: a Cyrillic `a` looks like a Latin one) is refused."""
    if not path.endswith(".py") or not _SUSPECT.search(text):
        return text
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text  # reported by the parse check, with its line
    # Offsets of line starts as tokenize counts lines: at "\n" only (not at U+2028 & co).
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    edits: list[tuple[int, int, str]] = []
    for tok in tokens:
        if tok.type == tokenize.NAME and not tok.string.isascii():
            raise RenderError(
                f"{path}:{tok.start[0]}: the name {tok.string!a} is not ASCII "
                "(confusable with an ASCII one)"
            )
        if tok.type not in (tokenize.STRING, tokenize.COMMENT):
            continue
        new = _escaped(tok.string)
        if new == tok.string:
            continue
        if tok.type == tokenize.STRING:
            new = _string_literal(path, tok, new)
        begin = starts[tok.start[0] - 1] + tok.start[1]
        end = starts[tok.end[0] - 1] + tok.end[1]
        edits.append((begin, end, new))
    for begin, end, new in reversed(edits):
        text = text[:begin] + new + text[end:]
    return text


def _write_files(root: Path, files: Mapping[str, str]) -> None:
    _check_names(files)
    made: set[Path] = set()  # hundreds of files share a few folders: one mkdir each
    for path, text in files.items():
        target = root / _safe_relative(path)
        try:
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_text(text, encoding="utf-8", newline="\n")
        except OSError as exc:
            raise RenderError(f"cannot write {path}: {exc.strerror or exc}") from None


def format_files(files: Mapping[str, str], *, label: str, directory: Path) -> dict[str, str]:
    """Lay the files out in `directory`, run ruff (fix + format) over them and check that
    every module parses. Returns the final text of every file.

    `directory` is a staging folder beside the target (see `stage_dir`) so that placing the
    result is a rename, or a temporary folder when nothing is to be written.
    """
    if len(files) > MAX_FILES:
        raise RenderError(f"{label}: {len(files)} files is more than the {MAX_FILES} allowed")
    directory = directory.resolve()  # ruff runs inside it and gets the config path from here
    try:
        files = {path: _neutralize(path, text) for path, text in files.items()}
        _write_files(directory, files)
    except RenderError as exc:
        raise RenderError(f"{label}: {exc}") from None
    ruff = _ruff()
    common = ["--no-cache", "--quiet", "--config", str(directory / "pyproject.toml")]
    # These files only: the folder may hold others, formatted already (see generate.py).
    modules = sorted(path for path in files if path.endswith(".py")) or ["."]
    fixed = subprocess.run(
        [ruff, "check", "--fix", *common, *modules], cwd=directory, capture_output=True, text=True
    )
    formatted = subprocess.run(
        [ruff, "format", *common, *modules], cwd=directory, capture_output=True, text=True
    )
    if formatted.returncode != 0:
        raise RenderError(f"{label}: ruff format failed: {_first_line(formatted.stderr)}")
    if fixed.returncode != 0:
        # Formatting can settle what fixing alone could not; ask once more before failing.
        again = subprocess.run(
            [ruff, "check", *common, "--output-format", "concise", *modules],
            cwd=directory,
            capture_output=True,
            text=True,
        )
        if again.returncode != 0:
            raise RenderError(
                f"{label}: generated code is not ruff-clean: "
                f"{_first_line(again.stdout or again.stderr)}"
            )
    result = {path: (directory / path).read_text(encoding="utf-8") for path in sorted(files)}
    _check_parses(result, label)
    return result


def _check_parses(files: Mapping[str, str], label: str) -> None:
    """Compile every module: output that does not compile is never placed.

    Compiling to bytecode checks more than `ast.parse` (`return` outside a function, say)
    and is faster: no Python objects are built for the tree.
    """
    with cycle_collector_paused():  # thousands of code objects, built and dropped
        for path, text in files.items():
            if path.endswith(".py"):
                try:
                    compile(text, path, "exec", dont_inherit=True)
                except SyntaxError as exc:
                    raise RenderError(
                        f"{label}: {path}:{exc.lineno}: generated code does not parse"
                    ) from None


def stage_dir(target: Path) -> Path:
    """A new, empty folder beside `target`: on the same file system, so it can be renamed."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as exc:
        raise RenderError(f"cannot create a folder in {target.parent}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


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


def install_tree(target: Path, staging: Path, files: Mapping[str, str]) -> bool:
    """Put the staged package in place of `target` by renaming; all or nothing.

    Returns whether anything changed; when nothing did, the staging folder is dropped and
    `target` is not touched at all.
    """
    try:
        if not diff_tree(target, files):
            return False
        moved: Path | None = None  # where the previous package went, once it did
        try:
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
                os.rmdir(old)
                os.replace(target, old)
                moved = old
            os.replace(staging, target)
        except OSError as exc:
            if moved is not None:
                try:
                    os.replace(moved, target)
                except OSError:
                    raise RenderError(
                        f"cannot put the package in place at {target} ({_reason(exc)}); "
                        f"the previous one is in {moved}"
                    ) from None
            raise RenderError(
                f"cannot put the package in place at {target}: {_reason(exc)}"
            ) from None
        if moved is not None:
            shutil.rmtree(moved, ignore_errors=True)
        return True
    finally:
        if staging.exists():
            discard(staging)


def replace_tree(target: Path, files: Mapping[str, str]) -> bool:
    """Make `target` hold exactly `files` (e.g. from the cache); all or nothing."""
    if not diff_tree(target, files):
        return False
    staging = stage_dir(target)
    try:
        _write_files(staging, files)
    except BaseException:
        discard(staging)
        raise
    return install_tree(target, staging, files)
