"""The Inventory screen opens a kit's history (services.kit_history) by Enter or a double-click
on its row (review: a double-click did nothing, the history was nowhere on screen); its summary
leaves out the kits held for a count difference, and says so."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import Pharmacy, release_signed, when_history_shown
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.services import quarantine
from dispensary.ui.inventory_view import InventoryScreen, KitHistoryDialog


def screen_with(qtbot: Any, pharmacy: Pharmacy, kit: str) -> InventoryScreen:
    pharm = pharmacy.actor("pharm")
    quarantine.quarantine(pharmacy.ctx, pharm, [kit], "Cap seal broken.")
    release_signed(pharmacy.ctx, pharm, [kit], "photos reviewed", "TE-2026-040")
    screen = refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")))
    assert screen.open_kit(kit)
    return screen


def steps(dialog: KitHistoryDialog) -> list[tuple[str, str]]:
    model = dialog.model
    return [
        (str(model.index(r, 1).data()), str(model.index(r, 2).data()))
        for r in range(model.rowCount())
    ]


def test_enter_on_a_kit_row_opens_its_history(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = screen_with(qtbot, pharmacy, "K0004")
    seen: list[KitHistoryDialog] = []
    when_history_shown(seen, "kit-history-en.png")
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    [dialog] = seen
    assert dialog.windowTitle() == "Kit K0004: history"
    assert steps(dialog)[1:] == [
        ("Quarantined", "Cap seal broken."),
        ("Released", "Sponsor's decision TE-2026-040: photos reviewed"),
    ]
    assert steps(dialog)[0][0] == "Received"


def test_a_double_click_opens_the_history(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = screen_with(qtbot, pharmacy, "K0004")
    seen: list[KitHistoryDialog] = []
    when_history_shown(seen)
    index = screen.table.currentIndex()
    assert index.isValid()
    centre = screen.table.visualRect(index).center()
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert seen, screen.message.text()
    [dialog] = seen
    kit = screen.model.row_at(screen.proxy.mapToSource(index).row()).number
    assert dialog.windowTitle() == f"Kit {kit}: history"


def test_the_history_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue("chinese")
    screen = screen_with(qtbot, pharmacy, "K0004")
    seen: list[KitHistoryDialog] = []
    when_history_shown(seen, "kit-history-zh.png")
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Enter)
    assert seen, screen.message.text()
    [dialog] = seen
    assert dialog.windowTitle() == "药盒 K0004：历史记录"
    assert [what for what, _detail in steps(dialog)][:3] == ["已接收", "已隔离", "已解除隔离"]


def test_the_summary_leaves_out_a_kit_held_for_a_count_difference(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The summary's units available are the kits in stock (rules.in_stock): a kit held for an
    open count difference is left out, and said (review: it was still counted available)."""
    from back_office_fixtures import PASSWORDS

    from dispensary.services import counts

    screen = InventoryScreen(pharmacy.session("pharm"))
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    screen._count_found()
    before = screen.summary.text()
    assert "held" not in before
    counts.record_count(pharmacy.ctx, pharmacy.actor("pharm"), "K0004", 20, PASSWORDS["pharm"])
    screen.refresh()
    screen._count_found()
    *found, held = screen.summary.text().split("\n")
    assert held == "1 kit held for a count difference, not counted as available"
    assert "\n".join(found) != before  # its 21 tablets no longer available


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_open_count_adjusted_reads_as_its_adjustment(
    qtbot: Any, pharmacy: Pharmacy, request: pytest.FixtureRequest, language: str
) -> None:
    """The open count's figure given again with a reason code and a second person is written
    as that count's adjustment (count_adjusted): the history names it so, from the service,
    not "Physical count" twice (review: the second read as an independent recount)."""
    from back_office_fixtures import PASSWORDS

    from dispensary.services import counts

    if language == "zh":
        request.getfixturevalue("chinese")
    tech = pharmacy.actor("tech")
    counts.record_count(pharmacy.ctx, tech, "K0004", 19, PASSWORDS["tech"])
    counts.record_count(
        pharmacy.ctx,
        tech,
        "K0004",
        19,
        PASSWORDS["tech"],
        reason_code="breakage",
        reason="two crushed",
        verified_by="pharm2",
        verifier_password=PASSWORDS["pharm2"],
        expected_book=21,
    )
    screen = refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")))
    assert screen.open_kit("K0004")
    seen: list[KitHistoryDialog] = []
    when_history_shown(seen, f"kit-history-adjusted-{language}.png")
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert seen, screen.message.text()
    [dialog] = seen
    day = pharmacy.ctx.clock.today().isoformat()
    assert steps(dialog)[1:] == (
        [
            (
                "Physical count",
                f"19 counted, 21 in the book: adjusted on {day} by the record that followed it.",
            ),
            (
                "Count difference adjusted",
                "-2 tablets, reason breakage: two crushed; verified by Peter Second; adjusting "
                f"the count of {day}.",
            ),
        ]
        if language == "en"
        else [
            ("实物盘点", f"盘点 19，账面 21：已于 {day} 由其后的记录调整。"),
            (
                "盘点差异已调整",
                f"-2 片，原因“破损：two crushed”，由 Peter Second 核对；调整的是 {day} 的盘点。",
            ),
        ]
    )
