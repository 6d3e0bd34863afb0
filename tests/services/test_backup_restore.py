"""Restoring a database server is refused, on both back ends: a PostgreSQL database is restored
with pg_restore into a new database (docs/INSTALL.md), never by replacing it from the program."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dispensary.db.engine import is_sqlite
from dispensary.domain.codes import Role
from dispensary.domain.errors import RuleViolation
from dispensary.services import backup
from dispensary.services.context import Actor, Context

ADMIN = Actor(1, "admin", "Ada Admin", "AA", Role.ADMINISTRATOR)
"""The administrator signed in to the current database, who restores."""


def test_restore_refuses_a_database_server(
    ctx: Context, tmp_path: Path, snapshot: Callable[[Context], object]
) -> None:
    """On PostgreSQL, this test's own database; on SQLite, a server URL that is never reached."""
    server = (
        "postgresql+psycopg://dispensary@127.0.0.1:9/none"
        if is_sqlite(ctx.engine)
        else ctx.database
    )
    before = snapshot(ctx)
    with pytest.raises(RuleViolation) as refused:
        backup.restore(server, tmp_path / "backup.sqlite3", ADMIN, reason="restored in a test")
    assert "pg_restore" in refused.value.message and "Nothing was changed" in refused.value.message
    assert snapshot(ctx) == before
    assert backup.is_server_database(server) and not backup.is_server_database(tmp_path / "x")
    assert not backup.is_server_database(f"sqlite:///{tmp_path / 'x.sqlite3'}")


def test_a_monitor_may_not_make_a_manual_backup_and_is_told_the_daily_one_is_made_anyway(
    ctx: Context, monitor: Actor, tmp_path: Path
) -> None:
    """The window made the day's automatic backup when a monitor signed in (audit "monitor
    自动备份") while `backup` refused a monitor "may not back up the database": the refusal
    says it is the manual backup the role may not make, and that the daily one is made at any
    user's first sign-in."""
    from dispensary.domain.errors import NotPermitted
    from dispensary.i18n import Language, speaking

    with pytest.raises(NotPermitted) as refused:
        backup.backup(ctx, monitor, tmp_path / "by-hand.sqlite3")
    assert refused.value.message.startswith(
        "monitor (monitor) may not make a manual backup (the daily automatic backup is made at "
        "any user's first sign-in of the day)."
    )
    with speaking(Language.ZH_CN), pytest.raises(NotPermitted) as chinese:
        backup.backup(ctx, monitor, tmp_path / "by-hand.sqlite3")
    assert "无权手动备份（每天的自动备份在任何用户当天首次登录时进行）" in chinese.value.message
    assert not (tmp_path / "by-hand.sqlite3").exists()
    if is_sqlite(ctx.engine):  # the day's automatic backup, at the monitor's sign-in
        assert backup.automatic_backup(ctx, monitor, tmp_path / "backups") is not None
