"""Label stocks (what the printer is loaded with) and each workstation's calibration.

A thermal roll prints one label per page; a sheet stock places labels in a grid on an A4 or
US Letter page. Printers shift and scale the image a little, so each stock has a saved
offset and scale (Settings.label_offsets) that every label PDF honours.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm

from dispensary.config import Settings
from dispensary.domain.errors import InvalidInput
from dispensary.i18n import N_, _
from dispensary.study import Study


@dataclass(frozen=True)
class LabelStock:
    """Sizes in points. Labels are placed row by row from the top-left corner of the page."""

    name: str
    description: str
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    columns: int = 1
    rows: int = 1
    left: float = 0.0  # page edge to the first label's left edge
    top: float = 0.0  # page edge to the first label's top edge
    pitch_x: float = 0.0  # left edge to left edge of neighbouring labels
    pitch_y: float = 0.0
    # False where a dispensing label's twelve particulars would print below a legible size;
    # such a stock is for kit labels only.
    for_dispensing: bool = True

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def is_sheet(self) -> bool:
        return self.per_page > 1

    @property
    def shown(self) -> str:
        """The description in the reader's language (the name is the stock's key)."""
        return _(self.description)

    @property
    def size_text(self) -> str:
        return f"{self.label_width / mm:.1f} x {self.label_height / mm:.1f} mm"

    def origin(self, slot: int) -> tuple[float, float]:
        """Bottom-left corner (PDF coordinates) of label position `slot` on its page."""
        row, column = divmod(slot, self.columns)
        x = self.left + column * self.pitch_x
        y = self.page_height - self.top - row * self.pitch_y - self.label_height
        return x, y


def _thermal(
    name: str, description: str, width: float, height: float, for_dispensing: bool = True
) -> LabelStock:
    return LabelStock(
        name, description, width, height, width, height, for_dispensing=for_dispensing
    )


STOCKS: dict[str, LabelStock] = {
    stock.name: stock
    for stock in (
        _thermal("thermal-4x2", N_("thermal roll, 4 x 2 inch labels"), 4 * inch, 2 * inch),
        # The bundled study's dispensing label sets at 5 pt here: kit labels only.
        _thermal(
            "thermal-89x36",
            N_("thermal roll, 89 x 36 mm labels"),
            89 * mm,
            36 * mm,
            for_dispensing=False,
        ),
        # Avery L7173 layout: 2 x 5 labels of 99.1 x 57 mm on A4.
        LabelStock(
            "a4-sheet",
            N_("A4 sheet, 10 labels of 99.1 x 57 mm (L7173 layout)"),
            A4[0],
            A4[1],
            99.1 * mm,
            57 * mm,
            columns=2,
            rows=5,
            left=4.65 * mm,
            top=6 * mm,
            pitch_x=101.6 * mm,
            pitch_y=57 * mm,
        ),
        # Avery L7166 layout: 2 x 3 labels of 99.1 x 93.1 mm on A4. Room for a bilingual
        # dispensing label (every particular in two languages at a legible size), which the
        # 57 mm of the a4-sheet cannot hold.
        LabelStock(
            "a4-sheet-6",
            N_("A4 sheet, 6 labels of 99.1 x 93.1 mm (L7166 layout)"),
            A4[0],
            A4[1],
            99.1 * mm,
            93.1 * mm,
            columns=2,
            rows=3,
            left=4.65 * mm,
            top=8.85 * mm,
            pitch_x=101.6 * mm,
            pitch_y=93.1 * mm,
        ),
        # Avery 5163 layout: 2 x 5 labels of 4 x 2 inch on US Letter.
        LabelStock(
            "letter-sheet",
            N_("US Letter sheet, 10 labels of 4 x 2 inch (5163 layout)"),
            LETTER[0],
            LETTER[1],
            4 * inch,
            2 * inch,
            columns=2,
            rows=5,
            left=0.156 * inch,
            top=0.5 * inch,
            pitch_x=4.188 * inch,
            pitch_y=2 * inch,
        ),
    )
}


@dataclass(frozen=True)
class Calibration:
    """A printer's shift (mm; x to the right, y downwards) and scale for one stock."""

    dx_mm: float = 0.0
    dy_mm: float = 0.0
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not -20 <= self.dx_mm <= 20 or not -20 <= self.dy_mm <= 20:
            raise InvalidInput(
                _(
                    "A label offset of {dx} x {dy} mm is more than 20 mm: check the calibration "
                    "page again and enter the shift in millimetres."
                ).format(dx=f"{self.dx_mm:g}", dy=f"{self.dy_mm:g}")
            )
        if not 0.8 <= self.scale <= 1.2:
            raise InvalidInput(
                _(
                    "A label scale of {scale} is outside 0.8-1.2; a printer that far out needs "
                    "its driver's paper size checked, not a calibration."
                ).format(scale=f"{self.scale:g}")
            )

    @property
    def text(self) -> str:
        return _("offset x {dx} mm, y {dy} mm, scale {scale}").format(
            dx=f"{self.dx_mm:+.1f}", dy=f"{self.dy_mm:+.1f}", scale=f"{self.scale:.3f}"
        )


NO_CALIBRATION = Calibration()


def get_stock(name: str) -> LabelStock:
    stock = STOCKS.get(name.strip().lower())
    if stock is None:
        raise InvalidInput(
            _("'{name}' is not a label stock. Known stocks: {stocks}.").format(
                name=name, stocks=", ".join(STOCKS)
            )
        )
    return stock


def choose_stock(study: Study, settings: Settings | None = None, requested: str = "") -> LabelStock:
    """The stock asked for, else this workstation's setting, else the study file's default."""
    if requested.strip():
        return get_stock(requested)
    if settings is not None and settings.label_stock.strip():
        return get_stock(settings.label_stock)
    return get_stock(study.label.default_stock)


def calibration_for(settings: Settings | None, stock: LabelStock) -> Calibration:
    """The saved offset and scale of this stock on this workstation (none saved: no shift)."""
    if settings is None:
        return NO_CALIBRATION
    saved = settings.label_offsets.get(stock.name)
    if not saved:
        return NO_CALIBRATION
    values = [float(v) for v in saved]
    if len(values) not in (2, 3):
        raise InvalidInput(
            _(
                "The saved calibration of {stock} is {saved}; it should be [x offset mm, y offset "
                "mm, scale]. Calibrate the stock again."
            ).format(stock=stock.name, saved=repr(saved))
        )
    return Calibration(values[0], values[1], values[2] if len(values) == 3 else 1.0)


def save_calibration(settings: Settings, stock: LabelStock, calibration: Calibration) -> None:
    """Puts the calibration into the settings (the caller saves them)."""
    settings.label_offsets[stock.name] = [
        calibration.dx_mm,
        calibration.dy_mm,
        calibration.scale,
    ]
