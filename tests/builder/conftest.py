"""Set-up of the build tests: a private render cache, and the sandbox tests' helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The install test starts the sandbox as a process with the sandbox tests' helper.
_SANDBOX_TESTS = str(Path(__file__).resolve().parent.parent / "sandbox")
if _SANDBOX_TESTS not in sys.path:
    sys.path.insert(0, _SANDBOX_TESTS)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODIDO_GEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
