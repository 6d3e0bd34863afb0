"""Regimen arithmetic: how many tablets a dose level needs for a number of days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


@dataclass(frozen=True)
class DoseComponent:
    """One product of a dose level. A drug may have its own frequency (`doses_per_day`, else
    the level's) and its own days of the cycle (`first_day`..`last_day`, counted from day 1;
    None: every day of the supply), as a capsule on days 1-14 beside a tablet taken daily."""

    product: str
    tablets_per_dose: int
    doses_per_day: int | None = None
    first_day: int | None = None
    last_day: int | None = None

    def frequency(self, level_doses_per_day: int) -> int:
        return self.doses_per_day if self.doses_per_day is not None else level_doses_per_day

    def dosing_days(self, from_day: int, days: int) -> int:
        """The days this drug is taken among `days` days of the cycle from cycle day
        `from_day` (1: day 1)."""
        if days <= 0:
            return 0
        first = max(from_day, self.first_day or 1)
        last = from_day + days - 1
        if self.last_day is not None:
            last = min(last, self.last_day)
        return max(0, last - first + 1)


@dataclass(frozen=True)
class DoseLevel:
    level: int
    name: str
    doses_per_day: int
    components: tuple[DoseComponent, ...]

    def tablets_per_day(self, product: str) -> int:
        """Tablets of a product on a day it is taken."""
        return sum(
            c.tablets_per_dose * c.frequency(self.doses_per_day)
            for c in self.components
            if c.product == product
        )

    def of_product(self, product: str) -> tuple[DoseComponent, ...]:
        return tuple(c for c in self.components if c.product == product)

    def doses_on(self, product: str, cycle_day: int) -> tuple[tuple[int, int], ...]:
        """How a product is taken on one day of the cycle (1: day 1), so that a day's intake is
        never read as one dose: (doses that day, units a dose) for each of its components
        (parts) taken that day, in the file's order: ((2, 1),) for 1 capsule twice daily; () on
        a day it is not. Parts are never added into one dose: 1 tablet once daily and 2 tablets
        once daily are ((1, 1), (1, 2)), not one dose of 3 the file does not give. The day's
        units (tablets_needed for one day) are the sum of doses times units."""
        return tuple(
            (c.frequency(self.doses_per_day), c.tablets_per_dose)
            for c in self.of_product(product)
            if c.dosing_days(cycle_day, 1)
        )

    @property
    def products(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.product for c in self.components))


def tablets_needed(dose: DoseLevel, product: str, days: int, from_day: int = 1) -> int:
    """Tablets of one product for `days` days of the cycle from cycle day `from_day`, counting
    only the days each component of the product is taken."""
    return sum(
        c.tablets_per_dose * c.frequency(dose.doses_per_day) * c.dosing_days(from_day, days)
        for c in dose.of_product(product)
    )


def dosing_days(dose: DoseLevel, product: str, days: int, from_day: int = 1) -> int:
    """The days a product is taken among `days` days of the cycle from `from_day` (the most of
    its components: the directions' "for N days")."""
    return max((c.dosing_days(from_day, days) for c in dose.of_product(product)), default=0)


def kits_needed(tablets: int, tablets_per_kit: int) -> int:
    """Whole kits are dispensed: the smallest number that covers the supply."""
    if tablets <= 0:
        return 0
    return math.ceil(tablets / tablets_per_kit)


def last_day_of_supply(day1: date, days_of_supply: int) -> date:
    return day1 + timedelta(days=days_of_supply - 1)


def days_on_treatment(day1: date, returned_on: date, days_of_supply: int, held_days: int) -> int:
    """Days the participant was told to take every dose of between day 1 and the return.

    The days before the return day: a return on day 1 of the next cycle (21 days later) covers
    21 days. The return day's own doses taken before the visit are the study file's
    ([cycle] return_day_doses, return_day_units), never an expected dose: none when the first
    dose is the evening of day 1 (NCT07198672), the morning's when it is the morning. Days the
    investigator held the drug are not expected doses.
    """
    elapsed = max(0, (returned_on - day1).days)
    return max(0, min(days_of_supply, elapsed) - max(0, held_days))


class ReturnDayWithheld(StrEnum):
    """Why the return day's doses the study file allows for ([cycle] return_day_doses) are not
    allowed for at a return: a dose taken that day before the visit then counts as any other."""

    STOPPED = "stopped"  # expected use stops on a day before the return (the next day 1)
    LEFT_TREATMENT = "left_treatment"  # off treatment (discontinued, completed) by the return day
    HELD = "held"  # a held period runs through the return day
    HELD_UNDATED = "held_undated"  # days held given as a number only: the return day unknown


@dataclass(frozen=True)
class ReturnDayAllowance:
    """The return day's units of a product allowed for beyond the expected count (`units`), or
    why none is (`withheld`, with the `units` the study file would otherwise allow: 0 and None
    when it allows none that day: no return-day doses in the study, a return outside the
    supply, a day the drug is not taken)."""

    units: int = 0
    withheld: ReturnDayWithheld | None = None
    would_be: int = 0


def return_day_allowance(
    dose: DoseLevel,
    product: str,
    start: date,
    returned_on: date,
    days_of_supply: int,
    from_day: int,
    doses_before_visit: int,
    *,
    counted_to: date | None = None,
    held_until: date | None = None,
    held_days: int = 0,
    left_on: date | None = None,
) -> ReturnDayAllowance:
    """Units of a product the participant may have taken on the return day before the visit:
    `doses_before_visit` of that day's doses ([cycle] return_day_doses; at most the day's own
    doses of each part), on a day of the supply the product is taken. `start` is cycle day
    `from_day`, the first of `days_of_supply` days (as days_on_treatment). None when the return
    is after the supply's last day (that day's doses are the next supply's) or before `start`.

    Only a day the participant was to take the drug has them; none (`withheld`, saying why)
    when expected use is counted up to another day (`counted_to`, before the return: the next
    day 1, the day treatment stopped; a dose after it is over-use); when the participant left
    treatment (discontinued, completed) effective on or before the return day (`left_on`: the
    effective date is the first day off treatment, no dose expected on it, so a dose that
    morning was taken after stopping); when the drug was held on the return day (`held_until`,
    the last day of a held period, which never starts after the return: on or after the return
    day, a dose taken that morning was taken while held); and when days were held
    (`held_days`) but given without dates (an older return): whether the hold covered the
    return day is not known, so no dose that day is assumed taken as directed (conservative:
    a count it leaves over the expected is flagged for the pharmacist to ask about)."""
    offset = (returned_on - start).days
    if doses_before_visit <= 0 or offset < 0 or offset >= days_of_supply:
        return ReturnDayAllowance()
    would_be = sum(
        min(doses_before_visit, doses) * units
        for doses, units in dose.doses_on(product, from_day + offset)
    )
    if would_be <= 0:
        return ReturnDayAllowance()
    withheld: ReturnDayWithheld | None = None
    if left_on is not None and left_on <= returned_on:
        withheld = ReturnDayWithheld.LEFT_TREATMENT
    elif counted_to is not None and counted_to != returned_on:
        withheld = ReturnDayWithheld.STOPPED
    elif held_until is not None and held_until >= returned_on:
        withheld = ReturnDayWithheld.HELD
    elif held_until is None and held_days > 0:
        withheld = ReturnDayWithheld.HELD_UNDATED
    if withheld is not None:
        return ReturnDayAllowance(0, withheld, would_be)
    return ReturnDayAllowance(would_be, None, would_be)


def return_day_units(
    dose: DoseLevel,
    product: str,
    start: date,
    returned_on: date,
    days_of_supply: int,
    from_day: int,
    doses_before_visit: int,
    *,
    counted_to: date | None = None,
    held_until: date | None = None,
    held_days: int = 0,
    left_on: date | None = None,
) -> int:
    """The units return_day_allowance allows for (0 when it withholds them)."""
    return return_day_allowance(
        dose,
        product,
        start,
        returned_on,
        days_of_supply,
        from_day,
        doses_before_visit,
        counted_to=counted_to,
        held_until=held_until,
        held_days=held_days,
        left_on=left_on,
    ).units
