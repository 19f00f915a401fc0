"""Generate a package for every spec of the public corpus and check each one.

    python benchmarks/corpus_report.py [NAME...] [--no-mypy] [--jobs N]

Per spec: its version, operations in the spec, operations generated, whether every module
imports, whether ruff and `mypy --strict` are clean, and seconds; then the totals.
tests/corpus/ runs the same checks (a subset by default, all 30 in CI).
"""

from __future__ import annotations

import argparse
import ast
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BIN = Path(sys.executable).parent

__all__ = ["CORPUS", "CorpusResult", "check_spec", "corpus_specs"]


@dataclass(frozen=True)
class CorpusSpec:
    file: str
    version: str
    operations: int

    @property
    def package(self) -> str:
        stem = re.sub(r"[^a-z0-9]+", "_", self.file.rsplit(".", 1)[0].lower()).strip("_")
        return f"corpus_{stem}"


@dataclass
class CorpusResult:
    spec: CorpusSpec
    generated: int = -1
    imports: bool = False
    ruff: bool = False
    mypy: bool | None = None
    seconds: float = 0.0
    error: str = ""

    @property
    def complete(self) -> bool:
        return self.generated == self.spec.operations and self.imports and self.ruff

    def row(self) -> str:
        mypy = {None: "-", True: "ok", False: "FAIL"}[self.mypy]
        return (
            f"{self.spec.file:38s} {self.spec.version:12s} {self.spec.operations:5d} "
            f"{self.generated:5d} {'ok' if self.imports else 'FAIL':6s} "
            f"{'ok' if self.ruff else 'FAIL':6s} {mypy:6s} {self.seconds:6.1f}"
        )


def corpus_specs() -> list[CorpusSpec]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [CorpusSpec(r["file"], r["spec_version"], int(r["operation_count"])) for r in rows]


def count_operations(package_dir: Path) -> int:
    """Operation methods of the sync resource classes (not the iter_ twins), read from source."""
    count = 0
    for module in sorted((package_dir / "resources").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("Async"):
                count += sum(
                    1
                    for item in node.body
                    if isinstance(item, ast.FunctionDef)
                    and not item.name.startswith(("iter_", "_"))
                )
    return count


_IMPORT_ALL = """
import importlib, pkgutil, sys
sys.path.insert(0, sys.argv[1])
package = importlib.import_module(sys.argv[2])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
models = importlib.import_module(sys.argv[2] + ".models")
for name in models.__all__:
    value = getattr(models, name)
    if hasattr(value, "model_rebuild"):
        value.model_rebuild(force=True)  # build what defer_build postponed: every validator
"""


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)


def check_spec(spec: CorpusSpec, out: Path, *, mypy: bool = True) -> CorpusResult:
    result = CorpusResult(spec)
    started = time.perf_counter()
    generated = _run(
        [
            str(BIN / "odido-gen"), "generate", "--no-cache", "--spec", str(CORPUS / spec.file),
            "--package", spec.package, "--output", str(out),
        ],
    )  # fmt: skip
    if generated.returncode != 0:
        result.error = (generated.stderr or generated.stdout).strip().splitlines()[-1:][0:1]
        result.error = " ".join(result.error) or f"exit {generated.returncode}"
        result.seconds = time.perf_counter() - started
        return result
    result.seconds = time.perf_counter() - started
    dist = out / spec.package.replace("_", "-")
    result.generated = count_operations(dist / spec.package)
    imported = _run([sys.executable, "-c", _IMPORT_ALL, str(dist), spec.package])
    result.imports = imported.returncode == 0
    if not result.imports:
        result.error = imported.stderr.strip().splitlines()[-1] if imported.stderr else "import"
    result.ruff = (
        _run([str(BIN / "ruff"), "check", "--no-cache", "--quiet", "."], dist).returncode == 0
    )
    if mypy:
        checked = _run(
            [
                str(BIN / "mypy"),
                "--strict",
                "--no-incremental",
                "--cache-dir",
                os.devnull,
                spec.package,
            ],
            dist,
        )
        result.mypy = checked.returncode == 0
        if not result.mypy and not result.error:
            result.error = checked.stdout.strip().splitlines()[0] if checked.stdout else "mypy"
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only specs whose file name contains one of these")
    parser.add_argument("--no-mypy", action="store_true", help="skip mypy --strict (the slow part)")
    parser.add_argument("--jobs", type=int, default=2, help="specs checked at once (default 2)")
    args = parser.parse_args()
    specs = [s for s in corpus_specs() if not args.names or any(n in s.file for n in args.names)]
    header = (
        f"{'spec':38s} {'version':12s} {'ops':>5s} {'gen':>5s} "
        f"{'import':6s} {'ruff':6s} {'mypy':6s} {'sec':>6s}"
    )
    print(header)
    print("-" * len(header))
    with (
        tempfile.TemporaryDirectory(prefix="odido-corpus-") as tmp,
        ThreadPoolExecutor(args.jobs) as pool,
    ):
        results = list(pool.map(lambda s: check_spec(s, Path(tmp), mypy=not args.no_mypy), specs))
    for r in results:
        print(r.row() + (f"  {r.error[:80]}" if r.error else ""))
    total_ops = sum(r.spec.operations for r in results)
    total_gen = sum(max(r.generated, 0) for r in results)
    print("-" * len(header))
    print(
        f"{len(results)} specs: {sum(r.generated >= 0 for r in results)} generated, "
        f"{sum(r.complete for r in results)} complete (every operation, imports, ruff), "
        f"{sum(bool(r.mypy) for r in results)} mypy --strict clean; "
        f"operations {total_gen}/{total_ops}; {sum(r.seconds for r in results):.0f} s generating"
    )
    return 0 if all(r.complete for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
