"""Issue 16: the pharmacy's own name, address and telephone, kept once for every study, changed
by an administrator only (audited), and printed on its dispensing labels and leaflets."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dispensary.db.engine import is_sqlite, make_engine
from dispensary.domain.errors import (
    DatabaseProblem,
    InvalidInput,
    NotADispensaryDatabase,
    NotPermitted,
)
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels import get_stock
from dispensary.labels.stock import NO_CALIBRATION
from dispensary.services import audit, first_run, pharmacy, users
from dispensary.services.context import Actor, Context
from dispensary.services.documents import Values
from dispensary.services.results import DispenseResult
from dispensary.services.setup import check_location, open_database
from dispensary.study import bundled_studies
from reports.pdfread import pdf_text
from tight_labels import LONG_ADDRESS, two_drug_text

Refused = Callable[..., Any]
NAME = "Zhengzhou Trial Pharmacy"
ADDRESS = "127 Dongming Road, Zhengzhou"
PHONE = "+86 371 6558 7000"


def _flat(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).replace("\u00a0", " ").split())


def _drawn(ctx: Context, actor: Actor, key: str, number: str) -> str:
    entry = label_catalogue.label(key)
    stock = get_stock("thermal-4x2") if entry.on_stock else None
    calibration = NO_CALIBRATION if stock is not None else None
    sheet = label_catalogue.plan_label(
        entry, ctx, actor, Values(dispense=number), stock, calibration, reprint=False
    )
    return _flat(sheet.draw())


def test_the_pharmacy_s_particulars_print_on_its_dispensing_label_and_leaflet(
    ctx: Context, admin: Actor, pharmacist: Actor, cycle1: DispenseResult
) -> None:
    before = _drawn(ctx, pharmacist, "dispense", cycle1.number)
    assert ctx.study.pharmacy_name in before and NAME not in before  # the study file's, unset
    pharmacy.set_particulars(ctx, admin, NAME, ADDRESS, PHONE, "the hospital's own name")
    label = _drawn(ctx, pharmacist, "dispense", cycle1.number)
    assert f"{NAME}, {ADDRESS}, tel. {PHONE}" in label
    assert ctx.study.pharmacy_name not in label
    leaflet = _drawn(ctx, pharmacist, "leaflet", cycle1.number)
    assert f"Questions: {NAME}," in leaflet


def test_a_non_administrator_cannot_change_the_particulars(
    ctx: Context, pharmacist: Actor, monitor: Actor, refused: Refused
) -> None:
    for actor in (pharmacist, monitor):
        with refused(ctx, NotPermitted, "may not change the pharmacy's name"):
            pharmacy.set_particulars(ctx, actor, NAME, ADDRESS, PHONE, "mine now")
        with refused(ctx, NotPermitted, "may not change the pharmacy's name"):
            pharmacy.set_language(ctx, actor, "zh_CN", "mine now")
    assert pharmacy.particulars(ctx) == pharmacy.NONE_SET


def test_a_particular_that_cannot_print_is_refused(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "pharmacy's name"):
        pharmacy.set_particulars(ctx, admin, "  ", ADDRESS, PHONE, "blank")
    with refused(ctx, InvalidInput, "pharmacy's telephone"):
        pharmacy.set_particulars(ctx, admin, NAME, ADDRESS, "+86\u202e0007", "hidden")
    with refused(ctx, InvalidInput, "reason"):
        pharmacy.set_particulars(ctx, admin, NAME, ADDRESS, PHONE, "")


def test_each_change_is_in_the_audit_trail_and_the_trail_still_verifies(
    ctx: Context, admin: Actor, monitor: Actor
) -> None:
    pharmacy.set_particulars(ctx, admin, "First Name", "", "", "set up")
    pharmacy.set_particulars(ctx, admin, NAME, ADDRESS, PHONE, "the hospital's own name")
    pharmacy.set_language(ctx, admin, "zh_CN", "a Chinese-speaking pharmacy")
    again = pharmacy.set_particulars(ctx, admin, NAME, ADDRESS, PHONE, "no change")
    assert again == pharmacy.Particulars(NAME, ADDRESS, PHONE, "zh_CN")
    entries = [e for e in audit.list_entries(ctx, monitor, limit=20) if e.entity == pharmacy.ENTITY]
    changed = [e for e in entries if e.action == "pharmacy_particulars_set"]
    assert len(changed) == 2  # the unchanged save wrote nothing
    latest = max(changed, key=lambda e: e.id)
    assert json.loads(latest.new) == {"name": NAME, "address": ADDRESS, "phone": PHONE}
    assert json.loads(latest.old) == {"name": "First Name"}
    assert latest.reason == "the hospital's own name" and latest.username == admin.username
    assert any(e.action == "pharmacy_language_set" for e in entries)
    assert audit.verify(ctx, monitor).ok


def test_an_edit_of_the_stored_particulars_outside_the_program_is_named_by_verify(
    ctx: Context, admin: Actor, monitor: Actor
) -> None:
    """The settings rows are changed in place, so `audit verify` (full, and the Today screen's
    check since a point) holds them against the chained entries that set them."""
    from sqlalchemy import text

    from dispensary.db.engine import read_transaction
    from dispensary.services.verification import verify_since

    pharmacy.set_particulars(ctx, admin, NAME, ADDRESS, PHONE, "the hospital's own name")
    point = audit.verify(ctx, monitor).point
    assert point is not None
    with ctx.engine.begin() as conn:  # as an attacker with the database file would
        conn.execute(
            text("UPDATE settings SET value = 'Another Pharmacy' WHERE key = 'pharmacy.name'")
        )
    found = audit.verify(ctx, monitor)
    assert not found.ok
    assert "pharmacy.name reads 'Another Pharmacy'" in found.message
    assert NAME in found.message
    with read_transaction(ctx.engine) as session:
        since = verify_since(session, point)
    assert not since.ok and "pharmacy.name" in since.message
    with ctx.engine.begin() as conn:  # put back, then a setting no entry ever set
        conn.execute(
            text("UPDATE settings SET value = :v WHERE key = 'pharmacy.name'"), {"v": NAME}
        )
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('pharmacy.language', 'en')"))
    found = audit.verify(ctx, monitor)
    assert not found.ok and "pharmacy.language reads 'en'" in found.message
    with ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM settings WHERE key = 'pharmacy.language'"))
    assert audit.verify(ctx, monitor).ok


def test_the_idle_lock_time_is_set_by_an_administrator_within_its_bounds_and_audited(
    ctx: Context, admin: Actor, pharmacist: Actor, monitor: Actor, refused: Refused
) -> None:
    """Never off, never longer than the bound: the lock is what keeps a counter left alone
    from signing records in someone else's name."""
    assert pharmacy.idle_lock_minutes(ctx) == pharmacy.IDLE_LOCK_DEFAULT == 10
    for minutes in (0, -5, pharmacy.IDLE_LOCK_MAX + 1):
        with refused(ctx, InvalidInput, f"1 to 30 minutes, not {minutes}"):
            pharmacy.set_idle_lock(ctx, admin, minutes, "off please")
    with refused(ctx, InvalidInput, "whole number of minutes"):
        pharmacy.set_idle_lock(ctx, admin, True, "a flag is not a time")
    with refused(ctx, InvalidInput, "reason"):
        pharmacy.set_idle_lock(ctx, admin, 5, "")
    for actor in (pharmacist, monitor):
        # Its own words: it was refused as "may not change the pharmacy's name, address...".
        with refused(ctx, NotPermitted, "may not change how long a window may stay unused"):
            pharmacy.set_idle_lock(ctx, actor, 30, "longer for me")
    assert pharmacy.set_idle_lock(ctx, admin, 5, "a busy public counter") == 5
    assert pharmacy.set_idle_lock(ctx, admin, 5, "no change") == 5
    assert pharmacy.set_idle_lock(ctx, admin, 30, "the counter is in a locked room") == 30
    assert pharmacy.idle_lock_minutes(ctx) == 30
    entries = audit.list_entries(ctx, monitor, action="pharmacy_idle_lock_set")
    assert [(json.loads(e.old), json.loads(e.new), e.reason) for e in entries] == [
        ({"idle_lock_minutes": 10}, {"idle_lock_minutes": 5}, "a busy public counter"),
        ({"idle_lock_minutes": 5}, {"idle_lock_minutes": 30}, "the counter is in a locked room"),
    ]  # the unchanged save wrote nothing
    assert audit.verify(ctx, monitor).ok


