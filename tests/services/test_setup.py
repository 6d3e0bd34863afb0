"""Creating and opening a database: the study stored, the first administrator, refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dispensary.domain.codes import Role
from dispensary.domain.errors import DatabaseProblem, RuleViolation
from dispensary.services import audit, setup, users
from dispensary.services.context import Context, FixedClock
from dispensary.study import Study


def test_init_stores_the_study_and_the_first_administrator(
    db_url: str, study: Study, clock: FixedClock
) -> None:
    ctx = setup.init_database(db_url, study, "boss", "Bea Boss", "BB", "first-admin-1", clock)
    try:
        admin = users.sign_in(ctx, "boss", "first-admin-1")
        assert admin.role is Role.ADMINISTRATOR
        assert [e.action for e in audit.list_entries(ctx, admin)] == [
            "study_loaded",
            "user_added",
            "sign_in",
        ]
        assert audit.verify(ctx, admin).ok
        opened = setup.open_database(db_url, clock, expect_protocol="NCT07198672")
        try:
            assert opened.context.study == study
            assert opened.migrated_from is None
        finally:
            opened.context.engine.dispose()
    finally:
        ctx.engine.dispose()


def test_init_refuses_a_database_that_exists(ctx: Context, study: Study) -> None:
    with pytest.raises(RuleViolation, match="already holds a database"):
        setup.init_database(ctx.database, study, "boss", "Bea Boss", "BB", "first-admin-1")


def test_open_refuses_another_study(ctx: Context) -> None:
    with pytest.raises(DatabaseProblem, match="belongs to study NCT07198672, not NCT0000"):
        setup.open_database(ctx.database, expect_protocol="NCT0000")


@pytest.mark.skipif(bool(os.environ.get("DISPENSARY_TEST_DB")), reason="a SQLite matter")
def test_open_refuses_what_is_not_a_database(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite3"
    text.write_text("shopping list\n")
    with pytest.raises(DatabaseProblem, match="is not a Dispensary database"):
        setup.open_database(str(text))
    with pytest.raises(DatabaseProblem, match="There is no database at"):
        setup.open_database(str(tmp_path / "missing.sqlite3"))
