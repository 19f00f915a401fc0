"""Helpers for the hostile-input suite: write specs, run the CLI bounded, probe packages.

Generated packages are imported in a fresh interpreter (`probe`): whatever a payload manages
to run happens there, and the test only has to look for the sentinel file it would leave.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FUZZ_PROFILE = "hostile-ci" if IN_CI else "hostile"  # registered in conftest.py

# Every run is bounded: a spec that makes the generator loop or balloon fails the test.
CLI_TIMEOUT = 120.0
MEMORY_LIMIT = 2 * 1024**3
SENTINEL = "PWNED"
PLACEHOLDER = "@SENTINEL@"


def limit_memory() -> None:
    """`preexec_fn` of every child: cap its address space (ruff, a child's child, included)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ODIDO_") or k == "ODIDO_GEN_CACHE_DIR"
    }
    env.update(extra)
    return env


def payloads(sentinel: Path) -> dict[str, str]:
    """Ways to run code that create `sentinel` if they ever execute (import or call time)."""
    s = str(sentinel)
    return {
        "system": f"__import__('os').system('touch {s}')",
        "open": f"open({s!r}, 'w').write('x')",
        "import": f"import os; os.system('touch {s}')",
        "exec": f"exec(\"open({s!r}, 'w')\")",
    }


def fill(template: Any, sentinel: Path) -> Any:
    """Put the sentinel's path wherever a spec template says `@SENTINEL@`."""
    text = json.dumps(template, ensure_ascii=False)
    return json.loads(text.replace(PLACEHOLDER, str(sentinel).replace("\\", "\\\\")))


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def openapi(**parts: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Hostile", "version": "1.0"},
        "paths": {},
    }
    document.update(parts)
    return document


def json_response(schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    if schema is None:
        return {"200": {"description": "ok"}}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": dict(schema)}}}}


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    package_dir: Path

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_cli(
    spec: Path | str,
    output: Path,
    *,
    package: str = "hostile_api",
    extra: tuple[str, ...] = (),
    verbose: bool = False,
    timeout: float = CLI_TIMEOUT,
    cwd: Path | None = None,
) -> CliRun:
    """`python -m odido_gen generate --spec ...` in a child with bounded time and memory."""
    command = [
        sys.executable, "-m", "odido_gen", *(["--verbose"] if verbose else []), "generate",
        "--no-cache", "--spec", str(spec), "--package", package, "--output", str(output), *extra,
    ]  # fmt: skip
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory,
        env=_env(),
        cwd=cwd or output.parent,
    )
    distribution = package.replace("_", "-")
    return CliRun(result.returncode, result.stdout, result.stderr, output / distribution)


def assert_one_line_error(run: CliRun, *fragments: str) -> str:
    """Exit code 2 and a single `error: ...` line on stderr, no traceback."""
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr[-3000:])
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert len(run.error_lines) == 1, run.stderr[-3000:]
    line = run.error_lines[0]
    assert line.startswith("error: "), line
    assert len(line) < 2000, f"an error line of {len(line)} characters"
    for fragment in fragments:
        assert fragment.lower() in line.lower(), line
    return line


