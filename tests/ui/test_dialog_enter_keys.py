"""Enter in a dialog's field does the dialog's action, as the pharmacist types a form and
presses it: the Enrol window enrols, a status change or a correction asks for the signature
(the deliberate act), Change my password changes it. The action button was made the default
before its box was in the dialog: the dialog had no default of its own and made Cancel, the
first button of its focus chain, the default, so that Enter threw away the form typed. An
open list or calendar takes its own Enter (the item or the day chosen, nothing enrolled); in
the count window, Enter is the count screen's own, as in the main window. In the back office's
forms, Enter in the last field does the step (a password reset, a release), and deliberately
nothing in the destruction's (two sign it, it cannot be undone: the button is pressed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QWidget

from dispensary.domain.codes import KitStatus
from dispensary.services import participants, queries, users
from dispensary.ui.inventory_view import CountDialog, InventoryScreen, ReleaseDialog
from dispensary.ui.participants_view import (
    CorrectEnrolmentDialog,
    CorrectReturnDialog,
    CorrectStatusDialog,
    EnrolDialog,
    StatusDialog,
)
from dispensary.ui.screen import Screen
from dispensary.ui.users_view import ChangePasswordDialog, UsersScreen

ENTER = Qt.Key.Key_Return


def shown(qtbot: Any, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def shown_screen(qtbot: Any, screen: Screen) -> None:
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)


def defaults(dialog: QDialog) -> list[QPushButton]:
    return [b for b in dialog.findChildren(QPushButton) if b.isDefault()]


def enter(qtbot: Any, field: QWidget) -> None:
    field.setFocus()
    qtbot.keyClick(field, ENTER)


def typed_enrolment(qtbot: Any, dialog: EnrolDialog, number: str = "01-050") -> None:
    qtbot.keyClicks(dialog.study_number, number)
    qtbot.keyClicks(dialog.initials, "QR")
    qtbot.keyClicks(dialog.birth_year, "1970")
    dialog.sex.setCurrentIndex(dialog.sex.findData("f"))
    qtbot.keyClicks(dialog.confirmed_by, "Dr Liu")
    for box in dialog.criteria:
        box.setChecked(True)


def enrolled(pharmacy: Pharmacy, number: str) -> bool:
    rows = queries.participants(pharmacy.ctx, pharmacy.actor("pharm"))
    return any(row.study_number == number for row in rows)


def test_enter_in_a_field_of_the_enrol_window_enrols(qtbot: Any, pharmacy: Pharmacy) -> None:
    dialog = shown(qtbot, EnrolDialog(pharmacy.session("pharm")))
    assert defaults(dialog) == [dialog.enrol_button]
    assert dialog.enrol_button.isDefault()
    typed_enrolment(qtbot, dialog)
    enter(qtbot, dialog.confirmed_by)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()
    assert dialog.enrolled is not None and dialog.enrolled.study_number == "01-050"
    assert enrolled(pharmacy, "01-050")


def test_enter_on_a_form_not_done_says_why_and_keeps_what_was_typed(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """No criterion ticked: Enter in Study number says so, the window stays with the number
    typed (it was cancelled, the number lost)."""
    dialog = shown(qtbot, EnrolDialog(pharmacy.session("pharm")))
    qtbot.keyClicks(dialog.study_number, "01-051")
    enter(qtbot, dialog.study_number)
    assert dialog.isVisible()
    assert "eligibility criteria are not confirmed" in dialog.message.text()
    assert dialog.study_number.text() == "01-051"
    assert not enrolled(pharmacy, "01-051")


def test_enter_in_the_open_list_of_sex_chooses_without_enrolling(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    dialog = shown(qtbot, EnrolDialog(pharmacy.session("pharm")))
    typed_enrolment(qtbot, dialog)
    dialog.sex.setCurrentIndex(0)  # "Choose..."
    dialog.sex.setFocus()
    dialog.sex.showPopup()
    view = dialog.sex.view()
    qtbot.waitUntil(view.isVisible)
    view.setCurrentIndex(view.model().index(dialog.sex.findData("f"), 0))
    qtbot.keyClick(view, ENTER)
    qtbot.waitUntil(lambda: not view.isVisible())
    assert dialog.sex.currentData() == "f"
    assert dialog.isVisible() and dialog.message.text() == ""
    assert not enrolled(pharmacy, "01-050")
    enter(qtbot, dialog.sex)  # the list closed: Enter enrols
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()
    assert enrolled(pharmacy, "01-050")


def test_enter_in_the_open_calendar_picks_the_day_without_enrolling(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    dialog = shown(qtbot, EnrolDialog(pharmacy.session("pharm")))
    typed_enrolment(qtbot, dialog)
    day = dialog.enrolled_on
    day.setFocus()
    arrow = QPoint(day.width() - 6, day.height() // 2)  # the calendar opens on its arrow
    qtbot.mouseClick(day, Qt.MouseButton.LeftButton, pos=arrow)
    calendar = day.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    popup = QApplication.activePopupWidget()
    assert popup is not None and popup.isAncestorOf(calendar)
    focus = QApplication.focusWidget()
    assert focus is not None and calendar.isAncestorOf(focus), focus
    qtbot.keyClick(focus, Qt.Key.Key_Left)  # the day before, then Enter picks it
    qtbot.keyClick(focus, ENTER)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    assert day.date().toPython() == pharmacy.clock.today() - timedelta(days=1)
    assert dialog.isVisible() and dialog.message.text() == ""
    assert not enrolled(pharmacy, "01-050")
    enter(qtbot, day)  # the calendar closed: Enter enrols, on the day picked
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()
    assert dialog.enrolled is not None
    assert dialog.enrolled.enrolled_on == pharmacy.clock.today() - timedelta(days=1)


def test_enter_in_the_reason_of_a_status_change_asks_for_the_signature(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, None)  # the signature cancelled
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-002")
    dialog = shown(qtbot, StatusDialog(pharmacy.session("pharm"), person))
    assert defaults(dialog) == [dialog.change_button]
    dialog.status.setCurrentIndex(dialog.status.findData("discontinued"))
    qtbot.keyClicks(dialog.reason, "withdrew consent")
    enter(qtbot, dialog.reason)
    assert [meaning for _signer, meaning, _summary in asked] == ["status changed"]
    assert dialog.isVisible() and dialog.reason.text() == "withdrew consent"


def test_enter_in_a_correction_asks_for_the_signature(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    pharm = pharmacy.actor("pharm")
    asked = sign_with(monkeypatch, None)
    person = queries.participant(pharmacy.ctx, pharm, "01-002")
    dialog = shown(qtbot, CorrectEnrolmentDialog(pharmacy.session("pharm"), person))
    assert defaults(dialog) == [dialog.correct_button]
    dialog.initials.selectAll()
    qtbot.keyClicks(dialog.initials, "XY")
    qtbot.keyClicks(dialog.reason, "typed wrong at enrolment")
    enter(qtbot, dialog.reason)
    assert len(asked) == 1, dialog.message.text()
    assert dialog.isVisible()

    participants.set_status(
        pharmacy.ctx, pharm, "01-002", "completed", "end", password=PASSWORDS["pharm"]
    )
    in_force = participants.assess_status_correction(pharmacy.ctx, pharm, "01-002")
    person = queries.participant(pharmacy.ctx, pharm, "01-002")
    status = shown(qtbot, CorrectStatusDialog(pharmacy.session("pharm"), person, in_force))
    assert isinstance(status, CorrectStatusDialog)
    assert defaults(status) == [status.correct_button]
    status.status.setCurrentIndex(status.status.findData("discontinued"))
    qtbot.keyClicks(status.reason, "wrong status chosen")
    enter(qtbot, status.reason)
    assert len(asked) == 2, status.message.text()
    assert status.isVisible()


def test_enter_in_the_count_of_a_return_corrected_does_the_correction(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, None)
    _row, rows = queries.participant_history(pharmacy.ctx, pharmacy.actor("pharm"), "01-001")
    dialog = shown(qtbot, CorrectReturnDialog(pharmacy.session("pharm"), rows[0]))
    assert isinstance(dialog, CorrectReturnDialog)
    assert defaults(dialog) == [dialog.correct_button]
    qtbot.keyClicks(dialog.count, "12")
    qtbot.keyClicks(dialog.reason, "recounted with the monitor")
    enter(qtbot, dialog.count)
    assert len(asked) == 1, dialog.message.text()
    assert dialog.isVisible() and dialog.count.text() == "12"


def test_enter_in_change_my_password_changes_it(qtbot: Any, pharmacy: Pharmacy) -> None:
    dialog = shown(qtbot, ChangePasswordDialog(pharmacy.session("pharm")))
    assert isinstance(dialog, ChangePasswordDialog)
    assert defaults(dialog) == [dialog.change_button]
    qtbot.keyClicks(dialog.current, PASSWORDS["pharm"])
    qtbot.keyClicks(dialog.new_password, "brandnew-pass-7")
    qtbot.keyClicks(dialog.new_password_again, "brandnew-pass-7")
    enter(qtbot, dialog.new_password_again)
    assert dialog.changed, dialog.message.text()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_enter_in_the_kit_of_the_count_window_asks_for_the_count_only(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kit's Enter puts the cursor in the count: the dialog pressed "Enter count" too,
    refusing the count not typed yet."""
    asked = sign_with(monkeypatch, None)
    dialog = shown(qtbot, CountDialog(pharmacy.session("pharm"), "K0003"))
    assert isinstance(dialog, CountDialog)
    assert defaults(dialog) == []
    enter(qtbot, dialog.counter.kit)
    said = dialog.counter.message.text()
    assert "count its tablets" in said and "first" not in said, said
    assert QApplication.focusWidget() is dialog.counter.counted
    assert asked == []


