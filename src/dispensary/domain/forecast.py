"""Supply forecast: the cycles everyone on treatment (and anyone still to enrol) will start,
week by week, played against the kits on the shelf as the counter would hand them out.

Pure arithmetic, no I/O. Each cycle takes its kits with the counter's own choice
(`rules.choose_fefo`: whole kits, first expiry first out, a kit lasting until
`rules.supply_cover_until`), so a week the forecast calls short is a week a dispense would be
refused for want of stock, and a kit it calls unused is one the counter would never hand out.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dispensary.domain.errors import InvalidInput
from dispensary.domain.regimen import kits_needed
from dispensary.domain.rules import (
    KitCandidate,
    choose_fefo,
    in_stock,
    least_usable_tablets,
    supply_cover_until,
    usable_kits,
)
from dispensary.i18n import _

MAX_WEEKS = 156
"""The longest horizon asked for (three years): a sponsor plans supply a few months ahead."""

DEFAULT_WEEKS = 12
"""A quarter ahead: what a sponsor's supply manager plans a depot shipment over. Here, not in
services.forecast, so that the command line's --weeks (and its --help) loads no service."""

WEEK_DAYS = 7


def week_end(first: date, days: int = WEEK_DAYS) -> date:
    """The first day after the week (or `days`) starting on `first`, `first` counted: week 1 of
    a forecast made on a Saturday runs to the Friday. The Today screen's "due this week" ends
    there too: a participant due the next Saturday is the forecast's week 2 (it counted 8 days,
    the forecast 7, and the two figures on one screen disagreed)."""
    return first + timedelta(days=days)


@dataclass(frozen=True)
class Course:
    """One participant's treatment still to come: the next day 1, how many cycles are left
    (None: the protocol sets no limit) and the tablets of each product one cycle takes at the
    current dose."""

    participant: str
    next_day1: date
    tablets: Mapping[str, int]
    cycles_left: int | None = None


@dataclass(frozen=True)
class SupplyRules:
    """The study's figures the forecast needs (from the study file)."""

    cycle_length_days: int
    days_of_supply: int
    expiry_margin_days: int
    tablets_per_kit: Mapping[str, int]  # every product, in the study file's order
    lead_time_days: int = 0


@dataclass(frozen=True)
class PlannedCycle:
    """A cycle the forecast expects to dispense on its day 1, and the kits it takes."""

    participant: str
    day1: date
    product: str
    tablets: int
    kits: tuple[str, ...]  # kits from the shelf, first expiry first
    kits_short: int  # new kits it needs when the shelf cannot cover it (0 when covered)


@dataclass(frozen=True)
class ForecastWeek:
    """One product in one week: what the cycles starting that week take, against what is on
    the shelf when the week starts. Of the kits on hand, `kits_usable` are those the week's
    cycles can be given: the kits they take (each chosen by the counter's rule on its day 1)
    and, in a week that is not short, the whole kits left that the counter would hand out for
    a cycle starting on any day of the week (rules.usable_kits with rules.supply_cover_until
    of the week's last day). A full kit left is usable, whatever a cycle takes (kits
    combine: a cycle of 112 tablets from kits of 60 takes two). Not usable: a kit expiring
    too soon; a part-used kit no cycle takes that holds less than rules.least_usable_tablets
    (full kits serve the cycles without it); in a short week, every kit left (the
    short cycle could not be given them). So a short week's `kits_short` is
    `kits_needed - kits_usable`, and a week that is not short needs no more kits than are
    usable."""

    week: int  # 1 = the week starting on the forecast's first day
    start: date
    product: str
    cycles: int
    tablets_needed: int
    kits_needed: int  # kits from the shelf plus new kits
    kits_on_hand: int  # on the shelf at the week's start, unexpired, not yet handed out
    kits_short: int  # new kits the week needs: the shelf cannot cover these cycles
    kits_usable: int = 0  # of kits_on_hand, those the week's cycles can be given

    @property
    def short(self) -> bool:
        return self.kits_short > 0


