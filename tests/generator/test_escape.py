"""Spec text reaches generated files only escaped for its context."""

from __future__ import annotations

import ast
import json
import tomllib

import pytest
from odido_gen._escape import (
    Untrusted,
    comment,
    docstring,
    markdown,
    markdown_code,
    py_literal,
    py_str,
    toml_str,
)

HOSTILE = [
    '"""; import os; os.system("touch /tmp/pwned"); """',
    "'''\\",
    "\\N{BULLET} \\x00 \\u1234",
    "line\nbreak\r\nand\u2028separator",
    "bidi \u202etxt.exe\u202c and zero\u200bwidth",
    "{x} {{y}} {% raw %} {{ 7*7 }}",
    'tab\tand NUL \x00 end"',
    'ends with quote"',
    "ends with backslash\\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_py_str_round_trips_exactly(text: str) -> None:
    literal = py_str(text)
    assert ast.literal_eval(literal) == text
    assert "\u202e" not in literal and "\u2028" not in literal and "\x00" not in literal


@pytest.mark.parametrize("text", HOSTILE)
def test_docstring_cannot_close_early(text: str) -> None:
    source = f'def f() -> None:\n    """{docstring(text, indent="    ")}"""\n'
    tree = ast.parse(source)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    assert len(func.body) == 1  # only the docstring: nothing escaped into code


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_stays_on_one_line(text: str) -> None:
    source = f"# {comment(text)}\nx = 1\n"
    assert "\n" not in comment(text)
    tree = ast.parse(source)
    assert len(tree.body) == 1


@pytest.mark.parametrize("text", HOSTILE)
def test_toml_string_round_trips(text: str) -> None:
    assert tomllib.loads(f"key = {toml_str(text)}")["key"] == text


def test_markdown_neutralises_html_and_links() -> None:
    out = markdown("<script>alert(1)</script> [click](javascript:x) `code`")
    assert "<" not in out and ">" not in out
    assert "\\[click\\]" in out
    assert markdown_code("a ` b").startswith("``")


def test_py_literal_for_json_values() -> None:
    value = {"a": [1, 2.5, True, None, 'x"y'], "b": {}}
    assert ast.literal_eval(py_literal(value)) == value
    assert json.loads(json.dumps(ast.literal_eval(py_literal("é")))) == "é"
    with pytest.raises(ValueError, match="non-finite"):
        py_literal(float("nan"))


def test_untrusted_keeps_its_mark_through_concatenation() -> None:
    text = Untrusted("/api")
    assert isinstance("GET " + text, Untrusted)
    assert isinstance(text + "/x", Untrusted)
    assert isinstance(str(text), Untrusted)


def test_templates_refuse_unescaped_spec_text() -> None:
    from odido_gen.render._templates import environment

    env = environment()
    text = Untrusted('"""; import os')
    with pytest.raises(TypeError, match="unescaped spec text"):
        env.from_string("{{ summary }}").render(summary=text)
    with pytest.raises(TypeError, match="unescaped spec text"):
        env.from_string("{{ 'GET ' + summary }}").render(summary=text)
    rendered = env.from_string('"""{{ summary | docstring }}"""').render(summary=text)
    assert ast.literal_eval(rendered) == '"""; import os'
