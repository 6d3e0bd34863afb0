"""A database whose append-only protection was taken away outside the program is named, never
repaired in silence.

The triggers that make the database itself refuse to change a record of what happened
(migration 0004 and those after it: tests/services/test_append_only.py) can be dropped with a
database tool (disabled, or their function replaced, on PostgreSQL); every record can then be
changed at will. Opening such a database refuses it, naming the triggers and what to do;
`audit verify` opens it all the same and names it as a finding, even where the chain still
verifies; the triggers are not put back (that would hide what was done while they were gone).
Runs on SQLite, and on PostgreSQL with DISPENSARY_TEST_DB set.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from dispensary.db.engine import is_sqlite
from dispensary.db.protection import required_triggers, unprotected
from dispensary.domain.errors import Unprotected
from dispensary.services import audit, setup, users
from dispensary.services.context import Actor, Context
from signed import PEOPLE

from .test_append_only import NAMES, expected_triggers, installed_triggers

MIGRATION = importlib.import_module("dispensary.db.migrations.versions.0004_append_only")


def test_the_triggers_required_are_those_the_migrations_create(ctx: Context) -> None:
    sqlite = is_sqlite(ctx.engine)
    required = required_triggers(sqlite)
    assert sorted(required) == sorted(expected_triggers(sqlite))
    assert set(required.values()) == set(NAMES)
    assert set(installed_triggers(ctx)) == set(required)
    with ctx.engine.connect() as conn:
        assert unprotected(conn) == [], "a database the program made is whole"


@contextmanager
def returns_unprotected(ctx: Context) -> Iterator[str]:
    """The UPDATE trigger of `returns` dropped (SQLite) or disabled (PostgreSQL), as a database
    tool leaves it; put back on leaving (a PostgreSQL test database is reused). Yields its name."""
    sqlite = is_sqlite(ctx.engine)
    name = MIGRATION.trigger_names("returns", sqlite)[0]
    with ctx.engine.begin() as conn:
        if sqlite:
            conn.execute(text(f"DROP TRIGGER {name}"))
        else:
            conn.execute(text(f"ALTER TABLE returns DISABLE TRIGGER {name}"))
    ctx.engine.dispose()
    try:
        yield name
    finally:
        with ctx.engine.begin() as conn:
            if sqlite:
                conn.execute(text(MIGRATION.sqlite_triggers("returns")[0]))
            else:
                conn.execute(text(f"ALTER TABLE returns ENABLE TRIGGER {name}"))
        ctx.engine.dispose()


def test_opening_refuses_a_database_missing_a_trigger_and_names_it(
    ctx: Context, admin: Actor
) -> None:
    with returns_unprotected(ctx) as name:
        with pytest.raises(Unprotected) as refused:
            setup.open_database(ctx.database, ctx.clock)
        message = refused.value.message
        assert name in message and "append-only protection" in message, message
        assert "Nothing was changed" in message and "audit verify" in message
        assert "keeps this file for investigation" in message
        assert refused.value.exit_code == 3
        with ctx.engine.connect() as conn:
            assert unprotected(conn) == [name], "not put back behind anyone's back"


def test_audit_verify_names_the_missing_trigger_though_the_chain_verifies(
    ctx: Context, admin: Actor
) -> None:
    with returns_unprotected(ctx) as name:
        opened = setup.open_database(ctx.database, ctx.clock, studies_unread=True)
        try:
            signed_in = users.sign_in(opened.context, admin.username, PEOPLE["admin"][3])
            result = audit.verify(opened.context, signed_in)
        finally:
            opened.context.engine.dispose()
        assert not result.ok and result.point is None
        assert name in result.message and "append-only protection" in result.message
        assert result.findings and name in result.findings[-1]
        with ctx.engine.connect() as conn:
            assert unprotected(conn) == [name]
    opened = setup.open_database(ctx.database, ctx.clock)
    try:
        signed_in = users.sign_in(opened.context, admin.username, PEOPLE["admin"][3])
        assert audit.verify(opened.context, signed_in).ok, "whole again: nothing said"
    finally:
        opened.context.engine.dispose()


def test_a_trigger_that_refuses_nothing_counts_as_missing(ctx: Context) -> None:
    """A trigger of the right name that no longer refuses (SQLite: another body; PostgreSQL:
    the function they call replaced) is no protection."""
    sqlite = is_sqlite(ctx.engine)
    name = MIGRATION.trigger_names("returns", sqlite)[0]
    with ctx.engine.begin() as conn:
        if sqlite:
            conn.execute(text(f"DROP TRIGGER {name}"))
            conn.execute(
                text(f"CREATE TRIGGER {name} BEFORE UPDATE ON returns BEGIN SELECT 1; END")
            )
        else:
            conn.execute(
                text(
                    f"CREATE OR REPLACE FUNCTION {MIGRATION.FUNCTION}() RETURNS trigger "
                    "LANGUAGE plpgsql AS $body$ BEGIN RETURN NEW; END; $body$"
                )
            )
    try:
        with ctx.engine.connect() as conn:
            lacking = unprotected(conn)
        assert lacking == ([name] if sqlite else [f"{MIGRATION.FUNCTION}()"])
        with pytest.raises(Unprotected, match=r"append-only protection"):
            setup.open_database(ctx.database, ctx.clock)
    finally:
        with ctx.engine.begin() as conn:
            if sqlite:
                conn.execute(text(f"DROP TRIGGER {name}"))
                conn.execute(text(MIGRATION.sqlite_triggers("returns")[0]))
            else:
                conn.execute(text(MIGRATION.PG_FUNCTION.replace("CREATE", "CREATE OR REPLACE")))
        ctx.engine.dispose()
