"""An English label writes a month one way: the dispense date and the directions' dates with
one abbreviation ('Dispensed 30 Sep 2026' beside 'from Wed 30 Sep 2026'), never the locale
data's British 'Sept' beside 'Sep' (before the fix the dispense date was Babel's en_GB short
form, "30 Sept 2026", and the directions' the label's own, "Wed 30 Sep 2026"). On the English
label, the English part of the two-language label (its Chinese part as it was: 2026年9月30日),
the leaflet, and the DARF (ISO dates, as every report)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta
from functools import cache

import pytest

from dispensary.domain.codes import MovementKind, Role
from dispensary.i18n import ENGLISH, Language, format_date, format_datetime
from dispensary.labels import wording
from dispensary.labels.dispensing import dispensing_label, sample_dispense
from dispensary.labels.languages import friendly_date
from dispensary.labels.leaflet import participant_leaflet
from dispensary.labels.stock import get_stock
from dispensary.packaged import resource
from dispensary.reports import darf_pdf
from dispensary.services.report_data import DarfLine, DarfRecord, ReportMeta
from dispensary.services.results import DispenseResult
from dispensary.study import Study, load_study
from reports.pdfread import decode_barcodes, pdf_pages_text, pdf_text

SEPTEMBER = date(2026, 9, 30)  # a Wednesday
WEEKDAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
DISPENSED = re.compile(r"Dispensed (\d{1,2}) ([A-Za-z]+)\.? (\d{4})")
WITH_WEEKDAY = re.compile(rf"\b(?:{WEEKDAYS}) (\d{{1,2}}) ([A-Za-z]+)\.? (\d{{4}})")
MONTH_WORDS = re.compile(r"\b\d{1,2} ([A-Za-z]+)\.? \d{4}\b")


@cache
def study() -> Study:
    loaded = load_study(resource("studies", "NCT07198672.toml"))
    return dataclasses.replace(loaded, label_bilingual=True)


def dispense(day: date = SEPTEMBER) -> DispenseResult:
    sample = sample_dispense(study())
    return dataclasses.replace(
        sample,
        dispensed_on=day,
        day1=day,
        start_date=day,
        last_day=day + timedelta(days=sample.days - 1),
    )


def months_alike(text: str) -> None:
    """No 'Sept'; the dispense date and the directions' start date the same day, written with
    the same month word, and every English date on it with a month of three letters."""
    assert "Sept" not in text, text
    dispensed = DISPENSED.search(text)
    started = WITH_WEEKDAY.search(text)
    assert dispensed is not None and started is not None, text
    assert dispensed.groups() == started.groups(), text  # the same day, the same month word
    assert dispensed.group(2) == "Sep"
    assert {len(month) for month in MONTH_WORDS.findall(text)} == {3}, text


@pytest.mark.parametrize(
    ("languages", "stock"),
    [(("en",), "thermal-4x2"), (("en",), "a4-sheet"), (("zh_CN", "en"), "a4-sheet-6")],
    ids=["en-thermal", "en-sheet", "zh_CN+en"],
)
def test_the_label_writes_its_dispense_date_and_directions_alike(
    languages: tuple[str, ...], stock: str
) -> None:
    dispensed = dispense()
    pdf = dispensing_label(study(), dispensed, get_stock(stock), languages=languages)
    text = pdf_text(pdf)
    months_alike(text)
    if "zh_CN" in languages:
        assert "2026年9月30日" in text.replace(" ", "")  # the Chinese part as it was
    assert [code for code, _x, _y in decode_barcodes(pdf)[0]] == [dispensed.number]  # scans


def test_the_leaflet_writes_its_dates_as_the_label() -> None:
    dispensed = dispense()
    pages = pdf_pages_text(participant_leaflet(study(), dispensed, languages=("en",)))
    text = " ".join(pages)
    assert "Sept" not in text
    assert format_date(SEPTEMBER, ENGLISH, "short") in text
    assert {len(month) for month in MONTH_WORDS.findall(text)} == {3}


def test_the_darf_writes_dates_iso() -> None:
    """A report's dates are ISO in every language (reports.words): no month word to differ."""
    line = DarfLine(
        number=1,
        entry_date=SEPTEMBER,
        kind=MovementKind.RECEIVE,
        participant="001-0001",
        initials="ABC",
        dose="7.5 mg",
        quantity=28,
        balance_forward=0,
        balance=28,
        lot="L00001A",
        kits=("K0001",),
        recorder="PP",
        dispense="",
        note="",
        corrects_line=None,
        corrected_by_line=None,
        ledger_ids=(1,),
    )
    record = DarfRecord(
        product="herombopag-7.5mg",
        agent="herombopag",
        form_strength="7.5 mg tablet (oral)",
        unit="tablets",
        storage_area="Pharmacy",
        institution="Henan Cancer Hospital",
        site="01",
        protocol="NCT07198672",
        org_study_id="X",
        title="A study",
        investigator="Dr A",
        since=SEPTEMBER,
        until=SEPTEMBER,
        opening_balance=0,
        lines=(line,),
        closing_balance=28,
    )
    meta = ReportMeta(
        generated_at=datetime(2026, 9, 30, 9, 0).astimezone(),
        generated_by="P Pharmacist",
        username="pp",
        role=Role.PHARMACIST,
        database="test",
        protocol="NCT07198672",
        software="test",
    )
    text = pdf_text(darf_pdf(meta, [record]))
    assert "Sept" not in text and " Sep " not in text
    assert "2026-09-30" in text


@pytest.mark.parametrize(
    "day", [date(2026, month, 30 if month != 2 else 28) for month in (2, 6, 9)]
)
def test_one_formatter_writes_english_dates(day: date) -> None:
    short = format_date(day, Language.EN, "short")
    assert friendly_date(day, weekday=False) == short
    assert friendly_date(day).endswith(" " + short)
    assert wording.label_date(day) == short
    assert format_datetime(datetime.combine(day, datetime.min.time()), Language.EN) == (
        f"{short} 00:00"
    )
    assert "Sept" not in short
    assert format_date(day, Language.ZH_CN) == f"{day.year}年{day.month}月{day.day}日"
