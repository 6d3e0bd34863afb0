"""The fonts of every PDF the program makes (labels, leaflets, the diary, reports): which font a
text is set in, whether that font can print it, and how small it may be.

- Text that Helvetica's WinAnsi (cp1252) encoding holds is set in Helvetica: it ships with every
  PDF reader and is not embedded.
- Any other text (Chinese, or a Chinese sentence with Latin words in it) is set whole in
  WenQuanYi Micro Hei (`resources/fonts/wqy-microhei.ttc`, TrueType outlines, Latin and CJK),
  which reportlab embeds as a subset in the PDF, so that every reader shows the same glyphs. The
  font has no bold face: bold is the same font drawn with its outline stroked as well as filled
  (text render mode 2, "faux bold"; see `draw_string`).

A character neither font can print (an emoji, a rare ideograph outside the font) is reported by
`missing_glyphs`, so that a document refuses it by name rather than printing an empty box.

Registration with reportlab happens once per process (`cjk_font`), under a lock: labels are
drawn on a screen's worker thread too.
"""

from __future__ import annotations

import re
import struct
import threading
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any

from dispensary.packaged import resource

HELVETICA = "Helvetica"
HELVETICA_BOLD = "Helvetica-Bold"
CJK = "WenQuanYiMicroHei"
"""The reportlab name of the CJK font (the same name for regular and bold)."""
CJK_FILE = ("fonts", "wqy-microhei.ttc")
CJK_SUBFONT = 0  # the .ttc holds Micro Hei (0) and Micro Hei Mono (1)

FAUX_BOLD = 0.04
"""The stroke width of bold CJK text as a share of its size (the outline is filled and
stroked, thickening each stem by that much)."""

HELVETICA_X_HEIGHT = 0.523
"""Helvetica's x-height as a share of the em (XHeight 523 in its AFM metrics)."""

SMALLEST_POINTS = 7.0
SMALLEST_X_HEIGHT_MM = 1.4

ZERO_WIDTH = "\u2060\u200b"
"""Word joiner and zero-width space: line-breaking marks, never drawn (see labels.text)."""
NO_BREAK = "\u00a0\u2060"
"""No-break space and word joiner: no line break on either side."""

NO_LINE_START = frozenset(
    "，。、；：？！）」』》〉】〕〗〙〛”’…‥·・ー々〆ヽヾゝゞ％℃,.;:!?)]}%"
    "\uff09\uff3d\uff5d\uff0e\uff61"
)
"""Closing punctuation and marks that never begin a line (Chinese line-breaking rules)."""
NO_LINE_END = frozenset("（「『《〈【〔〖〘〚“‘([{\uff3b\uff5b")
"""Opening punctuation that never ends a line."""

