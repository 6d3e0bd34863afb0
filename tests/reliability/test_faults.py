"""Database faults named truthfully (issue 9: never lose a saved record).

A full disk, a read-only file, folder or disk, and a workstation holding the write lock leave
every saved record intact, so each is refused with the DatabaseProblem that names it and says
what to do, never "damaged ... restore the last backup"; a foreign file and a damaged one are
told apart too. The command exits 3 with the message and nothing is written (the file's bytes
are identical). Bad --db values and paths over the system's limit get a message, not a
traceback. Reading takes no write lock. Files holding study data are owner-only from the first
byte; a database shared on purpose by two accounts (0660) opens with a warning, never chmodded.

The full and read-only disks are real small tmpfs mounts when the tests run as root (CI does),
skipped otherwise; a full database file is also made with SQLite's own max_page_count, and a
full disk at the DB-API level, so every run covers it. SQLite-only tests skip on PostgreSQL
(DISPENSARY_TEST_DB), which has checks of its own at the end.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import os
import pkgutil
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from dispensary import cli
from dispensary.db import engine as db_engine
from dispensary.db import migrate
from dispensary.db.engine import is_sqlite
from dispensary.domain.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseProblem,
    DiskFull,
    NotADispensaryDatabase,
    ReadOnlyDatabase,
)
from dispensary.services import participants, queries, receiving, setup, users
from dispensary.services.context import Actor, Context
from dispensary.study import Study

from .conftest import Figures

PG_ENV = "DISPENSARY_TEST_DB"
P75 = "herombopag-7.5mg"
LATE = date(2027, 6, 30)
NOBODY = 65534  # the account the read-only and shared-file tests run as, when root
SHARED_GID = 64999  # a group the owner and the other account share (no /etc/group entry needed)
OTHER_OWNER = 64998  # the account that owns the shared database
RESTORE_ADVICE = "restore the last backup"
SIGN_IN_ACTIONS = ("sign_in", "sign_in_failed", "sign_in_refused")
SHORT_BUSY_MS = 300

Snapshot = dict[str, tuple[int, str]]


# -- helpers -------------------------------------------------------------------------------------


def _on_postgres() -> bool:
    return bool(os.environ.get(PG_ENV))


def _is_root() -> bool:
    return os.name == "posix" and os.geteuid() == 0


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Command = Callable[..., Result]


@pytest.fixture
def command(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    passwords: dict[str, str],
) -> Command:
    """`command(db, "inventory", user="pharm")`: the real `dispensary` command, in-process, signed
    in as a user of the test database (no fixed today: these databases are not training ones)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)

    def run(
        db: str | Path, *args: str, user: str | None = "pharm", home_dir: Path = home
    ) -> Result:
        monkeypatch.setenv("DISPENSARY_HOME", str(home_dir))
        for name in ("DISPENSARY_TODAY", "DISPENSARY_DB", "DISPENSARY_USER"):
            monkeypatch.delenv(name, raising=False)
        argv = ["--db", str(db)]
        if user is not None:
            monkeypatch.setenv("DISPENSARY_PASSWORD", passwords[user])
            argv += ["--user", user]
        capsys.readouterr()
        code = cli.main([*argv, *args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file under the folder and its sha256: what "nothing written" compares."""
    found: dict[str, str] = {}
    for item in sorted(folder.rglob("*")):
        key = str(item.relative_to(folder))
        found[key] = "folder" if item.is_dir() else hashlib.sha256(item.read_bytes()).hexdigest()
    return found


def _records(engine: Engine) -> list[tuple[str, int, str]]:
    """Every table's rows (sign-in entries of the audit trail aside: a command signs in first)."""
    bind = engine.execution_options(sqlite_begin="DEFERRED") if is_sqlite(engine) else engine
    found = []
    with bind.connect() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    if is_sqlite(engine)
                    else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            )
        ]
        for table in sorted(tables):
            if table in ("audit_entries", "chain_head", "users"):
                continue
            rows = sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"')))
            found.append((table, len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()))
        actions = ", ".join(f"'{a}'" for a in SIGN_IN_ACTIONS)
        entries = conn.execute(
            text(f"SELECT id, action, entity_id FROM audit_entries WHERE action NOT IN ({actions})")
        ).all()
        found.append(("audit_entries", len(entries), repr(sorted(tuple(e) for e in entries))))
    return found


def _records_of(db: str) -> list[tuple[str, int, str]]:
    engine = db_engine.make_engine(db)
    try:
        return _records(engine)
    finally:
        engine.dispose()


def _assert_named(err: str, words: str) -> None:
    assert words in err, err
    assert "Unexpected error" not in err and "Traceback" not in err, err


def _assert_no_restore_advice(message: str) -> None:
    assert RESTORE_ADVICE not in message.lower(), message
    assert "damaged" not in message.lower(), message


