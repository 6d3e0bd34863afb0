"""The leaflet says when to take the doses as the study file says (leaflet_doses, diary_date,
diary_tick in [label] and [label.text.zh_CN]): NCT07198672's "the evening", a twice-daily
study's morning and evening, and no time of day from a study file that names none."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from dispensary.i18n import Language, format_date
from dispensary.labels import participant_leaflet
from dispensary.labels.leaflet import friendly_date
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, load_study, parse_study

from .pdfread import pdf_pages_text

STUDIES = Path(__file__).resolve().parents[2] / "resources" / "studies"
DAY1 = date(2026, 3, 2)
EVENING_ONLY = ("each evening", "evening of", "(evening)", "每晚", "晚间")
"""The words of an evening-only regimen, wrong on a leaflet of any other."""


def _dispense(study: Study, dose_level: int = 0) -> DispenseResult:
    kits = tuple(
        DispensedKit(
            kit=f"K{n}",
            product=product.code,
            product_name=product.name,
            strength=product.strength,
            lot="LOT1",
            expiry=date(2027, 6, 30),
            tablets=product.tablets_per_kit,
        )
        for n, product in enumerate(study.products)
    )
    days = study.cycle.days_of_supply
    return DispenseResult(
        dispense_id=1,
        number="DSP000001",
        participant="001",
        initials="AB",
        cycle=1,
        day1=DAY1,
        dose_level=dose_level,
        dose_name=study.dose_level(dose_level).name,
        directions="Take the tablets as the pharmacist said.",
        kits=kits,
        tablets=sum(k.tablets for k in kits),
        days=days,
        last_day=DAY1 + timedelta(days=days - 1),
        dispensed_on=DAY1,
        pharmacist="Pat Pharmacist",
        pharmacist_initials="PP",
        checked_by="",
        warnings=(),
    )


def _flat(text: str) -> str:
    """Without line breaks and spaces: a Chinese sentence reads across them."""
    return re.sub(r"\s+", "", text)


def _leaflet(study: Study, language: str, dose_level: int = 0) -> str:
    pdf = participant_leaflet(study, _dispense(study, dose_level), languages=(language,))
    return " ".join(" ".join(page.split()) for page in pdf_pages_text(pdf))


def _zh(day: date) -> str:
    return _flat(format_date(day, Language.ZH_CN))


def test_nct07198672_keeps_the_evening_in_english_and_chinese() -> None:
    study = load_study(STUDIES / "NCT07198672.toml")
    last = DAY1 + timedelta(days=20)
    english = _leaflet(study, "en")
    assert (
        f"First dose: the evening of {friendly_date(DAY1)}. Last dose: the evening of "
        f"{friendly_date(last)} (21 days)."
    ) in english
    assert "Day Date (evening) Take Taken Note" in english
    assert study.label.diary_date == "Date (evening)"  # the study file's words, not the code's
    assert (
        "Participant 001 (AB), dispense DSP000001. Tick the box each evening when you have "
        "taken 1 tablet; write a note if you missed or vomited a dose. Bring this page back at "
        "your next visit."
    ) in english
    chinese = _flat(_leaflet(study, "zh_CN"))
    assert f"首次服药：{_zh(DAY1)}周一晚间。末次服药：{_zh(last)}周日晚间（共21天）。" in chinese
    assert "天日期（晚间）服用量已服用备注" in chinese
    assert (
        "受试者001（AB），发放编号DSP000001。每晚服用1片后，请在方框内打勾；如漏服或服药后呕吐，"
        "请在备注栏注明。下次访视时请带回本页。"
    ) in chinese


def test_a_twice_daily_study_says_morning_and_evening_never_each_evening() -> None:
    study = load_study(STUDIES / "DEMO-28D-BID.toml")
    for level in (0, -1):  # twice daily, and the reduced level once daily
        english = _leaflet(study, "en", level)
        assert "one dose in the morning and one in the evening" in english
        assert "Tick the box each day when you have taken all of that day's doses" in english
        assert "Day Date Take" in english
        chinese = _flat(_leaflet(study, "zh_CN", level))
        assert "每日两次即早、晚各服一次" in chinese and "每日服完当日全部剂量" in chinese
        for words in EVENING_ONLY:
            assert words not in english and _flat(words) not in chinese, (level, words)


def test_the_two_drug_study_says_its_own_timing() -> None:
    study = load_study(STUDIES / "DEMO-2DRUG.toml")
    english = _leaflet(study, "en")
    assert "A drug taken twice daily: one dose in the morning and one in the evening." in english
    chinese = _flat(_leaflet(study, "zh_CN"))
    assert "每日两次的药物，早、晚各服一次。" in chinese
    for words in EVENING_ONLY:
        assert words not in english and _flat(words) not in chinese, words


def test_a_study_file_without_dosing_times_gets_wording_with_no_time_of_day() -> None:
    text = (STUDIES / "DEMO-28D-BID.toml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    text = "".join(
        line for line in lines if not line.startswith(("leaflet_doses", "diary_date", "diary_tick"))
    )
    study = parse_study(text, "plain.toml")
    last = DAY1 + timedelta(days=27)
    english = _leaflet(study, "en")
    assert (
        f"First dose: {friendly_date(DAY1)}. Last dose: {friendly_date(last)} (28 days)." in english
    )
    assert "Day Date Take Taken Note" in english
    # Level 0 is 1 tablet twice daily: the program's sentence asks for the day's two, as the
    # Take column does, never for one tablet a day.
    assert (
        "Tick the box each day when you have taken 2 tablets (2 doses of 1); write a note if you "
        "missed or vomited a dose. Bring this page back at your next visit."
    ) in english
    chinese = _flat(_leaflet(study, "zh_CN"))
    assert f"首次服药：{_zh(DAY1)}周一。末次服药：{_zh(last)}周日（共28天）。" in chinese
    assert "天日期服用量已服用备注" in chinese
    assert (
        "每日服用2片（分2次，每次1片）后，请在方框内打勾；如漏服或服药后呕吐，请在备注栏注明。"
        in chinese
    )
    for words in (*EVENING_ONLY, "morning"):
        assert words not in english and _flat(words) not in chinese, words
