"""The migrations build the schema the models describe; 0003 gives the voids recorded before it
(dispense ledger rows summing to zero) their row; 0004 puts the append-only triggers on the
records of what happened, and takes them off again on a downgrade."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import signed
from dispensary.db import migrate
from dispensary.db.engine import is_sqlite, make_engine, writing
from dispensary.db.models import Base
from dispensary.domain.codes import KitStatus
from dispensary.services import (
    audit,
    dispensing,
    quarantine,
    queries,
    report_data,
    returns,
    setup,
    users,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .helpers import old_release_copy, open_old_release
from .test_append_only import expected_triggers, installed_triggers

Password = Callable[[Actor], str]
QUARANTINE_TRIGGERS = {"quarantine_events_no_update", "quarantine_events_no_delete"}


def test_the_migrated_schema_is_the_models(ctx: Context) -> None:
    assert migrate.current_revision(ctx.engine) == migrate.head_revision() == "0020"
    with ctx.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        with warnings.catch_warnings():
            # PostgreSQL's index of a destruction's kits (0011) is an expression, which SQLite
            # neither has nor reflects (on PostgreSQL the comparison sees its name: its kind
            # and expression, test_query_plans).
            warnings.filterwarnings("ignore", "autogenerate skipping .* expression-based index")
            differences = compare_metadata(context, Base.metadata)
        if is_sqlite(ctx.engine):
            # SQLite's reflection does not read back the name of a reference added with its
            # column (0005's ledger_entries.audit_entry_id): the reference itself is checked.
            differences = [d for d in differences if not _unnamed_audit_fk(d)]
            fks = inspect(conn).get_foreign_keys("ledger_entries")
            assert {
                "constrained_columns": ["audit_entry_id"],
                "referred_table": "audit_entries",
                "referred_columns": ["id"],
            }.items() <= next(
                f for f in fks if f["constrained_columns"] == ["audit_entry_id"]
            ).items()
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ledger_entries'"
            ).scalar()
            assert "DEFERRABLE INITIALLY DEFERRED" in sql
        assert differences == []


def _unnamed_audit_fk(difference: Any) -> bool:
    if not isinstance(difference, tuple) or difference[0] not in ("add_fk", "remove_fk"):
        return False
    constraint = difference[1]
    return [c.name for c in constraint.columns] == ["audit_entry_id"]


def _voids(ctx: Context) -> list[Any]:
    with ctx.engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                text("SELECT dispense_id, reason, user_id, at FROM dispense_voids ORDER BY id")
            )
        ]


def _migrate(ctx: Context, to: str) -> None:
    with writing(ctx.engine).begin() as conn:
        config = migrate.alembic_config()
        config.attributes["connection"] = conn
        if to == "head":
            command.upgrade(config, to)
        else:
            command.downgrade(config, to)


def test_voids_made_before_the_table_get_their_row(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    dispensing.void_dispense(ctx, pharmacist, "DSP000001", "wrong label", pw(pharmacist))
    dispensing.dispense_cycle(ctx, pharmacist, "01-001", 1, ctx.clock.today(), pw(pharmacist))
    recorded = _voids(ctx)
    assert [v[:3] for v in recorded] == [(1, "wrong label", pharmacist.user_id)]

    _migrate(ctx, "0002")  # as a database voided in before 0003 was
    _migrate(ctx, "head")
    assert _voids(ctx) == recorded
    [live] = queries.participant_history(ctx, pharmacist, "01-001")[1]
    assert live.dispense_number == "DSP000002"


def test_the_append_only_triggers_come_and_go_with_0004(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    sqlite = is_sqlite(ctx.engine)
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    _migrate(ctx, "0003")
    assert installed_triggers(ctx) == []
    with writing(ctx.engine).begin() as conn:  # before 0004, the database let it through
        conn.execute(text("UPDATE signatures SET meaning = meaning"))
    _migrate(ctx, "head")
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    with writing(ctx.engine).begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE signatures SET meaning = meaning"))
    # The records made before and after the upgrade are whole, and the program goes on.
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 1, pw(pharmacist), dispense="DSP000001")
    dispensing.dispense_cycle(ctx, pharmacist, "01-001", 2, clock.today(), pw(pharmacist))
    assert audit.verify(ctx, pharmacist).ok


def _columns(engine: Any, table: str) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def test_0015_gives_the_releases_on_record_no_reference_and_keeps_their_triggers(
    tmp_path: Path, ctx: Context
) -> None:
    """A database at 0014 holding releases (made before a release recorded the sponsor's
    reference): 0015 adds the column in place, the releases hold none and still verify, the
    append-only triggers of quarantine_events are still there (a SQLite table rebuild would
    have dropped them), and the next release records its reference."""
    if not is_sqlite(ctx.engine):
        pytest.skip("the database of release 0007 is a SQLite file")
    path = old_release_copy(tmp_path)
    engine = make_engine(str(path))
    try:
        with writing(engine).connect() as conn:
            # As migrate.upgrade runs them: 0008 rebuilds a table others refer to.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            with conn.begin():
                config = migrate.alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, "0014")
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
        assert "sponsor_reference" not in _columns(engine, "quarantine_events")
        with engine.connect() as conn:
            released = conn.execute(
                text("SELECT count(*) FROM quarantine_events WHERE action = 'release'")
            ).scalar()
        assert released == 6
    finally:
        engine.dispose()
    clock = FixedClock()
    clock.set_date(date(2026, 12, 3), hour=18)
    opened = setup.open_database(str(path), clock)
    ctx = opened.context
    try:
        assert opened.migrated_from == "0014"
        assert migrate.current_revision(ctx.engine) == migrate.head_revision()
        assert "sponsor_reference" in _columns(ctx.engine, "quarantine_events")
        triggers = {
            row[0]
            for row in ctx.engine.connect().exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
        assert triggers >= QUARANTINE_TRIGGERS
        with writing(ctx.engine).begin() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("UPDATE quarantine_events SET sponsor_reference = 'TE-1'"))
        admin = users.sign_in(ctx, "admin", "demo-pass-1")
        assert audit.verify(ctx, admin).ok, "the releases on record verify as they did"
        pharmacist = users.sign_in(ctx, "pharmacist", "demo-pass-1")
        log = report_data.quarantine_log(ctx, pharmacist)
        assert [q.sponsor_reference for q in log if q.action == "release"] == [""] * 6
        kit = next(
            k.number for k in queries.inventory(ctx, pharmacist) if k.status is KitStatus.AVAILABLE
        )
        quarantine.quarantine(ctx, pharmacist, [kit], "box crushed")
        done = quarantine.release(
            ctx, pharmacist, [kit], "sponsor: use", "TE-2026-014", password="demo-pass-1"
        )
        assert done.sponsor_reference == "TE-2026-014"
        assert audit.verify(ctx, admin).ok
    finally:
        ctx.engine.dispose()


def test_0015_comes_and_goes_without_touching_the_triggers(
    ctx: Context, stock: Any, technician: Actor, pharmacist: Actor
) -> None:
    """On either database: down to 0014 the column goes (a plain DROP COLUMN, no rebuild),
    up again it comes back, and every append-only trigger is there both times."""
    sqlite = is_sqlite(ctx.engine)
    quarantine.quarantine(ctx, technician, ["K0001"], "box crushed")
    _migrate(ctx, "0014")
    assert "sponsor_reference" not in _columns(ctx.engine, "quarantine_events")
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    _migrate(ctx, "head")
    assert "sponsor_reference" in _columns(ctx.engine, "quarantine_events")
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    signed.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-014")
    assert audit.verify(ctx, pharmacist).ok


WRITTEN = {
    "ix_dispenses_written": "dispenses",
    "ix_returns_written": "returns",
    "ix_physical_counts_written": "physical_counts",
    "ix_destructions_written": "destructions",
}
"""0016's indexes of the record tables by the time their rows were written."""


