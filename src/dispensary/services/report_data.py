"""Read-only gathering of what a label or report needs, returned as frozen rows.

Labels and reports are pure renderers: everything they print comes from here (or from
`queries`), so the CLI and the GUI hand them the same facts. Label prints are
recorded by `services.labels`.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, joinedload
from sqlalchemy.types import NullType

from dispensary import __version__
from dispensary.db.engine import read_transaction, room_to_group
from dispensary.db.models import (
    Destruction,
    Dispense,
    DispenseKit,
    Excursion,
    Kit,
    LedgerEntry,
    Participant,
    QuarantineEvent,
    Return,
    Shipment,
    StudyRecord,
    User,
)
from dispensary.domain import reasons
from dispensary.domain.accountability import Movement, stock_delta
from dispensary.domain.codes import DiscrepancyKind, KitStatus, MovementKind, ReasonCode, Role
from dispensary.domain.errors import InOtherStudy, InvalidInput, NotFound, RuleViolation
from dispensary.domain.rules import (
    check_date_window,
    check_text,
    days_after,
    normalise_kit_number,
)
from dispensary.i18n import N_, _, listed
from dispensary.services import audit as audit_service
from dispensary.services import queries, receiving, temperature
from dispensary.services.audit_check import chain_check
from dispensary.services.common import (
    get_dispense,
    get_kit,
    get_lot_records,
    get_participant,
    is_voided,
    not_voided,
    other_study,
    shipment_studies,
    shipments_of,
    status_now,
    voided_ids,
)
from dispensary.services.context import Actor, Context, local_day, local_day_start
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.reconciliation import (
    count_findings,
    flags_said,
    reason_code_words,
    reconcile,
    reconcile_session,
    taken_said,
)
from dispensary.services.results import (
    AuditRow,
    DestructionRow,
    Discrepancy,
    DispenseHistoryRow,
    DispenseResult,
    EntrySigners,
    KitRow,
    LedgerRow,
    ParticipantRow,
    ReconcileResult,
    RecordChange,
    VerifyResult,
)
from dispensary.services.study_versions import study_of_dispense

# ---------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class ReportMeta:
    """Printed on every report: when, by whom, from which database, and where the audit chain
    stood when the report's facts were read (its verification code, domain.anchor)."""

    generated_at: datetime
    generated_by: str
    username: str
    role: Role
    database: str
    protocol: str
    software: str
    anchor: str = ""
    # The audit trail does not verify: its first finding (the report prints CHAIN BROKEN in
    # place of a verification code, on every page), "" when it verifies.
    chain_broken: str = ""

    @property
    def line(self) -> str:
        when = self.generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"Generated {when} by {self.generated_by} ({self.username}, {self.role.value}) "
            f"from {self.database} - {self.software}"
        )


@dataclass(frozen=True)
class DarfLine:
    """One numbered line of the accountability record (NCI DARF)."""

    number: int
    entry_date: date
    kind: MovementKind
    participant: str
    initials: str
    dose: str
    quantity: int  # + received (or added), - dispensed (or taken out of stock)
    balance_forward: int
    balance: int
    lot: str
    kits: tuple[str, ...]
    recorder: str
    dispense: str
    note: str
    corrects_line: int | None
    corrected_by_line: int | None
    ledger_ids: tuple[int, ...]
    initials_when_recorded: str = ""
    """The participant's initials when the line was recorded, where a correction of the
    enrolment changed them since ("" otherwise): the line shows the initials now, and says
    what it read when the pharmacist (and any monitor) saw it."""
    initials_corrected_on: date | None = None
    """The day of the last such correction."""
    checked_by: str = ""
    """A dispense's second checker (initials, as the recorder's), who signed the check; ""
    when nobody checked it, and on every other line."""


@dataclass(frozen=True)
class DarfRecord:
    """The DARF of one product and strength in one storage area."""

    product: str
    agent: str
    form_strength: str
    unit: str  # what the quantities count, e.g. "tablets"
    storage_area: str
    institution: str
    site: str
    protocol: str
    org_study_id: str
    title: str
    investigator: str
    since: date | None
    until: date | None
    opening_balance: int
    lines: tuple[DarfLine, ...]
    closing_balance: int
    manufacturer: str = ""


@dataclass(frozen=True)
class ReturnLogRow:
    """Tablets a participant brought back: held for the monitor, never stock again."""

    return_id: int
    returned_on: date
    participant: str
    initials: str
    dispense: str
    cycle: int
    kit: str
    product: str
    lot: str
    dispensed: int
    returned: int
    held_days: int
    condition: str
    note: str
    """The return's note; a correction's, the reason it was corrected for (the note it kept of
    the return it corrects is that return's row's)."""
    counted_by: str
    corrects: int | None
    corrected_by: int | None
    kit_status: KitStatus
    outcome: str = ""  # "": counted back; "not_brought_back": its tablets are unaccounted for
    held_from: date | None = None  # the period the investigator held the drug, if given
    held_until: date | None = None
    held_ordered_by: str = ""

    @property
    def not_brought_back(self) -> bool:
        return self.outcome == "not_brought_back"


@dataclass(frozen=True)
class ReturnsLog:
    """The returns log asked for on its own (the "returns" report): the returns of a period,
    of one participant if one was named, with what was asked (its pages say it)."""

    rows: tuple[ReturnLogRow, ...]
    since: date | None = None
    until: date | None = None
    participant: str | None = None


@dataclass(frozen=True)
class DestructionLog:
    """The destruction log asked for (the "destruction" report): the destructions and returns to
    the sponsor of a period, with the period asked for (its pages say it)."""

    rows: tuple[DestructionRow, ...]
    since: date | None = None
    until: date | None = None


ENDED_BY_DESTRUCTION = ("destroyed", "returned to sponsor")
"""The actions of a quarantine log's row that closes a quarantine by destroying the kit (or
returning it to the sponsor): its reason is the destruction's method."""


@dataclass(frozen=True)
class QuarantineRow:
    at: datetime
    kit: str
    product: str
    lot: str
    action: str  # quarantine, release, reject; destroyed, returned to sponsor (its end)
    reason: str
    by: str
    excursion_id: int | None
    sponsor_reference: str = ""  # a release's: the sponsor's decision ("" before 0015)


@dataclass(frozen=True)
class ExcursionRow:
    excursion_id: int
    storage_area: str
    started_at: datetime
    ended_at: datetime
    lowest: float
    highest: float
    source: str
    kits: tuple[str, ...]
    recorded_by: str
    recorded_at: datetime
    # kits in the area during it, dispensed or destroyed before its import (its audit entry)
    kits_gone: tuple[temperature.KitGone, ...] = ()
    # kits in the area during it, quarantined already at its import: exposed, not moved again
    kits_held: tuple[str, ...] = ()
    # the file's readings within the range just before and after it (its audit entry): how
    # long it may have lasted at the longest; None where not known or not kept
    in_range_before: datetime | None = None
    in_range_after: datetime | None = None
    manual: bool = False  # a thermometer's reading entered by hand (its audit entry's mark)


@dataclass(frozen=True)
class ExpiryReport:
    today: date
    within_days: int
    expiring: tuple[KitRow, ...]  # on the shelf, expiring within the window
    expired: tuple[KitRow, ...]  # past expiry and not destroyed


@dataclass(frozen=True)
class ParticipantReport:
    participant: ParticipantRow
    eligibility_confirmed_by: str
    eligibility_confirmed_at: datetime  # when the enrolment was recorded, not the confirmation
    history: tuple[DispenseHistoryRow, ...]
    returns: tuple[ReturnLogRow, ...]
    changes: tuple[RecordChange, ...] = ()
    """Every change of the record since enrolment (queries.participant_record: corrections,
    status changes, dispenses voided, return counts corrected): the header shows the values
    now, these what they were."""
    eligibility_criteria: int = 0
    """The criteria ticked on the enrolment's checklist; 0: none recorded (`enroll` from the
    command line takes the investigator's name, no checklist)."""


@dataclass(frozen=True)
class LotTraceRow:
    dispensed_on: date
    dispense: str
    participant: str
    initials: str
    cycle: int
    kit: str
    tablets: int
    returned: int | None
    returned_on: date | None
    voided: bool


@dataclass(frozen=True)
class LotTrace:
    lot: str
    product: str
    expiry: date
    kits: tuple[KitRow, ...]
    tablets_received: int
    dispenses: tuple[LotTraceRow, ...]


@dataclass(frozen=True)
class AuditReport:
    filters: audit_service.AuditFilter
    """What the entries were kept by, as the Audit trail screen filters them: the period in
    this workstation's local days, the user, action, text, kit and participant."""
    entries: tuple[AuditRow, ...]
    verification: VerifyResult
    signers: EntrySigners = field(default_factory=lambda: EntrySigners({}, ()))
    """The signatures recorded with the entries and who the entries name (21 CFR 11.50)."""

    @property
    def since(self) -> date | None:
        return self.filters.since

    @property
    def until(self) -> date | None:
        return self.filters.until

    @property
    def kit(self) -> str | None:
        """The kit the entries were kept for (all entries of the period when None)."""
        return self.filters.kit

    @property
    def participant(self) -> str | None:
        return self.filters.participant


