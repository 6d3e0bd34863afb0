"""The audit trail and the ledger chain: append with a hash, verify by recomputing.

Each audit entry and each ledger row stores the hash of the previous one and of its own
canonical content (JSON, sorted keys). Ids are given out in order under the write lock, so a
deleted row leaves a gap, and the chain head row holds the last hash and count, so a removed
tail is caught too. An audit entry also names the hashes of the ledger rows it wrote.

A rewriter who recomputes every hash and the head passes that check: a verification code
(domain.anchor), kept outside the database on a report or in the anchor log beside the backups,
remembers where the chain stood, and `check_anchor` recomputes the chain up to it.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from dispensary.db import entry_studies, facts
from dispensary.db.engine import read_only, read_transaction
from dispensary.db.facts import GENESIS, canonical, digest
from dispensary.db.models import (
    BATCH_ENTRY,
    AuditEntry,
    AuditEntryStudy,
    Base,
    ChainHead,
    Dispense,
    DispenseKit,
    Kit,
    LedgerEntry,
    Participant,
    PhysicalCount,
    Return,
    Signature,
    StudyRecord,
    User,
)
from dispensary.db.protection import named_triggers, unprotected
from dispensary.domain.anchor import Anchor, AnchorVerdict, anchor_code, parse_anchor
from dispensary.domain.audit_actions import (
    LISTED_CODES,
    REFERRING_KEYS,
    AuditAction,
    action_typed,
    codes_shown_as,
    digests_of,
    name_of,
    reasons_shown_as,
    searched_values,
)
from dispensary.domain.documents import Values
from dispensary.domain.errors import (
    ChainBroken,
    ChainOutOfStep,
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
)
from dispensary.i18n import N_, _, sentences
from dispensary.services.audit_check import chain_check, forget_point
from dispensary.services.common import get_kit, get_participant
from dispensary.services.context import Actor, Context, local_day_start
from dispensary.services.permissions import (
    Permission,
    Readable,
    access_of,
    deactivated,
    granted,
    judge,
    locked_out,
    require,
    studies_now,
)
from dispensary.services.results import (
    AnchorCheck,
    AuditRow,
    EntrySignature,
    EntrySigners,
    ExportedEntry,
    PersonNamed,
    VerifiedPoint,
    VerifyResult,
)
from dispensary.services.verification import MAX_FINDINGS, verify_session, verify_since

CLOCK_SKEW = timedelta(minutes=2)
TRAINING_AHEAD = timedelta(days=1)
"""Entries this far ahead of the clock are said to be perhaps a training date's."""
TRAINING_DATE = N_(
    "If the later entries were written with a training date (DISPENSARY_TODAY), this database "
    "is that training's: keep using it with that date, or use another database."
)
"""Workstations' clocks may differ by this much: an entry that would be dated up to this much
before the last one is dated as the last one instead, so the trail never goes back in time; a
clock further behind is refused (it would let a record be back-dated)."""


def _columns(row: AuditEntry | LedgerEntry) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def audit_content(entry: AuditEntry) -> dict[str, Any]:
    return facts.audit_content(_columns(entry))


def ledger_content(row: LedgerEntry) -> dict[str, Any]:
    return facts.ledger_content(_columns(row))


def _hash_facts(session: Session, written: list[tuple[str, int]]) -> list[facts.Fact]:
    """The content hash of each row written, read back as verify reads it (facts.Reader)."""
    by_table: dict[str, list[int]] = {}
    for name, row_id in written:
        by_table.setdefault(name, []).append(row_id)
    dbapi, sqlite = facts.driver_connection(session), facts.on_sqlite(session)
    found: list[facts.Fact] = []
    for name, ids in sorted(by_table.items()):
        reader = _reader(name, sqlite)
        for values in reader.by_ids(dbapi, sorted(ids)):
            found.append((name, int(values[0]), reader.hash(values)))
    return sorted(found, key=lambda f: (f[0], f[1]))


@functools.cache
def _reader(table: str, sqlite: bool) -> facts.Reader:
    """A table's Reader, made once per process (building its SQL took a third of the audit
    entry's own time)."""
    return facts.reader(Base.metadata.tables[table], sqlite)


def chain_head(session: Session) -> ChainHead:
    head = session.get(ChainHead, 1)
    if head is None:
        head = ChainHead(
            id=1, audit_hash=GENESIS, audit_count=0, ledger_hash=GENESIS, ledger_count=0
        )
        session.add(head)
        session.flush()
    return head


_USER = select(User).where(User.id == bindparam("id"))
"""session.get's query, built once (get builds its statement at each call it reads)."""

_USER_IN_STUDY = select(
    User,
    select(StudyRecord.closed_at).where(StudyRecord.id == bindparam("study")).scalar_subquery(),
    access_of(bindparam("study")),
).where(User.id == bindparam("user"))
"""The account with the study's closing and the user's access to it, in the one statement a
step in a study sends for its signer (no statement more than the account's own)."""


