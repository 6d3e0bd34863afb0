"""The Today screen says how many kits are held for a count difference: the service leaves
them out of the stock figures and the forecast (rules.in_stock), and the pharmacist is told
why the usable figure dropped and what to do (count again, or record the adjustment)."""

from __future__ import annotations

import os
from pathlib import Path

from counter_fixtures import Counter
from pytestqt.qtbot import QtBot
from window_helpers import main_window, today_screen

from dispensary.services import counts
from dispensary.ui.dashboard import DashboardScreen, LinkButton


def today_with_a_kit_held(qtbot: QtBot, counter: Counter) -> DashboardScreen:
    """K0001 (7.5 mg, 21 tablets) counted 20 and left open."""
    assert counts.record_count(counter.ctx, counter.actor("pharm"), "K0001", 20, "pharmpass1").open
    window = main_window(qtbot, counter.session("pharm"), (1366, 900))
    dashboard = today_screen(window)
    qtbot.waitUntil(
        lambda: (
            not dashboard.checking
            and dashboard.snapshot is not None
            and dashboard.forecast.result is not None
        ),
        timeout=30_000,
    )
    shot = os.environ.get("DISPENSARY_HELD_SHOT")
    if shot:
        window.grab().save(str(Path(shot)))
    return dashboard


def stock_lines(dashboard: DashboardScreen) -> list[str]:
    return [
        b.full_text
        for k, _r, b in dashboard.links
        if k in ("inventory", "reconcile") and isinstance(b, LinkButton)
    ]


def test_the_stock_card_and_the_forecast_say_the_kit_held(qtbot: QtBot, counter: Counter) -> None:
    dashboard = today_with_a_kit_held(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    [need] = [s for s in snapshot.stock if s.product == "herombopag-7.5mg"]
    assert need.kits_held == 1
    held = [line for line in stock_lines(dashboard) if "held" in line]
    assert len(held) == 1 and held[0].endswith(
        "1 more kit held for a count difference, not counted as stock: count it again, or "
        "record the adjustment with a reason (Physical count, Ctrl+7)"
    )
    assert (
        "Kit K0001 is held for a count difference and not counted as stock: count it again, "
        "or record the adjustment (Physical count, Ctrl+7)."
    ) in dashboard.forecast.summary.text()


def test_in_chinese(qtbot: QtBot, counter: Counter, chinese: None) -> None:
    dashboard = today_with_a_kit_held(qtbot, counter)
    held = [line for line in stock_lines(dashboard) if "暂扣" in line]
    assert len(held) == 1 and "另有 1 盒因盘点差异被暂扣" in held[0]
    assert "药盒 K0001 因盘点差异被暂扣，不计入库存" in dashboard.forecast.summary.text()