OPEN_KINDS = (
    "Quarantine awaiting decision",
    "Gap in the temperature log",
    "Unexplained adherence flag",
    "Overridden warning",
    "Dose change",
    "Count difference",
    "Shipment received with a temperature alarm",
    "Return overdue",
    "Expired in stock",
    "Does not balance",
    "Status differs from ledger",
    "Audit trail damaged",
)
"""What the monitor pack lists as open items, in this order. The last five are the
reconciliation's findings of those kinds, named as it names them (DiscrepancyKind.label); its
other findings are here under their own kinds, read where they are kept (a quarantine awaiting
its decision, an adherence flag without a reason, a count difference not adjusted), or are no
open item (a count difference adjusted and countersigned is a record)."""

_OPEN_FINDINGS = {
    DiscrepancyKind.RETURN_OVERDUE: OPEN_KINDS[7],
    DiscrepancyKind.EXPIRED_IN_STOCK: OPEN_KINDS[8],
    DiscrepancyKind.UNBALANCED: OPEN_KINDS[9],
    DiscrepancyKind.STATUS_MISMATCH: OPEN_KINDS[10],
    DiscrepancyKind.AUDIT_CHAIN: OPEN_KINDS[11],
}
"""The reconciliation's findings the pack lists as they are (the others: OPEN_KINDS)."""


@dataclass(frozen=True)
class OpenItem:
    """Something a monitor must look at, whenever it began: a quarantine still awaiting its
    decision four months on is listed on every pack until it is decided."""

    kind: str  # one of OPEN_KINDS
    since: date | None
    subject: str  # the kit, participant, dispense, storage area or shipment
    detail: str
    before_period: bool = False  # began before the pack's period


@dataclass(frozen=True)
class LogCoverage:
    """A storage area's temperature log over the life of its stock."""

    storage_area: str
    since: date
    first_reading: datetime | None
    last_reading: datetime | None
    imports: int
    gaps: int
    by_hand: int = 0  # of the imports, the thermometer's readings entered by hand


@dataclass(frozen=True)
class MonitorPack:
    """Everything a monitor's visit covers, for one date range."""

    since: date
    until: date
    reconciliation: ReconcileResult
    darfs: tuple[DarfRecord, ...]
    returns: tuple[ReturnLogRow, ...]
    destructions: tuple[DestructionRow, ...]
    quarantines: tuple[QuarantineRow, ...]
    excursions: tuple[ExcursionRow, ...]
    verification: VerifyResult
    audit_entries_in_range: int
    open_items: tuple[OpenItem, ...] = ()
    coverage: tuple[LogCoverage, ...] = ()
    quarantined_now: int = 0  # kits in quarantine when the pack was made
    record_changes: tuple[tuple[str, RecordChange], ...] = ()
    """Participants' records corrected or their status changed in the period (study number,
    change): a correction changes what earlier records (a DARF line, a sign-off) showed."""


@dataclass(frozen=True)
class DestructionChoice:
    """A destruction (or return to the sponsor) on record, as a certificate is chosen by."""

    destruction_id: int
    destroyed_on: date
    reference: str  # the sponsor's authorisation reference
    to_sponsor: bool
    kits: int

    @property
    def key(self) -> str:
        """What names this destruction alone (a reference may cover several): '#3'."""
        return f"#{self.destruction_id}"

    @property
    def text(self) -> str:
        """'No. 3, 2026-01-26, authorisation DEST-2026-001, 8 kits returned to the sponsor'."""
        if self.to_sponsor:
            what = (
                _("{count} kit returned to the sponsor")
                if self.kits == 1
                else _("{count} kits returned to the sponsor")
            )
        else:
            what = _("{count} kit destroyed") if self.kits == 1 else _("{count} kits destroyed")
        reference = (
            _("authorisation {reference}").format(reference=self.reference)
            if self.reference
            else _("no authorisation")
        )
        return _("No. {number}, {date}, {reference}, {what}").format(
            number=self.destruction_id,
            date=self.destroyed_on.isoformat(),
            reference=reference,
            what=what.format(count=self.kits),
        )


@dataclass(frozen=True)
class DestructionCertificate:
    """What a certificate of destruction or return to the sponsor shows: the destructions
    chosen (one, or every one under the sponsor's authorisation reference named), each with
    its quantities per product (strength) and lot, its kits and its signatures."""

    asked: str  # what was chosen, in words: "destruction No. 3", "authorisation DEST-1"
    destructions: tuple[DestructionRow, ...]

    @property
    def to_sponsor(self) -> bool:
        """Every destruction chosen went back to the sponsor (none was destroyed here)."""
        return all(d.to_sponsor for d in self.destructions)


@dataclass(frozen=True)
class KitLabelRow:
    """A kit as received: what its label carries."""

    number: str
    product: str
    lot: str
    expiry: date
    tablets: int  # as received
    shipment: str
    received_on: date
    status: str = ""  # the kit's status now (a shipment's sheet leaves out the kits gone)


# ---------------------------------------------------------------------------------------------
# Who, when, where


def report_meta(ctx: Context, actor: Actor, verification: VerifyResult | None = None) -> ReportMeta:
    """Who, when, where, and where the chain stands: its verification code once the chain is
    checked (`verification`, the whole trail's that the report made itself, else
    audit_check.chain_check's); a trail that does not verify is given no code (chain_broken)."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        if verification is None:
            verification = chain_check(session, ctx).verification
        anchor = audit_service.anchor_in(session) if verification.ok else ""
    return ReportMeta(
        generated_at=ctx.clock.now(),
        generated_by=actor.full_name,
        username=actor.username,
        role=actor.role,
        database=ctx.database or _engine_label(ctx),
        protocol=ctx.study.protocol,
        software=f"Dispensary {__version__}",
        anchor=anchor,
        chain_broken="" if verification.ok else verification.message,
    )


Gathered = TypeVar("Gathered")


def gathered(
    ctx: Context, actor: Actor, gather: Callable[[], Gathered]
) -> tuple[ReportMeta, Gathered]:
    """A report's meta and its facts read in one snapshot: the verification code it prints is
    where the chain stood when its facts were read. A report that verified the whole trail
    itself (the audit report, the monitor pack) is not checked twice."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine):
        payload = gather()
        verified = getattr(payload, "verification", None)
        return report_meta(
            ctx, actor, verified if isinstance(verified, VerifyResult) else None
        ), payload


def _engine_label(ctx: Context) -> str:
    return ctx.engine.url.render_as_string(hide_password=True)


# ---------------------------------------------------------------------------------------------
# DARF


