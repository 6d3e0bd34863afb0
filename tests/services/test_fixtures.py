"""The shared fixtures themselves: a test that trusts them must be able to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dispensary.db.models import AuditEntry
from dispensary.domain.codes import Role
from dispensary.services import audit, queries, users
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study

from .helpers import receive, scalar, sql


def test_template_holds_every_role(ctx: Context, admin: Actor, pharmacist: Actor) -> None:
    roles = {row.username: row.role for row in users.list_users(ctx, admin)}
    assert roles == {
        "admin": Role.ADMINISTRATOR,
        "pharm": Role.PHARMACIST,
        "pharm2": Role.PHARMACIST,
        "tech": Role.TECHNICIAN,
        "monitor": Role.MONITOR,
    }
    assert users.sign_in(ctx, "pharm", "pharm-pass-1") == pharmacist
    assert audit.verify(ctx, admin).ok


def test_a_used_database_is_not_seen_again(
    databases: Any, study: Study, admin: Actor, pharmacist: Actor
) -> None:
    first = databases.context(study, FixedClock())
    receive(first, pharmacist)
    users.add_user(first, admin, "nora", "technician", "Nora Night", "NN", "night-shift-1")
    sql(first, "UPDATE audit_entries SET reason = 'tampered' WHERE id = 1")
    databases.release(first)
    second = databases.context(study, FixedClock())
    assert queries.inventory(second, pharmacist) == []
    assert audit.verify(second, admin).ok
    # Ids drawn from sequences start where the template left them.
    row = users.add_user(second, admin, "nora", "technician", "Nora Night", "NN", "night-shift-1")
    assert row.username == "nora"
    assert scalar(second, "SELECT id FROM users WHERE username = 'nora'") == 6


def test_snapshot_sees_a_changed_value(
    ctx: Context, pharmacist: Actor, snapshot: Callable[[Context], object]
) -> None:
    receive(ctx, pharmacist)
    before = snapshot(ctx)
    sql(ctx, "UPDATE kits SET location = 'elsewhere' WHERE number = 'K0001'")
    assert snapshot(ctx) != before


def test_ids_of_the_chained_records_are_never_drawn_from_a_sequence(ctx: Context) -> None:
    with Session(ctx.engine) as session, pytest.raises(ValueError, match="needs an explicit id"):
        session.add(AuditEntry(username="x", action="x", entity="x", entity_id="x"))
        session.flush()
