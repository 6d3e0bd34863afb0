"""A receipt entered late, or dated wrongly: a kit received into a storage area on or before the
end of an excursion on record there goes into quarantine linked to it (the assessment says so
first); a date before the study was in the pharmacy, and a kit expired by today, are refused;
a participant's number typed as a kit range is refused as the participant's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.i18n import Language, speaking
from dispensary.services import audit, queries, receiving, temperature
from dispensary.services.assessment import ReceiveCheck, ReceiveRequest
from dispensary.services.context import Actor, Context, FixedClock

from .conftest import Stock
from .helpers import LATE, P75, enroll, receive, scalar


def warm(day: str) -> str:
    """A logger file of IP store 1: 20 °C, then 31 °C from 10:00 to 11:00 UTC on `day`."""
    return (
        "timestamp,celsius\n"
        f"{day}T08:00:00+00:00,20.0\n{day}T10:00:00+00:00,31.0\n"
        f"{day}T11:00:00+00:00,31.0\n{day}T13:00:00+00:00,20.0\n"
    )


def request(kits: str, day: date, temperature_ok: bool = True) -> ReceiveRequest:
    listed = [receiving.KitIn(k, P75, "L9", LATE, 21) for k in kits.split(",")]
    return ReceiveRequest(f"SH-{kits}", listed, day, temperature_ok=temperature_ok)


def test_a_receipt_dated_before_an_excursion_on_record_goes_into_quarantine_with_it(
    ctx: Context, clock: FixedClock, stock: Stock, technician: Actor, pharmacist: Actor
) -> None:
    clock.current = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    [excursion] = [
        e
        for e in temperature.import_logger(ctx, pharmacist, "IP store 1", warm("2026-01-08"))
        if e.study == ctx.study.protocol
    ]
    # Received the day before, entered now: it was in the store during the excursion.
    found = receiving.assess_receive(ctx, technician, request("K0901", date(2026, 1, 7)))
    assert found.accepted and not found.quarantined and found.into_quarantine
    assert [e.excursion_id for e in found.excursions] == [excursion.excursion_id]
    assert [line.status for line in found.lines] == [KitStatus.QUARANTINED]
    said = receiving.excursion_notice(found.excursions, "IP store 1")
    assert said == (
        "The kits were in IP store 1 on or before the end of a temperature excursion on record "
        f"there: excursion {excursion.excursion_id} (2026-01-08 10:00 UTC to 2026-01-08 11:00 "
        f"UTC, 31-31 °C). They go into quarantine, linked to excursion "
        f"{excursion.excursion_id}, until the sponsor decides whether they may be used."
    )

    done = receiving.receive_shipment(
        ctx, technician, "SH-LATE", [found.lines[0].kit], date(2026, 1, 7)
    )
    assert done.into_quarantine and not done.quarantined
    assert [e.excursion_id for e in done.excursions] == [excursion.excursion_id]
    [kit] = [k for k in queries.inventory(ctx, technician) if k.number == "K0901"]
    assert kit.status is KitStatus.QUARANTINED
    linked = scalar(
        ctx,
        "select q.excursion_id from quarantine_events q join kits k on k.id = q.kit_id "
        "where k.number = 'K0901'",
    )
    assert linked == excursion.excursion_id
    [entry] = [
        e for e in audit.list_entries(ctx, technician, action="receive") if e.entity_id == "SH-LATE"
    ]
    assert json.loads(entry.new)["excursions"] == [excursion.excursion_id]
    assert audit.verify(ctx, technician).ok


def test_a_receipt_after_the_excursion_or_on_the_day_it_is_entered_is_available(
    ctx: Context, clock: FixedClock, stock: Stock, technician: Actor, pharmacist: Actor
) -> None:
    clock.current = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    temperature.import_logger(ctx, pharmacist, "IP store 1", warm("2026-01-08"))
    for day in (date(2026, 1, 9), date(2026, 1, 10)):
        found = receiving.assess_receive(ctx, technician, request("K0902", day))
        assert (found.excursions, found.into_quarantine) == ((), False)
    # Into another storage area: not exposed to the excursion of IP store 1.
    elsewhere = receiving.assess_receive(
        ctx,
        technician,
        ReceiveRequest(
            "SH-F", [receiving.KitIn("K0903", P75, "L9", LATE, 21)], date(2026, 1, 7), location="F2"
        ),
    )
    assert elsewhere.excursions == ()
    result = receive(ctx, technician, "K0904", "L9", LATE, received_on=date(2026, 1, 9))
    assert (result.excursions, result.quarantined) == ((), False)


def test_a_date_received_before_the_study_was_in_the_pharmacy_is_refused(
    ctx: Context, technician: Actor
) -> None:
    # No stock yet: the first shipment may be dated up to a year before the study was loaded
    # (records kept on paper); the study was loaded on 2025-06-02.
    first = receiving.assess_receive(ctx, technician, request("K0905", date(2024, 5, 31)))
    assert [r.code for r in first.refusals] == [ReceiveCheck.BEFORE_STUDY]
    assert "give a date on or after 2024-06-01" in first.refusals[0].message
    assert receiving.assess_receive(ctx, technician, request("K0905", date(2024, 6, 1))).accepted
    receive(ctx, technician, "K0001-K0002", received_on=date(2025, 3, 1))
    # Then from the first shipment on: 2019 typed for 2026 is refused, saying what to do.
    with pytest.raises(InvalidInput) as refused:
        receive(ctx, technician, "K0003", received_on=date(2019, 1, 1))
    assert refused.value.message == (
        "The date received 2019-01-01 is before NCT07198672 was in this pharmacy (from "
        "2025-03-01: the day it was loaded, or its first shipment's date if earlier). Check the "
        "date on the packing list and give a date on or after 2025-03-01. Records kept on paper "
        "before the program was used are entered from the study's first shipment, dated at most "
        "a year before the study was loaded."
    )
    assert receive(ctx, technician, "K0003", received_on=date(2025, 3, 1)).kits == ("K0003",)


def test_a_kit_expired_by_today_is_refused_though_in_date_when_received(
    ctx: Context, technician: Actor
) -> None:
    # Today is 2026-01-05: received 2025-12-01, expiring 2025-12-31.
    listed = [receiving.KitIn("K0906", P75, "L8", date(2025, 12, 31), 21)]
    found = receiving.assess_receive(
        ctx, technician, ReceiveRequest("SH-X", listed, date(2025, 12, 1))
    )
    assert [r.code for r in found.refusals] == [ReceiveCheck.EXPIRED]
    assert "expired on 2025-12-31, before today" in found.refusals[0].message
    with pytest.raises(RuleViolation):
        receiving.receive_shipment(ctx, technician, "SH-X", listed, date(2025, 12, 1))


def test_a_participant_number_typed_as_kits_is_refused_as_the_participants(
    ctx: Context, technician: Actor, pharmacist: Actor
) -> None:
    enroll(ctx, pharmacist, "01-001")
    listed = receiving.listed_kits(ctx, technician, "01-001", P75, "L9", LATE, None)
    assert [k.number for k in listed] == ["01-001"]
    found = receiving.assess_receive(ctx, technician, ReceiveRequest("SH-P", listed))
    assert [r.code for r in found.refusals] == [ReceiveCheck.PARTICIPANT_NUMBER]
    # A range written wrongly that is no participant's number is still said to be one.
    with pytest.raises(InvalidInput, match="is not a kit range"):
        receiving.listed_kits(ctx, technician, "01-002", P75, "L9", LATE, None)
    assert len(receiving.listed_kits(ctx, technician, "K0001-K0003", P75, "L9", LATE, None)) == 3


def test_the_default_condition_is_one_word_shown_in_the_readers() -> None:
    assert receiving.condition_recorded("") == receiving.INTACT == "intact"
    assert receiving.condition_recorded("box dented") == "box dented"
    with speaking(Language.ZH_CN):
        assert receiving.condition_words("intact") == "完好"
        assert receiving.condition_recorded("完好") == "intact"  # not recorded in Chinese
        assert receiving.condition_recorded(" intact ") == "intact"
        assert receiving.condition_words("外箱破损") == "外箱破损"  # typed: as typed
