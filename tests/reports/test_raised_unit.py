"""The platelet count's unit, "×10⁹/L" (study.PLATELET_UNIT), as a report prints it: neither
Helvetica nor the bundled CJK font has a glyph for the raised 9, so a paragraph raises a plain
one. An English paragraph stays in Helvetica (the raised digit made the whole line fall back to
the CJK font, which has no glyph for it either: a blank or a box on paper)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from dispensary.i18n import ENGLISH, Language, reset_language, set_language
from dispensary.reports.base import para
from dispensary.study import PLATELET_UNIT

from .pdfread import pdf_fonts


def printed(text: str, language: Language) -> bytes:
    token = set_language(language)
    try:
        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=A4).build([para(text)])
        return out.getvalue()
    finally:
        reset_language(token)


def glyph_boxes(pdf: bytes) -> tuple[str, list[tuple[float, float, float, float]]]:
    """The page's text and each character's box (left, bottom, right, top), in points."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        text = page.get_textpage()
        chars = text.count_chars()
        return text.get_text_range(), [text.get_charbox(i) for i in range(chars)]
    finally:
        document.close()


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        (ENGLISH, f"Platelets 56 {PLATELET_UNIT}."),
        (Language.ZH_CN, f"血小板计数 56 {PLATELET_UNIT}。"),
    ],
)
def test_the_power_of_ten_is_printed_raised_in_a_font_that_has_it(
    language: Language, sentence: str
) -> None:
    assert PLATELET_UNIT == "×10⁹/L"
    pdf = printed(sentence, language)
    fonts = {font.name.split("+")[-1] for font in pdf_fonts(pdf)}
    if language is ENGLISH:
        assert fonts == {"Helvetica"}, fonts
    text, boxes = glyph_boxes(pdf)
    flat = text.replace("\r", "").replace("\n", "")
    at = flat.index("×10")
    assert flat[at : at + 6] == "×109/L", flat  # a plain 9, every glyph in the font
    ten, nine = boxes[at + 2], boxes[at + 3]
    assert nine[1] > ten[1] + 2, (ten, nine)  # the 9 set above the 10's baseline
    assert nine[3] - nine[1] < ten[3] - ten[1], (ten, nine)  # and smaller
