"""The one place a kit changes status: the lifecycle table's transition, written together with
the step's ledger row and its event record (quarantine event, destruction, void), inside the
caller's write transaction. The caller writes the step's audit entry, as before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispensary.db.facts import on_sqlite
from dispensary.db.models import Destruction, DispenseVoid, Kit, LedgerEntry, QuarantineEvent
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import RuleViolation
from dispensary.domain.lifecycle import (
    MOVEMENTS,
    NOT_IN_STOCK,
    QUARANTINE_ACTIONS,
    KitEvent,
    transition,
)
from dispensary.services.audit import Recorder

LEDGER_REQUIRED = frozenset(
    {KitEvent.RECEIVE, KitEvent.RECEIVE_QUARANTINED, KitEvent.DISPENSE, KitEvent.VOID_DISPENSE}
)
"""Events that always move tablets. A return of nothing, or the destruction of an empty kit,
writes no ledger row (a row never holds a quantity of zero)."""

FACTS: dict[KitEvent, type[Destruction] | type[DispenseVoid]] = {
    KitEvent.DESTROY: Destruction,
    KitEvent.VOID_DISPENSE: DispenseVoid,
}
"""Events whose record is one row for every kit of the step, written by the caller first."""


def move_kit(
    session: Session,
    rec: Recorder,
    kit: Kit,
    event: KitEvent,
    *,
    today: date,
    ledger: LedgerEntry | None = None,
    reason: str = "",
    excursion_id: int | None = None,
    fact: Destruction | DispenseVoid | None = None,
    sponsor_reference: str | None = None,
) -> KitStatus:
    """Moves one kit: refuses what the lifecycle table refuses (RuleViolation, nothing written),
    else sets its status, chains its ledger row (`stock_movement` / `reversing_movement`) and
    writes the event record the event calls for. Returns the new status.

    A kit not in the database yet (no id) is being received: it is added here. `reason` is the
    quarantine event's reason; `sponsor_reference` a release's sponsor decision (a release
    records one); `fact` the destruction or void the kit's step belongs to."""
    received = kit.id is None
    status = NOT_IN_STOCK if received else KitStatus(kit.status)
    if (event is KitEvent.RELEASE) != bool(sponsor_reference):
        raise ValueError("a release, and only a release, records the sponsor's reference")
    new = _transition(kit, status, event, today, ledger, reason, fact)
    if received:
        kit.status = new.value
        session.add(kit)
        session.flush()
    else:
        rec.change(kit, status=new.value)
    _write(session, rec, kit, event, ledger, reason, excursion_id, sponsor_reference)
    return new


def receive_kits(
    session: Session,
    rec: Recorder,
    kits: Sequence[tuple[Kit, LedgerEntry]],
    event: KitEvent,
    *,
    today: date,
    reason: str = "",
    excursion_id: int | None = None,
    held: Mapping[str, str] | None = None,
) -> None:
    """Receives a shipment's new kits as `move_kit` receives one, but with one flush for all
    the kits (one batched INSERT), so a 500-kit manifest is not 500 round trips. `excursion_id`:
    the excursion a receipt into quarantine is for (kits received into an area during it).
    `held`: kits received into quarantine for a cause of their own (damaged on arrival), kit
    number -> the quarantine's reason, whatever `event` the others take."""
    status = NOT_IN_STOCK
    own = held or {}
    moves: dict[str, tuple[KitEvent, str]] = {}
    for kit, ledger in kits:
        if kit.id is not None:
            raise ValueError(f"kit {kit.number} is already in the database")
        move = (
            (KitEvent.RECEIVE_QUARANTINED, own[kit.number])
            if kit.number in own
            else (event, reason)
        )
        moves[kit.number] = move
        kit.status = _transition(kit, status, move[0], today, ledger, move[1], None).value
    if on_sqlite(session):
        # SQLite cannot return the ids of a batched INSERT in order, so SQLAlchemy would send
        # one INSERT per kit: the ids are given here, as SQLite would give them (the write
        # lock is held). PostgreSQL batches with its sequence, in order.
        first = (session.scalar(select(func.max(Kit.id))) or 0) + 1
        for offset, (kit, _ledger) in enumerate(kits):
            kit.id = first + offset
    session.add_all([kit for kit, _ledger in kits])
    session.flush()
    for kit, ledger in kits:
        moved, why = moves[kit.number]
        _write(session, rec, kit, moved, ledger, why, excursion_id)


