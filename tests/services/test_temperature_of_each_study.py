"""A study's temperature records are those of its own storage areas: the monitor pack's gaps
and coverage, the excursions and the logger files of the temperature screen never name an area
only another study keeps kits in, nor another study's kits in an area two studies share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dispensary.domain.errors import InvalidInput
from dispensary.services import report_data, studies, temperature, users
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study

from .helpers import receive

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
OTHER = "NCT99999999"
WARM = "timestamp,celsius\n2026-01-04T08:00,20\n2026-01-04T09:00,27\n2026-01-05T08:00,20\n"


@pytest.fixture
def other(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password
) -> tuple[Context, Actor]:
    """A second study whose kits are kept in IP store 2 (its own) and IP store 1 (shared with
    the first study), and a pharmacist given both studies."""
    text = study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{OTHER}"')
    studies.add_study(ctx, admin, text, "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = users.sign_in(ctx, pharmacist.username, pw(pharmacist))
    theirs = studies.switch_study(ctx, both, OTHER)
    day = date(2026, 1, 3)  # received two days before "today" (the clock's 2026-01-05)
    receive(ctx, both, "K0001-K0003", received_on=day)  # the first study's, in IP store 1
    receive(theirs, both, "B0001-B0002", lot="LB", location="IP store 2", received_on=day)
    receive(theirs, both, "B0003", lot="LB", shipment="SH-B3", received_on=day)  # shared
    return theirs, both


def test_a_storage_area_of_another_study_is_not_in_the_monitor_pack(
    ctx: Context, clock: FixedClock, other: tuple[Context, Actor], monitor: Actor
) -> None:
    clock.set_date(date(2026, 1, 20))
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 1), date(2026, 1, 20))
    assert [c.storage_area for c in pack.coverage] == ["IP store 1"]
    gaps = [i.subject for i in pack.open_items if i.kind == "Gap in the temperature log"]
    assert gaps == ["IP store 1"]
    assert [c.storage_area for c in temperature.coverage(ctx, monitor)] == ["IP store 1"]
    # The other study sees both its areas.
    theirs, both = other
    assert [c.storage_area for c in temperature.coverage(theirs, both)] == [
        "IP store 1",
        "IP store 2",
    ]


def test_excursions_and_logger_files_of_another_studys_area_are_its_own(
    ctx: Context, other: tuple[Context, Actor], monitor: Actor, refused: Refused
) -> None:
    theirs, both = other
    found = temperature.import_logger(theirs, both, "IP store 2", WARM, "store2.csv")
    assert [e.kits_quarantined for e in found] == [("B0001", "B0002")]
    assert [e.storage_area for e in report_data.excursions(theirs, both)] == ["IP store 2"]
    assert [c.source for c in temperature.logger_checks(theirs, both)] == ["store2.csv"]
    # None of it is the first study's.
    assert report_data.excursions(ctx, monitor) == []
    assert temperature.logger_checks(ctx, monitor) == []
    # Nor is the area one the first study records a logger file for, or names.
    with refused(ctx, InvalidInput, "Known areas: IP store 1.") as error:
        temperature.import_logger(ctx, both, "IP store 2", WARM, "store2.csv")
    assert "IP store 2'" in str(error.value) and "IP store 2," not in str(error.value)


def test_an_excursion_in_a_shared_area_names_each_study_its_own_kits(
    ctx: Context, other: tuple[Context, Actor], monitor: Actor
) -> None:
    theirs, both = other
    found = temperature.import_logger(ctx, both, "IP store 1", WARM, "store1.csv")
    # Each study's kits by its own range (here the same one): one excursion each.
    assert [(e.study, e.kits_quarantined) for e in found] == [
        ("NCT07198672", ("K0001", "K0002", "K0003")),
        (OTHER, ("B0003",)),
    ]
    [mine] = report_data.excursions(ctx, monitor)
    assert mine.kits == ("K0001", "K0002", "K0003")
    [their_row] = report_data.excursions(theirs, both)
    assert their_row.kits == ("B0003",)
    assert [c.source for c in temperature.logger_checks(theirs, both)] == ["store1.csv"]
    assert [c.source for c in temperature.logger_checks(ctx, monitor)] == ["store1.csv"]
