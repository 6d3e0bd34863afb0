"""Audit tampering: every kind of edit behind the program's back is refused by the database or
named by `audit verify`, and what verify cannot see without an outside anchor, shown.

The edits are made as someone with a database tool would make them: SQL typed into the
`sqlite3` module on the file, or into the `psql` client on the PostgreSQL server, with the
append-only triggers dropped (disabled) first and foreign keys left unenforced where the edit
needs it, and with hashes recomputed where a clever tamperer would recompute them
(tests/reliability/tamper_cases.py holds the kinds and the pharmacy they are made on). Each
kind ends one of three ways:

- refused by the database (a trigger, a foreign key, a CHECK), with nothing changed;
- named by `audit verify`: the table and row, or the audit entry, in its message or findings,
  and the audit entry it leads with;
- after an attacker recomputed every hash and the chain head (`rewrite_chains`), caught by a
  verification code taken before the edit (`audit.check_anchor`).

The sqlite3 kinds run on SQLite, the psql kinds with DISPENSARY_TEST_DB set (PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

import signed
from dispensary.db.engine import make_engine
from dispensary.db.facts import UNTRACKED
from dispensary.db.models import Base
from dispensary.domain.anchor import AnchorVerdict
from dispensary.services import audit, participants, reconciliation
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study
from tamper import psql_path

from .conftest import Figures
from .tamper_cases import (
    APPEND_ONLY_TABLES,
    KINDS,
    PASSWORDS,
    PSQL,
    SQLITE3,
    Anchored,
    Edit,
    Kind,
    Named,
    Refused,
    Scene,
    SceneFacts,
    apply,
    build_scene,
    kinds_by_name,
    read_facts,
    rewrite,
)

PG_ENV = "DISPENSARY_TEST_DB"
ON_POSTGRES = bool(os.environ.get(PG_ENV))
SCENE_START = FixedClock().current
Snapshot = Callable[[Context], Any]


# -- the scene: built once, copied for each test -------------------------------------------------

ROWS = "scene_rows"  # schema holding the scene's rows inside each PostgreSQL copy


def _pg_admin(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _pg_run(url: str, *statements: str) -> None:
    engine = _pg_admin(url)
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _pg_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _pg_copy(server: str, template: str) -> str:
    """A new database on the server made from `template`: its name."""
    name = f"dsp_tamper_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _pg_run(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def _pg_drop(server: str, name: str) -> None:
    _pg_run(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _PgScenes:
    """Copies of the scene on PostgreSQL, reused: a used copy gets the scene's rows back
    (deleted, then inserted from the ROWS schema, foreign keys and triggers off) in a
    hundredth of the time a CREATE DATABASE takes. A copy left with a trigger disabled, or
    that cannot be reset, is dropped."""

    def __init__(self, server: str, template: str) -> None:
        self.server, self.template = server, template
        self.free: list[str] = []
        self.every: list[str] = []
        engine = _pg_admin(_pg_url(server, template))
        try:
            with engine.connect() as conn:
                self.tables = sorted(inspect(conn).get_table_names())
                self.sequences = list(
                    conn.exec_driver_sql(
                        "SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%%'"
                    )
                )
                conn.exec_driver_sql(f"CREATE SCHEMA {ROWS}")
                for table in self.tables:
                    conn.exec_driver_sql(f'CREATE TABLE {ROWS}."{table}" AS TABLE "{table}"')
        finally:
            engine.dispose()

    def take(self) -> str:
        while self.free:
            name = self.free.pop()
            if self._reset(name):
                return name
            self.every.remove(name)
            _pg_drop(self.server, name)
        name = _pg_copy(self.server, self.template)
        self.every.append(name)
        return name

    def _reset(self, name: str) -> bool:
        engine = _pg_admin(_pg_url(self.server, name))
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                disabled = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_trigger WHERE tgenabled = 'D'"
                ).scalar()
                if disabled or sorted(inspect(conn).get_table_names()) != self.tables:
                    return False
                conn.exec_driver_sql("BEGIN")
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                for table in self.tables:
                    conn.exec_driver_sql(f'DELETE FROM public."{table}"')
                    conn.exec_driver_sql(f'INSERT INTO public."{table}" TABLE {ROWS}."{table}"')
                for table, column in self.sequences:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('public.\"{table}\"', '{column}'), "
                        f'COALESCE(MAX("{column}"), 0) + 1, false) FROM public."{table}"'
                    )
                conn.exec_driver_sql("COMMIT")
        except DBAPIError:
            return False
        finally:
            engine.dispose()
        return True

    def close(self) -> None:
        for name in [*self.every, self.template]:
            _pg_drop(self.server, name)


@dataclass
class _Scenes:
    """Where each test's copy of the scene comes from."""

    location: str  # the SQLite file, or the PostgreSQL database (the copies' template)
    found: SceneFacts
    pg: _PgScenes | None


