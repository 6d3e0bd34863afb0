"""Recording the tablets a participant brings back, and correcting a count already recorded."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import (
    FIRST_STUDY,
    AdherenceNote,
    Dispense,
    DispenseKit,
    Kit,
    LedgerEntry,
    Participant,
    Return,
)
from dispensary.domain import reasons
from dispensary.domain.accountability import ProductTally, balance_of
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus, MovementKind, SignatureMeaning
from dispensary.domain.errors import InOtherStudy, InvalidInput, NotFound, RuleViolation
from dispensary.domain.lifecycle import KitEvent, status_word
from dispensary.domain.regimen import last_day_of_supply
from dispensary.domain.rules import (
    DATABASE_INT_MAX,
    RETURNED_TABLETS,
    check_count,
    check_cycle,
    check_date,
    check_not_future,
    check_return_quantity,
    check_text,
    normalise_kit_number,
)
from dispensary.i18n import N_, _, listed
from dispensary.services.assessment import (
    AdherencePreview,
    Refusal,
    ReturnAssessment,
    ReturnCheck,
    ReturnKitLine,
    ReturnRequest,
    StudyFileChanged,
)
from dispensary.services.assessment.returns import NOT_BROUGHT_BACK, RETURN_OUTCOMES
from dispensary.services.audit import Recorder
from dispensary.services.common import (
    CodeKind,
    get_dispense,
    get_kit,
    get_participant,
    is_dispense_number,
    is_voided,
    kit_movements,
    other_label,
    other_study,
    reversing_movement,
    status_now,
    stock_movement,
    unknown_code_kind,
)
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.queries import (
    current_returns,
    dispense_adherence,
    dispense_result,
    expected_use_until,
    held_until_of,
    history_rows,
    judged_product,
    left_treatment_on,
    live_dispenses,
    product_tallies,
    return_day_note,
    start_date,
    unaccounted_of,
)
from dispensary.services.results import ProductFigures, ReturnResult
from dispensary.services.stock import move_kit
from dispensary.services.study_versions import study_file_changed
from dispensary.services.users import check_signer, passwords_first, presign, record_signature
from dispensary.study import Study


def find_dispense(
    session: Session, study_number: str, cycle: int, study: int, *, reader: Collection[int]
) -> Dispense:
    check_cycle(cycle)
    participant = get_participant(session, study_number, study, reader=reader)
    for record in live_dispenses(session, participant.id):
        if record.cycle == cycle:
            return record
    raise NotFound(
        _(
            "Participant {participant} has no dispense for cycle {cycle}. "
            "Check the cycle number, or scan the dispensing label."
        ).format(participant=participant.study_number, cycle=cycle)
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
    outcome: str = "",
    held_from: date | None = None,
    held_until: date | None = None,
    held_ordered_by: str = "",
) -> ReturnResult:
    """Counts back one kit of a dispense (named by its label barcode, or participant + cycle).

    Adherence is worked out once every kit of the dispense is back; a flag without an
    explanation stays open in the reconciliation until the pharmacist gives one.
    """
    require(actor, Permission.RETURN, ctx, recorded=True)
    today = ctx.clock.today()
    request = ReturnRequest(
        dispense=dispense,
        study_number=study_number,
        cycle=cycle,
        kit=kit,
        tablets=tablets,
        returned_on=returned_on,
        held_days=held_days,
        condition=condition,
        note=note,
        outcome=outcome,
        held_from=held_from,
        held_until=held_until,
        held_ordered_by=held_ordered_by,
    )
    with passwords_first(ctx, actor, password, SignatureMeaning.RETURN_COUNTED):
        checked = _checked_return(request, today, writing=True, counted=_returned(ctx.study))
    assert checked.tablets is not None and checked.kit is not None  # required when writing
    day, count, held, number = checked.day, checked.tablets, checked.held, checked.kit
    note_text, condition_text = checked.note, checked.condition
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.RETURN)
        # The password first: a wrong one is said and counted (once this is rolled back)
        # whatever else the return would be refused for (users.check_signer).
        signer = check_signer(
            session,
            actor,
            password,
            SignatureMeaning.RETURN_COUNTED,
            auditor=actor,
            now=rec.now,
        )
        plan = _plan_return(session, ctx, actor, request, checked, today)
        if plan.assessment.refusals:
            first = plan.assessment.refusals[0]
            raise first.error(first.message)
        record, line = plan.record, plan.line
        held = plan.assessment.held_days
        assert line is not None  # a kit of the dispense still to count: not refused
        flags = plan.assessment.preview.flags if plan.assessment.preview else ()  # as recorded
        ret = Return(
            dispense_id=record.id,
            kit_id=line.kit_id,
            tablets=count,
            returned_on=day,
            held_days=held,
            condition=condition_text,
            note=note_text,
            flag_reason=note_text if flags else "",  # set before the insert: never updated
            counted_by_id=actor.user_id,
            created_at=rec.now,
            outcome=checked.outcome or None,
            held_from=checked.held_from,
            held_until=checked.held_until,
            held_ordered_by=checked.held_ordered_by or None,
        )
        session.add(ret)
        session.flush()
        kit_row = session.get(Kit, line.kit_id)
        assert kit_row is not None
        back = reasons.written(reasons.CYCLE_RETURN, cycle=record.cycle)
        movement = _return_movement(kit_row, record, ret, count, day, back) if count else None
        # A kit not brought back is not in the pharmacy: it stays out with the participant (or
        # lost), never held returned, until a correction of this return counts it back.
        event = (
            KitEvent.NOT_BROUGHT_BACK if checked.outcome == NOT_BROUGHT_BACK else KitEvent.RETURN
        )
        move_kit(session, rec, kit_row, event, today=today, ledger=movement)
        result = _result(session, ctx, record, ret, number)
        record_signature(session, signer, SignatureMeaning.RETURN_COUNTED, "return", ret.id, rec)
        rec.audit(
            AuditAction.RETURN,
            "return",
            ret.id,
            _return_values(
                {
                    "dispense": record.number,
                    "kit": number,
                    "tablets": count,
                    "returned_on": day,
                    "held_days": held,
                    "held_from": checked.held_from,
                    "held_until": checked.held_until,
                    "held_ordered_by": checked.held_ordered_by,
                    "outcome": checked.outcome or "counted",
                    "taken": result.taken,
                    "expected": result.expected,
                    "flags": [f.value for f in result.flags],
                    "note": note_text,
                },
                result,
                kit_row.product,
            ),
        )
        return result


def assess_return(ctx: Context, actor: Actor, request: ReturnRequest) -> ReturnAssessment:
    """Read-only: the dispense the request names (or the code scanned names), each of its kits
    to count or back, what `record_return` would refuse for the count, and the adherence it
    would record, computed by the same policy in one read transaction. Malformed input, and a
    code that names no dispense with a kit out, raise as they do for the return."""
    require(actor, Permission.RETURN, ctx)
    today = ctx.clock.today()
    checked = _checked_return(request, today, writing=False, counted=_returned(ctx.study))
    with read_transaction(ctx.engine) as session:
        return _plan_return(session, ctx, actor, request, checked, today).assessment


@dataclass(frozen=True)
class _ReturnChecked:
    """The request's own fields, checked before any record is read (and before signing)."""

    day: date
    tablets: int | None
    held: int
    note: str
    condition: str
    kit: str | None
    outcome: str = ""
    held_from: date | None = None
    held_until: date | None = None
    held_ordered_by: str = ""


