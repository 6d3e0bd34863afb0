"""A study file updated at another workstation while the Correct-enrolment window is open: the
service refuses the correction (nothing written), and the window opens the study again with the
new file, as F5 does, and the correction window again on the participant as typed, saying that
nothing was saved; corrected the second time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import QDate, Qt
from window_helpers import main_window

from dispensary.services import queries, studies
from dispensary.ui.participants_view import CorrectEnrolmentDialog, ParticipantsScreen

REASON = "typed in a week late; see the enrolment log"


def test_a_correction_after_a_study_file_update_is_refused_and_opened_again_as_typed(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    window = main_window(qtbot, pharmacy.session("pharm"))
    screen = window.screen_of(ParticipantsScreen)
    window.show_screen(ParticipantsScreen)
    text = pharmacy.study.source_text
    amended = text.replace("min_age = 18", "min_age = 19")
    assert amended != text
    seen: list[dict[str, Any]] = []

    def fill(dialog: CorrectEnrolmentDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        if not seen:  # the pharmacist types; the administrator amends the study meanwhile
            dialog.enrolled_on.setDate(QDate(2026, 1, 12))
            qtbot.keyClicks(dialog.reason, REASON)
            studies.update_study(
                pharmacy.ctx, pharmacy.actor("admin"), amended, "v2.toml", "amendment 2"
            )
            qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
            seen.append({"asked": len(asked)})
            return dialog.result()
        seen.append(
            {
                "title": dialog.windowTitle(),
                "date": dialog.enrolled_on.date().toString("yyyy-MM-dd"),
                "initials": dialog.initials.text(),
                "year": dialog.birth_year.text(),
                "reason": dialog.reason.text(),
                "message": dialog.message.text(),
                "kind": dialog.message.kind,
            }
        )
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(CorrectEnrolmentDialog, "exec", fill)
    screen.select("01-002")
    qtbot.mouseClick(screen.correct_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(seen) == 2)

    assert seen[0] == {"asked": 0}  # refused before the signature was asked for
    assert window.session.ctx.version == 2
    again = seen[1]
    assert again["title"] == "Correct the enrolment of 01-002"
    assert (again["date"], again["initials"], again["year"]) == ("2026-01-12", "CD", "1965")
    assert again["reason"] == REASON
    assert again["kind"] == "warning"
    assert again["message"] == (
        "Nothing was saved: the study file of NCT07198672 was updated after this window was "
        "opened. It was read again (version 2) with the correction as typed: check it again "
        "before signing."
    )
    # Corrected the second time, under version 2, signed once.
    qtbot.waitUntil(
        lambda: (
            queries.participant(pharmacy.ctx, pharmacy.actor("pharm"), "01-002").enrolled_on
            == date(2026, 1, 12)
        )
    )
    assert [meaning for _signer, meaning, _summary in asked] == ["corrected"]
    shown = window.current_screen()
    assert isinstance(shown, ParticipantsScreen) and shown is not screen
    qtbot.waitUntil(lambda: shown.message.kind == "ok")
    assert shown.message.text() == (
        "Enrolment of 01-002 corrected: CD, born 1965, enrolled 2026-01-12."
    )
