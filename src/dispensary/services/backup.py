"""Backups with SQLite's online backup API (safe while the app is in use), rotation, restore.

A restore is built so that a kill at any moment leaves either the old database or the restored
one, each whole and each with its audit trail in step:

1. the backup's bytes are copied to a private `NAME.restoring` beside the database (the backup
   itself is only read: opening it with the program would switch it to WAL);
2. that copy must open as a Dispensary database of the same study, and its audit trail and
   ledger must verify (and, checked under the lock of step 5, begin with the same first entry as
   the live database: a backup of another pharmacy running the same study is refused);
3. the restore is recorded in the copy's own audit trail (`database_restored`), never in the
   live database, whose chain may be the very thing that is out of step;
4. the copy is checkpointed into one file and fsynced;
5. the live database is locked exclusively, which fails while any other connection has it open
   (a workstation, a window, an idle pooled connection): then nothing has been changed;
6. under that lock the live database is kept whole as `NAME.replaced-<time>.sqlite3`, and the
   copy's pages are written into it in one SQLite transaction (db/sqlite_backup.py says why in
   place rather than by a rename), before the lock is released.

A PostgreSQL database is restored with the server's own tools (docs/INSTALL.md).

Every backup, made by hand or at the first sign-in of the day, appends a line to `anchors.log`
in the backup's folder: when, which database, the verification code of the audit chain the
backup holds (domain.anchor) and its whole hash, and the backup's file name. A restore appends
one too, to the log in the database's backup folder (and to the one beside the backup restored,
if it has one): the restored chain's code, and `restored from PATH` in place of the backup's
name; the codes logged before it belong to the history the restore replaced. The log is outside
the database, so a history rewritten inside it later fails against the codes logged before
(`dispensary audit verify --anchor-log`). It is only ever appended to (O_APPEND), owner-only.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select, text
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from dispensary.config import backup_dir
from dispensary.db.engine import (
    read_transaction,
    refuse_if_read_only,
    sqlite_path,
    url_for,
    write_transaction,
)
from dispensary.db.facts import GENESIS
from dispensary.db.faults import read_only_cause, read_only_kind
from dispensary.db.models import AuditEntry, PasswordHistory, StudyRecord, User
from dispensary.db.sqlite_backup import (
    ANCHOR_LOG,
    WRITTEN_LIST,
    LockedFile,
    backup_file,
    copy_database_private,
    exclusive_lock,
    file_fault,
    integrity_findings,
    put_in_place,
    remove_with_side_files,
    scratch_beside,
    single_file,
    source_path,
    unmark,
)
from dispensary.domain.anchor import Anchor, anchor_code
from dispensary.domain.audit_actions import (
    ACCOUNTS_NOT_CHECKED,
    REPLACED_UNREADABLE,
    AuditAction,
    role_named,
)
from dispensary.domain.errors import (
    ChainOutOfStep,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseProblem,
    DiskFull,
    InvalidInput,
    NotADispensaryDatabase,
    NotFound,
    NotPermitted,
    NotSignedIn,
    ReadOnlyDatabase,
    RuleViolation,
    Unprotected,
)
from dispensary.domain.rules import check_text
from dispensary.files import (
    NOTHING_CHANGED,
    NOTHING_SAVED,
    PRIVATE_MODE,
    TECHNICAL_DETAIL,
    before_detail,
    fsync_dir,
    os_detail,
    shown,
    with_detail,
    write_error_text,
)
from dispensary.i18n import N_, _, listed, sentences
from dispensary.services import pharmacy, site_key
from dispensary.services.audit import STOP, Recorder, count_entries
from dispensary.services.audit_check import FULL_CHECK_DAYS, chain_check
from dispensary.services.context import Actor, Clock, Context, SystemClock
from dispensary.services.permissions import Permission, require
from dispensary.services.results import BackupResult, VerifyResult
from dispensary.services.setup import open_database
from dispensary.services.users import (
    account_of,
    audit_password_reset,
    lift_failed_sign_ins,
    record_access,
)
from dispensary.services.verification import verify_session

DEFAULT_KEEP = 14
# How long a restore waits for a step under way on another workstation to end before it says
# the database is in use. An open window holds the file for as long as it is open: no wait helps.
LOCK_WAIT_SECONDS = 3.0
# The points of a restore, in order, at which `restore(on_step=...)` is called: the kill tests
# stop the process at each of them.
RESTORE_STEPS = (
    "copied",  # the backup's bytes are in the private NAME.restoring
    "verified",  # ... which opens, is of this study, and whose chains verify
    "recorded",  # ... with database_restored in its audit trail
    "single_file",  # ... checkpointed into one fsynced file
    "locked",  # the live database is locked: no other connection has it open
    "kept",  # the live database is kept whole as NAME.replaced-<time>.sqlite3
    "copying",  # the restored pages are being written into it, not yet committed
    "replaced",  # ... committed (the lock still held)
    "released",  # the lock is released
)
SERVER_RESTORE = N_(
    "restore replaces a SQLite database file. A database server is restored with its own tools: "
    "pg_restore the dump into a new database, check it with `dispensary --db URL audit verify`, "
    "then point the workstations at it (docs/INSTALL.md, 'Restoring a PostgreSQL database'). "
    "Nothing was changed."
)

StepHook = Callable[[str], None]
RESTORED_FROM = "restored from "  # the last field of a restore's line, before the backup's path
_LOG_HEADER = (
    "# Dispensary anchor log: one line per backup, appended, never rewritten. Fields, tab-"
    "separated: time (UTC), study, database, verification code, the audit entry's whole hash, "
    "backup file, and where a site key is set, its signature of the six fields before it.\n"
)


@dataclass(frozen=True)
class LoggedAnchor:
    """One line of the anchor log: the chain as a backup held it."""

    at: str  # ISO time, UTC
    study: str
    database: str  # a file's absolute path, or a server URL without its password
    code: str
    entry_hash: str
    backup: str  # the backup's file name
    signature: str = ""  # the site key's (services/site_key), "" when the line is unsigned
    number: int = 0  # the line's number in the log file

    @property
    def signed_text(self) -> str:
        """What the site key signs: the six fields as the line holds them."""
        return "\t".join(
            (self.at, self.study, self.database, self.code, self.entry_hash, self.backup)
        )

    @property
    def restored_from(self) -> str | None:
        """The backup a restore's line names; None for a backup's line."""
        return self.backup.removeprefix(RESTORED_FROM) if self.is_restore else None

    @property
    def is_restore(self) -> bool:
        return self.backup.startswith(RESTORED_FROM)

    @property
    def anchor(self) -> Anchor:
        """The whole hash, not only the code's 40 bits."""
        return Anchor(int(self.code.split("-")[1]), self.entry_hash)


@dataclass(frozen=True)
class RestoreResult:
    database: str
    restored_from: str
    replaced_file_kept_at: str | None  # None when there was no database to replace
    # What could not be checked (restore --force over a database whose trail cannot be read).
    not_checked: str = ""
    anchor: str = ""  # the restored chain's verification code, logged as the restore's line
    warning: str = ""  # the line could not be logged, or not signed
    # The audit entries the backup brought back (before the restore's own entry), and those the
    # replaced database held (None: no database replaced, or it could not be read).
    entries_restored: int = 0
    entries_replaced: int | None = None
    # The account changes the replaced database held and the backup did not (AccountChange's
    # message): those that took a power away made again in the restored database, the others
    # undone by the restore.
    accounts_made_again: tuple[str, ...] = ()
    accounts_undone: tuple[str, ...] = ()
    # restore --force over a database that could not be read: its accounts were not compared
    # with the backup's (ACCOUNTS_NOT_CHECKED, translated), "" when they were.
    accounts_not_checked: str = ""
    # restore --force over a file SQLite cannot read: kept byte for byte, without the mark a
    # replaced database carries (REPLACED_NOT_MARKED, translated), "" when it was marked.
    replaced_file_not_marked: str = ""


REPLACED_NOT_MARKED = N_(
    "The file it replaced cannot be read as a database, so it is kept byte for byte, for "
    "investigation, without the mark a replaced database carries in its header (marking it "
    "would change the file). It is still refused as the database, as one that cannot be read: "
    "do not put it back in place of the database."
)


@dataclass(frozen=True)
class _Held:
    """What the backup's copy holds that says whose database it is."""

    protocol: str  # the study it was made for
    first_entry: tuple[str, str] | None  # its first audit entry's hash and time
    pharmacy: str  # the pharmacy's name in its settings, "" when none was set
    # The anchor log's lines for the live database whose point the backup's chain reaches,
    # each with whether the backup holds it (compared only where the live trail cannot be read).
    logged: tuple[tuple[Path, LoggedAnchor, bool], ...] = ()
    entries: int = 0  # its audit entries, before the restore's own
    changes: tuple[AccountChange, ...] = ()  # the account changes the restore brings back


def backup(ctx: Context, actor: Actor, out: str | Path) -> BackupResult:
    """A backup by hand, recorded in the audit trail and the anchor log: refused before any file
    is written on a database open read-only, where it could not be recorded. An existing file
    is never written over: it may be an earlier backup (whose code the anchor log names, and
    which a restore may need) or a file named by mistake.

    A database whose audit trail does not verify (_chain_fails) is still copied, as evidence,
    but to `NAME-CHAIN-BROKEN.sqlite3` beside the name given, with no verification code given
    or logged for it (a code says the trail holds that point), and `chain_broken` saying so."""
    require(actor, Permission.BACKUP)
    refuse_if_read_only(ctx.engine)
    target = Path(out).expanduser()
    if target.exists() and target.is_dir():
        raise InvalidInput(
            _("{path} is a folder: give a file name for the backup.").format(path=target)
        )
    failed = _chain_fails(ctx)
    if failed is not None:
        target = target.with_name(f"{target.stem}{BROKEN_MARK}{target.suffix or '.sqlite3'}")
    try:
        written = backup_file(ctx.engine, target, replace=False)
    except FileExistsError as exc:
        raise InvalidInput(
            _(
                "{path} already exists, and a backup is never written over a file (it may be an "
                "earlier backup). Give a new file name, or move that file away first. Nothing "
                "was written."
            ).format(path=target)
        ) from exc
    if failed is None:
        with _removed_unless_recorded(written):
            code, entry_hash = _anchor_of_backup(written)
        details: dict[str, object] = {"anchor": code}
    else:
        code, entry_hash = "", ""
        details = {"chain": "broken"}
    # The copy is made (read under a snapshot, without the write lock); its audit entry is a
    # write, which waits for the lock the usual busy timeout. Still busy, or the entry refused
    # another way (a full disk, a database found read-only only then), the copy is kept (a
    # backup wanted before a risky step is not thrown away), logged in the anchor log, and the
    # user told where it is and that the audit trail does not record it (_kept_unrecorded).
    _record_or_keep(
        ctx,
        written,
        code,
        entry_hash,
        lambda session: Recorder(session, actor, ctx.clock.now()).audit(
            AuditAction.BACKUP,
            "database",
            written.name,
            {"path": str(written), "bytes": written.stat().st_size, **details},
        ),
        automatic=False,
    )
    if failed is not None:
        return _broken_result(ctx, written, _(BROKEN_BY_HAND), failed)
    return _logged(ctx, written, code, entry_hash)