def _returned(study: Study) -> str:
    """The count field as a refusal names it: "number of tablets returned" in a study of
    tablets only, else "number of units returned" (a capsule kit's count is no tablets)."""
    if study.tablets_only:
        return N_("number of tablets returned")
    return N_("number of units returned")


def _checked_return(
    request: ReturnRequest, today: date, writing: bool, counted: str
) -> _ReturnChecked:
    """In the order record_return has always checked them; writing needs the kit and count.
    `counted`: the count field's name (_returned)."""
    day = check_not_future(request.returned_on, today, N_("return date"))
    tablets = request.tablets
    if writing or tablets is not None:
        tablets = check_count(
            tablets,  # type: ignore[arg-type]
            counted,
            counted=RETURNED_TABLETS,
        )
    held = check_count(request.held_days, N_("days the drug was held"))
    note = check_text(request.note, N_("note"), required=False)
    condition = check_text(request.condition, N_("condition"), required=False, limit=200)
    kit = request.kit
    if writing or kit is not None:
        kit = normalise_kit_number(kit)  # type: ignore[arg-type]
    outcome = request.outcome
    if outcome not in RETURN_OUTCOMES:
        raise InvalidInput(
            _(
                "'{outcome}' is not a return outcome: leave it empty for a kit counted back, "
                "or give {not_brought_back} for a kit the participant did not bring back."
            ).format(outcome=f"{outcome!s:.30}", not_brought_back=NOT_BROUGHT_BACK)
        )
    held_from = (
        None if request.held_from is None else check_date(request.held_from, N_("held from"))
    )
    held_until = (
        None if request.held_until is None else check_date(request.held_until, N_("held until"))
    )
    ordered_by = check_text(
        request.held_ordered_by, N_("investigator who ordered the hold"), required=False, limit=120
    )
    if (held_from is None) != (held_until is None):
        raise InvalidInput(
            _("A held period has two dates: give both 'held from' and 'held until'.")
        )
    if held_from is not None and held_until is not None:
        if held_until < held_from:
            raise InvalidInput(
                _(
                    "The held period ends ({until}) before it starts ({start}); check the dates."
                ).format(until=held_until.isoformat(), start=held_from.isoformat())
            )
        if not ordered_by:
            raise InvalidInput(_("Give the investigator who ordered the drug to be held."))
        if held:
            raise InvalidInput(
                _("Give the held period by its dates, not also as a number of days.")
            )
    return _ReturnChecked(
        day, tablets, held, note, condition, kit, outcome, held_from, held_until, ordered_by
    )


