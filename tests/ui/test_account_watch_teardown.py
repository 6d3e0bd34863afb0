"""The account watch is an event filter on the whole application: an event can reach it while
its Python object is being torn down (the collector cleared its attributes, the Qt object not
yet gone), as happened at the end of tests (`AttributeError: 'AccountWatch' object has no
attribute 'stopped'` on stderr). Such a watch lets every event through and asks nothing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from dispensary.ui.sign_in import AccountWatch


def test_a_watch_being_torn_down_lets_events_through(qtbot: QtBot) -> None:
    asked: list[str] = []

    def check() -> str | None:
        asked.append("asked")
        return "locked"

    field = QLineEdit()
    qtbot.addWidget(field)
    watch = AccountWatch(check, every=0.0, clock=lambda: 100.0)
    try:
        vars(watch).clear()  # the Python object torn down while still a filter
        key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
        assert watch.eventFilter(field, key) is False
        QApplication.sendEvent(field, key)  # through the application's filters: no error
        qtbot.keyClick(field, Qt.Key.Key_B)
        assert field.text() == "ab"
        assert asked == []
    finally:
        watch.detach()