BROKEN_MARK = "-CHAIN-BROKEN"
"""In the name of a backup of an audit trail that does not verify: never taken for a good one,
and never one of the daily backups the rotation counts (own_backups)."""
BROKEN_BY_HAND = N_(
    "CHAIN BROKEN: the audit trail does not verify. {finding} The backup was made all the "
    "same, as evidence, and named {name} so that it is never taken for a good one; no "
    "verification code was given for it or logged, as a code would say the trail holds that "
    "point. Keep the earlier backups. {stop}"
)
BROKEN_AUTOMATIC = N_(
    "CHAIN BROKEN: the audit trail does not verify. {finding} Today's backup was saved as "
    "{name}, marked as a copy of a broken trail: no verification code was given for it, and it "
    "is not counted among the daily backups kept, so no earlier backup is removed for it. {stop}"
)


def _chain_fails(ctx: Context) -> VerifyResult | None:
    """The audit trail's check before a backup (audit_check.chain_check: from the point the last
    check that passed kept, in full where there is none or the last full check is over
    FULL_CHECK_DAYS old): the failed verification, or None when the chain holds."""
    with read_transaction(ctx.engine) as session:
        verification = chain_check(session, ctx, FULL_CHECK_DAYS).verification
    return None if verification.ok else verification


def _broken_result(ctx: Context, written: Path, words: str, failed: VerifyResult) -> BackupResult:
    said = words.format(finding=failed.message, name=written.name, stop=_(STOP))
    size = written.stat().st_size
    return BackupResult(str(written), size, ctx.clock.now(), chain_broken=said)


def _record_or_keep(
    ctx: Context,
    written: Path,
    code: str,
    entry_hash: str,
    record: Callable[[Session], object],
    *,
    automatic: bool,
) -> None:
    """Writes the backup's audit entry (`record`, one step). A database fault refusing it (the
    lock held past the busy timeout, a full disk, a database read-only or out of step) keeps
    the whole copy and raises the fault that says so (_kept_unrecorded); anything else (a
    program error, an interrupt) removes the copy, as nothing accounts for it."""
    try:
        with write_transaction(ctx.engine) as session:
            record(session)
    except DatabaseProblem as fault:
        raise _kept_unrecorded(ctx, written, code, entry_hash, fault, automatic) from fault
    except BaseException:
        with contextlib.suppress(OSError):
            remove_with_side_files(written)
        raise


class BackupNotRecorded(DatabaseProblem):
    """The day's automatic backup was copied whole and kept, but its audit entry could not be
    written: the message says where the copy is, that the audit trail does not record it, and
    what to do (the window shows it as is, not as a failed backup). `cause`: the fault that
    kept the entry out."""

    def __init__(self, message: str, path: str, cause: DatabaseProblem) -> None:
        super().__init__(message)
        self.path = path
        self.cause = cause


_SAME_KIND = (DatabaseBusy, DiskFull, ReadOnlyDatabase, DatabaseDamaged, ChainOutOfStep)


def _kept_unrecorded(
    ctx: Context,
    written: Path,
    code: str,
    entry_hash: str,
    fault: DatabaseProblem,
    automatic: bool,
) -> DatabaseProblem:
    """A backup copied whole whose audit entry `fault` kept out: the copy stays, its line is
    added to the anchor log beside it (outside the database, it needs no lock; an automatic
    backup is listed as written too), and the fault says where the copy is, that the audit
    trail does not record it, and what to do. A backup by hand keeps the fault's kind (busy:
    the command's exit code 5); an automatic one is BackupNotRecorded."""
    said = ""
    if code:  # "": a copy of a trail that does not verify, given no code and never rotated
        logged = _logged(ctx, written, code, entry_hash)
        if automatic:
            _list_as_written(written)
        said = logged.warning or _(
            "Its verification code {code} was added to the anchor log {log}."
        ).format(code=code, log=shown(Path(logged.anchor_log)))
    busy = isinstance(fault, DatabaseBusy)
    if busy:
        why = _("The database stayed busy (another workstation is writing).")
    else:
        why = _without(fault.message, NOTHING_SAVED)
    if automatic:
        head = _(
            "Today's automatic backup was copied to {path} and kept, but the audit trail could "
            "not record it. {why}"
        )
        tail = _(
            "The audit trail will not record this copy later: the next sign-in makes the day's "
            "backup again, recorded once the database can be written; this copy may then be "
            "deleted. Tell the administrator."
        )
    else:
        head = _(
            "The backup was copied to {path} and kept, but the audit trail could not record it. "
            "{why}"
        )
        tail = (
            _(
                "The audit trail will not record this copy later: run the backup again in a "
                "moment, to a new file name, to make a backup the audit trail records; this copy "
                "may then be deleted."
            )
            if busy
            else _(
                "The audit trail will not record this copy later: once that is put right, run "
                "the backup again, to a new file name, to make a backup the audit trail records; "
                "this copy may then be deleted."
            )
        )
    message = before_detail(head.format(path=shown(written), why=why), said, tail)
    if automatic:
        return BackupNotRecorded(message, str(written), fault)
    kind = type(fault) if type(fault) in _SAME_KIND else DatabaseProblem
    return kind(message)


def _without(message: str, said: str) -> str:
    """A fault's message without one of its sentences (as written and as translated)."""
    for words in (_(said), said):
        message = message.replace(f" {words}", "").replace(words, "")
    return message.strip()


@contextlib.contextmanager
def _removed_unless_recorded(written: Path) -> Iterator[None]:
    """A backup whose chain's code cannot be read back from the copy is removed: it cannot be
    logged in the anchor log, and a backup neither in the audit trail nor in the anchor log
    would be one nobody can account for. It is a new file (never one written over), so nothing
    else is lost. (A copy whose audit entry alone could not be written is kept and logged in
    the anchor log: _record_or_keep.)"""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            remove_with_side_files(written)
        raise


def automatic_backup(
    ctx: Context, actor: Actor, folder: Path, keep: int = DEFAULT_KEEP
) -> BackupResult | None:
    """The first sign-in of a day makes a backup; older ones beyond `keep` are removed. The day
    is the pharmacy's local date (clock.today()), in both the backup's name and the test for
    one already made: a name in UTC made another "daily" backup at each sign-in before 08:00
    in UTC+08:00. An existing backup is never written over."""
    if sqlite_path(str(ctx.engine.url)) is None:
        return None
    refuse_if_read_only(ctx.engine)
    folder.mkdir(parents=True, exist_ok=True)
    stem = source_path(ctx.engine).stem
    today = ctx.clock.today()
    made = daily_backups(ctx, folder, stem)
    # Only a backup of this history is today's: after a restore, the next sign-in backs up the
    # restored database (with its restore recorded) even where the replaced one was backed up.
    if any(m.recorded and ctx.clock.day_of(m.at) == today for m in made):
        return None
    failed = _chain_fails(ctx)
    if failed is not None:
        return _broken_automatic(ctx, actor, folder, stem, today.isoformat(), failed)
    written = _new_backup(ctx, folder, stem, today.isoformat())
    with _removed_unless_recorded(written):
        code, entry_hash = _anchor_of_backup(written)
    _record_or_keep(
        ctx,
        written,
        code,
        entry_hash,
        lambda session: Recorder(session, actor, ctx.clock.now()).audit(
            AuditAction.BACKUP_AUTOMATIC,
            "database",
            written.name,
            {"path": str(written), "anchor": code},
        ),
        automatic=True,
    )
    result = _logged(ctx, written, code, entry_hash)
    _list_as_written(written)
    _rotate(ctx, folder, stem, written, keep)
    return result


def _broken_automatic(
    ctx: Context, actor: Actor, folder: Path, stem: str, today: str, failed: VerifyResult
) -> BackupResult:
    """The day's backup of a trail that does not verify: one copy a day, as evidence, named
    `STEM-<today>T<time>-CHAIN-BROKEN.sqlite3`, recorded in the audit trail without a code;
    neither logged in the anchor log nor listed as written, and not one of own_backups: the
    rotation neither counts nor removes it, so the good backups before it all stay."""
    pattern = re.compile(re.escape(f"{stem}-{today}T") + r"\d{6}" + re.escape(BROKEN_MARK))
    earlier = sorted(p for p in folder.glob("*.sqlite3") if pattern.fullmatch(p.stem))
    if earlier:  # today's copy is made: said again at each sign-in, not made again
        return _broken_result(ctx, earlier[-1], _(BROKEN_AUTOMATIC), failed)
    written = _new_backup(ctx, folder, stem, today, BROKEN_MARK)
    _record_or_keep(
        ctx,
        written,
        "",
        "",
        lambda session: Recorder(session, actor, ctx.clock.now()).audit(
            AuditAction.BACKUP_AUTOMATIC,
            "database",
            written.name,
            {"path": str(written), "chain": "broken"},
        ),
        automatic=True,
    )
    return _broken_result(ctx, written, _(BROKEN_AUTOMATIC), failed)


def _new_backup(ctx: Context, folder: Path, stem: str, today: str, mark: str = "") -> Path:
    """The backup written at `STEM-<today>T<local time>.sqlite3`, or a second later where that
    name was taken meanwhile (another workstation's first sign-in at the same moment)."""
    local = ctx.clock.now().astimezone()
    for later in range(60):
        stamp = (local + timedelta(seconds=later)).strftime("%H%M%S")
        target = folder / f"{stem}-{today}T{stamp}{mark}.sqlite3"
        if target.exists():
            continue
        try:
            return backup_file(ctx.engine, target, replace=False)
        except FileExistsError:
            continue
    raise DatabaseBusy(
        _("Another backup of this database is being made in {folder}: try again.").format(
            folder=shown(folder)
        )
    )


def own_backups(folder: Path, stem: str) -> list[Path]:
    """The files in `folder` named as this database's automatic backups are:
    `STEM-YYYY-MM-DDTHHMMSS.sqlite3` exactly (a glob `STEM-*` would also take another
    database's: `dispensary-training-...` for `dispensary`, `demo-zh_CN-...` for `demo`). A name
    says neither who wrote the file nor when: release 0.1.0 put the UTC date and time in it,
    later ones the local (daily_backups)."""
    pattern = re.compile(re.escape(stem) + r"-\d{4}-\d{2}-\d{2}T\d{6}\.sqlite3")
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_file())


