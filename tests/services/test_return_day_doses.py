"""The doses of the return day are the study file's ([cycle] return_day_doses), not the first
study's evening start: in the reviewer's twice-daily REV-CAPS-28 (the first dose the morning of
day 1) a participant who took every dose and came back on day 15 after the morning dose has
taken 58 capsules of the 56 the 14 days before expected. That is every dose, 100%, no over-use
(it said "taken 58 of 56 expected: 104%, Over-use (safety signal)", a reason asked). The same
return in a copy of the file that leaves the key out keeps the evening start's reading."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from dispensary.db.engine import read_transaction
from dispensary.domain.codes import Flag, Role
from dispensary.services import (
    dispensing,
    participants,
    queries,
    receiving,
    returns,
    setup,
    users,
)
from dispensary.services.assessment.returns import ReturnRequest
from dispensary.services.context import Context, FixedClock
from dispensary.study import load_study, parse_study

FIXTURE = Path(__file__).parents[1] / "fixtures" / "REV-CAPS-28.toml"
PASSWORD = "pharm-pass-1"
DAY1 = date(2026, 3, 2)


def _pharmacy(text: str, folder: Path) -> tuple[Context, FixedClock]:
    clock = FixedClock()
    clock.set_date(DAY1)
    study = parse_study(text, str(FIXTURE))
    ctx = setup.init_database(
        str(folder / "rev.sqlite3"), study, "admin", "Ada Admin", "AA", "admin-pass-1", clock
    )
    admin = users.sign_in(ctx, "admin", "admin-pass-1")
    users.add_user(ctx, admin, "pharm", Role.PHARMACIST, "Paula Pharm", "PP", PASSWORD, False)
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    listed = receiving.kits_from_range(
        ctx, "R1001-R1004", "revicapib-100mg", "L1", date(2028, 6, 30), None
    )
    receiving.receive_shipment(ctx, pharm, "SH-1", listed)
    participants.enroll(
        ctx,
        pharm,
        "01-001",
        "AB",
        1970,
        "F",
        "Dr Example",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    return ctx, clock


@pytest.fixture
def file_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


@pytest.fixture
def rev(tmp_path: Path, file_text: str) -> Iterator[tuple[Context, FixedClock]]:
    found = _pharmacy(file_text, tmp_path)
    yield found
    found[0].engine.dispose()


def _back_on_day_15(ctx: Context, clock: FixedClock, taken: int) -> returns.ReturnResult:
    """Cycle 1 (200 mg twice daily: 2 capsules a dose, 112 in two kits of 56) dispensed on day
    1, back on day 15 with `taken` capsules gone, the first kit empty."""
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    dispensed = dispensing.dispense_cycle(ctx, pharm, "01-001", 1, DAY1, PASSWORD)
    assert sum(k.tablets for k in dispensed.kits) == 112
    clock.set_date(DAY1 + timedelta(days=14))  # day 15
    first, second = (k.kit for k in dispensed.kits)
    returns.record_return(ctx, pharm, first, 0, PASSWORD, dispensed.number)
    return returns.record_return(ctx, pharm, second, 112 - taken, PASSWORD, dispensed.number)


def test_the_fixture_says_its_return_day_dose() -> None:
    assert load_study(FIXTURE).cycle.return_day_doses == 1


def test_every_dose_taken_and_the_morning_of_the_return_day_is_full_adherence(
    rev: tuple[Context, FixedClock],
) -> None:
    ctx, clock = rev
    result = _back_on_day_15(ctx, clock, 58)  # days 1-14 (56) and day 15's morning dose (2)
    assert (result.taken, result.expected, result.flags) == (58, 56, ())
    assert result.adherence == pytest.approx(1.0)
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    row = queries.participant_history(ctx, pharm, "01-001")[1][0]
    assert (row.taken, row.expected, row.flags) == (58, 56, ())
    assert row.adherence == pytest.approx(1.0)


def test_more_than_the_return_days_doses_is_still_over_use(
    rev: tuple[Context, FixedClock],
) -> None:
    ctx, clock = rev
    result = _back_on_day_15(ctx, clock, 60)  # both of day 15's doses before the visit
    assert (result.taken, result.expected, result.flags) == (60, 56, (Flag.OVER_USE,))
    assert result.adherence == pytest.approx(58 / 56)


def test_a_file_without_the_key_keeps_the_evening_start(tmp_path: Path, file_text: str) -> None:
    """return_day_doses left out: the return day is no dosing day, as NCT07198672's."""
    lines = [line for line in file_text.splitlines() if not line.startswith("return_day_")]
    ctx, clock = _pharmacy("\n".join(lines) + "\n", tmp_path)
    try:
        assert ctx.study.cycle.return_day_doses == 0
        result = _back_on_day_15(ctx, clock, 58)
        assert (result.taken, result.expected, result.flags) == (58, 56, (Flag.OVER_USE,))
    finally:
        ctx.engine.dispose()