def held_days_of(
    record: Dispense,
    held: int,
    held_from: date | None,
    held_until: date | None,
    returned_on: date,
    until: date | None = None,
) -> int:
    """Days held: the held period's days among the days expected use counts, else the bare
    number an older return gives. Expected use (queries.dispense_adherence, regimen.
    days_on_treatment) counts the days from the start date up to the day before the return,
    the supply's last day at most: the return day's doses are no expected dose (a return on the
    next cycle's day 1 covers the 21 doses before it; those the study file lets a participant
    take before the visit, [cycle] return_day_doses, are neither over-use nor missed, unless
    the drug was held that day or use stopped before it, regimen.return_day_units), nor is the
    day expected use stops (`until`,
    queries.expected_use_until: the next day 1, or the day the participant left treatment) or
    any after it. The held period is trimmed to the same days, so a period that ends on the
    return day, or runs past the day treatment stopped, takes no dose from the expected
    count that the count never held (it said "7 of 6 expected: 117%", a false over-use)."""
    if held_from is None or held_until is None:
        return held
    end = returned_on if until is None else min(returned_on, until)
    first = max(held_from, start_date(record))
    last = min(
        held_until,
        last_day_of_supply(record.day1, record.days_supply),
        end - timedelta(days=1),
    )
    return max(0, (last - first).days + 1)


@dataclass
class _ReturnPlan:
    """The assessment, with the records the return writes when it is accepted."""

    assessment: ReturnAssessment
    record: Dispense
    line: DispenseKit | None


def _plan_return(
    session: Session,
    ctx: Context,
    actor: Actor,
    request: ReturnRequest,
    checked: _ReturnChecked,
    today: date,
) -> _ReturnPlan:
    """The one return policy: every rule, in the order record_return meets them."""
    record, scanned_kit, kit_named = _dispense_named(
        session, request, ctx.study_id, Readable(session, actor), today
    )
    refusals: list[Refusal[ReturnCheck]] = []
    # The adherence flags and the count's wording are the study file's the process read:
    # refused first when it is no longer the file in force (updated since, here or elsewhere).
    stale = study_file_changed(session, ctx, step="return")
    if stale is not None:
        refusals.append(Refusal(ReturnCheck.STUDY_FILE_CHANGED, stale, StudyFileChanged))
    if is_voided(session, record):
        refusals.append(
            Refusal(
                ReturnCheck.VOIDED,
                _(
                    "Dispense {dispense} was voided: its kits never left the pharmacy. "
                    "Scan the label of the dispense that replaced it."
                ).format(dispense=record.number),
            )
        )
    day = checked.day
    until = expected_use_until(session, record)
    held = held_days_of(record, checked.held, checked.held_from, checked.held_until, day, until)
    if checked.held_from is not None and (
        checked.held_from > day or checked.held_until is None or checked.held_until > day
    ):
        refusals.append(
            Refusal(
                ReturnCheck.HELD_PERIOD,
                _(
                    "The held period must end on or before the return date ({day}); check the "
                    "dates."
                ).format(day=day.isoformat()),
                InvalidInput,
            )
        )
    if checked.outcome == NOT_BROUGHT_BACK and checked.tablets:
        refusals.append(
            Refusal(
                ReturnCheck.NOT_BROUGHT_BACK,
                _(
                    "A kit not brought back has no tablets to count, not {tablets}: record 0, or "
                    "count the tablets if the kit is here."
                ).format(tablets=checked.tablets)
                if ctx.study.tablets_only
                else _(  # a capsule kit's units are not tablets
                    "A kit not brought back has nothing to count, not {count}: record 0, or "
                    "count what is in the kit if it is here."
                ).format(count=checked.tablets),
                InvalidInput,
            )
        )
    if held > record.days_supply:
        refusals.append(
            Refusal(
                ReturnCheck.HELD_DAYS,
                _("{held} days held is more than the {days} days of supply.").format(
                    held=held, days=record.days_supply
                ),
                InvalidInput,
            )
        )
    if day < record.dispensed_on:
        refusals.append(
            Refusal(
                ReturnCheck.RETURN_DATE,
                _(
                    "The return date {day} is before the dispense ({dispensed}); check the date."
                ).format(day=day.isoformat(), dispensed=record.dispensed_on.isoformat()),
                InvalidInput,
            )
        )
    lines = list(
        session.scalars(
            select(DispenseKit)
            .where(DispenseKit.dispense_id == record.id)
            .order_by(DispenseKit.id)
            .options(joinedload(DispenseKit.kit))
        )
    )
    back = {r.kit_id: r for r in current_returns(session, record.id)}
    kits = tuple(
        ReturnKitLine(
            line.kit.number,
            line.kit.product,
            line.kit.lot.number,
            line.tablets,
            status_now(line.kit, today),
            back[line.kit_id].tablets if line.kit_id in back else None,
            line.kit_id in back and back[line.kit_id].outcome == NOT_BROUGHT_BACK,
        )
        for line in lines
    )
    to_count = [k.kit for k in kits if k.to_count]
    number = checked.kit
    if number is None and kit_named:
        number = scanned_kit
    if number is None:
        number = scanned_kit if scanned_kit in to_count else (to_count[0] if to_count else "")
    line = next((k for k in lines if k.kit.number == number), None)
    elsewhere = (
        _kit_elsewhere(session, number, record, ctx.study_id, Readable(session, actor))
        if line is None and number
        else None
    )
    if elsewhere is not None:
        refusals.append(Refusal(ReturnCheck.KIT_ELSEWHERE, elsewhere))
    elif line is None and number:
        no_kit = session.scalar(select(Kit.id).where(Kit.number == number)) is None
        refusals.append(
            Refusal(
                ReturnCheck.KIT,
                (other_label(session, number) if no_kit else None)
                or _(
                    "Kit {kit} was not dispensed in {dispense} (cycle {cycle}); its kits are "
                    "{kits}. Check the kit or the dispense."
                ).format(
                    kit=number,
                    dispense=record.number,
                    cycle=record.cycle,
                    kits=listed(k.kit for k in kits),
                ),
            )
        )
    elif line is None:
        refusals.append(
            Refusal(
                ReturnCheck.ALL_BACK,
                _(
                    "Every kit of {dispense} is already counted back. To change a count, run "
                    "`dispensary correct-return` with the return's number, which `dispensary "
                    "history {participant}` shows."
                ).format(dispense=record.number, participant=record.participant.study_number),
            )
        )
    elif line.kit_id in back:
        refusals.append(
            Refusal(
                ReturnCheck.ALREADY_RECORDED,
                _(
                    "The return of kit {kit} for {dispense} is already recorded (return "
                    "{number}). To change the count, record a correction that names it: open "
                    "{participant} under Participants, select cycle {cycle} in the history and "
                    "choose Correct return count...; or run `dispensary correct-return {number} "
                    "--tablets N --reason REASON`."
                ).format(
                    kit=number,
                    dispense=record.number,
                    number=back[line.kit_id].id,
                    participant=record.participant.study_number,
                    cycle=record.cycle,
                ),
            )
        )
    elif checked.tablets is not None:
        try:
            check_return_quantity(
                checked.tablets,
                line.tablets,
                0,
                number,
                lambda count: ctx.study.units(line.kit.product, count),
                _returned(ctx.study),
            )
        except RuleViolation as exc:
            refusals.append(Refusal(ReturnCheck.TOO_MANY, exc.message, type(exc)))
    preview = None
    if checked.tablets is not None and line is not None and not refusals:
        preview = _preview(
            ctx,
            record,
            line,
            checked,
            list(back.values()),
            len(to_count) - 1,
            held,
            until,
            unaccounted_of(session, list(back.values())),
            product_tallies(session, record, list(back.values())),
            kits,
            left_treatment_on(session, record),
        )
    assessment = ReturnAssessment(
        dispense=dispense_result(session, ctx, record, ()),
        kits=kits,
        kit=number,
        tablets=checked.tablets,
        returned_on=day,
        held_days=held,
        refusals=tuple(refusals),
        preview=preview,
    )
    return _ReturnPlan(assessment, record, line)


