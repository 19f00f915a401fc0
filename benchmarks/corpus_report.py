"""Generate a package for every spec of the public corpus and check each one.

    python benchmarks/corpus_report.py [NAME...] [--no-mypy] [--prism] [--jobs N]

Per spec: its version, operations in the manifest, operations in the spec document, operations
generated, whether every module imports, whether ruff and `mypy --strict` are clean, seconds;
with `--prism`, Stoplight Prism serves the spec and the generated client calls each GET
operation: requests Prism marks invalid, and 2xx answers that fail to parse. Then the totals.
tests/corpus/ runs the same code (a subset by default, all 30 in CI).
"""

from __future__ import annotations

import argparse
import ast
import collections
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BIN = Path(sys.executable).parent
# The Prism judge lives with the tests (it drives a generated client the way the end-to-end
# tests do); the report runs it as a child process, one per spec.
PRISM_JUDGE = ROOT / "tests" / "corpus" / "_prism_judge.py"

__all__ = [
    "CHECKS",
    "CORPUS",
    "PRISM_CHECKS",
    "CorpusResult",
    "CorpusSpec",
    "PrismResult",
    "check_spec",
    "corpus_specs",
    "count_operations",
    "generate_spec",
    "generated_operations",
    "judge_with_prism",
    "labels",
    "spec_operations",
]

# Checks in the order they run; each later one needs "generate" to have succeeded.
CHECKS = ("generate", "operations", "import", "ruff", "mypy")
PRISM_CHECKS = ("prism-load", "prism-invalid", "prism-parse", "prism-errors")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_DETAIL = 2000  # characters of a tool's output kept for a failure message


@dataclass(frozen=True)
class CorpusSpec:
    file: str
    version: str
    operations: int  # the manifest's count

    @property
    def path(self) -> Path:
        return CORPUS / self.file

    @property
    def package(self) -> str:
        stem = re.sub(r"[^a-z0-9]+", "_", self.file.rsplit(".", 1)[0].lower()).strip("_")
        return f"corpus_{stem}"

    @property
    def distribution(self) -> str:
        return self.package.replace("_", "-")


@dataclass
class PrismResult:
    """What Prism and the generated client made of each GET operation of one spec."""

    loaded: bool | None = None  # None: not judged (see `note`)
    note: str = ""  # why it was not judged, or why Prism could not load the spec
    get_operations: int = 0
    called: int = 0
    answered: int = 0  # 2xx answers parsed into the method's return type (or None)
    invalid: list[str] = field(default_factory=list)  # "GET /x: <Prism's violations>"
    parse_failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # other failed calls, calls not built
    unanswered: dict[str, str] = field(default_factory=dict)  # Prism could not mock: label -> why
    # Prism's answer breaks the spec's own schema (a spec example that does not fit it, say):
    # the client may refuse such an answer, so these are reported, not counted as failures.
    off_spec: list[str] = field(default_factory=list)
    seconds: float = 0.0  # Prism's start and every call

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PrismResult:
        return cls(**data)

    def failures(self) -> dict[str, list[str]]:
        """Failed Prism checks -> the operations (or reason) behind each."""
        if self.loaded is None:
            return {}
        if not self.loaded:
            return {"prism-load": [self.note]}
        found = {
            "prism-invalid": self.invalid,
            "prism-parse": self.parse_failures,
            "prism-errors": self.errors,
        }
        return {check: items for check, items in found.items() if items}


@dataclass
class CorpusResult:
    spec: CorpusSpec
    generated: int = -1  # operation methods in the generated package
    in_document: int = -1  # operations in the spec document, counted without the generator
    missing: list[str] = field(default_factory=list)  # "GET /x" in the spec, not generated
    extra: list[str] = field(default_factory=list)  # generated, not in the spec (or twice)
    imports: bool | None = None
    ruff: bool | None = None
    mypy: bool | None = None
    prism: PrismResult | None = None
    seconds: float = 0.0
    details: dict[str, str] = field(default_factory=dict)  # check -> what went wrong
    dist: Path | None = None

    @property
    def operations_ok(self) -> bool:
        return (
            self.generated == self.in_document == self.spec.operations
            and not self.missing
            and not self.extra
        )

    @property
    def complete(self) -> bool:
        return self.dist is not None and self.operations_ok and bool(self.imports and self.ruff)

    def failures(self) -> dict[str, str]:
        """Failed checks (of those that ran) -> what went wrong."""
        if self.dist is None:
            return {"generate": self.details.get("generate", "")}
        failed: dict[str, str] = {}
        if not self.operations_ok:
            failed["operations"] = (
                f"manifest {self.spec.operations}, spec document {self.in_document}, "
                f"generated {self.generated}; missing {self.missing[:20]}; extra {self.extra[:20]}"
            )
        for check, passed in (("import", self.imports), ("ruff", self.ruff), ("mypy", self.mypy)):
            if passed is False:
                failed[check] = self.details.get(check, "")
        return failed

    def row(self, *, prism: bool = False) -> str:
        def mark(value: bool | None) -> str:
            return {None: "-", True: "ok", False: "FAIL"}[value]

        line = (
            f"{self.spec.file:34s} {self.spec.version:13s} {self.spec.operations:4d} "
            f"{self.in_document:4d} {self.generated:4d} {mark(self.imports):6s} "
            f"{mark(self.ruff):4s} {mark(self.mypy):4s}"
        )
        seconds = self.seconds
        if prism:
            line += " " + _prism_cells(self.prism)
            seconds += self.prism.seconds if self.prism is not None else 0.0
        return line + f" {seconds:6.1f}"