@dataclass(frozen=True)
class DailyBackup:
    """An automatic backup the program wrote, and when (UTC). `recorded`: the audit trail records
    writing it; False for one a restore left the trail without a record of (the backup restored
    from, counted from the restore's time; those the replaced history wrote, from their anchor
    log lines): rotated with the others, but not "today's backup" of the restored database."""

    path: Path
    at: datetime
    recorded: bool = True
    anchor: str | None = None  # the chain's code the trail recorded it holding; None: none


def daily_backups(ctx: Context, folder: Path, stem: str) -> list[DailyBackup]:
    """This database's automatic backups still in `folder`, oldest first by the time each was
    written: the files its audit trail records writing (`backup_automatic`, by file name), at the
    time recorded. Their names cannot be sorted: an older release's UTC name sorts hours away
    from a local one written at the same moment; and a file merely named like one (a backup by
    hand, a copy put there) is not the program's to rotate away.

    A restored trail holds no record of the backup it was restored from (written after the copy
    was taken) nor of those written since by the history it replaced: left out, they were never
    removed again and the folder kept growing past `keep`. The backup restored from counts from
    the restore (`database_restored` names it), so it outlives the replaced history's; those
    count from their anchor log lines for this database, where the trail does not name them as a
    backup by hand."""
    named = {p.name: p for p in own_backups(folder, stem)}
    if not named:
        return []
    with read_transaction(ctx.engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.at, AuditEntry.new).where(
                AuditEntry.entity == "database",
                or_(
                    and_(
                        AuditEntry.action.in_(
                            (AuditAction.BACKUP_AUTOMATIC.value, AuditAction.BACKUP.value)
                        ),
                        AuditEntry.entity_id.in_(sorted(named)),
                    ),
                    AuditEntry.action == AuditAction.DATABASE_RESTORED.value,  # rare
                ),
            )
        ).all()
    written: dict[str, datetime] = {}
    holding: dict[str, str] = {}
    restored_from: dict[str, datetime] = {}
    by_hand: set[str] = set()
    restored = False  # the trail was restored: a history before it wrote backups it cannot name
    here = folder.resolve()
    for action, name, at, new in rows:
        if action == AuditAction.BACKUP_AUTOMATIC.value:
            # a name recorded twice (a restore's replayed history): the later
            if name not in written or at >= written[name]:
                code = _details(new).get("anchor")
                holding.pop(name, None)
                if isinstance(code, str) and code:
                    holding[name] = code
            written[name] = max(at, written.get(name, at))
        elif action == AuditAction.BACKUP.value:
            by_hand.add(name)
        elif action == AuditAction.DATABASE_RESTORED.value:
            restored = True
            source = Path(str(_details(new).get("from", "")))
            if source.name in named and source.parent == here:
                restored_from[source.name] = max(at, restored_from.get(source.name, at))
    found = [DailyBackup(named[name], at, anchor=holding.get(name)) for name, at in written.items()]
    for name, at in restored_from.items():
        if name not in written:
            found.append(DailyBackup(named[name], at, recorded=False))
    if restored:
        known = written.keys() | restored_from.keys() | by_hand
        found += [
            DailyBackup(named[name], at, recorded=False)
            for name, at in _logged_backups(ctx, folder).items()
            if name in named and name not in known
        ]
    return sorted(found, key=lambda made: (made.at, made.path.name))


def _details(new: str) -> dict[str, object]:
    """An audit entry's new values (canonical JSON), {} where they cannot be read."""
    try:
        values = json.loads(new or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def _logged_backups(ctx: Context, folder: Path) -> dict[str, datetime]:
    """The backups the anchor log in `folder` logs for this database, by file name, at the time
    logged: the only record left of those a history replaced by a restore wrote. No log, or one
    that cannot be read: none."""
    identity = database_identity(ctx)
    try:
        lines = anchor_log(folder)
    except (NotFound, InvalidInput):
        return {}
    found: dict[str, datetime] = {}
    for line in lines:
        if line.database != identity or line.is_restore:
            continue
        try:
            at = datetime.fromisoformat(line.at)
        except ValueError:
            continue
        if at.tzinfo is None:
            continue
        found[line.backup] = max(at.astimezone(UTC), found.get(line.backup, at))
    return found


def _rotate(ctx: Context, folder: Path, stem: str, written: Path, keep: int) -> None:
    """Keeps the newest `keep` of this database's automatic backups by the time written, the
    one just written always among them (the anchor log names it, and the window has said it was
    saved); removes only files the program wrote as automatic backups (daily_backups), and of
    those only the very file it wrote (`_still_as_written`): a file put in its place since, a
    backup by hand a restored trail cannot name, a copy restored from, stays."""
    if keep <= 0:
        return
    others = [m for m in daily_backups(ctx, folder, stem) if m.path.name != written.name]
    listed = _written_list(folder)
    for old in others[: max(0, len(others) - (keep - 1))]:
        if _still_as_written(old, listed):
            old.path.unlink()


# WRITTEN_LIST, beside the automatic backups: one line per backup the program wrote at a first
# sign-in, its file name, size and SHA-256, appended; the rotation removes a file only while it
# matches.
_WRITTEN_HEADER = (
    "# Dispensary's automatic backups: one line per backup it wrote, appended, never rewritten; "
    "old ones are removed only while they still match their line. Fields, tab-separated: "
    "backup file, bytes, SHA-256.\n"
)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _list_as_written(written: Path) -> None:
    """Lists the automatic backup just written, as written. A list that cannot be written
    leaves the backup unlisted: kept by the rotation, never removed by mistake."""
    with contextlib.suppress(OSError):
        line = f"{_field(written.name)}\t{written.stat().st_size}\t{_sha256(written)}\n"
        _append(written.parent / WRITTEN_LIST, line, _WRITTEN_HEADER)


def _written_list(folder: Path) -> dict[str, set[tuple[int, str]]]:
    """The automatic backups the program listed in `folder`: file name to (bytes, SHA-256);
    no list, or one that cannot be read: none."""
    try:
        text = (folder / WRITTEN_LIST).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, set[tuple[int, str]]] = {}
    for raw in text.splitlines():
        parts = raw.split("\t")
        if raw.startswith("#") or len(parts) != 3 or not parts[1].isdigit():
            continue
        found.setdefault(parts[0], set()).add((int(parts[1]), parts[2]))
    return found


def _still_as_written(made: DailyBackup, listed: dict[str, set[tuple[int, str]]]) -> bool:
    """Whether the file is the automatic backup the program wrote under its name: its size and
    SHA-256 those listed when it was written. One written before the list was kept (or whose
    line could not be appended) holds the chain's point its audit entry recorded, or (release
    0.1.0 recorded none) goes by its entry alone. A file merely named like one (put there by
    hand, copied back, a backup by hand the trail cannot name, one restored from), or changed
    since, is not the program's to remove."""
    path = made.path
    try:
        known = listed.get(path.name)
        if known:
            size = path.stat().st_size
            return any(size == n for n, _digest in known) and (size, _sha256(path)) in known
        if not made.recorded:
            return False
        return made.anchor is None or _anchor_of_backup(path)[0] == made.anchor
    except (OSError, DatabaseProblem):
        return False


# -- the anchor log ------------------------------------------------------------------------------


def _anchor_of_backup(backup: Path) -> tuple[str, str]:
    """The code and whole hash of the last audit entry the backup file holds, read without
    changing it (read-only and immutable: SQLite neither journals nor checkpoints it)."""
    uri = f"{backup.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            last = connection.execute(
                "SELECT id, entry_hash FROM audit_entries ORDER BY id DESC LIMIT 1"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise file_fault(exc, _("the backup {path}").format(path=backup)) from exc
    position, entry_hash = (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)
    return anchor_code(position, entry_hash), entry_hash


def database_identity(ctx: Context) -> str:
    """The database as the anchor log names it: a file's absolute path, or a server's URL
    without the password."""
    path = sqlite_path(str(ctx.engine.url))
    if path is not None:
        return str(path.expanduser().resolve())
    return ctx.engine.url.render_as_string(hide_password=True)


def _field(text: str) -> str:
    return " ".join(text.split())  # no tab or line break inside a field


def _logged(ctx: Context, written: Path, code: str, entry_hash: str) -> BackupResult:
    """The backup's result, once its line is appended to the anchor log beside it. The backup
    is made and recorded whatever happens here: a log that cannot be written is a warning."""
    log = written.parent / ANCHOR_LOG
    fields = (
        ctx.clock.now().astimezone(UTC).isoformat(timespec="seconds"),
        ctx.study.protocol,
        database_identity(ctx),
        code,
        entry_hash,
        written.name,
    )
    line, warning = _signed_line(fields)
    if warning:
        warning = _(
            "The backup was made and its verification code {code} logged, but the line is not "
            "signed: {why}"
        ).format(code=code, why=warning)
    try:
        _append(log, line)
    except OSError as exc:
        warning = with_detail(
            _(
                "The backup was made, but its verification code {code} could not be added to the "
                "anchor log {log}: write the code down, with the date and the backup's name."
            ).format(code=code, log=shown(log)),
            os_detail(exc),
        )
    own, also = _log_in_own_folder(ctx, written, fields)
    warning = sentences((warning, also))
    size = written.stat().st_size
    return BackupResult(str(written), size, ctx.clock.now(), code, str(log), warning, own)


def _log_in_own_folder(ctx: Context, written: Path, fields: tuple[str, ...]) -> tuple[str, str]:
    """A backup written outside the database's own backup folder (`--out` on a USB stick) has
    its line appended there too, naming the file by its whole path: `audit verify --anchor-log`
    reads that folder's log by default, and the administrator's guide says the codes are kept
    there. Returns the log written ("" when the backup is in that folder) and a warning when it
    could not be."""
    folder = backup_dir(database_identity(ctx))
    try:
        if written.parent.resolve() == folder.resolve():
            return "", ""
    except OSError:
        pass
    log = folder / ANCHOR_LOG
    line, _unsigned = _signed_line((*fields[:-1], str(written.expanduser().resolve())))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # study data: owner-only
        _append(log, line)
    except OSError as exc:
        return "", with_detail(
            _(
                "The backup was made, but its verification code {code} could not be added to the "
                "anchor log of the database's backup folder {log}: write the code down, with the "
                "date and the backup's name."
            ).format(code=fields[3], log=shown(log)),
            os_detail(exc),
        )
    return str(log), ""


def _signed_line(fields: tuple[str, ...]) -> tuple[str, str]:
    """The log's line of the six fields, signed where a site key is set; and why it is not
    signed where one is set but cannot sign ("" otherwise)."""
    line = "\t".join(_field(f) for f in fields)
    signature, warning = site_key.sign(line)
    return line + (f"\t{signature}\n" if signature else "\n"), warning


