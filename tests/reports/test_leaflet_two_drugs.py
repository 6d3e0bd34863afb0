"""The leaflet's diary of two drugs taken on different days of the cycle: each day's Take
shows only the drugs taken that day, each with all of that day's units (DEMO-2DRUG: a capsule
twice daily on days 1-14, a tablet once daily)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path

from dispensary.domain.regimen import DoseComponent, DoseLevel, tablets_needed
from dispensary.i18n import speaking
from dispensary.labels import participant_leaflet
from dispensary.labels.languages import speeches
from dispensary.labels.leaflet import _dose_text, friendly_date
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, load_study

from .pdfread import pdf_pages_text

STUDIES = Path(__file__).resolve().parents[2] / "resources" / "studies"
DAY1 = date(2026, 3, 2)
# Each drug named as its bottle's label names it, with its own part of the day.
CAPSULES = "democapib (fictional) 100 mg: 2 capsules (2 doses of 1)"
TABLET = "demotinib (fictional) 25 mg: 1 tablet"
BOTH = f"{CAPSULES} + {TABLET}"


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
        text = text.replace("Day Date Take Taken Note", "")  # the header a new page repeats
        rows[day] = re.sub(r"\s\d+$", "", text.strip()).strip()  # the next row's day number
    return rows


def test_the_diary_takes_each_drug_only_on_its_days() -> None:
    study = load_study(STUDIES / "DEMO-2DRUG.toml")
    pdf = participant_leaflet(study, _dispense(study))
    diary = " ".join(pdf_pages_text(pdf)[1:])
    rows = _rows(diary)
    assert len(rows) == 21
    for n, day in enumerate(sorted(rows)):
        expected = BOTH if n < 14 else TABLET
        assert rows[day].startswith(expected), (n + 1, rows[day])
    assert rows[DAY1 + timedelta(days=14)] == TABLET  # day 15: no capsule
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
    assert rows[DAY1 + timedelta(days=13)].startswith(BOTH)
    assert rows[DAY1 + timedelta(days=14)] == TABLET


def test_a_day_with_no_drug_says_none_today() -> None:
    """A study whose only drug is taken on days 1-14 of a 21-day cycle."""
    two = load_study(STUDIES / "DEMO-2DRUG.toml")
    dose = two.dose_level(0)
    capsule_only = dataclasses.replace(dose, components=dose.components[:1])
    study = dataclasses.replace(two, dose_levels=(capsule_only,))
    rows = _rows(" ".join(pdf_pages_text(participant_leaflet(study, _dispense(study)))[1:]))
    assert rows[DAY1 + timedelta(days=13)].startswith("2 capsules (2 doses of 1)")
    assert rows[DAY1 + timedelta(days=14)] == "none today"
    assert rows[DAY1 + timedelta(days=20)] == "none today"


def test_a_twice_daily_capsule_reads_as_the_days_two_in_english_and_chinese() -> None:
    """Democapib is 1 capsule twice daily on days 1-14: a row ticked for all of the day's
    doses names both capsules (the day's 2, in 2 doses of 1), never one capsule, which a
    participant following the row would take as the day's dose (half of it). The rows add up
    to the capsules and tablets the regimen counts for the cycle (28 and 21)."""
    study = load_study(STUDIES / "DEMO-2DRUG.toml")
    dose = study.dose_level(0)
    rows = _rows(" ".join(pdf_pages_text(participant_leaflet(study, _dispense(study)))[1:]))
    for n, day in enumerate(sorted(rows)):
        assert rows[day] == (BOTH if n < 14 else TABLET)
    capsules = sum(int(m) for row in rows.values() for m in re.findall(r"(\d+) capsules? ", row))
    tablets = sum(int(m) for row in rows.values() for m in re.findall(r"(\d+) tablets?$", row))
    assert (capsules, tablets) == (28, 21)
    assert capsules == tablets_needed(dose, "democapib-100mg", 21)
    chinese = participant_leaflet(study, _dispense(study), languages=("zh_CN",))
    diary = "".join(" ".join(pdf_pages_text(chinese)[1:]).split())
    assert (
        diary.count(
            "德莫卡匹布胶囊（虚构）100mg：2粒（分2次，每次1粒）+德莫替尼片（虚构）25mg：1片"
        )
        == 14
    )
    assert "1粒+1片" not in diary
    # The reduced level takes the capsule once daily: one capsule is then the whole day.
    reduced = _rows(
        " ".join(pdf_pages_text(participant_leaflet(study, _dispense(study, dose_level=-1)))[1:])
    )
    assert reduced[DAY1] == "democapib (fictional) 100 mg: 1 capsule + " + TABLET


def test_a_drug_taken_more_than_once_a_day_counts_each_way_it_is_taken() -> None:
    """Two parts of one tablet on the same days, one twice daily and one once daily: the day's
    3 tablets, split as the study file gives them, in English and Chinese."""
    study = load_study(STUDIES / "DEMO-28D-BID.toml")
    tablet = study.products[0].code
    dose = DoseLevel(
        5, "three a day", 1, (DoseComponent(tablet, 1, 2), DoseComponent(tablet, 1, 1))
    )
    english, chinese = speeches(study, ("en", "zh_CN"))
    assert _dose_text(study, dose, english, 1) == "3 tablets (2 doses of 1; 1 dose of 1)"
    with speaking(chinese.language):
        assert _dose_text(study, dose, chinese, 1) == "3片（分2次，每次1片；1次，每次1片）"


def test_each_drug_of_the_diary_is_named_with_its_part_in_english_and_chinese() -> None:
    """The Take column of two drugs read "2 capsules (2 doses of 1) + 1 tablet" (2粒（分2次，
    每次1粒）+ 1片): counts without their drugs. Each is named now as its bottle's label names
    it, a drug a line, its part never broken; a day of one drug names it too. A study of one
    drug keeps its unnamed counts (test_a_day_with_no_drug_says_none_today)."""
    study = load_study(STUDIES / "DEMO-2DRUG.toml")
    english = " ".join(pdf_pages_text(participant_leaflet(study, _dispense(study)))[1:])
    assert english.count(BOTH) == 14 and english.count(TABLET) == 21
    assert "(2 doses of 1) + 1 tablet" not in english
    chinese = participant_leaflet(study, _dispense(study), languages=("zh_CN",))
    diary = "".join(" ".join(pdf_pages_text(chinese)[1:]).split())
    assert diary.count("德莫卡匹布胶囊（虚构）100mg：2粒（分2次，每次1粒）+") == 14
    assert diary.count("德莫替尼片（虚构）25mg：1片") == 21
    assert "）+1片" not in diary