def _prism_cells(result: PrismResult | None) -> str:
    if result is None or result.loaded is None:
        return f"{'-':>4s} {'-':>4s} {'-':>4s} {'-':>5s} {'-':>4s}"
    if not result.loaded:
        return f"{'load':>4s} {'FAIL':>4s} {'-':>4s} {'-':>5s} {'-':>4s}"
    return (
        f"{result.get_operations:4d} {result.called:4d} {len(result.invalid):4d} "
        f"{len(result.parse_failures):5d} {len(result.errors):4d}"
    )


def corpus_specs() -> list[CorpusSpec]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [CorpusSpec(r["file"], r["spec_version"], int(r["operation_count"])) for r in rows]


def _load_document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def spec_operations(path: Path) -> list[str]:
    """`METHOD /path` of every operation of the spec file, read without the generator."""
    document = _load_document(path)
    found: list[str] = []
    for route, item in (document.get("paths") or {}).items():
        # A path item may be a local $ref (none in the corpus today, but legal).
        while isinstance(item, dict) and str(item.get("$ref", "")).startswith("#/"):
            target: Any = document
            for part in item["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            item = target
        found += [f"{m.upper()} {route}" for m in _METHODS if isinstance(item, dict) and m in item]
    return found


def _sync_methods(package_dir: Path) -> list[ast.FunctionDef]:
    methods: list[ast.FunctionDef] = []
    for module in sorted((package_dir / "resources").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("Async"):
                methods += [
                    item
                    for item in node.body
                    if isinstance(item, ast.FunctionDef)
                    and not item.name.startswith(("iter_", "_"))
                ]
    return methods


def count_operations(package_dir: Path) -> int:
    """Operation methods of the sync resource classes (not the iter_ twins), read from source."""
    return len(_sync_methods(package_dir))


def generated_operations(package_dir: Path) -> list[str]:
    """`METHOD /path` that each generated operation method requests, read from its source.

    A method calls `self._client.request("GET", "/x")` or `request("GET", build_path("/x/{id}",
    ...))`; anything else is reported as "? <method name>".
    """
    found: list[str] = []
    for method in _sync_methods(package_dir):
        requested = "? " + method.name
        for node in ast.walk(method):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "request"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)
            ):
                path = node.args[1]
                if isinstance(path, ast.Call) and path.args:
                    path = path.args[0]  # build_path(template, values)
                if isinstance(path, ast.Constant):
                    requested = f"{node.args[0].value!s} {path.value!s}"
                break
        found.append(requested)
    return found


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


def _tail(completed: subprocess.CompletedProcess[str]) -> str:
    text = (completed.stdout + completed.stderr).strip()
    return text[-_DETAIL:] or f"exit {completed.returncode}"


def generate_spec(spec: CorpusSpec, out: Path) -> tuple[Path | None, str]:
    """`odido-gen generate --spec` into `out`: the distribution folder, or None and why not."""
    generated = _run(
        [
            str(BIN / "odido-gen"), "generate", "--no-cache", "--spec", str(spec.path),
            "--package", spec.package, "--output", str(out),
        ],
    )  # fmt: skip
    dist = out / spec.distribution
    if generated.returncode != 0 or not (dist / spec.package).is_dir():
        return None, _tail(generated)
    return dist, ""


def check_spec(
    spec: CorpusSpec,
    out: Path,
    *,
    mypy: bool = True,
    mypy_cache: Path | None = None,
    dist: Path | None = None,
    generate_seconds: float = 0.0,
) -> CorpusResult:
    """Generate (unless `dist` is given) and run every check on one spec.

    `mypy_cache`: a cache folder shared by the runs of one session; the third-party modules
    (pydantic, httpx, odido_runtime) are then checked once, not once per spec. Each generated
    package has its own name, so it is always checked afresh.
    """
    result = CorpusResult(spec)
    started = time.perf_counter() - generate_seconds
    if dist is None:
        dist, error = generate_spec(spec, out)
        if dist is None:
            result.details["generate"] = error
            result.seconds = time.perf_counter() - started
            return result
    result.dist = dist
    package_dir = dist / spec.package
    result.generated = count_operations(package_dir)
    expected = collections.Counter(spec_operations(spec.path))
    got = collections.Counter(generated_operations(package_dir))
    result.in_document = sum(expected.values())
    result.missing = sorted((expected - got).elements())
    result.extra = sorted((got - expected).elements())
    imported = _run([sys.executable, "-c", _IMPORT_ALL, str(dist), spec.package])
    result.imports = imported.returncode == 0
    if not result.imports:
        result.details["import"] = _tail(imported)
    linted = _run([str(BIN / "ruff"), "check", "--no-cache", "--quiet", "."], dist)
    result.ruff = linted.returncode == 0
    if not result.ruff:
        result.details["ruff"] = _tail(linted)
    if mypy:
        cache = ["--cache-dir", str(mypy_cache)] if mypy_cache else ["--no-incremental"]
        if mypy_cache is None:
            cache += ["--cache-dir", os.devnull]
        checked = _run([str(BIN / "mypy"), "--strict", *cache, spec.package], dist)
        result.mypy = checked.returncode == 0
        if not result.mypy:
            result.details["mypy"] = _tail(checked)
    result.seconds = time.perf_counter() - started
    return result


