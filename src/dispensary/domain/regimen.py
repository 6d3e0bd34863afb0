"""Regimen arithmetic: how many tablets a dose level needs for a number of days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DoseComponent:
    product: str
    tablets_per_dose: int


@dataclass(frozen=True)
class DoseLevel:
    level: int
    name: str
    doses_per_day: int
    components: tuple[DoseComponent, ...]

    def tablets_per_day(self, product: str) -> int:
        return sum(c.tablets_per_dose for c in self.components if c.product == product) * (
            self.doses_per_day
        )

    @property
    def products(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.product for c in self.components))


def tablets_needed(dose: DoseLevel, product: str, days: int) -> int:
    """Tablets of one product for `days` days of treatment at this dose level."""
    return dose.tablets_per_day(product) * days


def kits_needed(tablets: int, tablets_per_kit: int) -> int:
    """Whole kits are dispensed: the smallest number that covers the supply."""
    if tablets <= 0:
        return 0
    return math.ceil(tablets / tablets_per_kit)


def last_day_of_supply(day1: date, days_of_supply: int) -> date:
    return day1 + timedelta(days=days_of_supply - 1)


def days_on_treatment(day1: date, returned_on: date, days_of_supply: int, held_days: int) -> int:
    """Days the participant was told to take a dose between day 1 and the return.

    The first dose is the evening of day 1, so a return on day 1 of the next cycle (21 days
    later) covers 21 doses. Days the investigator held the drug are not expected doses.
    """
    elapsed = max(0, (returned_on - day1).days)
    return max(0, min(days_of_supply, elapsed) - max(0, held_days))
