"""Placing labels on pages of a stock, with the workstation's calibration applied to each page."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from dispensary import __version__
from dispensary.domain.errors import InvalidInput
from dispensary.i18n import _
from dispensary.labels.stock import Calibration, LabelStock

MARGIN = 1.5 * mm  # printers do not print to the very edge of a label

LabelDrawer = Callable[[Canvas], None]
"""Draws one label with its bottom-left corner at (0, 0) of the current canvas state."""


def new_canvas(
    buffer: io.BytesIO, stock: LabelStock, title: str, first_position: int = 1
) -> Canvas:
    """A PDF of the stock's pages. Its subject names the stock, and the first label's position
    on a part-used sheet: the preview opens on that label (ui.label_preview)."""
    canvas = Canvas(buffer, pagesize=(stock.page_width, stock.page_height), pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Dispensary")
    canvas.setCreator(f"Dispensary {__version__}")
    from_position = f", from position {first_position}" if first_position > 1 else ""
    canvas.setSubject(f"Labels on {stock.name} stock{from_position}")
    return canvas


def apply_calibration(canvas: Canvas, stock: LabelStock, calibration: Calibration) -> None:
    """Shifts by the saved offset (x right, y down) and scales about the page's top-left corner."""
    canvas.translate(calibration.dx_mm * mm, stock.page_height - calibration.dy_mm * mm)
    canvas.scale(calibration.scale, calibration.scale)
    canvas.translate(0, -stock.page_height)


def check_position(stock: LabelStock, first_position: int) -> int:
    """The first free label of a part-used sheet (1 = top-left), as a 0-based slot."""
    if isinstance(first_position, bool) or not 1 <= first_position <= stock.per_page:
        raise InvalidInput(
            _(
                "There is no label position {position} on a page of {stock}: give 1 to {most}, "
                "counting row by row from the top-left label."
            ).format(position=first_position, stock=stock.name, most=stock.per_page)
        )
    return first_position - 1


def render_labels(
    stock: LabelStock,
    calibration: Calibration,
    drawers: Sequence[LabelDrawer],
    title: str,
    first_position: int = 1,
) -> bytes:
    """One label per position, row by row; a sheet stock fills each page before the next.

    On a part-used sheet, printing starts at `first_position` of the first page.
    """
    skip = check_position(stock, first_position)
    slots: list[LabelDrawer | None] = [None] * skip + list(drawers)
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, stock, title, first_position)
    for first in range(0, len(slots), stock.per_page):
        canvas.saveState()
        apply_calibration(canvas, stock, calibration)
        for slot, drawer in enumerate(slots[first : first + stock.per_page]):
            if drawer is None:
                continue
            x, y = stock.origin(slot)
            canvas.saveState()
            canvas.translate(x, y)
            drawer(canvas)
            canvas.restoreState()
        canvas.restoreState()
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
