"""Dispensing a cycle: the counter's main step, signed by the pharmacist, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import (
    Dispense,
    DispenseKit,
    DispenseVoid,
    Kit,
    LedgerEntry,
    Lot,
    Participant,
    Return,
)
from dispensary.domain.codes import (
    Flag,
    KitStatus,
    MovementKind,
    ParticipantStatus,
    SignatureMeaning,
)
from dispensary.domain.errors import InvalidInput, NotPermitted, RuleViolation
from dispensary.domain.lifecycle import KitEvent
from dispensary.domain.regimen import DoseLevel, last_day_of_supply, tablets_needed
from dispensary.domain.rules import (
    STARTING_DOSE_LEVEL,
    KitCandidate,
    check_date,
    check_day1_near,
    check_interval,
    check_kit_dispensable,
    check_next_cycle,
    check_not_future,
    check_not_too_early,
    check_scanned_cover,
    check_text,
    choose_fefo,
    day1_window,
    first_expiry_skipped,
    rule_to_confirm,
    usable_kits,
)
from dispensary.services.assessment import (
    Caution,
    DispenseAssessment,
    DispenseCheck,
    DispenseRequest,
    KitVerdict,
    Notice,
    OverrideNeeds,
    Refusal,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import (
    candidate,
    contents_of_kits,
    get_dispense,
    get_kit,
    get_participant,
    is_voided,
    kit_contents,
    reversing_movement,
    stock_movement,
)
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import ALLOWED, Permission, may, require
from dispensary.services.queries import _kit_rows as kit_rows
from dispensary.services.queries import dispense_result, history_rows, live_dispenses
from dispensary.services.results import DispenseResult
from dispensary.services.stock import move_kit
from dispensary.services.studies import confirmed_rules
from dispensary.services.users import actor_of, check_signature, find_user, presign
from dispensary.study import Study

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
    """Hands out one cycle's supply: FEFO kits, or the kits scanned, once the assessment that
    `assess_dispense` shows (run again here, inside the write) has no refusal and every warning
    carries its override."""
    require(actor, Permission.DISPENSE)
    if cycle is None or dose_level is None:  # the assessment may leave them to be worked out
        raise InvalidInput("A dispense names its cycle and dose level (0, -1 ...).")
    if day1 is None:
        raise InvalidInput("The day 1 (the T-DM1 infusion date) must be a date (YYYY-MM-DD).")
    request = DispenseRequest(
        study_number=study_number,
        cycle=cycle,
        day1=day1,
        dose_level=dose_level,
        kits=_kit_codes(kits),
        dispensed_on=dispensed_on,
        override_reason=override_reason,
        platelet_count=platelet_count,
        dose_ordered_by=dose_ordered_by,
    )
    today = ctx.clock.today()
    checked = _checked(ctx, request, today)
    presign(ctx, (actor.username, password), (checked_by, checker_password))

    with write_transaction(ctx.engine) as session:
        plan = _plan(session, ctx, request, checked, today)
        found = plan.assessment
        if found.refusals:
            first = found.refusals[0]
            raise first.error(first.message)
        if found.overrides_missing:
            raise RuleViolation(found.override_text())
        participant, chosen = plan.participant, plan.chosen
        warnings = tuple(w.message for w in found.needs(OverrideNeeds.REASON))
        notices = tuple(n.message for n in found.notices)
        override = checked.override
        day, days = found.dispensed_on, ctx.study.cycle.days_of_supply
        tablets = sum(t for _, t in chosen)

        rec = Recorder(session, actor, ctx.clock.now())
        next_id = (session.scalar(select(func.max(Dispense.id))) or 0) + 1
        attempt = (
            session.scalar(
                select(func.max(Dispense.attempt)).where(
                    Dispense.participant_id == participant.id, Dispense.cycle == found.cycle
                )
            )
            or 0
        ) + 1
        checker_id = None
        if checked_by:
            checker = find_user(session, checked_by)
            if checker.id == actor.user_id:
                raise RuleViolation("The second check must be done by another person.")
            if not may(actor_of(checker), Permission.CHECK_DISPENSE):
                roles = " or ".join(sorted(r.value for r in ALLOWED[Permission.CHECK_DISPENSE]))
                raise NotPermitted(
                    f"{checker.username} ({checker.role}) may not check a dispense: the second "
                    f"check needs a user with the role {roles}."
                )
            checker_id = checker.id
        record = Dispense(
            id=next_id,
            number=dispense_number(next_id),
            participant_id=participant.id,
            cycle=found.cycle,
            attempt=attempt,
            day1=found.day1,
            dose_level=found.dose_level,
            dispensed_on=day,
            days_supply=days,
            tablets=tablets,
            dispensed_by_id=actor.user_id,
            checked_by_id=checker_id,
            dose_ordered_by=checked.ordered_by,
            platelet_count=checked.platelets,
            warning_override=override if warnings else "",
            created_at=rec.now,
        )
        session.add(record)
        session.flush()
        for kit, kit_tablets in chosen:
            session.add(DispenseKit(dispense_id=record.id, kit_id=kit.id, tablets=kit_tablets))
            movement = stock_movement(
                kit,
                MovementKind.DISPENSE,
                kit_tablets,
                day,
                f"cycle {found.cycle}",
                participant_id=participant.id,
                dispense_id=record.id,
            )
            move_kit(session, rec, kit, KitEvent.DISPENSE, today=today, ledger=movement)
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
                "cycle": found.cycle,
                "day1": found.day1,
                "dose_level": found.dose_level,
                "kits": [k.number for k, _ in chosen],
                "tablets": tablets,
                "days": days,
                "dispensed_on": day,
                "platelets": checked.platelets,
                "warnings": list(warnings),
                "notices": [n.message for n in found.notices],
                "signature": SignatureMeaning.DISPENSED.value,
            },
            reason=override,
        )
        session.flush()
        return dispense_result(session, ctx, record, warnings + notices)


def assess_dispense(ctx: Context, actor: Actor, request: DispenseRequest) -> DispenseAssessment:
    """Read-only: what `dispense_cycle` would refuse, warn about and hand out for this request,
    computed by the same policy in one read transaction. Malformed input and an unknown
    participant raise, as they do for the dispense."""
    require(actor, Permission.DISPENSE)
    today = ctx.clock.today()
    checked = _checked(ctx, request, today)
    with read_transaction(ctx.engine) as session:
        return _plan(session, ctx, request, checked, today).assessment


@dataclass(frozen=True)
class _Checked:
    """The request's own fields, checked before any record is read (and before signing)."""

    day: date
    cycle: int | None
    day1: date | None
    dose: DoseLevel | None
    override: str
    ordered_by: str
    platelets: float | None