# Runs in a fresh interpreter: imports every module of a generated package, builds its client
# on a mock transport and calls every operation once. Results go to a file, so that anything a
# payload prints shows up as unexpected output.
PROBE = r"""
import functools, importlib, inspect, json, pkgutil, sys
import httpx

root, package, result_file = sys.argv[1], sys.argv[2], sys.argv[3]
body, bodies = json.loads(sys.argv[4]), json.loads(sys.argv[5])
sys.path.insert(0, root)
report = {"modules": [], "models": [], "calls": [], "requests": []}
module = importlib.import_module(package)
report["modules"].append(package)
for info in pkgutil.walk_packages(module.__path__, package + "."):
    importlib.import_module(info.name)
    report["modules"].append(info.name)
models = importlib.import_module(package + ".models")
for name in models.__all__:
    getattr(models, name)
    report["models"].append(name)

def answer(request):
    report["requests"].append(
        {"method": request.method, "url": str(request.url), "headers": dict(request.headers),
         "content": request.content.decode("utf-8", "replace")}
    )
    return httpx.Response(200, json=bodies.get(request.url.path, body))

def argument(annotation):
    text = str(annotation)
    if text.startswith("bytes"):
        return b"v"
    if text.startswith(("models.", "Mapping", "dict")):
        return {}
    if text.startswith("list"):
        return []
    if text.startswith("int"):
        return 1
    if text.startswith("float"):
        return 1.5
    if text.startswith("bool"):
        return True
    return "v"

client_name = next(n for n in module.__all__ if n.endswith("Client") and not n.startswith("Async"))
client_class = getattr(module, client_name)
client = client_class(
    base_url="https://api.invalid",
    http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    auth=httpx.BasicAuth("user", "pass"),
)
report["client"] = client_name
report["auth_is_httpx"] = isinstance(client.auth, httpx.Auth)
resources = [n for n, v in vars(client_class).items() if isinstance(v, functools.cached_property)]
report["resources"] = resources
for attribute in resources:
    target = getattr(client, attribute)
    for name, method in inspect.getmembers(target, inspect.ismethod):
        if name.startswith("_") or name.startswith("iter_"):
            continue
        args, kwargs = [], {}
        for p in inspect.signature(method).parameters.values():
            if p.default is not p.empty:
                continue
            if p.kind is p.POSITIONAL_OR_KEYWORD:
                args.append(argument(p.annotation))
            elif p.kind is p.KEYWORD_ONLY:
                kwargs[p.name] = argument(p.annotation)
        try:
            method(*args, **kwargs)
            outcome = "ok"
        except Exception as exc:
            outcome = f"{type(exc).__module__}.{type(exc).__name__}: {str(exc)[:300]}"
        report["calls"].append([attribute, name, outcome])
client.close()
with open(result_file, "w", encoding="utf-8") as f:
    json.dump(report, f)
"""


@dataclass
class Probe:
    returncode: int
    stdout: str
    stderr: str
    modules: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    calls: list[list[str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    client: str = ""
    resources: list[str] = field(default_factory=list)
    auth_is_httpx: bool = False

    def failed_calls(self, allowed: Callable[[str], bool] = lambda _: False) -> list[list[str]]:
        return [c for c in self.calls if c[2] != "ok" and not allowed(c[2])]

    def assert_clean(self) -> None:
        """Imported and called without an error, and silently: output is a side effect."""
        assert self.returncode == 0, self.stderr[-4000:]
        assert self.stdout == "", self.stdout[-2000:]
        assert self.stderr == "", self.stderr[-2000:]
        assert self.calls, "no operation to call"
        failed = self.failed_calls()
        assert failed == [], failed


def probe(
    package_dir: Path,
    package: str,
    *,
    body: Any = None,
    bodies: Mapping[str, Any] | None = None,
    timeout: float = 120,
) -> Probe:
    """Import a generated package in a fresh interpreter and call each operation once.

    Every call is answered 200 with `body` (default `{}`), or with `bodies[path]` for the
    URL paths listed there.
    """
    result_file = package_dir.parent / f".probe-{package}.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(package_dir), package, str(result_file),
         json.dumps({} if body is None else body), json.dumps(dict(bodies or {}))],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory,
        env=_env(),
        cwd=package_dir.parent,
    )  # fmt: skip
    report = Probe(done.returncode, done.stdout, done.stderr)
    if result_file.exists():
        data = json.loads(result_file.read_text(encoding="utf-8"))
        result_file.unlink()
        for key, value in data.items():
            setattr(report, key, value)
    return report


def python_files(package_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(package_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(package_dir.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def tree_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# What a payload calls to do harm; no generated client calls any of it.
_FORBIDDEN_CALLS = frozenset(
    {"__import__", "exec", "eval", "compile", "system", "popen", "open", "remove", "unlink"}
)
# (not `builtins`: the model generator imports it to name `builtins.str` beside a field `str`)
_FORBIDDEN_MODULES = frozenset({"os", "subprocess", "shutil", "sys", "socket", "importlib.util"})


def smuggled_code(files: Mapping[str, str]) -> list[str]:
    """Calls and imports in the generated modules that only a payload would put there."""
    import ast

    found = []
    for path, source in files.items():
        for node in ast.walk(ast.parse(source, filename=path)):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in _FORBIDDEN_CALLS:
                    found.append(f"{path}:{node.lineno}: {name}(...)")
            elif isinstance(node, ast.Name) and node.id == "__import__":
                found.append(f"{path}:{node.lineno}: __import__")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    modules.append(node.module)
                for module in modules:
                    if module.split(".")[0] in _FORBIDDEN_MODULES:
                        found.append(f"{path}:{node.lineno}: import {module}")
    return found
