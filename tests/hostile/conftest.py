"""Hostile-input tests: a private render cache, and the fuzzing budget (longer in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The fuzz tests apply one of these by name (see `_hostile_support.FUZZ_PROFILE`): CI=true
# turns on the long run. Other suites keep hypothesis's defaults.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "hostile", max_examples=25, deadline=None, suppress_health_check=_SUPPRESSED
)
settings.register_profile(
    "hostile-ci", max_examples=200, deadline=None, suppress_health_check=_SUPPRESSED
)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Renders never read or fill the user's cache."""
    monkeypatch.setenv("ODIDO_GEN_CACHE_DIR", str(tmp_path / "cache"))