def _append(log: Path, line: str, header: str = _LOG_HEADER) -> None:
    """Appends one line (O_APPEND: never over what is there); a new log is created owner-only,
    with a first line saying what its fields are."""
    try:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
        text = header + line
    except FileExistsError:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND)
        text = line
    try:
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def anchor_log(folder: str | Path) -> list[LoggedAnchor]:
    """The lines of the anchor log in `folder` (or the log file itself), oldest first; lines
    that are not a backup's line are left out. No log there: NotFound."""
    path = Path(folder).expanduser()
    if path.is_dir():
        path = path / ANCHOR_LOG
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError as exc:
        raise NotFound(
            _(
                "There is no anchor log at {path}: it is written beside the backups, at each "
                "backup. Give the backup folder, or the log file."
            ).format(path=shown(path))
        ) from exc
    except OSError as exc:
        raise InvalidInput(write_error_text(exc, path, written=False)) from exc
    except ValueError as exc:  # a NUL character in the name
        raise InvalidInput(
            _("'{path}' cannot be a folder or file name.").format(path=shown(folder))
        ) from exc
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split("\t")
        if raw.startswith("#") or len(parts) not in (6, 7):
            continue
        at, study, database, code, entry_hash, made = parts[:6]
        signature = parts[6] if len(parts) == 7 else ""
        logged = LoggedAnchor(at, study, database, code, entry_hash, made, signature, number)
        try:
            if anchor_code(logged.anchor.position, logged.entry_hash) == logged.code:
                found.append(logged)
        except (ValueError, IndexError):
            continue
    return found


def latest_logged(ctx: Context, folder: str | Path, public_key: bytes | None = None) -> LogCheck:
    """The last line of the anchor log in `folder` for this database (same file or server,
    whichever study was open at the backup: the chain is the database's): the code the chain
    must still hold. A restore's line is one too: the lines before the last restore belong to
    the replaced history and are not the chain's any more (`restored` names that line). Given
    the site key's public half, only the lines it signed count, and every line for this
    database that carries a signature that is not the key's is named (`forged`): the log was
    edited."""
    identity = database_identity(ctx)
    lines = [line for line in anchor_log(folder) if line.database == identity]
    forged: list[LoggedAnchor] = []
    unsigned = 0
    if public_key is not None:
        trusted = []
        for line in lines:
            if not line.signature:
                unsigned += 1
            elif site_key.signed_by(public_key, line.signed_text, line.signature):
                trusted.append(line)
            else:
                forged.append(line)
        if forged:
            return LogCheck(None, tuple(forged), unsigned, None)
        if not trusted:
            raise NotFound(
                _(
                    "The anchor log in {path} has no line signed by this site key for this "
                    "database ({database}): {unsigned} unsigned. Give the public "
                    "key of the site key this workstation signs with, or check against a code "
                    "with --anchor."
                ).format(
                    path=shown(folder),
                    database=identity,
                    unsigned=unsigned,
                )
            )
        lines = trusted
    if not lines:
        raise NotFound(
            _(
                "The anchor log in {path} has no code for this database ({database}). Give the "
                "folder of this database's backups, or check against a code with --anchor."
            ).format(path=shown(folder), database=identity)
        )
    restores = [line for line in lines if line.is_restore]
    return LogCheck(lines[-1], (), unsigned, restores[-1] if restores else None)


@dataclass(frozen=True)
class LogCheck:
    """The anchor log read for this database: its last trusted line (None when a line is
    forged), the lines whose signature is not the site key's, the unsigned lines left out."""

    latest: LoggedAnchor | None
    forged: tuple[LoggedAnchor, ...]
    unsigned: int
    # The last restore's line: the codes logged before it belong to the history it replaced.
    restored: LoggedAnchor | None = None

    @property
    def message(self) -> str:
        if not self.forged:
            return ""
        first = self.forged[0]
        if len(self.forged) == 1:
            edited = _(
                "The anchor log was edited: {count} line for this database carries a signature "
                "that is not the site key's (line {line}, logged {at} with the backup "
                "{backup}). Keep the log and the backups as they are, and tell the quality "
                "manager: the audit trail cannot be checked against this log."
            )
        else:
            edited = _(
                "The anchor log was edited: {count} lines for this database carry a signature "
                "that is not the site key's (the first: line {line}, logged {at} with the backup "
                "{backup}). Keep the log and the backups as they are, and tell the quality "
                "manager: the audit trail cannot be checked against this log."
            )
        return edited.format(
            count=len(self.forged), line=first.number, at=first.at, backup=first.backup
        )


# -- the backups kept, for the Backups window (whoever reads the audit trail) ----------------------


class BackupState(StrEnum):
    """Whether a backup kept is still the file the program wrote."""

    AS_WRITTEN = "as_written"  # its size and SHA-256 those listed when it was written
    HOLDS_CODE = "holds_code"  # its last audit entry is the verification code logged for it
    CHANGED = "changed"  # neither: changed since, or it cannot be read
    MISSING = "missing"  # not at the place logged (moved, or on removable media)
    UNCHECKED = "unchecked"  # no list line and no code to check it by
    # A copy of an audit trail that did not verify (BROKEN_MARK): kept as evidence, not for
    # restore (a restore refuses a backup whose audit trail does not verify), given no code.
    CHAIN_BROKEN = "chain_broken"


@dataclass(frozen=True)
class KeptBackup:
    """A backup of this database: when it was written (UTC), its file, its size (None when it
    is not there), whether still as written, and the verification code logged for it."""

    path: str
    at: datetime
    automatic: bool
    bytes: int | None
    state: BackupState
    code: str = ""
    # Made when the audit trail did not verify (named BROKEN_MARK): why no restore command is
    # given for it (not_for_restore's words), "" for a backup that may be restored.
    not_for_restore: str = ""
    # `at` is the file's own time (last changed), not a time recorded when it was written: a
    # copy the audit trail records nowhere (its entry could not be written), found by its name.
    file_time: bool = False
    # Its place in the list, 1 the newest (kept_backups): the number `dispensary backups` shows
    # and `--restore-command` takes (kept_backup). 0 for one not taken from the list.
    number: int = 0


@dataclass(frozen=True)
class KeptBackups:
    """The database's backup folder and the backups of it the program knows, newest first."""

    database: str
    folder: str
    backups: tuple[KeptBackup, ...]
    server: bool = False  # a database server: backed up and restored with its own tools


def kept_backups(ctx: Context, actor: Actor) -> KeptBackups:
    """The backups of this database the program keeps: the automatic ones still in its backup
    folder (daily_backups) and those made by hand that the folder's anchor log names (written
    there, or elsewhere by their whole path). Each says whether it is still the file written:
    its size and SHA-256 as listed when written (automatic ones), else whether its last audit
    entry is still the verification code logged. One in the folder that is gone (rotated away,
    removed) is left out; one elsewhere that is not found is listed as missing (a USB stick
    not plugged in). The copies made as evidence of an audit trail that did not verify
    (_broken_backups) are listed too, marked CHAIN_BROKEN, with why no restore is offered from
    them (`not_for_restore`). Read only: nothing is written. Read by every role that reads the
    audit trail (Permission.BACKUPS); the restore command (restore_command) is the
    administrator's."""
    require(actor, Permission.BACKUPS)
    identity = database_identity(ctx)
    folder = backup_dir(identity)
    server = sqlite_path(str(ctx.engine.url)) is None
    logged: dict[Path, LoggedAnchor] = {}
    try:
        lines = anchor_log(folder)
    except (NotFound, InvalidInput):
        lines = []
    for line in lines:
        if line.database == identity and not line.is_restore:
            named = Path(line.backup)
            logged[named if named.is_absolute() else folder / named] = line
    listed = _written_list(folder)
    found: list[KeptBackup] = []
    automatic: set[Path] = set()
    if not server and folder.is_dir():
        for made in daily_backups(ctx, folder, source_path(ctx.engine).stem):
            held = logged.get(made.path)
            code = made.anchor or (held.code if held is not None else "")
            automatic.add(made.path)
            found.append(_kept(made.path, made.at, True, code, listed.get(made.path.name)))
    for path, line in logged.items():
        if path in automatic or (path.parent == folder and not _exists(path)):
            continue
        try:
            at = datetime.fromisoformat(line.at).astimezone(UTC)
        except ValueError:
            continue
        known = listed.get(path.name) if path.parent == folder else None
        found.append(_kept(path, at, False, line.code, known))
    if not server:
        shown_paths = {Path(kept.path) for kept in found}
        found += [
            kept
            for kept in _broken_backups(ctx, folder, source_path(ctx.engine).stem)
            if Path(kept.path) not in shown_paths
        ]
    found.sort(key=lambda kept: (kept.at, kept.path), reverse=True)
    numbered = tuple(replace(kept, number=n) for n, kept in enumerate(found, 1))
    return KeptBackups(identity, str(folder), numbered, server)


NO_SUCH_NUMBER = N_(
    "There is no backup numbered {number}: the backups kept are numbered 1 to {last}, the "
    "newest first. Run `dispensary backups` to see them with their numbers, then give one of "
    "those. Nothing was done."
)
NONE_NUMBERED = N_(
    "There is no backup numbered {number}: no backup of this database is kept. Nothing was done."
)
NOT_A_BACKUP_KEPT = N_(
    "{path} is not one of the backups kept of this database. Run `dispensary backups` to see "
    "them, then give its number or its file; a copy the list does not hold is restored with "
    "`dispensary restore FILE --reason TEXT`, which checks it. Nothing was done."
)


def kept_backup(ctx: Context, actor: Actor, given: str) -> KeptBackup:
    """The backup kept that `given` names, for its restore command (restore_command): its
    number in kept_backups' list (1 the newest, as `dispensary backups` shows it) or its file
    (a path, made whole from the current folder). The restore's own refusals come first, as
    restore_command says them (the administrator's only; a database server is restored with its
    own tools; a copy of a trail that did not verify is not for restore); a number not in the
    list, or a file the list does not hold, is refused with what to do. Read only."""
    require(actor, Permission.RESTORE)
    if sqlite_path(str(ctx.engine.url)) is None:
        raise RuleViolation(_(SERVER_RESTORE))
    digits = given.strip()
    number = int(digits) if digits.isascii() and digits.isdigit() else None
    if number is None and (refusal := not_for_restore(given)):
        raise RuleViolation(refusal)
    kept = kept_backups(ctx, actor).backups
    if number is not None:
        if 1 <= number <= len(kept):
            return kept[number - 1]
        if not kept:
            raise InvalidInput(_(NONE_NUMBERED).format(number=number))
        raise InvalidInput(_(NO_SUCH_NUMBER).format(number=number, last=len(kept)))
    wanted = _whole(Path(given).expanduser())
    for backup_kept in kept:
        if _whole(Path(backup_kept.path)) == wanted:
            return backup_kept
    raise InvalidInput(_(NOT_A_BACKUP_KEPT).format(path=shown(wanted)))