@dataclass(frozen=True)
class UnusedKit:
    """A kit on the shelf that no forecast cycle takes and that no cycle starting after the
    horizon could take either: it will expire unused."""

    number: str
    product: str
    lot: str
    expiry: date
    last_day1: date  # the last day 1 of a cycle it could still be handed out for


@dataclass(frozen=True)
class Resupply:
    """What to order of one product to cover the horizon, and by when."""

    product: str
    kits: int
    tablets: int
    first_short: date  # start of the product's first short week
    order_by: date  # first_short minus the lead time
    late: bool  # order_by is already past: order now, and the first short week may still fall


@dataclass(frozen=True)
class Forecast:
    start: date
    weeks: int
    lead_time_days: int
    rows: tuple[ForecastWeek, ...]
    cycles: tuple[PlannedCycle, ...]
    unused: tuple[UnusedKit, ...]
    resupply: tuple[Resupply, ...]
    products: tuple[str, ...] = field(default=())
    held: tuple[KitCandidate, ...] = ()
    """Kits that would be stock but are held for a count difference (`KitCandidate.held`):
    not played against the cycles, said beside the forecast (recount them or adjust)."""

    def held_of(self, product: str) -> tuple[str, ...]:
        """The numbers of the product's kits held for a count difference."""
        return tuple(k.number for k in self.held if k.product == product)

    @property
    def end(self) -> date:
        """The first day after the horizon."""
        return self.start + timedelta(weeks=self.weeks)

    @property
    def last_day(self) -> date:
        """The horizon's last day."""
        return self.end - timedelta(days=1)

    @property
    def first_short(self) -> ForecastWeek | None:
        """The first week (any product) the shelf falls short, None when it covers it all."""
        return next((row for row in self.rows if row.short), None)

    def product_rows(self, product: str) -> tuple[ForecastWeek, ...]:
        return tuple(row for row in self.rows if row.product == product)


def check_weeks(weeks: int) -> int:
    """A horizon of whole weeks, 1 to MAX_WEEKS."""
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(
            _("Forecast 1 to {most} weeks ahead, not {weeks}.").format(most=MAX_WEEKS, weeks=weeks)
        )
    return weeks


def expected_enrolment(
    first_day1: date,
    participants: int,
    every_days: int,
    tablets: Mapping[str, int],
    cycles_left: int | None = None,
) -> tuple[Course, ...]:
    """Participants still to enrol: `participants` of them, the first starting cycle 1 on
    `first_day1`, one more every `every_days` days, at the starting dose."""
    if participants < 0 or every_days < 0:
        raise InvalidInput(
            _("The enrolment to come needs a number of participants and of days, 0 or more.")
        )
    return tuple(
        Course(f"new-{n + 1}", first_day1 + timedelta(days=n * every_days), tablets, cycles_left)
        for n in range(participants)
    )


def _planned_day1s(course: Course, rules: SupplyRules, start: date, end: date) -> Iterable[date]:
    """The day 1 of each cycle the course starts before `end`. A cycle already due is
    dispensed on the first day of the forecast at the earliest, and the next ones follow it."""
    day1 = max(course.next_day1, start)
    left = course.cycles_left
    while day1 < end and (left is None or left > 0):
        yield day1
        day1 += timedelta(days=rules.cycle_length_days)
        left = None if left is None else left - 1


