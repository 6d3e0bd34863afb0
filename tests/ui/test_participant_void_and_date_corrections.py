"""The participants window: a void of a dispense made before today asks for its kits scanned
back, showing the dispense's date and the days since; a return correction may give the return
date and the held period (review of returns, corrections and voids, findings 3 and 4)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from test_participant_corrections_window import click_line, make_screen, type_reason

from dispensary.domain.codes import KitStatus
from dispensary.services import dispensing, queries
from dispensary.ui.participants_view import CorrectReturnDialog, KitsBackDialog


def scan_kits(qtbot: Any, monkeypatch: pytest.MonkeyPatch, *scans: str) -> list[str]:
    """The kits-back dialog filled with each scan in turn (one a dialog); its prompts."""
    prompts: list[str] = []
    left = list(scans)

    def fill(dialog: KitsBackDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        prompts.append(dialog.findChild(QLabel).text())
        qtbot.keyClicks(dialog.reason, left.pop(0))
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(KitsBackDialog, "exec", fill)
    return prompts


def test_a_void_after_the_dispense_s_day_asks_for_the_kits_scanned_back(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    pharm = pharmacy.actor("pharm")
    made = dispensing.dispense_cycle(
        pharmacy.ctx, pharm, "01-002", 1, pharmacy.clock.today(), PASSWORDS["pharm"]
    )
    [kit] = [k.kit for k in made.kits]
    dispensed_on = pharmacy.clock.today()
    pharmacy.clock.set_date(dispensed_on + timedelta(days=3))
    prompts = scan_kits(qtbot, monkeypatch, "K9999", kit.lower())
    type_reason(qtbot, monkeypatch, "wrong participant scanned")
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    screen = make_screen(qtbot, pharmacy)
    assert screen.select("01-002")
    click_line(qtbot, screen, made.number)
    qtbot.mouseClick(screen.void_dispense_button, Qt.MouseButton.LeftButton)
    assert f"was made on {dispensed_on.isoformat()}, 3 days ago" in prompts[0]
    assert f"its kits ({kit})" in prompts[0] and "record their return instead" in prompts[0]
    assert f"are not the kits of {made.number} ({kit})" in screen.message.text()
    assert asked == []  # refused before the reason and the signature
    assert queries.kit_detail(pharmacy.ctx, pharm, kit).status is KitStatus.DISPENSED
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.void_dispense_button, Qt.MouseButton.LeftButton)
    assert len(prompts) == 2 and len(asked) == 1
    assert queries.kit_detail(pharmacy.ctx, pharm, kit).status is KitStatus.AVAILABLE


def test_a_return_correction_gives_the_return_date(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """01-001's cycle 1 return, 10 tablets, recorded on the wrong day: corrected with the
    count unchanged and the date the participant came; the same count and date is refused
    as nothing to correct."""
    pharm = pharmacy.actor("pharm")
    [old] = queries.participant_record(pharmacy.ctx, pharm, "01-001").history[0].returns
    sign_with(monkeypatch, PASSWORDS["pharm"])
    right = old.returned_on - timedelta(days=1)
    seen: dict[str, Any] = {}

    def fill(dialog: CorrectReturnDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["date"] = dialog.returned_on.date().toPython()
        qtbot.keyClicks(dialog.count, str(old.tablets))
        qtbot.keyClicks(dialog.reason, "wrong day typed")
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        seen["refused"] = dialog.message.text()
        seen["held shown"] = dialog.held_from.isVisible()
        dialog.returned_on.setDate(right)
        qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(CorrectReturnDialog, "exec", fill)
    screen = make_screen(qtbot, pharmacy)
    assert screen.select("01-001")
    click_line(qtbot, screen, "DSP000001")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.correct_return_button, Qt.MouseButton.LeftButton)
    assert seen["date"] == old.returned_on and seen["held shown"] is False
    assert f"the count is already {old.tablets}" in seen["refused"]
    assert "nothing to correct" in seen["refused"]
    [new] = queries.participant_record(pharmacy.ctx, pharm, "01-001").history[0].returns
    assert (new.tablets, new.returned_on, new.corrects) == (old.tablets, right, old.return_id)
    assert isinstance(right, date)
