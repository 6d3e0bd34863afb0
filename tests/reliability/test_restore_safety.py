"""Restore never loses a saved record (issue 9).

A restore is refused while another workstation or window has the database open (its later saves
then land in the database), refuses a backup that does not verify or belongs to another study,
and never changes the backup file. Killed with SIGKILL at each step of the swap while a second
workstation keeps saving, it leaves either the old database, with every save made to it, or the
restored one with its `database_restored` entry. Either passes PRAGMA integrity_check and
`audit verify`; every save the workstation saw succeed is in the database, or (when it was made
before the restore took its lock and the restore then went through) in the kept copy of the
replaced file; no file beside the database is readable by others; and the next restore clears
what the killed one left.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import AuditEntry, Participant
from dispensary.db.sqlite_backup import LockedFile, replaced_on
from dispensary.domain.codes import Role
from dispensary.domain.errors import (
    AppendOnly,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseProblem,
    DiskFull,
    NotPermitted,
    NotSignedIn,
    ReadOnlyDatabase,
    Unprotected,
)
from dispensary.services import backup, participants, receiving, setup, users
from dispensary.services.audit import verify_session
from dispensary.services.context import Actor, FixedClock
from dispensary.study import default_study_path, load_study, parse_study
from signed import restore_forced
from tamper import edit_file, schema_name_not_text

from .checks import integrity
from .conftest import Figures
from .sites import START, start_worker

ADMIN = Actor(1, "admin", "Ada Admin", "AA", Role.ADMINISTRATOR)
"""The administrator signed in to the current database, who restores."""

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and POSIX locks"),
    pytest.mark.skipif(
        bool(os.environ.get("DISPENSARY_TEST_DB")),
        reason="SQLite files only; a server database is restored with pg_restore "
        "(its refusal is tested in tests/services/test_backup_restore.py)",
    ),
]

ADMIN_PW, PHARM_PW = "admin-pass-1", "pharm-pass-1"
OLD_ONLY = "01-0100"  # enrolled after the backup was taken: in the old database only
STEPS = backup.RESTORE_STEPS
FIRST_SWAPPED = STEPS.index("replaced")  # from this step on, the database is the restored one


@dataclass(frozen=True)
class Template:
    db: Path  # the live database: the backup's records, then OLD_ONLY
    backup: Path


@dataclass(frozen=True)
class Found:
    problems: list[str]  # integrity_check and audit verify
    participants: frozenset[str]
    restored: tuple[str, ...]  # the `new` of each database_restored entry

    @property
    def is_new(self) -> bool:
        return len(self.restored) == 1 and OLD_ONLY not in self.participants

    @property
    def is_old(self) -> bool:
        return not self.restored and OLD_ONLY in self.participants


def _build(db: Path, protocol: str | None = None) -> Path:
    """A small site: an administrator, a pharmacist, ten kits, one participant; backed up, then
    OLD_ONLY enrolled. Returns the backup."""
    study = load_study(default_study_path())
    if protocol is not None:
        study = parse_study(study.source_text.replace(study.protocol, protocol), "other study")
    ctx = setup.init_database(
        str(db), study, "admin", "Ada Admin", "AA", ADMIN_PW, FixedClock(START)
    )
    try:
        admin = users.sign_in(ctx, "admin", ADMIN_PW)
        users.add_user(
            ctx, admin, "pharm", Role.PHARMACIST, "Paula Pharm", "PP", PHARM_PW,
            temporary_password=False,
        )  # fmt: skip
        pharm = users.sign_in(ctx, "pharm", PHARM_PW)
        listed = receiving.kits_from_range(
            ctx, "K00001-K00010", "herombopag-7.5mg", "L2401", date(2027, 6, 30), None
        )
        receiving.receive_shipment(ctx, pharm, "SH-1", listed)
        participants.enroll(
            ctx,
            pharm,
            "01-0001",
            "AB",
            1970,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(ctx.study),
        )
        made = backup.backup(ctx, admin, db.with_name(f"{db.stem}-backup.sqlite3"))
        participants.enroll(
            ctx,
            pharm,
            OLD_ONLY,
            "AB",
            1971,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(ctx.study),
        )
    finally:
        ctx.engine.dispose()
    return Path(made.path)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    db = tmp_path_factory.mktemp("restore-template") / "pharmacy.sqlite3"
    return Template(db, _build(db))


def _place(template: Template, tmp: Path) -> tuple[Path, Path]:
    """A copy of the live database alone in its folder (0700), and a copy of the backup."""
    folder = tmp / "pharmacy"
    folder.mkdir(mode=0o700, parents=True)
    db = folder / "pharmacy.sqlite3"
    shutil.copyfile(template.db, db)
    db.chmod(0o600)
    copy = tmp / "backup.sqlite3"
    shutil.copyfile(template.backup, copy)
    return db, copy


def _found(db: Path) -> Found:
    problems = integrity(db)
    # The database a restore replaced is refused as the live one: read as `audit verify` reads it.
    opened = setup.open_database(str(db), studies_unread=replaced_on(db) is not None)
    try:
        with read_transaction(opened.context.engine) as s:
            verified = verify_session(s)
            numbers = frozenset(s.scalars(select(Participant.study_number)))
            restored = tuple(
                s.scalars(select(AuditEntry.new).where(AuditEntry.action == "database_restored"))
            )
    finally:
        opened.context.engine.dispose()
    if not verified.ok:
        problems.append(f"audit verify: {verified.message}")
    return Found(problems, numbers, restored)


def _not_private(folder: Path) -> list[str]:
    return [
        f"{p.name} {oct(stat.S_IMODE(p.stat().st_mode))}"
        for p in sorted(folder.iterdir())
        if stat.S_IMODE(p.stat().st_mode) & 0o077
    ]


def _steps(out: str) -> dict[str, float]:
    return {
        line.split()[1]: float(line.split()[2])
        for line in out.splitlines()
        if line.startswith("step ")
    }


def _saves(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_worker_left() -> Iterator[None]:
    """A test that fails half-way leaves no worker waiting for a line or a stop file."""
    yield
    while _STARTED:
        worker = _STARTED.pop()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        for stream in (worker.stdin, worker.stdout):
            if stream is not None:
                stream.close()


def _restorer(db: Path, copy: Path, errors: Path, kill: str = "-", pause: str = "-", seconds: float = 0) -> subprocess.Popen[str]:  # fmt: skip
    worker = start_worker(
        "restore_worker.py", str(db), str(copy), kill, pause, str(seconds), errors=errors
    )
    _STARTED.append(worker)
    return worker


def _enroller(db: Path, side: Path, mode: str, first: int = 1) -> subprocess.Popen[str]:
    worker = start_worker(
        "enroller.py", str(db), "pharm", PHARM_PW, str(first), str(side / "saves.log"),
        str(side / "stop"), mode, errors=side / "errors.txt", stdin=mode != "each",
    )  # fmt: skip
    _STARTED.append(worker)
    assert worker.stdout is not None
    ready = worker.stdout.readline().strip()
    assert ready == "ready", (side / "errors.txt").read_text()
    return worker


def _stop(worker: subprocess.Popen[str], side: Path) -> None:
    (side / "stop").touch()
    assert worker.wait(timeout=60) == 0, (side / "errors.txt").read_text()
    for stream in (worker.stdout, worker.stdin):
        if stream is not None:
            stream.close()


@dataclass
class KillRun:
    outcome: str  # "old" or "new"
    saves: int
    problems: list[str]


def _kill_at(template: Template, tmp: Path, step: str) -> KillRun:
    """One restore killed at `step` while a second workstation saves; what is left, checked."""
    db, copy = _place(template, tmp)
    side = tmp / "side"
    side.mkdir()
    workstation = _enroller(db, side, "each")
    time.sleep(0.1)  # a few saves before the restore
    restorer = _restorer(db, copy, side / "errors.txt", kill=step)
    out, _ = restorer.communicate(timeout=120)
    time.sleep(0.15)  # and some after it
    _stop(workstation, side)
    problems: list[str] = []
    if restorer.returncode != -signal.SIGKILL:
        problems.append(f"{step}: the restore ended with {restorer.returncode}: {out[-300:]}")
    problems += [f"{step}: {name} readable by others" for name in _not_private(db.parent)]
    steps = _steps(out)
    found = _found(db)
    problems += [f"{step}: {p}" for p in found.problems]
    expected = "new" if STEPS.index(step) >= FIRST_SWAPPED else "old"
    outcome = "new" if found.is_new else "old" if found.is_old else "neither"
    if outcome != expected:
        problems.append(f"{step}: the database is {outcome}, not the {expected} one")
    kept = sorted(db.parent.glob("pharmacy.replaced-*.sqlite3"))
    in_kept = _found(kept[0]) if kept else None
    if in_kept is not None:
        problems += [f"{step}: kept copy: {p}" for p in in_kept.problems]
        if OLD_ONLY not in in_kept.participants:
            problems.append(f"{step}: the kept copy is not the old database")
    saves = _saves(side / "saves.log")
    for save in (s for s in saves if s["ok"]):
        number = save["number"]
        if number in found.participants:
            if outcome == "new" and save["end"] < steps.get("locked", float("inf")):
                problems.append(f"{step}: {number}, saved before the lock, is in the restore")
            continue
        before_lock = save["end"] < steps.get("locked", float("inf"))
        if outcome == "new" and before_lock and in_kept and number in in_kept.participants:
            continue  # saved to the old database, which the restore replaced and kept
        problems.append(f"{step}: the workstation's save {number} is lost")
    if in_kept is not None and "replaced" in steps:
        late = {s["number"] for s in saves if s["ok"] and s["start"] > steps["replaced"]}
        if late & in_kept.participants:
            problems.append(f"{step}: saves after the swap went to the replaced file: {late}")

    # The next restore clears what the killed one left and goes through.
    backup.restore(db, copy, ADMIN, reason="restored in a test")
    left = [p.name for p in db.parent.iterdir() if ".restoring" in p.name or p.suffix == ".partial"]
    if left:
        problems.append(f"{step}: left after the next restore: {left}")
    problems += [f"{step}, next restore: {n} readable by others" for n in _not_private(db.parent)]
    again = _found(db)
    problems += [f"{step}, next restore: {p}" for p in again.problems]
    if OLD_ONLY in again.participants or len(again.restored) != 1:
        problems.append(f"{step}: the next restore did not restore the backup: {again.restored}")
    if copy.read_bytes() != template.backup.read_bytes():
        problems.append(f"{step}: the backup file changed")
    return KillRun(outcome, sum(1 for s in saves if s["ok"]), problems)


def _kill_rounds(template: Template, tmp: Path, rounds: int, figures: Figures, name: str) -> None:
    problems: list[str] = []
    for round_ in range(rounds):
        for step in STEPS:
            run = _kill_at(template, tmp / f"{round_}-{step}", step)
            problems += run.problems
            figures.add(f"{name}.restores killed")
            figures.add(f"{name}.killed after the swap (restored database left)", run.outcome == "new")  # fmt: skip
            figures.add(f"{name}.workstation saves during the kills", run.saves)
            figures.add(f"{name}.kills leaving a whole database", not run.problems)
    assert not problems, problems[:10]


def test_a_restore_killed_at_every_step_leaves_a_whole_database(
    template: Template, tmp_path: Path, figures: Figures
) -> None:
    _kill_rounds(template, tmp_path, 1, figures, "restore kills")


@pytest.mark.soak
def test_a_restore_killed_at_every_step_leaves_a_whole_database_soak(
    template: Template, tmp_path: Path, figures: Figures
) -> None:
    _kill_rounds(template, tmp_path, 10, figures, "restore kills soak")


def test_a_restore_killed_half_way_through_the_copy_is_rolled_back(
    template: Template, tmp_path: Path, figures: Figures
) -> None:
    """A backup larger than SQLite's page cache: half-way through, restored pages are already
    in the database file when the restore is killed. The next connection rolls the file back
    from its journal to the old database, whole."""
    db, copy = _place(template, tmp_path)
    conn = sqlite3.connect(copy)
    conn.execute("CREATE TABLE padding (data BLOB)")  # outside both hash chains
    conn.executemany("INSERT INTO padding VALUES (randomblob(4000))", [()] * 4000)
    conn.commit()
    conn.close()
    before = db.read_bytes()
    restorer = _restorer(db, copy, tmp_path / "errors.txt", kill="copying")
    out, _ = restorer.communicate(timeout=120)
    assert restorer.returncode == -signal.SIGKILL, out
    journal = Path(f"{db}-journal")
    assert db.read_bytes() != before, "restored pages were written before the kill"
    assert journal.read_bytes()[:8] == bytes.fromhex("d9d505f920a163d7"), "a hot journal"
    assert not _not_private(db.parent)
    found = _found(db)  # the first connection rolls the journal back
    assert not found.problems and found.is_old
    assert not journal.exists()
    figures.add("restore kills.killed half-way through the copy, rolled back")


def test_restore_is_refused_while_a_window_has_the_database_open(
    template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: Figures
) -> None:
    """An open window keeps an idle pooled connection: the restore is refused and changes
    nothing, and the window's next save is in the database."""
    monkeypatch.setattr(backup, "LOCK_WAIT_SECONDS", 0.5)
    db, copy = _place(template, tmp_path)
    side = tmp_path / "side"
    side.mkdir()
    window = _enroller(db, side, "holder")
    before = db.read_bytes()
    with pytest.raises(DatabaseBusy) as refused:
        backup.restore(db, copy, ADMIN, reason="restored in a test")
    assert "has the database" in refused.value.message and "Close" in refused.value.message
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "pharmacy.sqlite3", "pharmacy.sqlite3-shm", "pharmacy.sqlite3-wal",
    ]  # fmt: skip
    assert window.stdin is not None
    window.stdin.write("go\n")
    window.stdin.flush()
    _stop(window, side)
    (save,) = _saves(side / "saves.log")
    assert save["ok"], save
    found = _found(db)
    assert not found.problems and found.is_old and save["number"] in found.participants
    assert copy.read_bytes() == template.backup.read_bytes()
    figures.add("restore refusals.while a window has the database open")


