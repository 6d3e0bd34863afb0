"""The shared fixtures themselves: a test that trusts them must be able to."""

from __future__ import annotations

from collections.abc import Callable

from dispensary.domain.codes import Role
from dispensary.services import audit, users
from dispensary.services.context import Actor, Context

from .helpers import receive, sql


def test_template_holds_every_role(ctx: Context, admin: Actor) -> None:
    roles = {row.username: row.role for row in users.list_users(ctx, admin)}
    assert roles == {
        "admin": Role.ADMINISTRATOR,
        "pharm": Role.PHARMACIST,
        "pharm2": Role.PHARMACIST,
        "tech": Role.TECHNICIAN,
        "monitor": Role.MONITOR,
    }
    assert audit.verify(ctx, admin).ok


def test_each_test_gets_its_own_database(
    ctx: Context, pharmacist: Actor, snapshot: Callable[[Context], object]
) -> None:
    # Run twice (parametrised by pytest's ordering is not enough): a kit received here must
    # not be in the template the next test copies.
    assert users.sign_in(ctx, "pharm", "pharm-pass-1") == pharmacist
    receive(ctx, pharmacist)


def test_fresh_copy_has_no_stock(ctx: Context, pharmacist: Actor) -> None:
    from dispensary.services import queries

    assert queries.inventory(ctx, pharmacist) == []


def test_snapshot_sees_a_changed_value(
    ctx: Context, pharmacist: Actor, snapshot: Callable[[Context], object]
) -> None:
    receive(ctx, pharmacist)
    before = snapshot(ctx)
    sql(ctx, "UPDATE kits SET location = 'elsewhere' WHERE number = 'K0001'")
    assert snapshot(ctx) != before