@pytest.fixture
def db_file(ctx: Context) -> Path:
    """The test database as a closed SQLite file, owner-only as the program creates it."""
    if not is_sqlite(ctx.engine):
        pytest.skip("a SQLite file test (DISPENSARY_TEST_DB is PostgreSQL)")
    ctx.engine.dispose()
    path = Path(ctx.database)
    path.chmod(0o600)
    return path


@pytest.fixture
def short_busy(monkeypatch: pytest.MonkeyPatch) -> int:
    """The busy timeout of engines made from now on: a fraction of a second, not 15 s."""
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", SHORT_BUSY_MS)
    return SHORT_BUSY_MS


def _receive(ctx: Context, actor: Actor, kits: str) -> None:
    listed = receiving.kits_from_range(ctx, kits, P75, "L1", LATE, None)
    receiving.receive_shipment(ctx, actor, f"SH-{kits}", listed)


def _enroll(ctx: Context, actor: Actor, number: str = "01-001") -> None:
    participants.enroll(
        ctx,
        actor,
        number,
        "AB",
        1970,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )


ENROL_ARGS = (
    "enroll",
    "01-077",
    "--initials",
    "AB",
    "--birth-year",
    "1970",
    "--sex",
    "F",
    "--criteria-confirmed",
    "--eligibility-confirmed-by",
    "Dr Liu",
)


# -- a workstation holding the write lock ------------------------------------------------------

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@contextmanager
def write_lock_held_until(
    path: Path, release: threading.Event, freed: threading.Event
) -> Iterator[None]:
    """Another workstation holds the write lock until `release` is set (or the block ends),
    then sets `freed`."""
    held = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(timeout=30)
            conn.execute("ROLLBACK")
        finally:
            conn.close()
            freed.set()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=30)
        yield
    finally:
        release.set()
        holder.join(timeout=60)


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another process (another workstation) holds the database's write lock meanwhile."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)


def test_reading_takes_no_write_lock_and_a_held_lock_is_busy_not_damage(
    db_file: Path,
    pharmacist: Actor,
    snapshot: Callable[[Context], Snapshot],
    figures: Figures,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Opening, the inventory and the audit trail are read while another process holds the
    write lock (BEGIN IMMEDIATE); a write waits the busy timeout, then is DatabaseBusy. The
    busy timeout here is long enough (2 s) that a loaded machine's pause while opening (a
    second has been seen on a shared CI machine) is not taken for a wait on the lock."""
    short_busy = 2_000
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", short_busy)
    with write_lock_held(db_file):
        started = time.monotonic()
        opened = setup.open_database(str(db_file))
        try:
            assert time.monotonic() - started < short_busy / 1000, "opening waited for the lock"
            ctx = opened.context
            assert queries.inventory(ctx, pharmacist) == []
            before = snapshot(ctx)
            with pytest.raises(DatabaseBusy) as busy:
                _enroll(ctx, pharmacist)
            message = busy.value.message
            assert "another workstation is writing" in message and "try again" in message
            assert "Nothing was saved" in message
            _assert_no_restore_advice(message)
            assert busy.value.exit_code == 3
            assert snapshot(ctx) == before
        finally:
            opened.context.engine.dispose()
    figures.add("faults.busy named, reads unhindered")


def test_the_command_says_busy_with_exit_5_and_writes_nothing(
    db_file: Path, short_busy: int, command: Command
) -> None:
    before = _records_of(str(db_file))
    with write_lock_held(db_file):
        result = command(db_file, *ENROL_ARGS)
    assert result.code == 5, result.err
    _assert_named(result.err, "another workstation is writing; try again in a moment")
    _assert_no_restore_advice(result.err)
    assert _records_of(str(db_file)) == before


@pytest.fixture
def short_sign_in_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """How long a command's sign-in waits for the write lock before it goes on unrecorded."""
    monkeypatch.setattr(users, "SIGN_IN_WAIT_MS", 50, raising=False)


def _sign_ins(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT action, entity_id, new FROM audit_entries WHERE action LIKE 'sign_in%' "
            "ORDER BY id"
        ).fetchall()


def test_a_reading_command_works_while_another_workstation_writes(
    db_file: Path, short_busy: int, short_sign_in_wait: None, command: Command
) -> None:
    """Reading needs no write lock, the sign-in's record neither: the inventory and the
    trail's verification are read while another workstation holds the lock for longer than
    the busy timeout; the sign-in that could not be recorded is said, never recorded silently
    as nothing."""
    before = _records_of(str(db_file)), _sign_ins(db_file)
    with write_lock_held(db_file):
        runs = {args: command(db_file, *args) for args in (("inventory",), ("audit", "verify"))}
    for args, result in runs.items():
        assert result.code == 0, (args, result.err)
        assert "Nothing was saved" not in result.err and "nothing was read" not in result.err
        _assert_named(result.err, "your sign-in could not be recorded in the audit trail")
    assert "trail and ledger verify" in runs[("audit", "verify")].out, runs[("audit", "verify")]
    assert (_records_of(str(db_file)), _sign_ins(db_file)) == before


