"""Dispensing a cycle: the counter's main step, signed by the pharmacist, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased, contains_eager

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import (
    Dispense,
    DispenseKit,
    DispenseObservation,
    DispenseVoid,
    Kit,
    LedgerEntry,
    Lot,
    Participant,
    Return,
    User,
)
from dispensary.domain import reasons
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import (
    Flag,
    KitStatus,
    MovementKind,
    ParticipantStatus,
    SignatureMeaning,
)
from dispensary.domain.errors import InOtherStudy, InvalidInput, NotPermitted, RuleViolation
from dispensary.domain.lifecycle import KitEvent
from dispensary.domain.regimen import DoseLevel, tablets_needed
from dispensary.domain.rules import (
    APPROVAL_EXPIRED,
    APPROVAL_EXPIRING,
    DAY1_NEAR_DAYS,
    DAY1_ONLY_DAY,
    DAY1_ONLY_DAYS,
    DISPENSED_TO_CONFIRM,
    DOSE_CHANGE_BY_BAND,
    DOSE_CHANGE_ORDERED,
    IRT_NOT_ASSIGNED,
    NOT_FIRST_EXPIRY,
    OFF_WEIGHT_BAND,
    PLATELETS_HOLD,
    PLATELETS_RECORDED,
    PREVIOUS_RETURN_MISSING,
    SAFETY_SIGNAL,
    STARTING_DOSE,
    STARTING_DOSE_LEVEL,
    KitCandidate,
    check_cycle,
    check_date,
    check_day1_near,
    check_dispensed_after_enrolment,
    check_interval,
    check_kit_dispensable,
    check_next_cycle,
    check_not_future,
    check_not_too_early,
    check_received_by,
    check_scanned_cover,
    check_text,
    choose_fefo,
    day1_named,
    day1_window,
    first_expiry_skipped,
    next_day1,
    normalise_kit_number,
    normalise_study_number,
    rule_to_confirm,
    supply_cover_until,
    usable_kits,
)
from dispensary.i18n import ENGLISH, N_, _, current_language, listed, speaking
from dispensary.services.assessment import (
    REASON_OVERRIDES,
    Caution,
    DispenseAssessment,
    DispenseCheck,
    DispenseRequest,
    KitVerdict,
    Notice,
    OverrideMissing,
    OverrideNeeds,
    OverrideUnmatched,
    ProductNeed,
    Refusal,
    StudyFileChanged,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import DISPENSE_PREFIX as DISPENSE_PREFIX  # its old home
from dispensary.services.common import (
    candidate,
    contents_of_kits,
    fefo_order,
    get_dispense,
    get_kit,
    get_participant,
    is_voided,
    kit_contents,
    last_live_dispense,
    reversing_movement,
    stock_movement,
)
from dispensary.services.context import Actor, Context
from dispensary.services.counts import OpenDifference, open_differences
from dispensary.services.permissions import ALLOWED, Permission, Readable, may, require
from dispensary.services.quarantine import dispense_refusal as quarantine_refusal
from dispensary.services.queries import _kit_rows as kit_rows
from dispensary.services.queries import (
    dispense_result,
    history_row,
    live_dispenses,
    written_result,
)
from dispensary.services.results import DispenseResult, KitRow, SecondPerson
from dispensary.services.stock import move_kit
from dispensary.services.studies import confirmed_rules
from dispensary.services.study_versions import file_sha256, study_file_changed
from dispensary.services.users import (
    SecondSigner,
    actor_of,
    check_second_signer,
    check_signer,
    find_user,
    outside_study,
    passwords_first,
    presign,
    record_signature,
)
from dispensary.study import IRT_CONFIRMATION, PLATELETS, Study, is_tablet


def dispense_number(dispense_id: int) -> str:
    return f"{DISPENSE_PREFIX}{dispense_id:06d}"


def dispense_cycle(
    ctx: Context,
    actor: Actor,
    study_number: str,
    cycle: int,
    day1: date,
    password: str,
    dose_level: int | None = 0,
    kits: Sequence[str] = (),
    dispensed_on: date | None = None,
    override_reason: str = "",
    overrides: Sequence[str] = (),
    platelet_count: float | None = None,
    dose_ordered_by: str = "",
    checked_by: str = "",
    checker_password: str = "",
    observations: Mapping[str, float] | None = None,
    irt_confirmation: str = "",
    irt_kit: str = "",
    study_sha256: str = "",
    checker_typed: str | None = None,
) -> DispenseResult:
    """Hands out one cycle's supply: FEFO kits, or the kits scanned, once the assessment that
    `assess_dispense` shows (run again here, inside the write) has no refusal and every warning
    carries its override. A study dosing by weight band may leave the dose level to the band.
    `overrides`: the codes of the warnings `override_reason` acknowledges, those the pharmacist
    was shown; the warnings assessed here must be exactly those (a reason written for one
    warning never overrides another that appeared since), else the dispense is refused.
    `checker_typed`: the user name the second checker typed themself when signing, refused
    when it is not `checked_by`'s (users.check_second_signer); None when the caller names the
    checker and gives their password together (a command)."""
    require(actor, Permission.DISPENSE, ctx, recorded=True)
    checker_signs = (
        (
            SecondSigner(
                checker_typed or checked_by,
                checker_password,
                SignatureMeaning.CHECKED,
                Permission.CHECK_DISPENSE,
            ),
        )
        if checked_by
        else ()
    )
    today = ctx.clock.today()
    with passwords_first(ctx, actor, password, SignatureMeaning.DISPENSED, *checker_signs):
        if cycle is None or (dose_level is None and ctx.study.dose_by_weight is None):
            raise InvalidInput(_("A dispense names its cycle and dose level (0, -1 ...)."))
        if day1 is None:
            raise InvalidInput(
                _("The day 1 (the first day of the study's cycle) must be a date (YYYY-MM-DD).")
            )
        request = DispenseRequest(
            study_number=study_number,
            cycle=cycle,
            day1=day1,
            dose_level=dose_level,
            kits=_kit_codes(kits),
            dispensed_on=dispensed_on,
            override_reason=override_reason,
            overrides=_override_codes(overrides),
            platelet_count=platelet_count,
            dose_ordered_by=dose_ordered_by,
            observations=dict(observations or {}),
            irt_confirmation=irt_confirmation,
            irt_kit=irt_kit,
            study_sha256=study_sha256,
        )
        checked = _checked(ctx, request, today)
    presign(ctx, (actor.username, password), (checker_typed or checked_by, checker_password))

    with write_transaction(ctx.engine) as session, session.no_autoflush:
        # Each row written at once (Recorder.direct): the dispense's rows name only rows
        # already in the database, and nothing here is left for a flush.
        rec = Recorder(
            session, actor, ctx.clock.now(), direct=True, study=ctx, action=Permission.DISPENSE
        )
        # The signatures' passwords first: a wrong one is said and counted (once this is rolled
        # back) whatever else the dispense would be refused for (users.check_signer).
        signer = check_signer(
            session, actor, password, SignatureMeaning.DISPENSED, auditor=actor, now=rec.now
        )
        checker: User | None = None
        checker_actor: Actor | None = None
        checker_signer: User | None = None
        if checked_by:
            checker, checker_actor = _checker(session, actor, checked_by, ctx.study_id)
            checker_signer = check_second_signer(
                session,
                checker_actor,
                checker_typed,
                checker_password,
                SignatureMeaning.CHECKED,
                auditor=actor,
                now=rec.now,
            )
        # Nothing is read back that this step writes (the result is built from what is written),
        # so no query needs the session flushed first: the writes go out together at the audit.
        plan = _plan(
            session, ctx, request, checked, today, shown=False, reader=Readable(session, actor)
        )
        found = plan.assessment
        if found.refusals:
            first = found.refusals[0]
            raise first.error(first.message)
        if found.overrides_missing:
            raise OverrideMissing(
                found.override_text(),
                tuple(dict.fromkeys(w.needs for w in found.overrides_missing)),
                found.override_codes,
            )
        participant, chosen = plan.participant, plan.chosen
        overridden = found.needs(OverrideNeeds.REASON)
        warnings = tuple(w.message for w in overridden)
        notices = tuple(n.message for n in found.notices)
        override = checked.override
        day, days = found.dispensed_on, ctx.study.cycle.days_of_supply
        tablets = sum(t for _kit, t in chosen)

        # Read with the participant, inside this write (after its lock), for the cycle asked.
        if found.cycle != checked.cycle:
            raise ValueError("the dispense's number was read for another cycle")
        next_id, attempt = (plan.last_id or 0) + 1, (plan.last_attempt or 0) + 1
        # The study file its directions are made from (the text the study open was read
        # from, one of its versions): its label and leaflet keep that wording. No query: the
        # version's number is found from it when a label is printed (services.study_versions).
        made_with = file_sha256(ctx.study.source_text)
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
            checked_by_id=checker.id if checker is not None else None,
            dose_ordered_by=checked.ordered_by,
            platelet_count=checked.platelets,
            warning_override=override if warnings else "",
            created_at=rec.now,
            study_sha256=made_with,
        )
        # Written first: its observations, kits and ledger rows name it by a foreign key.
        rec.write(record)
        for key, value in checked.observations.items():
            if key != PLATELETS:  # the platelet count has the dispense's own column
                unit = ctx.study.observation(key).unit
                rec.write(
                    DispenseObservation(dispense_id=record.id, key=key, value=value, unit=unit)
                )
        if checked.irt_confirmation:
            rec.write(
                DispenseObservation(
                    dispense_id=record.id,
                    key=IRT_CONFIRMATION,
                    text=checked.irt_confirmation,
                    unit="",
                )
            )
        for kit, kit_tablets in chosen:
            rec.write(DispenseKit(dispense_id=record.id, kit_id=kit.id, tablets=kit_tablets))
            movement = stock_movement(
                kit,
                MovementKind.DISPENSE,
                kit_tablets,
                day,
                _ledger_reason(found.cycle, checked.irt_confirmation),
                participant_id=participant.id,
                dispense_id=record.id,
            )
            move_kit(session, rec, kit, KitEvent.DISPENSE, today=today, ledger=movement)
        record_signature(session, signer, SignatureMeaning.DISPENSED, "dispense", record.id, rec)
        if checker_signer is not None:
            record_signature(
                session, checker_signer, SignatureMeaning.CHECKED, "dispense", record.id, rec
            )
        extra: dict[str, object] = {}
        others = {k: v for k, v in checked.observations.items() if k != PLATELETS}
        if others:
            extra["observations"] = others
        if checked.irt_confirmation:
            extra[IRT_CONFIRMATION] = checked.irt_confirmation
        rec.audit(
            AuditAction.DISPENSE,
            "dispense",
            record.number,
            {
                **extra,
                "participant": participant.study_number,
                "cycle": found.cycle,
                "day1": found.day1,
                "dose_level": found.dose_level,
                "kits": [k.number for k, _tablets in chosen],
                **_units_recorded(chosen, tablets),
                "days": days,
                "dispensed_on": day,
                "platelets": checked.platelets,
                # Recorded in English, whatever language the pharmacist read them in.
                "warnings": [w.recorded for w in overridden],
                "overrides": [str(w.code) for w in overridden],  # each warning's code, in order
                "notices": [n.recorded for n in found.notices],
                "signature": SignatureMeaning.DISPENSED.value,
                "study_sha256": made_with,
            },
            reason=override,
        )
        result = written_result(
            ctx,
            record,
            participant,
            chosen,
            warnings,
            pharmacist=rec.signer(),
            checker=checker,
            observations=others,
            irt_confirmation=checked.irt_confirmation,
        )
        return replace(result, notices=notices, overrides=tuple(str(w.code) for w in overridden))


def _units_recorded(chosen: Sequence[tuple[Kit, int]], tablets: int) -> dict[str, object]:
    """The units a dispense's audit entry records: `tablets` for a dispense of one product, as
    always; for several, each product's own units (`by_product`), never one sum of a capsule's
    and a tablet's ("Tablets: 58" of 28 capsules and 30 tablets)."""
    units: dict[str, int] = {}
    for kit, kit_tablets in chosen:
        units[kit.product] = units.get(kit.product, 0) + kit_tablets
    if len(units) < 2:
        return {"tablets": tablets}
    return {"by_product": [{"product": p, "dispensed": n} for p, n in units.items()]}


