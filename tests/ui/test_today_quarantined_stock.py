"""The Today screen's stock card says the kits in quarantine awaiting the sponsor's decision
(a temperature excursion, damage): they are no stock, and a shelf short because of them is one
to ask the sponsor about, not only to order for. It said "0 kits on hand ... order or receive
stock" beside 55 kits set aside by an excursion, and named them nowhere on the card."""

from __future__ import annotations

from counter_fixtures import Counter
from pytestqt.qtbot import QtBot
from window_helpers import main_window, today_screen

from dispensary.services import quarantine
from dispensary.ui.dashboard import DashboardScreen, LinkButton

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
