"""The dispensing label names the second pharmacist who checked a dispense beside the one who
dispensed it ("Dispensed 2 Mar 2026 by PP, checked by PS" / "2026年3月2日由PP发放，核对人：PS"),
as the DARF and the participant report do; a dispense nobody checked names nobody. Read back
from the PDF as a person and a scanner would: the line in the label's text, every character
inside its label on every dispensing stock in every language a bundled study prints in (with
the longest initials an account may have), and the barcode still decoding."""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_study import PASSWORDS, SampleStudy, build_sample_study, light_password_hashing

from dispensary.i18n import Language, format_date
from dispensary.labels import LabelDoesNotFit, dispensing_label, get_stock
from dispensary.labels.dispensing import sample_dispense
from dispensary.labels.stock import STOCKS, LabelStock
from dispensary.services import dispensing, queries
from dispensary.services.results import DispenseResult
from dispensary.study import Study, bundled_studies, load_study

from .pdfread import char_boxes, decode_barcodes, page_count, pdf_text, render_page

DPI = 300
DISPENSING_STOCKS = sorted(name for name, s in STOCKS.items() if s.for_dispensing)
STUDY_FILES = sorted(path.stem for path in bundled_studies().glob("*.toml"))
LONGEST = ("WWWW", "MWMW")
"""The widest initials an account may have (4 letters A-Z, rules.normalise_initials): the
pharmacist's and the checker's."""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleStudy]:
    """A small study where 01-001's cycle 3 was dispensed by Paula Pharm (PP) and checked by
    Priya Shah (PS), and 01-002's by Paula Pharm alone."""
    folder = tmp_path_factory.mktemp("checker")
    built = build_sample_study(folder / "checker.sqlite3", participants_count=3, cycles=2)
    today = built.clock.today()
    with light_password_hashing():
        dispensing.dispense_cycle(
            built.ctx,
            built.pharmacist,
            "01-001",
            3,
            today,
            PASSWORDS["pharm"],
            checked_by="pharm2",
            checker_password=PASSWORDS["pharm2"],
        )
        dispensing.dispense_cycle(
            built.ctx, built.pharmacist, "01-002", 3, today, PASSWORDS["pharm"]
        )
    yield built
    built.ctx.engine.dispose()


def _dispense(sample: SampleStudy, number: int) -> DispenseResult:
    return queries.get_dispense_detail(
        sample.ctx, sample.pharmacist, f"DSP{sample.dispenses + number:06d}"
    )


def _flat(text: str) -> str:
    """Without whitespace: Chinese has no spaces, and a wrapped line (or a date kept on one
    line with non-breaking spaces) adds some."""
    return "".join(text.split())


def test_a_checked_dispense_is_labelled_with_both_pharmacists(sample: SampleStudy) -> None:
    checked = _dispense(sample, 1)
    assert (checked.participant, checked.pharmacist_initials) == ("01-001", "PP")
    assert checked.checked_by_initials == "PS"
    study = sample.ctx.study
    day = format_date(checked.dispensed_on, Language.EN, "short")
    pdf = dispensing_label(study, checked, get_stock("thermal-4x2"))
    assert decode_barcodes(pdf)[0][0][0] == checked.number
    assert _flat(f"Dispensed {day} by PP, checked by PS") in _flat(pdf_text(pdf))
    zh = dispensing_label(study, checked, get_stock("thermal-4x2"), languages=("zh_CN",))
    when = format_date(checked.dispensed_on, Language.ZH_CN)
    assert _flat(f"{when}由PP发放，核对人：PS") in _flat(pdf_text(zh))
    assert decode_barcodes(zh)[0][0][0] == checked.number