class ObservationRefused(InvalidInput):
    """A refusal of an observation given with the dispense (the platelet count, a weight), with
    the study file's key of it (`platelets`, `weight`): the counter puts the cursor in that
    field, the number selected, to type it again."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def assess_dispense(ctx: Context, actor: Actor, request: DispenseRequest) -> DispenseAssessment:
    """Read-only: what `dispense_cycle` would refuse, warn about and hand out for this request,
    computed by the same policy in one read transaction. Malformed input and an unknown
    participant raise, as they do for the dispense."""
    require(actor, Permission.DISPENSE, ctx)
    today = ctx.clock.today()
    checked = _checked(ctx, request, today)
    with read_transaction(ctx.engine) as session:
        return _plan(
            session, ctx, request, checked, today, reader=Readable(session, actor)
        ).assessment


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
    observations: dict[str, float] = field(default_factory=dict)  # platelets included
    irt_confirmation: str = ""
    irt_kit: str = ""
    overrides: tuple[str, ...] | None = None  # the warnings acknowledged (None: not named)


def _override_codes(codes: Sequence[str]) -> tuple[str, ...]:
    """The codes of the warnings a dispense acknowledges, each a warning overridden with a
    reason (REASON_OVERRIDES); anything else is refused, naming the codes there are."""
    if isinstance(codes, str) or not isinstance(codes, Sequence):
        raise InvalidInput(
            _("The warnings overridden must be a list of codes, not {value}.").format(
                value=f"{codes!r:.40}"
            )
        )
    known = [str(c) for c in REASON_OVERRIDES]
    for code in codes:
        if not isinstance(code, str) or code not in known:
            raise InvalidInput(
                _(
                    "{code} is not a warning a reason overrides: name one of {codes} (the codes "
                    "the check of the dispense shows)."
                ).format(
                    code=f"{code!r:.40}" if not isinstance(code, str) else code[:40],
                    codes=listed(known),
                )
            )
    return tuple(dict.fromkeys(codes))


def _kit_codes(kits: Sequence[str]) -> tuple[str, ...]:
    if isinstance(kits, str) or not isinstance(kits, Sequence):
        raise InvalidInput(
            _("The kits must be a list of kit numbers, not {value}.").format(value=f"{kits!r:.40}")
        )
    return tuple(kits)


def _checked(ctx: Context, request: DispenseRequest, today: date) -> _Checked:
    day = check_not_future(request.dispensed_on, today, N_("dispense date"))
    cycle = request.cycle if request.cycle is None else check_cycle(request.cycle)
    day1 = request.day1
    if day1 is not None:
        day1 = check_date(day1, N_("day 1 (the first day of the study's cycle)"))
    level = request.dose_level
    if level is not None and (isinstance(level, bool) or not isinstance(level, int)):
        raise InvalidInput(
            _("Dose level {level} is not a level number (0, -1 ...).").format(
                level=f"{level!r:.20}"
            )
        )
    dose = ctx.study.dose_level(level) if level is not None else None
    override = check_text(request.override_reason, N_("override reason"), required=False)
    overrides = None if request.overrides is None else _override_codes(request.overrides)
    ordered_by = check_text(
        request.dose_ordered_by, N_("name of who ordered the dose"), required=False, limit=120
    )
    platelets = request.platelet_count
    if platelets is not None and (
        isinstance(platelets, bool) or not isinstance(platelets, int | float)
    ):
        raise ObservationRefused(
            _("The platelet count must be a number, not {value}.").format(
                value=f"{platelets!r:.40}"
            ),
            PLATELETS,
        )
    if platelets is not None and not ctx.study.asks_platelets:
        # The window shows no platelet field for such a study: a count given another way (the
        # command's --platelets) would be recorded against no rule, and read as if it held one.
        raise ObservationRefused(
            _(
                "Study {study} records no platelet count at dispense: its study file sets no "
                "platelet rule ([platelets] hold_at_or_above) and asks no platelet count "
                "([[observations]]). Dispense without a platelet count."
            ).format(study=ctx.study.protocol),
            PLATELETS,
        )
    counted = ctx.study.platelet_observation()
    if platelets is not None and not counted.minimum <= platelets <= counted.maximum:
        raise ObservationRefused(
            _(
                "A platelet count of {platelets} {unit} is not possible: enter a count from "
                "{low} to {high} {unit}."
            ).format(
                platelets=f"{platelets:g}",
                unit=counted.unit,
                low=f"{counted.minimum:g}",
                high=f"{counted.maximum:g}",
            ),
            PLATELETS,
        )
    observations = _observations(ctx.study, request)
    if platelets is None:
        platelets = observations.get(PLATELETS)
    elif any(o.key == PLATELETS for o in ctx.study.observations):
        observations[PLATELETS] = float(platelets)
    irt_confirmation = check_text(
        request.irt_confirmation, N_("IRT confirmation number"), required=False, limit=80
    )
    irt_kit = check_text(request.irt_kit, N_("kit the IRT assigned"), required=False, limit=40)
    return _Checked(
        day,
        cycle,
        day1,
        dose,
        override,
        ordered_by,
        platelets,
        observations,
        irt_confirmation,
        irt_kit.upper(),
        overrides,
    )


def _observations(study: Study, request: DispenseRequest) -> dict[str, float]:
    """The observations given, each declared by the study file, a number within its range."""
    raw = request.observations
    if not isinstance(raw, Mapping):
        raise InvalidInput(
            _("The observations must be given by key (e.g. weight=61.5), not {value}.").format(
                value=f"{raw!r:.40}"
            )
        )
    found: dict[str, float] = {}
    for key, value in raw.items():
        observation = study.observation(str(key))
        name = study.observation_name(observation.key, current_language().value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ObservationRefused(
                _("The {name} must be a number, not {value}.").format(
                    name=name, value=f"{value!r:.40}"
                ),
                observation.key,
            )
        if not observation.minimum <= value <= observation.maximum:
            raise ObservationRefused(
                _(
                    "A {name} of {value} {unit} is not possible (from {low} to {high}): check "
                    "the value."
                ).format(
                    name=name,
                    value=f"{value:g}",
                    unit=observation.unit,
                    low=f"{observation.minimum:g}",
                    high=f"{observation.maximum:g}",
                ),
                observation.key,
            )
        found[observation.key] = float(value)
    return found


@dataclass
class _Plan:
    """The assessment, with the records the dispense writes when it is accepted."""

    assessment: DispenseAssessment
    participant: Participant
    chosen: list[tuple[Kit, int]]
    last_id: int | None = None  # the last dispense's id (of anyone's)
    last_attempt: int | None = None  # the last attempt at the cycle asked (voided ones too)


class _Found:
    """Collects refusals and warnings in the order the pharmacist should deal with them."""

    def __init__(
        self, override: str, ordered_by: str, acknowledged: tuple[str, ...] | None = None
    ) -> None:
        self.refusals: list[Refusal[DispenseCheck]] = []
        self.warnings: list[Caution] = []
        self.notices: list[Notice] = []
        self.given = {
            OverrideNeeds.REASON: bool(override),
            OverrideNeeds.ORDERED_BY: bool(ordered_by),
        }
        self.acknowledged = acknowledged  # None: a screen's assessment, nothing named yet

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

    def warn(self, code: DispenseCheck, text: Text, needs: OverrideNeeds) -> None:
        """`text` writes the warning: once in the reader's language, and once in English for
        the audit entry of the dispense that overrides it."""
        shown, english = _in_both(text)
        given = self.given[needs]
        if needs is OverrideNeeds.REASON:
            if code not in REASON_OVERRIDES:
                raise ValueError(f"{code} is overridden with a reason but not in REASON_OVERRIDES")
            # A reason covers only the warnings it names (a screen names what it shows).
            given = given and (self.acknowledged is None or code in self.acknowledged)
        self.warnings.append(Caution(code, shown, needs, given, english))

    def unmatched(self) -> None:
        """Refuses a warning acknowledged that is not assessed: the reason was written for a
        warning that no longer applies, and would be recorded against others."""
        if self.acknowledged is None:
            return
        assessed = list(
            dict.fromkeys(str(w.code) for w in self.warnings if w.needs is OverrideNeeds.REASON)
        )
        stale = [c for c in self.acknowledged if c not in assessed]
        if not stale:
            return
        self.refusals.append(
            Refusal(
                DispenseCheck.OVERRIDE_UNMATCHED,
                (
                    _(
                        "The override names {codes}, but no such warning applies to this dispense "
                        "now (the warnings that do: {assessed}). Check the dispense again, and name "
                        "only the warnings it shows, with a reason that covers them."
                    )
                    if assessed
                    else _(
                        "The override names {codes}, but no such warning applies to this dispense "
                        "now: it needs no override. Check the dispense again, and dispense without "
                        "the override."
                    )
                ).format(codes=listed(stale), assessed=listed(assessed)),
                OverrideUnmatched,
            )
        )

    def notice(self, code: DispenseCheck, text: Text) -> None:
        """A warning that needs no override (a rule to confirm, a safety signal); recorded in
        English with the dispense, as a warning is."""
        shown, english = _in_both(text)
        self.notices.append(Notice(code, shown, english))


Text = Callable[[], str]
"""Writes a warning in the language of the moment (`dispensary.i18n`)."""


def _in_both(text: Text) -> tuple[str, str]:
    """The warning in the reader's language, and in English as the audit trail keeps it."""
    shown = text()
    if current_language() is ENGLISH:
        return shown, shown
    with speaking(ENGLISH):
        return shown, text()