@pytest.fixture(scope="session")
def _tamper_scenes(
    _template: Any, study: Study, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_Scenes]:
    """The scene's database, built once from the users' template, and what it holds."""
    server = os.environ.get(PG_ENV)
    if server:
        location = _pg_copy(server, _template.location)
        url = _pg_url(server, location)
    else:
        location = url = str(tmp_path_factory.mktemp("tamper") / "scene.sqlite3")
        shutil.copyfile(_template.location, url)
    clock = FixedClock(SCENE_START)
    engine = make_engine(url)
    try:
        ctx = Context(engine, study, clock, url)
        build_scene(ctx, clock, _template.actors)
        found = read_facts(ctx, clock.now())
    finally:
        engine.dispose()
    pg = _PgScenes(server, location) if server else None
    try:
        yield _Scenes(location, found, pg)
    finally:
        if pg is not None:
            pg.close()


@pytest.fixture
def scene(_tamper_scenes: _Scenes, study: Study, tmp_path: Path) -> Iterator[Scene]:
    """A copy of the scene for one test, its clock where the scene's ended."""
    scenes = _tamper_scenes
    if scenes.pg is not None:
        name = scenes.pg.take()
        url = _pg_url(scenes.pg.server, name)
    else:
        url = str(tmp_path / "scene.sqlite3")
        shutil.copyfile(scenes.location, url)
        if Path(f"{scenes.location}-wal").exists():
            shutil.copyfile(f"{scenes.location}-wal", f"{url}-wal")
    engine = make_engine(url)
    try:
        yield Scene(Context(engine, study, FixedClock(scenes.found.end), url), scenes.found)
    finally:
        engine.dispose()
        if scenes.pg is not None:
            scenes.pg.free.append(name)


NATIVE = PSQL if ON_POSTGRES else SQLITE3
"""The tool of this run's database."""


# -- the scene and the catalogue cover what they must ------------------------------------------

FACT_TABLES = sorted(t.name for t in Base.metadata.sorted_tables if t.name not in UNTRACKED)
EDITED = (
    "dispenses",
    "dispense_kits",
    "dispense_voids",
    "enrolment_voids",
    "returns",
    "adherence_notes",
    "physical_counts",
    "destructions",
    "quarantine_events",
    "excursions",
    "reconciliation_signoffs",
    "signatures",
    "shipments",
    "participants",
    "users",
    "kits",
    "lots",
)
"""The fact tables every kind of edit (updated, deleted, inserted, swapped) is made on."""


def test_the_scene_has_rows_to_swap_in_every_fact_table(scene: Scene, monitor: Actor) -> None:
    for table in FACT_TABLES:
        if table == "study":
            continue
        assert scene.last(table) > scene.first(table), f"{table} needs two rows"
        listed = [i for t, i in scene.facts.listed if t == table]
        assert len(listed) >= 2, f"the audit entries list {table}"
    assert audit.verify(scene.ctx, monitor).ok


def test_the_catalogue_has_every_kind_of_edit_on_every_table() -> None:
    names = kinds_by_name()
    assert len(names) >= 40
    for table in EDITED:
        for verb in ("updated", "deleted", "inserted", "swapped"):
            assert f"{table}_{verb}" in names, f"{table}_{verb}"
    for table in APPEND_ONLY_TABLES:
        assert f"{table}_update_refused_by_its_trigger" in names
        assert f"{table}_delete_refused_by_its_trigger" in names
    touched = {t for k in KINDS for t in k.tables}
    assert {"ledger_entries", "audit_entries", "chain_head", *EDITED} <= touched
    rewritten = [k for k in KINDS if k.name.startswith("rewritten_")]
    assert len(rewritten) >= 5


# -- every kind, with each tool ----------------------------------------------------------------

TOOL_PARAMS = [
    pytest.param(
        SQLITE3,
        id=SQLITE3,
        marks=pytest.mark.skipif(ON_POSTGRES, reason="the sqlite3 module edits a SQLite file"),
    ),
    pytest.param(
        PSQL,
        id=PSQL,
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not ON_POSTGRES, reason="psql: needs DISPENSARY_TEST_DB"),
            pytest.mark.skipif(psql_path() is None, reason="psql is not installed"),
        ],
    ),
]


# Once xfails, now fixed: the reconciliation reads a row whose participant or lot is gone
# (participants_deleted, lots_deleted) without a Python error, and verify reads rows given id 0
# or a negative id (users_inserted_with_id_0, kits_inserted_with_id_0,
# dispenses_inserted_with_a_negative_id, ledger_row_inserted_with_id_0,
# audit_entry_inserted_with_id_0).
KIND_PARAMS = [pytest.param(k, id=k.name) for k in KINDS]


