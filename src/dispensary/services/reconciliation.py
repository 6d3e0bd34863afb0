"""Reconciliation: balances per product, lot, kit and participant, and every discrepancy.

Read in full it reads the whole history (every kit's ledger, every participant's dispenses:
seconds at a million ledger rows). So the last reconciliation of each database and study is
kept in memory with the audit entry it was read at, and the next one carries it forward: the
audit entries written since name every fact row their steps wrote (issue 11) and the ledger
rows since name their kits, so only the kits, participants and counts they touched are read
again, by the same functions as a full read, and the day's findings of the kits whose lot's
expiry the day passed. The result is the full read's (tests/services/test_reconciliation_forward
compares them after every kind of write). Only a snapshot whose audit trail verified up to its
last entry is carried forward or kept; what cannot be followed (a table it does not know, much
written since, a kit gone, a name changed, another study file or language) is read anew.

Like the incremental check of the audit trail (audit_check), a reconciliation carried forward
trusts what it read before: a row edited outside the program since is seen by the first
reconciliation of a process, which reads everything, and by the sign-off, which always does.
It is kept in memory only: a file beside the backups would be believed without being read from
the database, and loading it would cost seconds anyway (7 s for a study of 160,000 kits).

The Today screen needs the findings alone (`findings_session`): that read keeps no kit's line,
balance or rows (a few hundred megabytes at a million ledger rows, in the window's process), only
the findings, carried forward the same way with the kits a step touched read again.
"""

from __future__ import annotations

import json
import threading
import weakref
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Engine, Select, and_, case, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, aliased

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.facts import GENESIS, parse_facts
from dispensary.db.models import (
    AdherenceNote,
    AuditEntry,
    AuditEntryStudy,
    ChainHead,
    Destruction,
    Dispense,
    DispenseKit,
    DispenseObservation,
    DispenseVoid,
    Excursion,
    Kit,
    LedgerEntry,
    Lot,
    Participant,
    PhysicalCount,
    ReconciliationSignOff,
    Return,
    Shipment,
    User,
    dated_before_written,
)
from dispensary.domain.accountability import Balance, balance_of_totals
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import (
    DiscrepancyKind,
    KitStatus,
    MovementKind,
    ParticipantStatus,
    ReasonCode,
    Role,
    SignatureMeaning,
)
from dispensary.domain.errors import RuleViolation
from dispensary.domain.lifecycle import status_word
from dispensary.domain.rules import ENDS_TREATMENT, check_text, return_overdue
from dispensary.i18n import ENGLISH, N_, Language, _, current_language, listed, pgettext
from dispensary.services.audit import Recorder
from dispensary.services.audit_check import TrailCheck, check_trail
from dispensary.services.common import not_voided, of_study, voided_ids
from dispensary.services.context import Actor, Clock, Context
from dispensary.services.permissions import Permission, judge_now, require
from dispensary.services.queries import (
    CHANGED_FIELDS,
    open_flags,
    record_changes,
    status_changed_last,
)
from dispensary.services.results import (
    BalanceRow,
    Discrepancy,
    DispenseHistoryRow,
    KitCountCheck,
    ProductFigures,
    ReconcileResult,
    SignOffRow,
    VerifyResult,
    flagged_products,
)
from dispensary.services.users import check_signer, passwords_first, presign, record_signature
from dispensary.study import Study


def reconcile(ctx: Context, actor: Actor) -> ReconcileResult:
    require(actor, Permission.RECONCILE, ctx)
    with read_transaction(ctx.engine) as session:
        return reconcile_session(session, ctx)


def reconcile_session(
    session: Session,
    ctx: Context,
    verification: VerifyResult | TrailCheck | None = None,
    full: bool = False,
    fresh: bool = False,
) -> ReconcileResult:
    """`verification`: the audit trail's check made already in this read (the Today screen's,
    incremental); else it is made here from the last point that verified (audit_check), or in
    full (`full`, as the sign-off needs).

    The history is read anew only when it must be (issue 15: the whole of it takes seconds at
    a million ledger rows): the last reconciliation of the database and study, kept in memory
    with the audit entry it was read at, is carried forward by what the audit entries written
    since name (`_Read.forward`), to the same result as a read of everything. `fresh` (or
    `full`) reads everything and keeps nothing."""
    trail = _trail(session, ctx, verification, full)
    today = ctx.clock.today()
    if full or fresh:
        read = _Read.anew(session, ctx, today)
    else:
        read = _carried(session, ctx, trail, today)
    return read.result(session, ctx, trail)


_KEPT: weakref.WeakKeyDictionary[Engine, dict[int, _Read]] = weakref.WeakKeyDictionary()
"""The last reconciliation read of each database (by its engine: a database reopened, as each
test does, starts anew) and study (by id)."""
_KEEPING = threading.Lock()

FORWARD_MOST = 20_000
"""Audit entries written since the kept read beyond which everything is read anew (reading
what so many name would take longer than reading it all)."""


def _carried(session: Session, ctx: Context, trail: TrailCheck, today: date) -> _Read:
    """The kept whole read carried forward to this snapshot, else a new one (_carry)."""
    return _carry(_KEPT, _Read.anew, session, ctx, trail, today)


Kept = TypeVar("Kept", "_Read", "_Lean")


def _carry(
    store: weakref.WeakKeyDictionary[Engine, dict[int, Kept]],
    anew: Callable[[Session, Context, date, _Head], Kept],
    session: Session,
    ctx: Context,
    trail: TrailCheck,
    today: date,
) -> Kept:
    """The read kept in `store` carried forward to this snapshot, else a new one (kept for the
    next). Only a trail that verified up to the snapshot's last entry is trusted so: every
    write of the program writes an audit entry naming each row it wrote, and its hash chains
    all before it. An untrusted trail gets a read anew, not kept; the kept one stays for the
    next check that verifies."""
    with _KEEPING:  # out while it is worked on: a failure drops it
        kept = store.get(ctx.engine, {}).pop(ctx.study_id, None)
    head = _Head.of(session)
    check = trail.verification
    trusted = check.ok and check.point is not None and check.point.position == head.position
    if not trusted:
        if kept is not None:  # still what it was read as: for the next check that verifies
            with _KEEPING:
                store.setdefault(ctx.engine, {}).setdefault(ctx.study_id, kept)
        return anew(session, ctx, today, head)
    read = None
    if kept is not None and kept.suits(ctx) and kept.forward(session, ctx, head, today):
        read = kept
    if read is None:
        read = anew(session, ctx, today, head)
    with _KEEPING:
        store.setdefault(ctx.engine, {})[ctx.study_id] = read
    return read


def _kept(ctx: Context) -> _Read | None:
    """The read kept for the database and study (for the tests)."""
    return _KEPT.get(ctx.engine, {}).get(ctx.study_id)


class _Head(NamedTuple):
    """Where the chains stood in this snapshot: the last audit entry and ledger row."""

    position: int
    audit_hash: str
    ledger_position: int

    @staticmethod
    def of(session: Session) -> _Head:
        row = session.execute(
            select(ChainHead.audit_count, ChainHead.audit_hash, ChainHead.ledger_count).where(
                ChainHead.id == 1
            )
        ).first()
        if row is None:
            return _Head(0, GENESIS, 0)
        return _Head(int(row[0]), str(row[1]), int(row[2]))


class _Person(NamedTuple):
    number: str
    initials: str
    status: str = ParticipantStatus.ON_TREATMENT.value
    status_from: date | None = None  # the status's effective date, once off treatment


class _CountLine(NamedTuple):
    """What the reconciliation reads of a physical count (as _KitLine)."""

    id: int
    kit_id: int
    counted: int
    book: int
    counted_on: date
    reason_code: str
    reason: str
    counted_by_id: int
    verified_by_id: int | None
    adjusted: bool  # an adjustment was written to the ledger for it (in the count's step)
    verifier: str | None  # the countersigner's full name, as recorded now
    product: str  # the kit's product (study file code): its figures are said in its units


K = TypeVar("K", str, tuple[str, str])
V = TypeVar("V")


class _Sorted(Generic[K, V]):
    """Rows in the order of their keys, changed a few at a time in place (bisect): hundreds of
    thousands of rows are not made and sorted again for the few a step changed."""

    def __init__(self, pairs: Iterable[tuple[K, V]]) -> None:
        ordered = sorted(pairs, key=lambda pair: pair[0])
        self.keys: list[K] = [key for key, _row in ordered]
        self.rows: list[V] = [row for _key, row in ordered]

    def put(self, key: K, row: V) -> None:
        at = bisect_left(self.keys, key)
        if at < len(self.keys) and self.keys[at] == key:
            self.rows[at] = row
        else:
            self.keys.insert(at, key)
            self.rows.insert(at, row)

    def drop(self, key: K) -> None:
        at = bisect_left(self.keys, key)
        if at < len(self.keys) and self.keys[at] == key:
            del self.keys[at]
            del self.rows[at]


FOLLOWED = frozenset(
    {
        "kits",
        "lots",
        "participants",
        "dispenses",
        "dispense_kits",
        "dispense_voids",
        "dispense_observations",
        "returns",
        "adherence_notes",
        "physical_counts",
        "users",
        # What a reconciliation does not read (or reads anew each time: the sign-offs).
        "shipments",
        "destructions",
        "quarantine_events",
        "excursions",
        "signatures",
        "reconciliation_signoffs",
        "rule_confirmations",
        "password_history",
        "study_access",
    }
)
"""The tables whose rows, named by an audit entry, a reconciliation knows how to follow; a row
of any other (the study's own) means reading everything anew."""

_OF_DISPENSE: dict[str, Any] = {
    "dispense_kits": DispenseKit,
    "dispense_voids": DispenseVoid,
    "dispense_observations": DispenseObservation,
    "returns": Return,
    "adherence_notes": AdherenceNote,
}
"""Tables whose row belongs to one dispense (and so to its participant)."""


