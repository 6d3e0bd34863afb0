"""Issue 16: a workstation's own settings changed later by an administrator, each change an
audit entry in the pharmacy's database: the printer of each label stock (kept in the
workstation's settings.json) and the database it opens (kept in its database.txt)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from dispensary import config
from dispensary.db import migrate
from dispensary.domain.errors import (
    DatabaseProblem,
    DispensaryError,
    InvalidInput,
    NotADispensaryDatabase,
    NotPermitted,
    RuleViolation,
)
from dispensary.i18n import Language, speaking
from dispensary.labels import STOCKS
from dispensary.services import audit, workstation
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.setup import Location
from dispensary.study import Study

Refused = Callable[..., Any]
HOST = "counter-pc-1"
ZEBRA = "Zebra ZD421"


def nowhere(_bindings: Mapping[str, str]) -> None:
    """Saves the bindings nowhere: the settings file's own tests are the screen's."""


def entries(ctx: Context, actor: Actor, action: str) -> list[Any]:
    return audit.list_entries(ctx, actor, action=action)


def test_an_administrator_binds_the_printers_in_one_audit_entry_naming_the_workstation(
    ctx: Context, admin: Actor, monitor: Actor
) -> None:
    before = {"a4-sheet": "Office laser", "thermal-4x2": "Old Zebra"}
    after = {"thermal-4x2": f"  {ZEBRA} ", "thermal-89x36": "file:/tmp/small.pdf"}
    done = workstation.bind_printers(
        ctx, admin, HOST, before, after, STOCKS, "new roll printer at the counter", nowhere
    )
    assert done.workstation == HOST
    assert done.changes == {
        "a4-sheet": ("Office laser", ""),
        "thermal-89x36": ("", "file:/tmp/small.pdf"),
        "thermal-4x2": ("Old Zebra", ZEBRA),
    }
    [entry] = entries(ctx, monitor, workstation.PRINTERS_BOUND)
    assert (entry.entity, entry.entity_id, entry.username) == ("workstation", HOST, "admin")
    assert json.loads(entry.new) == {
        "a4-sheet": "",
        "thermal-89x36": "file:/tmp/small.pdf",
        "thermal-4x2": ZEBRA,
    }
    assert json.loads(entry.old) == {
        "a4-sheet": "Office laser",
        "thermal-89x36": "",
        "thermal-4x2": "Old Zebra",
    }
    assert entry.reason == "new roll printer at the counter"
    assert audit.verify(ctx, monitor).ok


def test_only_an_administrator_binds_printers_and_a_refusal_writes_nothing(
    ctx: Context, pharmacist: Actor, technician: Actor, monitor: Actor, refused: Refused
) -> None:
    chosen = workstation.PrinterChoice(HOST, {}, {"a4-sheet": ZEBRA}, frozenset(STOCKS))
    for actor in (pharmacist, technician, monitor):
        with refused(ctx, NotPermitted, "may not change a workstation's label printers"):
            workstation.record_set_up_printers(ctx, actor, chosen, "mine")
        with refused(ctx, NotPermitted, "may not change a workstation's label printers"):
            workstation.bind_printers(
                ctx, actor, HOST, {}, {"a4-sheet": ZEBRA}, STOCKS, "mine", nowhere
            )


def test_no_change_an_unknown_stock_or_a_blank_printer_is_refused_saying_what_to_do(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    same = {"a4-sheet": ZEBRA}
    with refused(ctx, InvalidInput, "nothing to save"):
        workstation.bind_printers(
            ctx, admin, HOST, same, {"a4-sheet": f" {ZEBRA}"}, STOCKS, "x", nowhere
        )
    with refused(ctx, InvalidInput, "nothing to save"):
        workstation.bind_printers(ctx, admin, HOST, {"a4-sheet": " "}, {}, STOCKS, "x", nowhere)
    with refused(ctx, InvalidInput, "There is no label stock a5-roll: use one of a4-sheet"):
        workstation.bind_printers(ctx, admin, HOST, {}, {"a5-roll": ZEBRA}, STOCKS, "x", nowhere)
    with refused(ctx, InvalidInput, "printer's name"):
        workstation.bind_printers(ctx, admin, HOST, {}, {"a4-sheet": "  "}, STOCKS, "x", nowhere)
    with refused(ctx, InvalidInput, "printer's name"):
        workstation.bind_printers(
            ctx, admin, HOST, {}, {"a4-sheet": "Zeb\u202era"}, STOCKS, "x", nowhere
        )
    with refused(ctx, InvalidInput, "workstation's name"):
        workstation.bind_printers(ctx, admin, " ", {}, {"a4-sheet": ZEBRA}, STOCKS, "x", nowhere)
    with refused(ctx, InvalidInput, "reason"):
        workstation.bind_printers(ctx, admin, HOST, {}, {"a4-sheet": ZEBRA}, STOCKS, " ", nowhere)


def test_the_refusals_are_said_in_chinese(ctx: Context, admin: Actor) -> None:
    with speaking(Language.ZH_CN), pytest.raises(InvalidInput) as nothing:
        workstation.printer_changes({}, {}, STOCKS)
    assert nothing.value.message.startswith("每种标签纸已是所选的打印机")
    with speaking(Language.ZH_CN), pytest.raises(NotADispensaryDatabase) as empty:
        workstation.check_new_database(ctx.database, str(Path(ctx.database).parent / "new.db"))
    assert "中没有 Dispensary 数据库" in empty.value.message


# -- the database location -----------------------------------------------------------------


@pytest.fixture
def other(databases: Any, study: Study, clock: FixedClock) -> str:
    """Another pharmacy database this workstation could move to (the server, when it grows)."""
    moved_to = databases.context(study, clock)
    moved_to.engine.dispose()
    return moved_to.database


def test_an_administrator_moves_the_workstation_recorded_in_the_database_it_leaves(
    ctx: Context, admin: Actor, monitor: Actor, other: str
) -> None:
    done = workstation.move_database(ctx, admin, HOST, other, "the pharmacy moves to the server")
    assert done.database == other
    assert (done.old, done.new) == (config.stored_form(ctx.database), config.stored_form(other))
    [entry] = entries(ctx, monitor, workstation.DATABASE_MOVED)
    assert (entry.entity, entry.entity_id, entry.username) == ("workstation", HOST, "admin")
    assert json.loads(entry.old) == {"database": config.stored_form(ctx.database)}
    assert json.loads(entry.new) == {"database": config.stored_form(other)}
    assert entry.reason == "the pharmacy moves to the server"
    assert audit.verify(ctx, monitor).ok
    assert config.saved_database() == config.stored_form(other)  # kept in the same step
    assert config.database_from(None) == config.stored_form(other)  # the next start's


def test_only_an_administrator_moves_the_database(
    ctx: Context, pharmacist: Actor, monitor: Actor, other: str, refused: Refused
) -> None:
    for actor in (pharmacist, monitor):
        with refused(ctx, NotPermitted, "may not change a workstation's label printers, its"):
            workstation.move_database(ctx, actor, HOST, other, "mine")


def test_a_location_that_is_not_a_dispensary_database_is_refused_and_nothing_written(
    ctx: Context, admin: Actor, tmp_path: Path, refused: Refused
) -> None:
    new = tmp_path / "new-pharmacy.sqlite3"
    with refused(ctx, NotADispensaryDatabase, "holds no Dispensary database"):
        workstation.move_database(ctx, admin, HOST, str(new), "a fresh start")
    assert not new.exists()  # tested, never created
    foreign = tmp_path / "stock-control.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE items (name TEXT)")
    with refused(ctx, NotADispensaryDatabase, "is not a Dispensary database"):
        workstation.move_database(ctx, admin, HOST, str(foreign), "their stock file")
    with refused(ctx, InvalidInput, "already uses"):
        workstation.move_database(ctx, admin, HOST, ctx.database, "the same one")
    with refused(ctx, InvalidInput, "Give the database's file or URL"):
        workstation.move_database(ctx, admin, HOST, "  ", "nowhere")
    with refused(ctx, InvalidInput, "reason"):
        workstation.move_database(ctx, admin, HOST, str(foreign), "")


ON_SQLITE = pytest.mark.skipif(
    bool(os.environ.get("DISPENSARY_TEST_DB")), reason="a SQLite file's spellings"
)


@ON_SQLITE
def test_the_same_database_under_another_spelling_is_refused(
    ctx: Context,
    admin: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refused: Refused,
) -> None:
    """Not a move: a relative path, a SQLite URL or a link to the file names the database in
    use."""
    in_use = Path(ctx.database).resolve()
    monkeypatch.chdir(in_use.parent)
    spellings = [
        in_use.name,
        f"./{in_use.name}",
        f"sqlite:///{in_use.name}",
        f"sqlite:///{in_use}",
        str(in_use.parent / ".." / in_use.parent.name / in_use.name),
    ]
    link = tmp_path / "shortcut.sqlite3"
    try:
        link.symlink_to(in_use)
        spellings.append(str(link))
    except OSError:  # Windows without the right to make links
        pass
    for spelling in spellings:
        with refused(ctx, InvalidInput, f"already uses {in_use}: choose another"):
            workstation.move_database(ctx, admin, HOST, spelling, "the same one")


def test_a_server_is_the_same_database_with_another_driver_port_or_host_spelling() -> None:
    """A server's URL with another driver, its default port, a password or its host in
    capitals names the same database; another port, database or user does not."""
    in_use = Path("pharmacy.sqlite3").resolve()
    server = "postgresql+psycopg://pharmacy@db.example.org:5432/dispensary"
    for spelling in (
        "postgresql://pharmacy:secret@DB.example.org/dispensary",
        "postgresql+psycopg://pharmacy@db.example.org/dispensary",
    ):
        assert workstation.same_database(spelling, server)
    for another in (
        "postgresql://pharmacy@db.example.org:5433/dispensary",
        "postgresql://pharmacy@db.example.org/dispensary_test",
        "postgresql://readonly@db.example.org/dispensary",
        str(in_use),
    ):
        assert not workstation.same_database(another, server)


@ON_SQLITE
def test_a_relative_sqlite_url_is_recorded_and_kept_by_the_file_s_absolute_path(
    ctx: Context, admin: Actor, monitor: Actor, other: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next start may begin in another folder: "sqlite:///new.sqlite3" means the file in
    the folder the move was made from, and is kept so."""
    there = Path(other).resolve()
    monkeypatch.chdir(there.parent)
    done = workstation.move_database(ctx, admin, HOST, f"sqlite:///{there.name}", "by URL")
    assert done.new == str(there)
    assert config.stored_form(done.database) == str(there)
    [entry] = entries(ctx, monitor, workstation.DATABASE_MOVED)
    assert json.loads(entry.new) == {"database": str(there)}


