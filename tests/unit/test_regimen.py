"""Regimen arithmetic: tablets per day, kits, the last day of supply, days on treatment."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dispensary.domain.regimen import (
    DoseComponent,
    DoseLevel,
    ReturnDayAllowance,
    ReturnDayWithheld,
    days_on_treatment,
    kits_needed,
    last_day_of_supply,
    return_day_allowance,
    return_day_units,
    tablets_needed,
)

FULL = DoseLevel(0, "7.5 mg once daily", 1, (DoseComponent("p7.5", 1),))
REDUCED = DoseLevel(-1, "5 mg once daily", 1, (DoseComponent("p2.5", 2),))
MIXED = DoseLevel(1, "10 mg twice daily", 2, (DoseComponent("p7.5", 1), DoseComponent("p2.5", 1)))
DAY1 = date(2026, 1, 5)


def test_tablets_per_day_counts_doses_and_components() -> None:
    assert FULL.tablets_per_day("p7.5") == 1
    assert REDUCED.tablets_per_day("p2.5") == 2
    assert REDUCED.tablets_per_day("p7.5") == 0
    assert MIXED.tablets_per_day("p7.5") == 2
    assert MIXED.tablets_per_day("p2.5") == 2
    assert MIXED.products == ("p7.5", "p2.5")


def test_tablets_needed_for_a_cycle() -> None:
    assert tablets_needed(FULL, "p7.5", 21) == 21
    assert tablets_needed(REDUCED, "p2.5", 21) == 42
    assert tablets_needed(MIXED, "p2.5", 21) == 42


def test_whole_kits_cover_the_supply() -> None:
    assert kits_needed(0, 21) == 0
    assert kits_needed(21, 21) == 1
    assert kits_needed(22, 21) == 2
    assert kits_needed(42, 42) == 1


@given(st.integers(1, 10_000), st.integers(1, 500))
def test_kits_needed_is_the_smallest_cover(tablets: int, per_kit: int) -> None:
    kits = kits_needed(tablets, per_kit)
    assert kits * per_kit >= tablets
    assert (kits - 1) * per_kit < tablets


def test_last_day_of_supply_counts_day1() -> None:
    assert last_day_of_supply(DAY1, 21) == date(2026, 1, 25)
    assert last_day_of_supply(DAY1, 1) == DAY1


def test_days_on_treatment() -> None:
    # A return on day 1 of the next cycle covers the whole supply.
    assert days_on_treatment(DAY1, DAY1 + timedelta(days=21), 21, 0) == 21
    assert days_on_treatment(DAY1, DAY1 + timedelta(days=30), 21, 0) == 21
    assert days_on_treatment(DAY1, DAY1 + timedelta(days=15), 21, 0) == 15
    # Days the investigator held the drug are not expected doses.
    assert days_on_treatment(DAY1, DAY1 + timedelta(days=21), 21, 5) == 16
    assert days_on_treatment(DAY1, DAY1 + timedelta(days=3), 21, 5) == 0
    assert days_on_treatment(DAY1, DAY1 - timedelta(days=2), 21, 0) == 0
    assert days_on_treatment(DAY1, DAY1 + timedelta(days=21), 21, -4) == 21


@given(st.integers(-40, 80), st.integers(1, 60), st.integers(-5, 70))
def test_days_on_treatment_stays_within_the_supply(elapsed: int, supply: int, held: int) -> None:
    days = days_on_treatment(DAY1, DAY1 + timedelta(days=elapsed), supply, held)
    assert 0 <= days <= supply
    assert days <= max(0, elapsed)


def test_doses_on_a_day_say_how_the_days_units_are_split() -> None:
    """A capsule twice daily on days 1-14 beside a tablet once daily: on day 1 the capsule is
    2 doses of 1 (its day's 2, tablets_needed for one day), on day 15 not taken at all."""
    two = DoseLevel(
        0,
        "capsule twice daily days 1-14 with a tablet daily",
        1,
        (DoseComponent("capsule", 1, 2, 1, 14), DoseComponent("tablet", 1, 1)),
    )
    assert two.doses_on("capsule", 1) == ((2, 1),)
    assert two.doses_on("capsule", 15) == ()
    assert two.doses_on("tablet", 15) == ((1, 1),)
    assert tablets_needed(two, "capsule", 1, from_day=1) == 2
    assert MIXED.doses_on("p2.5", 3) == ((2, 1),)  # the level's frequency
    both = DoseLevel(1, "mixed", 1, (DoseComponent("p", 2, 2), DoseComponent("p", 1, 1)))
    assert both.doses_on("p", 1) == ((2, 2), (1, 1))
    assert sum(times * units for times, units in both.doses_on("p", 1)) == tablets_needed(
        both, "p", 1
    )


def test_parts_of_one_frequency_are_never_added_into_one_dose() -> None:
    """1 tablet once daily and 2 tablets once daily are two doses the file gives, not one dose
    of 3 (the diary's Take column says them as the directions do)."""
    parts = DoseLevel(1, "parts", 1, (DoseComponent("p", 1, 1), DoseComponent("p", 2, 1)))
    assert parts.doses_on("p", 1) == ((1, 1), (1, 2))
    assert tablets_needed(parts, "p", 1) == 3


BID = DoseLevel(0, "200 mg twice daily", 2, (DoseComponent("c100", 2),))
TWO_DRUGS = DoseLevel(
    0,
    "capsule twice daily on days 1-14, tablet once daily",
    1,
    (DoseComponent("cap", 1, doses_per_day=2, last_day=14), DoseComponent("tab", 1)),
)


def test_return_day_units_once_daily_evening_is_none() -> None:
    """The first dose the evening of day 1 ([cycle] return_day_doses 0, NCT07198672): the
    return day is no dosing day, the figures as they always were."""
    for offset in (0, 14, 20, 21, 30):
        returned = DAY1 + timedelta(days=offset)
        assert return_day_units(FULL, "p7.5", DAY1, returned, 21, 1, 0) == 0
    assert days_on_treatment(DAY1, DAY1 + timedelta(days=21), 21, 0) == 21
    assert tablets_needed(FULL, "p7.5", 21) == 21


def test_return_day_units_twice_daily_morning_start() -> None:
    """The first dose the morning of day 1 (return_day_doses 1): a return on day 15 comes
    after that day's morning dose, 2 capsules of 14 days' 56 expected."""
    returned = DAY1 + timedelta(days=14)  # day 15
    days = days_on_treatment(DAY1, returned, 28, 0)
    assert (days, tablets_needed(BID, "c100", days)) == (14, 56)
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 1) == 2
    # Both doses of the day at most, whatever the file says; none after the supply's last day
    # (the next cycle's day 1 is the next supply's) or before the start.
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 3) == 4
    assert return_day_units(BID, "c100", DAY1, DAY1 + timedelta(days=28), 28, 1, 1) == 0
    assert return_day_units(BID, "c100", DAY1, DAY1 - timedelta(days=1), 28, 1, 1) == 0
    assert return_day_units(BID, "c100", DAY1, DAY1, 28, 1, 1) == 2  # back on day 1 itself
    # A supply started on cycle day 3 (dispensed late): its day 15 is the 13th from the start.
    assert return_day_units(BID, "c100", DAY1, DAY1 + timedelta(days=12), 26, 3, 1) == 2
    # Each part its own day's doses: the capsule ends on day 14, the tablet is taken daily.
    assert return_day_units(TWO_DRUGS, "cap", DAY1, DAY1 + timedelta(days=13), 21, 1, 1) == 1
    assert return_day_units(TWO_DRUGS, "cap", DAY1, DAY1 + timedelta(days=14), 21, 1, 1) == 0
    assert return_day_units(TWO_DRUGS, "tab", DAY1, DAY1 + timedelta(days=14), 21, 1, 1) == 1


