"""Which check of the audit trail a reconciliation (or the Today screen) makes, and the point it
starts from.

The full verification reads every row of the database (most of a minute at a million ledger
rows). A reconciliation starts instead from the last point that verified, kept in a small file
outside the database (beside its backups, like the anchor log: `verified-<id>.json`), and
checks only what was written since (verification.verify_since): a reconciliation in a new
process, a new day, another workstation of the same computer all start from there. Without a
point, or with one the chain no longer holds (a restore, a rewrite, another database at the same
place), the check is the full one, and a full check that passes writes the point.

A database open read-only (an inspector's copy: db.engine.read_only) is checked in full, and
no point is read or kept for it: nothing is written beside a read-only copy, and the copy's
reader sees the whole check, not one that stands on a file found beside it.

The point is outside the database's own trust on purpose: whoever edits the database cannot
move it forward. What an incremental check does not see is a row written before the point and
edited since outside the program (the append-only triggers dropped first): the full check sees
it, so the reconciliation sign-off (`reconciliation.sign_off`), `audit verify` and the audit
report verify in full.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.config import backup_dir
from dispensary.db.engine import read_only, sqlite_path
from dispensary.db.models import AuditEntry, LedgerEntry
from dispensary.files import write_private
from dispensary.i18n import _
from dispensary.services.context import Context, local_day
from dispensary.services.results import VerifiedPoint, VerifyResult
from dispensary.services.verification import verify_session, verify_since

FORMAT = 1
FULL_CHECK_DAYS = 7
"""A backup's check (chain_check) is a full one when the last full check is older than this:
under half the 14 daily backups kept, so a row edited after a full check is found while the
backups from before the edit are still kept (a backup of a trail that does not verify is never
counted by the rotation: services.backup)."""


@dataclass(frozen=True)
class KeptPoint:
    """The point kept in the file: where the last check that passed stood, and the last full
    check it was reached from (a chain of incremental checks, each from the one before)."""

    point: VerifiedPoint
    full_position: int  # the last audit entry the last full check reached
    full_at: datetime  # when that full check was made


@dataclass(frozen=True)
class TrailCheck:
    """The audit trail's check a reconciliation made, with what to say of it."""

    verification: VerifyResult
    since: int | None = None  # None: checked in full; else the entry the check started after
    full_position: int | None = None  # the entry the last full check reached (incremental)
    full_at: datetime | None = None

    @property
    def full(self) -> bool:
        return self.since is None

    @property
    def words(self) -> str:
        """Which check was made, in the reader's words."""
        if self.since is None:
            return _("Audit trail checked in full.")
        # Said in the order the checks were made (the later entry number first read as a gap
        # between the two: "since entry 423; up to entry 375 in full").
        if self.full_at is None or self.full_position is None:
            return _(
                "Audit trail verified to entry {entry} at earlier checks, the entries after it now."
            ).format(entry=self.since)
        return _(
            "Audit trail verified in full to entry {full} on {date}, later entries at each check "
            "since (this one: after entry {entry})."
        ).format(
            entry=self.since,
            full=self.full_position,
            date=local_day(self.full_at).isoformat(),
        )


def point_file(ctx: Context) -> Path:
    """The database's point file: beside its backups (a file's folder, or the data folder for a
    server), named by the database, so two databases never share one."""
    url = ctx.engine.url
    path = sqlite_path(url.render_as_string(hide_password=False))
    identity = str(path.expanduser().resolve()) if path else url.render_as_string(True)
    name = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    return backup_dir(identity) / f"verified-{name}.json"