def _written_indexes(engine: Any) -> dict[str, tuple[str, list[str | None]]]:
    with engine.connect() as conn:
        inspector = inspect(conn)
        return {
            index["name"]: (table, index["column_names"])
            for table in set(WRITTEN.values())
            for index in inspector.get_indexes(table)
            if index["name"] in WRITTEN
        }


def test_0016_comes_and_goes_without_touching_the_triggers(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """On either database: 0016 adds an index by created_at to each record table the
    sign-offs' look-up reads by the time written (dispenses, returns, counts, destructions) and
    takes them off again, and every append-only trigger is there both times, the records made
    before verifying and the program going on after."""
    sqlite = is_sqlite(ctx.engine)
    made = {name: (table, ["created_at"]) for name, table in WRITTEN.items()}
    assert _written_indexes(ctx.engine) == made
    _migrate(ctx, "0015")
    assert _written_indexes(ctx.engine) == {}
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    _migrate(ctx, "head")
    assert _written_indexes(ctx.engine) == made
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    with writing(ctx.engine).begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE dispenses SET created_at = created_at"))
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 1, pw(pharmacist), dispense="DSP000001")
    assert audit.verify(ctx, pharmacist).ok


def test_0017_comes_and_goes_without_touching_the_triggers(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """On either database: 0017 adds the study file version of a dispense in place (no table
    rebuilt), and its downgrade keeps the column, whose value the facts of the dispenses
    written since hash: they verify both ways, every append-only trigger is there both times,
    and the column is as append-only as the rest of the dispense."""
    sqlite = is_sqlite(ctx.engine)
    assert "study_sha256" in _columns(ctx.engine, "dispenses")
    _migrate(ctx, "0016")
    assert "study_sha256" in _columns(ctx.engine, "dispenses")
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    assert audit.verify(ctx, pharmacist).ok
    _migrate(ctx, "head")
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    with writing(ctx.engine).begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE dispenses SET study_sha256 = 'x'"))
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 1, pw(pharmacist), dispense="DSP000001")
    assert audit.verify(ctx, pharmacist).ok


