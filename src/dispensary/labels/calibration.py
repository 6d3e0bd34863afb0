"""The calibration page of a stock: corner marks, rulers and a 50 mm bar on every label.

Printed with the saved calibration applied, the corner marks should touch the label's
corners; if they do not, the user measures the shift and saves it (x to the right, y
downwards), and sets the scale to 50 divided by the measured length of the bar.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from dispensary.i18n import N_, _
from dispensary.labels.render import MARGIN, render_labels
from dispensary.labels.stock import NO_CALIBRATION, Calibration, LabelStock
from dispensary.labels.text import FONT, Piece, draw, fit

MARK = 4 * mm
BAR = 50 * mm


def calibration_page(
    stock: LabelStock, calibration: Calibration = NO_CALIBRATION, title: str | None = None
) -> bytes:
    """One page of the stock with every label position marked, its words, and its title (the
    PDF's: `title`, the sheet's, else the stock and calibration), in the reader's language
    (the person at the printer is the one who asked for it)."""
    drawers = [_CalibrationLabel(stock, calibration, slot + 1) for slot in range(stock.per_page)]
    title = title or _("Calibration page of {stock} ({calibration})").format(
        stock=stock.name, calibration=calibration.text
    )
    return render_labels(stock, calibration, drawers, title)


class _CalibrationLabel:
    """Draws the marks of one label position (measured when made, drawn when called)."""

    def __init__(self, stock: LabelStock, calibration: Calibration, position: int) -> None:
        self.stock = stock
        self.width = stock.label_width
        self.height = stock.label_height
        self.bar = BAR if self.width - 2 * MARGIN - 2 * mm >= BAR else 30 * mm
        self.ruler = 3.5 * mm
        text_width = self.width - 2 * MARGIN - self.ruler - 1 * mm
        text_height = self.height - 2 * MARGIN - self.ruler - 7 * mm
        bar_mm = round(self.bar / mm)
        pieces = [
            Piece(
                _("Calibration: {stock} ({size}), position {position}").format(
                    stock=stock.name, size=stock.size_text, position=position
                ),
                N_("calibration title"),
                bold=True,
            ),
            Piece(
                _("Saved: {calibration}.").format(calibration=calibration.text),
                N_("saved calibration"),
            ),
            Piece(
                _(
                    "The corner marks should touch the label's corners. If not, measure the "
                    "shift and save it: x + moves the print right, y + moves it down. The bar "
                    "should measure {bar} mm; if not, scale = {bar} / measured length."
                ).format(bar=bar_mm),
                N_("calibration instructions"),
            ),
        ]
        self.text = fit(
            pieces,
            text_width,
            text_height,
            8.0,
            4.0,
            _("calibration page of {stock}").format(stock=stock.name),
            N_("This stock is too small for a calibration page."),
        )

    def __call__(self, canvas: Canvas) -> None:
        canvas.setLineWidth(0.4)
        w, h = self.width, self.height
        for x, y, sx, sy in ((0, 0, 1, 1), (w, 0, -1, 1), (0, h, 1, -1), (w, h, -1, -1)):
            canvas.line(x, y, x + sx * MARK, y)
            canvas.line(x, y, x, y + sy * MARK)
        self._rulers(canvas)
        left = MARGIN + self.ruler + 1 * mm
        draw(canvas, self.text, left, h - MARGIN - self.ruler - 0.5 * mm)
        bar_y = MARGIN + 1.5 * mm
        canvas.setLineWidth(0.8)
        canvas.line(left, bar_y, left + self.bar, bar_y)
        canvas.line(left, bar_y - 1 * mm, left, bar_y + 1 * mm)
        canvas.line(left + self.bar, bar_y - 1 * mm, left + self.bar, bar_y + 1 * mm)
        canvas.setFont(FONT, 6)
        canvas.drawString(left + self.bar + 1 * mm, bar_y - 2, f"{round(self.bar / mm)} mm")

    def _rulers(self, canvas: Canvas) -> None:
        """Millimetre ticks along the top edge (from the left) and the left edge (from the top)."""
        w, h = self.width, self.height
        canvas.setLineWidth(0.25)
        canvas.setFont(FONT, 4.5)
        for n in range(1, int(w / mm)):
            length = 3 * mm if n % 10 == 0 else 2 * mm if n % 5 == 0 else 1 * mm
            canvas.line(n * mm, h, n * mm, h - length)
            if n % 10 == 0 and (n + 3) * mm < w:
                canvas.drawCentredString(n * mm, h - length - 5, str(n))
        for n in range(1, int(h / mm)):
            length = 3 * mm if n % 10 == 0 else 2 * mm if n % 5 == 0 else 1 * mm
            canvas.line(0, h - n * mm, length, h - n * mm)
            if n % 10 == 0 and (n + 3) * mm < h:
                canvas.drawString(length + 0.5, h - n * mm - 1.6, str(n))
