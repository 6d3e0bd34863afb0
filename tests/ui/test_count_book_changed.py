"""The Physical count window signs an adjustment against the book it showed: when another
workstation recorded the kit after the book was shown (before Sign, or while the counter was
signing), nothing is written and the window says the book changed (book_changed); the counter
counts the kit again. Driven as the counter would, with the real signature dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from window_helpers import refreshed

from dispensary.services import audit, counts, queries
from dispensary.ui.count_view import CountScreen
from dispensary.ui.feedback import SignatureDialog

SETTLED = (
    "Kit K0003 has no count open against the book 21 given: another workstation may have "
    "counted the kit since it was shown. Nothing was written: count the kit again (blind), or "
    "review its history."
)


def scan(qtbot: Any, field: Any, code: str) -> None:
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def when_signature_asked(qtbot: Any, answer: Callable[[SignatureDialog], None]) -> list[str]:
    """Answers the real signature dialog once it is up; returns what it said it was for."""
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
    dialog.password.setText(PASSWORDS["tech"])
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def elsewhere(pharmacy: Pharmacy) -> None:
    """Another workstation: pharm2 counts K0003 at 18 and adjusts the book to it."""
    other = counts.record_count(
        pharmacy.ctx,
        pharmacy.actor("pharm2"),
        "K0003",
        18,
        PASSWORDS["pharm2"],
        reason_code="lost",
        reason="three tablets missing",
        verified_by="pharm",
        verifier_password=PASSWORDS["pharm"],
    )
    assert other.adjusted


def on_shelf(pharmacy: Pharmacy) -> int:
    return queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), "K0003").tablets


def adjustments(pharmacy: Pharmacy) -> int:
    rows = queries.ledger_rows(pharmacy.ctx, pharmacy.actor("tech"))
    return sum(1 for r in rows if r.kind == "adjust")


def shown_open(qtbot: Any, pharmacy: Pharmacy) -> CountScreen:
    """K0003 counted 19 (book 21): recorded open, the book shown, the adjustment filled in."""
    screen = refreshed(qtbot, CountScreen(pharmacy.session("tech")), None)
    scan(qtbot, screen.kit, "K0003")
    asked = when_signature_asked(qtbot, sign)
    scan(qtbot, screen.counted, "19")
    assert asked and "book 21: difference -2" in screen.comparison.text()
    screen.reason_code.setCurrentIndex(screen.reason_code.findData("breakage"))
    qtbot.keyClicks(screen.reason, "two tablets crushed in the bottle")
    qtbot.keyClicks(screen.verifier, "pharm")
    qtbot.keyClicks(screen.verifier_password, PASSWORDS["pharm"])
    return screen


def test_a_count_recorded_elsewhere_while_signing_is_refused_nothing_written(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The window assessed the adjustment (accepted against the book 21) and asked for the
    counter's signature; meanwhile another workstation adjusted the kit to 18. The save is
    refused: the -2 signed for is not written as -1 against the book of 18."""
    screen = shown_open(qtbot, pharmacy)
    before = (on_shelf(pharmacy), adjustments(pharmacy))
    assert before[0] == 21

    def other_then_sign(dialog: SignatureDialog) -> None:
        elsewhere(pharmacy)
        sign(dialog)

    asked = when_signature_asked(qtbot, other_then_sign)
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert asked, "the counter's signature was asked"
    assert screen.message.text() == SETTLED and screen.message.kind == "error"
    # Only the other workstation's adjustment: nothing of this count was written.
    assert (on_shelf(pharmacy), adjustments(pharmacy)) == (18, before[1] + 1)
    entries = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="count")
    assert ['"counted":19' in e.new for e in entries].count(True) == 1  # the open count only
    # The count is still shown; the counter counts again (blind: no count is open now).
    assert screen.result_box.isVisible()
    qtbot.mouseClick(screen.recount_button, Qt.MouseButton.LeftButton)
    assert not screen.counted.isReadOnly() and screen.counted.text() == ""


def test_a_book_changed_before_sign_is_said_before_anyone_signs(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: Any
) -> None:
    """Another workstation adjusted the kit after the window showed the book: Sign says so
    (the assessment of the book shown) and no signature is asked."""
    screen = shown_open(qtbot, pharmacy)
    elsewhere(pharmacy)
    asked: list[object] = []
    monkeypatch.setattr(SignatureDialog, "ask", lambda *args: asked.append(args))
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert not asked, "no signature is asked for a book no longer the one shown"
    assert screen.message.text() == SETTLED
    assert screen.needs_label.text() == SETTLED  # not "still needed: pharm's password"
    assert on_shelf(pharmacy) == 18