def _flagged(ctx: Context) -> bool:
    """The reconciliation's test (every participant with an unexplained flag)."""
    with read_transaction(ctx.engine) as session:
        return bool(queries.flagged_participants(session, ctx))


def test_a_dose_on_a_return_day_the_drug_was_held_is_over_use(
    rev: tuple[Context, FixedClock],
) -> None:
    """Held by the investigator from day 12 to day 15 (platelets), back on day 15: 11 days of
    4 capsules, 44 expected. The morning dose of day 15 was taken while the drug was held:
    46 taken is over-use, flagged (it read 100% with no flag: the return day's allowance
    stood through the hold)."""
    ctx, clock = rev
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    dispensed = dispensing.dispense_cycle(ctx, pharm, "01-001", 1, DAY1, PASSWORD)
    day15 = DAY1 + timedelta(days=14)
    clock.set_date(day15)
    first, second = (k.kit for k in dispensed.kits)
    returns.record_return(ctx, pharm, second, 56, PASSWORD, dispensed.number)
    held_from, ordered_by = DAY1 + timedelta(days=11), "Dr Example"  # day 12 to day 15
    request = ReturnRequest(
        dispense=dispensed.number,
        kit=first,
        tablets=56 - 46,
        held_from=held_from,
        held_until=day15,
        held_ordered_by=ordered_by,
    )
    preview = returns.assess_return(ctx, pharm, request).preview
    assert preview is not None
    assert (preview.taken, preview.expected, preview.flags) == (46, 44, (Flag.OVER_USE,))
    result = returns.record_return(
        ctx,
        pharm,
        first,
        56 - 46,
        PASSWORD,
        dispensed.number,
        held_from=held_from,
        held_until=day15,
        held_ordered_by=ordered_by,
    )
    assert (result.taken, result.expected, result.flags) == (46, 44, (Flag.OVER_USE,))
    row = queries.participant_history(ctx, pharm, "01-001")[1][0]
    assert (row.taken, row.expected, row.flags) == (46, 44, (Flag.OVER_USE,))
    assert _flagged(ctx)


def test_a_dose_after_the_treatment_stopped_is_over_use(
    rev: tuple[Context, FixedClock],
) -> None:
    """Discontinued effective day 10, the kits back on day 20: 9 days of 4 capsules, 36
    expected, and a dose taken after stopping is over-use (the return day's allowance was
    given on day 10, the day use is counted up to, and hid it)."""
    ctx, clock = rev
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    dispensed = dispensing.dispense_cycle(ctx, pharm, "01-001", 1, DAY1, PASSWORD)
    clock.set_date(DAY1 + timedelta(days=19))  # day 20
    participants.set_status(
        ctx,
        pharm,
        "01-001",
        "discontinued",
        "progression",
        password=PASSWORD,
        effective_on=DAY1 + timedelta(days=9),
    )
    first, second = (k.kit for k in dispensed.kits)
    returns.record_return(ctx, pharm, second, 56, PASSWORD, dispensed.number)
    preview = returns.assess_return(
        ctx, pharm, ReturnRequest(dispense=dispensed.number, kit=first, tablets=56 - 38)
    ).preview
    assert preview is not None
    assert (preview.taken, preview.expected, preview.flags) == (38, 36, (Flag.OVER_USE,))
    result = returns.record_return(ctx, pharm, first, 56 - 38, PASSWORD, dispensed.number)
    assert (result.taken, result.expected, result.flags) == (38, 36, (Flag.OVER_USE,))
    row = queries.participant_history(ctx, pharm, "01-001")[1][0]
    assert (row.taken, row.expected, row.flags) == (38, 36, (Flag.OVER_USE,))
    assert _flagged(ctx)


