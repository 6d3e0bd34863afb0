"""Issue 12 follow-ups: a kit not brought back and a held period, where returns are reported
(the returns log of the monitor pack, the participant report, the pack's open items): "not
brought back" never reads as "0 returned = all taken"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from dispensary import reports
from dispensary.reports.csvfile import read_rows
from dispensary.services import report_data, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from reports.pdfread import pdf_pages_text

Password = Callable[[Actor], str]


def _flat(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_pages_text(pdf)).replace("\u00a0", " ").split())


def test_a_kit_not_brought_back_is_said_so_wherever_returns_are_reported(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 26))
    returns.record_return(
        ctx,
        pharmacist,
        cycle1.kits[0].kit,
        0,
        pw(pharmacist),
        dispense=cycle1.number,
        outcome="not_brought_back",
    )
    meta = report_data.report_meta(ctx, pharmacist)
    [row] = report_data.returns_log(ctx, pharmacist)
    assert row.not_brought_back
    csv = read_rows(reports.returns_csv(meta, [row], ctx.study))
    assert csv[0]["outcome"] == "not_brought_back"

    report = report_data.participant_report(ctx, pharmacist, "01-001")
    [history] = report.history
    assert history.unaccounted == 21
    text = _flat(reports.participant_pdf(meta, ctx.study, report))
    assert "0 + 21 not brought back" in text
    assert "not brought back: unaccounted for" in text  # the kit-by-kit returns
    assert "unknown" in text  # taken: never "21" nor "0"
    rows = read_rows(reports.participant_csv(meta, report))
    assert (rows[0]["not_brought_back"], rows[0]["taken"]) == ("21", "")

    pack = report_data.monitor_pack(ctx, pharmacist, date(2026, 1, 1), date(2026, 1, 31))
    [flag] = [i for i in pack.open_items if i.kind == "Unexplained adherence flag"]
    assert "21 tablets not brought back (unaccounted for, not counted as taken)" in flag.detail
    assert "taken 0" not in flag.detail
    pack_text = _flat(reports.monitor_pack_pdf(meta, ctx.study, pack))
    assert "not brought back: unaccounted for" in pack_text


def test_a_held_period_is_reported_with_its_dates_and_who_ordered_it(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 26))
    returns.record_return(
        ctx,
        pharmacist,
        cycle1.kits[0].kit,
        5,
        pw(pharmacist),
        dispense=cycle1.number,
        held_from=date(2026, 1, 21),
        held_until=date(2026, 1, 25),
        held_ordered_by="Dr Liu",
    )
    meta = report_data.report_meta(ctx, pharmacist)
    [row] = report_data.returns_log(ctx, pharmacist)
    assert (row.held_days, row.held_from, row.held_until) == (
        5,
        date(2026, 1, 21),
        date(2026, 1, 25),
    )
    held = "5 days, 2026-01-21 to 2026-01-25, ordered by Dr Liu"
    report = report_data.participant_report(ctx, pharmacist, "01-001")
    assert held in _flat(reports.participant_pdf(meta, ctx.study, report))
    pack = report_data.monitor_pack(ctx, pharmacist, date(2026, 1, 1), date(2026, 1, 31))
    assert held in _flat(reports.monitor_pack_pdf(meta, ctx.study, pack))
    [line] = read_rows(reports.returns_csv(meta, [row], ctx.study))
    assert (line["held_from"], line["held_until"], line["held_ordered_by"]) == (
        "2026-01-21",
        "2026-01-25",
        "Dr Liu",
    )