MEASURE_WORDS = (
    "国际单位",
    "个月",
    "小时",
    "分钟",
    "星期",
    "周期",
    "毫克",
    "微克",
    "毫升",
    "毫摩尔",
    "单位",
    "天",
    "日",
    "周",
    "月",
    "年",
    "岁",
    "次",
    "粒",
    "片",
    "颗",
    "丸",
    "袋",
    "包",
    "支",
    "瓶",
    "盒",
    "板",
    "剂",
    "滴",
    "贴",
    "枚",
    "克",
    "升",
    "个",
    "份",
    "张",
    "页",
    "批",
    "箱",
    "倍",
    "号",
    "期",
)
"""Chinese measure words and units a number is read with (连服14天, 21粒, 第 3 周期): a line
never breaks between the number and them. Longer words first, so that 个月 is matched whole."""
LATIN_UNITS = (
    *("mmol", "mcg", "µg", "μg", "mg", "kg", "mL", "ml", "IU", "°C", "g", "L", "%"),
    *("tablets", "tablet", "capsules", "capsule", "days", "day"),
)
"""Units written in Latin letters after a number (7.5 mg, 25 °C), and the English words a count
of doses or days is read with (1 tablet, 28 capsules, 21 days: "Take 1 / tablet" misreads)."""
_SPACE = "[ \u00a0]"
_MONTH = (
    "Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_WEEKDAY = (
    "Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?"
    "|Sat(?:urday)?|Sun(?:day)?"
)
_DIGIT = "[0-9０-９]"
_WEEKDAY_ZH = "(?:周|星期)[一二三四五六日天]"
DATE = re.compile(
    rf"(?i:\b(?:(?:{_WEEKDAY}){_SPACE})?(?:[0-9]{{1,2}}{_SPACE})?(?:{_MONTH})\.?{_SPACE}"
    rf"[0-9]{{4}}\b)"
    rf"|{_DIGIT}{{4}}年{_DIGIT}{{1,2}}月(?:{_DIGIT}{{1,2}}日)?(?:{_SPACE}?{_WEEKDAY_ZH})?"
)
"""A date as labels write it, never broken across lines ('2026年3月' / '2日', 'Dispensed 2' /
'Mar 2026' misread): 'Wed 2 Mar 2026', '2 Mar 2026', 'EXP 11 JAN 2027's '11 JAN 2027', 'JUN
2027'; '2026年3月2日 周一', '2027年6月'."""
ISO_DATE = re.compile(rf"(?<![0-9０-９]){_DIGIT}{{4}}-{_DIGIT}{{2}}-{_DIGIT}{{2}}(?![0-9０-９])")
"""A date as reports write it (reports.words.day: 2026-12-07), never broken at its hyphens
or between its digits in a report's narrow cell ('2026-12-' / '07')."""
WRITTEN_DATE = re.compile(f"{ISO_DATE.pattern}|{DATE.pattern}")
"""A date in any form the program writes (ISO, as reports do; as labels do, in English or
Chinese): what a report's table cell keeps on one line (`kept_inside`, reports.base)."""
_NUMBER = r"[0-9０-９]+(?:[.,．][0-9０-９]+)*"
NUMBER_AND_UNIT = re.compile(
    rf"(?<![A-Za-zＡ-Ｚａ-ｚ0-9０-９]){_NUMBER}"
    rf"(?:[ \u00a0]?(?:{'|'.join(MEASURE_WORDS)})"
    rf"|[ \u00a0]?(?:{'|'.join(re.escape(u) for u in LATIN_UNITS)})(?![A-Za-z]))?"
    rf"|{_NUMBER}"
)
"""A number (its digits, full-width ones too, and decimal point) with the measure word or unit
that follows it, one space between them or none: set as one word (`kept_inside`). The digits of
a code (kit K2401, lot L2401) are kept together but not bound to a word after them: "K2401
days" is a kit and a word, not "2401 days"."""
UNBROKEN = re.compile(f"{DATE.pattern}|{NUMBER_AND_UNIT.pattern}")
"""What a label's line never breaks inside (`bind_numbers`): a date, whole (found first), or a
number with its unit."""

_lock = threading.Lock()


def cjk_path() -> str:
    """The font file, wherever the program's files are (dispensary.packaged)."""
    return str(resource(*CJK_FILE))


@cache
def _cjk_registered() -> str:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(CJK, cjk_path(), subfontIndex=CJK_SUBFONT))
    _chinese_line_breaks()
    # Paragraph markup (<b>, <i>) finds the same face: there is no bold or italic file.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(CJK, bold, italic, CJK)
    return CJK


def kept_inside(text: str, dates: bool = True) -> frozenset[int]:
    """The indices i before which a line may not break, whatever the characters either side:
    inside a number and between it and its measure word or unit ("连服14 / 天", "21 / 粒",
    "7.5 / mg" read as another number and a stray word; full-width digits are wide, so Chinese
    breaking would split "１４" too), and inside a date (WRITTEN_DATE: "2026年12月 / 7日" and
    "2026-12- / 07" in a report's narrow cell misread, as on a label, `bind_numbers`);
    without `dates`, a date may break between its numbers (a date wider than the line)."""
    patterns = (WRITTEN_DATE, NUMBER_AND_UNIT) if dates else (NUMBER_AND_UNIT,)
    return frozenset(
        index
        for pattern in patterns
        for found in pattern.finditer(text)
        for index in range(found.start() + 1, found.end())
    )


def bind_numbers(text: str) -> str:
    """The text with each date, and each number with its measure word or unit (UNBROKEN),
    joined by no-break marks (a no-break space for the space, word joiners between the
    characters; never drawn), for a wrapper that breaks at spaces and where `may_break` allows
    (labels.text)."""
    return _bound(text, NO_BREAK[1])


