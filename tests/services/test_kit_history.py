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
from dispensary.services import kit_history, quarantine, temperature
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


def test_no_such_kit(ctx: Context, monitor: Actor) -> None:
    with pytest.raises(NotFound):
        kit_history.kit_history(ctx, monitor, "K9999")
