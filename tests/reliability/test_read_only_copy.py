"""An inspector's read-only copy of the database: a read-only disk (a CD, a locked USB stick), a
file chmodded 444, a folder that cannot be written (so no -wal or -shm file can be made).

What only reads works on it: `audit verify` (with `--anchor CODE` too), `audit anchor`, `audit
list`, the reconciliation, the inventory and the reports (DARF, reconciliation, monitor pack,
audit report). Every step that would record (an enrolment, a backup, a label's print, a
sign-off) is refused with the read-only message and exit 3, and not one byte is written beside
the database or in it: not the sign-in, not the reconciliation's verified point, not a -wal or
-shm file. A copy whose -wal holds records is read with them; one whose -wal cannot be read
without making a -shm file is refused, saying what to copy.

Root may write anything but a read-only disk: as root (CI), the disk is a real tmpfs remounted
read-only and the file and folder cases run as another account; otherwise by chmod. On
PostgreSQL, a role granted SELECT only reads the same way.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dispensary.db.engine import read_only_uri
from dispensary.db.faults import ReadOnlyKind
from dispensary.domain.errors import NotSignedIn, ReadOnlyDatabase
from dispensary.services import audit, setup, users
from dispensary.services.context import Actor, Context

from .conftest import Figures
from .test_faults import (
    ENROL_ARGS,
    NOBODY,
    Command,
    Snapshot,
    _enroll,
    _fingerprint,
    _is_root,
    _mounted,
    _pg_admin,
    _receive,
    _this_account,
    as_account,
)
from .test_faults import command as command  # the fixtures: the real command, in-process
from .test_faults import open_folder as open_folder  # a folder other accounts can reach
from .test_faults import pg_ctx as pg_ctx  # the test database, on PostgreSQL only

READ_ONLY_WORDS = "is open read-only"
PERIOD = ("--from", "2026-01-01", "--to", "2026-01-31")


def _reads(out: Path, code: str) -> list[tuple[str, tuple[str, ...]]]:
    """Who runs each command that only reads, and the command."""
    return [
        ("monitor", ("audit", "verify")),
        ("monitor", ("audit", "verify", "--anchor", code)),
        ("monitor", ("audit", "anchor")),
        ("monitor", ("audit", "list", "--limit", "5")),
        ("monitor", ("reconcile",)),
        ("pharm", ("inventory",)),
        ("monitor", ("report", "darf", "--out", str(out / "darf.pdf"))),
        ("monitor", ("report", "reconciliation", "--out", str(out / "reconciliation.pdf"))),
        ("monitor", ("report", "monitor", *PERIOD, "--out", str(out / "monitor.pdf"))),
        ("monitor", ("report", "audit", *PERIOD, "--out", str(out / "audit.pdf"))),
    ]


def _writes(out: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Who runs each command that would record something, and the command."""
    return [
        ("pharm", ENROL_ARGS),
        ("admin", ("backup", "--out", str(out / "backup.sqlite3"))),
        ("pharm", ("label", "kit", "K0001", "--out", str(out / "kit.pdf"))),
        ("monitor", ("sign-off",)),
    ]


def _open_to_all(folder: Path) -> Path:
    folder.mkdir()
    folder.chmod(0o777)
    return folder


