"""Property-based fuzzing: small random specs full of hostile text.

Every spec either becomes a package (that parses, is ruff-clean, has no payload in its code
and, for a sample, imports and answers calls in a fresh interpreter), or is refused with the
documented error: a `SpecError` or `OdidoGenError` with a one-line message. Never a traceback.

25 examples by default; 200 with CI=true (the `hostile-ci` profile, see conftest.py).
"""

from __future__ import annotations

import json
import re
import tempfile
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from _hostile_support import FUZZ_PROFILE, probe, smuggled_code
from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from odido_gen._errors import OdidoGenError, RenderError
from odido_gen.config import product_from_options
from odido_gen.generate import render_product
from odido_gen.spec import SpecError

# -- text ---------------------------------------------------------------------------------------

FRAGMENTS = [
    '"""', "'''", '"', "'", "\\", "\\N{BULLET}", "\\x00", "\x00", "\n", "\r\n", "\t", "{", "}",
    "{{ 7*7 }}", "{% raw %}", "{#", "#", "__import__('os').system('touch PWNED')", "\u202e",
    "\u2066", "\u200b", "\u2028", "\ufeff", "\u0430", "\uff41", "é", "日本", "😀", "\ud7ff",
    "class", "None", "def", "import", "self", "list", "str", "__init__", "__class__", "_", "-",
    ".", "..", "/", "../..", "con", "model_config", "`", "|", "<script>", "[x](y)", "%s", "%",
    "$ref", "x-", "0", "1e3", " ",
]  # fmt: skip
ALPHABET = st.characters(codec="utf-8", exclude_categories=["Cs"])

text = st.one_of(
    st.text(ALPHABET, max_size=12),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join),
    st.builds(lambda a, b: a + b, st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=6)),
)
# Names used where OpenAPI expects some: anything, but mostly something word-like.
name = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True),
    text,
)
# Path templates hold no control characters (the loader refuses them: test_hostile_limits).
template_name = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], exclude_characters="/{}?#"),
    min_size=1,
    max_size=8,
)
path_segment = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], exclude_characters="/{}?#"),
    min_size=1,
    max_size=8,
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)

# -- spec structure ------------------------------------------------------------------------------


@st.composite
def schema(draw: st.DrawFn, refs: list[str], depth: int = 0) -> dict[str, Any]:
    kinds = ["string", "integer", "number", "boolean", "enum", "array"]
    if refs:
        kinds.append("ref")
    if depth < 2:
        kinds += ["object", "anyOf"]
    kind = draw(st.sampled_from(kinds))
    out: dict[str, Any]
    if kind == "ref":
        target = draw(st.sampled_from(refs)).replace("~", "~0").replace("/", "~1")
        out = {"$ref": "#/components/schemas/" + quote(target, safe="~!$&'()*+,;=:@")}
    elif kind == "enum":
        out = {"enum": draw(st.lists(st.one_of(text, st.integers(-5, 5)), min_size=1, max_size=4))}
    elif kind == "array":
        out = {"type": "array", "items": draw(schema(refs, depth + 1))}
    elif kind == "object":
        props = draw(st.dictionaries(name, schema(refs, depth + 1), max_size=3))
        out = {"type": "object", "properties": props}
        if props and draw(st.booleans()):
            out["required"] = draw(st.lists(st.sampled_from(sorted(props)), unique=True))
    elif kind == "anyOf":
        out = {"anyOf": draw(st.lists(schema(refs, depth + 1), min_size=1, max_size=3))}
    else:
        out = {"type": kind}
    if draw(st.booleans()):
        out["description"] = draw(text)
    if kind in ("string", "integer", "number", "boolean") and draw(st.booleans()):
        out["default"] = draw(scalar)
    if draw(st.integers(0, 4)) == 0:
        out["nullable"] = True
    if draw(st.integers(0, 4)) == 0:
        out[f"x-{draw(name)}"] = draw(text)
    return out


