"""The enrolment and the Correct-enrolment windows share what they do when the service refuses
their step for a study file updated since they read it (ReloadingDialog.study_updated): the study
is read again and the window closed with what was typed. When reading the study again is refused
too (the pharmacist's access to the study taken away at another workstation meanwhile), the
window says why, in its message bar, and stays open as typed: nothing reloaded, nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import QDate, Qt
from sqlalchemy import func, select
from window_helpers import answer_eligibility

from dispensary.db.models import AuditEntry
from dispensary.services import queries, studies
from dispensary.services.context import Actor, Context
from dispensary.ui.participants_view import CorrectEnrolmentDialog, EnrolDialog

REASON = "typed in a week late; see the enrolment log"


def _audit_entries(pharmacy: Pharmacy) -> int:
    with pharmacy.ctx.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _enrolment(qtbot: Any, pharmacy: Pharmacy) -> tuple[EnrolDialog | CorrectEnrolmentDialog, Any]:
    dialog = EnrolDialog(pharmacy.session("pharm"))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.study_number, "01-007")
    qtbot.keyClicks(dialog.initials, "CD")
    answer_eligibility(qtbot, dialog)
    qtbot.keyClicks(dialog.birth_year, "1990")
    for box in dialog.criteria:
        box.setChecked(True)
    return dialog, dialog.enrol_button


def _correction(qtbot: Any, pharmacy: Pharmacy) -> tuple[EnrolDialog | CorrectEnrolmentDialog, Any]:
    session = pharmacy.session("pharm")
    current = queries.participant(session.ctx, session.actor, "01-002")
    dialog = CorrectEnrolmentDialog(session, current)
    qtbot.addWidget(dialog)
    dialog.enrolled_on.setDate(QDate(2026, 1, 12))
    qtbot.keyClicks(dialog.reason, REASON)
    return dialog, dialog.correct_button


@pytest.mark.parametrize("opened", [_enrolment, _correction], ids=["enrol", "correct"])
def test_a_study_not_read_again_is_said_in_the_window_which_stays_as_typed(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, opened: Any
) -> None:
    sign_with(monkeypatch, PASSWORDS["pharm"])
    dialog, button = opened(qtbot, pharmacy)
    dialog.show()
    qtbot.waitExposed(dialog)
    typed = dialog.typed()
    admin = pharmacy.actor("admin")
    amended = pharmacy.study.source_text.replace("min_age = 18", "min_age = 19")
    studies.update_study(pharmacy.ctx, admin, amended, "v2.toml", "amendment 2")
    protocol = pharmacy.study.protocol
    switch = studies.switch_study
    read: list[str] = []

    def withdrawn_meanwhile(ctx: Context, actor: Actor, named: str) -> Context:
        # The administrator takes the study away from the pharmacist at another workstation
        # after the service refused the step, before the window reads the study again.
        studies.set_access(pharmacy.ctx, admin, "pharm", protocol, False, "moved to another site")
        read.append(named)
        return switch(ctx, actor, named)

    monkeypatch.setattr(studies, "switch_study", withdrawn_meanwhile)
    before = _audit_entries(pharmacy)

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert read == [protocol]  # refused for the update, the study read again: refused
    assert dialog.reloaded is None
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.message.kind == "error"
    assert "pharm" in dialog.message.text() and protocol in dialog.message.text()
    said = " ".join(dialog.message.text().split())
    assert said.startswith(  # not the note of a study read again, nor the service's F5 advice
        f"Nothing was saved: the study file of {protocol} was updated after this window read "
        "it, and the window could not read the study again. pharm has no study"
    ), said
    assert said.endswith(
        f"Nothing more can be done in {protocol} from this window: once an administrator gives "
        "you access to it again, press F5 and do this again."
    ), said
    assert "reload the window (F5)" not in said
    assert dialog.typed() == typed
    assert _audit_entries(pharmacy) == before + 1  # the access taken away; nothing else
