"""The suite's own guard (tests/ui/conftest.py): a window given to qtbot stays whole until Qt
deletes it, whatever the garbage collector does meanwhile."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget


class _Screen(QWidget):
    """A window held by its own reference cycle only, as the screens are (their models' slots
    and attributes point back at them)."""

    def __init__(self) -> None:
        super().__init__()
        self.itself = self
        self.tabs = QTabWidget()
        page = QWidget()
        self.tabs.addTab(page, "page")
        QVBoxLayout(self).addWidget(self.tabs)


def test_a_window_given_to_qtbot_outlives_a_garbage_collection_until_it_is_deleted(
    qtbot: Any,
) -> None:
    screen = _Screen()
    qtbot.addWidget(screen)
    screen.show()
    held = weakref.ref(screen)
    del screen
    gc.collect()
    # Collected here, it was torn apart while Qt still showed it (or freed under a live tab).
    kept = held()
    assert kept is not None
    assert kept.tabs.count() == 1 and kept.itself is kept
