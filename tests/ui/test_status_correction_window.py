"""The Participants screen corrects the last status change recorded wrongly ("Correct status
change...", keyboard reachable): the status and date in force shown, the service's refusal in
the dialog's bar before any signature, then signed "corrected"; a participant never changed
is told so in the screen's bar."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel
from window_helpers import refreshed

from dispensary.domain.codes import ParticipantStatus
from dispensary.services import audit, participants, queries
from dispensary.ui.participants_view import CorrectStatusDialog, ParticipantsScreen


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "pharm") -> ParticipantsScreen:
    return refreshed(qtbot, ParticipantsScreen(pharmacy.session(user)), None)


def test_a_mistyped_effective_date_is_corrected_and_signed(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    pharm = pharmacy.actor("pharm")
    today = pharmacy.clock.today()
    participants.set_status(
        pharmacy.ctx, pharm, "01-002", "discontinued", "AE", password=PASSWORDS["pharm"],
        effective_on=today,
    )  # fmt: skip
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    seen: dict[str, Any] = {}

    def correct(dialog: CorrectStatusDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.grab().save("/tmp/wt-fix-statuscorr-dialog.png")
        seen["shown"] = (dialog.status.currentData(), dialog.effective_on.date().toPython())
        qtbot.keyClicks(dialog.reason, "typed the wrong day")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        seen["same"] = (dialog.message.text(), len(asked))
        dialog.effective_on.setDate(QDate(2026, 1, 4))  # before the enrolment (2026-01-05)
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        seen["early"] = (dialog.message.text(), len(asked))
        dialog.effective_on.setDate(QDate(2026, 1, 6))
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(CorrectStatusDialog, "exec", correct)
    screen = make_screen(qtbot, pharmacy)
    screen.select("01-002")
    assert screen.correct_status_button.isEnabled()
    assert screen.correct_status_button.focusPolicy() != Qt.FocusPolicy.NoFocus
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.correct_status_button, Qt.MouseButton.LeftButton)
    assert seen["shown"] == ("discontinued", today)
    assert seen["same"][1] == 0 and seen["same"][0].startswith("Nothing to correct")
    assert seen["early"][1] == 0 and "before participant 01-002 was enrolled" in seen["early"][0]
    assert asked == [
        (
            "Paula Pharm",
            "corrected",
            "Status change of 01-002 corrected: Discontinued, effective 2026-01-06",
        )
    ]
    person = queries.participant(pharmacy.ctx, pharm, "01-002")
    assert person.status is ParticipantStatus.DISCONTINUED
    [entry] = audit.list_entries(
        pharmacy.ctx, pharmacy.actor("monitor"), action="participant_status_corrected"
    )
    assert entry.reason == "typed the wrong day"
    assert screen.message.text() == "Status change of 01-002 corrected: discontinued."
    assert participants.assess_status_correction(
        pharmacy.ctx, pharm, "01-002"
    ).old_effective_on == date(2026, 1, 6)


def test_a_participant_never_changed_is_told_in_the_bar(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.select("01-002")
    qtbot.mouseClick(screen.correct_status_button, Qt.MouseButton.LeftButton)
    assert "status was never changed" in screen.message.text()


@pytest.mark.parametrize("user", ["tech", "monitor"])
def test_only_a_pharmacist_is_offered_the_status_correction(
    qtbot: Any, pharmacy: Pharmacy, user: str
) -> None:
    assert make_screen(qtbot, pharmacy, user).correct_status_button.isHidden()


def test_the_dialog_speaks_chinese(qtbot: Any, pharmacy: Pharmacy) -> None:
    from dispensary.i18n import ENGLISH, Language
    from dispensary.ui.translations import install_language

    pharm = pharmacy.actor("pharm")
    participants.set_status(
        pharmacy.ctx, pharm, "01-002", "completed", "end", password=PASSWORDS["pharm"]
    )
    in_force = participants.assess_status_correction(pharmacy.ctx, pharm, "01-002")
    person = queries.participant(pharmacy.ctx, pharm, "01-002")
    try:
        install_language(Language.ZH_CN)
        dialog = CorrectStatusDialog(pharmacy.session("pharm"), person, in_force)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.grab().save("/tmp/wt-fix-statuscorr-dialog-zh.png")
        assert dialog.windowTitle() == "更正 01-002 的状态变更"
        assert dialog.correct_button.text() == "更正并签名(&C)..."
        # The fields the status change's dialog shares (StatusForm) in Chinese too.
        labels = {label.text() for label in dialog.findChildren(QLabel)}
        assert {"状态", "生效日期", "原因"} <= labels
    finally:
        install_language(ENGLISH)


def test_the_correction_is_listed_in_the_history_naming_the_change(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Corrected in the dialog, the status change's correction is listed under "Corrections
    and status changes" after the change it corrects: the change named, who signed the
    correction, when and why; in Chinese too (it was in the audit trail only)."""
    pharm = pharmacy.actor("pharm")
    today = pharmacy.clock.today()
    participants.set_status(
        pharmacy.ctx, pharm, "01-002", "discontinued", "AE", password=PASSWORDS["pharm"],
        effective_on=today,
    )  # fmt: skip
    sign_with(monkeypatch, PASSWORDS["pharm"])

    def correct(dialog: CorrectStatusDialog) -> int:
        dialog.effective_on.setDate(QDate(2026, 1, 6))
        qtbot.keyClicks(dialog.reason, "typed the wrong day")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(CorrectStatusDialog, "exec", correct)
    screen = make_screen(qtbot, pharmacy)
    screen.select("01-002")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.correct_status_button, Qt.MouseButton.LeftButton)
    screen.select("01-002")
    screen.history_tabs.setCurrentIndex(2)
    assert screen.history_tabs.tabText(2) == "Corrections and status changes"
    change, correction = screen.changes.text().split("\n\n")
    assert "status changed from On treatment to Discontinued" in change
    named = f"the status change of {change[:20]} (On treatment to Discontinued, effective {today})"
    assert f": {named} corrected by Paula Pharm (pharm, pharmacist) (signed): " in correction
    assert correction.endswith(
        f"Discontinued from 2026-01-06, recorded as Discontinued from {today}. "
        "Reason: typed the wrong day"
    )
    screen.resize(1366, 768)
    screen.grab().save("/tmp/status-s7-history-tab.png")

    from dispensary.i18n import ENGLISH, Language
    from dispensary.ui.translations import install_language

    try:
        install_language(Language.ZH_CN)
        chinese = make_screen(qtbot, pharmacy)
        chinese.select("01-002")
        chinese.history_tabs.setCurrentIndex(2)
        chinese.resize(1366, 768)
        chinese.grab().save("/tmp/status-s7-history-tab-zh.png")
        assert chinese.history_tabs.tabText(2) == "更正及状态变更"
        assert (
            f"Paula Pharm（pharm，药师） 更正了状态变更（{change[:20]} 录入：由“治疗中”改为"
            f"“已终止治疗”，自 {today} 起生效）（已签名）：更正为自 2026-01-06 起“已终止治疗”，"
            f"原记录为自 {today} 起“已终止治疗”。原因：typed the wrong day"
        ) in chinese.changes.text()
    finally:
        install_language(ENGLISH)


def test_the_status_dialog_shares_the_form_in_chinese(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The status change's dialog has the fields of the correction's (StatusForm): its own
    words for the status, the shared ones for the date, the reason and no status chosen."""
    from dispensary.i18n import ENGLISH, Language
    from dispensary.ui.participants_view import StatusDialog
    from dispensary.ui.translations import install_language

    person = queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-002")
    try:
        install_language(Language.ZH_CN)
        dialog = StatusDialog(pharmacy.session("pharm"), person)
        qtbot.addWidget(dialog)
        labels = {label.text() for label in dialog.findChildren(QLabel)}
        assert {"新状态", "生效日期", "原因"} <= labels
        assert dialog.status.placeholderText() == "选择新状态"
        assert dialog.status.currentIndex() == -1
        assert [dialog.status.itemData(i) for i in range(dialog.status.count())] == [
            "discontinued",
            "completed",
        ]
        assert dialog.change_button.text() == "变更状态并签名(&C)..."
    finally:
        install_language(ENGLISH)