def test_workstations_waiting_on_the_lock_save_into_the_restored_database(
    template: Template, tmp_path: Path, figures: Figures
) -> None:
    """One workstation opens the database while the restore holds it (its connection waits on
    the lock), another keeps saving throughout. With the file renamed over, the waiting one was
    seen to read the old file while writing into the new file's -wal; written in place, every
    save either side was told of is in the restored database, or (made before the lock) in the
    kept copy, and the database verifies."""
    db, copy = _place(template, tmp_path)
    waiting, busy = tmp_path / "waiting", tmp_path / "busy"
    waiting.mkdir()
    busy.mkdir()
    waiter = _enroller(db, waiting, "waiter", first=500)
    other = _enroller(db, busy, "each", first=800)
    restorer = _restorer(db, copy, busy / "errors.txt", pause="locked", seconds=1.5)
    assert restorer.stdout is not None
    line = restorer.stdout.readline()
    while not line.startswith("step locked"):
        assert line, (busy / "errors.txt").read_text()
        line = restorer.stdout.readline()
    assert waiter.stdin is not None
    waiter.stdin.write("go\n")  # its first connection opens while the file is locked
    waiter.stdin.flush()
    rest, _ = restorer.communicate(timeout=60)
    assert restorer.returncode == 0, rest
    steps = _steps(line + rest)
    time.sleep(0.5)
    _stop(waiter, waiting)
    _stop(other, busy)
    first = _saves(waiting / "saves.log")[0]
    assert steps["locked"] < first["start"] < steps["replaced"] < first["end"], (steps, first)
    assert first["ok"], first
    found = _found(db)
    assert not found.problems and found.is_new
    (kept,) = db.parent.glob("pharmacy.replaced-*.sqlite3")
    in_kept = _found(kept)
    assert not in_kept.problems and in_kept.is_old
    saves = [s for log in (waiting, busy) for s in _saves(log / "saves.log") if s["ok"]]
    lost = [
        s["number"]
        for s in saves
        if s["number"] not in found.participants
        and not (s["end"] < steps["locked"] and s["number"] in in_kept.participants)
    ]
    assert not lost, lost
    late = {s["number"] for s in saves if s["start"] > steps["locked"]}
    assert first["number"] in late and not late & in_kept.participants
    figures.add("restore waits.saves made while a restore held the lock, kept", len(late))


