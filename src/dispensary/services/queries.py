"""Read-only views for screens, labels and reports, returned as frozen rows (never ORM objects)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import NamedTuple, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, Text, bindparam, cast, exists, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session, aliased, joinedload

from dispensary.db.engine import read_transaction
from dispensary.db.facts import parse_facts
from dispensary.db.models import (
    AdherenceNote,
    AuditEntry,
    AuditEntryStudy,
    Destruction,
    Dispense,
    DispenseKit,
    DispenseObservation,
    DispenseVoid,
    Kit,
    LedgerEntry,
    Lot,
    Participant,
    PhysicalCount,
    Return,
    Shipment,
    Signature,
    StudyRecord,
    User,
)
from dispensary.domain.accountability import (
    Adherence,
    Movement,
    ProductTally,
    adherence_of,
    balance_of,
    by_product,
)
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import (
    DestructionReason,
    Flag,
    KitStatus,
    MovementKind,
    ParticipantStatus,
    Role,
    SignatureMeaning,
)
from dispensary.domain.errors import InvalidInput, NotFound
from dispensary.domain.regimen import (
    ReturnDayWithheld,
    days_on_treatment,
    last_day_of_supply,
    return_day_allowance,
    tablets_needed,
)
from dispensary.domain.rules import (
    ENDS_TREATMENT,
    NextDay1,
    covers_supply,
    cycle_overdue,
    expiry_standing,
    next_cycle,
    next_day1,
    normalise_kit_number,
    return_due,
    return_overdue,
    supply_cover_until,
)
from dispensary.i18n import N_, _, sentences
from dispensary.services.common import (
    contents_of_kits,
    get_dispense,
    get_kit,
    get_lots,
    get_participant,
    not_voided,
    other_label,
    shipments_of,
    status_now,
)
from dispensary.services.context import Actor, Context, local_day
from dispensary.services.counts import open_differences
from dispensary.services.permissions import Permission, Readable, require, studies_now
from dispensary.services.results import (
    RETURN_CORRECTED,
    STATUS_CORRECTED,
    DestructionLine,
    DestructionRow,
    DispensedKit,
    DispenseHistoryRow,
    DispenseResult,
    KitRow,
    LedgerRow,
    ObservationValue,
    ParticipantRecord,
    ParticipantRow,
    ProductFigures,
    RecordChange,
    ReturnLine,
    SignedBy,
    VoidMark,
)
from dispensary.services.study_versions import study_of_dispense
from dispensary.study import IRT_CONFIRMATION, PLATELETS, Study, parse_study, written_unit

_LIVE_DISPENSES = (
    select(Dispense)
    .where(Dispense.participant_id == bindparam("participant"), not_voided())
    .order_by(Dispense.cycle, Dispense.attempt)
)


def live_dispenses(session: Session, participant_id: int) -> list[Dispense]:
    """A participant's dispenses in cycle order, leaving out those voided by a correction
    (the statement built once: every dispense and participant view reads it)."""
    return list(session.scalars(_LIVE_DISPENSES, {"participant": participant_id}))


def _user_map(session: Session) -> dict[int, User]:
    return {u.id: u for u in session.scalars(select(User))}


def participant_row(session: Session, ctx: Context, participant: Participant) -> ParticipantRow:
    live = live_dispenses(session, participant.id)
    last = live[-1] if live else None
    status = ParticipantStatus(participant.status)
    # Once treatment ended, or the protocol's last cycle was dispensed, no next cycle falls due.
    coming = (
        next_cycle(last.cycle if last else None, ctx.study.cycle.max_cycles)
        if status is ParticipantStatus.ON_TREATMENT
        else None
    )
    treated = coming is not None
    pending = False
    if last is not None:
        pending = not session.scalar(
            select(func.count()).select_from(Return).where(Return.dispense_id == last.id)
        )
    rules = ctx.study.cycle
    coming_day1 = (
        next_day1(last.day1, rules.length_days, rules.earliest_days)
        if last is not None
        else NextDay1(participant.enrolled_on, participant.enrolled_on)
    )
    due = coming_day1.due if treated else None
    # Off treatment, the kits still out are due back from the status's effective date.
    since = (
        status_changed_last(session, {participant.id: participant.study_number}).get(participant.id)
        if pending and status in ENDS_TREATMENT
        else None
    )
    return ParticipantRow(
        study_number=participant.study_number,
        initials=participant.initials,
        birth_year=participant.birth_year,
        sex=participant.sex,
        enrolled_on=participant.enrolled_on,
        status=status,
        last_cycle=last.cycle if last else None,
        last_day1=last.day1 if last else None,
        next_cycle=coming,
        next_due=due,  # cycle 1: from enrolment, as the Today screen lists it due
        return_pending=pending,
        next_earliest=coming_day1.earliest if treated else None,
        overdue=due is not None and cycle_overdue(due, ctx.clock.today()),
        return_overdue=pending
        and last is not None
        and return_overdue(
            last.day1,
            ctx.study.cycle.length_days,
            ctx.study.return_grace_days,
            ctx.clock.today(),
            status,
            since,
        ),
        return_due=pending
        and last is not None
        and return_due(last.day1, last.days_supply, ctx.clock.today(), status, since),
    )


def dispense_result(
    session: Session,
    ctx: Context,
    record: Dispense,
    warnings: tuple[str, ...],
    study: Study | None = None,
) -> DispenseResult:
    """A stored dispense as its label and screens show it, read from the database; its
    directions as `study` words them (the version of the file it was made with, for its
    label: services.study_versions), else as the study open does."""
    users = _user_map(session)
    lines = [
        (line.kit, line.tablets)
        for line in session.scalars(
            select(DispenseKit)
            .where(DispenseKit.dispense_id == record.id)
            .order_by(DispenseKit.id)
            .options(joinedload(DispenseKit.kit))
        )
    ]
    checker = users.get(record.checked_by_id) if record.checked_by_id else None
    return _result(
        ctx,
        record,
        record.participant,
        lines,
        warnings,
        users[record.dispensed_by_id],
        checker,
        observations_of(session, ctx, record),
        irt_confirmation_of(session, record),
        study,
    )


def written_result(
    ctx: Context,
    record: Dispense,
    participant: Participant,
    kits: Sequence[tuple[Kit, int]],
    warnings: tuple[str, ...],
    *,
    pharmacist: User,
    checker: User | None,
    observations: Mapping[str, float],
    irt_confirmation: str,
) -> DispenseResult:
    """The dispense just written, from what its step wrote (the records and the values it
    stored), read back from nothing: `dispense_result` of the same dispense gives the same
    result. `observations` are those stored in dispense_observations (the platelet count is
    the record's own column)."""
    if record.checked_by_id != (checker.id if checker is not None else None):
        raise ValueError("the checker given is not the dispense's")
    found = {key: (value, ctx.study.observation(key).unit) for key, value in observations.items()}
    return _result(
        ctx,
        record,
        participant,
        kits,
        warnings,
        pharmacist,
        checker,
        _observation_values(ctx, record, found),
        irt_confirmation,
    )


def _result(
    ctx: Context,
    record: Dispense,
    participant: Participant,
    lines: Sequence[tuple[Kit, int]],
    warnings: tuple[str, ...],
    pharmacist: User,
    checker: User | None,
    observations: tuple[ObservationValue, ...],
    irt_confirmation: str,
    study: Study | None = None,
) -> DispenseResult:
    study = study or ctx.study
    dose = study.dose_level(record.dose_level)
    kits: list[DispensedKit] = []
    for kit, tablets in lines:
        product = study.product(kit.product)
        kits.append(
            DispensedKit(
                kit.number,
                kit.product,
                product.name,
                product.strength,
                kit.lot.number,
                kit.lot.expiry,
                tablets,
                partial=tablets < product.tablets_per_kit,
            )
        )
    return DispenseResult(
        dispense_id=record.id,
        number=record.number,
        participant=participant.study_number,
        initials=participant.initials,
        cycle=record.cycle,
        day1=record.day1,
        dose_level=record.dose_level,
        dose_name=dose.name,
        directions=study.directions_for(dose, start_date(record), days_from_start(record)),
        kits=tuple(kits),
        tablets=record.tablets,
        days=record.days_supply,
        last_day=last_day_of_supply(record.day1, record.days_supply),
        dispensed_on=record.dispensed_on,
        pharmacist=pharmacist.full_name,
        pharmacist_initials=pharmacist.initials,
        checked_by=checker.full_name if checker else "",
        pharmacist_username=pharmacist.username,
        checked_by_username=checker.username if checker else "",
        checked_by_initials=checker.initials if checker else "",
        warnings=warnings,
        start_date=start_date(record),
        observations=observations,
        irt_confirmation=irt_confirmation,
        product_directions=study.product_directions(
            dose, start_date(record), days_from_start(record)
        ),
    )


def observations_of(
    session: Session, ctx: Context, record: Dispense
) -> tuple[ObservationValue, ...]:
    """The values recorded with a dispense: the platelet count from its column (where every
    database holds it), the others from dispense_observations; in the study file's order."""
    found: dict[str, tuple[float, str]] = {
        key: (value, unit)
        for key, value, unit in session.execute(
            select(
                DispenseObservation.key, DispenseObservation.value, DispenseObservation.unit
            ).where(DispenseObservation.dispense_id == record.id)
        )
        if value is not None
    }
    return _observation_values(ctx, record, found)


def _observation_values(
    ctx: Context, record: Dispense, found: dict[str, tuple[float, str]]
) -> tuple[ObservationValue, ...]:
    """The observations of `found` (key: value and unit) and the record's platelet count, in
    the study file's order."""
    if record.platelet_count is not None:
        found[PLATELETS] = (record.platelet_count, ctx.study.platelet_observation().unit)
    order = [o.key for o in ctx.study.observations]
    keys = sorted(found, key=lambda k: (order.index(k) if k in order else len(order), k))
    names = {o.key: o.name for o in ctx.study.observations}
    return tuple(
        ObservationValue(k, names.get(k, k), found[k][0], written_unit(found[k][1])) for k in keys
    )


def irt_confirmation_of(session: Session, record: Dispense) -> str:
    """The IRT confirmation number entered with a dispense ("" when none was)."""
    return (
        session.scalar(
            select(DispenseObservation.text).where(
                DispenseObservation.dispense_id == record.id,
                DispenseObservation.key == IRT_CONFIRMATION,
            )
        )
        or ""
    )


def get_dispense_detail(ctx: Context, actor: Actor, dispense_ref: str) -> DispenseResult:
    """A dispense as it was made: its directions as the study file it was made with words
    them (services.study_versions), as its label does."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        record = get_dispense(session, dispense_ref, ctx.study_id, reader=Readable(session, actor))
        made_with, _version = study_of_dispense(session, ctx, record)
        return dispense_result(session, ctx, record, (), made_with)


def _kit_rows(
    session: Session,
    kits: list[Kit],
    today: date,
    scope: Select[tuple[int]] | None = None,
    area: Callable[[str], str] = str,
    units: Callable[[str, int], str] | None = None,
    cover_until: date | None = None,
) -> list[KitRow]:
    """Rows of these kits with what is in each, and where each is in the reader's words
    (`area`: a storage area's name, Study.area_name; `location` stays as recorded; `units`: a
    count of a product in its word, counted_in). `scope`
    (the ids of these kits, as a query) reads their ledger in one query; without it the kits'
    ids go in bounded batches. Either way no statement carries one bound variable per kit
    (SQLite refuses more than 32,766). `cover_until`: the day a cycle dispensed today must
    last until (supply_cover_until), for each row's `dispensable` (available, not held for an
    open count difference, lasting the cycle: what a dispense takes) and `held`; None:
    available is enough."""
    if not kits:
        return []
    held: Collection[int] = ()
    if cover_until is not None:  # the dispense's stock: less the kits held for a count
        held = open_differences(
            session, [k.id for k in kits if status_now(k, today) is KitStatus.AVAILABLE]
        )
    if scope is None:
        contents = contents_of_kits(session, kits)
    else:
        moves: dict[int, list[Movement]] = defaultdict(list)
        for kit_id, kind, qty, from_returned in session.execute(
            select(
                LedgerEntry.kit_id,
                LedgerEntry.kind,
                LedgerEntry.quantity,
                LedgerEntry.from_returned,
            ).where(LedgerEntry.kit_id.in_(scope))
        ).tuples():
            moves[kit_id].append(Movement(MovementKind(kind), qty, from_returned))
        contents = {}
        for kit in kits:
            balance = balance_of(moves[kit.id])
            contents[kit.id] = balance.on_hand + balance.held_returned
    where = _whereabouts(session, kits, area, units)
    rows = []
    for kit in kits:
        status = status_now(kit, today)
        rows.append(
            KitRow(
                kit.number,
                kit.product,
                kit.lot.number,
                kit.lot.expiry,
                status,
                contents[kit.id],
                kit.location,
                kit.shipment.number,
                where.get(kit.id) or area(kit.location),
                dispensable=status is KitStatus.AVAILABLE
                and kit.id not in held
                and (cover_until is None or covers_supply(kit.lot.expiry, cover_until)),
                held=kit.id in held,
                expiry_standing=(
                    expiry_standing(kit.lot.expiry, today, cover_until)
                    if cover_until is not None and status in _SHELF_NOW
                    else None
                ),
            )
        )
    return rows


_SHELF_NOW = (KitStatus.AVAILABLE, KitStatus.QUARANTINED, KitStatus.EXPIRED)
"""A kit's statuses today (rules.effective_status) while it is on the shelf: its expiry is a
concern (KitRow.expiry_standing)."""


_GONE = (KitStatus.DISPENSED.value, KitStatus.RETURNED.value, KitStatus.DESTROYED.value)
_OUT_OR_BACK = (KitStatus.DISPENSED.value, KitStatus.RETURNED.value)
"""The statuses of a kit whose return may record it as not brought back."""


def counted_in(study: Study) -> Callable[[str, int], str] | None:
    """How a kit row counts a product's units: None ("28 tablets") in a study of tablets only,
    else Study.units ("28 capsules", 28粒): a capsule kit with a participant said 片."""
    return None if study.tablets_only else study.units


def _whereabouts(
    session: Session,
    kits: list[Kit],
    area: Callable[[str], str] = str,
    units: Callable[[str, int], str] | None = None,
) -> dict[int, str]:
    """Where each kit that left the shelf really is: with which participant (and how many of
    its units, in their word given `units`), held for the monitor, destroyed or returned to the
    sponsor (a kit on the shelf is in its storage area). Read for those kits only, in bounded
    batches."""
    gone = [k for k in kits if k.status in _GONE]
    last_out: dict[int, tuple[str, str, date, int]] = {}
    ended: dict[int, tuple[date, bool]] = {}
    # Kits whose return records them not brought back: (return, its date).
    not_back: dict[int, tuple[int, date]] = {}
    for start in range(0, len(gone), 500):
        ids = [k.id for k in gone[start : start + 500]]
        for kit_id, number, person, on, tablets in session.execute(
            select(
                DispenseKit.kit_id,
                Dispense.number,
                Participant.study_number,
                Dispense.dispensed_on,
                DispenseKit.tablets,
            )
            .join(Dispense, Dispense.id == DispenseKit.dispense_id)
            .join(Participant, Participant.id == Dispense.participant_id)
            .where(DispenseKit.kit_id.in_(ids), not_voided())
            .order_by(Dispense.dispensed_on, Dispense.id)
        ).tuples():
            last_out[kit_id] = (number, person, on, tablets)
        for kit_id, on, to_sponsor in session.execute(
            select(LedgerEntry.kit_id, Destruction.destroyed_on, Destruction.to_sponsor)
            .join(Destruction, Destruction.id == LedgerEntry.destruction_id)
            .where(LedgerEntry.kit_id.in_(ids))
            .order_by(Destruction.destroyed_on, Destruction.id)
        ).tuples():
            ended[kit_id] = (on, to_sponsor)
        out_ids = [k.id for k in gone[start : start + 500] if k.status in _OUT_OR_BACK]
        if out_ids:
            not_back.update(kits_not_brought_back(session, out_ids))
    # A kit destroyed empty has no ledger row: its destruction names it.
    empty = {
        k.number: k.id for k in gone if k.status == KitStatus.DESTROYED.value and k.id not in ended
    }
    if len(empty) > LOOKED_UP:
        # A whole study's kits (a report, the stock list): every list read once.
        for kits_json, on, to_sponsor in session.execute(
            select(Destruction.kits, Destruction.destroyed_on, Destruction.to_sponsor).order_by(
                Destruction.destroyed_on, Destruction.id
            )
        ).tuples():
            _named_in(kits_json, on, to_sponsor, empty, ended)
    elif empty and _sqlite(session):
        # SQLite reads the lists itself, for these kits only (issue 15: a page of the inventory
        # parsed every destruction's list of kits in Python, 3.7 MB at 300,000 kits).
        listed = func.json_each(Destruction.kits).table_valued("value")
        numbers = list(empty)
        for start in range(0, len(numbers), 500):
            batch = numbers[start : start + 500]
            statement = (
                select(listed.c.value, Destruction.destroyed_on, Destruction.to_sponsor)
                .select_from(Destruction)
                .join(listed, true())
                .where(listed.c.value.in_(batch))
                .order_by(Destruction.destroyed_on, Destruction.id)
            )
            held = _json_start(batch)
            if held:  # only the lists that hold it are parsed (a page's kits share a start)
                statement = statement.where(func.instr(Destruction.kits, held) > 0)
            for number, on, to_sponsor in session.execute(statement).tuples():
                ended[empty[str(number)]] = (on, to_sponsor)
    elif empty:
        for kits_json, on, to_sponsor in session.execute(_destructions_naming(list(empty))):
            _named_in(kits_json, on, to_sponsor, empty, ended)
    found: dict[int, str] = {}
    for kit in gone:
        out = last_out.get(kit.id)
        if kit.status == KitStatus.DESTROYED.value and kit.id in ended:
            on, to_sponsor = ended[kit.id]
            ended_text = (
                _("returned to the sponsor on {date}") if to_sponsor else _("destroyed on {date}")
            )
            found[kit.id] = ended_text.format(date=on.isoformat())
        elif kit.status in _OUT_OR_BACK and out is not None and kit.id in not_back:
            # Out (an older version made such a kit 'returned', with nothing back).
            number, person, on, tablets = out
            found[kit.id] = (
                _(
                    "not brought back by participant {participant} ({dispense}, return of "
                    "{date}): still with them or lost, {tablets} tablets unaccounted for"
                )
                if units is None
                else _(
                    "not brought back by participant {participant} ({dispense}, return of "
                    "{date}): still with them or lost, {units} unaccounted for"
                )
            ).format(
                participant=person,
                tablets=tablets,
                units=units(kit.product, tablets) if units is not None else "",
                dispense=number,
                date=not_back[kit.id][1].isoformat(),
            )
        elif kit.status == KitStatus.RETURNED.value:
            found[kit.id] = (
                _("returned by {participant}, held for the monitor in {location}").format(
                    participant=out[1], location=area(kit.location)
                )
                if out
                else _("held for the monitor in {location}").format(location=area(kit.location))
            )
        elif kit.status == KitStatus.DISPENSED.value and out is not None:
            number, person, on, tablets = out
            found[kit.id] = (
                _("with participant {participant} ({tablets} tablets, {dispense} on {date})")
                if units is None
                else _("with participant {participant} ({units}, {dispense} on {date})")
            ).format(
                participant=person,
                tablets=tablets,
                units=units(kit.product, tablets) if units is not None else "",
                dispense=number,
                date=on.isoformat(),
            )
    return found


def kits_not_brought_back(session: Session, kit_ids: list[int]) -> dict[int, tuple[int, date]]:
    """The kits (of these) whose return in force records them as not brought back, with the
    return's number and date: out with the participant, or lost."""
    replaced = aliased(Return)
    return {
        kit_id: (ret, day)
        for kit_id, ret, day in session.execute(
            select(Return.kit_id, Return.id, Return.returned_on).where(
                Return.kit_id.in_(kit_ids),
                Return.outcome == NOT_BROUGHT_BACK,
                ~exists().where(replaced.corrects_id == Return.id),
            )
        ).tuples()
    }


