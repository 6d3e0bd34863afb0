"""Two or three workstations on one database at once: dispensing, receiving, enrolling,
recording returns and quarantining, contending on purpose for the same participants, kits and
shipment numbers.

Whatever the interleaving: no kit is in two dispenses, no participant gets a cycle twice, every
refusal is a clean DispensaryError (never "database is locked" or an IntegrityError leaking
out), the books balance and the audit chain verifies. On SQLite (WAL, busy timeout, BEGIN
IMMEDIATE) and, with DISPENSARY_TEST_DB set, on PostgreSQL (the chain-head row locked FOR
UPDATE by every write).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from dispensary.db import migrate
from dispensary.db.engine import make_engine, write_transaction
from dispensary.domain.audit_actions import AuditAction
from dispensary.services import audit
from dispensary.services.audit import Recorder

from .checks import everything
from .conftest import Figures
from .sites import build_site, password, start_worker

PG_ENV = "DISPENSARY_TEST_DB"
NEEDS_PG = pytest.mark.skipif(
    not os.environ.get(PG_ENV),
    reason=f"needs a PostgreSQL server: set {PG_ENV} (scripts/test does, with scripts/pg_cluster.sh)",
)
STATIONS = ("pharm", "pharm2", "pharm3")
WORKER_TIMEOUT_S = 1800  # a bound against a hang, far above a normal run


@pytest.fixture
def server_database() -> Iterator[str]:
    """An empty database of its own on the PostgreSQL server, dropped afterwards."""
    server = os.environ[PG_ENV]
    name = f"rel_{os.getpid()}_{time.monotonic_ns()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def run_workstations(url: str, tmp: Path, operations: int, seed: int) -> list[dict[str, str]]:
    site = build_site(url, kits=400, enrolled=150)
    log, errors = tmp / "stations.log", tmp / "stations.err"
    try:
        workers = [
            start_worker(
                "workstation.py",
                url,
                name,
                password(name),
                str(seed + i),
                str(operations),
                str(log),
                errors=errors,
                stdin=True,
            )
            for i, name in enumerate(STATIONS)
        ]
        for worker in workers:  # every station has opened the database and signed in
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready", errors.read_text()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.close()
        for worker in workers:
            assert worker.wait(timeout=WORKER_TIMEOUT_S) == 0, errors.read_text()
            assert worker.stdout is not None
            worker.stdout.close()
        entries = [json.loads(x) for x in log.read_text().splitlines()]
        problems = everything(site.ctx, site.actors["monitor"])
        assert not problems, problems[:10]
    finally:
        site.ctx.engine.dispose()
    return entries


def _judge(entries: list[dict[str, str]], expected: int, figures: Figures, label: str) -> None:
    assert len(entries) == expected
    errors = [e for e in entries if e["outcome"] == "error"]
    assert not errors, errors[0]["message"]
    outcomes = Counter(e["outcome"] for e in entries)
    refusals = Counter(e["kind"] for e in entries if e["outcome"] == "refused")
    done = Counter(e["op"] for e in entries if e["outcome"] == "ok")
    figures.add(f"{label}.attempts", len(entries))
    figures.add(f"{label}.completed", outcomes["ok"])
    figures.add(f"{label}.refused cleanly", outcomes["refused"])
    print(f"\n{label}: {dict(outcomes)}; completed {dict(done)}; refusals {dict(refusals)}")
    # The contention was real: each kind of clash happened at least once.
    assert done["dispense"] + done["dispense_scanned"] > 0
    assert refusals["RuleViolation"] > 0
    assert done["receive"] > 0 and done["enroll"] > 0 and done["return"] > 0


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=NEEDS_PG),
]


def _url(backend: str, tmp: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return str(tmp / "pharmacy.sqlite3")
    return str(request.getfixturevalue("server_database"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_workstations_contend(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, figures: Figures
) -> None:
    entries = run_workstations(_url(backend, tmp_path, request), tmp_path, 80, seed=11)
    _judge(entries, 3 * 80, figures, f"workstations {backend}")


@pytest.mark.soak
@pytest.mark.parametrize("backend", BACKENDS)
def test_three_workstations_contend_soak(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, figures: Figures
) -> None:
    entries = run_workstations(_url(backend, tmp_path, request), tmp_path, 1000, seed=97)
    _judge(entries, 3 * 1000, figures, f"workstations soak {backend}")


def _wait_for_lock_wait(url: str, deadline_s: float = 60.0) -> None:
    """Until another session of this database waits on a lock (polled, bounded)."""
    probe = create_engine(url, poolclass=NullPool)
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    try:
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            with probe.connect() as conn:
                if conn.execute(query).scalar():
                    return
            threading.Event().wait(0.01)
        raise AssertionError("the second writer never waited for the first")
    finally:
        probe.dispose()


@NEEDS_PG
def test_first_writes_race_for_the_chain_head(server_database: str) -> None:
    """Two first writers on a fresh schema (no chain-head row yet) are serialised: the second
    waits for the first's row and then chains after it; neither fails, nothing forks."""
    engine = make_engine(server_database)
    migrate.upgrade(engine)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    first_holds = threading.Event()
    outcome: dict[str, Any] = {}

    def second_writer() -> None:
        first_holds.wait()
        try:
            with write_transaction(engine) as session:
                outcome["second"] = (
                    Recorder(session, None, now).audit(AuditAction.BACKUP, "test", 2).id
                )
        except Exception as exc:
            outcome["second"] = exc

    thread = threading.Thread(target=second_writer)
    thread.start()
    try:
        with write_transaction(engine) as session:
            outcome["first"] = Recorder(session, None, now).audit(AuditAction.BACKUP, "test", 1).id
            first_holds.set()
            _wait_for_lock_wait(server_database)
    finally:
        first_holds.set()
        thread.join(timeout=120)
    try:
        assert outcome == {"first": 1, "second": 2}
        with write_transaction(engine) as session:
            assert audit.verify_session(session).ok
    finally:
        engine.dispose()
