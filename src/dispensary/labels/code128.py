"""Code 128 barcodes: python-barcode encodes, reportlab draws the bars as vector rectangles.

Vector bars stay sharp at any printer resolution. The narrowest bar (module) is kept between
0.19 mm (the smallest most scanners read) and 0.5 mm, with a quiet zone of ten modules.
"""

from __future__ import annotations

from barcode import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from dispensary.i18n import _
from dispensary.labels.text import LabelDoesNotFit

QUIET_MODULES = 10
NARROWEST = 0.19 * mm
WIDEST = 0.5 * mm


def modules(text: str) -> str:
    """The bar pattern as '1' (bar) and '0' (space) modules, without quiet zones."""
    pattern: str = Code128(text).build()[0]
    return pattern


def module_width(text: str, width: float) -> float:
    count = len(modules(text)) + 2 * QUIET_MODULES
    module = float(min(WIDEST, width / count))
    if module < NARROWEST:
        raise LabelDoesNotFit(
            _(
                "The barcode of '{code}' needs {needed} mm of width at the narrowest readable "
                "bar, but the label leaves {width} mm. Choose a wider label stock."
            ).format(code=text, needed=f"{count * NARROWEST / mm:.1f}", width=f"{width / mm:.1f}")
        )
    return module


def draw_code128(
    canvas: Canvas, text: str, x: float, y: float, width: float, height: float
) -> tuple[float, float]:
    """Draws the barcode centred in the box; returns the left and right edges of the bars."""
    pattern = modules(text)
    module = module_width(text, width)
    bars_width = len(pattern) * module
    left = x + (width - bars_width) / 2
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    start = None
    for index, bit in enumerate(pattern + "0"):
        if bit == "1" and start is None:
            start = index
        elif bit == "0" and start is not None:
            canvas.rect(left + start * module, y, (index - start) * module, height, 0, 1)
            start = None
    canvas.restoreState()
    return left, left + bars_width
