"""openapi-python-client's three advisories, reproduced, and more of the same kind.

- CVE-2020-15141: path traversal through names (files written outside the output folder);
- CVE-2020-15142: code injection through names and default values;
- GHSA-5293-mq8x-g3xj: code injection through spec strings (descriptions, summaries, ...).

Each spec must become a package that imports and works without running any payload: every
payload creates the sentinel file if it ever runs, at import time or at call time.
"""

from __future__ import annotations

import re
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _hostile_support import (
    PLACEHOLDER,
    CliRun,
    Probe,
    fill,
    json_response,
    openapi,
    probe,
    python_files,
    run_cli,
    smuggled_code,
    tree_files,
    write_json,
)
from markdown_it import MarkdownIt

S = PLACEHOLDER  # the sentinel's path, filled in per run


def path_safe(text: str) -> str:
    """Text for a path template: the loader refuses control characters there (see
    test_hostile_limits); everything else stays."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)


SYSTEM = f"__import__('os').system('touch {S}')"
OPEN = f"open('{S}', 'w').write('x')"

# -- CVE-2020-15141: names that are paths ------------------------------------------------------


def traversal_spec(escape: Path) -> dict[str, Any]:
    """Names that would write outside the output folder if used as file names."""
    up = "../" * 40 + str(escape).lstrip("/")
    names = [
        f"{up}/evil",
        f"{escape}/absolute",
        "..\\..\\..\\windows\\evil",
        "....//....//evil",
        "%2e%2e%2fencoded",
        "a/../../b",
        "~/.bashrc",
        "C:\\evil",
        "..",
        ".",
        "/",
        "",
        ".hidden",
        "__init__",
        "__main__",
        "con",
        "NUL.txt",
        "pyproject",
        "x" * 300,
    ]
    obj = {"type": "object", "properties": {"a": {"type": "string"}}}
    schemas: dict[str, Any] = {
        name: {**obj, "properties": {name or "empty": {"type": "string"}}} for name in names
    }
    paths: dict[str, Any] = {}
    for i, name in enumerate(names):
        ref = "#/components/schemas/" + name.replace("~", "~0").replace("/", "~1")
        paths[f"/t{i}"] = {
            "get": {
                "operationId": name,
                # (each its own resource: tags that name the same class are another test's)
                "tags": [f"{name}{i}"],
                "parameters": [{"name": name or "p", "in": "query", "schema": {"type": "string"}}],
                "responses": json_response({"$ref": ref}),
            }
        }
    return openapi(paths=paths, components={"schemas": schemas})


# -- CVE-2020-15142: names and defaults that are code ------------------------------------------

INJECTED_NAMES = [
    f"Evil(Model):\n    pass\n{SYSTEM}\nclass X",
    f"a = {SYSTEM}  #",
    f'"]; {SYSTEM}; x = ["',
    f"x(self): pass\n    {SYSTEM}\n    def y",
    f"'); {OPEN}; ('",
    f"{{{SYSTEM}}}",
]
INJECTED_VALUES = [
    f'"); {SYSTEM}; ("',
    f"'); {SYSTEM}; ('",
    f'"""); {SYSTEM}; ("""',
    f"'''); {OPEN}; ('''",
    f"\\'); {SYSTEM}; #",
    f"\n{SYSTEM}\n",
    "ends with a backslash \\",
    f"nul \x00 {SYSTEM}",
    f"{{{SYSTEM}}} {{{{x}}}}",
]


def injection_spec(sentinel: Path) -> dict[str, Any]:
    names = [t.replace(S, str(sentinel)) for t in INJECTED_NAMES]
    values = [t.replace(S, str(sentinel)) for t in INJECTED_VALUES]
    properties: dict[str, Any] = {}
    for i, name in enumerate(names):
        properties[name] = {"type": "string", "default": values[i % len(values)]}
    properties["choice"] = {"type": "string", "enum": values}
    properties["named"] = {
        "type": "integer",
        "enum": [1, 2],
        "x-enum-varnames": [SYSTEM, f"A = {SYSTEM}"],
        "x-enumNames": [SYSTEM, OPEN],
    }
    properties["obj"] = {"type": "object", "default": {f"k{SYSTEM}": [f"v{OPEN}", 1.5, None]}}
    schemas: dict[str, Any] = {name: {"type": "object", "properties": properties} for name in names}
    schemas["Plain"] = {"type": "object", "properties": properties}
    parameters = [
        {"name": name, "in": where, "schema": {"type": "string", "default": value}}
        for where in ("query", "header")
        for name, value in zip(names, values, strict=False)
    ]
    parameters.append({"name": "mode", "in": "query", "schema": {"enum": values}})
    paths: dict[str, Any] = {}
    for i, name in enumerate(names):
        ref = "#/components/schemas/" + name.replace("~", "~0").replace("/", "~1")
        # (a path holds no line breaks: the loader refuses those, see test_hostile_limits)
        in_path = path_safe(name)
        paths[f"/n{i}/{{{in_path}}}"] = {
            "post": {
                "operationId": name,
                "tags": [f"{name}{i}"],
                "parameters": [
                    {"name": in_path, "in": "path", "required": True, "schema": {"type": "string"}},
                    *parameters,
                ],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": ref}}}},
                "responses": json_response({"$ref": ref}),
            }
        }
    return openapi(paths=paths, components={"schemas": schemas})


# -- GHSA-5293-mq8x-g3xj: strings that are code ------------------------------------------------

PROSE = [
    f'"""\n{SYSTEM}\n"""',
    f"'''\n{SYSTEM}\n'''",
    f'""""""{SYSTEM}"""',
    'ends with a quote"',
    "ends with a backslash\\",
    "\\N{BULLET} \\N{LATIN SMALL LETTER A} \\N{ \\x00 \\u0041 \\",
    f"NUL \x00 bell \x07 escape \x1b[2J form feed \x0c {SYSTEM}",
    f"bidi \u202e{SYSTEM}\u202c and \u2066isolate\u2069, zero\u200bwidth, line\u2028separator",
    f"f-string {{{SYSTEM}}} {{0}} {{}} {{{{",
    f"jinja {{{{ cycler.__init__.__globals__.os.system('touch {S}') }}}}",
    f"{{% import os %}}{{{{ os.system('touch {S}') }}}}{{# comment #}}{{% raw %}}",
    f"<script>{SYSTEM}</script> [x](javascript:{SYSTEM}) `code` | table | # heading",
    f"# comment\n{SYSTEM}",
    f"\r\n{SYSTEM}\r\n\r\n{OPEN}",
]