def not_brought_back_in_force() -> ColumnElement[bool]:
    """Whether the kit (Kit.id, correlated) has a return in force that records it as not
    brought back: the kit is out with the participant, or lost, never in the pharmacy."""
    replaced = aliased(Return)
    return exists().where(
        Return.kit_id == Kit.id,
        Return.outcome == NOT_BROUGHT_BACK,
        ~exists().where(replaced.corrects_id == Return.id),
    )


LOOKED_UP = 1000
"""The most kits destroyed empty that _whereabouts looks up in the destructions naming them
(an inventory page has 60): for more, every destruction's list is read once and parsed here
(~0.1 s at 1,300 destructions listing 293,000 kits), where looking up tens of thousands of kits
one by one (PostgreSQL, each found list read again as jsonb) or 500 at a time (SQLite, each
batch a pass over the lists) would take seconds."""


def _named_in(
    kits_json: str,
    on: date,
    to_sponsor: bool,
    empty: Mapping[str, int],
    ended: dict[int, tuple[date, bool]],
) -> None:
    """The kits of `empty` this destruction's list names, ended by it (a later one read after
    it wins, as the rows come in order)."""
    for number in json.loads(kits_json):
        if number in empty:
            ended[empty[number]] = (on, to_sponsor)


def _json_start(numbers: Sequence[str]) -> str:
    """The text every list naming any of these kits holds: a quote and the numbers' common
    start, as json.dumps writes it (the characters it writes as they are: printable ASCII but
    the quote and backslash; the start cut before any other). "" when they share none. SQLite
    finds it in a list's text in ~8 ms over 1,300 destructions (293,000 kits), where parsing
    every list took 30-75 ms a page."""
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)  # what all share, these two share
    size = 0
    for one, other in zip(low, high, strict=False):
        if one != other or not (" " <= one <= "~") or one in '"\\':
            break
        size += 1
    return f'"{low[:size]}' if size else ""


def _destructions_naming(numbers: list[str]) -> Select[tuple[str, date, bool]]:
    """PostgreSQL: the destructions whose lists name any of these kits, found kit by kit in
    their GIN index (models.DESTRUCTION_KITS_INDEX; every destruction read and parsed here took
    80-110 ms a page at 300,000 kits, ~5 ms so). Each kit is looked up in a subquery of its own
    that OFFSET 0 keeps apart: joined plainly, or all kits in one `?|`, the planner reckons
    casting every list to jsonb cheap and reads the table whole, casting each list once per kit
    (0.3 s for 100 kits, 20 s for 500). The cast is the index's expression, word for word."""
    key = (
        func.unnest(bindparam("numbers", numbers, type_=ARRAY(Text)))
        .table_valued("number")
        .render_derived(name="key")
    )
    listing = aliased(Destruction)
    hit = (
        select(listing.id)
        .where(cast(listing.kits, JSONB).has_key(key.c.number))
        .offset(0)
        .lateral("hit")
    )
    return (
        select(Destruction.kits, Destruction.destroyed_on, Destruction.to_sponsor)
        .where(Destruction.id.in_(select(hit.c.id).select_from(key).join(hit, true())))
        .order_by(Destruction.destroyed_on, Destruction.id)
    )


