"""A void puts the kits back on the shelf: refused once a later cycle was dispensed, and after
the dispense's day only with every kit scanned as back in the pharmacy (review of returns,
corrections and voids, finding 4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import RuleViolation
from dispensary.services import dispensing, queries
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .helpers import dispense

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def test_a_void_the_day_of_the_dispense_needs_no_scan(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    check = dispensing.check_void(ctx, pharmacist, cycle1.number)
    assert (check.days, check.kits_to_scan, check.kits) == (0, False, ("K0011",))
    dispensing.void_dispense(ctx, pharmacist, cycle1.number, "wrong participant", pw(pharmacist))
    assert queries.kit_detail(ctx, pharmacist, "K0011").status is KitStatus.AVAILABLE


def test_a_kit_scanned_back_the_day_of_the_dispense_is_checked_all_the_same(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """No scan is needed the day of the dispense, but a kit scanned then (`void --kit-back`)
    was ignored: `--kit-back K9999` voided DSP000001 and put K0011 back in stock, as though the
    kit in the pharmacist's hand were the dispense's. A kit not of the dispense is refused."""
    with refused(ctx, RuleViolation, "The kits scanned (K0012) are not the kits of DSP000001"):
        dispensing.check_void(ctx, pharmacist, cycle1.number, ["K0012"])
    with refused(ctx, RuleViolation, "The kits scanned (K9999) are not the kits of DSP000001"):
        dispensing.void_dispense(ctx, pharmacist, cycle1.number, "error", pw(pharmacist), ["K9999"])
    assert queries.kit_detail(ctx, pharmacist, "K0011").status is KitStatus.DISPENSED
    dispensing.void_dispense(ctx, pharmacist, cycle1.number, "error", pw(pharmacist), ["k0011"])
    assert queries.kit_detail(ctx, pharmacist, "K0011").status is KitStatus.AVAILABLE


def test_a_void_after_the_day_needs_every_kit_scanned_back(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    clock.set_date(date(2026, 1, 23))
    check = dispensing.check_void(ctx, pharmacist, cycle1.number)
    assert (check.dispensed_on, check.days, check.kits_to_scan) == (date(2026, 1, 5), 18, True)
    with refused(
        ctx,
        RuleViolation,
        "was made on 2026-01-05, 18 days ago: its kits may have left the pharmacy with 01-001",
    ) as found:
        dispensing.void_dispense(ctx, pharmacist, cycle1.number, "error", pw(pharmacist))
    assert "--kit-back KIT" in found.value.message and "record a return" in found.value.message
    with refused(ctx, RuleViolation, "The kits scanned (K0012) are not the kits of DSP000001"):
        dispensing.void_dispense(ctx, pharmacist, cycle1.number, "error", pw(pharmacist), ["K0012"])
    assert queries.kit_detail(ctx, pharmacist, "K0011").status is KitStatus.DISPENSED
    dispensing.void_dispense(ctx, pharmacist, cycle1.number, "error", pw(pharmacist), ["k0011 "])
    assert queries.kit_detail(ctx, pharmacist, "K0011").status is KitStatus.AVAILABLE


def test_a_void_is_refused_once_a_later_cycle_was_dispensed(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    clock.set_date(date(2026, 1, 26))
    second = dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        cycle=2,
        override_reason="bottle forgotten at home",
        overrides=["previous_return_missing"],
    )
    words = (
        "Dispense DSP000001 (cycle 1) cannot be voided: 01-001 has been dispensed cycle 2 since "
        f"({second.number})"
    )
    with refused(ctx, RuleViolation, words):
        dispensing.check_void(ctx, pharmacist, cycle1.number)
    with refused(ctx, RuleViolation, words):
        dispensing.void_dispense(ctx, pharmacist, cycle1.number, "error", pw(pharmacist), ["K0011"])
    assert dispensing.check_void(ctx, pharmacist, second.number).days == 0
