"""The escaping layer under hostile text: filters, names, file names, written modules, and
the product model's marking of spec text as `Untrusted`."""

from __future__ import annotations

import ast
import builtins
import dataclasses
import json
import keyword
import tomllib
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from odido_gen._errors import RenderError
from odido_gen._escape import Code, Untrusted, docstring, markdown_code, py_str, toml_str
from odido_gen.naming import Identifier, class_name, module_name, snake_case
from odido_gen.render._templates import environment, templates_dir
from odido_gen.render._write import _neutralize, _safe_relative
from odido_gen.spec._errors import SpecError

HOSTILE = st.text(st.characters(codec="utf-8"), max_size=40)
DEVICES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}

# -- filters -------------------------------------------------------------------------------------


@given(HOSTILE)
def test_toml_strings_round_trip_any_text(text: str) -> None:
    literal = toml_str(text)
    assert literal.isascii()
    expected = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    assert tomllib.loads(f"v = {literal}")["v"] == expected


def test_toml_strings_beyond_the_bmp_and_controls() -> None:
    # JSON's surrogate pairs (what json.dumps writes for an emoji) are not valid TOML.
    assert toml_str("\U0001f600") == '"\\U0001f600"'
    with_delete = "a\x7fb"  # DEL must be escaped in TOML; JSON leaves it raw
    assert tomllib.loads(f"v = {toml_str(with_delete)}")["v"] == with_delete


@given(HOSTILE)
def test_python_strings_round_trip_any_text(text: str) -> None:
    literal = py_str(text)
    assert literal.isascii() or all(c.isprintable() for c in literal)
    assert ast.literal_eval(literal) == text


@given(HOSTILE)
def test_docstrings_keep_the_words(text: str) -> None:
    value = ast.literal_eval(f'"""{docstring(text, indent="    ")}"""')
    assert value.split() == text.replace("\r\n", "\n").split()


@given(HOSTILE, st.sampled_from(["", "    ", "        "]))
def test_docstrings_parse_close_late_and_have_no_blank_line_whitespace(
    text: str, indent: str
) -> None:
    body = docstring(text, indent=indent)
    source = f'def f() -> None:\n    """{body}"""\n'
    tree = ast.parse(source)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef) and len(function.body) == 1
    assert all(line.strip() or not line for line in body.split("\n"))


@given(HOSTILE)
def test_markdown_code_stays_code_in_a_table_cell(text: str) -> None:
    cell = markdown_code(text)
    table = f"| a | b |\n|---|---|\n| {cell} | end |\n"
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(table)
    assert html.count("<td>") == 2, html
    assert "<script" not in html


def test_markdown_code_with_backticks_at_either_end() -> None:
    for text in ("`a", "a`", "`", "``a``"):
        html = MarkdownIt("commonmark").render(markdown_code(text))
        assert "<code>" in html, (text, html)


# -- the template guard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "{{ x.upper() }}",
        "{{ x | upper }}",
        "{{ x | trim }}",
        "{{ x[:3] }}",
        "{{ x | replace('a', 'b') }}",
        "{{ x | truncate(5) }}",
        "{{ x.split()[0] }}",
        "{{ x * 2 }}",
        "{{ x.strip().title() }}",
    ],
)
def test_string_methods_and_filters_keep_the_mark(template: str) -> None:
    with pytest.raises(TypeError, match="unescaped spec text"):
        environment().from_string(template).render(x=Untrusted('a """ b'))


ESCAPING = {"py_str", "py_literal", "docstring", "comment", "toml", "md", "md_code", "md_inline"}
# Filters that build a plain string out of their input: spec text in, unmarked text out.
UNMARKING = {"string", "join", "format", "list", "first", "last", "wordwrap", "center", "xmlattr"}


def test_templates_print_no_unmarked_spec_text() -> None:
    """`~` and filters such as `string`, `join` or `format` build plain strings out of spec
    text, which the guard lets through: they may only feed an escaping filter."""
    for path in sorted(templates_dir().rglob("*.j2")):
        tree = environment().parse(path.read_text(encoding="utf-8"))
        for output in tree.find_all(jinja2.nodes.Output):
            for expr in output.nodes:
                if isinstance(expr, jinja2.nodes.TemplateData):
                    continue
                if isinstance(expr, jinja2.nodes.Filter) and expr.name in ESCAPING:
                    continue
                bad = [*expr.find_all(jinja2.nodes.Concat)] + [
                    n for n in expr.find_all(jinja2.nodes.Filter) if n.name in UNMARKING
                ]
                assert not bad, f"{path.name}:{expr.lineno}: {bad[0]}"


# -- names ---------------------------------------------------------------------------------------


@given(HOSTILE)
def test_class_names_survive_the_model_generator(text: str) -> None:
    name = class_name(text)
    assert isinstance(name, Identifier) and name.isascii() and name.isidentifier()
    # datamodel-code-generator renames classes with underscores (`None_` -> `None1`).
    assert "_" not in name
    assert not keyword.iskeyword(name) and name not in dir(builtins)
    assert name not in ("I", "O", "l")
    assert name.lower() not in DEVICES and len(name) <= 125