@dataclass
class _Findings:
    """What a reconciliation's findings need, shared by the whole read (`_Read`) and the
    findings alone (`_Lean`, the Today screen's): the participants' findings and the order
    the findings are given in, once."""

    study_id: int
    study: Study
    language: Language
    today: date
    people: dict[int, _Person]
    kit_findings: dict[int, tuple[Discrepancy, ...]]
    counts: list[_CountLine]
    count_findings: dict[int, Discrepancy]
    flags: dict[int, tuple[str, tuple[Discrepancy, ...]]]
    pending: dict[int, tuple[int, date]]
    overdue: dict[int, Discrepancy]

    def suits(self, ctx: Context) -> bool:
        """Read for this study, with this study file (by content: the table of all studies
        parses each study's file again at every refresh), in the language spoken now."""
        return (
            self.study_id == ctx.study_id
            and (self.study is ctx.study or self.study == ctx.study)
            and self.language == current_language()
        )

    def _overdue(self, pids: Iterable[int]) -> None:
        """The returns overdue today of these participants' last dispenses."""
        cycle_days, grace_days = self.study.cycle.length_days, self.study.return_grace_days
        grace = timedelta(days=cycle_days + grace_days)
        for pid in pids:
            self.overdue.pop(pid, None)
            person, last = self.people.get(pid), self.pending.get(pid)
            if person is None or last is None:
                continue
            last_cycle, last_day1 = last
            due = last_day1 + grace
            if person.status in ENDS_TREATMENT and person.status_from is not None:
                due = min(due, person.status_from + timedelta(days=grace_days))
            if return_overdue(
                last_day1, cycle_days, grace_days, self.today, person.status, person.status_from
            ):
                values = {
                    "participant": person.number,
                    "cycle": last_cycle,
                    "day1": last_day1.isoformat(),
                }
                self.overdue[pid] = Discrepancy(
                    DiscrepancyKind.RETURN_OVERDUE,
                    person.number,
                    _(
                        "{participant}: the return of cycle {cycle} is overdue (day 1 {day1})."
                    ).format(**values),
                    due,
                    # Beside the participant's column: named once (Discrepancy.detail).
                    detail=_("The return of cycle {cycle} is overdue (day 1 {day1}).").format(
                        **values
                    ),
                )

    def _flag(self, found: list[tuple[str, DispenseHistoryRow]]) -> None:
        """The open adherence flags' findings, by participant."""
        by_number = {p.number: pid for pid, p in self.people.items()}
        each: dict[int, list[Discrepancy]] = defaultdict(list)
        for number, row in found:
            each[by_number[number]].append(_flag_finding(self.study, number, row))
        for pid, findings in each.items():
            self.flags[pid] = (self.people[pid].number, tuple(findings))

    def _participants_forward(self, session: Session, ctx: Context, pids: list[int]) -> None:
        """These participants' last dispenses not returned and open flags read again (their
        names were)."""
        for pid in pids:
            self.pending.pop(pid, None)
            self.flags.pop(pid, None)
        self.pending.update(_returns_pending(session, self.study_id, pids))
        self._overdue(pids)
        self._flag(open_flags(session, ctx, pids))

    def discrepancies(self, check: VerifyResult) -> list[Discrepancy]:
        """Every finding, in the reconciliation's order: the audit trail's first when it did
        not verify, then by kit id, count id, participant number and participant id."""
        found: list[Discrepancy] = []
        # In kit id order on every engine (PostgreSQL returns an updated row after the others).
        for kid in sorted(self.kit_findings):
            found.extend(self.kit_findings[kid])
        found.extend(_settled(self.study, self.counts, self.count_findings))
        for pid in sorted(self.flags, key=lambda pid: self.flags[pid][0]):
            found.extend(self.flags[pid][1])
        for pid in sorted(self.overdue):
            found.append(self.overdue[pid])
        if not check.ok:
            found.insert(0, Discrepancy(DiscrepancyKind.AUDIT_CHAIN, "audit trail", check.message))
        return found


@dataclass
class _Read(_Findings):
    """Everything a reconciliation reads of the database, by kit, participant and count, with
    the snapshot it stands for (the last audit entry and ledger row then) and the day, study
    and language its findings were made for."""

    study_id: int
    study: Study
    language: Language
    today: date
    head: _Head
    kits: dict[int, _KitLine]
    people: dict[int, _Person]
    balances: dict[int, Balance]
    voided: set[int]
    lot_sums: dict[tuple[str, str], list[int]]
    kit_findings: dict[int, tuple[Discrepancy, ...]]
    counts: list[_CountLine]  # the study's kits' counts, in id order
    count_findings: dict[int, Discrepancy]  # by count id
    last_count: dict[int, _CountLine]  # by kit id
    adjusted: set[int]  # counts an adjustment was written for
    names: dict[int, str]
    held: dict[int, dict[str, Balance]]  # each participant's kits' balances, by product
    held_keys: dict[int, list[tuple[str, str]]]  # each participant's rows' keys
    flags: dict[int, tuple[str, tuple[Discrepancy, ...]]]  # participant: number, findings
    pending: dict[int, tuple[int, date]]
    overdue: dict[int, Discrepancy]  # the returns overdue on `today`, by participant
    kit_rows: _Sorted[str, BalanceRow]
    people_rows: _Sorted[tuple[str, str], BalanceRow]
    checks: _Sorted[str, KitCountCheck]

    @staticmethod
    def anew(session: Session, ctx: Context, today: date, head: _Head | None = None) -> _Read:
        """Everything read from the database (the sign-off's reconciliation is always this)."""
        study = ctx.study_id
        head = head or _Head.of(session)
        kits = _kits(session, study)
        balances = _kit_balances(session, study, kits)
        people = _people(session, study)
        voided = voided_ids(session)
        held = _holdings(session, study, kits, balances, voided)
        # Each lot's figures added up as plain numbers (a Balance made per kit added would be
        # hundreds of thousands of objects), then each product's from its lots.
        lot_sums: dict[tuple[str, str], list[int]] = {}
        for kid, b in balances.items():
            _add_to_lot(lot_sums, kits[kid], b, 1)
        kit_findings: dict[int, tuple[Discrepancy, ...]] = {}
        for kid, b in balances.items():
            found = tuple(_kit_findings(ctx.study, kits[kid], b, today))
            if found:
                kit_findings[kid] = found
        counts = [c for c in _counts(session) if c.kit_id in kits]
        last_count: dict[int, _CountLine] = {}
        for count in counts:
            last_count[count.kit_id] = count
        adjusted = {
            count_id
            for count_id in session.scalars(
                select(LedgerEntry.count_id).where(LedgerEntry.count_id.is_not(None))
            )
            if count_id is not None
        }
        names = _names(session)
        read = _Read(
            study_id=study,
            study=ctx.study,
            language=current_language(),
            today=today,
            head=head,
            kits=kits,
            people=people,
            balances=balances,
            voided=voided,
            lot_sums=lot_sums,
            kit_findings=kit_findings,
            counts=counts,
            count_findings={},
            last_count=last_count,
            adjusted=adjusted,
            names=names,
            held={},
            held_keys={},
            flags={},
            pending=_returns_pending(session, study),
            overdue={},
            kit_rows=_Sorted(
                (
                    kits[kid].number,
                    _row("kit", kits[kid].number, kits[kid].product, b, kits[kid].product),
                )
                for kid, b in balances.items()
            ),
            people_rows=_Sorted(()),
            checks=_Sorted(
                (kits[kid].number, _count_check(kits[kid], b, last_count, adjusted, names))
                for kid, b in balances.items()
                if b.on_hand > 0
            ),
        )
        for count in counts:
            read._count_finding(count)
        rows: list[tuple[tuple[str, str], BalanceRow]] = []
        for pid, own in held.items():
            rows.extend(read._hold(pid, own))
        read.people_rows = _Sorted(rows)
        read._flag(open_flags(session, ctx))
        read._overdue(list(read.pending))
        return read

    def forward(self, session: Session, ctx: Context, head: _Head, today: date) -> bool:
        """Carried forward to `head` (this snapshot): the audit entries written since name every
        row their steps wrote (issue 11), the ledger rows since name their kits; the kits,
        participants and counts so touched are read again with the same code as a whole read,
        and the day's findings (expiry) of the kits whose lot's expiry the day passed. False:
        what was written cannot be followed (a table a reconciliation does not know, too much
        since, a row gone): everything is to be read anew."""
        written = _written(session, self.head, head)
        if written is None:
            return False
        touched, ledger = written
        kit_ids = set(touched["kits"])
        for kit_id, count_id in ledger:
            kit_ids.add(kit_id)
            if count_id is not None:
                self.adjusted.add(count_id)
        if touched["users"]:
            names = _names(session)
            if names != self.names:
                return False  # a name on count checks changed: rare, read anew
        new_counts = [
            c
            for c in _counts(session, sorted(touched["physical_counts"]))
            if c.kit_id in self.kits or c.kit_id in kit_ids
        ]
        kit_ids.update(c.kit_id for c in new_counts)
        dispense_ids: set[int] = set(touched["dispenses"])
        for table, model in _OF_DISPENSE.items():
            dispense_ids.update(_column_of(session, model, model.dispense_id, touched[table]))
        if touched["dispense_voids"]:
            self.voided = voided_ids(session)
        if not self._kits_forward(session, sorted(kit_ids), new_counts):
            return False
        people = set(touched["participants"])
        people.update(_column_of(session, Dispense, Dispense.participant_id, dispense_ids))
        people.update(_holders(session, sorted(kit_ids)))
        self._people_forward(session, ctx, sorted(people))
        if today != self.today:
            self._day_forward(session, today)
        self.head = head
        return True

    def _kits_forward(
        self, session: Session, kit_ids: list[int], new_counts: list[_CountLine]
    ) -> bool:
        lines = _kits(session, self.study_id, kit_ids)
        if any(kid in self.kits and kid not in lines for kid in kit_ids):
            return False  # a kit of the study gone: read anew
        balances = _kit_balances(session, self.study_id, lines, kit_ids)
        for count in new_counts:
            if count.kit_id not in lines and count.kit_id not in self.kits:
                continue
            at = bisect_left([c.id for c in self.counts], count.id)
            if at < len(self.counts) and self.counts[at].id == count.id:
                return False  # a count row rewritten: not what the program does
            self.counts.insert(at, count)
            last = self.last_count.get(count.kit_id)
            if last is None or last.id < count.id:
                self.last_count[count.kit_id] = count
        for kid, kit in lines.items():
            old_kit, old = self.kits.get(kid), self.balances.get(kid)
            if old_kit is not None and old_kit.number != kit.number:
                return False  # its count findings name it: read anew (the program never does)
            if old_kit is not None and old is not None:
                _add_to_lot(self.lot_sums, old_kit, old, -1)
                self.kit_rows.drop(old_kit.number)
                self.checks.drop(old_kit.number)
            balance = balances[kid]
            self.kits[kid] = kit
            self.balances[kid] = balance
            _add_to_lot(self.lot_sums, kit, balance, 1)
            self._refind(kid)
            self.kit_rows.put(
                kit.number, _row("kit", kit.number, kit.product, balance, kit.product)
            )
            if balance.on_hand > 0:
                check = _count_check(kit, balance, self.last_count, self.adjusted, self.names)
                self.checks.put(kit.number, check)
        for count in new_counts:
            if count.kit_id in self.kits:
                self._count_finding(count)
        return True

    def _refind(self, kid: int) -> None:
        found = tuple(_kit_findings(self.study, self.kits[kid], self.balances[kid], self.today))
        if found:
            self.kit_findings[kid] = found
        else:
            self.kit_findings.pop(kid, None)

    def _people_forward(self, session: Session, ctx: Context, pids: list[int]) -> None:
        if not pids:
            return
        self.people.update(_people(session, self.study_id, pids))
        held = _holdings(session, self.study_id, self.kits, self.balances, self.voided, pids)
        for pid in pids:
            for key in self.held_keys.pop(pid, []):
                self.people_rows.drop(key)
            self.held.pop(pid, None)
            own = held.get(pid)
            if own:
                for key, row in self._hold(pid, own):
                    self.people_rows.put(key, row)
        self._participants_forward(session, ctx, pids)

    def _day_forward(self, session: Session, today: date) -> None:
        """The findings the day changes: the returns overdue, and expired in stock of the kits
        whose lot's expiry lies between the day read and today."""
        low, high = sorted((self.today, today))
        self.today = today
        self._overdue(list(self.pending))
        for (kid,) in session.execute(
            select(Kit.id)
            .join(Lot, Lot.id == Kit.lot_id)
            .where(Kit.study_id == self.study_id, Lot.expiry >= low, Lot.expiry < high)
        ).tuples():
            if kid in self.kits:
                self._refind(kid)

    def _hold(self, pid: int, own: dict[str, Balance]) -> list[tuple[tuple[str, str], BalanceRow]]:
        """A participant's rows (one per product), noted as theirs."""
        self.held[pid] = own
        number, initials = _number(self.people, pid), _initials(self.people, pid)
        rows = [
            ((number, code), _row("participant", number, initials, balance, code))
            for code, balance in own.items()
        ]
        self.held_keys[pid] = [key for key, _row_ in rows]
        return rows

    def _count_finding(self, count: _CountLine) -> None:
        if count.counted != count.book:
            self.count_findings[count.id] = _count_difference(
                self.study, self.kits[count.kit_id], count
            )

    def result(self, session: Session, ctx: Context, trail: TrailCheck) -> ReconcileResult:
        """The reconciliation of what was read (on its day)."""
        lot_words = _("{product} lot {lot}")
        lots = {key: Balance(*sums) for key, sums in self.lot_sums.items()}
        products: dict[str, Balance] = defaultdict(Balance)
        for (product, _lot), balance in lots.items():
            products[product] += balance
        discrepancies = [
            *self.discrepancies(trail.verification),
            *quarantine_findings(session, ctx),
        ]
        signoffs = signoff_rows(session, self.study_id, ctx.study, ctx.clock)
        return ReconcileResult(
            generated_at=ctx.clock.now(),
            products=tuple(
                _row("product", code, ctx.study.product(code).display, b, code)
                for code, b in sorted(products.items())
            ),
            lots=tuple(
                _row("lot", f"{code}/{lot}", lot_words.format(product=code, lot=lot), b, code)
                for (code, lot), b in sorted(lots.items())
            ),
            kits=tuple(self.kit_rows.rows),
            participants=tuple(self.people_rows.rows),
            discrepancies=tuple(discrepancies),
            signoffs=signoffs,
            counts=tuple(self.checks.rows),
            audit_check=trail.words,
            audit_checked_in_full=trail.full,
            audit_verified=trail.verification.ok,
            audit_problem="" if trail.verification.ok else trail.verification.message,
        )


