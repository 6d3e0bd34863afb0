"""The migrations build the schema the models describe; 0003 gives the voids recorded before it
(dispense ledger rows summing to zero) their row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from dispensary.db import migrate
from dispensary.db.engine import writing
from dispensary.db.models import Base
from dispensary.services import dispensing, queries
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult

Password = Callable[[Actor], str]


def test_the_migrated_schema_is_the_models(ctx: Context) -> None:
    assert migrate.current_revision(ctx.engine) == migrate.head_revision() == "0003"
    with ctx.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


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