def _preview(
    ctx: Context,
    record: Dispense,
    line: DispenseKit,
    checked: _ReturnChecked,
    back: list[Return],
    kits_left: int,
    held_now: int,
    until: date | None,
    unaccounted_before: int,
    tallies: dict[str, ProductTally],
    kits: tuple[ReturnKitLine, ...],
    left_on: date | None = None,
) -> AdherencePreview:
    """What the return would record, as `_result` reads it back once it is written; each
    product's own figures (`kits`: the dispense's kits), before every kit is back too, as the
    return's result gives them: a product with no kit back yet has no returned count."""
    tablets = checked.tablets
    assert tablets is not None
    product = line.kit.product
    kits_of = {k.product: tuple(x.kit for x in kits if x.product == k.product) for k in kits}
    counted = {k.product for k in kits if not k.to_count} | {product}
    before = tallies.get(product, ProductTally(line.tablets, 0))
    tallies = tallies | {
        product: replace(
            before,
            returned=before.returned + tablets,
            unaccounted=before.unaccounted
            + (line.tablets if checked.outcome == NOT_BROUGHT_BACK else 0),
        )
    }
    returned = sum(r.tablets for r in back) + tablets
    kit_unaccounted = line.tablets if checked.outcome == NOT_BROUGHT_BACK else 0
    if kits_left == 0:
        last = max([r.returned_on for r in back] + [checked.day])
        held = max([r.held_days for r in back] + [held_now])
        unaccounted = unaccounted_before + (
            line.tablets if checked.outcome == NOT_BROUGHT_BACK else 0
        )
        held_until = held_until_of([r.held_until for r in back] + [checked.held_until])
        found = dispense_adherence(
            ctx, record, returned, last, held, until, unaccounted, tallies, held_until, left_on
        )
        day_note = return_day_note(ctx.study, record.dose_level, found)
        taken, expected, adherence, flags = (
            found.taken,
            found.expected,
            found.adherence,
            found.flags,
        )
        figures = {
            code: ProductFigures(
                code,
                kits_of.get(code, ()),
                tally.dispensed,
                tally.returned,
                unaccounted=tally.unaccounted,
            )
            for code, tally in tallies.items()
        }
        products = (
            tuple(judged_product(figures[code], judged) for code, judged in found.by_product)
            if found.by_product
            else tuple(  # one product: the dispense's figures are its own, as in the history
                replace(p, taken=taken, expected=expected, adherence=adherence, flags=flags)
                for p in figures.values()
            )
        )
    else:  # a kit is still out: no adherence yet; taken is what is not back
        day_note = ""
        taken, expected, adherence, flags = record.tablets - returned, 0, None, ()
        products = tuple(  # in the kits' order, as the history gives them
            ProductFigures(
                code,
                kit_numbers,
                tallies[code].dispensed,
                tallies[code].returned if code in counted else None,
                unaccounted=tallies[code].unaccounted,
            )
            for code, kit_numbers in kits_of.items()
            if code in tallies
        )
    return AdherencePreview(
        kit=line.kit.number,
        kit_dispensed=line.tablets,
        kit_returned=tablets,
        kit_taken=line.tablets - tablets - kit_unaccounted,
        kit_unaccounted=kit_unaccounted,
        dispensed=record.tablets,
        returned=returned,
        kits_left=kits_left,
        taken=taken,
        expected=expected,
        adherence=adherence,
        flags=flags,
        explained=bool(checked.note),
        products=products,
        return_day_note=day_note,
    )


