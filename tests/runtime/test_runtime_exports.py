"""The public surface: `__all__`, module names, and what importing the runtime pulls in."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys

import odido_runtime


def test_all_matches_the_exported_names() -> None:
    exported = {name for name in dir(odido_runtime) if not name.startswith("_")}
    assert set(odido_runtime.__all__) == exported | {"__version__"}
    assert len(odido_runtime.__all__) == len(set(odido_runtime.__all__))


def test_contract_names_are_exported() -> None:
    contract = {
        "Environment", "ClientCredentials", "HeaderStyle", "OdidoAuth", "Token", "TokenCache",
        "ProductInfo", "SyncAPIClient", "AsyncAPIClient", "SyncPager", "AsyncPager",
        "NOT_GIVEN", "NotGiven", "build_path", "parse_response",
        "OdidoError", "ConfigurationError", "AuthenticationError", "APIError",
        "APIConnectionError", "APITimeoutError", "APIStatusError", "BadRequestError",
        "UnauthorizedError", "PermissionDeniedError", "NotFoundError", "ConflictError",
        "UnprocessableEntityError", "RateLimitError", "InternalServerError",
    }  # fmt: skip
    assert contract <= set(odido_runtime.__all__)


def test_public_classes_report_the_package_as_their_module() -> None:
    for name in odido_runtime.__all__:
        obj = getattr(odido_runtime, name)
        if isinstance(obj, type):
            assert obj.__module__ == "odido_runtime", name


def test_error_hierarchy() -> None:
    rt = odido_runtime
    assert issubclass(rt.ConfigurationError, rt.OdidoError)
    assert issubclass(rt.AuthenticationError, rt.OdidoError)
    assert issubclass(rt.APITimeoutError, rt.APIConnectionError)
    assert issubclass(rt.APIConnectionError, rt.APIError)
    for cls in (
        rt.BadRequestError, rt.UnauthorizedError, rt.PermissionDeniedError, rt.NotFoundError,
        rt.ConflictError, rt.UnprocessableEntityError, rt.RateLimitError, rt.InternalServerError,
    ):  # fmt: skip
        assert issubclass(cls, rt.APIStatusError)
    assert issubclass(rt.APIStatusError, rt.APIError)
    assert odido_runtime._errors.__doc__ is not None
    assert "OdidoError\n ├── ConfigurationError" in odido_runtime._errors.__doc__


_PROBE = """
import json, subprocess, sys
# What httpx itself imports (with its optional CLI extras, when installed) is allowed too.
probe = "import json, sys, httpx, pydantic; print(json.dumps(sorted(sys.modules)))"
by_deps = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True,
                                    text=True, check=True).stdout)
baseline = set(sys.modules)
import odido_runtime
print(json.dumps({"deps": by_deps, "runtime": sorted(set(sys.modules) - baseline)}))
"""


def _closure(*distributions: str) -> set[str]:
    """The distributions and everything they require (extras left out)."""
    seen: set[str] = set()
    todo = [canonicalize(d) for d in distributions]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            requirements = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue  # required only under a marker this interpreter does not meet
        seen.add(name)
        for requirement in requirements:
            if "extra ==" in requirement:
                continue
            todo.append(canonicalize(re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0]))
    return seen


def canonicalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_import_pulls_in_nothing_beyond_httpx_pydantic_and_stdlib() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    ).stdout
    found = json.loads(out)
    roots = {name.split(".")[0] for name in found["runtime"]}
    allowed_dists = _closure("httpx", "pydantic")
    allowed = set(sys.stdlib_module_names) | {"odido_runtime"}
    allowed |= {name.split(".")[0] for name in found["deps"]}
    for module, dists in importlib.metadata.packages_distributions().items():
        if any(canonicalize(d) in allowed_dists for d in dists):
            allowed.add(module)
    assert "odido_gen" not in roots
    # _sysconfigdata_<platform> is the stdlib's sysconfig data, named per platform.
    extra = {r for r in roots - allowed if not r.startswith("_sysconfigdata_")}
    assert not extra, sorted(extra)
