"""Labels read back as a scanner and a person would: every barcode decodes to its number,
every required particular is on the label, nothing is cut, a gap is refused by name."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sample_study import SampleStudy

from dispensary.config import Settings
from dispensary.domain.errors import InvalidInput, NotPermitted, RuleViolation
from dispensary.i18n import Language, format_date
from dispensary.labels import (
    NO_CALIBRATION,
    STOCKS,
    Calibration,
    IncompleteLabel,
    LabelDoesNotFit,
    UnprintableText,
    calibration_for,
    calibration_page,
    choose_stock,
    dispensing_label,
    expiry_text,
    get_stock,
    kit_labels,
    participant_leaflet,
    save_calibration,
    wording,
)
from dispensary.labels.dispensing import dispensing_layout
from dispensary.labels.languages import english_text
from dispensary.labels.leaflet import friendly_date
from dispensary.labels.text import LEGIBLE
from dispensary.services import audit, queries, report_data
from dispensary.services import labels as label_prints
from dispensary.services.report_data import KitLabelRow
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, parse_study

from .pdfread import (
    decode_barcodes,
    page_count,
    pdf_pages_text,
    pdf_text,
    smallest_size,
    text_sizes,
)

MM_AT_300_DPI = 300 / 25.4


def printed_directions(dispense: DispenseResult) -> str:
    """The service's English directions as the label and the leaflet print them: the start
    date written as the leaflet writes it ('Wed 10 Sep 2025'), not the service's ISO date."""
    start = dispense.start_date or dispense.day1
    return dispense.directions.replace(start.isoformat(), friendly_date(start))


def spaced(text: str) -> str:
    """The PDF's text with its non-breaking spaces (a date kept on one line) as spaces."""
    return text.replace("\u00a0", " ")


def _dispense(sample: SampleStudy, number: str = "DSP000005") -> DispenseResult:
    return queries.get_dispense_detail(sample.ctx, sample.pharmacist, number)


def _kits(sample: SampleStudy, *numbers: str) -> list[KitLabelRow]:
    return report_data.kit_label_rows(sample.ctx, sample.pharmacist, kits=numbers)


def test_expiry_is_written_so_it_cannot_be_misread() -> None:
    """A full date, unless the lot expires on the month's last day: never later than the lot."""
    assert expiry_text(date(2027, 6, 30)) == "EXP JUN 2027"
    assert expiry_text(date(2027, 1, 11)) == "EXP 11 JAN 2027"
    assert expiry_text(date(2026, 1, 1)) == "EXP 01 JAN 2026"
    assert expiry_text(date(2028, 2, 29)) == "EXP FEB 2028"
    assert expiry_text(date(2028, 2, 28)) == "EXP 28 FEB 2028"


def test_the_smallest_size_is_7_pt_with_an_x_height_of_1_4_mm() -> None:
    assert LEGIBLE >= 7.0
    assert LEGIBLE * 0.523 * 25.4 / 72 >= 1.4 - 1e-3  # Helvetica's x-height is 0.523 em


KIT_STOCKS = sorted(name for name in STOCKS if name != "thermal-89x36")


@pytest.mark.parametrize("stock", KIT_STOCKS)
def test_kit_label_barcode_and_particulars_on_every_stock(sample: SampleStudy, stock: str) -> None:
    kits = _kits(sample, "K0001", "K0002", "P0001")
    pdf = kit_labels(sample.ctx.study, kits, get_stock(stock))
    decoded = [text for page in decode_barcodes(pdf) for text, _x, _y in page]
    assert sorted(decoded) == ["K0001", "K0002", "P0001"]
    text = pdf_text(pdf)
    study = sample.ctx.study
    for expected in (
        "K0001",
        "herombopag (hetrombopag olamine) 7.5 mg",  # 2. substance and strength
        "herombopag (hetrombopag olamine) 2.5 mg",
        "21 tablets, oral",  # 3. form, route, units
        "42 tablets, oral",
        "Lot L2401",  # 4. lot
        "Lot L2451",
        study.protocol,  # 5. trial reference: trial, site, investigator, sponsor
        study.site,
        study.investigator,
        study.sponsor,
        study.label.caution,  # 9.
        "Store below 25 °C",  # 10. storage, with the degree sign
        "EXP JUN 2027",  # 11. expiry
        study.label.keep_out_of_reach,  # 12.
        study.contact_phone,  # 1. the contact
    ):
        assert expected in text, expected
    assert "REPRINT" not in text
    assert wording.QUARANTINED not in text


