"""What counts as work for the idle lock. A key that is a shortcut (F5, Ctrl+L, a Go menu key)
never reaches a widget as a key press: Qt offers it to the focus widget (ShortcutOverride) and
sends it to the action (Shortcut). The idle watcher counted key presses only, so a pharmacist
working with shortcuts and the scanner was locked out mid-work; text typed through an input
method (Chinese pinyin) comes committed, not as key presses, and did not count either."""

from __future__ import annotations

from counter_fixtures import Stopwatch
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dispensary.app import Desk
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.sign_in import IdleWatcher


class CountingTimer:
    """Stands in for the idle countdown: counts each restart, runs out only when told."""

    def __init__(self) -> None:
        self.starts = 0

    def isActive(self) -> bool:
        return True

    def start(self) -> None:
        self.starts += 1

    def stop(self) -> None:
        pass


def signed_in(qtbot: QtBot, desk: Desk) -> tuple[MainWindow, CountingTimer]:
    form = desk.sign_in.form
    qtbot.keyClicks(form.username, "pharm")
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(form.password, "pharmpass1")
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    window = desk.window
    assert window is not None
    qtbot.addWidget(window)
    if desk.backup is not None:
        desk.backup.wait()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    watcher = desk.watcher
    assert isinstance(watcher, IdleWatcher)
    counting = CountingTimer()
    watcher.timer = counting  # type: ignore[assignment]
    return window, counting


def test_refresh_by_its_key_is_work(qtbot: QtBot, desk: Desk) -> None:
    window, countdown = signed_in(qtbot, desk)
    refreshed: list[bool] = []
    window.refresh_action.triggered.connect(lambda: refreshed.append(True))
    window.scan_field.setFocus()
    qtbot.keyClick(window.scan_field, Qt.Key.Key_F5)
    assert refreshed == [True]  # the key went to Go > Refresh, not to the field
    assert countdown.starts >= 1


def test_the_go_menu_keys_are_work(qtbot: QtBot, desk: Desk) -> None:
    """Ctrl+L into the scan field, then a screen's own key: the countdown starts over each
    time, the screen chosen by its key."""
    window, countdown = signed_in(qtbot, desk)
    current = window.current_screen()
    assert current is not None
    current.setFocus()
    qtbot.keyClick(current, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.scan_field.hasFocus()
    after_ctrl_l = countdown.starts
    assert after_ctrl_l >= 1
    action = window.go_actions[DispenseScreen]
    key = action.shortcut()
    assert not key.isEmpty()
    combination = key[0]
    qtbot.keyClick(window.scan_field, combination.key(), combination.keyboardModifiers())
    assert isinstance(window.current_screen(), DispenseScreen)
    assert countdown.starts > after_ctrl_l


def test_a_scan_is_work(qtbot: QtBot, desk: Desk) -> None:
    """A barcode scanner types the code and Enter, fast, into the scan field."""
    window, countdown = signed_in(qtbot, desk)
    window.scan_catcher.burst.clock = Stopwatch(0.004)
    window.scan_field.setFocus()
    qtbot.keyClicks(window.scan_field, "01-001")
    qtbot.keyClick(window.scan_field, Qt.Key.Key_Return)
    assert countdown.starts >= len("01-001")


def test_text_typed_through_an_input_method_is_work(qtbot: QtBot, desk: Desk) -> None:
    """Pinyin typed into a field arrives as the committed characters (an input method event),
    with no key press."""
    window, countdown = signed_in(qtbot, desk)
    window.scan_field.setFocus()
    typed = QInputMethodEvent()
    typed.setCommitString("张伟")
    QApplication.sendEvent(window.scan_field, typed)
    assert window.scan_field.text() == "张伟"
    assert countdown.starts >= 1