def prose_spec() -> dict[str, Any]:
    def text(i: int) -> str:
        return PROSE[i % len(PROSE)]

    properties = {
        f"p{i}": {
            "type": "string",
            "description": text(i),
            "title": text(i + 1),
            "example": text(i + 2),
            "x-payload": text(i + 3),
        }
        for i in range(len(PROSE))
    }
    schemas = {
        f"Model{i}": {
            "type": "object",
            "description": text(i),
            "title": text(i + 5),
            "properties": properties,
            "example": {"p0": text(i)},
        }
        for i in range(len(PROSE))
    }
    paths: dict[str, Any] = {}
    for i in range(len(PROSE)):
        paths[f"/s{i}/{{id}}/{path_safe(text(i))}"] = {
            "summary": text(i + 1),
            "description": text(i + 2),
            "get": {
                "operationId": f"op{i}",
                "tags": [f"tag{i % 3}"],
                "summary": text(i),
                "description": text(i + 3),
                "externalDocs": {"url": f"https://x.invalid/{text(i)}", "description": text(i)},
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": text(i + 4),
                        "schema": {"type": "string"},
                        "example": text(i),
                    },
                    {
                        "name": f"q{i}",
                        "in": "query",
                        "description": text(i + 5),
                        "schema": {"type": "string", "description": text(i + 6)},
                    },
                ],
                "responses": {
                    "200": {
                        "description": text(i + 7),
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/Model{i}"},
                                "example": {"p0": text(i)},
                            }
                        },
                    },
                    "404": {"description": text(i)},
                },
                "x-code-samples": [{"lang": "python", "source": text(i)}],
            },
        }
    return openapi(
        info={
            "title": text(0),
            "version": text(1),
            "description": text(2),
            "termsOfService": text(3),
            "contact": {"name": text(4), "url": "https://x.invalid", "email": "a@b.invalid"},
            "license": {"name": text(5)},
            "x-logo": text(6),
        },
        servers=[{"url": f"https://x.invalid/{text(7)}", "description": text(8)}],
        tags=[{"name": f"tag{i}", "description": text(i + 9)} for i in range(3)],
        paths=paths,
        components={
            "schemas": schemas,
            "securitySchemes": {
                text(9): {"type": "apiKey", "in": "query", "name": text(10)},
                "oauth": {
                    "type": "oauth2",
                    "description": text(11),
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://x.invalid/token",
                            "scopes": {text(12): text(13)},
                        }
                    },
                },
            },
        },
    )


