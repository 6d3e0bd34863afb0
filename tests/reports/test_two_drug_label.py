"""A dispense of two products (DEMO-2DRUG: 28 democapib capsules and 30 demotinib tablets in one
bag): the dispensing labels, the leaflet and the label's particulars name each product with its
own count in its own form's word. They named the first product only and gave the dispense's
total in its form ("capsules: 58", "58粒"), which misstates what is in the bag. Each kit carries
its own label (tests/reports/test_label_per_kit.py), its drug with its own count."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest

from dispensary.labels import dispensing_label, get_stock, participant_leaflet, wording
from dispensary.labels.particulars import IncompleteLabel, dispensing_fields
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, bundled_studies, load_study

from .pdfread import char_boxes, decode_barcodes, pdf_text

DAY1 = date(2026, 3, 2)
DPI = 300


def _study() -> Study:
    return load_study(bundled_studies() / "DEMO-2DRUG.toml")


def _dispense(study: Study) -> DispenseResult:
    """A full kit of each product, from one lot each, as the dispense service returns it."""
    kits = tuple(
        DispensedKit(
            kit=kit,
            product=product.code,
            product_name=product.name,
            strength=product.strength,
            lot=lot,
            expiry=date(2027, 6, 30),
            tablets=product.tablets_per_kit,
        )
        for kit, lot, product in zip(
            ("C0001", "T0001"), ("LC1", "LT1"), study.products, strict=True
        )
    )
    dose = study.dose_level(0)
    start = DAY1
    return DispenseResult(
        dispense_id=1,
        number="DSP000001",
        participant="001",
        initials="AB",
        cycle=1,
        day1=DAY1,
        dose_level=0,
        dose_name=dose.name,
        directions=study.directions_for(dose, start, 21),
        kits=kits,
        tablets=sum(k.tablets for k in kits),
        days=21,
        last_day=DAY1 + timedelta(days=20),
        dispensed_on=DAY1,
        pharmacist="Pat Pharmacist",
        pharmacist_initials="PP",
        checked_by="",
        warnings=(),
        start_date=DAY1,
        product_directions=study.product_directions(dose, start, 21),
    )


def _flat(pdf: bytes) -> str:
    """The PDF's text with no whitespace (a line may break anywhere in Chinese)."""
    return "".join(pdf_text(pdf).split())


ENGLISH_NAMES = ("democapib (fictional) 100 mg", "demotinib (fictional) 25 mg")
CHINESE_NAMES = ("德莫卡匹布胶囊（虚构）100 mg", "德莫替尼片（虚构）25 mg")
THE_TOTAL = re.compile(r"(?<!\d)58(?!\d)")
"""28 capsules + 30 tablets: no count on the label or leaflet is this."""


def _inside_the_label(pdf: bytes, study: Study) -> list[tuple[str, tuple[int, ...]]]:
    """The characters drawn outside the first two labels of the stock (a label each kit)."""
    stock = get_stock(study.label.default_stock)
    scale = DPI / 72
    slots = []
    for slot in (0, 1):
        x, y = stock.origin(slot)
        top = (stock.page_height - y - stock.label_height) * scale
        slots.append(
            (x * scale, top, (x + stock.label_width) * scale, top + stock.label_height * scale)
        )
    return [
        (char, box)
        for char, box in char_boxes(pdf, DPI)
        if not char.isspace()
        and not any(
            box[0] >= left - 1
            and box[1] >= top - 1
            and box[2] <= right + 1
            and box[3] <= bottom + 1
            for left, top, right, bottom in slots
        )
    ]


def test_the_english_dispensing_label_states_each_drug_with_its_count() -> None:
    study = _study()
    dispense = _dispense(study)
    pdf = dispensing_label(study, dispense, get_stock(study.label.default_stock))
    text = " ".join(pdf_text(pdf).replace("\u00a0", " ").split())
    # Each on its own kit's label with its own count in its own form's word.
    assert f"{ENGLISH_NAMES[0]} Capsules: 28, oral. Kit C0001;" in text, text
    assert f"{ENGLISH_NAMES[1]} Tablets: 30, oral. Kit T0001;" in text, text
    assert "capsules: 58" not in text and not THE_TOTAL.search(text), text
    assert _inside_the_label(pdf, study) == []  # each fits an a4-sheet label, its default stock
    assert [t for t, _x, _y in decode_barcodes(pdf)[0]] == ["DSP000001", "DSP000001"]


