"""The participant register: enrolment with the eligibility checklist, status, the signed
correction of an enrolment, history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QCheckBox
from window_helpers import answer_eligibility, refreshed

from dispensary.domain.codes import ParticipantStatus
from dispensary.domain.errors import NotFound
from dispensary.services import audit, dispensing, participants, queries
from dispensary.ui.participants_view import (
    PARTICIPANT_COLUMNS,
    CorrectEnrolmentDialog,
    EnrolDialog,
    ParticipantsScreen,
    StatusDialog,
    return_state,
)


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "pharm") -> ParticipantsScreen:
    return refreshed(qtbot, ParticipantsScreen(pharmacy.session(user)), None)


def test_history_shows_adherence_and_the_open_flag(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy, "monitor")
    qtmodeltester.check(screen.model)
    assert [r.study_number for r in screen.model.rows] == ["01-001", "01-002"]
    assert screen.handle_scan("01-001")
    qtmodeltester.check(screen.history)
    row = screen.history.rows[0]
    assert (row.cycle, row.taken, row.expected) == (1, 11, 21)
    assert "Under-use" in screen.flags.text()
    assert "no reason recorded yet" in screen.flags.text()
    assert screen.chart.values["under"] == [52]
    assert screen.chart.values["within"] == [0]
    assert screen.enrol_button.isHidden()
    assert screen.status_button.isHidden()
    assert not screen.handle_scan("K0002")


def test_the_history_has_the_lower_panes_height_and_width_at_1366x768(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """Beside the chart, the history had one line's height at 1366x768 (a participant's later
    cycles out of sight): it now has its own tab, the chart another, both the pane's size."""
    screen = make_screen(qtbot, pharmacy)
    screen.resize(1166, 700)
    assert screen.handle_scan("01-001")
    qtbot.wait(50)
    table = screen.history_table
    assert table.isVisible() and not screen.chart.isVisible()
    assert table.viewport().height() >= 4 * table.verticalHeader().defaultSectionSize()
    assert table.width() >= screen.width() - 40
    screen.history_tabs.setCurrentIndex(1)
    assert screen.chart.isVisible() and screen.chart.height() >= 160


def tick(qtbot: Any, box: QCheckBox) -> None:
    """Clicks the box itself, as a user does, wherever the layout placed it."""
    box.ensurePolished()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def fill_enrolment(qtbot: Any, dialog: EnrolDialog, number: str) -> None:
    qtbot.keyClicks(dialog.study_number, number)
    qtbot.keyClicks(dialog.initials, "ef")
    answer_eligibility(qtbot, dialog)
    qtbot.keyClicks(dialog.birth_year, "1972")