@st.composite
def operation(draw: st.DrawFn, refs: list[str], template_names: list[str]) -> dict[str, Any]:
    op: dict[str, Any] = {"responses": {}}
    if draw(st.booleans()):
        op["operationId"] = draw(name)
    if draw(st.booleans()):
        op["tags"] = [draw(name)]
    for key in ("summary", "description"):
        if draw(st.booleans()):
            op[key] = draw(text)
    params: list[dict[str, Any]] = [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
        for n in template_names
    ]
    for _ in range(draw(st.integers(0, 3))):
        params.append(
            {
                "name": draw(name),
                "in": draw(st.sampled_from(["query", "header", "cookie"])),
                "required": draw(st.booleans()),
                "description": draw(text),
                "schema": draw(schema(refs, depth=1)),
            }
        )
    op["parameters"] = params
    if draw(st.booleans()):
        media = draw(st.sampled_from(["application/json", "text/plain", "multipart/form-data"]))
        op["requestBody"] = {
            "required": draw(st.booleans()),
            "content": {media: {"schema": draw(schema(refs, depth=1))}},
        }
    for code in draw(
        st.lists(st.sampled_from(["200", "201", "204", "404", "default"]), max_size=3)
    ):
        response: dict[str, Any] = {"description": draw(text)}
        if code != "204" and draw(st.booleans()):
            response["content"] = {"application/json": {"schema": draw(schema(refs, depth=1))}}
        op["responses"][code] = response
    if not op["responses"]:
        op["responses"]["200"] = {"description": "ok"}
    return op


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    schema_names = draw(st.lists(name, max_size=4, unique=True))
    schemas = {n: draw(schema(schema_names)) for n in schema_names}
    paths: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 3))):
        segments = draw(
            st.lists(st.one_of(path_segment, template_name.map(lambda n: f"{{{n}}}")), max_size=3)
        )
        template_names = list(dict.fromkeys(s[1:-1] for s in segments if s.startswith("{")))
        path = "/" + "/".join(segments)
        method = draw(st.sampled_from(["get", "post", "put", "delete", "patch"]))
        paths.setdefault(path, {})[method] = draw(operation(schema_names, template_names))
    doc: dict[str, Any] = {
        "openapi": draw(st.sampled_from(["3.0.3", "3.1.0"])),
        "info": {"title": draw(text), "version": draw(text), "description": draw(text)},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    if draw(st.booleans()):
        doc["tags"] = [{"name": draw(name), "description": draw(text)}]
    return doc


# -- the property --------------------------------------------------------------------------------

# RenderErrors that mean the generator made bad code (a bug), not that the input is bad.
GENERATOR_BUGS = re.compile(
    r"not ruff-clean|does not parse|ruff format failed|no model was generated"
    r"|unexpected model module layout|put models in __init__"
)


def _kind(message: str) -> str:
    """A message without its locations and quoted values: what kind of refusal it is."""
    detail = message.rsplit(": ", 1)[-1]
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", detail)[:60]


def _one_line(exc: BaseException) -> None:
    message = str(exc)
    assert message and "\n" not in message and "\r" not in message, repr(message)
    assert "Traceback" not in message


@settings(settings.get_profile(FUZZ_PROFILE))
@given(document=specs())
def test_random_specs_generate_or_fail_cleanly(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="hostile-fuzz-") as tmp:
        root = Path(tmp)
        spec = root / "spec.json"
        spec.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        config = product_from_options(spec=str(spec), package="fuzzed_api")
        refused: BaseException | None = None
        try:
            rendered = render_product(config, cache=None)
        except (SpecError, OdidoGenError) as exc:
            refused = exc
        if refused is not None:
            message = str(refused)
            note(f"refused: {message}")
            event(f"refused: {type(refused).__name__}: {_kind(message)}")
            _one_line(refused)
            if isinstance(refused, RenderError):
                assert not GENERATOR_BUGS.search(message), message
            return
        event("generated")
        python = {p: t for p, t in rendered.files.items() if p.endswith(".py")}
        assert python, "no modules"
        assert smuggled_code(python) == []
        # Import and call a sample in a fresh interpreter (the rest only parse, in-process);
        # chosen by content, so that a failing example fails again when replayed.
        if zlib.crc32(spec.read_bytes()) % 4:
            return
        event("imported and called")
        package_dir = root / "out"
        for rel, content in rendered.files.items():
            target = package_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        report = probe(package_dir, "fuzzed_api")
        assert report.returncode == 0, report.stderr[-3000:]
        assert (report.stdout + report.stderr).strip() == ""
        # The mock answers `{}` to everything: not every response type accepts that, and the
        # runtime says so with its typed error.
        assert (
            report.failed_calls(
                lambda o: o.startswith("odido_runtime.APIResponseValidationError: ")
            )
            == []
        )
