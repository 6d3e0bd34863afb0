"""Recording the tablets a participant brings back, and correcting a count already recorded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.db.engine import write_transaction
from dispensary.db.models import AdherenceNote, Dispense, DispenseKit, Kit, LedgerEntry, Return
from dispensary.domain.accountability import balance_of
from dispensary.domain.codes import KitStatus, MovementKind, SignatureMeaning
from dispensary.domain.errors import InvalidInput, NotFound, RuleViolation
from dispensary.domain.rules import (
    DATABASE_INT_MAX,
    check_count,
    check_not_future,
    check_return_quantity,
    check_text,
    normalise_kit_number,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import (
    get_dispense,
    get_participant,
    kit_movements,
    reversing_movement,
    stock_movement,
)
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import require
from dispensary.services.queries import current_returns, history_rows, live_dispenses
from dispensary.services.results import ReturnResult
from dispensary.services.users import check_signature, presign


def find_dispense(session: Session, study_number: str, cycle: int) -> Dispense:
    if isinstance(cycle, bool) or not isinstance(cycle, int):
        raise InvalidInput(f"Cycle {cycle!r:.20} is not a cycle number (1, 2, 3 ...).")
    participant = get_participant(session, study_number)
    for record in live_dispenses(session, participant.id):
        if record.cycle == cycle:
            return record
    raise NotFound(
        f"Participant {participant.study_number} has no dispense for cycle {cycle}. "
        "Check the cycle number, or scan the dispensing label."
    )


def record_return(
    ctx: Context,
    actor: Actor,
    kit: str,
    tablets: int,
    password: str,
    dispense: str | None = None,
    study_number: str | None = None,
    cycle: int | None = None,
    returned_on: date | None = None,
    held_days: int = 0,
    condition: str = "",
    note: str = "",
) -> ReturnResult:
    """Counts back one kit of a dispense (named by its label barcode, or participant + cycle).

    Adherence is worked out once every kit of the dispense is back; a flag without an
    explanation stays open in the reconciliation until the pharmacist gives one.
    """
    require(actor, "return")
    today = ctx.clock.today()
    day = check_not_future(returned_on, today, "return date")
    count = check_count(tablets, "number of tablets returned")
    held = check_count(held_days, "days the drug was held")
    note_text = check_text(note, "note", required=False)
    condition_text = check_text(condition, "condition", required=False, limit=200)
    number = normalise_kit_number(kit)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        record = _dispense_for(session, dispense, study_number, cycle)
        if record not in live_dispenses(session, record.participant_id):
            raise RuleViolation(
                f"Dispense {record.number} was voided: its kits never left the pharmacy. "
                "Scan the label of the dispense that replaced it."
            )
        if held > record.days_supply:
            raise InvalidInput(
                f"{held} days held is more than the {record.days_supply} days of supply."
            )
        if day < record.dispensed_on:
            raise InvalidInput(
                f"The return date {day.isoformat()} is before the dispense "
                f"({record.dispensed_on.isoformat()}); check the date."
            )
        line = session.scalar(
            select(DispenseKit)
            .join(Kit)
            .where(DispenseKit.dispense_id == record.id, Kit.number == number)
        )
        if line is None:
            kits = ", ".join(
                session.scalars(
                    select(Kit.number).join(DispenseKit).where(DispenseKit.dispense_id == record.id)
                )
            )
            raise RuleViolation(
                f"Kit {number} was not dispensed in {record.number} (cycle {record.cycle}); "
                f"its kits are {kits}. Check the kit or the dispense."
            )
        if any(r.kit_id == line.kit_id for r in current_returns(session, record.id)):
            raise RuleViolation(
                f"The return of kit {number} for {record.number} is already recorded. "
                "To change the count, record a correction that names it."
            )
        check_return_quantity(count, line.tablets, 0, number)
        rec = Recorder(session, actor, ctx.clock.now())
        ret = Return(
            dispense_id=record.id,
            kit_id=line.kit_id,
            tablets=count,
            returned_on=day,
            held_days=held,
            condition=condition_text,
            note=note_text,
            flag_reason="",
            counted_by_id=actor.user_id,
            created_at=rec.now,
        )
        session.add(ret)
        session.flush()
        kit_row = session.get(Kit, line.kit_id)
        assert kit_row is not None
        kit_row.status = KitStatus.RETURNED.value
        if count:
            rec.ledger(
                _return_movement(kit_row, record, ret, count, day, f"cycle {record.cycle} return")
            )
        result = _result(session, ctx, record, ret, number)
        if result.flags and note_text:
            ret.flag_reason = note_text
        check_signature(
            session, actor, password, SignatureMeaning.RETURN_COUNTED, "return", ret.id, rec
        )
        rec.audit(
            "return",
            "return",
            ret.id,
            {
                "dispense": record.number,
                "kit": number,
                "tablets": count,
                "returned_on": day,
                "held_days": held,
                "taken": result.taken,
                "expected": result.expected,
                "flags": [f.value for f in result.flags],
                "note": note_text,
            },
        )
        return result


def correct_return(
    ctx: Context, actor: Actor, return_id: int, tablets: int, reason: str, password: str
) -> ReturnResult:
    """A recount: a new return that names the one it replaces, and reversing ledger rows."""
    require(actor, "correct_return")
    if (
        isinstance(return_id, bool)
        or not isinstance(return_id, int)
        or not (1 <= return_id <= DATABASE_INT_MAX)
    ):
        raise InvalidInput(f"{return_id!r:.30} is not a return number (1, 2, 3 ...).")
    count = check_count(tablets, "number of tablets returned")
    why = check_text(reason, "reason for the correction")
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        old = session.get(Return, return_id)
        if old is None:
            raise NotFound(f"There is no return {return_id}.")
        if session.scalar(select(Return).where(Return.corrects_id == old.id)):
            raise RuleViolation(
                f"Return {return_id} has already been corrected; correct the latest one."
            )
        record = session.get(Dispense, old.dispense_id)
        kit = session.get(Kit, old.kit_id)
        assert record is not None and kit is not None
        line = session.scalar(
            select(DispenseKit).where(
                DispenseKit.dispense_id == record.id, DispenseKit.kit_id == kit.id
            )
        )
        assert line is not None
        check_return_quantity(count, line.tablets, 0, kit.number)
        held_now = balance_of(kit_movements(session, kit.id)).held_returned
        if kit.status == KitStatus.DESTROYED.value or held_now < old.tablets:
            raise RuleViolation(
                f"The returned tablets of kit {kit.number} have already been destroyed; the count "
                "can no longer be corrected. Record the difference in the reconciliation."
            )
        rec = Recorder(session, actor, ctx.clock.now())
        new = Return(
            dispense_id=record.id,
            kit_id=kit.id,
            tablets=count,
            returned_on=old.returned_on,
            held_days=old.held_days,
            condition=old.condition,
            note=why,
            flag_reason=old.flag_reason,
            counted_by_id=actor.user_id,
            corrects_id=old.id,
            created_at=rec.now,
        )
        session.add(new)
        session.flush()
        old_entry = session.scalar(
            select(LedgerEntry).where(
                LedgerEntry.return_id == old.id, LedgerEntry.reverses_id.is_(None)
            )
        )
        today = ctx.clock.today()
        if old_entry is not None:
            rec.ledger(reversing_movement(old_entry, today, why))
        if count:
            recount = f"correction of return {old.id}: {why}"
            rec.ledger(_return_movement(kit, record, new, count, today, recount))
        check_signature(session, actor, password, SignatureMeaning.CORRECTED, "return", new.id, rec)
        result = _result(session, ctx, record, new, kit.number)
        rec.audit(
            "return_corrected",
            "return",
            new.id,
            {"tablets": count, "corrects": old.id},
            {"tablets": old.tablets},
            why,
        )
        return result


def explain_flag(ctx: Context, actor: Actor, dispense: str, reason: str) -> ReturnResult:
    """The pharmacist's explanation of an adherence flag: a note of its own, counts unchanged."""
    require(actor, "return")
    why = check_text(reason, "explanation of the adherence flag")
    with write_transaction(ctx.engine) as session:
        record = get_dispense(session, dispense)
        returns = current_returns(session, record.id)
        if not returns:
            raise RuleViolation(f"No return is recorded for {record.number} yet.")
        rec = Recorder(session, actor, ctx.clock.now())
        session.add(
            AdherenceNote(dispense_id=record.id, reason=why, user_id=actor.user_id, at=rec.now)
        )
        kit = session.get(Kit, returns[-1].kit_id)
        assert kit is not None
        result = _result(session, ctx, record, returns[-1], kit.number)
        rec.audit("adherence_explained", "dispense", record.number, {"reason": why}, reason=why)
        return result


