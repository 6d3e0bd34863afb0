"""The leaflet's diary of two drugs taken on different days of the cycle: each evening's Take
shows only the drugs taken that day (DEMO-2DRUG: a capsule on days 1-14, a tablet daily)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path

from dispensary.labels import participant_leaflet
from dispensary.labels.leaflet import friendly_date
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, load_study

from .pdfread import pdf_pages_text

STUDIES = Path(__file__).resolve().parents[2] / "resources" / "studies"
DAY1 = date(2026, 3, 2)


def _dispense(study: Study, start: date | None = None, dose_level: int = 0) -> DispenseResult:
    kits = tuple(
        DispensedKit(
            kit=kit,
            product=product.code,
            product_name=product.name,
            strength=product.strength,
            lot="LOT1",
            expiry=date(2027, 6, 30),
            tablets=product.tablets_per_kit,
        )
        for kit, product in zip(("C0001", "T0001"), study.products, strict=True)
    )
    return DispenseResult(
        dispense_id=1,
        number="DSP000001",
        participant="001",
        initials="AB",
        cycle=1,
        day1=DAY1,
        dose_level=dose_level,
        dose_name=study.dose_level(dose_level).name,
        directions="Take the capsules and tablets as the pharmacist said.",
        kits=kits,
        tablets=sum(k.tablets for k in kits),
        days=21,
        last_day=DAY1 + timedelta(days=20),
        dispensed_on=start or DAY1,
        pharmacist="Pat Pharmacist",
        pharmacist_initials="PP",
        checked_by="",
        warnings=(),
        start_date=start,
    )


def _rows(diary: str) -> dict[date, str]:
    """Each diary date and the text after it, up to the next date."""
    dates = [DAY1 + timedelta(days=n) for n in range(21)]
    found = {d: diary.find(friendly_date(d)) for d in dates if friendly_date(d) in diary}
    ordered = sorted(found.items(), key=lambda item: item[1])
    rows = {}
    for index, (day, at) in enumerate(ordered):
        end = ordered[index + 1][1] if index + 1 < len(ordered) else len(diary)
        text = diary[at + len(friendly_date(day)) : end]
        text = re.sub(r"\S+ · \S+ · DSP\d+ · page \d+ of \d+", "", text)  # the page's footer
        rows[day] = re.sub(r"\s\d+$", "", text.strip()).strip()  # the next row's day number
    return rows


def test_the_diary_takes_each_drug_only_on_its_days() -> None:
    study = load_study(STUDIES / "DEMO-2DRUG.toml")
    pdf = participant_leaflet(study, _dispense(study))
    diary = " ".join(pdf_pages_text(pdf)[1:])
    rows = _rows(diary)
    assert len(rows) == 21
    for n, day in enumerate(sorted(rows)):
        expected = "1 capsule + 1 tablet" if n < 14 else "1 tablet"
        assert rows[day].startswith(expected), (n + 1, rows[day])
    assert rows[DAY1 + timedelta(days=14)] == "1 tablet"  # day 15: no capsule
    assert "each day when you have taken all of that day's doses, as the directions say" in diary
    # A study file that names no dosing time: the program's sentence points at the Take column.
    plain = dataclasses.replace(
        study, label=dataclasses.replace(study.label, diary_tick="", diary_date="")
    )
    diary = " ".join(pdf_pages_text(participant_leaflet(plain, _dispense(plain)))[1:])
    assert "each day when you have taken what the Take column shows for that day" in diary
    assert "when you have taken 1 capsule + 1 tablet" not in diary


def test_a_late_start_counts_the_days_of_the_cycle_not_of_the_diary() -> None:
    """Day 1 three days before the dispense: the diary starts on cycle day 4, and the capsule
    stops after cycle day 14 (the diary's 11th evening)."""
    study = load_study(STUDIES / "DEMO-2DRUG.toml")
    start = DAY1 + timedelta(days=3)
    rows = _rows(" ".join(pdf_pages_text(participant_leaflet(study, _dispense(study, start)))[1:]))
    assert min(rows) == start and len(rows) == 18
    assert rows[DAY1 + timedelta(days=13)].startswith("1 capsule + 1 tablet")
    assert rows[DAY1 + timedelta(days=14)] == "1 tablet"


def test_a_day_with_no_drug_says_none_today() -> None:
    """A study whose only drug is taken on days 1-14 of a 21-day cycle."""
    two = load_study(STUDIES / "DEMO-2DRUG.toml")
    dose = two.dose_level(0)
    capsule_only = dataclasses.replace(dose, components=dose.components[:1])
    study = dataclasses.replace(two, dose_levels=(capsule_only,))
    rows = _rows(" ".join(pdf_pages_text(participant_leaflet(study, _dispense(study)))[1:]))
    assert rows[DAY1 + timedelta(days=13)].startswith("1 capsule")
    assert rows[DAY1 + timedelta(days=14)] == "none today"
    assert rows[DAY1 + timedelta(days=20)] == "none today"
