"""A restore does not silently undo the account changes made since the backup: those that took a
power away (a deactivation, a lock-out, a password set, an access taken away) are made again in
the restored database as new audit entries, the others are named as undone."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry, User
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import DispensaryError
from dispensary.services import backup, setup, studies, users
from dispensary.services.context import Context, FixedClock
from dispensary.services.verification import verify_session

from .sites import START, build_site, password


def test_a_restore_makes_again_the_deactivations_and_access_taken_since_the_backup(
    tmp_path: Path,
) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    clock = FixedClock(START)
    site = build_site(str(db), kits=2, enrolled=0, clock=clock)
    admin = site.actors["admin"]
    protocol = site.ctx.study.protocol
    try:
        users.set_active(site.ctx, admin, "pharm", False, "on leave")
        earlier = backup.backup(site.ctx, admin, tmp_path / "bk" / "r3.bak")
        users.set_active(site.ctx, admin, "tech", False, "dismissed, took kits")
        studies.set_access(site.ctx, admin, "pharm2", protocol, False, "left the study")
        users.reset_password(site.ctx, admin, "monitor", "Fresh-Secret-2026!", "leaked")
        users.set_active(site.ctx, admin, "pharm", True, "back from leave")
        for _ in range(users.MAX_FAILURES):  # pharm3 locked out by failed sign-ins
            with contextlib.suppress(DispensaryError):
                users.sign_in(site.ctx, "pharm3", "not-the-password")
    finally:
        site.ctx.engine.dispose()
    result = backup.restore(db, earlier.path, admin, clock=clock, reason="disk problem")
    again = "\n".join(result.accounts_made_again)
    assert "tech: deactivated on" in again and "by admin ('dismissed, took kits')" in again
    assert f"pharm2: access to study {protocol} taken away" in again
    assert "monitor: password set" in again
    assert "pharm3: locked out after failed sign-ins" in again
    (undone,) = result.accounts_undone  # giving a power back is not made again unasked
    assert undone.startswith("pharm: activated on") and "('back from leave')" in undone
    assert "undone by this restore" in undone

    opened = setup.open_database(str(db), clock)
    try:
        ctx = opened.context
        with read_transaction(ctx.engine) as session:
            tech = session.scalars(select(User).where(User.username == "tech")).one()
            assert not tech.active, "the deactivation holds after the restore"
            assert not users.studies_of(
                session, session.scalars(select(User).where(User.username == "pharm2")).one()
            )
            entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).all()
        restored = next(e for e in entries if e.action == AuditAction.DATABASE_RESTORED.value)
        details = json.loads(restored.new)
        assert "tech: deactivated" in details["accounts_made_again"]
        assert "pharm: activated" in details["accounts_undone"]
        newer = [e for e in entries if e.id > restored.id]
        assert {e.action for e in newer} == {
            AuditAction.USER_DEACTIVATED.value,
            AuditAction.STUDY_ACCESS_TAKEN.value,
            AuditAction.PASSWORD_RESET.value,
            AuditAction.ACCOUNT_LOCKED.value,
        }
        assert {e.username for e in newer} == {"admin"}, "made again by the one who restored"
        assert session_user(ctx, "pharm3").locked
        assert all("dismissed" in e.reason for e in newer if e.entity_id == "tech")
        with read_transaction(ctx.engine) as session:
            assert verify_session(session).ok
        users.sign_in(ctx, "monitor", "Fresh-Secret-2026!")  # the password set since holds
        with pytest.raises(DispensaryError, match="deactivated"):
            users.sign_in(ctx, "tech", password("tech"))
    finally:
        opened.context.engine.dispose()


def session_user(ctx: Context, username: str) -> User:
    with read_transaction(ctx.engine) as session:
        return session.scalars(select(User).where(User.username == username)).one()
