"""The count window's second person types their own password for one signature of an
adjustment: it never waits in the window for the next attempt or for another person. Cleared
after the counter's own signature is cancelled, after a refused or a finished attempt, when
another name is typed, when the kit is counted again and when the screen is left. Driven as
the counter would, with the real signature dialog."""

from __future__ import annotations

from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from count_window_helpers import on_shelf, scan, shown_open, sign, when_signature_asked
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from dispensary.services import audit
from dispensary.ui.feedback import SignatureDialog


def cancel(dialog: SignatureDialog) -> None:
    """The counter types their password, then thinks better of it: Cancel."""
    dialog.password.setText(PASSWORDS["tech"])
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Cancel).click()


def test_the_counters_signature_cancelled_leaves_no_second_password(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = shown_open(qtbot, pharmacy)
    asked = when_signature_asked(qtbot, cancel)
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert asked, "the counter's signature was asked"
    assert screen.verifier_password.text() == ""
    assert on_shelf(pharmacy) == 21  # nothing adjusted
    # Reopened: the count is still shown, its reason and second person kept; the second person
    # types their password again, and the adjustment is signed.
    assert screen.result_box.isVisible() and screen.verifier.text() == "pharm"
    # Until the second person types it again, Sign is not offered and the window says who
    # types what: it is never sent empty (that would count against pharm as a wrong password).
    assert not screen.sign_button.isEnabled()
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.text() == (
        "The count differs from the book. pharm checks the count and types their password; "
        "then you sign to record the adjustment."
    )
    failures = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="signature_failed")
    assert failures == [] and on_shelf(pharmacy) == 21
    qtbot.keyClicks(screen.verifier_password, PASSWORDS["pharm"])
    asked = when_signature_asked(qtbot, sign)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok" and on_shelf(pharmacy) == 19
    assert screen.verifier_password.text() == ""


def test_a_wrong_second_password_is_cleared_for_the_next_try(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = shown_open(qtbot, pharmacy)
    screen.verifier_password.clear()
    qtbot.keyClicks(screen.verifier_password, "not-pharms-password")
    when_signature_asked(qtbot, sign)
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error"
    failures = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="signature_failed")
    assert [e.entity_id for e in failures] == ["pharm"]
    assert screen.verifier_password.text() == "" and on_shelf(pharmacy) == 21


def test_a_refusal_before_signing_clears_it(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The reason wiped out before Sign: refused, asked for the reason; the password typed
    for that attempt goes with it."""
    screen = shown_open(qtbot, pharmacy)
    screen.reason.clear()
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error" and "few words" in screen.message.text()
    assert screen.verifier_password.text() == ""


def test_another_name_typed_clears_the_password_of_the_first(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = shown_open(qtbot, pharmacy)
    screen.verifier.clear()
    qtbot.keyClicks(screen.verifier, "admin")
    assert screen.verifier_password.text() == ""


def test_counting_again_or_leaving_the_screen_clears_it(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = shown_open(qtbot, pharmacy)
    screen.hide()
    screen.show()
    qtbot.waitExposed(screen)
    assert screen.verifier_password.text() == "" and screen.verifier.text() == "pharm"
    qtbot.keyClicks(screen.verifier_password, PASSWORDS["pharm"])
    qtbot.mouseClick(screen.recount_button, Qt.MouseButton.LeftButton)
    asked = when_signature_asked(qtbot, sign)
    scan(qtbot, screen.counted, "18")  # a recount that differs again: shown afresh
    assert asked and screen.result_box.isVisible()
    assert "difference -3" in screen.comparison.text()
    assert (screen.verifier.text(), screen.verifier_password.text(), screen.reason.text()) == (
        "",
        "",
        "",
    )
    assert screen.reason_code.currentIndex() == 0


def test_leaving_the_count_open_clears_it(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = shown_open(qtbot, pharmacy)
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    assert "left open" in screen.message.text()
    assert screen.verifier_password.text() == ""
    scan(qtbot, screen.kit, "K0003")  # reopened: the recount starts with nothing typed
    assert screen.verifier_password.text() == ""


def test_enter_in_the_second_persons_password_signs(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The review: Enter in the second person's password field did nothing; it signs, as the
    Sign button does (the counter's signature asked, then the book adjusted)."""
    screen = shown_open(qtbot, pharmacy)
    asked = when_signature_asked(qtbot, sign)
    qtbot.keyClick(screen.verifier_password, Qt.Key.Key_Return)
    assert asked, "Enter asked the counter's signature"
    assert on_shelf(pharmacy) == 19  # adjusted
    assert screen.verifier_password.text() == ""