def _whole(path: Path) -> Path:
    """`path` made whole (links followed where the file is there), to compare two names."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


NOT_FOR_RESTORE = N_(
    "{name} was made when the audit trail did not verify: it is kept as evidence, not for "
    "restore (a restore refuses a backup whose audit trail does not verify). Restore an "
    "earlier backup."
)


def not_for_restore(path: str | Path) -> str:
    """Why no restore is offered from `path`, in the reader's language: a copy of an audit trail
    that did not verify, named BROKEN_MARK when made (backup, automatic_backup), which the
    restore's own check refuses; "" for any other file (the restore checks it)."""
    named = Path(path)
    if not named.stem.endswith(BROKEN_MARK):
        return ""
    return _(NOT_FOR_RESTORE).format(name=named.name)


def _broken_backups(ctx: Context, folder: Path, stem: str) -> list[KeptBackup]:
    """The copies made, as evidence, of an audit trail that did not verify (BROKEN_MARK): given
    no code and logged in no anchor log, they are found by the audit entries that record them
    (`backup`, `backup_automatic`, their file named with the mark) and, for the automatic ones,
    by their name in the backup folder (one whose entry could not be written is kept all the
    same). Each is listed as CHAIN_BROKEN, or, one by hand not found outside the folder, as
    missing (a USB stick not plugged in); one gone from the folder is left out."""
    with read_transaction(ctx.engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.at, AuditEntry.new).where(
                AuditEntry.entity == "database",
                AuditEntry.action.in_(
                    (AuditAction.BACKUP_AUTOMATIC.value, AuditAction.BACKUP.value)
                ),
                AuditEntry.entity_id.contains(BROKEN_MARK),
            )
        ).all()
    made: dict[Path, tuple[datetime, bool, bool]] = {}  # when, automatic, the file's time
    for action, at, new in rows:
        path = Path(str(_details(new).get("path", "")))
        if not path.is_absolute() or not path.stem.endswith(BROKEN_MARK):
            continue
        made[path] = (at, action == AuditAction.BACKUP_AUTOMATIC.value, False)
    pattern = re.compile(re.escape(stem) + r"-\d{4}-\d{2}-\d{2}T\d{6}" + re.escape(BROKEN_MARK))
    with contextlib.suppress(OSError):
        for path in folder.glob("*.sqlite3"):
            if pattern.fullmatch(path.stem) and path not in made and path.is_file():
                modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                made[path] = (modified, True, True)
    found: list[KeptBackup] = []
    for path, (at, automatic, file_time) in made.items():
        words = not_for_restore(path)
        try:
            there = path.is_file()
            size = path.stat().st_size if there else None
        except OSError:
            there, size = False, None
        if not there and (automatic or path.parent == folder):
            continue
        state = BackupState.CHAIN_BROKEN if there else BackupState.MISSING
        found.append(KeptBackup(str(path), at, automatic, size, state, "", words, file_time))
    return found


def _exists(path: Path) -> bool:
    """A path the log names may be unreadable or too long for this system: then it is not there."""
    try:
        return path.exists()
    except OSError:
        return False


_HASHED: dict[tuple[str, int, int], str] = {}
"""SHA-256 of the backups already hashed, by path, size and time modified: the Backups screen
reads each large file once per run of the program, not at every refresh."""


