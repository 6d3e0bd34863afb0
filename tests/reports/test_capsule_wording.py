"""A study whose products are not all tablets (DEMO-2DRUG: democapib capsules with demotinib
tablets): the label's partial-kit note counts capsules as capsules in English too, the
leaflet's titles say "medicine" rather than "tablets", and the label's directions write the
start date as the leaflet does ("Mon 2 Mar 2026", not the service's ISO 2026-03-02)."""

from __future__ import annotations

import dataclasses
from datetime import date

from dispensary.labels import dispensing_label, get_stock, participant_leaflet
from dispensary.labels.dispensing import sample_dispense
from dispensary.labels.leaflet import friendly_date
from dispensary.services.pharmacy import Particulars
from dispensary.services.results import DispenseResult
from dispensary.study import bundled_studies, english_label_text, load_study

from .pdfread import decode_barcodes, pdf_text
from .test_two_drug_label import DAY1, _dispense, _flat, _study

ZHENGZHOU = Particulars(
    "Zhengzhou Trial Pharmacy", "127 Dongming Road, Zhengzhou", "+86 371 6558 7000"
)


def _text(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).replace("\u00a0", " ").split())


def _partial(dispense: DispenseResult) -> DispenseResult:
    """The capsule kit a partial one of 20 capsules (after a count)."""
    capsules = dataclasses.replace(dispense.kits[0], tablets=20, partial=True)
    kits = (capsules, *dispense.kits[1:])
    return dataclasses.replace(dispense, kits=kits, tablets=sum(k.tablets for k in kits))


def test_a_partial_capsule_kit_is_said_in_capsules_in_english_and_chinese() -> None:
    study = _study()
    dispense = _partial(_dispense(study))
    stock = get_stock(study.label.default_stock)
    english = _text(dispensing_label(study, dispense, stock))
    assert "C0001 (partial kit: 20 capsules)" in english, english
    assert "20 tablets" not in english
    chinese = _flat(dispensing_label(study, dispense, stock, languages=("zh_CN",)))
    # Full-width brackets around the Chinese note: "C0001(非整盒：20粒)" read as a slip.
    assert "C0001（非整盒：20粒）" in chinese and "20片" not in chinese, chinese
    leaflet = _text(participant_leaflet(study, dispense))
    assert "partial kit: 20 capsules" in leaflet


def test_english_directions_count_a_capsule_product_in_capsules() -> None:
    """The study's shared directions ("Take {tablets} of {product}...") said "1 tablet" of a
    capsule product that has no directions of its own."""
    study = _study()
    shared = dataclasses.replace(study.label, product_directions={})
    plain = dataclasses.replace(study, label=shared)
    plain = dataclasses.replace(plain, texts={**plain.texts, "en": english_label_text(plain)})
    dose = plain.dose_level(0)
    english = plain.product_directions(dose, date(2026, 3, 2), 21, "en")
    assert english[0].startswith("Take 1 capsule of democapib (fictional) 100 mg"), english
    assert english[1].startswith("Take 1 tablet of demotinib (fictional) 25 mg"), english


def test_the_leaflet_of_capsules_is_no_tablet_leaflet() -> None:
    study = _study()
    dispense = _dispense(study)
    english = _text(participant_leaflet(study, dispense))
    assert "Your study medicine: cycle 1" in english
    assert "Medicine diary: cycle 1" in english
    assert "Your study tablets" not in english and "Tablet diary" not in english
    chinese = _flat(participant_leaflet(study, dispense, languages=("zh_CN",)))
    assert "您的研究用药：第1周期" in chinese and "服药日记：第1周期" in chinese
    # A study of tablets only keeps its titles.
    first = load_study(bundled_studies() / "NCT07198672.toml")
    tablets = _text(participant_leaflet(first, sample_dispense(first)))
    assert "Your study tablets: cycle 12" in tablets and "Tablet diary: cycle 12" in tablets


def test_the_label_writes_the_start_date_as_the_leaflet_does() -> None:
    study = _study()
    dispense = _dispense(study)
    stock = get_stock(study.label.default_stock)
    assert friendly_date(DAY1) == "Mon 2 Mar 2026"
    pdf = dispensing_label(study, dispense, stock)
    english = _text(pdf)
    assert "only, starting Mon 2 Mar 2026, for 14 days." in english, english
    assert "once daily, starting Mon 2 Mar 2026, for 21 days." in english
    assert "2026-03-02" not in english  # one form of date on the label
    assert "Dispensed 2 Mar 2026 by" in english, english
    assert [t for t, _x, _y in decode_barcodes(pdf)[0]] == ["DSP000001", "DSP000001"]
    leaflet = _text(participant_leaflet(study, dispense))
    assert "only, starting Mon 2 Mar 2026, for 14 days." in leaflet, leaflet
    chinese = dispensing_label(study, dispense, stock, languages=("zh_CN",))
    assert "自2026年3月2日周一开始" in _flat(chinese), _flat(chinese)
    assert [t for t, _x, _y in decode_barcodes(chinese)[0]] == ["DSP000001", "DSP000001"]
    assert "2026年3月2日周一" in _flat(participant_leaflet(study, dispense, languages=("zh_CN",)))


def test_each_drug_s_label_keeps_its_weekday_with_the_pharmacy_s_address() -> None:
    """The two drugs' Chinese labels with a pharmacy's own address: each drug on its own label
    (its own directions alone) has room for the weekday, which the one label of both drugs
    filled the a4-sheet label too full to keep."""
    study = _study()
    dispense = sample_dispense(study)  # cycle 12: numbers of the usual length
    assert dispense.start_date == date(2030, 12, 10)
    stock = get_stock(study.label.default_stock)
    pdf = dispensing_label(study, dispense, stock, languages=("zh_CN",), pharmacy=ZHENGZHOU)
    flat = _flat(pdf)
    assert flat.count("自2030年12月10日周二开始") == 2, flat
    assert [t for t, _x, _y in decode_barcodes(pdf)[0]] == ["DSP000123", "DSP000123"]


def test_a_label_with_no_room_for_the_weekday_leaves_it_out() -> None:
    """A Chinese label filled by long directions and contact, with a pharmacy's own address:
    the date without its weekday, rather than a refusal to print."""
    study = load_study(bundled_studies() / "NCT07198672.toml")
    zh = study.texts["zh_CN"]
    texts = dict(study.texts)
    texts["zh_CN"] = dataclasses.replace(
        zh,
        contact_address=zh.contact_address
        + "金水区东明路北段一百二十七号院三号楼二单元四层四零二室河南省",
        directions=zh.directions.rstrip("。")
        + "，用一杯温水整片吞服，切勿咀嚼、掰开或压碎，每天固定时间。",
    )
    full = dataclasses.replace(study, texts=texts)
    dispense = sample_dispense(full)
    assert dispense.start_date == date(2030, 12, 10)
    stock = get_stock(full.label.default_stock)
    roomy = _flat(dispensing_label(study, dispense, stock, languages=("zh_CN",)))
    assert "自2030年12月10日周二晚间开始" in roomy, roomy
    pdf = dispensing_label(full, dispense, stock, languages=("zh_CN",), pharmacy=ZHENGZHOU)
    flat = _flat(pdf)
    assert "自2030年12月10日晚间开始" in flat and "周二" not in flat, flat
    assert [t for t, _x, _y in decode_barcodes(pdf)[0]] == ["DSP000123"]
