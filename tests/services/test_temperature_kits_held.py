"""A new excursion names every kit that was in the store during it, those already in
quarantine too: a kit quarantined for an earlier excursion (or by hand, for another reason)
was left out of the new excursion's result, its audit entry and its window, so the sponsor and
the monitor were not told it was exposed again. It is named, marked as quarantined already, and
not quarantined a second time."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

from dispensary import reports
from dispensary.services import audit, quarantine, report_data, temperature
from dispensary.services.context import Actor, Context, FixedClock
from reports.pdfread import pdf_pages_text

from .conftest import Stock
from .helpers import scalar


def warm(start: str, end: str) -> str:
    """A logger file: 22 °C, then 30 °C from `start` to `end` (UTC), then 22 °C again."""
    return (
        "timestamp,celsius\n"
        f"{start[:11]}00:00:00+00:00,22.0\n{start},30.0\n{end},30.0\n{end[:11]}23:00:00+00:00,22.0\n"
    )


def quarantine_events(ctx: Context, kit: str) -> int:
    return int(
        scalar(
            ctx,
            "select count(*) from quarantine_events q join kits k on k.id = q.kit_id "
            f"where k.number = '{kit}' and q.action = 'quarantine'",
        )
    )


def test_kits_quarantined_already_are_named_by_the_new_excursion_not_quarantined_again(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
) -> None:
    clock.current = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)
    quarantine.quarantine(ctx, pharmacist, ["K0020"], "box crushed in transit")
    first = temperature.import_logger_file(
        ctx, pharmacist, "IP store 1", warm("2026-01-06T10:00:00", "2026-01-06T11:00:00")
    )
    [one] = [e for e in first.excursions if e.study == ctx.study.protocol]
    shelf = sorted({*stock.late, *stock.early, *stock.small} - {"K0020"})
    assert sorted(one.kits_quarantined) == shelf
    assert one.kits_already_quarantined == ("K0020",)

    clock.current = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    second = temperature.import_logger_file(
        ctx, pharmacist, "IP store 1", warm("2026-01-09T10:00:00", "2026-01-09T11:00:00")
    )
    [two] = [e for e in second.excursions if e.study == ctx.study.protocol]
    assert two.kits_quarantined == ()
    assert sorted(two.kits_already_quarantined) == sorted([*shelf, "K0020"])
    assert [quarantine_events(ctx, k) for k in ("K0001", "K0020")] == [1, 1]

    said = temperature.gone_notices(two, "IP store 1")
    assert said[0] == (
        "Kits in IP store 1 during this excursion that were quarantined already: "
        f"{', '.join(sorted([*shelf, 'K0020']))}. Not quarantined again; tell the sponsor they "
        "were exposed to this excursion too."
    )
    [entry] = [
        x
        for x in audit.list_entries(ctx, pharmacist, action="temperature_excursion")
        if x.entity_id == str(two.excursion_id)
    ]
    assert json.loads(entry.new)["kits"] == []
    assert sorted(json.loads(entry.new)["kits_already_quarantined"]) == sorted([*shelf, "K0020"])
    assert audit.verify(ctx, pharmacist).ok

    rows = {r.excursion_id: r for r in report_data.excursions(ctx, pharmacist)}
    assert rows[one.excursion_id].kits_held == ("K0020",)
    assert sorted(rows[two.excursion_id].kits_held) == sorted([*shelf, "K0020"])
    pack = report_data.monitor_pack(ctx, pharmacist, date(2026, 1, 1), date(2026, 1, 10))
    meta = report_data.report_meta(ctx, pharmacist)
    text = " ".join(
        " ".join(pdf_pages_text(reports.monitor_pack_pdf(meta, ctx.study, pack))).split()
    )
    assert "quarantined already: K0020" in text, text
    assert "-; quarantined already: K0001-K0020, S0001-S0004 (24 kits)" in text, text
