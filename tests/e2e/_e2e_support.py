"""Helpers of the end-to-end tests: Stoplight Prism as a process, and one call per operation.

The calls are built from the spec, not written by hand: each operation's required parameters
and request body come from the sandbox's example synthesiser, typed by the generated method's
own annotations, so a new or changed operation is exercised without touching the tests.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import os
import queue
import re
import shutil
import socket
import subprocess
import threading
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from _sandbox_support import ROOT
from odido_gen.config import load_config
from odido_gen.model import Operation, Product, build_product
from odido_gen.sandbox._examples import example_for, resolve
from odido_gen.spec import load_spec
from odido_runtime import APIResponseValidationError, APIStatusError

__all__ = [
    "PRISM_PROBLEM",
    "Call",
    "Exchange",
    "Recorder",
    "Verdict",
    "error_json",
    "genesys_product",
    "judge",
    "operation_call",
    "operation_calls",
    "parameter_example",
    "prism_mock",
    "require_prism",
    "spec_operation_count",
]

# Prism's own failures (not the API's answers) are problem documents of this type family.
PRISM_PROBLEM = "https://stoplight.io/prism/errors#"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Prism compiles the whole spec before it listens; a loaded CI machine may take a while.
_PRISM_START_TIMEOUT = 90.0


def require_prism() -> str:
    """The `prism` executable, or skip: the README's test command always puts it on PATH."""
    found = shutil.which("prism")
    if found is None:
        message = (
            "Stoplight Prism is not on PATH: run `npm ci` and put node_modules/.bin on PATH "
            "(`python3 dev.py test` does both)"
        )
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)  # in CI a missing judge is a broken set-up, not a skip
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


@dataclass
class _Running:
    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    tail: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=40))

    def read(self) -> None:
        # Drained for the whole run: Prism logs every request, and a full pipe would stall it.
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.tail.append(line)
            self.lines.put(line)
        self.lines.put("")

    def wait_until_listening(self) -> bool:
        """True once Prism says it listens; False if it exits first."""
        while True:
            line = self.lines.get(timeout=_PRISM_START_TIMEOUT)
            if not line:
                self.process.wait(timeout=10)
                return False
            if "Prism is listening on" in line:
                return True