def test_no_move_while_the_database_variable_names_the_database_at_each_start(
    ctx: Context, admin: Actor, other: str, monkeypatch: pytest.MonkeyPatch, refused: Refused
) -> None:
    """DISPENSARY_DB wins over the location file at every start: a move recorded then would
    be a move the workstation does not make."""
    monkeypatch.setenv(config.ENV_DB, ctx.database)
    with refused(ctx, RuleViolation, "DISPENSARY_DB is set on this computer"):
        workstation.move_database(ctx, admin, HOST, other, "to the server")
    assert not config.location_file().exists()
    with speaking(Language.ZH_CN), pytest.raises(RuleViolation) as chinese:
        workstation.check_not_overridden()
    assert (
        "DISPENSARY_DB" in chinese.value.message
        and "此计算机上设置了 DISPENSARY_DB" in chinese.value.message
    )


def test_a_location_file_that_cannot_be_written_leaves_nothing_recorded(
    ctx: Context,
    admin: Actor,
    other: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refused: Refused,
) -> None:
    """The entry and the file are one step: a settings folder that cannot be written (here a
    file where the folder should be) refuses the move, and the audit trail keeps no entry of a
    move that did not happen."""
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("a file where the settings folder should be", encoding="utf-8")
    monkeypatch.setenv("DISPENSARY_HOME", str(not_a_folder))
    with refused(ctx, DispensaryError, "location file") as info:
        workstation.move_database(ctx, admin, HOST, other, "to the server")
    said = info.value.message
    assert (
        "Nothing was changed: it still opens" in said and config.stored_form(ctx.database) in said
    )
    assert config.saved_database() is None


