"""Balances and adherence: every tablet accounted for, as sums of the ledger.

Sign convention of a ledger movement's quantity (a reversal carries the opposite sign):
receive +n into stock; dispense n out of stock; return n into "held for the monitor";
destroy n out of stock, or out of the held returns when `from_returned`;
adjust +/-n onto stock (a loss is negative).

    received = (dispensed - returned) + on_hand + held_returned + destroyed + adjusted

where `adjusted` is the net number of tablets written off by adjustments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dispensary.domain.codes import Flag, MovementKind
from dispensary.domain.regimen import ReturnDayWithheld


@dataclass(frozen=True)
class Movement:
    kind: MovementKind
    quantity: int
    from_returned: bool = False


@dataclass(frozen=True, slots=True)
class Balance:
    """Slotted: a reconciliation keeps one per kit (hundreds of thousands) between runs."""

    received: int = 0
    dispensed: int = 0
    returned: int = 0
    destroyed: int = 0
    adjusted: int = 0
    on_hand: int = 0
    held_returned: int = 0

    @property
    def balanced(self) -> bool:
        """The accountability identity; false only when the ledger itself is inconsistent."""
        return (
            self.received
            == (
                self.dispensed
                - self.returned
                + self.on_hand
                + self.held_returned
                + self.destroyed
                + self.adjusted
            )
            and self.on_hand >= 0
            and self.held_returned >= 0
        )

    def __add__(self, other: Balance) -> Balance:
        return Balance(
            received=self.received + other.received,
            dispensed=self.dispensed + other.dispensed,
            returned=self.returned + other.returned,
            destroyed=self.destroyed + other.destroyed,
            adjusted=self.adjusted + other.adjusted,
            on_hand=self.on_hand + other.on_hand,
            held_returned=self.held_returned + other.held_returned,
        )


def balance_of(movements: Iterable[Movement]) -> Balance:
    received = dispensed = returned = from_stock = from_returned = adjustments = 0
    for m in movements:
        q = m.quantity
        if m.kind is MovementKind.RECEIVE:
            received += q
        elif m.kind is MovementKind.DISPENSE:
            dispensed += q
        elif m.kind is MovementKind.RETURN:
            returned += q
        elif m.kind is MovementKind.DESTROY:
            if m.from_returned:
                from_returned += q
            else:
                from_stock += q
        elif m.kind is MovementKind.ADJUST:
            adjustments += q
    return balance_of_totals(received, dispensed, returned, from_stock, from_returned, adjustments)


def balance_of_totals(
    received: int,
    dispensed: int,
    returned: int,
    destroyed_from_stock: int,
    destroyed_from_returned: int,
    adjustments: int,
) -> Balance:
    """The balance of movements given as each kind's total quantity (destructions by where
    they came from; adjustments as recorded, a loss negative): balance_of's, for a ledger
    summed per kind in SQL (the reconciliation's hundreds of thousands of kits)."""
    return Balance(
        received=received,
        dispensed=dispensed,
        returned=returned,
        destroyed=destroyed_from_stock + destroyed_from_returned,
        adjusted=-adjustments,
        on_hand=received - dispensed - destroyed_from_stock + adjustments,
        held_returned=returned - destroyed_from_returned,
    )


def stock_delta(m: Movement) -> int:
    """Change to the dispensable stock (the DARF balance) caused by one movement."""
    if m.kind is MovementKind.RECEIVE or m.kind is MovementKind.ADJUST:
        return m.quantity
    if m.kind is MovementKind.DISPENSE:
        return -m.quantity
    if m.kind is MovementKind.DESTROY and not m.from_returned:
        return -m.quantity
    return 0


@dataclass(frozen=True)
class Adherence:
    dispensed: int
    returned: int
    taken: int
    expected: int
    adherence: float | None
    flags: tuple[Flag, ...]
    by_product: tuple[tuple[str, Adherence], ...] = ()
    """Per product of a dose of several drugs (each its own expected use and flags)."""
    return_day: int = 0
    """Units the participant may have taken on the return day before the visit (the study
    file's [cycle] return_day_doses): beyond `expected`, neither over-use nor missed."""
    return_day_withheld: ReturnDayWithheld | None = None
    """Why the study file's return-day doses are not allowed for at this return
    (regimen.return_day_allowance; None when allowed, or when the study allows none that day),
    `return_day_not_allowed` the units they would have been."""
    return_day_not_allowed: int = 0


@dataclass(frozen=True)
class ProductTally:
    """One product of a dispense: tablets dispensed, returned, and in kits not brought back."""

    dispensed: int
    returned: int
    unaccounted: int = 0


def by_product(
    tallies: dict[str, ProductTally],
    expected: dict[str, int],
    under_below: float,
    over_above: float,
    return_day: dict[str, int] | None = None,
) -> tuple[tuple[str, Adherence], ...]:
    """Each product's adherence against its own expected use (and its own return-day doses,
    `return_day`): a two-drug dose is flagged for either drug, which a pooled ratio could
    hide."""
    return tuple(
        (
            product,
            adherence_of(
                tally.dispensed - tally.unaccounted,
                tally.returned,
                expected.get(product, 0),
                under_below,
                over_above,
                (return_day or {}).get(product, 0),
            ),
        )
        for product, tally in tallies.items()
    )


def adherence_of(
    dispensed: int,
    returned: int,
    expected: int,
    under_below: float,
    over_above: float,
    return_day: int = 0,
) -> Adherence:
    """taken = dispensed - returned; adherence = taken / expected; flags for the pharmacist.

    `return_day`: units the participant may have taken on the return day before the visit (the
    study file's [cycle] return_day_doses). What is taken beyond `expected`, up to that many,
    is neither over-use nor missed: a count in [expected, expected + return_day] is full
    adherence (100%), one above is over-use by what exceeds the return day's doses, one below
    `expected` is under-use as ever. With none (the default) it is taken / expected."""
    taken = dispensed - returned
    set_aside = min(max(0, return_day), max(0, taken - expected))
    counted = taken - set_aside
    ratio = counted / expected if expected > 0 else None
    flags: list[Flag] = []
    if expected > 0 and ratio is not None:
        if ratio < under_below:
            flags.append(Flag.UNDER_USE)
        if ratio > over_above:
            flags.append(Flag.OVER_USE)
    elif counted > 0:
        flags.append(Flag.OVER_USE)
    return Adherence(
        dispensed, returned, taken, expected, ratio, tuple(flags), return_day=max(0, return_day)
    )
