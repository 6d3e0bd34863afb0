"""The records of what happened are append-only by construction (issue 11): the program refuses
to change or delete one (db.guards: the unit of work, ORM bulk statements and Core statements),
the database refuses it too whatever sends the SQL (migration 0004's triggers), and no code of
the program even tries (a grep). On PostgreSQL the workstations' role is also given no UPDATE
or DELETE on them: docs/INSTALL.md's GRANT statements are derived here from the models, and
checked by running a dispense and a return as such a role."""

from __future__ import annotations

import importlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

import dispensary
from dispensary.db import guards
from dispensary.db.engine import is_sqlite, make_engine, read_transaction, write_transaction
from dispensary.db.faults import SQLITE_CONSTRAINT_TRIGGER
from dispensary.db.models import APPEND_ONLY, UPDATED, Base
from dispensary.domain.errors import AppendOnly
from dispensary.services import (
    dispensing,
    participants,
    quarantine,
    reconciliation,
    returns,
    studies,
    temperature,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Observation
from signed import seen_now

from .conftest import Stock
from .helpers import busy_pharmacy, dispense, enroll

SOURCE = Path(dispensary.__file__).resolve().parent
DOCS = SOURCE.parents[1] / "docs" / "INSTALL.md"
MIGRATION = importlib.import_module("dispensary.db.migrations.versions.0004_append_only")
LATER = importlib.import_module("dispensary.db.migrations.versions.0006_protocol_true")
STUDIES = importlib.import_module("dispensary.db.migrations.versions.0008_several_studies")
OBSERVATIONS = importlib.import_module(
    "dispensary.db.migrations.versions.0009_dispense_observations"
)
ENTRY_STUDIES = importlib.import_module(
    "dispensary.db.migrations.versions.0012_audit_entry_studies"
)
ENROLMENT_VOIDS = importlib.import_module("dispensary.db.migrations.versions.0013_enrolment_voids")
FACTS = sorted(APPEND_ONLY, key=lambda model: model.__tablename__)
NAMES = [model.__tablename__ for model in FACTS]
FACT_NAMES = "|".join(sorted({m.__name__ for m in APPEND_ONLY} | set(NAMES)))

Refused = Callable[..., Any]
Password = Callable[[Actor], str]

FORBIDDEN = [
    re.compile(rf"\bupdate\(\s*({FACT_NAMES})\b"),
    re.compile(rf"\bdelete\(\s*({FACT_NAMES})\b"),
    re.compile(rf"\bUPDATE\s+\"?({FACT_NAMES})\b", re.IGNORECASE),
    re.compile(rf"\bDELETE\s+FROM\s+\"?({FACT_NAMES})\b", re.IGNORECASE),
    re.compile(r"\.(update|delete)\(\s*\)"),  # query.update() / query.delete() in bulk
    re.compile(r"session\.delete\("),  # nothing is deleted through the ORM at all
    re.compile(r"\bTRUNCATE\b", re.IGNORECASE),
]
# The modules that refuse them name what they refuse (in their words, not as code that runs).
MAY_NAME_THEM = {Path("db/guards.py"), Path("db/migrations/versions/0004_append_only.py")}


def python_files() -> list[Path]:
    files = sorted(SOURCE.rglob("*.py"))
    assert len(files) > 20 and SOURCE / "services" / "audit.py" in files
    return [f for f in files if f.relative_to(SOURCE) not in MAY_NAME_THEM]


def test_no_code_updates_or_deletes_a_record_of_what_happened() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in python_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if any(pattern.search(line) for pattern in FORBIDDEN)
    ]
    assert found == []


def test_the_patterns_catch_what_they_are_for() -> None:
    offending = [
        "session.execute(update(LedgerEntry).values(quantity=0))",
        "session.execute(delete(AuditEntry))",
        "session.execute(update(DispenseVoid).values(reason=''))",
        "session.execute(update(Return).values(tablets=0))",
        'text("DELETE FROM dispense_voids")',
        'conn.exec_driver_sql("UPDATE ledger_entries SET quantity = 1")',
        'text("delete from audit_entries where id = 3")',
        'text("UPDATE signatures SET meaning = 1")',
        "session.delete(row)",
        "session.query(LedgerEntry).filter_by(id=1).delete()",
    ]
    for line in offending:
        assert any(pattern.search(line) for pattern in FORBIDDEN), line


# -- which tables are facts ------------------------------------------------------------------


INSERTED_ONLY = {"lots", "password_history"}  # only inserted, though not records of events


def test_every_table_is_a_fact_or_named_as_updated() -> None:
    updated = {model.__tablename__ for model in UPDATED}
    assert not updated & set(NAMES) and not updated & INSERTED_ONLY
    assert set(Base.metadata.tables) == set(NAMES) | updated | INSERTED_ONLY
    assert guards.guarded_tables() == set(NAMES)
    triggered = sorted(
        [
            *MIGRATION.TABLES,
            LATER.TRIGGERED,
            STUDIES.ACCESS,
            OBSERVATIONS.TRIGGERED,
            ENTRY_STUDIES.TRIGGERED,
            ENROLMENT_VOIDS.TRIGGERED,
        ]
    )
    assert triggered == NAMES, "the migrations' triggers cover the models' facts"
    assert guards.TRIGGER_WORDS in MIGRATION.WORDS