def failing_commit(real: Any) -> Any:
    """The write transaction whose commit fails once its step is done (a disk lost then)."""

    @contextmanager
    def transaction(engine: Any) -> Iterator[Any]:
        with real(engine) as session:
            yield session
            raise DatabaseProblem("The disk went away while saving. Nothing was saved.")

    return transaction


def test_a_commit_that_fails_after_the_location_was_kept_puts_the_file_back(
    ctx: Context,
    admin: Actor,
    other: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refused: Refused,
) -> None:
    earlier = tmp_path / "earlier.sqlite3"
    config.save_database(str(earlier))
    monkeypatch.setattr(
        workstation, "write_transaction", failing_commit(workstation.write_transaction)
    )
    with refused(ctx, DatabaseProblem, "The disk went away"):
        workstation.move_database(ctx, admin, HOST, other, "to the server")
    assert config.saved_database() == str(earlier)  # as it was before the step
    config.location_file().unlink()
    with refused(ctx, DatabaseProblem, "The disk went away"):
        workstation.move_database(ctx, admin, HOST, other, "to the server")
    assert not config.location_file().exists()  # none before: none after


def test_printers_saved_in_the_step_that_records_them_or_neither(
    ctx: Context, admin: Actor, monkeypatch: pytest.MonkeyPatch, refused: Refused
) -> None:
    """`keep` saves the bindings inside the entry's step: a settings file that cannot be
    written leaves no entry, and a commit that fails puts the bindings before back."""
    before, after = {"a4-sheet": "Office laser"}, {"thermal-4x2": ZEBRA}
    saved: list[dict[str, str]] = []

    def cannot(_bindings: Mapping[str, str]) -> None:
        raise PermissionError(13, "Permission denied")

    with refused(ctx, DispensaryError, "could not be saved on this workstation") as info:
        workstation.bind_printers(ctx, admin, HOST, before, after, STOCKS, "new", cannot)
    assert "Permission denied" in info.value.message and "Nothing was changed" in info.value.message
    real = workstation.write_transaction
    monkeypatch.setattr(workstation, "write_transaction", failing_commit(real))
    with refused(ctx, DatabaseProblem, "The disk went away"):
        workstation.bind_printers(
            ctx, admin, HOST, before, after, STOCKS, "new", lambda b: saved.append(dict(b))
        )
    assert saved == [after, before]  # saved in the step, then put back
    monkeypatch.setattr(workstation, "write_transaction", real)
    saved.clear()
    workstation.bind_printers(
        ctx, admin, HOST, before, after, STOCKS, "new", lambda b: saved.append(dict(b))
    )
    assert saved == [after]