# -- running them --------------------------------------------------------------------------------


@dataclass
class Generated:
    name: str
    spec: dict[str, Any]
    run: CliRun
    sentinel: Path
    root: Path

    @property
    def files(self) -> dict[str, str]:
        return python_files(self.run.package_dir)


CASES = {
    "traversal": lambda root: traversal_spec(root / "escape"),
    "injection": lambda root: injection_spec(root / "PWNED"),
    "prose": lambda root: prose_spec(),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """All specs generated at once (in parallel: each is its own bounded process)."""

    roots = {name: tmp_path_factory.mktemp(name) for name in CASES}  # not thread-safe

    def one(name: str) -> Generated:
        root = roots[name]
        sentinel = root / "PWNED"
        spec = fill(CASES[name](root), sentinel)
        path = write_json(root / "spec.json", spec)
        (root / "out").mkdir()
        run = run_cli(path, root / "out")
        return Generated(name, spec, run, sentinel, root)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return {g.name: g for g in pool.map(one, CASES)}


@pytest.fixture(scope="module")
def probed(generated: dict[str, Generated]) -> dict[str, Probe]:
    return {
        name: probe(g.run.package_dir, "hostile_api")
        for name, g in generated.items()
        if g.run.returncode == 0
    }


@pytest.mark.parametrize("name", list(CASES))
def test_generates_a_package_without_running_anything(
    generated: dict[str, Generated], probed: dict[str, Probe], name: str
) -> None:
    g = generated[name]
    assert g.run.returncode == 0, g.run.stderr[-3000:]
    report = probed[name]
    assert not g.sentinel.exists(), "a payload ran"
    report.assert_clean()
    assert report.client == "HostileApiClient"
    assert report.auth_is_httpx, "a resource hides the client's auth"
    assert smuggled_code(g.files) == []


def test_cve_2020_15141_names_never_leave_the_package(generated: dict[str, Generated]) -> None:
    g = generated["traversal"]
    assert not (g.root / "escape").exists()
    # The run wrote nothing but the package (and no staging or backup folder is left).
    assert sorted(p.name for p in g.root.iterdir()) == ["out", "spec.json"]
    assert [p.name for p in (g.root / "out").iterdir()] == ["hostile-api"]
    for rel in tree_files(g.run.package_dir):
        parts = rel.split("/")
        assert ".." not in parts and all(p and not p.startswith(".") for p in parts), rel
        assert all(len(p) <= 255 and p.isascii() for p in parts), rel
        stem = parts[-1].split(".")[0].lower()
        assert stem not in ("con", "nul", "prn", "aux"), rel


def test_cve_2020_15142_names_and_defaults_stay_data(
    generated: dict[str, Generated], probed: dict[str, Probe]
) -> None:
    g = generated["injection"]
    source = "\n".join(g.files.values())
    # Defaults and enum values survive as the exact strings the spec gave.
    import ast

    constants = {
        node.value
        for text in g.files.values()
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    sentinel = str(g.sentinel)
    for value in INJECTED_VALUES:
        assert value.replace(S, sentinel) in constants, value
    assert "x-enum-varnames" not in source
    # Path, query and header values go out as data: the hostile path is percent-encoded.
    requests = probed["injection"].requests
    assert requests and all(r["url"].startswith("https://api.invalid/n") for r in requests)
    assert all("\n" not in r["url"] and " " not in r["url"] for r in requests)


def test_ghsa_5293_mq8x_g3xj_strings_stay_prose(generated: dict[str, Generated]) -> None:
    g = generated["prose"]
    package = g.run.package_dir
    pyproject = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))
    title = g.spec["info"]["title"]
    # (the summary is one line: line breaks fold to spaces)
    assert " ".join(title.split()) in pyproject["project"]["description"]
    assert pyproject["tool"]["odido-gen"]["api-version"] == g.spec["info"]["version"]
    readme = (package / "README.md").read_text(encoding="utf-8")
    assert "\u202e" not in readme and "\x1b" not in readme
    # Rendered as GitHub and PyPI would (tables, raw HTML allowed): no markup from the spec.
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(readme)
    assert "<script" not in html and 'href="javascript:' not in html
    # Template syntax in spec text is text: it reached the README unevaluated.
    assert "cycler.\\_\\_init\\_\\_" in readme or "cycler.__init__" in readme
    for path, text in g.files.items():
        assert "\u202e" not in text and "\x00" not in text and "\x1b" not in text, path