def bind_spaces(text: str) -> str:
    """The text with the same pieces as `bind_numbers` keeps whole (UNBROKEN: each date, 'Tue
    20 Oct 2026', '20 Oct 2026', 'OCT 2026', and each number with its unit or count word, '7.5
    mg', '1 tablet', '21 days', '25 °C') joined by no-break spaces only, for a wrapper that
    breaks at every other space (reportlab's Paragraph, a leaflet's English: 'the evening of
    Tue' / '20 Oct 2026', 'for 21' / 'days.' misread). No word joiners: Helvetica's encoding
    has none, its no-break space is a space."""
    return _bound(text, "")


def _bound(text: str, joiner: str) -> str:
    """Each piece of UNBROKEN in the text with its spaces made no-break spaces and `joiner`
    between its characters."""
    return UNBROKEN.sub(lambda found: joiner.join(found.group().replace(" ", NO_BREAK[0])), text)


def may_break(before: str, after: str) -> bool:
    """A line may break between two characters with no space between them: next to a Chinese
    character, except before closing or after opening punctuation; never next to a no-break
    space or a word joiner, never inside a Latin word."""
    if before in NO_BREAK or after in NO_BREAK:
        return False
    if not (is_wide(before) or is_wide(after)):
        return False
    return after not in NO_LINE_START and before not in NO_LINE_END


def split_cjk(text: str, widths: Sequence[float], max_widths: Any) -> list[list[Any]]:
    """Lines of a one-piece paragraph of a Chinese report, as reportlab's textsplit.dumbSplit
    gives them ([unused width, text]) but broken where may_break allows, or at a space, never
    inside a number and its unit (`kept_inside`): reportlab's own breaks between any two
    characters, so that a line began with "；" or "）。". A date wider than the line is broken
    between its numbers ("2026年3月" / "10日"), never inside one; a run no break fits in is
    cut where the line is full."""
    if not isinstance(max_widths, (list, tuple)):
        max_widths = [max_widths]
    kept = kept_inside(text)
    kept_numbers = kept_inside(text, dates=False)
    lines: list[list[Any]] = []
    start, count = 0, len(text)
    while start < count:
        room = max_widths[min(len(lines), len(max_widths) - 1)]
        used, end = 0.0, start
        while end < count and (end == start or used + widths[end] <= room + 1e-8):
            used += widths[end]
            end += 1
        cut = end
        if end < count:  # the line is full: back to the last place it may break
            cut = next(
                (
                    i
                    for unbroken in (kept, kept_numbers)
                    for i in range(end, start, -1)
                    if i not in unbroken
                    and (
                        text[i - 1].isspace()
                        or text[i].isspace()
                        or may_break(text[i - 1], text[i])
                    )
                ),
                end,
            )
        piece = text[start:cut]
        line = piece.strip()
        first = start + len(piece) - len(piece.lstrip())
        lines.append([room - sum(widths[first : first + len(line)]), line])
        start = cut
        while start < count and text[start].isspace():
            start += 1
    return lines


def _chinese_line_breaks() -> None:
    """reportlab's CJK wrapping (a report's wordWrap="CJK") keeps Japanese closing marks off a
    line's start but not Chinese ones: a report line began with "；" or "，". A one-piece
    paragraph is split by split_cjk; in one of several pieces (bold words in it) reportlab
    hangs one such mark at the end of the line before, given NO_LINE_START."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    textsplit.dumbSplit = split_cjk
    known = str(paragraph.ALL_CANNOT_START)
    paragraph.ALL_CANNOT_START = known + "".join(sorted(NO_LINE_START - set(known)))


def cjk_font() -> str:
    """Registers the CJK font with reportlab (once) and returns its name."""
    with _lock:
        return _cjk_registered()


def latin_only(text: str) -> bool:
    """True when Helvetica's encoding (cp1252) holds every character of the text."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def font_for(text: str, bold: bool = False) -> str:
    """Helvetica (or Helvetica-Bold) for text it can print; the CJK font for any other."""
    if latin_only(text):
        return HELVETICA_BOLD if bold else HELVETICA
    return cjk_font()


def is_cjk(font: str) -> bool:
    return font == CJK


@cache
def _cjk_face() -> Any:
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(cjk_font()).face


def cjk_has(char: str) -> bool:
    """Whether the CJK font has a glyph for the character."""
    return ord(char) in _cjk_face().charToGlyph


