"""Balances as sums of the ledger, and adherence with its flags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispensary.domain.accountability import (
    Balance,
    Movement,
    adherence_of,
    balance_of,
    balance_of_totals,
    stock_delta,
)
from dispensary.domain.codes import Flag, MovementKind

R, D, RET, X, A = (
    MovementKind.RECEIVE,
    MovementKind.DISPENSE,
    MovementKind.RETURN,
    MovementKind.DESTROY,
    MovementKind.ADJUST,
)


def identity(b: Balance) -> bool:
    return b.received == (
        b.dispensed - b.returned + b.on_hand + b.held_returned + b.destroyed + b.adjusted
    )


def test_a_kit_through_its_life() -> None:
    moves = [Movement(R, 21), Movement(D, 21), Movement(RET, 3), Movement(X, 3, True)]
    b = balance_of(moves)
    assert b == Balance(
        received=21, dispensed=21, returned=3, destroyed=3, adjusted=0, on_hand=0, held_returned=0
    )
    assert b.balanced


def test_unused_stock_destroyed_from_the_shelf() -> None:
    b = balance_of([Movement(R, 21), Movement(X, 21)])
    assert (b.on_hand, b.held_returned, b.destroyed) == (0, 0, 21)
    assert b.balanced


def test_an_adjustment_writes_off_a_loss() -> None:
    b = balance_of([Movement(R, 21), Movement(A, -2)])
    assert (b.on_hand, b.adjusted) == (19, 2)
    assert b.balanced
    found = balance_of([Movement(R, 21), Movement(A, 1)])
    assert (found.on_hand, found.adjusted) == (22, -1)
    assert found.balanced


def test_a_reversal_cancels_its_movement() -> None:
    b = balance_of([Movement(R, 21), Movement(D, 21), Movement(D, -21)])
    assert (b.on_hand, b.dispensed) == (21, 0)
    assert b.balanced


def test_negative_stock_is_not_balanced() -> None:
    b = balance_of([Movement(R, 10), Movement(D, 21)])
    assert identity(b)
    assert not b.balanced
    assert not balance_of([Movement(X, 5, True)]).balanced


def test_stock_delta_is_the_darf_balance_change() -> None:
    assert stock_delta(Movement(R, 21)) == 21
    assert stock_delta(Movement(D, 21)) == -21
    assert stock_delta(Movement(RET, 3)) == 0  # returns are not stock again
    assert stock_delta(Movement(X, 3, from_returned=True)) == 0
    assert stock_delta(Movement(X, 21)) == -21
    assert stock_delta(Movement(A, -2)) == -2


movements = st.lists(
    st.builds(
        Movement,
        st.sampled_from(list(MovementKind)),
        st.integers(-500, 500).filter(bool),
        st.booleans(),
    ),
    max_size=40,
)


@given(movements)
def test_the_identity_holds_for_any_ledger(moves: list[Movement]) -> None:
    b = balance_of(moves)
    assert identity(b)
    assert b.balanced == (b.on_hand >= 0 and b.held_returned >= 0)
    assert sum(stock_delta(m) for m in moves) == b.on_hand


@given(movements, movements)
def test_balances_add_up(first: list[Movement], second: list[Movement]) -> None:
    assert balance_of(first) + balance_of(second) == balance_of(first + second)


@given(movements)
def test_the_totals_per_kind_give_the_same_balance(moves: list[Movement]) -> None:
    """What the reconciliation sums per kind in SQL makes the balance of the movements."""

    def total(kind: MovementKind, from_returned: bool | None = None) -> int:
        return sum(
            m.quantity
            for m in moves
            if m.kind is kind and (from_returned is None or m.from_returned == from_returned)
        )

    assert balance_of_totals(
        total(R), total(D), total(RET), total(X, False), total(X, True), total(A)
    ) == balance_of(moves)


def test_adherence_arithmetic() -> None:
    a = adherence_of(dispensed=21, returned=3, expected=21, under_below=0.8, over_above=1.0)
    assert (a.taken, a.expected, a.flags) == (18, 21, ())
    assert a.adherence == pytest.approx(18 / 21)


@pytest.mark.parametrize(
    ("returned", "expected", "flags"),
    [
        (5, 21, (Flag.UNDER_USE,)),  # 16 of 21: 0.76
        (4, 21, ()),  # 17 of 21: 0.81
        (0, 21, ()),  # exactly as prescribed
        (0, 20, (Flag.OVER_USE,)),  # 21 taken, 20 expected
        (21, 21, (Flag.UNDER_USE,)),  # nothing taken
    ],
)
def test_adherence_flags(returned: int, expected: int, flags: tuple[Flag, ...]) -> None:
    assert adherence_of(21, returned, expected, 0.8, 1.0).flags == flags


def test_the_under_use_threshold_itself_is_not_a_flag() -> None:
    assert adherence_of(10, 2, 10, 0.8, 1.0).flags == ()  # exactly 0.80
    assert adherence_of(10, 3, 10, 0.8, 1.0).flags == (Flag.UNDER_USE,)
    assert adherence_of(10, 0, 10, 0.8, 1.0).flags == ()  # exactly 1.00
    assert adherence_of(10, 0, 9, 0.8, 1.2).flags == ()  # 1.11 under a 1.2 limit


def test_nothing_expected() -> None:
    held_all = adherence_of(21, 21, 0, 0.8, 1.0)
    assert (held_all.adherence, held_all.flags) == (None, ())
    took_anyway = adherence_of(21, 18, 0, 0.8, 1.0)
    assert (took_anyway.adherence, took_anyway.flags) == (None, (Flag.OVER_USE,))


@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 200))
def test_adherence_is_taken_over_expected(dispensed: int, returned: int, expected: int) -> None:
    a = adherence_of(dispensed, returned, expected, 0.8, 1.0)
    assert a.taken == dispensed - returned
    if expected:
        assert a.adherence == pytest.approx(a.taken / expected)
        assert (Flag.UNDER_USE in a.flags) == (a.taken / expected < 0.8)
        assert (Flag.OVER_USE in a.flags) == (a.taken / expected > 1.0)


def test_return_day_doses_are_neither_over_use_nor_missed() -> None:
    """Twice daily from the morning of day 1, back on day 15 after the morning dose: 29 doses
    taken of 28 expected is every dose, 100%, no over-use (it said 104%, a false safety
    signal); one more than the return day allows is over-use; fewer than expected under-use."""
    every = adherence_of(112, 83, 28, 0.75, 1.0, return_day=1)
    assert (every.taken, every.expected, every.flags) == (29, 28, ())
    assert every.adherence == pytest.approx(1.0)
    assert every.return_day == 1
    skipped_morning = adherence_of(112, 84, 28, 0.75, 1.0, return_day=1)
    assert (skipped_morning.adherence, skipped_morning.flags) == (pytest.approx(1.0), ())
    one_more = adherence_of(112, 82, 28, 0.75, 1.0, return_day=1)
    assert one_more.flags == (Flag.OVER_USE,)
    assert one_more.adherence == pytest.approx(29 / 28)
    missed = adherence_of(112, 92, 28, 0.75, 1.0, return_day=1)
    assert (missed.adherence, missed.flags) == (pytest.approx(20 / 28), (Flag.UNDER_USE,))
    # Back on day 1 itself after its morning dose: nothing expected, the dose no over-use.
    assert adherence_of(112, 111, 0, 0.75, 1.0, return_day=1).flags == ()
    assert adherence_of(112, 110, 0, 0.75, 1.0, return_day=1).flags == (Flag.OVER_USE,)


@given(st.integers(0, 200), st.integers(0, 200), st.integers(1, 200), st.integers(0, 4))
def test_a_count_up_to_the_return_day_doses_is_full_adherence(
    dispensed: int, returned: int, expected: int, return_day: int
) -> None:
    a = adherence_of(dispensed, returned, expected, 0.8, 1.0, return_day)
    assert a.taken == dispensed - returned
    if expected <= a.taken <= expected + return_day:
        assert (a.adherence, a.flags) == (pytest.approx(1.0), ())
    elif a.taken < expected:
        assert a.adherence == pytest.approx(a.taken / expected)
    else:
        assert Flag.OVER_USE in a.flags
