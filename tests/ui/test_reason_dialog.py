"""The reason asked before a step recorded in the audit trail (ui.forms.ReasonDialog): Enter on
a blank reason closed the dialog, and the screen then said "Give the reason to quarantine" for
the user to start again. OK stays disabled, and Enter does nothing, until a reason is typed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from dispensary.ui.forms import ReasonDialog


def _dialog(qtbot: Any) -> ReasonDialog:
    dialog = ReasonDialog(None, "Quarantine", "Why is K0001 set aside?", "Quarantine")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.reason.setFocus()
    return dialog


def test_enter_on_a_blank_reason_keeps_the_dialog_open(qtbot: Any) -> None:
    dialog = _dialog(qtbot)
    assert not dialog.ok.isEnabled()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    qtbot.keyClicks(dialog.reason, "   ")  # spaces are no reason
    assert not dialog.ok.isEnabled()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Enter)
    assert dialog.isVisible() and dialog.result() == 0
    qtbot.keyClicks(dialog.reason, "box crushed")
    assert dialog.ok.isEnabled()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted.value
    dialog.reason.clear()  # emptied again: OK disabled again
    assert not dialog.ok.isEnabled()


def test_ask_returns_the_reason_typed_once_one_is_typed(qtbot: Any) -> None:
    """The dialog as the screens run it (exec): Enter on nothing, then a reason and Enter."""
    presses: list[bool] = []

    def answer() -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, ReasonDialog) and w.isVisible()
        )
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
        presses.append(dialog.isVisible())  # still open
        qtbot.keyClicks(dialog.reason, "damaged")
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    assert ReasonDialog.ask(None, "Quarantine", "Why?", "Quarantine") == "damaged"
    assert presses == [True]
