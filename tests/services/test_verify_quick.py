"""The quick pass of `audit verify` (services/verification._quick): on a trail that verifies it
gives the walk's own result without the walk; on anything else it gives up and the walk names
the problem as it always has. Its bulk checks run, on a big database, on SQLite in a second
process (services/verification_jobs), on PostgreSQL on the server over two more connections in
the verification's snapshot (_ServerJobs); on the verification's own connection otherwise."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dispensary.db import facts
from dispensary.db.engine import is_sqlite, read_transaction
from dispensary.services import audit, participants, returns, verification, verification_jobs
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import VerifyResult

from .conftest import Stock
from .helpers import busy_pharmacy, dispense, sql

Password = Callable[[Actor], str]
WALK = verification._walk_all


@pytest.fixture
def busy(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> Context:
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))
    return ctx


def _sqlite_only(ctx: Context) -> None:
    if not is_sqlite(ctx.engine):
        pytest.skip("SQLite's worker process")


def _postgres_only(ctx: Context) -> None:
    if is_sqlite(ctx.engine):
        pytest.skip("PostgreSQL's server jobs")


class Walks:
    """Counts the row-by-row walks made (the quick pass gave up each time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made = 0
        real = verification._walk_all

        def counted(*args: Any) -> VerifyResult:
            self.made += 1
            return real(*args)

        monkeypatch.setattr(verification, "_walk_all", counted)


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Walks]:
    yield Walks(monkeypatch)


def _walked(ctx: Context) -> VerifyResult:
    """The walk's own result, without the quick pass."""
    with read_transaction(ctx.engine) as session:
        return WALK(session, verification._Source(session))


def _fields(result: VerifyResult) -> tuple[Any, ...]:
    return dataclasses.astuple(result)


def test_a_trail_that_verifies_is_passed_without_the_walk(
    busy: Context, monitor: Actor, walks: Walks
) -> None:
    quick = audit.verify(busy, monitor)
    assert quick.ok, quick.message
    assert walks.made == 0
    assert _fields(quick) == _fields(_walked(busy))