def test_a_shipment_of_one_hundred_kits_prints_as_sheets(sample: SampleStudy) -> None:
    kits = report_data.kit_label_rows(sample.ctx, sample.pharmacist, shipment="SH-0003")
    assert len(kits) >= 100
    kits = kits[:100]
    pdf = kit_labels(sample.ctx.study, kits, get_stock("a4-sheet"))
    assert page_count(pdf) == 10
    pages = decode_barcodes(pdf, dpi=200)
    assert [len(page) for page in pages] == [10] * 10
    assert [
        text for page in pages for text, _x, _y in sorted(page, key=lambda b: (b[2], b[1]))
    ] == [k.number for k in kits]
    roll = kit_labels(sample.ctx.study, kits[:12], get_stock("thermal-4x2"))
    assert page_count(roll) == 12


def test_dispensing_label_carries_all_twelve_particulars(sample: SampleStudy) -> None:
    dispense = _dispense(sample)
    study = sample.ctx.study
    pdf = dispensing_label(study, dispense, get_stock("thermal-4x2"))
    assert decode_barcodes(pdf)[0][0][0] == "DSP000005"
    text = spaced(pdf_text(pdf))
    kit = dispense.kits[0]
    for expected in (
        study.contact_name,  # 1. contact
        study.contact_address,
        study.contact_phone,
        "herombopag (hetrombopag olamine) 7.5 mg",  # 2.
        "Tablets: 21, oral",  # 3. a capital: it starts the line
        f"lot {kit.lot}",  # 4.
        study.protocol,  # 5.
        study.site_name,
        study.sponsor,
        dispense.participant,  # 6. participant and cycle
        f"Cycle {dispense.cycle}",
        study.investigator,  # 7.
        printed_directions(dispense),  # 8. with the start date and days of supply
        study.label.caution,  # 9.
        "Store below 25 °C",  # 10.
        expiry_text(kit.expiry),  # 11.
        study.label.keep_out_of_reach,  # 12.
        dispense.initials,  # and the pharmacy's own additions
        kit.kit,
        f"Dispensed {format_date(dispense.dispensed_on, Language.EN, 'short')} by "
        f"{dispense.pharmacist_initials}",
        study.pharmacy_name,
        "DSP000005",
    ):
        assert expected in text, expected
    assert friendly_date(dispense.day1) in printed_directions(dispense)
    assert dispense.day1.isoformat() not in printed_directions(dispense)
    assert f"for {dispense.days} days" in dispense.directions


DISPENSING_STOCKS = sorted(name for name, s in STOCKS.items() if s.for_dispensing)


@pytest.mark.parametrize("stock", DISPENSING_STOCKS)
def test_dispensing_label_fits_every_dispensing_stock_legibly(
    sample: SampleStudy, stock: str
) -> None:
    dispense = _dispense(sample, "DSP000064")  # the 2.5 mg dose reduction
    pdf = dispensing_label(sample.ctx.study, dispense, get_stock(stock), reprint=True)
    assert decode_barcodes(pdf)[0][0][0] == "DSP000064"
    text = spaced(pdf_text(pdf))
    assert printed_directions(dispense) in text
    assert "REPRINT" in text
    layout = dispensing_layout(sample.ctx.study, dispense, get_stock(stock), reprint=True)
    assert layout.body.fitted.size >= LEGIBLE


