"""Prism judges one corpus spec's generated client; run as a child process, one per spec.

    python tests/corpus/_prism_judge.py SPEC DIST PACKAGE

`prism mock SPEC` (request validation on: Prism's default) serves the spec; the generated
package in DIST calls each GET operation that needs no request body, with the spec's examples
for its required parameters (built as tests/e2e builds them) and the credentials its security
requirement asks for. Prints one JSON line: a `corpus_report.PrismResult`.

A child process per spec because the largest generated packages are heavy to hold in one
interpreter together; `benchmarks/corpus_report.py --prism` and tests/corpus/ both run it.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib
import json
import queue
import re
import sys
from collections.abc import Generator, Mapping, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for _folder in (HERE.parent / "e2e", HERE.parent / "sandbox", HERE.parents[1] / "benchmarks"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import httpx  # noqa: E402
from _e2e_support import Call, Recorder, Verdict, judge, operation_call, prism_mock  # noqa: E402
from corpus_report import PrismResult  # noqa: E402
from odido_gen.config import product_from_options  # noqa: E402
from odido_gen.model import Operation, Product, build_product  # noqa: E402
from odido_gen.sandbox._examples import resolve  # noqa: E402
from odido_gen.spec import load_spec  # noqa: E402
from odido_runtime import ClientCredentials, Environment  # noqa: E402

__all__ = ["EmptyAnswers", "SpecAuth", "judge_spec", "main"]

TOKEN = "prism-judge-token"  # Prism checks that credentials are present and well-formed only
USER, PASSWORD = "prism-user", "prism-password"
REQUEST_TIMEOUT = 60.0  # seconds per call: a stuck Prism fails that call, not the whole run
_KEEP = 600  # characters kept of each failure text


class SpecAuth(httpx.Auth):
    """Adds the credentials of one security requirement of the spec (`requirement`, per call)."""

    def __init__(self, schemes: Mapping[str, Any]) -> None:
        self.schemes = schemes
        self.requirement: Sequence[str] = ()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # apiKey schemes first: where an apiKey and an http scheme share `Authorization`, Prism
        # checks only the apiKey's presence but the http scheme's prefix.
        names = sorted(self.requirement, key=lambda n: self._scheme(n).get("type") != "apiKey")
        for name in names:
            scheme = self._scheme(name)
            kind = scheme.get("type")
            if kind == "apiKey":
                key, where = str(scheme.get("name")), scheme.get("in")
                if where == "query":
                    request.url = request.url.copy_add_param(key, TOKEN)
                elif where == "cookie":
                    cookie = request.headers.get("Cookie")
                    request.headers["Cookie"] = (
                        f"{cookie}; {key}={TOKEN}" if cookie else f"{key}={TOKEN}"
                    )
                else:
                    request.headers[key] = TOKEN
            elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
                pair = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                request.headers["Authorization"] = f"Basic {pair}"
            elif kind == "http":
                # RFC 7235 schemes are case-insensitive; Prism wants them capitalised.
                kind_name = str(scheme.get("scheme") or "bearer").capitalize()
                request.headers["Authorization"] = f"{kind_name} {TOKEN}"
            elif kind in ("oauth2", "openIdConnect"):
                request.headers["Authorization"] = f"Bearer {TOKEN}"
        yield request

    def _scheme(self, name: str) -> Mapping[str, Any]:
        scheme = self.schemes.get(name)
        return scheme if isinstance(scheme, Mapping) else {}


def _requirement(document: Mapping[str, Any], op: Operation) -> tuple[str, ...]:
    """The scheme names of the first alternative of the operation's security requirement."""
    item = document["paths"][op.path]
    operation = item[op.method.lower()]
    alternatives = operation.get("security", document.get("security")) or []
    first = alternatives[0] if alternatives else {}
    return tuple(first) if isinstance(first, Mapping) else ()


class EmptyAnswers:
    """A response hook: the calls (by label) whose 2xx answer came without a body."""

    def __init__(self) -> None:
        self.label = ""
        self.labels: set[str] = set()

    def __call__(self, response: httpx.Response) -> None:
        if 200 <= response.status_code < 300 and not response.read():
            self.labels.add(self.label)


def _bound(call: Call, auth: SpecAuth, requirement: tuple[str, ...], empty: EmptyAnswers) -> Call:
    def run(*args: object, **kwargs: object) -> object:
        auth.requirement = requirement
        empty.label = call.label
        return call.function(*args, **kwargs)

    return dataclasses.replace(call, function=run)


def _calls(
    client: object,
    product: Product,
    document: Mapping[str, Any],
    auth: SpecAuth,
    empty: EmptyAnswers,
) -> tuple[list[Call], list[str]]:
    """The GET operations' calls, and why any could not be built."""
    calls: list[Call] = []
    not_built: list[str] = []
    for resource in product.resources:
        target = getattr(client, str(resource.attribute))
        for op in resource.operations:
            if op.method != "GET" or (op.body is not None and op.body.required):
                continue
            try:
                call = operation_call(target, op, document)
            except AssertionError as exc:
                not_built.append(f"{op.method} {op.path}: call not built: {str(exc)[:_KEEP]}")
                continue
            if op.body is not None:  # an optional body on a GET: leave it out
                kwargs = {k: v for k, v in call.kwargs.items() if k != str(op.body.name)}
                call = dataclasses.replace(call, kwargs=kwargs)
            calls.append(_bound(call, auth, _requirement(document, op), empty))
    return calls, not_built


def _gets(product: Product) -> int:
    return sum(
        op.method == "GET" and (op.body is None or not op.body.required)
        for resource in product.resources
        for op in resource.operations
    )


