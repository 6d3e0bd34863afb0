"""The supply forecast against cases worked by hand (the arithmetic in each test's comment).

Common figures: the forecast starts Monday 2026-03-02; cycles of 21 days, 21 days of supply,
an expiry margin of 7 days, so a kit handed out for a day 1 D must not expire before
D + 20 + 7 = D + 27 days; 7.5 mg kits of 21 tablets, 2.5 mg kits of 42; a lead time of 14
days. Weeks: week 1 = 03-02..03-08, week 2 = 03-09.., week 4 = 03-23.., week 6 = 04-06..,
week 7 = 04-13.., week 8 = 04-20..04-26.

The simulation against the real dispensing service is tests/services/test_forecast.py.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.forecast import (
    Course,
    Forecast,
    SupplyRules,
    expected_enrolment,
    forecast,
)
from dispensary.domain.regimen import kits_needed
from dispensary.domain.rules import (
    KitCandidate,
    choose_fefo,
    effective_status,
    least_usable_tablets,
    supply_cover_until,
    usable_kits,
)

P75 = "p7.5"
P25 = "p2.5"
START = date(2026, 3, 2)
LATE = date(2027, 1, 31)
RULES = SupplyRules(
    cycle_length_days=21,
    days_of_supply=21,
    expiry_margin_days=7,
    tablets_per_kit={P75: 21, P25: 42},
    lead_time_days=14,
)
FULL = {P75: 21}  # 7.5 mg once daily for 21 days


def kit(
    number: str,
    expiry: date = LATE,
    product: str = P75,
    tablets: int = 21,
    lot: str = "L1",
    status: KitStatus = KitStatus.AVAILABLE,
) -> KitCandidate:
    return KitCandidate(number, product, lot, expiry, status, tablets)


def shelf(count: int, product: str = P75, tablets: int = 21) -> list[KitCandidate]:
    return [kit(f"K{n:03d}", product=product, tablets=tablets) for n in range(1, count + 1)]


def column(result: Forecast, name: str, product: str = P75) -> list[int]:
    return [getattr(row, name) for row in result.product_rows(product)]


def test_one_participant() -> None:
    # Day 1s 03-02 (week 1), 03-23 (week 4), 04-13 (week 7); 04-27 is past the 8 weeks.
    # Two kits: week 1 takes one (2 on hand -> 1), week 4 the other (1 -> 0), week 7 finds
    # none: short by ceil(21/21) = 1 kit. Order by 04-13 - 14 days = 03-30.
    result = forecast([Course("01-001", START, FULL)], shelf(2), RULES, START, 8)
    assert column(result, "tablets_needed") == [21, 0, 0, 21, 0, 0, 21, 0]
    assert column(result, "kits_needed") == [1, 0, 0, 1, 0, 0, 1, 0]
    assert column(result, "kits_on_hand") == [2, 1, 1, 1, 0, 0, 0, 0]
    assert column(result, "kits_short") == [0, 0, 0, 0, 0, 0, 1, 0]
    first = result.first_short
    assert first is not None and (first.week, first.start) == (7, date(2026, 4, 13))
    [order] = result.resupply
    assert (order.product, order.kits, order.tablets) == (P75, 1, 21)
    assert order.order_by == date(2026, 3, 30) and not order.late
    assert result.unused == ()
    assert [c.kits for c in result.cycles] == [("K001",), ("K002",), ()]


def test_staggered_participants() -> None:
    # A from 03-02, B from 03-09, C from 03-16, 21 days apart each:
    #   A 03-02 (w1) 03-23 (w4) 04-13 (w7); B 03-09 (w2) 03-30 (w5) 04-20 (w8);
    #   C 03-16 (w3) 04-06 (w6) [04-27 is past week 8].
    # Five kits cover weeks 1-5; week 6 (04-06) is short, and weeks 7 and 8 too: 3 kits.
    # Order by 04-06 - 14 = 03-23.
    courses = [
        Course("A", START, FULL),
        Course("B", date(2026, 3, 9), FULL),
        Course("C", date(2026, 3, 16), FULL),
    ]
    result = forecast(courses, shelf(5), RULES, START, 8)
    assert column(result, "kits_needed") == [1] * 8
    assert column(result, "kits_on_hand") == [5, 4, 3, 2, 1, 0, 0, 0]
    assert column(result, "kits_short") == [0, 0, 0, 0, 0, 1, 1, 1]
    assert result.first_short is not None and result.first_short.week == 6
    [order] = result.resupply
    assert (order.kits, order.first_short, order.order_by) == (
        3,
        date(2026, 4, 6),
        date(2026, 3, 23),
    )


def test_a_dose_reduction_takes_whole_kits_of_the_other_strength() -> None:
    # A reduced to 5 mg: 2 x 2.5 mg a day x 21 days = 42 tablets = 1 kit of 42.
    # B reduced to 2.5 mg: 1 x 2.5 mg x 21 = 21 tablets, and still 1 whole kit (kits are not
    # split: ceil(21/42) = 1). Both from 03-02: week 1 needs 63 tablets in 2 kits, which the
    # two 2.5 mg kits cover; week 4 (03-23) the same 63 tablets, 2 kits short. Week 7 again.
    # No 7.5 mg is needed, though 7.5 mg kits stand on the shelf.
    courses = [Course("A", START, {P25: 42}), Course("B", START, {P25: 21})]
    stock = [*shelf(2, P25, 42), kit("F001"), kit("F002")]
    result = forecast(courses, stock, RULES, START, 8)
    assert column(result, "tablets_needed", P25) == [63, 0, 0, 63, 0, 0, 63, 0]
    assert column(result, "kits_needed", P25) == [2, 0, 0, 2, 0, 0, 2, 0]
    assert column(result, "kits_short", P25) == [0, 0, 0, 2, 0, 0, 2, 0]
    assert column(result, "kits_needed", P75) == [0] * 8
    assert column(result, "kits_on_hand", P75) == [2] * 8
    [order] = result.resupply
    assert (order.product, order.kits, order.tablets) == (P25, 4, 126)
    assert order.order_by == date(2026, 3, 9)  # 03-23 - 14


def test_a_kit_expiring_mid_cycle_is_not_handed_out() -> None:
    # K-EARLY expires 03-25: a cycle from 03-02 must last until 03-02 + 27 = 03-29, so the
    # counter refuses it and takes K-LATE. Cycle 2 (03-23) needs a kit lasting to 04-19:
    # nothing is left that does (K-EARLY still on hand on 03-23, unexpired but unusable), so
    # week 4 is short by 1 although the shelf shows 1 kit. K-EARLY expires unused; the last
    # day 1 it could have served is 03-25 - 27 days = 02-26.
    stock = [kit("K-EARLY", date(2026, 3, 25), lot="L0"), kit("K-LATE")]
    result = forecast([Course("A", START, FULL)], stock, RULES, START, 4)
    assert [c.kits for c in result.cycles] == [("K-LATE",), ()]
    assert column(result, "kits_on_hand") == [2, 1, 1, 1]
    assert column(result, "kits_short") == [0, 0, 0, 1]
    # Of those on hand, none is usable from week 2: K-EARLY expires before any cycle starting
    # in a week would end (week 1: a cycle from 03-08 lasts to 04-04; K-LATE is usable).
    assert column(result, "kits_usable") == [1, 0, 0, 0]
    [unused] = result.unused
    assert (unused.number, unused.lot, unused.expiry) == ("K-EARLY", "L0", date(2026, 3, 25))
    assert unused.last_day1 == date(2026, 2, 26)
    assert supply_cover_until(unused.last_day1, 21, 7) == unused.expiry  # the counter's rule
    [order] = result.resupply
    assert order.order_by == date(2026, 3, 9)  # 03-23 - 14


def test_a_delayed_cycle_moves_the_short_week() -> None:
    # On time (next day 1 03-02): 03-02, 03-23, 04-13 -> two kits run out in week 7 (04-13).
    # Delayed a week (the investigator moved day 1 to 03-09): 03-09, 03-30, 04-20 -> week 8.
    # Overdue (day 1 was due 02-23, not dispensed yet): dispensed on 03-02 at the earliest,
    # then 03-23 and 04-13 -> week 7, as on time.
    on_time = forecast([Course("A", START, FULL)], shelf(2), RULES, START, 8)
    delayed = forecast([Course("A", date(2026, 3, 9), FULL)], shelf(2), RULES, START, 8)
    overdue = forecast([Course("A", date(2026, 2, 23), FULL)], shelf(2), RULES, START, 8)
    assert on_time.first_short is not None and on_time.first_short.week == 7
    assert delayed.first_short is not None and delayed.first_short.week == 8
    assert [c.day1 for c in delayed.cycles] == [
        date(2026, 3, 9),
        date(2026, 3, 30),
        date(2026, 4, 20),
    ]
    assert [c.day1 for c in overdue.cycles] == [START, date(2026, 3, 23), date(2026, 4, 13)]


def test_cycles_left_and_enrolment_to_come() -> None:
    # A has 1 cycle left (03-02 only). Two participants to enrol, the first on 03-16, the
    # next 14 days later (03-30): new-1 03-16 (w3), 04-06 (w6); new-2 03-30 (w5), 04-20 (w8).
    # Three kits: w1, w3, w5 covered; w6 and w8 short.
    courses = [Course("A", START, FULL, cycles_left=1)]
    courses += expected_enrolment(date(2026, 3, 16), 2, 14, FULL)
    result = forecast(courses, shelf(3), RULES, START, 8)
    assert column(result, "kits_needed") == [1, 0, 1, 0, 1, 1, 0, 1]
    assert column(result, "kits_short") == [0, 0, 0, 0, 0, 1, 0, 1]
    assert [c.participant for c in result.cycles] == ["A", "new-1", "new-2", "new-1", "new-2"]


def test_unavailable_and_partial_kits() -> None:
    # A quarantined kit is not stock; an expired one neither. A partial kit of 20 cannot
    # cover 21 tablets: first expiry first takes P1 (20) and F1 (21), then puts P1 back since
    # F1 alone covers 21 (as the counter does). Cycle 2 finds P1's 20 tablets: week 4 short.
    stock = [
        kit("Q1", status=KitStatus.QUARANTINED),
        kit("X1", date(2026, 3, 1)),
        kit("P1", date(2026, 12, 31), tablets=20),
        kit("F1"),
    ]
    result = forecast([Course("A", START, FULL)], stock, RULES, START, 4)
    assert column(result, "kits_on_hand") == [2, 1, 1, 1]
    assert [c.kits for c in result.cycles] == [("F1",), ()]
    assert column(result, "kits_short") == [0, 0, 0, 1]


def test_the_horizon_is_checked() -> None:
    for weeks in (0, -1, 157):
        with pytest.raises(InvalidInput, match="weeks ahead"):
            forecast([], [], RULES, START, weeks)


def test_the_shelf_covers_everything() -> None:
    result = forecast([Course("A", START, FULL)], shelf(4), RULES, START, 8)
    assert result.first_short is None and result.resupply == ()
    # One kit left after 3 cycles, lasting long past the horizon: not "unused".
    assert result.unused == ()


def _whole_shelf(
    courses: list[Course], stock: list[KitCandidate], rules: SupplyRules, weeks: int
) -> list[tuple[str, date, str, tuple[str, ...], int]]:
    """Every cycle played as the counter plays it, choose_fefo asked of the whole shelf each
    time: what the forecast's ordered shelf must give."""
    left = [
        k
        for k in stock
        if k.tablets > 0 and effective_status(k.status, k.expiry, START) is KitStatus.AVAILABLE
    ]
    end = START + timedelta(weeks=weeks)
    due = sorted(
        (day1, c.participant, product, tablets)
        for c in courses
        for day1 in (
            c.next_day1 + timedelta(days=rules.cycle_length_days * n) for n in range(weeks)
        )
        if START <= day1 < end
        for product, tablets in c.tablets.items()
        if tablets > 0
    )
    played = []
    for day1, who, product, tablets in due:
        cover = supply_cover_until(day1, rules.days_of_supply, rules.expiry_margin_days)
        try:
            picked = choose_fefo(left, product, tablets, cover, day1)
        except RuleViolation:
            short = kits_needed(tablets, rules.tablets_per_kit[product])
            played.append((who, day1, product, (), short))
            continue
        left = [k for k in left if k not in picked]
        played.append((who, day1, product, tuple(k.number for k in picked), 0))
    return played