_KEPT_LEAN: weakref.WeakKeyDictionary[Engine, dict[int, _Lean]] = weakref.WeakKeyDictionary()
"""The last findings read (`_Lean`) of each database and study, as _KEPT."""

_LEAN_CHUNK = 5000
"""Kits read at a time by a findings read: their lines and balances are let go of after."""
_LEAN_PEOPLE = 250
"""Participants whose open flags a findings read reads at a time. The read of a thousand peaked
16 MB of Python objects at a million ledger rows (every dispense, return and kit line of those
asked about), and the objects the read keeps (its findings, the pool's and the statements'
caches) land among them: the memory it let go of was not given back, and the Today window held
16 MB more after its first read than with 250 at a time (4 MB each; as fast, the queries are
indexed by participant)."""


def findings_session(session: Session, ctx: Context, trail: TrailCheck) -> tuple[Discrepancy, ...]:
    """The reconciliation's findings alone (the Today screen's), the same as
    `reconcile_session(...).discrepancies`, without keeping every kit's line, balance and
    rows in memory (issue 15: hundreds of megabytes at a million ledger rows, in the window's
    own process): the kits are read a few thousand at a time and only their findings kept,
    and carried forward as a whole read is (`_Lean.forward`)."""
    read = _carry(_KEPT_LEAN, _Lean.anew, session, ctx, trail, ctx.clock.today())
    return (*read.discrepancies(trail.verification), *quarantine_findings(session, ctx))


def _kept_lean(ctx: Context) -> _Lean | None:
    """The findings read kept for the database and study (for the tests)."""
    return _KEPT_LEAN.get(ctx.engine, {}).get(ctx.study_id)


@dataclass
class _Lean(_Findings):
    """The findings of a reconciliation and what carrying them forward needs: no kit's line
    or balance is kept, only the findings; a kit a step touched is read again whole."""

    head: _Head

    @staticmethod
    def anew(session: Session, ctx: Context, today: date, head: _Head) -> _Lean:
        study = ctx.study_id
        read = _Lean(
            study_id=study,
            study=ctx.study,
            language=current_language(),
            today=today,
            people=_people(session, study),
            kit_findings={},
            counts=[],
            count_findings={},
            flags={},
            pending=_returns_pending(session, study),
            overdue={},
            head=head,
        )
        ids = list(session.scalars(select(Kit.id).where(Kit.study_id == study).order_by(Kit.id)))
        for start in range(0, len(ids), _LEAN_CHUNK):
            read._kits_read(session, ids[start : start + _LEAN_CHUNK])
        read._counts_read(session, _counts(session))
        # The open flags a thousand participants at a time: the test reads every dispense,
        # return and kit line of those it is asked about (the whole study's: 130 MB at a
        # million ledger rows).
        pids = sorted(read.people)
        for start in range(0, len(pids), _LEAN_PEOPLE):
            read._flag(open_flags(session, ctx, pids[start : start + _LEAN_PEOPLE]))
        read._overdue(list(read.pending))
        return read

    def _kits_read(self, session: Session, ids: Sequence[int]) -> dict[int, _KitLine]:
        """These kits' findings read again (those no longer of the study dropped), with the
        count findings of their counts; their lines, for the counts."""
        lines = _kits(session, self.study_id, ids)
        balances = _kit_balances(session, self.study_id, lines, ids)
        for kid in ids:
            line = lines.get(kid)
            found = (
                tuple(_kit_findings(self.study, line, balances[kid], self.today)) if line else ()
            )
            if found:
                self.kit_findings[kid] = found
            else:
                self.kit_findings.pop(kid, None)
        touched = set(ids)
        kept: list[_CountLine] = []
        for count in self.counts:
            if count.kit_id in touched and count.kit_id not in lines:
                self.count_findings.pop(count.id, None)  # its kit is no longer the study's
                continue
            kept.append(count)
            if count.kit_id in lines:
                self._count_finding(lines[count.kit_id], count)
        self.counts = kept
        return lines

    def _counts_read(self, session: Session, counts: list[_CountLine]) -> bool:
        """New counts of the study's kits put in their place (id order). False: a count read
        before read again (a count row rewritten: not what the program does)."""
        if not counts:
            return True
        lines = _kits(session, self.study_id, sorted({c.kit_id for c in counts}))
        for count in counts:
            if count.kit_id not in lines:
                continue
            at = bisect_left([c.id for c in self.counts], count.id)
            if at < len(self.counts) and self.counts[at].id == count.id:
                return False
            self.counts.insert(at, count)
            self._count_finding(lines[count.kit_id], count)
        return True

    def _count_finding(self, kit: _KitLine, count: _CountLine) -> None:
        if count.counted != count.book:
            self.count_findings[count.id] = _count_difference(self.study, kit, count)
        else:
            self.count_findings.pop(count.id, None)

    def forward(self, session: Session, ctx: Context, head: _Head, today: date) -> bool:
        """Carried forward to `head` as `_Read.forward` carries a whole read: the kits,
        counts and participants the writes since touched read again, and the kits whose lot's
        expiry the day passed. False: to be read anew."""
        written = _written(session, self.head, head)
        if written is None:
            return False
        touched, ledger = written
        kit_ids = set(touched["kits"])
        kit_ids.update(kit_id for kit_id, _count_id in ledger)
        new_counts = _counts(session, sorted(touched["physical_counts"]))
        kit_ids.update(c.kit_id for c in new_counts)
        dispense_ids: set[int] = set(touched["dispenses"])
        for table, model in _OF_DISPENSE.items():
            dispense_ids.update(_column_of(session, model, model.dispense_id, touched[table]))
        if today != self.today:
            low, high = sorted((self.today, today))
            self.today = today
            self._overdue(list(self.pending))
            kit_ids.update(
                session.scalars(
                    select(Kit.id)
                    .join(Lot, Lot.id == Kit.lot_id)
                    .where(Kit.study_id == self.study_id, Lot.expiry >= low, Lot.expiry < high)
                )
            )
        ordered = sorted(kit_ids)
        for start in range(0, len(ordered), _LEAN_CHUNK):
            self._kits_read(session, ordered[start : start + _LEAN_CHUNK])
        if not self._counts_read(session, new_counts):
            return False
        people = set(touched["participants"])
        people.update(_column_of(session, Dispense, Dispense.participant_id, dispense_ids))
        people.update(_holders(session, ordered))
        if people:
            pids = sorted(people)
            self.people.update(_people(session, self.study_id, pids))
            self._participants_forward(session, ctx, pids)
        self.head = head
        return True


def _written(
    session: Session, since: _Head, head: _Head
) -> tuple[dict[str, set[int]], list[tuple[int, int | None]]] | None:
    """What was written between a kept read's snapshot (`since`) and this one (`head`): the
    rows the audit entries since name, by table, and the ledger rows since (kit, count).
    None: what cannot be followed (the chain went back or was rewritten, too much since, a
    table a reconciliation does not know)."""
    if head.position < since.position or head.ledger_position < since.ledger_position:
        return None
    if head.position - since.position > FORWARD_MOST:
        return None
    if head.position == since.position:
        if head.audit_hash != since.audit_hash:
            return None
        texts: list[str] = []
    else:
        if since.position:
            stored = session.scalar(
                select(AuditEntry.entry_hash).where(AuditEntry.id == since.position)
            )
            if stored != since.audit_hash:
                return None
        texts = list(
            session.scalars(
                select(AuditEntry.facts)
                .where(AuditEntry.id > since.position, AuditEntry.id <= head.position)
                .order_by(AuditEntry.id)
            )
        )
        if len(texts) != head.position - since.position:
            return None
    touched: dict[str, set[int]] = defaultdict(set)
    for text in texts:
        for table, row_id, _hash in parse_facts(text):
            touched[table].add(row_id)
    if any(table not in FOLLOWED for table in touched):
        return None
    ledger = [
        (int(kit_id), count_id)
        for kit_id, count_id in session.execute(
            select(LedgerEntry.kit_id, LedgerEntry.count_id).where(
                LedgerEntry.id > since.ledger_position, LedgerEntry.id <= head.ledger_position
            )
        ).tuples()
    ]
    return touched, ledger


def _add_to_lot(
    lot_sums: dict[tuple[str, str], list[int]], kit: _KitLine, b: Balance, sign: int
) -> None:
    key = (kit.product, _lot_number(kit))
    sums = lot_sums.get(key)
    if sums is None:
        sums = lot_sums[key] = [0] * 7
    sums[0] += sign * b.received
    sums[1] += sign * b.dispensed
    sums[2] += sign * b.returned
    sums[3] += sign * b.destroyed
    sums[4] += sign * b.adjusted
    sums[5] += sign * b.on_hand
    sums[6] += sign * b.held_returned


