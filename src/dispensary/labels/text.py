"""Setting label text so that nothing is ever cut: wrap, step the font down, or refuse.

Fonts (dispensary.pdffonts): a piece of text that Helvetica's Latin-1 (WinAnsi) encoding holds
is set in Helvetica, which ships with every PDF reader; any other piece (Chinese, or Chinese
with Latin words in it) is set whole in the CJK font, embedded as a subset. A character neither
font has (an emoji, an ideograph outside the font) is refused with the field named, rather than
printed as a blank box.

Wrapping: Latin text breaks at spaces. Chinese breaks between any two characters, as Chinese is
set, except that a line never starts with closing punctuation (，。、；：）」...) nor ends with
opening punctuation (（「...); a Latin word inside Chinese text stays whole, and so does a
number with its measure word or unit (连服14天, 21粒, 7.5 mg, 1 tablet: pdffonts.NUMBER_AND_UNIT),
and so does a date, in either language ('Dispensed 30' / 'Sep 2026', '2026年9月' / '30日' misread:
pdffonts.DATE), wherever it comes from. A text made with `keep_together` (an expiry, a
telephone number) never breaks.

Legibility: no text is set below LEGIBLE, 7 pt with an x-height of at least 1.4 mm in every
label font (pdffonts.legible_size explains the rule for the CJK font).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from dispensary import pdffonts
from dispensary.domain.errors import RuleViolation
from dispensary.i18n import ENGLISH, Language, _, sentences, speaking
from dispensary.labels import wording
from dispensary.pdffonts import (
    bind_numbers,
    draw_string,
    font_for,
    is_wide,
    may_break,
    string_width,
)

FONT = pdffonts.HELVETICA
BOLD = pdffonts.HELVETICA_BOLD
CJK = pdffonts.cjk_font()
LEADING = 1.1  # line height as a multiple of the font size
GAP = 0.2  # extra space between pieces, as a multiple of the font size
STEP = 0.25  # points by which the font steps down while text does not fit
X_HEIGHT = pdffonts.HELVETICA_X_HEIGHT  # Helvetica's x-height as a share of the font size
SMALLEST_POINTS = pdffonts.SMALLEST_POINTS
SMALLEST_X_HEIGHT = pdffonts.SMALLEST_X_HEIGHT_MM * mm
# The smallest text a label may carry: 7 pt with an x-height of at least 1.4 mm (the EU
# guideline on the readability of labels), which in Helvetica is 7.59 pt and in the CJK font
# 7.40 pt: one size for the label, the larger.
LEGIBLE = pdffonts.legible()

NBSP = "\u00a0"
WORD_JOINER = "\u2060"  # no line break on either side; never drawn
INVERSE_PAD = 0.4  # padding around inverse text, as a multiple of the font size


class LabelDoesNotFit(RuleViolation):
    """The text cannot be set in the space even at the smallest legible size. `problem` is
    the message without its advice, for a caller that knows better advice."""

    def __init__(self, message: str, problem: str = "") -> None:
        super().__init__(message)
        self.problem = problem or message


class UnprintableText(RuleViolation):
    """A field holds a character the label fonts cannot print."""


def expiry_text(expiry: date, language: Language = ENGLISH) -> str:
    """'EXP 11 JAN 2027', or 'EXP JUN 2027' when the lot expires on the month's last day: the
    month in letters and the full year, so it cannot be misread, and never later than the lot.
    In Chinese '有效期至 2027年1月11日' or '有效期至 2027年6月'."""
    with speaking(language):
        return wording.expiry(expiry, (expiry + timedelta(days=1)).month != expiry.month)


def check_printable(text: str, field: str, source: str = "") -> None:
    """Refuses a text with a character that neither Helvetica nor the CJK font can print,
    naming the field (and where the study file has it) and the character."""
    missing = pdffonts.missing_glyphs(text)
    if not missing:
        return
    bad = missing[0]
    more = _(" (and {count} more)").format(count=len(missing) - 1) if len(missing) > 1 else ""
    named = field_name(field)
    if source:
        named = _("{field} ({source})").format(field=named, source=source)
    raise UnprintableText(
        _(
            "The {field} holds '{character}' (U+{code}){more}, which the label fonts cannot "
            "print (neither Helvetica nor the Chinese font WenQuanYi Micro Hei has it). Write it "
            "otherwise in the study file or record."
        ).format(field=named, character=bad, code=f"{ord(bad):04X}", more=more)
    )


@dataclass(frozen=True)
class Piece:
    """A paragraph of label text; `field` names it in messages."""

    text: str
    field: str  # what it is, in English (marked N_ where written), translated where shown
    bold: bool = False
    scale: float = 1.0
    align: str = "left"  # left, centre, right
    inverse: bool = False  # white on black, e.g. REPRINT
    parts: tuple[str, ...] = ()
    """The statements the text is made of (e.g. pharmacy name, dispense date): on a bilingual
    label a statement that reads the same in both languages is printed once."""
    joiner: str | None = None
    """How the parts are joined: None, as sentences; else this text (' \u00b7 ')."""
    source: str = ""
    """Where the text is in the study file ('[label] directions'): keys, shown as written."""

    @property
    def font(self) -> str:
        """Helvetica for Latin text, the CJK font for the whole piece otherwise."""
        return font_for(self.text, self.bold)


@dataclass(frozen=True)
class SetLine:
    text: str
    font: str
    size: float
    align: str
    gap_before: float
    inverse: bool = False
    bold: bool = False  # drawn bold: Helvetica-Bold, or the CJK font stroked (faux bold)


@dataclass(frozen=True)
class Fitted:
    size: float
    lines: tuple[SetLine, ...]
    width: float
    height: float


def keep_together(text: str) -> str:
    """Never broken across lines, e.g. a telephone number or an expiry: non-breaking spaces,
    and word joiners between the characters of a Chinese text (which may otherwise break
    between any two)."""
    kept = text.replace(" ", NBSP)
    if all(not is_wide(ch) for ch in kept):
        return kept
    return WORD_JOINER.join(kept.replace(WORD_JOINER, ""))


def visible(text: str) -> str:
    """The text as drawn: without its line-breaking marks."""
    return text.replace(WORD_JOINER, "")


def segments(word: str) -> list[str]:
    """A word (text without ordinary spaces) cut where a line may break."""
    parts: list[str] = []
    start = 0
    for index in range(1, len(word)):
        if may_break(word[index - 1], word[index]):
            parts.append(word[start:index])
            start = index
    parts.append(word[start:])
    return [visible(p) for p in parts]


def wrap(text: str, font: str, size: float, width: float) -> list[str] | None:
    """Greedy wrap: at ordinary spaces, and between Chinese characters (segments), never inside
    a date nor a number with its measure word or unit (bind_numbers); None when a piece that
    may not be broken is wider than the line (the text is then set smaller, or refused)."""
    lines: list[str] = []
    for paragraph in bind_numbers(text).split("\n"):
        current = ""
        for word in (w for w in paragraph.split(" ") if w):
            for index, part in enumerate(segments(word)):
                if not part:
                    continue
                if string_width(part, font, size) > width:
                    return None
                joint = " " if index == 0 and current else ""
                trial = f"{current}{joint}{part}"
                if string_width(trial, font, size) <= width:
                    current = trial
                else:
                    lines.append(current)
                    current = part
        lines.append(current)
    return lines


def _set(pieces: Sequence[Piece], size: float, width: float) -> Fitted | None:
    lines: list[SetLine] = []
    height = 0.0
    for index, piece in enumerate(pieces):
        font_size = size * piece.scale
        font = piece.font
        pad = 2 * INVERSE_PAD * font_size if piece.inverse else 0.0
        wrapped = wrap(piece.text, font, font_size, width - pad)
        if wrapped is None:
            return None
        gap = GAP * size if index else 0.0
        for line_no, text in enumerate(wrapped):
            before = gap if not line_no else 0.0
            lines.append(
                SetLine(text, font, font_size, piece.align, before, piece.inverse, piece.bold)
            )
            height += font_size * LEADING + before
    return Fitted(size, tuple(lines), width, height)


def fit(
    pieces: Sequence[Piece],
    width: float,
    height: float,
    largest: float,
    smallest: float,
    what: str,
    advice: str,
) -> Fitted:
    """The largest size (stepping down from `largest`) at which every piece fits whole."""
    for piece in pieces:
        check_printable(piece.text, piece.field, piece.source)
    size = largest
    while size >= smallest - 1e-9:
        fitted = _set(pieces, size, width)
        if fitted is not None and fitted.height <= height + 1e-6:
            return fitted
        size = round(size - STEP, 2) if size - STEP >= smallest or size == smallest else smallest
    longest = sorted(pieces, key=lambda p: len(visible(p.text)), reverse=True)[:2]
    named = _(" and ").join(_named(p) for p in longest)
    problem = _("The {what} does not fit even at {size} pt; the longest texts are {named}.").format(
        what=what, size=f"{smallest:g}", named=named
    )
    raise LabelDoesNotFit(sentences((problem, _(advice))), problem)


def field_name(field: str) -> str:
    """What a piece of text is, in the reader's language: its field ("dose and directions"; a
    piece of two languages' statements may name two, "a / b"), each translated."""
    return " / ".join(_(name) for name in field.split(" / "))