def forecast(
    courses: Sequence[Course],
    stock: Sequence[KitCandidate],
    rules: SupplyRules,
    start: date,
    weeks: int,
) -> Forecast:
    """Plays every cycle of the horizon, in day-1 order, against the shelf: each takes the
    kits the counter would choose, or counts the new kits it needs when none would do."""
    check_weeks(weeks)
    end = start + timedelta(weeks=weeks)
    # By kit number (numbers are unique): a kit taken leaves at once, however long the shelf.
    # The shelf is the kits in stock (rules.in_stock): a kit held for a count difference is
    # no stock until the difference is settled, as the dispense never hands it out.
    shelf = {k.number: k for k in stock if in_stock(k, start)}
    products = tuple(rules.tablets_per_kit)
    # A kit counts as usable stock when it holds a full kit or what a cycle of the horizon
    # leaves over after its full kits (rules.least_usable_tablets: a kit of 25 for cycles of
    # 21, though the study's kits hold 30; every kit of 60 for cycles of 112).
    least = {
        p: least_usable_tablets((c.tablets.get(p, 0) for c in courses), rules.tablets_per_kit[p])
        for p in products
    }
    fefo = {p: _Fefo([k for k in shelf.values() if k.product == p], least[p]) for p in products}
    due = sorted(
        (day1, course.participant, product, tablets)
        for course in courses
        for day1 in _planned_day1s(course, rules, start, end)
        for product, tablets in course.tablets.items()
        if tablets > 0
    )
    cycles: list[PlannedCycle] = []
    rows: list[ForecastWeek] = []
    for week in range(weeks):
        first = start + timedelta(weeks=week)
        last = week_end(first)
        on_hand = {p: fefo[p].lasting(first) for p in products}
        planned = [_take(shelf, fefo, rules, *item) for item in due if first <= item[0] < last]
        cycles += planned
        cover = _week_cover(first, rules)
        for product in products:
            mine = [c for c in planned if c.product == product]
            taken = sum(len(c.kits) for c in mine)
            short = sum(c.kits_short for c in mine)
            # Left on the shelf after a short week, a kit lasting the week was there for the
            # short cycle and could not serve it; a part-used kit no cycle took, holding less
            # than rules.least_usable_tablets, is one the full kits serve the cycles without.
            # Neither is usable: short is needed less usable (a kit of 20 tablets for cycles
            # of 21 read "needed 6, usable 1, short 6").
            left = fefo[product].lasting(cover, whole=True) if not short else 0
            rows.append(
                ForecastWeek(
                    week=week + 1,
                    start=first,
                    product=product,
                    cycles=len(mine),
                    tablets_needed=sum(c.tablets for c in mine),
                    kits_needed=taken + short,
                    kits_on_hand=on_hand[product],
                    kits_short=short,
                    kits_usable=taken + left,
                )
            )
    return Forecast(
        start=start,
        weeks=weeks,
        lead_time_days=rules.lead_time_days,
        rows=tuple(rows),
        cycles=tuple(cycles),
        unused=_unused(tuple(shelf.values()), rules, end),
        resupply=_resupply(rows, cycles, rules, start),
        products=products,
        held=tuple(
            sorted(
                (k for k in stock if k.held and in_stock(replace(k, held=False), start)),
                key=lambda k: (k.product, k.number),
            )
        ),
    )


def _week_cover(first: date, rules: SupplyRules) -> date:
    """The day a kit must last until to serve a cycle starting on any day of the week from
    `first`: the counter's rule for a cycle starting on its last day (the latest cover)."""
    return supply_cover_until(
        first + timedelta(days=6), rules.days_of_supply, rules.expiry_margin_days
    )


def _fefo_key(kit: KitCandidate) -> tuple[date, str, str]:
    """The order rules.usable_kits hands kits out in (expiry, lot, kit number)."""
    return (kit.expiry, kit.lot, kit.number)