def _uniques(engine: Any, table: str) -> dict[str | None, list[str]]:
    with engine.connect() as conn:
        return {
            u["name"]: list(u["column_names"]) for u in inspect(conn).get_unique_constraints(table)
        }


PER_STUDY = {"uq_shipments_study_number": ["study_id", "number"]}
"""0018's constraint on shipments: a shipment number is unique within its study."""


def _second_study(
    ctx: Context, admin: Actor, pharmacist: Actor, password: str
) -> tuple[Context, Actor]:
    """A second sponsor's study, NCT99999999, the pharmacist working in both: its context,
    and the pharmacist signed in again."""
    from dispensary.services import studies

    text_of_file = ctx.study.source_text.replace(
        f'protocol = "{ctx.study.protocol}"', 'protocol = "NCT99999999"'
    )
    studies.add_study(ctx, admin, text_of_file, "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, pharmacist.username, "NCT99999999", True, "works in both")
    both = users.sign_in(ctx, pharmacist.username, password)
    return studies.switch_study(ctx, both, "NCT99999999"), both


def _shipments_as_0017(ctx: Context) -> None:
    """The shipments table as 0017 left it (its number unique in the pharmacy, no study), on
    a database with no shipment yet, and alembic_version 0017: what 0018 upgrades."""
    from alembic.operations import Operations

    sqlite = is_sqlite(ctx.engine)
    with writing(ctx.engine).connect() as conn:
        if sqlite:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        with conn.begin():
            assert conn.execute(text("SELECT count(*) FROM shipments")).scalar() == 0
            ops = Operations(MigrationContext.configure(conn))
            with ops.batch_alter_table("shipments") as batch:
                batch.drop_constraint("uq_shipments_study_number", type_="unique")
                batch.drop_constraint("fk_shipments_study_id_study", type_="foreignkey")
                batch.drop_column("study_id")
                batch.create_unique_constraint("uq_shipments_number", ["number"])
            if sqlite:  # the rebuild dropped them
                for verb in ("UPDATE", "DELETE"):
                    conn.execute(
                        text(
                            f"CREATE TRIGGER IF NOT EXISTS shipments_no_{verb.lower()} BEFORE "
                            f"{verb} ON shipments BEGIN SELECT RAISE(ABORT, 'shipments are "
                            "append-only: record a correction instead'); END"
                        )
                    )
            conn.execute(text("UPDATE alembic_version SET version_num = '0017'"))
        if sqlite:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def test_0018_makes_a_shipment_number_unique_within_its_study(
    ctx: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """On either database: 0018 gives shipments their study and makes the number unique within
    it (SQLite rebuilds the table, its append-only triggers put back); two sponsors' studies
    then both receive an SH-1, a study's second SH-1 is refused, the trail verifies, and the
    downgrade keeps it all (the facts of those shipments hash their study)."""
    from dispensary.domain.errors import RuleViolation

    from .helpers import receive

    sqlite = is_sqlite(ctx.engine)
    _shipments_as_0017(ctx)
    assert "study_id" not in _columns(ctx.engine, "shipments")
    assert _uniques(ctx.engine, "shipments") == {"uq_shipments_number": ["number"]}
    migrate.upgrade(ctx.engine)
    assert migrate.current_revision(ctx.engine) == migrate.head_revision()
    assert _uniques(ctx.engine, "shipments") == PER_STUDY
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    other, both = _second_study(ctx, admin, pharmacist, pw(pharmacist))
    receive(ctx, both, "K0001-K0002", shipment="SH-1")
    receive(other, both, "B0001-B0002", shipment="SH-1")
    with pytest.raises(RuleViolation, match="Shipment SH-1 has already been received"):
        receive(other, both, "B0003-B0004", shipment="sh-1")
    with writing(ctx.engine).begin() as conn:
        assert [tuple(r) for r in conn.execute(text("SELECT number, study_id FROM shipments"))] == [
            ("SH-1", ctx.study_id),
            ("SH-1", other.study_id),
        ]
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("UPDATE shipments SET study_id = NULL"))
    assert audit.verify(ctx, admin).ok
    _migrate(ctx, "0017")
    assert _uniques(ctx.engine, "shipments") == PER_STUDY
    assert audit.verify(ctx, admin).ok
    _migrate(ctx, "head")
    assert _uniques(ctx.engine, "shipments") == PER_STUDY
    assert installed_triggers(ctx) == sorted(expected_triggers(sqlite))
    assert audit.verify(ctx, admin).ok


def test_0018_leaves_the_shipments_received_before_with_their_kits_study(
    tmp_path: Path, ctx: Context
) -> None:
    """A database of release 0007 (its shipments received before a shipment had a study): the
    upgrade gives them no study (their facts hash as they did: the trail verifies), they are
    the study of their kits (listed, refused as received again in it), and another study
    receives a shipment of the same number."""
    from dispensary.domain.errors import RuleViolation

    from .helpers import receive

    if not is_sqlite(ctx.engine):
        pytest.skip("the database of release 0007 is a SQLite file")
    opened = open_old_release(tmp_path)
    old = opened.context
    try:
        assert migrate.current_revision(old.engine) == migrate.head_revision() == "0020"
        assert _uniques(old.engine, "shipments") == PER_STUDY
        with old.engine.connect() as conn:
            rows = conn.execute(text("SELECT number, study_id FROM shipments")).all()
        assert rows and all(study is None for _number, study in rows)
        number = str(rows[0][0])
        admin = users.sign_in(old, "admin", "demo-pass-1")
        assert audit.verify(old, admin).ok, "the shipments on record verify as they did"
        pharmacist = users.sign_in(old, "pharmacist", "demo-pass-1")
        assert number in [n for n, _day, _kits in queries.shipments(old, pharmacist)]
        with pytest.raises(RuleViolation, match=f"Shipment {number} has already been received"):
            receive(old, pharmacist, "Z0001-Z0002", shipment=number)
        other, both = _second_study(old, admin, pharmacist, "demo-pass-1")
        assert receive(other, both, "Z0001-Z0002", shipment=number).kits == ("Z0001", "Z0002")
        assert [n for n, _day, _kits in queries.shipments(other, both)] == [number]
        assert audit.verify(old, admin).ok
    finally:
        old.engine.dispose()
