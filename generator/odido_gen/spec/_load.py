"""`load_spec`: read, parse, convert, repair, check and model an API description.

In two stages, which `load_spec` runs one after the other: `prepare_spec` (everything up to
a normalized, repaired document) and `validate_spec` (openapi-pydantic's model of it, which
may drop invalid schema keywords). The generator starts a model worker between the two.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import Problem, Report, SpecError, SpecWarning
from ._parse import display_source, fetch, is_url, may_have_external_refs, parse_document, read_file
from ._refs import bundle_external, check_local_refs, check_ref_chains
from ._repair import repair
from ._swagger2 import convert

if TYPE_CHECKING:
    # openapi-pydantic takes a while to import; `read_spec` (the cache check) never needs it.
    from ._validate import OpenAPIModel

__all__ = ["LoadedSpec", "PreparedSpec", "load_spec", "prepare_spec", "validate_spec"]

_SUPPORTED_30 = ("3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4")
_SUPPORTED_31 = ("3.1.0", "3.1.1", "3.1.2")


@dataclass(frozen=True)
class PreparedSpec:
    """A description read, normalized to OpenAPI 3.x and repaired, not validated yet."""

    source: str
    """The path or URL as given."""
    original_version: str
    """`swagger` or `openapi` of the input: "2.0", "3.0.3", "3.1.0", ..."""
    document: dict[str, Any]
    """The OpenAPI 3.x document after conversion and repairs, as plain JSON data (validation
    may still drop invalid keywords from it: see `validate_spec`)."""
    sha256: str
    """SHA-256 of the raw bytes read."""
    report: Report = field(repr=False)
    """Where the repairs are collected; `LoadedSpec.warnings` holds them once validated."""


@dataclass(frozen=True)
class LoadedSpec(PreparedSpec):
    """A loaded description: normalized to OpenAPI 3.x, validated and parsed."""

    openapi: OpenAPIModel = field(kw_only=True)
    """openapi-pydantic's parsed view of `document` (the 3.0 or 3.1 model)."""
    warnings: tuple[SpecWarning, ...] = field(kw_only=True)
    """Repairs made and defects seen, in document order per pass."""


def read_spec(source: str | Path, *, label: str | None = None, timeout: float = 30.0) -> bytes:
    """The raw bytes of a description (a local path or an http(s) URL), unparsed."""
    given = str(source)
    try:
        return fetch(given, timeout) if is_url(given) else read_file(Path(given))
    except Problem as exc:
        raise _spec_error(exc, given, label) from None


def needs_other_files(raw: bytes) -> bool:
    """Whether the description may `$ref` other files (so its bytes alone do not define it)."""
    return may_have_external_refs(raw)


def load_spec(
    source: str | Path,
    *,
    label: str | None = None,
    timeout: float = 30.0,
    raw: bytes | None = None,
) -> LoadedSpec:
    """Load a Swagger 2.0 / OpenAPI 3.0 / 3.1 description from a local path or an http(s) URL.

    `raw`, when given, is the source's content already read (see `read_spec`).
    Raises `SpecError` (one line: source, JSON pointer if any, what is wrong) when the
    description cannot be used; repairs of real-world defects are reported in `warnings`.
    """
    return validate_spec(prepare_spec(source, label=label, timeout=timeout, raw=raw), label=label)


def prepare_spec(
    source: str | Path,
    *,
    label: str | None = None,
    timeout: float = 30.0,
    raw: bytes | None = None,
) -> PreparedSpec:
    """The first stage of `load_spec`: read, parse, convert, repair and check references."""
    given = str(source)
    try:
        return _prepare(given, timeout, raw)
    except Problem as exc:
        raise _spec_error(exc, given, label) from None


def validate_spec(prepared: PreparedSpec, *, label: str | None = None) -> LoadedSpec:
    """The second stage of `load_spec`: openapi-pydantic's model of the document.

    An invalid optional schema keyword is dropped from `prepared.document` (in place) with a
    warning, so the document changed exactly when there are more warnings than before.
    """
    from ._validate import parse_model

    try:
        model = parse_model(prepared.document, prepared.report)
    except Problem as exc:
        raise _spec_error(exc, prepared.source, label) from None
    warnings = tuple(prepared.report.items)
    fields = {f.name: getattr(prepared, f.name) for f in dataclasses.fields(PreparedSpec)}
    return LoadedSpec(**fields, openapi=model, warnings=warnings)


def _prepare(given: str, timeout: float, raw: bytes | None) -> PreparedSpec:
    local: Path | None = None if is_url(given) else Path(given)
    if raw is None:
        raw = fetch(given, timeout) if local is None else read_file(local)
    digest = hashlib.sha256(raw).hexdigest()
    data = parse_document(raw)
    if not isinstance(data, dict):
        raise Problem(f"the document is not an object (found {_json_type(data)})")

    report = Report()
    version, swagger2 = _version(data)
    if may_have_external_refs(raw):
        bundle_external(data, local, swagger2=swagger2)
    doc = convert(data, report) if swagger2 else data
    if not swagger2:
        _normalize_version(doc, version, report)
    refs = repair(doc, report, swagger2=swagger2)
    check_local_refs(doc, refs, report)
    check_ref_chains(refs)
    return PreparedSpec(
        source=given, original_version=version, document=doc, sha256=digest, report=report
    )


def _spec_error(problem: Problem, source: str, label: str | None) -> SpecError:
    shown = problem.source or display_source(source)
    return SpecError(shown, problem.detail, pointer=problem.pointer, label=label)


def _version(data: dict[str, Any]) -> tuple[str, bool]:
    if "swagger" in data:
        value = data["swagger"]
        if str(value) != "2.0":
            raise Problem(f"unsupported Swagger version {value!r} (2.0 is supported)", ["swagger"])
        return "2.0", True
    if "openapi" not in data:
        raise Problem("not an OpenAPI or Swagger description: no 'openapi' or 'swagger' key")
    value = data["openapi"]
    if not isinstance(value, str) or not value.startswith(("3.0", "3.1")):
        raise Problem(
            f"unsupported OpenAPI version {value!r} (3.0.x and 3.1.x are supported)", ["openapi"]
        )
    return value, False


def _normalize_version(doc: dict[str, Any], version: str, report: Report) -> None:
    if version in _SUPPORTED_30 or version in _SUPPORTED_31:
        return
    newest = _SUPPORTED_30[-1] if version.startswith("3.0") else _SUPPORTED_31[-1]
    report.warn(["openapi"], f"unknown OpenAPI version {version!r} read as {newest!r}")
    doc["openapi"] = newest


def _json_type(value: Any) -> str:
    if value is None:
        return "nothing (an empty document or null)"
    names = {
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    return names.get(type(value), type(value).__name__)