def test_the_small_thermal_roll_is_refused_with_the_reason(sample: SampleStudy) -> None:
    """89 x 36 mm cannot carry either label at a legible size: refused, saying so."""
    assert "thermal-4x2" in DISPENSING_STOCKS and "thermal-89x36" not in DISPENSING_STOCKS
    small = get_stock("thermal-89x36")
    with pytest.raises(LabelDoesNotFit) as info:
        dispensing_label(sample.ctx.study, _dispense(sample), small)
    message = info.value.message
    assert "thermal-89x36 stock (89.0 x 36.0 mm)" in message
    assert f"below {LEGIBLE:g} pt" in message and "Load the thermal-4x2 roll" in message
    with pytest.raises(LabelDoesNotFit) as info:
        kit_labels(sample.ctx.study, _kits(sample, "K0001"), small)
    assert f"does not fit even at {LEGIBLE:g} pt" in info.value.message
    assert "larger label stock" in info.value.message


def _particulars_of_kit(study: Study, kit: KitLabelRow) -> dict[str, str]:
    product = study.product(kit.product)
    return {
        "substance and strength": f"{product.name} {product.strength}",
        "units, form, route": f"{kit.tablets} {product.form}s, {product.route}",
        "lot": f"Lot {kit.lot}",
        "expiry": expiry_text(kit.expiry),
        "protocol": study.protocol,
        "sponsor": study.sponsor,
        "investigator": study.investigator,
        "caution": study.label.caution,
        "storage": study.temperature.storage,
        "keep out of reach": study.label.keep_out_of_reach,
        "contact": study.contact_phone,
        "kit number": kit.number,
    }


def _particulars_of_dispense(study: Study, dispense: DispenseResult) -> dict[str, str]:
    product = study.product(dispense.kits[0].product)
    return {
        "substance and strength": f"{product.name} {product.strength}",
        "units": f"Tablets: {dispense.tablets}, {product.route}",
        "lot and expiry": expiry_text(dispense.kits[0].expiry),
        "dose": f"Dose: {dispense.dose_name}",
        "directions": printed_directions(dispense),
        "participant": dispense.participant,
        "cycle": f"Cycle {dispense.cycle}",
        "protocol": study.protocol,
        "sponsor": study.sponsor,
        "investigator": study.investigator,
        "caution": study.label.caution,
        "storage": study.temperature.storage,
        "keep out of reach": study.label.keep_out_of_reach,
        "contact": study.contact_phone,
        "pharmacy": study.pharmacy_name,
        "dispense number": dispense.number,
        "reprint mark": "REPRINT",
    }


@pytest.mark.parametrize("stock", KIT_STOCKS)
def test_every_particular_prints_at_a_legible_size_on_every_stock(
    sample: SampleStudy, stock: str
) -> None:
    """Read back from the PDF: each particular's smallest size is 7 pt or more (x-height 1.4 mm),
    the product name and strength the largest text, and every barcode decodes."""
    study = sample.ctx.study
    chosen = get_stock(stock)
    kit = _kits(sample, "K0001")[0]
    kit_pdf = kit_labels(study, [kit], chosen, reprint=True, quarantined=["K0001"])
    assert [t for t, _x, _y in decode_barcodes(kit_pdf)[0]] == ["K0001"]
    dispense = _dispense(sample, "DSP000064")  # a reduced dose: the longest label
    label_pdf = dispensing_label(study, dispense, chosen, reprint=True, previous_dose=0)
    assert [t for t, _x, _y in decode_barcodes(label_pdf)[0]] == ["DSP000064"]
    for pdf, particulars in (
        (kit_pdf, _particulars_of_kit(study, kit)),
        (label_pdf, _particulars_of_dispense(study, dispense)),
    ):
        runs = text_sizes(pdf)
        for name, text in particulars.items():
            assert smallest_size(runs, text) >= LEGIBLE, (stock, name)
        assert min(size for _text, size in runs) >= LEGIBLE
        product = particulars["substance and strength"]
        largest = smallest_size(runs, product)
        # The product may wrap (on a4-sheet-6 it is set at 13.75 pt): its own runs aside.
        assert all(size < largest for text, size in runs if text not in product), stock


def test_a_quarantined_kit_is_marked(sample: SampleStudy) -> None:
    pdf = kit_labels(
        sample.ctx.study,
        _kits(sample, "K0001", "K0002"),
        get_stock("a4-sheet"),
        quarantined=["K0002"],
    )
    first, second = pdf_pages_text(pdf)[0].split("K0002", 1)
    assert "QUARANTINED" not in first.split("K0001", 1)[1]
    assert wording.QUARANTINED in pdf_text(pdf) and second
    assert smallest_size(text_sizes(pdf), wording.QUARANTINED) >= LEGIBLE


