"""(a) Generating a whole definition: odido-gen beside openapi-python-client and openapi-generator.

Each run of each generator is a fresh child process writing into a fresh temporary folder;
rounds interleave the generators (rotating who goes first) so that a noisy machine hits all of
them. Measured per run: wall time, peak memory of the process tree (RSS of the process and all
its descendants summed, polled every 50 ms, and never below the kernel's ru_maxrss), and the
operations found in the output. Prints medians and odido/peer ratios; no assertions.

odido-gen reads the spec as published, with its render cache off. The peers need the one
response without a `description` filled in, and openapi-python-client needs OpenAPI 3: that
preparation (openapi-generator's converter) is done once, cached, and not timed.

    .bench/venv/bin/python benchmarks/generation.py [--spec FILE] [--repeat 3] [--json FILE]

Needs .bench/venv with the peers (made by benchmarks/run_all.py) and the repo's .venv.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from _common import (
    BENCH_VENV,
    FULL_SPEC,
    GENERATORS,
    ODIDO,
    ODIDO_GEN,
    PEERS,
    WORK_DIR,
    count_operations,
    count_spec_operations,
    generator_command,
    median,
    odido_supports_no_cache,
    prepare_peer_inputs,
    ratio,
    require,
    run_measured,
    table,
)

MIB = 1024 * 1024


@dataclass
class GeneratorResult:
    generator: str
    command: list[str] = field(default_factory=list)
    wall_seconds: list[float] = field(default_factory=list)
    peak_tree_rss: list[int] = field(default_factory=list)
    max_process_rss: list[int] = field(default_factory=list)
    operations: int | None = None
    operations_how: str = ""
    output: str = ""
    error: str = ""

    @property
    def wall(self) -> float | None:
        return median(self.wall_seconds) if self.wall_seconds else None

    @property
    def peak(self) -> float | None:
        return median(self.peak_tree_rss) if self.peak_tree_rss else None


def _generate_once(
    generator: str, spec: Path, runs: Path, keep: Path, *, no_cache: bool, keep_output: bool
) -> tuple[GeneratorResult, Path | None]:
    out = Path(tempfile.mkdtemp(prefix=f"{generator}-", dir=runs))
    argv, env = generator_command(generator, spec, out, no_cache_flag=no_cache)
    log = out / "generate.log"
    measured = run_measured(argv, env=env, log=log)
    result = GeneratorResult(generator, command=argv)
    if measured.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
        result.error = f"exit {measured.returncode}: " + "\n".join(tail)
        shutil.rmtree(out, ignore_errors=True)
        return result, None
    result.wall_seconds.append(measured.wall_seconds)
    result.peak_tree_rss.append(measured.peak_tree_rss)
    result.max_process_rss.append(measured.max_process_rss)
    if not keep_output:
        shutil.rmtree(out, ignore_errors=True)
        return result, None
    shutil.rmtree(keep, ignore_errors=True)
    keep.parent.mkdir(parents=True, exist_ok=True)
    out.rename(keep)
    return result, keep


@dataclass
class GenerationReport:
    spec: str
    spec_operations: int
    repeat: int
    odido_no_cache_flag: bool
    odido_version: str
    repairs: list[str]
    convert_seconds: float
    results: dict[str, GeneratorResult]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> GenerationReport:
        data = json.loads(text)
        data["results"] = {k: GeneratorResult(**v) for k, v in data["results"].items()}
        return cls(**data)

    def render(self) -> str:
        """The figures as Markdown: a table, the ratios, how operations were counted."""
        rows = []
        for name, res in self.results.items():
            if res.error or res.wall is None or res.peak is None:
                rows.append([name, "failed", "", "", "", ""])
                continue
            rows.append(
                [
                    name,
                    f"{res.wall:.2f}",
                    f"{min(res.wall_seconds):.2f}-{max(res.wall_seconds):.2f}",
                    f"{res.peak / MIB:.0f}",
                    f"{median(res.max_process_rss) / MIB:.0f}",
                    f"{res.operations}/{self.spec_operations}",
                ]
            )
        header = [
            "generator",
            "wall s (median)",
            "wall s (range)",
            "peak tree RSS MiB",
            "largest process MiB",
            "operations",
        ]
        parts = [table(header, rows)]
        odido = self.results.get(ODIDO)
        if odido is not None and not odido.error:
            ratio_rows = [
                [
                    f"odido-gen / {peer}",
                    ratio(odido.wall, self.results[peer].wall),
                    ratio(odido.peak, self.results[peer].peak),
                ]
                for peer in PEERS
                if peer in self.results and not self.results[peer].error
            ]
            parts.append(table(["ratio", "wall time", "peak memory"], ratio_rows))
        notes = [
            f"- {name}: {res.operations_how}" for name, res in self.results.items() if not res.error
        ]
        parts.append("\n".join(notes))
        parts.extend(
            f"{name} failed:\n\n```\n{res.error}\n```"
            for name, res in self.results.items()
            if res.error
        )
        return "\n\n".join(parts)


def run(spec: Path, repeat: int, work: Path, only: tuple[str, ...]) -> GenerationReport:
    require(BENCH_VENV / "bin" / "openapi-python-client", "run benchmarks/run_all.py first")
    require(ODIDO_GEN, "set up the repo's .venv first (python3 dev.py generate)")
    inputs = prepare_peer_inputs(spec, work)
    no_cache = odido_supports_no_cache()
    runs = work / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    results = {name: GeneratorResult(name) for name in only}
    for round_no in range(repeat):
        order = only[round_no % len(only) :] + only[: round_no % len(only)]
        for name in order:
            result = results[name]
            if result.error:
                continue  # it failed once: the spec will not get better
            keep = work / "outputs" / spec.stem / name
            one, kept = _generate_once(
                name,
                inputs.for_generator(name),
                runs,
                keep,
                no_cache=no_cache,
                keep_output=round_no == repeat - 1,
            )
            result.command = one.command
            result.error = one.error
            result.wall_seconds += one.wall_seconds
            result.peak_tree_rss += one.peak_tree_rss
            result.max_process_rss += one.max_process_rss
            if kept is not None:
                log = (kept / "generate.log").read_text(encoding="utf-8", errors="replace")
                counted = count_operations(name, kept, log)
                result.operations, result.operations_how = counted.count, counted.how
                result.output = str(kept)
            took = f"{one.wall_seconds[0]:.1f} s" if one.wall_seconds else "FAILED"
            print(f"  round {round_no + 1}/{repeat} {name}: {took}", flush=True)
    return GenerationReport(
        spec=str(spec),
        spec_operations=count_spec_operations(spec),
        repeat=repeat,
        odido_no_cache_flag=no_cache,
        odido_version=_odido_version(),
        repairs=list(inputs.repairs),
        convert_seconds=inputs.convert_seconds,
        results=results,
    )


def _odido_version() -> str:
    done = subprocess.run([str(ODIDO_GEN), "--version"], capture_output=True, text=True)
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=FULL_SPEC)
    parser.add_argument("--repeat", type=int, default=3, help="runs per generator")
    parser.add_argument("--work", type=Path, default=WORK_DIR, help="outputs and prepared specs")
    parser.add_argument("--only", action="append", choices=GENERATORS, help="repeatable")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    spec = require(args.spec.resolve(), "no such spec")
    only = tuple(name for name in GENERATORS if name in (args.only or GENERATORS))
    print(f"generation of {spec.name}: {args.repeat} run(s) each of {', '.join(only)}")
    report = run(spec, args.repeat, args.work.resolve(), only)
    print(report.render())
    if args.json:
        args.json.write_text(report.to_json(), encoding="utf-8")


if __name__ == "__main__":
    main()