def _sqlite(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "sqlite"


def inventory(
    ctx: Context,
    actor: Actor,
    status: KitStatus | None = None,
    product: str | None = None,
    lot: str | None = None,
    every_study: bool = False,
    held_for_count: bool | None = None,
    too_short: bool | None = None,
) -> list[KitRow]:
    """Every kit with its status as of today (a kit past expiry on the shelf reads 'expired'):
    of the study open, or (`every_study`) of every study the user may work in, each row naming
    its study: the pharmacy's shelves as a whole. `held_for_count`: True, only the kits held for an open
    count difference (KitRow.held_for_count: the status filter's HELD_FOR_COUNT); False, none
    of them (the filter's Available); None, either. `too_short`: the same of the kits too
    short-dated for a cycle (KitRow.refused_for_expiry: the filter's SHORT_DATED)."""
    # Every study: the user's own studies, whichever study is open.
    require(actor, Permission.VIEW, None if every_study else ctx)
    today = ctx.clock.today()
    with read_transaction(ctx.engine) as session:
        # The studies as the database holds them now (an access withdrawn since the sign-in is
        # no longer listed), an account ended since refused as a read in one study is.
        studies = sorted(studies_now(session, actor)) if every_study else [ctx.study_id]
        query = (
            select(Kit)
            .join(Lot)
            .options(joinedload(Kit.lot), joinedload(Kit.shipment))
            .where(Kit.study_id.in_(studies))
            .order_by(Kit.product, Lot.expiry, Lot.number, Kit.number)
        )
        scope = select(Kit.id).join(Lot).where(Kit.study_id.in_(studies))
        if product:
            query = query.where(Kit.product == product)
            scope = scope.where(Kit.product == product)
        if lot:  # upper case, as received; a lot recorded in lower case before is found too
            query = query.where(func.upper(Lot.number) == lot.strip().upper())
            scope = scope.where(func.upper(Lot.number) == lot.strip().upper())
        kits = list(session.scalars(query).unique())
        if not every_study:
            rows = _study_kit_rows(session, ctx.study, kits, today, scope)
        else:
            # Each kit as its own study says it: its cycle and margin decide whether it is
            # available to dispense (a 28-day study's kit does not last a cycle that a 21-day
            # study's would), its storage areas and units are named as its study names them.
            records = session.execute(
                select(StudyRecord.id, StudyRecord.protocol, StudyRecord.source_text).where(
                    StudyRecord.id.in_(studies)
                )
            ).all()
            held = {
                record.id: (
                    record.protocol,
                    ctx.study
                    if record.id == ctx.study_id
                    else parse_study(record.source_text, f"{ctx.database} (stored study)"),
                )
                for record in records
            }
            made: dict[str, KitRow] = {}
            for study_id, (protocol, study) in held.items():
                theirs = [k for k in kits if k.study_id == study_id]
                made.update(
                    (r.number, replace(r, study=protocol))
                    for r in _study_kit_rows(
                        session, study, theirs, today, scope.where(Kit.study_id == study_id)
                    )
                )
            rows = [made[k.number] for k in kits if k.number in made]
    if status is not None:
        rows = [r for r in rows if r.status is status]
    if held_for_count is not None:
        rows = [r for r in rows if r.held_for_count is held_for_count]
    if too_short is not None:
        rows = [r for r in rows if r.refused_for_expiry is too_short]
    return rows


def _study_kit_rows(
    session: Session,
    study: Study,
    kits: list[Kit],
    today: date,
    scope: Select[tuple[int]] | None = None,
) -> list[KitRow]:
    """`_kit_rows` of kits of `study`, as that study says them: its storage areas, its units,
    and available to dispense only when lasting a cycle of its own dispensed today."""
    return _kit_rows(
        session,
        kits,
        today,
        scope,
        study.area_name,
        counted_in(study),
        supply_cover_until(today, study.cycle.days_of_supply, study.cycle.expiry_margin_days),
    )


def kit_detail(ctx: Context, actor: Actor, kit_number: str) -> KitRow:
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        kit = get_kit(session, kit_number, ctx.study_id, reader=Readable(session, actor))
        return _kit_rows(
            session, [kit], ctx.clock.today(), area=ctx.study.area_name, units=counted_in(ctx.study)
        )[0]


def other_label_scanned(
    ctx: Context, actor: Actor, code: str, participant: bool = False
) -> str | None:
    """What a code scanned or typed that names no kit is instead, as the counter's kit fields
    say it (a lot number: the barcode on the sponsor's carton), with what to scan; None for a
    code that is no label of the pharmacy's (common.other_label, which receiving's refusal of
    a lot number as a kit number shares). `participant`: said for the participant's field,
    asking for the study number instead."""
    require(actor, Permission.VIEW, ctx)
    try:
        number = normalise_kit_number(code)
    except InvalidInput:
        return None
    with read_transaction(ctx.engine) as session:
        return other_label(session, number, participant=participant)


def participants(ctx: Context, actor: Actor) -> list[ParticipantRow]:
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        return [
            participant_row(session, ctx, p)
            for p in session.scalars(
                select(Participant)
                .where(
                    Participant.study_id == ctx.study_id,
                    # An enrolment voided as entered in error is no participant: out of the
                    # list; its history and the audit trail still show it.
                    Participant.status != ParticipantStatus.VOIDED.value,
                )
                .order_by(Participant.study_number)
            )
        ]


def participant(ctx: Context, actor: Actor, study_number: str) -> ParticipantRow:
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        found = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        return participant_row(session, ctx, found)


def current_dose_level(ctx: Context, actor: Actor, study_number: str) -> int:
    """The dose level the next cycle keeps unless the investigator orders a change: that of the
    last dispense not voided; level 0 (the starting dose) before the first cycle."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        live = live_dispenses(
            session,
            get_participant(
                session, study_number, ctx.study_id, reader=Readable(session, actor)
            ).id,
        )
        return live[-1].dose_level if live else 0


def current_returns(session: Session, dispense_id: int) -> list[Return]:
    """Returns of a dispense, leaving out those replaced by a correction."""
    returns = list(
        session.scalars(select(Return).where(Return.dispense_id == dispense_id).order_by(Return.id))
    )
    replaced = {r.corrects_id for r in returns if r.corrects_id is not None}
    return [r for r in returns if r.id not in replaced]


def history_rows(session: Session, ctx: Context, participant_id: int) -> list[DispenseHistoryRow]:
    return [history_row(session, ctx, r) for r in live_dispenses(session, participant_id)]


def history_row(
    session: Session, ctx: Context, record: Dispense, shown: bool = True
) -> DispenseHistoryRow:
    """One dispense of a participant's history: its kits, returns and, once every kit is back,
    adherence with its flags and their explanations. `shown`: with the observations and the IRT
    confirmation the screens show (the next dispense reads only the flags)."""
    study = ctx.study
    numbered = session.execute(
        select(Kit.id, Kit.number, Kit.product, DispenseKit.tablets)
        .join(DispenseKit)
        .where(DispenseKit.dispense_id == record.id)
        .order_by(DispenseKit.id)  # as dispensed, on every engine (PostgreSQL has no row order)
    ).all()
    kits = tuple(number for _id, number, _product, _tablets in numbered)
    # Every return, those corrected too: the current ones, and what an explanation answered.
    every = list(
        session.scalars(select(Return).where(Return.dispense_id == record.id).order_by(Return.id))
    )
    returns = _current(every)
    back = {r.kit_id for r in returns}
    out = (
        tuple(number for kit_id, number, _product, _tablets in numbered if kit_id not in back)
        if returns
        else ()
    )
    product_of = {int(kit_id): str(product) for kit_id, _number, product, _tablets in numbered}
    by_product: dict[str, int] = {}
    for ret in returns:
        code = product_of.get(ret.kit_id, "")
        by_product[code] = by_product.get(code, 0) + ret.tablets
    dose = study.dose_level(record.dose_level)
    returned = sum(r.tablets for r in returns) if returns else None
    row = DispenseHistoryRow(
        record.number,
        record.cycle,
        record.day1,
        record.dispensed_on,
        dose.name,
        kits,
        record.tablets,
        returned,
        None,
        None,
        None,
        (),
        "",
        None,
        dose_level=record.dose_level,
        observations=observations_of(session, ctx, record) if shown else (),
        irt_confirmation=irt_confirmation_of(session, record) if shown else "",
        kits_out=out,
        returned_by_product=tuple(by_product.items()) if len(set(product_of.values())) > 1 else (),
        products=_product_figures([tuple(n) for n in numbered], returns),
        returns=tuple(
            ReturnLine(
                r.id,
                next((str(n) for k, n, _p, _t in numbered if k == r.kit_id), ""),
                r.tablets,
                r.returned_on,
                r.outcome == NOT_BROUGHT_BACK,
                r.corrects_id,
                product_of.get(r.kit_id, ""),
            )
            for r in returns
        ),
    )
    if returned is not None and len({r.kit_id for r in returns}) == len(kits):
        # Every kit is back: adherence, its flags and their explanations.
        last = max(r.returned_on for r in returns)
        held = max(r.held_days for r in returns)
        until = expected_use_until(session, record)
        left_on = left_treatment_on(session, record)
        result = dispense_adherence(
            ctx,
            record,
            returned,
            last,
            held,
            until,
            unaccounted_of(session, returns),
            product_tallies(session, record, returns),
            held_until_of(r.held_until for r in returns),
            left_on,
        )
        notes = session.execute(
            select(AdherenceNote.at, AdherenceNote.reason)
            .where(AdherenceNote.dispense_id == record.id)
            .order_by(AdherenceNote.id)
        ).tuples()

        def flags_then(rows: list[Return]) -> Collection[Flag]:
            return dispense_adherence(
                ctx,
                record,
                sum(r.tablets for r in rows),
                max(r.returned_on for r in rows),
                max(r.held_days for r in rows),
                until,
                unaccounted_of(session, rows),
                product_tallies(session, record, rows),
                held_until_of(r.held_until for r in rows),
                left_on,
            ).flags

        answering = answering_explanations(every, list(notes), result.flags, len(kits), flags_then)
        row = replace(
            row,
            taken=result.taken,
            expected=result.expected,
            adherence=result.adherence,
            flags=result.flags,
            flag_reason=sentences(answering),
            returned_on=last,
            unaccounted=unaccounted_of(session, returns),
            return_day_note=return_day_note(study, record.dose_level, result),
        )
        row = replace(row, products=_with_adherence(row, result))
    return row


class _Correcting(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def corrects_id(self) -> int | None: ...


_C = TypeVar("_C", bound=_Correcting)


class _Explainable(Protocol):
    """A return as answering_explanations reads it (a mapped Return, or its plain figures)."""

    @property
    def id(self) -> int: ...
    @property
    def kit_id(self) -> int: ...
    @property
    def corrects_id(self) -> int | None: ...
    @property
    def flag_reason(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


_R = TypeVar("_R", bound=_Explainable)


def answering_explanations(
    returns: Sequence[_R],
    notes: Sequence[tuple[datetime, str]],
    flags: Collection[Flag],
    kits: int,
    flags_of: Callable[[list[_R]], Collection[Flag]],
) -> list[str]:
    """The explanations of a dispense's adherence flags that answer the flags it has now.
    `returns`: every return of the dispense in id order, those a correction replaced too;
    `notes`: the pharmacist's explanations (AdherenceNote: when, what); `kits`: the dispense's
    kits; `flags_of`: the flags of a set of returns (one per kit), as the caller judges them.

    An explanation answers the flags of the returns current when it was written: the note of a
    return as first recorded (`flag_reason` of a return that corrects none) those of the
    returns up to it, a later explanation those current at its time. A correction since that
    left the flags as they were keeps it; one that changed them (over-use recounted as
    under-use) leaves it answering another flag: the new flag is open until explained."""
    current = {r.id for r in _current(list(returns))}
    judged: dict[frozenset[int], set[Flag]] = {}

    def answers(then: list[_R]) -> bool:
        rows = _current(then)
        ids = frozenset(r.id for r in rows)
        if ids == current:
            return True
        if len({r.kit_id for r in rows}) != kits:  # not every kit back then: nothing flagged
            return not flags
        if ids not in judged:
            judged[ids] = set(flags_of(rows))
        return set(flags) <= judged[ids]

    found = [
        r.flag_reason
        for r in returns
        if r.flag_reason
        and r.corrects_id is None  # an older correction's copy is its first return's note
        and answers([x for x in returns if x.id <= r.id])
    ]
    found += [reason for at, reason in notes if answers([x for x in returns if x.created_at <= at])]
    return found


def _product_figures(
    numbered: Sequence[tuple[int, str, str, int]], returns: Sequence[ReturnFigures]
) -> tuple[ProductFigures, ...]:
    """Each product of a dispense from its (kit id, number, product, units) lines and the
    returns so far: its kits, units dispensed and, once a kit of it is back, returned."""
    tallies = _tallies([(k, t, p) for k, _n, p, t in numbered], returns)
    back = {r.kit_id for r in returns}
    return tuple(
        ProductFigures(
            product,
            tuple(n for _k, n, p, _t in numbered if p == product),
            tally.dispensed,
            tally.returned if any(k in back for k, _n, p, _t in numbered if p == product) else None,
            unaccounted=tally.unaccounted,
        )
        for product, tally in tallies.items()
    )


def _with_adherence(row: DispenseHistoryRow, found: Adherence) -> tuple[ProductFigures, ...]:
    """A dispense's products once every kit is back: each product's taken, expected,
    adherence and flags as dispense_adherence judged it (a dose of one product: the dispense's
    own). Units of a kit not brought back leave its product's taken and adherence unknown."""
    each = dict(found.by_product)
    figures = []
    for p in row.products:
        judged = each.get(p.product)
        if judged is None:  # one product: the dispense's figures are its own
            figures.append(
                replace(
                    p,
                    taken=row.taken,
                    expected=row.expected,
                    adherence=row.adherence,
                    flags=row.flags,
                )
            )
            continue
        figures.append(judged_product(p, judged))
    return tuple(figures)


def judged_product(p: ProductFigures, judged: Adherence) -> ProductFigures:
    """One product of a dose of several, with the adherence dispense_adherence judged for it:
    units of a kit of it not brought back leave its taken and adherence unknown (the history
    and the return's preview alike)."""
    lost = p.unaccounted > 0
    return replace(
        p,
        taken=None if lost else judged.taken,
        expected=judged.expected,
        adherence=None if lost else judged.adherence,
        flags=(Flag.NOT_BROUGHT_BACK,) if lost else judged.flags,
    )


def unaccounted_of(session: Session, returns: list[Return]) -> int:
    """Tablets dispensed in the kits these returns record as not brought back."""
    lost = [r for r in returns if r.outcome == NOT_BROUGHT_BACK]
    tablets_of: dict[tuple[int, int], int] = {}
    for ret in lost:
        tablets_of[(ret.dispense_id, ret.kit_id)] = (
            session.scalar(
                select(DispenseKit.tablets).where(
                    DispenseKit.dispense_id == ret.dispense_id, DispenseKit.kit_id == ret.kit_id
                )
            )
            or 0
        )
    return _unaccounted(lost, tablets_of)


NOT_BROUGHT_BACK = "not_brought_back"


class DispenseFigures(Protocol):
    """What adherence reads of a dispense: a mapped Dispense, or the plain row the
    reconciliation's flag test reads."""

    @property
    def day1(self) -> date: ...
    @property
    def dispensed_on(self) -> date: ...
    @property
    def days_supply(self) -> int: ...
    @property
    def dose_level(self) -> int: ...
    @property
    def tablets(self) -> int: ...


class ReturnFigures(Protocol):
    """What adherence reads of a return (as DispenseFigures)."""

    @property
    def dispense_id(self) -> int: ...
    @property
    def kit_id(self) -> int: ...
    @property
    def tablets(self) -> int: ...
    @property
    def outcome(self) -> str | None: ...


def _unaccounted(returns: Sequence[ReturnFigures], tablets_of: dict[tuple[int, int], int]) -> int:
    """`tablets_of`: what each (dispense, kit) held when it was dispensed."""
    return sum(
        tablets_of.get((r.dispense_id, r.kit_id), 0)
        for r in returns
        if r.outcome == NOT_BROUGHT_BACK
    )


def start_date(record: DispenseFigures) -> date:
    """The first day of doses of the supply: the later of day 1 and the dispense date."""
    return max(record.day1, record.dispensed_on)


def days_from_start(record: DispenseFigures) -> int:
    """Days of supply left from the start date to the cycle's last day of supply."""
    last = last_day_of_supply(record.day1, record.days_supply)
    return max(1, (last - start_date(record)).days + 1)


def expected_use_until(session: Session, record: Dispense) -> date | None:
    """The day expected use stops before the return: the next cycle's day 1, or the day the
    participant left treatment (discontinued or completed), whichever comes first."""
    ends: list[date] = []
    next_day1 = session.scalar(
        select(func.min(Dispense.day1)).where(
            Dispense.participant_id == record.participant_id,
            Dispense.cycle > record.cycle,
            ~Dispense.id.in_(select(DispenseVoid.dispense_id)),
        )
    )
    if next_day1 is not None:
        ends.append(next_day1)
    left = left_treatment_on(session, record)
    if left is not None:
        ends.append(left)
    return min(ends) if ends else None


def left_treatment_on(session: Session, record: Dispense) -> date | None:
    """The effective date the participant of a dispense left treatment (discontinued or
    completed: the first day off it, no dose expected on it); None while on treatment."""
    participant = session.get(Participant, record.participant_id)
    if participant is None or participant.status == ParticipantStatus.ON_TREATMENT.value:
        return None
    return status_changed_last(session, {participant.id: participant.study_number}).get(
        participant.id
    )


def _use_until(next_day1: date | None, left: date | None) -> date | None:
    """expected_use_until from what it reads: the next day 1, the day treatment was left."""
    ends = [d for d in (next_day1, left) if d is not None]
    return min(ends) if ends else None


def held_until_of(ends: Iterable[date | None]) -> date | None:
    """The last day of the held periods the returns of a dispense give (their held_until),
    None when none gives one: dispense_adherence reads whether the drug was held on the return
    day from it (a held period never ends after its return)."""
    given = [d for d in ends if d is not None]
    return max(given) if given else None


def dispense_adherence(
    ctx: Context,
    record: DispenseFigures,
    returned: int,
    last_returned_on: date,
    held_days: int,
    until: date | None = None,
    unaccounted: int = 0,
    products: dict[str, ProductTally] | None = None,
    held_until: date | None = None,
    left_on: date | None = None,
) -> Adherence:
    """The adherence of a dispense whose every kit is back: `returned` tablets in all, the last
    kit back on `last_returned_on`, `held_days` the days the investigator held the drug
    (`held_until`: the last day of a held period the returns give, held_until_of). Expected
    use counts from the start date (the later of day 1 and the dispense) to the return, capped at
    `until` (expected_use_until: the next day 1, or leaving treatment; `left_on`, left_treatment_on:
    the effective date of leaving it, which takes the return day's doses away when it is the
    return day, regimen.return_day_allowance). Tablets of a kit not
    brought back (`unaccounted`) are not counted as taken.
    A dose of several products is judged per product (`products`, by product code): each
    against its own expected use (its days of the cycle, its frequency), its flags the dose's.
    The history, the reconciliation and the return's preview all read it from here."""
    study = ctx.study
    dose = study.dose_level(record.dose_level)
    end = last_returned_on if until is None else min(last_returned_on, until)
    supply = days_from_start(record)
    expected_days = days_on_treatment(start_date(record), end, supply, held_days)
    from_day = (start_date(record) - record.day1).days + 1
    expected_of = {p: tablets_needed(dose, p, expected_days, from_day) for p in dose.products}
    expected = sum(expected_of.values())
    # The return day's doses taken before the visit (the study file's [cycle] return_day_doses):
    # neither over-use nor missed, when use is counted up to the return day, the participant was
    # still on treatment that day and the drug not held on it (regimen.return_day_allowance,
    # which says why when not).
    allowance_of = {
        p: return_day_allowance(
            dose,
            p,
            start_date(record),
            last_returned_on,
            supply,
            from_day,
            study.cycle.return_day_doses,
            counted_to=end,
            held_until=held_until,
            held_days=held_days,
            left_on=left_on,
        )
        for p in dose.products
    }
    return_day_of = {p: a.units for p, a in allowance_of.items()}
    withheld = next((a.withheld for a in allowance_of.values() if a.withheld is not None), None)
    found = adherence_of(
        record.tablets - unaccounted,
        returned,
        expected,
        study.adherence.under_use_below,
        study.adherence.over_use_above,
        sum(return_day_of.values()),
    )
    found = replace(
        found,
        return_day_withheld=withheld,
        return_day_not_allowed=sum(a.would_be - a.units for a in allowance_of.values()),
    )
    if len(dose.products) > 1 and products:
        each = tuple(
            (
                code,
                replace(
                    judged,
                    return_day_withheld=allowance_of[code].withheld
                    if code in allowance_of
                    else None,
                    return_day_not_allowed=(
                        allowance_of[code].would_be - allowance_of[code].units
                        if code in allowance_of
                        else 0
                    ),
                ),
            )
            for code, judged in by_product(
                products,
                expected_of,
                study.adherence.under_use_below,
                study.adherence.over_use_above,
                return_day_of,
            )
        )
        flags = tuple(f for f in Flag if any(f in a.flags for _p, a in each))
        found = replace(found, flags=flags, by_product=each)
    if unaccounted:  # what was not brought back is unknown: no adherence, a flag of its own
        return replace(found, adherence=None, flags=(Flag.NOT_BROUGHT_BACK,))
    return found


def return_day_note(study: Study, dose_level: int, found: Adherence) -> str:
    """What a dispense's expected count makes of the return day, in the reader's words, from
    dispense_adherence's judgement (regimen.return_day_allowance): the return day's doses the
    study file allows for beyond the expected count ([cycle] return_day_doses, with its
    source), or why none is allowed at this return; "" when the study allows none that day."""
    products = dose_products(study, dose_level)

    def each(units: Callable[[Adherence], int]) -> list[tuple[str, int]]:
        if found.by_product:
            return [(code, units(a)) for code, a in found.by_product if units(a)]
        return [(products[0] if products else "", units(found))]

    if found.return_day > 0:
        return _(
            "Return day: {units} taken before the visit is allowed for beyond the expected "
            "count (study file, {source})."
        ).format(
            units=study.units_each(each(lambda a: a.return_day)),
            source=_rule_source(study, "cycle.return_day"),
        )
    if found.return_day_withheld is None or found.return_day_not_allowed <= 0:
        return ""
    why = {
        ReturnDayWithheld.LEFT_TREATMENT: _(
            "the participant was off treatment on the return day (the effective date of the "
            "status change is the first day without a dose)"
        ),
        ReturnDayWithheld.STOPPED: _(
            "expected use of this supply stopped before the return day (the next cycle's day 1, "
            "or leaving treatment)"
        ),
        ReturnDayWithheld.HELD: _("the drug was held on the return day"),
        ReturnDayWithheld.HELD_UNDATED: _(
            "the days held were recorded without dates, so it is not known whether the drug "
            "was held on the return day; check with the participant and the investigator"
        ),
    }[found.return_day_withheld]
    return _(
        "Return day: no dose ({units}) is allowed for beyond the expected count: {why}."
    ).format(units=study.units_each(each(lambda a: a.return_day_not_allowed)), why=why)


def dose_products(study: Study, dose_level: int) -> tuple[str, ...]:
    """The product codes of a dose level; none for a level the study no longer has."""
    try:
        return study.dose_level(dose_level).products
    except NotFound:
        return ()


def _rule_source(study: Study, key: str) -> str:
    """The source the study file names for a rule ("protocol 5.1"), "" when it has none."""
    try:
        return study.rule(key).source
    except NotFound:
        return ""


def product_tallies(
    session: Session, record: Dispense, returns: list[Return]
) -> dict[str, ProductTally]:
    """Per product of a dispense: tablets out, returned, and in kits not brought back."""
    lines = session.execute(
        select(DispenseKit.kit_id, DispenseKit.tablets, Kit.product)
        .join(Kit, Kit.id == DispenseKit.kit_id)
        .where(DispenseKit.dispense_id == record.id)
        .order_by(DispenseKit.id)  # the products in the order dispensed, on every engine
    ).all()
    return _tallies([(k, t, p) for k, t, p in lines], returns)


def _tallies(
    lines: list[tuple[int, int, str]], returns: Sequence[ReturnFigures]
) -> dict[str, ProductTally]:
    """product_tallies from a dispense's (kit id, tablets, product) lines and its returns."""
    product_of = {kit_id: product for kit_id, _tablets, product in lines}
    out: dict[str, int] = defaultdict(int)
    for _kit, tablets, code in lines:
        out[code] += tablets
    back: dict[str, int] = defaultdict(int)
    lost: dict[str, int] = defaultdict(int)
    dispensed_of = {kit_id: tablets for kit_id, tablets, _product in lines}
    for ret in returns:
        product = product_of.get(ret.kit_id)
        if product is None:
            continue
        back[product] += ret.tablets
        if ret.outcome == NOT_BROUGHT_BACK:
            lost[product] += dispensed_of[ret.kit_id]
    return {p: ProductTally(out[p], back[p], lost[p]) for p in out}


RECORD_ACTIONS = (AuditAction.ENROLMENT_CORRECTED.value, AuditAction.PARTICIPANT_STATUS.value)
"""The steps that change a participant's row after enrolment (the row is changed in place:
their audit entries, hash-chained, are the record of what it was)."""


def record_changes(
    session: Session,
    study_id: int,
    numbers: Collection[str] | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, list[RecordChange]]:
    """Every change of a participant's record after enrolment (corrections of the enrolment,
    status changes and their corrections) in the order made, per study number: of `numbers`
    only when given, and made in [since, until) when given. Read from the study's audit
    entries (the study index: two studies may both have an 01-001); a correction of several
    values is one change each; a status change corrected names the change it corrects."""
    # The few entries of these actions found by their index, the study asked of each (EXISTS):
    # a join from the study index walked every entry of the study, at each reconciliation.
    in_study = exists().where(
        AuditEntryStudy.audit_entry_id == AuditEntry.id, AuditEntryStudy.study_id == study_id
    )
    actions = (*RECORD_ACTIONS, AuditAction.ENROLMENT_VOIDED.value)
    query = _record_entries(numbers, since, until).where(AuditEntry.action.in_(actions), in_study)
    found: dict[str, list[RecordChange]] = defaultdict(list)
    changes: dict[int, tuple[str, RecordChange]] = {}  # the status changes read, by entry
    for entry, full_name, role in session.execute(query).tuples():
        read = _record_change(entry, full_name, role)
        if read is None:
            continue
        if entry.action == AuditAction.PARTICIPANT_STATUS.value:
            changes[entry.id] = (entry.entity_id, read[0][0])
        found[entry.entity_id].extend(read[0])
    # A status change corrected is the study's by the change it names (its audit entry, which
    # may be before `since`): a correction of the date alone writes no participant's row (the
    # study index files it by that change too, db/entry_studies; the status_entries reading).
    corrections = []
    for entry, full_name, role in session.execute(
        _record_entries(numbers, since, until).where(
            AuditEntry.action == AuditAction.PARTICIPANT_STATUS_CORRECTED.value
        )
    ).tuples():
        read = _record_change(entry, full_name, role)
        if read is not None and isinstance(read[1], int):
            corrections.append((entry.entity_id, read[0][0], read[1]))
    missing = {named for _n, _c, named in corrections if named not in changes}
    if missing:
        for entry, full_name, role in session.execute(
            _record_entries().where(
                AuditEntry.id.in_(sorted(missing)),
                AuditEntry.action == AuditAction.PARTICIPANT_STATUS.value,
                in_study,
            )
        ).tuples():
            read = _record_change(entry, full_name, role)
            if read is not None:
                changes[entry.id] = (entry.entity_id, read[0][0])
    for number, correction, named in corrections:
        of, corrected = changes.get(named, ("", None))
        if corrected is None or of != number:
            continue  # a change of another study's participant (of the same number)
        before = corrected.old or ParticipantStatus.ON_TREATMENT.value
        found[number].append(
            replace(correction, corrects=corrected, withdrawn=correction.new == before)
        )
    for number, void in _dispense_voids(session, study_id, numbers, since, until):
        found[number].append(void)
    for listed in found.values():
        listed.sort(key=lambda c: c.at)
    return dict(found)


def _record_entries(
    numbers: Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[tuple[AuditEntry, str, str]]:
    """The audit entries of participants' records (of `numbers` when given, made in [since,
    until) when given) in the order written, with who made each (name and role)."""
    query = (
        select(AuditEntry, User.full_name, User.role)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.entity == "participant")
        .order_by(AuditEntry.id)
    )
    if numbers is not None:
        query = query.where(AuditEntry.entity_id.in_(sorted(set(numbers))))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return query


def _record_change(
    entry: AuditEntry, full_name: str | None, role: str | None
) -> tuple[list[RecordChange], object] | None:
    """The changes one audit entry of a participant's record made (a correction of several
    values, one each), and the status change it names (a correction of one: its audit entry
    id); None for values that cannot be read."""
    try:
        old, new = json.loads(entry.old or "{}"), json.loads(entry.new or "{}")
    except ValueError:
        return None
    if not isinstance(old, dict) or not isinstance(new, dict):
        return None
    who = RecordChange(  # who made the change, when and why: each change its values
        at=entry.at,
        field="",
        old="",
        new="",
        username=entry.username,
        full_name=full_name or entry.username,
        role=role or "",
        reason=entry.reason,
        signed=any(table == "signatures" for table, _i, _h in parse_facts(entry.facts or "")),
    )
    if entry.action == AuditAction.ENROLMENT_VOIDED.value:
        # One change: the enrolment voided (the void's row id is no reader's business).
        was = "" if old.get("status") is None else str(old["status"])
        return [replace(who, field="void", old=was, new=str(new.get("status", "")))], None
    effective = _day_of(new.get("effective_on"))
    if entry.action == AuditAction.PARTICIPANT_STATUS_CORRECTED.value:
        # One change: the status and date in force before and after.
        correction = replace(
            who,
            field=STATUS_CORRECTED,
            old="" if old.get("status") is None else str(old["status"]),
            new=str(new.get("status", "")),
            effective_on=effective,
            old_effective_on=_day_of(old.get("effective_on")),
        )
        return [correction], new.get("status_change")
    return [
        replace(
            who,
            field=key,
            old="" if old.get(key) is None else str(old[key]),
            new=str(value),
            effective_on=effective,
        )
        for key, value in new.items()
        if key != "effective_on"
    ], None


def _day_of(value: object) -> date | None:
    """A date as an audit entry's values hold it (ISO text); None when not one."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dispense_voids(
    session: Session,
    study_id: int,
    numbers: Collection[str] | None,
    since: datetime | None,
    until: datetime | None,
) -> list[tuple[str, RecordChange]]:
    """The dispenses voided as made in error, per participant's study number: the dispense (its
    number and cycle), who voided it, when and why, from the void's audit entry (the history
    keeps the dispense, marked voided: participant_record)."""
    query = (
        select(AuditEntry, User.full_name, User.role, Participant.study_number, Dispense.cycle)
        .join(Dispense, Dispense.number == AuditEntry.entity_id)
        .join(Participant, Participant.id == Dispense.participant_id)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(
            AuditEntry.action == AuditAction.DISPENSE_VOIDED.value,
            AuditEntry.entity == "dispense",
            Participant.study_id == study_id,
        )
        .order_by(AuditEntry.id)
    )
    if numbers is not None:
        query = query.where(Participant.study_number.in_(sorted(set(numbers))))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return [
        (
            number,
            RecordChange(
                at=entry.at,
                field="dispense_void",
                old="",
                new=entry.entity_id,
                username=entry.username,
                full_name=full_name or entry.username,
                role=role or "",
                reason=entry.reason,
                signed=any(t == "signatures" for t, _i, _h in parse_facts(entry.facts or "")),
                cycle=cycle,
            ),
        )
        for entry, full_name, role, number, cycle in session.execute(query).tuples()
    ]


def changed_by(change: RecordChange) -> str:
    """Who made a change: "Chen Jing (pharmacist, 药师)", the name, the username and the role in
    the reader's words (Role.word, as the windows, the commands and the reports' "Prepared by"
    name it), so that a username that reads as a role word ("pharmacist") is never taken for
    the role in English; a user not on file by the name and username, and in English the
    username that is the role's own word ("Chen Jing (pharmacist)") by it alone."""
    return named_with_role(change.full_name, change.username, change.role)