def test_each_cycle_takes_what_choose_fefo_takes_from_the_whole_shelf() -> None:
    """The forecast keeps each product's shelf in FEFO order and shows choose_fefo only the
    first kits that cover a cycle: the kits taken (and the cycles left short) are those of
    choose_fefo asked of the whole shelf, with kits expired, expiring too soon, part-used,
    quarantined and of several lots mixed in."""
    chance = random.Random(15)
    stock = [
        kit(
            f"K{n:04d}",
            expiry=date(2026, 3, 1 + chance.randrange(28)).replace(month=chance.choice([3, 4, 6])),
            product=chance.choice([P75, P75, P25]),
            tablets=chance.choice([0, 7, 20, 21, 21, 42]),
            lot=chance.choice(["L1", "L2", "L10"]),
            status=chance.choice([KitStatus.AVAILABLE] * 5 + [KitStatus.QUARANTINED]),
        )
        for n in range(400)
    ]
    chance.shuffle(stock)
    courses = [
        Course(
            f"01-{n:03d}",
            date(2026, 3, 2 + chance.randrange(20)),
            {P75: chance.choice([21, 42, 63]), P25: chance.choice([0, 21, 84])},
        )
        for n in range(60)
    ]
    result = forecast(courses, stock, RULES, START, 10)
    played = [(c.participant, c.day1, c.product, c.kits, c.kits_short) for c in result.cycles]
    assert played == _whole_shelf(courses, stock, RULES, 10)
    on_shelf = [
        k
        for k in stock
        if k.tablets > 0 and effective_status(k.status, k.expiry, START) is KitStatus.AVAILABLE
    ]
    for row in result.rows:  # the kits left at the week's start that last into it
        gone = {n for c in result.cycles if c.day1 < row.start for n in c.kits}
        assert row.kits_on_hand == sum(
            1
            for k in on_shelf
            if k.product == row.product and k.expiry >= row.start and k.number not in gone
        )
    assert any(c.kits_short for c in result.cycles) and any(len(c.kits) > 1 for c in result.cycles)


