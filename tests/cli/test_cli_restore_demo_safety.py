"""`dispensary restore` and `dispensary demo --replace` never lose a saved record (issue 9).

`restore` is refused (exit 3, nothing changed) while a window has the database open, and the
window's later save is kept; it refuses a tampered backup, naming the first bad entry, without
touching the backup; it refuses a database server, pointing to pg_restore. `demo --replace`
replaces only an earlier training database, building the new demo beside it, and leaves any other
file byte for byte as it was; killed while building, it leaves the earlier demo whole.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import COMMAND, DEMO_TODAY, Cli

from dispensary.services.demo import DEMO_PASSWORD
from tamper import edit_file

SRC = Path(__file__).resolve().parents[2] / "src"
# An open window: a connection kept in the engine's pool, idle, then one more save.
WINDOW = """
import sys
from datetime import date
from dispensary.services import participants, setup, users
from dispensary.services.context import clock_on
today = date.fromisoformat(sys.argv[3])  # the demo's today, as the commands have it
ctx = setup.open_database(sys.argv[1], clock_on(today)).context
actor = users.sign_in(ctx, "pharmacist", sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
checklist = participants.eligibility_checklist(ctx.study)
participants.enroll(
    ctx, actor, "01-901", "RT", 1960, "F", "Zhenzhen Liu, M.D.", criteria_confirmed=checklist
)
print("saved", flush=True)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPENSARY_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return env


_WINDOWS: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_window_left() -> Iterator[None]:
    """A test that fails half-way leaves no window process waiting for its line."""
    yield
    while _WINDOWS:
        window = _WINDOWS.pop()
        if window.poll() is None:
            window.kill()
            window.wait()
        for stream in (window.stdin, window.stdout):
            if stream is not None:
                stream.close()


def _window(db: str) -> subprocess.Popen[str]:
    window = subprocess.Popen(
        [sys.executable, "-c", WINDOW, db, DEMO_PASSWORD, DEMO_TODAY.isoformat()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    _WINDOWS.append(window)
    assert window.stdout is not None
    assert window.stdout.readline().strip() == "ready"
    return window


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _participants(db: str) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT study_number FROM participants")}
    finally:
        conn.close()


def test_restore_is_refused_while_a_window_has_the_database_open(
    cli: Cli, tmp_path: Path, state: Callable[[str], Any], sqlite_only: None
) -> None:
    copy = tmp_path / "backup.sqlite3"
    assert cli("backup", "--out", str(copy)).code == 0
    window = _window(cli.db)
    before = state(cli.db)
    refused = cli("restore", "--reason", "back to the last good day", str(copy), user="admin")
    assert refused.code == 5, refused.err
    assert "has the database" in refused.err and "Close the program there" in refused.err
    assert "Nothing was changed" in refused.err
    assert state(cli.db) == before
    assert not list(Path(cli.db).parent.glob("*.restoring*"))
    assert window.stdin is not None and window.stdout is not None
    window.stdin.write("go\n")
    window.stdin.flush()
    assert window.stdout.readline().strip() == "saved"
    assert window.wait(timeout=30) == 0
    assert "01-901" in _participants(cli.db), "the window's later save is in the database"


def test_restore_refuses_a_tampered_backup_and_leaves_it_as_it_is(
    cli: Cli, tmp_path: Path, state: Callable[[str], Any], sqlite_only: None
) -> None:
    folder = tmp_path / "backups"
    copy = folder / "backup.sqlite3"
    assert cli("backup", "--out", str(copy)).code == 0
    edit_file(copy, "UPDATE ledger_entries SET quantity = quantity + 7 WHERE id = 40")
    beside, before = _listing(folder), state(cli.db)
    refused = cli("restore", "--reason", "back to the last good day", str(copy), user="admin")
    assert refused.code == 5, refused.err
    assert "does not verify" in refused.err and "ledger row 40 was changed" in refused.err
    assert "The first bad audit entry is" in refused.err
    assert state(cli.db) == before
    assert _listing(folder) == beside, "the backup is not modified, nothing is added beside it"
    assert not list(Path(cli.db).parent.glob("*.restoring*"))


def test_restore_refuses_a_database_server(
    cli: Cli, tmp_path: Path, state: Callable[[str], Any]
) -> None:
    """On PostgreSQL, the database of this run; on SQLite, a server URL: refused either way."""
    server = cli.db if "://" in cli.db else "postgresql+psycopg://dispensary@127.0.0.1:9/none"
    before = state(cli.db)
    refused = cli(
        "restore",
        "--reason",
        "back to the last good day",
        str(tmp_path / "backup.sqlite3"),
        user="admin",
        env={"DISPENSARY_DB": server},
    )
    assert refused.code == 3, refused.err
    assert "pg_restore" in refused.err and "Nothing was changed" in refused.err
    assert state(cli.db) == before


def test_demo_replace_refuses_anything_but_a_training_database(cli: Cli, sqlite_only: None) -> None:
    folder = cli.home / "site"
    folder.mkdir()
    real = folder / "pharmacy.sqlite3"
    made = cli("init", "--admin", "boss", user=None, env={
        "DISPENSARY_DB": str(real), "DISPENSARY_TODAY": None})  # fmt: skip
    assert made.code == 0, made.err
    (folder / "notes.txt").write_text("the pharmacy's own notes\n")
    (folder / "empty.sqlite3").write_bytes(b"")
    other = sqlite3.connect(folder / "other-program.db")
    other.execute("CREATE TABLE things (name TEXT)")
    other.commit()
    other.close()
    before = _listing(folder)
    for name in ("pharmacy.sqlite3", "notes.txt", "empty.sqlite3", "other-program.db"):
        refused = cli("demo", "--db", str(folder / name), "--replace", user=None)
        assert refused.code == 3, (name, refused.err)
        assert "is not a Dispensary training database" in refused.err, refused.err
        assert "Nothing was changed" in refused.err
        assert _listing(folder) == before, f"{name}: every file byte for byte as it was"


def test_demo_replace_replaces_an_earlier_demo_and_a_kill_leaves_it_whole(
    cli: Cli, state: Callable[[str], Any], sqlite_only: None
) -> None:
    db = Path(cli.db)
    enrolled = cli(
        "enroll", "01-102", "--initials", "RT", "--birth-year", "1960", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", "Zhenzhen Liu, M.D.",
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    before = state(cli.db)
    elsewhere: dict[str, str | None] = {"DISPENSARY_DB": None}  # not this workstation's database
    environment = _env() | {
        "DISPENSARY_HOME": str(cli.home),
        "DISPENSARY_TODAY": DEMO_TODAY.isoformat(),
    }
    building = db.with_name(db.name + ".building")
    killed = subprocess.Popen(
        [*COMMAND, "demo", "--db", cli.db, "--replace"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wal, deadline = Path(f"{building}-wal"), time.monotonic() + 60
    while not (wal.exists() and wal.stat().st_size > 200_000):  # well into the build
        assert killed.poll() is None and time.monotonic() < deadline, "the build did not start"
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert state(cli.db) == before, "the earlier demo is whole, with its records"
    leftovers = [p for p in db.parent.iterdir() if p.name.startswith(building.name)]
    assert leftovers and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in leftovers)
    verified = cli("audit", "verify", "--json", user="monitor")
    assert verified.code == 0 and verified.json()["ok"], verified.out

    replaced = cli("demo", "--db", cli.db, "--replace", "--json", user=None, env=elsewhere)
    assert replaced.code == 0, replaced.err
    assert replaced.json()["database"] == str(db)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert not [p.name for p in db.parent.iterdir() if p.name.startswith(building.name)]
    assert "01-102" not in _participants(cli.db)
    assert cli("audit", "verify", user="monitor").code == 0