def test_the_chinese_dispensing_label_states_each_drug_with_its_count() -> None:
    study = _study()
    dispense = _dispense(study)
    pdf = dispensing_label(
        study, dispense, get_stock(study.label.default_stock), languages=("zh_CN",)
    )
    flat = _flat(pdf)
    names = ["".join(name.split()) for name in CHINESE_NAMES]
    assert f"{names[0]}数量：28粒，口服。药盒C0001" in flat, flat
    assert f"{names[1]}数量：30片，口服。药盒T0001" in flat, flat
    assert "58粒" not in flat and not THE_TOTAL.search(flat), flat
    assert _inside_the_label(pdf, study) == []
    assert [t for t, _x, _y in decode_barcodes(pdf)[0]] == ["DSP000001", "DSP000001"]


def test_the_leaflet_states_each_drug_with_its_count_in_english_and_chinese() -> None:
    study = _study()
    dispense = _dispense(study)
    english = pdf_text(participant_leaflet(study, dispense)).replace("\u00a0", " ")
    english = " ".join(english.split())
    assert f"{ENGLISH_NAMES[0]}: 28 capsules; {ENGLISH_NAMES[1]}: 30 tablets." in english
    assert "capsules: 58" not in english and not THE_TOTAL.search(english)
    chinese = _flat(participant_leaflet(study, dispense, languages=("zh_CN",)))
    names = ["".join(name.split()) for name in CHINESE_NAMES]
    assert f"{names[0]}：28粒；{names[1]}：30片。" in chinese
    assert "58粒" not in chinese and not THE_TOTAL.search(chinese)


def test_the_particulars_check_lists_each_drug() -> None:
    """Each product's name, strength, form, route and count are required particulars: the
    second product's missing strength refuses the label as the first's would."""
    study = _study()
    dispense = _dispense(study)
    fields = dispensing_fields(study, dispense)
    named = [(f.particular, f.name, f.text) for f in fields if f.particular in (2, 3)]
    assert named == [
        (2, "substance name", "democapib (fictional)"),
        (2, "strength", "100 mg"),
        (3, "dosage form", "capsule"),
        (3, "route", "oral"),
        (3, "number of dosage units", "28"),
        (2, "substance name", "demotinib (fictional)"),
        (2, "strength", "25 mg"),
        (3, "dosage form", "tablet"),
        (3, "route", "oral"),
        (3, "number of dosage units", "30"),
    ]
    second = dataclasses.replace(study.products[1], strength="")
    unnamed = dataclasses.replace(study, products=(study.products[0], second))
    with pytest.raises(IncompleteLabel, match=r"code demotinib-25mg\) strength"):
        dispensing_label(unnamed, dispense, get_stock(study.label.default_stock))


def test_drugs_of_different_routes_each_say_their_own() -> None:
    study = _study()
    other = dataclasses.replace(study.products[1], route="sublingual")
    mixed = dataclasses.replace(study, products=(study.products[0], other))
    pdf = dispensing_label(mixed, _dispense(mixed), get_stock(study.label.default_stock))
    text = " ".join(pdf_text(pdf).replace("\u00a0", " ").split())
    assert f"{ENGLISH_NAMES[0]} Capsules: 28, oral." in text, text
    assert f"{ENGLISH_NAMES[1]} Tablets: 30, sublingual." in text, text


def test_one_unit_is_counted_in_the_singular() -> None:
    assert wording.product_units("A 1 mg", 1, "capsule", "1粒") == "A 1 mg: 1 capsule"
    assert wording.product_units("A 1 mg", 2, "capsule", "2粒") == "A 1 mg: 2 capsules"
