"""Kit and dispensing labels, participant leaflets and calibration pages, as PDF bytes.

Pure functions of service results: they never touch the database. Every label is measured
and checked for its required particulars before any PDF is produced. The renderers load on
first use, so that the label catalogue (labels.catalogue), from which the command line's parser
is built, does not load reportlab.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

_MODULES = {
    "NO_CALIBRATION": "stock",
    "STOCKS": "stock",
    "Calibration": "stock",
    "IncompleteLabel": "particulars",
    "LabelDoesNotFit": "text",
    "LabelStock": "stock",
    "UnprintableText": "text",
    "calibration_for": "stock",
    "calibration_page": "calibration",
    "choose_stock": "stock",
    "dispensing_label": "dispensing",
    "expiry_text": "text",
    "get_stock": "stock",
    "kit_labels": "kit",
    "participant_leaflet": "leaflet",
    "save_calibration": "stock",
}

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


def __getattr__(name: str) -> object:
    """Loads a renderer's module when it is first asked for (reportlab is slow to load)."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"dispensary.labels.{module}"), name)