def test_a_changed_dose_is_stated_and_marked(sample: SampleStudy) -> None:
    study = sample.ctx.study
    dispense = _dispense(sample, "DSP000064")
    assert dispense.dose_level != 0
    changed = pdf_text(dispensing_label(study, dispense, get_stock("thermal-4x2"), previous_dose=0))
    assert f"Dose: {dispense.dose_name}" in changed
    assert f"DOSE CHANGED (was {study.dose_level(0).name})" in changed
    same = dispensing_label(
        study, dispense, get_stock("thermal-4x2"), previous_dose=dispense.dose_level
    )
    assert f"Dose: {dispense.dose_name}" in pdf_text(same)
    assert "DOSE CHANGED" not in pdf_text(same)
    first = pdf_text(dispensing_label(study, dispense, get_stock("thermal-4x2")))
    assert "DOSE CHANGED" not in first


def _with_english_texts(study: Study) -> Study:
    """The study's English label texts (Study.texts["en"], which directions_for reads) made
    again from its own keys, as parse_study makes them, after a test replaced some."""
    return dataclasses.replace(study, texts={**study.texts, "en": english_text(study)})


def _longest_study(study: Study) -> Study:
    """The longest texts a real protocol plausibly has."""
    return _with_english_texts(_longest_texts(study))


def _longest_texts(study: Study) -> Study:
    return dataclasses.replace(
        study,
        title=(
            "A Randomised, Open-label, Multicentre Phase II Study of Herombopag for the Primary "
            "Prevention of Thrombocytopenia Associated With Trastuzumab Emtansine (T-DM1) Therapy "
            "in Patients With HER2-positive Early or Metastatic Breast Cancer"
        ),
        sponsor="Jiangsu Hengrui Pharmaceuticals Co., Ltd. and Henan Cancer Hospital",
        investigator="Professor Zhenzhen Liu, M.D., Ph.D.",
        contact_name="Professor Zhenzhen Liu, M.D., Ph.D., Department of Breast Surgery",
        contact_address=(
            "Henan Cancer Hospital, Affiliated Cancer Hospital of Zhengzhou University, "
            "127 Dongming Road, Jinshui District, Zhengzhou, Henan 450008, China"
        ),
        contact_phone="+86 371 6558 7777 ext. 2755",
        site_name="Henan Cancer Hospital (Affiliated Cancer Hospital of Zhengzhou University)",
        pharmacy_name="Clinical Trial Pharmacy, Investigational Drug Service",
        label=dataclasses.replace(
            study.label,
            directions=(
                "Take {tablets} by mouth once daily in the evening, on an "
                "empty stomach (at least 2 hours after and 2 hours before food), starting the "
                "evening of {start_date}, for {days} days. Do not take with antacids, milk or "
                "mineral supplements within 4 hours. Swallow whole with water; do not crush."
            ),
        ),
        temperature=dataclasses.replace(
            study.temperature,
            storage="Store below 25 °C in the original package to protect from light and "
            "moisture. Do not freeze.",
        ),
    )


def _two_lot_dispense(study: Study, dispense: DispenseResult) -> DispenseResult:
    dose = study.dose_level(dispense.dose_level)
    extra = DispensedKit(
        "K0199", dispense.kits[0].product, "", "", "L2402-B", date(2026, 12, 31), 21
    )
    return dataclasses.replace(
        dispense,
        kits=(*dispense.kits, extra),
        tablets=42,
        directions=study.directions_for(dose, dispense.day1, dispense.days),
    )