def test_a_second_restore_leaves_one_under_way_alone(template: Template, tmp_path: Path) -> None:
    """The next restore removes what a killed one left, but not the file of one still running."""
    db, copy = _place(template, tmp_path)
    first = _restorer(db, copy, tmp_path / "errors.txt", pause="verified", seconds=2)
    assert first.stdout is not None
    line = first.stdout.readline()
    while not line.startswith("step verified"):
        assert line, (tmp_path / "errors.txt").read_text()
        line = first.stdout.readline()
    with pytest.raises(DatabaseBusy, match="Another restore"):
        backup.restore(db, copy, ADMIN, reason="restored in a test")
    rest, _ = first.communicate(timeout=60)
    assert first.returncode == 0 and rest.strip().endswith("restored"), rest
    found = _found(db)
    assert found.is_new and not found.problems
    assert not list(db.parent.glob("*.restoring*"))


def test_a_tampered_backup_is_refused_naming_the_first_bad_entry(
    template: Template, tmp_path: Path
) -> None:
    db, copy = _place(template, tmp_path)
    edit_file(copy, "UPDATE ledger_entries SET quantity = quantity + 1 WHERE id = 3")
    tampered, before = copy.read_bytes(), db.read_bytes()
    beside = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DatabaseProblem) as refused:
        backup.restore(db, copy, ADMIN, reason="restored in a test")
    message = refused.value.message
    assert "does not verify" in message and "ledger row 3 was changed" in message, message
    assert "first bad audit entry is" in message and "nothing was changed" in message
    assert db.read_bytes() == before and copy.read_bytes() == tampered
    assert sorted(p.name for p in tmp_path.iterdir()) == beside, "nothing beside the backup"
    assert sorted(p.name for p in db.parent.iterdir()) == ["pharmacy.sqlite3"]