def _hashed(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHED:
        _HASHED[key] = _sha256(path)
    return _HASHED[key]


def _kept(
    path: Path, at: datetime, automatic: bool, code: str, listed: set[tuple[int, str]] | None
) -> KeptBackup:
    try:
        if not path.is_file():
            return KeptBackup(str(path), at, automatic, None, BackupState.MISSING, code)
        size = path.stat().st_size
        if listed:  # hashed only at a size listed: another size is changed already
            same = any(size == n for n, _digest in listed) and (size, _hashed(path)) in listed
            state = BackupState.AS_WRITTEN if same else None
        elif code:
            state = BackupState.HOLDS_CODE if _anchor_of_backup(path)[0] == code else None
        else:
            state = BackupState.UNCHECKED
    except (OSError, DatabaseProblem):
        return KeptBackup(str(path), at, automatic, None, BackupState.CHANGED, code)
    return KeptBackup(str(path), at, automatic, size, state or BackupState.CHANGED, code)


def backup_into(ctx: Context, actor: Actor, folder: str | Path) -> BackupResult:
    """A backup by hand (`backup`: its permission, audit entry and anchor log line) into a
    folder the user chose, under a new name of the database's and the local time:
    `STEM-by-hand-YYYY-MM-DDTHHMMSS.sqlite3` (never an automatic backup's name, which the
    rotation goes by)."""
    require(actor, Permission.BACKUP)
    place = Path(folder).expanduser()
    if not place.is_dir():
        raise InvalidInput(
            _("{path} is not a folder: choose the folder the backup goes in.").format(
                path=shown(place)
            )
        )
    stem = source_path(ctx.engine).stem
    local = ctx.clock.now().astimezone()
    for later in range(60):
        stamp = (local + timedelta(seconds=later)).strftime("%Y-%m-%dT%H%M%S")
        target = place / f"{stem}-by-hand-{stamp}.sqlite3"
        if (
            not target.exists()
            and not target.with_name(f"{target.stem}{BROKEN_MARK}{target.suffix}").exists()
        ):
            return backup(ctx, actor, target)
    raise DatabaseBusy(
        _("Another backup of this database is being made in {folder}: try again.").format(
            folder=shown(place)
        )
    )


def restore_command(ctx: Context, actor: Actor, source: str, reason: str = "") -> str:
    """The command line that restores `source` over this database, as the administrator
    runs it once every window on the database is closed (docs/CLI.md, `restore`): the
    program's own check, audit entry and anchor log line are the command's. A database server
    is restored with its tools (SERVER_RESTORE). The administrator's only, as the restore is:
    the others who read the list of backups (Permission.BACKUPS) are not given it."""
    require(actor, Permission.RESTORE)
    if sqlite_path(str(ctx.engine.url)) is None:
        raise RuleViolation(_(SERVER_RESTORE))
    refusal = not_for_restore(source)
    if refusal:
        raise RuleViolation(refusal)
    # The reason is the restore's audit entry: a command given without one would record
    # whatever stood in for it. One word with its option, so a reason starting with "-" is
    # not read as an option.
    why = " ".join(check_text(reason, N_("reason")).split())
    words = [
        _cli_program(),
        "--db",
        database_identity(ctx),
        "--user",
        actor.username,
        "restore",
        source,
        f"--reason={why}",
    ]
    return subprocess.list2cmdline(words) if os.name == "nt" else shlex.join(words)


def _cli_program() -> str:
    """The command as this installation runs it: the installed folder's own `dispensary`
    beside the running program (a Windows install does not put it on PATH), else the one the
    environment has."""
    if getattr(sys, "frozen", False):
        name = "dispensary.exe" if os.name == "nt" else "dispensary"
        return str(Path(sys.executable).with_name(name))
    return "dispensary"


def is_server_database(db: str | Path) -> bool:
    """A database URL other than a SQLite file: restored with the server's tools, not here."""
    text = str(db)
    if "://" not in text:
        return False
    try:
        return sqlite_path(url_for(text)) is None
    except ArgumentError:
        return True


def restore(
    db_path: str | Path,
    backup_path: str | Path,
    restored_by: Actor | None = None,
    *,
    clock: Clock | None = None,
    expect_protocol: str | None = None,
    on_step: StepHook | None = None,
    reason: str = "",
    administrator: tuple[str, str] | None = None,
) -> RestoreResult:
    """Replaces the database file with a checked backup while no one else has it open; the
    replaced file is kept whole beside it, and the restored database's audit trail says who
    restored it, from where, and where the replaced file is. `on_step` is called at each of
    RESTORE_STEPS (for the kill tests). `restored_by`: the administrator signed in to the
    current database, whose role is checked here; None only where the current database cannot
    be opened, so no one can sign in to it (`dispensary restore --force`): then `administrator`,
    the user name and password given, must be those of an active administrator account of the
    backup (its role there), checked in the copy before anything is replaced and recorded as
    who restored it. With neither, refused before anything is read: every restore names the
    administrator who made it on its audit entry, whoever calls it. `reason` (required) is
    written on the restore's audit entry, with the audit entries the replaced database held
    and those the backup brings back: what an older backup dropped is counted."""
    if restored_by is not None:
        require(restored_by, Permission.RESTORE)
    elif administrator is None:
        raise NotSignedIn(
            _(
                "A restore is made by an administrator: sign in to the current database as "
                "one, or, when it cannot be opened, give the user name and password of an "
                "administrator account the backup holds. Nothing was restored."
            )
        )
    reason = check_text(reason, N_("reason for the restore"))
    if is_server_database(db_path):
        raise RuleViolation(_(SERVER_RESTORE))
    target = sqlite_path(url_for(str(db_path)))
    assert target is not None  # not a server database
    source = Path(backup_path).expanduser()
    try:
        found = source.is_file()
    except OSError:  # a name too long for the file system, say
        found = False
    if not found:
        if _is_folder(source):  # "There is no backup file /tmp/x." said of a folder
            raise InvalidInput(
                _(
                    "{path} is a folder, not a backup file: give the backup file to restore "
                    "(the backups are in the backups folder, named after the database and the "
                    "time each was taken)."
                ).format(path=source)
            )
        raise InvalidInput(_("There is no backup file {path}.").format(path=source))
    if target.is_dir():
        raise InvalidInput(_("{path} is a folder, not a database file.").format(path=target))
    if target.exists() and source.resolve() == target.resolve():
        raise InvalidInput(
            _("{path} is the database itself, not a backup of it.").format(path=source)
        )
    _refuse_read_only_target(target)
    step = on_step or _no_step
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _not_restored(file_fault(exc, _("the folder of {path}").format(path=target))) from exc
    with scratch_beside(target, ".restoring", N_("restore")) as restoring:
        _remove_killed_copies(target)
        try:
            copy_database_private(source, restoring)
        except OSError as exc:
            raise _not_restored(
                file_fault(exc, _("a copy of the backup beside {path}").format(path=target))
            ) from exc
        step("copied")
        _refuse_damaged_copy(restoring, source)
        # The live database from now on, no longer a backup; a file SQLite cannot read is left
        # to the opening below, which says what it is.
        with contextlib.suppress(sqlite3.Error, UnicodeDecodeError):
            unmark(restoring)
        kept = _kept_name(target) if target.exists() else None
        replaced_entries = _entries_in(target) if kept is not None else None
        replaced_accounts = _accounts_in(target) if kept is not None else None
        held = _check_and_record(
            restoring,
            source,
            target,
            clock or SystemClock(),
            expect_protocol,
            kept,
            restored_by.username if restored_by is not None else "-",
            step,
            _logged_for(target, source) if kept is not None else [],
            reason,
            replaced_entries,
            replaced_accounts,
            administrator if restored_by is None else None,
        )
        step("recorded")
        try:
            single_file(restoring)
        except (OSError, sqlite3.Error) as exc:
            raise _not_restored(
                file_fault(exc, _("a copy of the backup beside {path}").format(path=target))
            ) from exc
        code, entry_hash = _anchor_of_backup(restoring)
        step("single_file")
        if kept is None:
            put_in_place(restoring, target)
            for name in RESTORE_STEPS[RESTORE_STEPS.index("replaced") :]:
                step(name)
            warning = _log_restore(target, source, held.protocol, code, entry_hash, clock)
            return RestoreResult(
                str(target), str(source), None, "", code, warning, held.entries, None
            )
        with exclusive_lock(target, LOCK_WAIT_SECONDS) as live:
            step("locked")
            marked = live.conn is not None  # LockedFile.keep: a file SQLite reads is marked
            live_protocol = live.protocol()
            if live_protocol is not None and live_protocol != held.protocol:
                raise DatabaseProblem(_other_study(source, held.protocol, live_protocol))
            not_checked = _same_database(live, held, source, target)
            _refuse_accounts_changed(live, replaced_accounts, source, target)
            try:
                live.keep(kept)
                step("kept")
                live.replace_with(restoring, copying=lambda: step("copying"))
            except (OSError, sqlite3.Error) as exc:
                # One SQLite transaction, rolled back: the live database is as it was, and a
                # copy of it kept "replaced" would say otherwise. (A file SQLite cannot read
                # keeps its copy: its -wal went with it.)
                if live.conn is not None:
                    with contextlib.suppress(OSError):
                        remove_with_side_files(kept)
                raise _not_restored(
                    file_fault(exc, _("the restored database {path}").format(path=target))
                ) from exc
            try:
                fsync_dir(target.parent)
            except OSError as exc:
                raise file_fault(exc, _("the folder of {path}").format(path=target)) from exc
            step("replaced")
        step("released")
    made_again = tuple(c.message for c in held.changes if c.reapplied)
    undone = tuple(c.message for c in held.changes if not c.reapplied)
    warning = _log_restore(target, source, held.protocol, code, entry_hash, clock)
    return RestoreResult(
        str(target),
        str(source),
        str(kept),
        not_checked,
        code,
        warning,
        held.entries,
        replaced_entries,
        made_again,
        undone,
        _(ACCOUNTS_NOT_CHECKED) if replaced_accounts is None else "",
        "" if marked else _(REPLACED_NOT_MARKED),
    )


def _refuse_accounts_changed(
    live: LockedFile,
    replaced: tuple[Accounts, _Origins] | None,
    source: Path,
    target: Path,
) -> None:
    """The accounts compared with the backup's were read before the lock: an account changed
    since (on a workstation that closed meanwhile) would be lost unnamed, so the restore is
    refused and can be made again."""
    if live.conn is None or replaced is None:
        return
    try:
        now = _accounts(_sqlite_rows(live.conn))
    except sqlite3.Error:
        return
    if now != replaced[0]:
        raise DatabaseBusy(
            _(
                "An account of {database} was changed while the backup {path} was being "
                "checked: it was not restored, and nothing was changed. Restore it again."
            ).format(database=target, path=source)
        )


def _refuse_read_only_target(target: Path) -> None:
    """A database this account may not write (the file, its folder or its disk read-only) is
    refused before the backup is copied: found only at the lock, after the backup's checks,
    it was said as "Could not write the database ... Check the disk and the folder",
    SQLite's "disk I/O error" as the detail, which sent the reader to the disk."""
    if not target.exists():
        return  # a new database: its folder's permissions are met at the first file made there
    kind = read_only_kind(target)
    if kind is None:
        return
    raise ReadOnlyDatabase(
        _(
            "The backup was not restored, and nothing was changed: {path} cannot be written by "
            "this account ({cause}). Have the file, its folder and its disk made writable for "
            "this account (ask whoever looks after this computer), or restore as the account "
            "that owns them."
        ).format(path=shown(target), cause=read_only_cause(kind))
    )


def _log_restore(
    target: Path, source: Path, protocol: str, code: str, entry_hash: str, clock: Clock | None
) -> str:
    """Appends the restore's line (the restored chain's code, `restored from PATH`) to the anchor
    log of the database's backup folder, and to the one beside the backup if it has one: the
    codes logged before belong to the replaced history, which `audit verify --anchor-log` would
    otherwise take for a rewrite. The restore is done whatever happens here: a warning."""
    folders = [backup_dir(str(target))]
    beside = source.resolve().parent
    if beside not in folders and (beside / ANCHOR_LOG).is_file():
        folders.append(beside)
    fields = (
        (clock or SystemClock()).now().astimezone(UTC).isoformat(timespec="seconds"),
        protocol,
        str(target.expanduser().resolve()),
        code,
        entry_hash,
        RESTORED_FROM + str(source.resolve()),
    )
    line, unsigned = _signed_line(fields)
    warnings = []
    if unsigned:
        warnings.append(
            _(
                "The restored database's verification code {code} was logged, but the line is "
                "not signed: {why}"
            ).format(code=code, why=unsigned)
        )
    for folder in folders:
        log = folder / ANCHOR_LOG
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # study data: owner-only
            _append(log, line)
        except OSError as exc:
            warnings.append(
                with_detail(
                    _(
                        "The database was restored, but its verification code {code} could not "
                        "be added to the anchor log {log}: write the code down, with the date "
                        "and the backup restored."
                    ).format(code=code, log=shown(log)),
                    os_detail(exc),
                )
            )
    return sentences(warnings)


def _logged_for(target: Path, source: Path) -> list[tuple[Path, LoggedAnchor]]:
    """The anchor log's lines for the database at `target` (and the log each is in), from the
    log beside the backup and the one in the database's backup folder: what a restore over a
    database whose own trail cannot be read compares the backup with."""
    identity = str(target.expanduser().resolve())
    found: list[tuple[Path, LoggedAnchor]] = []
    for folder in sorted({source.resolve().parent, backup_dir(str(target))}):
        try:
            found += [
                (folder / ANCHOR_LOG, x) for x in anchor_log(folder) if x.database == identity
            ]
        except (NotFound, InvalidInput):
            continue
    return found


def _same_database(live: LockedFile, held: _Held, source: Path, target: Path) -> str:
    """Refuses a backup of another database (another pharmacy running the same study): each
    database's audit trail begins with its own first entry. Where the live trail cannot be read
    (restore --force), compares what can be (the pharmacy's name, the anchor log) and returns
    what was not checked."""
    live_first = live.first_entry()
    if live_first is not None and held.first_entry is not None:
        if live_first[0] != held.first_entry[0]:
            raise DatabaseProblem(_another_database(source, target, held, live_first))
        return ""
    live_name = live.pharmacy_name()
    if live_name and held.pharmacy and live_name != held.pharmacy:
        raise DatabaseProblem(
            _(
                "The backup {path} is the database of {pharmacy}, and {database} is that of "
                "{live_pharmacy}: it was not restored, and nothing was changed. Restore a backup "
                "of this pharmacy's database; to put the other pharmacy's database in its place "
                "anyway, move {database} to another folder first, then restore."
            ).format(path=source, pharmacy=held.pharmacy, database=target, live_pharmacy=live_name)
        )
    held_codes = [(log, line) for log, line, holds in held.logged if holds]
    if held.logged and not held_codes:
        log, first = held.logged[0][:2]
        raise DatabaseProblem(
            _(
                "The backup {path} holds none of the verification codes the anchor log {log} "
                "holds for {database} (the first of {count}: {code}, logged {at}), so it is not a "
                "backup of this database: it was not restored, and nothing was changed. Restore "
                "a backup of this database; to put the other database in its place anyway, move "
                "{database} to another folder first, then restore."
            ).format(
                path=source,
                count=len(held.logged),
                log=shown(log),
                database=target,
                code=first.code,
                at=first.at,
            )
        )
    unread = _(
        "The current database's audit trail could not be read, so it was not checked that the "
        "backup begins with the same first audit entry (that it is a backup of this database)."
    )
    if held_codes:
        log, line = held_codes[-1]
        checked = _(
            "Checked instead: the backup holds the verification code {code} that the anchor log "
            "{log} holds for this database (logged {at})."
        ).format(code=line.code, log=shown(log), at=line.at)
    elif live_name and live_name == held.pharmacy:
        checked = _("Checked instead: both name the pharmacy {pharmacy}.").format(
            pharmacy=live_name
        )
    else:
        checked = _(
            "Nothing else could be compared (no pharmacy's name in both, no verification code of "
            "this database in an anchor log): make sure {path} is a backup of this pharmacy's "
            "database."
        ).format(path=source)
    return sentences((unread, checked))


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long for the file system, say
        return False


def _another_database(source: Path, target: Path, held: _Held, live_first: tuple[str, str]) -> str:
    """The refusal of a backup whose trail begins with another first entry: whose it is, when
    each began, and the two ways on."""
    began, live_began = _time_of(held.first_entry), _time_of(live_first)
    if held.pharmacy:
        found = _(
            "The backup {path} is the database of {pharmacy} (begun {began}), not a backup of "
            "{database} (begun {live_began}): their audit trails begin with different first "
            "entries."
        )
    else:
        found = _(
            "The backup {path} is another database (begun {began}), not a backup of {database} "
            "(begun {live_began}): their audit trails begin with different first entries."
        )
    return sentences(
        (
            found.format(
                path=source,
                pharmacy=held.pharmacy,
                began=began,
                database=target,
                live_began=live_began,
            ),
            _(
                "It was not restored, and nothing was changed. Restore a backup of this "
                "database; to put the other database in its place anyway, move {database} to "
                "another folder first, then restore."
            ).format(database=target),
        )
    )


def _time_of(entry: tuple[str, str] | None) -> str:
    """An audit entry's time as SQLite holds it (UTC), to the second."""
    return f"{entry[1][:19]} UTC" if entry is not None else "?"


def _refuse_damaged_copy(copy: Path, source: Path) -> None:
    """The full integrity check of the backup's copy: the check made at each opening is the
    quick one, which does not see an index that has lost rows, and a restored database is what
    the pharmacy works on from then on. A file SQLite cannot read at all is left to the opening,
    which says what it is."""
    try:
        conn = sqlite3.connect(str(copy))  # the private copy: the backup is never opened
        try:
            findings = integrity_findings(conn)
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeDecodeError):  # a damaged schema's bytes quoted: not text
        return
    if findings:
        raise DatabaseProblem(
            with_detail(
                _(
                    "The backup {path} is damaged, so it was not restored and nothing was "
                    "changed. Restore an older backup."
                ).format(path=source),
                "; ".join(findings),
            )
        )


