"""Names from the spec become safe, unique, ASCII Python names and portable file names.

Keywords, builtins, dunders, empty names, confusables and bidi controls, Windows device names,
names that collide once made safe, and names too long for a file system: each spec below must
become a package that imports, whose client works, and whose every name is plain ASCII.
"""

from __future__ import annotations

import ast
import keyword
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _hostile_support import (
    CliRun,
    Probe,
    json_response,
    openapi,
    probe,
    python_files,
    run_cli,
    smuggled_code,
    tree_files,
    write_json,
)

KEYWORDS = ["class", "def", "None", "True", "False", "import", "lambda", "match", "type", "_"]
BUILTINS = ["print", "object", "Exception", "ValueError", "id", "open", "dir", "super"]
DUNDERS = ["__init__", "__class__", "__dict__", "__import__", "__", "____"]
EMPTYISH = ["", " ", "-", "$", "123", "1a", "\u200b"]
DEVICES = ["con", "CON", "Nul", "aux", "prn", "com1", "LPT9", "con.py"]
DEVICE_STEMS = {
    "con",
    "nul",
    "aux",
    "prn",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}
# Attribute names pydantic and the runtime use themselves.
RUNTIME = ["model_config", "model_fields", "model_dump", "schema", "json", "dict", "copy"]
CONFUSABLE = [
    "\u0440\u0430ss",  # Cyrillic: looks like `pass`
    "pass",
    "\uff50\uff41\uff53\uff53",  # full-width `pass`
    "na\u00efve",
    "a\u202eb",
    "a\u200bb",
    "\u2066x\u2069",
    "\u65e5\u672c\u8a9e",  # no ASCII at all
]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": "#/components/schemas/" + name.replace("~", "~0").replace("/", "~1")}


def names_spec(names: list[str], *, tags: bool = True, properties: bool = True) -> dict[str, Any]:
    """Every name as a schema, a property, a tag, an operationId and parameters."""
    props = {n: {"type": "string"} for n in names} if properties else {"a": {"type": "string"}}
    schemas = {n: {"type": "object", "properties": props} for n in names}
    paths: dict[str, Any] = {}
    for i, name in enumerate(names):
        params = [
            {"name": name, "in": where, "schema": {"type": "string"}}
            for where in ("query", "header")
        ]
        paths[f"/n{i}"] = {
            "get": {
                "operationId": name,
                "tags": [name] if tags else [f"tag{i}"],
                "parameters": params,
                "responses": json_response(_ref(name)),
            }
        }
    return openapi(paths=paths, components={"schemas": schemas})


def long_names_spec() -> dict[str, Any]:
    long = "VeryLongName" * 40  # 480 characters
    node: dict[str, Any] = {"type": "string"}
    for i in range(12):  # inline objects, named after their parents by the model generator
        node = {"type": "object", "properties": {f"{long[:60]}{i}": node}}
    schemas = {
        long: {"type": "object", "properties": {long: {"type": "string"}, "nested": node}},
        long + "2": {"type": "object", "properties": {"b": {"type": "integer"}}},
    }
    paths = {
        "/long": {
            "get": {
                "operationId": long,
                "tags": [long],
                "parameters": [{"name": long, "in": "query", "schema": {"type": "string"}}],
                "responses": json_response(_ref(long)),
            }
        },
        "/long2": {
            "get": {
                "operationId": long + "2",
                "tags": [long + "2"],
                "responses": json_response(_ref(long + "2")),
            }
        },
    }
    return openapi(paths=paths, components={"schemas": schemas})


def colliding_tags_spec() -> dict[str, Any]:
    """Tags that differ only in case or punctuation, or that have no usable word at all."""
    tags = ["Pet", "pet", "PET", "pet-", "", ".", "..", "default", "Default"]
    paths = {
        f"/t{i}": {"get": {"operationId": f"op{i}", "tags": [tag], "responses": json_response()}}
        for i, tag in enumerate(tags)
    }
    return openapi(paths=paths)


def builtin_parameters_spec() -> dict[str, Any]:
    """Parameters named like the builtins a method body uses (`list[...]`, `str`, ...)."""
    names = ["list", "dict", "str", "bytes", "int", "float", "bool", "type", "len", "isinstance"]
    params = [{"name": n, "in": "query", "schema": {"type": "string"}} for n in names]
    list_of_maps = {"type": "array", "items": {"type": "object", "additionalProperties": {}}}
    return openapi(
        paths={
            "/list": {
                "get": {
                    "operationId": "listThem",
                    "parameters": params,
                    "responses": json_response(list_of_maps),
                }
            },
            "/text": {
                "post": {
                    "operationId": "sendText",
                    "parameters": params,
                    "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
                    "responses": json_response({"type": "integer"}),
                }
            },
        }
    )


RESERVED = KEYWORDS + BUILTINS + DUNDERS + EMPTYISH + DEVICES
TAGS = ["con", "nul", "aux", "com1", "lpt1", "\u0440\u0430ss", "\u202eevil", "na\u00efve", "\u65e5"]