def _batches(ids: Sequence[int] | None) -> list[Sequence[int] | None]:
    """`ids` in bounded batches (SQLite refuses more than 32,766 bound variables); [None]: the
    whole study in one query."""
    if ids is None:
        return [None]
    return list(_chunks(ids))


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[start : start + _BATCH] for start in range(0, len(ids), _BATCH)]


_BATCH = 500


def _column_of(session: Session, model: Any, column: Any, ids: Collection[int]) -> set[int]:
    """`column` of these rows of `model`, by id."""
    found: set[int] = set()
    for batch in _chunks(sorted(ids)):
        found.update(session.scalars(select(column).where(model.id.in_(batch))))
    return found


def _holders(session: Session, kit_ids: list[int]) -> set[int]:
    """The participants any of these kits was ever dispensed to (voided or not)."""
    found: set[int] = set()
    for batch in _chunks(kit_ids):
        found.update(
            session.scalars(
                select(Dispense.participant_id)
                .join(DispenseKit, DispenseKit.dispense_id == Dispense.id)
                .where(DispenseKit.kit_id.in_(batch))
            )
        )
    return found


def _people(session: Session, study: int, ids: Sequence[int] | None = None) -> dict[int, _Person]:
    found: dict[int, _Person] = {}
    for batch in _batches(ids):
        query = (
            select(
                Participant.id,
                Participant.study_number,
                Participant.initials,
                Participant.status,
            )
            .where(Participant.study_id == study)
            .order_by(Participant.id)
        )
        if batch is not None:
            query = query.where(Participant.id.in_(batch))
        rows = session.execute(query).tuples().all()
        # Off treatment, a return is overdue from the status's effective date too.
        left = status_changed_last(
            session, {pid: number for pid, number, _i, status in rows if status in ENDS_TREATMENT}
        )
        for pid, number, initials, status in rows:
            found[pid] = _Person(number, initials, status, left.get(pid))
    return found


def _holdings(
    session: Session,
    study: int,
    kits: dict[int, _KitLine],
    balances: dict[int, Balance],
    voided: set[int],
    ids: Sequence[int] | None = None,
) -> dict[int, dict[str, Balance]]:
    """A participant accounts for the whole of every kit handed out to them (not voided): what
    they took, what came back, and what of it has been destroyed since. Per product: a 7.5 mg
    tablet and a 2.5 mg tablet are never added together."""
    found: dict[int, dict[str, Balance]] = {}
    for batch in _batches(ids):
        query = (
            select(Dispense.participant_id, DispenseKit.dispense_id, DispenseKit.kit_id)
            .join(Dispense, Dispense.id == DispenseKit.dispense_id)
            .join(Participant, Participant.id == Dispense.participant_id)
            .where(Participant.study_id == study)
        )
        if batch is not None:
            query = query.where(Dispense.participant_id.in_(list(batch)))
        for participant_id, dispense_id, kit_id in session.execute(query).tuples():
            if dispense_id not in voided and kit_id in balances:
                own = found.setdefault(participant_id, {})
                product = kits[kit_id].product
                own[product] = own.get(product, _NOTHING) + balances[kit_id]
    return found


def _counts(session: Session, ids: Sequence[int] | None = None) -> list[_CountLine]:
    """Physical counts in id order (these, by id, when given), each with whether an
    adjustment was written for it and who countersigned it."""
    Verifier = aliased(User)
    found: list[_CountLine] = []
    if ids is not None and not ids:
        return found
    for batch in _batches(ids):
        query = select(
            PhysicalCount.id,
            PhysicalCount.kit_id,
            PhysicalCount.counted,
            PhysicalCount.book,
            PhysicalCount.counted_on,
            PhysicalCount.reason_code,
            PhysicalCount.reason,
            PhysicalCount.counted_by_id,
            PhysicalCount.verified_by_id,
            exists().where(LedgerEntry.count_id == PhysicalCount.id),
            Verifier.full_name,
            select(Kit.product).where(Kit.id == PhysicalCount.kit_id).scalar_subquery(),
        )
        query = query.outerjoin(Verifier, Verifier.id == PhysicalCount.verified_by_id).order_by(
            PhysicalCount.id
        )
        if batch is not None:
            query = query.where(PhysicalCount.id.in_(batch))
        found.extend(_CountLine(*row) for row in session.execute(query).tuples())
    return found


def _names(session: Session) -> dict[int, str]:
    return {user_id: name for user_id, name in session.execute(select(User.id, User.full_name))}


def count_findings(session: Session, study: int, said: Study) -> list[Discrepancy]:
    """Every count of the study's kits that differed from the book, as the reconciliation
    lists it (kit, day, figures, reason and countersigner). The monitor pack's open items take
    those of them whose kind is to review (DiscrepancyKind.to_review), the rule by which the
    reconciliation counts its own: one rule, not two. `said`: the study file, whose units the
    figures are said in."""
    counts = _counts(session)
    kits = _kits(session, study, sorted({c.kit_id for c in counts if c.counted != c.book}))
    findings = {
        c.id: _count_difference(said, kits[c.kit_id], c)
        for c in counts
        if c.counted != c.book and c.kit_id in kits
    }
    return _settled(said, counts, findings)


def _settled(
    study: Study, counts: Sequence[_CountLine], findings: dict[int, Discrepancy]
) -> list[Discrepancy]:
    """The count findings in count order, a difference left open that a later count of its kit
    followed given as the record it is (counted again), not to review: only the kit's last
    count can be open. A difference left open then adjusted by the count that followed it
    (the same figure against the same book, with its reason code and second person: the
    physical count services.counts writes as the adjustment of the open count, a new row, the
    open one kept) is one finding, of the open count, saying the adjustment: listed as two,
    the reconciliation showed the one difference twice and counted it twice ("count
    differences on record: 2", "2 findings"). `counts` in id order; the figures in each
    kit's units (Study.units: "27 capsules", 27粒)."""
    later: dict[int, _CountLine] = {}
    following: dict[int, _CountLine] = {}  # count id: the next count of its kit
    for count in reversed(counts):
        after = later.get(count.kit_id)
        if after is not None:
            following[count.id] = after
        later[count.kit_id] = count
    found: list[Discrepancy] = []
    adjustments: set[int] = set()  # the counts said with the open count they adjusted
    for count in counts:
        finding = findings.get(count.id)
        if finding is None or count.id in adjustments:
            continue
        after = following.get(count.id)
        if finding.kind is DiscrepancyKind.COUNT_OPEN and after is not None:
            # The same figure against the same book, adjusted: the count that followed is this
            # difference's adjustment (its reason code and second person), not a count again.
            adjusted = after.adjusted and (after.counted, after.book) == (count.counted, count.book)
            figures = {
                "kit": finding.subject,
                "day": count.counted_on.isoformat(),
                "counted_units": study.units(count.product, count.counted),
                "book_units": study.units(count.product, count.book),
                "difference": f"{count.counted - count.book:+d}",
                "again": after.counted_on.isoformat(),
            }
            # Said naming the kit (`message`) and beside its Concerns column (`detail`).
            if adjusted:
                adjustments.add(after.id)
                figures |= {
                    "code": reason_code_words(after.reason_code),
                    "reason": after.reason,
                    "verifier": after.verifier or "?",
                }
                message = _(
                    "Count of kit {kit} on {day}: {counted_units} counted, {book_units} in the book "
                    "({difference}); adjusted on {again} by the record that followed it (the "
                    "same figure), with reason '{code}: {reason}', verified by {verifier}."
                ).format(**figures)
                detail = _(
                    "Count on {day}: {counted_units} counted, {book_units} in the book "
                    "({difference}); adjusted on {again} by the record that followed it (the "
                    "same figure), with reason '{code}: {reason}', verified by {verifier}."
                ).format(**figures)
            else:
                message = _(
                    "Count of kit {kit} on {day}: {counted_units} counted, {book_units} in the book "
                    "({difference}); not adjusted: counted again on {again}."
                ).format(**figures)
                detail = _(
                    "Count on {day}: {counted_units} counted, {book_units} in the book "
                    "({difference}); not adjusted: counted again on {again}."
                ).format(**figures)
            finding = Discrepancy(
                DiscrepancyKind.COUNT_DIFFERENCE,
                finding.subject,
                message,
                finding.on,
                finding.ref,
                detail=detail,
            )
        found.append(finding)
    return found


def _count_difference(study: Study, kit: _KitLine, count: _CountLine) -> Discrepancy:
    """A count that differed from the book: adjusted (a record), or recorded as counted and
    not adjusted (to review while it is the kit's last count: `_settled`). The figures in the
    kit's units (Study.units): a capsule kit's were said in 片 in Chinese."""
    figures = {
        "kit": kit.number,
        "day": count.counted_on.isoformat(),
        "counted_units": study.units(kit.product, count.counted),
        "book_units": study.units(kit.product, count.book),
        "difference": f"{count.counted - count.book:+d}",
    }
    # Said naming the kit (`message`) and beside its Concerns column (Discrepancy.detail).
    if not count.adjusted:
        return Discrepancy(
            DiscrepancyKind.COUNT_OPEN,
            kit.number,
            _(
                "Count of kit {kit} on {day}: {counted_units} counted, {book_units} in the book "
                "({difference}); not adjusted: count the kit again, or adjust the book to the "
                "count with a reason code, a reason and a second person's signature."
            ).format(**figures),
            count.counted_on,
            ref=_count_ref(count),
            detail=_(
                "Count on {day}: {counted_units} counted, {book_units} in the book "
                "({difference}); not adjusted: count the kit again, or adjust the book to the "
                "count with a reason code, a reason and a second person's signature."
            ).format(**figures),
        )
    adjustment = {
        "code": reason_code_words(count.reason_code),
        "reason": count.reason,
        "verifier": count.verifier or "?",
    }
    return Discrepancy(
        DiscrepancyKind.COUNT_DIFFERENCE,
        kit.number,
        _(
            "Count of kit {kit} on {day}: {counted_units} counted, {book_units} in the book "
            "({difference}); adjusted with reason '{code}: {reason}', verified by {verifier}."
        ).format(**figures, **adjustment),
        count.counted_on,
        ref=_count_ref(count),
        detail=_(
            "Count on {day}: {counted_units} counted, {book_units} in the book "
            "({difference}); adjusted with reason '{code}: {reason}', verified by {verifier}."
        ).format(**figures, **adjustment),
    )


def _count_ref(count: _CountLine) -> str:
    """A count finding's `Discrepancy.ref`: the count's id, which tells two counts of one kit
    on one day apart (their kind, kit and day alike gave them one key, and the Today screen's
    line of the second chose the first on the reconciliation)."""
    return f"count {count.id}"


def reason_code_words(code: str) -> str:
    """A count's reason code as a reader of the findings reads it: the code as typed in
    English ("breakage"), its name in another language ("破损")."""
    if current_language() is ENGLISH or code not in {c.value for c in ReasonCode}:
        return code
    return _(ReasonCode(code).label)