def _interval_to_confirm(
    study: Study, found: _Found, day1: date, previous_day1: date | None
) -> None:
    """The unconfirmed minimum interval: a shorter gap asks for the investigator's reason."""
    min_days = study.cycle.min_days_since_previous_day1
    if min_days is None or previous_day1 is None or (day1 - previous_day1).days >= min_days:
        return  # no minimum interval in the study file: no rule to confirm
    rule = study.rule("cycle.min_interval")
    gap = (day1 - previous_day1).days

    def text() -> str:
        finding = _(DAY1_ONLY_DAY) if gap == 1 else _(DAY1_ONLY_DAYS)
        return rule_to_confirm(
            study.rule_title(rule.key),
            rule.source,
            finding.format(
                day1=day1.isoformat(),
                gap=gap,
                previous=previous_day1.isoformat(),
                event=day1_named(study.day1_event_named()),  # the study file's words
            ),
            asks_reason=True,
        )

    found.warn(DispenseCheck.DAY1_INTERVAL, text, OverrideNeeds.REASON)


def _plan(
    session: Session,
    ctx: Context,
    request: DispenseRequest,
    checked: _Checked,
    today: date,
    shown: bool = True,
    *,
    reader: Collection[int],
) -> _Plan:
    """The one dispensing policy: every rule, in order, for the assessment and the dispense.
    `shown`: with the kits' rows (contents, shipment, whereabouts) the screen shows; the
    dispense itself leaves them out, the same rules decide. `reader`: the studies the user
    may open, the only other studies a refusal names (common.other_study)."""
    study = ctx.study
    found = _Found(checked.override, checked.ordered_by, checked.overrides)
    # The rules below are those of the study file the process read (ctx.study): refused first
    # when that file, or the one the screen assessed with, is no longer the one in force.
    made_with = file_sha256(study.source_text)
    stale = study_file_changed(session, ctx, request.study_sha256 or made_with)
    if stale is not None:
        found.refusals.append(Refusal(DispenseCheck.STUDY_FILE_CHANGED, stale, StudyFileChanged))
    participant, previous, numbered = _participant_and_last(
        session, request.study_number, ctx.study_id, checked.cycle, reader
    )
    due = (previous.cycle if previous else 0) + 1
    cycle = due if checked.cycle is None else checked.cycle
    band = _weight_band(study, checked)
    dose = checked.dose
    if dose is None:
        dose = study.dose_level(
            band if band is not None else previous.dose_level if previous else 0
        )
    day1 = checked.day1 or checked.day
    previous_day1 = previous.day1 if previous else None
    confirmed = confirmed_rules(session, study, ctx.study_id)
    _approval(study, found, checked.day, confirmed)
    # The study file's minimum interval refuses only once confirmed. Until then a day 1 on or
    # before the previous one is still refused (it is the same cycle's date, not a clinical
    # rule), and a shorter gap is a warning the pharmacist overrides with the reason.
    # A study file without a minimum interval: a day 1 after the previous one, no warning.
    min_days = study.cycle.earliest_days
    interval_confirmed = not study.cycle.has_min_interval or "cycle.min_interval" in confirmed
    floor = min_days if interval_confirmed else min(min_days, 1)
    # The study file's day-1 window ([cycle] day1_near_days) applies once it holds (from the
    # protocol, or confirmed); until then the program's own typing check, as ever (7 days).
    near = study.cycle.day1_near_days if "cycle.day1_near" in confirmed else DAY1_NEAR_DAYS
    earliest, latest = day1_window(checked.day, previous_day1, floor, participant.enrolled_on, near)
    coming = (
        next_day1(previous_day1, study.cycle.length_days, min_days)
        if previous_day1 is not None
        else None
    )
    # The first day 1 the unconfirmed interval does not warn about: the window's dates before
    # it are allowed, but each asks for the reason (the screen says so beside the window).
    unwarned = (
        previous_day1 + timedelta(days=min_days)
        if previous_day1 is not None and not interval_confirmed
        else None
    )

    if participant.status != ParticipantStatus.ON_TREATMENT.value:
        found.refuse(
            DispenseCheck.NOT_ON_TREATMENT,
            _(
                "Participant {participant} is {status}; only participants on treatment are "
                "dispensed to."
            ).format(
                participant=participant.study_number,
                status=_(ParticipantStatus(participant.status).word),
            ),
        )
    last_cycle = previous.cycle if previous else None
    found.check(
        DispenseCheck.CYCLE, partial(check_next_cycle, cycle, last_cycle, study.cycle.max_cycles)
    )
    enrolled_on = participant.enrolled_on
    enrolled = partial(
        check_dispensed_after_enrolment, participant.study_number, checked.day, enrolled_on
    )
    too_early = partial(check_not_too_early, cycle, earliest, latest, near, not_before=enrolled_on)
    if (
        found.check(DispenseCheck.BEFORE_ENROLMENT, enrolled)
        and found.check(DispenseCheck.TOO_EARLY, too_early)
        and found.check(DispenseCheck.DAY1_FAR, partial(check_day1_near, day1, checked.day, near))
    ):
        interval = partial(
            check_interval, day1, previous_day1, floor, enrolled_on, study.day1_event_named
        )
        if found.check(DispenseCheck.DAY1_INTERVAL, interval) and not interval_confirmed:
            _interval_to_confirm(study, found, day1, previous_day1)
    for observation in study.observations:
        if observation.required and observation.key not in checked.observations:
            found.refuse(
                DispenseCheck.OBSERVATION_MISSING,
                # The name is the study file's field label ("Weight"): it starts the sentence,
                # so that its capital is where a capital belongs in any language.
                _("{name} ({unit}) is required: study {study} asks it at every dispense.").format(
                    name=study.observation_name(observation.key, current_language().value),
                    unit=observation.unit,
                    study=study.protocol,
                ),
            )
    if band is not None and dose.level != band:
        _off_band(study, found, checked, band, dose, confirmed)
    if previous is not None:
        _previous_cycle(session, ctx, found, previous, dose, band)
    elif band is None and dose.level != STARTING_DOSE_LEVEL:
        starting = study.dose_level(STARTING_DOSE_LEVEL)
        found.warn(
            DispenseCheck.STARTING_DOSE,
            lambda: _(STARTING_DOSE).format(
                start=STARTING_DOSE_LEVEL,
                start_name=study.dose_name(starting.level),
                level=dose.level,
                name=study.dose_name(dose.level),
            ),
            OverrideNeeds.ORDERED_BY,
        )
    for key in [f"dose_levels.{dose.level}", *(f"products.{p}" for p in dose.products)]:
        if key not in confirmed:
            found.notice(DispenseCheck.RULE_TO_CONFIRM, partial(_dispensed_to_confirm, study, key))
    threshold = study.platelet_hold_at_or_above
    platelets = checked.platelets
    if threshold and platelets is not None and platelets >= threshold:
        unit = study.platelet_observation().unit
        if "platelets" in confirmed:
            found.warn(
                DispenseCheck.PLATELETS_HOLD,
                lambda: _(PLATELETS_HOLD).format(
                    platelets=f"{platelets:g}", threshold=f"{threshold:g}", unit=unit
                ),
                OverrideNeeds.REASON,
            )
        else:
            rule = study.rule("platelets")
            found.notice(
                DispenseCheck.RULE_TO_CONFIRM,
                lambda: rule_to_confirm(
                    study.rule_title(rule.key),
                    rule.source,
                    _(PLATELETS_RECORDED).format(platelets=f"{platelets:g}", unit=unit),
                ),
            )

    days = study.cycle.days_of_supply
    cover_until = supply_cover_until(day1, days, study.cycle.expiry_margin_days)
    needs = {p: tablets_needed(dose, p, days) for p in dose.products}
    stock = {p: _Shelf(session, p, cover_until, today, ctx.study_id, checked.day) for p in needs}
    proposed: list[tuple[Kit, int]] = []
    short: list[str] = []
    for product, tablets in needs.items():
        shelf = stock[product]
        try:
            picked = choose_fefo(
                shelf.covering(tablets),
                product,
                tablets,
                cover_until,
                today,
                name=study.product_name(product),
                counted=partial(_counted, study, product),
            )
        except RuleViolation as exc:
            short.append(exc.message)
            # Kits left out for a count difference not adjusted: named, to settle or not.
            short += [held.message for held in shelf.held]
            continue
        proposed += [(shelf.kits[k.number], k.tablets) for k in picked]
    irt = study.kit_assignment == "irt"
    codes = request.kits
    assigned_only = False
    if irt:
        proposed = []  # the IRT assigns the kit: no first expiry first out
        if not checked.irt_confirmation or not checked.irt_kit:
            found.refuse(
                DispenseCheck.IRT,
                _(
                    "Study {study} assigns kits by IRT: enter the IRT confirmation number and "
                    "the kit number the IRT assigned."
                ).format(study=study.protocol),
            )
        # The kit the IRT assigned, typed from its confirmation: assessed as the kit going
        # out, but still to pick and scan (`assigned`), never taken as scanned.
        assigned_only = not codes and bool(checked.irt_kit)
        codes = codes or ((checked.irt_kit,) if checked.irt_kit else ())
    elif checked.irt_confirmation or checked.irt_kit:
        # Not an IRT study: an IRT number given would be recorded as if it meant something,
        # and an IRT kit given would be silently ignored.
        found.refuse(
            DispenseCheck.IRT,
            _(
                "Study {study} does not assign kits by IRT (the pharmacy takes them first "
                "expiry first out): leave out the IRT confirmation number and IRT kit."
            ).format(study=study.protocol),
        )
    assigned: list[KitRow] = []
    if codes:
        verdicts, chosen = _scanned(
            session,
            found,
            codes,
            dose,
            needs,
            stock,
            cover_until,
            today,
            ctx.study_id,
            not irt,
            shown,
            checked.day,
            dose_name=study.dose_name(dose.level),
            product_name=study.product_name,
            counted=partial(_counted, study),
            reader=reader,
            held_for=partial(quarantine_refusal, session, ctx),
        )
        if irt and checked.irt_kit:
            verdicts, chosen = _irt_kits(study, found, verdicts, chosen, checked.irt_kit, confirmed)
        if assigned_only:
            assigned = [v.row for v in verdicts if v.accepted and v.row is not None]
            verdicts = []  # nothing scanned yet
        elif irt and checked.irt_kit and shown:
            assigned = _assigned_rows(session, checked.irt_kit, ctx.study_id, today, reader)
    elif irt:  # no kit assigned yet: refused above, nothing proposed
        verdicts, chosen = [], []
    else:
        verdicts, chosen = [], proposed
        for message in short:
            found.refuse(DispenseCheck.STOCK_SHORT, message)
    found.unmatched()

    assessment = DispenseAssessment(
        participant=participant.study_number,
        cycle=cycle,
        cycle_due=due,
        previous_day1=previous_day1,
        earliest_day1=earliest,
        latest_day1=latest,
        day1_unwarned=unwarned if unwarned is not None and unwarned > earliest else None,
        due_day1=coming.due if coming is not None else None,
        earliest_due_day1=coming.earliest if coming is not None else None,
        previous_number=previous.number if previous else "",
        previous_dispensed_on=previous.dispensed_on if previous else None,
        previous_said=_previous_said(previous, checked.day) if previous else "",
        day1=day1,
        dispensed_on=checked.day,
        dose_level=dose.level,
        dose_name=dose.name,
        previous_dose_level=previous.dose_level if previous else None,
        refusals=tuple(found.refusals),
        warnings=tuple(found.warnings),
        proposed=tuple(kit_rows(session, [k for k, _tablets in proposed], today) if shown else ()),
        kits=tuple(verdicts),
        assigned=tuple(assigned),
        tablets_needed=sum(needs.values()),
        tablets_in_kits=sum(t for _kit, t in chosen),
        notices=tuple(found.notices),
        start_date=max(day1, checked.day),
        products=tuple(
            ProductNeed(p, tablets, sum(t for k, t in chosen if k.product == p))
            for p, tablets in needs.items()
        ),
        weight_band_level=band,
        approval_expires=study.approval.ethics_expires if study.approval else None,
        irt=irt,
        overrides=checked.overrides,
        reason_given=bool(checked.override),
        study_sha256=made_with,
    )
    return _Plan(assessment, participant, chosen, *numbered)


