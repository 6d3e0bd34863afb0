"""The audit screen names the count an adjustment adjusted by its kit and the day it was
counted, with its number, not the count row's bare number: "Adjustment of the count: 4812"
told an inspector nothing (services.audit.list_entries reads the count row; the words are
audit_actions.referred_shown's)."""

from __future__ import annotations

import json
from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from window_helpers import refreshed

from dispensary.services import counts
from dispensary.ui.audit_view import NEW_VALUES, AuditScreen
from dispensary.ui.forms import select_where


def _adjusted_open_count(pharmacy: Pharmacy) -> int:
    """K0003 counted 19 against its book of 21, left open, then that count adjusted: the
    entry of the adjustment names the open count (adjustment_of). The open count's number."""
    tech = pharmacy.actor("tech")
    first = counts.record_count(pharmacy.ctx, tech, "K0003", 19, PASSWORDS["tech"])
    counts.record_count(
        pharmacy.ctx,
        tech,
        "K0003",
        19,
        PASSWORDS["tech"],
        reason_code="breakage",
        reason="two crushed in the bottle",
        verified_by="pharm",
        verifier_password=PASSWORDS["pharm"],
        expected_book=21,
        adjusting_count=first.count_id,
    )
    return first.count_id


def _shown(qtbot: Any, pharmacy: Pharmacy) -> tuple[str, str]:
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    [row] = [r for r in screen.model.rows if r.action == "count_adjusted"]
    assert "adjustment_of" in json.loads(row.new)
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.id == row.id)
    at = screen.model.index(screen.model.rows.index(row), NEW_VALUES)
    return screen.detail.toPlainText(), str(screen.model.data(at))


def test_the_adjusted_count_is_named_by_its_kit_and_day(qtbot: Any, pharmacy: Pharmacy) -> None:
    number = _adjusted_open_count(pharmacy)
    detail, cell = _shown(qtbot, pharmacy)
    words = f"Adjustment of the count: count of kit K0003 on 2026-01-26 (count number {number})"
    assert f"  {words}\n" in detail
    assert words in cell
    assert f"Adjustment of the count: {number}\n" not in detail


def test_the_adjusted_count_is_named_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    number = _adjusted_open_count(pharmacy)
    detail, cell = _shown(qtbot, pharmacy)
    words = f"所调整的盘点：药盒 K0003 于 2026-01-26 的盘点（盘点编号 {number}）"
    assert words in detail and words in cell
