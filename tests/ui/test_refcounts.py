"""The program outlives a day's worth of Qt calls (see dispensary.ui.refcounts)."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtWidgets import QPushButton

from dispensary.ui.refcounts import PINNED


def test_thousands_of_qt_calls_leave_none_standing(qtbot: Any) -> None:
    button = QPushButton()
    qtbot.addWidget(button)
    for number in range(20_000):  # each drops a reference to None on PySide6 6.12, Python 3.11
        button.setText(str(number % 10))
    assert button.text() == "9"
    if sys.version_info < (3, 12):
        assert sys.getrefcount(None) > PINNED // 2