def named_with_role(full_name: str, username: str, role: str) -> str:
    """A user by name, username and role in the reader's words (Role.word): "Paula Pharm (pharm,
    pharmacist)", "Paula Pharm（pharm，药师）"; in English a username that is the role's own word
    is not said twice ("Mona Monitor (monitor)", not "(monitor, monitor)"), and a role not
    known (a user not on file) is left out. The changes of a record and the reports' "Prepared
    by" name people so."""
    try:
        word = Role(role).word
    except ValueError:
        word = username
    if word == username:
        return _("{name} ({username})").format(name=full_name, username=username)
    return _("{name} ({username}, {role})").format(name=full_name, username=username, role=word)


def change_words(change: RecordChange) -> str:
    """A change in the reader's words, for the participant report, `history` and the window:
    what it was and is, who, when (and from when, for a status), and why."""
    when = change.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    who = changed_by(change)
    signed = _("signed") if change.signed else _("not signed")
    if change.field == RETURN_CORRECTED:
        return _(
            "{when}: count of kit {kit} ({dispense}) corrected from {old} to {new} by {who} "
            "({signed}); it is now return {number}. Reason: {reason}"
        ).format(
            when=when,
            kit=change.kit,
            dispense=change.dispense,
            old=change.old,
            new=change.new,
            who=who,
            signed=signed,
            number=change.return_id,
            reason=change.reason,
        )
    if change.field == "void":
        return _(
            "{when}: enrolment voided as entered in error (it was {old}) by {who} ({signed}). "
            "Reason: {reason}"
        ).format(
            when=when,
            old=_(_status_label(change.old)),
            who=who,
            signed=signed,
            reason=change.reason,
        )
    if change.field == "dispense_void":
        return _(
            "{when}: dispense {dispense} (cycle {cycle}) voided as made in error (its kits "
            "never left) by {who} ({signed}). Reason: {reason}"
        ).format(
            when=when,
            dispense=change.new,
            cycle=change.cycle,
            who=who,
            signed=signed,
            reason=change.reason,
        )
    if change.field == STATUS_CORRECTED:
        return _status_correction_words(change, when, who, signed)
    if change.correction:
        return _(
            "{when}: {field} corrected from {old} to {new} by {who} ({signed}). Reason: {reason}"
        ).format(
            when=when,
            field=_(CHANGED_FIELDS.get(change.field, change.field)),
            old=change.old,
            new=change.new,
            who=who,
            signed=_("signed") if change.signed else _("not signed"),
            reason=change.reason,
        )
    return _(
        "{when}: status changed from {old} to {new}{effective} by {who} ({signed}). Reason: {reason}"
    ).format(
        when=when,
        old=_(_status_label(change.old)),
        new=_(_status_label(change.new)),
        effective=_(", effective {day},").format(day=change.effective_on.isoformat())
        if change.effective_on is not None
        else "",
        who=who,
        signed=_("signed") if change.signed else _("not signed"),
        reason=change.reason,
    )