def _backups_recorded(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [
            name
            for (name,) in conn.execute(
                "SELECT entity_id FROM audit_entries WHERE action = 'backup' ORDER BY id"
            )
        ]


def test_a_backup_keeps_the_copy_it_could_not_record_and_says_so(
    db_file: Path, short_busy: int, short_sign_in_wait: None, command: Command, tmp_path: Path
) -> None:
    """A backup reads pages without the lock, but its audit entry (what was copied, its
    anchor) is a write: it waits for the lock as every write does. Still busy, the copy was
    removed and the command said busy, nothing saved: a backup wanted before a risky step was
    lost. The copy is kept now, whole, its code in the anchor log; the command says where it
    is, that the audit trail does not record it, what to do, and ends non-zero."""
    target = tmp_path / "copy.sqlite3"
    before = _sign_ins(db_file), _backups_recorded(db_file)
    with write_lock_held(db_file):
        result = command(db_file, "backup", "--out", str(target), user="admin")
    assert result.code == 5, result.err
    _assert_named(result.err, f"The backup was copied to {target} and kept")
    _assert_named(result.err, "the audit trail could not record it")
    _assert_named(result.err, "another workstation is writing")
    _assert_named(result.err, "run the backup again in a moment, to a new file name")
    assert "Nothing was saved" not in result.err, result.err
    _assert_no_restore_advice(result.err)
    assert target.is_file()
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        entries = copy.execute("SELECT count(*) FROM audit_entries").fetchone()[0]
    with sqlite3.connect(db_file) as live:
        assert live.execute("SELECT count(*) FROM audit_entries").fetchone()[0] == entries
    assert (_sign_ins(db_file), _backups_recorded(db_file)) == before
    logged = (tmp_path / "anchors.log").read_text(encoding="utf-8")
    assert "\tcopy.sqlite3" in logged, logged
    assert (tmp_path / "anchors.log").name in result.err, result.err


def test_a_backup_waits_for_a_lock_freed_in_a_second_and_is_recorded(
    db_file: Path, short_sign_in_wait: None, command: Command, tmp_path: Path
) -> None:
    """Another workstation writes for a second while the backup runs: the copy is taken
    meanwhile and its audit entry (and the sign-in owed) waits for the lock, with the usual
    busy timeout, and is written once the lock is freed."""
    target = tmp_path / "copy.sqlite3"
    before = _backups_recorded(db_file)
    release, freed = threading.Event(), threading.Event()
    with write_lock_held_until(db_file, release, freed):
        timer = threading.Timer(1.0, release.set)
        timer.start()
        try:
            result = command(db_file, "backup", "--out", str(target), user="admin")
        finally:
            timer.cancel()
        assert freed.is_set()  # the lock was held when the command started, freed by its end
    assert result.code == 0, result.err
    assert "could not be recorded" not in result.err, result.err
    assert target.is_file()
    assert _backups_recorded(db_file) == [*before, "copy.sqlite3"]
    assert _sign_ins(db_file)[-1][:2] == ("sign_in", "admin")


def test_a_sign_in_made_while_busy_is_recorded_when_the_command_ends(
    db_file: Path, short_busy: int, short_sign_in_wait: None, command: Command
) -> None:
    """The lock freed before the command ends (held for the sign-in only): the sign-in is
    recorded then, naming when it happened."""
    before = _sign_ins(db_file)
    release, freed = threading.Event(), threading.Event()
    real = users._owe_sign_in

    def owe_then_free(ctx: Context, actor: Actor) -> None:
        real(ctx, actor)  # signed in unrecorded; the other workstation's write then ends
        release.set()
        assert freed.wait(timeout=30)

    with write_lock_held_until(db_file, release, freed), pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_owe_sign_in", owe_then_free)
        result = command(db_file, "inventory")
    assert result.code == 0, result.err
    assert "could not be recorded" not in result.err, result.err
    new = _sign_ins(db_file)[len(before) :]
    assert [(action, who) for action, who, _ in new] == [("sign_in", "pharm")], new
    assert '"signed_in_at"' in new[0][2], new


def test_a_wrong_password_while_busy_says_the_sign_in_was_not_recorded(
    db_file: Path,
    short_busy: int,
    short_sign_in_wait: None,
    command: Command,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A failure must be counted (five lock the account): it waits for the lock as a write
    does, and when it cannot be recorded the command says so in words that fit a read."""
    before = _sign_ins(db_file)
    monkeypatch.setenv("DISPENSARY_PASSWORD", "not-the-password")
    with write_lock_held(db_file):
        result = command(db_file, "--user", "pharm", "inventory", user=None)
    assert result.code == 5, result.err
    _assert_named(result.err, "another workstation is writing; try again in a moment")
    _assert_named(result.err, "Your sign-in could not be recorded, so nothing was read or saved")
    assert "Nothing was saved" not in result.err
    assert _sign_ins(db_file) == before


def test_a_sign_in_owed_is_written_by_the_next_write_before_its_rows(
    db_file: Path, short_busy: int, short_sign_in_wait: None, passwords: dict[str, str]
) -> None:
    """Signed in while the lock was held; the command's first write (waiting for the lock as
    every write does) records the sign-in first, in its own transaction."""
    opened = setup.open_database(str(db_file))
    ctx = opened.context
    try:
        with write_lock_held(db_file):
            started = time.monotonic()
            actor = users.sign_in(ctx, "pharm", passwords["pharm"], read_only_ok=True)
            assert time.monotonic() - started < SHORT_BUSY_MS / 1000 + 0.25
            with pytest.raises(DatabaseBusy):
                users.sign_in(ctx, "pharm", passwords["pharm"])  # a window's: it must record
        assert queries.inventory(ctx, actor) == []
        _enroll(ctx, actor)
        assert users.record_owed_sign_in(ctx) is False  # written by the enrolment
    finally:
        ctx.engine.dispose()
    with sqlite3.connect(db_file) as conn:
        last = conn.execute(
            "SELECT action, entity_id, new FROM audit_entries ORDER BY id DESC LIMIT 2"
        ).fetchall()
    assert [row[:2] for row in reversed(last)] == [("sign_in", "pharm"), ("enroll", "01-001")]
    assert '"signed_in_at"' in last[1][2]


# -- a full disk ----------------------------------------------------------------------------------


@contextmanager
def _mounted(folder: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at `folder` (root only; skips where mounting is not allowed)."""
    if not _is_root() or sys.platform != "linux":
        pytest.skip("a real small disk needs root on Linux (a tmpfs mount)")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(disk: Path) -> None:
    """Fills the disk to the last byte."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)


def test_a_full_disk_during_a_write_is_disk_full_with_nothing_written(
    db_file: Path,
    tmp_path: Path,
    pharmacist: Actor,
    snapshot: Callable[[Context], Snapshot],
    command: Command,
    figures: Figures,
) -> None:
    with _mounted(tmp_path / "small-disk", "size=4m,mode=0755") as disk:
        path = disk / "pharmacy.sqlite3"
        shutil.copyfile(db_file, path)
        path.chmod(0o600)
        opened = setup.open_database(str(path))
        ctx = opened.context
        try:
            _fill(disk)
            before, bytes_before = snapshot(ctx), path.read_bytes()
            with pytest.raises(DiskFull) as full:
                _receive(ctx, pharmacist, "K0001-K0400")
            assert "is full" in full.value.message and "Free some space" in full.value.message
            _assert_no_restore_advice(full.value.message)
            assert snapshot(ctx) == before
        finally:
            ctx.engine.dispose()
        assert path.read_bytes() == bytes_before, "the database file changed"

        _fill(disk)  # closing removed the -wal and -shm files: full again
        files = _fingerprint(disk)
        result = command(path, *ENROL_ARGS)
        assert result.code == 5, result.err
        _assert_named(result.err, "is full")
        _assert_no_restore_advice(result.err)
        assert _fingerprint(disk) == files, "nothing may be written on the full disk"

        report = command(db_file, "report", "inventory", "--out", str(disk / "inventory.pdf"))
        assert report.code == 3, report.err
        _assert_named(report.err, "The disk is full")
        assert _fingerprint(disk) == files, "no report and no partial file are left"
    figures.add("faults.full disk named, nothing written")


def test_a_database_file_that_cannot_grow_is_disk_full_with_nothing_written(
    db_file: Path, pharmacist: Actor, snapshot: Callable[[Context], Snapshot]
) -> None:
    """SQLite's own SQLITE_FULL, without a small disk: max_page_count caps the file's size."""
    opened = setup.open_database(str(db_file))
    ctx = opened.context
    try:

        @event.listens_for(ctx.engine, "connect")
        def _capped(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA max_page_count = 1")  # the file's present size

        ctx.engine.dispose()  # the pooled connection was made before the cap
        before = snapshot(ctx)
        with pytest.raises(DiskFull) as full:
            _receive(ctx, pharmacist, "K0001-K0400")
        _assert_no_restore_advice(full.value.message)
        assert snapshot(ctx) == before
    finally:
        ctx.engine.dispose()


def _failing_writes(error: Callable[[], Exception]) -> Callable[[Engine], None]:
    """Makes every INSERT or UPDATE of an engine fail at the DB-API level with `error()`."""

    def install(engine: Engine) -> None:
        def fail(cursor: Any, statement: str, *_args: Any) -> bool:
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
                raise error()
            return False

        event.listen(engine, "do_execute", fail)
        event.listen(engine, "do_executemany", fail)

    return install


def _disk_full_error(engine_url: str) -> Callable[[], Exception]:
    if engine_url.startswith("postgresql"):
        import psycopg.errors

        return lambda: psycopg.errors.DiskFull('could not extend file "base/1/2": No space left')

    def sqlite_full() -> Exception:
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = 13  # type: ignore[attr-defined]
        exc.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
        return exc

    return sqlite_full


def test_the_command_says_disk_full_with_exit_5_on_either_back_end(
    ctx: Context, command: Command, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk reported by the driver (SQLITE_FULL, or PostgreSQL's DiskFull) at the first
    write of the command: exit 5, the message, nothing written (the sign-in entry neither)."""
    db = ctx.database
    ctx.engine.dispose()
    before = _records_of(db)
    real = setup.make_engine
    install = _failing_writes(_disk_full_error(str(make_url(db_engine.url_for(db)))))

    def make_engine(location: str, **options: Any) -> Engine:
        engine = real(location, **options)
        install(engine)
        return engine

    monkeypatch.setattr(setup, "make_engine", make_engine)
    result = command(db, *ENROL_ARGS)
    assert result.code == 5, result.err
    _assert_named(result.err, "is full")
    _assert_no_restore_advice(result.err)
    monkeypatch.undo()
    assert _records_of(db) == before


# -- read-only file, folder, disk ---------------------------------------------------------------


def load_every_command() -> None:
    """Every command's module imported while this process may still read the program's
    files: another account acting in it later imports them lazily, from a checkout it may not
    be allowed to read."""
    import dispensary.cli as cli_package

    for module in pkgutil.iter_modules(cli_package.__path__):
        if not module.name.startswith("_"):  # __main__ runs the command
            importlib.import_module(f"dispensary.cli.{module.name}")


@contextmanager
def as_account(uid: int, gid: int) -> Iterator[None]:
    """This process as another account of the computer (root only), root again afterwards."""
    groups = os.getgroups()
    os.setgroups([])
    os.setresgid(gid, gid, 0)
    os.setresuid(uid, uid, 0)
    try:
        yield
    finally:
        os.setresuid(0, 0, 0)
        os.setresgid(0, 0, 0)
        os.setgroups(groups)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder other accounts can reach (pytest's own temp folders are the owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="dispensary-faults-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for item in [folder, *folder.rglob("*")]:
            if item.is_dir():
                item.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def _read_only_site(db_file: Path, open_folder: Path, what: str) -> tuple[Path, Callable[[], Any]]:
    """The database in a folder where this account (or, as root, another one) may not write the
    file (`what` == "file") or the folder; returns its path and the account to act as."""
    folder = open_folder / "site"
    folder.mkdir()
    path = folder / "pharmacy.sqlite3"
    shutil.copyfile(db_file, path)
    if _is_root():  # root may write anything: act as another account, for whom it is read-only
        path.chmod(0o644 if what == "file" else 0o666)
        folder.chmod(0o777 if what == "file" else 0o755)
        return path, lambda: as_account(NOBODY, NOBODY)
    path.chmod(0o444 if what == "file" else 0o600)
    folder.chmod(0o755 if what == "file" else 0o555)
    return path, _this_account


@contextmanager
def _this_account() -> Iterator[None]:
    yield


@pytest.mark.parametrize(
    ("what", "words"),
    [
        ("file", "is read-only for this account"),
        ("folder", "needs to create its working files"),
    ],
)
def test_a_read_only_file_or_folder_is_read_only_not_damaged(
    what: str,
    words: str,
    db_file: Path,
    open_folder: Path,
    command: Command,
    figures: Figures,
) -> None:
    """Where the database must be written (the windows' opening) it is refused, naming why; the
    command opens it read-only: what reads works, a step that records is refused (exit 5).
    tests/reliability/test_read_only_copy.py reads, verifies and reports on such a copy."""
    path, account = _read_only_site(db_file, open_folder, what)
    command(db_file, "inventory")  # its modules loaded, before another account runs it
    load_every_command()  # (the account may not read the checkout, as in a CI's temp folder)
    files = _fingerprint(path.parent)
    with account():
        with pytest.raises(ReadOnlyDatabase) as refused:
            setup.open_database(str(path))
        read = command(path, "inventory")
        result = command(path, *ENROL_ARGS)
    assert words in refused.value.message, refused.value.message
    _assert_no_restore_advice(refused.value.message)
    assert read.code == 0, read.err
    _assert_named(read.err, "is open read-only")
    assert result.code == 5, result.err
    _assert_named(result.err, "Nothing can be recorded in")
    _assert_no_restore_advice(result.err)
    assert _fingerprint(path.parent) == files, "no byte changed and no -wal/-shm left behind"
    figures.add("faults.read-only named, nothing written")


def test_a_read_only_disk_is_read_only_not_damaged(
    db_file: Path, tmp_path: Path, command: Command
) -> None:
    with _mounted(tmp_path / "ro-disk", "size=4m,mode=0755") as disk:
        path = disk / "pharmacy.sqlite3"
        shutil.copyfile(db_file, path)
        path.chmod(0o600)
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True, check=False
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot make the small disk read-only: {remount.stderr.strip()}")
        files = _fingerprint(disk)
        with pytest.raises(ReadOnlyDatabase) as refused:
            setup.open_database(str(path))
        assert "mounted read-only" in refused.value.message, refused.value.message
        assert command(path, "inventory").code == 0  # read as it is (test_read_only_copy.py)
        result = command(path, *ENROL_ARGS)
        assert result.code == 5, result.err
        _assert_named(result.err, "its disk is mounted read-only")
        _assert_no_restore_advice(result.err)
        assert _fingerprint(disk) == files


# -- foreign and damaged files, as the command sees them ---------------------------------------


def _another_programs_database(good: Path, path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()


def _text_file(good: Path, path: Path) -> None:
    path.write_text("kit,lot\nK0001,L1\n", encoding="utf-8")


def _pages_overwritten(good: Path, path: Path) -> None:
    shutil.copyfile(good, path)
    size, page = path.stat().st_size, 4096
    rng = random.Random(20260105)
    with path.open("r+b") as handle:
        for at in range(page, size, 2 * page):  # every other page after the first
            handle.seek(at)
            handle.write(rng.randbytes(page))


def _truncated(good: Path, path: Path) -> None:
    shutil.copyfile(good, path)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (_another_programs_database, NotADispensaryDatabase, "not a Dispensary database"),
        (_text_file, NotADispensaryDatabase, "not a Dispensary database"),
        (_pages_overwritten, DatabaseDamaged, "Restore the last backup"),
        (_truncated, DatabaseDamaged, "Restore the last backup"),
    ],
    ids=["another_programs_database", "text_file", "pages_overwritten", "truncated"],
)
def test_foreign_and_damaged_files_are_told_apart(
    make: Callable[[Path, Path], None],
    error: type[DatabaseProblem],
    words: str,
    db_file: Path,
    tmp_path: Path,
    command: Command,
) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    path = folder / "pharmacy.sqlite3"
    make(db_file, path)
    files = _fingerprint(folder)
    with pytest.raises(DatabaseProblem) as refused:
        setup.open_database(str(path))
    assert type(refused.value) is error, f"{type(refused.value).__name__}: {refused.value}"
    assert words in refused.value.message
    result = command(path, "inventory")
    assert result.code == 5, result.err
    _assert_named(result.err, words)
    assert _fingerprint(folder) == files


# -- bad --db values, names over the system's limit ---------------------------------------------

TOO_LONG = "/tmp/" + "a" * 300 + "/pharmacy.sqlite3"
ACCEPTED_WORDS = "PostgreSQL URL"


@pytest.mark.parametrize(
    ("db", "words"),
    [
        ("://", ACCEPTED_WORDS),
        ("mysql://user@host/pharmacy", ACCEPTED_WORDS),
        ("sqlite://", ACCEPTED_WORDS),
        ("junk://a b", ACCEPTED_WORDS),
        ("postgresql+nodriver://host/x", ACCEPTED_WORDS),
        (TOO_LONG, "longer than this system allows"),
        ("/tmp/" + "b" * 5000, "longer than this system allows"),
    ],
    ids=["scheme_only", "mysql", "sqlite_memory", "junk", "unknown_driver", "long_path", "huge"],
)
def test_a_bad_database_location_gets_a_message_not_a_traceback(
    db: str, words: str, command: Command
) -> None:
    with pytest.raises(DatabaseProblem) as refused:
        setup.open_database(db)
    assert words in refused.value.message
    result = command(db, "inventory")
    assert result.code in (2, 5), result.err
    _assert_named(result.err, words)


@pytest.mark.parametrize("kind", ["report", "backup"])
def test_an_out_file_name_over_the_system_limit_is_refused_with_exit_3(
    kind: str, ctx: Context, tmp_path: Path, command: Command
) -> None:
    name = "r" * 300 + (".pdf" if kind == "report" else ".sqlite3")
    args = ("report", "inventory") if kind == "report" else ("backup",)
    user = "pharm" if kind == "report" else "admin"
    result = command(ctx.database, *args, "--out", str(tmp_path / name), user=user)
    assert result.code == 3, result.err
    assert "Unexpected error" not in result.err and "Traceback" not in result.err, result.err
    if kind == "report":
        _assert_named(result.err, "longer than this system allows")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("r", ".r"))]