def _kit_codes(kits: Sequence[str]) -> tuple[str, ...]:
    if isinstance(kits, str) or not isinstance(kits, Sequence):
        raise InvalidInput(f"The kits must be a list of kit numbers, not {kits!r:.40}.")
    return tuple(kits)


def _checked(ctx: Context, request: DispenseRequest, today: date) -> _Checked:
    day = check_not_future(request.dispensed_on, today, "dispense date")
    cycle = request.cycle
    if cycle is not None and (
        isinstance(cycle, bool) or not isinstance(cycle, int) or not 1 <= cycle <= 999
    ):
        raise InvalidInput(f"Cycle {cycle!r} is not a cycle number (1, 2, 3 ...).")
    day1 = request.day1
    if day1 is not None:
        day1 = check_date(day1, "day 1 (the T-DM1 infusion date)")
    level = request.dose_level
    if level is not None and (isinstance(level, bool) or not isinstance(level, int)):
        raise InvalidInput(f"Dose level {level!r:.20} is not a level number (0, -1 ...).")
    dose = ctx.study.dose_level(level) if level is not None else None
    override = check_text(request.override_reason, "override reason", required=False)
    ordered_by = check_text(
        request.dose_ordered_by, "name of who ordered the dose", required=False, limit=120
    )
    platelets = request.platelet_count
    if platelets is not None and (
        isinstance(platelets, bool) or not isinstance(platelets, int | float)
    ):
        raise InvalidInput(f"The platelet count must be a number, not {platelets!r:.40}.")
    if platelets is not None and not 0 <= platelets <= 5000:
        raise InvalidInput(f"A platelet count of {platelets} x 10^9/L is not possible.")
    return _Checked(day, cycle, day1, dose, override, ordered_by, platelets)


