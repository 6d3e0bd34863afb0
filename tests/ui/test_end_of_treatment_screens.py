"""The register after a participant left treatment: the kits still out due back from the
status's effective date; the status dialog refuses a date before the status now."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import QDate, Qt
from window_helpers import refreshed

from dispensary.domain.codes import ParticipantStatus
from dispensary.services import dispensing, participants, queries
from dispensary.ui.participants_view import ParticipantsScreen, StatusDialog, return_state

DAY1 = date(2026, 1, 26)
STOPPED = date(2026, 1, 28)


def _stopped(pharmacy: Pharmacy) -> None:
    """01-002's cycle 1 from 26 January (supply to 15 February), discontinued from 28 January."""
    pharm = pharmacy.actor("pharm")
    dispensing.dispense_cycle(pharmacy.ctx, pharm, "01-002", 1, DAY1, PASSWORDS["pharm"])
    pharmacy.clock.set_date(date(2026, 1, 30))
    participants.set_status(
        pharmacy.ctx,
        pharm,
        "01-002",
        "discontinued",
        "investigator stopped drug",
        password=PASSWORDS["pharm"],
        effective_on=STOPPED,
    )


def test_the_register_says_due_from_the_day_treatment_ended(qtbot: Any, pharmacy: Pharmacy) -> None:
    """It said "not yet due" until the supply's last day had passed, though the participant
    was told to stop on the 28th; overdue after the study's grace from that date."""
    _stopped(pharmacy)
    grace = pharmacy.ctx.study.return_grace_days
    for day, expected in (
        (date(2026, 1, 30), "due"),
        (STOPPED + timedelta(days=grace), "due"),
        (STOPPED + timedelta(days=grace + 1), "overdue"),
    ):
        pharmacy.clock.set_date(day)
        screen = refreshed(qtbot, ParticipantsScreen(pharmacy.session("pharm")), None)
        [row] = [r for r in screen.model.rows if r.study_number == "01-002"]
        assert return_state(row) == expected, day


def test_the_status_dialog_refuses_a_date_before_the_status_now(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stopped(pharmacy)
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    seen: dict[str, str] = {}

    def back_on(dialog: StatusDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.status.setCurrentIndex(dialog.status.findData("on_treatment"))
        qtbot.keyClicks(dialog.reason, "discontinued in error")
        dialog.effective_on.setDate(QDate(2026, 1, 27))
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        seen["early"] = dialog.message.text()
        qtbot.wait(50)
        dialog.grab().save("/tmp/endtx/status-early.png")
        dialog.reject()
        return dialog.result()

    monkeypatch.setattr(StatusDialog, "exec", back_on)
    screen = refreshed(qtbot, ParticipantsScreen(pharmacy.session("pharm")), None)
    screen.select("01-002")
    qtbot.mouseClick(screen.status_button, Qt.MouseButton.LeftButton)
    assert "took effect (2026-01-28)" in seen["early"]
    assert "Give a date on or after 2026-01-28." in seen["early"]
    assert asked == []  # refused before the signature
    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-002")
    assert person.status is ParticipantStatus.DISCONTINUED  # nothing changed