def darf_records(
    ctx: Context,
    actor: Actor,
    product: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[DarfRecord]:
    """One record per product and strength (and per storage area where stock is split).

    Lines are numbered from the first movement ever, so that a record printed for a date
    range keeps the numbers of the full record; the balance forward carries what came before.
    Returned tablets are not stock and are not on the DARF (see `returns_log`). The movements
    and the kits' storage areas are read in one snapshot.
    """
    require(actor, Permission.VIEW, ctx)
    if product is not None:
        ctx.study.product(product)
    check_period(since, until)
    with read_transaction(ctx.engine) as session:
        tallies = _tallies(session, ctx.study_id, product, since, until)
        # Only the period's movements are read in full (kit, participant, dispense...): the
        # history before it is numbered and balanced from the thin rows above.
        shown = {
            row.id: row
            for row in queries.ledger_rows(ctx, actor, product=product, since=since, until=until)
        }
        fixes = queries.record_changes(
            session, ctx.study_id, {r.participant for r in shown.values() if r.participant}
        )
    if product is not None and not any(key[0] == product for key in tallies):
        tallies[(product, ctx.study.storage_area)] = _Tally()
    order = {p.code: i for i, p in enumerate(ctx.study.products)}
    records = []
    for (code, area), tally in sorted(
        tallies.items(), key=lambda item: (order.get(item[0][0], 99), item[0][1])
    ):
        lines = [_initials_then(line, shown, fixes) for line in _darf_lines(tally, shown)]
        records.append(_darf_record(ctx, code, area, tally.opening, lines, since, until))
    return records


def _initials_then(
    line: DarfLine, shown: dict[int, LedgerRow], fixes: dict[str, list[RecordChange]]
) -> DarfLine:
    """The line marked with the initials it read when recorded, where the enrolment's
    initials were corrected after it (a DARF line rewritten silently by a later correction:
    the review's GR printed as GX)."""
    first = shown.get(line.ledger_ids[0]) if line.ledger_ids else None
    if first is None or not line.participant:
        return line
    later = [
        c for c in fixes.get(line.participant, ()) if c.field == "initials" and c.at > first.at
    ]
    if not later or later[0].old == line.initials:
        return line
    return replace(
        line, initials_when_recorded=later[0].old, initials_corrected_on=local_day(later[-1].at)
    )


_CHUNK = 5000  # movements fetched at a time by the DARF's count of the history

_Key = tuple[object, ...]
"""What the movements of one line share (kind, day, lot, participant, dispense, reason, recorder's
initials, direction, the line it corrects): ids stand for the kit's lot, participant and
dispense (each is one number within a product's record)."""


@dataclass
class _Tally:
    """One record while its movements stream past: its running count and balance, and the
    period's lines (their ledger ids); the history before the period is counted, not held."""

    number: int = 0
    balance: int = 0
    opening: int = 0
    at: object = None  # the transaction streaming past (its moment)
    lines: dict[_Key, int] = field(default_factory=dict)  # its lines' numbers, by key
    groups: list[_Group] = field(default_factory=list)  # its lines, in the period
    shown: list[_Group] = field(default_factory=list)

    def line(self, key: _Key, at: object) -> int | None:
        """The number of the line of this transaction with this key, None for a new line (a
        new transaction starts afresh)."""
        if at != self.at:
            self.at = at
            self.lines.clear()
            self.groups.clear()
        return self.lines.get(key)

    def new_line(self, key: _Key) -> int:
        self.number += 1
        self.lines[key] = self.number
        return self.number


@dataclass
class _Group:
    """A line of the period before its rows are read in full."""

    number: int
    target: int | None
    balance_forward: int
    quantity: int
    ids: list[int]


def _line_key(
    kind: str,
    entry_date: object,
    lot_id: int,
    participant_id: int | None,
    dispense_id: int | None,
    reason: str | None,
    initials: str,
    stock_in: bool,
    corrects_line: int | None,
) -> tuple[object, ...]:
    """What one DARF line shares: the movements of one transaction (at the same moment) with
    the same key are one line, in the order its first movement came (a shipment's kits of two
    lots numbered alternately are two lines, not one line for each run of a lot); the
    gathering of the period and the count of the history before it both number lines by
    it."""
    return (
        kind,
        entry_date,
        lot_id,
        participant_id,
        dispense_id,
        reason,
        initials,
        stock_in,
        corrects_line,
    )


def _tallies(
    session: Session, study: int, product: str | None, since: date | None, until: date | None
) -> dict[tuple[str, str], _Tally]:
    """Every stock movement up to `until`, per product and storage area, in DARF order: rows of
    one transaction that move the same lot the same way make one line. The history before the
    period is only counted (_count_history: line numbers and the opening balance); the
    period's movements are kept as lines (their ledger ids) to be read in full. Returns and
    the destruction of returned kits do not move the stock and are not read."""
    initials = dict(session.execute(select(User.id, User.initials)).tuples().all())
    # The one rule (stock_delta), linear in the quantity: the sign of each kind of movement.
    every = [(kind, returned) for kind in MovementKind for returned in (False, True)]
    signs = {
        (kind.value, returned): stock_delta(Movement(kind, 1, returned))
        for kind, returned in every
        if stock_delta(Movement(kind, 1, returned))
    }
    moving = or_(
        *(
            and_(LedgerEntry.kind == kind, LedgerEntry.from_returned.is_(returned))
            for kind, returned in signs
        )
    )
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    # For corrections: the line each movement is on (of the history, only when it is needed).
    line_of_ledger: dict[int, int] = {}
    if since is not None and not _history_by_lines(
        session, study, product, since, until, signs, moving, initials, tallies
    ):
        line_of_ledger = _count_history(
            session, study, product, since, signs, moving, initials, tallies
        )
    raw = [
        type_coerce(column, NullType())
        for column in (
            LedgerEntry.id,
            LedgerEntry.entry_date,
            LedgerEntry.at,
            LedgerEntry.kind,
            LedgerEntry.quantity,
            LedgerEntry.from_returned,
            LedgerEntry.product,
            LedgerEntry.reason,
            LedgerEntry.reverses_id,
            LedgerEntry.participant_id,
            LedgerEntry.dispense_id,
            LedgerEntry.user_id,
            Kit.lot_id,
            Kit.location,
        )
    ]
    # A period is read by its dates (ix_ledger_entries_entry_date), as queries.ledger_rows
    # reads it: the study's kits are then checked row by row, an expression no index serves.
    of_study = (Kit.study_id + 0 if since else Kit.study_id) == study
    query = (
        select(*raw)
        .join(Kit, Kit.id == LedgerEntry.kit_id)
        .where(of_study, moving)
        .order_by(LedgerEntry.entry_date, LedgerEntry.id)
    )
    if product:
        query = query.where(LedgerEntry.product == product)
    if since:
        query = query.where(LedgerEntry.entry_date >= since)
    if until:
        query = query.where(LedgerEntry.entry_date <= until)
    result = session.connection().execution_options(yield_per=_CHUNK).execute(query)
    for (
        entry_id,
        entry_date,
        at,
        kind,
        quantity,
        from_returned,
        code,
        reason,
        reverses,
        participant_id,
        dispense_id,
        user_id,
        lot_id,
        location,
    ) in itertools.chain.from_iterable(result.partitions()):  # Core rows, a chunk at a time
        sign = signs.get((kind, bool(from_returned)))
        if not sign or not quantity:
            continue
        delta = sign * quantity
        tally = tallies[(code, location)]
        target = line_of_ledger.get(reverses) if reverses is not None else None
        key = _line_key(
            kind,
            entry_date,
            lot_id,
            participant_id,
            dispense_id,
            reason,
            initials.get(user_id, ""),
            delta > 0,
            target,
        )
        number = tally.line(key, at)
        if number is None:
            number = tally.new_line(key)
            tally.groups.append(_Group(number, target, tally.balance, 0, []))
            tally.shown.append(tally.groups[-1])
        place = number - tally.groups[0].number
        group = tally.groups[place]
        group.quantity += delta
        group.ids.append(entry_id)
        for later in tally.groups[place + 1 :]:  # the lines after it come after it
            later.balance_forward += delta
        tally.balance += delta
        line_of_ledger[entry_id] = number
    return tallies


def _stock_change(signs: dict[tuple[str, bool], int], entry: Any) -> Any:
    """A ledger row's change to the stock in SQL, from the signs of stock_delta (0 for a
    movement that does not move the stock)."""
    return case(
        *(
            (
                and_(entry.kind == kind, entry.from_returned.is_(returned)),
                literal(sign) * entry.quantity,
            )
            for (kind, returned), sign in signs.items()
        ),
        else_=literal(0),
    )


def _history_by_lines(
    session: Session,
    study: int,
    product: str | None,
    since: date,
    until: date | None,
    signs: dict[tuple[str, bool], int],
    moving: ColumnElement[bool],
    initials: dict[int, str],
    tallies: dict[tuple[str, str], _Tally],
) -> bool:
    """The history before the period counted by SQL, one group per line, without reading its
    rows: a line is the movements of one transaction that share its key (_tallies), so the
    groups of movements sharing the transaction and the key are the lines. A correction's key
    also holds the line it corrects: the corrections' groups are one line per line they
    correct (_corrected).
    Where that does not settle it (a group not a run, a correction of a correction or of a
    later row, a correction in the period of a line before it, which must be numbered),
    False: _count_history counts row by row."""
    author = aliased(User)
    # Where no two users share their initials, the author's id groups the rows as the initials
    # do, and the users are not joined to every row of the history.
    by_id = len({mark or "" for mark in initials.values()}) == len(initials)
    change = _stock_change(signs, LedgerEntry)
    correction = LedgerEntry.reverses_id.is_not(None)
    key = (
        LedgerEntry.product,
        Kit.location,
        LedgerEntry.at,
        LedgerEntry.kind,
        LedgerEntry.entry_date,
        Kit.lot_id,
        LedgerEntry.participant_id,
        LedgerEntry.dispense_id,
        LedgerEntry.reason,
        LedgerEntry.user_id if by_id else func.coalesce(author.initials, ""),
        change > 0,
        correction,
    )
    history = (
        Kit.study_id == study,
        moving,
        LedgerEntry.entry_date < since,
        *((LedgerEntry.product == product,) if product else ()),
    )
    grouping = (
        select(
            LedgerEntry.product.label("code"),
            Kit.location.label("location"),
            func.sum(change).label("change"),
            func.max(case((correction, 1), else_=0)).label("corrections"),
        )
        .join(Kit, Kit.id == LedgerEntry.kit_id)
        .where(*history)
        .group_by(*key)
    )
    if not by_id:
        grouping = grouping.outerjoin(author, author.id == LedgerEntry.user_id)
    groups = grouping.subquery()
    room_to_group(session)
    counted = session.execute(
        select(
            groups.c.code,
            groups.c.location,
            func.count(),
            func.sum(groups.c.change),
            func.sum(groups.c.corrections),
        ).group_by(groups.c.code, groups.c.location)
    ).all()
    split: dict[tuple[str, str], int] = {}
    if any(fixes for *_rest, fixes in counted):
        found = _corrected(session, history, signs)
        if found is None:
            return False
        split = found
    # A correction in the period of a movement before it names that line by its number.
    earlier = aliased(LedgerEntry)
    in_period = [LedgerEntry.entry_date >= since]
    if until is not None:
        in_period.append(LedgerEntry.entry_date <= until)
    named = (
        select(earlier.id)
        .join(LedgerEntry, LedgerEntry.reverses_id == earlier.id)
        .where(*in_period, earlier.entry_date < since)
        .limit(1)
    )
    if session.execute(named).first() is not None:
        return False
    for code, location, count, balance, _fixes in counted:
        tally = tallies[(code, location)]
        tally.number = int(count) + split.get((code, location), 0)
        tally.balance = tally.opening = int(balance or 0)
    return True


def _corrected(
    session: Session, history: tuple[ColumnElement[bool], ...], signs: dict[tuple[str, bool], int]
) -> dict[tuple[str, str], int] | None:
    """The lines the history's corrections add to their groups: the corrections sharing a
    transaction and a key are one line per line they correct (the line corrected: the group
    of the row reversed, which is a line when that row is no correction itself and came
    before). None when that does not hold."""
    fix, undone = LedgerEntry, aliased(LedgerEntry)
    author, undoer = aliased(User), aliased(User)
    rows = session.execute(
        select(
            fix.id,
            fix.product,
            Kit.location,
            fix.at,
            fix.kind,
            fix.entry_date,
            Kit.lot_id,
            fix.participant_id,
            fix.dispense_id,
            fix.reason,
            func.coalesce(author.initials, ""),
            _stock_change(signs, fix) > 0,
            # The line corrected: the reversed row's group (the same kit, kind and product).
            undone.at,
            undone.entry_date,
            undone.participant_id,
            undone.dispense_id,
            undone.reason,
            func.coalesce(undoer.initials, ""),
            _stock_change(signs, undone) > 0,
            undone.reverses_id,
            undone.id,
        )
        .join(Kit, Kit.id == fix.kit_id)
        .join(undone, undone.id == fix.reverses_id)
        .outerjoin(author, author.id == fix.user_id)
        .outerjoin(undoer, undoer.id == undone.user_id)
        .where(*history, fix.reverses_id.is_not(None))
        .order_by(fix.entry_date, fix.id)
    ).all()
    corrected: dict[tuple[Any, ...], set[tuple[Any, ...]]] = defaultdict(set)
    for row in rows:
        entry_id, own, target = row[0], tuple(row[1:12]), tuple(row[12:19])
        undone_corrects, undone_id = row[19], row[20]
        if undone_corrects is not None or (target[1], undone_id) >= (own[4], entry_id):
            return None
        corrected[own].add(target)
    split: dict[tuple[str, str], int] = defaultdict(int)
    for own, targets in corrected.items():
        split[(own[0], own[1])] += len(targets) - 1
    return split


def _count_history(
    session: Session,
    study: int,
    product: str | None,
    since: date,
    signs: dict[tuple[str, bool], int],
    moving: ColumnElement[bool],
    initials: dict[int, str],
    tallies: dict[tuple[str, str], _Tally],
) -> dict[int, int]:
    """The history before the period, counted into `tallies` as _tallies counts the period
    (the same key makes a line), from thinner rows: each movement's change to the stock
    computed in SQL from the same signs (stock_delta's) instead of its kind's origin, and
    nothing kept but the count, the balance, the last line's key, and the line of each
    movement (returned: a correction names the line it corrects)."""
    delta = _stock_change(signs, LedgerEntry)
    columns = [
        type_coerce(column, NullType())
        for column in (
            LedgerEntry.id,
            LedgerEntry.product,
            Kit.location,
            LedgerEntry.kind,
            LedgerEntry.entry_date,
            LedgerEntry.at,
            Kit.lot_id,
            LedgerEntry.participant_id,
            LedgerEntry.dispense_id,
            LedgerEntry.reason,
            LedgerEntry.user_id,
            LedgerEntry.reverses_id,
            delta,
        )
    ]
    query = (
        select(*columns)
        .join(Kit, Kit.id == LedgerEntry.kit_id)
        .where(Kit.study_id == study, moving, LedgerEntry.entry_date < since)
        .order_by(LedgerEntry.entry_date, LedgerEntry.id)
    )
    if product:
        query = query.where(LedgerEntry.product == product)
    line_of_ledger: dict[int, int] = {}
    place: tuple[str, str] | None = None
    tally = _Tally()
    result = session.connection().execution_options(yield_per=_CHUNK).execute(query)
    for (
        entry_id,
        code,
        location,
        kind,
        entry_date,
        at,
        lot_id,
        participant_id,
        dispense_id,
        reason,
        user_id,
        reverses,
        change,
    ) in itertools.chain.from_iterable(result.partitions()):
        if not change:
            continue
        if place != (code, location):
            place = (code, location)
            tally = tallies[place]
        target = line_of_ledger.get(reverses) if reverses is not None else None
        key = _line_key(
            kind,
            entry_date,
            lot_id,
            participant_id,
            dispense_id,
            reason,
            initials.get(user_id, ""),
            change > 0,
            target,
        )
        number = tally.line(key, at)
        if number is None:
            number = tally.new_line(key)
        tally.balance += change
        line_of_ledger[entry_id] = number
    for tally in tallies.values():
        tally.opening = tally.balance
    return line_of_ledger


def _darf_lines(tally: _Tally, shown: dict[int, LedgerRow]) -> list[DarfLine]:
    """The period's lines, each built from its rows read in full; a line corrected later in
    the period says by which line."""
    corrected_by: dict[int, int] = {}
    for group in tally.shown:
        if group.target is not None:
            corrected_by.setdefault(group.target, group.number)
    return [
        _line(
            group.number,
            [shown[entry_id] for entry_id in group.ids],
            group.balance_forward,
            group.quantity,
            group.target,
            corrected_by.get(group.number),
        )
        for group in tally.shown
    ]


def _line(
    number: int,
    rows: list[LedgerRow],
    balance: int,
    quantity: int,
    target: int | None,
    corrected_by: int | None,
) -> DarfLine:
    first = rows[0]
    return DarfLine(
        number=number,
        entry_date=first.entry_date,
        kind=MovementKind(first.kind),
        participant=first.participant,
        initials=first.initials,
        dose=first.dose,
        quantity=quantity,
        balance_forward=balance,
        balance=balance + quantity,
        lot=first.lot,
        kits=tuple(dict.fromkeys(r.kit for r in rows)),
        recorder=first.user_initials,
        checked_by=first.checked_by,
        dispense=first.dispense,
        note=_darf_note(first, target, rows),
        corrects_line=target,
        corrected_by_line=corrected_by,
        ledger_ids=tuple(r.id for r in rows),
    )


class PeriodRefused(InvalidInput):
    """A period refused for one of its dates, naming which (`end`: "since" or "until"), so
    that a window marks that date and puts the cursor back in it, as a date typed wrong."""

    def __init__(self, message: str, end: Literal["since", "until"]) -> None:
        super().__init__(message)
        self.end = end


def check_period(since: date | None, until: date | None) -> None:
    """A report period that ends before it starts is a slip: refused, not shown empty; a date
    outside the plausible window (year 9999) is refused rather than overflowing a day later."""
    if since is not None:
        check_date_window(since, N_("start of the period"))
    if until is not None:
        check_date_window(until, N_("end of the period"))
    if since is not None and until is not None and until < since:
        raise PeriodRefused(  # the end is the date to correct (the start is read first)
            _(
                "The period ends ({until}) before it starts ({since}); give the dates the other "
                "way round."
            ).format(until=until.isoformat(), since=since.isoformat()),
            "until",
        )


def _darf_note(row: LedgerRow, target: int | None, rows: Sequence[LedgerRow] = ()) -> str:
    # The reasons a user typed are printed as recorded; the program's own (a receipt's
    # shipment, a dispense's cycle: domain.reasons) and the words around them are the reader's.
    if row.reverses is not None:  # a void (the only reversal: stock.move_kit), its reason typed
        # Called a void, not a correction: the kits never left, and the reader must see it.
        if target is not None:
            return _(
                "Dispense {dispense} voided, line {line} undone (its kits never left the "
                "pharmacy): {reason}"
            ).format(dispense=row.dispense, line=target, reason=row.reason)
        return _(
            "Dispense {dispense} voided, ledger entry {entry} undone (its kits never left the "
            "pharmacy): {reason}"
        ).format(dispense=row.dispense, entry=row.reverses, reason=row.reason)
    reason = reasons.in_reader_words(
        row.reason, reasons.LEDGER_FORMS.get(row.kind, ()), reasons.LEDGER_PARTS
    )
    kind = MovementKind(row.kind)
    if kind is MovementKind.DISPENSE:
        if not reason:
            return row.dispense
        return _("{dispense}, {reason}").format(dispense=row.dispense, reason=reason)
    if kind is MovementKind.ADJUST:
        said = _("Count adjustment ({reason})").format(reason=_coded_reason(reason))
        if row.verified_by:  # the countersigner beside the recorder (the line's "by")
            said = _("{adjustment}, verified by {initials}").format(
                adjustment=said, initials=row.verified_by
            )
        return said
    said = reason[:1].upper() + reason[1:]
    if kind is MovementKind.DESTROY and row.witness:
        # The method alone does not tie the line to its certificate: the sponsor's
        # authorisation and the witness do (of each destruction the line's kits left in).
        every = rows or (row,)
        references = listed(dict.fromkeys(r.authorisation for r in every if r.authorisation))
        witnesses = listed(dict.fromkeys(r.witness for r in every if r.witness))
        if references:
            return _("{destroyed}; authorisation {reference}, witnessed by {witness}").format(
                destroyed=said, reference=references, witness=witnesses
            )
        return _("{destroyed}; witnessed by {witness}").format(destroyed=said, witness=witnesses)
    return said


def _coded_reason(stored: str) -> str:
    """A count adjustment's reason as stored ("breakage: One tablet found broken"): its reason
    code in the reader's words ("破损：One tablet found broken"), the typed reason as typed."""
    code, colon, typed = stored.partition(": ")
    if not colon or code not in {c.value for c in ReasonCode}:
        return stored
    return _("{code}: {reason}").format(code=reason_code_words(code), reason=typed)


def _darf_record(
    ctx: Context,
    code: str,
    area: str,
    opening: int,
    shown: list[DarfLine],
    since: date | None,
    until: date | None,
) -> DarfRecord:
    study = ctx.study
    product = study.product(code)
    closing = shown[-1].balance if shown else opening
    return DarfRecord(
        product=code,
        agent=product.name,
        form_strength=f"{product.strength} {product.form} ({product.route})",
        unit=f"{product.form}s",
        storage_area=area,
        institution=study.site_name,
        site=study.site,
        protocol=study.protocol,
        org_study_id=study.org_study_id,
        title=study.title,
        investigator=study.investigator,
        since=since,
        until=until,
        opening_balance=opening,
        lines=tuple(shown),
        closing_balance=closing,
        manufacturer=product.manufacturer,
    )


# ---------------------------------------------------------------------------------------------
# Returns, quarantines, excursions


def returns_log(
    ctx: Context,
    actor: Actor,
    since: date | None = None,
    until: date | None = None,
    study_number: str | None = None,
) -> list[ReturnLogRow]:
    """Every return recorded, corrections included (the replaced count stays visible)."""
    require(actor, Permission.VIEW, ctx)
    check_period(since, until)
    query = (
        select(Return, Dispense, Participant, Kit)
        .join(Dispense, Dispense.id == Return.dispense_id)
        .join(Participant, Participant.id == Dispense.participant_id)
        .join(Kit, Kit.id == Return.kit_id)
        .where(Participant.study_id == ctx.study_id)
        .options(joinedload(Kit.lot))
        .order_by(Return.returned_on, Return.id)
    )
    if since is not None:
        query = query.where(Return.returned_on >= since)
    if until is not None:
        query = query.where(Return.returned_on <= until)
    today = ctx.clock.today()
    with read_transaction(ctx.engine) as session:
        if study_number is not None:
            person = get_participant(
                session, study_number, ctx.study_id, reader=Readable(session, actor)
            )
            query = query.where(Participant.id == person.id)
        users = _initials(session)
        corrected_by = dict(
            session.execute(
                select(Return.corrects_id, Return.id).where(Return.corrects_id.is_not(None))
            )
            .tuples()
            .all()
        )
        dispensed = {
            (d, k): t
            for d, k, t in session.execute(
                select(DispenseKit.dispense_id, DispenseKit.kit_id, DispenseKit.tablets)
            ).tuples()
        }
        found = session.execute(query).tuples().all()
        # A correction's row says its own reason, not the note it kept of the return it
        # corrects (which that return's row says).
        reasons_of = queries.correction_reasons(
            session, [row[0] for row in found if row[0].corrects_id is not None]
        )
        rows = []
        for ret, dispense, person, kit in found:
            rows.append(
                ReturnLogRow(
                    return_id=ret.id,
                    returned_on=ret.returned_on,
                    participant=person.study_number,
                    initials=person.initials,
                    dispense=dispense.number,
                    cycle=dispense.cycle,
                    kit=kit.number,
                    product=kit.product,
                    lot=kit.lot.number,
                    dispensed=dispensed.get((dispense.id, kit.id), 0),
                    returned=ret.tablets,
                    held_days=ret.held_days,
                    condition=ret.condition,
                    note=reasons_of.get(ret.id, ret.note),
                    counted_by=users.get(ret.counted_by_id, "?"),
                    corrects=ret.corrects_id,
                    corrected_by=corrected_by.get(ret.id),
                    kit_status=status_now(kit, today),
                    outcome=ret.outcome or "",
                    held_from=ret.held_from,
                    held_until=ret.held_until,
                    held_ordered_by=ret.held_ordered_by or "",
                )
            )
        return rows


def returns_report(
    ctx: Context,
    actor: Actor,
    since: date | None = None,
    until: date | None = None,
    study_number: str | None = None,
) -> ReturnsLog:
    """The returns log of a period (of one participant if named), as its own report."""
    rows = returns_log(ctx, actor, since, until, study_number)
    return ReturnsLog(tuple(rows), since, until, study_number)


def destruction_report(
    ctx: Context, actor: Actor, since: date | None = None, until: date | None = None
) -> DestructionLog:
    """The destruction log of a period, as its own report."""
    return DestructionLog(tuple(queries.destruction_log(ctx, actor, since, until)), since, until)


def _initials(session: Session) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.initials)).tuples().all())


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The period checked, as UTC instants: from the first day's start to the last day's end,
    the days this workstation's local days (`local_day_start`, as the audit trail's filter):
    at UTC+8 an entry made at 07:00 on the 3rd is the 3rd's, not the UTC 2nd's."""
    check_period(since, until)
    start = local_day_start(since) if since is not None else None
    end = local_day_start(until + timedelta(days=1)) if until is not None else None
    return start, end


_Query = TypeVar("_Query", bound=Select[Any])


def _touching(
    query: _Query,
    first: InstrumentedAttribute[datetime],
    last: InstrumentedAttribute[datetime],
    since: date | None,
    until: date | None,
) -> _Query:
    """The rows whose time from `first` to `last` touches the period: an excursion that began
    before it but ended in it counts; an event (`first` is `last`) counts when it is in it."""
    start, end = day_bounds(since, until)
    if start is not None:
        query = query.where(last >= start)
    if end is not None:
        query = query.where(first < end)
    return query


def quarantine_log(
    ctx: Context, actor: Actor, since: date | None = None, until: date | None = None
) -> list[QuarantineRow]:
    require(actor, Permission.VIEW, ctx)
    events = (
        select(QuarantineEvent, Kit)
        .join(Kit, Kit.id == QuarantineEvent.kit_id)
        .where(Kit.study_id == ctx.study_id)
        .options(joinedload(Kit.lot))
        .order_by(QuarantineEvent.at, QuarantineEvent.id)
    )
    query = _touching(events, QuarantineEvent.at, QuarantineEvent.at, since, until)
    with read_transaction(ctx.engine) as session:
        users = _initials(session)
        rows = [
            QuarantineRow(
                event.at,
                kit.number,
                kit.product,
                kit.lot.number,
                event.action,
                event.reason,
                users.get(event.user_id, "?"),
                event.excursion_id
                if event.action == "quarantine" or event.excursion_id is not None
                else _ended(session, event),
                event.sponsor_reference or "",
            )
            for event, kit in session.execute(query).tuples()
        ]
        rows += _quarantines_ended_by_destruction(session, ctx.study_id, since, until)
        rows.sort(key=lambda r: r.at)
        return rows


def _ended(session: Session, event: QuarantineEvent) -> int | None:
    """The excursion of the quarantine a release (or a rejection) ends: the kit's last
    quarantine before it (only a quarantine's event names its excursion; the log's release row
    of a kit held for an excursion said none)."""
    return session.scalar(
        select(QuarantineEvent.excursion_id)
        .where(
            QuarantineEvent.kit_id == event.kit_id,
            QuarantineEvent.action == "quarantine",
            QuarantineEvent.id < event.id,
        )
        .order_by(QuarantineEvent.id.desc())
        .limit(1)
    )


def _quarantines_ended_by_destruction(
    session: Session, study: int, since: date | None, until: date | None
) -> list[QuarantineRow]:
    """A quarantine closed by destroying the kit (or returning it to the sponsor), not by a
    release or a rejection: its closing row, "destroyed" with the destruction's method and the
    sponsor's authorisation, so the log never leaves a quarantine without its end."""
    destroyed = (
        select(LedgerEntry, Destruction, Kit)
        .join(Destruction, Destruction.id == LedgerEntry.destruction_id)
        .join(Kit, Kit.id == LedgerEntry.kit_id)
        .where(
            Kit.study_id == study,
            LedgerEntry.kind == MovementKind.DESTROY.value,
            exists().where(QuarantineEvent.kit_id == Kit.id),
        )
        .options(joinedload(Kit.lot))
        .order_by(LedgerEntry.at, LedgerEntry.id)
    )
    destroyed = _touching(destroyed, LedgerEntry.at, LedgerEntry.at, since, until)
    users = _initials(session)
    rows = []
    for entry, destruction, kit in session.execute(destroyed).tuples():
        last = session.scalars(
            select(QuarantineEvent)
            .where(QuarantineEvent.kit_id == kit.id, QuarantineEvent.at <= entry.at)
            .order_by(QuarantineEvent.at.desc(), QuarantineEvent.id.desc())
            .limit(1)
        ).first()
        if last is None or last.action != "quarantine":
            continue  # released (or rejected) before: that row closed the quarantine
        rows.append(
            QuarantineRow(
                entry.at,
                kit.number,
                kit.product,
                kit.lot.number,
                ENDED_BY_DESTRUCTION[1] if destruction.to_sponsor else ENDED_BY_DESTRUCTION[0],
                destruction.method,
                users.get(destruction.user_id, "?"),
                last.excursion_id,
                destruction.reference,
            )
        )
    return rows


