"""The shape every label shares: a band at the top (barcode on the left, marks and key facts on
the right) and the particulars below, led by the product name and strength, the largest text.
Everything is measured before drawing, so a label that cannot be printed whole, with every
particular at a legible size (text.LEGIBLE), is refused before any PDF exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from dispensary.i18n import N_, _, pgettext, sentences
from dispensary.labels import wording
from dispensary.labels.code128 import draw_code128, module_width
from dispensary.labels.render import MARGIN
from dispensary.labels.stock import STOCKS, LabelStock
from dispensary.labels.text import BOLD, LEGIBLE, Fitted, LabelDoesNotFit, Piece, draw, fit

GAP = 1.2 * mm
SMALLEST = LEGIBLE  # points: the smallest text a label may carry
PRODUCT_SCALE = 1.25  # the product name and strength, against the other particulars


JOINER = " \u00b7\u00a0"
"""Between the languages of one mark ('补打 · REPRINT') or of a list: a line may break before
the dot, never after it."""


def reprint_mark() -> Piece:
    """REPRINT, white on black at the top right, in the language being spoken."""
    word = wording.reprint()
    return Piece(
        word,
        N_("reprint mark"),
        bold=True,
        inverse=True,
        align="right",
        parts=(word,),
        joiner=JOINER,
    )


REPRINT = Piece(wording.REPRINT, N_("reprint mark"), bold=True, inverse=True, align="right")


def mark(text: str, field: str) -> Piece:
    """A warning set white on black at the top of the label (QUARANTINED, DOSE CHANGED); in
    two languages, one mark."""
    return Piece(text, field, bold=True, inverse=True, parts=(text,), joiner=JOINER)


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
    """The least height of the band: room for the bars (it grows with the side text)."""
    return float(min(11 * mm, max(9 * mm, inner_height * 0.2)))


def barcode_block(code: str, box: Box, what: str, largest: float = 9.0) -> BarcodeBlock:
    module_width(code, box.width)  # refuses a barcode too long for the space
    size = max(SMALLEST, min(largest, box.height * 0.3))
    while stringWidth(code, BOLD, size) > box.width and size - 0.25 >= SMALLEST:
        size -= 0.25
    if stringWidth(code, BOLD, size) > box.width:
        raise LabelDoesNotFit(
            _(
                "The number '{code}' under the barcode of the {what} does not fit at {size} pt. "
                "Choose a wider label stock."
            ).format(code=code, what=what, size=f"{SMALLEST:g}")
        )
    return BarcodeBlock(code, box, size, box.height - size * 1.25)


def layout_label(
    stock: LabelStock,
    code: str,
    product: Piece | Sequence[Piece],
    side: Sequence[Piece],
    body: Sequence[Piece],
    reprint: bool | Sequence[Piece],
    what: str,
    barcode_share: float,
    body_largest: float,
    advice: str,
    marks: Sequence[Piece] = (),
) -> LabelLayout:
    """Band on top (barcode `barcode_share` of the width; the marks, REPRINT first, and the side
    text next to it), body below: the product first and largest, then the other particulars.
    No text is set below SMALLEST, nor as large as the product's. `product`: its name and
    strength, in each language of the label; `reprint`: the REPRINT marks (True: in English)."""
    inner = Box(MARGIN, MARGIN, stock.label_width - 2 * MARGIN, stock.label_height - 2 * MARGIN)
    where = _("{what} on {stock} stock ({size})").format(
        what=what, stock=stock.name, size=stock.size_text
    )
    barcode_width = inner.width * barcode_share
    side_width = inner.width - barcode_width - GAP
    reprints = [REPRINT] if reprint is True else list(reprint or [])
    side = [*reprints, *marks, *side]
    # The band grows (taking from the body) when the marks and side text need it.
    least = fit(side, side_width, inner.height / 2, SMALLEST, SMALLEST, where, advice)
    band = max(band_height(inner.height), least.height)
    band_y = inner.top - band
    body_box = Box(inner.x, inner.y, inner.width, band_y - GAP - inner.y)
    products = [product] if isinstance(product, Piece) else list(product)
    lead = [replace(p, bold=True, scale=PRODUCT_SCALE) for p in products]
    body_fit = fit(
        [*lead, *body], body_box.width, body_box.height, body_largest, SMALLEST, where, advice
    )
    below_product = body_fit.size  # the product is set at PRODUCT_SCALE times this
    bars = barcode_block(code, Box(inner.x, band_y, barcode_width, band), what, below_product)
    side_box = Box(inner.x + barcode_width + GAP, band_y, side_width, band)
    side_fit = fit(side, side_box.width, side_box.height, below_product, SMALLEST, where, advice)
    return LabelLayout(
        bars,
        TextBlock(side_box, side_fit),
        TextBlock(body_box, body_fit),
        stock.label_width,
    )


def sentence(*parts: str) -> str:
    """Joins statements, each ending with one full stop (in the language being spoken)."""
    return wording.sentence(*parts)


def larger_stocks(
    stock: LabelStock, fits: Callable[[LabelStock], object], dispensing: bool
) -> list[LabelStock]:
    """The stocks larger than `stock` on which the label fits whole at a legible size (for a
    dispensing label, those for dispensing only)."""
    area = stock.label_width * stock.label_height
    found = []
    for other in STOCKS.values():
        if other.label_width * other.label_height <= area + 1e-6:
            continue
        if dispensing and not other.for_dispensing:
            continue
        try:
            fits(other)
        except LabelDoesNotFit:
            continue
        found.append(other)
    return found


def refusal_naming(
    error: LabelDoesNotFit, larger: Sequence[LabelStock], lead: str, rest: str, none: str
) -> LabelDoesNotFit:
    """The refusal, naming the larger stocks that take the label where there are some:
    '<problem> <lead>: it fits on a4-sheet-6 (99.1 x 93.1 mm); <rest>', else
    '<problem> <none>'; `lead`, `rest` and `none` are marked N_, said in the reader's
    language."""
    if not larger:
        return LabelDoesNotFit(sentences((error.problem, _(none))), error.problem)
    names = pgettext("stocks", " or ").join(
        _("{stock} ({size})").format(stock=s.name, size=s.size_text) for s in larger
    )
    advice = _("{lead}: it fits on {stocks}; {rest}").format(
        lead=_(lead), stocks=names, rest=_(rest)
    )
    return LabelDoesNotFit(sentences((error.problem, advice)), error.problem)