def judge_with_prism(spec: CorpusSpec, dist: Path) -> PrismResult:
    """Prism serves the spec; the generated client in `dist` calls each GET operation.

    Runs tests/corpus/_prism_judge.py as a child process (a fresh interpreter per spec: the
    biggest generated packages are heavy to hold together). Prism comes from PATH, else from
    the repository's node_modules.
    """
    env = dict(os.environ)
    local_bin = ROOT / "node_modules" / ".bin"
    if shutil.which("prism", path=env.get("PATH")) is None and local_bin.is_dir():
        env["PATH"] = f"{local_bin}{os.pathsep}{env.get('PATH', '')}"
    started = time.perf_counter()
    judged = subprocess.run(
        [sys.executable, str(PRISM_JUDGE), str(spec.path), str(dist), spec.package],
        capture_output=True,
        text=True,
        env=env,
    )
    lines = judged.stdout.strip().splitlines()
    if judged.returncode != 0 or not lines:
        result = PrismResult(
            loaded=True, errors=[f"the Prism judge failed: {_tail(judged)}"], note="crashed"
        )
    else:
        result = PrismResult.from_json(json.loads(lines[-1]))
    result.seconds = time.perf_counter() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only specs whose file name contains one of these")
    parser.add_argument("--no-mypy", action="store_true", help="skip mypy --strict (the slow part)")
    parser.add_argument(
        "--prism", action="store_true", help="also call each GET operation through Prism (slow)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="specs checked at once (default 2)")
    args = parser.parse_args()
    specs = [s for s in corpus_specs() if not args.names or any(n in s.file for n in args.names)]
    header = (
        f"{'spec':34s} {'version':13s} {'ops':>4s} {'doc':>4s} {'gen':>4s} "
        f"{'import':6s} {'ruff':4s} {'mypy':4s}"
    )
    if args.prism:
        header += f" {'GETs':>4s} {'call':>4s} {'inv':>4s} {'parse':>5s} {'err':>4s}"
    header += f" {'sec':>6s}"
    print(header)
    print("-" * len(header))

    def one(spec: CorpusSpec, tmp: Path) -> CorpusResult:
        result = check_spec(spec, tmp, mypy=not args.no_mypy, mypy_cache=tmp / ".mypy_cache")
        if args.prism and result.dist is not None:
            result.prism = judge_with_prism(spec, result.dist)
        print(result.row(prism=args.prism), flush=True)
        return result

    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="odido-corpus-") as tmp,
        ThreadPoolExecutor(args.jobs) as pool,
    ):
        results = list(pool.map(lambda s: one(s, Path(tmp)), specs))
    print("-" * len(header))
    for r in results:
        for check, detail in r.failures().items():
            print(f"{r.spec.file}: {check}: {detail.strip().splitlines()[-1][:200]}")
        for check, entries in _prism_failures(r).items():
            # The operations (or Prism's reason) only; tests/corpus prints the whole texts.
            heads = entries if check == "prism-load" else sorted(labels(entries))
            print(f"{r.spec.file}: {check}: {len(entries)}: {', '.join(heads)[:300]}")
    total_ops = sum(r.spec.operations for r in results)
    total_gen = sum(max(r.generated, 0) for r in results)
    print(
        f"{len(results)} specs: {sum(r.dist is not None for r in results)} generated, "
        f"{sum(r.complete for r in results)} complete (every operation, imports, ruff), "
        f"{sum(bool(r.mypy) for r in results)} mypy --strict clean; "
        f"operations {total_gen}/{total_ops}; {time.perf_counter() - started:.0f} s"
    )
    if args.prism:
        judged = [r.prism for r in results if r.prism is not None and r.prism.loaded]
        print(
            f"Prism: {len(judged)} specs served, {sum(p.called for p in judged)} GET calls, "
            f"{sum(len(p.invalid) for p in judged)} invalid requests, "
            f"{sum(len(p.parse_failures) for p in judged)} parse failures, "
            f"{sum(len(p.errors) for p in judged)} other errors, "
            f"{sum(len(p.unanswered) for p in judged)} Prism could not answer"
        )
    return 0 if all(r.complete for r in results) else 1


def labels(entries: list[str]) -> set[str]:
    """The operations ("GET /x") that failure texts ("GET /x: why") start with."""
    return {entry.partition(": ")[0] for entry in entries}


def _prism_failures(result: CorpusResult) -> dict[str, list[str]]:
    return result.prism.failures() if result.prism is not None else {}


if __name__ == "__main__":
    sys.exit(main())
