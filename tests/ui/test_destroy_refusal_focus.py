"""A destruction refused for a field of the side panel's form puts the cursor in that field,
scrolled into sight: refused for the reason an in-date kit needs, the cursor stayed on the
Destroy button with the reason out of sight, below the panel's fold."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from dispensary.domain.codes import KitStatus
from dispensary.services import queries
from dispensary.ui.inventory_view import InventoryScreen


def test_an_in_date_kit_without_a_reason_takes_the_cursor_to_the_reason(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    screen = InventoryScreen(pharmacy.session("pharm"))
    qtbot.addWidget(screen)
    screen.resize(1166, 560)  # the panel lower than its form, as at 1366x768 in the window
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.refresh()
    screen.open_kit("K0002")  # on the shelf, in date until 2027-06-30
    for field, text in (
        (screen.witness, "tech"),
        (screen.reference, "CERT-77"),
    ):
        field.setFocus()
        qtbot.keyClicks(field, text)
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    screen.panel.verticalScrollBar().setValue(0)  # where the form starts: the witness
    assert screen.reason_code.visibleRegion().isEmpty(), "the reason is below the fold"

    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert "still in date and unused" in screen.message.text()
    assert asked == []
    status = queries.kit_detail(pharmacy.ctx, pharmacy.actor("pharm"), "K0002").status
    assert status is KitStatus.AVAILABLE
    assert QApplication.focusWidget() is screen.reason_code
    assert not screen.reason_code.visibleRegion().isEmpty(), "scrolled into sight"