def excursions(
    ctx: Context, actor: Actor, since: date | None = None, until: date | None = None
) -> list[ExcursionRow]:
    """Temperature excursions in the study's storage areas that overlap the period, with the
    study's kits each quarantined (an area shared with another study names only this study's
    kits, and not the excursions outside that study's range only; an area only another study
    uses is not listed)."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        areas = temperature.study_area_names(session, ctx)
        spans = (
            select(Excursion)
            .where(Excursion.storage_area.in_(sorted(areas)))
            .order_by(Excursion.started_at, Excursion.id)
        )
        query = _touching(spans, Excursion.started_at, Excursion.ended_at, since, until)
        users = _initials(session)
        whose = temperature.excursion_studies(session)
        gone = temperature.excursion_kits_gone(session)
        held = temperature.excursion_kits_held(session)
        bounds = temperature.excursion_bounds(session)
        by_hand = temperature.excursions_by_hand(session)
        kits_of: dict[int, list[str]] = defaultdict(list)
        for excursion_id, number in session.execute(
            select(QuarantineEvent.excursion_id, Kit.number)
            .join(Kit, Kit.id == QuarantineEvent.kit_id)
            .where(QuarantineEvent.excursion_id.is_not(None), Kit.study_id == ctx.study_id)
            .order_by(Kit.number)
        ).tuples():
            if excursion_id is not None:
                kits_of[excursion_id].append(number)
        return [
            ExcursionRow(
                e.id,
                e.storage_area,
                e.started_at,
                e.ended_at,
                e.lowest,
                e.highest,
                e.source,
                tuple(kits_of[e.id]),
                users.get(e.user_id, "?"),
                e.at,
                gone.get(e.id, ()),
                held.get(e.id, ()),
                *bounds.get(e.id, (None, None)),
                e.id in by_hand,
            )
            for e in session.scalars(query)
            if whose.get(e.id, ctx.study.protocol) == ctx.study.protocol
        ]


# ---------------------------------------------------------------------------------------------
# Stock, participants, lots, audit


def expiry_report(ctx: Context, actor: Actor, within_days: int = 90) -> ExpiryReport:
    """Stock on the shelf that expires soon, and expired stock not yet destroyed."""
    if isinstance(within_days, bool) or not isinstance(within_days, int) or within_days < 0:
        raise InvalidInput(
            _("'{value}' is not a number of days (0 or more).").format(value=within_days)
        )
    today = ctx.clock.today()
    horizon = days_after(today, within_days, N_("number of days ahead"))
    kits = queries.inventory(ctx, actor)
    shelf = (KitStatus.AVAILABLE, KitStatus.QUARANTINED)
    expiring = [k for k in kits if k.status in shelf and today <= k.expiry <= horizon]
    expired = [k for k in kits if k.status is KitStatus.EXPIRED]
    return ExpiryReport(
        today,
        within_days,
        tuple(sorted(expiring, key=_by_expiry)),
        tuple(sorted(expired, key=_by_expiry)),
    )


def _by_expiry(kit: KitRow) -> tuple[date, str, str, str]:
    return (kit.expiry, kit.product, kit.lot, kit.number)


def participant_report(ctx: Context, actor: Actor, study_number: str) -> ParticipantReport:
    """Gathered in one snapshot: the history, the eligibility and the returns agree."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        record = queries.participant_record(ctx, actor, study_number)
        person = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        confirmed_by, confirmed_at = (
            person.eligibility_confirmed_by,
            person.eligibility_confirmed_at,
        )
        criteria = _criteria_ticked(person.eligibility_checklist)
        returns = returns_log(ctx, actor, study_number=study_number)
    return ParticipantReport(
        record.participant,
        confirmed_by,
        confirmed_at,
        record.history,
        tuple(returns),
        record.changes,
        criteria,
    )