@pytest.mark.parametrize("stock", ["thermal-4x2", "a4-sheet", "letter-sheet"])
def test_the_longest_realistic_content_is_refused_rather_than_shrunk(
    sample: SampleStudy, stock: str
) -> None:
    """Text this long cannot be set at 7 pt on a 4 x 2 inch label: refused, naming the texts
    to shorten, never printed smaller; its kit label still fits whole."""
    study = _longest_study(sample.ctx.study)
    dispense = _two_lot_dispense(study, _dispense(sample))
    with pytest.raises(LabelDoesNotFit) as info:
        dispensing_label(study, dispense, get_stock(stock), reprint=True)
    assert f"does not fit even at {LEGIBLE:g} pt" in info.value.message
    assert "directions" in info.value.message and "larger stock" in info.value.message
    kit_pdf = kit_labels(study, [_kits(sample, "K0001")[0]], get_stock(stock))
    assert study.temperature.storage in pdf_text(kit_pdf)
    assert min(size for _text, size in text_sizes(kit_pdf)) >= LEGIBLE


def test_text_that_cannot_fit_is_refused_by_name(sample: SampleStudy) -> None:
    study = sample.ctx.study
    long = dataclasses.replace(study.label, directions="Take one tablet daily. " * 60)
    with pytest.raises(LabelDoesNotFit) as info:
        dispensing_label(
            dataclasses.replace(study, label=long), _dispense(sample), get_stock("thermal-4x2")
        )
    message = info.value.message
    assert "thermal-4x2" in message
    assert "directions" in message
    assert "larger stock" in message


def test_a_missing_particular_is_refused_naming_where_to_fill_it_in(sample: SampleStudy) -> None:
    # (A telephone is optional: a study file that gives none prints none, refused for nothing.)
    study = dataclasses.replace(sample.ctx.study, contact_address="")
    with pytest.raises(IncompleteLabel) as info:
        dispensing_label(study, _dispense(sample), get_stock("thermal-4x2"))
    assert "contact address" in info.value.message
    assert "study file [study] contact_address" in info.value.message
    assert info.value.exit_code == 3

    no_storage = dataclasses.replace(
        sample.ctx.study,
        temperature=dataclasses.replace(sample.ctx.study.temperature, storage=" "),
        label=dataclasses.replace(sample.ctx.study.label, keep_out_of_reach=""),
    )
    with pytest.raises(IncompleteLabel) as info:
        dispensing_label(no_storage, _dispense(sample), get_stock("thermal-4x2"))
    assert "study file [temperature] storage" in info.value.message
    assert "study file [label] keep_out_of_reach" in info.value.message
    with pytest.raises(IncompleteLabel, match=r"\[temperature\] storage"):
        kit_labels(no_storage, _kits(sample, "K0001"), get_stock("thermal-4x2"))
    with pytest.raises(IncompleteLabel, match=r"\[temperature\] storage"):
        participant_leaflet(no_storage, _dispense(sample))


def test_the_kit_label_needs_only_its_own_particulars(sample: SampleStudy) -> None:
    study = dataclasses.replace(sample.ctx.study, contact_phone="")  # particular 1: not on kits
    pdf = kit_labels(study, _kits(sample, "K0001"), get_stock("thermal-4x2"))
    assert decode_barcodes(pdf)[0][0][0] == "K0001"
    blank_lot = dataclasses.replace(_kits(sample, "K0001")[0], lot="")
    with pytest.raises(IncompleteLabel, match=r"4\. lot number \(fill in the receipt of kit"):
        kit_labels(study, [blank_lot], get_stock("thermal-4x2"))


def test_a_character_the_font_cannot_print_is_refused(sample: SampleStudy) -> None:
    """Chinese prints (in the CJK font); a character neither font has is refused by name."""
    chinese = dataclasses.replace(sample.ctx.study, contact_address="河南省肿瘤医院, Zhengzhou")
    pdf = dispensing_label(chinese, _dispense(sample), get_stock("thermal-4x2"))
    assert "河南省肿瘤医院" in "".join(pdf_text(pdf).split())
    study = dataclasses.replace(sample.ctx.study, contact_address="Henan Cancer Hospital 😀")
    with pytest.raises(UnprintableText, match=r"contact.*'😀' \(U\+1F600\)"):
        dispensing_label(study, _dispense(sample), get_stock("thermal-4x2"))