def _dispense_named(
    session: Session, request: ReturnRequest, study: int, reader: Collection[int], today: date
) -> tuple[Dispense, str | None, bool]:
    """The dispense the request names, the kit scanned (None when no kit was scanned), and
    whether that kit is the one to assess (a kit scanned while a dispense is open: one that is
    not of it is refused, never taken as a reason to open another participant's dispense); one
    of another study refused, named to a `reader` who may open it (common.other_study)."""
    named = request.dispense not in (None, "") or (
        bool(request.study_number) and request.cycle is not None
    )
    if named and request.scanned and request.kit is None:
        record = _dispense_for(
            session, request.dispense, request.study_number, request.cycle, study, reader
        )
        kit = _kit_scanned(session, request.scanned, study)
        if kit is not None:
            return record, kit, True
        # Another label or participant: the pharmacist moves on to that return.
        found, scanned = _scanned_dispense(session, request.scanned, study, reader, today)
        return found, scanned, False
    if named or not request.scanned:
        return (
            _dispense_for(
                session, request.dispense, request.study_number, request.cycle, study, reader
            ),
            None,
            False,
        )
    found, scanned = _scanned_dispense(session, request.scanned, study, reader, today)
    return found, scanned, False


def _kit_scanned(session: Session, code: object, study: int) -> str | None:
    """The number of the kit of `study` a scanned code names, else None (a label, a
    participant, a kit of another study, or nothing: `_scanned_dispense` says which)."""
    if not isinstance(code, str) or is_dispense_number(code):
        return None
    return session.scalar(
        select(Kit.number).where(Kit.number == code.strip().upper(), Kit.study_id == study)
    )


def _went_out_in(session: Session, kit_id: int) -> Dispense | None:
    """The dispense a kit last went out in (voided ones left out: their kits never left)."""
    for dispense_id in session.scalars(
        select(DispenseKit.dispense_id)
        .where(DispenseKit.kit_id == kit_id)
        .order_by(DispenseKit.dispense_id.desc())
    ):
        went_out = session.get(Dispense, dispense_id)
        assert went_out is not None
        if not is_voided(session, went_out):
            return went_out
    return None


def _kit_elsewhere(
    session: Session, number: str, record: Dispense, study: int, reader: Collection[int]
) -> str | None:
    """Why a kit that is not one of `record`'s cannot be counted for it: the dispense (and
    participant) it went out in; None for a kit never dispensed. A kit of another study is
    refused as everywhere else (common.other_study): whom it went to is that study's record,
    not to be named to a user of this one."""
    found = session.execute(select(Kit.id, Kit.study_id).where(Kit.number == number)).first()
    kit_id = found[0] if found is not None else None
    if found is not None and int(found[1] or FIRST_STUDY) != study:
        what = _("Kit {kit}").format(kit=number)
        return str(other_study(session, int(found[1] or FIRST_STUDY), what, number, reader))
    went_out = _went_out_in(session, kit_id) if kit_id is not None else None
    if went_out is None or went_out.id == record.id:
        return None
    if went_out.participant_id == record.participant_id:
        return _(
            "Kit {kit} went out in {other_dispense} (cycle {other_cycle}), not in {dispense} "
            "(cycle {cycle}). Count it under {other_dispense}."
        ).format(
            kit=number,
            other_dispense=went_out.number,
            other_cycle=went_out.cycle,
            dispense=record.number,
            cycle=record.cycle,
        )
    return _(
        "Kit {kit} was dispensed to {other} ({other_dispense}), not to {participant} "
        "({dispense}). Check whose bottle it is: if it is {other}'s, record its return under "
        "{other_dispense}."
    ).format(
        kit=number,
        other=went_out.participant.study_number,
        other_dispense=went_out.number,
        participant=record.participant.study_number,
        dispense=record.number,
    )


