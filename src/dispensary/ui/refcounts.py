"""A guard against a PySide6 6.12 bug on CPython 3.11 that would abort the program mid-session.

There, every Qt call that returns nothing (`setText`, `setEnabled`, `resize`, each event
handled...) drops one reference to None that it never took. After some thousands of such calls
None's count reaches zero and the interpreter stops with "none_dealloc: deallocating None"
(True and False have been seen to go the same way). From Python 3.12 these three objects are
immortal, so the bug does no harm there; PySide6 6.11 does not have it.
"""

from __future__ import annotations

import ctypes
import sys

PINNED = 1 << 40
"""References added to each singleton: more Qt calls than any session will ever make."""


def pin_singletons() -> bool:
    """Makes None, True and False as good as immortal on CPython before 3.12 (their reference
    count is the first field of the object); True when it was needed and done."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += PINNED
    return True