def _previous_said(previous: Dispense, day: date) -> str:
    """The previous dispense in a sentence, its number, cycle and date ("Cycle 9 was dispensed
    today, 2026-12-06 (DSP000135)."): a cycle dispensed already, at this or another
    workstation, seen at once beside a refusal of the cycle's timing. Facts only, no rule."""
    return (
        _("Cycle {cycle} was dispensed today, {date} ({dispense}).")
        if previous.dispensed_on == day
        else _("Cycle {cycle} was last dispensed on {date} ({dispense}).")
    ).format(cycle=previous.cycle, date=previous.dispensed_on.isoformat(), dispense=previous.number)


def _ledger_reason(cycle: int, irt_confirmation: str) -> str:
    """The dispense's ledger reason, which the DARF prints: the cycle, and the IRT's
    confirmation number when the IRT assigned the kit."""
    if irt_confirmation:
        return reasons.written(reasons.CYCLE_IRT, cycle=cycle, confirmation=irt_confirmation)
    return reasons.written(reasons.CYCLE, cycle=cycle)


def _by_rule(
    study: Study,
    found: _Found,
    confirmed: frozenset[str],
    key: str,
    code: DispenseCheck,
    text: Text,
) -> None:
    """A study-file rule's refusal: it refuses once the rule holds (from the registry or the
    protocol, or confirmed); until then it is a warning "rule to confirm" to override."""
    if key in confirmed:
        found.refuse(code, text())
        return
    rule = study.rule(key)
    found.warn(
        code,
        lambda: rule_to_confirm(study.rule_title(key), rule.source, text(), asks_reason=True),
        OverrideNeeds.REASON,
    )


