"""Pausing Python's cycle collector around allocation-heavy steps."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["cycle_collector_paused"]


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """No cycle collection inside the block (as it was again after it).

    Steps that build large trees of objects (a parsed spec, thousands of compiled modules)
    trigger collection after collection, each walking everything built so far: loading the
    whole Genesys definition takes twice as long with it. What they leave behind is acyclic
    or collected when the collector runs again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
