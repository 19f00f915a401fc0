"""Shared pieces of the generator benchmarks: paths, peer pins, spec preparation, measured runs.

Standard library only, so that every benchmark script runs under any Python 3.11+ (the repo's
`.venv`, the benchmark venv `.bench/venv`, or a bare `python3`). Linux only: peak memory is read
from /proc.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BENCH_PYTHON",
    "BENCH_VENV",
    "CLIENTS_PYTHON",
    "CLIENTS_VENV",
    "CLIENT_PINS",
    "FULL_SPEC",
    "GENERATORS",
    "OAG",
    "ODIDO",
    "ODIDO_GEN",
    "ODIDO_PYTHON",
    "OPC",
    "PACKAGES",
    "PEERS",
    "PEER_PINS",
    "REPO",
    "SLICE_SPEC",
    "WORK_DIR",
    "Measured",
    "OperationCount",
    "PeerInputs",
    "child_env",
    "count_operations",
    "count_spec_operations",
    "generator_command",
    "median",
    "odido_supports_no_cache",
    "package_root",
    "prepare_peer_inputs",
    "ratio",
    "require",
    "run_measured",
    "table",
]

REPO = Path(__file__).resolve().parent.parent
# CI clones the repository elsewhere, with shared/ beside the clone.
FULL_SPEC = REPO.parent / "shared" / "specs" / "genesys-cloud-platform-api.json"
SLICE_SPEC = REPO / "specs" / "genesys-outbound.json"
BENCH_VENV = REPO / ".bench" / "venv"
BENCH_PYTHON = BENCH_VENV / "bin" / "python"
# Where all three generated packages are imported: their run-time dependencies and nothing else
# (the generators' own dependencies change what httpx imports, e.g. its CLI when click is there).
CLIENTS_VENV = REPO / ".bench" / "clients"
CLIENTS_PYTHON = CLIENTS_VENV / "bin" / "python"
WORK_DIR = REPO / ".bench" / "work"
ODIDO_PYTHON = REPO / ".venv" / "bin" / "python"
ODIDO_GEN = REPO / ".venv" / "bin" / "odido-gen"

ODIDO = "odido-gen"
OPC = "openapi-python-client"
OAG = "openapi-generator"
GENERATORS = (ODIDO, OPC, OAG)
PEERS = (OPC, OAG)

# Installed into .bench/venv from PyPI.
PEER_PINS = ("openapi-python-client==0.29.1", "openapi-generator-cli==7.26.0")
# Installed into .bench/clients from PyPI, beside the repo's runtime/ (editable): what the three
# generated packages import (odido: httpx, pydantic; openapi-python-client: httpx, attrs,
# python-dateutil; openapi-generator: urllib3, pydantic, python-dateutil, typing-extensions).
CLIENT_PINS = (
    "httpx==0.28.1",
    "pydantic==2.14.4",
    "attrs==26.1.0",
    "python-dateutil==4.0.0",
    "urllib3==2.8.0",
    "typing-extensions==4.16.0",
)

# Import names of the generated packages; distinct from anything installed anywhere.
PACKAGES = {ODIDO: "odido_genesys_bench", OPC: "opc_genesys_bench", OAG: "oag_genesys_bench"}

_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def require(path: Path, hint: str) -> Path:
    if not path.exists():
        sys.exit(f"missing {path}: {hint}")
    return path


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def count_spec_operations(spec: Path) -> int:
    document = json.loads(spec.read_text(encoding="utf-8"))
    return sum(
        1
        for item in document.get("paths", {}).values()
        for method in item
        if method in _HTTP_METHODS
    )


# -- inputs of the peers -------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerInputs:
    """What each generator is given. odido-gen reads the spec as published."""

    original: Path
    # The spec with its invalid parts filled in: both peers refuse the published file.
    repaired: Path
    # OpenAPI 3 form of `repaired` (openapi-python-client reads no Swagger 2.0).
    openapi3: Path
    repairs: tuple[str, ...]
    convert_seconds: float

    def for_generator(self, generator: str) -> Path:
        return {ODIDO: self.original, OPC: self.openapi3, OAG: self.repaired}[generator]


def _repair(document: dict[str, object]) -> list[str]:
    """Fill in response descriptions that the spec leaves out (a required field in 2.0 and 3.0).

    openapi-python-client stops on the first one and openapi-generator's validation rejects
    the file; Genesys's definition has one (PUT .../associatedstation/{stationId}, 424).
    """
    repairs: list[str] = []
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return repairs
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method not in _HTTP_METHODS or not isinstance(operation, dict):
                continue
            responses = operation.get("responses")
            if not isinstance(responses, dict):
                continue
            for status, response in responses.items():
                if isinstance(response, dict) and not {"$ref", "description"} & response.keys():
                    response["description"] = ""
                    escaped = path.replace("~", "~0").replace("/", "~1")
                    repairs.append(f"/paths/{escaped}/{method}/responses/{status}/description")
    return repairs


def prepare_peer_inputs(spec: Path, work: Path) -> PeerInputs:
    """Repair the spec and convert it to OpenAPI 3 once, cached by content (not timed)."""
    raw = spec.read_bytes()
    key = hashlib.sha256(raw + "|".join(PEER_PINS).encode()).hexdigest()[:16]
    folder = work / "prepared" / f"{spec.stem}-{key}"
    meta_file = folder / "meta.json"
    repaired = folder / "repaired.json"
    openapi3 = folder / "openapi3.json"
    if meta_file.exists():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        return PeerInputs(
            spec, repaired, openapi3, tuple(meta["repairs"]), float(meta["convert_seconds"])
        )
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    document = json.loads(raw)
    repairs = _repair(document)
    repaired.write_text(json.dumps(document), encoding="utf-8")
    start = time.perf_counter()
    if "swagger" in document:
        # openapi-generator's own converter (swagger-parser), from the pinned jar.
        out = folder / "convert"
        converter = str(BENCH_VENV / "bin" / "openapi-generator-cli")
        argv = [converter, "generate", "-g", "openapi", "-i", str(repaired), "-o", str(out)]
        _run_checked(argv, folder / "convert.log")
        (out / "openapi.json").replace(openapi3)
        shutil.rmtree(out)
    else:
        shutil.copyfile(repaired, openapi3)
    seconds = time.perf_counter() - start
    meta_file.write_text(
        json.dumps({"repairs": repairs, "convert_seconds": seconds}), encoding="utf-8"
    )
    return PeerInputs(spec, repaired, openapi3, tuple(repairs), seconds)


def _run_checked(argv: list[str], log: Path) -> None:
    with log.open("wb") as out:
        code = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        sys.exit(f"{argv[0]} failed ({code}); see {log}:\n{tail}")


# -- the generators ------------------------------------------------------------------------------


def odido_supports_no_cache() -> bool:
    help_text = subprocess.run(
        [str(ODIDO_GEN), "generate", "--help"], capture_output=True, text=True, check=False
    ).stdout
    return "--no-cache" in help_text


def generator_command(
    generator: str, spec: Path, out: Path, *, no_cache_flag: bool
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that generate one package from `spec` into `out`."""
    env = child_env()
    package = PACKAGES[generator]
    if generator == ODIDO:
        # An empty cache directory of its own as well as --no-cache (where the flag exists):
        # every run renders afresh.
        env["ODIDO_GEN_CACHE_DIR"] = str(out / ".odido-gen-cache")
        argv = [str(ODIDO_GEN), "generate", "--spec", str(spec), "--package", package]
        argv += ["--client-name", "Genesys", "--output", str(out / "pkg")]
        if no_cache_flag:
            argv.append("--no-cache")
        return argv, env
    if generator == OPC:
        # --meta none: the package itself, named after the output folder.
        argv = [str(BENCH_VENV / "bin" / "openapi-python-client"), "generate"]
        argv += ["--path", str(spec), "--output-path", str(out / "pkg" / package), "--meta", "none"]
        return argv, env
    argv = [str(BENCH_VENV / "bin" / "openapi-generator-cli"), "generate", "-g", "python"]
    argv += ["-i", str(spec), "-o", str(out / "pkg"), "--additional-properties"]
    argv.append(f"packageName={package}")
    return argv, env


