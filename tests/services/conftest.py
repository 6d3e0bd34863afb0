"""Starting states shared by the workflow tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from dispensary.services import returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult, ReturnResult

from .helpers import EARLY, LATE, P25, busy_pharmacy, dispense, enroll, receive


@dataclass(frozen=True)
class Stock:
    """K0001-K0010: lot L1, 7.5 mg, expires LATE; K0011-K0020: lot L2, 7.5 mg, expires EARLY
    (so FEFO hands out L2 first); S0001-S0004: lot S1, 2.5 mg, 42 tablets each."""

    late: tuple[str, ...]
    early: tuple[str, ...]
    small: tuple[str, ...]


@pytest.fixture
def stock(ctx: Context, pharmacist: Actor) -> Stock:
    late = receive(ctx, pharmacist, "K0001-K0010", "L1", LATE)
    early = receive(ctx, pharmacist, "K0011-K0020", "L2", EARLY)
    small = receive(ctx, pharmacist, "S0001-S0004", "S1", LATE, product=P25)
    return Stock(late.kits, early.kits, small.kits)


@pytest.fixture
def enrolled(ctx: Context, pharmacist: Actor) -> str:
    return enroll(ctx, pharmacist).study_number


@pytest.fixture
def busy(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
) -> Context:
    """A pharmacy after weeks of work at the counter (helpers.busy_pharmacy)."""
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))
    return ctx


@pytest.fixture
def cycle1(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
) -> DispenseResult:
    """Cycle 1 of 01-001, day 1 = dispense date = 2026-01-05, one kit of lot L2 (K0011)."""
    return dispense(ctx, pharmacist, pw(pharmacist))


@pytest.fixture
def cycle1_ended(clock: FixedClock, cycle1: DispenseResult) -> DispenseResult:
    """Cycle 1 (DSP000001, days 2026-01-05 to 2026-01-25) over: the clock at 2026-01-26, when
    cycle 2 is due, and cycle 1's return not recorded yet."""
    clock.set_date(date(2026, 1, 26))
    return cycle1


@dataclass(frozen=True)
class CorrectedReturn:
    """Cycle 1's kit brought back on 2026-01-26 with 3 tablets (`first`), that return then
    corrected to 4, "recounted" (`fixed`, the return that replaces it)."""

    kit: str
    dispense: str
    first: ReturnResult
    fixed: ReturnResult


@pytest.fixture
def corrected_return(
    ctx: Context, cycle1_ended: DispenseResult, pharmacist: Actor, pw: Callable[[Actor], str]
) -> CorrectedReturn:
    kit, number = cycle1_ended.kits[0].kit, cycle1_ended.number
    first = returns.record_return(ctx, pharmacist, kit, 3, pw(pharmacist), number)
    fixed = returns.correct_return(ctx, pharmacist, first.return_id, 4, "recounted", pw(pharmacist))
    return CorrectedReturn(kit, number, first, fixed)