def _status_correction_words(change: RecordChange, when: str, who: str, signed: str) -> str:
    """A status change corrected in the reader's words: the change it corrects (when it was
    recorded, the status before and after, from when), who corrected it, when and why, and
    the status and date in force before and after (change_words)."""
    named = change.corrects
    if named is None:  # not found: the correction says what it changed all the same
        corrected = _("a status change")
    elif named.effective_on is not None:
        corrected = _("the status change of {when} ({old} to {new}, effective {day})").format(
            when=named.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            old=_(_status_label(named.old or ParticipantStatus.ON_TREATMENT.value)),
            new=_(_status_label(named.new)),
            day=named.effective_on.isoformat(),
        )
    else:
        corrected = _("the status change of {when} ({old} to {new})").format(
            when=named.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            old=_(_status_label(named.old or ParticipantStatus.ON_TREATMENT.value)),
            new=_(_status_label(named.new)),
        )
    day = change.effective_on.isoformat() if change.effective_on else ""
    if change.withdrawn:
        return _(
            "{when}: {change} withdrawn as recorded in error by {who} ({signed}): {status} "
            "again from {day}. Reason: {reason}"
        ).format(
            when=when,
            change=corrected,
            who=who,
            signed=signed,
            status=_(_status_label(change.new)),
            day=day,
            reason=change.reason,
        )
    return _(
        "{when}: {change} corrected by {who} ({signed}): {new} from {day}, recorded as {old} "
        "from {old_day}. Reason: {reason}"
    ).format(
        when=when,
        change=corrected,
        who=who,
        signed=signed,
        new=_(_status_label(change.new)),
        day=day,
        old=_(_status_label(change.old)),
        old_day=change.old_effective_on.isoformat() if change.old_effective_on else "",
        reason=change.reason,
    )