def test_a_reprint_is_marked_and_recorded(sample: SampleStudy) -> None:
    ctx, technician = sample.ctx, sample.technician
    number = "DSP000010"
    dispense = queries.get_dispense_detail(ctx, technician, number)
    first = dispensing_label(ctx.study, dispense, get_stock("thermal-4x2"))
    assert "REPRINT" not in pdf_text(first)
    again = dispensing_label(ctx.study, dispense, get_stock("thermal-4x2"), reprint=True)
    assert "REPRINT" in pdf_text(again)
    assert decode_barcodes(again)[0][0][0] == number
    # Recorded of a kit in the store: every bottle of the sample's dispenses came back, and a
    # label is no longer recorded for a bottle back in the pharmacy (nor a voided dispense).
    kit = "P0005"
    assert label_prints.already_printed(ctx, technician, "kit", [kit]) == []
    label_prints.record_label_print(ctx, technician, "kit", [kit], False, "thermal-4x2")
    assert label_prints.already_printed(ctx, technician, "kit", [kit]) == [kit]

    with pytest.raises(RuleViolation, match="print it as a reprint"):
        label_prints.record_label_print(ctx, technician, "kit", [kit], False)
    printed = label_prints.record_label_print(
        ctx, technician, "kit", [kit], True, "thermal-4x2", reason="label smudged"
    )
    assert printed.reprint
    entries = audit.list_entries(ctx, technician, action="label_reprinted")
    assert any(
        e.entity == "kit label" and e.entity_id == kit and e.reason == "label smudged"
        for e in entries
    )
    with pytest.raises(label_prints.NoLabelForKit, match="came back"):
        label_prints.record_label_print(ctx, technician, "dispense", [number], True, reason="x")
    assert audit.verify(ctx, technician).ok


def test_a_reprint_of_a_label_never_printed_is_refused(sample: SampleStudy) -> None:
    with pytest.raises(RuleViolation, match="has not been printed yet"):
        label_prints.record_label_print(
            sample.ctx, sample.technician, "kit", ["P0009"], True, reason="torn"
        )


def test_a_monitor_may_not_print_labels(sample: SampleStudy) -> None:
    with pytest.raises(NotPermitted, match="print labels"):
        label_prints.record_label_print(sample.ctx, sample.monitor, "kit", ["K0151"], False)
    with pytest.raises(NotPermitted):
        report_data.kit_label_rows(sample.ctx, sample.monitor, kits=["K0151"])


def test_the_saved_calibration_moves_every_label(sample: SampleStudy) -> None:
    stock = get_stock("a4-sheet")
    kits = _kits(sample, "K0001")
    plain = decode_barcodes(kit_labels(sample.ctx.study, kits, stock, NO_CALIBRATION))[0][0]
    settings = Settings()
    save_calibration(settings, stock, Calibration(dx_mm=4.0, dy_mm=3.0, scale=1.0))
    calibration = calibration_for(settings, stock)
    assert calibration == Calibration(4.0, 3.0, 1.0)
    moved = decode_barcodes(kit_labels(sample.ctx.study, kits, stock, calibration))[0][0]
    assert moved[0] == "K0001"
    assert moved[1] - plain[1] == pytest.approx(4.0 * MM_AT_300_DPI, abs=3)  # right
    assert moved[2] - plain[2] == pytest.approx(3.0 * MM_AT_300_DPI, abs=3)  # down
    leaflet_free = calibration_for(Settings(), stock)
    assert leaflet_free == NO_CALIBRATION


def test_a_calibration_far_out_is_refused() -> None:
    with pytest.raises(InvalidInput, match="more than 20 mm"):
        Calibration(dx_mm=25)
    with pytest.raises(InvalidInput, match=r"0\.8-1\.2"):
        Calibration(scale=1.5)
    settings = Settings(label_offsets={"thermal-4x2": [1.0]})
    with pytest.raises(InvalidInput, match="Calibrate the stock again"):
        calibration_for(settings, get_stock("thermal-4x2"))


@pytest.mark.parametrize("stock", sorted(STOCKS))
def test_calibration_page_of_every_stock(stock: str) -> None:
    chosen = get_stock(stock)
    pdf = calibration_page(chosen, Calibration(0.5, -0.5, 1.01))
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert f"Calibration: {stock}" in text
    assert "offset x +0.5 mm, y -0.5 mm, scale 1.010" in text
    assert f"position {chosen.per_page}" in text