def flags_said(study: Study, row: DispenseHistoryRow) -> str:
    """A flagged dispense's flags in the reader's language, each in the unit word of the
    products it is of (Study.flag_said): a capsule kit not brought back leaves capsules
    unaccounted for, not "tablets". For the findings and the monitor pack's open items, as the
    screens, the participant report and the command say them."""
    return _(", ").join(study.flag_said(f, flagged_products(row.products, f)) for f in row.flags)


def _flag_finding(study: Study, number: str, row: DispenseHistoryRow) -> Discrepancy:
    labels = flags_said(study, row)
    if study.tablets_only and len(row.products) < 2:
        values: dict[str, object] = {
            "dispense": number,
            "cycle": row.cycle,
            "flags": labels,
            "taken": row.taken,
            "expected": row.expected,
        }
        text = _(
            "{dispense} cycle {cycle}: {flags}; taken {taken} of {expected} expected. "
            "Record the reason."
        ).format(**values)
        # Beside the participant's column: named once (Discrepancy.detail).
        detail = _(
            "Cycle {cycle}: {flags}; taken {taken} of {expected} expected. Record the reason."
        ).format(**values)
    else:  # each count in its product's word, each product of a dispense of several on its own
        values = {
            "dispense": number,
            "cycle": row.cycle,
            "flags": labels,
            "taken": taken_said(study, row),
        }
        text = _("{dispense} cycle {cycle}: {flags}; {taken}. Record the reason.").format(**values)
        detail = _("Cycle {cycle}: {flags}; {taken}. Record the reason.").format(**values)
    return Discrepancy(
        DiscrepancyKind.ADHERENCE,
        number,
        text,
        row.returned_on,
        ref=row.dispense_number,
        detail=detail,
    )


def taken_said(study: Study, row: DispenseHistoryRow) -> str:
    """What a flagged dispense's participant took of what was expected ("taken 18 of 21
    expected"), or what is known when units were not brought back (unaccounted for, never read
    as taken). A dispense of several products says each product of its own expected use, in
    its word ("democapib 100 mg capsule taken 20 capsules of 28 capsules expected; ..."): 20
    capsules and 21 tablets summed as "41" reconciled with neither. A study of tablets only
    says bare numbers of tablets, as it always did."""
    if len(row.products) > 1:
        return _("; ").join(product_taken(study, p) for p in row.products)
    if study.tablets_only:
        if not row.unaccounted:
            return _("taken {taken} of {expected} expected").format(
                taken=row.taken, expected=row.expected
            )
        if row.returned:
            return _(
                "{unaccounted} tablets not brought back (unaccounted for, not counted as taken); "
                "{returned} returned from the kits brought back"
            ).format(unaccounted=row.unaccounted, returned=row.returned)
        return _(
            "{unaccounted} tablets not brought back (unaccounted for, not counted as taken)"
        ).format(unaccounted=row.unaccounted)
    code = row.products[0].product if row.products else ""

    def units(count: int | None) -> str:
        return "" if count is None else study.units(code, count)

    if not row.unaccounted:
        return pgettext("in units", "taken {taken} of {expected} expected").format(
            taken=units(row.taken), expected=units(row.expected)
        )
    if row.returned:
        return _(
            "{unaccounted} not brought back (unaccounted for, not counted as taken); "
            "{returned} returned from the kits brought back"
        ).format(unaccounted=units(row.unaccounted), returned=units(row.returned))
    return _("{unaccounted} not brought back (unaccounted for, not counted as taken)").format(
        unaccounted=units(row.unaccounted)
    )


def product_taken(study: Study, p: ProductFigures) -> str:
    """One product of a dispense whose every kit is back, named, its counts in its own word:
    a flagged dispense of several here, any dispense in a study not of tablets only in the
    return command (one sentence for both)."""
    product = study.product_name(p.product)
    if not p.unaccounted:
        return _("{product} taken {taken} of {expected} expected").format(
            product=product,
            taken="" if p.taken is None else study.units(p.product, p.taken),
            expected="" if p.expected is None else study.units(p.product, p.expected),
        )
    unaccounted = study.units(p.product, p.unaccounted)
    if p.returned:
        return _(
            "{product}: {unaccounted} not brought back (unaccounted for, not counted as "
            "taken); {returned} returned from the kits brought back"
        ).format(
            product=product, unaccounted=unaccounted, returned=study.units(p.product, p.returned)
        )
    return _(
        "{product}: {unaccounted} not brought back (unaccounted for, not counted as taken)"
    ).format(product=product, unaccounted=unaccounted)


def _trail(
    session: Session, ctx: Context, given: VerifyResult | TrailCheck | None, full: bool
) -> TrailCheck:
    """The audit trail's check: the one given, else one made now."""
    if isinstance(given, TrailCheck):
        return given
    if given is None:
        return check_trail(session, ctx, full=full)
    if given.new_entries is None or given.point is None:
        return TrailCheck(given)
    return TrailCheck(given, since=given.point.position - given.new_entries)


class _LotLine(NamedTuple):
    number: str
    expiry: date


class _KitLine(NamedTuple):
    """What the reconciliation reads of a kit: read as plain rows, not as mapped objects (a
    site has hundreds of thousands of kits; a named tuple is made several times faster than a
    frozen dataclass)."""

    id: int
    number: str
    product: str
    status: str
    lot_id: int
    lot: _LotLine | None  # None: the lot row is missing (a damaged database)


_RECEIVE, _DISPENSE, _RETURN, _DESTROY, _ADJUST = (
    MovementKind.RECEIVE.value,
    MovementKind.DISPENSE.value,
    MovementKind.RETURN.value,
    MovementKind.DESTROY.value,
    MovementKind.ADJUST.value,
)


def _kit_balances(
    session: Session, study: int, kits: dict[int, _KitLine], ids: Sequence[int] | None = None
) -> dict[int, Balance]:
    """Each kit's balance: its movements' quantities summed per kind in SQL, one row per kit
    along the ledger's (kit, kind, from_returned, quantity) index, instead of a movement
    object per ledger row, and the balance made of those totals by the domain's rule
    (accountability.balance_of_totals). A movement kind the program does not know raises, as
    balance_of's MovementKind does: the balances would not mean anything. `ids`: of these
    kits alone (`kits` holds them)."""
    e = LedgerEntry
    q = e.quantity

    def total(*when: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*when), q), else_=0)), 0)

    known = (_RECEIVE, _DISPENSE, _RETURN, _DESTROY, _ADJUST)
    query = (
        select(
            e.kit_id,
            total(e.kind == _RECEIVE),
            total(e.kind == _DISPENSE),
            total(e.kind == _RETURN),
            total(e.kind == _DESTROY, e.from_returned.is_not(True)),
            total(e.kind == _DESTROY, e.from_returned.is_(True)),
            total(e.kind == _ADJUST),
            func.max(case((e.kind.not_in(known), e.kind), else_=None)),
        )
        .join(Kit, Kit.id == e.kit_id)
        .where(Kit.study_id == study)
        .group_by(e.kit_id)
    )
    rows: list[Any] = []
    for batch in _batches(ids):
        rows.extend(
            session.execute(query if batch is None else query.where(e.kit_id.in_(batch))).tuples()
        )
    balances = {kit_id: _NOTHING for kit_id in kits}
    for kit_id, received, dispensed, returned, from_stock, from_returned, adjust, odd in rows:
        if odd is not None:
            MovementKind(odd)  # raises: the kind is not one of the program's
        balances[kit_id] = balance_of_totals(
            int(received),
            int(dispensed),
            int(returned),
            int(from_stock),
            int(from_returned),
            int(adjust),
        )
    return balances


_NOTHING = Balance()


def _kits(session: Session, study: int, ids: Sequence[int] | None = None) -> dict[int, _KitLine]:
    """The study's kits (these, by id, when given: those of the study among them)."""
    query = (
        select(Kit.id, Kit.number, Kit.product, Kit.status, Kit.lot_id, Lot.number, Lot.expiry)
        .outerjoin(Lot, Lot.id == Kit.lot_id)
        .where(Kit.study_id == study)
    )
    rows: list[Any] = []
    for batch in _batches(ids):
        rows.extend(
            session.execute(query if batch is None else query.where(Kit.id.in_(batch))).tuples()
        )
    # One lot line per lot and one string per product and status, shared by the kits: a
    # reconciliation keeps its kits between runs.
    lots: dict[int, _LotLine] = {}
    words: dict[str, str] = {}
    found: dict[int, _KitLine] = {}
    for kit_id, number, product, status, lot_id, lot, expiry in rows:
        line = lots.get(lot_id)
        if line is None and lot is not None:
            line = lots[lot_id] = _LotLine(lot, expiry)
        found[kit_id] = _KitLine(
            kit_id,
            number,
            words.setdefault(product, product),
            words.setdefault(status, status),
            lot_id,
            line,
        )
    return found


def _returns_pending(
    session: Session, study: int, ids: Sequence[int] | None = None
) -> dict[int, tuple[int, date]]:
    """The cycle and day 1 of each participant's last dispense (voided ones left out, as
    queries.participant_row) when no return of it is recorded: one query for the study (for
    these participants, by id, when given)."""
    found: dict[int, tuple[int, date]] = {}
    for batch in _batches(ids):
        found.update(_pending_of(session, study, batch))
    return found


def _pending_of(
    session: Session, study: int, batch: Sequence[int] | None
) -> dict[int, tuple[int, date]]:
    own = Participant.study_id == study
    if batch is not None:
        own = and_(own, Participant.id.in_(batch))
    ranked = (
        select(
            Dispense.participant_id,
            Dispense.id,
            Dispense.cycle,
            Dispense.day1,
            func.row_number()
            .over(
                partition_by=Dispense.participant_id,
                order_by=(Dispense.cycle.desc(), Dispense.attempt.desc()),
            )
            .label("rank"),
        )
        .join(Participant, Participant.id == Dispense.participant_id)
        .where(own, not_voided())
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.participant_id, ranked.c.cycle, ranked.c.day1).where(
            ranked.c.rank == 1, ~exists().where(Return.dispense_id == ranked.c.id)
        )
    )
    return {pid: (cycle, day1) for pid, cycle, day1 in rows}


def _count_check(
    kit: _KitLine,
    balance: Balance,
    last: dict[int, _CountLine],
    adjusted: set[int],
    names: dict[int, str],
) -> KitCountCheck:
    """A kit on the shelf, its book now against its last physical count: what the count found
    against what the book said then, and what recorded movements changed since."""
    found = last.get(kit.id)
    after = None
    if found is not None:
        after = found.counted if found.id in adjusted else found.book
    return KitCountCheck(
        kit=kit.number,
        product=kit.product,
        lot=_lot_number(kit),
        book=balance.on_hand,
        counted_on=found.counted_on if found is not None else None,
        counted=found.counted if found is not None else None,
        book_then=found.book if found is not None else None,
        moved_since=balance.on_hand - after if after is not None else None,
        counted_by=_name(names, found.counted_by_id) if found is not None else "",
        verified_by=(
            _name(names, found.verified_by_id)
            if found is not None and found.verified_by_id is not None
            else ""
        ),
        adjusted=found is not None and found.id in adjusted,
    )