def _approval(study: Study, found: _Found, day: date, confirmed: frozenset[str]) -> None:
    """No dispensing after the ethics approval expires; a notice in the days before it."""
    approval = study.approval
    if approval is None:
        return
    expires = approval.ethics_expires
    if day > expires:
        _by_rule(
            study,
            found,
            confirmed,
            "approval",
            DispenseCheck.APPROVAL_EXPIRED,
            lambda: _(APPROVAL_EXPIRED).format(study=study.protocol, date=expires.isoformat()),
        )
    elif (expires - day).days <= approval.warn_days_before:
        found.notice(
            DispenseCheck.APPROVAL_EXPIRING,
            lambda: _(APPROVAL_EXPIRING).format(study=study.protocol, date=expires.isoformat()),
        )


def _weight_band(study: Study, checked: _Checked) -> int | None:
    """The dose level of the weight recorded, when the study doses by weight band."""
    rule = study.dose_by_weight
    if rule is None or rule.observation not in checked.observations:
        return None
    return rule.level_for(checked.observations[rule.observation])


def _off_band(
    study: Study,
    found: _Found,
    checked: _Checked,
    band: int,
    dose: DoseLevel,
    confirmed: frozenset[str],
) -> None:
    """Another level than the weight band's needs the investigator who ordered it."""
    rule = study.rule("dose_by_weight")
    by_weight = study.dose_by_weight
    assert by_weight is not None
    weight = checked.observations[by_weight.observation]
    band_dose = study.dose_level(band)

    def text() -> str:
        return _(OFF_WEIGHT_BAND).format(
            weight=f"{weight:g}",
            band=by_weight.band_text(band),
            band_level=band,
            band_name=study.dose_name(band_dose.level),
            level=dose.level,
            name=study.dose_name(dose.level),
        )

    if "dose_by_weight" in confirmed:
        found.warn(DispenseCheck.WEIGHT_BAND, text, OverrideNeeds.ORDERED_BY)
    else:
        found.notice(
            DispenseCheck.RULE_TO_CONFIRM,
            lambda: rule_to_confirm(study.rule_title(rule.key), rule.source, text()),
        )


def _irt_kits(
    study: Study,
    found: _Found,
    verdicts: Sequence[KitVerdict],
    chosen: Sequence[tuple[Kit, int]],
    assigned: str,
    confirmed: frozenset[str],
) -> tuple[list[KitVerdict], list[tuple[Kit, int]]]:
    """Only the kit the IRT assigned goes out: another kit scanned is refused, its scan with
    it (not taken), once the rule holds; until then it is a warning to override."""
    kept = list(verdicts)
    refused: set[str] = set()
    for index, verdict in enumerate(verdicts):
        if verdict.accepted and verdict.code != assigned:
            text = partial(_not_assigned, verdict.code, assigned)
            _by_rule(study, found, confirmed, "kit_assignment", DispenseCheck.IRT, text)
            if "kit_assignment" in confirmed:
                kept[index] = KitVerdict(verdict.code, False, text())
                refused.add(verdict.code)
    return kept, [(kit, tablets) for kit, tablets in chosen if kit.number not in refused]


def _assigned_rows(
    session: Session, number: str, study: int, today: date, reader: Collection[int]
) -> list[KitRow]:
    """The row of the kit the IRT assigned, to list it to pick beside the kits scanned; none
    for a number that is no kit of the study (a kit scanned is compared with it anyway)."""
    try:
        kit = get_kit(session, number, study, reader=reader)
    except RuleViolation:
        return []
    return list(kit_rows(session, [kit], today))


def _not_assigned(kit: str, assigned: str) -> str:
    return _(IRT_NOT_ASSIGNED).format(kit=kit, assigned=assigned)


def _dispensed_to_confirm(study: Study, key: str) -> str:
    """The notice of a study-file rule not confirmed yet that the dispense applies."""
    rule = study.rule(key)
    title = study.rule_title(key)  # in the reader's language, at the moment it is shown
    finding = _(DISPENSED_TO_CONFIRM).format(rule=title)
    return rule_to_confirm("", rule.source, finding)


def _previous_cycle(
    session: Session,
    ctx: Context,
    found: _Found,
    previous: Dispense,
    dose: DoseLevel,
    band: int | None = None,
) -> None:
    """What the last cycle asks of this one: its return recorded, and a dose change ordered."""
    returned = session.scalar(
        select(func.count()).select_from(Return).where(Return.dispense_id == previous.id)
    )
    if not returned:
        if ctx.study.cycle.previous_return_missing == "refuse":
            found.refuse(
                DispenseCheck.PREVIOUS_RETURN_MISSING,
                _(
                    "The return of cycle {cycle} ({dispense}) is not recorded yet. Record the "
                    "return before dispensing the next cycle."
                ).format(cycle=previous.cycle, dispense=previous.number),
            )
        else:
            found.warn(
                DispenseCheck.PREVIOUS_RETURN_MISSING,
                lambda: _(PREVIOUS_RETURN_MISSING).format(
                    cycle=previous.cycle, dispense=previous.number
                ),
                OverrideNeeds.REASON,
            )
    else:
        row = history_row(session, ctx, previous, shown=False)
        if Flag.OVER_USE in row.flags and not row.flag_reason:
            found.notice(
                DispenseCheck.SAFETY_SIGNAL,
                lambda: _(SAFETY_SIGNAL).format(cycle=previous.cycle, dispense=previous.number),
            )
    if previous.dose_level != dose.level and band == dose.level:
        found.notice(
            DispenseCheck.DOSE_CHANGE,
            lambda: _(DOSE_CHANGE_BY_BAND).format(
                previous=previous.dose_level, level=dose.level, name=ctx.study.dose_name(dose.level)
            ),
        )
    elif previous.dose_level != dose.level:
        found.warn(
            DispenseCheck.DOSE_CHANGE,
            lambda: _(DOSE_CHANGE_ORDERED).format(
                previous=previous.dose_level, level=dose.level, name=ctx.study.dose_name(dose.level)
            ),
            OverrideNeeds.ORDERED_BY,
        )


