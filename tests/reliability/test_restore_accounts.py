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


def test_a_restore_that_makes_a_password_reset_again_makes_its_unlock_again(
    tmp_path: Path,
) -> None:
    """A reset lifts the lock of failed sign-ins and clears them, in its one entry: the restore
    made the reset's password again but left the account locked as the backup held it, so the
    person given the new password still could not sign in. The unlock goes with the reset,
    in the one entry made again; an unlock by itself (a power given back) is still undone."""
    db = tmp_path / "pharmacy.sqlite3"
    clock = FixedClock(START)
    site = build_site(str(db), kits=2, enrolled=0, clock=clock)
    admin = site.actors["admin"]
    try:
        for name in ("pharm3", "pharm2"):  # both locked out by failed sign-ins
            for _ in range(users.MAX_FAILURES):
                with contextlib.suppress(DispensaryError):
                    users.sign_in(site.ctx, name, "not-the-password")
        for _ in range(2):  # tech: two failed sign-ins, not locked
            with contextlib.suppress(DispensaryError):
                users.sign_in(site.ctx, "tech", "not-the-password")
        earlier = backup.backup(site.ctx, admin, tmp_path / "bk" / "r4.bak")
        done = users.reset_password(site.ctx, admin, "pharm3", "Fresh-Secret-2026!", "forgot")
        assert done.unlocked
        users.reset_password(site.ctx, admin, "tech", "Other-Secret-2026!", "forgot it too")
        users.unlock(site.ctx, admin, "pharm2", "typed it wrong")  # an unlock alone
    finally:
        site.ctx.engine.dispose()
    result = backup.restore(db, earlier.path, admin, clock=clock, reason="disk problem")
    again = "\n".join(result.accounts_made_again)
    assert "pharm3: password set" in again
    assert "pharm3: unlocked on" in again and "('forgot')" in again
    assert "tech: password set" in again
    (undone,) = result.accounts_undone
    assert undone.startswith("pharm2: unlocked on") and "undone by this restore" in undone

    opened = setup.open_database(str(db), clock)
    try:
        ctx = opened.context
        assert not session_user(ctx, "pharm3").locked
        assert session_user(ctx, "pharm3").failed_attempts == 0
        assert session_user(ctx, "tech").failed_attempts == 0, "the reset cleared them"
        assert session_user(ctx, "pharm2").locked, "an unlock alone is not made again"
        with read_transaction(ctx.engine) as session:
            entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).all()
            assert verify_session(session).ok
        restored = next(e for e in entries if e.action == AuditAction.DATABASE_RESTORED.value)
        newer = [e for e in entries if e.id > restored.id]
        # One entry each, as the reset was: the lock lifted in the same entry as the password.
        assert sorted((e.entity_id, e.action) for e in newer) == [
            ("pharm3", AuditAction.PASSWORD_RESET.value),
            ("tech", AuditAction.PASSWORD_RESET.value),
        ]
        reset = next(e for e in newer if e.entity_id == "pharm3")
        assert json.loads(reset.new)["locked"] is False
        assert json.loads(reset.old) == {"locked": True, "failed_attempts": users.MAX_FAILURES}
        users.sign_in(ctx, "pharm3", "Fresh-Secret-2026!", read_only_ok=True)
    finally:
        opened.context.engine.dispose()
