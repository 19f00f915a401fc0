"""Specs built to exhaust the generator: deep, cyclic, explosive, huge or malformed.

Each run is a child process with a timeout and an address-space limit (2 GB): it must end
with one `error:` line and exit code 2, or with a package that imports and works.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from _hostile_support import (
    CliRun,
    assert_one_line_error,
    json_response,
    openapi,
    probe,
    run_cli,
    tree_files,
    write_json,
)


def _schemas_op(schemas: dict[str, Any], root: str = "S0") -> dict[str, Any]:
    return openapi(
        paths={
            "/a": {
                "get": {
                    "operationId": "getIt",
                    "responses": json_response({"$ref": f"#/components/schemas/{root}"}),
                }
            }
        },
        components={"schemas": schemas},
    )


def ref_chain(n: int, wrap: str) -> dict[str, Any]:
    """S0 -> S1 -> ... -> Sn through an alias, `items`, `allOf` or `anyOf`."""

    def link(i: int) -> dict[str, Any]:
        ref = {"$ref": f"#/components/schemas/S{i + 1}"}
        return {
            "alias": ref,
            "items": {"type": "array", "items": ref},
            "allOf": {"allOf": [ref]},
            "anyOf": {"anyOf": [ref, {"type": "integer"}]},
        }[wrap]

    schemas = {f"S{i}": link(i) for i in range(n)}
    schemas[f"S{n}"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    return _schemas_op(schemas)


def nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        node = {"type": "array", "items": node}
    return _schemas_op({"S0": node})


def fan_out(n: int) -> dict[str, Any]:
    """Each schema is `anyOf` the next two: 2^n ways down from S0 (a type that expands
    inline grows exponentially), in a spec of a few kilobytes."""
    schemas: dict[str, Any] = {
        f"S{i}": {
            "anyOf": [
                {"$ref": f"#/components/schemas/S{i + 1}"},
                {"type": "array", "items": {"$ref": f"#/components/schemas/S{i + 2}"}},
            ]
        }
        for i in range(n)
    }
    schemas[f"S{n}"] = {"type": "string"}
    schemas[f"S{n + 1}"] = {"type": "integer"}
    return _schemas_op(schemas)


def _run(tmp_path: Path, document: Any, *, name: str = "spec.json", timeout: float = 120) -> CliRun:
    spec = tmp_path / name
    if isinstance(document, str):
        spec.write_text(document, encoding="utf-8")
    elif isinstance(document, bytes):
        spec.write_bytes(document)
    else:
        write_json(spec, document)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return run_cli(spec, out, timeout=timeout)


def _assert_error_and_nothing_written(run: CliRun, *fragments: str) -> None:
    assert_one_line_error(run, *fragments)
    out = run.package_dir.parent
    assert list(out.iterdir()) == [], tree_files(out)


# -- errors the loader reports -------------------------------------------------------------------

YAML_BOMB = "\n".join(
    [
        "openapi: 3.0.3",
        "info: {title: t, version: '1'}",
        "paths: {}",
        'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"x-{b}: &{b} [{', '.join([f'*{a}'] * 9)}]"
            for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
MERGE_BOMB = "\n".join(
    [
        "openapi: 3.0.3",
        "info: {title: t, version: '1'}",
        "paths: {}",
        "x-0: &k0 {a0: 1, b0: 2}",
        *(
            f"x-{i}: &k{i} {{<<: [*k{i - 1}], a{i}: 1, b{i}: [*k{i - 1}, *k{i - 1}]}}"
            for i in range(1, 40)
        ),
    ]
)
RECURSIVE_ALIAS = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a [*a, *a]\n"
PYTHON_TAG = (
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
    "x-a: !!python/object/apply:os.system ['touch {sentinel}']\n"
)

LOADER_ERRORS: dict[str, tuple[Any, str]] = {
    "5000-deep $ref chain (aliases)": (ref_chain(5000, "alias"), "chain of more than 32"),
    "5000-deep $ref chain (items)": (ref_chain(5000, "items"), "chain of more than 32"),
    "5000-deep $ref chain (allOf)": (ref_chain(5000, "allOf"), "chain of more than 32"),
    "300-deep chain of anyOf": (ref_chain(300, "anyOf"), "chain of more than 32"),
    "nesting 300 levels": (nested(300), "nested more than 256 levels"),
    "nesting 100,000 levels": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "billion laughs": (YAML_BOMB, "alias bomb"),
    "merge-key bomb": (MERGE_BOMB, "expand to"),
    "recursive alias": (RECURSIVE_ALIAS, "alias"),
    "NaN default": (
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},'
        ' "components": {"schemas": {"A": {"type": "number", "default": NaN}}}}',
        "not a JSON number",
    ),
    "Infinity enum": (
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},'
        ' "components": {"schemas": {"A": {"type": "number", "enum": [-Infinity]}}}}',
        "not a JSON number",
    ),
    "1e999 maximum": (
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},'
        ' "components": {"schemas": {"A": {"type": "number", "maximum": 1e999}}}}',
        "not a JSON number",
    ),
    "YAML .inf default": (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components: {schemas: {A: {type: number, default: .inf}}}\n",
        "not a JSON number",
    ),
    "5000-digit integer (JSON)": (
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x-n": '
        + "9" * 5000
        + "}",
        "digits",
    ),
    "5000-digit integer (YAML)": (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-n: " + "9" * 5000 + "\n",
        "digits",
    ),
    "lone surrogate": (
        '{"openapi": "3.0.3", "info": {"title": "t\\ud800", "version": "1"}, "paths": {}}',
        "lone surrogate",
    ),
    "line break in a path": (
        openapi(paths={"/a\n/b": {"get": {"responses": json_response()}}}),
        "control characters",
    ),
    "NUL in a path": (
        openapi(paths={"/a\u0000": {"get": {"responses": json_response()}}}),
        "control characters",
    ),
    "not UTF-8": (b"openapi: 3.0.3\ninfo: {title: \xff\xfe\xfd}\n", "UTF-8"),
    "not an object": ("[1, 2, 3]", "not an object"),
    "a remote $ref": (
        openapi(
            paths={"/a": {"get": {"responses": json_response({"$ref": "https://x.invalid/s"})}}}
        ),
        "remote $ref",
    ),
}


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CliRun]:
    """Every case run at once: each is its own bounded process."""
    roots = {case: tmp_path_factory.mktemp("refused") for case in LOADER_ERRORS}

    def one(case: str) -> CliRun:
        document = LOADER_ERRORS[case][0]
        yaml = isinstance(document, str) and not document.startswith(("{", "["))
        return _run(roots[case], document, name="spec.yaml" if yaml else "spec.json")

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(LOADER_ERRORS, pool.map(one, LOADER_ERRORS), strict=True))


@pytest.mark.parametrize("case", list(LOADER_ERRORS))
def test_refused_with_one_line(refused: dict[str, CliRun], case: str) -> None:
    _assert_error_and_nothing_written(refused[case], LOADER_ERRORS[case][1])


def test_yaml_python_tags_never_run(tmp_path: Path) -> None:
    sentinel = tmp_path / "PWNED"
    run = _run(tmp_path, PYTHON_TAG.replace("{sentinel}", str(sentinel)), name="spec.yaml")
    assert_one_line_error(run, "invalid YAML")
    assert not sentinel.exists()


def test_files_over_the_size_cap_are_not_read(tmp_path: Path) -> None:
    spec = tmp_path / "huge.json"
    with spec.open("wb") as f:  # sparse: the size without the disk space
        f.truncate(129 * 1024 * 1024)
    out = tmp_path / "out"
    out.mkdir()
    run = run_cli(spec, out)
    assert_one_line_error(run, "larger than")


# -- specs that become packages ------------------------------------------------------------------

CYCLES: dict[str, dict[str, Any]] = {
    "two aliases": {
        "S0": {"$ref": "#/components/schemas/S1"},
        "S1": {"$ref": "#/components/schemas/S0"},
    },
    "array of itself": {"S0": {"type": "array", "items": {"$ref": "#/components/schemas/S0"}}},
    "anyOf itself": {"S0": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/S0"}]}},
    "allOf cycle": {
        "S0": {
            "allOf": [{"$ref": "#/components/schemas/S1"}],
            "properties": {"a": {"type": "string"}},
        },
        "S1": {
            "allOf": [{"$ref": "#/components/schemas/S0"}],
            "properties": {"b": {"type": "string"}},
        },
    },
    "tree": {
        "S0": {
            "type": "object",
            "properties": {
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/S0"}},
                "parent": {"$ref": "#/components/schemas/S0"},
                "map": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/components/schemas/S0"},
                },
            },
        }
    },
}


@pytest.mark.parametrize("case", list(CYCLES))
def test_cyclic_refs_end_well(tmp_path: Path, case: str) -> None:
    run = _run(tmp_path, _schemas_op(CYCLES[case]), timeout=60)
    if run.returncode != 0:
        assert_one_line_error(run)
        return
    report = probe(run.package_dir, "hostile_api", body={"a": "x", "children": [{}], "map": {}})
    assert report.returncode == 0, report.stderr[-3000:]
    assert report.stderr == "" and report.stdout == ""
    # The mock answers the same body to every schema; what matters is a bounded, clean end.
    for _, _, outcome in report.calls:
        assert "RecursionError" not in outcome, outcome


def test_a_long_but_legal_chain_generates(tmp_path: Path) -> None:
    run = _run(tmp_path, ref_chain(30, "alias"), timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    probe(run.package_dir, "hostile_api").assert_clean()


def test_paths_are_relative_to_the_api(tmp_path: Path) -> None:
    """A path that is a whole URL would send the client's token to another host."""
    document = openapi(
        paths={
            "https://evil.invalid/steal": {
                "get": {"operationId": "steal", "responses": json_response()}
            },
            "//evil.invalid/x": {
                "get": {"operationId": "protocolRelative", "responses": json_response()}
            },
            "@evil.invalid/y": {"get": {"operationId": "userinfo", "responses": json_response()}},
        }
    )
    run = _run(tmp_path, document)
    assert run.returncode == 0, run.stderr[-3000:]
    report = probe(run.package_dir, "hostile_api")
    report.assert_clean()
    assert len(report.requests) == 3
    for request in report.requests:
        assert request["url"].startswith("https://api.invalid/"), request["url"]
        assert request["headers"]["host"] == "api.invalid"