def test_an_idle_lock_time_edited_outside_the_program_is_named_and_never_switches_it_off(
    ctx: Context, admin: Actor, monitor: Actor
) -> None:
    from sqlalchemy import text

    pharmacy.set_idle_lock(ctx, admin, 5, "a busy public counter")
    with ctx.engine.begin() as conn:  # as someone with the database file would
        conn.execute(
            text("UPDATE settings SET value = '0' WHERE key = 'pharmacy.idle_lock_minutes'")
        )
    found = audit.verify(ctx, monitor)
    assert not found.ok and "pharmacy.idle_lock_minutes reads '0'" in found.message
    assert pharmacy.idle_lock_minutes(ctx) == pharmacy.IDLE_LOCK_DEFAULT  # still locks


def test_a_location_is_tested_without_writing_anything(tmp_path: Path, ctx: Context) -> None:
    fresh = tmp_path / "new" / "dispensary.sqlite3"
    assert check_location(str(fresh)).existing is False
    assert not fresh.parent.exists()
    assert check_location(ctx.database).existing is True
    other = tmp_path / "notes.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE shopping (item TEXT)")
    size = other.stat().st_size
    with pytest.raises(NotADispensaryDatabase, match="not empty and is not a Dispensary"):
        check_location(str(other))
    assert other.stat().st_size == size


