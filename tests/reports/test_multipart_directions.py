"""A dose level may give one product in several parts (two [[dose_levels]] components of one
product: 1 tablet once daily and 2 tablets once daily). The dispensing label and the leaflet
added the parts into one dose ("Take 3 tablets by mouth once daily"), which the study file
does not say; they now print each part with its own units, frequency and days, in English and
in Chinese, and a file whose parts are taken on different days of the cycle must say those
days in the product's directions or is refused."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from dispensary.domain.errors import StudyFileError
from dispensary.labels import dispensing_label, get_stock, participant_leaflet
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, bundled_studies, parse_study

from .pdfread import decode_barcodes, pdf_text

DAY1 = date(2026, 3, 2)
LEVEL_1 = (
    'name = "100 mg twice daily"\ndoses_per_day = 2\n'
    'components = [{ product = "demoxatinib-50mg", tablets_per_dose = 2 }]'
)
CHINESE_NAME_1 = '"1" = "100 mg，每日两次"'


def _file(parts: str, extra: str = "") -> str:
    """DEMO-28D-BID with its dose level 1 given as `parts` (inline component tables)."""
    text = (bundled_studies() / "DEMO-28D-BID.toml").read_text(encoding="utf-8")
    assert LEVEL_1 in text and CHINESE_NAME_1 in text
    level = f'name = "150 mg daily in two parts"\ncomponents = [\n{parts}\n]'
    text = text.replace(LEVEL_1, level).replace(CHINESE_NAME_1, '"1" = "每日150 mg，分两部分"')
    return text + extra


SAME_DAYS = (
    '    { product = "demoxatinib-50mg", tablets_per_dose = 1, doses_per_day = 1 },\n'
    '    { product = "demoxatinib-50mg", tablets_per_dose = 2, doses_per_day = 1 },'
)
OTHER_DAYS = (
    '    { product = "demoxatinib-50mg", tablets_per_dose = 1, doses_per_day = 1, '
    "days = [1, 7] },\n"
    '    { product = "demoxatinib-50mg", tablets_per_dose = 2, doses_per_day = 1, '
    "days = [8, 28] },"
)
DAYS_SAID = """
[label.product_directions]
"demoxatinib-50mg" = "Take {tablets} by mouth {frequency} on days {first_day} to {last_day} of the cycle, with food, starting {start_date}."

[label.text.zh_CN.product_directions]
"demoxatinib-50mg" = "每周期第{first_day}–{last_day}天随餐口服，{frequency}，每次{tablets}，自{start_date}开始。"
"""


def _dispense(study: Study) -> DispenseResult:
    """Two full kits at dose level 1, as the dispense service returns them."""
    product = study.products[0]
    kits = tuple(
        DispensedKit(kit, product.code, product.name, product.strength, "L1", date(2027, 6, 30), 60)
        for kit in ("K0001", "K0002")
    )
    dose = study.dose_level(1)
    start = DAY1
    return DispenseResult(
        dispense_id=1,
        number="DSP000001",
        participant="001",
        initials="AB",
        cycle=1,
        day1=DAY1,
        dose_level=1,
        dose_name=dose.name,
        directions=study.directions_for(dose, start, 28),
        kits=kits,
        tablets=120,
        days=28,
        last_day=DAY1 + timedelta(days=27),
        dispensed_on=DAY1,
        pharmacist="Pat Pharmacist",
        pharmacist_initials="PP",
        checked_by="",
        warnings=(),
        start_date=DAY1,
        product_directions=study.product_directions(dose, start, 28),
    )


def _flat(pdf: bytes) -> str:
    return "".join(pdf_text(pdf).split())


def test_the_english_label_and_leaflet_print_each_part() -> None:
    study = parse_study(_file(SAME_DAYS), "parts.toml")
    dispense = _dispense(study)
    label = dispensing_label(study, dispense, get_stock(study.label.default_stock))
    text = pdf_text(label)
    for said in (text, pdf_text(participant_leaflet(study, dispense))):
        assert "Take 1 tablet by mouth once daily, with food, starting Mon 2 Mar 2026" in said
        assert "Take 2 tablets by mouth once daily, with food, starting Mon 2 Mar 2026" in said
        assert "Take 3 tablets" not in said, said
    assert [t for t, _x, _y in decode_barcodes(label)[0]] == ["DSP000001"]


def test_the_chinese_label_and_leaflet_print_each_part() -> None:
    study = parse_study(_file(SAME_DAYS), "parts.toml")
    dispense = _dispense(study)
    label = dispensing_label(
        study, dispense, get_stock(study.label.default_stock), languages=("zh_CN",)
    )
    for said in (_flat(label), _flat(participant_leaflet(study, dispense, languages=("zh_CN",)))):
        assert "随餐口服，每日一次，每次1片，" in said
        assert "随餐口服，每日一次，每次2片，" in said
        assert "每次3片" not in said, said
    assert [t for t, _x, _y in decode_barcodes(label)[0]] == ["DSP000001"]


def test_the_diary_names_the_days_units_in_their_parts() -> None:
    """The day's 3 tablets are two doses of the file's parts, never one dose of 3; the file's
    own tick text ("{dose} each time") is given no one dose."""
    study = parse_study(_file(SAME_DAYS), "parts.toml")
    dispense = _dispense(study)
    english = pdf_text(participant_leaflet(study, dispense))
    assert english.count("3 tablets (1 dose of 1; 1 dose of 2)") == 28
    assert "3 tablets each time" not in english
    chinese = _flat(participant_leaflet(study, dispense, languages=("zh_CN",)))
    assert chinese.count("3片（1次，每次1片；1次，每次2片）") == 28
    assert "每次3片" not in chinese


def test_parts_on_different_days_are_refused_unless_the_directions_say_the_days() -> None:
    with pytest.raises(StudyFileError) as refused:
        parse_study(_file(OTHER_DAYS), "parts.toml")
    message = str(refused.value)
    assert "key 'dose_levels[1].components'" in message
    assert "product 'demoxatinib-50mg' in parts taken on different days" in message
    assert "(days 1-7, 8-28)" in message and "(label.directions)" in message
    assert "{first_day} and {last_day}" in message
    study = parse_study(_file(OTHER_DAYS, DAYS_SAID), "parts.toml")
    dispense = _dispense(study)
    text = pdf_text(dispensing_label(study, dispense, get_stock(study.label.default_stock)))
    assert re.search(r"Take 1 tablet by mouth once daily on days 1 to 7 of the cycle", text)
    assert re.search(r"Take 2 tablets by mouth once daily on days 8 to 28 of the cycle", text)
    chinese = _flat(
        dispensing_label(
            study, dispense, get_stock(study.label.default_stock), languages=("zh_CN",)
        )
    )
    assert "每周期第1–7天随餐口服，每日一次，每次1片" in chinese
    assert "每周期第8–28天随餐口服，每日一次，每次2片" in chinese