def test_exponential_type_expansion_stays_bounded(tmp_path: Path) -> None:
    """Non-object schemas inline into their users, so this 3 KB spec has a type of about 2^30
    parts, which the model generator takes minutes over. The generator must end well within
    the timeout: it measures the inline size (linear time) and refuses, naming the schema."""
    spec = tmp_path / "spec.json"
    write_json(spec, fan_out(30))
    out = tmp_path / "out"
    out.mkdir()
    try:
        run = run_cli(spec, out, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("did not end in 15 s")
    assert_one_line_error(run, "schema 'S0' expands into", "inline types")
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_a_50_mb_spec(tmp_path: Path) -> None:
    """50 MB of spec: long prose, many schemas and operations, bulky extensions."""
    prose = ('Lorem ipsum dolor sit amet, "quoted" \\ backslash {braces} <b>tags</b>. ' * 4000)[
        :250_000
    ]
    schemas = {
        f"Model{i}": {
            "type": "object",
            "description": prose if i < 20 else f"model {i}",
            "properties": {
                f"field{j}": {"type": "string", "description": f"f{j}"} for j in range(20)
            },
        }
        for i in range(600)
    }
    paths = {
        f"/items{i}/{{id}}": {
            "get": {
                "operationId": f"getItem{i}",
                "tags": [f"tag{i % 25}"],
                "description": prose if i < 20 else f"op {i}",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": json_response({"$ref": f"#/components/schemas/Model{i % 600}"}),
            }
        }
        for i in range(1500)
    }
    document = openapi(paths=paths, components={"schemas": schemas})
    size = len(json.dumps(document))
    document["x-padding"] = ["x" * 1000] * ((50 * 1024 * 1024 - size) // 1004 + 10)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    assert spec.stat().st_size >= 50 * 1024 * 1024
    out = tmp_path / "out"
    out.mkdir()
    run = run_cli(spec, out, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    probe(run.package_dir, "hostile_api").assert_clean()