CHANGED_FIELDS = {
    "initials": N_("initials"),
    "enrolled_on": N_("enrolment date"),
    "birth_year": N_("year of birth"),
}


def _status_label(value: str) -> str:
    try:
        return ParticipantStatus(value).label
    except ValueError:
        return value


def participant_changes(ctx: Context, actor: Actor, study_number: str) -> tuple[RecordChange, ...]:
    """The participant's record changes as its history shows them (participant_record's: the
    return recounts with the corrections, status changes and voids)."""
    return participant_record(ctx, actor, study_number).changes


def participant_history(
    ctx: Context, actor: Actor, study_number: str
) -> tuple[ParticipantRow, list[DispenseHistoryRow]]:
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        p = get_participant(session, study_number, ctx.study_id, reader=Readable(session, actor))
        return participant_row(session, ctx, p), history_rows(session, ctx, p.id)


def participant_record(ctx: Context, actor: Actor, study_number: str) -> ParticipantRecord:
    """The participant's record in one snapshot, what `history`, the participants window and
    the participant report all show: every dispense in cycle order, a voided one kept and
    marked (who, when, why), and every change since enrolment, the row's corrections and
    status changes with the dispenses voided and the return counts corrected, in the order made
    (a void or a recount is a change of the record: never "nothing changed")."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        p = get_participant(session, study_number, ctx.study_id, reader=Readable(session, actor))
        voids = {
            v.dispense_id: (v, user)
            for v, user in session.execute(
                select(DispenseVoid, User)
                .join(Dispense, Dispense.id == DispenseVoid.dispense_id)
                .join(User, User.id == DispenseVoid.user_id)
                .where(Dispense.participant_id == p.id)
            ).tuples()
        }
        # Who dispensed and who checked, read with the dispenses (not a lookup per row).
        dispenser, checker = aliased(User), aliased(User)
        dispenses = session.execute(
            select(
                Dispense,
                dispenser.full_name,
                dispenser.username,
                dispenser.initials,
                checker.full_name,
                checker.username,
                checker.initials,
            )
            .outerjoin(dispenser, dispenser.id == Dispense.dispensed_by_id)
            .outerjoin(checker, checker.id == Dispense.checked_by_id)
            .where(Dispense.participant_id == p.id)
            .order_by(Dispense.cycle, Dispense.attempt)
        ).all()
        history: list[DispenseHistoryRow] = []
        changes = list(
            record_changes(session, ctx.study_id, [p.study_number]).get(p.study_number, ())
        )
        for (
            record,
            name,
            username,
            initials,
            checker_name,
            checker_username,
            checker_initials,
        ) in dispenses:
            row = replace(
                history_row(session, ctx, record),
                dispensed_by=name or "",
                dispensed_by_username=username or "",
                dispensed_by_initials=initials or "",
                checked_by=checker_name or "",
                checked_by_username=checker_username or "",
                checked_by_initials=checker_initials or "",
            )
            if record.id in voids:
                void, user = voids[record.id]
                signed = _signed(session, "dispense", record.id)
                row = replace(
                    row,
                    voided=VoidMark(
                        void.at,
                        user.full_name,
                        user.username,
                        void.reason,
                        signed,
                        ctx.clock.day_of(void.at),
                    ),
                )
            history.append(row)
        changes += _recounts(session, p.id)
        changes.sort(key=lambda c: c.at)
        return ParticipantRecord(participant_row(session, ctx, p), tuple(history), tuple(changes))


def _signed(session: Session, record_type: str, record_id: int) -> bool:
    """Whether a correction carries its signer's electronic signature ("corrected": the void's
    is on its dispense, beside the dispense's own; the recount's on the new return)."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Signature)
            .where(
                Signature.record_type == record_type,
                Signature.record_id == record_id,
                Signature.meaning == SignatureMeaning.CORRECTED.value,
            )
        )
    )


def _recounts(session: Session, participant_id: int) -> list[RecordChange]:
    """The participant's return counts corrected: each correction with the count it replaced,
    who counted again, when and why."""
    found = return_recounts(session, participant_id=participant_id)
    return [change for changes in found.values() for change in changes]


def correction_reasons(session: Session, corrections: Sequence[Return]) -> dict[int, str]:
    """The reason of each return correction, by its return id: what the pharmacist typed when
    correcting, in its audit entry (and its ledger rows). The correction's return keeps the
    note of the return it corrects, which a log of returns shows on that return's row; a
    correction made before that kept its reason as its note, which stands in for an entry not
    found."""
    why: dict[str, str] = {}
    ids = [str(r.id) for r in corrections]
    for start in range(0, len(ids), _BATCH):
        why.update(
            session.execute(
                select(AuditEntry.entity_id, AuditEntry.reason).where(
                    AuditEntry.action == AuditAction.RETURN_CORRECTED.value,
                    AuditEntry.entity == "return",
                    AuditEntry.entity_id.in_(ids[start : start + _BATCH]),
                )
            )
            .tuples()
            .all()
        )
    return {r.id: why.get(str(r.id), r.note) for r in corrections}


def return_recounts(
    session: Session,
    study_id: int | None = None,
    *,
    participant_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, list[RecordChange]]:
    """Return counts corrected, per study number in the order made: of one participant, or of
    a study's made in [since, until) (the monitor pack's, beside `record_changes`): the one
    reading participant_record and the pack share, so both list the same recounts."""
    replaced = aliased(Return)
    query = (
        select(Return, replaced.tablets, Kit.number, Dispense.number, User, Participant)
        .join(replaced, replaced.id == Return.corrects_id)
        .join(Kit, Kit.id == Return.kit_id)
        .join(Dispense, Dispense.id == Return.dispense_id)
        .join(Participant, Participant.id == Dispense.participant_id)
        .join(User, User.id == Return.counted_by_id)
        .order_by(Return.id)
    )
    if participant_id is not None:
        query = query.where(Dispense.participant_id == participant_id)
    if study_id is not None:
        query = query.where(Participant.study_id == study_id)
    if since is not None:
        query = query.where(Return.created_at >= since)
    if until is not None:
        query = query.where(Return.created_at < until)
    found: dict[str, list[RecordChange]] = {}
    rows = session.execute(query).tuples().all()
    why = correction_reasons(session, [row[0] for row in rows])
    for new, before, kit, dispense, user, participant in rows:
        found.setdefault(participant.study_number, []).append(
            RecordChange(
                at=new.created_at,
                field=RETURN_CORRECTED,
                old=str(before),
                new=str(new.tablets),
                username=user.username,
                full_name=user.full_name,
                role=user.role,
                reason=why[new.id],
                signed=_signed(session, "return", new.id),
                dispense=dispense,
                kit=kit,
                return_id=new.id,
            )
        )
    return found


