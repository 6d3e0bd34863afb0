"""The participants window's signed corrections of a history line: a dispense made in error
voided, and a return count corrected, each with its reason and signature; the voided dispense
stays in the history, marked, and both are changes of the record (review of the counter,
findings 1 and 2)."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import NotPermitted
from dispensary.services import dispensing, queries, returns
from dispensary.ui.forms import ReasonDialog
from dispensary.ui.participants_view import CorrectReturnDialog, ParticipantsScreen

NOTHING_CHANGED = "Nothing changed in the record since enrolment."


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "pharm") -> ParticipantsScreen:
    return refreshed(qtbot, ParticipantsScreen(pharmacy.session(user)), (1366, 700))


def click_line(qtbot: Any, screen: ParticipantsScreen, dispense: str) -> None:
    """Clicks the history line of `dispense`, as the pharmacist does."""
    table = screen.history_table
    for row in range(screen.history_proxy.rowCount()):
        if screen.history_proxy.index(row, 1).data() == dispense:
            rect = table.visualRect(screen.history_proxy.index(row, 1))
            qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            return
    raise AssertionError(f"{dispense} is not in the history")


def cells(screen: ParticipantsScreen, dispense: str) -> dict[str, str]:
    """The history line of `dispense`, by column title."""
    model = screen.history_proxy
    titles = [
        str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
    ]
    for row in range(model.rowCount()):
        if model.index(row, 1).data() == dispense:
            return {t: str(model.index(row, c).data() or "") for c, t in enumerate(titles)}
    raise AssertionError(f"{dispense} is not in the history")


def type_reason(qtbot: Any, monkeypatch: pytest.MonkeyPatch, reason: str) -> list[str]:
    """The reason dialog filled as a user does: typed, then its OK button clicked."""
    prompts: list[str] = []

    def fill(dialog: ReasonDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        prompts.append(dialog.windowTitle())
        qtbot.keyClicks(dialog.reason, reason)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(ReasonDialog, "exec", fill)
    return prompts


def test_a_dispense_made_in_error_is_voided_from_the_history_and_stays_marked(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """01-002's cycle 1, dispensed in error: selected in the history, Void dispense...,
    reason, signature; the line stays, marked voided by Paula Pharm, its kit back in stock, and
    the record's changes say who voided it and why. A dispense with its return recorded is
    refused by the service before anything is asked."""
    pharm = pharmacy.actor("pharm")
    made = dispensing.dispense_cycle(
        pharmacy.ctx, pharm, "01-002", 1, pharmacy.clock.today(), PASSWORDS["pharm"]
    )
    [kit] = [k.kit for k in made.kits]
    type_reason(qtbot, monkeypatch, "wrong participant scanned")
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    screen = make_screen(qtbot, pharmacy)

    assert screen.select("01-001")
    click_line(qtbot, screen, "DSP000001")
    qtbot.mouseClick(screen.void_dispense_button, Qt.MouseButton.LeftButton)
    assert "DSP000001 has returns recorded" in screen.message.text()
    assert asked == []  # refused before the reason and the signature

    assert screen.select("01-002")
    assert screen.changes.text() == NOTHING_CHANGED
    click_line(qtbot, screen, made.number)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.void_dispense_button, Qt.MouseButton.LeftButton)
    assert asked == [
        (
            "Paula Pharm",
            "corrected",
            f"Dispense {made.number} (cycle 1 of 01-002) voided: wrong participant scanned",
        )
    ]
    assert screen.message.text() == f"Dispense {made.number} voided; back in stock: {kit}."
    line = cells(screen, made.number)
    assert line["Flags"].startswith("voided ") and line["Flags"].endswith(" by Paula Pharm")
    assert NOTHING_CHANGED not in screen.changes.text()
    assert (
        f"dispense {made.number} (cycle 1) voided as made in error (its kits never left) by "
        "Paula Pharm (pharm, pharmacist) (signed). Reason: wrong participant scanned"
    ) in screen.changes.text()
    assert "Record changed 1 time(s) since enrolment" in screen.summary.text()
    assert queries.kit_detail(pharmacy.ctx, pharm, kit).status is KitStatus.AVAILABLE

    record = queries.participant_record(pharmacy.ctx, pharm, "01-002")
    [row] = record.history
    assert row.voided is not None
    assert (row.voided.full_name, row.voided.reason) == ("Paula Pharm", "wrong participant scanned")
    assert record.standing == () and not record.unchanged


def test_a_return_count_is_corrected_from_the_history(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """01-001's cycle 1 counted 10 back, recounted 12: the dialog names the return by its
    number, takes the count, reason and signature, and the history shows the new
    return and the change."""
    pharm = pharmacy.actor("pharm")
    [old] = queries.participant_record(pharmacy.ctx, pharm, "01-001").history[0].returns
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    seen: dict[str, str] = {}

    def fill(dialog: CorrectReturnDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["choice"] = dialog.which.currentText()
        qtbot.keyClicks(dialog.count, "22")  # more than the kit held: the service refuses
        qtbot.keyClicks(dialog.reason, "recounted with the monitor")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        seen["refused"] = dialog.message.text()
        dialog.count.clear()
        qtbot.keyClicks(dialog.count, "12")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(CorrectReturnDialog, "exec", fill)
    screen = make_screen(qtbot, pharmacy)
    assert screen.select("01-001")
    click_line(qtbot, screen, "DSP000001")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.correct_return_button, Qt.MouseButton.LeftButton)
    assert seen["choice"] == f"Return {old.return_id}: kit K0001, 10 tablets"
    assert "only 21 tablets were dispensed" in seen["refused"]
    assert asked == [
        (
            "Paula Pharm",
            "corrected",
            f"Return {old.return_id} of kit K0001 (DSP000001) corrected from 10 to 12: "
            "recounted with the monitor",
        )
    ]
    [new] = queries.participant_record(pharmacy.ctx, pharm, "01-001").history[0].returns
    assert (new.tablets, new.corrects) == (12, old.return_id)
    assert screen.message.text() == (
        f"Count of kit K0001 (DSP000001) corrected to 12: return {new.return_id}."
    )
    assert cells(screen, "DSP000001")["Returned"] == "12"
    assert (
        f"count of kit K0001 (DSP000001) corrected from 10 to 12 by Paula Pharm (pharm, pharmacist) "
        f"(signed); it is now return {new.return_id}. Reason: recounted with the monitor"
    ) in screen.changes.text()


def test_a_technician_may_neither_void_nor_correct(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The technician sees neither action, and the services refuse them."""
    screen = make_screen(qtbot, pharmacy, "tech")
    assert screen.select("01-001")
    assert not screen.void_dispense_button.isVisibleTo(screen)
    assert not screen.correct_return_button.isVisibleTo(screen)
    tech = pharmacy.actor("tech")
    [old] = queries.participant_record(pharmacy.ctx, tech, "01-001").history[0].returns
    with pytest.raises(NotPermitted):
        dispensing.check_void(pharmacy.ctx, tech, "DSP000001")
    with pytest.raises(NotPermitted):
        returns.check_return_correction(pharmacy.ctx, tech, old.return_id, 12, "recount")