@contextmanager
def _read_only_site(
    kind: str, source: Path, open_folder: Path, tmp_path: Path
) -> Iterator[tuple[Path, Callable[[], AbstractContextManager[Any]]]]:
    """A copy of `source` this account (as root: another account) may only read, because of
    its disk, its file or its folder; yields its path and the account to act as."""
    if kind == "disk":
        with _mounted(tmp_path / "cd", "size=8m,mode=0755") as disk:
            path = disk / "pharmacy.sqlite3"
            shutil.copyfile(source, path)
            path.chmod(0o600)
            remount = subprocess.run(
                ["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True
            )
            if remount.returncode != 0:
                pytest.skip(f"cannot make the small disk read-only: {remount.stderr.strip()}")
            yield path, _this_account
        return
    folder = open_folder / "site"
    folder.mkdir()
    path = folder / "pharmacy.sqlite3"
    shutil.copyfile(source, path)
    if _is_root():  # root may write anything: another account, for whom it is read-only
        path.chmod(0o644 if kind == "file" else 0o666)
        folder.chmod(0o777 if kind == "file" else 0o755)
        yield path, lambda: as_account(NOBODY, NOBODY)
        return
    path.chmod(0o444 if kind == "file" else 0o600)
    folder.chmod(0o755 if kind == "file" else 0o555)
    yield path, _this_account


@pytest.fixture
def inspected(ctx: Context, pharmacist: Actor, monitor: Actor) -> tuple[Path, str]:
    """The test database with kits and a participant, closed; and the verification code of its
    audit trail, taken before it was copied (as a report's footer would carry it)."""
    if ctx.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite file test (DISPENSARY_TEST_DB is PostgreSQL)")
    _receive(ctx, pharmacist, "K0001-K0004")
    _enroll(ctx, pharmacist, "01-001")
    code = audit.current_anchor(ctx, monitor)
    ctx.engine.dispose()
    return Path(ctx.database), code


def _warm_up(command: Command, source: Path, tmp_path: Path, code: str) -> None:
    """Every command once on a writable copy of our own, so that each module it needs is loaded
    before another account, which may not reach the interpreter's files, runs it."""
    folder = tmp_path / "warm"
    folder.mkdir()
    warm = folder / "pharmacy.sqlite3"
    shutil.copyfile(source, warm)
    for user, args in [*_reads(folder, code), *_writes(folder)]:
        command(warm, *args, user=user)


@pytest.mark.parametrize("kind", ["disk", "file", "folder"])
def test_a_read_only_copy_is_read_verified_and_reported_on_and_nothing_is_recorded(
    kind: str,
    inspected: tuple[Path, str],
    open_folder: Path,
    tmp_path: Path,
    command: Command,
    passwords: dict[str, str],
    figures: Figures,
) -> None:
    source, code = inspected
    _warm_up(command, source, tmp_path, code)
    home, out = _open_to_all(open_folder / "home"), _open_to_all(open_folder / "out")
    with _read_only_site(kind, source, open_folder, tmp_path) as (path, account):
        files = _fingerprint(path.parent)
        with account():
            reads = [
                (args, command(path, *args, user=u, home_dir=home)) for u, args in _reads(out, code)
            ]
            writes = [
                (args, command(path, *args, user=u, home_dir=home)) for u, args in _writes(out)
            ]
            opened = setup.open_database(str(path), read_only_ok=True)
            try:  # a wrong password is refused (and cannot be counted); the right one reads
                with pytest.raises(NotSignedIn):
                    users.sign_in(opened.context, "pharm", "not-pharms-password")
                assert (
                    users.sign_in(opened.context, "pharm", passwords["pharm"]).username == "pharm"
                )
            finally:
                opened.context.engine.dispose()
            with pytest.raises(ReadOnlyDatabase) as windows:  # the windows' opening
                setup.open_database(str(path))
        assert _fingerprint(path.parent) == files, "not a byte written, no -wal/-shm, no point"
    for args, result in reads:
        assert result.code == 0, (args, result.err)
        assert READ_ONLY_WORDS in result.err and "not even this sign-in" in result.err, result.err
    verified = dict(reads)[("audit", "verify", "--anchor", code)]
    assert f"Verification code {code} matches" in verified.out, verified.out
    assert "Audit trail checked in full." in dict(reads)[("reconcile",)].out
    assert (
        "01-001" not in dict(reads)[("inventory",)].out
        and "K0004" in dict(reads)[("inventory",)].out
    )
    for args, result in writes:
        assert result.code == 5, (args, result.err)
        assert "Nothing can be recorded in" in result.err and "Nothing was saved" in result.err
        assert "Unexpected error" not in result.err and "Traceback" not in result.err
    assert sorted(p.name for p in out.iterdir()) == [
        "audit.pdf",
        "darf.pdf",
        "monitor.pdf",
        "reconciliation.pdf",
    ], "no backup and no label were written"
    assert "is read-only" in windows.value.message and "dispensary command" in windows.value.message
    figures.add("read-only copies.read, writes refused, nothing written")


def _copy_with_pending_wal(source: Path, work: Path, pharmacist: Actor) -> tuple[Path, Path, Path]:
    """A copy of the database taken while its -wal file still held an enrolment (the copy of a
    database open on a workstation): the file, its -wal and its -shm."""
    live = work / "live.sqlite3"
    shutil.copyfile(source, live)
    reader = sqlite3.connect(live)  # held open: closing the engine does not checkpoint
    try:
        reader.execute("SELECT count(*) FROM study").fetchone()
        opened = setup.open_database(str(live))
        try:
            _enroll(opened.context, pharmacist, "01-002")
        finally:
            opened.context.engine.dispose()
        wal, shm = Path(f"{live}-wal"), Path(f"{live}-shm")
        assert wal.stat().st_size > 0 and shm.exists()
        copies = work / "copies"
        copies.mkdir()
        for item in (live, wal, shm):
            shutil.copyfile(item, copies / item.name.replace("live", "pharmacy"))
    finally:
        reader.close()
    made = copies / "pharmacy.sqlite3"
    return made, Path(f"{made}-wal"), Path(f"{made}-shm")


@contextmanager
def _nothing_writable(folder: Path) -> Iterator[Callable[[], AbstractContextManager[Any]]]:
    """The folder and its files read-only for the account yielded (as root: another one)."""
    if _is_root():
        for item in folder.iterdir():
            item.chmod(0o644)
        folder.chmod(0o755)
        yield lambda: as_account(NOBODY, NOBODY)
        return
    for item in folder.iterdir():
        item.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield _this_account
    finally:
        folder.chmod(0o755)


def test_a_copy_whose_wal_holds_records_is_read_with_them_or_refused_saying_what_to_copy(
    inspected: tuple[Path, str],
    open_folder: Path,
    pharmacist: Actor,
    command: Command,
    figures: Figures,
) -> None:
    source, _code = inspected
    work = Path(tempfile.mkdtemp(prefix="wal-", dir=open_folder))
    work.chmod(0o755)
    path, _wal, shm = _copy_with_pending_wal(source, work, pharmacist)
    command(source, "participants")  # every module it needs loaded, before another account
    home = _open_to_all(open_folder / "home")
    with _nothing_writable(path.parent) as account:
        files = _fingerprint(path.parent)
        with account():
            with_shm = command(path, "participants", home_dir=home)
        assert _fingerprint(path.parent) == files
    assert with_shm.code == 0, with_shm.err
    assert "01-002" in with_shm.out, "the enrolment in the -wal file is read"

    path.parent.chmod(0o755)
    shm.unlink()
    with _nothing_writable(path.parent) as account:
        files = _fingerprint(path.parent)
        with account():
            without_shm = command(path, "participants", home_dir=home)
        assert _fingerprint(path.parent) == files
    assert without_shm.code == 5, without_shm.err
    assert "holds records not yet written into the database file" in without_shm.err
    assert f"together with its {path.name}-wal file" in without_shm.err
    figures.add("read-only copies.read, writes refused, nothing written", 2)


def test_the_uri_reads_the_file_alone_immutably_and_a_wal_through_its_shm(tmp_path: Path) -> None:
    """How a read-only database is read (db.engine.read_only_uri), whoever runs the tests."""
    path = tmp_path / "copy of the pharmacy's #1.sqlite3"
    path.write_bytes(b"")
    uri = read_only_uri(path, ReadOnlyKind.FILE)
    assert uri.startswith("file:///") and uri.endswith("?mode=ro&immutable=1")
    assert "%20" in uri and "%23" in uri, "the path's spaces and # are escaped"
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    wal.write_bytes(b"")  # an empty -wal holds nothing: the file is all there is
    assert read_only_uri(path, ReadOnlyKind.FILE).endswith("?mode=ro&immutable=1")
    wal.write_bytes(b"frames")
    with pytest.raises(ReadOnlyDatabase) as refused:
        read_only_uri(path, ReadOnlyKind.DISK)
    assert "its disk is mounted read-only" in refused.value.message
    shm.write_bytes(b"index")
    assert read_only_uri(path, ReadOnlyKind.FOLDER).endswith("?mode=ro")


@contextmanager
def _select_only_role(url: str) -> Iterator[str]:
    """A PostgreSQL role granted SELECT on the database's tables and nothing else (an
    inspector's, or a read-only standby's user); yields the URL that connects as it."""
    server = make_url(url)
    role = f"inspector_{uuid.uuid4().hex[:12]}"
    with _pg_admin(url) as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
    try:
        yield server.set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        with _pg_admin(url) as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role"
                ),
                {"role": role},
            )
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))


