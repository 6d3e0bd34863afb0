"""Rules at the counter, each a typed refusal whose message says what to do."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import (
    KitCandidate,
    check_count,
    check_day1_near,
    check_eligibility,
    check_interval,
    check_kit_dispensable,
    check_next_cycle,
    check_not_future,
    check_return_quantity,
    check_scanned_cover,
    check_text,
    choose_fefo,
    effective_status,
    normalise_initials,
    normalise_kit_number,
    normalise_study_number,
)

TODAY = date(2026, 1, 5)
COVER = date(2026, 2, 1)


def says(error: type[Exception], words: str) -> pytest.RaisesExc[Exception]:
    """pytest.raises for an error whose message holds these exact words."""
    return pytest.raises(error, match=re.escape(words))


def kit(
    number: str = "K1",
    expiry: date = date(2027, 1, 1),
    status: KitStatus = KitStatus.AVAILABLE,
    product: str = "p7.5",
    tablets: int = 21,
    lot: str = "L1",
) -> KitCandidate:
    return KitCandidate(number, product, lot, expiry, status, tablets)


def test_a_kit_past_expiry_on_the_shelf_reads_expired() -> None:
    assert effective_status(KitStatus.AVAILABLE, TODAY - timedelta(days=1), TODAY) is (
        KitStatus.EXPIRED
    )
    assert effective_status(KitStatus.QUARANTINED, date(2025, 1, 1), TODAY) is KitStatus.EXPIRED
    assert effective_status(KitStatus.AVAILABLE, TODAY, TODAY) is KitStatus.AVAILABLE
    assert effective_status(KitStatus.DISPENSED, date(2025, 1, 1), TODAY) is KitStatus.DISPENSED


def test_kit_numbers_as_scanners_and_typists_give_them() -> None:
    assert normalise_kit_number("  k0001\n") == "K0001"
    assert normalise_kit_number("AB-12.x_3") == "AB-12.X_3"
    for bad in ("", "K 1", "-K1", "K0001\x00", "É1", "K" * 41):
        with pytest.raises(InvalidInput, match="is not a kit number"):
            normalise_kit_number(bad)
    with pytest.raises(InvalidInput) as info:
        normalise_kit_number("K\x1b[2J")
    assert "\x1b" not in info.value.message and "K?[2J" in info.value.message


def test_study_numbers_and_initials() -> None:
    assert normalise_study_number(" 01-001 ") == "01-001"
    with pytest.raises(InvalidInput, match="is not a participant study number"):
        normalise_study_number("01 001")
    assert normalise_initials(" a.b. ") == "AB"
    assert normalise_initials("A B C") == "ABC"
    for bad in ("A", "ABCDE", "A1", "Ann Berry", ""):
        with pytest.raises(InvalidInput, match="are not initials"):
            normalise_initials(bad)


def test_free_text() -> None:
    assert check_text("  broken seal ", "reason") == "broken seal"
    assert check_text("", "note", required=False) == ""
    assert check_text("a\tb", "note") == "a\tb"
    with pytest.raises(InvalidInput, match="Give the reason"):
        check_text("   ", "reason")
    with pytest.raises(InvalidInput, match="keep it under 10"):
        check_text("x" * 11, "reason", limit=10)
    with pytest.raises(InvalidInput, match="control characters"):
        check_text("a\nb", "reason")
    with pytest.raises(InvalidInput, match="control characters"):
        check_text("a\x7fb", "reason")


def test_counts() -> None:
    assert check_count(0, "count") == 0
    with pytest.raises(InvalidInput, match="cannot be negative"):
        check_count(-1, "count")
    with pytest.raises(InvalidInput, match="more than 100000"):
        check_count(100_001, "count")
    with pytest.raises(InvalidInput, match="whole number"):
        check_count(True, "count")
    with pytest.raises(InvalidInput, match="whole number"):
        check_count(2.5, "count")  # type: ignore[arg-type]


def test_dates_not_in_the_future() -> None:
    assert check_not_future(TODAY, TODAY, "date") == TODAY
    with pytest.raises(InvalidInput, match="2026-01-06 is in the future"):
        check_not_future(TODAY + timedelta(days=1), TODAY, "date")
    with pytest.raises(InvalidInput, match="before 2000"):
        check_not_future(date(1999, 12, 31), TODAY, "date")


def test_eligibility() -> None:
    check_eligibility(2008, "F", TODAY, 18, "F")  # 18 this year
    with pytest.raises(RuleViolation, match="may be under 18"):
        check_eligibility(2009, "F", TODAY, 18, "F")
    with pytest.raises(RuleViolation, match="admit sex 'F' only"):
        check_eligibility(1970, "M", TODAY, 18, "F")
    check_eligibility(1970, "M", TODAY, 18, "ALL")
    with pytest.raises(InvalidInput, match="Year of birth 2027 is not possible"):
        check_eligibility(2027, "F", TODAY, 18, "F")
    with pytest.raises(InvalidInput, match="Year of birth 1899"):
        check_eligibility(1899, "F", TODAY, 18, "F")


def test_next_cycle_only() -> None:
    check_next_cycle(1, None, 0)
    check_next_cycle(4, 3, 0)
    with pytest.raises(RuleViolation, match="Cycle 2 is not the next cycle: dispense cycle 1"):
        check_next_cycle(2, None, 0)
    with says(RuleViolation, "Cycle 3 has already been dispensed. The next cycle"):
        check_next_cycle(3, 3, 0)
    with pytest.raises(RuleViolation, match="the last dispensed cycle is 3"):
        check_next_cycle(2, 3, 0)
    with pytest.raises(RuleViolation, match="not the next cycle: dispense cycle 4"):
        check_next_cycle(5, 3, 0)
    with pytest.raises(RuleViolation, match="at most 6 cycles"):
        check_next_cycle(7, 6, 6)


def test_minimum_interval_since_previous_day1() -> None:
    enrolled = date(2026, 1, 2)
    check_interval(TODAY, None, 18, enrolled)
    check_interval(TODAY + timedelta(days=18), TODAY, 18, enrolled)
    with pytest.raises(RuleViolation, match=r"only 17 days after .* from 2026-01-23"):
        check_interval(TODAY + timedelta(days=17), TODAY, 18, enrolled)
    with pytest.raises(InvalidInput, match="before enrolment"):
        check_interval(date(2026, 1, 1), None, 18, enrolled)


def test_day1_near_the_dispense_date() -> None:
    check_day1_near(TODAY + timedelta(days=7), TODAY)
    check_day1_near(TODAY - timedelta(days=7), TODAY)
    with pytest.raises(InvalidInput, match="more than 7 days from the dispense date"):
        check_day1_near(TODAY + timedelta(days=8), TODAY)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (KitStatus.QUARANTINED, "is quarantined: release it first"),
        (KitStatus.DISPENSED, "has already been dispensed"),
        (KitStatus.RETURNED, "Returned tablets are never dispensed again"),
        (KitStatus.DESTROYED, "has been destroyed"),
    ],
)
def test_only_available_kits_are_dispensed(status: KitStatus, words: str) -> None:
    with pytest.raises(RuleViolation, match=rf"Kit K1 is {status.value}\. .*{re.escape(words)}"):
        check_kit_dispensable(kit(status=status), "p7.5", COVER, TODAY)


def test_scanned_kit_product_and_expiry() -> None:
    check_kit_dispensable(kit(expiry=COVER), "p7.5", COVER, TODAY)
    with says(RuleViolation, "is expired. It has expired"):
        check_kit_dispensable(kit(expiry=TODAY - timedelta(days=1)), "p7.5", COVER, TODAY)
    with says(RuleViolation, "holds p2.5, but this dose needs p7.5"):
        check_kit_dispensable(kit(product="p2.5"), "p7.5", COVER, TODAY)
    with pytest.raises(RuleViolation, match="expires 2026-01-31, before the supply must last"):
        check_kit_dispensable(kit(expiry=COVER - timedelta(days=1)), "p7.5", COVER, TODAY)


def test_fefo_takes_the_earliest_expiry_that_lasts() -> None:
    kits = [
        kit("K1", date(2027, 6, 1)),
        kit("K2", date(2026, 3, 1)),
        kit("K3", date(2026, 1, 31)),  # expires before the supply must last
        kit("K4", date(2026, 2, 1), status=KitStatus.QUARANTINED),
        kit("K5", date(2026, 2, 1), product="p2.5"),
        kit("K6", date(2026, 2, 1), tablets=0),
        kit("K7", date(2026, 12, 1)),
    ]
    assert [k.number for k in choose_fefo(kits, "p7.5", 21, COVER, TODAY)] == ["K2"]
    assert [k.number for k in choose_fefo(kits, "p7.5", 42, COVER, TODAY)] == ["K2", "K7"]
    with says(RuleViolation, "Not enough p7.5 in stock: 64 tablets needed, 63 av"):
        choose_fefo(kits, "p7.5", 64, COVER, TODAY)


def test_fefo_breaks_expiry_ties_by_lot_then_kit() -> None:
    same_day = date(2026, 6, 1)
    kits = [
        kit("K9", same_day, lot="B"),
        kit("K8", same_day, lot="A"),
        kit("K7", same_day, lot="B"),
    ]
    assert [k.number for k in choose_fefo(kits, "p7.5", 42, COVER, TODAY)] == ["K8", "K7"]


candidates = st.lists(
    st.builds(
        kit,
        number=st.text("ABCDEFGHK0123456789", min_size=1, max_size=6),
        expiry=st.dates(date(2025, 12, 1), date(2027, 12, 31)),
        status=st.sampled_from(list(KitStatus)),
        product=st.sampled_from(["p7.5", "p2.5"]),
        tablets=st.integers(0, 42),
        lot=st.sampled_from(["L1", "L2", "L3"]),
    ),
    max_size=15,
    unique_by=lambda k: k.number,
)


@given(candidates, st.integers(1, 100))
def test_fefo_properties(kits: list[KitCandidate], needed: int) -> None:
    def usable(k: KitCandidate) -> bool:
        return (
            k.product == "p7.5"
            and effective_status(k.status, k.expiry, TODAY) is KitStatus.AVAILABLE
            and k.expiry >= COVER
            and k.tablets > 0
        )

    try:
        chosen = choose_fefo(kits, "p7.5", needed, COVER, TODAY)
    except RuleViolation:
        assert sum(k.tablets for k in kits if usable(k)) < needed
        return
    assert all(usable(k) for k in chosen)
    assert sum(k.tablets for k in chosen) >= needed
    assert sum(k.tablets for k in chosen[:-1]) < needed  # no kit more than needed
    expiries = [k.expiry for k in chosen]
    assert expiries == sorted(expiries)
    left_out = [k for k in kits if usable(k) and k not in chosen]
    assert all(k.expiry >= chosen[-1].expiry for k in left_out)  # first expiry, first out


def test_scanned_kits_must_cover_the_cycle() -> None:
    check_scanned_cover([kit(tablets=21)], "p7.5", 21)
    with says(RuleViolation, "hold 20 tablets of p7.5; 21 are needed"):
        check_scanned_cover([kit(tablets=20), kit("K2", product="p2.5")], "p7.5", 21)


def test_returns_cannot_exceed_what_was_dispensed() -> None:
    check_return_quantity(21, 21, 0, "K1")
    check_return_quantity(5, 21, 16, "K1")
    with pytest.raises(RuleViolation, match="only 5 of the 21 dispensed are unaccounted for"):
        check_return_quantity(6, 21, 16, "K1")
    with pytest.raises(InvalidInput, match="cannot be negative"):
        check_return_quantity(-1, 21, 0, "K1")
