"""PySide6's import hook, kept from holding the source text of every module imported after Qt.

Once shiboken6 is loaded, each module imported afterwards is checked for "PySide6" in its source
(to know whether `from __feature__ import ...` may apply to it) with `inspect.getsource`, which
leaves the module's whole text in `linecache` for the life of the process. In this program that
is 20-25 MB that nothing reads (SQLAlchemy's alone is 17 MB), and it was what kept the Today
window over its 250 MB (issue 15). The same check is made here from a source read that is not
kept.
"""

from __future__ import annotations

import linecache
import sys
from types import ModuleType

import shiboken6  # noqa: F401  (loads shibokensupport.feature, the hook's Python half)

FEATURE_MODULE = "shibokensupport.feature"
CHECK = "_mod_uses_pyside"


def _uses_pyside(module: ModuleType) -> bool:
    """shiboken's answer for a module just imported (does its source name PySide6?), read through
    the module's loader: nothing is cached."""
    get_source = getattr(getattr(module, "__loader__", None), "get_source", None)
    if get_source is None:
        return False
    try:
        source = get_source(module.__name__)
    except (ImportError, OSError, SyntaxError, TypeError, ValueError):
        return False  # shiboken's own check answers False when the source cannot be read
    return isinstance(source, str) and "PySide6" in source


def keep_no_source_of_imports() -> bool:
    """Puts the uncached check in shiboken's place and drops the text it already kept; False when
    this PySide6 has no such check (tests/ui/test_qt_imports.py then says so)."""
    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, CHECK, None)):
        return False
    if getattr(feature, CHECK) is not _uses_pyside:
        setattr(feature, CHECK, _uses_pyside)
        linecache.clearcache()
    return True
