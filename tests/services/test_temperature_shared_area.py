"""A logger file of a storage area two studies share: each study's kits are judged by that
study's own temperature range, whoever imports it; the kits of a study the importer has no
access to are protected all the same without being named to them; each study's audit trail
holds its own quarantine."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from dispensary.domain.codes import KitStatus
from dispensary.services import (
    audit,
    destruction,
    quarantine,
    queries,
    report_data,
    studies,
    temperature,
    users,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study

from .helpers import WITNESSED, receive

Password = Callable[[Actor], str]
SHARED = "DEMO-SHARED"
COOL = (  # 10 °C: inside 2-25 °C, below DEMO-SHARED's 15 °C
    "timestamp,celsius\n2026-01-04T08:00,20\n2026-01-04T09:00,10\n2026-01-04T10:00,20\n"
)


@pytest.fixture
def shared(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pharmacist2: Actor, pw: Password
) -> tuple[Context, Actor, Actor]:
    """DEMO-SHARED: a copy of the first study kept at 15-25 °C, its kits on the first study's
    shelf (IP store 1). Paula (pharmacist) works in both studies; Peter (pharmacist2) in
    DEMO-SHARED only. Returns its context, Paula and Peter, signed in."""
    text = study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{SHARED}"')
    text = text.replace("min_celsius = 2.0", "min_celsius = 15.0")
    assert "min_celsius = 15.0" in text
    studies.add_study(ctx, admin, text, "shared.toml", "a second protocol on the same shelf")
    studies.set_access(ctx, admin, "pharm", SHARED, True, "covers both protocols")
    studies.set_access(ctx, admin, "pharm2", SHARED, True, "works in DEMO-SHARED")
    studies.set_access(ctx, admin, "pharm2", "NCT07198672", False, "DEMO-SHARED only")
    both = users.sign_in(ctx, pharmacist.username, pw(pharmacist))
    peter = users.sign_in(ctx, pharmacist2.username, pw(pharmacist2))
    theirs = studies.switch_study(ctx, both, SHARED)
    day = date(2026, 1, 3)
    receive(ctx, both, "K0001-K0003", received_on=day)
    receive(theirs, both, "S0001-S0002", lot="LS", received_on=day)
    return theirs, both, peter


def _status(ctx: Context, actor: Actor) -> dict[str, KitStatus]:
    return {k.number: k.status for k in queries.inventory(ctx, actor)}


def test_readings_inside_the_importers_range_quarantine_the_kits_of_a_study_kept_warmer(
    ctx: Context, shared: tuple[Context, Actor, Actor], technician: Actor
) -> None:
    """The technician of the first study only imports 10 °C: inside 2-25 °C, so none of its
    kits; below DEMO-SHARED's 15 °C, so its kits are quarantined, counted and not named."""
    theirs, both, peter = shared
    [found] = temperature.import_logger(ctx, technician, "IP store 1", COOL, "cool.csv")
    assert (found.study, found.kits_quarantined, found.other_kits) == ("", (), 2)
    assert (found.lowest, found.min_celsius) == (10, None)  # a study not to be read: no range
    assert set(_status(ctx, both).values()) == {KitStatus.AVAILABLE}
    assert set(_status(theirs, peter).values()) == {KitStatus.QUARANTINED}
    # The excursion is DEMO-SHARED's: its pharmacist sees it with its kits, the first study none.
    [excursion] = report_data.excursions(theirs, peter)
    assert excursion.kits == ("S0001", "S0002")
    assert report_data.excursions(ctx, both) == []
    # The file is in each study's list of logger files, an excursion only in DEMO-SHARED's.
    [mine] = temperature.logger_checks(ctx, both)
    [their_check] = temperature.logger_checks(theirs, peter)
    assert (mine.source, mine.excursions) == ("cool.csv", 0)
    assert (their_check.source, their_check.excursions) == ("cool.csv", 1)


def test_readings_outside_the_importers_range_leave_a_study_whose_range_holds_them(
    ctx: Context, shared: tuple[Context, Actor, Actor]
) -> None:
    """The same file imported in DEMO-SHARED: its own kits quarantined, the first study's
    left available (10 °C is within its 2-25 °C)."""
    theirs, both, _peter = shared
    [found] = temperature.import_logger(theirs, both, "IP store 1", COOL, "cool.csv")
    assert (found.study, found.kits_quarantined) == (SHARED, ("S0001", "S0002"))
    assert set(_status(ctx, both).values()) == {KitStatus.AVAILABLE}
    assert set(_status(theirs, both).values()) == {KitStatus.QUARANTINED}


def test_each_studys_trail_holds_its_own_quarantine(
    ctx: Context,
    shared: tuple[Context, Actor, Actor],
    technician: Actor,
    monitor: Actor,
    admin: Actor,
) -> None:
    """Too warm for both: one audit entry per study, each listing that study's kits, each
    shown to the readers of its study (the monitor of the first, Peter of DEMO-SHARED)."""
    theirs, _both, peter = shared
    warm = "timestamp,celsius\n2026-01-04T08:00,20\n2026-01-04T09:00,27\n"
    found = temperature.import_logger(ctx, technician, "IP store 1", warm, "warm.csv")
    assert [(e.study, e.kits_quarantined, e.other_kits) for e in found] == [
        ("NCT07198672", ("K0001", "K0002", "K0003"), 0),
        ("", (), 2),
    ]

    def excursions_seen(actor: Actor, context: Context) -> list[tuple[str, list[str]]]:
        rows = audit.list_entries(context, actor, action="temperature_excursion")
        return [(json.loads(r.new)["study"], json.loads(r.new)["kits"]) for r in rows]

    assert excursions_seen(monitor, ctx) == [("NCT07198672", ["K0001", "K0002", "K0003"])]
    assert excursions_seen(peter, theirs) == [(SHARED, ["S0001", "S0002"])]
    assert audit.verify(ctx, admin).ok