SPECS = {
    "reserved": lambda: names_spec(RESERVED, tags=False),
    "tags": lambda: names_spec(TAGS, properties=False),
    # Each of these shows one open bug while it fails:
    # fields `model_dump_` & co.: pydantic warns on import (protected namespace `model_`)
    "pydantic-names": lambda: names_spec(RUNTIME, tags=False),
    # non-ASCII fields become non-ASCII (confusable) identifiers, refused when written
    "confusable": lambda: names_spec(CONFUSABLE, tags=False),
    # model modules named after long nested names exceed 255 bytes
    "long": long_names_spec,
    # tags that name the same resource class: `DefaultResource` imported twice (F811)
    "colliding-tags": colliding_tags_spec,
    # an argument `list` hides the builtin the method body uses: TypeError on every call
    "builtin-parameters": builtin_parameters_spec,
}
# Answers that fit the declared responses (anything else is answered `{}`).
BODIES = {"builtin-parameters": {"/list": [{"a": 1}], "/text": 3}}


@dataclass
class Outcome:
    run: CliRun
    probe: Probe | None


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    roots = {name: tmp_path_factory.mktemp(name) for name in SPECS}

    def one(name: str) -> Outcome:
        root = roots[name]
        spec = write_json(root / "spec.json", SPECS[name]())
        (root / "out").mkdir()
        run = run_cli(spec, root / "out")
        report = (
            probe(run.package_dir, "hostile_api", bodies=BODIES.get(name))
            if run.returncode == 0
            else None
        )
        return Outcome(run, report)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(SPECS, pool.map(one, SPECS), strict=True))


def _identifiers(files: dict[str, str]) -> set[str]:
    """Every name the generated modules define or use."""
    found: set[str] = set()
    for source in files.values():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found.add(node.name)
            elif isinstance(node, ast.arg):
                found.add(node.arg)
            elif isinstance(node, ast.Name):
                found.add(node.id)
            elif isinstance(node, ast.Attribute):
                found.add(node.attr)
            elif isinstance(node, ast.keyword) and node.arg:
                found.add(node.arg)
    return found


@pytest.mark.parametrize("name", list(SPECS))
def test_names_become_a_working_package(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    run = outcome.run
    assert run.returncode == 0, run.stderr[-3000:]
    assert outcome.probe is not None
    outcome.probe.assert_clean()
    assert outcome.probe.auth_is_httpx
    files = python_files(run.package_dir)
    assert smuggled_code(files) == []
    for identifier in _identifiers(files):
        assert identifier.isascii() and identifier.isidentifier(), ascii(identifier)
        assert not keyword.iskeyword(identifier), identifier
    for rel in tree_files(run.package_dir):
        for part in rel.split("/"):
            assert part.isascii() and len(part.encode()) <= 255, rel
            assert not part.startswith("."), rel
            assert part.split(".")[0].lower() not in DEVICE_STEMS, rel


def test_every_operation_is_reachable(outcomes: dict[str, Outcome]) -> None:
    """No operation is lost to a name collision: each one of the spec can be called."""
    outcome = outcomes["reserved"]
    assert outcome.probe is not None, outcome.run.stderr[-3000:]
    spec = names_spec(RESERVED, tags=False)
    assert len(outcome.probe.calls) == len(spec["paths"])
    called = sorted(r["url"].rsplit("/", 1)[1].split("?")[0] for r in outcome.probe.requests)
    assert called == sorted(p.rsplit("/", 1)[1] for p in spec["paths"])


def test_generated_files_stay_inside_the_output(outcomes: dict[str, Outcome]) -> None:
    for outcome in outcomes.values():
        root = outcome.run.package_dir.parent.parent
        assert sorted(p.name for p in root.iterdir()) == ["out", "spec.json"]
        out = root / "out"
        assert [p.name for p in out.iterdir()] in ([], ["hostile-api"]), list(out.iterdir())


def test_device_names_never_name_a_file(outcomes: dict[str, Outcome]) -> None:
    for name in ("reserved", "tags"):
        run = outcomes[name].run
        assert run.returncode == 0, run.stderr[-3000:]
        stems = {Path(p).name.split(".")[0].lower() for p in tree_files(run.package_dir)}
        assert not stems & DEVICE_STEMS


def test_an_answer_that_contradicts_the_spec_is_a_typed_error(
    outcomes: dict[str, Outcome],
) -> None:
    """`{}` where the spec promises an array or an integer: the runtime's typed error, naming
    where the body does not fit, not a pydantic or type error from inside the method."""
    run = outcomes["builtin-parameters"].run
    assert run.returncode == 0, run.stderr[-3000:]
    report = probe(run.package_dir, "hostile_api")  # answers `{}` to everything
    assert sorted(c[1] for c in report.calls) == ["list_them", "send_text"]
    for _, _, outcome in report.calls:
        assert outcome.startswith("odido_runtime.APIResponseValidationError: "), outcome
        assert "does not match" in outcome and "[HTTP" not in outcome, outcome
