"""Helpers of the corpus tests: the known-gaps list, and a session's checks run two at a time.

The checks themselves are benchmarks/corpus_report.py's (one piece of code for the report and
the tests); this module only schedules them and compares their outcome with known_gaps.toml.
"""

from __future__ import annotations

import threading
import time
import tomllib
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from corpus_report import (
    CHECKS,
    CORPUS,
    PRISM_CHECKS,
    CorpusResult,
    CorpusSpec,
    PrismResult,
    check_spec,
    corpus_specs,
    generate_spec,
    judge_with_prism,
    labels,
)

__all__ = [
    "ALL_CHECKS",
    "GAPS_FILE",
    "JOBS",
    "SPECS",
    "CorpusRun",
    "Gap",
    "compare_with_gaps",
    "load_gaps",
    "params",
]

GAPS_FILE = Path(__file__).resolve().parent / "known_gaps.toml"
JOBS = 2  # specs checked at once: CI machines have two cores
ALL_CHECKS = (*CHECKS, *PRISM_CHECKS)
SPECS = corpus_specs() if (CORPUS / "MANIFEST.tsv").is_file() else []


def params(default: frozenset[str]) -> list[object]:
    """One parameter per corpus spec, named by its file; specs not in `default` are slow."""
    return [
        pytest.param(spec, id=spec.file, marks=() if spec.file in default else pytest.mark.slow)
        for spec in SPECS
    ]


@dataclass(frozen=True)
class Gap:
    spec: str
    check: str
    reason: str
    operations: tuple[str, ...] = ()  # "GET /x" labels; empty: the whole check


def load_gaps(path: Path = GAPS_FILE) -> list[Gap]:
    with path.open("rb") as f:
        document = tomllib.load(f)
    return [
        Gap(
            spec=str(entry.get("spec", "")),
            check=str(entry.get("check", "")),
            reason=str(entry.get("reason", "")).strip(),
            operations=tuple(str(o) for o in entry.get("operations", ())),
        )
        for entry in document.get("gap", [])
    ]


def compare_with_gaps(
    spec: str, failing: Mapping[str, Iterable[str]], ran: Iterable[str], gaps: Iterable[Gap]
) -> list[str]:
    """What is wrong with a spec's outcome: failures not listed, listed gaps now fixed.

    `failing`: check -> its failure texts (each starting with an operation label, or whole-check
    texts for checks without operations); `ran`: the checks that ran (a gap of a check that did
    not run can be neither confirmed nor refuted).
    """
    problems: list[str] = []
    ran = set(ran)
    listed = {g.check: g for g in gaps if g.spec == spec}
    for check, entries in failing.items():
        entries = list(entries)
        gap = listed.get(check)
        if gap is None:
            problems.append(f"{check} failed (not a known gap):\n  " + "\n  ".join(entries))
        elif gap.operations:
            unexpected = [e for e in entries if e.partition(": ")[0] not in gap.operations]
            if unexpected:
                problems.append(
                    f"{check} failed for operations not in its known gap:\n  "
                    + "\n  ".join(unexpected)
                )
    for check, gap in listed.items():
        if check not in ran:
            continue
        if check not in failing:
            problems.append(
                f"{check} passes now: remove its entry from {GAPS_FILE.name} ({gap.reason})"
            )
        elif gap.operations:
            fixed = sorted(set(gap.operations) - labels(list(failing[check])))
            if fixed:
                problems.append(
                    f"{check} passes now for {fixed}: remove them from {GAPS_FILE.name}"
                )
    return problems


@dataclass
class CorpusRun:
    """One session's corpus checks: each spec generated once, checks two specs at a time.

    The first test to ask submits every spec the session will ask for (largest first, which
    finishes soonest on two workers); each test then waits for its own spec's outcome.
    """

    out: Path
    mypy_cache: Path
    to_check: list[CorpusSpec]
    to_judge: list[CorpusSpec]
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(JOBS))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _spec_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _dists: dict[str, tuple[Path | None, str, float]] = field(default_factory=dict)
    _checked: dict[str, Future[CorpusResult]] = field(default_factory=dict)
    _judged: dict[str, Future[PrismResult]] = field(default_factory=dict)

    def checked(self, spec: CorpusSpec) -> CorpusResult:
        with self._lock:
            for wanted in _largest_first([*self.to_check, spec]):
                if wanted.file not in self._checked:
                    self._checked[wanted.file] = self.pool.submit(self._check, wanted)
        return self._checked[spec.file].result()

    def judged(self, spec: CorpusSpec) -> tuple[PrismResult | None, str]:
        """Prism's verdict, or None and why the spec did not generate."""
        with self._lock:
            for wanted in _largest_first([*self.to_judge, spec]):
                if wanted.file not in self._judged:
                    self._judged[wanted.file] = self.pool.submit(self._judge, wanted)
        result = self._judged[spec.file].result()
        return (result, "") if result.note != "not generated" else (None, result.errors[0])

    def results(self) -> tuple[list[CorpusResult], dict[str, PrismResult]]:
        """The outcomes so far (for the summary at the end of the session)."""
        checked = [f.result() for f in self._checked.values() if f.done() and not f.exception()]
        judged = {
            name: f.result()
            for name, f in self._judged.items()
            if f.done() and not f.exception() and f.result().note != "not generated"
        }
        return checked, judged

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _dist(self, spec: CorpusSpec) -> tuple[Path | None, str, float]:
        """The generated distribution (once per session), or None and why; and seconds."""
        with self._lock:
            lock = self._spec_locks.setdefault(spec.file, threading.Lock())
        with lock:
            if spec.file not in self._dists:
                started = time.perf_counter()
                dist, error = generate_spec(spec, self.out)
                self._dists[spec.file] = (dist, error, time.perf_counter() - started)
            return self._dists[spec.file]

    def _check(self, spec: CorpusSpec) -> CorpusResult:
        dist, error, seconds = self._dist(spec)
        if dist is None:
            result = CorpusResult(spec, seconds=seconds)
            result.details["generate"] = error
            return result
        return check_spec(
            spec, self.out, mypy_cache=self.mypy_cache, dist=dist, generate_seconds=seconds
        )

    def _judge(self, spec: CorpusSpec) -> PrismResult:
        dist, error, _ = self._dist(spec)
        if dist is None:
            return PrismResult(note="not generated", errors=[error])
        return judge_with_prism(spec, dist)


def _largest_first(specs: list[CorpusSpec]) -> list[CorpusSpec]:
    return sorted(specs, key=lambda s: s.path.stat().st_size, reverse=True)