def _name(names: dict[int, str], user_id: int) -> str:
    return names.get(user_id, _("(user id {id} missing)").format(id=user_id))


def _lot_number(kit: _KitLine) -> str:
    # A lot row missing (a damaged or tampered database, which `audit verify` names) is shown,
    # not a crash: the reconciliation leads with the audit trail's finding then.
    if kit.lot is not None:
        return kit.lot.number
    return _("(lot id {id} missing)").format(id=kit.lot_id)


def _number(people: dict[int, _Person], pid: int) -> str:
    person = people.get(pid)
    if person is not None:
        return person.number
    return _("(participant id {id} missing)").format(id=pid)


def _initials(people: dict[int, _Person], pid: int) -> str:
    person = people.get(pid)
    return person.initials if person is not None else ""


def _kit_findings(
    study: Study, kit: _KitLine, balance: Balance, today: date
) -> Iterable[Discrepancy]:
    # Each finding said twice: naming its kit (`message`, a line of the command) and beside
    # the kit's Concerns column, naming it once (Discrepancy.detail).
    if not balance.balanced:
        yield Discrepancy(
            DiscrepancyKind.UNBALANCED,
            kit.number,
            _("Kit {kit} does not balance: {balance}.").format(kit=kit.number, balance=balance),
            detail=_("The kit does not balance: {balance}.").format(balance=balance),
        )
    expected = _status_from_ledger(kit, balance)
    if expected is not None and kit.status not in expected:
        values = {
            "kit": kit.number,
            "status": status_word(kit.status),
            "on_hand_units": study.units(kit.product, balance.on_hand),
            "held_units": study.units(kit.product, balance.held_returned),
        }
        yield Discrepancy(
            DiscrepancyKind.STATUS_MISMATCH,
            kit.number,
            _(
                "Kit {kit} is recorded as {status}, but its ledger shows {on_hand_units} on hand "
                "and {held_units} held."
            ).format(**values),
            detail=_(
                "Recorded as {status}, but the kit's ledger shows {on_hand_units} on hand and "
                "{held_units} held."
            ).format(**values),
        )
    if (
        kit.status in (KitStatus.AVAILABLE.value, KitStatus.QUARANTINED.value)
        and kit.lot is not None
        and kit.lot.expiry < today
    ):
        values = {"kit": kit.number, "lot": kit.lot.number, "expiry": kit.lot.expiry.isoformat()}
        yield Discrepancy(
            DiscrepancyKind.EXPIRED_IN_STOCK,
            kit.number,
            _(
                "Kit {kit} (lot {lot}) expired on {expiry} and is still in stock: destroy it or "
                "return it to the sponsor."
            ).format(**values),
            kit.lot.expiry,
            detail=_(
                "Lot {lot} expired on {expiry} and the kit is still in stock: destroy it or "
                "return it to the sponsor."
            ).format(**values),
        )


def quarantine_findings(session: Session, ctx: Context) -> list[Discrepancy]:
    """One finding per cause the study's kits are held in quarantine for, awaiting the
    sponsor's decision: an excursion (its number) or a reason typed, with the kits and what to
    do. Read anew at each reconciliation, not carried forward: the quarantined kits are few, and
    their causes (services.quarantine.hold_causes) are read by index."""
    from dispensary.services.quarantine import hold_causes

    held = list(
        session.scalars(
            select(Kit)
            .where(Kit.study_id == ctx.study_id, Kit.status == KitStatus.QUARANTINED.value)
            .order_by(Kit.number)
        )
    )
    groups: dict[tuple[int, str], list[tuple[str, date, set[int]]]] = {}
    for number, causes in hold_causes(session, ctx, held).items():
        if not causes:
            continue
        first, *later = causes
        key = (first.excursion, "") if first.excursion is not None else (0, first.reason)
        exposed = {c.excursion for c in later if c.exposed and c.excursion is not None}
        groups.setdefault(key, []).append((number, first.on, exposed))
    # An excursion's own day (its start), which the quarantine's (the import's) may follow.
    started = {
        e.id: ctx.clock.day_of(e.started_at)
        for e in session.scalars(
            select(Excursion).where(Excursion.id.in_(sorted({x for x, _r in groups if x})))
        )
    }
    found: list[Discrepancy] = []
    for (excursion, reason), kits in sorted(groups.items(), key=lambda g: min(k[1] for k in g[1])):
        numbers = [k for k, _on, _exposed in kits]
        since = min(on for _k, on, _exposed in kits)
        also_exposed = sorted(set().union(*(e for _k, _on, e in kits)))
        shown = listed(numbers[:QUARANTINE_KITS_SHOWN]) + (
            _(" and {n} more").format(n=len(numbers) - QUARANTINE_KITS_SHOWN)
            if len(numbers) > QUARANTINE_KITS_SHOWN
            else ""
        )
        on = started.get(excursion) if excursion else None
        cause = (
            _("Temperature excursion {excursion} on {day}").format(
                excursion=excursion, day=on.isoformat()
            )
            if on is not None
            else _("Temperature excursion {excursion}").format(excursion=excursion)
            if excursion
            else _("Quarantined for '{reason}'").format(reason=reason)
        )
        # The quarantine's day said when it is not the excursion's (an import the day after).
        template = (
            N_(
                "{cause}: {n} in quarantine, awaiting the sponsor's decision ({kits}).{also} "
                "Ask the sponsor; then release the kits with the sponsor's reference, or "
                "destroy them."
            )
            if on == since
            else N_(
                "{cause}: {n} in quarantine since {day}, awaiting the sponsor's decision "
                "({kits}).{also} Ask the sponsor; then release the kits with the sponsor's "
                "reference, or destroy them."
            )
        )
        also = (
            _(" Also exposed while held to temperature excursion {excursions}.").format(
                excursions=listed(str(e) for e in also_exposed)
            )
            if also_exposed
            else ""
        )
        values = {
            "cause": cause,
            "n": (_("1 kit") if len(numbers) == 1 else _("{n} kits")).format(n=len(numbers)),
            "day": since.isoformat(),
            "kits": shown,
            "also": also,
        }
        # One kit is the finding's subject (Concerns): beside it, not named again. Of several,
        # the subject names the first and the last; the finding, each of them.
        alone = (
            N_(
                "{cause}: in quarantine, awaiting the sponsor's decision.{also} Ask the sponsor; "
                "then release the kit with the sponsor's reference, or destroy it."
            )
            if on == since
            else N_(
                "{cause}: in quarantine since {day}, awaiting the sponsor's decision.{also} Ask "
                "the sponsor; then release the kit with the sponsor's reference, or destroy it."
            )
        )
        found.append(
            Discrepancy(
                DiscrepancyKind.QUARANTINE_OPEN,
                numbers[0] if len(numbers) == 1 else f"{numbers[0]} … {numbers[-1]}",
                _(template).format(**values),
                since,
                detail=_(alone).format(**values) if len(numbers) == 1 else "",
            )
        )
    return found


QUARANTINE_KITS_SHOWN = 10
"""Kits a quarantine finding names (the rest counted)."""


def _status_from_ledger(kit: _KitLine, balance: Balance) -> set[str] | None:
    if balance.on_hand > 0:
        return {KitStatus.AVAILABLE.value, KitStatus.QUARANTINED.value}
    if balance.held_returned > 0:
        return {KitStatus.RETURNED.value}
    if balance.received and balance.dispensed > balance.returned and balance.on_hand == 0:
        return {KitStatus.DISPENSED.value, KitStatus.RETURNED.value, KitStatus.DESTROYED.value}
    return None


def _row(scope: str, key: str, label: str, b: Balance, product: str = "") -> BalanceRow:
    return BalanceRow(
        scope,
        key,
        label,
        b.received,
        b.dispensed,
        b.returned,
        b.destroyed,
        b.adjusted,
        b.on_hand,
        b.held_returned,
        b.balanced,
        product,
    )


class SignOffCheck(StrEnum):
    """Every refusal a sign-off can meet: a code a script or a screen can act on."""

    TRAIL_NOT_VERIFIED = "trail_not_verified"  # the audit trail does not verify
    RECORDS_CHANGED = "records_changed"  # the figures are no longer those the signer saw
    STILL_STANDS = "still_stands"  # the signer's last sign-off attests the same, nothing since


class SignOffRefused(RuleViolation):
    """A sign-off refused, nothing written: `code` says why (SignOffCheck)."""

    def __init__(self, code: SignOffCheck, message: str) -> None:
        super().__init__(message)
        self.code = code


def sign_off(
    ctx: Context, actor: Actor, password: str, note: str = "", *, seen: str
) -> ReconcileResult:
    """The monitor's (or pharmacist's) signature under today's reconciliation. The audit trail
    is verified in full first, not from the last verified point, and the reconciliation is read
    anew from every row, never carried forward from a kept one (`fresh`): a signature attests
    that every record was checked, and only the full check and the full read see an old row
    edited outside the program since the last full check (a reconciliation carried forward
    trusts what it read before, as the incremental check trusts what it verified). At a
    million rows it takes most of a minute; a visit signs once. Nothing is kept from it: it
    reads inside the signing write, which may yet roll back.

    `seen` is what the signer was shown (`ReconcileResult.seen()` of the reconciliation the
    screen or command showed them): refused, nothing written, when the reconciliation read
    here is not that one (another workstation recorded something since: records_changed), so
    that no one signs figures they never saw. Refused too when the signer's own last sign-off
    of the study, the same day, attested the same figures and nothing of the study was
    recorded since but sign-offs (still_stands): a second signature would attest nothing new.

    So the signer's account, access and the study's closing are judged before that work, as
    the database holds them: before the write (no wait for the write lock nor the password's
    check), then first thing inside it, after the write lock; the Recorder judges them again
    with the account it reads for the signature. The signature's password is checked next,
    before the trail and the figures: a wrong one is refused and counted whatever else would
    have been refused, its message the one said."""
    require(actor, Permission.SIGN_OFF, ctx)
    with passwords_first(ctx, actor, password, SignatureMeaning.RECONCILIATION_SIGNED_OFF):
        text = check_text(note, N_("note"), required=False)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        judge_now(session, actor, Permission.SIGN_OFF, ctx)
        # The signature's password first: a wrong one is said and counted (in an entry of its
        # own, once this is rolled back) whatever else the sign-off would be refused for (the
        # trail, records_changed, still_stands), and at once, not after the trail's full check.
        signer = check_signer(
            session,
            actor,
            password,
            SignatureMeaning.RECONCILIATION_SIGNED_OFF,
            auditor=actor,
            now=ctx.clock.now(),
        )
        trail = check_trail(session, ctx, full=True)
        # Refused again here, whatever the precheck said: the trail may have been edited since
        # it, or where only this full check reads (an old row edited since the kept point).
        refuse_unverified(trail)
        result = reconcile_session(session, ctx, trail, fresh=True)
        if result.seen() != seen:
            raise SignOffRefused(
                SignOffCheck.RECORDS_CHANGED,
                _(
                    "The records changed since you opened the reconciliation: look at it again "
                    "(F5) and sign off what you see. Nothing was signed."
                ),
            )
        summary = json.dumps(
            {
                "products": [
                    [r.key, r.received, r.on_hand, r.held_returned, r.balanced]
                    for r in result.products
                ],
                "discrepancies": len(result.discrepancies),
                "to_review": len(result.to_review),
            }
        )
        _refuse_standing(session, ctx, actor, summary)
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.SIGN_OFF)
        signoff = ReconciliationSignOff(
            user_id=actor.user_id,
            role=actor.role.value,
            summary=summary,
            note=text,
            at=rec.now,
            study_id=ctx.study_id,
        )
        session.add(signoff)
        session.flush()
        record_signature(
            session,
            signer,
            SignatureMeaning.RECONCILIATION_SIGNED_OFF,
            "reconciliation",
            signoff.id,
            rec,
        )
        rec.audit(
            AuditAction.RECONCILIATION_SIGNED_OFF,
            "reconciliation",
            signoff.id,
            json.loads(summary),
            reason=text,
        )
        return reconcile_session(session, ctx, trail, fresh=True)