# -- the program refuses ---------------------------------------------------------------------

LOG = """timestamp,celsius
2026-01-20T08:00:00+00:00,21.0
2026-01-20T09:00:00+00:00,26.5
2026-01-20T10:00:00+00:00,21.0
"""


@pytest.fixture
def every_fact(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    clock: FixedClock,
    pharmacist: Actor,
    technician: Actor,
    monitor: Actor,
    admin: Actor,
    pw: Password,
) -> Context:
    """A pharmacy with at least one record in every append-only table."""
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))
    weight = Observation("weight", "Weight", "kg", False, 20.0, 250.0)
    weighed = replace(ctx, study=replace(ctx.study, observations=(weight,)))
    dispense(
        weighed,
        pharmacist,
        pw(pharmacist),
        "01-002",
        2,
        dose_level=0,
        dose_ordered_by="Dr Liu",
        observations={"weight": 61.0},
    )
    quarantine.quarantine(ctx, technician, ["K0002"], "box crushed")
    temperature.import_logger(ctx, technician, "IP store 1", LOG)
    # S0001 recounted: 10 of 42 tablets back, under-use, a flag to explain (return 3 is its count)
    returns.correct_return(ctx, pharmacist, 3, 10, "recount", pw(pharmacist))
    returns.explain_flag(ctx, pharmacist, "DSP000003", "doses held for nausea")
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 1", seen=seen_now(ctx))
    studies.confirm_rule(ctx, admin, "platelets", "the investigators' written rule")
    enroll(ctx, pharmacist, "01-0009")  # a typo, voided: an enrolment entered in error
    participants.void_enrolment(ctx, pharmacist, "01-0009", "typed wrongly", pw(pharmacist))
    with read_transaction(ctx.engine) as session:
        empty = [m.__tablename__ for m in FACTS if not session.scalar(select(func.count(m.id)))]
    assert empty == []
    return ctx


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    raise AssertionError(f"no change for {value!r}")


def _a_change(model: Any, row: Any) -> tuple[str, Any]:
    """A column of the row that is not its id or a reference, and a different value for it."""
    for column in model.__table__.columns:
        value = getattr(row, column.key)
        if not column.primary_key and not column.foreign_keys and value is not None:
            return column.key, _changed(value)
    raise AssertionError(f"{model.__tablename__} has nothing to change")


def _first(session: Session, model: Any) -> Any:
    return session.scalars(select(model).order_by(model.id).limit(1)).one()


@pytest.mark.parametrize("model", FACTS, ids=NAMES)
def test_a_saved_record_cannot_be_changed(
    model: Any, every_fact: Context, refused: Refused
) -> None:
    ctx = every_fact
    with (
        refused(ctx, AppendOnly, f"Changing {model.__tablename__} row") as info,
        write_transaction(ctx.engine) as session,
    ):
        row = _first(session, model)
        key, value = _a_change(model, row)
        setattr(row, key, value)
    assert f"({key})" in info.value.message and "record a correction" in info.value.message


@pytest.mark.parametrize("model", FACTS, ids=NAMES)
def test_a_saved_record_cannot_be_deleted(
    model: Any, every_fact: Context, refused: Refused
) -> None:
    ctx = every_fact
    with refused(ctx, AppendOnly, "was refused"), write_transaction(ctx.engine) as session:
        session.delete(_first(session, model))


@pytest.mark.parametrize("model", FACTS, ids=NAMES)
def test_bulk_and_core_statements_are_refused(
    model: Any, every_fact: Context, refused: Refused
) -> None:
    ctx = every_fact
    with read_transaction(ctx.engine) as session:
        key, value = _a_change(model, _first(session, model))
    table = model.__table__
    attempts: list[Callable[[Session], Any]] = [
        lambda s: s.execute(update(model).values({key: value})),
        lambda s: s.execute(update(model).where(model.id == 1).values({key: value})),
        lambda s: s.execute(delete(model)),
        lambda s: s.query(model).filter(model.id > 0).update({key: value}),
        lambda s: s.query(model).delete(),
        lambda s: s.connection().execute(update(table).values({key: value})),
        lambda s: s.connection().execute(delete(table)),
    ]
    for attempt in attempts:
        with (
            refused(ctx, AppendOnly, f" {model.__tablename__} was refused"),
            write_transaction(ctx.engine) as session,
        ):
            attempt(session)


# -- the database refuses --------------------------------------------------------------------


def _sqlite_file(ctx: Context) -> Path:
    database = ctx.engine.url.database
    assert database is not None
    return Path(database)


