"""The supply forecast for the Today screen, the forecast report and `dispensary forecast`:
who is on treatment and what is on the shelf (less the kits held for a count difference, said
apart: Forecast.held), read in one snapshot; the week-by-week arithmetic
is domain.forecast's, which chooses kits with the counter's own rule.

Read-only: it writes nothing, so any role that may view records may ask for it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction
from dispensary.db.models import ChainHead, Dispense, Kit, Lot, Participant
from dispensary.domain.codes import KitStatus, ParticipantStatus
from dispensary.domain.errors import InvalidInput
from dispensary.domain.forecast import (
    DEFAULT_WEEKS,
    Course,
    Forecast,
    SupplyRules,
    check_weeks,
    expected_enrolment,
)
from dispensary.domain.forecast import forecast as play_forecast
from dispensary.domain.regimen import tablets_needed
from dispensary.domain.rules import STARTING_DOSE_LEVEL, KitCandidate, check_count
from dispensary.i18n import N_, _, current_language, listed
from dispensary.services.common import contents_by_id, last_live_dispense
from dispensary.services.context import Actor, Context
from dispensary.services.counts import open_differences
from dispensary.services.permissions import Permission, require
from dispensary.services.quarantine import quarantined_per_product
from dispensary.services.studies import confirmed_rules
from dispensary.study import Study


@dataclass(frozen=True)
class ExpectedEnrolment:
    """Participants still to enrol: how many, the first one's cycle 1 day 1, and the days
    between two of them (0: all on the same day)."""

    participants: int
    first_day1: date
    every_days: int = 7


class ForecastOutlook(StrEnum):
    """The forecast in one word, for the sentence that leads it. A horizon with no cycle in it
    is not "covered" (an empty study read "the stock on hand covers every cycle")."""

    SHORT = "short"  # a week is short
    NOTHING = "nothing"  # no cycle in the horizon and no kit on hand
    NO_CYCLE = "no_cycle"  # kits on hand, but no cycle in the horizon to take them
    COVERED = "covered"  # every cycle of the horizon from the shelf


@dataclass(frozen=True)
class ForecastResult:
    """The forecast with what it rests on, for the screen, the report and the command."""

    protocol: str
    today: date
    forecast: Forecast
    participants: int  # on treatment, counted in the forecast
    enrolment: ExpectedEnrolment | None
    lead_time_days: int | None  # None: the study file gives no [supply] lead time
    lead_time_source: str
    lead_time_confirmed: bool
    expiry_margin_days: int
    product_names: Mapping[str, str]  # product code -> name, strength and form
    quarantined: Mapping[str, int] = field(default_factory=dict)
    """Per product, the kits in quarantine not expired, awaiting the sponsor's decision: no
    stock (only an available kit is), so not counted, and said (`quarantine_note`)."""

    @property
    def outlook(self) -> ForecastOutlook:
        f = self.forecast
        if f.first_short is not None:
            return ForecastOutlook.SHORT
        if not f.cycles:
            if not any(row.kits_on_hand for row in f.rows if row.week == 1):
                return ForecastOutlook.NOTHING
            return ForecastOutlook.NO_CYCLE
        return ForecastOutlook.COVERED

    def no_shortage(self) -> str:
        """The sentence of a forecast with no short week, by its outlook (the report's and the
        command's; the Today screen words its own): a horizon without a cycle is not
        "covered" (an empty study read so)."""
        weeks = self.forecast.weeks
        one = weeks == 1  # "the next 1 week" (--weeks 1), not "the next 1 weeks"
        if self.outlook is ForecastOutlook.NOTHING:
            text = (
                _(
                    "No kit on hand and no cycle to supply in the next week: nothing to forecast yet."
                )
                if one
                else _(
                    "No kit on hand and no cycle to supply in the next {weeks} weeks: nothing to "
                    "forecast yet."
                )
            )
        elif self.outlook is ForecastOutlook.NO_CYCLE:
            text = (
                _("No cycle to supply in the next week: the stock on hand is not needed yet.")
                if one
                else _(
                    "No cycle to supply in the next {weeks} weeks: the stock on hand is not "
                    "needed yet."
                )
            )
        else:
            text = (
                _("The stock on hand covers every cycle of the next week.")
                if one
                else _("The stock on hand covers every cycle of the next {weeks} weeks.")
            )
        return text.format(weeks=weeks)

    def held_note(self) -> str:
        """The kits left out of the stock as held for an open count difference
        (`Forecast.held`, rules.in_stock), how many and why, with what to do; "" when none.
        The report's and the command's: a shelf smaller than the inventory is said."""
        held = self.forecast.held
        if not held:
            return ""
        numbers = listed(k.number for k in held)
        return (
            _(
                "Not counted as stock: 1 kit held for a count difference not settled ({kits}). "
                "Count it again or record the adjustment; then it counts."
            )
            if len(held) == 1
            else _(
                "Not counted as stock: {n} kits held for a count difference not settled "
                "({kits}). Count them again or record the adjustments; then they count."
            )
        ).format(n=len(held), kits=numbers)

    def quarantine_note(self, name: Callable[[str], str] | None = None) -> str:
        """The kits in quarantine left out of the stock, how many of each product and why;
        "" when none. The forecast does not count them: whether they come back is the
        sponsor's to decide (`name`: a product as the reader's language names it)."""
        held = {p: n for p, n in self.quarantined.items() if n}
        if not held:
            return ""
        named = name or (lambda p: self.product_names.get(p, p))
        counted = _(", ").join(
            _("{product}: {n}").format(product=named(p), n=n) for p, n in held.items()
        )
        total = sum(held.values())
        return (
            _(
                "Not counted as stock: 1 kit in quarantine, awaiting the sponsor's decision "
                "({kits}). Ask the sponsor: released, it counts."
            )
            if total == 1
            else _(
                "Not counted as stock: {n} kits in quarantine, awaiting the sponsor's decision "
                "({kits}). Ask the sponsor: released, they count."
            )
        ).format(n=total, kits=counted)

    @property
    def first_short_week(self) -> int | None:
        row = self.forecast.first_short
        return row.week if row is not None else None


@dataclass(frozen=True)
class _Inputs:
    courses: tuple[Course, ...]
    stock: tuple[KitCandidate, ...]
    lead_time_confirmed: bool
    quarantined: Mapping[str, int]


def forecast(
    ctx: Context,
    actor: Actor,
    weeks: int = DEFAULT_WEEKS,
    enrolment: ExpectedEnrolment | None = None,
    day1s: Mapping[str, date] | None = None,
) -> ForecastResult:
    """Projects the next `weeks` weeks from today. `day1s` gives a participant's next day 1
    where it is known not to follow the cycle length (a delayed cycle), by study number."""
    require(actor, Permission.VIEW, ctx)
    check_weeks(weeks)  # before the database is read
    study = ctx.study
    today = ctx.clock.today()
    plain = enrolment is None and not day1s  # the Today screen's: kept (see _KEPT)
    place = (str(ctx.engine.url), ctx.study_id)
    with read_transaction(ctx.engine) as session:
        head = session.execute(
            select(ChainHead.audit_count, ChainHead.audit_hash).where(ChainHead.id == 1)
        ).first()
        state = (tuple(head), today, weeks, current_language()) if head is not None else None
        kept = _KEPT.get(place)
        if (
            plain
            and state is not None
            and kept is not None
            and kept[0] == state
            and (kept[1] is study or kept[1] == study)
        ):
            return kept[2]
        inputs = _inputs(session, ctx)
    courses = _with_day1s(inputs.courses, day1s or {})
    if enrolment is not None:
        check_count(enrolment.participants, N_("number of participants to enrol"), 10_000)
        check_count(enrolment.every_days, N_("days between two enrolments"), 365)
        courses += expected_enrolment(
            enrolment.first_day1,
            enrolment.participants,
            enrolment.every_days,
            _tablets(study, STARTING_DOSE_LEVEL),
            study.cycle.max_cycles or None,
        )
    rules = SupplyRules(
        cycle_length_days=study.cycle.length_days,
        days_of_supply=study.cycle.days_of_supply,
        expiry_margin_days=study.cycle.expiry_margin_days,
        tablets_per_kit={p.code: p.tablets_per_kit for p in study.products},
        lead_time_days=study.lead_time_days or 0,
    )
    result = play_forecast(courses, inputs.stock, rules, today, weeks)
    has_supply = study.lead_time_days is not None
    found = ForecastResult(
        protocol=study.protocol,
        today=today,
        forecast=result,
        participants=len(inputs.courses),
        enrolment=enrolment,
        lead_time_days=study.lead_time_days,
        lead_time_source=study.rule("supply").source if has_supply else "",
        lead_time_confirmed=inputs.lead_time_confirmed,
        expiry_margin_days=study.cycle.expiry_margin_days,
        product_names={p.code: p.display for p in study.products},
        quarantined=inputs.quarantined,
    )
    if plain and state is not None:
        if len(_KEPT) > 32:
            _KEPT.clear()
        _KEPT[place] = (state, study, found)
    return found


_KEPT: dict[tuple[object, ...], tuple[object, Study, ForecastResult]] = {}
"""The last plain forecast (no enrolment or day 1 given) of each database and study, by the
state it was read in: the chain head (every write of the program moves it, at whatever
workstation), the day, the weeks and the language; and the study file it was read with. The
Today screen asks for it at every refresh: with nothing written it is the same, and playing
every cycle of a quarter against the shelf takes a quarter of a second at a busy site."""


def _tablets(study: Study, level: int) -> dict[str, int]:
    """The tablets of each product one cycle takes at a dose level."""
    dose = study.dose_level(level)
    return {p: tablets_needed(dose, p, study.cycle.days_of_supply) for p in dose.products}


def _with_day1s(courses: tuple[Course, ...], day1s: Mapping[str, date]) -> tuple[Course, ...]:
    known = {c.participant for c in courses}
    for number in day1s:
        if number not in known:
            raise InvalidInput(
                _(
                    "{participant} is not a participant on treatment: give a day 1 only for "
                    "someone whose next cycle the forecast counts."
                ).format(participant=number)
            )
    return tuple(
        Course(c.participant, day1s.get(c.participant, c.next_day1), c.tablets, c.cycles_left)
        for c in courses
    )


def _inputs(session: Session, ctx: Context) -> _Inputs:
    """Every database read of the forecast, in a few grouped queries: participants on
    treatment, the last live dispense of each (one row each, common.last_live_dispense), kits
    on the shelf with their tablets, and the rules confirmed."""
    study = ctx.study
    on_treatment = (
        Participant.study_id == ctx.study_id,
        Participant.status == ParticipantStatus.ON_TREATMENT.value,
    )
    people = session.execute(
        select(Participant.id, Participant.study_number, Participant.enrolled_on)
        .where(*on_treatment)
        .order_by(Participant.study_number)
    ).all()
    last: dict[int, Any] = {
        row.participant_id: row
        for row in session.execute(
            select(
                Participant.id.label("participant_id"),
                Dispense.cycle,
                Dispense.day1,
                Dispense.dose_level,
            )
            .join(Dispense, Dispense.id == last_live_dispense(Participant.id))
            .where(*on_treatment)
        )
    }
    courses = []
    max_cycles = study.cycle.max_cycles
    at_level: dict[int, dict[str, int]] = {}  # the same tablets for everyone at a dose level
    for person in people:
        previous = last.get(person.id)
        done = previous.cycle if previous else 0
        if max_cycles and done >= max_cycles:
            continue
        next_day1 = (
            previous.day1 + timedelta(days=study.cycle.length_days)
            if previous
            else person.enrolled_on
        )
        level = previous.dose_level if previous else STARTING_DOSE_LEVEL
        if level not in at_level:
            at_level[level] = _tablets(study, level)
        courses.append(
            Course(
                person.study_number,
                next_day1,
                at_level[level],
                max_cycles - done if max_cycles else None,
            )
        )
    kits = session.execute(
        select(Kit.id, Kit.number, Kit.product, Lot.number, Lot.expiry, Kit.status)
        .join(Lot, Lot.id == Kit.lot_id)
        .where(Kit.study_id == ctx.study_id, Kit.status == KitStatus.AVAILABLE.value)
        .order_by(Kit.number)
    ).all()
    contents = contents_by_id(session, [k[0] for k in kits])
    # A kit whose count difference is open is held (counts.open_differences): no stock to
    # play the cycles against (rules.in_stock), as the dispense never hands it out.
    held = open_differences(session, [k[0] for k in kits])
    return _Inputs(
        courses=tuple(courses),
        stock=tuple(
            KitCandidate(
                number,
                product,
                lot,
                expiry,
                KitStatus(status),
                contents[kit_id],
                held=kit_id in held,
            )
            for kit_id, number, product, lot, expiry, status in kits
        ),
        lead_time_confirmed="supply" in confirmed_rules(session, study, ctx.study_id),
        quarantined=quarantined_per_product(session, ctx.study_id, ctx.clock.today()),
    )
