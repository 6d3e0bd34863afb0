"""Dispensing a cycle: the counter's main step, signed by the pharmacist, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Dispense, DispenseKit, Kit, LedgerEntry, Lot, Participant, Return
from dispensary.domain.codes import KitStatus, MovementKind, ParticipantStatus, SignatureMeaning
from dispensary.domain.errors import InvalidInput, NotPermitted, RuleViolation
from dispensary.domain.regimen import DoseLevel, last_day_of_supply, tablets_needed
from dispensary.domain.rules import (
    KitCandidate,
    check_date,
    check_day1_near,
    check_interval,
    check_kit_dispensable,
    check_next_cycle,
    check_not_future,
    check_scanned_cover,
    check_text,
    choose_fefo,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import (
    candidate,
    contents_of_kits,
    get_dispense,
    get_kit,
    get_kits,
    get_participant,
    kit_contents,
    reversing_movement,
    stock_movement,
)
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import ALLOWED, may, require
from dispensary.services.queries import _kit_rows as kit_rows
from dispensary.services.queries import dispense_result, live_dispenses
from dispensary.services.results import DispenseResult, KitRow
from dispensary.services.users import actor_of, check_signature, find_user, presign

DISPENSE_PREFIX = "DSP"


def dispense_number(dispense_id: int) -> str:
    return f"{DISPENSE_PREFIX}{dispense_id:06d}"


def dispense_cycle(
    ctx: Context,
    actor: Actor,
    study_number: str,
    cycle: int,
    day1: date,
    password: str,
    dose_level: int = 0,
    kits: Sequence[str] = (),
    dispensed_on: date | None = None,
    override_reason: str = "",
    platelet_count: float | None = None,
    dose_ordered_by: str = "",
    checked_by: str = "",
    checker_password: str = "",
) -> DispenseResult:
    """Hands out one cycle's supply: FEFO kits, or the kits scanned, after every rule passes."""
    require(actor, "dispense")
    study = ctx.study
    today = ctx.clock.today()
    day = check_not_future(dispensed_on, today, "dispense date")
    if isinstance(cycle, bool) or not isinstance(cycle, int) or not 1 <= cycle <= 999:
        raise InvalidInput(f"Cycle {cycle!r} is not a cycle number (1, 2, 3 ...).")
    day1 = check_date(day1, "day 1 (the T-DM1 infusion date)")
    check_day1_near(day1, day)
    if isinstance(dose_level, bool) or not isinstance(dose_level, int):
        raise InvalidInput(f"Dose level {dose_level!r:.20} is not a level number (0, -1 ...).")
    dose = study.dose_level(dose_level)
    override = check_text(override_reason, "override reason", required=False)
    ordered_by = check_text(
        dose_ordered_by, "name of who ordered the dose", required=False, limit=120
    )
    if platelet_count is not None and (
        isinstance(platelet_count, bool) or not isinstance(platelet_count, int | float)
    ):
        raise InvalidInput(f"The platelet count must be a number, not {platelet_count!r:.40}.")
    if platelet_count is not None and not 0 <= platelet_count <= 5000:
        raise InvalidInput(f"A platelet count of {platelet_count} x 10^9/L is not possible.")
    days = study.cycle.days_of_supply
    last_day = last_day_of_supply(day1, days)
    cover_until = last_day + timedelta(days=study.cycle.expiry_margin_days)
    presign(ctx, (actor.username, password), (checked_by, checker_password))

    with write_transaction(ctx.engine) as session:
        participant = get_participant(session, study_number)
        if participant.status != ParticipantStatus.ON_TREATMENT.value:
            raise RuleViolation(
                f"Participant {participant.study_number} is "
                f"{ParticipantStatus(participant.status).label.lower()}; only participants on "
                "treatment are dispensed to."
            )
        previous = _last_dispense(session, participant)
        check_next_cycle(cycle, previous.cycle if previous else None, study.cycle.max_cycles)
        check_interval(
            day1,
            previous.day1 if previous else None,
            study.cycle.min_days_since_previous_day1,
            participant.enrolled_on,
        )
        warnings = _warnings(
            session, ctx, participant, previous, dose, platelet_count, override, ordered_by
        )
        chosen = _choose_kits(session, ctx, dose, kits, days, cover_until, today)
        tablets = sum(t for _, t in chosen)

        rec = Recorder(session, actor, ctx.clock.now())
        next_id = (session.scalar(select(func.max(Dispense.id))) or 0) + 1
        attempt = (
            session.scalar(
                select(func.max(Dispense.attempt)).where(
                    Dispense.participant_id == participant.id, Dispense.cycle == cycle
                )
            )
            or 0
        ) + 1
        checker_id = None
        if checked_by:
            checker = find_user(session, checked_by)
            if checker.id == actor.user_id:
                raise RuleViolation("The second check must be done by another person.")
            if not may(actor_of(checker), "check_dispense"):
                roles = " or ".join(sorted(r.value for r in ALLOWED["check_dispense"]))
                raise NotPermitted(
                    f"{checker.username} ({checker.role}) may not check a dispense: the second "
                    f"check needs a user with the role {roles}."
                )
            checker_id = checker.id
        record = Dispense(
            id=next_id,
            number=dispense_number(next_id),
            participant_id=participant.id,
            cycle=cycle,
            attempt=attempt,
            day1=day1,
            dose_level=dose.level,
            dispensed_on=day,
            days_supply=days,
            tablets=tablets,
            dispensed_by_id=actor.user_id,
            checked_by_id=checker_id,
            dose_ordered_by=ordered_by,
            platelet_count=platelet_count,
            warning_override=override if warnings else "",
            created_at=rec.now,
        )
        session.add(record)
        session.flush()
        for kit, kit_tablets in chosen:
            session.add(DispenseKit(dispense_id=record.id, kit_id=kit.id, tablets=kit_tablets))
            kit.status = KitStatus.DISPENSED.value
            rec.ledger(
                stock_movement(
                    kit,
                    MovementKind.DISPENSE,
                    kit_tablets,
                    day,
                    f"cycle {cycle}",
                    participant_id=participant.id,
                    dispense_id=record.id,
                )
            )
        check_signature(
            session, actor, password, SignatureMeaning.DISPENSED, "dispense", record.id, rec
        )
        if checker_id is not None:
            checker_actor = find_user(session, checked_by)
            check_signature(
                session,
                actor_of(checker_actor),
                checker_password,
                SignatureMeaning.CHECKED,
                "dispense",
                record.id,
                rec,
            )
        rec.audit(
            "dispense",
            "dispense",
            record.number,
            {
                "participant": participant.study_number,
                "cycle": cycle,
                "day1": day1,
                "dose_level": dose.level,
                "kits": [k.number for k, _ in chosen],
                "tablets": tablets,
                "days": days,
                "dispensed_on": day,
                "platelets": platelet_count,
                "warnings": list(warnings),
                "signature": SignatureMeaning.DISPENSED.value,
            },
            reason=override,
        )
        session.flush()
        return dispense_result(session, ctx, record, warnings)