def test_an_unreachable_database_server_is_named_with_exit_5(command: Command) -> None:
    url = "postgresql+psycopg://dispensary:s3cret@127.0.0.1:1/dispensary?connect_timeout=5"
    with pytest.raises(DatabaseProblem) as refused:
        setup.open_database(url)
    assert "cannot be reached" in refused.value.message
    result = command(url, "inventory")
    assert result.code == 5, result.err
    _assert_named(result.err, "cannot be reached")
    assert "s3cret" not in result.err, "the password is not shown"
    _assert_no_restore_advice(result.err)


# -- owner-only files ------------------------------------------------------------------------------


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def test_reports_labels_and_calibration_pages_are_owner_only_under_umask_022(
    ctx: Context, pharmacist: Actor, tmp_path: Path, command: Command, figures: Figures
) -> None:
    _receive(ctx, pharmacist, "K0001-K0003")
    out = tmp_path / "out"
    out.mkdir()
    runs = [
        ("report", "inventory", "--out", str(out / "inventory.pdf")),
        ("report", "inventory", "--out", str(out / "inventory.csv")),
        ("label", "kit", "K0001", "--out", str(out / "kit.pdf")),
        ("label", "calibration", "--out", str(out / "calibration.pdf")),
    ]
    with _umask(0o022):
        for args in runs:
            result = command(ctx.database, *args)
            assert result.code == 0, result.err
            assert os.umask(0o022) == 0o022, "the command gives the umask back"
    written = sorted(out.iterdir())
    assert [p.name for p in written] == [
        "calibration.pdf",
        "inventory.csv",
        "inventory.pdf",
        "kit.pdf",
    ]
    for path in written:
        assert path.stat().st_mode & 0o777 == 0o600, f"{path.name} is {path.stat().st_mode:o}"
    figures.add("faults.owner-only files written", len(written))