@contextlib.contextmanager
def prism_mock(spec: Path, *extra: str) -> Iterator[str]:
    """`prism mock SPEC` on 127.0.0.1 and a free port until the block ends; yields its URL.

    Request validation is Prism's default. Prism takes a port number, not a bound socket, so
    another process may grab the port between probe and start: that case is tried again.
    """
    executable = require_prism()
    output = ""
    for _attempt in range(3):
        port = _free_port()
        command = [executable, "mock", str(spec), "--host", "127.0.0.1", "--port", str(port)]
        running = _Running(
            subprocess.Popen(
                [*command, *extra],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
        threading.Thread(target=running.read, daemon=True).start()
        try:
            if running.wait_until_listening():
                yield f"http://127.0.0.1:{port}"
                return
            output = "".join(running.tail)
            if "EADDRINUSE" not in output:
                raise AssertionError(f"prism mock exited:\n{output}")
        finally:
            _stop(running.process)
    raise AssertionError(f"prism mock found no free port:\n{output}")


def genesys_product() -> tuple[Product, Mapping[str, Any]]:
    """The product model of odido-gen.toml's Genesys product, and its normalized spec."""
    config = load_config(ROOT / "odido-gen.toml").products["genesys"]
    document = load_spec(config.spec, label=config.key).document
    return build_product(document, config), document


def spec_operation_count(document: Mapping[str, Any]) -> int:
    paths = document.get("paths") or {}
    return sum(1 for item in paths.values() for method in _METHODS if method in item)


@dataclass(frozen=True)
class Call:
    """One generated method with arguments for its required parameters and its body."""

    label: str  # "GET /api/v2/..." for messages
    function: Callable[..., object]
    args: tuple[object, ...]
    kwargs: Mapping[str, object]
    has_body: bool  # whether a 2xx answer is parsed into a type (not None)


def _declared_parameters(
    document: Mapping[str, Any], item: Mapping[str, Any], operation: Mapping[str, Any]
) -> dict[tuple[str, str], Mapping[str, Any]]:
    found: dict[tuple[str, str], Mapping[str, Any]] = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter, _ = resolve(document, raw)
        if isinstance(parameter, Mapping):
            found[(str(parameter.get("name")), str(parameter.get("in")))] = parameter
    return found


def parameter_example(parameter: Mapping[str, Any], document: Mapping[str, Any]) -> object:
    """A value for `parameter`: the sandbox's example of its schema, unless that is null or
    misses the schema's `pattern` (real specs have `example: null` and patterned ids); then
    the parameter's own example, else a string built from the pattern."""
    schema, _ = resolve(document, parameter.get("schema", {}))
    schema = schema if isinstance(schema, Mapping) else {}
    value = example_for(schema, document)
    pattern = schema.get("pattern")
    if value is not None and not (isinstance(pattern, str) and not _fits(pattern, value)):
        return value
    own = [parameter.get("example")]
    examples = parameter.get("examples")
    if isinstance(examples, Mapping):
        own += [resolve(document, e)[0].get("value") for e in examples.values()]
    for candidate in own:
        if candidate is not None and (not isinstance(pattern, str) or _fits(pattern, candidate)):
            return candidate
    if isinstance(pattern, str):
        built = _from_pattern(pattern)
        if built is not None:
            return built
    if value is None:  # `example: null` hid the type's own example
        bare = {k: v for k, v in schema.items() if k not in ("example", "examples", "default")}
        return example_for(bare, document)
    return value


def _fits(pattern: str, value: object) -> bool:
    try:
        return not isinstance(value, str) or re.search(pattern, value) is not None
    except re.error:
        return True  # not a Python regex (OpenAPI means ECMA 262): trust the example


def _from_pattern(pattern: str) -> str | None:
    """A short string that `pattern` matches, or None when the pattern is beyond this."""
    try:
        built = _emit(_SRE_PARSER.parse(pattern))
    except (re.error, _Unsupported, RecursionError):
        return None
    return built if _fits(pattern, built) else None


# The regex parser behind `re` (private, untyped; stable from Python 3.11 on).
_SRE_PARSER = importlib.import_module("re._parser")
_SRE = importlib.import_module("re._constants")


class _Unsupported(Exception):
    pass


_CANDIDATES = "a0A_-. x1Zz9"


def _emit(items: Any) -> str:
    c = _SRE
    out: list[str] = []
    for op, arg in items:
        if op is c.LITERAL:
            out.append(chr(arg))
        elif op is c.NOT_LITERAL:
            out.append("b" if chr(arg) == "a" else "a")
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            out.append(next((ch for ch in _class_candidates(arg) if _in_class(ch, arg)), ""))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _high, inner = arg
            out.append(_emit(inner) * low)
        elif op is c.SUBPATTERN:
            out.append(_emit(arg[-1]))
        elif op is c.ATOMIC_GROUP:
            out.append(_emit(arg))
        elif op is c.BRANCH:
            out.append(_emit(arg[1][0]))
        elif op is c.AT:
            continue
        else:
            raise _Unsupported(str(op))
    return "".join(out)


def _class_candidates(items: Any) -> list[str]:
    c = _SRE
    found: list[str] = []
    for op, arg in items:
        if op is c.LITERAL:
            found.append(chr(arg))
        elif op is c.RANGE:
            found.append(chr(arg[0]))
        elif op is c.CATEGORY:
            found += {c.CATEGORY_DIGIT: "0", c.CATEGORY_WORD: "a", c.CATEGORY_SPACE: " "}.get(
                arg, ""
            )
    return [*found, *_CANDIDATES]


def _in_class(ch: str, items: Any) -> bool:
    c = _SRE
    negate = False
    matched = False
    for op, arg in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            matched |= ch == chr(arg)
        elif op is c.RANGE:
            matched |= arg[0] <= ord(ch) <= arg[1]
        elif op is c.CATEGORY:
            matched |= re.fullmatch(_CATEGORY_REGEX.get(arg, "(?!)"), ch) is not None
    return matched != negate


_CATEGORY_REGEX = {
    _SRE.CATEGORY_DIGIT: r"\d",
    _SRE.CATEGORY_NOT_DIGIT: r"\D",
    _SRE.CATEGORY_WORD: r"\w",
    _SRE.CATEGORY_NOT_WORD: r"\W",
    _SRE.CATEGORY_SPACE: r"\s",
    _SRE.CATEGORY_NOT_SPACE: r"\S",
}


def _typed(hint: Any, value: object, where: str) -> object:
    try:
        return pydantic.TypeAdapter(hint).validate_python(value)
    except pydantic.ValidationError as exc:
        raise AssertionError(f"{where}: the spec's example does not fit {hint}: {exc}") from None


def operation_call(target: object, op: Operation, document: Mapping[str, Any]) -> Call:
    """A call of `op` on its resource `target` (e.g. `client.outbound`) with the spec's examples.

    Raises AssertionError when the method is missing or an example does not fit its type.
    """
    label = f"{op.method} {op.path}"
    function = getattr(target, str(op.name), None)
    if function is None:
        raise AssertionError(f"{label}: the client has no method {op.name}; regenerate")
    hints = typing.get_type_hints(function)
    item, _ = resolve(document, document["paths"][op.path])
    operation = item[op.method.lower()]
    declared = _declared_parameters(document, item, operation)
    args: list[object] = []
    kwargs: dict[str, object] = {}
    for parameter in op.parameters:
        if not parameter.required:
            continue  # the method's defaults go out as they are: Prism judges them too
        name = str(parameter.name)
        if name not in hints:
            raise AssertionError(f"{label}: {op.name}() has no parameter {name}")
        spec_parameter = declared[(str(parameter.wire_name), parameter.location)]
        value = _typed(
            hints[name],
            parameter_example(spec_parameter, document),
            f"{label} parameter {parameter.wire_name}",
        )
        if parameter.location == "path":
            args.append(value)
        else:
            kwargs[name] = value
    if op.body is not None:
        body, _ = resolve(document, operation["requestBody"])
        media, _ = resolve(document, body["content"][op.body.media_type])
        kwargs[str(op.body.name)] = _typed(
            hints[str(op.body.name)],
            example_for(media.get("schema", {}), document),
            f"{label} body",
        )
    has_body = hints.get("return") is not type(None)
    return Call(label, function, tuple(args), kwargs, has_body)


def operation_calls(client: object, product: Product, document: Mapping[str, Any]) -> list[Call]:
    """A call of every operation of `product` on the generated `client`."""
    return [
        operation_call(getattr(client, str(resource.attribute)), op, document)
        for resource in product.resources
        for op in resource.operations
    ]


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    status: int
    violations: str | None  # Prism's `sl-violations` header, passed back by the gateway


@dataclass
class Recorder:
    """An httpx response hook: what went over the wire, without any header that holds a token."""

    exchanges: list[Exchange] = field(default_factory=list)

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        self.exchanges.append(
            Exchange(
                request.method,
                request.url.path,
                response.status_code,
                response.headers.get("sl-violations"),
            )
        )


@dataclass
class Verdict:
    called: int = 0
    parsed: int = 0  # 2xx answers parsed into the method's return type
    no_content: int = 0  # 2xx answers of operations that return None
    violations: list[str] = field(default_factory=list)
    parse_failures: list[str] = field(default_factory=list)
    unanswered: dict[str, str] = field(default_factory=dict)  # label -> Prism's problem type
    rejected: dict[str, str] = field(default_factory=dict)  # label -> Prism's 4xx problem type
    other_errors: list[str] = field(default_factory=list)

    def summary(self, title: str, *, prism: bool = True) -> str:
        answered = self.parsed + self.no_content
        lines = [f"{title}: {self.called} operations called through the generated client"]
        if prism:
            lines.append(f"  requests Prism marked invalid (sl-violations): {len(self.violations)}")
        lines += [
            f"  2xx answers: {answered} ({self.parsed} parsed into their types, "
            f"{self.no_content} without a body)",
            f"  parse failures: {len(self.parse_failures)}",
            f"  other errors: {len(self.other_errors)}",
        ]
        if prism:
            lines.append(f"  refused by Prism (its own 4xx problem): {len(self.rejected)}")
            lines += [f"    {label}: {problem}" for label, problem in self.rejected.items()]
            lines.append(f"  not answerable by Prism: {len(self.unanswered)}")
        lines += [f"    {label}: {problem}" for label, problem in self.unanswered.items()]
        lines += [f"    violation: {v}" for v in self.violations]
        lines += [f"    parse failure: {p}" for p in self.parse_failures]
        lines += [f"    error: {e}" for e in self.other_errors]
        return "\n".join(lines)


def _prism_problem(exc: APIStatusError) -> str | None:
    """Prism's problem type when the error is Prism's own (not an answer from the spec)."""
    try:
        body = exc.response.json()
    except ValueError:
        return None
    kind = body.get("type") if isinstance(body, dict) else None
    if isinstance(kind, str) and kind.startswith(PRISM_PROBLEM):
        return kind[len(PRISM_PROBLEM) :]
    return None


def _problem_text(exc: APIStatusError, problem: str) -> str:
    """`problem`, with the validation messages Prism put in its problem document."""
    body = exc.response.json()
    found = body.get("validation") if isinstance(body, dict) else None
    messages = [str(item.get("message")) for item in found or [] if isinstance(item, Mapping)]
    return f"{problem}: {'; '.join(messages)}" if messages else problem


def judge(calls: list[Call], recorder: Recorder) -> Verdict:
    """Make every call; sort the outcomes by what Prism and the models said."""
    verdict = Verdict()
    for call in calls:
        start = len(recorder.exchanges)
        verdict.called += 1
        try:
            call.function(*call.args, **call.kwargs)
        except APIResponseValidationError as exc:
            verdict.parse_failures.append(f"{call.label}: {exc}")
        except APIStatusError as exc:
            problem = _prism_problem(exc)
            if problem is None:
                verdict.other_errors.append(f"{call.label}: {exc}")
            elif exc.status_code >= 500:  # Prism failed to mock: the request was fine
                verdict.unanswered[call.label] = problem
            else:  # Prism refused the request: unauthorized, no such route, not acceptable
                verdict.rejected[call.label] = _problem_text(exc, problem)
        except Exception as exc:  # the generated method failed by itself: a bug to report
            answers = recorder.exchanges[start:]
            failure = f"{call.label}: {type(exc).__name__}: {exc}"
            if answers and 200 <= answers[-1].status < 300:
                verdict.parse_failures.append(failure)
            else:
                verdict.other_errors.append(failure)
        else:
            if call.has_body:
                verdict.parsed += 1
            else:
                verdict.no_content += 1
        verdict.violations += [
            f"{call.label}: {e.violations}" for e in recorder.exchanges[start:] if e.violations
        ]
    return verdict


def error_json(body: object) -> object:
    """An error body as JSON data, whether the runtime parsed it into a model or not."""
    if isinstance(body, pydantic.BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return body
