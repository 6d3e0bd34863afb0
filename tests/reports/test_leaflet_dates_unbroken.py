"""A date never breaks across lines on the participant leaflet, in English as in Chinese: page 1
of the English leaflet showed 'the evening of Tue' / '20 Oct 2026' and 'the evening of Mon 9' /
'Nov 2026'. reportlab's Paragraph (the leaflet's English) breaks at any space; the Chinese
leaflet's text is set by the labels' wrap, which already kept a date whole.

The study is the bundled NCT07198672, started on each day of two weeks, for participants and
pharmacies with texts of several lengths, on both papers: a date falls at the end of a line
somewhere. The lines are read back from the PDF as laid out (pypdfium2's text page, a line of
text a line)."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import cache

import pytest
from PIL import Image

from dispensary import pdffonts
from dispensary.labels import participant_leaflet
from dispensary.labels.dispensing import sample_dispense
from dispensary.labels.languages import Speech, friendly_date, speeches
from dispensary.labels.leaflet import doses_span
from dispensary.labels.text import expiry_text
from dispensary.packaged import resource
from dispensary.services.pharmacy import NONE_SET, Particulars
from dispensary.services.results import DispenseResult
from dispensary.study import Study, load_study

from .pdfread import char_boxes, pdfium_pages_text, render_page

START = date(2026, 10, 20)  # a Tuesday: 'the evening of Tue' / '20 Oct 2026' before the fix
DAYS = tuple(START + timedelta(days=n) for n in range(14))
PEOPLE = (("001-0123", "ABC"), ("1001-00123-B", "AB"), ("7", "XYZW"))
"""Participants whose number and initials lengthen or shorten the line of the dispense date."""
PHARMACIES = (NONE_SET, Particulars("Henan Cancer Hospital Pharmacy", "Zhengzhou Henan"))
LANGUAGES = (("en",), ("zh_CN", "en"))


@cache
def study() -> Study:
    return load_study(resource("studies", "NCT07198672.toml"))


def dispense(day: date, participant: str, initials: str) -> DispenseResult:
    sample = sample_dispense(study())
    return dataclasses.replace(
        sample,
        participant=participant,
        initials=initials,
        dispensed_on=day,
        day1=day,
        start_date=day,
        last_day=day + timedelta(days=sample.days - 1),
        kits=tuple(dataclasses.replace(k, expiry=day + timedelta(days=400)) for k in sample.kits),
    )


def kept(dispensed: DispenseResult, speech: Speech) -> list[str]:
    """The dates the leaflet writes in one language, each as it is written there."""
    first, last = doses_span(study(), dispensed)
    next_visit = dispensed.day1 + timedelta(days=study().cycle.length_days)
    written = []
    for day in (dispensed.dispensed_on, first, last, next_visit):
        written += [friendly_date(day, speech), friendly_date(day, speech, weekday=False)]
    written += [expiry_text(kit.expiry, speech.language) for kit in dispensed.kits]
    return written


def broken_inside(lines: list[str], texts: list[str]) -> list[tuple[str, str, str]]:
    """(text, line, next line) for each text a line ends inside of, and each date (any the
    labels' pattern finds) read across two lines."""
    found = []
    for before, after in itertools.pairwise(lines):
        for text in texts:
            for cut in range(1, len(text)):
                head, tail = text[:cut].rstrip(), text[cut:].lstrip()
                if head and tail and before.endswith(head) and after.startswith(tail):
                    found.append((text, before, after))
        joined = f"{before} {after}"
        for date_found in pdffonts.DATE.finditer(joined):
            if date_found.start() < len(before) < date_found.end():
                found.append((date_found.group(), before, after))
    return found


def laid_out(pdf: bytes) -> list[list[str]]:
    """Each page's lines as drawn (a no-break space read as a space)."""
    return [
        [line.replace("\u00a0", " ").strip() for line in page.split("\n") if line.strip()]
        for page in pdfium_pages_text(pdf)
    ]


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("languages", LANGUAGES, ids="+".join)
def test_no_line_of_the_leaflet_ends_inside_a_date(languages: tuple[str, ...], paper: str) -> None:
    every = itertools.product(DAYS, PEOPLE, PHARMACIES)
    for day, (participant, initials), pharmacy in every:
        dispensed = dispense(day, participant, initials)
        pdf = participant_leaflet(study(), dispensed, paper, False, languages, pharmacy)
        texts = [t for speech in speeches(study(), languages) for t in kept(dispensed, speech)]
        pages = laid_out(pdf)
        for lines in pages:
            assert broken_inside(lines, texts) == [], (day, participant, pharmacy, paper)
        page_1 = " ".join(pages[len(languages) - 1])  # the English page
        assert f"Dispense {dispensed.number}, {friendly_date(day)}." in page_1


def test_a_kept_date_is_drawn_with_spaces_not_boxes() -> None:
    """The no-break spaces that join a date's parts are drawn as spaces (Helvetica's WinAnsi
    has the character, its glyph the space's): no ink between the words of any date on page
    1 ('Tue 20 Oct 2026'), where a missing glyph would draw a box."""
    pdf = participant_leaflet(study(), dispense(START, "001-0123", "ABC"))
    boxes = char_boxes(pdf)
    page = render_page(pdf)
    drawn = "".join(char for char, _box in boxes)
    dates = list(pdffonts.DATE.finditer(drawn))
    assert len(dates) >= 4  # dispensed, first and last dose, next visit (and the expiry)
    assert_spaces_drawn_blank(dates, drawn, boxes, page)


def assert_spaces_drawn_blank(
    found_texts: Iterable[re.Match[str]],
    drawn: str,
    boxes: Sequence[tuple[str, tuple[int, ...]]],
    page: Image.Image,
) -> None:
    """Each space inside a kept text is a space's width of white on the page: a no-break space
    drawn as a box by some font would show here."""
    for found in found_texts:
        for index in range(found.start() + 1, found.end() - 1):
            if drawn[index] not in " \u00a0":
                continue
            before, after = boxes[index - 1][1], boxes[index + 1][1]
            assert after[0] - before[2] > 2, (found.group(), index)  # a space's width apart
            gap = page.crop((before[2] + 1, before[1], after[0] - 1, after[3]))
            assert gap.getextrema()[0] > 200, (found.group(), index)  # white: no box drawn