def _scanned_dispense(
    session: Session, code: str, study: int, reader: Collection[int], today: date
) -> tuple[Dispense, str | None]:
    """What a code scanned at the return counter names: a dispensing label; a participant's
    number (their first dispense with a kit out); or a kit (the dispense it last went out in).
    A code that names none of these is refused saying what it looks like, and what to check."""
    if not isinstance(code, str):
        raise InvalidInput(_("A scanned code is text, not {value}.").format(value=f"{code!r:.40}"))
    text = code.strip().upper()
    if not text:
        raise InvalidInput(
            _("Scan the barcode on the dispensing label, a kit, or type the participant number.")
        )
    if is_dispense_number(text):
        return get_dispense(session, text, study, reader=reader), None
    participant = session.scalar(
        select(Participant).where(Participant.study_number == text, Participant.study_id == study)
    )
    if participant is not None:
        live = live_dispenses(session, participant.id)
        for record in live:
            back = {r.kit_id for r in current_returns(session, record.id)}
            kit_ids = session.scalars(
                select(DispenseKit.kit_id).where(DispenseKit.dispense_id == record.id)
            )
            if any(kit_id not in back for kit_id in kit_ids):
                return record, None
        if not live:
            raise NotFound(
                _(
                    "Participant {participant} has no dispense waiting for a return: nothing "
                    "has been dispensed to them. Check the study number, or scan the "
                    "dispensing label."
                ).format(participant=participant.study_number)
            )
        raise NotFound(
            _(
                "Participant {participant} has no dispense waiting for a return: every return "
                "is recorded. To change a count, select the cycle in the participant's history "
                "(Participants) and choose Correct return count..., or run `dispensary "
                "correct-return` with the return's number, which `dispensary history "
                "{participant}` shows."
            ).format(participant=participant.study_number)
        )
    try:
        kit = get_kit(session, text, study, reader=reader)
    except InOtherStudy:
        raise  # kit numbers are unique in the pharmacy: the kit is that study's
    except NotFound:
        raise NotFound(_unknown_code(session, text, study, reader)) from None
    went_out = _went_out_in(session, kit.id)
    if went_out is not None:
        return went_out, kit.number
    status = status_now(kit, today)
    if status is KitStatus.QUARANTINED:
        raise NotFound(
            _(
                "Kit {kit} was never dispensed: it is quarantined in the pharmacy, so there is "
                "nothing to return. If this bottle is in your hand, put it back in quarantine; "
                "else check the number, or scan the dispensing label the participant brought "
                "back."
            ).format(kit=kit.number)
        )
    raise NotFound(
        _(
            "Kit {kit} was never dispensed (it is {status}): there is nothing to return. Check "
            "the number on the bottle, or scan the dispensing label the participant brought "
            "back."
        ).format(kit=kit.number, status=status_word(status))
    )


def _unknown_code(session: Session, text: str, study: int, reader: Collection[int]) -> str:
    """The refusal of a code scanned at the return counter that names no label, kit or
    participant of the study: a participant of another study is refused as such (raised);
    another label (a lot's) is named as what it is; else what the code looks like, to check."""
    try:
        get_participant(session, text, study, reader=reader)
    except InOtherStudy:
        raise  # enrolled in one other study of the pharmacy: that study's
    except (InvalidInput, NotFound):
        pass  # not a study number, or enrolled nowhere
    instead = other_label(session, text)
    if instead is not None:
        return instead
    kind = unknown_code_kind(session, text, study)
    if kind is CodeKind.LABEL:
        return _(
            "{code} is not a dispensing label's number: those are DSP and at least six digits "
            "(DSP000001). Check the number under the label's barcode, or scan the barcode."
        ).format(code=text)
    if kind is CodeKind.PARTICIPANT:
        return _(
            "Participant {code} is not enrolled in this study. Check the study number, or scan "
            "the dispensing label."
        ).format(code=text)
    if kind is CodeKind.KIT:
        return _(
            "Kit {code} is not in this pharmacy's stock. Check the number on the kit's label, "
            "or scan the dispensing label."
        ).format(code=text)
    return _(
        "{code} is not a dispensing label, kit or participant of this study. Check the code, "
        "or scan the dispensing label."
    ).format(code=text)


@dataclass(frozen=True)
class ReturnChange:
    """What a correction changes besides the count: None keeps the return's own. A held period
    (its dates, or a number of days) given replaces the one recorded, checked as a return's."""

    returned_on: date | None = None
    held_from: date | None = None
    held_until: date | None = None
    held_ordered_by: str | None = None
    held_days: int | None = None


KEPT = ReturnChange()


def _corrected(
    old: Return,
    record: Dispense,
    count: int,
    change: ReturnChange,
    today: date,
    counted: str,
    until: date | None = None,
) -> _ReturnChecked:
    """The return as the correction records it: the old one's date, hold and note unless
    `change` gives new ones, checked as record_return checks them (nothing read or written);
    `until`: the day expected use stops (held_days_of)."""
    new_hold = (
        change.held_from is not None
        or change.held_until is not None
        or change.held_days is not None
    )
    if new_hold:
        held_from, held_until = change.held_from, change.held_until
        days = change.held_days or 0
        ordered_by = change.held_ordered_by
        if ordered_by is None and held_from is not None:
            ordered_by = old.held_ordered_by or ""
    else:
        held_from, held_until = old.held_from, old.held_until
        days = 0 if old.held_from is not None else old.held_days
        ordered_by = change.held_ordered_by
        if ordered_by is None:
            ordered_by = old.held_ordered_by or ""
    request = ReturnRequest(
        dispense=record.number,
        tablets=count,
        returned_on=change.returned_on or old.returned_on,
        held_days=days,
        condition=old.condition,
        note=old.note,
        held_from=held_from,
        held_until=held_until,
        held_ordered_by=ordered_by or "",
    )
    checked = _checked_return(request, today, writing=False, counted=counted)
    day = checked.day
    if day < record.dispensed_on:
        raise InvalidInput(
            _("The return date {day} is before the dispense ({dispensed}); check the date.").format(
                day=day.isoformat(), dispensed=record.dispensed_on.isoformat()
            )
        )
    if checked.held_from is not None and (
        checked.held_from > day or checked.held_until is None or checked.held_until > day
    ):
        raise InvalidInput(
            _(
                "The held period must end on or before the return date ({day}); check the dates."
            ).format(day=day.isoformat())
        )
    held = held_days_of(record, checked.held, checked.held_from, checked.held_until, day, until)
    if held > record.days_supply:
        raise InvalidInput(
            _("{held} days held is more than the {days} days of supply.").format(
                held=held, days=record.days_supply
            )
        )
    return replace(checked, held=held)


