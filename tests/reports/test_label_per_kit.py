"""Each kit handed to the participant carries its own dispensing label (its immediate
packaging): a dispense of two bottles of one drug (DEMO-28D-BID, 2 x 60 tablets) or of two drugs
(DEMO-2DRUG) printed one label for both, "数量：120片" on a bottle of 60 and the second bottle with
no participant number and no directions. Now each kit's label has the participant and initials,
the study, that kit's product and strength, its own kit number and count, that product's
directions, the clinical trial statement, the dispense number's barcode and "Kit 1 of 2". A
dispense of one kit prints its one label as before (tests/reports/test_labels.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dispensary.labels import dispensing_label, get_stock
from dispensary.labels.dispensing import sample_dispense
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, bundled_studies, load_study

from .pdfread import char_boxes, decode_barcodes, page_count, pdf_pages_text

DAY1 = date(2026, 3, 2)
DPI = 300


def _study(protocol: str) -> Study:
    return load_study(bundled_studies() / f"{protocol}.toml")


def _dispense(study: Study, kits: tuple[DispensedKit, ...], level: int) -> DispenseResult:
    dose = study.dose_level(level)
    days = study.cycle.days_of_supply
    return DispenseResult(
        dispense_id=1,
        number="DSP000127",
        participant="001-0007",
        initials="HT",
        cycle=3,
        day1=DAY1,
        dose_level=level,
        dose_name=dose.name,
        directions=study.directions_for(dose, DAY1, days),
        kits=kits,
        tablets=sum(k.tablets for k in kits),
        days=days,
        last_day=DAY1 + timedelta(days=days - 1),
        dispensed_on=DAY1,
        pharmacist="Pat Pharmacist",
        pharmacist_initials="PP",
        checked_by="",
        warnings=(),
        start_date=DAY1,
        product_directions=study.product_directions(dose, DAY1, days),
    )


def _two_bottles() -> tuple[Study, DispenseResult]:
    """DEMO-28D-BID at 100 mg twice daily: two bottles of 60 tablets, B2007 and B2008."""
    study = _study("DEMO-28D-BID")
    product = study.products[0]
    kits = tuple(
        DispensedKit(
            kit, product.code, product.name, product.strength, "L2601", date(2027, 6, 30), 60
        )
        for kit in ("B2007", "B2008")
    )
    return study, _dispense(study, kits, 1)


def _two_drugs() -> tuple[Study, DispenseResult]:
    study = _study("DEMO-2DRUG")
    kits = tuple(
        DispensedKit(
            kit, p.code, p.name, p.strength, f"L{kit}", date(2027, 6, 30), p.tablets_per_kit
        )
        for kit, p in zip(("C3010", "T3010"), study.products, strict=True)
    )
    return study, _dispense(study, kits, 0)


def _labels(pdf: bytes, stock_name: str, count: int) -> list[str]:
    """The text of each label, read from its place on the page (a sheet holds several)."""
    stock = get_stock(stock_name)
    scale = DPI / 72
    found = []
    for index in range(count):
        page, slot = divmod(index, stock.per_page)
        x, y = stock.origin(slot)
        left, right = x * scale, (x + stock.label_width) * scale
        top = (stock.page_height - y - stock.label_height) * scale
        bottom = (stock.page_height - y) * scale
        found.append(
            "".join(
                char
                for char, box in char_boxes(pdf, DPI, page)
                if box[0] >= left - 1
                and box[2] <= right + 1
                and box[1] >= top - 1
                and box[3] <= bottom + 1
            )
        )
    return found


def _flat(text: str) -> str:
    return "".join(text.replace("\u00a0", " ").split())


def _barcodes(pdf: bytes) -> list[str]:
    return [code for page in decode_barcodes(pdf) for code, _x, _y in page]


def test_two_bottles_of_one_drug_each_carry_their_own_english_label() -> None:
    study, dispense = _two_bottles()
    stock = study.label.default_stock  # thermal-4x2: a label a page
    pdf = dispensing_label(study, dispense, get_stock(stock))
    assert page_count(pdf) == 2
    assert _barcodes(pdf) == ["DSP000127", "DSP000127"]  # one on each bottle, each scans
    labels = [" ".join(t.replace("\u00a0", " ").split()) for t in pdf_pages_text(pdf)]
    for number, (kit, text) in enumerate(zip(("B2007", "B2008"), labels, strict=True), start=1):
        assert f"001-0007 · HT · Cycle 3 · Kit {number} of 2" in text, text
        assert "demoxatinib (fictional) 50 mg" in text
        assert f"Tablets: 60, oral. Kit {kit}; lot L2601 EXP JUN 2027" in text, text
        assert "120" not in text  # the dispense's total is on no bottle
        assert "Take 2 tablets by mouth twice daily, with food, starting Mon 2 Mar 2026" in text
        assert "For clinical trial use only" in text and "Trial DEMO-28D-BID" in text
        other = "B2008" if kit == "B2007" else "B2007"
        assert other not in text  # its own kit only
    # Every character on its own label, none off the roll's label.
    assert _flat("".join(_labels(pdf, stock, 2))) == _flat("".join(labels))


def test_two_bottles_of_one_drug_each_carry_their_own_chinese_label() -> None:
    study, dispense = _two_bottles()
    stock = get_stock(study.label.default_stock)
    pdf = dispensing_label(study, dispense, stock, languages=("zh_CN",))
    assert page_count(pdf) == 2
    assert _barcodes(pdf) == ["DSP000127", "DSP000127"]
    for number, (kit, text) in enumerate(
        zip(("B2007", "B2008"), pdf_pages_text(pdf), strict=True), start=1
    ):
        flat = _flat(text)
        assert f"001-0007·HT·第3周期·第{number}个药盒，共2个" in flat, flat
        assert f"德莫沙替尼片（虚构）50mg数量：60片，口服。药盒{kit}；" in flat, flat
        assert "120片" not in flat
        assert "随餐口服，每日两次，每次2片，自2026年3月2日周一开始，连服28天。" in flat, flat
        assert "仅供临床试验使用" in flat


@pytest.mark.parametrize("languages", [("en",), ("zh_CN",)])
def test_two_drugs_each_on_their_own_label_with_their_own_directions(
    languages: tuple[str, ...],
) -> None:
    study, dispense = _two_drugs()
    stock = study.label.default_stock  # a4-sheet: both labels on one page, side by side
    pdf = dispensing_label(study, dispense, get_stock(stock), languages=languages)
    assert page_count(pdf) == 1
    assert _barcodes(pdf) == ["DSP000127", "DSP000127"]
    first, second = (_flat(text) for text in _labels(pdf, stock, 2))
    assert _flat("".join(pdf_pages_text(pdf))) and len(first) > 200 and len(second) > 200
    if languages == ("en",):
        assert "Kit1of2" in first and "Kit2of2" in second
        assert "democapib(fictional)100mgCapsules:28,oral.KitC3010;" in first, first
        assert "demotinib(fictional)25mgTablets:30,oral.KitT3010;" in second, second
        # Each label's directions are its own drug's, not the other's.
        assert "Take1capsuleofdemocapib" in first and "Take1tabletofdemotinib" not in first
        assert "Take1tabletofdemotinib" in second and "Take1capsuleofdemocapib" not in second
        assert all("Forclinicaltrialuseonly" in t and "001-0007·HT" in t for t in (first, second))
    else:
        assert "第1个药盒，共2个" in first and "第2个药盒，共2个" in second
        assert "德莫卡匹布胶囊（虚构）100mg数量：28粒，口服。药盒C3010；" in first, first
        assert "德莫替尼片（虚构）25mg数量：30片，口服。药盒T3010；" in second, second
        assert "每次1片" not in first and "每次1粒" not in second
        assert all("仅供临床试验使用" in t and "001-0007·HT" in t for t in (first, second))


def test_a_dispense_of_one_kit_prints_one_label_unmarked() -> None:
    """NCT07198672's 21-tablet kit: one label, no "Kit 1 of 1", as it always printed."""
    study = _study("NCT07198672")
    dispense = sample_dispense(study)
    assert len(dispense.kits) == 1
    for languages in (("en",), ("zh_CN",)):
        pdf = dispensing_label(
            study, dispense, get_stock(study.label.default_stock), languages=languages
        )
        assert page_count(pdf) == 1 and _barcodes(pdf) == ["DSP000123"]
        flat = _flat("".join(pdf_pages_text(pdf)))
        assert "of1" not in flat and "of2" not in flat and "个药盒，共" not in flat, flat