def test_a_server_password_the_next_start_cannot_find_is_refused_before_the_move(
    ctx: Context, admin: Actor, monkeypatch: pytest.MonkeyPatch, refused: Refused
) -> None:
    """The password typed is used for the test only; the next start connects without it, from
    the PostgreSQL password file. A server that refuses that connection is said now, with the
    line to add, rather than at a next start that opens neither database. (Tried by hand on a
    server with password sign-in; here the server's two answers stand in for it.)"""
    from sqlalchemy.exc import OperationalError

    typed = "postgresql+psycopg://pharmacy:s3cret@db.example.org/dispensary"
    monkeypatch.setattr(workstation, "check_location", lambda db: Location(db, "server", True))
    head = next(iter(migrate.known_revisions()))

    def revision(engine: Any) -> str:
        if engine.url.password is None:
            raise OperationalError("connect", {}, Exception("fe_sendauth: no password supplied"))
        return head

    monkeypatch.setattr(migrate, "current_revision", revision)
    with refused(ctx, DatabaseProblem, "next start connects without it") as info:
        workstation.move_database(ctx, admin, HOST, typed, "to the server")
    said = info.value.message
    assert "db.example.org:5432:dispensary:pharmacy: followed by the password" in said
    assert "no password supplied" in said and "s3cret" not in said
    assert config.saved_database() is None
    monkeypatch.setattr(migrate, "current_revision", lambda _engine: head)  # now in the file
    done = workstation.move_database(ctx, admin, HOST, typed, "to the server")
    assert done.new == "postgresql+psycopg://pharmacy@db.example.org/dispensary"
    assert config.saved_database() == done.new  # never the password


