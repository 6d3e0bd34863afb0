"""Issue 16: a workstation's own settings changed later by an administrator, each change an
audit entry in the pharmacy's database: the printer of each label stock (kept in the
workstation's settings.json) and the database it opens (kept in its database.txt)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dispensary import config
from dispensary.domain.errors import (
    DatabaseProblem,
    InvalidInput,
    NotADispensaryDatabase,
    NotPermitted,
)
from dispensary.i18n import Language, speaking
from dispensary.labels import STOCKS
from dispensary.services import audit, workstation
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study

Refused = Callable[..., Any]
HOST = "counter-pc-1"
ZEBRA = "Zebra ZD421"


def entries(ctx: Context, actor: Actor, action: str) -> list[Any]:
    return audit.list_entries(ctx, actor, action=action)


def test_an_administrator_binds_the_printers_in_one_audit_entry_naming_the_workstation(
    ctx: Context, admin: Actor, monitor: Actor
) -> None:
    before = {"a4-sheet": "Office laser", "thermal-4x2": "Old Zebra"}
    after = {"thermal-4x2": f"  {ZEBRA} ", "thermal-89x36": "file:/tmp/small.pdf"}
    done = workstation.bind_printers(
        ctx, admin, HOST, before, after, STOCKS, "new roll printer at the counter"
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
    for actor in (pharmacist, technician, monitor):
        with refused(ctx, NotPermitted, "may not change a workstation's label printers"):
            workstation.bind_printers(ctx, actor, HOST, {}, {"a4-sheet": ZEBRA}, STOCKS, "mine")


def test_no_change_an_unknown_stock_or_a_blank_printer_is_refused_saying_what_to_do(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    same = {"a4-sheet": ZEBRA}
    with refused(ctx, InvalidInput, "nothing to save"):
        workstation.bind_printers(ctx, admin, HOST, same, {"a4-sheet": f" {ZEBRA}"}, STOCKS, "x")
    with refused(ctx, InvalidInput, "nothing to save"):
        workstation.bind_printers(ctx, admin, HOST, {"a4-sheet": " "}, {}, STOCKS, "x")
    with refused(ctx, InvalidInput, "There is no label stock a5-roll: use one of a4-sheet"):
        workstation.bind_printers(ctx, admin, HOST, {}, {"a5-roll": ZEBRA}, STOCKS, "x")
    with refused(ctx, InvalidInput, "printer's name"):
        workstation.bind_printers(ctx, admin, HOST, {}, {"a4-sheet": "  "}, STOCKS, "x")
    with refused(ctx, InvalidInput, "printer's name"):
        workstation.bind_printers(ctx, admin, HOST, {}, {"a4-sheet": "Zeb\u202era"}, STOCKS, "x")
    with refused(ctx, InvalidInput, "workstation's name"):
        workstation.bind_printers(ctx, admin, " ", {}, {"a4-sheet": ZEBRA}, STOCKS, "x")
    with refused(ctx, InvalidInput, "reason"):
        workstation.bind_printers(ctx, admin, HOST, {}, {"a4-sheet": ZEBRA}, STOCKS, " ")


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


def test_only_an_administrator_moves_the_database(
    ctx: Context, pharmacist: Actor, monitor: Actor, other: str, refused: Refused
) -> None:
    for actor in (pharmacist, monitor):
        with refused(ctx, NotPermitted, "may not change a workstation's label printers or its"):
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


def test_the_same_database_under_another_spelling_is_refused(
    ctx: Context,
    admin: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refused: Refused,
) -> None:
    """Not a move: a relative path, a SQLite URL, a link to the file, or a server's URL with
    another driver, its default port or its host in capitals, each names the database in use."""
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


def test_set_up_with_no_printer_chosen_records_none_and_a_bad_one_makes_nothing(
    tmp_path: Path,
) -> None:
    from dispensary.services import first_run

    unchanged = workstation.PrinterChoice(HOST, {}, {}, frozenset(STOCKS))
    ctx, actor = first_run.set_up(_plan(tmp_path / "one", unchanged))
    try:
        assert entries(ctx, actor, workstation.PRINTERS_BOUND) == []
    finally:
        ctx.engine.dispose()
    hidden = workstation.PrinterChoice(HOST, {}, {"a4-sheet": "Zeb\u202era"}, frozenset(STOCKS))
    with pytest.raises(InvalidInput, match="printer's name"):
        first_run.set_up(_plan(tmp_path / "two", hidden))
    assert not (tmp_path / "two").exists()  # refused before the pharmacy is made