# -- the back office's forms outside a dialog ------------------------------------------------


def test_enter_in_the_repeated_password_resets_it(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = UsersScreen(pharmacy.session("admin"))
    shown_screen(qtbot, screen)
    screen.refresh()
    screen.select("pharm2")
    qtbot.keyClicks(screen.reason, "forgot it, identity checked in person")
    qtbot.keyClicks(screen.reset_password, "brandnew123")
    qtbot.keyClicks(screen.reset_password_again, "brandnew123")
    enter(qtbot, screen.reset_password_again)
    assert screen.message.kind == "ok", screen.message.text()
    assert users.sign_in(pharmacy.ctx, "pharm2", "brandnew123").username == "pharm2"


def test_enter_in_the_release_dialog_releases_once_the_reference_is_typed(qtbot: Any) -> None:
    dialog = shown(qtbot, ReleaseDialog(None, ["K5006"]))
    assert isinstance(dialog, ReleaseDialog)
    assert defaults(dialog) == [dialog.ok]
    qtbot.keyClicks(dialog.reason, "excursion assessed: stable")
    enter(qtbot, dialog.reason)
    assert dialog.isVisible() and dialog.refusal.text()  # no reference: said, not closed
    assert QApplication.focusWidget() is dialog.reference
    qtbot.keyClicks(dialog.reference, "TE-2026-014")
    enter(qtbot, dialog.reference)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_enter_in_the_destruction_s_form_destroys_nothing(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deliberately: two sign a destruction, that cannot be undone; the button is pressed."""
    asked = sign_with(monkeypatch, PASSWORDS["pharm"], PASSWORDS["tech"])
    screen = InventoryScreen(pharmacy.session("pharm"))
    shown_screen(qtbot, screen)
    screen.refresh()
    screen.open_kit("K0002")
    screen.reason_code.setCurrentIndex(1)
    for field, text in ((screen.witness, "tech"), (screen.reference, "CERT-77")):
        qtbot.keyClicks(field, text)
        enter(qtbot, field)
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    assert asked == []
    status = queries.kit_detail(pharmacy.ctx, pharmacy.actor("pharm"), "K0002").status
    assert status is KitStatus.AVAILABLE