_SHELF_QUERIES: dict[str, Select[tuple[Kit]]] = {}


def _shelf_query(session: Session) -> Select[tuple[Kit]]:
    """The next batch of a product's kits on the shelf, in the rule's order: built once per
    database kind (its order's collation), values bound at each read."""
    dialect = session.get_bind().dialect.name
    query = _SHELF_QUERIES.get(dialect)
    if query is None:
        query = _SHELF_QUERIES[dialect] = (
            select(Kit)
            .join(Lot, Lot.id == Kit.lot_id)
            .options(contains_eager(Kit.lot))
            .where(
                Kit.study_id == bindparam("study"),
                Kit.product == bindparam("product"),
                Kit.status == KitStatus.AVAILABLE.value,
                Lot.product == bindparam("product"),  # a kit's lot is of its product (receiving)
                Lot.expiry >= bindparam("cover_until"),
            )
            .order_by(*fefo_order(session))
            .limit(bindparam("size"))
            .offset(bindparam("read"))
        )
    return query


class _Shelf:
    """The usable kits of one product, first expiry first (`rules.usable_kits`), read from the
    database a batch at a time and only as far as the dispense looks: the first kits that cover
    the cycle, the first few a scanned kit is compared with. SQL returns them in the rule's
    order (`fefo_order`), so the first kits read are the ones the rule would pick from the
    whole shelf; the rule itself (`usable_kits`, `choose_fefo`) still decides."""

    FIRST_BATCH = 8

    def __init__(
        self,
        session: Session,
        product: str,
        cover_until: date,
        today: date,
        study: int,
        on: date | None = None,
    ) -> None:
        self.session, self.product, self.study = session, product, study
        self.cover_until, self.today = cover_until, today
        self.on = today if on is None else on  # the dispense's day (earlier when back-dated)
        self.kits: dict[str, Kit] = {}
        self.usable: list[KitCandidate] = []
        self.held: list[OpenDifference] = []  # left out: a count difference not adjusted
        self.read = 0  # kits read so far, in the rule's order
        self.exhausted = False

    def _more(self) -> None:
        """Reads the next batch (twice as many as read so far): a few statements per dispense
        however many kits are on the shelf."""
        size = max(self.FIRST_BATCH, self.read)
        values = {
            "study": self.study,
            "product": self.product,
            "cover_until": self.cover_until,
            "size": size,
            "read": self.read,
        }
        batch = list(self.session.scalars(_shelf_query(self.session), values))
        self.read += len(batch)
        self.exhausted = len(batch) < size
        if self.on < self.today:  # back-dated: not a kit received after the dispense's day
            batch = [k for k in batch if k.shipment.received_on <= self.on]
        # A kit whose last count differs from the book, neither adjusted nor counted again,
        # holds what nobody knows: never proposed, nor the first expiry a scanned kit skips.
        # The rule (`usable_kits`, rules.in_stock) leaves it out; it is kept to be named.
        held = open_differences(self.session, [k.id for k in batch])
        self.held += [held[k.id] for k in batch if k.id in held]
        on_shelf = contents_of_kits(self.session, batch)
        self.kits.update((k.number, k) for k in batch)
        candidates = [candidate(k, on_shelf[k.id], held=k.id in held) for k in batch]
        self.usable += usable_kits(candidates, self.product, self.cover_until, self.today)

    def covering(self, tablets: int) -> list[KitCandidate]:
        """The first usable kits, enough to hold `tablets` (all of them when the shelf does
        not): what `choose_fefo` walks through."""
        while not self.exhausted and sum(k.tablets for k in self.usable) < tablets:
            self._more()
        return self.usable

    def first(self, count: int) -> list[KitCandidate]:
        """At least the first `count` usable kits (all when there are fewer): among them is the
        first kit not taken, all `first_expiry_skipped` needs when `count` exceeds the taken."""
        while not self.exhausted and len(self.usable) < count:
            self._more()
        return self.usable


def _scanned(
    session: Session,
    found: _Found,
    codes: Sequence[str],
    dose: DoseLevel,
    needs: dict[str, int],
    stock: dict[str, _Shelf],
    cover_until: date,
    today: date,
    study: int,
    fefo: bool = True,
    shown: bool = True,
    on: date | None = None,
    *,
    dose_name: str,
    product_name: Callable[[str], str],
    counted: Callable[[str, int], str | None],
    reader: Collection[int],
    held_for: Callable[[Kit], str | None] = lambda _kit: None,
) -> tuple[list[KitVerdict], list[tuple[Kit, int]]]:
    """The verdict on each scanned code, in scan order, and the kits taken (`fefo`: warn of a
    kit taken before one that expires first; not when an IRT assigns the kit; `shown`: each
    taken kit's row for the screen; `product_name`: a product as the reader's language names
    it, never its code; `counted`: a count of a product not of tablets in its word, _counted)."""
    verdicts: list[KitVerdict] = []
    errors: dict[int, type[RuleViolation]] = {}  # a code that is no kit: NotFound, InvalidInput
    taken: list[tuple[Kit, KitCandidate]] = []
    for raw in codes:
        try:
            kit = get_kit(session, raw, study, reader=reader)
        except RuleViolation as exc:
            errors[len(verdicts)] = type(exc)
            verdicts.append(_not_a_kit(session, raw, exc))
            continue
        refusal = _kit_refusal(
            session,
            kit,
            taken,
            dose_name,
            needs,
            cover_until,
            today,
            today if on is None else on,
            product_name,
            counted,
            held_for,
        )
        replaced = None
        if isinstance(refusal, str) and fefo:
            replaced, refusal = _first_expiry_for(
                kit,
                refusal,
                taken,
                stock,
                partial(
                    _kit_refusal,
                    session,
                    kit,
                    dose_name=dose_name,
                    needs=needs,
                    cover_until=cover_until,
                    today=today,
                    on=today if on is None else on,
                    product_name=product_name,
                    counted=counted,
                    held_for=held_for,
                ),
            )
        if isinstance(refusal, str):
            verdicts.append(KitVerdict(kit.number, False, refusal))
            continue
        if replaced is not None:
            # The kit the warning named, scanned after the later one: it replaces it.
            taken = [(k, c) for k, c in taken if k.id != replaced.id]
            index = max(
                i for i, v in enumerate(verdicts) if v.accepted and v.code == replaced.number
            )
            verdicts[index] = KitVerdict(
                replaced.number,
                False,
                _("Kit {kit} replaces kit {replaced}: put {replaced} back.").format(
                    kit=kit.number, replaced=replaced.number
                ),
            )
        taken.append((kit, refusal))
        verdicts.append(
            KitVerdict(kit.number, True, "", replaces=replaced.number if replaced else "")
        )
    for product, tablets in needs.items():
        of_product = [c for _kit, c in taken if c.product == product]
        if not of_product:
            continue
        try:
            _check_not_too_many(of_product, tablets, counted(product, tablets))
        except RuleViolation as exc:
            last = max(
                i for i, v in enumerate(verdicts) if v.accepted and v.code == of_product[-1].number
            )
            verdicts[last] = KitVerdict(of_product[-1].number, False, exc.message)
            taken = [(k, c) for k, c in taken if k.number != of_product[-1].number]
    if shown:
        rows = {r.number: r for r in kit_rows(session, [k for k, _candidate in taken], today)}
        verdicts = [replace(v, row=rows[v.code]) if v.accepted else v for v in verdicts]
    for index, verdict in enumerate(verdicts):
        if not verdict.accepted:
            error = errors.get(index, RuleViolation)
            found.refusals.append(Refusal(DispenseCheck.KIT, verdict.message, error))
    scanned = [c for _kit, c in taken]
    for product, tablets in needs.items():
        found.check(
            DispenseCheck.KITS_SHORT,
            partial(
                check_scanned_cover,
                scanned,
                product,
                tablets,
                product_name(product),
                partial(counted, product),
            ),
        )
    numbers = [c.number for c in scanned]
    for picked in scanned if fefo else ():
        usable = stock[picked.product].first(len(numbers) + 1)
        skipped = first_expiry_skipped(picked, usable, numbers)
        if skipped is not None:
            found.warn(
                DispenseCheck.NOT_FIRST_EXPIRY,
                partial(_not_first_expiry, picked, skipped),
                OverrideNeeds.REASON,
            )
    return verdicts, [(k, c.tablets) for k, c in taken]