def _criteria_ticked(checklist: str) -> int:
    """The criteria the enrolment's checklist recorded (a JSON list; "" or "[]": none)."""
    try:
        ticked = json.loads(checklist) if checklist else []
    except ValueError:
        return 0
    return len(ticked) if isinstance(ticked, list) else 0


def lot_trace(ctx: Context, actor: Actor, lot: str) -> LotTrace:
    """A recall list: every kit of the lot, and every dispense, participant and kit it reached."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        # Every record of the number: an older release may have recorded it in two cases.
        records = get_lot_records(session, lot, ctx.study_id, ctx.study.product_name)
        record, ids = records[0], [r.id for r in records]
        number = record.number.upper()
        kits = list(
            session.scalars(select(Kit).where(Kit.lot_id.in_(ids), Kit.study_id == ctx.study_id))
        )
        lines = (
            session.execute(
                select(DispenseKit, Dispense, Participant, Kit)
                .join(Dispense, Dispense.id == DispenseKit.dispense_id)
                .join(Participant, Participant.id == Dispense.participant_id)
                .join(Kit, Kit.id == DispenseKit.kit_id)
                .where(Kit.lot_id.in_(ids), Kit.study_id == ctx.study_id)
                .order_by(Dispense.dispensed_on, Dispense.id, Kit.number)
            )
            .tuples()
            .all()
        )
        dispense_ids = {dispense.id for _kit, dispense, _lot, _more in lines}
        voided = voided_ids(session, dispense_ids)
        returned: dict[tuple[int, int], tuple[int, date]] = {}
        for dispense_id in dispense_ids:
            for ret in queries.current_returns(session, dispense_id):
                returned[(dispense_id, ret.kit_id)] = (ret.tablets, ret.returned_on)
        rows = []
        for line, dispense, person, kit in lines:
            back = returned.get((dispense.id, kit.id))
            rows.append(
                LotTraceRow(
                    dispense.dispensed_on,
                    dispense.number,
                    person.study_number,
                    person.initials,
                    dispense.cycle,
                    kit.number,
                    line.tablets,
                    back[0] if back else None,
                    back[1] if back else None,
                    dispense.id in voided,
                )
            )
        product, expiry, received = record.product, record.expiry, sum(k.tablets for k in kits)
        kit_rows = queries.inventory(ctx, actor, product=product, lot=number)
    return LotTrace(number, product, expiry, tuple(kit_rows), received, tuple(rows))


CHOICES_LISTED = 12
"""Most destructions a refusal lists (the latest first); the destruction log has them all."""


def destruction_choices(ctx: Context, actor: Actor) -> list[DestructionChoice]:
    """Every destruction and return to the sponsor on record, the latest first: what a
    certificate of destruction or return to the sponsor may be made for."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        return _destruction_choices(session, ctx.study_id)


