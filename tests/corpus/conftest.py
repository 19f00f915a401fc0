"""Set-up of the corpus tests: the report's code on the path, one `CorpusRun` per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# benchmarks/corpus_report.py holds the checks; tests/e2e the Prism helpers (which need the
# sandbox tests' helpers). Each is a top-level module, as in those folders' own tests.
for _folder in (ROOT / "benchmarks", ROOT / "tests" / "e2e", ROOT / "tests" / "sandbox"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import pytest  # noqa: E402
from _corpus_support import CorpusRun  # noqa: E402
from corpus_report import CORPUS, CorpusResult, CorpusSpec  # noqa: E402

GENERATE_TEST = "test_corpus_spec_generates"
PRISM_TEST = "test_corpus_spec_passes_prism"
_RUN = pytest.StashKey[CorpusRun]()


def _wanted(session: pytest.Session, test_name: str) -> list[CorpusSpec]:
    """The specs whose `test_name` runs in this session (selected, and not skipped)."""
    found: list[CorpusSpec] = []
    for item in session.items:
        if getattr(item, "originalname", None) != test_name or item.get_closest_marker("skip"):
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is not None and isinstance(callspec.params.get("spec"), CorpusSpec):
            found.append(callspec.params["spec"])
    return found


@pytest.fixture(scope="session")
def corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CorpusRun]:
    run = CorpusRun(
        out=tmp_path_factory.mktemp("corpus"),
        mypy_cache=tmp_path_factory.mktemp("mypy-cache"),
        to_check=_wanted(request.session, GENERATE_TEST),
        to_judge=_wanted(request.session, PRISM_TEST),
    )
    request.config.stash[_RUN] = run
    yield run
    run.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The corpus table (the report's layout) for the specs this session checked."""
    run = terminalreporter.config.stash.get(_RUN, None)
    if run is None:
        return
    checked, judged = run.results()
    if not checked and not judged:
        return
    by_file = {r.spec.file: r for r in checked}
    for name, verdict in judged.items():
        by_file.setdefault(name, CorpusResult(_spec(name))).prism = verdict
    rows = sorted(by_file.values(), key=lambda r: r.spec.file)
    write = terminalreporter.write_line
    terminalreporter.section(f"corpus: {len(rows)} specs (corpus at {CORPUS})")
    write(
        f"{'spec':34s} {'version':13s} {'ops':>4s} {'doc':>4s} {'gen':>4s} {'import':6s} "
        f"{'ruff':4s} {'mypy':4s} {'GETs':>4s} {'call':>4s} {'inv':>4s} {'parse':>5s} "
        f"{'err':>4s} {'sec':>6s}"
    )
    for result in rows:
        write(result.row(prism=True))
    served = [p for p in judged.values() if p.loaded]
    write(
        f"operations generated {sum(max(r.generated, 0) for r in checked)}"
        f"/{sum(r.spec.operations for r in checked)}; "
        f"Prism: {len(served)} specs served, {sum(p.called for p in served)} GET calls, "
        f"{sum(len(p.invalid) for p in served)} invalid requests, "
        f"{sum(len(p.parse_failures) for p in served)} parse failures, "
        f"{sum(len(p.errors) for p in served)} other errors, "
        f"{sum(len(p.off_spec) for p in served)} answers off their own spec, "
        f"{sum(len(p.unanswered) for p in served)} Prism could not answer"
    )


def _spec(name: str) -> CorpusSpec:
    from corpus_report import corpus_specs

    return next(s for s in corpus_specs() if s.file == name)