def _no_step(_name: str) -> None:
    return None


def _remove_killed_copies(target: Path) -> None:
    """A restore killed while keeping the replaced file leaves NAME.replaced-<time>.sqlite3.partial
    (the database it was copying was not replaced); only one restore runs at a time."""
    pattern = f"{glob.escape(target.stem)}.replaced-*{glob.escape(target.suffix)}.partial"
    for leftover in target.parent.glob(pattern):
        remove_with_side_files(leftover)


def _kept_name(target: Path) -> Path:
    """NAME.replaced-<time>.sqlite3, a new name even for two restores within a second."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    kept = target.with_name(f"{target.stem}.replaced-{stamp}{target.suffix}")
    n = 2
    while kept.exists():
        kept = target.with_name(f"{target.stem}.replaced-{stamp}-{n}{target.suffix}")
        n += 1
    return kept


def _not_restored(fault: DatabaseProblem) -> DatabaseProblem:
    """A file fault before the database was replaced (a full or read-only disk): the database is
    as it was, which the fault alone does not say."""
    return type(fault)(
        _("The backup was not restored, and nothing was changed: {reason}").format(
            reason=_said_once(fault.message)
        )
    )


def _refusal(exc: DatabaseProblem, copy: Path, source: Path) -> DatabaseProblem:
    """The opening's refusal of the backup's copy, about the backup the user named rather than
    the private copy, and with what to do about a backup: the opening's own advice is about the
    database to work in (check --db, restore the last backup), wrong for a backup."""
    reason = exc.message.replace(str(copy), str(source)).replace(shown(copy), str(source))
    detail = _technical_detail(reason)
    if isinstance(exc, Unprotected):  # whole, but changed outside the program: not "damaged"
        said = _(
            "The backup {path} was changed outside the program: the append-only protection of "
            "its records was removed, so they could have been changed (database triggers "
            "missing, disabled or altered: {triggers}). It was not restored, and nothing was "
            "changed. Keep it for investigation (`dispensary audit verify --db {path}` shows "
            "what was changed) and restore an older backup."
        )
        return Unprotected(said.format(path=source, triggers=exc.triggers), exc.triggers)
    if isinstance(exc, DatabaseDamaged):
        said = _(
            "The backup {path} is damaged: part of the file cannot be read as a database. It was "
            "not restored, and nothing was changed. Restore an older backup instead (its name "
            "says when it was taken)."
        )
        return DatabaseDamaged(with_detail(said.format(path=source), detail))
    if isinstance(exc, NotADispensaryDatabase):
        said = _(
            "{path} is not a backup of a Dispensary database (not a database this program "
            "wrote), so it was not restored and nothing was changed. Check the file's name: "
            "the backups are in the backups folder, named after the database and the time "
            "each was taken."
        )
        return NotADispensaryDatabase(with_detail(said.format(path=source), detail))
    return type(exc)(
        _("The backup was not restored, and nothing was changed: {reason}").format(
            reason=_said_once(reason)
        )
    )


def _technical_detail(message: str) -> str:
    """The technical detail at the end of a fault's message (files.with_detail), "" if none."""
    marker = _(TECHNICAL_DETAIL).partition("{detail}")[0].strip()
    return message.partition(marker)[2].strip() if marker and marker in message else ""


def _said_once(reason: str) -> str:
    """A fault's message without its own "Nothing was changed.", which the refusal says first."""
    for said in (_(NOTHING_CHANGED), NOTHING_CHANGED):
        reason = reason.replace(f" {said}", "").replace(said, "")
    return reason.strip()


def _other_study(source: Path, protocol: str, expected: str) -> str:
    return _(
        "The backup {path} belongs to study {study}, not {expected}; it was not restored, and "
        "nothing was changed."
    ).format(path=source, study=protocol, expected=expected)


def _check_and_record(
    copy: Path,
    source: Path,
    target: Path,
    clock: Clock,
    expect_protocol: str | None,
    kept: Path | None,
    restored_by: str,
    step: StepHook,
    logged: list[tuple[Path, LoggedAnchor]],
    reason: str,
    replaced_entries: int | None,
    replaced_accounts: tuple[Accounts, _Origins] | None = None,
    administrator: tuple[str, str] | None = None,
) -> _Held:
    """Opens the private copy (never the backup itself), refuses it unless it is a Dispensary
    database of the expected study whose chains verify, then records the restore in it; returns
    what says whose database it is (the anchor log's `logged` lines compared with it)."""
    with tempfile.TemporaryDirectory(prefix="dispensary-restore-") as scratch:
        try:
            # An older schema is upgraded in the copy; the backup itself is the file before.
            opened = open_database(str(copy), clock, backup_dir=Path(scratch))
        except DatabaseProblem as exc:
            raise _refusal(exc, copy, source) from exc
        ctx = opened.context
        try:
            # A backup of this pharmacy's database holds the study the current one works in
            # (a database may hold several studies).
            if expect_protocol is not None and expect_protocol not in opened.studies:
                studies = listed(opened.studies)
                raise DatabaseProblem(_other_study(source, studies, expect_protocol))
            signed: Actor | None = None
            if administrator is not None:
                signed = _backup_administrator(ctx, administrator, source)
                restored_by = signed.username
            with read_transaction(ctx.engine) as session:
                verified = verify_session(session)
            if not verified.ok:
                if verified.first_bad is not None:
                    refusal = _(
                        "The backup {path} does not verify, so it was not restored and nothing "
                        "was changed. {finding} The first bad audit entry is {entry}."
                    )
                else:
                    refusal = _(
                        "The backup {path} does not verify, so it was not restored and nothing "
                        "was changed. {finding}"
                    )
                raise DatabaseProblem(
                    refusal.format(path=source, finding=verified.message, entry=verified.first_bad)
                )
            step("verified")
            with read_transaction(ctx.engine) as session:
                held = _held(session, opened.studies[0], logged)
                restored_entries = count_entries(session)
                changes: list[AccountChange] = []
                if replaced_accounts is not None:
                    changes = account_changes(*replaced_accounts, _accounts(_session_rows(session)))
            # The entries each side holds: an older backup drops what was recorded since it
            # was made, and the trail says how many (None: no database replaced, or unreadable).
            counted: dict[str, Any] = {"audit_entries_restored": restored_entries}
            if kept is not None:
                counted["audit_entries_replaced"] = replaced_entries
            if changes:
                counted["accounts_made_again"] = [c.code for c in changes if c.reapplied]
                counted["accounts_undone"] = [c.code for c in changes if not c.reapplied]
            if kept is not None and replaced_accounts is None:
                # A code, said in the reader's language where the trail is read.
                counted["accounts_not_checked"] = REPLACED_UNREADABLE
            with write_transaction(ctx.engine) as session:
                rec = Recorder(session, signed, clock.now())
                rec.audit(
                    AuditAction.DATABASE_RESTORED,
                    "database",
                    target.name,
                    # absolute: a path as typed (backups/x.sqlite3) says nothing read later
                    {
                        "from": str(source.resolve()),
                        "replaced_file_kept_at": str(kept or ""),
                        **counted,
                    },
                    reason=reason,
                    username=restored_by,
                )
                # Each made again as its own entry, after the restore's, in the same step.
                _reapply(
                    session,
                    rec,
                    changes,
                    replaced_accounts[0] if replaced_accounts else {},
                    restored_by,
                    source,
                )
            return replace(held, entries=restored_entries, changes=tuple(changes))
        finally:
            ctx.engine.dispose()


def _backup_administrator(ctx: Context, given: tuple[str, str], source: Path) -> Actor:
    """The administrator of the backup whose user name and password were given (restore
    --force: the database replaced cannot be opened, so no one could sign in to it): an active
    account of the backup, its password and its role there checked; refused, with what to do,
    before anything is replaced."""
    username, password = given
    with read_transaction(ctx.engine) as session:
        actor = account_of(session, username, password)
    what_to_do = _(
        "As the current database cannot be opened, a restore over it is made by an "
        "administrator of the backup: give the user name (--user) and password of an "
        "administrator account the backup holds."
    )
    if actor is None:
        raise NotSignedIn(
            _(
                "The backup {path} was not restored, and nothing was changed: {username} could "
                "not sign in to it (the user name or password is wrong, or the account is "
                "locked or deactivated in the backup). {what_to_do}"
            ).format(path=shown(source), username=username, what_to_do=what_to_do)
        )
    try:
        require(actor, Permission.RESTORE)
    except NotPermitted as exc:
        raise NotPermitted(
            _(
                "The backup {path} was not restored, and nothing was changed: in the backup, "
                "{username} is not an administrator ({role}). {what_to_do}"
            ).format(
                path=shown(source),
                username=actor.username,
                role=role_named(actor.role.value),
                what_to_do=what_to_do,
            )
        ) from exc
    return actor


def _entries_in(database: Path) -> int | None:
    """The audit entries of the database about to be replaced, read without writing to it
    (query_only; not `mode=ro`, whose connection leaves a -shm file beside a WAL database: the
    last connection to close takes its side files away); None when it cannot be read (restore
    --force over a damaged file)."""
    try:
        with contextlib.closing(sqlite3.connect(database, timeout=LOCK_WAIT_SECONDS)) as conn:
            conn.execute("PRAGMA query_only = 1")
            found = conn.execute("SELECT count(*) FROM audit_entries").fetchone()
    except (OSError, sqlite3.Error, UnicodeDecodeError):
        return None
    return int(found[0]) if found else None


def _session_rows(session: Session) -> Rows:
    return lambda sql, values: [
        tuple(r) for r in session.connection().exec_driver_sql(sql, values).all()
    ]


def _held(session: Session, protocol: str, logged: list[tuple[Path, LoggedAnchor]]) -> _Held:
    """Read from the copy before its database_restored entry: `protocol` is the study the
    database was made for (as LockedFile.protocol), the first entry as LockedFile.first_entry
    reads it."""
    first = session.execute(
        text("SELECT entry_hash, at FROM audit_entries ORDER BY id LIMIT 1")
    ).first()
    reached = []
    for log, line in logged:
        position = line.anchor.position
        found = session.scalar(select(AuditEntry.entry_hash).where(AuditEntry.id == position))
        if found is not None:
            reached.append((log, line, found == line.entry_hash))
    return _Held(
        protocol,
        (str(first[0]), str(first[1])) if first is not None else None,
        pharmacy.read(session).name,
        tuple(reached),
    )


# -- the accounts a restore would bring back ------------------------------------------------------

