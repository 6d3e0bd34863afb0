"""Creating and opening a database: the study stored, the first administrator, refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dispensary.db.engine import sqlite_path, url_for
from dispensary.domain.codes import Role
from dispensary.domain.errors import DatabaseProblem, InvalidInput, RuleViolation
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


@pytest.mark.parametrize(
    ("name", "full_name", "initials", "password", "refusal"),
    [
        ("boss", "Bea Boss", "BB", "short", "at least 8 characters"),
        ("boss", "李伟", "李伟", "first-admin-1", "initials"),
        ("Boss Man", "Bea Boss", "BB", "first-admin-1", "not a valid user name"),
    ],
)
def test_init_refusing_the_administrator_makes_nothing_so_init_can_be_run_again(
    db_url: str,
    study: Study,
    clock: FixedClock,
    name: str,
    full_name: str,
    initials: str,
    password: str,
    refusal: str,
) -> None:
    """The tables were made before the administrator was checked: the database left behind
    had no study and no user, refused by init as existing and by every step as studyless."""
    with pytest.raises(InvalidInput, match=refusal):
        setup.init_database(db_url, study, name, full_name, initials, password, clock)
    path = sqlite_path(url_for(db_url))
    assert path is None or not path.exists()
    ctx = setup.init_database(db_url, study, "boss", "Bea Boss", "BB", "first-admin-1", clock)
    try:
        assert users.sign_in(ctx, "boss", "first-admin-1").role is Role.ADMINISTRATOR
    finally:
        ctx.engine.dispose()


@pytest.mark.skipif(bool(os.environ.get("DISPENSARY_TEST_DB")), reason="a SQLite matter")
@pytest.mark.parametrize("empty_before", [False, True])
def test_init_failing_after_the_tables_leaves_the_file_as_it_was(
    tmp_path: Path,
    study: Study,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    empty_before: bool,
) -> None:
    """A fault between the tables and the administrator (a full disk): no half-made database
    that init would refuse as existing."""
    path = tmp_path / "new.sqlite3"
    if empty_before:
        path.touch()

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(setup, "create_first_admin", disk_full)
    with pytest.raises(OSError, match="No space"):
        setup.init_database(str(path), study, "boss", "Bea Boss", "BB", "first-admin-1", clock)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["new.sqlite3"] if empty_before else [])
    assert not empty_before or path.stat().st_size == 0
    monkeypatch.undo()
    ctx = setup.init_database(str(path), study, "boss", "Bea Boss", "BB", "first-admin-1", clock)
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