NOT_A_CHANGE = frozenset(
    {
        AuditAction.RECONCILIATION_SIGNED_OFF.value,
        AuditAction.SIGNATURE_FAILED.value,
        AuditAction.SIGN_IN.value,
        AuditAction.SIGN_IN_FAILED.value,
        AuditAction.SIGN_IN_REFUSED.value,
        AuditAction.SIGN_OUT.value,
        AuditAction.LOCKED.value,
        AuditAction.UNLOCKED.value,
    }
)
"""Audit entries that record no change of the study's records: a sign-off made after the
signer's own with only these since attests nothing new (_refuse_standing)."""


def _refuse_standing(session: Session, ctx: Context, actor: Actor, summary: str) -> None:
    """Refused (still_stands) when the signer's last sign-off of the study (same account and
    role) was made the same day, stored the same figures (`summary`) and nothing of the study
    was recorded since but sign-offs and sessions: it still stands. Another person's or role's
    sign-off, a new day's, or one after any record of the study is accepted."""
    last = session.execute(
        select(ReconciliationSignOff)
        .where(
            of_study(ReconciliationSignOff.study_id, ctx.study_id),
            ReconciliationSignOff.user_id == actor.user_id,
            ReconciliationSignOff.role == actor.role.value,
        )
        .order_by(ReconciliationSignOff.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is None or last.summary != summary:
        return
    if ctx.clock.day_of(last.at) != ctx.clock.today():
        return
    entry = session.scalar(
        select(func.max(AuditEntry.id)).where(
            AuditEntry.action == AuditAction.RECONCILIATION_SIGNED_OFF.value,
            AuditEntry.entity == "reconciliation",
            AuditEntry.entity_id == str(last.id),
        )
    )
    if entry is None:
        return
    since = session.scalar(
        select(AuditEntryStudy.audit_entry_id)
        .join(AuditEntry, AuditEntry.id == AuditEntryStudy.audit_entry_id)
        .where(
            AuditEntryStudy.study_id == ctx.study_id,
            AuditEntryStudy.audit_entry_id > entry,
            AuditEntry.action.not_in(NOT_A_CHANGE),
        )
        .limit(1)
    )
    if since is not None:
        return
    raise SignOffRefused(
        SignOffCheck.STILL_STANDS,
        _(
            "Your sign-off of {at} UTC still stands: nothing has been recorded since, and it "
            "attests these same figures. Nothing was signed; sign off again once the records "
            "change."
        ).format(at=last.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")),
    )


def sign_off_precheck(ctx: Context, actor: Actor) -> bool:
    """Whether a sign-off may be asked for now, read-only, before the signer is asked for their
    password: refused (the same refusal as the sign-off's) while the audit trail does not
    verify, so that no one signs for nothing. The trail is checked from the last point that
    verified (fast; a trail that failed a full check has no point and is checked in full);
    `sign_off` checks it again in full at the step."""
    require(actor, Permission.SIGN_OFF, ctx)
    with read_transaction(ctx.engine) as session:
        refuse_unverified(check_trail(session, ctx))
    return True


def refuse_unverified(trail: TrailCheck) -> None:
    """The one rule: no sign-off while the audit trail does not verify. The check found the
    trail damaged or edited, and no figure read from it can be attested (it was a finding
    among the others, and the sign-off went through)."""
    if not trail.verification.ok:
        raise SignOffRefused(
            SignOffCheck.TRAIL_NOT_VERIFIED, trail_refusal(trail.verification.message)
        )


def last_monitor_signoff(session: Session, study_id: int) -> datetime | None:
    """When a monitor last signed off the study's reconciliation (None: never): the returned
    tablets recorded after it are held for a monitor who has not seen them. A pharmacist's
    sign-off is not the monitor's look."""
    return session.execute(
        select(func.max(ReconciliationSignOff.at)).where(
            of_study(ReconciliationSignOff.study_id, study_id),
            ReconciliationSignOff.role == Role.MONITOR.value,
        )
    ).scalar_one_or_none()


def signoff_rows(
    session: Session, study_id: int, study: Study, clock: Clock
) -> tuple[SignOffRow, ...]:
    """The study's sign-offs, each with the figures it attested (its stored summary) and the
    records written after it that change them: a correction of a record it covered (a return
    recounted, a dispense voided) or a record dated before it added later. Read anew at each
    reconciliation (a few rows: corrections and voids are rare, and the records dated before
    a sign-off but written after it are looked for only after the first sign-off, by the
    indexes of the records dated before the day they were written: _changes_after).

    A sign-off's day is the pharmacy's local day (`clock.day_of`, as the records' own dates and
    the Today screen's day are), not the UTC day of its time: around local midnight the UTC day
    missed a record dated before the sign-off (east of UTC: signed at 07:00 in UTC+8, the day
    before's paper record typed at 07:30) and marked the day's own work after it (west)."""
    found = list(
        session.execute(
            select(ReconciliationSignOff, User)
            .join(User, User.id == ReconciliationSignOff.user_id)
            .where(of_study(ReconciliationSignOff.study_id, study_id))
            .order_by(ReconciliationSignOff.id)
        ).tuples()
    )
    if not found:
        return ()
    days = {signoff.id: clock.day_of(signoff.at) for signoff, _u in found}
    changes = _changes_after(
        session,
        study_id,
        min(s.at for s, _u in found),
        max(days.values()),
        [_utc_rest_of_day(s.at) for s, _u in found if days[s.id] > _utc_day(s.at)],
    )
    rows: list[SignOffRow] = []
    for signoff, user in found:
        balanced, findings, review, held = _attested(signoff.summary)
        since = tuple(
            words
            for at, covered, words in changes
            if at > signoff.at
            and (
                covered <= signoff.at
                if isinstance(covered, datetime)
                else covered < days[signoff.id]
            )
        )
        rows.append(
            SignOffRow(
                username=user.username,
                full_name=user.full_name,
                role=Role(signoff.role),
                at=signoff.at,
                note=signoff.note,
                balanced=balanced,
                findings=findings,
                to_review=review,
                held=held,
                changed_since=since,
                attested=_attested_words(study, balanced, findings, held, review),
                changed=_("Records corrected or added since this sign-off: {records}.").format(
                    records=_("; ").join(since)
                )
                if since
                else "",
            )
        )
    return tuple(rows)


def _utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def _utc_rest_of_day(at: datetime) -> tuple[datetime, datetime]:
    """From `at` to the UTC midnight after it: where a sign-off's local day is already the
    next UTC day (east of UTC, in the local small hours), the records written then and dated
    the UTC day are dated before its day but not before the UTC day they were written, so the
    indexes of those (models.dated_before_written) do not hold them."""
    start = at.astimezone(UTC)
    return start, datetime.combine(start.date() + timedelta(days=1), time(0), UTC)


def _attested(
    summary: str,
) -> tuple[bool | None, int | None, int | None, tuple[tuple[str, int], ...]]:
    """What a sign-off's stored summary says: balanced, findings, of them to review (None: a
    sign-off stored before that was), held per product (None and nothing for a summary that
    cannot be read)."""
    try:
        data = json.loads(summary)
        products = [(str(p[0]), int(p[3]), bool(p[4])) for p in data["products"]]
        findings = int(data["discrepancies"])
        review = int(data["to_review"]) if data.get("to_review") is not None else None
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None, None, None, ()
    balanced = all(ok for _code, _held, ok in products)
    return balanced, findings, review, tuple((code, held) for code, held, _ok in products)


def findings_words(findings: int, to_review: int | None) -> str:
    """The findings and, when not all of them, those to review ("5 findings (3 to review)"), as
    the sign-off's dialog shows them; the total alone when the number to review is not known
    (a sign-off stored before it was) or is every finding."""
    found = _("1 finding") if findings == 1 else _("{count} findings").format(count=findings)
    if to_review is None or to_review == findings:
        return found
    return _("{findings} ({count} to review)").format(findings=found, count=to_review)


def _attested_words(
    study: Study,
    balanced: bool | None,
    findings: int | None,
    held: tuple[tuple[str, int], ...],
    to_review: int | None = None,
) -> str:
    """The figures a sign-off attested, in the reader's words."""
    if balanced is None or findings is None:
        return _("figures not recorded")
    state = _("balanced") if balanced else _("NOT balanced")
    found = findings_words(findings, to_review)
    if not held:
        return _("{state}, {findings}").format(state=state, findings=found)
    return _("{state}, {findings}; held: {held}").format(
        state=state,
        findings=found,
        held=listed(
            _("{product} {count}").format(
                product=study.product_name(code), count=study.units(code, count)
            )
            for code, count in held
        ),
    )


_CORRECTED = aliased(Return, name="corrected")
_COUNTED = aliased(Kit, name="counted")
_GIVEN = aliased(Dispense, name="given")
"""The aliases of _changes_after's statements, made once (an alias made at each call costs
more than the statements' few rows)."""


Written = Callable[[Any, Any], tuple[ColumnElement[bool], ...]]
"""The condition on a record's own date and the time it was written that _late_records reads."""


def _changes_after(
    session: Session,
    study_id: int,
    since: datetime,
    before: date,
    windows: Sequence[tuple[datetime, datetime]] = (),
) -> list[tuple[datetime, datetime | date, str]]:
    """The records written after `since` (the first sign-off) that change figures a sign-off
    may have attested: (when written, what it changes: the corrected record's time or the new
    record's own date, the record in the reader's words). A sign-off made before `when` covered
    it when the corrected record was written by then, or the new record's date was before its
    day. A new record is looked for only when dated before `before` (the last sign-off's day)
    and before the day it was written (models.dated_before_written: a record written after a
    sign-off and dated before its day is), so the indexes of those few rows (migration 0014)
    serve the look-up: the day's ordinary work is not read at all, however long the history.
    Those indexes go by the UTC day a record was written, and a sign-off's day is the local
    one: east of UTC a record written in the local small hours and dated the day before is not
    in them; `windows` are the times (from a sign-off made then to the UTC midnight after it)
    whose records are read by their time instead, by the indexes of the records by the time
    written (migration 0016: a few hours' rows, and only where a sign-off was made in them).
    A receipt late the same way is its shipment's row, of the shipments read whole (a row per
    delivery: no index; `_late_records`).
    The study is asked of each row found (EXISTS), and the rows are put in
    order here: SQLite would otherwise walk the study's participants or the table in id order
    instead."""
    found: list[tuple[datetime, datetime | date, str]] = []
    old = _CORRECTED
    corrections = sorted(
        session.execute(
            select(Return.id, Return.created_at, old.id, old.created_at)
            .join(old, old.id == Return.corrects_id)
            .where(
                Return.corrects_id.is_not(None),  # ix_returns_corrections
                Return.created_at > since,
                _dispensed_in(Return.dispense_id, study_id),
            )
        ).tuples()
    )
    for new_id, at, old_id, old_at in corrections:
        found.append(
            (at, old_at, _("return {new} corrects return {old}").format(new=new_id, old=old_id))
        )
    for at, created, number in session.execute(
        select(DispenseVoid.at, Dispense.created_at, Dispense.number)
        .join(Dispense, Dispense.id == DispenseVoid.dispense_id)
        .where(DispenseVoid.at > since, _participant_in(Dispense.participant_id, study_id))
        .order_by(DispenseVoid.id)  # voids are rare: read whole, in order
    ).tuples():
        found.append((at, created, _("dispense {number} voided").format(number=number)))
    late = [_late_after(since), *([_written_in(windows)] if windows else [])]
    found += _late_records(session, study_id, before, late)
    corrected = {
        number: [c for c in changes if c.correction]
        for number, changes in record_changes(session, study_id, since=since).items()
    }
    enrolled = (
        dict(
            session.execute(
                select(Participant.study_number, Participant.eligibility_confirmed_at).where(
                    Participant.study_id == study_id,
                    Participant.study_number.in_(sorted(n for n, c in corrected.items() if c)),
                )
            )
            .tuples()
            .all()
        )
        if any(corrected.values())
        else {}
    )
    for number, changes in corrected.items():
        for change in changes:
            if number in enrolled:
                # The enrolment (a DARF line's initials, a participant's dates) as a sign-off
                # made since it saw it: changed in place by the correction.
                found.append(
                    (
                        change.at,
                        enrolled[number],
                        _(
                            "enrolment of {participant} corrected ({field} from {old} to {new})"
                        ).format(
                            participant=number,
                            field=_(CHANGED_FIELDS.get(change.field, change.field)),
                            old=change.old,
                            new=change.new,
                        ),
                    )
                )
    found += _late_destructions(session, study_id, before, late)
    return found


R = TypeVar("R", bound=tuple[Any, ...])


def _rows(
    session: Session, written: Sequence[Written], statement: Callable[[Written], Select[R]]
) -> list[R]:
    """The rows of `statement` under each of `written`, each row once, in order."""
    found: set[R] = set()
    for when in written:
        found.update(session.execute(statement(when)).tuples())
    return sorted(found)


def _late_after(since: datetime) -> Written:
    """Dated before the (UTC) day written, written after `since`: in these words the partial
    indexes of migration 0014 serve the look-up."""
    return lambda day, created: (dated_before_written(day, created), created > since)


def _written_in(windows: Sequence[tuple[datetime, datetime]]) -> Written:
    """Written after the start and before the end of one of _changes_after's windows (a few
    hours each, only where a sign-off was made in the local small hours east of UTC): the
    indexes of the records by the time written (models.written_index, migration 0016) read
    those hours' rows, a range of each, not the tables through."""
    return lambda _day, created: (
        or_(*(and_(created > start, created < end) for start, end in windows)),
    )


def _late_records(
    session: Session, study_id: int, before: date, written: Sequence[Written]
) -> list[tuple[datetime, datetime | date, str]]:
    """The study's receipts, dispenses, returns (not the corrections: _changes_after has them)
    and counts dated before `before` and written as one of `written` says (a statement each, so
    that the first is served by its index; a record both finds is said once): (when written,
    the record's own date, the record in the reader's words)."""
    found: list[tuple[datetime, datetime | date, str]] = []
    # A receipt is its shipment (one row per receipt, received_on its date): the shipments are
    # a row per delivery, read whole (no index: tests/services/test_query_plans.SMALL), the
    # study asked only of the rows the dates keep.
    receipts = _rows(
        session,
        written,
        lambda when: select(
            Shipment.id, Shipment.created_at, Shipment.received_on, Shipment.number
        ).where(
            *when(Shipment.received_on, Shipment.created_at),
            Shipment.received_on < before,
            _received_for(Shipment.id, Shipment.study_id, study_id),
        ),
    )
    for _id, at, day, number in receipts:
        found.append(
            (at, day, _("receipt of shipment {number} dated before it").format(number=number))
        )
    dispenses = _rows(
        session,
        written,
        lambda when: select(
            Dispense.id, Dispense.created_at, Dispense.dispensed_on, Dispense.number
        ).where(
            *when(Dispense.dispensed_on, Dispense.created_at),
            Dispense.dispensed_on < before,
            _participant_in(Dispense.participant_id, study_id),
        ),
    )
    for _id, at, day, number in dispenses:
        found.append((at, day, _("dispense {number} dated before it").format(number=number)))
    # A correction is left out here, not in SQL: SQLite would read every other return by
    # ix_returns_corrects_id (corrects_id IS NULL) instead of the few dated before written.
    late_returns = _rows(
        session,
        written,
        lambda when: select(
            Return.id, Return.created_at, Return.returned_on, Return.corrects_id
        ).where(
            *when(Return.returned_on, Return.created_at),
            Return.returned_on < before,
            _dispensed_in(Return.dispense_id, study_id),
        ),
    )
    for return_id, at, day, corrects in late_returns:
        if corrects is None:
            found.append((at, day, _("return {number} dated before it").format(number=return_id)))
    counted = _COUNTED
    counts = _rows(
        session,
        written,
        lambda when: (
            select(PhysicalCount.id, PhysicalCount.created_at, PhysicalCount.counted_on, Kit.number)
            .join(Kit, Kit.id == PhysicalCount.kit_id)
            .where(
                *when(PhysicalCount.counted_on, PhysicalCount.created_at),
                PhysicalCount.counted_on < before,
                exists(
                    select(counted.id).where(
                        counted.id == PhysicalCount.kit_id, counted.study_id == study_id
                    )
                ),
            )
        ),
    )
    for _id, at, day, kit in counts:
        found.append((at, day, _("count of kit {kit} dated before it").format(kit=kit)))
    return found


def _late_destructions(
    session: Session, study_id: int, before: date, written: Sequence[Written]
) -> list[tuple[datetime, datetime | date, str]]:
    """The destructions of the study's kits dated before `before` and written as one of
    `written` says, as _late_records gives the other records."""
    destructions = sorted(
        _rows(
            session,
            written,
            lambda when: _destructions_dated_before(session, study_id, before, when),
        ),
        key=lambda row: row[2],
    )
    return [
        (at, day, _("destruction No. {number} dated before it").format(number=destruction_id))
        for at, day, destruction_id in destructions
    ]


def _participant_in(participant_id: Any, study_id: int) -> ColumnElement[bool]:
    """The row's participant is of the study: asked of each row found (EXISTS), so that the
    planner does not start from the study's participants and walk all their dispenses."""
    return exists(
        select(Participant.id).where(
            Participant.id == participant_id, Participant.study_id == study_id
        )
    )


def _received_for(shipment_id: Any, shipment_study: Any, study_id: int) -> ColumnElement[bool]:
    """The shipment was received for the study (migration 0018), or, received before and
    holding no study, is the study of its kits (services.common.shipments_of), asked of each
    row found: a kit of the shipment, by the index of the kits by shipment. (As an OR, SQLite
    walked every kit of the study for the shipments holding no study.)"""
    kits_study = (
        select(Kit.study_id).where(Kit.shipment_id == shipment_id).limit(1).scalar_subquery()
    )
    return func.coalesce(shipment_study, kits_study) == study_id


def _dispensed_in(dispense_id: Any, study_id: int) -> ColumnElement[bool]:
    """The row's dispense is of a participant of the study, asked of each row found."""
    given = _GIVEN
    return exists(
        select(given.id)
        .join(Participant, Participant.id == given.participant_id)
        .where(given.id == dispense_id, Participant.study_id == study_id)
    )


def _destructions_dated_before(
    session: Session, study_id: int, before: date, written: Written
) -> Select[tuple[datetime, date, int]]:
    """The destructions written as `written` says and dated before `before` that destroyed a kit
    of the study (unordered: ix_destructions_late serves it, the caller orders them). A
    destruction names its kits (a JSON list of their numbers), not a study: the lists are read
    in SQL (SQLite's json_each, PostgreSQL's jsonb_array_elements_text), only of the
    destructions the dates keep, and a kit they list looked up in the study."""
    if session.get_bind().dialect.name == "postgresql":
        listed = func.jsonb_array_elements_text(cast(Destruction.kits, JSONB)).table_valued("value")
    else:
        listed = func.json_each(Destruction.kits).table_valued("value")
    # Each kit listed looked up in the study by its number (a nested EXISTS: written as a
    # join, SQLite walked all the study's kits for each destruction, seconds each).
    of_this_study = exists(
        select(listed.c.value).where(
            exists(select(Kit.id).where(Kit.study_id == study_id, Kit.number == listed.c.value))
        )
    )
    return select(Destruction.created_at, Destruction.destroyed_on, Destruction.id).where(
        *written(Destruction.destroyed_on, Destruction.created_at),
        Destruction.destroyed_on < before,
        of_this_study,
    )


def trail_refusal(finding: str) -> str:
    """Why a reconciliation cannot be signed off while the audit trail does not verify, and
    what to do."""
    return _(
        "The reconciliation cannot be signed off: the audit trail does not verify. {finding} "
        "Run `dispensary audit verify` (or Verify chain on the Audit trail screen) to see every "
        "finding, call the administrator and the sponsor, and sign off once it verifies."
    ).format(finding=finding)


def trail_verdict() -> str:
    """What a reconciliation says instead of "balanced" while the audit trail does not verify."""
    return _(
        "the audit trail does not verify: the figures cannot be trusted, balanced or not. Run "
        "`dispensary audit verify` and call the administrator and the sponsor."
    )


def written_off_note(study: Study | None = None) -> str:
    """What the written-off figure (`adjusted`) counts, and its sign against a count's difference:
    one sentence for the window's, the report's and the command's notes. Tablets in a study of
    tablets only (or none named); else each product's own units, never a capsule's called a
    tablet."""
    if study is None or study.tablets_only:
        return _(
            "Written off (adjusted): tablets physical counts took off the book (broken, lost), "
            "less the tablets they found; a count 1 tablet short of the book writes off 1, a "
            "count 1 over writes off -1."
        )
    return _(
        "Written off (adjusted): what physical counts took off the book (broken, lost), less "
        "what they found, each product in its own units; a count 1 short of the book writes "
        "off 1, a count 1 over writes off -1."
    )
