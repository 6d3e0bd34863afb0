"""An enrolment refused for the sex or for the investigator who confirmed eligibility puts the
cursor in that field, the one the message names: it stayed where it was (in Study number, or
on the Enrol button clicked), and the correction was typed into the wrong field. The service names the
field of its refusal (DispensaryError.field_name); the window only maps that name to its field."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from dispensary.domain.errors import DispensaryError
from dispensary.services import participants, queries
from dispensary.ui.participants_view import EnrolDialog


def shown_dialog(qtbot: Any, pharmacy: Pharmacy) -> EnrolDialog:
    dialog = EnrolDialog(pharmacy.session("pharm"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def enrol_clicked(qtbot: Any, dialog: EnrolDialog) -> None:
    """The Enrol button clicked after typing in Study number."""
    dialog.study_number.setFocus()
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def typed(qtbot: Any, dialog: EnrolDialog, number: str, sex: str, by: str) -> None:
    """The enrolment typed, every criterion ticked, the sex chosen (or not) and the
    investigator typed (or not)."""
    qtbot.keyClicks(dialog.study_number, number)
    qtbot.keyClicks(dialog.initials, "KL")
    qtbot.keyClicks(dialog.birth_year, "1971")
    dialog.sex.setCurrentIndex(dialog.sex.findData(sex))
    qtbot.keyClicks(dialog.confirmed_by, by)
    for box in dialog.criteria:
        box.setChecked(True)


def test_a_refusal_for_the_sex_then_the_investigator_takes_the_cursor_there(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """No sex chosen: the cursor goes to Sex. Then no investigator named: the cursor goes to
    that field; typed there, Enrol enrols."""
    dialog = shown_dialog(qtbot, pharmacy)
    typed(qtbot, dialog, "01-040", "", "")
    enrol_clicked(qtbot, dialog)
    said = dialog.message.text()
    assert "sex" in said.lower(), said
    assert focused() is dialog.sex, said
    assert dialog.result() != EnrolDialog.DialogCode.Accepted

    dialog.sex.setCurrentIndex(dialog.sex.findData("f"))
    enrol_clicked(qtbot, dialog)
    said = dialog.message.text()
    assert "investigator who confirmed eligibility" in said, said
    assert focused() is dialog.confirmed_by, said

    qtbot.keyClicks(dialog.confirmed_by, "Dr Liu")
    enrol_clicked(qtbot, dialog)
    assert dialog.result() == EnrolDialog.DialogCode.Accepted
    row = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-040")
    assert (row.initials, row.sex) == ("KL", "F")


def test_a_sex_the_study_does_not_admit_takes_the_cursor_to_sex(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A man in this study of women (the study file's eligibility, the service's rule)."""
    dialog = shown_dialog(qtbot, pharmacy)
    typed(qtbot, dialog, "01-040", "m", "Dr Liu")
    enrol_clicked(qtbot, dialog)
    said = dialog.message.text()
    assert "admit sex" in said, said
    assert focused() is dialog.sex, said


def test_a_study_number_refused_keeps_the_cursor_in_study_number(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A number already enrolled: the cursor back in Study number, the number selected to be
    typed over."""
    dialog = shown_dialog(qtbot, pharmacy)
    typed(qtbot, dialog, "01-001", "f", "Dr Liu")
    enrol_clicked(qtbot, dialog)
    assert "01-001" in dialog.message.text()
    assert focused() is dialog.study_number
    assert dialog.study_number.selectedText() == "01-001"


@pytest.mark.parametrize(
    ("sex", "by", "field"),
    [
        ("", "Dr Liu", "sex"),
        ("M", "Dr Liu", "sex"),
        ("F", "", "eligibility_confirmed_by"),
    ],
)
def test_the_service_names_the_field_it_refuses(
    pharmacy: Pharmacy, sex: str, by: str, field: str
) -> None:
    with pytest.raises(DispensaryError) as refused:
        participants.enroll(
            pharmacy.ctx,
            pharmacy.actor("pharm"),
            "01-041",
            "MN",
            1970,
            sex,
            by,
            criteria_confirmed=participants.eligibility_checklist(pharmacy.ctx.study),
        )
    assert refused.value.field_name == field