def test_return_day_units_none_when_the_drug_is_held_on_the_return_day() -> None:
    """Held by the investigator from day 12 to day 15, back on day 15: a dose taken that
    morning was taken while held (over-use during a hold), no return-day allowance. A hold
    that ended the day before leaves the morning dose to the participant."""
    returned = DAY1 + timedelta(days=14)  # day 15
    held = DAY1 + timedelta(days=14)
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 1, held_until=held) == 0
    day_before = returned - timedelta(days=1)
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 1, held_until=day_before) == 2
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 1, held_until=None) == 2


def test_return_day_units_none_when_use_stops_before_the_return() -> None:
    """Discontinued effective day 10, the kit back on day 20: use is counted up to day 10, not
    the return day, and a dose after stopping is over-use (the allowance landed on day 10)."""
    stopped = DAY1 + timedelta(days=9)  # day 10
    returned = DAY1 + timedelta(days=19)  # day 20
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 1, counted_to=stopped) == 0
    assert return_day_units(BID, "c100", DAY1, stopped, 28, 1, 1, counted_to=stopped) == 2
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 1, counted_to=returned) == 2


def test_return_day_units_none_when_days_held_are_given_without_dates() -> None:
    """3 days held given as a number only (an older return, no dates), back on day 15: the
    hold may have covered the return day, so its morning dose is not assumed taken as
    directed (no allowance, and why). Held days with dates ending before it keep it."""
    returned = DAY1 + timedelta(days=14)  # day 15
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 1, held_days=3) == 0
    assert return_day_allowance(
        BID, "c100", DAY1, returned, 28, 1, 1, held_days=3
    ) == ReturnDayAllowance(0, ReturnDayWithheld.HELD_UNDATED, 2)
    day_before = returned - timedelta(days=1)
    assert (
        return_day_units(BID, "c100", DAY1, returned, 28, 1, 1, held_days=3, held_until=day_before)
        == 2
    )
    # A study without return-day doses has nothing to withhold, nor anything to say.
    assert (
        return_day_allowance(FULL, "p7.5", DAY1, returned, 21, 1, 0, held_days=3)
        == ReturnDayAllowance()
    )


def test_return_day_units_none_when_treatment_is_left_on_the_return_day() -> None:
    """Discontinued effective day 15 (the first day off treatment: no dose expected on it), the
    kits back that day: use is counted up to day 15, yet a dose that morning was taken after
    stopping: no allowance. Leaving the day after keeps it."""
    returned = DAY1 + timedelta(days=14)  # day 15
    assert return_day_allowance(
        BID, "c100", DAY1, returned, 28, 1, 1, counted_to=returned, left_on=returned
    ) == ReturnDayAllowance(0, ReturnDayWithheld.LEFT_TREATMENT, 2)
    later = returned + timedelta(days=1)
    assert return_day_units(BID, "c100", DAY1, returned, 28, 1, 1, left_on=later) == 2
    assert (
        return_day_allowance(BID, "c100", DAY1, returned, 28, 1, 1, held_until=returned).withheld
        is ReturnDayWithheld.HELD
    )
    assert (
        return_day_allowance(
            BID, "c100", DAY1, returned, 28, 1, 1, counted_to=DAY1 + timedelta(days=9)
        ).withheld
        is ReturnDayWithheld.STOPPED
    )
