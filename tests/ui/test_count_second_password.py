"""The count window's second person signs an adjustment in their own signature dialog, after the
counter, typing both components of their signature (21 CFR 11.200(a)(1): they are not signed
in): their user name, in an empty field, and their password. A password typed for one attempt
never waits in the window (the window has no field for it). A user name that is not the second
person's named in the window, or a wrong password, is refused and typed again by the second
person, the counter not signing twice. Driven as the counter and the second person would, with
the real signature dialogs."""

from __future__ import annotations

from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from count_window_helpers import (
    on_shelf,
    second_person_signs,
    shown_open,
    sign,
    when_signatures_asked,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from dispensary.services import audit
from dispensary.ui.feedback import SignatureDialog


def cancel(dialog: SignatureDialog) -> None:
    """Types a password, then thinks better of it: Cancel."""
    dialog.password.setText(PASSWORDS["tech"])
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Cancel).click()


def failures(pharmacy: Pharmacy) -> list[str]:
    entries = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="signature_failed")
    return [e.entity_id for e in entries]


def test_the_second_person_types_their_user_name_and_password_after_the_counter(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = shown_open(qtbot, pharmacy)
    assert not hasattr(screen, "verifier_password")  # no password waits in the window
    seen = when_signatures_asked(qtbot, [sign, second_person_signs()])
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 2
    assert "By signing, <b>Tom Tech</b> confirms: <b>adjusted</b>." in seen[0]
    # Named as every signed step names its signer, by full name (the dialog said "pharm",
    # the user name the counter typed); the user name is the second person's to type.
    assert "By signing, <b>Paula Pharm</b> confirms: <b>count verified</b>." in seen[1]
    assert "Paula Pharm types their own user name and password" in seen[1]
    assert screen.message.kind == "ok" and on_shelf(pharmacy) == 19


def test_the_window_names_the_second_person_under_the_user_name_typed(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The counter sees who the user name typed is (full name and role) before both sign, as
    the destruction's witness is shown; nothing for a user name that is no one's."""
    screen = shown_open(qtbot, pharmacy)
    who = screen.verifier_who
    assert who.isVisible() and who.text() == "Paula Pharm (Pharmacist)", who.text()
    screen.verifier.clear()
    qtbot.keyClicks(screen.verifier, "nobody")
    assert who.text() == "" and not who.isVisible()
    screen.verifier.clear()
    qtbot.keyClicks(screen.verifier, "pharm2")
    assert who.isVisible() and who.text() == "Peter Second (Pharmacist)", who.text()
    screen.grab().save("/tmp/bt-signers-s7-count-who.png")


def test_the_counters_signature_cancelled_asks_no_second_person(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = shown_open(qtbot, pharmacy)
    seen = when_signatures_asked(qtbot, [cancel])
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and on_shelf(pharmacy) == 21  # nothing adjusted
    # The count is still shown, its reason and second person kept; signed again, it goes.
    assert screen.result_box.isVisible() and screen.verifier.text() == "pharm"
    when_signatures_asked(qtbot, [sign, second_person_signs()])
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok" and on_shelf(pharmacy) == 19


def test_the_second_person_cancelling_records_no_adjustment(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = shown_open(qtbot, pharmacy)
    when_signatures_asked(qtbot, [sign, cancel])
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.text() == (
        "Nothing adjusted: the second person did not sign. The count stays recorded as counted."
    )
    assert on_shelf(pharmacy) == 21 and failures(pharmacy) == []


def test_another_user_name_is_refused_and_typed_again_by_the_second_person(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The counter types their own user name and password in the second person's dialog:
    refused, nothing of the count written, counted against no one (the attempt with another
    person's valid credentials is recorded, naming the account typed); the second person's
    dialog comes again, empty, and pharm signs; the counter signed once."""
    screen = shown_open(qtbot, pharmacy)
    seen = when_signatures_asked(
        qtbot, [sign, second_person_signs("tech"), second_person_signs("pharm")]
    )
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 3
    assert (
        "The user name typed is not Paula Pharm's: the verifier signs with their own user name "
        "and password. Nothing was saved." in seen[2]
    )
    assert screen.message.kind == "ok" and on_shelf(pharmacy) == 19
    assert failures(pharmacy) == ["tech"]


def test_a_wrong_second_password_is_typed_again(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = shown_open(qtbot, pharmacy)
    seen = when_signatures_asked(
        qtbot, [sign, second_person_signs("pharm", "not-pharms-password"), cancel]
    )
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 3
    assert "The verifier's password is wrong: pharm, who countersigns the count" in seen[2]
    assert "The verifier's password is wrong" in screen.message.text()
    assert failures(pharmacy) == ["pharm"] and on_shelf(pharmacy) == 21