@pytest.mark.parametrize("table", NAMES)
def test_the_database_refuses_sql_from_anywhere(
    table: str, every_fact: Context, snapshot: Callable[[Context], Any]
) -> None:
    ctx = every_fact
    before = snapshot(ctx)
    statements = [f"UPDATE {table} SET id = id", f"DELETE FROM {table}"]
    if is_sqlite(ctx.engine):  # the sqlite3 module on the file, as any database tool
        conn = sqlite3.connect(_sqlite_file(ctx))
        try:
            for statement in statements:
                with pytest.raises(sqlite3.IntegrityError) as info:
                    conn.execute(statement)
                assert info.value.sqlite_errorcode == SQLITE_CONSTRAINT_TRIGGER
                assert str(info.value) == f"{table} {MIGRATION.WORDS}"
                conn.rollback()
        finally:
            conn.close()
    else:  # raw SQL on the server, as psql would send it
        plain = create_engine(ctx.engine.url, poolclass=NullPool)
        try:
            for statement in [*statements, f"TRUNCATE {table} CASCADE"]:
                with plain.connect() as conn, pytest.raises(DBAPIError) as caught:
                    conn.exec_driver_sql(statement)
                assert getattr(caught.value.orig, "sqlstate", None) == "P0001"
                assert MIGRATION.WORDS in str(caught.value.orig)
        finally:
            plain.dispose()
    assert snapshot(ctx) == before


def test_the_database_refusal_is_named_not_taken_for_damage(
    every_fact: Context, refused: Refused
) -> None:
    ctx = every_fact
    with (
        refused(ctx, AppendOnly, "The database refused to change or delete a saved record") as info,
        write_transaction(ctx.engine) as session,
    ):
        session.execute(text("DELETE FROM ledger_entries WHERE id = 1"))
    assert "ledger_entries is append-only" in info.value.message
    assert "Nothing was saved" in info.value.message and "restore" not in info.value.message


def test_the_schema_has_every_trigger(ctx: Context) -> None:
    assert set(installed_triggers(ctx)) == set(expected_triggers(is_sqlite(ctx.engine)))


def expected_triggers(sqlite: bool) -> list[str]:
    suffixes = ("no_update", "no_delete") if sqlite else ("no_update_or_delete", "no_truncate")
    return [f"{table}_{suffix}" for table in NAMES for suffix in suffixes]


def installed_triggers(ctx: Context) -> list[str]:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if is_sqlite(ctx.engine)
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    with ctx.engine.connect() as conn:
        return sorted(name for (name,) in conn.exec_driver_sql(query))


# -- the least-privilege PostgreSQL role (docs/INSTALL.md) ----------------------------------


def app_role_statements(
    role: str = "dispensary_app", database: str = "dispensary", owner: str = "dispensary_owner"
) -> list[str]:
    """The grants of the workstations' role, derived from the models: SELECT and INSERT on
    every table, UPDATE only on the tables the program updates, DELETE and TRUNCATE on none."""
    updated = sorted(model.__tablename__ for model in UPDATED)
    inserted = sorted(set(Base.metadata.tables) - set(updated))
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {role};",
        f"GRANT USAGE ON SCHEMA public TO {role};",
        f"GRANT SELECT ON alembic_version TO {role};",
        f"GRANT SELECT, INSERT ON {', '.join(inserted)} TO {role};",
        f"GRANT SELECT, INSERT, UPDATE ON {', '.join(updated)} TO {role};",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT ON TABLES TO {role};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE ON SEQUENCES TO {role};",
    ]


def _words(text_: str) -> str:
    return " ".join(text_.split())


def test_the_install_guide_grants_what_the_models_say() -> None:
    guide = _words(DOCS.read_text(encoding="utf-8"))
    missing = [s for s in app_role_statements() if _words(s) not in guide]
    assert missing == []
    assert "DELETE" not in " ".join(s for s in re.findall(r"GRANT [^;]*;", guide))


@pytest.fixture
def app_role(ctx: Context) -> Iterator[str]:
    """A login role of this database with the guide's grants (the test's superuser is its
    owner); dropped at the end."""
    if is_sqlite(ctx.engine):
        pytest.skip("a PostgreSQL role: needs DISPENSARY_TEST_DB")
    url = ctx.engine.url
    role = f"dsp_app_{os.getpid()}"
    owner = url.username or "postgres"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
            for statement in app_role_statements(role, f'"{url.database}"', owner):
                conn.exec_driver_sql(statement)
        yield url.set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
            )
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


@pytest.mark.postgres
def test_the_workstations_role_dispenses_and_takes_back_but_cannot_edit(
    ctx: Context, stock: Stock, enrolled: str, app_role: str, pharmacist: Actor, pw: Password
) -> None:
    engine = make_engine(app_role)
    try:
        as_app = Context(engine, ctx.study, ctx.clock, app_role)
        done = dispensing.dispense_cycle(
            as_app, pharmacist, enrolled, 1, ctx.clock.today(), pw(pharmacist)
        )
        back = returns.record_return(
            as_app, pharmacist, done.kits[0].kit, 3, pw(pharmacist), dispense=done.number
        )
        assert back.tablets_returned == 3
        for statement in (
            "UPDATE ledger_entries SET quantity = quantity",
            "DELETE FROM audit_entries",
            "DELETE FROM kits",
            "TRUNCATE signatures",
        ):
            with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
                conn.exec_driver_sql(statement)
            assert getattr(caught.value.orig, "sqlstate", None) == "42501", statement
    finally:
        engine.dispose()