def test_kits_on_hand_that_expire_too_soon_are_not_usable() -> None:
    # 5 kits of L0 expiring 03-30 and 1 of L1 (2027). A cycle must last 27 days from its day
    # 1, so no cycle from 03-03 on can take an L0 kit: usable is the L1 kit alone, in every
    # week until it is taken. Week 3 (03-16..03-22): its two cycles take the L1 kit and are
    # short of one. "On hand 6, short 1" read as a contradiction; "usable 1" of the 6 says
    # why. Week 4: the 5 L0 kits still on hand (unexpired until 03-30), none usable.
    stock = [kit(f"K-L0-{n}", date(2026, 3, 30), lot="L0") for n in range(5)] + [kit("K-L1")]
    courses = [Course("A", date(2026, 3, 16), FULL), Course("B", date(2026, 3, 18), FULL)]
    result = forecast(courses, stock, RULES, START, 4)
    assert column(result, "kits_on_hand") == [6, 6, 6, 5]
    assert column(result, "kits_usable") == [1, 1, 1, 0]
    assert column(result, "kits_needed") == [0, 0, 2, 0]
    assert column(result, "kits_short") == [0, 0, 1, 0]


def test_usable_is_what_the_week_s_cycles_can_be_given() -> None:
    """Each week's usable kits are those its cycles take and, in a week that is not short, the
    whole kits left that rules.usable_kits gives a cycle starting on its last day (the latest
    cover of the week), a kit counted usable serving every cycle of the week. So a short week
    is short of its kits needed less its kits usable, and a covered week needs no more kits
    than are usable, with kits expiring too soon and part-used kits on the shelf."""
    chance = random.Random(29)
    stock = [
        kit(
            f"K{n:04d}",
            expiry=START + timedelta(days=chance.randrange(120)),
            product=chance.choice([P75, P25]),
            tablets=chance.choice([0, 7, 20, 21, 21, 42]),
            lot=chance.choice(["L1", "L2"]),
            status=chance.choice([KitStatus.AVAILABLE] * 5 + [KitStatus.QUARANTINED]),
        )
        for n in range(200)
    ]
    courses = [
        Course(f"01-{n:03d}", START + timedelta(days=chance.randrange(21)), {P75: 21, P25: 42})
        for n in range(40)
    ]
    result = forecast(courses, stock, RULES, START, 10)
    for row in result.rows:
        week = [
            c
            for c in result.cycles
            if c.product == row.product and row.start <= c.day1 < row.start + timedelta(days=7)
        ]
        taken = sum(len(c.kits) for c in week)
        assert row.kits_needed == taken + row.kits_short
        assert row.kits_usable <= row.kits_on_hand
        if row.short:
            assert row.kits_usable == taken
            assert row.kits_short == row.kits_needed - row.kits_usable
            continue
        gone = {n for c in result.cycles if c.day1 < row.start + timedelta(days=7) for n in c.kits}
        left = [k for k in stock if k.number not in gone]
        last = row.start + timedelta(days=6)
        cover = supply_cover_until(last, RULES.days_of_supply, RULES.expiry_margin_days)
        usable = usable_kits(left, row.product, cover, row.start)
        whole = [k for k in usable if k.tablets >= RULES.tablets_per_kit[k.product]]
        assert row.kits_usable == taken + len(whole) >= row.kits_needed
    assert any(r.kits_usable < r.kits_on_hand for r in result.rows)
    assert any(r.short for r in result.rows) and any(not r.short and r.cycles for r in result.rows)
    # Part-used kits taken together for a cycle of one kit's tablets.
    assert any(len(c.kits) > 1 for c in result.cycles if c.product == P75)


