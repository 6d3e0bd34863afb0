"""A study file updated at another workstation while the enrolment window is open: the window
kept the eligibility rules it read, and the participant was enrolled under them. Now the service
refuses the enrolment (nothing written) and the window opens the study again with the new file,
as F5 does, and the enrolment window again with what was typed and ticked (a criterion the new
file rewords to tick again), saying that nothing was saved."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from sqlalchemy import func, select
from window_helpers import answer_eligibility, main_window

from dispensary.db.models import Participant
from dispensary.services import studies
from dispensary.ui.participants_view import EnrolDialog, ParticipantsScreen

OLD_CRITERION = "Female, age 18 years or more"
NEW_CRITERION = "Female, age 21 years or more"


def enrolled(pharmacy: Pharmacy) -> list[tuple[str, int]]:
    with pharmacy.ctx.engine.connect() as conn:
        return [
            (p.study_number, p.birth_year)
            for p in conn.execute(select(Participant).order_by(Participant.id))
        ]


def type_the_enrolment(qtbot: Any, dialog: EnrolDialog) -> None:
    """Participant 01-007 (CD, born 1990) typed in, every criterion ticked."""
    qtbot.keyClicks(dialog.study_number, "01-007")
    qtbot.keyClicks(dialog.initials, "CD")
    answer_eligibility(qtbot, dialog)
    qtbot.keyClicks(dialog.birth_year, "1990")
    for box in dialog.criteria:
        box.setChecked(True)


def test_an_enrolment_after_a_study_file_update_is_refused_and_opened_again_as_typed(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = main_window(qtbot, pharmacy.session("pharm"))
    screen = window.screen_of(ParticipantsScreen)
    window.show_screen(ParticipantsScreen)
    text = pharmacy.study.source_text
    amended = text.replace("min_age = 18", "min_age = 21").replace(OLD_CRITERION, NEW_CRITERION)
    assert amended.count("21") > text.count("21")
    with pharmacy.ctx.engine.connect() as conn:
        people = conn.scalar(select(func.count()).select_from(Participant))
    seen: list[dict[str, Any]] = []

    def fill(dialog: EnrolDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        if not seen:  # the pharmacist types; the administrator amends the study meanwhile
            type_the_enrolment(qtbot, dialog)
            studies.update_study(
                pharmacy.ctx, pharmacy.actor("admin"), amended, "v2.toml", "amendment 2"
            )
            qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
            seen.append({"message": dialog.message.text()})
            return dialog.result()
        # Opened again on version 2, as typed: the reworded criterion to tick again.
        seen.append(
            {
                "number": dialog.study_number.text(),
                "initials": dialog.initials.text(),
                "year": dialog.birth_year.text(),
                "message": dialog.message.text(),
                "kind": dialog.message.kind,
                "unticked": [str(b.property("criterion")) for b in dialog.unconfirmed()],
            }
        )
        dialog.unconfirmed()[0].setChecked(True)
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(EnrolDialog, "exec", fill)
    qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(seen) == 2)

    assert window.session.ctx.version == 2
    again = seen[1]
    assert (again["number"], again["initials"], again["year"]) == ("01-007", "CD", "1990")
    assert again["unticked"] == [NEW_CRITERION]
    assert again["kind"] == "warning"
    assert again["message"] == (
        "Nothing was saved: the study file of NCT07198672 was updated after this window was "
        "opened. It was read again (version 2): check the enrolment and the eligibility "
        "checklist again before enrolling."
    )
    # Enrolled the second time, under version 2's checklist.
    qtbot.waitUntil(lambda: ("01-007", 1990) in enrolled(pharmacy))
    assert len(enrolled(pharmacy)) == (people or 0) + 1
    with pharmacy.ctx.engine.connect() as conn:
        checklist = conn.scalar(
            select(Participant.eligibility_checklist).where(Participant.study_number == "01-007")
        )
    assert NEW_CRITERION in (checklist or "") and OLD_CRITERION not in (checklist or "")


def test_the_registers_search_is_kept_when_a_refused_enrolment_opens_the_study_again(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screens built again for the new file listed everyone: the search the user had typed
    in the register was dropped (F5 kept it; this route did not)."""
    window = main_window(qtbot, pharmacy.session("pharm"))
    window.show_screen(ParticipantsScreen)
    screen = window.screen_of(ParticipantsScreen)
    qtbot.keyClicks(screen.search, "01-001")
    assert screen.proxy.rowCount() == 1
    text = pharmacy.study.source_text
    amended = text.replace("min_age = 18", "min_age = 21").replace(OLD_CRITERION, NEW_CRITERION)
    opened: list[EnrolDialog] = []

    def fill(dialog: EnrolDialog) -> int:
        opened.append(dialog)
        if len(opened) > 1:
            return 0  # opened again as typed: the pharmacist closes it, to look at the register
        dialog.show()
        qtbot.waitExposed(dialog)
        type_the_enrolment(qtbot, dialog)
        studies.update_study(pharmacy.ctx, pharmacy.actor("admin"), amended, "v2.toml", "v2")
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(EnrolDialog, "exec", fill)
    qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 2)
    assert window.session.ctx.version == 2
    again = window.screen_of(ParticipantsScreen)
    assert again is not screen
    assert again.search.text() == "01-001"
    shown = [again.proxy.index(r, 0).data() for r in range(again.proxy.rowCount())]
    assert shown == ["01-001"]
