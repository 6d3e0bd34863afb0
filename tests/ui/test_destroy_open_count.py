"""The destroy panel with a kit whose count differs from the book, left open: it shows what the
service assesses, the kit refused with its counted and book quantities and what to do, and
Destroy writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus
from dispensary.services import counts, queries
from dispensary.ui.inventory_view import InventoryScreen

HELD = (
    "Kit K0002 has a count difference not adjusted: 20 counted, 21 in the book. Recount the kit "
    "or record the adjustment first: Physical count (Ctrl+7), or count K0002 on the command line."
)


def test_a_kit_counted_open_is_refused_in_the_destroy_panel(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    pharm = pharmacy.actor("pharm")
    assert counts.record_count(pharmacy.ctx, pharm, "K0002", 20, PASSWORDS["pharm"]).open
    screen = refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")))
    screen.open_kit("K0002")
    screen.reason_code.setCurrentIndex(screen.reason_code.findData("study_closed"))
    for field, text in ((screen.witness, "tech"), (screen.reference, "CERT-77")):
        field.setFocus()
        qtbot.keyClicks(field, text)
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    assert HELD in screen.destroy_verdict.text()
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert HELD in screen.message.text() and asked == []
    status = queries.kit_detail(pharmacy.ctx, pharm, "K0002").status
    assert status is KitStatus.AVAILABLE