@dataclass
class Recorder:
    """Writes the ledger rows and the audit entry of one transaction, in chain order.

    Before anything is written it checks that the acting account may still act (a session
    open on a workstation stops once its account is locked or deactivated elsewhere), that the
    chain head matches the last audit entry and ledger row, and that the clock has not gone
    back. `check_account=False` is for what must be recorded whatever the account's state (a
    failed signature that locks it, a sign-out, choosing one's own password).

    A step in a study names it (`study`, the step's Context) and its `action`: the user's
    access to the study and whether it is closed are read with the account, as they are now
    inside this transaction (services.permissions.judge), not as they were at the sign-in or
    when the window opened the study. Every write step takes the write lock first (SQLite's
    BEGIN IMMEDIATE, PostgreSQL's lock of the chain head), so a study closed or an access
    withdrawn by a step that committed before is seen here, and one that commits after waited
    for this step to end (close_study then finds what it wrote).

    `direct`: the step writes each of its rows at once with a Core statement (`write`,
    `change`, its ledger rows too), not through the session's unit of work, whose flushes
    took most of a dispense's time; the rows are listed by the audit entry all the same. Only
    for a step whose rows name rows already in the database (no flush pending)."""

    session: Session
    actor: Actor | None
    now: datetime
    check_account: bool = True
    direct: bool = False
    study: Context | None = None
    action: Permission | None = None

    def __post_init__(self) -> None:
        # Held for the step: the session keeps its objects only while they are referenced, and
        # the step's signature and result ask for the same user again (no second read).
        self.user: User | None = None
        if (self.study is None) != (self.action is None):
            raise ValueError("a step in a study names the study and its action, both")
        if self.actor is None and self.study is not None:
            raise ValueError("a step in a study has an acting user")
        # The account (with the study's standing) and the chain head with the chains' last
        # rows, in one statement when both are there (each apart when one is missing, to say
        # which): a statement fewer in every step.
        together: tuple[Any, ...] | None = None
        if self.actor is not None:
            standing: tuple[Any, ...] = ()
            values = {"user": self.actor.user_id}
            if self.study is not None:
                values["study"] = self.study.study_id
            both = self.session.execute(_with_head(self.study is not None), values).first()
            found: tuple[Any, ...] | None = None
            if both is not None:
                together = tuple(both[-_HEAD_COLUMNS:])
                found = tuple(both[:-_HEAD_COLUMNS])
            else:
                alone = _USER if self.study is None else _USER_IN_STUDY
                row = self.session.execute(alone, {"id": self.actor.user_id, **values}).first()
                found = None if row is None else tuple(row)
            user = self.user = None if found is None else found[0]
            standing = () if found is None else found[1:]
            if user is None or not user.active:
                # Signed in before an administrator deactivated the account: nothing more.
                raise deactivated(self.actor)
            if self.check_account and user.locked:
                raise locked_out(self.actor)
            if self.check_account and user.must_change_password:
                raise NotPermitted(
                    _(
                        "An administrator set the password of {user}: choose your own password "
                        "first (`dispensary user password`, or at sign-in). Nothing was saved."
                    ).format(user=self.actor.username)
                )
            if self.study is not None and self.action is not None:
                closed, access = standing
                judge(
                    self.actor,
                    self.action,
                    self.study,
                    granted(self.actor, access),
                    closed is not None,
                )
        # Hashed as it will be read back: in UTC, whatever zone the clock reports in.
        self.now = self.now.astimezone(UTC)
        if together is not None:
            self.head, last_at = together[0], _check_in_step(*together)
        else:
            self.head, last_at = _head_in_step(self.session)
        if last_at is not None and self.now < last_at:
            if last_at - self.now > CLOCK_SKEW:
                behind = _(
                    "This computer's clock ({now} UTC) is behind the last entry of the audit "
                    "trail ({last} UTC): a record may not be dated before the one it follows. "
                    "Set the computer's date and time right, then try again; nothing was "
                    "saved."
                ).format(now=f"{self.now:%Y-%m-%d %H:%M}", last=f"{last_at:%Y-%m-%d %H:%M}")
                if last_at - self.now > TRAINING_AHEAD:
                    # A clock days behind is more often a training date (DISPENSARY_TODAY) set
                    # when the later entries were written than a computer's clock gone wrong.
                    behind = sentences([behind, _(TRAINING_DATE)])
                raise RuleViolation(behind)
            self.now = last_at
        self.ledger_written: list[LedgerEntry] = []
        # The ledger chain's end as this step moves it; the head takes it with the audit entry
        # (one UPDATE of the head per entry, not one more for the ledger rows before it).
        self.ledger_count, self.ledger_hash = self.head.ledger_count, self.head.ledger_hash

    def signer(self) -> User:
        """The acting user, as read when the recorder was made (checked active then)."""
        if self.user is None:
            raise ValueError("a recorder without an acting user has no signer")
        return self.user

    def write(self, row: Base) -> None:
        """Writes a new row of the step: at once in a direct step, else added to the session
        (written by its next flush)."""
        if self.direct:
            facts.insert(self.session, row)
        else:
            self.session.add(row)

    def change(self, row: Base, **values: Any) -> None:
        """Changes columns of a loaded row (a kit's status): at once in a direct step, else
        on the object (written by the session's next flush)."""
        if self.direct:
            facts.update(self.session, row, **values)
        else:
            for key, value in values.items():
                setattr(row, key, value)

    def ledger(self, row: LedgerEntry) -> LedgerEntry:
        row.id = self.ledger_count + 1
        row.audit_entry_id = self.head.audit_count + 1  # the entry `audit` writes next
        row.at = self.now
        if self.actor is None:
            raise ValueError("a ledger row needs an acting user")
        row.user_id = self.actor.user_id
        row.prev_hash = self.ledger_hash
        row.row_hash = digest(row.prev_hash, ledger_content(row))
        self.write(row)
        self.ledger_count, self.ledger_hash = row.id, row.row_hash
        self.ledger_written.append(row)
        return row

    def audit(
        self,
        action: AuditAction,
        entity: str,
        entity_id: str | int,
        new: Mapping[str, Any] | None = None,
        old: Mapping[str, Any] | None = None,
        reason: str = "",
        username: str | None = None,
    ) -> AuditEntry:
        """Writes the step's audit entry. `action` is one of the actions the trail names
        (domain.audit_actions): a code without a name is refused, so none reaches a reader raw."""
        code = AuditAction(action).value  # ValueError for a code the registry does not hold
        new_values = dict(new or {})
        written = _hash_facts(self.session, facts.take_written(self.session))
        if self.ledger_written:
            new_values["ledger"] = [[r.id, r.row_hash] for r in self.ledger_written]
            self.ledger_written = []
        entry = AuditEntry(
            id=self.head.audit_count + 1,
            at=self.now,
            user_id=self.actor.user_id if self.actor else None,
            username=username or (self.actor.username if self.actor else "-"),
            action=code,
            entity=entity,
            entity_id=str(entity_id),
            old=canonical(old) if old else "",
            new=canonical(new_values) if new_values else "",
            reason=reason,
            facts=facts.facts_text(written),
        )
        entry.prev_hash = self.head.audit_hash
        entry.entry_hash = digest(entry.prev_hash, audit_content(entry))
        # The entry and the head at once, with Core statements (every row of the step was
        # flushed by take_written above): no unit of work for the last two writes of a step.
        facts.insert(self.session, entry)
        entry_studies.index_entry(self.session, entry)
        facts.update(
            self.session,
            self.head,
            audit_count=entry.id,
            audit_hash=entry.entry_hash,
            ledger_count=self.ledger_count,
            ledger_hash=self.ledger_hash,
        )
        return entry

    def finish(self) -> None:
        if self.ledger_written:
            raise RuntimeError("ledger rows written without an audit entry")