_ACCOUNTS_SQL = (
    "SELECT username, active, locked, failed_attempts, password_hash, must_change_password, "
    "password_changed_at, role FROM users ORDER BY id"
)
_ACCESS_SQL = (
    "SELECT u.username, s.protocol, a.granted FROM study_access a "
    "JOIN users u ON u.id = a.user_id JOIN study s ON s.id = a.study_id ORDER BY a.id"
)
_LAST_CHANGE_SQL = (
    "SELECT at, username, reason, action FROM audit_entries WHERE entity = 'user' "
    "AND entity_id = ? "
    "AND action IN ({actions}) ORDER BY id DESC LIMIT 1"
)


@dataclass(frozen=True)
class _Account:
    """What a user's account holds that an administrator changes for security's sake."""

    active: bool
    locked: bool
    failed_attempts: int
    password_hash: str
    must_change_password: bool
    password_changed_at: str
    role: str
    access: tuple[tuple[str, bool], ...]  # (protocol, given), the latest row of each study


Accounts = dict[str, _Account]
Rows = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]


def _accounts(rows: Rows) -> Accounts:
    """The accounts of a database, read through `rows` (a sqlite3 connection's, or the copy's
    session's)."""
    access: dict[str, dict[str, bool]] = {}
    for username, protocol, given in rows(_ACCESS_SQL, ()):
        access.setdefault(str(username), {})[str(protocol)] = bool(given)
    return {
        str(name): _Account(
            bool(active),
            bool(locked),
            int(failed or 0),
            str(hashed),
            bool(must),
            str(changed),
            str(role),
            tuple(sorted(access.get(str(name), {}).items())),
        )
        for name, active, locked, failed, hashed, must, changed, role in rows(_ACCOUNTS_SQL, ())
    }


def _sqlite_rows(conn: sqlite3.Connection) -> Rows:
    return lambda sql, values: [tuple(r) for r in conn.execute(sql, values).fetchall()]


def _accounts_in(database: Path) -> tuple[Accounts, _Origins] | None:
    """The accounts of the database about to be replaced, and where its trail says each change
    came from, read without writing to it (as _entries_in); None when it cannot be read."""
    try:
        with contextlib.closing(sqlite3.connect(database, timeout=LOCK_WAIT_SECONDS)) as conn:
            conn.execute("PRAGMA query_only = 1")
            rows = _sqlite_rows(conn)
            return _accounts(rows), _Origins(rows)
    except (OSError, sqlite3.Error, UnicodeDecodeError):
        return None


class _Origins:
    """The replaced database's last audit entry of each kind for a user: when, by whom, why."""

    def __init__(self, rows: Rows) -> None:
        self._found: dict[tuple[str, tuple[str, ...]], tuple[str, str, str] | None] = {}
        self._actions: dict[tuple[str, tuple[str, ...]], str] = {}
        self._rows = rows
        try:  # read now: the connection is closed once the accounts are read
            for name, _active, *_rest in rows(_ACCOUNTS_SQL, ()):
                for actions in _ORIGIN_ACTIONS.values():
                    self._read(str(name), actions)
        finally:
            self._rows = lambda _sql, _values: []

    def _read(self, user: str, actions: tuple[str, ...]) -> None:
        sql = _LAST_CHANGE_SQL.format(actions=", ".join("?" * len(actions)))
        found = self._rows(sql, (user, *actions))
        self._found[(user, actions)] = (
            (str(found[0][0])[:16], str(found[0][1]), str(found[0][2])) if found else None
        )
        if found:
            self._actions[(user, actions)] = str(found[0][3])

    def of(self, user: str, kind: str) -> tuple[str, str, str] | None:
        return self._found.get((user, _ORIGIN_ACTIONS[kind]))

    def password_unlocked(self, user: str) -> bool:
        """The user's last password set was an administrator's reset or a recovery, which lift
        a lock of failed sign-ins and clear them in the same entry (users.reset_password,
        users.recover_administrator): not the user's own change."""
        return self._actions.get((user, _ORIGIN_ACTIONS["password"])) in _UNLOCKING_PASSWORDS


_ORIGIN_ACTIONS: dict[str, tuple[str, ...]] = {
    "deactivated": (AuditAction.USER_DEACTIVATED.value,),
    "activated": (AuditAction.USER_ACTIVATED.value,),
    "locked": (AuditAction.SIGN_IN_FAILED.value, AuditAction.SIGNATURE_FAILED.value),
    "unlocked": (AuditAction.USER_UNLOCKED.value, AuditAction.ADMINISTRATOR_RECOVERED.value),
    "password": (
        AuditAction.PASSWORD_RESET.value,
        AuditAction.PASSWORD_CHANGED.value,
        AuditAction.ADMINISTRATOR_RECOVERED.value,
    ),
    "access_taken": (AuditAction.STUDY_ACCESS_TAKEN.value,),
    "access_given": (AuditAction.STUDY_ACCESS_GIVEN.value,),
    "added": (AuditAction.USER_ADDED.value,),
}


_UNLOCKING_PASSWORDS = frozenset(
    {AuditAction.PASSWORD_RESET.value, AuditAction.ADMINISTRATOR_RECOVERED.value}
)


@dataclass(frozen=True)
class AccountChange:
    """An account change the replaced database held and the backup did not: `reapplied` when
    the restore made it again in the restored database (one that takes a power away: a
    deactivation, a lock-out, a password set, an access taken away; and the unlock a reset
    made with the password it set, in the reset's one entry), else undone by the restore, for
    an administrator to make again if it still holds."""

    user: str
    kind: str  # a key of _ORIGIN_ACTIONS
    study: str = ""
    reapplied: bool = False
    at: str = ""
    by: str = ""
    reason: str = ""
    unlocks: bool = False
    """A password set by a reset (or a recovery), which lifted any lock of failed sign-ins and
    cleared them: made again, it does so again, in its one entry."""

    @property
    def code(self) -> str:
        """As the restore's audit entry lists it."""
        return f"{self.user}: {self.kind}" + (f" ({self.study})" if self.study else "")

    @property
    def message(self) -> str:
        what = {
            "deactivated": _("deactivated"),
            "activated": _("activated"),
            "locked": _("locked out after failed sign-ins"),
            "unlocked": _("unlocked"),
            "password": _("password set"),
            "access_taken": _("access to study {study} taken away"),
            "access_given": _("access to study {study} given"),
            "added": _("account added"),
        }[self.kind].format(study=self.study)
        if self.at and self.reason:
            done = _("{user}: {what} on {at} UTC by {by} ('{reason}')").format(
                user=self.user, what=what, at=self.at, by=self.by, reason=self.reason
            )
        elif self.at:
            done = _("{user}: {what} on {at} UTC by {by}").format(
                user=self.user, what=what, at=self.at, by=self.by
            )
        else:
            done = _("{user}: {what}").format(user=self.user, what=what)
        if self.reapplied:
            return _("{change}: the backup did not hold it, so the restore made it again.").format(
                change=done
            )
        return _(
            "{change}: undone by this restore (the backup does not hold it); make it again if it "
            "still holds."
        ).format(change=done)


def account_changes(
    replaced: Accounts, origins: _Origins, restored: Accounts
) -> list[AccountChange]:
    """The account changes the replaced database holds and the backup does not."""
    found: list[AccountChange] = []

    def change(
        user: str,
        kind: str,
        reapplied: bool,
        study: str = "",
        origin_of: str = "",
        unlocks: bool = False,
    ) -> None:
        origin = origins.of(user, origin_of or kind) or ("", "", "")
        found.append(AccountChange(user, kind, study, reapplied, *origin, unlocks=unlocks))

    for user, now in replaced.items():
        before = restored.get(user)
        if before is None:
            change(user, "added", False)
            continue
        if before.active != now.active:
            change(user, "activated" if now.active else "deactivated", not now.active)
        password_set = before.password_hash != now.password_hash
        # A reset (or a recovery) lifted the lock in its own entry: made again with its
        # password, the lock goes with it, or the person given the new password could not
        # sign in with it. An unlock by itself gives a power back: undone, named.
        reset_unlocked = password_set and origins.password_unlocked(user)
        if before.locked != now.locked:
            if now.locked or not reset_unlocked:
                change(user, "locked" if now.locked else "unlocked", now.locked)
            else:
                change(user, "unlocked", True, origin_of="password")
        if password_set:
            change(user, "password", True, unlocks=reset_unlocked)
        given_before = dict(before.access)
        for protocol, given in now.access:
            if given_before.get(protocol, False) != given:
                change(user, "access_given" if given else "access_taken", not given, protocol)
    return found


def _reapply(
    session: Session,
    rec: Recorder,
    changes: list[AccountChange],
    replaced: Accounts,
    restored_by: str,
    source: Path,
) -> None:
    """Makes again, in the restored database, each change that took a power away: new rows and
    audit entries after the restore's own, never an edit of the history the backup holds."""
    by = session.scalar(select(User).where(User.username == restored_by))
    for made in changes:
        if not made.reapplied:
            continue
        user = session.scalars(select(User).where(User.username == made.user)).one()
        now = replaced[made.user]
        why = _("Made again after the restore from {path}, which had undone it").format(
            path=source.resolve()
        ) + (f": {made.reason}" if made.reason else ".")
        if made.kind == "deactivated":
            user.active = False
            rec.audit(
                AuditAction.USER_DEACTIVATED,
                "user",
                user.username,
                {"active": False},
                {"active": True},
                why,
                username=restored_by,
            )
        elif made.kind == "locked":
            old = {"locked": user.locked, "failed_attempts": user.failed_attempts}
            user.locked = True
            user.failed_attempts = max(user.failed_attempts, now.failed_attempts)
            rec.audit(
                AuditAction.ACCOUNT_LOCKED,
                "user",
                user.username,
                {"locked": True},
                old,
                why,
                username=restored_by,
            )
        elif made.kind == "unlocked":
            pass  # made again with the reset that lifted it, in its entry ("password" below)
        elif made.kind == "password":
            user.password_hash = now.password_hash
            changed = datetime.fromisoformat(now.password_changed_at)
            user.password_changed_at = changed if changed.tzinfo else changed.replace(tzinfo=UTC)
            user.must_change_password = now.must_change_password
            session.add(
                PasswordHistory(user_id=user.id, password_hash=now.password_hash, set_at=rec.now)
            )
            # As the reset did (users.reset_password): a lock of failed sign-ins lifted and
            # the failed sign-ins cleared, in the same entry, old and new; not a lock made
            # since the reset, which the replaced database still held.
            unlocked = lift_failed_sign_ins(user) if made.unlocks and not now.locked else None
            audit_password_reset(rec, user, why, username=restored_by, unlocked=unlocked)
        elif made.kind == "access_taken":
            study = session.scalars(
                select(StudyRecord).where(StudyRecord.protocol == made.study)
            ).one()
            by_id = by.id if by is not None else None
            record_access(session, rec, user, study, False, why, by_id, username=restored_by)