@pytest.mark.parametrize("tool", TOOL_PARAMS)
@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_tampering_is_refused_or_caught(
    kind: Kind,
    tool: str,
    scene: Scene,
    monitor: Actor,
    snapshot: Snapshot,
    figures: Figures,
) -> None:
    ctx = scene.ctx
    anchor = audit.current_anchor(ctx, monitor)  # noted before the edit, kept elsewhere
    before = snapshot(ctx)
    edit, expect = kind.build(scene, tool)
    refusal = apply(scene, tool, edit)
    if isinstance(expect, Refused):
        assert refusal is not None, "the database took the edit"
        assert expect.words in refusal.lower(), refusal
        assert snapshot(ctx) == before, "a refused edit changed something"
        assert audit.verify(ctx, monitor).ok
    elif isinstance(expect, Anchored):
        assert refusal is None, refusal
        check = audit.check_anchor(ctx, monitor, anchor)
        assert check.verdict is expect.verdict, check.message
        assert check.verification.ok is expect.verify_passes, check.verification.message
        assert not check.ok
    else:
        assert refusal is None, refusal
        assert snapshot(ctx) != before, "the edit changed nothing"
        _named(ctx, monitor, expect)
    figures.add("tampering.cases caught")


def _named(ctx: Context, monitor: Actor, expect: Named) -> None:
    result = audit.verify(ctx, monitor)
    said = "\n".join((result.message, *result.findings))
    assert not result.ok, "verify passed"
    assert result.message.startswith("Tampering or damage found: "), result.message
    assert "restore the last good backup" in result.message
    for words in expect.words:
        assert words in said, said
    assert result.first_bad in expect.first_bad, said
    found = reconciliation.reconcile(ctx, monitor).discrepancies
    assert found and found[0].kind == "audit_chain", "the reconciliation leads with it"


# -- what the kinds above do not show on their own -----------------------------------------------


def test_a_kit_put_back_on_the_shelf_is_named_by_verify_and_the_reconciliation(
    scene: Scene, monitor: Actor, figures: Figures
) -> None:
    """Kit states are facts: each step lists the kit as it left it, and verify rebuilds every
    kit's status from the ledger and the records, so a dispensed kit made 'available' again is
    named twice over; the reconciliation shows it against the ledger too."""
    edit = Edit(("UPDATE kits SET status = 'available' WHERE status = 'dispensed'",))
    assert apply(scene, NATIVE, edit) is None
    result = audit.verify(scene.ctx, monitor)
    said = "\n".join((result.message, *result.findings))
    assert not result.ok
    kit = scene.id("kit K0012")
    entry = scene.entry("kits", kit)
    assert f"after audit entry {entry} recorded it (technical detail: kits row {kit})" in said
    assert "kit K0012 (of " in said  # the kit by its number
    assert "kit K0012 reads 'available', but its records make it 'dispensed'" in said
    kinds = [d.kind for d in reconciliation.reconcile(scene.ctx, monitor).discrepancies]
    assert kinds[0] == "audit_chain" and "status_mismatch" in kinds
    figures.add("tampering.cases caught")


def test_a_whole_rewritten_chain_is_not_detectable_without_an_outside_anchor(
    scene: Scene, monitor: Actor, figures: Figures
) -> None:
    """The limit of a self-contained hash chain, shown rather than claimed: someone with write
    access who edits a record and then recomputes every fact hash, both chains and the chain
    head (`rewrite_chains`) leaves a database that verifies. A verification code taken before
    (printed on a report, in the anchor log beside the backups) shows it."""
    ctx = scene.ctx
    anchor = audit.current_anchor(ctx, monitor)
    row = scene.first("returns")
    edit = Edit((f"UPDATE returns SET tablets = 21 WHERE id = {row}",))
    assert apply(scene, NATIVE, edit) is None
    assert not audit.verify(ctx, monitor).ok, "the edit alone is named"
    rewrite(ctx)
    assert audit.verify(ctx, monitor).ok, "the rewrite passes verify"
    check = audit.check_anchor(ctx, monitor, anchor)
    assert check.verdict is AnchorVerdict.REWRITTEN, check.message
    assert "does NOT match" in check.message
    figures.add("tampering.cases caught")