def _last_rows() -> tuple[Any, ...]:
    """The last audit entry's id, hash and time, and the last ledger row's id and hash, each
    found by its id (the index of the primary key): columns for one statement."""
    newest_audit = select(func.max(AuditEntry.id)).scalar_subquery()
    newest_ledger = select(func.max(LedgerEntry.id)).scalar_subquery()
    return (
        newest_audit,
        select(AuditEntry.entry_hash).where(AuditEntry.id == newest_audit).scalar_subquery(),
        select(AuditEntry.at).where(AuditEntry.id == newest_audit).scalar_subquery(),
        newest_ledger,
        select(LedgerEntry.row_hash).where(LedgerEntry.id == newest_ledger).scalar_subquery(),
    )


_LAST_ROWS = select(*_last_rows())
_HEAD_AND_LAST_ROWS = select(ChainHead, *_last_rows()).where(ChainHead.id == 1)
"""Built once: every write step sends them (a statement is immutable, its SQL cached)."""
_HEAD_COLUMNS = 6
"""The chain head and the chains' last rows (_HEAD_AND_LAST_ROWS), at the end of a row."""


@functools.cache
def _with_head(in_study: bool) -> Select[Any]:
    """The acting account (_USER, or _USER_IN_STUDY for a step in a study) and, in the same
    row, the chain head with the chains' last rows: built once per form. No row when the
    account or the head is missing."""
    account = _USER_IN_STUDY if in_study else select(User).where(User.id == bindparam("user"))
    return account.add_columns(ChainHead, *_last_rows()).join_from(
        User, ChainHead, ChainHead.id == 1
    )


def _head_in_step(session: Session) -> tuple[ChainHead, datetime | None]:
    """The chain head, read with the chains' last rows in one statement, checked against them
    (`_check_in_step`); a new database's head is made first."""
    found = session.execute(_HEAD_AND_LAST_ROWS).first()
    if found is None:
        head = chain_head(session)
        last = tuple(session.execute(_LAST_ROWS).one())
    else:
        head, last = found[0], tuple(found[1:])
    return head, _check_in_step(head, *last)


def _check_in_step(
    head: ChainHead,
    a_id: int | None,
    a_hash: str | None,
    a_at: datetime | None,
    l_id: int | None,
    l_hash: str | None,
) -> datetime | None:
    """Refuses to write when the chain head does not match the last audit entry and ledger row
    (rows added or removed outside the program, a head edited): writing on would either fail on
    a duplicate id or bury the mismatch. Returns the time of the last audit entry."""
    audit_at = (a_id, a_hash) if a_id is not None else (0, GENESIS)
    ledger_at = (l_id, l_hash) if l_id is not None else (0, GENESIS)
    if audit_at != (head.audit_count, head.audit_hash) or ledger_at != (
        head.ledger_count,
        head.ledger_hash,
    ):
        raise ChainOutOfStep(
            _(
                "The audit trail's chain head does not match its last entries (audit entry "
                "{audit} against {audit_head} in the head, ledger row {ledger} against "
                "{ledger_head}): the database was changed outside the program. Nothing was "
                "saved. An administrator runs `dispensary audit verify` and restores the last "
                "good backup (`dispensary restore`); keep this file for investigation."
            ).format(
                audit=audit_at[0],
                audit_head=head.audit_count,
                ledger=ledger_at[0],
                ledger_head=head.ledger_count,
            )
        )
    return a_at if a_id is not None else None


Row = TypeVar("Row", AuditEntry, LedgerEntry)


@dataclass(frozen=True)
class Unreadable:
    """A stored row whose values cannot be read back (an impossible date, a broken number)."""

    id: int
    why: str


def _rows(session: Session, model: type[Row], batch: int = 5000) -> Iterator[Row | Unreadable]:
    """Every row in id order, a batch at a time; a row that cannot be read comes back as
    Unreadable, so verify names it instead of stopping with a traceback."""
    ids = model.id  # type: ignore[union-attr]
    first = session.scalar(select(func.min(ids)))
    last = session.scalar(select(func.max(ids)))
    if first is None or last is None:
        return
    start = int(first)
    while start <= int(last):
        window = select(model).where(ids >= start, ids < start + batch).order_by(ids)
        try:
            rows = list(session.scalars(window))
        except (ValueError, TypeError, OverflowError):
            rows = []
            for row_id in session.scalars(
                select(ids).where(ids >= start, ids < start + batch).order_by(ids)
            ):
                try:
                    found = session.scalars(select(model).where(ids == row_id)).one()
                except (ValueError, TypeError, OverflowError) as exc:
                    yield Unreadable(int(row_id), str(exc)[:80])
                    continue
                rows.append(found)
        yield from rows
        session.expunge_all()
        start += batch


def verify(ctx: Context, actor: Actor, since: VerifiedPoint | None = None) -> VerifyResult:
    """The whole trail (services.verification), or only what was written after `since`, a
    point a verification that passed returned (the Today screen's check at each refresh).
    A database whose studies cannot be read (Context.stand_in) is verified as the site's step:
    no study is there to be given access to, and the trail shows what was changed."""
    require(actor, Permission.AUDIT, None if ctx.stand_in else ctx)
    with read_transaction(ctx.engine) as session:
        if since is not None:
            return verify_since(session, since)
        result = _with_protection(verify_session(session), unprotected(session.connection()))
    if not result.ok and read_only(ctx.engine) is None:
        # The next reconciliation checks in full, and says so, instead of checking only what
        # was written since the last point that verified.
        forget_point(ctx)
    return result


UNPROTECTED_FINDING = N_(
    "The database's append-only protection was removed outside the program (triggers missing, "
    "disabled or altered: {triggers}): while it is gone, records can be changed without the "
    "database refusing it, and the program does not put it back itself"
)


def _with_protection(result: VerifyResult, lacking: list[str]) -> VerifyResult:
    """The verification, failed with a finding of its own when the database lacks triggers of
    its append-only protection (db.protection): the chain may still verify (nothing edited
    yet, or an edit whose hashes were recomputed), but the schema is no longer the one the
    program requires. The finding is always listed, however many come before it."""
    if not lacking:
        return result
    finding = _(UNPROTECTED_FINDING).format(triggers=named_triggers(lacking))
    if not result.ok:
        return replace(result, findings=(*result.findings[: MAX_FINDINGS - 1], finding))
    return replace(
        result,
        ok=False,
        message=_(
            "Tampering or damage found: {finding}. Keep the file for investigation and restore "
            "the last good backup."
        ).format(finding=finding),
        findings=(finding,),
        point=None,
    )