def test_a_logger_check_that_quarantined_nothing_is_in_the_judged_study_s_trail(
    ctx: Context, shared: tuple[Context, Actor, Actor], monitor: Actor
) -> None:
    """A file within both ranges writes no record, only its check: the check names the study
    it was judged for, and is that study's (it was shown to every study's readers)."""
    theirs, both, peter = shared
    within = "timestamp,celsius\n2026-01-04T08:00,20\n2026-01-04T09:00,21\n"
    temperature.import_logger(theirs, both, "IP store 1", within, "within.csv")

    def checks(actor: Actor, context: Context) -> list[str]:
        rows = audit.list_entries(context, actor, action="temperature_checked")
        return [json.loads(r.new)["study"] for r in rows]

    assert checks(peter, theirs) == [SHARED]
    assert checks(monitor, ctx) == []


def test_an_excursion_that_quarantined_nothing_is_its_study_s_and_an_empty_shelf_is_not_judged(
    ctx: Context, shared: tuple[Context, Actor, Actor], monitor: Actor, admin: Actor
) -> None:
    """The first study's kits gone from the shelf: a warm file still records the open study's
    excursion (no kits), which is that study's trail, not every reader's (its entry lists its
    excursion row, no kit, its kits in quarantine named as such); imported from DEMO-SHARED,
    the first study's kits in quarantine were exposed to the new excursion as well: it is
    judged, its excursion naming them as quarantined already, quarantining nothing (it was left
    out, its kits in quarantine named by no excursion, before the fix)."""
    theirs, both, peter = shared
    quarantine.quarantine(ctx, both, ["K0001", "K0002", "K0003"], "cold chain doubt")
    warm = "timestamp,celsius\n2026-01-04T08:00,20\n2026-01-04T09:00,27\n"
    found = temperature.import_logger(ctx, both, "IP store 1", warm, "warm.csv")
    assert [(e.study, e.kits_quarantined, e.kits_already_quarantined) for e in found] == [
        ("NCT07198672", (), ("K0001", "K0002", "K0003")),
        (SHARED, ("S0001", "S0002"), ()),
    ]

    def studies_seen(actor: Actor, context: Context) -> list[str]:
        rows = audit.list_entries(context, actor, action="temperature_excursion")
        return [json.loads(r.new)["study"] for r in rows]

    assert studies_seen(peter, theirs) == [SHARED]
    assert studies_seen(monitor, ctx) == ["NCT07198672"]
    hotter = "timestamp,celsius\n2026-01-05T08:00,20\n2026-01-05T09:00,29\n"
    again = temperature.import_logger(theirs, both, "IP store 1", hotter, "hotter.csv")
    assert [(e.study, e.kits_quarantined, e.kits_already_quarantined) for e in again] == [
        (SHARED, (), ("S0001", "S0002")),
        ("NCT07198672", (), ("K0001", "K0002", "K0003")),
    ]
    assert audit.verify(ctx, admin).ok


def test_a_file_of_a_shared_shelf_is_one_import_in_the_monitor_pack(
    ctx: Context, shared: tuple[Context, Actor, Actor], technician: Actor, monitor: Actor
) -> None:
    """One file, two audit entries (the first study's check, DEMO-SHARED's excursion): the
    monitor pack said "Imports 2" where the command and the screen said 1 logger file."""
    temperature.import_logger(ctx, technician, "IP store 1", COOL, "cool.csv")
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 1), date(2026, 1, 5))
    [log] = pack.coverage
    files = temperature.logger_checks(ctx, monitor)
    assert log.imports == len(files) == 1
    assert [c.imports for c in temperature.coverage(ctx, monitor)] == [1]


def test_a_study_whose_kits_there_have_all_left_since_is_told_of_the_excursion(
    ctx: Context, clock: FixedClock, shared: tuple[Context, Actor, Actor], pw: Password
) -> None:
    """DEMO-SHARED's kits were on the shelf during the warm hour of 4 January and destroyed on
    the 5th, before the file was read: with no stock there now, the study was not judged and
    its kits were named nowhere."""
    theirs, both, peter = shared
    witnessed = {**WITNESSED, "witness_password": pw(peter)}  # Peter works in DEMO-SHARED
    destruction.destroy(
        theirs, both, ["S0001", "S0002"], peter.username, "incineration", pw(both), **witnessed
    )
    warm = "timestamp,celsius\n2026-01-04T08:00,20\n2026-01-04T09:00,27\n2026-01-04T10:00,20\n"
    found = temperature.import_logger(ctx, both, "IP store 1", warm, "warm.csv")
    [theirs_found] = [e for e in found if e.study == SHARED]
    assert theirs_found.kits_quarantined == ()
    assert [(k.kit, k.status, k.on) for k in theirs_found.kits_gone] == [
        ("S0001", "destroyed", date(2026, 1, 5)),
        ("S0002", "destroyed", date(2026, 1, 5)),
    ]
    cool = "timestamp,celsius\n2026-01-05T08:00,20\n2026-01-05T10:00,10\n2026-01-05T11:00,20\n"
    clock.set_date(date(2026, 1, 6))  # the kits were destroyed at 09:00 on the 5th
    later = temperature.import_logger(ctx, both, "IP store 1", cool, "cool.csv")
    assert [e.study for e in later] == []  # its kits were gone by then: nothing to tell
