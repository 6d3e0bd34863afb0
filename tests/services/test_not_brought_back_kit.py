"""A kit recorded as not brought back is not in the pharmacy: it stays out with the participant
(or lost), never on the shelf nor in the returned tablets held for the monitor; it cannot be
destroyed until its return is recorded (a correction that counts it back), and `audit verify`
rebuilds its status from the records as the program wrote it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dispensary.domain.codes import Flag, KitStatus
from dispensary.domain.errors import RuleViolation
from dispensary.domain.lifecycle import KitEvent
from dispensary.services import (
    audit,
    destruction,
    kit_history,
    queries,
    reconciliation,
    returns,
    studies,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult, KitRow

from .helpers import WITNESSED

Password = Callable[[Actor], str]
OUT = (KitStatus.DISPENSED, KitStatus.RETURNED, KitStatus.DESTROYED)


def _not_back(ctx: Context, actor: Actor, pw: Password, cycle1: DispenseResult) -> int:
    result = returns.record_return(
        ctx,
        actor,
        cycle1.kits[0].kit,
        0,
        pw(actor),
        dispense=cycle1.number,
        outcome="not_brought_back",
    )
    return result.return_id


def _kit(ctx: Context, actor: Actor, number: str) -> KitRow:
    [row] = [r for r in queries.inventory(ctx, actor) if r.number == number]
    return row


def test_a_kit_not_brought_back_stays_out_and_cannot_be_destroyed(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    admin: Actor,
    pw: Password,
) -> None:
    clock.set_date(date(2026, 1, 26))
    ret = _not_back(ctx, pharmacist, pw, cycle1)
    kit = cycle1.kits[0].kit  # K0011, 21 tablets

    row = _kit(ctx, pharmacist, kit)
    assert row.status is KitStatus.DISPENSED  # never "returned": the pharmacy has nothing back
    assert row.tablets == 0  # nothing on hand, nothing held for the monitor
    assert row.where.startswith("not brought back by participant 01-001 (DSP000001")
    assert "still with them or lost, 21 tablets unaccounted for" in row.where
    assert kit not in [r.number for r in queries.inventory(ctx, pharmacist, KitStatus.RETURNED)]

    history = kit_history.kit_history(ctx, pharmacist, kit)
    assert history.status is KitStatus.DISPENSED
    assert history.events[-1].what == "Not brought back"
    assert "counted back" not in history.events[-1].detail

    found = reconciliation.reconcile(ctx, pharmacist)
    [line] = [k for k in found.kits if k.key == kit]
    assert (line.dispensed, line.returned, line.held_returned, line.on_hand) == (21, 0, 0, 0)
    assert line.balanced and found.balanced
    _row, rows = queries.participant_history(ctx, pharmacist, "01-001")
    assert (rows[0].returned, rows[0].unaccounted, rows[0].taken) == (0, 21, 0)  # none taken
    assert rows[0].flags == (Flag.NOT_BROUGHT_BACK,)

    with pytest.raises(RuleViolation) as refused:
        destruction.destroy(
            ctx, pharmacist, [kit], "tech", "incineration", pw(pharmacist), **WITNESSED
        )
    assert refused.value.message == (
        f"Kit {kit} was not brought back (return {ret} of 2026-01-26): it is not in the "
        "pharmacy, so it cannot be destroyed. When the participant brings it back, record its "
        f"return: correct return {ret} with the count (Participants, Correct return count..., "
        f"or `dispensary correct-return {ret}`); then destroy it."
    )
    assert _kit(ctx, pharmacist, kit).status is KitStatus.DISPENSED  # nothing written

    verified = audit.verify(ctx, admin)
    assert verified.ok, verified


def test_the_kit_brought_back_later_is_counted_back_and_can_then_be_destroyed(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    admin: Actor,
    pw: Password,
) -> None:
    clock.set_date(date(2026, 1, 26))
    ret = _not_back(ctx, pharmacist, pw, cycle1)
    kit = cycle1.kits[0].kit
    clock.set_date(date(2026, 2, 2))
    returns.correct_return(
        ctx, pharmacist, ret, 4, "participant brought the bottle back", pw(pharmacist)
    )
    row = _kit(ctx, pharmacist, kit)
    assert (row.status, row.tablets) == (KitStatus.RETURNED, 4)
    assert row.where.startswith("returned by 01-001, held for the monitor")
    _row, rows = queries.participant_history(ctx, pharmacist, "01-001")
    assert (rows[0].returned, rows[0].unaccounted) == (4, 0)
    assert audit.verify(ctx, admin).ok

    destruction.destroy(ctx, pharmacist, [kit], "tech", "incineration", pw(pharmacist), **WITNESSED)
    assert _kit(ctx, pharmacist, kit).status is KitStatus.DESTROYED
    found = reconciliation.reconcile(ctx, pharmacist)
    [line] = [k for k in found.kits if k.key == kit]
    assert (line.returned, line.destroyed, line.held_returned) == (4, 4, 0) and line.balanced
    assert audit.verify(ctx, admin).ok


def test_an_empty_bottle_brought_back_later_is_returned_with_nothing_to_hold(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    admin: Actor,
    pw: Password,
) -> None:
    clock.set_date(date(2026, 1, 26))
    ret = _not_back(ctx, pharmacist, pw, cycle1)
    returns.correct_return(ctx, pharmacist, ret, 0, "empty bottle brought back", pw(pharmacist))
    row = _kit(ctx, pharmacist, cycle1.kits[0].kit)
    assert (row.status, row.tablets) == (KitStatus.RETURNED, 0)
    assert audit.verify(ctx, admin).ok


def _as_an_older_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records as the versions before this fix did: a kit not brought back made 'returned',
    and destroyed as any returned kit."""
    moved = returns.move_kit

    def move_kit(*args: Any, **kwargs: Any) -> KitStatus:
        if args[3] is KitEvent.NOT_BROUGHT_BACK:
            args = (*args[:3], KitEvent.RETURN)
        return moved(*args, **kwargs)

    monkeypatch.setattr(returns, "move_kit", move_kit)
    monkeypatch.setattr(destruction, "kits_not_brought_back", lambda _session, _ids: {})


