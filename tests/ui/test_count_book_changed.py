"""The Physical count window signs an adjustment against the book it showed: when another
workstation recorded the kit after the book was shown (before Sign, or while the counter was
signing), nothing is written and the window says the book changed (book_changed); the counter
counts the kit again. Driven as the counter would, with the real signature dialog."""

from __future__ import annotations

from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy, count_adjusted
from count_window_helpers import (
    on_shelf,
    second_person_signs,
    shown_open,
    sign,
    when_signatures_asked,
)
from PySide6.QtCore import Qt

from dispensary.services import audit, counts, queries
from dispensary.ui.feedback import SignatureDialog

SETTLED = (
    "Kit K0003 has no count open against the book 21 given: another workstation may have "
    "counted the kit since it was shown. Nothing was written: count the kit again (blind), or "
    "review its history."
)


def elsewhere(pharmacy: Pharmacy) -> None:
    """Another workstation: pharm2 counts K0003 at 18 and adjusts the book to it."""
    other = count_adjusted(pharmacy, 18, "lost", "three tablets missing", counter="pharm2")
    assert other.adjusted


def adjustments(pharmacy: Pharmacy) -> int:
    rows = queries.ledger_rows(pharmacy.ctx, pharmacy.actor("tech"))
    return sum(1 for r in rows if r.kind == "adjust")


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

    asked = when_signatures_asked(qtbot, [other_then_sign, second_person_signs()])
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


def test_an_adjustment_of_the_count_shown_after_a_recount_elsewhere_is_refused(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: Any
) -> None:
    """The window showed K0003's open count (19, book 21); another workstation counted the kit
    again at 20 (the book still 21, its count open now). The window's adjustment is of the
    count it showed (passed from the count recorded): refused before anyone signs, nothing
    written, although the book is still the one shown."""
    screen = shown_open(qtbot, pharmacy)
    shown = screen.log.rows[-1].count_id
    again = counts.record_count(
        pharmacy.ctx, pharmacy.actor("pharm2"), "K0003", 20, PASSWORDS["pharm2"]
    )
    assert again.open and again.book == 21
    asked: list[object] = []
    monkeypatch.setattr(SignatureDialog, "ask", lambda *args: asked.append(args))
    before = adjustments(pharmacy)
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert not asked, "no signature is asked for a count no longer the one open"
    said = (
        f"The open count of kit K0003 is no longer count {shown}, the one shown: another "
        f"workstation counted the kit again since (count {again.count_id}: 20 counted on "
    )
    assert screen.message.text().startswith(said), screen.message.text()
    assert (on_shelf(pharmacy), adjustments(pharmacy)) == (21, before)
