"""A kit range too wide for its table column ("B2003-B2004" in the participant report's Kits
column of a two-bottle dose) breaks after its hyphen, never inside a kit number: the English
report read "B2003-B200" over "4"."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

from dispensary.reports.base import font, wrapped

SIZE = 7.5


def _width_of(text: str) -> float:
    return stringWidth(text, font(), SIZE) + 4  # wrapped() keeps 4 pt of the column free


def test_a_kit_range_breaks_after_its_hyphen() -> None:
    text = "B2003-B2004"
    for width in (_width_of("B2003-B200"), _width_of("B2003-B2"), _width_of("B2003-")):
        assert wrapped(text, width, font(), SIZE).split("\n") == ["B2003-", "B2004"], width
    assert wrapped("K5009-K5014 (6 kits)", _width_of("K5009-K501"), font(), SIZE).split("\n") == [
        "K5009-",
        "K5014",
        "(6 kits)",
    ]


def test_a_date_and_a_word_without_hyphens_break_as_before() -> None:
    # A date is never cut at its hyphens while it fits; a word without one is cut where full.
    assert wrapped("on 2026-12-07", _width_of("on 2026-12-0"), font(), SIZE).split("\n") == [
        "on",
        "2026-12-07",
    ]
    assert wrapped("DSP000080X", _width_of("DSP0000"), font(), SIZE).split("\n")[0] == "DSP0000"


def test_chinese_text_still_breaks_where_full() -> None:
    """Chinese breaks between any two characters: a hyphen early in the line does not cut it
    short."""
    from dispensary import pdffonts

    text = "授权编号DEST-2026-001的销毁记录已由药师与见证人共同签名确认并归档保存"
    face = pdffonts.cjk_font()
    room = stringWidth(text[:20], face, SIZE) + 4
    first = wrapped(text, room, face, SIZE).split("\n")[0]
    assert len(first) >= 18, first
