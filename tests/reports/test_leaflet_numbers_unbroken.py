"""A number never parts from its unit or count word on the English participant leaflet: the
Letter leaflet's directions ended a line with 'for 21' and began the next with 'days.', the
diary's instruction 'taken 1' / 'tablet;'. The dispensing label keeps them together
(pdffonts.bind_numbers); the leaflet's English is set by reportlab's Paragraph, which breaks at
any space, so its paragraphs now join the same pairs (pdffonts.NUMBER_AND_UNIT) with no-break
spaces, and no word joiner (Helvetica has none).

The study is the bundled NCT07198672, rendered as in test_leaflet_dates_unbroken (two weeks of
start dates, participants and pharmacies of several lengths, both papers, English and
bilingual), the lines read back from the PDF with pypdfium2; and the leaflet's paragraph at
every width from narrow to wide, for the units the study does not print at a line's end
('7.5 mg', '25 °C', '28 capsules')."""

from __future__ import annotations

import itertools
import re

import pytest
from reportlab.lib.units import mm

from dispensary import pdffonts
from dispensary.labels import participant_leaflet
from dispensary.labels.leaflet import BODY, LARGE, SetText, _p

from .pdfread import char_boxes, render_page
from .test_leaflet_dates_unbroken import (
    DAYS,
    LANGUAGES,
    PEOPLE,
    PHARMACIES,
    START,
    assert_spaces_drawn_blank,
    dispense,
    laid_out,
    study,
)

NUMBER_LAST = re.compile(r"(?<![0-9A-Za-z])[0-9]+(?:[.,][0-9]+)*$")
"""A line that ends with a number ('for 21', 'taken 1', 'daily 7.5'), not with a code's digits
('K2401')."""
UNIT_FIRST = re.compile(
    "(?:" + "|".join(re.escape(unit) for unit in pdffonts.LATIN_UNITS) + ")(?![A-Za-z])"
)
"""A line that begins with a unit or count word the label keeps with its number."""


def parted(lines: list[str]) -> list[tuple[str, str]]:
    """(end of a line, start of the next) wherever a number was parted from its unit."""
    return [
        (before[-24:], after[:24])
        for before, after in itertools.pairwise(lines)
        if NUMBER_LAST.search(before) and UNIT_FIRST.match(after)
    ]


def test_the_units_of_the_reports_are_the_labels() -> None:
    """The words named in the reports are among those the label keeps (one list)."""
    assert {"tablet", "tablets", "days", "mg", "°C", "capsules"} <= set(pdffonts.LATIN_UNITS)
    assert parted(["for 21", "days."]) and parted(["taken 1", "tablet;"])
    assert parted(["daily 7.5", "mg"]) and not parted(["Kit K2401", "days"])


def test_the_leaflet_binds_the_labels_pieces_with_no_break_spaces_only() -> None:
    """The pieces the label keeps (pdffonts.UNBROKEN), joined by no-break spaces and nothing
    else (no word joiner: Helvetica cannot draw one); a Chinese paragraph is left to SetText's
    wrap (the label's), its text as given."""
    text = "Take 1 tablet, 7.5 mg, for 21 days from Tue 20 Oct 2026; Kit K2401 below 25 °C."
    assert pdffonts.bind_spaces(text) == (
        "Take 1\u00a0tablet, 7.5\u00a0mg, for 21\u00a0days from Tue\u00a020\u00a0Oct\u00a02026; "
        "Kit K2401 below 25\u00a0°C."
    )
    assert pdffonts.bind_spaces(text).replace("\u00a0", " ") == text
    assert pdffonts.bind_numbers(text).replace("\u2060", "") == pdffonts.bind_spaces(text)
    chinese = "每晚空腹口服1片，连服21天。"
    assert isinstance(_p(chinese, BODY), SetText) and _p(chinese, BODY).text == chinese


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("languages", LANGUAGES, ids="+".join)
def test_no_line_of_the_leaflet_parts_a_number_from_its_unit(
    languages: tuple[str, ...], paper: str
) -> None:
    lines_read = 0
    for day, (participant, initials), pharmacy in itertools.product(DAYS, PEOPLE, PHARMACIES):
        dispensed = dispense(day, participant, initials)
        pdf = participant_leaflet(study(), dispensed, paper, False, languages, pharmacy)
        for lines in laid_out(pdf):
            lines_read += len(lines)
            assert parted(lines) == [], (day, participant, pharmacy, paper)
    assert lines_read > 1000


SENTENCE = (
    "Take 1 tablet of democapib 7.5 mg by mouth twice daily, 28 capsules in all, for 21 days; "
    "store below 25 °C, at most 12.5 mg a day, 2 tablets in the morning and 3 mL at night."
)


@pytest.mark.parametrize("style", [BODY, LARGE], ids=lambda style: style.name)
def test_the_leaflet_paragraph_keeps_each_number_with_its_unit(style: object) -> None:
    """The leaflet's English paragraph (`_p`) wrapped at every width from 40 mm to the page's:
    its lines, as reportlab lays them out, never end with a number whose unit begins the next."""
    wrapped = 0
    for width in range(int(40 * mm), int(175 * mm), 3):
        paragraph = _p(SENTENCE, style)
        paragraph.wrap(width, 1e6)
        lines = [" ".join(words).replace("\u00a0", " ") for _room, words in paragraph.blPara.lines]
        assert "".join("".join(lines).split()) == "".join(SENTENCE.split()), width
        assert parted(lines) == [], width
        wrapped += len(lines) > 1
    assert wrapped > 100


def test_a_kept_number_and_unit_are_drawn_with_a_space_not_a_box(tmp_path: object) -> None:
    """The no-break space between a number and its unit on page 1 ('Take 1 tablet', '2.5 mg',
    '21 days', '25 °C') is drawn as a space: no ink between them, where a missing glyph would
    draw a box. (reportlab's Paragraph writes it as a space, and Helvetica's WinAnsi has the
    character too; this holds the page to it should either change.) The page is kept as a
    PNG."""
    pdf = participant_leaflet(study(), dispense(START, "001-0123", "ABC"), "letter")
    boxes = char_boxes(pdf)
    page = render_page(pdf)
    page.save(f"{tmp_path}/leaflet-page-1.png")
    drawn = "".join(char for char, _box in boxes)
    kept = [
        found
        for found in pdffonts.NUMBER_AND_UNIT.finditer(drawn)
        if "\u00a0" in found.group() or " " in found.group()
    ]
    words = {found.group().replace("\u00a0", " ") for found in kept}
    assert {"1 tablet", "2.5 mg", "21 days", "25 °C"} <= words, words
    assert_spaces_drawn_blank(kept, drawn, boxes, page)