def test_postgres_a_role_that_may_only_read_verifies_and_reports_and_records_nothing(
    pg_ctx: Context,
    pharmacist: Actor,
    monitor: Actor,
    tmp_path: Path,
    command: Command,
    snapshot: Callable[[Context], Snapshot],
    figures: Figures,
    pw: Callable[[Actor], str],
) -> None:
    """The same on a server: the sign-in of a role without write grants is checked, not
    recorded (it could not be), what reads works, and a step that records is refused as the
    server's read-only connection, nothing written."""
    _receive(pg_ctx, pharmacist, "K0001-K0004")
    _enroll(pg_ctx, pharmacist, "01-001")
    code = audit.current_anchor(pg_ctx, monitor)
    out = tmp_path / "out"
    out.mkdir()
    before = snapshot(pg_ctx)
    with _select_only_role(pg_ctx.database) as url:
        reads = [(args, command(url, *args, user=u)) for u, args in _reads(out, code)]
        writes = [(args, command(url, *args, user=u)) for u, args in _writes(out)]
        # The windows sign in to work: there the role's refusal is said at sign-in, and a
        # wrong password is not let through uncounted either.
        windows = setup.open_database(url)
        try:
            for password in (pw(pharmacist), "not-pharms-password"):
                with pytest.raises(ReadOnlyDatabase):
                    users.sign_in(windows.context, pharmacist.username, password)
        finally:
            windows.context.engine.dispose()
    assert snapshot(pg_ctx) == before, "not even a sign-in was recorded"
    for args, result in reads:
        assert result.code == 0, (args, result.err)
    for args, result in writes:  # the database refuses this role's writes: unusable for them (5)
        expected = 3 if args[0] == "backup" else 5  # a server's backup is pg_dump's: a refusal
        assert result.code == expected, (args, result.err)
        if args[0] != "backup":  # a server's backup is pg_dump's: said so before anything
            assert "lets this connection read only" in result.err, result.err
    figures.add("read-only copies.a PostgreSQL role granted SELECT only")
