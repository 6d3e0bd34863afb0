"""Garbage collection waits while a worker thread runs (ui/collection.py): a collection run in
a worker's thread would destroy closed windows' Qt objects off the UI thread."""

from __future__ import annotations

import gc

from dispensary.ui import collection


def test_collection_waits_for_the_last_worker() -> None:
    first, second = object(), object()
    assert gc.isenabled() and collection.holding() == 0
    collection.hold(first)
    collection.hold(second)
    assert not gc.isenabled()
    collection.release(first)
    assert not gc.isenabled(), "one worker still runs"
    collection.release(second)
    collection.release(second)  # twice is harmless
    assert gc.isenabled() and collection.holding() == 0