def _return_movement(
    kit: Kit, record: Dispense, ret: Return, count: int, day: date, reason: str
) -> LedgerEntry:
    """Tablets of a kit counted back: held for the monitor, tied to the dispense and return."""
    return stock_movement(
        kit,
        MovementKind.RETURN,
        count,
        day,
        reason,
        participant_id=record.participant_id,
        dispense_id=record.id,
        return_id=ret.id,
    )


def _dispense_for(
    session: Session, dispense: str | None, study_number: str | None, cycle: int | None
) -> Dispense:
    if dispense is not None and dispense != "":  # anything else given is checked, not skipped
        return get_dispense(session, dispense)
    if study_number and cycle is not None:
        return find_dispense(session, study_number, cycle)
    raise InvalidInput("Name the dispense: scan its label, or give the participant and cycle.")


def _result(
    session: Session, ctx: Context, record: Dispense, ret: Return, kit: str
) -> ReturnResult:
    session.flush()
    rows = [
        r
        for r in history_rows(session, ctx, record.participant_id)
        if r.dispense_number == record.number
    ]
    returns = current_returns(session, record.id)
    returned = sum(r.tablets for r in returns)
    if rows and rows[0].expected is not None:
        row = rows[0]
        taken, expected, adherence, flags = (
            row.taken or 0,
            row.expected or 0,
            row.adherence,
            row.flags,
        )
    else:  # a kit of the dispense is still out: no adherence yet; taken is what is not back
        taken, expected, adherence, flags = record.tablets - returned, 0, None, ()
    return ReturnResult(
        ret.id,
        record.number,
        record.participant.study_number,
        record.cycle,
        kit,
        ret.tablets,
        record.tablets,
        returned,
        taken,
        expected,
        adherence,
        flags,
        ret.corrects_id,
    )
