"""Enrolment in the window: full-width input from a Chinese keyboard read as what it shows,
the warning of the same initials and year of birth on treatment in another study and the age
of the year that may be under it asked as questions (Cancel enrols nothing); an enrolment
entered in error voided from the register."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, answer_reason, sign_with
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from window_helpers import answer_eligibility, refreshed

from dispensary.domain.codes import ParticipantStatus
from dispensary.domain.errors import NotFound
from dispensary.services import audit, participants, queries, studies
from dispensary.ui.participants_view import EnrolDialog, EnrolQuestion, ParticipantsScreen
from dispensary.ui.screen import OpenKind, route_scan

OTHER = "NCT09999999"


def make_screen(qtbot: Any, pharmacy: Pharmacy) -> ParticipantsScreen:
    return refreshed(qtbot, ParticipantsScreen(pharmacy.session("pharm")), None)


def type_in(qtbot: Any, field: QWidget, text: str) -> None:
    """Typed as a user types it: ASCII key by key; anything else as a Chinese input method
    commits it (QTest types ASCII keys only)."""
    if text.isascii():
        qtbot.keyClicks(field, text)
        return
    field.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)


def enrol_typing(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, number: str, initials: str, year: str
) -> dict[str, str]:
    """Patches the dialog to be filled as a user would, every criterion ticked, Enrol pressed
    (twice: the second after the question, if one was asked and cancelled)."""
    seen: dict[str, str] = {}

    def fill(dialog: EnrolDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        type_in(qtbot, dialog.study_number, number)
        type_in(qtbot, dialog.initials, initials)
        answer_eligibility(qtbot, dialog)
        type_in(qtbot, dialog.birth_year, year)
        seen["typed"] = dialog.study_number.text()
        for box in dialog.criteria:
            box.setChecked(True)
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        seen["first"] = dialog.message.text()
        if dialog.result() != EnrolDialog.DialogCode.Accepted:
            qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        seen["second"] = dialog.message.text()
        return dialog.result()

    monkeypatch.setattr(EnrolDialog, "exec", fill)
    return seen


def test_full_width_number_and_initials_are_enrolled_as_they_read(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = enrol_typing(qtbot, monkeypatch, "０１－０５０", "ＡＢ", "1972")
    screen = make_screen(qtbot, pharmacy)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    seen_typed = seen["typed"]
    assert seen_typed == "０１－０５０"  # the field held the full-width text
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-050")
    assert person.initials == "AB"
    # Typed in full width in the register's search-and-scan, it is found as well.
    assert screen.select("０１－０５０")


def test_the_same_person_in_another_study_is_asked_about(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = pharmacy.actor("admin")
    text = pharmacy.study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{OTHER}"')
    studies.add_study(pharmacy.ctx, admin, text, "other.toml", "second protocol opens")
    studies.set_access(pharmacy.ctx, admin, "pharm", OTHER, True, "covers both")
    other = studies.switch_study(pharmacy.ctx, pharmacy.actor("pharm"), OTHER)
    participants.enroll(
        other,
        pharmacy.actor("pharm"),
        "21-001",
        "GR",
        1977,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(other.study),
    )
    asked: list[str] = []
    answers = iter([False, True])

    def answer(cls: type, parent: Any, title: str, question: str, action: str) -> bool:
        asked.append(question)
        return next(answers)

    monkeypatch.setattr(EnrolQuestion, "ask", classmethod(answer))
    seen = enrol_typing(qtbot, monkeypatch, "01-003", "gr", "1977")
    screen = make_screen(qtbot, pharmacy)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2
    assert f"participant 21-001 of {OTHER}, on treatment" in asked[0]
    assert "within 4 weeks" in asked[0]
    assert "within 4 weeks" in seen["first"]  # cancelled: the warning stays in the dialog
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-003")
    assert person.initials == "GR"


def test_a_number_of_another_study_is_refused_in_the_dialog(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = pharmacy.actor("admin")
    text = pharmacy.study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{OTHER}"')
    studies.add_study(pharmacy.ctx, admin, text, "other.toml", "second protocol opens")
    studies.set_access(pharmacy.ctx, admin, "pharm", OTHER, True, "covers both")
    other = studies.switch_study(pharmacy.ctx, pharmacy.actor("pharm"), OTHER)
    participants.enroll(
        other,
        pharmacy.actor("pharm"),
        "21-001",
        "GR",
        1977,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(other.study),
    )
    seen = enrol_typing(qtbot, monkeypatch, "21-001", "xy", "1980")
    screen = make_screen(qtbot, pharmacy)
    qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    assert "21-001 is already a participant's in another study" in seen["second"]
    with pytest.raises(NotFound):
        queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "21-001")


def test_an_enrolment_entered_in_error_is_voided_from_the_register(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """01-002 (nothing dispensed) voided: reason, signature, out of the register; 01-001, who
    was dispensed a cycle, is refused with what to do, nothing signed."""
    prompts = answer_reason(monkeypatch, "typed 01-002 for 01-020")
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    screen = make_screen(qtbot, pharmacy)
    assert screen.select("01-001")
    qtbot.mouseClick(screen.void_button, Qt.MouseButton.LeftButton)
    assert "was dispensed cycle 1 (DSP000001)" in screen.message.text()
    assert (prompts, asked) == ([], [])  # refused before the reason and signature were asked
    assert screen.select("01-002")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.void_button, Qt.MouseButton.LeftButton)
    assert "Void the enrolment of 01-002 (CD) as entered in error?" in prompts[-1]
    assert asked[-1] == (
        "Paula Pharm",
        "corrected",
        "Enrolment of 01-002 voided as entered in error: typed 01-002 for 01-020",
    )
    assert screen.message.text() == "Enrolment of 01-002 (CD) voided as entered in error."
    shown = {str(screen.model.index(r, 0).data()) for r in range(screen.model.rowCount())}
    assert shown == {"01-001"}
    assert screen.summary.text() == "Select a participant to see the dispensing history."
    monitor = pharmacy.actor("monitor")
    person = queries.participant(pharmacy.ctx, monitor, "01-002")
    assert person.status is ParticipantStatus.VOIDED
    [entry] = audit.list_entries(pharmacy.ctx, monitor, action="enrolment_voided")
    assert entry.reason == "typed 01-002 for 01-020"


def test_born_in_the_year_that_may_be_under_age_is_asked_in_the_window(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enrolled 2026-01-26, born 2008: 17 unless born by 26 January. Cancel enrols nothing and
    says why; confirmed, the enrolment records the age confirmed."""
    asked: list[tuple[str, str]] = []
    answers = iter([False, True])

    def answer(cls: type, parent: Any, title: str, question: str, action: str) -> bool:
        asked.append((title, question))
        return next(answers)

    monkeypatch.setattr(EnrolQuestion, "ask", classmethod(answer))
    seen = enrol_typing(qtbot, monkeypatch, "01-030", "ij", "2008")
    screen = make_screen(qtbot, pharmacy)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    assert [title for title, _q in asked] == ["Confirm the age", "Confirm the age"]
    assert "born in 2008 is 17 or 18 on 2026-01-26" in asked[0][1]
    assert "born in 2008 is 17 or 18" in seen["first"]  # cancelled: said in the dialog
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-030")
    assert person.birth_year == 2008
    [entry] = audit.list_entries(pharmacy.ctx, pharmacy.actor("monitor"), action="enroll")[-1:]
    assert '"age_confirmed":true' in entry.new


def test_a_kit_scanned_after_the_clashing_enrolment_is_voided_opens_the_kit(
    pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database enrolled before the number checks: participant K0002 beside kit K0002. The
    scan went to Dispense as the participant; voided, the scan finds the kit."""
    pharm = pharmacy.actor("pharm")
    with monkeypatch.context() as before_the_rule:
        before_the_rule.setattr(participants, "_check_number_free", lambda *_a: None)
        participants.enroll(
            pharmacy.ctx,
            pharm,
            "K0002",
            "KL",
            1970,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(pharmacy.ctx.study),
        )
    session = pharmacy.session("pharm")
    assert route_scan(session, "K0002") == (OpenKind.DISPENSE, "K0002")
    participants.void_enrolment(pharmacy.ctx, pharm, "K0002", "a kit's number", PASSWORDS["pharm"])
    assert route_scan(session, "k0002") == (OpenKind.KIT, "K0002")