def _triggers(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    finally:
        conn.close()
    return sorted(name for (name,) in found)


def test_a_backup_without_its_append_only_triggers_is_refused(
    template: Template, tmp_path: Path
) -> None:
    """A backup whose triggers were dropped (with a database tool) was restored: the live
    database then let `UPDATE returns ...` through and nothing said so. It is refused, naming
    the triggers it lacks and what to do, before the live database is touched."""
    db, copy = _place(template, tmp_path)
    required = _triggers(db)
    assert len(required) > 30
    conn = sqlite3.connect(copy)
    for name in required:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.commit()
    conn.close()
    dropped, before = copy.read_bytes(), db.read_bytes()
    with pytest.raises(Unprotected) as refused:
        backup.restore(db, copy, ADMIN, reason="restored in a test")
    message = refused.value.message
    assert f"The backup {copy} was changed outside the program" in message, message
    assert "append-only protection" in message and required[0] in message
    assert f"(and {len(required) - 6} more)" in message
    assert "not restored, and nothing was changed" in message
    assert "restore an older backup" in message and "audit verify" in message
    assert db.read_bytes() == before and copy.read_bytes() == dropped
    assert sorted(p.name for p in db.parent.iterdir()) == ["pharmacy.sqlite3"]
    assert _triggers(db) == required
    opened = setup.open_database(str(db))
    try:
        with (  # the live database still refuses (its receipts are ledger rows)
            pytest.raises(AppendOnly),
            write_transaction(opened.context.engine) as session,
        ):
            session.execute(text("UPDATE ledger_entries SET quantity = quantity + 5"))
    finally:
        opened.context.engine.dispose()


def test_a_backup_missing_one_trigger_is_refused_naming_it(
    template: Template, tmp_path: Path
) -> None:
    db, copy = _place(template, tmp_path)
    conn = sqlite3.connect(copy)
    conn.execute("DROP TRIGGER returns_no_update")
    conn.commit()
    conn.close()
    with pytest.raises(
        Unprotected, match=r"triggers missing, disabled or altered: returns_no_update\)"
    ):
        backup.restore(db, copy, ADMIN, reason="restored in a test")


def test_a_backup_whose_schema_is_not_text_is_refused_as_damaged(
    template: Template, tmp_path: Path
) -> None:
    """Damage SQLite quotes as bytes that are not text was an 'Unexpected error
    (UnicodeDecodeError)' of the restore: it is the backup's damage, said as such."""
    db, copy = _place(template, tmp_path)
    schema_name_not_text(copy)
    damaged, before = copy.read_bytes(), db.read_bytes()
    with pytest.raises(DatabaseDamaged) as refused:
        backup.restore(db, copy, ADMIN, reason="restored in a test")
    message = refused.value.message
    assert f"The backup {copy} is damaged" in message, message
    assert "not restored, and nothing was changed" in message and "older backup" in message
    assert db.read_bytes() == before and copy.read_bytes() == damaged
    assert sorted(p.name for p in db.parent.iterdir()) == ["pharmacy.sqlite3"]


def test_only_an_administrator_restores(template: Template, tmp_path: Path) -> None:
    """The service checks the role, whatever screen or script calls it: anyone else is refused
    before the backup is copied, and the database and its folder are left as they were."""
    db, copy = _place(template, tmp_path)
    before, listed = db.read_bytes(), sorted(p.name for p in db.parent.iterdir())
    for role in (Role.PHARMACIST, Role.TECHNICIAN, Role.MONITOR):
        someone = Actor(2, "pat", "Pat Other", "PO", role)
        with pytest.raises(NotPermitted, match="may not restore a backup"):
            backup.restore(db, copy, someone, reason="restored in a test")
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == listed
    assert backup.restore(db, copy, ADMIN, reason="restored in a test").replaced_file_kept_at


def test_a_backup_of_another_study_is_refused(template: Template, tmp_path: Path) -> None:
    db, _copy = _place(template, tmp_path)
    other = _build(tmp_path / "other.sqlite3", protocol="OTHER-001")
    before = db.read_bytes()
    with pytest.raises(DatabaseProblem, match="belongs to study OTHER-001"):
        backup.restore(
            db,
            other,
            ADMIN,
            expect_protocol=load_study(default_study_path()).protocol,
            reason="restored in a test",
        )
    assert db.read_bytes() == before, "refused before the database was touched"
    with pytest.raises(DatabaseProblem, match="belongs to study OTHER-001"):
        backup.restore(
            db, other, ADMIN, reason="restored in a test"
        )  # no study named by the caller: read under the lock
    assert sorted(p.name for p in db.parent.iterdir()) == ["pharmacy.sqlite3"]
    found = _found(db)
    assert found.is_old and not found.problems


def test_the_replaced_file_is_kept_whole_and_private(
    template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file the restore makes is owner-only whatever the umask; where the folder does not
    support hard links, a restore into a new place is renamed into place instead."""
    db, copy = _place(template, tmp_path)
    umask = os.umask(0o022)
    try:
        made = backup.restore(db, copy, ADMIN, reason="restored in a test")
        monkeypatch.setattr(os, "link", _no_links)
        elsewhere = backup.restore(
            tmp_path / "new" / "pharmacy.sqlite3", copy, ADMIN, reason="restored in a test"
        )
    finally:
        os.umask(umask)
    assert made.replaced_file_kept_at is not None
    kept = Path(made.replaced_file_kept_at)
    assert not _not_private(db.parent) and not _not_private(tmp_path / "new")
    old, new = _found(kept), _found(db)
    assert old.is_old and not old.problems and new.is_new and not new.problems
    assert json.loads(new.restored[0])["replaced_file_kept_at"] == str(kept)
    assert elsewhere.replaced_file_kept_at is None and _found(Path(elsewhere.database)).is_new


def _no_links(*_args: object) -> None:
    raise OSError(errno.EPERM, "hard links not supported")


def test_a_damaged_database_is_replaced_whole_and_kept_byte_for_byte(
    template: Template, tmp_path: Path
) -> None:
    """--force: a file SQLite cannot read is locked with SQLite's own lock bytes, kept as it
    was, then replaced; no -wal of it is left to be read with the restored database."""
    db, copy = _place(template, tmp_path)
    damaged = b"not a database any more " * 400
    db.write_bytes(damaged)
    Path(f"{db}-wal").write_bytes(b"stale wal")
    Path(f"{db}-wal").chmod(0o644)
    # Called with no one: refused (it restored, its audit entry naming "-" as who restored it).
    with pytest.raises(NotSignedIn, match="A restore is made by an administrator"):
        backup.restore(db, copy, reason="restored in a test")
    assert db.read_bytes() == damaged
    made = restore_forced(db, copy, reason="restored in a test")
    assert made.replaced_file_kept_at is not None
    kept = Path(made.replaced_file_kept_at)
    assert kept.read_bytes() == damaged
    # SQLite itself may drop a -wal it finds invalid; one it keeps goes with the kept copy.
    wal = Path(f"{kept}-wal")
    assert not wal.exists() or wal.read_bytes() == b"stale wal"
    assert not Path(f"{db}-wal").exists() and not _not_private(db.parent)
    found = _found(db)
    assert found.is_new and not found.problems
    with sqlite3.connect(db) as conn:
        [(who,)] = conn.execute(
            "SELECT username FROM audit_entries WHERE action = 'database_restored'"
        ).fetchall()
    assert who == "admin"  # the backup's administrator, checked there


def test_a_damaged_database_still_open_elsewhere_is_not_replaced(
    template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "LOCK_WAIT_SECONDS", 0.5)
    db, copy = _place(template, tmp_path)
    side = tmp_path / "side"
    side.mkdir()
    window = _enroller(db, side, "holder")
    with db.open("r+b") as handle:  # the header overwritten while a window has it open
        handle.write(b"x" * 100)
    before = db.read_bytes()
    with pytest.raises(DatabaseBusy, match="has the database"):
        backup.restore(db, copy, ADMIN, reason="restored in a test")
    assert db.read_bytes() == before
    assert not list(db.parent.glob("*.replaced-*")) and not list(db.parent.glob("*.restoring*"))
    window.kill()  # the window is not asked to save: the file under it is damaged


def test_backup_partial_files_are_private_from_their_creation(
    template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed backup leaves its *.partial: SQLite must find it already owner-only."""
    db, _copy = _place(template, tmp_path)
    seen: dict[str, int] = {}
    connect = sqlite3.connect

    def watching(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        name = str(database)
        if name.endswith(".partial"):
            seen[Path(name).name] = stat.S_IMODE(Path(name).stat().st_mode)
        made: sqlite3.Connection = connect(database, *args, **kwargs)
        return made

    monkeypatch.setattr(sqlite3, "connect", watching)
    opened = setup.open_database(str(db))
    umask = os.umask(0o022)
    try:
        admin = users.sign_in(opened.context, "admin", ADMIN_PW)
        made = backup.backup(opened.context, admin, tmp_path / "out" / "copy.sqlite3")
        auto = backup.automatic_backup(opened.context, admin, tmp_path / "auto")
    finally:
        os.umask(umask)
        opened.context.engine.dispose()
    assert auto is not None
    assert seen == {"copy.sqlite3.partial": 0o600, f"{Path(auto.path).name}.partial": 0o600}
    for path in (Path(made.path), Path(auto.path)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert not Path(f"{path}.partial").exists()


def test_a_restore_failing_on_a_full_disk_keeps_no_replaced_copy_and_says_nothing_changed(
    template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills while the restored pages are written into the database (one SQLite
    transaction, rolled back): the copy kept as "replaced" said something was replaced, and
    the message did not say the database was as it was."""
    db, copy = _place(template, tmp_path)
    listed = sorted(p.name for p in db.parent.iterdir())

    def full(self: LockedFile, new: Path, copying: object = None) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LockedFile, "replace_with", full)
    with pytest.raises(DiskFull) as refused:
        backup.restore(db, copy, ADMIN, reason="restored in a test")
    assert sorted(p.name for p in db.parent.iterdir()) == listed, "no replaced-* left"
    assert "nothing was changed" in refused.value.message
    assert "No space left on the disk for the restored database" in refused.value.message
    found = _found(db)
    assert found.is_old and not found.problems


def test_a_read_only_disk_is_named_as_such(
    template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EROFS was "This account may not write ... Check the folder's permissions": no
    permission helps on a write-protected disk or a read-only mount."""
    db, copy = _place(template, tmp_path)

    def read_only(source: Path, target: Path) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(backup, "copy_database_private", read_only)
    with pytest.raises(ReadOnlyDatabase) as refused:
        backup.restore(db, copy, ADMIN, reason="restored in a test")
    message = refused.value.message
    assert "is read-only (a write-protected disk, a read-only mount)" in message, message
    assert "permissions" not in message and "nothing was changed" in message
    assert "Technical detail" in message and message.index("Technical detail") > message.index(
        "nothing was changed"
    )