def test_enrolment_needs_every_criterion_ticked(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, str] = {}

    def enrol_as_user(dialog: EnrolDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        fill_enrolment(qtbot, dialog, "01-003")
        for box in dialog.criteria[:-3]:
            tick(qtbot, box)
        seen["exclusions"] = "|".join(
            box.text() for box in dialog.criteria if box.property("criterion").startswith("Not:")
        )
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        seen["refusal"] = dialog.message.text()
        for box in dialog.criteria[-3:-1]:
            tick(qtbot, box)
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        seen["second refusal"] = dialog.message.text()
        seen["kept"] = dialog.study_number.text()
        last = dialog.criteria[-1]
        tick(qtbot, last)
        seen["ticked"] = dialog.ticked.text()
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(EnrolDialog, "exec", enrol_as_user)
    screen = make_screen(qtbot, pharmacy)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    assert seen["refusal"].startswith("3 of 16 eligibility criteria are not confirmed: Not: ")
    assert seen["second refusal"].startswith(
        "1 of 16 eligibility criteria are not confirmed: Not: Any other factor"
    )
    exclusions = seen["exclusions"].split("|")
    assert exclusions and all(line.startswith("Not: ") for line in exclusions)
    assert seen["kept"] == "01-003"
    assert seen["ticked"] == "16 of 16 confirmed"
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-003")
    assert (person.initials, person.birth_year, person.sex) == ("EF", 1972, "F")
    assert screen.current() is not None and screen.current().study_number == "01-003"


def test_the_sex_and_who_confirmed_eligibility_are_the_user_s_own_answers(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """Neither is filled in for the user: a default sex or investigator would record an
    eligibility confirmation no one gave. Each left out is refused by the service, nothing
    written; a man in a study of women is refused in words, not codes."""
    dialog = EnrolDialog(pharmacy.session("pharm"))
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.sex.currentData() == "" and dialog.confirmed_by.text() == ""
    qtbot.keyClicks(dialog.study_number, "01-003")
    qtbot.keyClicks(dialog.initials, "ef")
    qtbot.keyClicks(dialog.birth_year, "1972")
    for box in dialog.criteria:
        tick(qtbot, box)
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Give the sex: it is required for the record."
    dialog.sex.setCurrentIndex(dialog.sex.findData("m"))
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith(
        "Give the name of the investigator who confirmed eligibility"
    )
    qtbot.keyClicks(dialog.confirmed_by, "Dr Liu")
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == (
        "The study's inclusion criteria admit sex 'female' only; this participant is recorded "
        "as 'male'. Check with the investigator."
    )
    assert dialog.enrolled is None
    with pytest.raises(NotFound):
        queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-003")
    dialog.sex.setCurrentIndex(dialog.sex.findData("f"))
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.enrolled is not None, dialog.message.text()
    assert dialog.enrolled.sex == "F"


def test_cancelled_enrolment_writes_nothing(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill_and_cancel(dialog: EnrolDialog) -> int:
        fill_enrolment(qtbot, dialog, "01-004")
        dialog.reject()
        return dialog.result()

    monkeypatch.setattr(EnrolDialog, "exec", fill_and_cancel)
    screen = make_screen(qtbot, pharmacy)
    qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    with pytest.raises(NotFound):
        queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-004")


def test_discontinuation_with_reason(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No status chosen beforehand (it preselected Discontinued); the kits still out shown;
    the service's refusals before the signature; signed ("status changed") with the effective
    date, and the change shown with the history (it was unsigned, undated, unseen)."""
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    seen: dict[str, Any] = {}

    def discontinue(dialog: StatusDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["chosen"] = dialog.status.currentIndex()
        seen["kits"] = dialog.kits_out.text()
        dialog.grab().save("/tmp/pr-status-dialog.png")
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        seen["no status"] = dialog.message.text()
        dialog.status.setCurrentIndex(dialog.status.findData("discontinued"))
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        seen["no reason"] = (dialog.message.text(), len(asked))
        qtbot.keyClicks(dialog.reason, "withdrew consent")
        dialog.effective_on.setDate(QDate(2026, 1, 4))  # before the enrolment (2026-01-05)
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        seen["early"] = (dialog.message.text(), len(asked))
        dialog.effective_on.setDate(QDate(2026, 1, 6))
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(StatusDialog, "exec", discontinue)
    screen = make_screen(qtbot, pharmacy)
    screen.select("01-002")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.status_button, Qt.MouseButton.LeftButton)
    assert seen["chosen"] == -1
    assert seen["kits"] == "No kit is out for return."
    assert seen["no status"] == "Choose the new status."
    assert seen["no reason"] == ("Give the reason: it is required for the record.", 0)
    assert seen["early"][1] == 0 and "before participant 01-002 was enrolled" in seen["early"][0]
    assert asked == [
        (
            "Paula Pharm",
            "status changed",
            "Status of 01-002: On treatment to Discontinued, effective 2026-01-06",
        )
    ]
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-002")
    assert person.status is ParticipantStatus.DISCONTINUED
    assert not screen.dispense_button.isEnabled()
    [change] = queries.participant_changes(pharmacy.ctx, pharmacy.actor("pharm"), "01-002")
    assert (change.effective_on, change.signed) == (date(2026, 1, 6), True)
    screen.select("01-002")
    assert "status changed from On treatment to Discontinued, effective 2026-01-06," in (
        screen.changes.text()
    )


def test_the_status_dialog_shows_the_kits_still_out(qtbot: Any, pharmacy: Pharmacy) -> None:
    """01-001's cycle 2 kit is still out: the dialog says so (it said nothing of it)."""
    given = dispensing.dispense_cycle(
        pharmacy.ctx,
        pharmacy.actor("pharm"),
        "01-001",
        2,
        pharmacy.clock.today(),
        PASSWORDS["pharm"],
    )
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-001")
    dialog = StatusDialog(pharmacy.session("pharm"), person)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    [kit] = given.kits
    assert dialog.kits_out.text() == (
        f"Kits still out for return: <b>{kit.kit}</b>. Record their return as usual."
    )
    dialog.grab().save("/tmp/pr-status-dialog-out.png")


def test_dispense_button_asks_the_main_window(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.select("01-002")
    with qtbot.waitSignal(screen.open_request) as request:
        qtbot.mouseClick(screen.dispense_button, Qt.MouseButton.LeftButton)
    assert request.args == ["dispense", "01-002"]


def test_the_register_has_room_at_1366x768_and_no_next_cycle_after_the_last(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    participants.set_status(
        pharmacy.ctx,
        pharmacy.actor("pharm"),
        "01-002",
        "completed",
        "all cycles taken",
        password=PASSWORDS["pharm"],
    )
    screen = ParticipantsScreen(pharmacy.session("pharm"))
    qtbot.addWidget(screen)
    screen.resize(1166, 700)  # what a screen gets of a 1366x768 window
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    # A register of a few participants is no taller than its rows (the history has the rest);
    # one of many has room for eight or more.
    row = screen.table.verticalHeader().sectionSize(0)
    assert screen.table.viewport().height() >= screen.table.verticalHeader().length()
    assert screen.table.viewport().height() < screen.table.verticalHeader().length() + row
    for number in range(3, 15):
        participants.enroll(
            pharmacy.ctx,
            pharmacy.actor("pharm"),
            f"01-{number:03d}",
            "XY",
            1980,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(pharmacy.ctx.study),
        )
    screen.refresh()
    rows_shown = screen.table.viewport().height() // row
    assert rows_shown >= 8
    due = [c.title for c in PARTICIPANT_COLUMNS].index("Next due")
    by_number = {
        str(screen.model.index(r, 0).data()): screen.model.index(r, due).data()
        for r in range(screen.model.rowCount())
    }
    assert by_number["01-001"]  # on treatment: a date
    assert not by_number["01-002"]  # completed: nothing
    screen.select("01-002")
    assert "No further cycles" in screen.summary.text()
    assert "Next: cycle" not in screen.summary.text()


def test_a_late_return_reads_overdue_in_the_register_as_the_reconciliation_finds_it(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """01-002's cycle 1 (26 January) has no return recorded: 'not yet due' while its supply
    lasts, 'due' once it has ended (the Today screen's return due) and while the grace period
    runs, 'overdue' after, as the reconciliation's finding (the service's rules.return_due and
    return_overdue; the register said 'pending' for a return not yet due too)."""
    from dispensary.services import dispensing, reconciliation

    day1 = date(2026, 1, 26)
    pharm = pharmacy.actor("pharm")
    dispensing.dispense_cycle(pharmacy.ctx, pharm, "01-002", 1, day1, PASSWORDS["pharm"])
    study = pharmacy.ctx.study
    last_on_time = day1 + timedelta(days=study.cycle.length_days + study.return_grace_days)
    last_day = day1 + timedelta(days=study.cycle.days_of_supply - 1)
    for day, expected in (
        (day1, "not yet due"),
        (last_day, "not yet due"),
        (last_day + timedelta(days=1), "due"),
        (last_on_time, "due"),
        (last_on_time + timedelta(days=1), "overdue"),
    ):
        pharmacy.clock.set_date(day)
        screen = make_screen(qtbot, pharmacy)
        [row] = [r for r in screen.model.rows if r.study_number == "01-002"]
        assert row.return_pending and return_state(row) == expected
        found = reconciliation.reconcile(pharmacy.ctx, pharmacy.actor("pharm")).discrepancies
        late = [d for d in found if d.kind == "return_overdue" and d.subject == "01-002"]
        assert bool(late) is (expected == "overdue"), found


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_adherence_axis_is_ticked_at_round_numbers_from_zero(
    qtbot: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """The adherence chart's axis read "0, 33, 101, 135" (its top the largest bar plus ten,
    split in four, a label dropped): it now runs from 0 to a round top above the largest bar
    and the upper limit, ticked at a round step, few enough for the low chart."""
    from dataclasses import replace

    from PySide6.QtCharts import QValueAxis

    if language != "en":
        request.getfixturevalue("chinese")
    screen = make_screen(qtbot, pharmacy)
    screen.resize(1166, 674)
    assert screen.handle_scan("01-001")
    screen.history_tabs.setCurrentIndex(1)
    [first] = screen.history.rows
    chart = screen.chart
    for adherences in ([None], [0.52], [1.0, 0.9, 1.25, 0.95], [3.1], [0.3, 12.0]):
        rows = [replace(first, cycle=n + 1, adherence=value) for n, value in enumerate(adherences)]
        chart.show_history(rows)
        qtbot.wait(10)
        [axis] = chart.chart().axes(Qt.Orientation.Vertical)
        assert isinstance(axis, QValueAxis)
        largest = max([round((a or 0) * 100) for a in adherences] + [chart.over * 100])
        step = axis.tickInterval()
        assert axis.tickType() == QValueAxis.TickType.TicksDynamic
        assert axis.tickAnchor() == 0 and axis.min() == 0
        assert step in (10, 25, 50, 100, 250, 500, 1000, 2500), adherences
        assert axis.max() % step == 0, adherences
        assert axis.max() % 25 == 0 or step == 10, adherences
        assert largest < axis.max() <= largest + step, adherences
        assert axis.max() / step <= 4, adherences  # every label has room in the low chart


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_summary_says_of_the_return_what_the_register_says(
    qtbot: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """The summary under the register said in bold "return of the last cycle not recorded"
    while the Return column on the same row said "not yet due". It now says nothing of the
    return while it is not yet due, "return due" once due, "return overdue" in red once late,
    in the column's words."""
    from dispensary.services import dispensing

    if language != "en":
        request.getfixturevalue("chinese")
    day1 = date(2026, 1, 26)
    pharm = pharmacy.actor("pharm")
    dispensing.dispense_cycle(pharmacy.ctx, pharm, "01-002", 1, day1, PASSWORDS["pharm"])
    study = pharmacy.ctx.study
    last_on_time = day1 + timedelta(days=study.cycle.length_days + study.return_grace_days)
    last_day = day1 + timedelta(days=study.cycle.days_of_supply - 1)
    zh = language != "en"
    for day, state in (
        (last_day, "not yet due"),
        (last_day + timedelta(days=1), "due"),
        (last_on_time + timedelta(days=1), "overdue"),
    ):
        pharmacy.clock.set_date(day)
        screen = make_screen(qtbot, pharmacy)
        assert screen.select("01-002")
        [row] = [r for r in screen.model.rows if r.study_number == "01-002"]
        assert return_state(row) == (
            {"not yet due": "未到退药时间", "due": "待退药", "overdue": "逾期"}[state]
            if zh
            else state
        )
        text = screen.summary.text()
        assert "not recorded" not in text and "尚未记录" not in text
        if state == "not yet due":
            assert "退药" not in text and "return" not in text, text
        elif state == "due":
            assert ("；待退药。" if zh else "; return due.") in text, text
            assert "overdue" not in text and "逾期" not in text
        else:
            late = "退药逾期" if zh else "return overdue"
            assert f"<b><span style='color:#c62828'>{late}</span></b>" in text, text
        # The next cycle as `study show`, `history` and `check dispense` say it: its due date
        # (day 1 + 21), and its earliest day 1 (day 1 + 18); it said "from" the due date.
        due = day1 + timedelta(days=study.cycle.length_days)
        earliest = day1 + timedelta(days=study.cycle.min_days_since_previous_day1)
        said = (
            f"下一次：第 2 周期，应于 {due}，第1天最早为 {earliest}"
            if zh
            else f"Next: cycle 2, due {due}, day 1 from {earliest} at the earliest"
        )
        assert said in text, text
        screen.close()


# -- the correction of an enrolment recorded wrongly ---------------------------------------------


def test_an_enrolment_is_corrected_signed_and_the_register_shows_the_corrected_date(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """01-002 was enrolled on 2026-01-05 by the records, on 2026-01-12 by the enrolment log. The
    dialog opens with the values recorded; the service's refusals show in it before anything is
    signed; once signed, the register shows the corrected date."""
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    seen: dict[str, Any] = {}

    def correct_as_user(dialog: CorrectEnrolmentDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["title"] = dialog.windowTitle()
        seen["recorded"] = (
            dialog.enrolled_on.date().toString("yyyy-MM-dd"),
            dialog.initials.text(),
            dialog.birth_year.text(),
        )
        qtbot.keyClicks(dialog.reason, "typed in a week late; see the enrolment log")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        seen["nothing changed"] = (dialog.message.text(), len(asked))
        dialog.enrolled_on.setDate(QDate(2026, 1, 12))
        dialog.reason.clear()
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        seen["no reason"] = (dialog.message.text(), len(asked))
        qtbot.keyClicks(dialog.reason, "typed in a week late; see the enrolment log")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(CorrectEnrolmentDialog, "exec", correct_as_user)
    screen = make_screen(qtbot, pharmacy)
    assert not screen.correct_button.isEnabled()  # no participant selected yet
    screen.select("01-002")
    assert screen.correct_button.isEnabled()
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.correct_button, Qt.MouseButton.LeftButton)

    assert seen["title"] == "Correct the enrolment of 01-002"
    assert seen["recorded"] == ("2026-01-05", "CD", "1965")
    assert seen["nothing changed"] == (
        "Nothing to correct: participant 01-002 is already recorded as CD, born 1965, enrolled "
        "on 2026-01-05. Give the value that was recorded wrongly, as it should be.",
        0,  # refused before the signature was asked for
    )
    assert seen["no reason"] == (
        "Give the reason for the correction: it is required for the record.",
        0,
    )
    assert asked == [
        (
            "Paula Pharm",
            "corrected",
            "Correction of the enrolment of 01-002: Enrolment date: 2026-01-05 to 2026-01-12",
        )
    ]
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-002")
    assert person.enrolled_on == date(2026, 1, 12)
    # The register refreshed, the participant still selected, the corrected date shown.
    enrolled = [c.title for c in PARTICIPANT_COLUMNS].index("Enrolled")
    rows = {
        str(screen.model.index(r, 0).data()): screen.model.index(r, enrolled).data()
        for r in range(screen.model.rowCount())
    }
    assert rows["01-002"] == "2026-01-12"
    assert screen.current() is not None and screen.current().study_number == "01-002"
    assert "enrolled 2026-01-12" in screen.summary.text()
    assert screen.message.text() == (
        "Enrolment of 01-002 corrected: CD, born 1965, enrolled 2026-01-12."
    )
    [entry] = audit.list_entries(
        pharmacy.ctx, pharmacy.actor("monitor"), action="enrolment_corrected"
    )
    assert (entry.entity_id, entry.reason) == (
        "01-002",
        "typed in a week late; see the enrolment log",
    )
    assert audit.verify(pharmacy.ctx, pharmacy.actor("monitor")).ok


def test_the_dialog_shows_the_services_refusal_and_a_cancel_writes_nothing(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """01-001's cycle 1 has day 1 2026-01-05: the enrolment cannot move after it."""
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    seen: dict[str, str] = {}

    def move_it_later(dialog: CorrectEnrolmentDialog) -> int:
        dialog.enrolled_on.setDate(QDate(2026, 1, 10))
        qtbot.keyClicks(dialog.reason, "typed in late")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        seen["refusal"] = dialog.message.text()
        dialog.reject()
        return dialog.result()

    monkeypatch.setattr(CorrectEnrolmentDialog, "exec", move_it_later)
    screen = make_screen(qtbot, pharmacy)
    screen.select("01-001")
    qtbot.mouseClick(screen.correct_button, Qt.MouseButton.LeftButton)
    assert seen["refusal"].startswith(
        "Participant 01-001 was dispensed cycle 1 (DSP000001) on 2026-01-05, day 1 2026-01-05: "
        "the enrolment date cannot be 2026-01-10, after that."
    )
    assert asked == []
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-001")
    assert person.enrolled_on == date(2026, 1, 5)
    monitor = pharmacy.actor("monitor")
    assert audit.list_entries(pharmacy.ctx, monitor, action="enrolment_corrected") == []


def test_a_wrong_signature_password_is_shown_and_counted(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_with(monkeypatch, "not-my-password")
    seen: dict[str, str] = {}

    def sign_wrongly(dialog: CorrectEnrolmentDialog) -> int:
        dialog.initials.setText("CE")
        qtbot.keyClicks(dialog.reason, "mistyped initials")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        seen["refusal"] = dialog.message.text()
        dialog.reject()
        return dialog.result()

    monkeypatch.setattr(CorrectEnrolmentDialog, "exec", sign_wrongly)
    screen = make_screen(qtbot, pharmacy)
    screen.select("01-002")
    qtbot.mouseClick(screen.correct_button, Qt.MouseButton.LeftButton)
    assert seen["refusal"].startswith(  # the person, as the dialog names them, then the login
        "Paula Pharm: The signature password for pharm is wrong; nothing was saved."
    )
    monitor = pharmacy.actor("monitor")
    [failed] = audit.list_entries(pharmacy.ctx, monitor, action="signature_failed")
    assert '"meaning":"corrected"' in failed.new
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-002")
    assert person.initials == "CD"


def test_the_record_says_what_a_void_voided_when_by_whom_and_why(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A voided dispense left the history with no trace, and the audit screen read its void as
    "Void: 1" (the void's row id): the record names the dispense, its cycle, who voided it,
    when and why; so for the enrolment voided."""
    ctx, pharm = pharmacy.ctx, pharmacy.actor("pharm")
    made = dispensing.dispense_cycle(ctx, pharm, "01-002", 1, ctx.clock.today(), PASSWORDS["pharm"])
    dispensing.void_dispense(
        ctx, pharm, made.number, "wrong day 1 typed on the label", PASSWORDS["pharm"]
    )
    screen = make_screen(qtbot, pharmacy, "monitor")
    screen.select("01-002")
    assert "Record changed 1 time(s) since enrolment" in screen.summary.text()
    screen.history_tabs.setCurrentIndex(2)
    text = screen.changes.text()
    assert f"dispense {made.number} (cycle 1) voided as made in error" in text
    assert (
        "by Paula Pharm (pharm, pharmacist) (signed). Reason: wrong day 1 typed on the label"
        in text
    )
    assert "Void:" not in text

    participants.enroll(
        ctx,
        pharm,
        "01-003",
        "EF",
        1980,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    participants.void_enrolment(ctx, pharm, "01-003", "typed 01-003 for 01-030", PASSWORDS["pharm"])
    changes = queries.participant_changes(ctx, pharm, "01-003")
    assert [(c.field, c.correction) for c in changes] == [("void", False)]  # no correction
    [words] = [queries.change_words(c) for c in changes]
    assert "enrolment voided as entered in error (it was On treatment)" in words
    assert words.endswith(
        "by Paula Pharm (pharm, pharmacist) (signed). Reason: typed 01-003 for 01-030"
    )


@pytest.mark.parametrize("user", ["tech", "monitor"])
def test_only_a_pharmacist_is_offered_the_correction(
    qtbot: Any, pharmacy: Pharmacy, user: str
) -> None:
    screen = make_screen(qtbot, pharmacy, user)
    assert screen.correct_button.isHidden()


def test_the_history_shows_each_correction_of_the_record(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The participant's row holds the values now: the window shows what a correction changed,
    who made it, when and why (it was in the audit list only)."""
    participants.correct_enrolment(
        pharmacy.ctx,
        pharmacy.actor("pharm"),
        "01-002",
        initials="CX",
        reason="initials copied wrongly from the consent form",
        password=PASSWORDS["pharm"],
    )
    screen = make_screen(qtbot, pharmacy, "monitor")
    screen.select("01-002")
    assert "Record changed 1 time(s) since enrolment" in screen.summary.text()
    screen.history_tabs.setCurrentIndex(2)
    assert screen.history_tabs.tabText(2) == "Corrections and status changes"
    text = screen.changes.text()
    assert "initials corrected from CD to CX by Paula Pharm (pharm, pharmacist) (signed)" in text
    assert "Reason: initials copied wrongly from the consent form" in text
    screen.resize(1366, 768)
    screen.grab().save("/tmp/pr-changes-window.png")
    screen.select("01-001")
    assert screen.changes.text() == "Nothing changed in the record since enrolment."
