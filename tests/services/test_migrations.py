"""The migrations build the schema the models describe; 0003 gives the voids recorded before it
(dispense ledger rows summing to zero) their row; 0004 puts the append-only triggers on the
records of what happened, and takes them off again on a downgrade."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from dispensary.db import migrate
from dispensary.db.engine import is_sqlite, writing
from dispensary.db.models import Base
from dispensary.services import audit, dispensing, queries, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .test_append_only import expected_triggers, installed_triggers

Password = Callable[[Actor], str]


def test_the_migrated_schema_is_the_models(ctx: Context) -> None:
    assert migrate.current_revision(ctx.engine) == migrate.head_revision() == "0014"
    with ctx.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        with warnings.catch_warnings():
            # PostgreSQL's index of a destruction's kits (0011) is an expression, which SQLite
            # neither has nor reflects (on PostgreSQL the comparison sees its name: its kind
            # and expression, test_query_plans).
            warnings.filterwarnings("ignore", "autogenerate skipping .* expression-based index")
            differences = compare_metadata(context, Base.metadata)
        if is_sqlite(ctx.engine):
            # SQLite's reflection does not read back the name of a reference added with its
            # column (0005's ledger_entries.audit_entry_id): the reference itself is checked.
            differences = [d for d in differences if not _unnamed_audit_fk(d)]
            fks = inspect(conn).get_foreign_keys("ledger_entries")
            assert {
                "constrained_columns": ["audit_entry_id"],
                "referred_table": "audit_entries",
                "referred_columns": ["id"],
            }.items() <= next(
                f for f in fks if f["constrained_columns"] == ["audit_entry_id"]
            ).items()
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ledger_entries'"
            ).scalar()
            assert "DEFERRABLE INITIALLY DEFERRED" in sql
        assert differences == []


def _unnamed_audit_fk(difference: Any) -> bool:
    if not isinstance(difference, tuple) or difference[0] not in ("add_fk", "remove_fk"):
        return False
    constraint = difference[1]
    return [c.name for c in constraint.columns] == ["audit_entry_id"]


def _voids(ctx: Context) -> list[Any]:
    with ctx.engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                text("SELECT dispense_id, reason, user_id, at FROM dispense_voids ORDER BY id")
            )
        ]


def _migrate(ctx: Context, to: str) -> None:
    with writing(ctx.engine).begin() as conn:
        config = migrate.alembic_config()
        config.attributes["connection"] = conn
        if to == "head":
            command.upgrade(config, to)
        else:
            command.downgrade(config, to)


def test_voids_made_before_the_table_get_their_row(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    dispensing.void_dispense(ctx, pharmacist, "DSP000001", "wrong label", pw(pharmacist))
    dispensing.dispense_cycle(ctx, pharmacist, "01-001", 1, ctx.clock.today(), pw(pharmacist))
    recorded = _voids(ctx)
    assert [v[:3] for v in recorded] == [(1, "wrong label", pharmacist.user_id)]

    _migrate(ctx, "0002")  # as a database voided in before 0003 was
    _migrate(ctx, "head")
    assert _voids(ctx) == recorded
    [live] = queries.participant_history(ctx, pharmacist, "01-001")[1]
    assert live.dispense_number == "DSP000002"


def test_the_append_only_triggers_come_and_go_with_0004(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    sqlite = is_sqlite(ctx.engine)
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    _migrate(ctx, "0003")
    assert installed_triggers(ctx) == []
    with writing(ctx.engine).begin() as conn:  # before 0004, the database let it through
        conn.execute(text("UPDATE signatures SET meaning = meaning"))
    _migrate(ctx, "head")
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    with writing(ctx.engine).begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE signatures SET meaning = meaning"))
    # The records made before and after the upgrade are whole, and the program goes on.
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 1, pw(pharmacist), dispense="DSP000001")
    dispensing.dispense_cycle(ctx, pharmacist, "01-001", 2, clock.today(), pw(pharmacist))
    assert audit.verify(ctx, pharmacist).ok
