"""Set-up of the end-to-end tests: the sandbox (and Prism) run as real processes."""

from __future__ import annotations

import sys
from pathlib import Path

# The sandbox tests' helpers start the sandbox as a process and fetch tokens; these tests reuse
# them rather than keep a second copy (`_sandbox_support` is a top-level module either way).
_SANDBOX_TESTS = str(Path(__file__).resolve().parent.parent / "sandbox")
if _SANDBOX_TESTS not in sys.path:
    sys.path.insert(0, _SANDBOX_TESTS)
