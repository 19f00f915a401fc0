"""Run every benchmark of odido-gen against its peers and write benchmarks/results.md.

1. Sets up the benchmark virtualenv .bench/venv (once; again when the pins below change) with
   openapi-python-client and openapi-generator-cli (which ships its jar; needs Java 11+) from
   PyPI, plus what their generated packages import.
2. (a) generation.py: generating the whole definition, side by side.
3. (b) cold_import.py: cold import plus the first call of one operation of each output.
4. (c) runtime_overhead.py: odido-runtime's per-request overhead over plain httpx.
5. Prints the figures, the ratios and the issue's targets, and writes them with the versions
   and the command to Markdown. Figures only: nothing here fails on a slow result.

    python3 benchmarks/run_all.py                 # whole Genesys definition, about 5-8 minutes
    python3 benchmarks/run_all.py --slice         # the Outbound slice in specs/, about 1 minute

Needs the repo's .venv (python3 dev.py generate sets it up) and `java` on PATH.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import (
    BENCH_PYTHON,
    BENCH_VENV,
    CLIENT_PINS,
    CLIENTS_VENV,
    FULL_SPEC,
    OAG,
    ODIDO,
    ODIDO_GEN,
    ODIDO_PYTHON,
    OPC,
    PEER_PINS,
    REPO,
    SLICE_SPEC,
    WORK_DIR,
    require,
    table,
)
from cold_import import ImportReport
from generation import GenerationReport

HERE = Path(__file__).resolve().parent
PINS_STAMP = BENCH_VENV / "odido-bench-pins.txt"


def _capture(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).strip()


def ensure_venv(venv: Path, requirements: list[str], stamp_extra: str = "") -> list[str]:
    """Create `venv` and install `requirements` (again when they change); its `pip freeze`."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    stamp = venv / "odido-bench-requirements.txt"
    wanted = "\n".join([*requirements, stamp_extra]) + "\n"
    if not stamp.exists() or stamp.read_text(encoding="utf-8") != wanted:
        print(f"installing {' '.join(requirements)} into {venv}", flush=True)
        log = venv / "pip-install.log"
        with log.open("wb") as out:
            code = subprocess.run(
                [str(python), "-m", "pip", "install", "--disable-pip-version-check", *requirements],
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            ).returncode
        if code != 0:
            sys.exit(f"pip install failed; see {log}")
        stamp.write_text(wanted, encoding="utf-8")
    freeze = _capture([str(python), "-m", "pip", "freeze", "--disable-pip-version-check"])
    return [line for line in freeze.splitlines() if "==" in line and not line.startswith("#")]


def _relative(text: str) -> str:
    """Paths in `text` relative to the repository (shared/ is its sibling)."""
    for folder, short in ((REPO, ""), (REPO.parent, "../")):
        # Only whole paths: not the "/work/" inside an already shortened ".bench/work/".
        text = re.sub(rf"(?<![\w./-]){re.escape(str(folder))}/", short, text)
    return text


def _java_version() -> str:
    try:
        return _capture(["java", "-version"]).splitlines()[0]
    except (OSError, IndexError):
        sys.exit("openapi-generator needs Java 11+ (`java` on PATH)")


def _run_stage(title: str, argv: list[str]) -> None:
    print(f"\n== {title}\n$ {shlex.join(argv)}", flush=True)
    code = subprocess.run(argv, cwd=REPO, check=False).returncode
    if code != 0:
        sys.exit(f"{title} failed with exit code {code}")


def _overhead(requests: int, rounds: int) -> str:
    argv = [str(ODIDO_PYTHON), str(HERE / "runtime_overhead.py")]
    argv += ["--requests", str(requests), "--rounds", str(rounds)]
    print(f"\n== (c) runtime overhead\n$ {shlex.join(argv)}", flush=True)
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    output = done.stdout.strip()
    print(output, flush=True)
    if done.returncode != 0:
        return output + f"\n(failed with exit code {done.returncode})\n{done.stderr.strip()}"
    return output