def _transition(
    kit: Kit,
    status: KitStatus | None,
    event: KitEvent,
    today: date,
    ledger: LedgerEntry | None,
    reason: str,
    fact: Destruction | DispenseVoid | None,
) -> KitStatus:
    """The lifecycle table's answer for the kit, before anything is written (RuleViolation)."""
    new = _lifecycle(kit, status, event, today)
    _check_step(event, ledger, reason, fact)
    return new


def _lifecycle(kit: Kit, status: KitStatus | None, event: KitEvent, today: date) -> KitStatus:
    """The lifecycle table's move for the kit in `status`, its lot's expiry read as of today."""
    received = status is NOT_IN_STOCK
    expired_on = None if received or kit.lot.expiry >= today else kit.lot.expiry
    return transition(status, event, kit=kit.number, expired_on=expired_on)


def refusal_of(kit: Kit, event: KitEvent, today: date) -> str:
    """What `move_kit` would refuse of the event for this kit in stock, today: the lifecycle
    table's refusal (what to do instead), or "" when the kit may make the move. A screen asks
    it (through its service's assessment) before offering a step; `move_kit` refuses the same."""
    try:
        _lifecycle(kit, KitStatus(kit.status), event, today)
    except RuleViolation as exc:
        return exc.message
    return ""


def _write(
    session: Session,
    rec: Recorder,
    kit: Kit,
    event: KitEvent,
    ledger: LedgerEntry | None,
    reason: str,
    excursion_id: int | None,
    sponsor_reference: str | None = None,
) -> None:
    """The moved kit's ledger row and event record."""
    if ledger is not None:
        ledger.kit_id = _same(ledger.kit_id, kit.id, "kit")
        ledger.lot_id = _same(ledger.lot_id, kit.lot_id, "lot")
        rec.ledger(ledger)
    action = QUARANTINE_ACTIONS.get(event)
    if action is not None:
        if rec.actor is None:
            raise ValueError("a quarantine event needs an acting user")
        rec.write(
            QuarantineEvent(
                kit_id=kit.id,
                action=action,
                reason=reason,
                excursion_id=excursion_id,
                user_id=rec.actor.user_id,
                at=rec.now,
                sponsor_reference=sponsor_reference,
            )
        )


def _check_step(
    event: KitEvent,
    ledger: LedgerEntry | None,
    reason: str,
    fact: Destruction | DispenseVoid | None,
) -> None:
    """What the caller hands over must be what the event writes (a programming error if not)."""
    kind = MOVEMENTS[event]
    if ledger is None and event in LEDGER_REQUIRED:
        raise ValueError(f"a {event.value} writes its ledger row")
    if ledger is not None:
        if kind is None or ledger.kind != kind.value:
            raise ValueError(f"a {event.value} writes no {ledger.kind} ledger row")
        if (ledger.reverses_id is not None) != (event is KitEvent.VOID_DISPENSE):
            raise ValueError("only a void writes a reversing ledger row")
    if event in QUARANTINE_ACTIONS and not reason:
        raise ValueError(f"a {event.value} records its reason")
    needed = FACTS.get(event)
    if needed is None:
        if fact is not None:
            raise ValueError(f"a {event.value} has no {type(fact).__name__}")
        return
    if not isinstance(fact, needed) or fact.id is None:
        raise ValueError(f"a {event.value} belongs to a {needed.__name__} written first")
    if ledger is None:
        return
    if isinstance(fact, Destruction) and ledger.destruction_id != fact.id:
        raise ValueError("the destruction's ledger row must name the destruction")
    if isinstance(fact, DispenseVoid) and ledger.dispense_id != fact.dispense_id:
        raise ValueError("the void's ledger row must name the voided dispense")


def _same(given: int | None, own: int, what: str) -> int:
    if given is not None and given != own:
        raise ValueError(f"the ledger row is of another {what}")
    return own
