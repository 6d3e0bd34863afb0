"""The Today screen's stock card says the kits in quarantine awaiting the sponsor's decision
(a temperature excursion, damage): they are no stock, and a shelf short because of them is one
to ask the sponsor about, not only to order for. It said "0 kits on hand ... order or receive
stock" beside 55 kits set aside by an excursion, and named them nowhere on the card."""

from __future__ import annotations

from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import main_window, shoot, today_screen

from dispensary.domain.codes import KitStatus
from dispensary.services import quarantine
from dispensary.ui.dashboard import DashboardScreen, LinkButton, Section
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow

SEVEN_AND_A_HALF = [f"K{n:04d}" for n in (*range(1, 7), *range(101, 105))]


def today_with_7_5_mg_in_quarantine(qtbot: QtBot, counter: Counter) -> DashboardScreen:
    """Every 7.5 mg kit (10) set aside, none released: 01-001 and 01-002 need two."""
    quarantine.quarantine(
        counter.ctx, counter.actor("pharm"), SEVEN_AND_A_HALF, "Temperature excursion"
    )
    window = main_window(qtbot, counter.session("pharm"), (1366, 768))
    dashboard = today_screen(window)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    return dashboard


def stock_lines(dashboard: DashboardScreen) -> list[str]:
    """The stock card's lines (the findings' links name the quarantines too)."""
    return [
        b.full_text
        for _k, _r, b in dashboard.links
        if isinstance(b, LinkButton) and dashboard.stock.isAncestorOf(b)
    ]


def test_the_stock_card_says_the_kits_in_quarantine(qtbot: QtBot, counter: Counter) -> None:
    dashboard = today_with_7_5_mg_in_quarantine(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    [need] = [s for s in snapshot.stock if s.product == "herombopag-7.5mg"]
    assert (need.kits_on_hand, need.kits_quarantined) == (0, 10)
    [line] = [line for line in stock_lines(dashboard) if "quarantine" in line]
    assert line.endswith(
        "10 more kits in quarantine, awaiting the sponsor's decision, not counted as stock: "
        "ask the sponsor, then release or destroy them (Inventory)"
    ), line
    assert dashboard.stock.summary.text() == (
        "Some stock is short of the next cycles' need, with kits in quarantine: ask the "
        "sponsor's decision on them, or order or receive stock."
    )


def test_in_chinese(qtbot: QtBot, counter: Counter, chinese: None) -> None:
    dashboard = today_with_7_5_mg_in_quarantine(qtbot, counter)
    [line] = [line for line in stock_lines(dashboard) if "隔离" in line]
    assert "另有 10 盒处于隔离中，待申办方决定" in line, line
    assert "隔离" in dashboard.stock.summary.text()
    assert (
        dashboard.expiring.summary.text()
        == "4 盒隔离中的药品将在 90 天内过期：请在过期前询问申办方的决定。"
    )
    qtbot.waitUntil(lambda: dashboard.forecast.result is not None)
    assert "10 盒处于隔离中，待申办方决定，不计入库存。" in dashboard.forecast.summary.text()


def card_lines(dashboard: DashboardScreen, card: Section) -> list[LinkButton]:
    return [
        b for _k, _r, b in dashboard.links if isinstance(b, LinkButton) and card.isAncestorOf(b)
    ]


def test_the_expiring_card_names_the_kits_in_quarantine(qtbot: QtBot, counter: Counter) -> None:
    """ "No kit on the shelf expires within 90 days" beside kits in quarantine whose lot
    (L2399) expires in 85: the service lists them, marked quarantined, and the card says the
    sponsor's decision on them is due before they expire."""
    dashboard = today_with_7_5_mg_in_quarantine(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    assert [(k.number, k.quarantined, k.days_left) for k in snapshot.expiring] == [
        (f"K010{n}", True, 85) for n in range(1, 5)
    ]
    assert dashboard.expiring.summary.text() == (
        "4 kits in quarantine expire within 90 days: ask the sponsor's decision on them before "
        "they expire."
    )
    first = card_lines(dashboard, dashboard.expiring)[0]
    assert first.full_text == (
        "K0101 — lot L2399, expires 2026-03-31 (85 days), in quarantine: the sponsor's decision "
        "is due before then"
    ), first.full_text
    shoot(dashboard, "today-expiring-quarantined")


def test_a_quarantine_line_opens_the_inventory_on_the_kits_in_quarantine(
    qtbot: QtBot, counter: Counter
) -> None:
    """The stock card's quarantine line opened the inventory unfiltered (every kit, any
    status): it opens it on the product's kits in quarantine."""
    dashboard = today_with_7_5_mg_in_quarantine(qtbot, counter)
    [line] = [b for b in card_lines(dashboard, dashboard.stock) if "quarantine" in b.full_text]
    window = dashboard.window()
    assert isinstance(window, MainWindow)
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    inventory = window.current_screen()
    assert isinstance(inventory, InventoryScreen)
    assert inventory.status.currentData() == KitStatus.QUARANTINED.value
    assert inventory.product.currentData() == "herombopag-7.5mg"
    qtbot.waitUntil(lambda: inventory.model.rowCount() == len(SEVEN_AND_A_HALF))
    rows = [inventory.model.row_at(i) for i in range(inventory.model.rowCount())]
    assert sorted(r.number for r in rows) == sorted(SEVEN_AND_A_HALF)
    shoot(inventory, "inventory-quarantined")


def test_the_forecast_card_says_the_kits_in_quarantine_are_not_counted(
    qtbot: QtBot, counter: Counter
) -> None:
    """ "Order 8 kits of 7.5 mg tablet" beside 10 kits waiting for the sponsor's decision, named
    nowhere on the card: the forecast says they are in quarantine and not counted."""
    dashboard = today_with_7_5_mg_in_quarantine(qtbot, counter)
    section = dashboard.forecast
    qtbot.waitUntil(lambda: section.result is not None)
    assert section.result is not None and section.result.quarantined == {"herombopag-7.5mg": 10}
    text = section.summary.text()
    assert "Order 8 kits of 7.5 mg tablet" in text, text
    assert text.endswith(
        "10 kits in quarantine, awaiting the sponsor's decision, are not counted as stock."
    ), text
    shoot(dashboard, "today-forecast-quarantined")
