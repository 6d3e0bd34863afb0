"""The audit screen names the count an adjustment adjusted by its kit and the day it was
counted, with its number, not the count row's bare number: "Adjustment of the count: 4812"
told an inspector nothing (services.audit.list_entries reads the count row; the words are
audit_actions.referred_shown's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.services import counts
from dispensary.ui.audit_view import NEW_VALUES, AuditScreen
from dispensary.ui.forms import select_where

SHOTS = Path("/tmp/fix-words6-shots")


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


def _shown(qtbot: Any, pharmacy: Pharmacy, shot: str) -> tuple[str, str, int, str]:
    """The adjustment's entry (detail, New values cell), the "No." of the entry in the same
    window that recorded the open count it adjusted (K0003's last count before it), and the
    header of the column that number is in."""
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    [row] = [r for r in screen.model.rows if r.action == "count_adjusted"]
    assert "adjustment_of" in json.loads(row.new)
    recorded = max(
        r.id
        for r in screen.model.rows
        if r.action == "count" and r.entity_id == "K0003" and r.id < row.id
    )
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.id == row.id)
    at = screen.model.index(screen.model.rows.index(row), NEW_VALUES)
    if SHOTS.is_dir():
        screen.resize(1500, 800)
        screen.grab().save(str(SHOTS / f"{shot}.png"))
    header = str(screen.model.headerData(0, Qt.Orientation.Horizontal))
    return screen.detail.toPlainText(), str(screen.model.data(at)), recorded, header


def test_the_adjusted_count_is_named_by_its_kit_and_day(qtbot: Any, pharmacy: Pharmacy) -> None:
    number = _adjusted_open_count(pharmacy)
    detail, cell, recorded, header = _shown(qtbot, pharmacy, "count-adjusted-en")
    assert header == "No."
    # The count named with the entry that recorded it, by the window's "No." column.
    words = (
        "Adjustment of the count: count of kit K0003 on 2026-01-26 "
        f"(count number {number}, entry No. {recorded})"
    )
    assert f"  {words}\n" in detail
    assert words in cell
    assert f"Adjustment of the count: {number}\n" not in detail


def test_the_adjusted_count_is_named_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    number = _adjusted_open_count(pharmacy)
    detail, cell, recorded, header = _shown(qtbot, pharmacy, "count-adjusted-zh")
    assert header == "编号"  # the word the entry is named by, as the audit report PDF heads it
    words = (
        f"所调整的盘点：药盒 K0003 于 2026-01-26 的盘点（盘点编号 {number}，条目编号 {recorded}）"
    )
    assert words in detail and words in cell


def test_the_entry_is_headed_in_chinese_by_the_word_of_its_column(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    """The detail's heading said 记录 17 while the table's column of the same number is headed
    编号 (and an entry referred to is 条目编号 17): one word for the entry's number."""
    _adjusted_open_count(pharmacy)
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    row = screen.model.rows[0]
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.id == row.id)
    assert str(screen.model.headerData(0, Qt.Orientation.Horizontal)) == "编号"
    heading = screen.detail.toPlainText().splitlines()[0]
    assert heading.startswith(f"条目编号 {row.id}，"), heading


def _count_entry_shown(qtbot: Any, pharmacy: Pharmacy, shot: str) -> tuple[str, str, int]:
    """The open count's own entry (detail, New values cell) and its count number."""
    number = _adjusted_open_count(pharmacy)
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    [row] = [
        r
        for r in screen.model.rows
        if r.action == "count" and json.loads(r.new).get("count_number") == number
    ]
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.id == row.id)
    at = screen.model.index(screen.model.rows.index(row), NEW_VALUES)
    if SHOTS.is_dir():
        screen.resize(1500, 800)
        screen.grab().save(str(SHOTS / f"{shot}.png"))
    return screen.detail.toPlainText(), str(screen.model.data(at)), number


def test_a_counts_own_entry_shows_its_count_number(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The adjustment names "count number N"; the count's own entry said no number."""
    detail, cell, number = _count_entry_shown(qtbot, pharmacy, "count-own-number-en")
    assert f"  Count number: {number}\n" in detail
    assert f"Count number: {number}" in cell


def test_a_counts_own_entry_shows_its_count_number_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    detail, cell, number = _count_entry_shown(qtbot, pharmacy, "count-own-number-zh")
    assert f"盘点编号：{number}" in detail and f"盘点编号：{number}" in cell