def ledger_rows(
    ctx: Context,
    actor: Actor,
    product: str | None = None,
    lot: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[LedgerRow]:
    """Ledger movements in date order, for the DARF and the lot trace: one query joining each
    row to its kit, lot, participant, dispense and recorder, so a kit received by another
    workstation meanwhile can never be missing from a lookup table read a moment earlier."""
    require(actor, Permission.VIEW, ctx)
    verifier, witness, checker = aliased(User), aliased(User), aliased(User)
    query = (
        select(
            LedgerEntry,
            Kit.number,
            Lot.number,
            Lot.expiry,
            Participant.study_number,
            Participant.initials,
            Dispense.number,
            Dispense.dose_level,
            User.initials,
            verifier.initials,
            Destruction.reference,
            # The witness by initials, as the DARF names the recorder and the countersigner
            # (it said "verified by WF" and "witnessed by 王芳芳"); a witness recorded before
            # witnesses signed (no witness_id) by the name typed.
            func.coalesce(witness.initials, Destruction.witness),
            # A dispense's second checker, beside its recorder (the DARF names both).
            checker.initials,
        )
        .join(Kit, Kit.id == LedgerEntry.kit_id)
        .join(Lot, Lot.id == Kit.lot_id)
        .join(User, User.id == LedgerEntry.user_id)
        .outerjoin(Participant, Participant.id == LedgerEntry.participant_id)
        .outerjoin(Dispense, Dispense.id == LedgerEntry.dispense_id)
        # A count adjustment's countersigner: the DARF names who verified it beside who
        # recorded it.
        .outerjoin(PhysicalCount, PhysicalCount.id == LedgerEntry.count_id)
        .outerjoin(verifier, verifier.id == PhysicalCount.verified_by_id)
        # A destruction's authorisation and witness: the DARF line ties to its certificate.
        .outerjoin(Destruction, Destruction.id == LedgerEntry.destruction_id)
        .outerjoin(witness, witness.id == Destruction.witness_id)
        .outerjoin(checker, checker.id == Dispense.checked_by_id)
        .order_by(LedgerEntry.entry_date, LedgerEntry.id)
    )
    # A period is read by its dates (ix_ledger_entries_entry_date), not by walking every kit of
    # the study: the study's kits are then checked row by row, an expression no index serves.
    study = Kit.study_id + 0 if since else Kit.study_id
    query = query.where(study == ctx.study_id)
    if product:
        query = query.where(LedgerEntry.product == product)
    if lot:  # upper case, as received; a lot recorded in lower case before is found too
        query = query.where(func.upper(Lot.number) == lot.strip().upper())
    if since:
        query = query.where(LedgerEntry.entry_date >= since)
    if until:
        query = query.where(LedgerEntry.entry_date <= until)
    with read_transaction(ctx.engine) as session:
        return [
            LedgerRow(
                e.id,
                e.entry_date,
                e.at,
                e.kind,
                e.quantity,
                e.from_returned,
                kit_number,
                e.product,
                lot_number,
                expiry,
                study_number or "",
                initials or "",
                dispense_number or "",
                ctx.study.dose_name(dose_level) if dose_level is not None else "",
                recorder,
                e.reason,
                e.reverses_id,
                verified or "",
                reference or "",
                witness or "",
                # The check was of the dispense: its own rows, not a void's undoing them.
                (checked or "")
                if e.kind == MovementKind.DISPENSE.value and e.reverses_id is None
                else "",
            )
            for (
                e,
                kit_number,
                lot_number,
                expiry,
                study_number,
                initials,
                dispense_number,
                dose_level,
                recorder,
                verified,
                reference,
                witness,
                checked,
            ) in session.execute(query).tuples()
        ]


def destruction_log(
    ctx: Context, actor: Actor, since: date | None = None, until: date | None = None
) -> list[DestructionRow]:
    """Destructions and returns to the sponsor, those of the period (first and last day
    included) where one is given: each with its tablets per product (strength) and lot, and
    its signatures (the one destroying, the witness) with their times."""
    require(actor, Permission.VIEW, ctx)
    query = select(Destruction).order_by(Destruction.destroyed_on, Destruction.id)
    if since is not None:
        query = query.where(Destruction.destroyed_on >= since)
    if until is not None:
        query = query.where(Destruction.destroyed_on <= until)
    with read_transaction(ctx.engine) as session:
        users = _user_map(session)
        rows = []
        for d in session.scalars(query):
            if not destruction_of_study(session, d, ctx.study_id):
                continue
            moved = session.execute(
                select(LedgerEntry, Kit.number, Lot)
                .join(Kit, Kit.id == LedgerEntry.kit_id)
                .join(Lot, Lot.id == LedgerEntry.lot_id)
                .where(LedgerEntry.destruction_id == d.id)
                .order_by(LedgerEntry.product, Lot.number, Kit.number)
            ).all()
            grouped: dict[tuple[str, int, bool], list[tuple[str, int]]] = {}
            lots: dict[int, Lot] = {}
            for entry, number, lot in moved:
                lots[lot.id] = lot
                key = (entry.product, lot.id, entry.from_returned)
                grouped.setdefault(key, []).append((number, entry.quantity))
            # A kit that held nothing moves no tablets (no ledger row) but was destroyed too:
            # it is listed under its product and lot with 0 tablets.
            listed = {number for _entry, number, _lot in moved}
            empty = [n for n in json.loads(d.kits) if n not in listed]
            for start in range(0, len(empty), 500):
                found = list(
                    session.scalars(
                        select(Kit)
                        .where(Kit.number.in_(empty[start : start + 500]))
                        .order_by(Kit.product, Kit.number)
                    )
                )
                back = set(
                    session.scalars(
                        select(Return.kit_id).where(Return.kit_id.in_([k.id for k in found]))
                    )
                )
                for kit in found:
                    lots[kit.lot_id] = kit.lot
                    key = (kit.product, kit.lot_id, kit.id in back)
                    grouped.setdefault(key, []).append((kit.number, 0))
            lines = tuple(
                DestructionLine(
                    _product_name(ctx, product),
                    lots[lot_id].number,
                    lots[lot_id].expiry,
                    tuple(n for n, _q in kits),
                    sum(q for _n, q in kits),
                    from_returned,
                    product,
                )
                for (product, lot_id, from_returned), kits in grouped.items()
            )
            signed = tuple(
                SignedBy(users[s.user_id].full_name, s.meaning, s.at, users[s.user_id].role)
                for s in session.scalars(
                    select(Signature)
                    .where(Signature.record_type == "destruction", Signature.record_id == d.id)
                    .order_by(Signature.id)
                )
            )
            unseen, acknowledged = _unseen_returns(session, d, users)
            rows.append(
                DestructionRow(
                    d.id,
                    d.destroyed_on,
                    tuple(json.loads(d.kits)),
                    sum(line.tablets for line in lines),
                    d.method,
                    d.witness,
                    d.reference,
                    d.to_sponsor,
                    users[d.user_id].initials,
                    lines,
                    signed,
                    DestructionReason(d.reason_code) if d.reason_code else None,
                    unseen,
                    acknowledged,
                )
            )
        return rows


def _unseen_returns(
    session: Session, destruction: Destruction, users: Mapping[int, User]
) -> tuple[tuple[str, ...], str]:
    """The returned kits a destruction took before a monitor saw their return, and the full
    name of who acknowledged it: recorded with the destruction's audit entry only
    (services.destruction), read from there."""
    entry = session.execute(
        select(AuditEntry.new, AuditEntry.user_id).where(
            AuditEntry.entity == "destruction",
            AuditEntry.entity_id == str(destruction.id),
            AuditEntry.action == AuditAction.DESTROY.value,
        )
    ).first()
    if entry is None or not entry.new:
        return (), ""
    try:
        recorded = json.loads(entry.new)
    except json.JSONDecodeError:
        return (), ""
    kits = recorded.get("unseen_returns_acknowledged") if isinstance(recorded, dict) else None
    if not kits:
        return (), ""
    who = users.get(entry.user_id) if entry.user_id is not None else None
    return tuple(str(k) for k in kits), who.full_name if who else ""


def destruction_of_study(session: Session, destruction: Destruction, study: int) -> bool:
    """A destruction is of the study whose kits it names (each destruction takes one study's
    kits: services/destruction refuses a kit of another study). Kits destroyed empty have no
    ledger row, so the kits it names decide."""
    numbers = json.loads(destruction.kits or "[]")
    if not numbers:
        return False
    owner = session.scalar(select(Kit.study_id).where(Kit.number == str(numbers[0])))
    return owner == study


def _product_name(ctx: Context, code: str) -> str:
    """The product with its strength, as the study file names it in English (the code if it
    does not): results are written to JSON, which never changes with the language."""
    return ctx.study.wording("en").products.get(code, code)


def lot_trace(ctx: Context, actor: Actor, lot: str) -> list[DispenseHistoryRow]:
    """Every dispense that handed out a kit of the lot (a recall list): of every product that
    has a lot of that number (a combination's products may share one), as a recall takes
    back whatever carries the number."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        records_of = [record.id for record in get_lots(session, lot, ctx.study_id)]
        of_lot = (
            select(DispenseKit.dispense_id)
            .join(Kit, Kit.id == DispenseKit.kit_id)
            .where(Kit.lot_id.in_(records_of), Kit.study_id == ctx.study_id)
        )
        records = list(session.scalars(select(Dispense).where(Dispense.id.in_(of_lot))))
        dispense_ids = {d.id for d in records}
        rows: list[DispenseHistoryRow] = []
        for pid in sorted({d.participant_id for d in records}):
            rows.extend(
                r
                for r in history_rows(session, ctx, pid)
                if _dispense_id(r.dispense_number) in dispense_ids
            )
        participants_by = {d.number: d.participant.study_number for d in records}
        return sorted(rows, key=lambda r: (r.dispensed_on, participants_by[r.dispense_number]))


def _dispense_id(number: str) -> int:
    return int(number.lstrip("DSP"))


def dispense_participant(ctx: Context, actor: Actor, dispense_ref: str) -> tuple[str, str]:
    """(participant study number, initials) of a dispense, e.g. for a scanned label."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        d = get_dispense(session, dispense_ref, ctx.study_id, reader=Readable(session, actor))
        return d.participant.study_number, d.participant.initials


def shipments(ctx: Context, actor: Actor) -> list[tuple[str, date, int]]:
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        return [
            (s.number, s.received_on, len(s.kits))
            for s in session.scalars(
                select(Shipment).where(shipments_of(ctx.study_id)).order_by(Shipment.received_on)
            )
        ]


def shipment_kits(ctx: Context, actor: Actor, shipment: str) -> list[KitRow]:
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        # Upper case, as received; every record of the number, as an older release may have
        # recorded one shipment in two cases ('sh-m1' beside SH-M1).
        records = list(
            session.scalars(
                select(Shipment).where(
                    func.upper(Shipment.number) == shipment.strip().upper(),
                    shipments_of(ctx.study_id),
                )
            )
        )
        if not records:
            raise NotFound(
                _("There is no shipment '{shipment}'.").format(shipment=shipment.strip()[:60])
            )
        kits = sorted((k for r in records for k in r.kits), key=lambda k: k.number)
        scope = select(Kit.id).where(Kit.shipment_id.in_([r.id for r in records]))
        return _kit_rows(
            session, kits, ctx.clock.today(), scope, ctx.study.area_name, counted_in(ctx.study)
        )


def open_flags(
    session: Session, ctx: Context, only: Collection[int] | None = None
) -> list[tuple[str, DispenseHistoryRow]]:
    """Adherence flags the pharmacist has not explained yet. The participants who have one are
    found first from the whole study read in a few queries (`flagged_participants`); only
    their histories are then read in full, as the participant's screen reads them. `only`:
    these participants' (by id) alone, as a reconciliation carried forward reads them."""
    found: list[tuple[str, DispenseHistoryRow]] = []
    flagged = flagged_participants(session, ctx, only)
    if not flagged:
        return found
    people: list[Participant] = []
    ids = sorted(flagged)
    for start in range(0, len(ids), _BATCH):
        people.extend(
            session.scalars(
                select(Participant).where(
                    Participant.study_id == ctx.study_id,
                    Participant.id.in_(ids[start : start + _BATCH]),
                )
            )
        )
    for p in sorted(people, key=lambda p: p.study_number):
        for row in history_rows(session, ctx, p.id):
            if row.flags and not row.flag_reason:
                found.append((p.study_number, row))
    return found


_BATCH = 500
"""Ids bound in one statement at most (SQLite refuses more than 32,766 variables)."""


class _DispenseFigures(NamedTuple):
    """What the flag test reads of a dispense: plain values, not a mapped object (a site has
    hundreds of thousands of dispenses)."""

    id: int
    participant_id: int
    cycle: int
    day1: date
    dispensed_on: date
    days_supply: int
    dose_level: int
    tablets: int


class _ReturnFigures(NamedTuple):
    """What the flag test reads of a return (as _DispenseFigures)."""

    id: int
    dispense_id: int
    kit_id: int
    tablets: int
    returned_on: date
    held_days: int
    flag_reason: str
    corrects_id: int | None
    outcome: str | None
    created_at: datetime
    held_until: date | None


def flagged_participants(
    session: Session, ctx: Context, only: Collection[int] | None = None
) -> set[int]:
    """The participants of the study with a dispense whose adherence is flagged and not
    explained: history_rows' test (every kit back, `dispense_adherence`, the reasons given) on
    every live dispense, each input read for the whole study at once as plain rows (not six
    queries per dispense, nor a mapped object per row), and only the dispenses of participants
    not flagged yet, with a return, tested. `only`: of these participants (by id) alone, each
    input read for them in bounded batches."""
    study = ctx.study_id
    voided = set(session.scalars(select(DispenseVoid.dispense_id)))
    # Of a few participants: read from their dispenses, the kits' study checked row by row (an
    # expression no index serves), not by walking every kit of the study.
    kit_of_study = (Kit.study_id + 0 if only is not None else Kit.study_id) == study
    dispenses = (
        select(
            Dispense.id,
            Dispense.participant_id,
            Dispense.cycle,
            Dispense.day1,
            Dispense.dispensed_on,
            Dispense.days_supply,
            Dispense.dose_level,
            Dispense.tablets,
        )
        .join(Participant, Participant.id == Dispense.participant_id)
        .where(Participant.study_id == study)
        .order_by(Dispense.cycle, Dispense.attempt)
    )
    returned = (
        select(
            Return.id,
            Return.dispense_id,
            Return.kit_id,
            Return.tablets,
            Return.returned_on,
            Return.held_days,
            Return.flag_reason,
            Return.corrects_id,
            Return.outcome,
            Return.created_at,
            Return.held_until,
        )
        .join(Kit, Kit.id == Return.kit_id)
        .where(kit_of_study)
        .order_by(Return.id)
    )
    kit_lines = (
        select(DispenseKit.dispense_id, DispenseKit.kit_id, DispenseKit.tablets, Kit.product)
        .join(Kit, Kit.id == DispenseKit.kit_id)
        .where(kit_of_study)
        .order_by(DispenseKit.id)
    )
    reasons = select(AdherenceNote.dispense_id, AdherenceNote.at, AdherenceNote.reason).order_by(
        AdherenceNote.id
    )
    batches: list[Sequence[int] | None] = [None]
    if only is not None:
        ids = sorted(set(only))
        batches = [ids[start : start + _BATCH] for start in range(0, len(ids), _BATCH)]
    records: list[_DispenseFigures] = []
    all_returns: dict[int, list[_ReturnFigures]] = defaultdict(list)
    lines: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    notes: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    left: dict[int, date] = {}
    for batch in batches:
        own = batch is not None
        of_batch = Dispense.participant_id.in_(batch) if batch is not None else true()
        records.extend(
            _DispenseFigures(*row)
            for row in session.execute(dispenses.where(of_batch)).tuples()
            if row[0] not in voided
        )
        # By their dispense's participant: joined only when a batch asks.
        own_ids = select(Dispense.id).where(of_batch)
        for ret in session.execute(
            returned.where(Return.dispense_id.in_(own_ids)) if own else returned
        ).tuples():
            all_returns[ret[1]].append(_ReturnFigures(*ret))
        for dispense_id, kit_id, tablets, product in session.execute(
            kit_lines.where(DispenseKit.dispense_id.in_(own_ids)) if own else kit_lines
        ).tuples():
            if dispense_id in all_returns:  # a dispense with nothing back has no adherence yet
                lines[dispense_id].append((kit_id, tablets, product))
        for dispense_id, at, reason in session.execute(
            reasons.where(AdherenceNote.dispense_id.in_(own_ids)) if own else reasons
        ).tuples():
            notes[dispense_id].append((at, reason))
        left.update(_left_treatment(session, study, batch))
    if not records:
        return set()
    next_day1 = _next_day1s(records)
    several: dict[int, bool] = {}  # by dose level: a dose of several products, judged each
    flagged: set[int] = set()
    for record in records:
        if record.participant_id in flagged or record.id not in all_returns:
            continue
        kits = lines.get(record.id, [])
        returns = _current(all_returns[record.id])
        if not returns or len({r.kit_id for r in returns}) != len(kits):
            continue
        tablets_of = {(record.id, kit_id): tablets for kit_id, tablets, _p in kits}
        level = record.dose_level
        if level not in several:
            several[level] = len(ctx.study.dose_level(level).products) > 1
        until = _use_until(next_day1.get(record.id), left.get(record.participant_id))
        left_on = left.get(record.participant_id)

        def flags_of(
            rows: list[_ReturnFigures],
            record: _DispenseFigures = record,
            kits: list[tuple[int, int, str]] = kits,
            tablets_of: dict[tuple[int, int], int] = tablets_of,
            until: date | None = until,
            several: bool = several[level],
            left_on: date | None = left_on,
        ) -> tuple[Flag, ...]:
            return dispense_adherence(
                ctx,
                record,
                sum(r.tablets for r in rows),
                max(r.returned_on for r in rows),
                max(r.held_days for r in rows),
                until,
                _unaccounted(rows, tablets_of),
                _tallies(kits, rows) if several else None,  # read only for several
                held_until_of(r.held_until for r in rows),
                left_on,
            ).flags

        flags = flags_of(returns)
        if flags and not answering_explanations(
            all_returns[record.id], notes.get(record.id, []), flags, len(kits), flags_of
        ):  # flagged, and no explanation answers the flags it has now: an open one
            flagged.add(record.participant_id)
    return flagged


def _next_day1s(records: list[_DispenseFigures]) -> dict[int, date]:
    """For each dispense, the earliest day 1 of its participant's later cycles (live dispenses),
    as expected_use_until reads it: one pass per participant from the last cycle back."""
    by_person: dict[int, list[_DispenseFigures]] = defaultdict(list)
    for record in records:
        by_person[record.participant_id].append(record)
    found: dict[int, date] = {}
    for own in by_person.values():
        own.sort(key=lambda r: r.cycle, reverse=True)
        earliest: date | None = None  # of the cycles after the one being looked at
        index = 0
        while index < len(own):
            cycle = own[index].cycle
            same = index
            while same < len(own) and own[same].cycle == cycle:
                if earliest is not None:
                    found[own[same].id] = earliest
                same += 1
            for record in own[index:same]:
                earliest = record.day1 if earliest is None else min(earliest, record.day1)
            index = same
    return found


def _current(returns: list[_C]) -> list[_C]:
    """current_returns of already read returns (in id order)."""
    replaced = {r.corrects_id for r in returns if r.corrects_id is not None}
    return [r for r in returns if r.id not in replaced]


def _left_treatment(
    session: Session, study: int, only: Sequence[int] | None = None
) -> dict[int, date]:
    """expected_use_until's day of leaving treatment, for every participant who left (of
    `only`, by id, when given)."""
    query = select(Participant.id, Participant.study_number).where(
        Participant.study_id == study,
        Participant.status != ParticipantStatus.ON_TREATMENT.value,
    )
    if only is not None:
        query = query.where(Participant.id.in_(only))
    return status_changed_last(session, dict(session.execute(query).tuples().all()))


STATUS_ACTIONS = (
    AuditAction.PARTICIPANT_STATUS.value,
    AuditAction.PARTICIPANT_STATUS_CORRECTED.value,
)
"""The entries that date a participant's status: a status change, and the signed correction of
one (services.participants.correct_status: its date or its status recorded wrongly)."""


class StatusEntry(NamedTuple):
    """One entry dating a participant's status, as audited: its entry id, whether it corrects
    the status change `corrects` (its entry id), the status and effective date it gives, and the
    status it replaced."""

    entry_id: int
    corrects: int | None
    status: str
    effective_on: date | None
    old_status: str | None


def status_entries(session: Session, people: dict[int, str]) -> dict[int, list[StatusEntry]]:
    """Every status change and correction of a status change of these participants (id ->
    study number), in the order recorded. An entry names a participant by study number, which
    two studies of one pharmacy may share: it is theirs by the participants row its step wrote
    (its listed facts); a correction by the status change it names; an entry that lists none
    (written before facts were) by the number alone. The effective date is the one the entry
    gives, the day it was recorded for a change that gives none."""
    if not people:
        return {}
    by_number: dict[str, list[int]] = defaultdict(list)
    for person, number in people.items():
        by_number[number].append(person)
    found: dict[int, list[StatusEntry]] = defaultdict(list)
    owners: dict[int, list[int]] = {}
    numbers = sorted(by_number)
    for start in range(0, len(numbers), 500):
        for entry_id, action, number, at, listed, new, old in session.execute(
            select(
                AuditEntry.id,
                AuditEntry.action,
                AuditEntry.entity_id,
                AuditEntry.at,
                AuditEntry.facts,
                AuditEntry.new,
                AuditEntry.old,
            )
            .where(
                AuditEntry.action.in_(STATUS_ACTIONS),
                AuditEntry.entity_id.in_(numbers[start : start + 500]),
            )
            .order_by(AuditEntry.id)
        ).tuples():
            values, before = _values(new), _values(old)
            named = values.get("status_change")
            corrects = (
                named
                if action == AuditAction.PARTICIPANT_STATUS_CORRECTED.value
                and isinstance(named, int)
                else None
            )
            if corrects is not None and corrects in owners:
                persons = owners[corrects]
            else:
                rows = [r for table, r, _h in parse_facts(listed or "") if table == "participants"]
                persons = rows if len(rows) == 1 else by_number.get(number, [])
            owners[entry_id] = persons
            day = _effective_on(new)
            if day is None and at is not None and corrects is None:
                day = local_day(at)
            status = values.get("status")
            was = before.get("status")
            for person in persons:
                if person in people and isinstance(status, str):
                    found[person].append(
                        StatusEntry(
                            entry_id,
                            corrects,
                            status,
                            day,
                            was if isinstance(was, str) else None,
                        )
                    )
    return found


def status_changed_last(session: Session, people: dict[int, str]) -> dict[int, date]:
    """The effective date of each of these participants' (id -> study number) last status
    change: the date the change gives (its "effective_on"), the day it was recorded for an
    entry that gives none; as corrected when a signed correction of it was recorded since (its
    date, or the date before it for a change withdrawn as recorded in error). The last change
    is the last recorded (services.participants keeps effective dates in order: a change is
    never dated before the status it replaces)."""
    found: dict[int, date] = {}
    for person, entries in status_entries(session, people).items():
        if entries[-1].effective_on is not None:
            found[person] = entries[-1].effective_on
    return found


def _values(text: str | None) -> dict[str, object]:
    try:
        values = json.loads(text or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def _effective_on(new: str | None) -> date | None:
    """The effective date a status change's audited values give, if any."""
    try:
        values = json.loads(new or "{}")
        return date.fromisoformat(values["effective_on"]) if isinstance(values, dict) else None
    except (ValueError, KeyError, TypeError):
        return None