def _load_failure(text: str) -> str:
    """The telling lines of Prism's output when it exits instead of listening."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Prism prints its usage before the error: leave out the option lines.
    telling = [
        line
        for line in lines
        if ("rror" in line or "fatal" in line.lower()) and not line.startswith("-")
    ]
    return " | ".join(telling or lines[-5:])[:_KEEP]


def judge_spec(spec: Path, dist: Path, package: str) -> PrismResult:
    document = load_spec(str(spec), label=spec.name).document
    product = build_product(document, product_from_options(spec=str(spec), package=package))
    result = PrismResult(get_operations=_gets(product))
    if not result.get_operations:
        result.note = "no GET operation without a required body"
        return result
    sys.path.insert(0, str(dist))
    client_class = getattr(importlib.import_module(package), str(product.client_name))
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    auth = SpecAuth(schemes)
    recorder = Recorder()
    empty = EmptyAnswers()
    try:
        with prism_mock(spec) as url:
            result.loaded = True
            with (
                httpx.Client(event_hooks={"response": [recorder, empty]}) as http_client,
                client_class(
                    credentials=ClientCredentials("id", "secret"),
                    environment=Environment(
                        name="prism", token_url="http://127.0.0.1:1/t", api_base=url
                    ),
                    # Prism serves `paths` as written, without the servers' base path.
                    base_url=url,
                    auth=auth,
                    http_client=http_client,
                    timeout=REQUEST_TIMEOUT,
                    max_retries=0,  # every request is judged once
                ) as client,
            ):
                calls, not_built = _calls(client, product, document, auth, empty)
                verdict = judge(calls, recorder)
    except (AssertionError, queue.Empty) as exc:
        if result.loaded:
            raise
        result.loaded = False
        result.note = (
            _load_failure(str(exc)) or "prism mock went silent while starting and never listened"
        )
        return result
    _sort(result, verdict, _media_types(document, product), empty.labels)
    result.errors = [*not_built, *result.errors]
    return result


def _media_types(document: Mapping[str, Any], product: Product) -> dict[str, list[str]]:
    """Label -> media types of the operation's 2xx answers (else of its `default` answer)."""
    found: dict[str, list[str]] = {}
    for resource in product.resources:
        for op in resource.operations:
            responses = document["paths"][op.path][op.method.lower()].get("responses") or {}
            chosen = [r for s, r in responses.items() if str(s).startswith("2")]
            media: list[str] = []
            for response in chosen or [responses.get("default") or {}]:
                target, _ = resolve(document, response)
                media += list((target or {}).get("content") or {})
            found[f"{op.method} {op.path}"] = media
    return found


def _violations(header: str) -> list[Mapping[str, Any]]:
    """Prism's `sl-violations` list; past a size it sends "Too many violations! [..." cut short."""
    try:
        found = json.loads(header)
    except ValueError:
        # Cut short: keep where each violation was (request or response) and its message.
        return [
            {"location": [where], "message": message}
            for where, message in _CUT_SHORT.findall(header)
        ] or [{"location": ["request"], "message": header[:_KEEP]}]
    return [v for v in found if isinstance(v, Mapping)] if isinstance(found, list) else []


_CUT_SHORT = re.compile(r'"location":\["(request|response)"[^]]*\][^}]*?"message":"([^"]*)"')


def _sort(
    result: PrismResult,
    verdict: Verdict,
    media: Mapping[str, list[str]],
    empty: set[str],
) -> None:
    """Prism's verdicts by whose fault they are: the request (ours), or the spec's own answer."""
    invalid: dict[str, list[str]] = {}
    off_spec: dict[str, list[str]] = {}
    for entry in verdict.violations:
        label, _, header = entry.partition(": ")
        for violation in _violations(header):
            location = [str(part) for part in violation.get("location") or ["request"]]
            text = f"{'.'.join(location)}: {violation.get('message')}"
            target = off_spec if location[0] == "response" else invalid
            target.setdefault(label, []).append(text)
    for label, problem in verdict.rejected.items():
        if problem.startswith("NOT_ACCEPTABLE") and any("*" in m for m in media.get(label, ())):
            # A wildcard answer (`*/*`): Prism negotiates no JSON for it, and serialises no
            # object as anything else, whatever the Accept header says.
            result.unanswered[label] = f"{problem} (the spec answers {media[label]})"
        elif label not in invalid:
            invalid[label] = [problem]
    result.unanswered.update(verdict.unanswered)
    result.called = verdict.called
    result.answered = verdict.parsed + verdict.no_content
    result.invalid = [_clip(label, texts) for label, texts in invalid.items()]
    for failure in verdict.parse_failures:
        label = failure.partition(": ")[0]
        if label in off_spec:  # Prism says its answer breaks the spec: the client may refuse it
            off_spec[label].append("and the client refused it")
        elif label in empty:
            # Prism sends no body where the spec names no media type (Swagger 2.0 without
            # `produces`); the generator reads such answers as JSON.
            result.unanswered[label] = "Prism answered 2xx without a body"
        else:
            result.parse_failures.append(failure[:_KEEP])
    result.off_spec = [_clip(label, texts) for label, texts in off_spec.items()]
    # A refused request often comes back as the spec's own 4xx answer: counted as invalid only.
    result.errors = [e[:_KEEP] for e in verdict.other_errors if e.partition(": ")[0] not in invalid]


def _clip(label: str, texts: list[str]) -> str:
    return f"{label}: {'; '.join(texts)}"[:_KEEP]


def main(argv: Sequence[str]) -> int:
    spec, dist, package = argv
    result = judge_spec(Path(spec), Path(dist), package)
    print(json.dumps(dataclasses.asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
