"""The shape every label shares: a band at the top (barcode on the left, key facts on the
right) and the particulars below. Everything is measured before drawing, so a label that
cannot be printed whole is refused before any PDF exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from dispensary.labels.code128 import draw_code128, module_width
from dispensary.labels.render import MARGIN
from dispensary.labels.stock import LabelStock
from dispensary.labels.text import BOLD, Fitted, LabelDoesNotFit, Piece, draw, fit

GAP = 1.2 * mm
SMALLEST = 5.0  # points: the smallest text a label may carry
REPRINT = Piece("REPRINT", "reprint mark", bold=True, inverse=True, align="right")


@dataclass(frozen=True)
class Box:
    x: float
    y: float  # bottom
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class BarcodeBlock:
    """Bars with the code written under them."""

    text: str
    box: Box
    text_size: float
    bars_height: float

    def draw(self, canvas: Canvas) -> None:
        draw_code128(
            canvas,
            self.text,
            self.box.x,
            self.box.top - self.bars_height,
            self.box.width,
            self.bars_height,
        )
        canvas.setFont(BOLD, self.text_size)
        canvas.drawCentredString(self.box.x + self.box.width / 2, self.box.y + 0.5, self.text)


@dataclass(frozen=True)
class TextBlock:
    box: Box
    fitted: Fitted

    def draw(self, canvas: Canvas) -> None:
        draw(canvas, self.fitted, self.box.x, self.box.top)


@dataclass(frozen=True)
class LabelLayout:
    """One label, measured and ready to draw."""

    barcode: BarcodeBlock
    side: TextBlock
    body: TextBlock
    label_width: float

    def draw(self, canvas: Canvas) -> None:
        self.barcode.draw(canvas)
        self.side.draw(canvas)
        self.body.draw(canvas)
        rule_y = self.body.box.top + GAP / 2
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, rule_y, self.label_width - MARGIN, rule_y)


def band_height(inner_height: float) -> float:
    return float(min(13 * mm, max(8.5 * mm, inner_height * 0.25)))


def barcode_block(code: str, box: Box, what: str) -> BarcodeBlock:
    module_width(code, box.width)  # refuses a barcode too long for the space
    size = min(9.0, box.height * 0.3)
    while stringWidth(code, BOLD, size) > box.width and size > SMALLEST:
        size -= 0.25
    if stringWidth(code, BOLD, size) > box.width:
        raise LabelDoesNotFit(f"The number '{code}' under the {what} barcode does not fit.")
    return BarcodeBlock(code, box, size, box.height - size * 1.25)


def layout_label(
    stock: LabelStock,
    code: str,
    side: Sequence[Piece],
    body: Sequence[Piece],
    reprint: bool,
    what: str,
    barcode_share: float,
    body_largest: float,
    advice: str,
) -> LabelLayout:
    """Band on top (barcode `barcode_share` of the width, side text next to it), body below."""
    inner = Box(MARGIN, MARGIN, stock.label_width - 2 * MARGIN, stock.label_height - 2 * MARGIN)
    band = band_height(inner.height)
    band_y = inner.top - band
    barcode_width = inner.width * barcode_share
    bars = barcode_block(code, Box(inner.x, band_y, barcode_width, band), what)
    side_x = inner.x + barcode_width + GAP
    side_box = Box(side_x, band_y, inner.x + inner.width - side_x, band)
    if reprint:
        side = [REPRINT, *side]
    where = f"{what} on {stock.name} stock ({stock.size_text})"
    side_fit = fit(side, side_box.width, side_box.height, 10.0, SMALLEST, where, advice)
    body_box = Box(inner.x, inner.y, inner.width, band_y - GAP - inner.y)
    body_fit = fit(body, body_box.width, body_box.height, body_largest, SMALLEST, where, advice)
    return LabelLayout(
        bars,
        TextBlock(side_box, side_fit),
        TextBlock(body_box, body_fit),
        stock.label_width,
    )


def sentence(*parts: str) -> str:
    """Joins statements, each ending with one full stop."""
    cleaned = [p.strip().rstrip(".") for p in parts if p.strip()]
    return " ".join(f"{p}." for p in cleaned)