def _last_dispense(session: Session, participant: Participant) -> Dispense | None:
    live = live_dispenses(session, participant.id)
    return live[-1] if live else None


def _warnings(
    session: Session,
    ctx: Context,
    participant: Participant,
    previous: Dispense | None,
    dose: DoseLevel,
    platelets: float | None,
    override: str,
    ordered_by: str,
) -> tuple[str, ...]:
    study = ctx.study
    warnings: list[str] = []
    if previous is not None:
        returned = session.scalar(
            select(func.count()).select_from(Return).where(Return.dispense_id == previous.id)
        )
        if not returned:
            text = f"The return of cycle {previous.cycle} ({previous.number}) is not recorded yet."
            if study.cycle.previous_return_missing == "refuse":
                raise RuleViolation(text + " Record the return before dispensing the next cycle.")
            warnings.append(text)
        if previous.dose_level != dose.level and not ordered_by:
            raise RuleViolation(
                f"The dose changes from level {previous.dose_level} to {dose.level} "
                f"({dose.name}). Record who ordered the change (the investigator) first."
            )
    threshold = study.platelet_hold_at_or_above
    if threshold and platelets is not None and platelets >= threshold:
        warnings.append(
            f"Platelets {platelets:g} x 10^9/L are at or above {threshold:g}: the investigator's "
            "rule is to hold the drug."
        )
    if warnings and not override:
        raise RuleViolation(
            " ".join(warnings) + " To dispense anyway, give the reason for overriding "
            "(e.g. the investigator's instruction)."
        )
    return tuple(warnings)


def _choose_kits(
    session: Session,
    ctx: Context,
    dose: DoseLevel,
    scanned: Sequence[str],
    days: int,
    cover_until: date,
    today: date,
) -> list[tuple[Kit, int]]:
    """Returns (kit, tablets) pairs; whole kits are handed out."""
    needs = {p: tablets_needed(dose, p, days) for p in dose.products}
    if scanned:
        kits = get_kits(session, scanned)
        chosen: list[tuple[Kit, int]] = []
        for kit in kits:
            contents = _check_scanned_kit(session, kit, dose, needs, cover_until, today)
            chosen.append((kit, contents))
        for product, tablets in needs.items():
            of_product = [candidate(k, t) for k, t in chosen if k.product == product]
            check_scanned_cover(of_product, product, tablets)
            _check_not_too_many(of_product, tablets)
        return chosen
    chosen = []
    for product, tablets in needs.items():
        stock = list(
            session.scalars(
                select(Kit)
                .join(Lot)
                .where(
                    Kit.product == product,
                    Kit.status == KitStatus.AVAILABLE.value,
                    Lot.expiry >= cover_until,
                )
                .order_by(Lot.expiry, Lot.number, Kit.number)
            )
        )
        by_number = {k.number: k for k in stock}
        on_shelf = contents_of_kits(session, stock)
        candidates = [candidate(k, on_shelf[k.id]) for k in stock]
        for picked in choose_fefo(candidates, product, tablets, cover_until, today):
            chosen.append((by_number[picked.number], picked.tablets))
    return chosen


