"""On SQLite `audit verify` has the SQL write each row's canonical text (db/facts.text_sql) and
only hashes it in Python. The SQL's text must be Python's (facts.python_text) for every row the
program writes; for any other row it must be JSON of the values Python reads in the row, or of
values Python never writes there (a one-element array, a string where a number goes): then its
hash cannot be the hash Python's text of the row had when it was written unless the row is as it
was, and on a hash that differs the verifier encodes the row in Python before it says anything."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from dispensary.db import facts
from dispensary.db.engine import is_sqlite
from dispensary.db.models import Base, UTCDateTime
from dispensary.services import audit, participants, returns, verification
from dispensary.services.context import Actor, Context, FixedClock

from .conftest import Stock
from .helpers import busy_pharmacy, dispense, sql

Password = Callable[[Actor], str]

SCRATCH = Table(
    "scratch",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("n", Integer),
    Column("s", String(40)),
    Column("t", Text),
    Column("at", UTCDateTime),
    Column("d", Date),
    Column("b", Boolean),
    Column("f", Float),
    Column("tail", Integer),
)

ODD_VALUES: dict[str, list[Any]] = {
    "n": [0, -7, 2**62, "12", "x", 12.0, 12.5, b"\x01"],
    "s": [
        "plain",
        'a "quoted" \\ back',
        "tab\there",
        "new\nline",
        "nul\x00",
        "é 药盒 \u2028",
        "\x7f",
        "😀",
        "",
        5,
        5.5,
    ],
    "t": ['{"ledger":[[1,"ab"]]}', "line\r\nbreak", "\x1f", "\\u0041", 3],
    "at": [
        "2026-01-05 09:00:00.000000",
        "2026-01-05T09:00:00.000000",
        "2026-01-05x09:00:00.000000",
        "2026-01-05 09:00:00",
        "2026-01-05T09:00:00.000000+00:00",
        "garbage",
        5,
        '2026-01-05 09:00:00.00000"',
        "null",
        # Spaces besides the 11th character (the SQL writes each space as the ISO 'T').
        "2026-01-05 09:00:00 000000",
        "2026-01-05 09:00:00T000000",
        "2026-01-05 09:00 00.000000",
        " 026-01-05 09:00:00.000000",
        "2026-01-0  09:00:00.000000",
        "2026-01-05  9:00:00.000000",
    ],
    "d": ["2026-01-05", "20260105", "2026-1-5", "abcd-efghi", 20260105, "null"],
    "b": [0, 1, 2, "1", 1.0, "true"],
    "f": [
        152.0,
        1.0,
        -3.0,
        0.0,
        -0.0,
        0.1,
        152.5,
        1e15,
        1e16,
        1 / 3,
        0.30000000000000004,
        7,
        "9",
        "abc",
        1e300,
    ],
    "tail": [None, 1],
}


def _scratch_rows() -> list[dict[str, Any]]:
    base: dict[str, Any] = {
        "n": 1,
        "s": "s",
        "t": "t",
        "at": "2026-01-05 09:00:00.123456",
        "d": "2026-01-05",
        "b": 1,
        "f": 60.0,
        "tail": None,
    }
    rows = [dict(base), dict.fromkeys(base)]
    for name, values in ODD_VALUES.items():
        for value in [*values, None]:
            rows.append({**base, name: value})
    return [{"id": i + 1, **row} for i, row in enumerate(rows)]


def _python(table: Table, reader: facts.Reader, raw: tuple[Any, ...]) -> str | None:
    try:
        values = reader.values(raw[:-1]) if raw[-1] else raw[:-1]
        return facts.python_text(table.name, reader.names, values)
    except (facts.Unreadable, TypeError, AttributeError):
        return None  # Python refuses it (named as unreadable, or a program error as before)


def _python_can_write(kind: str, value: Any) -> bool:
    """Whether Python's canonical text can hold `value` for a column of `kind`."""
    if value is None:
        return kind != "bool"
    if kind in ("Integer",):
        return type(value) is int
    if kind == "Boolean":
        return type(value) is int and value in (0, 1)
    if kind == "bool":
        return type(value) is bool
    if kind == "Float":
        return type(value) is float
    if kind in ("UTCDateTime", "at"):  # facts.timestamp of an aware moment
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return moment.tzinfo is not None and facts.timestamp(moment) == value
    if kind == "Date":
        return isinstance(value, str) and len(value) == 10 and value[4] == "-"
    return isinstance(value, str)


