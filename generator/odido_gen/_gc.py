"""The cycle collector: paused around allocation-heavy steps, skipped at exit."""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
from collections.abc import Iterator

__all__ = ["cycle_collector_paused", "no_collection_at_exit"]


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


@functools.cache  # once per process, however often the command line runs in it
def no_collection_at_exit() -> None:
    """Let the interpreter exit without a last collection over everything still alive.

    A generation run leaves a large heap (the product model, the rendered files, the model
    generator's state); the collection at exit walks all of it (0.15 s after the whole Genesys
    definition) to free what the operating system reclaims anyway. Nothing depends on
    finalizers at exit: files, folders and processes are closed by the code that opened them.
    """
    atexit.register(gc.freeze)
