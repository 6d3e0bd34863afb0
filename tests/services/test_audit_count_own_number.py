"""A count's own audit entry showed no count number, while a later recount or adjustment names
it "count of kit K0001 on 2026-01-06 (count number 1, entry No. 11)": an inspector reading the
later entry could not tell which "Physical count" entry was count number 1 where a kit was
counted twice on a day. Each count's entry records its own number (`count_number`), shown as
"Count number" (盘点编号, the word the referring entry uses) in the audit report's PDF, in
English and Chinese; the CSV and `audit list --json` carry it in the values, as stored."""

from __future__ import annotations

import json
from collections.abc import Callable

from dispensary.services import audit, counts
from dispensary.services.context import Actor, Context

from .conftest import Stock
from .helpers import adjust_count, read_audit_trail

Password = Callable[[Actor], str]


def _squeezed(text: str) -> str:
    return "".join(text.split())  # a Chinese line broken in the PDF reads with a space


def test_a_counts_own_entry_shows_the_number_later_entries_name_it_by(
    ctx: Context, stock: Stock, technician: Actor, monitor: Actor, pw: Password
) -> None:
    first = counts.record_count(ctx, technician, "K0001", 20, pw(technician))  # open
    adjusted = adjust_count(ctx, technician, pw(technician), "K0001", 20, 21, first)
    matching = counts.record_count(ctx, technician, "K0002", 21, pw(technician))

    entries = {e.id: e for e in audit.list_entries(ctx, monitor, kit="K0001")}
    [opened] = [e for e in entries.values() if e.action == "count"]
    [adjusting] = [e for e in entries.values() if e.action == "count_adjusted"]
    assert json.loads(opened.new)["count_number"] == first.count_id
    assert json.loads(adjusting.new)["count_number"] == adjusted.count_id
    assert json.loads(adjusting.new)["adjustment_of"] == first.count_id
    [other] = audit.list_entries(ctx, monitor, kit="K0002", action="count")
    assert json.loads(other.new)["count_number"] == matching.count_id

    trail = read_audit_trail(ctx, monitor)
    # The adjustment names count number N, entry No. E; entry E shows count number N.
    assert f"(count number {first.count_id}, entry No. {opened.id})" in trail.english, trail.english
    assert f"Count number: {first.count_id}; Counted: 20" in trail.english
    assert f"Count number: {adjusted.count_id}; Counted: 20" in trail.english
    assert f"Count number: {matching.count_id}; Counted: 21" in trail.english
    row = trail.rows[str(opened.id)]  # the CSV: in the values, as stored
    assert json.loads(row["new"])["count_number"] == first.count_id
    chinese = _squeezed(trail.chinese)
    assert f"盘点编号：{first.count_id}" in chinese, chinese
    assert f"盘点编号{first.count_id}，条目编号{opened.id}" in chinese