def test_a_part_used_kit_too_small_for_a_cycle_is_not_usable() -> None:
    # The review's figures: two whole kits and a part-used kit of 20 (a breakage count), for
    # cycles of 21. Week 1: A and B take the whole kits; C (03-04) finds the kit of 20 alone
    # and is short of a new kit. Weeks 2 and 4: the kit of 20 still on hand, no cycle can be
    # given it. It read "needed 3, usable 3, short 1" and "needed 2, usable 1, short 2":
    # short must be needed less usable.
    stock = [kit("F1"), kit("F2"), kit("P1", tablets=20)]
    courses = [
        Course("A", START, FULL),
        Course("B", date(2026, 3, 3), FULL),
        Course("C", date(2026, 3, 4), FULL),
        Course("D", date(2026, 3, 9), FULL),
    ]
    result = forecast(courses, stock, RULES, START, 4)
    assert column(result, "kits_on_hand") == [3, 1, 1, 1]
    assert column(result, "kits_needed") == [3, 1, 0, 3]
    assert column(result, "kits_usable") == [2, 0, 0, 0]
    assert column(result, "kits_short") == [1, 1, 0, 3]
    for row in result.rows:
        if row.short:
            assert row.kits_short == row.kits_needed - row.kits_usable
    # Taken with another part-used kit (20 + 7 tablets for 21), a part-used kit is usable.
    stock = [kit("P1", date(2026, 12, 1), tablets=20), kit("P2", tablets=7)]
    result = forecast([Course("A", START, {P75: 21})], stock, RULES, START, 1)
    [row, _other] = result.rows
    assert [c.kits for c in result.cycles] == [("P1", "P2")]
    assert (row.kits_needed, row.kits_usable, row.kits_short) == (2, 2, 0)
    # A kit holding fewer than the study's kit size but a whole cycle (25 of 42 tablets of
    # 2.5 mg, for cycles of 21) serves a cycle alone: usable in a week that is not short.
    stock = [kit("Q1", date(2027, 6, 1), P25, tablets=25), kit("Q2", product=P25, tablets=42)]
    result = forecast([Course("A", START, {P25: 21})], stock, RULES, START, 1)
    [_p75, p25] = result.rows
    assert (p25.kits_needed, p25.kits_usable, p25.kits_short) == (1, 2, 0)