def _check_scanned_kit(
    session: Session,
    kit: Kit,
    dose: DoseLevel,
    needs: dict[str, int],
    cover_until: date,
    today: date,
) -> int:
    """The tablets in a scanned kit, once it is the right product, available and in date."""
    if kit.product not in needs:
        raise RuleViolation(
            f"Kit {kit.number} holds {kit.product}; this dose ({dose.name}) needs "
            f"{', '.join(needs)}. Take a kit of the right product."
        )
    contents = kit_contents(session, kit)
    check_kit_dispensable(candidate(kit, contents), kit.product, cover_until, today)
    return contents


def _supply(ctx: Context, dose_level: int, day1: date | None) -> tuple[DoseLevel, date, date]:
    """The dose, the day the supply must last until, and today, as `dispense_cycle` sees them."""
    study = ctx.study
    today = ctx.clock.today()
    dose = study.dose_level(dose_level)
    last_day = last_day_of_supply(day1 or today, study.cycle.days_of_supply)
    return dose, last_day + timedelta(days=study.cycle.expiry_margin_days), today


def propose_kits(
    ctx: Context, actor: Actor, dose_level: int = 0, day1: date | None = None
) -> list[KitRow]:
    """Read-only: the kits first-expiry-first-out would hand out, shown before signing."""
    require(actor, "dispense")
    dose, cover_until, today = _supply(ctx, dose_level, day1)
    with read_transaction(ctx.engine) as session:
        chosen = _choose_kits(
            session, ctx, dose, (), ctx.study.cycle.days_of_supply, cover_until, today
        )
        return kit_rows(session, [kit for kit, _ in chosen], today)


def check_kit_for_dispense(
    ctx: Context,
    actor: Actor,
    kit: str,
    dose_level: int = 0,
    day1: date | None = None,
    scanned: Sequence[str] = (),
) -> KitRow:
    """Read-only: a kit scanned at the counter, refused at once with the RuleViolation the
    dispense itself would raise (wrong product, not available, expires too soon, not needed)."""
    require(actor, "dispense")
    dose, cover_until, today = _supply(ctx, dose_level, day1)
    needs = {p: tablets_needed(dose, p, ctx.study.cycle.days_of_supply) for p in dose.products}
    with read_transaction(ctx.engine) as session:
        record = get_kit(session, kit)
        others = get_kits(session, scanned)
        if any(k.id == record.id for k in others):
            raise RuleViolation(f"Kit {record.number} is already scanned for this dispense.")
        contents = _check_scanned_kit(session, record, dose, needs, cover_until, today)
        same_product = [
            candidate(k, kit_contents(session, k)) for k in others if k.product == record.product
        ]
        already = sum(k.tablets for k in same_product)
        if already >= needs[record.product]:
            raise RuleViolation(
                f"Kit {record.number} is not needed: the kits scanned already hold the "
                f"{needs[record.product]} tablets of {record.product} for the cycle. Put it back."
            )
        _check_not_too_many([*same_product, candidate(record, contents)], needs[record.product])
        return kit_rows(session, [record], today)[0]


def _check_not_too_many(kits: Sequence[KitCandidate], tablets: int) -> None:
    total = sum(k.tablets for k in kits)
    for kit in kits:
        if total - kit.tablets >= tablets:
            raise RuleViolation(
                f"Kit {kit.number} is not needed: the other kits scanned already hold the "
                f"{tablets} tablets of the cycle. Put it back."
            )


def void_dispense(
    ctx: Context, actor: Actor, dispense_ref: str, reason: str, password: str
) -> DispenseResult:
    """Corrects a dispense made in error (kits never left the pharmacy): reversing entries that
    name the original, never an edit. The cycle can then be dispensed again."""
    require(actor, "dispense")
    why = check_text(reason, "reason for the correction")
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        record = get_dispense(session, dispense_ref)
        if session.scalar(
            select(func.count()).select_from(Return).where(Return.dispense_id == record.id)
        ):
            raise RuleViolation(
                f"Dispense {record.number} has returns recorded: the tablets left the pharmacy. "
                "It cannot be voided; correct the return instead."
            )
        entries = list(
            session.scalars(
                select(LedgerEntry).where(
                    LedgerEntry.dispense_id == record.id,
                    LedgerEntry.kind == MovementKind.DISPENSE.value,
                )
            )
        )
        if sum(e.quantity for e in entries) == 0:
            raise RuleViolation(f"Dispense {record.number} has already been voided.")
        rec = Recorder(session, actor, ctx.clock.now())
        for entry in entries:
            if entry.reverses_id is not None:
                continue
            kit = session.get(Kit, entry.kit_id)
            assert kit is not None
            if kit.status != KitStatus.DISPENSED.value:
                raise RuleViolation(f"Kit {kit.number} is no longer dispensed; cannot void.")
            kit.status = KitStatus.AVAILABLE.value
            rec.ledger(reversing_movement(entry, ctx.clock.today(), why))
        check_signature(
            session, actor, password, SignatureMeaning.CORRECTED, "dispense", record.id, rec
        )
        rec.audit(
            "dispense_voided", "dispense", record.number, {"voided": True}, {"voided": False}, why
        )
        return dispense_result(session, ctx, record, ())