def test_the_worker_process_gives_the_same_answers(
    busy: Context, monitor: Actor, walks: Walks, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sqlite_only(busy)
    started: list[Any] = []
    real = verification.subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> Any:
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(verification, "WORKER_ROWS", 0)
    monkeypatch.setattr(verification.subprocess, "Popen", popen)
    quick = audit.verify(busy, monitor)
    assert len(started) == 1
    assert quick.ok and walks.made == 0
    assert _fields(quick) == _fields(_walked(busy))
    sql(busy, "UPDATE returns SET tablets = tablets + 1 WHERE id = 1")
    changed = audit.verify(busy, monitor)
    assert len(started) == 2 and walks.made == 1
    assert not changed.ok and "returns row 1" in changed.message


def test_the_listings_made_here_beside_the_worker_still_catch_an_edit(
    busy: Context, monitor: Actor, walks: Walks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listings of HERE are made by this process while the worker makes the rest: their
    answers are put back in the jobs' order, and an edit there is still found."""
    _sqlite_only(busy)
    here: list[str] = []
    real = verification.verification_jobs.run

    def run(cursor: Any, jobs: Any, bounds: Any) -> Any:
        here.extend(job[1] for job in jobs)
        return real(cursor, jobs, bounds)

    monkeypatch.setattr(verification, "WORKER_ROWS", 0)
    monkeypatch.setattr(verification, "HERE", frozenset({"dispenses"}))
    monkeypatch.setattr(verification.verification_jobs, "run", run)
    quick = audit.verify(busy, monitor)
    assert quick.ok and walks.made == 0, quick.message
    assert here == ["dispenses"]  # the worker made the others
    assert _fields(quick) == _fields(_walked(busy))
    sql(busy, "UPDATE dispenses SET tablets = tablets + 1 WHERE id = 1")
    changed = audit.verify(busy, monitor)
    assert walks.made == 1
    assert not changed.ok and "dispenses row 1" in changed.message


def test_a_worker_that_fails_leaves_the_jobs_to_this_process(
    busy: Context, monitor: Actor, walks: Walks, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sqlite_only(busy)
    monkeypatch.setattr(verification, "WORKER_ROWS", 0)
    monkeypatch.setattr(verification.sys, "executable", "/bin/false")
    quick = audit.verify(busy, monitor)
    assert quick.ok and walks.made == 0
    assert _fields(quick) == _fields(_walked(busy))


def test_rows_the_sql_writes_otherwise_are_encoded_in_python_and_still_pass(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    walks: Walks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A platelet count not whole (a fact table's odd row), text outside ASCII in the chains
    (a recount's reason in its audit entry and ledger rows): passed by the quick pass,
    with the worker too; an edit of the odd row is still named. PostgreSQL writes the fraction
    as Python does: only the chains' text outside ASCII is encoded in Python there."""
    password = pw(pharmacist)
    participants.enroll(
        ctx,
        pharmacist,
        "01-002",
        "CD",
        1980,
        "F",
        'Dr Lüu "药" \\',
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    result = dispense(ctx, pharmacist, password, "01-001", platelet_count=152.25)
    first = returns.record_return(
        ctx, pharmacist, result.kits[0].kit, 2, password, dispense=result.number, note="药 é"
    )
    returns.correct_return(ctx, pharmacist, first.return_id, 3, "数错了 recount", password)
    encoded: list[tuple[str, int]] = []
    chained, odd = verification._python_chained, verification._Odd.take

    def python_chained(source: Any, table: Any, ids: Any) -> bool:
        encoded.extend((table.name, i) for i in ids)
        return chained(source, table, ids)

    def take(self: Any, listed: str) -> bool:
        encoded.append((self.table.name, self.next))
        return odd(self, listed)

    monkeypatch.setattr(verification, "_python_chained", python_chained)
    monkeypatch.setattr(verification._Odd, "take", take)
    for worker_rows in (verification.WORKER_ROWS, 0):
        monkeypatch.setattr(verification, "WORKER_ROWS", worker_rows)
        encoded.clear()
        verified = audit.verify(ctx, monitor)
        assert verified.ok and walks.made == 0, verified.message
        assert _fields(verified) == _fields(_walked(ctx))
        in_python = {"audit_entries", "ledger_entries"}
        if is_sqlite(ctx.engine):
            in_python.add("dispenses")
        assert {t for t, _i in encoded} == in_python
    sql(ctx, "UPDATE dispenses SET platelet_count = 152.5 WHERE platelet_count = 152.25")
    changed = audit.verify(ctx, monitor)
    assert walks.made == 1
    assert not changed.ok and "dispenses row" in changed.message


@pytest.mark.parametrize(
    "edit, named",
    [
        ("UPDATE returns SET tablets = tablets + 1 WHERE id = 1", "returns row 1"),
        ("UPDATE ledger_entries SET quantity = quantity + 1 WHERE id = 3", "ledger row 3"),
        ("UPDATE audit_entries SET reason = 'x' WHERE id = 4", "audit entry 4"),
        ("UPDATE kits SET status = 'available' WHERE number = 'K0011'", "kits row 11"),
        ("DELETE FROM signatures WHERE id = 2", "signatures row 2"),
    ],
)
def test_on_any_difference_the_walk_names_it(
    busy: Context, monitor: Actor, walks: Walks, edit: str, named: str
) -> None:
    sql(busy, edit)  # with the triggers dropped, as a database tool would
    changed = audit.verify(busy, monitor)
    assert walks.made == 1
    assert not changed.ok and named in changed.message
    assert _fields(changed) == _fields(_walked(busy))


def _chain_rows(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, body TEXT, prev TEXT, own TEXT)")
    prev = verification_jobs.GENESIS
    for i in range(1, 6):
        body = f"row {i}"
        own = verification._hash(prev + body)
        db.execute("INSERT INTO c VALUES (?, ?, ?, ?)", (i, body, prev, own))
        prev = own


CHAIN_SQL = "SELECT id, CAST(prev || body AS BLOB), prev, own FROM c WHERE id <= ? ORDER BY id"


def test_the_chain_job_checks_ids_links_and_hashes() -> None:
    db = sqlite3.connect(":memory:")
    _chain_rows(db)
    last = db.execute("SELECT own FROM c WHERE id = 5").fetchone()[0]
    assert verification_jobs.chain(db.cursor(), CHAIN_SQL, 5) == [True, 5, last, []]
    assert verification_jobs.chain(db.cursor(), CHAIN_SQL, 3)[:2] == [True, 3]
    for edit in (
        "UPDATE c SET prev = own WHERE id = 1",  # a link
        "DELETE FROM c WHERE id = 3",  # a gap
        "UPDATE c SET id = 0 WHERE id = 1",  # an id no program gives
    ):
        db.execute("SAVEPOINT s")
        db.execute(edit)
        assert verification_jobs.chain(db.cursor(), CHAIN_SQL, 5)[0] is False, edit
        db.execute("ROLLBACK TO s")
    # A text whose digest is not the row's own hash: for the caller to encode in Python.
    db.execute("UPDATE c SET body = 'row 3.' WHERE id = 3")
    assert verification_jobs.chain(db.cursor(), CHAIN_SQL, 5) == [True, 5, last, [3]]


def _fetched_chain(db: sqlite3.Connection, sql: str, bound: int) -> list[Any]:
    """The chain check as it was made before the rows were hashed inside the statement: each
    row fetched into Python (the reference the job's answers are held against)."""
    expected, prev, count, doubts = 1, verification_jobs.GENESIS, 0, []
    for row_id, text, stored_prev, own in db.execute(sql, (bound,)).fetchall():
        if row_id != expected or stored_prev != prev or not isinstance(own, str):
            return [False]
        if text is None or verification._sha256(text).hexdigest() != own:
            doubts.append(row_id)
        expected, prev, count = row_id + 1, own, count + 1
    return [True, count, prev, doubts]


def test_the_chain_job_hashed_inside_the_statement_answers_as_rows_fetched_did() -> None:
    """Each row handed to the job's function as SQLite reads it gives the answer of the rows
    fetched one by one; rows in another order than their ids are a broken chain; the function
    is taken off the connection after (it may be the verification's own)."""
    db = sqlite3.connect(":memory:")
    _chain_rows(db)
    edits = (
        "",
        "UPDATE c SET body = 'row 2!' WHERE id = 2",  # a doubt
        "UPDATE c SET body = NULL WHERE id = 4",  # no text: a doubt
        "UPDATE c SET prev = NULL WHERE id = 3",
        "UPDATE c SET own = 5 WHERE id = 5",
        "DELETE FROM c WHERE id = 1",
    )
    for edit in edits:
        db.execute("SAVEPOINT s")
        if edit:
            db.execute(edit)
        for bound in (0, 3, 5):
            job = verification_jobs.chain(db.cursor(), CHAIN_SQL, bound)
            reference = _fetched_chain(db, CHAIN_SQL, bound)
            assert job[: len(reference)] == reference, (edit, bound)
        db.execute("ROLLBACK TO s")
    backwards = CHAIN_SQL.replace("ORDER BY id", "ORDER BY id DESC")
    assert verification_jobs.chain(db.cursor(), backwards, 5)[0] is False
    for name, width in (
        (verification_jobs.CHAIN_FUNCTION, 4),
        (verification_jobs.TOKEN_FUNCTION, 3),
    ):
        with pytest.raises(sqlite3.OperationalError):
            db.execute(f"SELECT {name}({', '.join('1' * width)})")


def test_the_listing_digest_is_each_row_s_id_and_hash_in_order_but_the_odd() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE f (id INTEGER PRIMARY KEY, body TEXT, odd INTEGER)")
    rows = [(1, "a", 0), (2, "b", 0), (3, "c", 1), (4, None, 0)]
    db.executemany("INSERT INTO f VALUES (?, ?, ?)", rows)
    listing = "SELECT id, CAST(body AS BLOB), odd FROM f WHERE id <= ? ORDER BY id"
    expected = verification._hash(
        "".join(
            verification_jobs.token(i, verification._hash(t) if t else "")
            for i, t in [(1, "a"), (2, "b"), (4, "")]
        )
    )
    assert verification_jobs.listing(db.cursor(), listing, 4) == [3, expected]
    assert verification_jobs.listing(db.cursor(), listing, 3)[0] == 2


def test_the_timed_chain_job_checks_the_times_too() -> None:
    db = sqlite3.connect(":memory:")
    _chain_rows(db)
    db.execute("ALTER TABLE c ADD COLUMN at TEXT")
    db.execute("UPDATE c SET at = '2026-01-05 09:00:0' || id || '.000000'")
    timed = CHAIN_SQL.replace("prev, own FROM", "prev, own, at FROM")
    assert verification_jobs.chain(db.cursor(), timed, 5, timed=True)[:2] == [True, 5]
    for edit in (
        "UPDATE c SET at = '2026-01-05 08:00:00.000000' WHERE id = 3",  # back in time
        "UPDATE c SET at = '2026-01-05T09:00:03.000000' WHERE id = 3",  # not as stored
        "UPDATE c SET at = NULL WHERE id = 3",
    ):
        db.execute("SAVEPOINT s")
        db.execute(edit)
        assert verification_jobs.chain(db.cursor(), timed, 5, timed=True)[0] is False, edit
        db.execute("ROLLBACK TO s")


def test_the_server_jobs_read_the_verification_s_snapshot_on_a_second_connection(
    busy: Context, monitor: Actor, walks: Walks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL, a big database: the jobs run on two more connections, from threads, in the
    verifying transaction's snapshot; their answers are those of the verification's own
    connection, and an edit is still named."""
    _postgres_only(busy)
    threads: list[str] = []
    real = verification._run_server_jobs

    def run(dbapi: Any, jobs: Any, bounds: Any) -> Any:
        threads.append(verification.threading.current_thread().name)
        return real(dbapi, jobs, bounds)

    monkeypatch.setattr(verification, "WORKER_ROWS", 0)
    monkeypatch.setattr(verification, "_run_server_jobs", run)
    quick = audit.verify(busy, monitor)
    assert threads == ["dispensary-verify"] * 2  # the audit entries' chain, and the rest
    assert quick.ok and walks.made == 0, quick.message
    assert _fields(quick) == _fields(_walked(busy))
    monkeypatch.setattr(verification, "WORKER_ROWS", 10**12)
    threads.clear()
    assert _fields(audit.verify(busy, monitor)) == _fields(quick)
    assert threads == [verification.threading.main_thread().name]
    monkeypatch.setattr(verification, "WORKER_ROWS", 0)
    sql(busy, "UPDATE signatures SET meaning = meaning || '.' WHERE id = 2")
    changed = audit.verify(busy, monitor)
    assert walks.made == 1
    assert not changed.ok and "signatures row 2" in changed.message


def test_server_jobs_that_fail_are_answered_on_the_verification_s_connection(
    busy: Context, monitor: Actor, walks: Walks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot the other connections cannot take (gone, or refused): the jobs are answered
    in the verifying transaction, and the result is the same."""
    _postgres_only(busy)
    monkeypatch.setattr(verification, "WORKER_ROWS", 0)
    real = verification._ServerJobs.__init__

    def init(self: Any, session: Any, jobs: Any, bounds: Any, snapshot: Any) -> None:
        real(self, session, jobs, bounds, "00000000-00000000-1")  # no such snapshot

    monkeypatch.setattr(verification._ServerJobs, "__init__", init)
    quick = audit.verify(busy, monitor)
    assert quick.ok and walks.made == 0, quick.message
    assert _fields(quick) == _fields(_walked(busy))


def test_a_statement_the_server_refuses_leaves_the_walk_its_transaction(
    busy: Context, monitor: Actor, walks: Walks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the quick pass runs inside a savepoint, so an error there (a value the
    server's text cannot take) leaves the walk a transaction it can read in."""
    _postgres_only(busy)
    monkeypatch.setattr(facts, "pg_odd_sql", lambda _table: "(1 / 0 = 1)")
    verified = audit.verify(busy, monitor)
    assert verified.ok and walks.made == 1, verified.message