@dataclass
class _Plan:
    """The assessment, with the records the dispense writes when it is accepted."""

    assessment: DispenseAssessment
    participant: Participant
    chosen: list[tuple[Kit, int]]


class _Found:
    """Collects refusals and warnings in the order the pharmacist should deal with them."""

    def __init__(self, override: str, ordered_by: str) -> None:
        self.refusals: list[Refusal[DispenseCheck]] = []
        self.warnings: list[Caution] = []
        self.notices: list[Notice] = []
        self.given = {
            OverrideNeeds.REASON: bool(override),
            OverrideNeeds.ORDERED_BY: bool(ordered_by),
        }

    def check(self, code: DispenseCheck, rule: Callable[[], None]) -> bool:
        """Runs one domain rule; its refusal is kept (not raised). True when it passed."""
        try:
            rule()
        except RuleViolation as exc:
            self.refusals.append(Refusal(code, exc.message, type(exc)))
            return False
        return True

    def refuse(self, code: DispenseCheck, message: str) -> None:
        self.refusals.append(Refusal(code, message))

    def warn(self, code: DispenseCheck, message: str, needs: OverrideNeeds) -> None:
        self.warnings.append(Caution(code, message, needs, self.given[needs]))

    def notice(self, code: DispenseCheck, message: str) -> None:
        """A warning that needs no override (a rule to confirm, a safety signal)."""
        self.notices.append(Notice(code, message))


def _interval_to_confirm(
    study: Study, found: _Found, day1: date, previous_day1: date | None
) -> None:
    """The unconfirmed minimum interval: a shorter gap asks for the investigator's reason."""
    min_days = study.cycle.min_days_since_previous_day1
    if previous_day1 is None or (day1 - previous_day1).days >= min_days:
        return
    rule = study.rule("cycle.min_interval")
    gap = (day1 - previous_day1).days
    found.warn(
        DispenseCheck.DAY1_INTERVAL,
        rule_to_confirm(
            rule.title,
            rule.source,
            f"Day 1 {day1.isoformat()} is only {gap} day{'s' * (gap != 1)} after the previous "
            f"cycle's day 1 "
            f"({previous_day1.isoformat()}); check the infusion date and give the reason to "
            "dispense.",
        ),
        OverrideNeeds.REASON,
    )