def _first_expiry_for(
    kit: Kit,
    refusal: str,
    taken: Sequence[tuple[Kit, KitCandidate]],
    stock: dict[str, _Shelf],
    refused: Callable[[Sequence[tuple[Kit, KitCandidate]]], KitCandidate | str],
) -> tuple[Kit | None, KitCandidate | str]:
    """A kit refused (`refusal`) that is a first-expiry choice a kit scanned before it was
    warned against (NOT_FIRST_EXPIRY: "take kit K1115 instead"): the later kit it replaces and
    the kit as taken in its place, when the kits scanned without the later one need it
    (`refused`: the kit's refusal given the kits taken, which refuses a kit not available, held
    or of another study). The kit named or any other of its product expiring no later: first
    expiry first out takes any of them (K1116 of K1115's lot as well). Otherwise no kit
    replaced and the refusal as it was: a kit the cycle needs on top of the later one is taken
    beside it, as any kit."""
    if kit.product not in stock:
        return None, refusal
    numbers = [c.number for _kit, c in taken]
    usable = stock[kit.product].first(len(numbers) + 1)
    for later, picked in taken:
        if picked.product != kit.product:
            continue
        skipped = first_expiry_skipped(picked, usable, numbers)
        if skipped is None or kit.lot.expiry > skipped.expiry:
            continue
        instead = refused([(k, c) for k, c in taken if k.id != later.id])
        if not isinstance(instead, str):
            return later, instead
    return None, refusal


def _not_first_expiry(picked: KitCandidate, skipped: KitCandidate) -> str:
    return _(NOT_FIRST_EXPIRY).format(
        kit=picked.number,
        lot=picked.lot,
        expiry=picked.expiry.isoformat(),
        skipped=skipped.number,
        skipped_lot=skipped.lot,
        skipped_expiry=skipped.expiry.isoformat(),
    )


def _not_a_kit(session: Session, raw: str, exc: RuleViolation) -> KitVerdict:
    """A code that is no kit of this pharmacy; a participant's study number is named as such."""
    code = raw.strip().upper() if isinstance(raw, str) else repr(raw)[:40]
    if isinstance(exc, InOtherStudy) and exc.protocol:
        # Scanned during a dispense: a kit picked in error, never a reason to leave the cycle.
        return KitVerdict(
            code,
            False,
            _(
                "Kit {kit} belongs to study {study}, not to this dispense: put it back with "
                "that study's kits."
            ).format(kit=code, study=exc.protocol),
        )
    try:  # only what can be a study number is looked up (the driver fails on a lone surrogate)
        maybe = normalise_study_number(raw)
    except InvalidInput:
        return KitVerdict(code, False, exc.message)
    number = session.scalar(
        select(Participant.study_number).where(Participant.study_number == maybe)
    )
    if number is None:
        return KitVerdict(code, False, exc.message)
    return KitVerdict(
        code,
        False,
        _(
            "{participant} is a participant's study number, not a kit. Scan the barcode on the "
            "kit's label."
        ).format(participant=number),
        participant=number,
    )


def _checker(session: Session, actor: Actor, checked_by: str, study: int) -> tuple[User, Actor]:
    """The second person named for a dispense's check: a user, not the dispenser, whose role
    may check a dispense."""
    checker = find_user(session, checked_by)
    if checker.id == actor.user_id:
        raise RuleViolation(_("The second check must be done by another person."))
    checker_actor = actor_of(session, checker)
    if not may(checker_actor, Permission.CHECK_DISPENSE):
        allowed = sorted(ALLOWED[Permission.CHECK_DISPENSE], key=lambda r: r.value)
        roles = _(" or ").join(r.word for r in allowed)
        raise NotPermitted(
            _(
                "{user} ({role}) may not check a dispense: the second check needs a user "
                "with the role {roles}."
            ).format(user=checker.username, role=checker_actor.role.word, roles=roles)
        )
    outside = outside_study(session, checker_actor, study)
    if outside is not None:
        raise NotPermitted(outside)
    return checker, checker_actor


def check_second_person(ctx: Context, actor: Actor, checked_by: str) -> SecondPerson:
    """The second check's person as dispense_cycle will accept them, said before anyone types
    that person's password (a name with no user, the dispenser themself, a role that may not
    check, no access to the study); who they are, for the screen to name them before both
    sign. dispense_cycle decides again inside its write."""
    require(actor, Permission.DISPENSE, ctx)
    with read_transaction(ctx.engine) as session:
        checker, checker_actor = _checker(session, actor, checked_by, ctx.study_id)
        return SecondPerson(checker.username, checker.full_name, checker_actor.role.value)


def _kit_refusal(
    session: Session,
    kit: Kit,
    taken: Sequence[tuple[Kit, KitCandidate]],
    dose_name: str,
    needs: dict[str, int],
    cover_until: date,
    today: date,
    on: date,
    product_name: Callable[[str], str],
    counted: Callable[[str, int], str | None],
    held_for: Callable[[Kit], str | None],
) -> KitCandidate | str:
    """The scanned kit as a candidate, or why it is refused: scanned twice, the wrong product,
    not dispensable (or received after the dispense's day `on`), a count difference not
    adjusted (its contents in doubt), or not needed (`dose_name`: the dose as the reader's
    language names it; `product_name`: a product as it names it, "海曲泊帕乙醇胺片 7.5 mg", as
    the screen's table does, not its code)."""
    if any(k.id == kit.id for k, _candidate in taken):
        return _("Kit {kit} is already scanned for this dispense.").format(kit=kit.number)
    if kit.product not in needs:
        return _(
            "Kit {kit} holds {product}; this dose ({dose}) needs {needed}. Take a kit of the "
            "right product."
        ).format(
            kit=kit.number,
            product=product_name(kit.product),
            dose=dose_name,
            needed=listed(product_name(p) for p in needs),
        )
    kit_candidate = candidate(kit, kit_contents(session, kit))
    try:
        check_kit_dispensable(kit_candidate, kit.product, cover_until, today, product_name)
        if on < today:  # received by today, unless the dispense is back-dated
            check_received_by(kit.number, kit.shipment.received_on, on, "dispense")
    except RuleViolation as exc:
        if kit.status == KitStatus.QUARANTINED.value and kit_candidate.expiry >= today:
            # Held for an excursion: the release is the sponsor's to decide (quarantine's words).
            return held_for(kit) or exc.message
        return exc.message
    held = open_differences(session, [kit.id]).get(kit.id)
    if held is not None:  # what it holds is in doubt until the count is settled
        return held.message
    already = sum(c.tablets for _kit, c in taken if c.product == kit.product)
    units = counted(kit.product, needs[kit.product])
    if already >= needs[kit.product] and units is not None:
        return _(
            "Kit {kit} is not needed: the kits scanned already hold the {units} of {product} "
            "for the cycle. Put it back."
        ).format(kit=kit.number, units=units, product=product_name(kit.product))
    if already >= needs[kit.product]:
        return _(
            "Kit {kit} is not needed: the kits scanned already hold the {tablets} tablets of "
            "{product} for the cycle. Put it back."
        ).format(kit=kit.number, tablets=needs[kit.product], product=product_name(kit.product))
    return kit_candidate


_EVERY = aliased(Dispense)
_NUMBERED = (
    select(func.max(_EVERY.id)).correlate(None).scalar_subquery(),
    select(func.max(_EVERY.attempt))
    .where(
        _EVERY.participant_id == Participant.id, _EVERY.cycle == bindparam("cycle", type_=Integer)
    )
    .correlate(Participant)
    .scalar_subquery(),
)
"""The last dispense's id, and the last attempt at the participant's cycle asked (voided ones
too): what the dispense's number and attempt follow."""

