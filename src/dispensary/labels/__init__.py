"""Kit and dispensing labels, participant leaflets and calibration pages, as PDF bytes.

Pure functions of service results: they never touch the database. Every label is measured
and checked for its required particulars before any PDF is produced.
"""

from dispensary.labels.calibration import calibration_page
from dispensary.labels.dispensing import dispensing_label
from dispensary.labels.kit import kit_labels
from dispensary.labels.leaflet import participant_leaflet
from dispensary.labels.particulars import IncompleteLabel
from dispensary.labels.stock import (
    NO_CALIBRATION,
    STOCKS,
    Calibration,
    LabelStock,
    calibration_for,
    choose_stock,
    get_stock,
    save_calibration,
)
from dispensary.labels.text import LabelDoesNotFit, UnprintableText, expiry_text

__all__ = [
    "NO_CALIBRATION",
    "STOCKS",
    "Calibration",
    "IncompleteLabel",
    "LabelDoesNotFit",
    "LabelStock",
    "UnprintableText",
    "calibration_for",
    "calibration_page",
    "choose_stock",
    "dispensing_label",
    "expiry_text",
    "get_stock",
    "kit_labels",
    "participant_leaflet",
    "save_calibration",
]