def _possible(table: Table, decoded: Any) -> bool:
    """Whether `decoded` is the content of a canonical text Python could have written of some
    row of `table` (so the SQL's text could be taken for it)."""
    if isinstance(decoded, dict):
        kinds = facts.AUDIT_KINDS if table.name == "audit_entries" else facts.LEDGER_KINDS
        return set(decoded) <= set(kinds) and all(
            _python_can_write(kinds[k], v) for k, v in decoded.items()
        )
    kinds = {c.name: type(c.type).__name__ for c in table.columns}
    name, names, values = decoded
    return name == table.name and all(
        _python_can_write(kinds[n], v) for n, v in zip(names, values, strict=True)
    )


def _check_rows(table: Table, db: sqlite3.Connection, dump: Callable[[Any], str]) -> set[int]:
    """Every row: the SQL's text is Python's, or decodes to values whose canonical text is
    Python's text of the row, or to values Python never writes in such a row; returns how many
    were Python's exactly (their ids)."""
    reader = facts.reader(table, sqlite=True)
    same: set[int] = set()
    for (row_id,) in db.execute(f'SELECT id FROM "{table.name}" ORDER BY id').fetchall():
        raw = db.execute(f'SELECT {reader.select} FROM "{table.name}" WHERE id = ?', (row_id,))
        python = _python(table, reader, raw.fetchone())
        try:
            (sql,) = db.execute(
                f'SELECT {facts.text_sql(table)} FROM "{table.name}" WHERE id = ?', (row_id,)
            ).fetchone()
        except sqlite3.Error:
            continue  # bytes: the verifier reads that window in Python
        if sql == python:
            same.add(row_id)
            continue
        decoded = json.loads(sql)
        assert not _possible(table, decoded) or dump(decoded) == python, (row_id, sql, python)
    return same


def test_odd_values_never_give_python_s_text_of_other_values() -> None:
    db = sqlite3.connect(":memory:")
    columns = ", ".join(f'"{c.name}"' for c in SCRATCH.columns)
    db.execute(f"CREATE TABLE scratch ({columns})")
    rows = _scratch_rows()
    db.executemany(
        f"INSERT INTO scratch VALUES ({', '.join('?' * len(SCRATCH.columns))})",
        [tuple(r[c.name] for c in SCRATCH.columns) for r in rows],
    )
    same = _check_rows(SCRATCH, db, lambda v: facts.content_text(v[0], v[1], v[2]))
    assert {1, 2} <= same  # the program's forms are the SQL's own


def test_odd_values_in_the_chains_never_give_python_s_text_of_other_values() -> None:
    db = sqlite3.connect(":memory:")
    chained = [Base.metadata.tables["audit_entries"], Base.metadata.tables["ledger_entries"]]
    for table in chained:
        db.execute(f'CREATE TABLE "{table.name}" ({", ".join(c.name for c in table.columns)})')
    plain = {
        "at": "2026-01-05 09:00:00.123456",
        "entry_date": "2026-01-05",
        "from_returned": 0,
        "facts": '[["kits",1,"ab"]]',
        "new": '{"a":"b"}',
        "id": 1,
    }
    odd: dict[str, list[Any]] = {
        "at": [None, "2026-01-05T09:00:00", "x"],
        "from_returned": [None, 1, 2, "0"],
        "facts": ["", None, 0],
        "audit_entry_id": [None, 3, "3"],
        "username": ["naïve", "a\nb", 7, "\x7f"],
        "new": ['{"a":"é"}', '"q" \\'],
        "quantity": [-21, "21", 21.0],
    }
    for table in chained:
        names = [c.name for c in table.columns]
        numbers = {c.name for c in table.columns if isinstance(c.type, Integer)}
        variants = [{}] + [{k: v} for k, vs in odd.items() if k in names for v in vs]
        for i, change in enumerate(variants):
            row = {n: plain.get(n, 2 if n in numbers else "v") for n in names}
            row.update(change, id=i + 1)
            db.execute(
                f'INSERT INTO "{table.name}" VALUES ({", ".join("?" * len(names))})',
                [row[n] for n in names],
            )
        assert 1 in _check_rows(table, db, facts.canonical)