def test_stock_comes_from_the_request_the_workstation_or_the_study(sample: SampleStudy) -> None:
    study = sample.ctx.study
    assert choose_stock(study).name == study.label.default_stock == "thermal-4x2"
    assert choose_stock(study, Settings(label_stock="a4-sheet")).name == "a4-sheet"
    assert choose_stock(study, Settings(label_stock="a4-sheet"), "letter-sheet").name == (
        "letter-sheet"
    )
    with pytest.raises(InvalidInput, match="Known stocks"):
        get_stock("dymo-99010")


def test_a_part_used_sheet_starts_at_the_first_free_label(sample: SampleStudy) -> None:
    stock = get_stock("letter-sheet")
    kits = _kits(sample, "K0001", "K0002")
    first = decode_barcodes(kit_labels(sample.ctx.study, kits, stock))[0]
    later = decode_barcodes(kit_labels(sample.ctx.study, kits, stock, first_position=9))[0]
    by_text = {text: (x, y) for text, x, y in first}
    row_pitch = 2 * 300  # 2 inch at 300 dpi
    for text, x, y in later:
        assert y - by_text[text][1] == pytest.approx(4 * row_pitch, abs=3)  # four rows down
        assert x == pytest.approx(by_text[text][0], abs=3)
    with pytest.raises(InvalidInput, match="give 1 to 10"):
        kit_labels(sample.ctx.study, kits, stock, first_position=11)


def test_leaflet_has_directions_dates_missed_dose_and_a_box_per_day(sample: SampleStudy) -> None:
    dispense = _dispense(sample)
    study = sample.ctx.study
    pdf = participant_leaflet(study, dispense, paper="letter")
    pages = pdf_pages_text(pdf)
    text = " ".join(pages)
    assert printed_directions(dispense) in text
    assert study.label.missed_dose in text
    assert study.label.return_instruction in text
    assert f"First dose: the evening of {friendly_date(dispense.day1)}" in text
    assert f"Last dose: the evening of {friendly_date(dispense.last_day)}" in text
    diary = pages[-1]
    for n in range(dispense.days):
        assert friendly_date(dispense.day1 + timedelta(days=n)) in diary
    assert f"{dispense.days} {friendly_date(dispense.last_day)}" in diary
    assert "tablet(s)" not in text
    two_a_day = dataclasses.replace(dispense, dose_level=-1)  # two 2.5 mg tablets a dose
    two_diary = pdf_pages_text(participant_leaflet(study, two_a_day))[-1]
    assert f"{friendly_date(dispense.day1)} 2 tablets" in two_diary
    assert "when you have taken 2 tablets;" in two_diary
    assert dispense.dose_level == 0  # one 7.5 mg tablet a dose
    assert f"{friendly_date(dispense.day1)} 1 tablet " in diary
    assert dispense.directions.startswith("Take 1 tablet by mouth")
    assert "REPRINT" not in text
    # Each page says how many there are: a loose page shows another is missing.
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in page, page
    assert "REPRINT" in pdf_text(participant_leaflet(study, dispense, reprint=True))
    with pytest.raises(InvalidInput, match="paper size"):
        participant_leaflet(study, dispense, paper="a5")


def test_the_us_caution_line_prints_only_where_the_study_asks(sample: SampleStudy) -> None:
    """21 CFR 312.6: the study file's [label] us_caution = true (false when left out)."""
    study = sample.ctx.study
    assert study.label.us_caution is False
    plain = pdf_text(kit_labels(study, _kits(sample, "K0001"), get_stock("thermal-4x2")))
    assert "Limited by Federal" not in plain
    assert "\n[label]\n" in study.source_text
    asks = parse_study(
        study.source_text.replace("\n[label]\n", "\n[label]\nus_caution = true\n", 1)
    )
    assert asks.label.us_caution is True
    for pdf in (
        kit_labels(asks, _kits(sample, "K0001"), get_stock("thermal-4x2")),
        dispensing_label(asks, _dispense(sample), get_stock("thermal-4x2")),
    ):
        assert wording.US_CAUTION in pdf_text(pdf)
        assert smallest_size(text_sizes(pdf), wording.US_CAUTION) >= LEGIBLE