def _correctable(
    session: Session,
    ctx: Context,
    actor: Actor,
    return_id: int,
    count: int,
    change: ReturnChange = KEPT,
) -> tuple[Return, Dispense, Kit, _ReturnChecked]:
    """The return to correct, its dispense and kit, and the return as corrected; refused
    (nothing written) for a return not of this study, one corrected already (naming the latest),
    a count more than the kit held, a date or held period a return could not have, a
    correction that changes nothing, or a kit whose returned tablets have been destroyed."""
    old = session.get(Return, return_id)
    if old is None:
        raise NotFound(
            _(
                "There is no return {number}. Check the number: the participant's history "
                "lists each return with its number (in Participants, or `dispensary history "
                "STUDY_NUMBER`)."
            ).format(number=return_id)
        )
    owner = session.scalar(
        select(Participant.study_id)
        .join(Dispense, Dispense.participant_id == Participant.id)
        .where(Dispense.id == old.dispense_id)
    )
    if owner != ctx.study_id:  # a return of another study: not corrected under this one's rules
        raise other_study(
            session,
            int(owner or 0),
            _("Return {number}").format(number=return_id),
            str(return_id),
            Readable(session, actor),
        )
    later = session.scalar(select(Return).where(Return.corrects_id == old.id))
    if later is not None:
        latest = later
        while newer := session.scalar(select(Return).where(Return.corrects_id == latest.id)):
            latest = newer
        raise RuleViolation(
            _(
                "Return {number} has already been corrected; correct the latest one, return "
                "{latest}."
            ).format(number=return_id, latest=latest.id)
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
    check_return_quantity(
        count,
        line.tablets,
        0,
        kit.number,
        lambda units: ctx.study.units(kit.product, units),
        _returned(ctx.study),
    )
    checked = _corrected(
        old,
        record,
        count,
        change,
        ctx.clock.today(),
        _returned(ctx.study),
        expected_use_until(session, record),
    )
    if (
        count == old.tablets
        and old.outcome != NOT_BROUGHT_BACK  # counted now: the kit comes back
        and checked.day == old.returned_on
        and checked.held == old.held_days
        and checked.held_from == old.held_from
        and checked.held_until == old.held_until
        and (checked.held_ordered_by or None) == (old.held_ordered_by or None)
    ):
        raise RuleViolation(
            _(
                "Return {number} already records this: the count is already {count}, returned "
                "on {day}; nothing to correct. Give the count, return date or held period the "
                "return should have."
            ).format(number=old.id, count=count, day=old.returned_on.isoformat())
        )
    held_now = balance_of(kit_movements(session, kit.id)).held_returned
    if kit.status == KitStatus.DESTROYED.value or held_now < old.tablets:
        raise RuleViolation(
            (
                _(
                    "The returned tablets of kit {kit} have already been destroyed; the count "
                    "can no longer be corrected. Write the right count and why in the note of "
                    "the next reconciliation sign-off (Reconciliation, Sign off...; or "
                    "`dispensary sign-off --note TEXT`), and tell the sponsor's monitor."
                )
                if ctx.study.tablets_only
                else _(  # a capsule kit's units are not tablets
                    "What was returned of kit {kit} has already been destroyed; the count "
                    "can no longer be corrected. Write the right count and why in the note of "
                    "the next reconciliation sign-off (Reconciliation, Sign off...; or "
                    "`dispensary sign-off --note TEXT`), and tell the sponsor's monitor."
                )
            ).format(kit=kit.number)
        )
    return old, record, kit, checked


def _return_number(return_id: int) -> int:
    """A return's number as given; refused unless a whole number a database holds."""
    if (
        isinstance(return_id, bool)
        or not isinstance(return_id, int)
        or not (1 <= return_id <= DATABASE_INT_MAX)
    ):
        raise InvalidInput(
            _("{value} is not a return number (1, 2, 3 ...).").format(value=f"{return_id!r:.30}")
        )
    return return_id


def check_return_correction(
    ctx: Context,
    actor: Actor,
    return_id: int,
    tablets: int,
    reason: str,
    change: ReturnChange = KEPT,
) -> bool:
    """Whether the correction may be recorded, asked before the window asks for the signature:
    True, or the refusal correct_return would give (its role, the count, the date and held
    period, the reason, the return) raised; nothing written."""
    require(actor, Permission.CORRECT_RETURN, ctx)
    _return_number(return_id)
    count = check_count(tablets, _returned(ctx.study), counted=RETURNED_TABLETS)
    check_text(reason, N_("reason for the correction"))
    with read_transaction(ctx.engine) as session:
        _correctable(session, ctx, actor, return_id, count, change)
    return True


def correct_return(
    ctx: Context,
    actor: Actor,
    return_id: int,
    tablets: int,
    reason: str,
    password: str,
    change: ReturnChange = KEPT,
) -> ReturnResult:
    """A correction: a new return that names the one it replaces, with the count (and the
    return date or held period `change` gives; the rest as the return recorded them: its note,
    condition, held period and who ordered it), and reversing ledger rows. The reason is the
    correction's own: in its audit entry and ledger rows, not in the return's note. The note
    that explained a flag stays with the return first recorded: it answers the flag it was
    written for (queries.answering_explanations), not one the correction raises."""
    require(actor, Permission.CORRECT_RETURN, ctx, recorded=True)
    with passwords_first(ctx, actor, password, SignatureMeaning.CORRECTED):
        _return_number(return_id)
        count = check_count(tablets, _returned(ctx.study), counted=RETURNED_TABLETS)
        why = check_text(reason, N_("reason for the correction"))
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.CORRECT_RETURN)
        # The password first: a wrong one is said and counted whatever else is refused.
        signer = check_signer(
            session, actor, password, SignatureMeaning.CORRECTED, auditor=actor, now=rec.now
        )
        old, record, kit, checked = _correctable(session, ctx, actor, return_id, count, change)
        new = Return(
            dispense_id=record.id,
            kit_id=kit.id,
            tablets=count,
            returned_on=checked.day,
            held_days=checked.held,
            condition=old.condition,
            note=old.note,
            flag_reason="",  # the explanation is the first return's (answering_explanations)
            counted_by_id=actor.user_id,
            corrects_id=old.id,
            created_at=rec.now,
            outcome=None,  # counted: a kit not brought back, corrected, is here
            held_from=checked.held_from,
            held_until=checked.held_until,
            held_ordered_by=checked.held_ordered_by or None,
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
        movement = None
        if count:
            recount = reasons.written(reasons.RETURN_CORRECTED, ret=old.id, reason=why)
            movement = _return_movement(kit, record, new, count, today, recount)
        if kit.status == KitStatus.DISPENSED.value:
            # A kit recorded as not brought back, now here and counted: it comes back.
            move_kit(session, rec, kit, KitEvent.RETURN, today=today, ledger=movement)
        elif movement is not None:
            rec.ledger(movement)
        record_signature(session, signer, SignatureMeaning.CORRECTED, "return", new.id, rec)
        result = _result(session, ctx, record, new, kit.number)
        values: dict[str, object] = {"tablets": count, "corrects": old.id}
        before: dict[str, object] = {"tablets": old.tablets}
        for field, was, now in (
            ("returned_on", old.returned_on, new.returned_on),
            ("held_days", old.held_days, new.held_days),
            ("held_from", old.held_from, new.held_from),
            ("held_until", old.held_until, new.held_until),
            ("held_ordered_by", old.held_ordered_by, new.held_ordered_by),
        ):
            if was != now:  # the count's correction records what it always has
                values[field], before[field] = now, was
        rec.audit(AuditAction.RETURN_CORRECTED, "return", new.id, values, before, why)
        return result


def explain_flag(ctx: Context, actor: Actor, dispense: str, reason: str) -> ReturnResult:
    """The pharmacist's explanation of an adherence flag: a note of its own, counts unchanged.
    A dispense whose return raised no flag has nothing to explain: refused, nothing written."""
    require(actor, Permission.EXPLAIN_FLAG, ctx, recorded=True)
    why = check_text(reason, N_("explanation of the adherence flag"))
    with write_transaction(ctx.engine) as session:
        record = get_dispense(session, dispense, ctx.study_id, reader=Readable(session, actor))
        returns = current_returns(session, record.id)
        if not returns:
            raise RuleViolation(
                _("No return is recorded for {dispense} yet.").format(dispense=record.number)
            )
        kit = session.get(Kit, returns[-1].kit_id)
        assert kit is not None
        result = _result(session, ctx, record, returns[-1], kit.number)  # the note changes no count
        if not result.flags:
            raise RuleViolation(
                _(
                    "Dispense {dispense} has no adherence flag to explain; nothing was recorded. "
                    "A reason is recorded only for a dispense whose return was flagged "
                    "(under-use, over-use, or a kit not brought back)."
                ).format(dispense=record.number)
            )
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.EXPLAIN_FLAG)
        session.add(
            AdherenceNote(dispense_id=record.id, reason=why, user_id=actor.user_id, at=rec.now)
        )
        result = _result(session, ctx, record, returns[-1], kit.number)  # with the note
        rec.audit(
            AuditAction.ADHERENCE_EXPLAINED, "dispense", record.number, {"reason": why}, reason=why
        )
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
    session: Session,
    dispense: str | None,
    study_number: str | None,
    cycle: int | None,
    study: int,
    reader: Collection[int],
) -> Dispense:
    if dispense is not None and dispense != "":  # anything else given is checked, not skipped
        return get_dispense(session, dispense, study, reader=reader)
    if study_number and cycle is not None:
        return find_dispense(session, study_number, cycle, study, reader=reader)
    raise InvalidInput(_("Name the dispense: scan its label, or give the participant and cycle."))


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
        rows[0].products if rows else (),
        rows[0].flag_reason if rows and flags else "",
        rows[0].return_day_note if rows and rows[0].expected is not None else "",
    )


def _return_values(
    values: dict[str, object], result: ReturnResult, product: str
) -> dict[str, object]:
    """What a return's audit entry records: for a dispense of several products, the kit's
    product and each product's own figures (`by_product`) in place of the dispense's taken and
    expected, which summed a capsule's and a tablet's units (and said 58 "tablets taken" of a
    return not yet complete); a dispense of one product records what it always has."""
    if len(result.products) < 2:
        return values
    shown = {k: v for k, v in values.items() if k not in ("taken", "expected")}
    return shown | {"product": product, "by_product": [p.recorded() for p in result.products]}