# -- verification codes (anchors) ---------------------------------------------------------------

STOP = N_(
    "Stop: record nothing more in this database, keep its file as it is for investigation, and "
    "call the study monitor or the sponsor's QA."
)
CONSISTENT_BUT_REWRITTEN = N_(
    "The audit trail is consistent in itself (the hashes of its {entries} entries recompute), "
    "but it is not the trail this code was taken from: whoever changed it recomputed the "
    "hashes."
)
"""Said first when a code does not match a chain that verifies: a 'chain verifies' on its own
would read as 'unchanged' (a green banner above a red one)."""
RESTORED = N_(
    "(If this database was restored from a backup older than the code, that explains it: check "
    "against the code logged with that backup instead.)"
)


def anchor_in(session: Session) -> str:
    """The verification code of the last audit entry as stored (A-0-0000-0000-0 for none)."""
    last = session.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    if last is None:
        return anchor_code(0, GENESIS)
    return anchor_code(int(last[0]), str(last[1]))


NO_CODE = N_(
    "No verification code is given: the audit trail does not verify. {finding} A code says "
    "later that the trail still holds the point it was taken at, and a trail that does not "
    "verify holds none. {stop}"
)


def current_anchor(ctx: Context, actor: Actor) -> str:
    """Where the audit chain stands now, as a code to write down or print, once the chain is
    checked (audit_check.chain_check: from the point the last check that passed kept, else in
    full). A trail that does not verify is given no code: ChainBroken says why."""
    require(actor, Permission.AUDIT, ctx)
    with read_transaction(ctx.engine) as session:
        verification = chain_check(session, ctx).verification
        if not verification.ok:
            raise ChainBroken(_(NO_CODE).format(finding=verification.message, stop=_(STOP)))
        return anchor_in(session)


def _recomputed_at(session: Session, position: int) -> tuple[str | None, int, str]:
    """The hash of the audit entry at `position` recomputed from the content of every entry up
    to it (never from a stored hash), the entries there are, and what stopped the count: a
    rewriter who edited an entry and its stored hashes still gets another hash here."""
    prev = GENESIS
    if position == 0:
        return prev, 0, ""
    for expected, entry in enumerate(_rows(session, AuditEntry), start=1):
        if isinstance(entry, Unreadable):
            why = _("audit entry {entry} cannot be read ({why})").format(
                entry=entry.id, why=entry.why
            )
            return None, expected, why
        if entry.id != expected:
            return None, expected, _("audit entry {entry} is missing").format(entry=expected)
        prev = digest(prev, audit_content(entry))
        if expected == position:
            return prev, expected, ""
    count = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    return None, count, "short"


def check_anchor_session(session: Session, anchor: Anchor) -> AnchorCheck:
    verification = verify_session(session)
    found, entries, why = _recomputed_at(session, anchor.position)
    code = anchor.code
    if found is not None and anchor.matches(found):
        verdict = AnchorVerdict.MATCHES
        if verification.ok:
            message = _(
                "Verification code {code} matches: the audit trail up to entry {entry} is as it "
                "was when the code was taken, and the whole chain verifies."
            ).format(code=code, entry=anchor.position)
        else:
            message = _(
                "Verification code {code} matches: the audit trail up to entry {entry} is as it "
                "was when the code was taken. But the chain does not verify: {finding}"
            ).format(code=code, entry=anchor.position, finding=verification.message)
    elif why == "short":
        verdict = AnchorVerdict.SHORTER
        message = _(
            "Verification code {code} does NOT match: it names audit entry {entry}, but the "
            "audit trail has only {entries} entries, so entries were removed after the code was "
            "taken. {stop} {restored}"
        ).format(
            code=code, entry=anchor.position, entries=entries, stop=_(STOP), restored=_(RESTORED)
        )
    else:
        verdict = AnchorVerdict.REWRITTEN
        if why:
            message = _(
                "Verification code {code} does NOT match: audit entry {entry} now has another "
                "hash ({why}), so the audit trail up to that entry was rewritten after the code "
                "was taken, or the code is from another database. {stop} {restored}"
            )
        else:
            message = _(
                "Verification code {code} does NOT match: audit entry {entry} now has another "
                "hash, so the audit trail up to that entry was rewritten after the code was "
                "taken, or the code is from another database. {stop} {restored}"
            )
        message = message.format(
            code=code, entry=anchor.position, why=why, stop=_(STOP), restored=_(RESTORED)
        )
    if verdict is not AnchorVerdict.MATCHES and verification.ok:
        message = sentences(
            [_(CONSISTENT_BUT_REWRITTEN).format(entries=verification.entries), message]
        )
    return AnchorCheck(code, anchor.position, verdict, verification.entries, message, verification)


def check_anchor(ctx: Context, actor: Actor, code: str | Anchor) -> AnchorCheck:
    """Whether the chain now still holds the point `code` names: the whole chain is verified,
    and the hash at the code's position is recomputed from the entries' content. A code that
    does not check (misread) is refused as InvalidInput before anything is read."""
    require(actor, Permission.AUDIT, ctx)
    anchor = code if isinstance(code, Anchor) else parse_anchor(code)
    with read_transaction(ctx.engine) as session:
        return check_anchor_session(session, anchor)