@pytest.fixture
def busy(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> Context:
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))
    return ctx


def test_the_sql_writes_python_s_text_of_every_row_the_program_writes(busy: Context) -> None:
    if not is_sqlite(busy.engine):
        pytest.skip("the SQL's text is SQLite's")
    with busy.engine.connect() as conn:
        db = conn.connection.driver_connection
        assert isinstance(db, sqlite3.Connection)
        for table in Base.metadata.sorted_tables:
            if table.name in facts.UNTRACKED and table.name not in (
                "audit_entries",
                "ledger_entries",
            ):
                continue
            reader = facts.reader(table, sqlite=True)
            rows = db.execute(
                f'SELECT {reader.select}, {facts.text_sql(table)} FROM "{table.name}"'
            ).fetchall()
            for row in rows:
                assert row[-1] == _python(table, reader, row[:-1]), (table.name, row[0])


def test_rows_the_sql_writes_otherwise_verify_through_python(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """Text with quotes, a backslash and non-ASCII, a platelet count not whole: the
    SQL's text of those rows is not Python's, the verifier encodes them in Python, and the
    trail verifies; then an edit of one is still named."""
    if not is_sqlite(ctx.engine):
        pytest.skip("the SQL's text is SQLite's")
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
    note = 'É ñ 药 "q" \\'
    kit = result.kits[0].kit
    returns.record_return(ctx, pharmacist, kit, 0, password, dispense=result.number, note=note)
    with ctx.engine.connect() as conn:
        odd = conn.execute(text("SELECT count(*) FROM returns WHERE note LIKE '%药%'")).scalar_one()
    assert odd == 1
    verified = audit.verify(ctx, monitor)
    assert verified.ok, verified.message
    sql(ctx, "UPDATE returns SET note = :note WHERE note LIKE '%药%'", note=note + ".")
    changed = audit.verify(ctx, monitor)
    assert not changed.ok and "returns row" in changed.message


def test_a_sqlite_without_json_functions_is_read_in_python(
    busy: Context, monitor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row encoded in Python, as on a server: the trail verifies, an edit is named."""
    monkeypatch.setattr(verification, "_has_json", lambda _dbapi: False)
    verified = audit.verify(busy, monitor)
    assert verified.ok, verified.message
    sql(busy, "UPDATE returns SET tablets = tablets + 1 WHERE id = 1")
    changed = audit.verify(busy, monitor)
    assert not changed.ok and "returns row 1" in changed.message


# -- PostgreSQL: the server writes the text and hashes it (facts.pg_text_sql) ----------------------

PG_COLUMNS = (
    'id integer PRIMARY KEY, n integer, s varchar(40), t text, "at" timestamptz, d date, '
    "b boolean, f double precision, tail integer"
)

PG_ODD_VALUES: dict[str, list[Any]] = {
    "n": [0, -7, 2**31 - 1, -(2**31)],
    "s": [
        "plain",
        'a "quoted" \\ back',
        "tab\there",
        "new\nline",
        "é 药盒 \u2028",
        "\x7f",
        "\x1f",
        "😀",
        "",
        "null",
    ],
    "t": ['{"ledger":[[1,"ab"]]}', "line\r\nbreak", "\\u0041", "[0]"],
    "at": [
        "2026-01-05 09:00:00.123456+00",
        "2026-01-05 17:00:00+08",
        "0001-01-01 00:00:00+00",
        "9999-12-31 23:59:59.999999+00",
        "10000-01-01 00:00:00+00",
        "0044-03-15 12:00:00+00 BC",
        "infinity",
        "-infinity",
    ],
    "d": ["2026-01-05", "0001-01-01", "9999-12-31", "10000-01-01", "0044-03-15 BC", "infinity"],
    "b": [True, False],
    "f": [
        "152",
        "1",
        "-3",
        "0",
        "-0",
        "0.1",
        "152.5",
        "1e15",
        "1e16",
        str(1 / 3),
        "0.30000000000000004",
        "1e-4",
        "1e-5",
        "1e300",
        "NaN",
        "Infinity",
        "-Infinity",
    ],
    "tail": [None, 1],
}


PG_UNWRITTEN = {
    "at": {"10000-01-01 00:00:00+00", "0044-03-15 12:00:00+00 BC", "infinity", "-infinity"},
    "d": {"10000-01-01", "0044-03-15 BC", "infinity"},
    "f": {"0", "-0", "1e15", "1e16", "1e-5", "1e300", "NaN", "Infinity", "-Infinity"},
}
"""Values the server writes otherwise than Python (or Python cannot read): the rest it writes
as Python does. The floats among them are the rows pg_odd_sql flags."""


def _pg_rows() -> list[tuple[dict[str, Any], bool]]:
    """Each row, and whether the server should write it as Python does."""
    base: dict[str, Any] = {
        "n": 1,
        "s": "s",
        "t": "t",
        "at": "2026-01-05 09:00:00.123456+00",
        "d": "2026-01-05",
        "b": True,
        "f": "60",
        "tail": None,
    }
    rows = [(dict(base), True), (dict.fromkeys(base), True)]
    for name, values in PG_ODD_VALUES.items():
        for value in [*values, None]:
            rows.append(({**base, name: value}, value not in PG_UNWRITTEN.get(name, ())))
    return [({"id": i + 1, **row}, same) for i, (row, same) in enumerate(rows)]


def _pg_check_rows(table: Table, conn: Any, dump: Callable[[Any], str]) -> set[int]:
    """_check_rows on a server: its text is Python's, or of values Python never writes there."""
    reader = facts.reader(table, sqlite=False)
    same: set[int] = set()
    ids = conn.execute(text(f'SELECT id FROM "{table.name}" ORDER BY id')).scalars().all()
    dbapi = conn.connection.driver_connection
    for row_id in ids:
        try:
            with conn.begin_nested():
                python: str | None = facts.python_text(
                    table.name, reader.names, reader.by_ids(dbapi, [row_id])[0]
                )
        except Exception:  # a value the driver cannot read (an infinite moment, a date BC)
            python = None
        found = conn.execute(
            text(f'SELECT {facts.pg_text_sql(table)} FROM "{table.name}" WHERE id = :i'),
            {"i": row_id},
        ).scalar_one()
        if found == python:
            same.add(row_id)
            continue
        decoded = json.loads(found)
        assert not _possible(table, decoded) or dump(decoded) == python, (row_id, found, python)
    return same


def _server(ctx: Context) -> None:
    if is_sqlite(ctx.engine):
        pytest.skip("the server's text is PostgreSQL's")


def test_odd_values_on_a_server_never_give_python_s_text_of_other_values(ctx: Context) -> None:
    _server(ctx)
    rows = _pg_rows()
    with ctx.engine.connect() as conn:
        conn.execute(text("SET extra_float_digits = 1"))
        conn.execute(text(f"CREATE TEMP TABLE scratch ({PG_COLUMNS})"))
        names = [c.name for c in SCRATCH.columns]
        conn.execute(
            text(
                f"INSERT INTO scratch ({', '.join(chr(34) + n + chr(34) for n in names)}) "
                f"VALUES ({', '.join(':' + n for n in names)})"
            ),
            [{**r, "f": None if r["f"] is None else float(r["f"])} for r, _same in rows],
        )
        same = _pg_check_rows(SCRATCH, conn, lambda v: facts.content_text(v[0], v[1], v[2]))
        odd = set(
            conn.execute(
                text(f"SELECT id FROM scratch WHERE {facts.pg_odd_sql(SCRATCH)}")
            ).scalars()
        )
    assert same == {r["id"] for r, written in rows if written}
    assert {r["f"] for r, _same in rows if r["id"] in odd} == PG_UNWRITTEN["f"]


def test_odd_values_in_the_chains_on_a_server_never_give_python_s_text_of_other_values(
    ctx: Context,
) -> None:
    _server(ctx)
    chained = [Base.metadata.tables["audit_entries"], Base.metadata.tables["ledger_entries"]]
    odd: dict[str, list[Any]] = {
        "at": [None, "infinity", "0044-03-15 12:00:00+00 BC"],
        "from_returned": [None, True],
        "facts": ["", None],
        "audit_entry_id": [None, 3],
        "username": ["naïve", "a\nb", "\x7f", "null"],
        "new": ['{"a":"é"}', '"q" \\'],
        "quantity": [-21, 0],
    }
    with ctx.engine.connect() as conn:
        for table in chained:
            # A scratch table of the same name, without its triggers and keys, before the real.
            conn.execute(text(f'CREATE TEMP TABLE "{table.name}" (LIKE public."{table.name}")'))
            names = [c.name for c in table.columns]
            for name in names[1:]:  # a tool can write NULL anywhere
                conn.execute(text(f'ALTER TABLE "{table.name}" ALTER "{name}" DROP NOT NULL'))
            plain = {
                "at": "2026-01-05 09:00:00.123456+00",
                "entry_date": "2026-01-05",
                "from_returned": False,
                "facts": '[["kits",1,"ab"]]',
                "new": '{"a":"b"}',
            }
            kinds = {c.name: type(c.type).__name__ for c in table.columns}
            variants = [{}] + [{k: v} for k, vs in odd.items() if k in names for v in vs]
            for i, change in enumerate(variants):
                row = {
                    n: plain.get(n, 2 if kinds[n] == "Integer" else "v")
                    for n in names
                    if n not in ("prev_hash", "row_hash", "entry_hash")
                }
                row.update(change, id=i + 1)
                columns = ", ".join(f'"{n}"' for n in row)
                conn.execute(
                    text(
                        f'INSERT INTO "{table.name}" ({columns}, "prev_hash", '
                        f'"{verification.CHAINED[table.name]}") '
                        f"VALUES ({', '.join(':' + n for n in row)}, 'p', 'h')"
                    ),
                    row,
                )
            assert 1 in _pg_check_rows(table, conn, facts.canonical)
            conn.execute(text(f'DROP TABLE pg_temp."{table.name}"'))


def test_the_server_writes_python_s_text_of_every_row_the_program_writes(busy: Context) -> None:
    _server(busy)
    with busy.engine.connect() as conn:
        db = conn.connection.driver_connection
        cursor = db.cursor()
        cursor.execute("SET extra_float_digits = 1")
        for table in Base.metadata.sorted_tables:
            if table.name in facts.UNTRACKED and table.name not in (
                "audit_entries",
                "ledger_entries",
            ):
                continue
            reader = facts.reader(table, sqlite=False)
            cursor.execute(
                f"SELECT {reader.select}, {facts.pg_text_sql(table)}, "
                f'{facts.pg_hash_sql(facts.pg_text_sql(table))} FROM "{table.name}"'
            )
            for row in cursor.fetchall():
                python = facts.python_text(table.name, reader.names, reader.values(row[:-2]))
                assert row[-2] == python, (table.name, row[0])
                assert row[-1] == verification._hash(python)