def package_root(generator: str, out: Path) -> Path:
    """The folder to put on sys.path to import the generated package from `out`."""
    if generator == ODIDO:
        # odido-gen writes <output>/<distribution>/<package>/.
        found = sorted(p.parent for p in (out / "pkg").glob(f"*/{PACKAGES[ODIDO]}") if p.is_dir())
        return found[0] if found else out / "pkg"
    return out / "pkg"


def child_env(pythonpath: Path | None = None) -> dict[str, str]:
    """This environment without Python, proxy and bytecode settings that would skew a run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTHON") and not key.lower().endswith("_proxy")
    }
    env["NO_PROXY"] = "127.0.0.1,localhost"
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


# -- operations in a generated package -----------------------------------------------------------


@dataclass(frozen=True)
class OperationCount:
    count: int
    how: str


def count_operations(generator: str, out: Path, log_text: str) -> OperationCount:
    package = package_root(generator, out) / PACKAGES[generator]
    if generator == OPC:
        # One module per endpoint under api/<tag>/.
        modules = {p.stem for p in (package / "api").glob("*/*.py") if p.name != "__init__.py"}
        return OperationCount(len(modules), "endpoint modules under api/")
    if generator == OAG:
        return _count_oag(package)
    return _count_odido(package, log_text)


_OAG_DEF = re.compile(r"^    def ([a-zA-Z]\w*)\(", re.MULTILINE)
_OAG_VARIANTS = ("_with_http_info", "_without_preload_content")


def _count_oag(package: Path) -> OperationCount:
    names: set[str] = set()
    total = 0
    for module in (package / "api").glob("*.py"):
        for name in _OAG_DEF.findall(module.read_text(encoding="utf-8")):
            if not name.endswith(_OAG_VARIANTS):
                names.add(name)
                total += 1
    # An operation with several tags is a method of several API classes: count it once.
    return OperationCount(len(names), f"distinct methods in api/*.py ({total} with tag copies)")


def _count_odido(package: Path, log_text: str) -> OperationCount:
    """Distinct (method, path) pairs that the synchronous resource methods request."""
    seen: set[tuple[str, str]] = set()
    for module in (package / "resources").glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for cls in tree.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            for function in cls.body:
                if isinstance(function, ast.FunctionDef):
                    seen.update(_requests_in(function))
    printed = re.search(r"(\d+) operations", log_text)
    how = "distinct method+path requested by resource methods"
    if printed:
        how += f"; odido-gen printed {printed.group(1)}"
    return OperationCount(len(seen), how)


def _requests_in(function: ast.FunctionDef) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for node in ast.walk(function):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "request"
            and len(node.args) >= 2
        ):
            continue
        method, path = node.args[0], node.args[1]
        if isinstance(path, ast.Call) and path.args:  # build_path("/x/{id}", {...})
            path = path.args[0]
        if (
            isinstance(method, ast.Constant)
            and isinstance(method.value, str)
            and isinstance(path, ast.Constant)
            and isinstance(path.value, str)
        ):
            found.add((method.value.upper(), path.value))
    return found


# -- one measured process tree -------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    wall_seconds: float
    # Largest sum of the RSS of the process and all its descendants seen while polling.
    peak_tree_rss: int
    # The kernel's ru_maxrss: the largest single process of the tree (no polling gaps).
    max_process_rss: int
    returncode: int


_PAGE = os.sysconf("SC_PAGE_SIZE")


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                data = stat.read()
        except OSError:
            continue
        # Fields after the parenthesised command name: state, ppid, ...
        parents[int(entry)] = int(data[data.rindex(b")") + 2 :].split()[1])
    return parents


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    total = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    cwd: Path | None = None,
    interval: float = 0.05,
) -> Measured:
    """Run `argv` with output to `log`; wall time and peak memory of its process tree."""
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv), env=dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(interval)
        wall = time.perf_counter() - start
    # Reaped here with wait4 (for its rusage): tell Popen so that it does not wait again.
    process.returncode = os.waitstatus_to_exitcode(status)
    max_rss = usage.ru_maxrss * 1024  # KiB on Linux
    return Measured(wall, max(peak, max_rss), max_rss, process.returncode)


# -- output --------------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, its columns padded so that it reads as well in a terminal."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or not denominator:
        return "n/a"
    return f"{numerator / denominator:.3f}"