def test_the_return_days_allowance_is_said_with_its_source(
    rev: tuple[Context, FixedClock],
) -> None:
    """The allowance the expected count makes for day 15's morning dose is said where the
    count is (the return's result, the history row the report reads), with the study file's
    source for it: 58 of 56 at 100% read as a slip without it."""
    ctx, clock = rev
    result = _back_on_day_15(ctx, clock, 58)
    assert "2 capsules" in result.return_day_note
    assert "protocol 6.1" in result.return_day_note
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    row = queries.participant_history(ctx, pharm, "01-001")[1][0]
    assert row.return_day_note == result.return_day_note


def test_days_held_without_dates_give_no_return_day_allowance(
    rev: tuple[Context, FixedClock],
) -> None:
    """3 days held given as a number only (no dates), back on day 15: 11 days of 4 capsules,
    44 expected. Whether the hold covered day 15 is not known, so its morning dose is not
    assumed taken as directed: 46 taken is over-use, for the pharmacist to ask about (it read
    100%, no flag: the allowance stood as if the drug were not held that day), and the result
    says why no dose is allowed for."""
    ctx, clock = rev
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    dispensed = dispensing.dispense_cycle(ctx, pharm, "01-001", 1, DAY1, PASSWORD)
    clock.set_date(DAY1 + timedelta(days=14))  # day 15
    first, second = (k.kit for k in dispensed.kits)
    returns.record_return(ctx, pharm, second, 56, PASSWORD, dispensed.number, held_days=3)
    request = ReturnRequest(dispense=dispensed.number, kit=first, tablets=56 - 46, held_days=3)
    preview = returns.assess_return(ctx, pharm, request).preview
    assert preview is not None
    assert (preview.taken, preview.expected, preview.flags) == (46, 44, (Flag.OVER_USE,))
    assert "without dates" in preview.return_day_note
    result = returns.record_return(
        ctx, pharm, first, 56 - 46, PASSWORD, dispensed.number, held_days=3
    )
    assert (result.taken, result.expected, result.flags) == (46, 44, (Flag.OVER_USE,))
    assert "without dates" in result.return_day_note
    assert "2 capsules" in result.return_day_note
    row = queries.participant_history(ctx, pharm, "01-001")[1][0]
    assert (row.taken, row.expected, row.flags) == (46, 44, (Flag.OVER_USE,))
    assert _flagged(ctx)