def test_an_edit_a_later_step_overwrote_is_not_rechecked(
    scene: Scene, monitor: Actor, pharmacist: Actor
) -> None:
    """What verify cannot see, shown: a kit, user or participant row changes in place, and
    only its last state is kept. An edit made between two steps that a later step then lists
    as it found it (the tampered value carried along) leaves nothing that differs: the earlier
    entry's hash is of a state no longer stored."""
    ctx = scene.ctx
    kit = scene.id("kit K0002")
    edit = Edit((f"UPDATE kits SET location = 'IP store 2' WHERE id = {kit}",))
    assert apply(scene, NATIVE, edit) is None
    assert not audit.verify(ctx, monitor).ok, "named until a step lists the kit again"
    signed.release(ctx, pharmacist, ["K0002"], "excursion assessed: usable", "TE-2026-014")
    assert audit.verify(ctx, monitor).ok, "the later step listed the kit as it found it"
    assert scene.row("kits", kit)["location"] == "IP store 2"


def test_a_rewrite_of_what_came_after_a_code_needs_a_later_code(
    scene: Scene, monitor: Actor, pharmacist: Actor
) -> None:
    """A verification code covers the chain up to its entry: a step recorded after it, edited
    and the whole chain rewritten, leaves that code matching. The code taken after the step
    shows it; codes are taken often (every report, every backup) for that reason."""
    ctx = scene.ctx
    earlier = audit.current_anchor(ctx, monitor)
    signed.release(ctx, pharmacist, ["K0014"], "excursion assessed: usable", "TE-2026-014")
    later = audit.current_anchor(ctx, monitor)
    edit = Edit(
        (
            "UPDATE quarantine_events SET reason = 'routine' WHERE id = "
            "(SELECT MAX(id) FROM quarantine_events)",
        ),
        rewrite=True,
    )
    assert apply(scene, NATIVE, edit) is None
    assert audit.verify(ctx, monitor).ok
    assert audit.check_anchor(ctx, monitor, earlier).verdict is AnchorVerdict.MATCHES
    assert audit.check_anchor(ctx, monitor, later).verdict is AnchorVerdict.REWRITTEN


@pytest.mark.parametrize("tool", TOOL_PARAMS)
def test_a_corrected_enrolment_edited_back_is_named_by_verify(
    tool: str, scene: Scene, monitor: Actor, pharmacist: Actor, figures: Figures
) -> None:
    """A correction of an enrolment changes the participant's row in place and lists it as it
    leaves it: verify passes after the correction, and names the row, with the correction's
    audit entry, once the corrected date is put back behind the program's back."""
    ctx = scene.ctx
    person = scene.id("participant 01-001")
    assert str(scene.row("participants", person)["enrolled_on"]) == "2026-01-05"
    participants.correct_enrolment(
        ctx,
        pharmacist,
        "01-001",
        enrolled_on=date(2026, 1, 2),
        reason="typed in three days late; see the enrolment log",
        password=PASSWORDS["pharm"],
    )
    assert audit.verify(ctx, monitor).ok, "the correction verifies"
    [entry] = [e.id for e in audit.list_entries(ctx, monitor, action="enrolment_corrected")]
    edit = Edit((f"UPDATE participants SET enrolled_on = '2026-01-05' WHERE id = {person}",))
    assert apply(scene, tool, edit) is None
    assert str(scene.row("participants", person)["enrolled_on"]) == "2026-01-05"
    _named(
        ctx,
        monitor,
        Named(
            frozenset({entry}),
            (
                f"after audit entry {entry} recorded it (technical detail: participants row "
                f"{person})",
            ),
        ),
    )
    figures.add("tampering.cases caught")


@pytest.mark.parametrize("tool", TOOL_PARAMS)
@pytest.mark.parametrize(
    "changed", ["'TE-2026-099'", "NULL"], ids=["another reference", "reference removed"]
)
def test_the_sponsors_reference_of_a_release_edited_is_named_by_verify(
    tool: str, changed: str, scene: Scene, monitor: Actor, figures: Figures
) -> None:
    """A release is made on the sponsor's decision, its reference kept on the kit's release
    row (migration 0015): the reference is part of the row's content hash, so another decision
    put in its place, or the reference taken out, is named with the release's audit entry."""
    row = scene.scalar("SELECT id FROM quarantine_events WHERE action = 'release'")
    assert scene.row("quarantine_events", row)["sponsor_reference"] == "TE-2026-014"
    assert audit.verify(scene.ctx, monitor).ok
    edit = Edit((f"UPDATE quarantine_events SET sponsor_reference = {changed} WHERE id = {row}",))
    assert apply(scene, tool, edit) is None
    entry = scene.entry("quarantine_events", row)
    _named(
        scene.ctx,
        monitor,
        Named(
            frozenset({entry}),
            (
                f"after audit entry {entry} recorded it (technical detail: quarantine_events "
                f"row {row})",
            ),
        ),
    )
    figures.add("tampering.cases caught")