def _destruction_choices(session: Session, study: int) -> list[DestructionChoice]:
    return [
        DestructionChoice(d.id, d.destroyed_on, d.reference, d.to_sponsor, len(json.loads(d.kits)))
        for d in session.scalars(
            select(Destruction).order_by(Destruction.destroyed_on.desc(), Destruction.id.desc())
        )
        if queries.destruction_of_study(session, d, study)
    ]


def destruction_certificate(
    ctx: Context, actor: Actor, which: str | None
) -> DestructionCertificate:
    """The certificate of one destruction, named by its record number ('3' or '#3'), or of
    every destruction under one sponsor's authorisation reference (a reference that reads as
    a number is taken as the reference; '#3' is always record 3). Not named, or named wrongly:
    refused with the destructions on record, so the user can choose one."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine):
        choices = destruction_choices(ctx, actor)
        if not choices:
            raise NotFound(
                _(  # the report named as its title names it (reports.catalogue)
                    "No destruction or return to the sponsor is on record: there is no "
                    "certificate of destruction or return to the sponsor to make."
                )
            )
        if which is None or not which.strip():
            raise InvalidInput(
                _(
                    "Choose the destruction: its record number or the sponsor's authorisation "
                    "reference. {choices}"
                ).format(choices=_choices_text(choices))
            )
        text = check_text(
            which, N_("destruction (record number or authorisation reference)"), limit=120
        )
        chosen, asked = _chosen(choices, text)
        if not chosen:
            raise NotFound(
                _(
                    "There is no destruction '{text}' (a record number, or the sponsor's "
                    "authorisation reference). {choices}"
                ).format(text=text, choices=_choices_text(choices))
            )
        first = min(c.destroyed_on for c in chosen)
        last = max(c.destroyed_on for c in chosen)
        wanted = {c.destruction_id for c in chosen}
        rows = queries.destruction_log(ctx, actor, first, last)
        return DestructionCertificate(asked, tuple(r for r in rows if r.destruction_id in wanted))


def _chosen(choices: Sequence[DestructionChoice], text: str) -> tuple[list[DestructionChoice], str]:
    """The destructions a name picks, and the name in words."""
    number = text.removeprefix("#").strip()
    if not text.startswith("#"):
        folded = text.casefold()
        same = [c for c in choices if c.reference and c.reference.casefold() == folded]
        if same:
            return sorted(same, key=lambda c: (c.destroyed_on, c.destruction_id)), (
                f"authorisation {same[0].reference}"
            )
        number = number.removeprefix("No.").strip()
    if number.isdecimal() and len(number) <= 12:
        found = [c for c in choices if c.destruction_id == int(number)]
        return found, f"destruction No. {int(number)}"
    return [], ""


def _choices_text(choices: Sequence[DestructionChoice]) -> str:
    listed = _("; ").join(c.text for c in choices[:CHOICES_LISTED])
    more = len(choices) - CHOICES_LISTED
    if more > 0:
        return _(
            "On record, the latest first: {listed}; and {more} older (see the destruction log)."
        ).format(listed=listed, more=more)
    return _("On record, the latest first: {listed}.").format(listed=listed)


def audit_report(
    ctx: Context, actor: Actor, chosen: audit_service.AuditFilter | None = None
) -> AuditReport:
    """The audit trail's entries `chosen` keeps, exactly as the Audit trail screen lists them
    (services.audit.matching: the period in this workstation's local days, the user, action,
    text, kit and participant), with the verification of the whole chain."""
    require(actor, Permission.AUDIT, ctx)
    chosen = chosen if chosen is not None else audit_service.AuditFilter()
    check_period(chosen.since, chosen.until)
    with read_transaction(ctx.engine):  # the entries listed are those verified
        entries = audit_service.matching(ctx, actor, chosen)
        signers = audit_service.signers_of(ctx, actor, [e.id for e in entries])
        return AuditReport(chosen, tuple(entries), audit_service.verify(ctx, actor), signers)


def monitor_pack(ctx: Context, actor: Actor, since: date, until: date) -> MonitorPack:
    """What a monitor's visit covers: reconciliation, DARFs, logs, and the audit check, all
    read in one snapshot, so a receive saved meanwhile is in every part or in none."""
    require(actor, Permission.VIEW, ctx)
    start, end = day_bounds(since, until)
    # Every part reads the same days: this workstation's local days (day_bounds, as the audit
    # report's AuditFilter.bounds), for the audit entries counted, the records' changes and the
    # logs alike (the changes and logs read UTC days, so at UTC+8 an entry made at 07:00 on the
    # 3rd fell on the 2nd).
    trail = audit_service.AuditFilter(since=since, until=until)
    with read_transaction(ctx.engine) as session:
        destructions = queries.destruction_log(ctx, actor, since, until)
        entries = audit_service.matching(ctx, actor, trail)
        logs = temperature.coverage_in(session, ctx)
        reconciled = reconcile(ctx, actor)
        items = _open_items(session, ctx, logs, since, until, reconciled.discrepancies)
        return MonitorPack(
            since=since,
            until=until,
            reconciliation=reconciled,
            darfs=tuple(darf_records(ctx, actor, since=since, until=until)),
            returns=tuple(returns_log(ctx, actor, since, until)),
            destructions=tuple(destructions),
            quarantines=tuple(quarantine_log(ctx, actor, since, until)),
            excursions=tuple(excursions(ctx, actor, since, until)),
            verification=audit_service.verify(ctx, actor),
            audit_entries_in_range=len(entries),
            open_items=tuple(items),
            coverage=tuple(
                LogCoverage(
                    c.storage_area,
                    local_day(c.since),
                    c.first_reading,
                    c.last_reading,
                    c.imports,
                    len(c.gaps),
                    c.by_hand,
                )
                for c in logs
            ),
            quarantined_now=sum(1 for i in items if i.kind == "Quarantine awaiting decision"),
            # The changes a participant's record lists (participant_record): the row's
            # corrections, status changes and voids, and the return counts corrected.
            record_changes=tuple(
                sorted(
                    (
                        (number, change)
                        for found in (
                            queries.record_changes(session, ctx.study_id, since=start, until=end),
                            queries.return_recounts(session, ctx.study_id, since=start, until=end),
                        )
                        for number, changes in found.items()
                        for change in changes
                    ),
                    key=lambda item: (item[1].at, item[0]),
                )
            ),
        )


def quarantine_reason(reason: str, excursion_id: int | None) -> str:
    """A quarantine's reason in the reader's words where the program wrote it (a receipt with
    its temperature record not acceptable, an excursion), as the quarantine log and the open
    items give it; a reason typed by hand as typed."""
    forms = reasons.EXCURSION_FORMS if excursion_id is not None else reasons.RECEIPT_FORMS
    return reasons.in_reader_words(reason, forms)


def open_items(ctx: Context, actor: Actor, since: date, until: date) -> list[OpenItem]:
    """What the monitor pack lists as open on `until`, whenever each item began."""
    require(actor, Permission.VIEW, ctx)
    check_period(since, until)
    with read_transaction(ctx.engine) as session:
        logs = temperature.coverage_in(session, ctx)
        findings = reconcile_session(session, ctx).discrepancies
        return _open_items(session, ctx, logs, since, until, findings)


def _open_items(
    session: Session,
    ctx: Context,
    logs: Sequence[temperature.Coverage],
    since: date,
    until: date,
    findings: Sequence[Discrepancy],
) -> list[OpenItem]:
    """Everything open on `until`: read here, or (`findings`) the reconciliation's findings of
    the kinds the pack lists as they are (_OPEN_FINDINGS: a return overdue was on the
    reconciliation and not in the pack's open items)."""
    users = _initials(session)
    names = dict(session.execute(select(User.id, User.full_name)).tuples().all())
    found: list[OpenItem] = []

    def add(kind: str, on: date | None, subject: str, detail: str) -> None:
        if on is None or on <= until:
            found.append(OpenItem(kind, on, subject, detail, on is not None and on < since))

    # Kits in quarantine now, from the event that put them there (at receipt, or an excursion).
    last_event: dict[int, QuarantineEvent] = {}
    for event in session.scalars(
        select(QuarantineEvent)
        .join(Kit, Kit.id == QuarantineEvent.kit_id)
        .where(Kit.status == KitStatus.QUARANTINED.value, Kit.study_id == ctx.study_id)
        .order_by(QuarantineEvent.at, QuarantineEvent.id)
    ):
        if event.action == "quarantine":
            last_event[event.kit_id] = event
    today = ctx.clock.today()
    for kit in session.scalars(
        select(Kit)
        .where(Kit.status == KitStatus.QUARANTINED.value, Kit.study_id == ctx.study_id)
        .options(joinedload(Kit.lot), joinedload(Kit.shipment))
        .order_by(Kit.number)
    ):
        found_event = last_event.get(kit.id)
        on = local_day(found_event.at) if found_event else kit.shipment.received_on
        # The reason the program wrote (at a receipt, by an excursion) in the reader's words,
        # as the quarantine log gives it; a reason typed by hand as typed.
        why = (
            _("{reason} ({by})").format(
                reason=quarantine_reason(found_event.reason, found_event.excursion_id),
                by=users.get(found_event.user_id, "?"),
            )
            if found_event
            else _("at receipt")
        )
        add(
            OPEN_KINDS[0],
            on,
            kit.number,
            _(
                "{product} lot {lot}: quarantined {days} days ago, {why}; release or reject it."
            ).format(
                product=ctx.study.product_name(kit.product),  # as the reader names it
                lot=kit.lot.number,
                days=(today - on).days,
                why=why,
            ),
        )
    for log in logs:
        for gap in log.gaps:
            add(OPEN_KINDS[1], local_day(gap.start), gap.storage_area, gap.text)
    for number, row in queries.open_flags(session, ctx):
        labels = flags_said(ctx.study, row)
        add(
            OPEN_KINDS[2],
            row.returned_on,
            number,
            _("{dispense} cycle {cycle}: {flags}; {taken}; no reason recorded.").format(
                dispense=row.dispense_number,
                cycle=row.cycle,
                flags=labels,
                taken=taken_said(ctx.study, row),
            ),
        )
    live = list(
        session.execute(
            select(Dispense, Participant)
            .join(Participant, Participant.id == Dispense.participant_id)
            .where(not_voided(), Participant.study_id == ctx.study_id)
            .order_by(Participant.study_number, Dispense.cycle, Dispense.attempt)
        ).tuples()
    )
    for dispense, person in live:
        if dispense.warning_override:
            add(
                OPEN_KINDS[3],
                dispense.dispensed_on,
                person.study_number,
                _("{dispense} cycle {cycle}, by {name}: {reason}").format(
                    dispense=dispense.number,
                    cycle=dispense.cycle,
                    name=names.get(dispense.dispensed_by_id, "?"),
                    reason=dispense.warning_override,
                ),
            )
    previous: dict[int, int] = {}
    for dispense, person in live:
        before = previous.get(person.id, 0)
        previous[person.id] = dispense.dose_level
        if dispense.dose_level == before:
            continue
        level = _dose_name(ctx, dispense.dose_level)
        ordered = (
            _("ordered by {name}").format(
                name=ctx.study.person_name(dispense.dose_ordered_by).rstrip(".")
            )
            if dispense.dose_ordered_by
            else _("NO ordering investigator recorded")
        )
        add(
            OPEN_KINDS[4],
            dispense.dispensed_on,
            person.study_number,
            _("{dispense} cycle {cycle}: {before} to {level}; {ordered}.").format(
                dispense=dispense.number,
                cycle=dispense.cycle,
                before=_dose_name(ctx, before),
                level=level,
                ordered=ordered,
            ),
        )
    # A count difference is open only while the reconciliation lists it to review; one
    # adjusted with a reason and countersigned is a record (the pack's reconciliation lists it,
    # with who verified it), not something a monitor must act on.
    for finding in count_findings(session, ctx.study_id, ctx.study):
        if finding.kind.to_review:
            add(OPEN_KINDS[5], finding.on, finding.subject, finding.message)
    for shipment in session.scalars(
        select(Shipment)
        .where(
            Shipment.temperature_ok.is_(False),
            shipments_of(ctx.study_id),
        )
        .order_by(Shipment.received_on, Shipment.id)
    ):
        statuses: dict[str, int] = defaultdict(int)
        for kit in shipment.kits:
            statuses[KitStatus(kit.status).label] += 1
        now = _(", ").join(
            _("{count} {status}").format(count=n, status=_(status).lower())
            for status, n in sorted(statuses.items())
        )
        add(
            OPEN_KINDS[6],
            shipment.received_on,
            shipment.number,
            _("temperature alarm at receipt ({condition}); its kits now: {now}.").format(
                condition=receiving.condition_words(shipment.condition), now=now
            ),
        )
    for finding in findings:
        if finding.kind in _OPEN_FINDINGS:
            add(_OPEN_FINDINGS[finding.kind], finding.on, finding.subject, finding.message)
    order = {kind: i for i, kind in enumerate(OPEN_KINDS)}
    return sorted(found, key=lambda i: (order[i.kind], i.since or date.min, i.subject))


def _dose_name(ctx: Context, level: int) -> str:
    try:
        ctx.study.dose_level(level)
    except NotFound:  # a level no longer in the study file still shows by its number
        return _("level {level}").format(level=level)
    return _("level {level} ({name})").format(level=level, name=ctx.study.dose_name(level))


# ---------------------------------------------------------------------------------------------
# Labels


def _refuse_other_study_shipment(session: Session, ctx: Context, actor: Actor, number: str) -> None:
    """A shipment number the open study does not hold, held by another study the user may
    open: refused as every other step refuses another study's record (other_study), naming
    the study to switch to; held by several such studies (a number is unique within a study,
    not the pharmacy: two sponsors may both send an SH1), said so, with each, to choose one.
    Of a study they may not open it stays "no shipment" (a different answer would confirm
    another sponsor's delivery number)."""
    reader = Readable(session, actor)
    seen = {
        study: recorded
        for study, recorded in shipment_studies(session, number).items()
        if study in reader and study != ctx.study_id
    }
    if len(seen) == 1:
        [(study, recorded)] = seen.items()
        raise other_study(
            session, study, _("Shipment {shipment}").format(shipment=recorded), recorded, reader
        )
    if seen:
        protocols = session.scalars(
            select(StudyRecord.protocol)
            .where(StudyRecord.id.in_(list(seen)))
            .order_by(StudyRecord.protocol)
        )
        raise NotFound(
            _(
                "There is no shipment '{shipment}' in the study open; studies {studies} each "
                "have a shipment of that number. Switch to the study you mean (on the command "
                "line, name it with --study PROTOCOL)."
            ).format(shipment=number[:60], studies=listed(protocols))
        )


IN_BATCH = 500
"""Most values one `IN (...)` list carries (SQLite allows 32,766 bound variables, or 999 in
builds before 3.32)."""


def kit_label_rows(
    ctx: Context, actor: Actor, kits: Sequence[str] = (), shipment: str | None = None
) -> list[KitLabelRow]:
    """The kits of a shipment (a sheet of labels at receipt), or the kits named."""
    require(actor, Permission.PRINT_LABEL, ctx)
    if not kits and not shipment:
        raise InvalidInput(_("Name the kits, or the shipment whose kit labels to print."))
    with read_transaction(ctx.engine) as session:
        query = (
            select(Kit)
            .join(Shipment, Shipment.id == Kit.shipment_id)
            .where(Kit.study_id == ctx.study_id)
            .options(joinedload(Kit.lot), joinedload(Kit.shipment))
            .order_by(Kit.number)
        )
        if shipment:
            number = shipment.strip()
            # A shipment of another study is "no shipment" here too: the sheet would be empty,
            # and a different answer would confirm another sponsor's delivery number. Upper
            # case, as received; one recorded in another case by an older release is found too
            # (the study's few shipments, compared whole: no index serves upper()).
            found_ids = list(
                session.scalars(
                    select(Shipment.id).where(
                        func.upper(Shipment.number) == number.upper(), shipments_of(ctx.study_id)
                    )
                )
            )
            if not found_ids:
                _refuse_other_study_shipment(session, ctx, actor, number)
                raise NotFound(
                    _("There is no shipment '{shipment}'. Check the number.").format(
                        shipment=number[:60]
                    )
                )
            query = query.where(Kit.shipment_id.in_(found_ids))
        wanted: list[str] = []
        found: dict[str, Kit] = {}
        if kits:
            wanted = list(dict.fromkeys(normalise_kit_number(k) for k in kits))
            for start in range(0, len(wanted), IN_BATCH):  # bounded: SQLite's variable limit
                batch = query.where(Kit.number.in_(wanted[start : start + IN_BATCH]))
                found.update((k.number, k) for k in session.scalars(batch).unique())
        else:
            found = {k.number: k for k in session.scalars(query).unique()}
        missing = [n for n in wanted if n not in found]
        if missing and not shipment:
            # A kit of another study is refused as every other step refuses it (get_kit):
            # that study named to a user who may open it, to switch to.
            try:
                get_kit(session, missing[0], ctx.study_id, reader=Readable(session, actor))
            except InOtherStudy:
                raise
            except NotFound:
                pass  # no such kit: "not in stock", below
        if missing:
            refusal = (
                _("Kit {kit} is not in stock in shipment {shipment}. Check the kit number.")
                if shipment
                else _("Kit {kit} is not in stock. Check the kit number.")
            )
            raise NotFound(refusal.format(kit=missing[0], shipment=(shipment or "").strip()))
        order = wanted or sorted(found)
        return [
            KitLabelRow(
                k.number,
                k.product,
                k.lot.number,
                k.lot.expiry,
                k.tablets,
                k.shipment.number,
                k.shipment.received_on,
                k.status,
            )
            for k in (found[n] for n in order)
        ]


def dispense_for_label(ctx: Context, actor: Actor, dispense_ref: str) -> DispenseResult:
    """A dispense whose label or leaflet may be printed: a voided one went nowhere, so no
    bottle may carry its label. Its directions as the study file it was made with words them
    (services.study_versions), whatever the file says since."""
    require(actor, Permission.PRINT_LABEL, ctx)
    with read_transaction(ctx.engine) as session:
        record = get_dispense(session, dispense_ref, ctx.study_id, reader=Readable(session, actor))
        if is_voided(session, record):
            raise RuleViolation(
                _(
                    "Dispense {dispense} was voided: it has no label or leaflet. If the cycle was "
                    "dispensed again, print the label of that dispense."
                ).format(dispense=record.number)
            )
        made_with, _version = study_of_dispense(session, ctx, record)
        return queries.dispense_result(session, ctx, record, (), made_with)