def test_a_dispense_nobody_checked_names_nobody(sample: SampleStudy) -> None:
    alone = _dispense(sample, 2)
    assert (alone.participant, alone.checked_by_initials) == ("01-002", "")
    study = sample.ctx.study
    day = format_date(alone.dispensed_on, Language.EN, "short")
    text = _flat(pdf_text(dispensing_label(study, alone, get_stock("thermal-4x2"))))
    assert _flat(f"Dispensed {day} by PP.") in text and "checked" not in text
    zh = _flat(
        pdf_text(dispensing_label(study, alone, get_stock("thermal-4x2"), languages=("zh_CN",)))
    )
    assert "由PP发放" in zh and "核对" not in zh


def _ways(study: Study) -> list[tuple[str, ...]]:
    """The languages a study's labels may print in: its plan's, each of its languages alone,
    and two of them together (a bilingual label, either first)."""
    codes = list(study.label_languages)
    return list(
        dict.fromkeys(
            [
                study.print_languages,
                *((code,) for code in codes),
                *itertools.permutations(codes, 2),
            ]
        )
    )


def _slots(stock: LabelStock, labels: int) -> list[tuple[float, ...]]:
    scale = DPI / 72
    slots = []
    for slot in range(labels):
        x, y = stock.origin(slot)
        top = (stock.page_height - y - stock.label_height) * scale
        slots.append(
            (x * scale, top, (x + stock.label_width) * scale, top + stock.label_height * scale)
        )
    return slots


def _outside(pdf: bytes, stock: LabelStock, kits: int) -> list[tuple[str, tuple[int, ...]]]:
    """The characters drawn outside every label of the sheet (cut off on the roll)."""
    out = []
    for page in range(page_count(pdf)):
        slots = _slots(stock, min(stock.per_page, kits - page * stock.per_page))
        for char, box in char_boxes(pdf, DPI, page):
            if char.isspace():
                continue
            if not any(
                box[0] >= left - 1
                and box[1] >= top - 1
                and box[2] <= right + 1
                and box[3] <= bottom + 1
                for left, top, right, bottom in slots
            ):
                out.append((char, box))
    return out


@pytest.mark.parametrize("stock_name", DISPENSING_STOCKS)
@pytest.mark.parametrize("protocol", STUDY_FILES)
def test_the_checker_fits_every_stock_and_language_with_the_longest_initials(
    protocol: str, stock_name: str
) -> None:
    """Each bundled study's sample dispense (a kit of each product of its longest dose level),
    its pharmacist WWWW and checker MWMW, on every dispensing stock in every language it prints
    in: printed, whole inside its labels, the line named, the barcode read. A stock the study's
    label overfills without a checker is the study file's matter (its default stock is checked
    when it is added), not the checker's: it must then be refused with the checker too."""
    study = load_study(bundled_studies() / f"{protocol}.toml")
    stock = get_stock(stock_name)
    sample = dataclasses.replace(
        sample_dispense(study), pharmacist_initials=LONGEST[0], checked_by_initials=LONGEST[1]
    )
    alone = dataclasses.replace(sample, checked_by_initials="")
    shots = os.environ.get("DISPENSARY_SHOTS")
    for languages in _ways(study):
        try:
            dispensing_label(study, alone, stock, languages=languages)
        except LabelDoesNotFit:
            if len(languages) == 1:  # its own stock takes each language (checked when added)
                assert stock_name != study.label.default_stock, (protocol, languages)
            with pytest.raises(LabelDoesNotFit):
                dispensing_label(study, sample, stock, languages=languages)
            continue
        pdf = dispensing_label(study, sample, stock, languages=languages)
        text = _flat(pdf_text(pdf))
        for language in languages:
            said = "WWWW发放，核对人：MWMW" if language == "zh_CN" else "byWWWW,checkedbyMWMW"
            assert said in text, (protocol, stock_name, language)
        assert _outside(pdf, stock, len(sample.kits)) == [], (protocol, stock_name, languages)
        found = [code for page in decode_barcodes(pdf) for code, _x, _y in page]
        assert found and set(found) == {sample.number}, (protocol, stock_name, languages)
        assert len(found) == len(sample.kits)
        if shots:
            name = f"label-checker-{protocol}-{stock_name}-{'+'.join(languages)}.png"
            render_page(pdf).save(Path(shots) / name)
