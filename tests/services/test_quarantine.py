"""Quarantine, release, and temperature excursions read from a data logger's export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

import signed
from dispensary.domain.codes import KitStatus, Role
from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    NotSignedIn,
    RuleViolation,
    SignatureFailed,
)
from dispensary.services import audit, labels, quarantine, queries, studies, temperature
from dispensary.services.context import Actor, Context, FixedClock

from .conftest import Stock
from .helpers import dispense, enroll, receive, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def status(ctx: Context, actor: Actor, kit: str) -> KitStatus:
    return queries.kit_detail(ctx, actor, kit).status


def test_quarantine_and_release(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor
) -> None:
    change = quarantine.quarantine(ctx, technician, ["k0001", "K0002"], "box crushed")
    assert (change.kits, change.status, change.reason) == (
        ("K0001", "K0002"),
        KitStatus.QUARANTINED,
        "box crushed",
    )
    assert status(ctx, technician, "K0001") is KitStatus.QUARANTINED
    released = signed.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-014")
    assert released.status is KitStatus.AVAILABLE
    assert status(ctx, pharmacist, "K0001") is KitStatus.AVAILABLE
    assert status(ctx, pharmacist, "K0002") is KitStatus.QUARANTINED
    assert scalar(ctx, "SELECT COUNT(*) FROM quarantine_events") == 3
    [entry] = audit.list_entries(ctx, pharmacist, action="release")
    assert (entry.old, entry.reason) == ('{"status":"quarantined"}', "sponsor: use")
    # Quarantine moves no tablets: the ledger holds the receipts only.
    assert {r.kind for r in queries.ledger_rows(ctx, pharmacist)} == {"receive"}


def test_a_release_is_signed_by_the_releasing_user(
    ctx: Context, stock: Stock, pharmacist: Actor, monitor: Actor, pw: Password, refused: Refused
) -> None:
    """A release puts a kit back into dispensable stock: it was written unsigned (its audit
    entry's signatures []). The releasing user signs it ("released"); no password, or a wrong
    one, is refused with nothing written."""
    quarantine.quarantine(ctx, pharmacist, ["K0001"], "box crushed")
    with refused(ctx, InvalidInput, "No signature password was typed for pharm"):
        quarantine.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-014", password="")
    with refused(ctx, SignatureFailed, "signature password for pharm is wrong"):
        quarantine.release(
            ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-014", password="not-it"
        )
    assert status(ctx, pharmacist, "K0001") is KitStatus.QUARANTINED
    quarantine.release(
        ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-014", password=pw(pharmacist)
    )
    assert status(ctx, pharmacist, "K0001") is KitStatus.AVAILABLE
    [entry] = audit.list_entries(ctx, pharmacist, action="release")
    [signature] = audit.signers_of(ctx, pharmacist, [entry.id]).signatures[entry.id]
    assert (signature.username, signature.meaning) == ("pharm", "released")
    assert audit.verify(ctx, monitor).ok


@pytest.mark.parametrize(
    "blank",
    [
        "\u3164",  # HANGUL FILLER
        "\u115f",  # HANGUL CHOSEONG FILLER
        "\u1160",  # HANGUL JUNGSEONG FILLER
        "\uffa0",  # HALFWIDTH HANGUL FILLER
        "\u2800",  # BRAILLE PATTERN BLANK
        "\u200d",  # ZERO WIDTH JOINER with nothing to join
        " \ufe0f",  # VARIATION SELECTOR-16 with no character to draw
        "\u034f\u034f",  # COMBINING GRAPHEME JOINER
        "box \u3164 crushed",
    ],
)
def test_a_reason_that_shows_blank_is_refused(
    ctx: Context, stock: Stock, technician: Actor, refused: Refused, blank: str
) -> None:
    with refused(ctx, InvalidInput, "The reason to quarantine contains an invisible character"):
        quarantine.quarantine(ctx, technician, ["K0001"], blank)
    assert status(ctx, technician, "K0001") is KitStatus.AVAILABLE


def test_release_of_an_expired_kit_is_refused(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K0900", "SHORT", date(2026, 1, 10))
    quarantine.quarantine(ctx, pharmacist, ["K0900"], "excursion")
    clock.set_date(date(2026, 1, 11))
    with refused(ctx, RuleViolation, "Kit K0900 expired on 2026-01-10; it stays out of stock"):
        signed.release(ctx, pharmacist, ["K0900"], "sponsor: use", "TE-2026-014")


def test_only_available_kits_are_quarantined(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    dispense(ctx, pharmacist, pw(pharmacist))  # K0011
    with refused(ctx, RuleViolation, "Kit K0011 is dispensed; only available kits can be quaran"):
        quarantine.quarantine(ctx, pharmacist, ["K0001", "K0011"], "recall")
    with refused(ctx, RuleViolation, "Kit K0001 is available; only quarantined kits can be rel"):
        signed.release(ctx, pharmacist, ["K0001"], "fine", "TE-2026-014")


def verdicts(found: tuple[quarantine.ChangeVerdict, ...]) -> dict[str, str]:
    return {v.kit: v.message for v in found}


def test_the_assessment_says_what_quarantine_and_release_would_refuse(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """Each kit as the step would take it, read only: the screen offers Quarantine and Release
    for the kits the service would move, and the step refuses exactly the kits refused here."""
    dispense(ctx, pharmacist, pw(pharmacist))  # K0011
    quarantine.quarantine(ctx, pharmacist, ["K0002"], "box crushed")
    receive(ctx, pharmacist, "K0900", "SHORT", date(2026, 1, 10))
    quarantine.quarantine(ctx, pharmacist, ["K0900"], "excursion")
    clock.set_date(date(2026, 1, 11))  # K0900 has expired in quarantine
    named = ["k0001", "K0002", "K0011", "K0900", "NOPE1", "K0001"]
    to_quarantine = verdicts(quarantine.assess_quarantine(ctx, technician, named))
    assert to_quarantine == {
        "K0001": "",
        "K0002": "Kit K0002 is quarantined; only available kits can be quarantined.",
        "K0011": "Kit K0011 is dispensed; only available kits can be quarantined.",
        "K0900": "Kit K0900 is quarantined; only available kits can be quarantined.",
        "NOPE1": "Kit NOPE1 is not in this pharmacy's stock. Check the number, or receive the "
        "kit's shipment first.",
    }
    to_release = verdicts(quarantine.assess_release(ctx, pharmacist, named))
    assert to_release["K0002"] == ""
    assert to_release["K0001"] == "Kit K0001 is available; only quarantined kits can be released."
    assert to_release["K0900"].startswith("Kit K0900 expired on 2026-01-10; it stays out")
    for kit, message in to_release.items():  # the step refuses what the assessment refuses
        if message:
            with refused(ctx, RuleViolation if kit != "NOPE1" else NotFound, message):
                signed.release(ctx, pharmacist, [kit], "sponsor: use", "TE-2026-014")
    assert signed.release(ctx, pharmacist, ["K0002"], "sponsor: use", "TE-2026-014").kits == (
        "K0002",
    )
    assert verdicts(quarantine.assess_release(ctx, pharmacist, ["K0002"]))["K0002"] != ""
    with pytest.raises(NotPermitted):
        quarantine.assess_release(ctx, technician, ["K0002"])


@pytest.mark.parametrize(
    ("kits", "reason", "error", "words"),
    [
        ([], "recall", InvalidInput, "Name at least one kit to quarantine"),
        (["K0001"], "", InvalidInput, "Give the reason to quarantine"),
        (["NOPE1"], "recall", NotFound, "Kit NOPE1 is not in this pharmacy's stock"),
    ],
)
def test_malformed_quarantine(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    refused: Refused,
    kits: list[str],
    reason: str,
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        quarantine.quarantine(ctx, technician, kits, reason)


def test_roles(
    ctx: Context, stock: Stock, technician: Actor, monitor: Actor, refused: Refused
) -> None:
    quarantine.quarantine(ctx, technician, ["K0001"], "dropped")
    with refused(ctx, NotPermitted, "tech (technician) may not release kits from quarantine"):
        signed.release(ctx, technician, ["K0001"], "fine", "TE-2026-014")
    with refused(ctx, NotPermitted, "monitor (monitor) may not quarantine kits"):
        quarantine.quarantine(ctx, monitor, ["K0002"], "dropped")


LOG = """timestamp,celsius
2026-01-04T08:00:00+00:00,21.0

2026-01-04T09:00:00+00:00,26.5
2026-01-04T10:00:00+00:00,27.25
2026-01-04T11:00:00+00:00,22.0
2026-01-05T07:00:00+00:00,1.5
2026-01-05T08:00:00+00:00,20.0
"""


def test_excursion_quarantines_the_kits_of_that_area_only(
    ctx: Context, clock: FixedClock, pharmacist: Actor, technician: Actor
) -> None:
    clock.set_date(date(2026, 1, 3))
    receive(ctx, pharmacist, "K0001-K0003")  # in the study's storage area, IP store 1
    receive(ctx, pharmacist, "K0004-K0005", location="Fridge 2")
    clock.set_date(date(2026, 1, 6))
    receive(ctx, pharmacist, "K0006")  # arrived after the excursions ended
    found = temperature.import_logger(ctx, technician, "IP store 1", LOG, "store1.csv")
    assert [(e.lowest, e.highest) for e in found] == [(26.5, 27.25), (1.5, 1.5)]
    first = found[0]
    assert (first.started_at, first.ended_at) == (
        datetime(2026, 1, 4, 9, tzinfo=UTC),
        datetime(2026, 1, 4, 10, tzinfo=UTC),
    )
    assert first.kits_quarantined == ("K0001", "K0002", "K0003")
    assert found[1].kits_quarantined == ()  # already quarantined by the first
    statuses = {k.number: k.status for k in queries.inventory(ctx, technician)}
    assert statuses == {
        "K0001": KitStatus.QUARANTINED,
        "K0002": KitStatus.QUARANTINED,
        "K0003": KitStatus.QUARANTINED,
        "K0004": KitStatus.AVAILABLE,
        "K0005": KitStatus.AVAILABLE,
        "K0006": KitStatus.AVAILABLE,
    }
    assert scalar(ctx, "SELECT COUNT(*) FROM excursions") == 2
    entries = audit.list_entries(ctx, technician, action="temperature_excursion")
    assert len(entries) == 2 and '"kits":["K0001","K0002","K0003"]' in entries[0].new
    assert audit.verify(ctx, technician).ok


def test_readings_within_range_are_recorded_as_checked(
    ctx: Context, stock: Stock, technician: Actor
) -> None:
    log = "Time,Temperature\n2026-01-04 08:00,4.0\n2026-01-04 09:00,25.0\n"
    assert temperature.import_logger(ctx, technician, "IP store 1", log) == []
    assert {k.status for k in queries.inventory(ctx, technician)} == {KitStatus.AVAILABLE}
    [entry] = audit.list_entries(ctx, technician, action="temperature_checked")
    assert '"readings":2' in entry.new


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("when,degrees\n2026-01-04T08:00,21\n", "header was taken from line 1: 'when,degrees'"),
        (
            "timestamp,celsius\n2026-01-04T08:00,21\n\n04/01/2026 09:00,22\n",
            "Logger line 4: '04/01/2026 09:00' is not a time",
        ),
        (
            "timestamp,celsius\n2026-01-04T08:00,warm\n",
            "Logger line 2: 'warm' is not a number",
        ),
        ("timestamp,celsius\n2026-01-04T08:00,180\n", "Logger line 2: 180.0 °C is not plausible"),
        ("timestamp,celsius\n\n", "The logger file holds no readings"),
        (  # a decimal comma: 25,9 would read as 25 and a stray 9, missing the excursion
            "timestamp,celsius\n2026-01-04T08:00,21\n2026-01-04T09:00,25,9\n",
            "Logger line 3 has more cells than the header names: a temperature written with "
            "a decimal comma (25,9)",
        ),
    ],
)
def test_malformed_logger_file_is_refused(
    ctx: Context, stock: Stock, technician: Actor, refused: Refused, text: str, words: str
) -> None:
    with refused(ctx, InvalidInput, words):
        temperature.import_logger(ctx, technician, "IP store 1", text)


def test_monitor_cannot_import(
    ctx: Context, stock: Stock, monitor: Actor, refused: Refused
) -> None:
    with refused(ctx, NotPermitted, "monitor (monitor) may not import temperature records"):
        temperature.import_logger(ctx, monitor, "IP store 1", LOG)


def test_excursion_then_release_then_dispense(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 3))
    receive(ctx, pharmacist, "K0001")
    clock.set_date(date(2026, 1, 5))
    enroll(ctx, pharmacist)
    temperature.import_logger(ctx, pharmacist, "IP store 1", LOG)
    signed.release(ctx, pharmacist, ["K0001"], "sponsor assessed the excursion: use", "TE-2026-014")
    assert [k.kit for k in dispense(ctx, pharmacist, pw(pharmacist)).kits] == ["K0001"]


def test_logger_import_refuses_an_area_not_in_use(
    ctx: Context, stock: Stock, technician: Actor, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "'IP stor 1' is not a storage area in use. Known areas: IP"):
        temperature.import_logger(ctx, technician, "IP stor 1", LOG)
    found = temperature.import_logger(ctx, technician, "ip store 1", LOG)
    assert {e.storage_area for e in found} == {"IP store 1"}  # as the records spell it


def test_logger_import_refuses_readings_in_the_future(
    ctx: Context, clock: FixedClock, stock: Stock, technician: Actor, refused: Refused
) -> None:
    clock.current = datetime(2026, 1, 5, 7, 30, tzinfo=UTC)  # before the last reading, 08:00
    with refused(ctx, InvalidInput, "reading at 2026-01-05 08:00 UTC, after now (2026-01-05 07:30"):
        temperature.import_logger(ctx, technician, "IP store 1", LOG)


def test_a_longer_export_records_its_new_excursion_and_not_those_on_record(
    ctx: Context, clock: FixedClock, stock: Stock, technician: Actor
) -> None:
    clock.set_date(date(2026, 1, 6))
    first = temperature.import_logger(ctx, technician, "IP store 1", LOG, "store1.csv")
    clock.set_date(date(2026, 1, 9))
    # a longer export: a new excursion on the 3rd, and the two imported already (the whole
    # file was refused: the new excursion could never be recorded)
    overlapping = LOG.replace("celsius\n", "celsius\n2026-01-03T08:00:00+00:00,30.0\n")
    again = temperature.import_logger_file(ctx, technician, "IP store 1", overlapping, "again.csv")
    [new] = again.excursions
    assert (new.started_at, new.ended_at) == (datetime(2026, 1, 3, 8, tzinfo=UTC),) * 2
    assert [e.excursion_id for e in again.on_record] == [e.excursion_id for e in first]
    assert {e.source for e in again.on_record} == {"store1.csv"}


WEEK = (
    "\n".join(
        ["timestamp,celsius"]
        + [
            f"2026-01-{day:02d}T{hour:02d}:00:00+00:00,{19 + hour / 4:.1f}"
            for day in range(1, 8)
            for hour in (0, 6, 12, 18)
        ]
    )
    + "\n"
)
"""A week of readings from 19.0 to 23.5 °C, every one within the range."""


def test_no_logger_file_is_on_record_before_any_import(
    ctx: Context, stock: Stock, monitor: Actor
) -> None:
    assert temperature.logger_checks(ctx, monitor) == []


def test_each_logger_file_imported_is_listed_newest_first_with_what_it_found(
    ctx: Context, clock: FixedClock, stock: Stock, technician: Actor, monitor: Actor
) -> None:
    receive(ctx, technician, "K0501", location="Fridge 2")
    clock.set_date(date(2026, 1, 8))
    assert temperature.import_logger(ctx, technician, "ip store 1", WEEK, "week1.csv") == []
    found = temperature.import_logger(ctx, technician, "IP store 1", LOG, "store1.csv")
    assert len(found) == 2
    temperature.import_logger(ctx, technician, "Fridge 2", WEEK, "fridge.csv")

    # a monitor reads them (VIEW), newest first, one row per file
    fridge, warm, week = temperature.logger_checks(ctx, monitor)
    assert week == temperature.LoggerCheck(
        storage_area="IP store 1",
        readings_from=datetime(2026, 1, 1, tzinfo=UTC),
        readings_to=datetime(2026, 1, 7, 18, tzinfo=UTC),
        readings=28,
        lowest=19.0,
        highest=23.5,
        excursions=0,
        source="week1.csv",
        recorded_by=week.recorded_by,
        recorded_at=clock.now(),
        recorded_by_username=technician.username,
        recorded_by_name=technician.full_name,
        recorded_by_initials=technician.initials,
    )
    assert week.recorded_by == technician.initials
    # the file with two excursions is one row: its whole span, count and range
    assert (warm.storage_area, warm.source, warm.excursions) == ("IP store 1", "store1.csv", 2)
    assert (warm.readings_from, warm.readings_to) == (
        datetime(2026, 1, 4, 8, tzinfo=UTC),
        datetime(2026, 1, 5, 8, tzinfo=UTC),
    )
    assert (warm.readings, warm.lowest, warm.highest) == (6, 1.5, 27.25)
    assert (fridge.storage_area, fridge.excursions) == ("Fridge 2", 0)
    # one area (spelt in any case), and at most so many
    assert temperature.logger_checks(ctx, monitor, area="ip STORE 1") == [warm, week]
    assert temperature.logger_checks(ctx, monitor, limit=1) == [fridge]
    assert temperature.logger_checks(ctx, monitor, area="Nowhere") == []


def test_an_import_recorded_before_the_range_was_written_lists_what_it_recorded() -> None:
    """An excursion's audit entry of an earlier version named the run's range and the file's
    span, not the file's count or range: those are left blank, never guessed (the trail is
    append-only, so the entry is read as the import wrote it then)."""
    at = datetime(2026, 1, 6, tzinfo=UTC)
    old = json.dumps(
        {
            "storage_area": "IP store 1",
            "from": "2026-01-04T09:00:00+00:00",
            "to": "2026-01-04T10:00:00+00:00",
            "lowest": 26.5,
            "highest": 27.25,
            "kits": [],
            "source": "old.csv",
            "readings_from": "2026-01-04T08:00:00+00:00",
            "readings_to": "2026-01-05T08:00:00+00:00",
        }
    )
    check = temperature._logger_check("temperature_excursion", "3", old, at, "TT", "NCT07198672")
    assert check is not None
    assert (check.readings, check.lowest, check.highest, check.excursions) == (None, None, None, 1)
    assert check.readings_from == datetime(2026, 1, 4, 8, tzinfo=UTC)
    unreadable = temperature._logger_check(
        "temperature_checked", "IP store 1", "{", at, "TT", "NCT07198672"
    )
    assert unreadable is None


def test_logger_files_are_read_only_in_a_study_one_may_see(
    ctx: Context, admin: Actor, monitor: Actor, refused: Refused
) -> None:
    """The access as the database holds it: taken away, the session signed in with it reads
    no more (an account the database does not hold reads nothing either)."""
    studies.set_access(ctx, admin, "monitor", ctx.study.protocol, False, "CRA reassigned")
    with refused(ctx, NotPermitted, f"Access to study {ctx.study.protocol} was withdrawn"):
        temperature.logger_checks(ctx, monitor)
    nobody = Actor(9, "x", "X Y", "XY", Role.MONITOR, studies=frozenset({1}))
    with refused(ctx, NotSignedIn, "the account is not active"):
        temperature.logger_checks(ctx, nobody)


def test_a_release_says_to_relabel_the_kits_whose_labels_were_printed(
    ctx: Context, pharmacist: Actor
) -> None:
    """After the release of a temperature-failed shipment the kit labels still said
    QUARANTINED: DO NOT DISPENSE, and nothing said to relabel the kits."""
    receive(ctx, pharmacist, "K0101-K0103", temperature_ok=False)
    labels.record_label_print(ctx, pharmacist, "kit", ["K0101", "K0102"], False, "a4")
    done = signed.release(
        ctx, pharmacist, ["K0101", "K0102", "K0103"], "sponsor: usable", "TE-2026-014"
    )
    assert done.relabel == ("K0101", "K0102")
    assert done.relabel_note.startswith(
        "The kit labels of K0101, K0102 were printed before: a label printed while a kit was "
        "quarantined says QUARANTINED: DO NOT DISPENSE. Relabel the kits: print their kit "
        "labels again as a reprint with the reason 'released from quarantine'"
    )
    plan = labels.plan_print(ctx, pharmacist, "kit", ["K0101", "K0102"], "a4")
    assert plan.reprint and plan.quarantined == ()  # the reprint is clean
    labels.record_label_print(
        ctx, pharmacist, "kit", ["K0101", "K0102"], True, "a4", "released from quarantine"
    )
    again = quarantine.quarantine(ctx, pharmacist, ["K0103"], "check")
    assert (again.relabel, again.relabel_note) == ((), "")


@pytest.mark.parametrize("reference", ["", "   ", "\t"])
def test_a_release_without_the_sponsors_reference_is_refused_and_nothing_written(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor, reference: str
) -> None:
    """A quarantined kit goes back to usable stock only on the sponsor's written decision: a
    release without its reference was made on a free-text reason alone."""
    quarantine.quarantine(ctx, technician, ["K0001", "K0002"], "temperature excursion")
    entries = scalar(ctx, "SELECT COUNT(*) FROM audit_entries")
    events = scalar(ctx, "SELECT COUNT(*) FROM quarantine_events")
    with pytest.raises(quarantine.NoSponsorReference) as refused:
        signed.release(ctx, pharmacist, ["K0001", "K0002"], "sponsor: use", reference)
    assert isinstance(refused.value, InvalidInput)
    assert refused.value.message == (
        "Type the sponsor's reference of its decision to release the kits (the decision or "
        "excursion assessment number, e.g. TE-2026-014): a quarantined kit goes back to stock "
        "only on the sponsor's written decision."
    )
    assert status(ctx, pharmacist, "K0001") is KitStatus.QUARANTINED
    assert status(ctx, pharmacist, "K0002") is KitStatus.QUARANTINED
    assert scalar(ctx, "SELECT COUNT(*) FROM audit_entries") == entries
    assert scalar(ctx, "SELECT COUNT(*) FROM quarantine_events") == events


def test_a_reference_too_long_or_on_two_lines_is_refused(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor
) -> None:
    quarantine.quarantine(ctx, technician, ["K0001"], "temperature excursion")
    with pytest.raises(InvalidInput, match="sponsor's reference of the decision to release is"):
        signed.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-" + "1" * 200)
    with pytest.raises(InvalidInput, match="control characters"):
        signed.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-1\nTE-2")
    assert status(ctx, pharmacist, "K0001") is KitStatus.QUARANTINED


def test_the_sponsors_reference_is_kept_with_each_kit_released_and_shown(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor
) -> None:
    """Stored on each kit's release row (a quarantine has none), in the release's audit entry,
    and in the monitor pack's quarantine log."""
    from dispensary.domain.audit_actions import reason_and_decision
    from dispensary.services import report_data

    quarantine.quarantine(ctx, technician, ["K0001", "K0002"], "temperature excursion")
    done = signed.release(ctx, pharmacist, ["K0001", "K0002"], "sponsor: use", " TE-2026-014 ")
    assert done.sponsor_reference == "TE-2026-014"
    with ctx.engine.connect() as conn:
        rows = [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT action, sponsor_reference FROM quarantine_events ORDER BY id"
            )
        ]
    assert rows == [
        ("quarantine", None),
        ("quarantine", None),
        ("release", "TE-2026-014"),
        ("release", "TE-2026-014"),
    ]
    [entry] = audit.list_entries(ctx, pharmacist, action="release")
    assert json.loads(entry.new)["sponsor_reference"] == "TE-2026-014"
    assert reason_and_decision(entry.action, entry.reason, entry.new) == (
        "Sponsor's decision TE-2026-014; sponsor: use"
    )
    [kit_entry] = [
        e for e in audit.list_entries(ctx, pharmacist, kit="K0002") if e.action == "release"
    ]
    assert kit_entry.id == entry.id  # the kit's history holds it
    log = report_data.quarantine_log(ctx, pharmacist)
    assert [(q.action, q.sponsor_reference) for q in log] == [
        ("quarantine", ""),
        ("quarantine", ""),
        ("release", "TE-2026-014"),
        ("release", "TE-2026-014"),
    ]
    assert audit.verify(ctx, pharmacist).ok


