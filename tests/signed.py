"""Signed steps as tests take them: the signer's own test password typed for them, so that a
test about something else need not spell it (the service still checks it)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dispensary.db.engine import read_transaction
from dispensary.domain.codes import Role
from dispensary.services import backup, quarantine, reconciliation
from dispensary.services.backup import RestoreResult
from dispensary.services.context import Actor, Context
from dispensary.services.results import StatusChange

PEOPLE: dict[str, tuple[Role, str, str, str]] = {
    "admin": (Role.ADMINISTRATOR, "Ada Admin", "AA", "admin-pass-1"),
    "pharm": (Role.PHARMACIST, "Paula Pharm", "PP", "pharm-pass-1"),
    "pharm2": (Role.PHARMACIST, "Peter Second", "PS", "pharm2-pass-1"),
    "tech": (Role.TECHNICIAN, "Tom Tech", "TT", "tech-pass-1"),
    "monitor": (Role.MONITOR, "Mona Monitor", "MM", "monitor-pass-1"),
}
"""The test users: role, full name, initials, password (tests/conftest.py builds them)."""


def release(
    ctx: Context, actor: Actor, kits: Sequence[str], reason: str, sponsor_reference: str
) -> StatusChange:
    """`quarantine.release`, signed by `actor` with their test password."""
    return quarantine.release(
        ctx, actor, kits, reason, sponsor_reference, password=PEOPLE[actor.username][3]
    )


def seen_now(ctx: Context) -> str:
    """What the Reconciliation screen would show now (`ReconcileResult.seen`), read without a
    role's check: what a sign-off gives back as the figures its signer saw."""
    with read_transaction(ctx.engine) as session:
        return reconciliation.reconcile_session(session, ctx).seen()


def restore_forced(db: str | Path, backup_path: str | Path, **options: Any) -> RestoreResult:
    """`backup.restore` with no one signed in to the database replaced, as `dispensary restore
    --force` makes it: the backup's administrator `admin` names themself with their password
    (the service checks both in the backup, and records them as who restored it)."""
    return backup.restore(db, backup_path, administrator=("admin", PEOPLE["admin"][3]), **options)