@pytest.mark.parametrize("languages", [("en",), ("zh_CN",)])
def test_each_drugs_label_names_only_its_own_drug_and_dose(languages: tuple[str, ...]) -> None:
    """DEMO-2DRUG's dose level is named for both drugs ("democapib ... with demotinib ...");
    the capsule kit's label names the capsule alone (its heading, its directions: its dose)
    and the tablet kit's the tablet alone, never the other drug. Two bottles of one drug keep
    their dose level's name, which names that drug only."""
    study, dispense = _two_drugs()
    stock = study.label.default_stock
    pdf = dispensing_label(study, dispense, get_stock(stock), languages=languages)
    first, second = (_flat(text) for text in _labels(pdf, stock, 2))
    if languages == ("en",):
        assert "democapib" in first and "demotinib" not in first, first
        assert "demotinib" in second and "democapib" not in second, second
        assert "Take1capsuleofdemocapib(fictional)100mgbymouthtwicedaily" in first, first
        assert "Take1tabletofdemotinib(fictional)25mgbymouthoncedaily" in second, second
    else:
        assert "德莫卡匹布" in first and "德莫替尼" not in first, first
        assert "德莫替尼" in second and "德莫卡匹布" not in second, second
        assert "每日两次，每次1粒" in first and "每日一次，每次1片" in second, (first, second)
    study, bottles = _two_bottles()
    pdf = dispensing_label(study, bottles, get_stock(study.label.default_stock))
    for text in pdf_pages_text(pdf):
        assert _flat(f"Dose: {bottles.dose_name}") in _flat(text), text