@dataclass(frozen=True)
class AuditFilter:
    """What the audit trail is filtered by: the one query the Audit trail screen lists, its
    report prints and `dispensary report audit` writes, so a report holds exactly the entries
    the screen showed. The days are this workstation's local days (`bounds`), as the screen
    shows the entries' times; the rest as `list_entries` takes them."""

    since: date | None = None
    until: date | None = None
    username: str | None = None
    action: str | None = None
    text: str | None = None
    kit: str | None = None
    participant: str | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The period as moments: from the first day's local midnight to the end of the last
        day, local (the next day's midnight, excluded)."""
        start = local_day_start(self.since) if self.since is not None else None
        end = local_day_start(self.until + timedelta(days=1)) if self.until is not None else None
        return start, end

    @classmethod
    def of(cls, values: Values) -> AuditFilter:
        """The filter a report's parameters give (`dispensary report audit`, the Reports
        screen, the Audit trail screen's report: `values`)."""
        return cls(
            since=values.since,
            until=values.until,
            username=values.user or None,
            action=values.action or None,
            text=values.text or None,
            kit=values.kit or None,
            participant=values.participant or None,
        )

    def values(self, paper: str | None = None) -> Values:
        """The audit report's parameters that keep these entries (`of` reads them back)."""
        return Values(
            since=self.since,
            until=self.until,
            user=self.username,
            action=self.action,
            text=self.text,
            kit=self.kit,
            participant=self.participant,
            paper=paper or Values().paper,
        )


def matching(
    ctx: Context, actor: Actor, chosen: AuditFilter, limit: int | None = None
) -> list[AuditRow]:
    """The entries `chosen` keeps (`list_entries`), the period in local days."""
    require(actor, Permission.AUDIT, ctx)  # before the filter is read: a refusal says only that
    since, until = chosen.bounds()
    return list_entries(
        ctx,
        actor,
        since=since,
        until=until,
        username=chosen.username or None,
        action=chosen.action or None,
        text=chosen.text or None,
        limit=limit,
        kit=chosen.kit or None,
        participant=chosen.participant or None,
    )


def list_entries(
    ctx: Context,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str | None = None,
    action: str | None = None,
    text: str | None = None,
    limit: int | None = None,
    kit: str | None = None,
    participant: str | None = None,
) -> list[AuditRow]:
    """The open study's trail (and the site's), filtered. `text` is found in an entry's record,
    values (new and old: a value corrected since is found in the correction) or reason, in the
    name of its action in the reader's language, in the values as the reader reads them (a
    code by its words, 破损 for `breakage`; a product by its name: codes_shown_as), and in the
    kit, dispense and participant its record hangs from; `kit` and `participant` (a number, exact)
    keep the entries about that kit or participant: a return or its correction, a void or an
    adherence note stores neither the participant nor always the kit, so they are found through
    the records, read now (nothing is added to the trail)."""
    require(actor, Permission.AUDIT, ctx)
    query = select(AuditEntry).order_by(AuditEntry.id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    # The action's code, or its name as shown in either language; a code this version does
    # not write is taken as typed if the trail holds it (written by a newer version).
    code = (action_typed(action) or action.strip()) if action else None
    if code:
        query = query.where(AuditEntry.action == code)
    if text:
        # Case aside on every engine (SQLite's LIKE ignores ASCII case, PostgreSQL's does
        # not: a kit typed in lower case was found on one and not the other); % and _ typed
        # are the characters, not wildcards.
        like = f"%{_escaped(text)}%"

        def typed(column: Any) -> Any:
            return column.ilike(like, escape="\\")

        named = [a.value for a in AuditAction if text.casefold() in name_of(a.value).casefold()]
        # The values and reasons as the reader reads them: a code in words under its key, a
        # product by the study's name for it, each found as the entry stores it (canonical
        # JSON: `"status":"quarantined"`, a code among a list's, a product's code anywhere).
        folded = text.casefold()
        stored = [
            f'"{code}"' if key in LISTED_CODES else f'"{key}":"{code}"'
            for key, code in codes_shown_as(text)
        ]
        stored += [
            f'"{p.code}"'
            for p in ctx.study.products
            if folded in ctx.study.product_name(p.code).casefold()
        ]
        coded = [
            column.like(f"%{_escaped(fragment)}%", escape="\\")
            for fragment in stored
            for column in (AuditEntry.new, AuditEntry.old)
        ]
        reasons = [
            (AuditEntry.action == action) & (AuditEntry.reason == code)
            for action, code in reasons_shown_as(text)
        ]
        shown = or_(
            typed(AuditEntry.entity_id),
            typed(AuditEntry.reason),
            AuditEntry.action.in_(named),
            AuditEntry.id.in_(union_all(*_about(typed, typed, typed))),
            *coded,
            *reasons,
        )
        # The values as stored hold what a reader never reads too (the ledger rows' hashes,
        # the keys, a file's SHA-256): an entry found only there is kept if the text is in a
        # value read (`_in_values_read`), not for "e3" in a hash.
        query = query.add_columns(shown.label("shown")).where(
            or_(shown, typed(AuditEntry.new), typed(AuditEntry.old))
        )
    if limit:
        query = query.order_by(None).order_by(AuditEntry.id.desc())
        if not text:
            query = query.limit(limit)
    with read_transaction(ctx.engine) as session:
        # A kit or participant named is looked up as every step looks one up: a number on
        # record nowhere (a typo: K1106 typed K1160) or in another study is refused, saying
        # so, where an empty list, and a report of "0 entries", said the kit had no history.
        reader = Readable(session, actor)
        if username:
            query = query.where(AuditEntry.username == _user_named(session, username))
        if kit:
            number = get_kit(session, kit, ctx.study_id, reader=reader).number
            query = query.where(AuditEntry.id.in_(_about_kit(number)))
        if participant:
            person = get_participant(session, participant, ctx.study_id, reader=reader)
            query = query.where(AuditEntry.id.in_(_about_participant(person.study_number)))
        if code and action_typed(code) is None and not _written(session, code):
            raise InvalidInput(  # an empty list would say nothing of the typo
                _(
                    'No audit action is called "{action}": give one of the codes {codes} '
                    "(or an action's name as the audit trail shows it)."
                ).format(action=code, codes=", ".join(a.value for a in AuditAction))
            )
        # The other studies the reader may read as they are now, not as at the sign-in.
        query = query.where(_of_study(ctx.study_id, studies_now(session, actor)))
        entries = _kept(session, query, text, limit)
        referred = {e.id: _referred_row(e) for e in entries}
        wanted = {r for r in referred.values() if r is not None}
        returns = _returns_named(
            session,
            {int(e.entity_id) for e in entries if e.entity == "return" and e.entity_id.isdigit()}
            | {row for kind, row in wanted if kind == "return"},
        )
        facts = {
            "return": returns,
            "count": _counts_named(session, {row for kind, row in wanted if kind == "count"}),
        }
        recorded = _entries_recording(session, wanted, facts)
        found = [
            AuditRow(
                e.id,
                e.at,
                e.username,
                e.action,
                e.entity,
                e.entity_id,
                e.old,
                e.new,
                e.reason,
                _return_of(returns, e),
                _referred(facts, recorded, referred[e.id]),
            )
            for e in entries
        ]
    return sorted(found, key=lambda r: r.id)


def _user_named(session: Session, typed: str) -> str:
    """The user name to keep the entries of: as typed when the trail holds entries by it, else
    the account's (user names are kept in lower case); a name of no account and of no entry is
    refused as every step refuses it (users.find_user), where an empty list said the user had
    done nothing."""
    try:
        typed.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not text: the driver would fail on them
        usable = False
    else:
        usable = True
    if usable:
        by_typed = select(AuditEntry.id).where(AuditEntry.username == typed).limit(1)
        if session.scalar(by_typed) is not None:
            return typed
        name = typed.strip().lower()
        if name and session.scalar(select(User.id).where(User.username == name)) is not None:
            return name
    shown = typed[:40].encode("utf-8", "backslashreplace").decode("utf-8")
    raise NotFound(
        _("There is no user '{name}'. Check the user name.").format(name=shown),
        field_name="username",
    )


def _kept(
    session: Session, query: Select[Any], text: str | None, limit: int | None
) -> list[AuditEntry]:
    """The entries `list_entries`' query finds; with a text, those found in what a reader
    reads (`_in_values_read`), read a batch at a time until `limit` are kept."""
    if not text:
        return list(session.scalars(query))
    kept: list[AuditEntry] = []
    found = session.execute(query.execution_options(yield_per=1000))
    try:
        for entry, shown in found:
            if shown or _in_values_read(entry, text):
                kept.append(entry)
                if limit and len(kept) >= limit:
                    break
    finally:
        found.close()
    return kept


def _in_values_read(entry: AuditEntry, text: str) -> bool:
    """Whether `text` (case aside) is in a value of the entry a reader reads, new or old
    (audit_actions.searched_values), or is a digest it records, typed whole."""
    wanted = text.casefold()
    for stored in (entry.new, entry.old):
        if any(wanted in value.casefold() for value in searched_values(stored or "")):
            return True
        if any(wanted == digest.casefold() for digest in digests_of(stored or "")):
            return True
    return False


BATCH = 500
"""Ids asked for in one statement (SQLite's older limit of bound values is 999)."""


def signers_of(ctx: Context, actor: Actor, entry_ids: Iterable[int]) -> EntrySigners:
    """The signatures recorded with each of these entries and who the entries' users and the
    signers are (full name, role): what 21 CFR 11.50 asks a signed record to show, a signer with
    the role held when signing (`_roles_recorded`), each entry's user with the role held when
    the entry was made (`roles`), the people with their role now. An entry's
    signatures are the rows of `signatures` its facts list (written in the same step): nothing
    is inferred from record types or times, and a signature row missing since is not shown
    (`audit verify` reports it). Entries outside the reader's studies are left out."""
    require(actor, Permission.AUDIT, ctx)
    wanted = sorted(set(entry_ids))
    with read_transaction(ctx.engine) as session:
        readable = _of_study(ctx.study_id, studies_now(session, actor))
        linked: dict[int, list[int]] = {}
        made_by: dict[int, str] = {}
        usernames: set[str] = set()
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            query = select(AuditEntry.id, AuditEntry.username, AuditEntry.facts).where(
                AuditEntry.id.in_(chunk), readable
            )
            for entry_id, username, stored in session.execute(query):
                usernames.add(str(username))
                made_by[int(entry_id)] = str(username)
                ids = [
                    i
                    for table, i, _hash in facts.parse_facts(stored or "")
                    if table == "signatures"
                ]
                if ids:
                    linked[int(entry_id)] = ids
        wanted_rows = sorted({i for ids in linked.values() for i in ids})
        found: dict[int, tuple[User, str, datetime]] = {}
        for start in range(0, len(wanted_rows), BATCH):
            chunk = wanted_rows[start : start + BATCH]
            signed = (
                select(Signature.id, Signature.meaning, Signature.at, User)
                .join(User, User.id == Signature.user_id)
                .where(Signature.id.in_(chunk))
            )
            for sig_id, meaning, at, user in session.execute(signed):
                found[int(sig_id)] = (user, meaning, at)
                usernames.add(user.username)
        roles = _roles_recorded(session, sorted(usernames), max(made_by, default=0))
        signatures: dict[int, tuple[EntrySignature, ...]] = {}
        for entry, ids in linked.items():
            signatures[entry] = tuple(
                EntrySignature(
                    user.username,
                    user.full_name,
                    _role_at(roles.get(user.username, []), entry) or user.role,
                    meaning,
                    at,
                )
                for user, meaning, at in (found[i] for i in ids if i in found)
            )
        people = (
            [
                PersonNamed(u.username, u.full_name, u.role)
                for u in session.scalars(
                    select(User).where(User.username.in_(sorted(usernames))).order_by(User.username)
                )
            ]
            if usernames
            else []
        )
    now = {p.username: p.role for p in people}
    held = {  # the entry's user's role then, as a signer's is read
        entry: _role_at(roles.get(username, []), entry) or now[username]
        for entry, username in made_by.items()
        if username in now
    }
    return EntrySigners({k: v for k, v in signatures.items() if v}, tuple(people), held)


def _roles_recorded(
    session: Session, usernames: list[str], up_to: int
) -> dict[str, list[tuple[int, str]]]:
    """The roles the trail recorded for these accounts, by entry id in order, up to entry
    `up_to`: the account's creation and each sign-in write the role it had then (as would any
    change of role), so the role a signer held when signing is the last one recorded at or
    before the signing entry. The users table holds only the role now."""
    recorded: dict[str, list[tuple[int, str]]] = {}
    for start in range(0, len(usernames), BATCH):
        query = (
            select(AuditEntry.id, AuditEntry.entity_id, AuditEntry.new)
            .where(
                AuditEntry.entity == "user",
                AuditEntry.entity_id.in_(usernames[start : start + BATCH]),
                AuditEntry.id <= up_to,
                AuditEntry.new.like('%"role"%'),
            )
            .order_by(AuditEntry.id)
        )
        for entry_id, username, stored in session.execute(query):
            try:
                role = json.loads(stored).get("role")
            except (ValueError, AttributeError):
                continue
            if isinstance(role, str) and role:
                recorded.setdefault(str(username), []).append((int(entry_id), role))
    return recorded


def _role_at(recorded: list[tuple[int, str]], entry: int) -> str | None:
    """The last role of `recorded` (by entry id, in order) written at or before `entry`."""
    at = bisect.bisect_right(recorded, entry, key=lambda pair: pair[0])
    return recorded[at - 1][1] if at else None


def exported(entries: Iterable[AuditRow], signers: EntrySigners) -> list[ExportedEntry]:
    """The entries as every export carries them (the audit report's CSV, `audit list
    --json`): with the kit, dispense and participant looked up for a return and with the
    signatures the PDF and the window show, so a spreadsheet holds the same facts."""
    names = {p.username: p.full_name for p in signers.people}
    found = []
    for row in entries:
        kit, dispense, person = row.return_of if len(row.return_of) == 3 else ("", "", "")
        count_kit, count_on = row.referred[1:3] if row.referred[:1] == ("count",) else ("", "")
        found.append(
            ExportedEntry(
                row,
                kit,
                dispense,
                person,
                tuple(signers.signatures.get(row.id, ())),
                count_kit,
                count_on,
                row.referred[-1] if row.referred else "",
                names.get(row.username, ""),
            )
        )
    return found


def export_entries(
    ctx: Context,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str | None = None,
    action: str | None = None,
    limit: int | None = None,
    kit: str | None = None,
    participant: str | None = None,
) -> list[ExportedEntry]:
    """`list_entries` with each entry's signatures, read in one snapshot (`exported`)."""
    require(actor, Permission.AUDIT, ctx)  # before the database is opened, as list_entries
    with read_transaction(ctx.engine):
        rows = list_entries(
            ctx,
            actor,
            since=since,
            until=until,
            username=username,
            action=action,
            limit=limit,
            kit=kit,
            participant=participant,
        )
        return exported(rows, signers_of(ctx, actor, [r.id for r in rows]))


def export_matching(
    ctx: Context, actor: Actor, chosen: AuditFilter, limit: int | None = None
) -> list[ExportedEntry]:
    """The entries `chosen` keeps (`matching`: the period in this workstation's local days, as
    the Audit trail screen and its report count them) with each entry's signatures, read in one
    snapshot (`exported`): what `dispensary audit list` prints."""
    require(actor, Permission.AUDIT, ctx)  # before the database is opened, as list_entries
    with read_transaction(ctx.engine):
        rows = matching(ctx, actor, chosen, limit=limit)
        return exported(rows, signers_of(ctx, actor, [r.id for r in rows]))


def _written(session: Session, action: str) -> bool:
    """Whether the trail holds an entry of `action` (a code this version may not know)."""
    found = session.scalar(select(AuditEntry.id).where(AuditEntry.action == action).limit(1))
    return found is not None


def _escaped(text: str) -> str:
    """`text` for a LIKE pattern: % and _ typed are the characters, not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


Match = Callable[[Any], Any] | None
"""A condition on a record's number (a kit's, a participant's, a dispense's); None: not looked
at."""

_BY_DISPENSE_NUMBER = ("dispense", "dispense label", "leaflet label")
"""The kinds of record an entry names by a dispense's number (a dispense, its void, its
adherence note; its labels)."""
_NAMING_KITS = ("kit", "kit label", "shipment", "destruction", "excursion")
"""The kinds of record whose entry lists the kits it concerns in its values (a quarantine of
several kits, a receipt, a destruction, an excursion, a label print)."""
_LABELS = ("dispense label", "leaflet label")


def _about(kit: Match, person: Match, dispense: Match) -> list[Select[Any]]:
    """The entries about the dispenses whose kit, participant or own number matches, read
    through the records, each by an index: the dispense's entries, its void, its adherence
    notes and its labels by the dispense's number (`entity`, `entity_id`), and its returns and
    their corrections (or a kit's, by the kit) by the return's number. The records give what the
    entries do not store (a return names no participant, its correction not even the kit)."""
    conditions: list[Any] = []
    if person is not None:
        conditions.append(person(Participant.study_number))
    if dispense is not None:
        conditions.append(dispense(Dispense.number))
    kits = select(Kit.id).where(kit(Kit.number)) if kit is not None else None
    if kits is not None:
        holding = select(DispenseKit.dispense_id).where(DispenseKit.kit_id.in_(kits))
        conditions.append(Dispense.id.in_(holding))
    dispenses = (
        select(Dispense.id)
        .join(Participant, Participant.id == Dispense.participant_id)
        .where(or_(*conditions))
    )
    numbers = select(Dispense.number).where(Dispense.id.in_(dispenses))
    of_returns: Any = Return.dispense_id.in_(dispenses)
    if kits is not None:
        of_returns = of_returns | Return.kit_id.in_(kits)
    returns = select(cast(Return.id, String)).where(of_returns)
    return [
        select(AuditEntry.id).where(
            AuditEntry.entity.in_(_BY_DISPENSE_NUMBER), AuditEntry.entity_id.in_(numbers)
        ),
        select(AuditEntry.id).where(
            AuditEntry.entity == "return", AuditEntry.entity_id.in_(returns)
        ),
        # A label print of several dispenses names the first and last: its items say the rest.
        select(AuditEntry.id).where(
            AuditEntry.entity.in_(_LABELS),
            sql_text(BATCH_ENTRY),
            exists().where(
                Dispense.id.in_(dispenses),
                AuditEntry.new.like(literal('%"') + Dispense.number + literal('"%')),
            ),
        ),
    ]


def _about_kit(number: str) -> Any:
    """The entries about one kit: its own (a count, a quarantine, its label), those listing it
    among others (a receipt, a quarantine of several kits, a destruction, an excursion, a label
    print), and those of its dispenses and returns (`_about`)."""
    listed = f'%"{_escaped(number)}"%'
    return union_all(
        select(AuditEntry.id).where(
            AuditEntry.entity.in_(("kit", "kit label")), AuditEntry.entity_id == number
        ),
        select(AuditEntry.id).where(
            AuditEntry.entity.in_(_NAMING_KITS), AuditEntry.new.like(listed, escape="\\")
        ),
        *_about(lambda c: c == number, None, None),
    )


def _about_participant(number: str) -> Any:
    """The entries about one participant: their enrolment, status and corrections, and those of
    their dispenses and returns (`_about`)."""
    return union_all(
        select(AuditEntry.id).where(
            AuditEntry.entity == "participant", AuditEntry.entity_id == number
        ),
        *_about(None, lambda c: c == number, None),
    )


def _returns_named(session: Session, ids: set[int]) -> dict[int, tuple[str, ...]]:
    """The kit, dispense and participant of each return an entry names (a return, its
    correction, which stores only the counts, and the return a correction replaces), read from
    the return rows now."""
    wanted = sorted(ids)
    found: dict[int, tuple[str, ...]] = {}
    for start in range(0, len(wanted), entry_studies.BATCH):
        query = (
            select(Return.id, Kit.number, Dispense.number, Participant.study_number)
            .join(Kit, Kit.id == Return.kit_id)
            .join(Dispense, Dispense.id == Return.dispense_id)
            .join(Participant, Participant.id == Dispense.participant_id)
            .where(Return.id.in_(wanted[start : start + entry_studies.BATCH]))
        )
        for row_id, kit, dispense, person in session.execute(query):
            found[row_id] = (str(kit), str(dispense), str(person))
    return found


def _return_of(returns: dict[int, tuple[str, ...]], entry: AuditEntry) -> tuple[str, ...]:
    """The kit, dispense and participant of the return an entry is about (AuditRow.return_of)."""
    if entry.entity != "return" or not entry.entity_id.isdigit():
        return ()
    return returns.get(int(entry.entity_id), ())


REFERRING = frozenset(
    {AuditAction.COUNT.value, AuditAction.COUNT_ADJUSTED.value, AuditAction.RETURN_CORRECTED.value}
)
"""The entries that name another record by its row (audit_actions.REFERRING_KEYS:
services.counts' `recount_of`, the open count a count followed, and `adjustment_of`, the open
count it adjusted; services.returns' `corrects`, the return a correction replaces)."""


def _referred_row(entry: AuditEntry) -> tuple[str, int] | None:
    """The kind and row of the record an entry names by its row number, None for an entry
    that names none."""
    if entry.action not in REFERRING:
        return None
    try:
        values = json.loads(entry.new) if entry.new else {}
    except ValueError:
        return None
    if not isinstance(values, dict):
        return None
    for key, kind in REFERRING_KEYS.items():
        of = values.get(key)
        if isinstance(of, int) and not isinstance(of, bool):
            return kind, of
    return None


def _referred(
    named: dict[str, dict[int, tuple[str, ...]]],
    recorded: dict[tuple[str, int], int],
    row: tuple[str, int] | None,
) -> tuple[str, ...]:
    """AuditRow.referred: the kind of record, its facts, and the number of the audit entry that
    recorded it ("" when no entry lists it); empty when none or not found."""
    if row is None:
        return ()
    kind, number = row
    facts = named.get(kind, {}).get(number)
    if facts is None:
        return ()
    entry = recorded.get(row)
    return (kind, *facts, "" if entry is None else str(entry))


RECORDED_BY: dict[str, tuple[str, str, frozenset[str]]] = {
    "count": (
        "physical_counts",
        "kit",
        frozenset({AuditAction.COUNT.value, AuditAction.COUNT_ADJUSTED.value}),
    ),
    "return": (
        "returns",
        "return",
        frozenset({AuditAction.RETURN.value, AuditAction.RETURN_CORRECTED.value}),
    ),
}
"""Where the entry that recorded a record another entry names is: the table its facts list
the row in, and the entity and actions of the entries that write such a row (services.counts:
a count's entry is the kit's, by its number; services.returns: a return's and a correction's
entry is the new return's, by its row)."""


def _entries_recording(
    session: Session,
    wanted: set[tuple[str, int]],
    named: dict[str, dict[int, tuple[str, ...]]],
) -> dict[tuple[str, int], int]:
    """The audit entry that recorded each record an entry names by its row (a count, a
    return): the first entry whose facts list that row (db/facts.py: every row a step writes
    is listed by its entry), looked for only among the entries of the record's kit or return
    with the actions that write one, so a reader can find it by the trail's own "No.". A
    record no entry lists (written before entries listed their facts) is left out."""
    found: dict[tuple[str, int], int] = {}
    for kind, (table, entity, actions) in RECORDED_BY.items():
        rows = {row for of, row in wanted if of == kind and row in named.get(kind, {})}
        # A count is found among its kit's entries (its kit, from the count row); a return by
        # its own row's number.
        ids = sorted({named[kind][row][0] if kind == "count" else str(row) for row in rows})
        for start in range(0, len(ids), entry_studies.BATCH):
            query = (
                select(AuditEntry.id, AuditEntry.facts)
                .where(
                    AuditEntry.entity == entity,
                    AuditEntry.entity_id.in_(ids[start : start + entry_studies.BATCH]),
                    AuditEntry.action.in_(sorted(actions)),
                )
                .order_by(AuditEntry.id)
            )
            for entry_id, listed in session.execute(query):
                for fact_table, row, _hash in facts.parse_facts(listed or ""):
                    if fact_table == table and row in rows:
                        found.setdefault((kind, row), entry_id)
    return found


def _counts_named(session: Session, ids: set[int]) -> dict[int, tuple[str, ...]]:
    """The kit and the day counted of each count an entry names, read from the count rows
    now: what a pharmacist knows a count by, where the entry stores only the row's number."""
    wanted = sorted(ids)
    found: dict[int, tuple[str, ...]] = {}
    for start in range(0, len(wanted), entry_studies.BATCH):
        query = (
            select(PhysicalCount.id, Kit.number, PhysicalCount.counted_on)
            .join(Kit, Kit.id == PhysicalCount.kit_id)
            .where(PhysicalCount.id.in_(wanted[start : start + entry_studies.BATCH]))
        )
        for row_id, kit, day in session.execute(query):
            found[row_id] = (str(kit), day.isoformat())
    return found


def _of_study(study_id: int, readable: frozenset[int]) -> Any:
    """The entries of the open study and of the site (accounts, sign-ins, backups): an entry of
    another study is not in this study's trail, whoever reads it (an audit report handed to
    one sponsor's monitor listed another study's participants), nor one that also concerns a
    study the reader has no access to. Found by the study index (db/entry_studies.py): an
    entry's row for its study or for the site, and no row for a study the reader cannot read."""
    index = AuditEntryStudy
    mine = exists().where(
        index.audit_entry_id == AuditEntry.id,
        index.study_id.in_([entry_studies.SITE, study_id]),
    )
    hidden = exists().where(
        index.audit_entry_id == AuditEntry.id,
        index.study_id.not_in(sorted(readable | {entry_studies.SITE})),
    )
    return and_(mine, ~hidden)


def count_entries(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
