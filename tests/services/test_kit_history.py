"""A kit's history from its records (the Inventory screen's kit history): receipt, quarantines
with their reasons and excursions, releases with the sponsor's reference, dispenses and voids,
returns, counts, destruction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

import signed
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import NotFound
from dispensary.i18n import Language, speaking
from dispensary.services import counts, kit_history, quarantine, temperature
from dispensary.services.context import Actor, Context, FixedClock

from .helpers import receive
from .test_quarantine import LOG

Password = Callable[[Actor], str]


@pytest.mark.usefixtures("busy")  # helpers.busy_pharmacy\'s month of work
def test_a_dispensed_returned_and_destroyed_kit(ctx: Context, monitor: Actor) -> None:
    history = kit_history.kit_history(ctx, monitor, "k0011")
    assert history.kit == "K0011" and history.status is KitStatus.DESTROYED
    assert [e.what for e in history.events] == [
        "Received",
        "Dispensed",
        "Returned",
        "Return corrected",
        "Destroyed",
    ]
    dispensed = history.events[1]
    assert dispensed.detail.startswith("DSP000001: participant 01-001, cycle 1, ")
    assert history.events[3].detail == "3 tablets counted back."
    assert "incineration" in history.events[-1].detail
    voided = kit_history.kit_history(ctx, monitor, "K0001").events
    assert [e.what for e in voided][:3] == ["Received", "Dispensed", "Dispense voided"]
    assert voided[2].detail == "DSP000002: wrong kit scanned"
    counted = kit_history.kit_history(ctx, monitor, "K0005").events
    assert counted[-1].what == "Physical count"
    assert counted[-1].detail == "20 counted, 21 in the book: adjusted (crushed)."


def test_quarantines_excursions_and_releases(
    ctx: Context, clock: FixedClock, pharmacist: Actor, technician: Actor, monitor: Actor
) -> None:
    clock.set_date(date(2026, 1, 3))
    receive(ctx, pharmacist, "K0001")
    quarantine.quarantine(ctx, technician, ["K0001"], "Cap seal broken.")
    clock.set_date(date(2026, 1, 6))
    [first, second] = temperature.import_logger(ctx, technician, "IP store 1", LOG, "a.csv")
    clock.set_date(date(2026, 1, 7))
    signed.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-030")
    events = kit_history.kit_history(ctx, monitor, "K0001").events
    assert [(e.what, e.detail) for e in events[1:]] == [
        ("Quarantined", "Cap seal broken."),
        (
            "Exposed to an excursion",
            f"Temperature excursion {first.excursion_id} in IP store 1 (26.5 to 27.25 °C) while "
            "quarantined already: not quarantined again.",
        ),
        (
            "Exposed to an excursion",
            f"Temperature excursion {second.excursion_id} in IP store 1 (1.5 to 1.5 °C) while "
            "quarantined already: not quarantined again.",
        ),
        ("Released", "Sponsor's decision TE-2026-030: sponsor: use"),
    ]
    assert events[1].on == date(2026, 1, 3) and events[2].on == date(2026, 1, 4)


ADJUST = {
    "reason_code": "breakage",
    "reason": "two crushed",
    "verified_by": "pharm",
    "verifier_password": "pharm-pass-1",
}


@pytest.mark.usefixtures("stock")
def test_an_open_count_adjusted_by_the_record_that_followed_it(
    ctx: Context, clock: FixedClock, technician: Actor, monitor: Actor, pw: Password
) -> None:
    """The open count's figure given again against its book with a reason code and a second
    person is written as that count's adjustment (count_adjusted, adjustment_of): the history
    says so, not "Physical count" twice, the first "not adjusted". A count that differs again
    (K0002) stays a count of its own."""
    first = counts.record_count(ctx, technician, "K0001", 19, pw(technician))
    assert first.open
    clock.set_date(date(2026, 1, 7))
    counts.record_count(ctx, technician, "K0001", 19, pw(technician), expected_book=21, **ADJUST)
    events = kit_history.kit_history(ctx, monitor, "K0001").events
    assert [(e.what, e.detail, e.by) for e in events[1:]] == [
        (
            "Physical count",
            "19 counted, 21 in the book: adjusted on 2026-01-07 by the record that followed it.",
            "Tom Tech",
        ),
        (
            "Count difference adjusted",
            "-2 tablets, reason breakage: two crushed; verified by Paula Pharm; adjusting the "
            "count of 2026-01-05.",
            "Tom Tech",
        ),
    ]
    assert events[2].on == date(2026, 1, 7)
    with speaking(Language.ZH_CN):
        chinese = kit_history.kit_history(ctx, monitor, "K0001").events
    assert [(e.what, e.detail) for e in chinese[1:]] == [
        ("实物盘点", "盘点 19，账面 21：已于 2026-01-07 由其后的记录调整。"),
        (
            "盘点差异已调整",
            "-2 片，原因“破损：two crushed”，由 Paula Pharm 核对；调整的是 2026-01-05 的盘点。",
        ),
    ]
    counts.record_count(ctx, technician, "K0002", 19, pw(technician))
    counts.record_count(ctx, technician, "K0002", 20, pw(technician), expected_book=21, **ADJUST)
    recounted = kit_history.kit_history(ctx, monitor, "K0002").events
    assert [(e.what, e.detail) for e in recounted[1:]] == [
        ("Physical count", "19 counted, 21 in the book: not adjusted."),
        ("Physical count", "20 counted, 21 in the book: adjusted (two crushed)."),
    ]


def test_no_such_kit(ctx: Context, monitor: Actor) -> None:
    with pytest.raises(NotFound):
        kit_history.kit_history(ctx, monitor, "K9999")