_PARTICIPANT_AND_LAST = (
    select(Participant, Dispense, *_NUMBERED)
    .outerjoin(Dispense, Dispense.id == last_live_dispense(Participant.id))
    .where(
        Participant.study_id == bindparam("study"),
        Participant.study_number == bindparam("number"),
    )
)
"""The participant with their last dispense not voided (queries.live_dispenses' last) and what
the next dispense is numbered after, in one statement built once: one walk back along the
dispenses' index, not every earlier cycle read. Inside a dispense's write transaction it is
read after the write lock (db.engine.write_transaction), as the numbers must be."""


def _participant_and_last(
    session: Session, raw: str, study: int, cycle: int | None, reader: Collection[int]
) -> tuple[Participant, Dispense | None, tuple[int | None, int | None]]:
    """The participant (as common.get_participant finds and refuses one), their last dispense
    not voided, and the last dispense id and attempt at `cycle` (_NUMBERED)."""
    number = normalise_study_number(raw)
    values = {"study": study, "number": number, "cycle": cycle}
    found = session.execute(_PARTICIPANT_AND_LAST, values).first()
    if found is None:  # refused as get_participant refuses it (another study's, not enrolled)
        get_participant(session, raw, study, reader=reader)
        found = session.execute(_PARTICIPANT_AND_LAST, values).one()  # (as it found them)
    return found[0], found[1], (found[2], found[3])


def _counted(study: Study, product: str, count: int) -> str | None:
    """A count of a product not of tablets in its own word ("28 capsules", 28粒), for the
    kit refusals to say; None for tablets, said as they always have been."""
    return None if is_tablet(study.form_of(product)) else study.units(product, count)


def _check_not_too_many(
    kits: Sequence[KitCandidate], tablets: int, units: str | None = None
) -> None:
    """A kit more than the cycle needs (`units`: the need in its word, of a product not of
    tablets)."""
    total = sum(k.tablets for k in kits)
    for kit in kits:
        if total - kit.tablets >= tablets and units is not None:
            raise RuleViolation(
                _(
                    "Kit {kit} is not needed: the other kits scanned already hold the {units} "
                    "of the cycle. Put it back."
                ).format(kit=kit.number, units=units)
            )
        if total - kit.tablets >= tablets:
            raise RuleViolation(
                _(
                    "Kit {kit} is not needed: the other kits scanned already hold the {tablets} "
                    "tablets of the cycle. Put it back."
                ).format(kit=kit.number, tablets=tablets)
            )


@dataclass(frozen=True)
class VoidCheck:
    """What check_void found for a dispense that may be voided: when it was made, how many days
    ago, and its kits. Made before today (`days` > 0), the void needs each kit scanned as back
    in the pharmacy (void_dispense's `kits_back`)."""

    dispense: str
    dispensed_on: date
    days: int
    kits: tuple[str, ...]

    @property
    def kits_to_scan(self) -> bool:
        return self.days > 0


def _refuse_void(
    session: Session,
    record: Dispense,
    study: Study,
    today: date,
    kits_back: Collection[str] | None,
) -> VoidCheck:
    """The void's refusals, asked before the reason and signature (check_void, `kits_back`
    None: not asked yet) and again when the void is written: a dispense voided already, one
    with a return recorded, one a later cycle followed, and one made before today whose kits
    are not all scanned as back in the pharmacy."""
    if is_voided(session, record):
        raise RuleViolation(
            _("Dispense {dispense} has already been voided.").format(dispense=record.number)
        )
    if session.scalar(
        select(func.count()).select_from(Return).where(Return.dispense_id == record.id)
    ):
        raise RuleViolation(
            _(
                "Dispense {dispense} has returns recorded: the {units} left the pharmacy. "
                "It cannot be voided; correct the return instead."
            ).format(
                dispense=record.number, units=study.unit_words(k.kit.product for k in record.kits)
            )
        )
    participant = record.participant.study_number
    later = [d for d in live_dispenses(session, record.participant_id) if d.cycle > record.cycle]
    if later:
        raise RuleViolation(
            _(
                "Dispense {dispense} (cycle {cycle}) cannot be voided: {participant} has been "
                "dispensed cycle {later_cycle} since ({later}), so the kits of cycle {cycle} "
                "went out. Record their return instead; void {later} first only if it too was "
                "made in error."
            ).format(
                dispense=record.number,
                cycle=record.cycle,
                participant=participant,
                later_cycle=later[0].cycle,
                later=later[0].number,
            )
        )
    kits = tuple(
        session.scalars(
            select(Kit.number)
            .join(DispenseKit, DispenseKit.kit_id == Kit.id)
            .where(DispenseKit.dispense_id == record.id)
            .order_by(DispenseKit.id)
        )
    )
    days = (today - record.dispensed_on).days
    found = VoidCheck(record.number, record.dispensed_on, max(days, 0), kits)
    if kits_back is None:
        return found
    scanned = {normalise_kit_number(k) for k in kits_back if k and k.strip()}
    if not found.kits_to_scan and scanned <= set(kits):
        # A void the day of the dispense: the kits are still at the counter, no scan needed;
        # but a kit scanned then that is not the dispense's is refused below, not ignored.
        return found
    if not scanned:
        raise RuleViolation(
            _(
                "Dispense {dispense} was made on {day}, {ago}: its kits may have left "
                "the pharmacy with {participant}. Void it only when every kit is back in the "
                "pharmacy: scan each ({kits}) to confirm it (`dispensary void {dispense} "
                "--kit-back KIT`). If the participant has the kits, record a return instead."
            ).format(
                dispense=record.number,
                day=record.dispensed_on.isoformat(),
                ago=_("yesterday")
                if found.days == 1
                else _("{days} days ago").format(days=found.days),
                participant=participant,
                kits=listed(kits),
            )
        )
    if scanned != set(kits):
        raise RuleViolation(
            _(
                "The kits scanned ({scanned}) are not the kits of {dispense} ({kits}): scan "
                "each kit of the dispense, back in the pharmacy. If a kit is not here, do not "
                "void: record a return instead."
            ).format(
                scanned=listed(sorted(scanned)),
                dispense=record.number,
                kits=listed(kits),
            )
        )
    return found


def check_void(
    ctx: Context, actor: Actor, dispense_ref: str, kits_back: Collection[str] | None = None
) -> VoidCheck:
    """Whether the dispense may be voided, asked before the window asks for the reason and
    the signature: what the void needs (VoidCheck: made before today, its kits to scan back),
    or the refusal void_dispense would give (its role, a dispense voided already, with a
    return recorded, or followed by a later cycle; with `kits_back`, the kits scanned as back
    checked too) raised; nothing written."""
    require(actor, Permission.VOID_DISPENSE, ctx)
    with read_transaction(ctx.engine) as session:
        record = get_dispense(session, dispense_ref, ctx.study_id, reader=Readable(session, actor))
        return _refuse_void(session, record, ctx.study, ctx.clock.today(), kits_back)


def void_dispense(
    ctx: Context,
    actor: Actor,
    dispense_ref: str,
    reason: str,
    password: str,
    kits_back: Collection[str] = (),
) -> DispenseResult:
    """Corrects a dispense made in error (kits never left the pharmacy): the void, a row of its
    own, and reversing entries that name the original, never an edit. The cycle can then be
    dispensed again. Refused once a later cycle was dispensed; made before today, only with
    every kit of it scanned as back in the pharmacy (`kits_back`)."""
    require(actor, Permission.VOID_DISPENSE, ctx, recorded=True)
    with passwords_first(ctx, actor, password, SignatureMeaning.CORRECTED):
        why = check_text(reason, N_("reason for the void"))
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.VOID_DISPENSE)
        # The password first: a wrong one is said and counted whatever else is refused.
        signer = check_signer(
            session, actor, password, SignatureMeaning.CORRECTED, auditor=actor, now=rec.now
        )
        record = get_dispense(session, dispense_ref, ctx.study_id, reader=Readable(session, actor))
        _refuse_void(session, record, ctx.study, ctx.clock.today(), kits_back)
        entries = session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.dispense_id == record.id,
                LedgerEntry.kind == MovementKind.DISPENSE.value,
                LedgerEntry.reverses_id.is_(None),
            )
            .order_by(LedgerEntry.id)
        ).all()
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
        record_signature(session, signer, SignatureMeaning.CORRECTED, "dispense", record.id, rec)
        rec.audit(
            AuditAction.DISPENSE_VOIDED,
            "dispense",
            record.number,
            {"voided": True, "void": void.id},
            {"voided": False},
            why,
        )
        return dispense_result(session, ctx, record, ())
