"""The Physical count window driven as the counter would, with the real signature dialog: a kit
scanned, its count typed, the counter's signature answered, and K0003 shown counted open
against its book (test_count_book_changed, test_count_second_password); the second person
signs in their own dialog, typing their user name and password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel
from window_helpers import refreshed, scan

from dispensary.services import queries
from dispensary.ui.count_view import CountScreen
from dispensary.ui.feedback import SignatureDialog


def when_signature_asked(qtbot: Any, answer: Callable[[SignatureDialog], None]) -> list[str]:
    """Answers the real signature dialog once it is up (it blocks in exec until answered);
    returns what it said it was for."""
    seen: list[str] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignatureDialog):
            seen.append(dialog.windowTitle())
            answer(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
    return seen


def sign(dialog: SignatureDialog) -> None:
    """The counter (tech) types their password and signs."""
    dialog.password.setText(PASSWORDS["tech"])
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def when_signatures_asked(
    qtbot: Any, answers: list[Callable[[SignatureDialog], None]]
) -> list[str]:
    """Answers the real signature dialogs, one answer each in turn, as they come up (the
    counter's, then the second person's); returns what each said before anything was typed."""
    seen: list[str] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignatureDialog) and dialog.property("answered") is None:
            dialog.setProperty("answered", True)
            seen.append(" ".join(label.text() for label in dialog.findChildren(QLabel)))
            answers.pop(0)(dialog)
        if answers:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
    return seen


def second_person_signs(
    username: str = "pharm", password: str | None = None
) -> Callable[[SignatureDialog], None]:
    """The second person types a user name (their own, pharm, unless said) and a password
    (that user's, unless said) in their own signature dialog, and signs."""

    def typing(dialog: SignatureDialog) -> None:
        assert dialog.username is not None and dialog.username.text() == ""
        dialog.username.setText(username)
        dialog.password.setText(PASSWORDS[username] if password is None else password)
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        box.button(QDialogButtonBox.StandardButton.Ok).click()

    return typing


def shown_open(qtbot: Any, pharmacy: Pharmacy) -> CountScreen:
    """K0003 counted 19 (book 21): recorded open, the book shown, the adjustment's fields
    filled in, the second person named (pharm), who signs in their own dialog."""
    screen = refreshed(qtbot, CountScreen(pharmacy.session("tech")), None)
    scan(qtbot, screen.kit, "K0003")
    asked = when_signature_asked(qtbot, sign)
    scan(qtbot, screen.counted, "19")
    assert asked and "book 21: difference -2" in screen.comparison.text()
    screen.reason_code.setCurrentIndex(screen.reason_code.findData("breakage"))
    qtbot.keyClicks(screen.reason, "two tablets crushed in the bottle")
    qtbot.keyClicks(screen.verifier, "pharm")
    return screen


def on_shelf(pharmacy: Pharmacy, kit: str = "K0003") -> int:
    return queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), kit).tablets