def _named(piece: Piece) -> str:
    """A piece in a refusal: what it is, where the study file has it, and its length."""
    count = len(visible(piece.text))
    if piece.source:
        return _("the {field} ({source}) ({count} characters)").format(
            field=field_name(piece.field), source=piece.source, count=count
        )
    return _("the {field} ({count} characters)").format(field=field_name(piece.field), count=count)


def _baseline(line: SetLine, y: float) -> float:
    return y + line.size * (LEADING - 1) / 2 + line.size * 0.2


def draw(canvas: Canvas, fitted: Fitted, x: float, top: float) -> float:
    """Draws the lines downwards from `top`; returns the y below the last line."""
    y = top
    for line in fitted.lines:
        y -= line.gap_before + line.size * LEADING
        if line.inverse:
            _inverse(canvas, line, x, y, fitted.width)
            continue
        anchor = {"centre": x + fitted.width / 2, "right": x + fitted.width}.get(line.align, x)
        draw_string(
            canvas,
            anchor,
            _baseline(line, y),
            line.text,
            line.font,
            line.size,
            line.bold,
            line.align,
        )
    return y


def _inverse(canvas: Canvas, line: SetLine, x: float, y: float, width: float) -> None:
    pad = INVERSE_PAD * line.size
    text_width = string_width(line.text, line.font, line.size)
    box_width = text_width + 2 * pad
    left = {"centre": x + (width - box_width) / 2, "right": x + width - box_width}.get(
        line.align, x
    )
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.rect(left, y + line.size * 0.02, box_width, line.size * (LEADING - 0.04), 0, 1)
    canvas.setFillColorRGB(1, 1, 1)
    draw_string(canvas, left + pad, _baseline(line, y), line.text, line.font, line.size, line.bold)
    canvas.restoreState()