def _plan(
    session: Session, ctx: Context, request: DispenseRequest, checked: _Checked, today: date
) -> _Plan:
    """The one dispensing policy: every rule, in order, for the assessment and the dispense."""
    study = ctx.study
    found = _Found(checked.override, checked.ordered_by)
    participant = get_participant(session, request.study_number)
    previous = _last_dispense(session, participant)
    due = (previous.cycle if previous else 0) + 1
    cycle = due if checked.cycle is None else checked.cycle
    dose = checked.dose
    if dose is None:
        dose = study.dose_level(previous.dose_level if previous else 0)
    day1 = checked.day1 or checked.day
    previous_day1 = previous.day1 if previous else None
    confirmed = confirmed_rules(session, study)
    # The study file's minimum interval refuses only once confirmed. Until then a day 1 on or
    # before the previous one is still refused (it is the same cycle's date, not a clinical
    # rule), and a shorter gap is a warning the pharmacist overrides with the reason.
    min_days = study.cycle.min_days_since_previous_day1
    interval_confirmed = "cycle.min_interval" in confirmed
    floor = min_days if interval_confirmed else min(min_days, 1)
    earliest, latest = day1_window(checked.day, previous_day1, floor, participant.enrolled_on)

    if participant.status != ParticipantStatus.ON_TREATMENT.value:
        found.refuse(
            DispenseCheck.NOT_ON_TREATMENT,
            f"Participant {participant.study_number} is "
            f"{ParticipantStatus(participant.status).label.lower()}; only participants on "
            "treatment are dispensed to.",
        )
    last_cycle = previous.cycle if previous else None
    found.check(
        DispenseCheck.CYCLE, partial(check_next_cycle, cycle, last_cycle, study.cycle.max_cycles)
    )
    too_early = partial(check_not_too_early, cycle, earliest, latest)
    if found.check(DispenseCheck.TOO_EARLY, too_early) and found.check(
        DispenseCheck.DAY1_FAR, partial(check_day1_near, day1, checked.day)
    ):
        interval = partial(check_interval, day1, previous_day1, floor, participant.enrolled_on)
        if found.check(DispenseCheck.DAY1_INTERVAL, interval) and not interval_confirmed:
            _interval_to_confirm(study, found, day1, previous_day1)
    if previous is not None:
        _previous_cycle(session, ctx, found, previous, dose)
    elif dose.level != STARTING_DOSE_LEVEL:
        found.warn(
            DispenseCheck.STARTING_DOSE,
            f"Cycle 1 starts at the starting dose (level {STARTING_DOSE_LEVEL}, "
            f"{study.dose_level(STARTING_DOSE_LEVEL).name}); level {dose.level} ({dose.name}) "
            "needs the investigator who ordered it.",
            OverrideNeeds.ORDERED_BY,
        )
    for key in [f"dose_levels.{dose.level}", *(f"products.{p}" for p in dose.products)]:
        if key not in confirmed:
            rule = study.rule(key)
            found.notice(
                DispenseCheck.RULE_TO_CONFIRM,
                rule_to_confirm(rule.title, rule.source, f"{rule.title} is dispensed."),
            )
    threshold = study.platelet_hold_at_or_above
    platelets = checked.platelets
    if threshold and platelets is not None and platelets >= threshold:
        if "platelets" in confirmed:
            found.warn(
                DispenseCheck.PLATELETS_HOLD,
                f"Platelets {platelets:g} x 10^9/L are at or above {threshold:g}: the "
                "investigator's rule is to hold the drug.",
                OverrideNeeds.REASON,
            )
        else:
            rule = study.rule("platelets")
            found.notice(
                DispenseCheck.RULE_TO_CONFIRM,
                rule_to_confirm(
                    rule.title, rule.source, f"platelets {platelets:g} x 10^9/L are recorded."
                ),
            )

    days = study.cycle.days_of_supply
    cover_until = last_day_of_supply(day1, days) + timedelta(days=study.cycle.expiry_margin_days)
    needs = {p: tablets_needed(dose, p, days) for p in dose.products}
    stock = {p: _usable_stock(session, p, cover_until, today) for p in needs}
    proposed: list[tuple[Kit, int]] = []
    short: list[str] = []
    for product, tablets in needs.items():
        kits, candidates = stock[product]
        try:
            picked = choose_fefo(candidates, product, tablets, cover_until, today)
        except RuleViolation as exc:
            short.append(exc.message)
            continue
        proposed += [(kits[k.number], k.tablets) for k in picked]
    if request.kits:
        verdicts, chosen = _scanned(
            session, found, request.kits, dose, needs, stock, cover_until, today
        )
    else:
        verdicts, chosen = [], proposed
        for message in short:
            found.refuse(DispenseCheck.STOCK_SHORT, message)

    assessment = DispenseAssessment(
        participant=participant.study_number,
        cycle=cycle,
        cycle_due=due,
        previous_day1=previous_day1,
        earliest_day1=earliest,
        latest_day1=latest,
        day1=day1,
        dispensed_on=checked.day,
        dose_level=dose.level,
        dose_name=dose.name,
        previous_dose_level=previous.dose_level if previous else None,
        refusals=tuple(found.refusals),
        warnings=tuple(found.warnings),
        proposed=tuple(kit_rows(session, [k for k, _ in proposed], today)),
        kits=tuple(verdicts),
        tablets_needed=sum(needs.values()),
        tablets_in_kits=sum(t for _, t in chosen),
        notices=tuple(found.notices),
        start_date=max(day1, checked.day),
    )
    return _Plan(assessment, participant, chosen)