def kept_point(ctx: Context) -> KeptPoint | None:
    """The point the file holds, or None (no file, or one that cannot be read as a point: the
    full check is made then, so nothing is lost by ignoring it)."""
    try:
        data: dict[str, Any] = json.loads(point_file(ctx).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        point = VerifiedPoint(
            int(data["position"]),
            str(data["audit_hash"]),
            int(data["ledger_position"]),
            str(data["ledger_hash"]),
            tuple((str(name), int(mark)) for name, mark in data["marks"]),
        )
        return KeptPoint(point, int(data["full_position"]), datetime.fromisoformat(data["full_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def keep_point(ctx: Context, kept: KeptPoint) -> None:
    """Writes the point (owner-only, whole or not at all). A folder that cannot be written (a
    read-only disk, a database shared read-only) only means the next check is a full one."""
    point = kept.point
    data = {
        "format": FORMAT,
        "position": point.position,
        "audit_hash": point.audit_hash,
        "ledger_position": point.ledger_position,
        "ledger_hash": point.ledger_hash,
        "marks": [list(mark) for mark in point.marks],
        "full_position": kept.full_position,
        "full_at": kept.full_at.isoformat(),
    }
    target = point_file(ctx)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(target, json.dumps(data, indent=1).encode("utf-8"))
    except OSError:
        return


def forget_point(ctx: Context) -> None:
    """Marks the point file failed after a full check that failed: the next check is a full
    one and so says the trail does not verify (from the point it would check only what was
    written since, and an old row edited since would read as "balanced"), even one that would
    start from a point of its own held in memory (the Today screen's: check_trail). A file that
    cannot be written is removed, where it can be."""
    target = point_file(ctx)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(target, json.dumps({"format": FORMAT, "failed": True}).encode("utf-8"))
    except OSError:
        try:
            target.unlink(missing_ok=True)
        except OSError:
            return


def _failed_last(ctx: Context) -> bool:
    """The last full check failed (forget_point's mark)."""
    try:
        data = json.loads(point_file(ctx).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("failed") is True


def holds(session: Session, point: VerifiedPoint) -> bool:
    """The chain still holds the point: its audit entry and ledger row carry the hashes the
    check saw (else the database was restored, rewritten or replaced since)."""
    if point.position <= 0:
        return False
    entry = session.scalar(select(AuditEntry.entry_hash).where(AuditEntry.id == point.position))
    if entry != point.audit_hash:
        return False
    if point.ledger_position <= 0:
        return True
    row = session.scalar(
        select(LedgerEntry.row_hash).where(LedgerEntry.id == point.ledger_position)
    )
    return row == point.ledger_hash


def check_trail(
    session: Session, ctx: Context, full: bool = False, since: VerifiedPoint | None = None
) -> TrailCheck:
    """The audit trail checked from the last point that verified (`since`, a caller's own
    point held in memory, else the file's), or in full (`full`, or no point the chain holds).
    A check that passes moves the file's point to where it stopped. A database open read-only
    is checked in full, and no point kept (see the module's notes)."""
    full = full or read_only(ctx.engine) is not None or _failed_last(ctx)
    kept = None if full else kept_point(ctx)
    start = since or (kept.point if kept is not None else None)
    if not full and start is not None and holds(session, start):
        verification = verify_since(session, start)
        full_position = kept.full_position if kept is not None else None
        full_at = kept.full_at if kept is not None else None
        if verification.ok and verification.point is not None and kept is not None:
            keep_point(ctx, KeptPoint(verification.point, kept.full_position, kept.full_at))
        return TrailCheck(verification, start.position, full_position, full_at)
    verification = verify_session(session)
    if read_only(ctx.engine) is not None:
        return TrailCheck(verification)
    if verification.ok and verification.point is not None:
        keep_point(ctx, KeptPoint(verification.point, verification.point.position, ctx.clock.now()))
    elif not verification.ok:
        forget_point(ctx)
    return TrailCheck(verification)


def chain_check(session: Session, ctx: Context, full_every: int | None = None) -> TrailCheck:
    """Whether the chain holds, before a verification code is issued for it or a backup counted
    as good: from the point kept (check_trail: only what was written since the last check that
    passed, in full where no point is kept, or the last check failed and forgot it), or in full
    where `full_every` days have passed since the last full check."""
    full = False
    if full_every is not None:
        kept = None if read_only(ctx.engine) is not None else kept_point(ctx)
        full = kept is None or ctx.clock.now() - kept.full_at > timedelta(days=full_every)
    return check_trail(session, ctx, full=full)