def missing_glyphs(text: str) -> str:
    """The characters of `text` that no label font can print (each once, in order): none when
    Helvetica prints it all; else those the CJK font lacks. Line breaks and zero-width
    line-breaking marks are not printed and never missing."""
    if latin_only(text):
        return ""
    missing = (ch for ch in text if ch not in "\n\r\t" + ZERO_WIDTH and not cjk_has(ch))
    return "".join(dict.fromkeys(missing))


def is_wide(char: str) -> bool:
    """An ideograph, kana, or a full-width sign (CJK punctuation): text that may break on
    either side of it, unlike a Latin word."""
    return unicodedata.east_asian_width(char) in ("W", "F")


@cache
def _cjk_x_height() -> float:
    """The CJK font's x-height as a share of its em: the OS/2 table's sxHeight (version 2 or
    later; 1098 of 2048 units, 0.536, in Micro Hei), else the height of its 'x' glyph."""
    face = _cjk_face()
    units = float(face.unitsPerEm)
    os2 = face.get_table("OS/2")
    version = struct.unpack(">H", os2[:2])[0]
    if version >= 2 and len(os2) >= 90:
        x_height: int = struct.unpack(">h", os2[86:88])[0]
        if x_height > 0:
            return x_height / units
    return _glyph_top(face, "x") / units


def _glyph_top(face: Any, char: str) -> float:
    """yMax of a glyph's outline, read from the glyf table."""
    glyph = face.charToGlyph[ord(char)]
    head = face.get_table("head")
    long_offsets = struct.unpack(">h", head[50:52])[0] == 1
    loca = face.get_table("loca")
    if long_offsets:
        offset = struct.unpack(">L", loca[4 * glyph : 4 * glyph + 4])[0]
    else:
        offset = struct.unpack(">H", loca[2 * glyph : 2 * glyph + 2])[0] * 2
    return float(struct.unpack(">h", face.get_table("glyf")[offset + 8 : offset + 10])[0])


def x_height(font: str) -> float:
    """The font's x-height as a share of its size."""
    return _cjk_x_height() if is_cjk(font) else HELVETICA_X_HEIGHT


def legible_size(font: str) -> float:
    """The smallest size, in points, at which a font is legible on a label: 7 pt, and an
    x-height of at least 1.4 mm (the EU guideline on the readability of labels).

    For Helvetica that is 7.59 pt (x-height 0.523 em). For the CJK font the x-height is read
    from the font file (OS/2 sxHeight, 0.536 em: 7.40 pt) and governs the Latin letters and
    digits of a Chinese text (doses, dates, numbers). Chinese characters have no x-height: an
    ideograph fills most of the em box (中 is 0.91 em tall in Micro Hei), so for them the rule
    is the em-box one, at least 7 pt, where 中 is 2.2 mm tall. Both hold at this size."""
    smallest_x = SMALLEST_X_HEIGHT_MM * 72 / 25.4
    return round(max(SMALLEST_POINTS, smallest_x / x_height(font)), 2)


def legible() -> float:
    """The smallest size legible in every label font (Helvetica's 7.59 pt, the larger): one
    size rule for a label, whichever language each particular is in."""
    return max(legible_size(HELVETICA), legible_size(cjk_font()))


def string_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def draw_string(
    canvas: Any,
    x: float,
    y: float,
    text: str,
    font: str,
    size: float,
    bold: bool = False,
    align: str = "left",
) -> None:
    """Draws one line at the baseline y, aligned left, "centre" or "right" of x. Bold CJK
    text (no bold face) is filled and stroked with the fill colour (faux bold)."""
    width = string_width(text, font, size)
    left = {"centre": x - width / 2, "right": x - width}.get(align, x)
    faux = bold and is_cjk(font)
    text_object = canvas.beginText(left, y)
    text_object.setFont(font, size)
    if faux:
        canvas.saveState()
        canvas.setLineWidth(size * FAUX_BOLD)
        canvas.setLineJoin(1)
        canvas.setStrokeColor(canvas._fillColorObj)  # the outline in the text's own colour
        text_object.setTextRenderMode(2)
    text_object.textOut(text)
    canvas.drawText(text_object)
    if faux:
        canvas.restoreState()
