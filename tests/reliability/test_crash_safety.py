"""Crash safety: a workstation killed (SIGKILL) at random points while dispensing loses nothing
and leaves nothing half-written.

A worker process dispenses cycle 1 to a list of participants. The test reads the worker's
announcement of each SQL statement and kills it after a seeded random number of them, so kills
land before, inside and around transactions. After each kill the database must pass SQLite's
integrity check, every dispense must be whole or absent, every dispense the worker saw commit
must be there, the books must balance and the audit chain must verify. Then the worker restarts
and carries on where the database says it left off.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dispensary.db.engine import read_transaction
from dispensary.db.models import Dispense
from dispensary.services import dispensing, setup
from tamper import triggers_dropped

from .checks import everything, whole_dispenses
from .conftest import Figures
from .sites import DAY1, build_site, password, start_worker, study_number

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is a POSIX signal")

# About 23 SQL statements per dispense: a span of 10 dispenses gives ~5 attempts per kill.
STATEMENTS_PER_KILL_SPAN = 230


@dataclass
class CrashRun:
    kills: int = 0
    restarts: int = 0
    attempts: int = 0
    interrupted: int = 0  # kills that landed while a dispense was under way
    interrupted_committed: int = 0  # ... of which the dispense had committed already
    completed: int = 0
    problems: list[str] = field(default_factory=list)


def _log_lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def _committed(db: Path) -> set[str]:
    opened = setup.open_database(str(db))
    try:
        with read_transaction(opened.context.engine) as s:
            return {d.participant.study_number for d in s.scalars(select(Dispense))}
    finally:
        opened.context.engine.dispose()


def crash_run(tmp: Path, seed: int, participants: int, kills: int) -> CrashRun:
    rng = random.Random(seed)
    db = tmp / "pharmacy.sqlite3"
    site = build_site(str(db), kits=participants + 10, enrolled=participants)
    checker = site.actors["monitor"]
    numbers = tmp / "numbers.txt"
    numbers.write_text("\n".join(study_number(n) for n in range(1, participants + 1)))
    log, errors = tmp / "worker.log", tmp / "worker.err"
    run = CrashRun()
    args = (str(db), "pharm", password("pharm"), str(numbers), str(log))
    try:
        while True:
            worker = start_worker("dispense_loop.py", *args, errors=errors)
            assert worker.stdout is not None
            target = rng.randint(1, STATEMENTS_PER_KILL_SPAN) if run.kills < kills else 0
            killed = False
            for seen, _line in enumerate(worker.stdout, start=1):
                if target and seen >= target:
                    os.kill(worker.pid, signal.SIGKILL)
                    killed = True
                    break
            worker.stdout.close()
            code = worker.wait()
            lines = _log_lines(log)
            assert not [x for x in lines if x.startswith("error")], lines[-3:]
            if not killed:
                assert code == 0, errors.read_text()
                assert lines[-1] == "finished"
                break
            assert code == -signal.SIGKILL
            run.kills += 1
            run.restarts += 1
            committed = _committed(db)
            if lines and lines[-1].startswith("attempt "):
                run.interrupted += 1
                run.interrupted_committed += lines[-1].split()[1] in committed
            done = {x.split()[1] for x in lines if x.startswith("done ")}
            lost = sorted(done - committed)
            found = everything(site.ctx, checker)
            if lost:
                found.append(f"dispenses reported done but not in the database: {lost[:5]}")
            if found:
                run.problems.extend(f"after kill {run.kills}: {p}" for p in found)
                break
        lines = _log_lines(log)
        run.attempts = sum(1 for x in lines if x.startswith("attempt "))
        with read_transaction(site.ctx.engine) as s:
            run.completed = int(s.scalar(select(func.count()).select_from(Dispense)) or 0)
        if not run.problems:
            run.problems.extend(everything(site.ctx, checker))
    finally:
        site.ctx.engine.dispose()
    return run


def _record(figures: Figures, run: CrashRun, prefix: str) -> None:
    figures.add(f"{prefix}.kills survived", run.kills)
    figures.add(f"{prefix}.kills during a dispense", run.interrupted)
    figures.add(f"{prefix}.dispenses attempted", run.attempts)
    figures.add(f"{prefix}.dispenses completed", run.completed)
    print(
        f"\n{prefix}: {run.kills} kills ({run.interrupted} during a dispense, "
        f"{run.interrupted_committed} of those just after its commit), {run.attempts} "
        f"dispenses attempted, {run.completed} completed, nothing lost"
    )


def _assert_complete(run: CrashRun, participants: int, kills: int) -> None:
    assert not run.problems, run.problems[:10]
    assert run.kills == kills
    assert run.completed == participants, "every participant gets cycle 1 in the end"
    assert run.attempts >= participants


def test_killed_worker_loses_nothing(tmp_path: Path, figures: Figures) -> None:
    run = crash_run(tmp_path, seed=20260105, participants=90, kills=20)
    _record(figures, run, "crash")
    _assert_complete(run, 90, 20)


@pytest.mark.soak
def test_killed_worker_loses_nothing_soak(tmp_path: Path, figures: Figures) -> None:
    run = crash_run(tmp_path, seed=7198672, participants=1000, kills=200)
    _record(figures, run, "crash soak")
    _assert_complete(run, 1000, 200)


HALF_WRITES = {
    "signature missing": "DELETE FROM signatures WHERE record_type = 'dispense'",
    "ledger row missing": "DELETE FROM ledger_entries WHERE kind = 'dispense'",
    "kit back on the shelf": "UPDATE kits SET status = 'available' WHERE status = 'dispensed'",
    "kit line missing": "DELETE FROM dispense_kits",
    "audit entry missing": "DELETE FROM audit_entries WHERE action = 'dispense'",
}


@pytest.mark.parametrize("half_write", sorted(HALF_WRITES))
def test_the_checks_see_a_half_written_dispense(tmp_path: Path, half_write: str) -> None:
    """The after-kill checks are not vacuous: each piece of a dispense missing is reported."""
    db = tmp_path / "pharmacy.sqlite3"
    site = build_site(str(db), kits=3, enrolled=1)
    try:
        dispensing.dispense_cycle(
            site.ctx, site.pharmacist, study_number(1), 1, DAY1, password("pharm")
        )
        assert not everything(site.ctx, site.actors["monitor"])
        conn = sqlite3.connect(db)
        try:
            conn.execute("PRAGMA foreign_keys = OFF")
            with triggers_dropped(conn):  # the append-only triggers refuse a deletion
                conn.execute(HALF_WRITES[half_write])
        finally:
            conn.close()
        assert whole_dispenses(site.ctx), half_write
    finally:
        site.ctx.engine.dispose()
