"""Stoplight Prism judges each corpus spec's generated client on every GET operation.

`prism mock SPEC` (request validation on: Prism's default) serves the spec on 127.0.0.1; the
generated client, pointed at it with `base_url=` (Prism serves `paths` as written, without the
servers' base path), calls each GET operation that needs no request body with the spec's
examples for its required parameters and the credentials its security requirement asks for
(tests/corpus/_prism_judge.py, a child process per spec; the report's `--prism` runs the same).

Targets, per spec: no request Prism marks invalid (a request-side `sl-violations` entry, or
Prism refusing the request: unauthorized, no route, not acceptable); no 2xx answer the client
fails to parse, among the answers Prism itself says fit the spec; no other failed call. Answers
Prism says break the spec's own schema (a spec example that does not fit it) and operations
Prism cannot mock are printed, not judged. Exceptions only through known_gaps.toml.
"""

from __future__ import annotations

import pytest
from _corpus_support import CorpusRun, compare_with_gaps, load_gaps, params
from _e2e_support import require_prism
from corpus_report import PRISM_CHECKS, CorpusSpec, PrismResult

pytestmark = pytest.mark.prism

# The default run: one Swagger 2.0 and two OpenAPI 3.x specs with several security schemes,
# served by Prism in a few seconds each; all 30 run in CI.
DEFAULT = frozenset(
    {
        "gotify__server.json",  # 2.0: apiKey header / query, basic
        "hubspot__files-v3.json",  # 3.0: apiKey header / query, oauth2
        "redocly__museum.yaml",  # 3.1: http basic, a binary answer
    }
)


def _summary(spec: CorpusSpec, result: PrismResult) -> str:
    if result.loaded is None:
        return f"{spec.file}: not judged ({result.note})"
    if not result.loaded:
        return f"{spec.file}: Prism could not load the spec: {result.note}"
    lines = [
        f"{spec.file}: {result.called}/{result.get_operations} GET operations called; "
        f"{len(result.invalid)} invalid requests, {len(result.parse_failures)} parse failures, "
        f"{len(result.errors)} other errors; {result.answered} answers parsed; "
        f"{len(result.off_spec)} answers off their own spec; "
        f"{len(result.unanswered)} Prism could not answer",
    ]
    lines += [f"  invalid: {e}" for e in result.invalid]
    lines += [f"  parse failure: {e}" for e in result.parse_failures]
    lines += [f"  error: {e}" for e in result.errors]
    lines += [f"  off spec (not judged): {e[:200]}" for e in result.off_spec]
    lines += [f"  not answerable: {k}: {v}" for k, v in result.unanswered.items()]
    return "\n".join(lines)


@pytest.mark.parametrize("spec", params(DEFAULT))
def test_corpus_spec_passes_prism(spec: CorpusSpec, corpus: CorpusRun) -> None:
    require_prism()

    result, not_generated = corpus.judged(spec)

    if result is None:
        pytest.fail(f"{spec.file} did not generate: {not_generated}")
    print(_summary(spec, result))
    ran: list[str] = []
    if result.loaded is not None:
        ran.append("prism-load")
    if result.loaded:
        ran += [c for c in PRISM_CHECKS if c != "prism-load"]
    problems = compare_with_gaps(spec.file, result.failures(), ran, load_gaps())
    assert not problems, f"{spec.file}:\n" + "\n".join(problems)