def _previous_cycle(
    session: Session, ctx: Context, found: _Found, previous: Dispense, dose: DoseLevel
) -> None:
    """What the last cycle asks of this one: its return recorded, and a dose change ordered."""
    returned = session.scalar(
        select(func.count()).select_from(Return).where(Return.dispense_id == previous.id)
    )
    if not returned:
        text = f"The return of cycle {previous.cycle} ({previous.number}) is not recorded yet."
        if ctx.study.cycle.previous_return_missing == "refuse":
            found.refuse(
                DispenseCheck.PREVIOUS_RETURN_MISSING,
                text + " Record the return before dispensing the next cycle.",
            )
        else:
            found.warn(DispenseCheck.PREVIOUS_RETURN_MISSING, text, OverrideNeeds.REASON)
    else:
        row = next(
            (
                r
                for r in history_rows(session, ctx, previous.participant_id)
                if r.dispense_number == previous.number
            ),
            None,
        )
        if row is not None and Flag.OVER_USE in row.flags and not row.flag_reason:
            found.notice(
                DispenseCheck.SAFETY_SIGNAL,
                f"Cycle {previous.cycle} ({previous.number}) was flagged for over-use (a safety "
                "signal) and it is not explained yet: ask the participant and tell the "
                "investigator, then record the explanation.",
            )
    if previous.dose_level != dose.level:
        found.warn(
            DispenseCheck.DOSE_CHANGE,
            f"The dose changes from level {previous.dose_level} to {dose.level} "
            f"({dose.name}). Record who ordered the change (the investigator) first.",
            OverrideNeeds.ORDERED_BY,
        )


Stock = tuple[dict[str, Kit], list[KitCandidate]]


