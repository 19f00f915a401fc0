"""Every spec of the public corpus generates a complete, importable, lint- and type-clean package.

Per spec (benchmarks/corpus_report.py's `check_spec`, the code behind the corpus report):
`odido-gen generate --spec` succeeds; the package has one method per operation of the spec
(the manifest's count, a count of the spec document read without the generator, and the same
"METHOD /path" pairs in the generated source); every module imports and every model's
validator builds; `ruff check` and `mypy --strict` are clean.

The default run checks a representative subset; CI (CI=true or --slow) checks all 30. A check
may fail only as an entry of known_gaps.toml, and an entry that no longer fails fails the test:
the list only shrinks.
"""

from __future__ import annotations

import os

import pytest
from _corpus_support import (
    ALL_CHECKS,
    SPECS,
    CorpusRun,
    Gap,
    compare_with_gaps,
    load_gaps,
    params,
)
from corpus_report import CHECKS, CORPUS, CorpusSpec, spec_operations

# The default run: small and medium specs that cover Swagger 2.0, OpenAPI 3.0 and 3.1,
# multipart bodies, binary bodies, odd enums and odd names (missing operationIds, dotted and
# hyphenated path parameters), and every kind of security scheme. About a minute on two cores
# with mypy; the rest run in CI.
DEFAULT = frozenset(
    {
        "1forge__forex-quotes.yaml",  # 2.0, no operationIds, no schemas
        "gotify__server.json",  # 2.0, multipart upload, apiKey header + query, basic
        "lnd__lightning.json",  # 2.0, dotted path parameters, int64 as string
        "hubspot__files-v3.json",  # 3.0, multipart, recursive-free, three auth schemes
        "redocly__museum.yaml",  # 3.1, webhooks, http basic
        "tyk__developer-portal.yaml",  # 3.1, multipart, hyphenated path params
    }
)


def test_the_corpus_is_there() -> None:
    if not SPECS:
        message = f"the public corpus is missing: {CORPUS}/MANIFEST.tsv"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    assert len(SPECS) == 30
    assert {s.file for s in SPECS} >= DEFAULT


def test_known_gaps_are_well_formed() -> None:
    """Each entry names a corpus spec, a check, a reason, and operations the spec has."""
    gaps = load_gaps()
    by_file = {s.file: s for s in SPECS}
    seen: set[tuple[str, str]] = set()
    for gap in gaps:
        where = f"known_gaps.toml: {gap.spec} / {gap.check}"
        assert gap.check in ALL_CHECKS, f"{where}: unknown check (one of {ALL_CHECKS})"
        assert gap.reason, f"{where}: give a reason"
        assert (gap.spec, gap.check) not in seen, f"{where}: listed twice"
        seen.add((gap.spec, gap.check))
        if not SPECS:
            continue
        assert gap.spec in by_file, f"{where}: not a corpus spec"
        if gap.operations:
            assert gap.check not in CHECKS, f"{where}: operations only for Prism checks"
            unknown = set(gap.operations) - set(spec_operations(by_file[gap.spec].path))
            assert not unknown, f"{where}: the spec has no operations {sorted(unknown)}"


@pytest.mark.parametrize("spec", params(DEFAULT))
def test_corpus_spec_generates(spec: CorpusSpec, corpus: CorpusRun) -> None:
    result = corpus.checked(spec)

    print(result.row())
    ran = ["generate"]
    if result.dist is not None:
        ran += ["operations", "import", "ruff", "mypy"]
    problems = compare_with_gaps(
        spec.file,
        {check: [detail] for check, detail in result.failures().items()},
        ran,
        load_gaps(),
    )
    assert not problems, f"{spec.file}:\n" + "\n".join(problems)


def test_a_gap_list_that_only_shrinks() -> None:
    """Unlisted failures fail; so do listed gaps (whole checks or operations) that pass now."""
    gaps = [
        Gap("a.yaml", "mypy", "types"),
        Gap("a.yaml", "prism-invalid", "Accept", ("GET /x", "GET /y")),
        Gap("a.yaml", "prism-load", "Prism"),
    ]
    ran = ["mypy", "prism-invalid", "prism-parse"]  # Prism loaded; prism-load not run

    as_listed = {"mypy": ["error: x"], "prism-invalid": ["GET /x: 406", "GET /y: 406"]}
    assert compare_with_gaps("a.yaml", as_listed, ran, gaps) == []

    [unlisted] = compare_with_gaps(
        "a.yaml", {**as_listed, "prism-parse": ["GET /z: bad"]}, ran, gaps
    )
    assert unlisted.startswith("prism-parse failed (not a known gap)")
    more = {**as_listed, "prism-invalid": ["GET /x: 406", "GET /y: 406", "GET /w: 422"]}
    [other_operation] = compare_with_gaps("a.yaml", more, ran, gaps)
    assert "GET /w" in other_operation
    [fixed_check] = compare_with_gaps(
        "a.yaml", {"prism-invalid": as_listed["prism-invalid"]}, ran, gaps
    )
    assert fixed_check.startswith("mypy passes now: remove its entry")
    [fixed_operation] = compare_with_gaps(
        "a.yaml", {"mypy": ["error: x"], "prism-invalid": ["GET /x: 406"]}, ran, gaps
    )
    assert "passes now for ['GET /y']" in fixed_operation
    assert compare_with_gaps("b.yaml", {}, ran, gaps) == []