def test_a_discontinuation_effective_on_the_return_day_gives_no_allowance(
    rev: tuple[Context, FixedClock],
) -> None:
    """Discontinued effective day 15, the kits back that day: the effective date is the first
    day off treatment (expected use counts the 14 days before it, 56), so day 15's morning
    dose was taken after stopping: 58 taken is over-use (it read 100%: use counted up to the
    return day took the allowance as the visit's), and the result says why."""
    ctx, clock = rev
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    dispensed = dispensing.dispense_cycle(ctx, pharm, "01-001", 1, DAY1, PASSWORD)
    day15 = DAY1 + timedelta(days=14)
    clock.set_date(day15)
    participants.set_status(
        ctx, pharm, "01-001", "discontinued", "toxicity", password=PASSWORD, effective_on=day15
    )
    first, second = (k.kit for k in dispensed.kits)
    returns.record_return(ctx, pharm, second, 54, PASSWORD, dispensed.number)
    preview = returns.assess_return(
        ctx, pharm, ReturnRequest(dispense=dispensed.number, kit=first, tablets=0)
    ).preview
    assert preview is not None
    assert (preview.taken, preview.expected, preview.flags) == (58, 56, (Flag.OVER_USE,))
    assert "off treatment" in preview.return_day_note
    result = returns.record_return(ctx, pharm, first, 0, PASSWORD, dispensed.number)
    assert (result.taken, result.expected, result.flags) == (58, 56, (Flag.OVER_USE,))
    assert "off treatment" in result.return_day_note
    row = queries.participant_history(ctx, pharm, "01-001")[1][0]
    assert (row.taken, row.expected, row.flags) == (58, 56, (Flag.OVER_USE,))
    assert _flagged(ctx)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "Cycle 1 (DSP000001): Return day: 2 capsules taken before the visit is allowed for"
            " beyond the expected count (study file, protocol 6.1).",
        ),
        ("zh_CN", "第 1 周期（DSP000001）：退回当日：就诊前服用的"),
    ],
)
def test_the_participant_report_says_the_return_days_allowance(
    rev: tuple[Context, FixedClock], language: str, said: str
) -> None:
    """The participant report's history says 58 taken of 56 expected at 100%: beside it, why
    (the return day's morning dose allowed for, with its source), in the reader's language."""
    from pypdf import PdfReader

    from dispensary import reports
    from dispensary.i18n import Language, speaking
    from dispensary.services import report_data

    ctx, clock = rev
    _back_on_day_15(ctx, clock, 58)
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    with speaking(Language(language)):
        report = report_data.participant_report(ctx, pharm, "01-001")
        pdf = reports.participant_pdf(report_data.report_meta(ctx, pharm), ctx.study, report)
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join(p.extract_text().replace("\u00a0", " ").split()) for p in pages)
    assert said in text, text


def test_demo_2drug_leaves_the_return_days_doses_out_and_says_why() -> None:
    """DEMO-2DRUG doses its capsule twice daily but its (fictional) protocol sections do not say
    the first dose is the morning of day 1, nor when the once-daily tablet is taken: the file
    gives no return_day_doses (no rule is made up for it) and says why where the key would be."""
    from dispensary.study import bundled_studies

    path = bundled_studies() / "DEMO-2DRUG.toml"
    study = load_study(path)
    assert study.cycle.return_day_doses == 0
    assert "cycle.return_day" not in {r.key for r in study.rules}
    cycle = path.read_text(encoding="utf-8").split("[cycle]")[1].split("\n[")[0]
    assert "return_day_doses is left out on purpose" in cycle


def test_the_participant_csv_gives_the_return_day_note(
    rev: tuple[Context, FixedClock],
) -> None:
    """The participant CSV carries the return day's note the report and the windows show (it
    had no column for it: an export of 58 taken of 56 expected at 100% read unexplained), in
    the reader's language."""
    from dispensary import reports
    from dispensary.i18n import Language, speaking
    from dispensary.reports.csvfile import read_rows
    from dispensary.services import report_data

    ctx, clock = rev
    _back_on_day_15(ctx, clock, 58)
    pharm = users.sign_in(ctx, "pharm", PASSWORD)
    data = report_data.participant_report(ctx, pharm, "01-001")
    meta = report_data.report_meta(ctx, pharm)
    [row] = read_rows(reports.participant_csv(meta, data))
    note = row["return_day_note"]
    assert note == data.history[0].return_day_note
    assert note.startswith("Return day: 2 capsules taken before the visit"), note
    assert "protocol 6.1" in note
    with speaking(Language.ZH_CN):
        chinese = report_data.participant_report(ctx, pharm, "01-001")
        [row] = read_rows(reports.participant_csv(meta, chinese))
    assert "2 粒" in row["return_day_note"] and row["return_day_note"] != note
