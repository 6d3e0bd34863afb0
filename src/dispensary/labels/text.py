"""Setting label text so that nothing is ever cut: wrap, step the font down, or refuse.

Labels use Helvetica, which ships with every PDF reader (and with reportlab), in its Latin-1
(WinAnsi) encoding: '°C', 'µ' and accented Latin letters print; a character outside it is
refused with the field named, rather than printed as a blank box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from dispensary.domain.errors import RuleViolation
from dispensary.labels import wording

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
LEADING = 1.1  # line height as a multiple of the font size
GAP = 0.2  # extra space between pieces, as a multiple of the font size
STEP = 0.25  # points by which the font steps down while text does not fit
X_HEIGHT = 0.523  # Helvetica's x-height (its AFM metrics) as a share of the font size
SMALLEST_POINTS = 7.0
SMALLEST_X_HEIGHT = 1.4 * mm
# The smallest text a label may carry: 7 pt with an x-height of at least 1.4 mm (the EU
# guideline on the readability of labels), which in Helvetica is 7.59 pt.
LEGIBLE = round(max(SMALLEST_POINTS, SMALLEST_X_HEIGHT / X_HEIGHT), 2)


class LabelDoesNotFit(RuleViolation):
    """The text cannot be set in the space even at the smallest legible size."""


class UnprintableText(RuleViolation):
    """A field holds a character the label font cannot print."""


def expiry_text(expiry: date) -> str:
    """'EXP 11 JAN 2027', or 'EXP JUN 2027' when the lot expires on the month's last day: the
    month in letters and the full year, so it cannot be misread, and never later than the lot."""
    return wording.expiry(expiry, (expiry + timedelta(days=1)).month != expiry.month)


def check_printable(text: str, field: str) -> None:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise UnprintableText(
            f"The {field} holds '{bad}' (U+{ord(bad[0]):04X}), which the label font cannot "
            "print. Write it with Latin letters in the study file or record."
        ) from exc


@dataclass(frozen=True)
class Piece:
    """A paragraph of label text; `field` names it in messages."""

    text: str
    field: str
    bold: bool = False
    scale: float = 1.0
    align: str = "left"  # left, centre, right
    inverse: bool = False  # white on black, e.g. REPRINT

    @property
    def font(self) -> str:
        return BOLD if self.bold else FONT


@dataclass(frozen=True)
class SetLine:
    text: str
    font: str
    size: float
    align: str
    gap_before: float
    inverse: bool = False


@dataclass(frozen=True)
class Fitted:
    size: float
    lines: tuple[SetLine, ...]
    width: float
    height: float


def keep_together(text: str) -> str:
    """Non-breaking spaces, so that e.g. a telephone number or an expiry never splits."""
    return text.replace(" ", NBSP)


NBSP = "\u00a0"
INVERSE_PAD = 0.4  # padding around inverse text, as a multiple of the font size


def wrap(text: str, font: str, size: float, width: float) -> list[str] | None:
    """Greedy word wrap at ordinary spaces; None when a single word is wider than the line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in (w for w in paragraph.split(" ") if w):
            if stringWidth(word, font, size) > width:
                return None
            trial = f"{current} {word}" if current else word
            if stringWidth(trial, font, size) <= width:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def _set(pieces: Sequence[Piece], size: float, width: float) -> Fitted | None:
    lines: list[SetLine] = []
    height = 0.0
    for index, piece in enumerate(pieces):
        font_size = size * piece.scale
        pad = 2 * INVERSE_PAD * font_size if piece.inverse else 0.0
        wrapped = wrap(piece.text, piece.font, font_size, width - pad)
        if wrapped is None:
            return None
        gap = GAP * size if index else 0.0
        for line_no, text in enumerate(wrapped):
            before = gap if not line_no else 0.0
            lines.append(SetLine(text, piece.font, font_size, piece.align, before, piece.inverse))
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
        check_printable(piece.text, piece.field)
    size = largest
    while size >= smallest - 1e-9:
        fitted = _set(pieces, size, width)
        if fitted is not None and fitted.height <= height + 1e-6:
            return fitted
        size = round(size - STEP, 2) if size - STEP >= smallest or size == smallest else smallest
    longest = sorted(pieces, key=lambda p: len(p.text), reverse=True)[:2]
    named = " and ".join(f"the {p.field} ({len(p.text)} characters)" for p in longest)
    raise LabelDoesNotFit(
        f"The {what} does not fit even at {smallest:g} pt; the longest texts are {named}. {advice}"
    )


def draw(canvas: Canvas, fitted: Fitted, x: float, top: float) -> float:
    """Draws the lines downwards from `top`; returns the y below the last line."""
    y = top
    for line in fitted.lines:
        y -= line.gap_before + line.size * LEADING
        baseline = y + line.size * (LEADING - 1) / 2 + line.size * 0.2
        canvas.setFont(line.font, line.size)
        if line.inverse:
            _inverse(canvas, line, x, y, fitted.width)
        elif line.align == "centre":
            canvas.drawCentredString(x + fitted.width / 2, baseline, line.text)
        elif line.align == "right":
            canvas.drawRightString(x + fitted.width, baseline, line.text)
        else:
            canvas.drawString(x, baseline, line.text)
    return y


def _inverse(canvas: Canvas, line: SetLine, x: float, y: float, width: float) -> None:
    pad = INVERSE_PAD * line.size
    text_width = stringWidth(line.text, line.font, line.size)
    box_width = text_width + 2 * pad
    left = {"centre": x + (width - box_width) / 2, "right": x + width - box_width}.get(
        line.align, x
    )
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.rect(left, y + line.size * 0.02, box_width, line.size * (LEADING - 0.04), 0, 1)
    canvas.setFillColorRGB(1, 1, 1)
    baseline = y + line.size * (LEADING - 1) / 2 + line.size * 0.2
    canvas.drawString(left + pad, baseline, line.text)
    canvas.restoreState()