BID = "p50"
BID_RULES = SupplyRules(
    cycle_length_days=28,
    days_of_supply=28,
    expiry_margin_days=7,
    tablets_per_kit={BID: 60},
)


def test_full_kits_are_usable_for_a_cycle_of_more_than_one_kit() -> None:
    # DEMO-28D-BID: 100 mg twice daily, 112 tablets a cycle, bottles of 60, so each cycle
    # takes two. Two participants, day 1s 03-16 (week 3) and 03-18; 20 full bottles, and two
    # part-used ones expiring first (December): one of 20 (with two full bottles, these
    # cover without it: choose_fefo puts it back) and one of 55 (with one full bottle it
    # makes 115: the first cycle takes it, and one full bottle less). Usable in each week,
    # none short: the full bottles and the 55, never the 20 (it read 0 usable, or in week 3
    # the 4 taken).
    stock = [kit(f"F{n:02d}", product=BID, tablets=60) for n in range(20)] + [
        kit("P20", date(2026, 12, 1), BID, tablets=20),
        kit("P55", date(2026, 12, 15), BID, tablets=55),
    ]
    courses = [Course("11-001", date(2026, 3, 16), {BID: 112})]
    courses.append(Course("11-002", date(2026, 3, 18), {BID: 112}))
    result = forecast(courses, stock, BID_RULES, START, 4)
    assert column(result, "kits_on_hand", BID) == [22, 22, 22, 18]
    assert column(result, "kits_needed", BID) == [0, 0, 4, 0]
    assert column(result, "kits_usable", BID) == [21, 21, 21, 17]
    assert column(result, "kits_short", BID) == [0, 0, 0, 0]
    assert [c.kits for c in result.cycles] == [("P55", "F00"), ("F01", "F02")]
    assert least_usable_tablets([112], 60) == 52