def test_a_database_an_older_version_wrote_still_verifies_and_refuses_the_destruction(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    admin: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.set_date(date(2026, 1, 26))
    with monkeypatch.context() as older:
        _as_an_older_version(older)
        ret = _not_back(ctx, pharmacist, pw, cycle1)
    kit = cycle1.kits[0].kit
    assert _kit(ctx, pharmacist, kit).status is KitStatus.RETURNED  # as that version left it
    assert audit.verify(ctx, admin).ok
    row = _kit(ctx, pharmacist, kit)
    assert row.where.startswith("not brought back by participant 01-001")
    with pytest.raises(RuleViolation, match=f"^Kit {kit} was not brought back \\(return {ret} "):
        destruction.destroy(
            ctx, pharmacist, [kit], "tech", "incineration", pw(pharmacist), **WITNESSED
        )
    # Nothing to destroy before the study closes: the kit is not counted as in the pharmacy.
    with pytest.raises(RuleViolation) as closing:
        studies.close_study(ctx, admin, ctx.study.protocol, "enrolment complete")
    shelf = [r for r in queries.inventory(ctx, pharmacist) if r.status not in OUT]
    assert f"still has {len(shelf)} kits in the pharmacy" in closing.value.message
    returns.correct_return(ctx, pharmacist, ret, 2, "bottle brought back", pw(pharmacist))
    assert (_kit(ctx, pharmacist, kit).status, _kit(ctx, pharmacist, kit).tablets) == (
        KitStatus.RETURNED,
        2,
    )
    assert audit.verify(ctx, admin).ok


def test_a_kit_an_older_version_destroyed_after_not_brought_back_still_verifies(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    admin: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.set_date(date(2026, 1, 26))
    kit = cycle1.kits[0].kit
    with monkeypatch.context() as older:
        _as_an_older_version(older)
        _not_back(ctx, pharmacist, pw, cycle1)
        destruction.destroy(
            ctx, pharmacist, [kit], "tech", "incineration", pw(pharmacist), **WITNESSED
        )
    assert _kit(ctx, pharmacist, kit).status is KitStatus.DESTROYED
    verified = audit.verify(ctx, admin)
    assert verified.ok, verified
