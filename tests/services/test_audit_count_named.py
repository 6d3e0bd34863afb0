"""A count's entry names the earlier count it followed (`recount_of`) or adjusted
(`adjustment_of`) by the count row's number alone: the audit trail read "Adjustment of the
count: 4812", which no inspector can place. The trail (its report's PDF, the window) names that
count by its kit and the day it was counted, with its number, in the reader's language; the
CSV and `audit list --json` carry the kit and day beside the stored number, as they carry a
return's kit, dispense and participant."""

from __future__ import annotations

import json
from collections.abc import Callable

from dispensary.services import audit, counts
from dispensary.services.context import Actor, Context

from .conftest import Stock
from .helpers import adjust_count, read_audit_trail

Password = Callable[[Actor], str]


def test_the_count_an_entry_follows_or_adjusts_is_named_by_its_kit_and_day(
    ctx: Context, stock: Stock, technician: Actor, monitor: Actor, pw: Password
) -> None:
    first = counts.record_count(ctx, technician, "K0001", 20, pw(technician))
    adjusted = adjust_count(ctx, technician, pw(technician), "K0001", 20, 21, first)
    opened = counts.record_count(ctx, technician, "K0002", 20, pw(technician))
    again = counts.record_count(ctx, technician, "K0002", 19, pw(technician))
    assert again.recount_of == opened.count_id

    found = {e.entry.id: e for e in audit.export_entries(ctx, monitor)}
    by_new = {
        key: e
        for e in found.values()
        for key in ("adjustment_of", "recount_of")
        if json.loads(e.entry.new or "{}").get(key) is not None
    }
    adjustment, recount = by_new["adjustment_of"], by_new["recount_of"]
    assert json.loads(adjustment.entry.new)["adjustment_of"] == first.count_id
    # The kind, the kit and day, then the entry that recorded the count (test_audit_referred_entry)
    assert adjustment.entry.referred[:3] == ("count", "K0001", "2026-01-05")
    assert (adjustment.count_kit, adjustment.count_on) == ("K0001", "2026-01-05")
    assert recount.entry.referred[:3] == ("count", "K0002", "2026-01-05")
    assert adjusted.count_id != first.count_id
    blind = [
        e
        for e in found.values()
        if e.entry.action == "count" and json.loads(e.entry.new)["recount_of"] is None
    ]
    assert blind and all(e.entry.referred == () and e.count_kit == "" for e in blind)

    trail = read_audit_trail(ctx, monitor)
    text = trail.english
    assert (
        "Adjustment of the count: count of kit K0001 on 2026-01-05 "
        f"(count number {first.count_id}, entry No. {adjustment.entry.referred[3]})"
    ) in text
    assert (
        "Recount of: count of kit K0002 on 2026-01-05 "
        f"(count number {opened.count_id}, entry No. {recount.entry.referred[3]})" in text
    )
    assert f"Adjustment of the count: {first.count_id};" not in text
    row = trail.rows[str(adjustment.entry.id)]
    assert (row["count_kit"], row["count_on"]) == ("K0001", "2026-01-05")
    assert json.loads(row["new"])["adjustment_of"] == first.count_id  # as stored
    chinese = "".join(trail.chinese.split())  # a line broken in the PDF reads with a space
    assert f"药盒K0001于2026-01-05的盘点（盘点编号{first.count_id}，条目编号" in chinese
    assert f"药盒K0002于2026-01-05的盘点（盘点编号{opened.count_id}，条目编号" in chinese