def _target(label: str, value: float | None, limit: float, *, strict: bool = False) -> list[str]:
    if value is None:
        return [label, "n/a", "not measured"]
    met = value < limit if strict else value <= limit
    sign = "<" if strict else "≤"
    return [label, f"{value:.3f} (target {sign} {limit:g})", "yes" if met else "no"]


def _quotient(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def _targets(gen: GenerationReport, imp: ImportReport, overhead: str) -> str:
    def wall(name: str) -> float | None:
        res = gen.results.get(name)
        return None if res is None or res.error else res.wall

    def peak(name: str) -> float | None:
        res = gen.results.get(name)
        return None if res is None or res.error else res.peak

    def first_call(name: str) -> float | None:
        res = imp.results.get(name)
        return None if res is None or res.error else res.total

    odido = gen.results.get(ODIDO)
    ops = odido.operations if odido is not None and not odido.error else None
    match = re.search(r"ratio of medians \(runtime / plain\): ([0-9.]+)", overhead)
    rows = [
        _target(
            "generation wall time, odido / openapi-python-client",
            _quotient(wall(ODIDO), wall(OPC)),
            0.5,
        ),
        _target(
            "generation wall time, odido / openapi-generator",
            _quotient(wall(ODIDO), wall(OAG)),
            0.2,
        ),
        [
            "operations generated by odido-gen",
            f"{ops if ops is not None else 'n/a'}/{gen.spec_operations}",
            "yes" if ops == gen.spec_operations else "no",
        ],
        _target(
            "generation peak memory, odido / openapi-python-client",
            _quotient(peak(ODIDO), peak(OPC)),
            1.0,
            strict=True,
        ),
        _target(
            "cold import + first call, odido / openapi-python-client",
            _quotient(first_call(ODIDO), first_call(OPC)),
            0.1,
        ),
        _target(
            "cold import + first call, odido / openapi-generator",
            _quotient(first_call(ODIDO), first_call(OAG)),
            0.03,
        ),
        _target(
            "per-request time, odido-runtime / plain httpx",
            float(match.group(1)) if match else None,
            1.15,
        ),
    ]
    return table(["issue 5 target", "measured", "met"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--spec", type=Path, help=f"default: {FULL_SPEC}")
    which.add_argument("--slice", action="store_true", help=f"use {SLICE_SPEC.name}")
    parser.add_argument("--gen-repeat", type=int, default=3, help="(a) runs per generator")
    parser.add_argument("--import-repeat", type=int, default=5, help="(b) runs per generator")
    parser.add_argument("--overhead-requests", type=int, default=500, help="(c) per round")
    parser.add_argument("--overhead-rounds", type=int, default=10, help="(c)")
    parser.add_argument(
        "--results", type=Path, help="default: benchmarks/results.md (full definition)"
    )
    args = parser.parse_args()
    spec = SLICE_SPEC if args.slice else (args.spec or FULL_SPEC)
    spec = require(spec.resolve(), "no such spec (shared/ belongs beside the repository)")
    results = args.results or (
        HERE / "results.md" if spec == FULL_SPEC.resolve() else WORK_DIR / f"results-{spec.stem}.md"
    )
    require(ODIDO_GEN, "set up the repo's .venv first: python3 dev.py generate")
    command = shlex.join(["python3", "benchmarks/run_all.py", *sys.argv[1:]])
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()[0]

    java = _java_version()
    freeze = ensure_venv(BENCH_VENV, list(PEER_PINS))
    runtime = REPO / "runtime"
    runtime_deps = hashlib.sha256((runtime / "pyproject.toml").read_bytes()).hexdigest()
    clients = ensure_venv(CLIENTS_VENV, [*CLIENT_PINS, "-e", str(runtime)], runtime_deps)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK_DIR) as scratch:
        gen_json, imp_json = Path(scratch, "generation.json"), Path(scratch, "import.json")
        common = ["--spec", str(spec), "--work", str(WORK_DIR)]
        generation = [str(BENCH_PYTHON), str(HERE / "generation.py"), *common]
        generation += ["--repeat", str(args.gen_repeat), "--json", str(gen_json)]
        _run_stage("(a) generation", generation)
        cold = [str(BENCH_PYTHON), str(HERE / "cold_import.py"), *common]
        cold += ["--repeat", str(args.import_repeat), "--json", str(imp_json)]
        _run_stage("(b) cold import + first call", cold)
        gen = GenerationReport.from_json(gen_json.read_text(encoding="utf-8"))
        imp = ImportReport.from_json(imp_json.read_text(encoding="utf-8"))
    overhead = _overhead(args.overhead_requests, args.overhead_rounds)
    minutes = (datetime.datetime.now(datetime.UTC) - started).total_seconds() / 60
    load_after = os.getloadavg()[0]

    targets = _targets(gen, imp, overhead)
    versions = [
        f"- odido-gen: {gen.odido_version} (`{ODIDO_GEN.relative_to(REPO)}`, "
        f"{'--no-cache and ' if gen.odido_no_cache_flag else ''}an empty ODIDO_GEN_CACHE_DIR)",
        f"- Python: `{_capture([str(BENCH_PYTHON), '-VV'])}` (odido-gen runs on the repo's .venv)",
        f"- Java: {java}",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs; 1-minute load average "
        f"{load_before:.2f} at the start, {load_after:.2f} at the end (other work included)",
        "- .bench/venv, the peers (`pip freeze`): " + ", ".join(f"`{line}`" for line in freeze),
        "- .bench/clients, where (b) imports all three outputs (`pip freeze`): "
        + ", ".join(f"`{line}`" for line in clients)
        + ", and odido-runtime editable from `runtime/`",
    ]
    inputs = [
        f"- odido-gen reads `{Path(gen.spec).name}` as published "
        f"({gen.spec_operations} operations).",
        (
            "- The peers refuse it as published; filled in for both (a response `description`"
            " that the spec leaves out): " + ", ".join(f"`{pointer}`" for pointer in gen.repairs)
            if gen.repairs
            else "- The peers get the same file (nothing in it needed filling in)."
        ),
        "- openapi-python-client reads no Swagger 2.0: it gets the OpenAPI 3 form made by "
        f"openapi-generator's converter (`-g openapi`, {gen.convert_seconds:.1f} s, "
        "done once and not counted in its time). openapi-generator gets the repaired Swagger 2.0.",
        "- Commands (one fresh temporary output folder per run):",
        *(f"  - `{_relative(shlex.join(res.command))}`" for res in gen.results.values()),
    ]
    document = "\n".join(
        [
            "# Benchmarks: odido-gen beside openapi-python-client and openapi-generator",
            "",
            f"Measured {started:%Y-%m-%d %H:%M} UTC in {minutes:.1f} minutes on "
            f"`{Path(gen.spec).name}`. Reproduce from the repository root with:",
            "",
            "```sh",
            command,
            "```",
            "",
            "Figures from one noisy 2-core machine: read the ratios, not the seconds.",
            "",
            "## Against the issue's targets",
            "",
            targets,
            "",
            f"## (a) Generation (median of {gen.repeat} runs each, interleaved)",
            "",
            gen.render(),
            "",
            *inputs,
            "",
            f"## (b) Cold import + first call of `{imp.operation}` (median of {imp.repeat})",
            "",
            "Each run is a fresh process of .bench/clients (the three outputs' run-time "
            "dependencies only), answered with the same canned ContactList. First as the "
            "issue asks, through the HTTP library's mock: `httpx.MockTransport` for odido-gen "
            "(its token request included) and openapi-python-client, and for "
            "openapi-generator, whose output runs on urllib3, a pool manager returning a "
            "`urllib3.HTTPResponse`. Then over a real socket, from an HTTP server on 127.0.0.1 "
            "(odido's client fetches its token there first). "
            "'import+call' is timed inside the child; 'whole process' includes interpreter "
            "start-up; the 'no-bytecode run' is the first import of the fresh output, "
            "which compiles its .pyc files.",
            "",
            imp.render(),
            "",
            "## (c) Per-request overhead of odido-runtime over plain httpx",
            "",
            "```",
            overhead,
            "```",
            "",
            "## Versions",
            "",
            *versions,
            "",
        ]
    )
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(document, encoding="utf-8")
    print(f"\n== summary\n{targets}\n\nwritten to {results}")


if __name__ == "__main__":
    main()
