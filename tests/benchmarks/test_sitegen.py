"""The benchmarks' bulk path writes exactly what the services write (benchmarks/sitegen.py).

A small three-study site is built twice from one base database: once through the real services
(ServiceWriter), once by the bulk path (BulkWriter). Every table must be equal row for row: ids,
values, the facts' content hashes in each audit entry, both hash chains. Normalised columns:
none (the module's docstring says the same).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispensary.db.engine import make_engine, read_transaction
from dispensary.services.verification import verify_session

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import sitegen  # noqa: E402

ROWS = 450  # ledger rows and audit entries: every kind of step, in about 10 s of services
SEED = 1  # a seed whose small site also discontinues participants
STEPS = {
    "sign_in",
    "sign_out",
    "receive",
    "release",
    "enroll",
    "dispense",
    "label_printed",
    "label_reprinted",
    "return",
    "destroy",
    "participant_status",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("sitegen")
    bulk = sitegen.base_copy(folder, "bulk.sqlite3")
    services = sitegen.base_copy(folder, "services.sqlite3")
    sitegen.build(bulk, ROWS, ROWS, seed=SEED)
    sitegen.build(services, ROWS, ROWS, services=True, seed=SEED)
    yield bulk, services


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]


def test_every_table_is_equal_row_for_row(built: tuple[Path, Path]) -> None:
    bulk, services = (sqlite3.connect(path) for path in built)
    assert _tables(bulk) == _tables(services)
    for table in _tables(bulk):
        names = [row[1] for row in bulk.execute(f"PRAGMA table_info({table})")]
        query = f"SELECT * FROM {table} ORDER BY {', '.join(names)}"
        written = bulk.execute(query).fetchall()
        made = services.execute(query).fetchall()
        assert len(written) == len(made), table
        for row, expected in zip(written, made, strict=True):
            assert dict(zip(names, row, strict=True)) == dict(zip(names, expected, strict=True))


def test_the_small_site_makes_every_kind_of_step(built: tuple[Path, Path]) -> None:
    conn = sqlite3.connect(built[0])
    actions = {a for (a,) in conn.execute("SELECT DISTINCT action FROM audit_entries")}
    assert actions >= STEPS
    studies = {s for (s,) in conn.execute("SELECT DISTINCT study_id FROM participants")}
    assert studies == {1, 2, 3}
    assert conn.execute(
        "SELECT COUNT(*) FROM dispenses WHERE checked_by_id IS NOT NULL"
    ).fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM dispense_observations").fetchone()[0]
    several = "SELECT COUNT(*) FROM dispense_kits GROUP BY dispense_id HAVING COUNT(*) > 1"
    assert conn.execute(several).fetchall()  # two kits of a band, or of two products
    head = conn.execute("SELECT audit_count, ledger_count FROM chain_head").fetchone()
    assert head == (ROWS, ROWS)


def test_audit_verify_passes_on_the_bulk_database(built: tuple[Path, Path]) -> None:
    engine = make_engine(str(built[0]))
    try:
        with read_transaction(engine) as session:
            result = verify_session(session)
    finally:
        engine.dispose()
    assert result.ok, result.message
    assert result.entries == ROWS
    assert result.ledger_entries == ROWS
