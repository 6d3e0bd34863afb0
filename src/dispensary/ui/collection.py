"""Python's garbage collection held off while a worker thread runs Python code.

The cyclic garbage collector runs in whichever thread allocates when its threshold is reached.
Run in a worker's thread, it may destroy the Qt objects of windows already closed there, off
the UI thread, and Qt crashes (a segmentation fault seen in a full test run, and possible in the
program after a sign-out while the Today screen was reading). So while any worker runs,
automatic collection waits; it resumes, on the UI thread, when the last one is released.
"""

from __future__ import annotations

import gc

_HOLDING: set[int] = set()


def hold(worker: object) -> None:
    """Called on the UI thread just before the worker starts."""
    _HOLDING.add(id(worker))
    gc.disable()


def release(worker: object) -> None:
    """Called on the UI thread when the worker has finished (twice is harmless)."""
    _HOLDING.discard(id(worker))
    if not _HOLDING:
        gc.enable()


def holding() -> int:
    """How many workers hold collection off now (for tests)."""
    return len(_HOLDING)