def test_a_database_of_a_newer_version_is_refused(
    ctx: Context, admin: Actor, tmp_path: Path, study: Study, refused: Refused
) -> None:
    from dispensary.services import setup

    newer = tmp_path / "newer.sqlite3"
    made = setup.init_database(str(newer), study, "boss", "Bo Ss", "BS", "boss-pass-123")
    made.engine.dispose()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    with refused(ctx, DatabaseProblem, "written by a newer version of Dispensary"):
        workstation.move_database(ctx, admin, HOST, str(newer), "newer")


# -- the first run ---------------------------------------------------------------------------


def _plan(tmp_path: Path, printers: workstation.PrinterChoice | None) -> Any:
    from dispensary.services import first_run, pharmacy

    files = first_run.bundled_study_files()
    return first_run.SetUpPlan(
        str(tmp_path / "pharmacy.sqlite3"),
        first_run.check_studies([first_run.read_study_file(files[0])]),
        pharmacy.checked("Zhengzhou Trial Pharmacy", "", ""),
        "en",
        first_run.check_administrator("ada", "Ada Admin", "AA", "admin-pass-1", "admin-pass-1"),
        printers,
    )


def test_the_printers_chosen_at_set_up_are_recorded_as_the_administrator_s_step(
    tmp_path: Path,
) -> None:
    from dispensary.services import first_run

    chosen = workstation.PrinterChoice(
        HOST, {"a4-sheet": "Office laser"}, {"thermal-4x2": ZEBRA}, frozenset(STOCKS)
    )
    ctx, actor = first_run.set_up(_plan(tmp_path, chosen))
    try:
        [entry] = entries(ctx, actor, workstation.PRINTERS_BOUND)
        assert (entry.entity_id, entry.username) == (HOST, "ada")
        assert json.loads(entry.new) == {"a4-sheet": "", "thermal-4x2": ZEBRA}
        assert json.loads(entry.old) == {"a4-sheet": "Office laser", "thermal-4x2": ""}
        assert entry.reason == "first set-up of the pharmacy"
        assert audit.verify(ctx, actor).ok
    finally:
        ctx.engine.dispose()


def test_printers_kept_unchanged_at_set_up_are_recorded_as_the_new_pharmacy_s_first(
    tmp_path: Path,
) -> None:
    """This workstation had its printers before the pharmacy was set up (an earlier set-up
    cancelled, a reinstall): kept as they were, they are still the printers the new pharmacy's
    labels go to, and its audit trail says so from the start."""
    from dispensary.services import first_run

    had = {"thermal-4x2": ZEBRA, "a4-sheet": "Office laser"}
    kept = workstation.PrinterChoice(HOST, had, dict(had), frozenset(STOCKS))
    assert not kept.changes_anything
    ctx, actor = first_run.set_up(_plan(tmp_path, kept))
    try:
        [entry] = entries(ctx, actor, workstation.PRINTERS_BOUND)
        assert (entry.entity_id, entry.username) == (HOST, "ada")
        assert json.loads(entry.new) == {"a4-sheet": "Office laser", "thermal-4x2": ZEBRA}
        assert json.loads(entry.old) == {"a4-sheet": "Office laser", "thermal-4x2": ZEBRA}
        assert entry.reason == "first set-up of the pharmacy"
        assert audit.verify(ctx, actor).ok
    finally:
        ctx.engine.dispose()


def test_set_up_with_no_printer_chosen_records_none_and_a_bad_one_makes_nothing(
    tmp_path: Path,
) -> None:
    from dispensary.services import first_run

    unchanged = workstation.PrinterChoice(" ", {}, {}, frozenset(STOCKS))
    ctx, actor = first_run.set_up(_plan(tmp_path / "one", unchanged))
    try:  # nothing to record: not even the computer's name matters
        assert entries(ctx, actor, workstation.PRINTERS_BOUND) == []
    finally:
        ctx.engine.dispose()
    hidden = workstation.PrinterChoice(HOST, {}, {"a4-sheet": "Zeb\u202era"}, frozenset(STOCKS))
    with pytest.raises(InvalidInput, match="printer's name"):
        first_run.set_up(_plan(tmp_path / "two", hidden))
    assert not (tmp_path / "two").exists()  # refused before the pharmacy is made
