"""An entry naming an earlier count (`recount_of`, `adjustment_of`) or the return a correction
replaces (`corrects`) read "count of kit K5010 on 2026-12-05 (count number 3)": an inspector
could not follow it in the trail, whose "No." holds audit entry numbers, where the count's own
entry never shows its count number, and a count of the 5th may be recorded on the 6th. The
trail (the PDF, the window) also names the audit entry that recorded that count or return, the
one whose facts list its row (found among the entries of that kit or return alone), by the
word the trail's first column is headed by (English "No.", Chinese 编号, in the window as in
the PDF)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from dispensary.services import audit, counts, returns
from dispensary.services.context import Actor, Context, FixedClock

from .conftest import CorrectedReturn, Stock
from .helpers import adjust_count, read_audit_trail

Password = Callable[[Actor], str]
SHOTS = Path("/tmp/fix-words6-shots")  # the PDFs written there to look at, when it exists


def _squeezed(text: str) -> str:
    return "".join(text.split())  # a Chinese line broken in the PDF reads with a space


def test_the_count_an_entry_names_is_named_with_the_entry_that_recorded_it(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    technician: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    # Counted on the 6th, recorded on the 7th: the day counted is not the day of its entry.
    clock.set_date(date(2026, 1, 7))
    first = counts.record_count(
        ctx, technician, "K0001", 20, pw(technician), counted_on=date(2026, 1, 6)
    )
    [recorded] = audit.list_entries(ctx, monitor, action="count", kit="K0001")
    counts.record_count(ctx, technician, "K0002", 20, pw(technician))  # another kit's count
    clock.set_date(date(2026, 1, 8))
    adjust_count(ctx, technician, pw(technician), "K0001", 20, 21, first)
    assert recorded.at.date() == date(2026, 1, 7)

    found = {e.entry.id: e for e in audit.export_entries(ctx, monitor)}
    [adjustment] = [e for e in found.values() if e.entry.action == "count_adjusted"]
    assert json.loads(adjustment.entry.new)["adjustment_of"] == first.count_id
    assert adjustment.entry.referred == ("count", "K0001", "2026-01-06", str(recorded.id))
    assert (adjustment.count_kit, adjustment.count_on) == ("K0001", "2026-01-06")

    trail = read_audit_trail(ctx, monitor)
    assert (
        "Adjustment of the count: count of kit K0001 on 2026-01-06 "
        f"(count number {first.count_id}, entry No. {recorded.id})"
    ) in trail.english
    row = trail.rows[str(adjustment.entry.id)]  # the CSV as it was
    assert (row["count_kit"], row["count_on"]) == ("K0001", "2026-01-06")
    chinese = _squeezed(trail.chinese)
    if SHOTS.is_dir():
        (SHOTS / "count-zh.pdf").write_bytes(trail.chinese_pdf)
    assert (
        f"药盒K0001于2026-01-06的盘点（盘点编号{first.count_id}，条目编号{recorded.id}）" in chinese
    )
    assert "编号时间（UTC）" in chinese, chinese[:600]  # the column the entry is found by


def test_the_return_a_correction_replaces_is_named_with_the_entry_that_recorded_it(
    ctx: Context, corrected_return: CorrectedReturn, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    kit, number = corrected_return.kit, corrected_return.dispense
    first, fixed = corrected_return.first, corrected_return.fixed
    [recorded] = audit.list_entries(ctx, monitor, action="return")
    [corrected_entry] = audit.list_entries(ctx, monitor, action="return_corrected")
    returns.correct_return(ctx, pharmacist, fixed.return_id, 5, "recounted again", pw(pharmacist))

    found = {e.entry.id: e for e in audit.export_entries(ctx, monitor)}
    by_corrected = {
        json.loads(e.entry.new)["corrects"]: e
        for e in found.values()
        if e.entry.action == "return_corrected"
    }
    person = (kit, number, "01-001")
    assert by_corrected[first.return_id].entry.referred == ("return", *person, str(recorded.id))
    # A correction of a correction: the return it replaces was recorded by the first correction.
    assert by_corrected[fixed.return_id].entry.referred == (
        "return",
        *person,
        str(corrected_entry.id),
    )

    trail = read_audit_trail(ctx, monitor)
    assert (
        f"Corrects: Return {first.return_id} ({kit}, {number}, 01-001, entry No. {recorded.id})"
    ) in trail.english
    assert (
        f"Corrects: Return {fixed.return_id} ({kit}, {number}, 01-001, "
        f"entry No. {corrected_entry.id})"
    ) in trail.english
    chinese = _squeezed(trail.chinese)
    assert (
        f"更正对象：退回{first.return_id}（{kit}，{number}，01-001，条目编号{recorded.id}）"
    ) in chinese