def _usable_stock(session: Session, product: str, cover_until: date, today: date) -> Stock:
    """Kits of the product on the shelf that last the supply, first expiry first."""
    kits = list(
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
    on_shelf = contents_of_kits(session, kits)
    candidates = [candidate(k, on_shelf[k.id]) for k in kits]
    return {k.number: k for k in kits}, usable_kits(candidates, product, cover_until, today)


def _scanned(
    session: Session,
    found: _Found,
    codes: Sequence[str],
    dose: DoseLevel,
    needs: dict[str, int],
    stock: dict[str, Stock],
    cover_until: date,
    today: date,
) -> tuple[list[KitVerdict], list[tuple[Kit, int]]]:
    """The verdict on each scanned code, in scan order, and the kits taken."""
    verdicts: list[KitVerdict] = []
    errors: dict[int, type[RuleViolation]] = {}  # a code that is no kit: NotFound, InvalidInput
    taken: list[tuple[Kit, KitCandidate]] = []
    for raw in codes:
        try:
            kit = get_kit(session, raw)
        except RuleViolation as exc:
            errors[len(verdicts)] = type(exc)
            verdicts.append(_not_a_kit(session, raw, exc))
            continue
        refusal = _kit_refusal(session, kit, taken, dose, needs, cover_until, today)
        if isinstance(refusal, str):
            verdicts.append(KitVerdict(kit.number, False, refusal))
            continue
        taken.append((kit, refusal))
        verdicts.append(KitVerdict(kit.number, True, ""))
    for product, tablets in needs.items():
        of_product = [c for _, c in taken if c.product == product]
        if not of_product:
            continue
        try:
            _check_not_too_many(of_product, tablets)
        except RuleViolation as exc:
            last = max(
                i for i, v in enumerate(verdicts) if v.accepted and v.code == of_product[-1].number
            )
            verdicts[last] = KitVerdict(of_product[-1].number, False, exc.message)
            taken = [(k, c) for k, c in taken if k.number != of_product[-1].number]
    rows = {r.number: r for r in kit_rows(session, [k for k, _ in taken], today)}
    verdicts = [replace(v, row=rows[v.code]) if v.accepted else v for v in verdicts]
    for index, verdict in enumerate(verdicts):
        if not verdict.accepted:
            error = errors.get(index, RuleViolation)
            found.refusals.append(Refusal(DispenseCheck.KIT, verdict.message, error))
    scanned = [c for _, c in taken]
    for product, tablets in needs.items():
        found.check(
            DispenseCheck.KITS_SHORT, partial(check_scanned_cover, scanned, product, tablets)
        )
    numbers = [c.number for c in scanned]
    for picked in scanned:
        skipped = first_expiry_skipped(picked, stock[picked.product][1], numbers)
        if skipped is not None:
            found.warn(
                DispenseCheck.NOT_FIRST_EXPIRY,
                f"Kit {picked.number} (lot {picked.lot}) expires {picked.expiry.isoformat()}, "
                f"after kit {skipped.number} (lot {skipped.lot}, expires "
                f"{skipped.expiry.isoformat()}), which first expiry first out hands out first: "
                f"take kit {skipped.number} instead.",
                OverrideNeeds.REASON,
            )
    return verdicts, [(k, c.tablets) for k, c in taken]


def _not_a_kit(session: Session, raw: str, exc: RuleViolation) -> KitVerdict:
    """A code that is no kit of this pharmacy; a participant's study number is named as such."""
    code = raw.strip().upper() if isinstance(raw, str) else repr(raw)[:40]
    number = session.scalar(
        select(Participant.study_number).where(Participant.study_number == code)
    )
    if number is None:
        return KitVerdict(code, False, exc.message)
    return KitVerdict(
        code,
        False,
        f"{number} is a participant's study number, not a kit. Scan the barcode on the kit's "
        "label.",
        participant=number,
    )


def _kit_refusal(
    session: Session,
    kit: Kit,
    taken: Sequence[tuple[Kit, KitCandidate]],
    dose: DoseLevel,
    needs: dict[str, int],
    cover_until: date,
    today: date,
) -> KitCandidate | str:
    """The scanned kit as a candidate, or why it is refused: scanned twice, the wrong product,
    not dispensable, or not needed."""
    if any(k.id == kit.id for k, _ in taken):
        return f"Kit {kit.number} is already scanned for this dispense."
    if kit.product not in needs:
        return (
            f"Kit {kit.number} holds {kit.product}; this dose ({dose.name}) needs "
            f"{', '.join(needs)}. Take a kit of the right product."
        )
    kit_candidate = candidate(kit, kit_contents(session, kit))
    try:
        check_kit_dispensable(kit_candidate, kit.product, cover_until, today)
    except RuleViolation as exc:
        return exc.message
    already = sum(c.tablets for _, c in taken if c.product == kit.product)
    if already >= needs[kit.product]:
        return (
            f"Kit {kit.number} is not needed: the kits scanned already hold the "
            f"{needs[kit.product]} tablets of {kit.product} for the cycle. Put it back."
        )
    return kit_candidate


def _last_dispense(session: Session, participant: Participant) -> Dispense | None:
    live = live_dispenses(session, participant.id)
    return live[-1] if live else None


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
    """Corrects a dispense made in error (kits never left the pharmacy): the void, a row of its
    own, and reversing entries that name the original, never an edit. The cycle can then be
    dispensed again."""
    require(actor, Permission.DISPENSE)
    why = check_text(reason, "reason for the correction")
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        record = get_dispense(session, dispense_ref)
        if is_voided(session, record):
            raise RuleViolation(f"Dispense {record.number} has already been voided.")
        if session.scalar(
            select(func.count()).select_from(Return).where(Return.dispense_id == record.id)
        ):
            raise RuleViolation(
                f"Dispense {record.number} has returns recorded: the tablets left the pharmacy. "
                "It cannot be voided; correct the return instead."
            )
        entries = session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.dispense_id == record.id,
                LedgerEntry.kind == MovementKind.DISPENSE.value,
                LedgerEntry.reverses_id.is_(None),
            )
            .order_by(LedgerEntry.id)
        ).all()
        rec = Recorder(session, actor, ctx.clock.now())
        void = DispenseVoid(dispense_id=record.id, reason=why, user_id=actor.user_id, at=rec.now)
        session.add(void)
        session.flush()
        today = ctx.clock.today()
        for entry in entries:
            kit = session.get(Kit, entry.kit_id)
            assert kit is not None
            reversal = reversing_movement(entry, today, why)
            move_kit(
                session, rec, kit, KitEvent.VOID_DISPENSE, today=today, ledger=reversal, fact=void
            )
        check_signature(
            session, actor, password, SignatureMeaning.CORRECTED, "dispense", record.id, rec
        )
        rec.audit(
            "dispense_voided",
            "dispense",
            record.number,
            {"voided": True, "void": void.id},
            {"voided": False},
            why,
        )
        return dispense_result(session, ctx, record, ())