@given(HOSTILE)
def test_module_and_argument_names(text: str) -> None:
    module = module_name(text)
    assert module.isascii() and module.isidentifier() and not module.startswith("__")
    assert module not in DEVICES and len(module) <= 121
    argument = snake_case(text, avoid_builtins=False)
    assert not keyword.iskeyword(argument) and argument != "l"


# -- written files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "../evil.py",
        "/abs/evil.py",
        "a/../../b.py",
        "a\\b.py",
        "pkg/con.py",
        "pkg/NUL.txt",
        "pkg/.hidden.py",
        "pkg/évil.py",
        "pkg/a b.py",
        "pkg/" + "x" * 256 + ".py",
        "pkg/trailing.",
        "",
    ],
)
def test_file_names_are_checked_before_writing(path: str) -> None:
    with pytest.raises(RenderError):
        _safe_relative(path)


def test_written_modules_escape_invisible_characters() -> None:
    source = (
        'class A:\n    """bidi \u202eX\u202c, \u2028, \x1b[2J\n    """\n\n'
        '    x: str = "a\u200bb"  # note \u2066\n'
        "    y: str = r'^\\d+\u202e$'\n"  # a raw string cannot escape: rewritten
        "    z: str = 'odd\\\u202e'\n"  # a backslash before the character
    )
    out = _neutralize("m.py", source)
    assert out.isascii()
    assert ast.dump(ast.parse(out)) == ast.dump(ast.parse(source))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("\u0440\u0430ss = 1\n", "is not ASCII"),  # Cyrillic: looks like `pass`
        ("x = rf'{1}\u202e'\n", "raw string"),
    ],
)
def test_written_modules_refuse_confusables(source: str, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        _neutralize("m.py", source)


# -- messages ------------------------------------------------------------------------------------


def test_spec_errors_show_spec_text_on_one_harmless_line() -> None:
    error = SpecError(
        "api.json", "bad \x1b[2J value", pointer="#/paths/~1a\nerror: fake" + "x" * 500
    )
    message = str(error)
    assert "\n" not in message and "\x1b" not in message
    assert len(message) < 400


# -- the product model ---------------------------------------------------------------------------

MARK = "zq9"  # in every piece of text the spec gives; never in the generator's own text


def _marked_spec() -> dict[str, Any]:
    def t(what: str) -> str:
        return f"{MARK}{what}"

    schema = {
        "type": "object",
        "title": t("title"),
        "description": t("schema"),
        "properties": {t("prop"): {"type": "string", "description": t("prop doc")}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": t("info"), "version": t("version"), "description": t("info doc")},
        "tags": [{"name": t("tag"), "description": t("tag doc")}],
        "paths": {
            f"/{MARK}/{{{t('p')}}}": {
                "post": {
                    "operationId": t("op"),
                    "tags": [t("tag")],
                    "summary": t("summary"),
                    "description": t("op doc"),
                    "parameters": [
                        {
                            "name": t("p"),
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": t("q"),
                            "in": "query",
                            "description": t("q doc"),
                            "schema": {"type": "string"},
                        },
                        {"name": t("h"), "in": "header", "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "description": t("body doc"),
                        "content": {f"application/{MARK}+json": {"schema": schema}},
                    },
                    "responses": {
                        "200": {
                            "description": t("ok"),
                            "content": {"application/json": {"schema": schema}},
                        },
                        "4XX": {
                            "description": t("err"),
                            "content": {"application/json": {"schema": schema}},
                        },
                        # not a status code OpenAPI allows, but the loader keeps it
                        f"4{MARK}": {
                            "description": t("odd"),
                            "content": {"application/json": {"schema": schema}},
                        },
                    },
                }
            }
        },
        "components": {
            "schemas": {t("Model"): schema},
            "securitySchemes": {t("scheme"): {"type": "apiKey", "in": "header", "name": t("key")}},
        },
    }


def _plain_spec_text(value: Any, where: str, found: list[str]) -> None:
    """Every place in the model where spec text is a plain `str` (not marked Untrusted)."""
    if isinstance(value, Untrusted | Identifier | Code):
        return
    if isinstance(value, str):
        if MARK in value:
            found.append(f"{where} = {value!r}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in ("schemas", "warnings", "spec_source"):
                _plain_spec_text(getattr(value, f.name), f"{where}.{f.name}", found)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _plain_spec_text(item, f"{where}[{i}]", found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _plain_spec_text(item, f"{where}[{key!r}]", found)


def test_the_product_model_marks_all_spec_text(tmp_path: Path) -> None:
    """Spec text that reaches the product model as a plain `str` passes the template guard
    unescaped if a template ever prints it. A failure lists each such field."""
    from odido_gen.config import product_from_options
    from odido_gen.model import build_product
    from odido_gen.spec import load_spec

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_marked_spec()), encoding="utf-8")
    product = build_product(
        load_spec(spec).document, product_from_options(spec=str(spec), package="m")
    )
    found: list[str] = []
    _plain_spec_text(product, "product", found)
    assert found == []