def test_a_quarantine_ended_by_destroying_the_kit_has_its_closing_row(
    ctx: Context,
    stock: Stock,
    clock: FixedClock,
    technician: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """The log of quarantines showed K0002 quarantined and never how that ended: destroyed
    under the sponsor's authorisation. A kit released first (K0001) needs no such row: the
    release closed its quarantine."""
    from dispensary.services import destruction, report_data

    quarantine.quarantine(ctx, technician, ["K0001", "K0002"], "box crushed")
    signed.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-014")
    clock.set_date(date(2026, 1, 20))
    destruction.destroy(
        ctx,
        pharmacist,
        ["K0001", "K0002"],
        "tech",
        "Incineration",
        pw(pharmacist),
        reference="DEST-2026-009",
        witness_password=pw(technician),
        reason_code="damaged",
    )
    rows = report_data.quarantine_log(ctx, pharmacist)
    assert [(r.kit, r.action) for r in rows] == [
        ("K0001", "quarantine"),
        ("K0002", "quarantine"),
        ("K0001", "release"),
        ("K0002", "destroyed"),
    ]
    closing = rows[-1]
    assert (closing.reason, closing.sponsor_reference) == ("Incineration", "DEST-2026-009")
    assert closing.at.date() == date(2026, 1, 20)
    # In the period of the destruction only: a period before it shows the quarantine open.
    before = report_data.quarantine_log(ctx, pharmacist, until=date(2026, 1, 19))
    assert "destroyed" not in {r.action for r in before}
    pack = report_data.monitor_pack(ctx, pharmacist, date(2026, 1, 20), date(2026, 1, 20))
    assert [(r.kit, r.action) for r in pack.quarantines] == [("K0002", "destroyed")]


def test_a_release_names_every_cause_the_kit_is_held_for(
    ctx: Context, clock: FixedClock, pharmacist: Actor, technician: Actor
) -> None:
    """A kit quarantined by hand (a broken seal), then exposed to two excursions while held:
    the release's assessment, its result and its audit entry name the quarantine and both
    excursions, which the sponsor's reference is to cover (review: K1061 was put back on a
    reference that named none of its excursions)."""
    clock.set_date(date(2026, 1, 3))
    receive(ctx, pharmacist, "K0001-K0002")
    quarantine.quarantine(ctx, technician, ["K0001"], "Cap seal broken on arrival.")
    clock.set_date(date(2026, 1, 6))
    found = temperature.import_logger(ctx, technician, "IP store 1", LOG, "store1.csv")
    assert [e.kits_already_quarantined for e in found] == [("K0001",), ("K0001", "K0002")]
    first, second = (e.excursion_id for e in found)
    [verdict, other] = quarantine.assess_release(ctx, pharmacist, ["K0001", "K0002"])
    assert verdict.accepted
    assert [c.text for c in verdict.held_for] == [
        "quarantined 2026-01-03: Cap seal broken on arrival",
        f"exposed to temperature excursion {first} on 2026-01-04 while held",
        f"exposed to temperature excursion {second} on 2026-01-05 while held",
    ]
    assert [c.excursion for c in other.held_for] == [first, second]  # quarantined, then exposed
    assert not other.held_for[0].exposed and other.held_for[1].exposed
    done = signed.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-020")
    assert done.held_for == (("K0001", tuple(c.text for c in verdict.held_for)),)
    [entry] = audit.list_entries(ctx, pharmacist, action="release")
    assert json.loads(entry.new)["held_for"] == {
        "K0001": [
            {"on": "2026-01-03", "reason": "Cap seal broken on arrival."},
            {"on": "2026-01-04", "exposed_to_excursion": first},
            {"on": "2026-01-05", "exposed_to_excursion": second},
        ]
    }
    # Released, the kit is held for nothing; quarantined again, for the new cause only.
    clock.set_date(date(2026, 1, 7))
    quarantine.quarantine(ctx, technician, ["K0001"], "dropped")
    [again] = quarantine.assess_release(ctx, pharmacist, ["K0001"])
    assert [c.text for c in again.held_for] == ["quarantined 2026-01-07: dropped"]


def test_the_release_of_a_kit_held_for_an_excursion(
    ctx: Context, clock: FixedClock, pharmacist: Actor, technician: Actor
) -> None:
    """Review: the quarantine log's release row of a kit held for an excursion named no
    excursion (only a quarantine's event records it): it names the excursion of the quarantine
    it ends. The release said "for temperature excursion 1: temperature excursion 26.5-27.25
    °C": the temperatures are said once, in either language."""
    from dispensary.i18n import Language, speaking
    from dispensary.services import report_data

    clock.set_date(date(2026, 1, 3))
    receive(ctx, pharmacist, "K0001-K0002")
    quarantine.quarantine(ctx, technician, ["K0002"], "box crushed")
    clock.set_date(date(2026, 1, 6))
    first, _second = temperature.import_logger(ctx, technician, "IP store 1", LOG, "store1.csv")
    said = f"quarantined 2026-01-06 for temperature excursion {first.excursion_id} (26.5-27.25 °C)"
    [verdict] = quarantine.assess_release(ctx, pharmacist, ["K0001"])
    assert verdict.held_for[0].text == said
    with speaking(Language.ZH_CN):
        [chinese] = quarantine.assess_release(ctx, pharmacist, ["K0001"])
        shown = chinese.held_for[0].text
    assert shown == (f"2026-01-06 因温度超标 {first.excursion_id} 隔离（26.5-27.25 °C）")
    done = signed.release(ctx, pharmacist, ["K0001", "K0002"], "sponsor: use", "TE-2026-021")
    assert done.held_for[0][1][0] == said
    rows = report_data.quarantine_log(ctx, pharmacist)
    assert [(r.kit, r.action, r.excursion_id) for r in rows] == [
        ("K0002", "quarantine", None),
        ("K0001", "quarantine", first.excursion_id),
        ("K0001", "release", first.excursion_id),  # the excursion of the quarantine it ends
        ("K0002", "release", None),  # a quarantine by hand: none
    ]