def test_set_up_makes_the_pharmacy_each_step_audited(tmp_path: Path) -> None:
    files = [*first_run.bundled_study_files(), bundled_studies() / "DEMO-28D-BID.toml"]
    plan = first_run.SetUpPlan(
        str(tmp_path / "pharmacy.sqlite3"),
        first_run.check_studies([first_run.read_study_file(p) for p in files[:2]]),
        pharmacy.checked(NAME, ADDRESS, PHONE),
        "zh_CN",
        first_run.check_administrator("ada", "Ada Admin", "AA", "admin-pass-1", "admin-pass-1"),
    )
    ctx, actor = first_run.set_up(plan)
    ctx.engine.dispose()
    opened = open_database(plan.database)
    try:
        assert opened.studies == tuple(f.study.protocol for f in plan.studies)
        assert actor.language == "zh_CN" and len(actor.studies) == 2
        assert pharmacy.particulars(opened.context) == pharmacy.Particulars(
            NAME, ADDRESS, PHONE, "zh_CN"
        )
        assert audit.verify(opened.context, actor).ok
        assert users.sign_in(opened.context, "ada", "admin-pass-1").username == "ada"
    finally:
        opened.context.engine.dispose()


@pytest.mark.parametrize(
    ("password", "again", "words"),
    [
        ("admin-pass-1", "admin-pass-2", "not the same"),
        ("short", "short", "characters"),
        ("password1", "password1", "common passwords"),
    ],
)
def test_the_administrator_s_password_keeps_the_rules(
    password: str, again: str, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        first_run.check_administrator("ada", "Ada Admin", "AA", password, again)


@pytest.mark.postgres
def test_a_server_s_refusals_are_named_and_an_empty_database_is_set_up(ctx: Context) -> None:
    if is_sqlite(ctx.engine):
        pytest.skip("a PostgreSQL server: needs DISPENSARY_TEST_DB")
    url = ctx.engine.url
    with pytest.raises(DatabaseProblem, match="refused the user name or password"):
        check_location(url.set(username="no_such_role").render_as_string(hide_password=False))
    with pytest.raises(DatabaseProblem, match="has no such database"):
        check_location(url.set(database="no_such_database").render_as_string(hide_password=False))
    assert check_location(ctx.database).existing is True
    name = f"dsp_wizard_{os.getpid()}"
    server = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    empty = url.set(database=name).render_as_string(hide_password=False)
    try:
        assert check_location(empty).existing is False
        plan = first_run.SetUpPlan(
            empty,
            (first_run.read_study_file(first_run.bundled_study_files()[0]),),
            pharmacy.checked(NAME, ADDRESS, PHONE),
            "en",
            first_run.check_administrator("ada", "Ada Admin", "AA", "admin-pass-1", "admin-pass-1"),
        )
        made, actor = first_run.set_up(plan)
        assert pharmacy.particulars(made).name == NAME
        assert audit.verify(made, actor).ok
        made.engine.dispose()
        assert check_location(empty).existing is True
    finally:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        server.dispose()


def test_a_raw_error_after_the_database_is_made_is_a_set_up_unfinished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a refusal the services named (a disk error, a raw driver error): the pharmacy still
    exists, so the wizard must hear SetUpUnfinished, with the database let go."""
    made: list[Context] = []
    disposed: list[bool] = []
    init = first_run.init_database

    def init_and_watch(*args: Any) -> Context:
        ctx = init(*args)
        real = ctx.engine.dispose
        monkeypatch.setattr(ctx.engine, "dispose", lambda: (disposed.append(True), real())[1])
        made.append(ctx)
        return ctx

    def disk_error(*_args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(first_run, "init_database", init_and_watch)
    monkeypatch.setattr(pharmacy, "set_particulars", disk_error)
    plan = first_run.SetUpPlan(
        str(tmp_path / "pharmacy.sqlite3"),
        first_run.check_studies([first_run.read_study_file(first_run.bundled_study_files()[0])]),
        pharmacy.checked(NAME, ADDRESS, PHONE),
        "",
        first_run.check_administrator("ada", "Ada Admin", "AA", "admin-pass-1", "admin-pass-1"),
    )
    with pytest.raises(first_run.SetUpUnfinished, match="ada can sign in") as refused:
        first_run.set_up(plan)
    assert refused.value.database == plan.database
    assert "No space left on device" in refused.value.message
    assert len(made) == 1 and disposed == [True]


def _two_drug_text() -> str:
    return two_drug_text()


def test_particulars_another_open_study_cannot_hold_are_refused_naming_it(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    """The study open holds them; another open study's label cannot: refused by the service
    (the window and the command show its refusal), naming that study, nothing saved."""
    from dispensary.labels.dispensing import ParticularsDoNotFit, check_particulars_fit
    from dispensary.services import studies

    studies.add_study(ctx, admin, _two_drug_text(), "DEMO-2DRUG.toml", "second study")
    check_particulars_fit(ctx.study, pharmacy.checked(NAME, LONG_ADDRESS, PHONE))  # its own fits
    with refused(ctx, ParticularsDoNotFit, "DEMO-2DRUG would not fit"):
        pharmacy.check_particulars(ctx, admin, NAME, LONG_ADDRESS, PHONE, check_particulars_fit)
    with refused(ctx, ParticularsDoNotFit, "DEMO-2DRUG would not fit"):
        pharmacy.set_particulars(
            ctx, admin, NAME, LONG_ADDRESS, PHONE, "moved", check_particulars_fit
        )
    pharmacy.set_particulars(ctx, admin, NAME, ADDRESS, PHONE, "moved", check_particulars_fit)
    assert pharmacy.particulars(ctx).address == ADDRESS


def test_a_study_added_or_amended_must_hold_the_particulars_saved(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    """Particulars saved first, a study added later whose label cannot hold them: refused
    before its dispenses could be saved with their labels refused."""
    from dispensary.labels.dispensing import ParticularsDoNotFit, check_particulars_fit
    from dispensary.services import studies

    pharmacy.set_particulars(
        ctx, admin, NAME, LONG_ADDRESS, PHONE, "the hospital's", check_particulars_fit
    )
    text = _two_drug_text()
    said = "saved in Settings, a dispensing label of DEMO-2DRUG would not fit"
    with refused(ctx, ParticularsDoNotFit, said):
        studies.check_new_study(ctx, admin, text, "2.toml", check_particulars_fit)
    with refused(ctx, ParticularsDoNotFit, said):
        studies.add_study(ctx, admin, text, "2.toml", "second", check_particulars_fit)
    pharmacy.set_particulars(ctx, admin, NAME, ADDRESS, PHONE, "shorter", check_particulars_fit)
    studies.add_study(ctx, admin, text, "2.toml", "second", check_particulars_fit)
    assert "DEMO-2DRUG" in [r.protocol for r in studies.list_studies(ctx, admin)]