class _Fefo:
    """One product's kits on the shelf kept in first-expiry-first-out order, so that a cycle
    looks at the first few kits the counter's rule would consider, not the whole shelf."""

    CHUNK = 8  # a cycle takes a kit or two

    def __init__(self, kits: Iterable[KitCandidate], least: int) -> None:
        """`least`: the tablets a kit must hold to count as usable stock
        (rules.least_usable_tablets); one holding fewer is part-used, usable only when a
        cycle takes it with other part-used kits."""
        self.kits = sorted(kits, key=_fefo_key)
        self.keys = [_fefo_key(k) for k in self.kits]
        self.part_used = [_fefo_key(k) for k in self.kits if k.tablets < least]

    def first_covering(
        self, product: str, tablets: int, cover_until: date, today: date
    ) -> list[KitCandidate]:
        """The usable kits (rules.usable_kits) in their order, up to the first that brings
        their tablets to `tablets` (all of them when none does): all that rules.choose_fefo
        takes from, or looks at, on the whole shelf. A kit expiring before `cover_until` is
        never usable, so the walk starts at the first that does not."""
        found: list[KitCandidate] = []
        total = 0
        at = bisect_left(self.keys, (cover_until,))
        while at < len(self.kits) and total < tablets:
            for kit in usable_kits(self.kits[at : at + self.CHUNK], product, cover_until, today):
                found.append(kit)
                total += kit.tablets
                if total >= tablets:
                    break
            at += self.CHUNK
        return found

    def lasting(self, day: date, whole: bool = False) -> int:
        """How many of the kits expire on `day` or later: with `day` a cycle's cover-until
        day, the kits rules.usable_kits gives for it (the shelf holds only available kits
        with tablets, unexpired at the forecast's start). `whole`: part-used kits left out."""
        found = len(self.keys) - bisect_left(self.keys, (day,))
        if whole:
            found -= len(self.part_used) - bisect_left(self.part_used, (day,))
        return found

    def remove(self, kit: KitCandidate) -> None:
        key = _fefo_key(kit)
        at = bisect_left(self.keys, key)
        del self.kits[at], self.keys[at]
        at = bisect_left(self.part_used, key)
        if at < len(self.part_used) and self.part_used[at] == key:
            del self.part_used[at]


def _take(
    shelf: dict[str, KitCandidate],
    fefo: Mapping[str, _Fefo],
    rules: SupplyRules,
    day1: date,
    participant: str,
    product: str,
    tablets: int,
) -> PlannedCycle:
    """One cycle's kits off the shelf, as the counter would choose them on its day 1."""
    cover_until = supply_cover_until(day1, rules.days_of_supply, rules.expiry_margin_days)
    ordered = fefo.get(product)
    considered = (
        ordered.first_covering(product, tablets, cover_until, day1) if ordered is not None else []
    )
    # All the usable kits together fall short (first_covering gave them all): the counter
    # would refuse the cycle (choose_fefo's RuleViolation, not worded for thousands of cycles).
    if sum(k.tablets for k in considered) < tablets:
        per_kit = rules.tablets_per_kit[product]
        return PlannedCycle(participant, day1, product, tablets, (), kits_needed(tablets, per_kit))
    picked = choose_fefo(considered, product, tablets, cover_until, day1)
    for kit in picked:
        del shelf[kit.number]
        if ordered is not None:
            ordered.remove(kit)
    return PlannedCycle(participant, day1, product, tablets, tuple(k.number for k in picked), 0)


def _unused(shelf: Sequence[KitCandidate], rules: SupplyRules, end: date) -> tuple[UnusedKit, ...]:
    """Kits left on the shelf that a cycle starting after the horizon could no longer take."""
    reach = supply_cover_until(end, rules.days_of_supply, rules.expiry_margin_days) - end
    return tuple(
        UnusedKit(k.number, k.product, k.lot, k.expiry, k.expiry - reach)
        for k in sorted(shelf, key=lambda k: (k.expiry, k.lot, k.number))
        if k.expiry < end + reach
    )


def _resupply(
    rows: Sequence[ForecastWeek],
    cycles: Sequence[PlannedCycle],
    rules: SupplyRules,
    start: date,
) -> tuple[Resupply, ...]:
    """Per product short of the horizon: the new kits its cycles need, and the latest order
    date (its first short week's start minus the lead time)."""
    found: list[Resupply] = []
    for product in rules.tablets_per_kit:
        short = [row for row in rows if row.product == product and row.short]
        if not short:
            continue
        order_by = short[0].start - timedelta(days=rules.lead_time_days)
        found.append(
            Resupply(
                product=product,
                kits=sum(row.kits_short for row in short),
                tablets=sum(c.tablets for c in cycles if c.product == product and c.kits_short),
                first_short=short[0].start,
                order_by=order_by,
                late=order_by < start,
            )
        )
    return tuple(found)