def test_a_new_database_is_owner_only_from_its_first_byte(
    tmp_path: Path, study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    if _on_postgres():
        pytest.skip("a SQLite file test")
    path = tmp_path / "new.sqlite3"
    seen: list[int] = []
    upgrade = migrate.upgrade

    def watched(engine: Engine) -> None:
        seen.append(path.stat().st_mode & 0o777)  # before the schema and the study go in
        upgrade(engine)
        seen.append(Path(f"{path}-wal").stat().st_mode & 0o777)

    monkeypatch.setattr(migrate, "upgrade", watched)
    with _umask(0o022):
        ctx = setup.init_database(str(path), study, "admin", "Ada Admin", "AA", "admin-pass-1")
    ctx.engine.dispose()
    assert seen == [0o600, 0o600]
    assert path.stat().st_mode & 0o777 == 0o600


def _reachable_by_others(folder: Path) -> bool:
    """Whether another account can read the program's own files (the migrations are read from
    the source tree when a database is opened)."""
    for part in (folder, *folder.parents):
        if not part.stat().st_mode & 0o001:
            return False
    return all(f.stat().st_mode & 0o004 for f in (folder / "versions").glob("*.py"))


def test_a_database_shared_by_two_accounts_opens_with_a_warning_and_keeps_its_mode(
    db_file: Path, open_folder: Path, tmp_path: Path, command: Command, figures: Figures
) -> None:
    """The file belongs to another account and is shared through a group (0660): every command
    of the account that does not own it works, says the file is readable by others, and never
    chmods it (it could not: before, every command failed)."""
    if not _is_root():
        pytest.skip("needs root, to give the file to another account and act as a third")
    if not _reachable_by_others(migrate.MIGRATIONS):
        pytest.skip("the checkout is in a folder other accounts cannot enter (e.g. mktemp's 0700)")
    folder = open_folder / "shared"
    folder.mkdir()
    path = folder / "pharmacy.sqlite3"
    shutil.copyfile(db_file, path)
    runs = [
        ("inventory",),
        ENROL_ARGS,
        ("participants",),
        ("report", "inventory", "--out", str(folder / "inventory.pdf")),
    ]
    # The same commands first on a copy of our own, so that every module they load is loaded
    # (the interpreter's files may be out of the other account's reach).
    (tmp_path / "warm").mkdir()
    warm = tmp_path / "warm" / "pharmacy.sqlite3"
    shutil.copyfile(db_file, warm)
    for args in runs:
        mine = [a.replace(str(folder), str(warm.parent)) for a in args]
        assert command(warm, *mine).code == 0
    (folder / "home").mkdir()
    for item in (folder, folder / "home"):
        os.chown(item, OTHER_OWNER, SHARED_GID)
        item.chmod(0o2770)
    os.chown(path, OTHER_OWNER, SHARED_GID)
    path.chmod(0o660)
    with _umask(0o022), as_account(NOBODY, SHARED_GID):
        results = [command(path, *args, home_dir=folder / "home") for args in runs]
    for args, result in zip(runs, results, strict=True):
        assert result.code == 0, (args, result.err)
        assert "Warning:" in result.err and "may be read by other accounts" in result.err
    status = path.stat()
    assert (status.st_uid, status.st_mode & 0o777) == (OTHER_OWNER, 0o660), "never chmodded"
    report = (folder / "inventory.pdf").stat()
    assert (report.st_uid, report.st_mode & 0o777) == (NOBODY, 0o600)
    figures.add("faults.shared database commands", len(runs))


# -- PostgreSQL ---------------------------------------------------------------------------------


@contextmanager
def _pg_admin(url: str) -> Iterator[Any]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@pytest.fixture
def pg_ctx(ctx: Context) -> Context:
    if is_sqlite(ctx.engine):
        pytest.skip("a PostgreSQL test (set DISPENSARY_TEST_DB)")
    return ctx


def test_postgres_a_held_chain_head_lock_is_busy_and_reads_go_on(
    pg_ctx: Context,
    short_busy: int,
    pharmacist: Actor,
    snapshot: Callable[[Context], Snapshot],
) -> None:
    before = snapshot(pg_ctx)
    holder = create_engine(pg_ctx.database, poolclass=NullPool)
    try:
        with holder.connect() as conn, conn.begin():
            conn.execute(text("SELECT * FROM chain_head WHERE id = 1 FOR UPDATE"))
            opened = setup.open_database(pg_ctx.database)
            try:
                assert queries.inventory(opened.context, pharmacist) == []
                with pytest.raises(DatabaseBusy) as busy:
                    _enroll(opened.context, pharmacist)
                assert "another workstation is writing" in busy.value.message
            finally:
                opened.context.engine.dispose()
    finally:
        holder.dispose()
    assert snapshot(pg_ctx) == before


def test_postgres_a_reading_sign_in_goes_on_while_the_chain_head_is_locked(
    pg_ctx: Context, short_busy: int, monkeypatch: pytest.MonkeyPatch, passwords: dict[str, str]
) -> None:
    """As on SQLite: the command's sign-in waits SIGN_IN_WAIT_MS for the chain head, then
    reads on with its record owed; a window's sign-in (which must record) is busy; the owed
    record is written once the lock is free."""
    monkeypatch.setattr(users, "SIGN_IN_WAIT_MS", 50, raising=False)
    holder = create_engine(pg_ctx.database, poolclass=NullPool)
    opened = setup.open_database(pg_ctx.database)
    ctx = opened.context
    try:
        with holder.connect() as conn, conn.begin():
            conn.execute(text("SELECT * FROM chain_head WHERE id = 1 FOR UPDATE"))
            started = time.monotonic()
            actor = users.sign_in(ctx, "pharm", passwords["pharm"], read_only_ok=True)
            assert time.monotonic() - started < SHORT_BUSY_MS / 1000 + 0.25
            assert queries.inventory(ctx, actor) == []
            with pytest.raises(DatabaseBusy) as busy:
                users.sign_in(ctx, "pharm", passwords["pharm"])
            assert "Your sign-in could not be recorded" in busy.value.message
        assert users.record_owed_sign_in(ctx) is True
        with ctx.engine.connect() as conn:
            last = conn.execute(
                text("SELECT action, entity_id, new FROM audit_entries ORDER BY id DESC LIMIT 1")
            ).one()
        assert tuple(last[:2]) == ("sign_in", "pharm") and '"signed_in_at"' in last[2]
    finally:
        ctx.engine.dispose()
        holder.dispose()


def test_postgres_a_read_only_server_is_read_only(
    pg_ctx: Context, pharmacist: Actor, snapshot: Callable[[Context], Snapshot]
) -> None:
    url = make_url(pg_ctx.database)
    name = url.database
    before = snapshot(pg_ctx)
    with _pg_admin(pg_ctx.database) as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    try:
        opened = setup.open_database(pg_ctx.database)
        try:
            with pytest.raises(ReadOnlyDatabase) as refused:
                _enroll(opened.context, pharmacist)
            _assert_no_restore_advice(refused.value.message)
        finally:
            opened.context.engine.dispose()
    finally:
        with _pg_admin(pg_ctx.database) as conn:
            conn.execute(text("SET default_transaction_read_only = off"))  # this session only
            conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
    assert snapshot(pg_ctx) == before


def test_a_server_that_never_answers_is_named_unreachable_after_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that takes the connection and never answers (hung, or its replies dropped)
    held the program for ever: it now gives up after engine.CONNECT_TIMEOUT_S (here 1 s), and
    the pharmacist is told the server cannot be reached."""
    monkeypatch.setattr(db_engine, "CONNECT_TIMEOUT_S", 1)
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # the kernel completes the connection; nothing ever answers it
    url = f"postgresql+psycopg://dispensary@127.0.0.1:{silent.getsockname()[1]}/dispensary"
    outcome: list[BaseException | None] = []

    def connect() -> None:
        try:
            setup.open_database(url)
            outcome.append(None)
        except BaseException as exc:  # handed to the test's thread
            outcome.append(exc)

    worker = threading.Thread(target=connect, daemon=True)
    try:
        worker.start()
        worker.join(60)  # far beyond the timeout: without one it would wait for ever
    finally:
        silent.close()
    assert outcome, "still waiting for a server that never answers"
    refused = outcome[0]
    assert isinstance(refused, DatabaseProblem), refused
    assert "cannot be reached" in refused.message
