"""A date never breaks across lines on the dispensing label, in Chinese, in English or in both
('2026年9月' / '30日由WLM发放', 'Dispensed 30' / 'Sept 2026' misread), nor does a strength, a
count of tablets or days, or a kit number: each moves to the next line whole, or the text is
set smaller, on every stock a dispensing label prints on; the label still scans.

The study is the bundled NCT07198672, dispensed on several days by pharmacists of initials of
several lengths and with pharmacy addresses of several lengths, so that the dispense
statement's date falls at the end of a line somewhere (before the fix: '临床试验药房, Zhengzhou
Henan。2026年9月' / '30日由WLM发放', and 'Dispensed 30' / 'Sept 2026 by PP')."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta
from functools import cache

import pytest

from dispensary import pdffonts
from dispensary.i18n import speaking
from dispensary.labels import wording
from dispensary.labels.dispensing import dispensing_label, dispensing_layouts, sample_dispense
from dispensary.labels.languages import friendly_date, speeches, spoken
from dispensary.labels.layout import LabelLayout
from dispensary.labels.stock import STOCKS, get_stock
from dispensary.labels.text import LabelDoesNotFit, expiry_text, visible, wrap
from dispensary.packaged import resource
from dispensary.services.pharmacy import NONE_SET, Particulars
from dispensary.services.results import DispenseResult
from dispensary.study import Study, load_study
from reports.pdfread import decode_barcodes

LANGUAGES = (("zh_CN", "en"), ("zh_CN",), ("en",))
DISPENSING_STOCKS = [name for name, stock in STOCKS.items() if stock.for_dispensing]
DAYS = (date(2026, 9, 30), date(2026, 12, 12), date(2027, 11, 28))
INITIALS = ("PP", "WLM")
PHARMACIES = (
    NONE_SET,
    *(
        Particulars("Henan Cancer Hospital Pharmacy", "Zhengzhou" + " Henan" * words)
        for words in (1, 2)
    ),
)
"""The study file's pharmacy name, and the pharmacy's own with addresses of two lengths."""


@cache
def study() -> Study:
    loaded = load_study(resource("studies", "NCT07198672.toml"))
    return dataclasses.replace(loaded, label_bilingual=True)


def dispense(day: date, initials: str) -> DispenseResult:
    sample = sample_dispense(study())
    return dataclasses.replace(
        sample,
        dispensed_on=day,
        day1=day,
        start_date=day,
        last_day=day + timedelta(days=sample.days - 1),
        pharmacist_initials=initials,
        checked_by_initials=initials[::-1],
    )


def unbroken(dispensed: DispenseResult, languages: tuple[str, ...]) -> list[str]:
    """The texts of the label that must stay on one line, in each of its languages."""
    kept = []
    for speech in speeches(study(), languages):
        with speaking(speech.language):
            kept += [
                wording.label_date(dispensed.dispensed_on),
                friendly_date(dispensed.dispensed_on, speech),
                friendly_date(dispensed.dispensed_on, speech, weekday=False),
                expiry_text(dispensed.kits[0].expiry, speech.language),
                speech.text.counted(1, study().product(dispensed.kits[0].product).form),
            ]
    strength = study().product(dispensed.kits[0].product).strength
    return [*kept, strength, dispensed.kits[0].kit, "21 days", "21天"]


def broken_inside(lines: list[str], kept: list[str]) -> list[tuple[str, str, str]]:
    """(text, line, next line) for each kept text a line ends inside of."""
    found = []
    for before, after in itertools.pairwise(lines):
        for text in kept:
            for cut in range(1, len(text)):
                head, tail = text[:cut].rstrip(), text[cut:].lstrip()
                if head and tail and before.endswith(head) and after.startswith(tail):
                    found.append((text, before, after))
    return found


def lines_of(layout: LabelLayout) -> list[list[str]]:
    return [
        [visible(line.text).replace("\u00a0", " ") for line in block.fitted.lines]
        for block in (layout.side, layout.body)
    ]


@pytest.mark.parametrize("languages", LANGUAGES, ids="+".join)
def test_no_line_ends_inside_a_date_on_any_stock(languages: tuple[str, ...]) -> None:
    fitted = 0
    every = itertools.product(DISPENSING_STOCKS, DAYS, INITIALS, PHARMACIES)
    for stock, day, initials, pharmacy in every:
        dispensed = dispense(day, initials)
        try:
            layouts = dispensing_layouts(
                study(), dispensed, get_stock(stock), False, None, languages, pharmacy
            )
        except LabelDoesNotFit:
            continue  # a bilingual label needs the large sheet: refused whole elsewhere
        fitted += 1
        kept = unbroken(dispensed, languages)
        for layout in layouts:
            for lines in lines_of(layout):
                assert broken_inside(lines, kept) == [], (stock, day, initials, pharmacy)
            text = " ".join(" ".join(lines) for lines in lines_of(layout))
            with speaking(spoken(languages[0])):
                said = wording.label_date(day)
            assert said.replace(" ", "") in text.replace(" ", "")  # the dispense date printed
    # The bilingual label on the large sheet alone; one language on every dispensing stock.
    each = len(DAYS) * len(INITIALS) * len(PHARMACIES)
    assert fitted >= (each if len(languages) > 1 else each * len(DISPENSING_STOCKS))


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Clinical Trial Pharmacy. Dispensed 30 Sep 2026 by WLM, checked by MLW. Take 1 "
            "tablet by mouth once daily from Wed 30 Sep 2026, for 21 days. EXP 31 DEC 2030.",
            ["30 Sep 2026", "1 tablet", "Wed 30 Sep 2026", "21 days", "31 DEC 2030"],
        ),
        (
            "临床试验药房。2026年9月30日由WLM发放，核对人：MLW。每晚空腹口服1片，"
            "自2026年9月30日 周三晚间开始，连服21天。有效期至 2030年12月",
            ["2026年9月30日", "2026年9月30日 周三", "1片", "21天", "2030年12月"],
        ),
    ],
    ids=("English", "Chinese"),
)
def test_the_wrap_keeps_dates_and_counts_whole(text: str, kept: list[str]) -> None:
    for font in (pdffonts.HELVETICA, pdffonts.cjk_font()):
        if font == pdffonts.HELVETICA and pdffonts.font_for(text, False) != font:
            continue
        for width in range(100, 300, 2):  # the widest kept text fits in 100 pt
            lines = wrap(text, font, 8, width)
            assert lines is not None
            shown = [visible(line).replace("\u00a0", " ") for line in lines]
            assert broken_inside(shown, kept) == [], width


@pytest.mark.parametrize("languages", LANGUAGES, ids="+".join)
def test_the_label_still_scans(languages: tuple[str, ...]) -> None:
    dispensed = dispense(DAYS[0], "WLM")
    stocks = ["a4-sheet-6"] if len(languages) > 1 else DISPENSING_STOCKS
    for stock in stocks:
        pdf = dispensing_label(study(), dispensed, get_stock(stock), languages=languages)
        assert [found[0] for found in decode_barcodes(pdf)[0]] == [dispensed.number], stock
