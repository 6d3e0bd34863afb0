"""An excursion imported days later: the kits that were in the store during it and have been
dispensed since are named with their participants (a logger file is often read late), and a
kit received after the excursion ended, on the same day, is not quarantined for it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from dispensary import reports
from dispensary.services import audit, destruction, report_data, temperature
from dispensary.services.context import Actor, Context, FixedClock
from reports.pdfread import pdf_pages_text

from .conftest import Stock
from .helpers import WITNESSED, dispense, enroll, receive, scalar


@pytest.fixture
def henan(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's zone UTC+08:00 (Henan), as the pharmacy's workstation keeps it."""
    monkeypatch.setenv("TZ", "CST-8")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def warm(start: str, end: str) -> str:
    """A logger file: 22 °C, then 30 °C from `start` to `end` (UTC), then 22 °C again."""
    return (
        "timestamp,celsius\n"
        f"{start[:11]}00:00:00+00:00,22.0\n{start},30.0\n{end},30.0\n{end[:11]}23:00:00+00:00,22.0\n"
    )


def test_kits_dispensed_since_an_excursion_are_named_with_their_participants(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
) -> None:
    enroll(ctx, pharmacist, "01-001", "AB")
    enroll(ctx, pharmacist, "01-002", "CD")
    before = dispense(ctx, pharmacist, pw(pharmacist), "01-002")  # 5 January: before it
    clock.current = datetime(2026, 1, 7, 9, 0, tzinfo=UTC)
    after = dispense(ctx, pharmacist, pw(pharmacist), "01-001")  # 7 January: after it
    destruction.destroy(
        ctx, pharmacist, ["K0001"], "tech", "incineration", pw(pharmacist), **WITNESSED
    )
    clock.current = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    done = temperature.import_logger_file(
        ctx, pharmacist, "IP store 1", warm("2026-01-06T10:00:00", "2026-01-06T11:00:00")
    )
    [e] = [e for e in done.excursions if e.study == ctx.study.protocol]
    given = after.kits[0].kit
    assert [(k.kit, k.status, k.on, k.participant, k.initials) for k in e.kits_gone] == [
        ("K0001", "destroyed", date(2026, 1, 7), "", ""),
        (given, "dispensed", date(2026, 1, 7), "01-001", "AB"),
    ]
    assert before.kits[0].kit not in {k.kit for k in e.kits_gone}  # gone before it began
    assert given not in e.kits_quarantined and e.participants == ("01-001 AB",)
    said = temperature.gone_notices(e, "IP store 1")
    assert said[0] == (
        f"Kits in IP store 1 during this excursion and dispensed since: {given}. Tell the "
        f"sponsor and the investigator; the participants: 01-001 AB ({given}, dispensed "
        "2026-01-07)."
    )
    assert said[1] == (
        "Kits in IP store 1 during this excursion and destroyed since: K0001. Tell the sponsor."
    )
    [entry] = [
        x
        for x in audit.list_entries(ctx, pharmacist, action="temperature_excursion")
        if x.entity_id == str(e.excursion_id)
    ]
    assert json.loads(entry.new)["kits_gone"] == [
        {"kit": "K0001", "status": "destroyed", "on": "2026-01-07"},
        {
            "kit": given,
            "status": "dispensed",
            "on": "2026-01-07",
            "participant": "01-001",
            "initials": "AB",
        },
    ]
    assert audit.verify(ctx, pharmacist).ok
    [row] = report_data.excursions(ctx, pharmacist)
    assert row.kits_gone == e.kits_gone
    pack = report_data.monitor_pack(ctx, pharmacist, date(2026, 1, 1), date(2026, 1, 10))
    meta = report_data.report_meta(ctx, pharmacist)
    text = " ".join(
        " ".join(pdf_pages_text(reports.monitor_pack_pdf(meta, ctx.study, pack))).split()
    )
    assert f"{given} dispensed to 01-001 AB on 2026-01-07" in text, text
    assert "K0001 destroyed on 2026-01-07" in text


def test_a_kit_received_after_the_excursion_on_the_same_day_is_not_quarantined(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor
) -> None:
    """The stock was received on 5 January at 09:00 UTC; the excursion ended at 07:00 that day.
    Compared by the receipt's day, every kit was quarantined for it."""
    clock.current = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)
    late = receive(ctx, pharmacist, "K0101-K0102", "L1", received_on=date(2026, 1, 5))
    done = temperature.import_logger_file(
        ctx, pharmacist, "IP store 1", warm("2026-01-05T06:00:00", "2026-01-05T07:00:00")
    )
    [e] = [e for e in done.excursions if e.study == ctx.study.protocol]
    assert not set(stock.late) & set(e.kits_quarantined)
    # entered three days late: only its day is known, so it counts as there all that day
    assert e.kits_quarantined == late.kits
    assert e.quarantined_by_day == late.kits
    assert scalar(ctx, "select status from kits where number = 'K0001'") == "available"
    assert temperature.gone_notices(e, "IP store 1") == [
        "Received on the day the excursion ended, the time not recorded (the receipt was "
        "entered on a later day), so quarantined as though received before it: K0101, K0102."
    ]


class HenanClock(FixedClock):
    """The workstation's clock in Henan: today is the local day (SystemClock's date.today())."""

    def today(self) -> date:
        return self.current.astimezone().date()


@pytest.mark.usefixtures("henan")
def test_a_kit_received_early_in_the_local_day_before_an_excursion_is_quarantined(
    ctx: Context, pharmacist: Actor
) -> None:
    """Received at 03:00 on 5 January in Henan (19:00 UTC on the 4th), then 31 °C at 04:00: the
    receipt's local day (the 5th) was compared with the excursion's end as a UTC date (the 4th),
    and the kit that was there was not quarantined."""
    clock = HenanClock(datetime(2026, 1, 4, 19, 0, tzinfo=UTC))
    here = replace(ctx, clock=clock)
    kits = receive(here, pharmacist, "K0201-K0202", "L1").kits
    clock.current = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    done = temperature.import_logger_file(
        here,
        pharmacist,
        "IP store 1",
        warm("2026-01-04T20:00:00+00:00", "2026-01-04T21:00:00+00:00"),
    )
    [e] = [e for e in done.excursions if e.study == ctx.study.protocol]
    assert e.kits_quarantined == kits
    assert e.quarantined_by_day == ()  # entered as received: its time is known
