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
        backup.restore(server, tmp_path / "backup.sqlite3", ADMIN)
    assert "pg_restore" in refused.value.message and "Nothing was changed" in refused.value.message
    assert snapshot(ctx) == before
    assert backup.is_server_database(server) and not backup.is_server_database(tmp_path / "x")
    assert not backup.is_server_database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
