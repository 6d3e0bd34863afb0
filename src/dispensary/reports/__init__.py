"""Reports a regulator or monitor asks for, as PDF bytes (reportlab) and CSV text.

Pure functions of service results (services.report_data, services.queries,
services.reconciliation): they never touch the database. The renderers load on first use, so
that the catalogue (reports.catalogue), from which the command line's parser is built, does not
load reportlab.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dispensary.reports.audit import audit_csv, audit_pdf
    from dispensary.reports.certificate import certificate_pdf
    from dispensary.reports.darf import darf_csv, darf_pdf
    from dispensary.reports.expiry import expiry_csv, expiry_pdf
    from dispensary.reports.forecast import forecast_csv, forecast_pdf
    from dispensary.reports.inventory import inventory_csv, inventory_pdf
    from dispensary.reports.logs import (
        destruction_csv,
        destruction_pdf,
        returns_csv,
        returns_pdf,
    )
    from dispensary.reports.lot import lot_csv, lot_pdf
    from dispensary.reports.monitor import monitor_pack_pdf
    from dispensary.reports.participant import participant_csv, participant_pdf
    from dispensary.reports.reconciliation import reconciliation_csv, reconciliation_pdf

_MODULES = {
    "audit_csv": "audit",
    "audit_pdf": "audit",
    "certificate_pdf": "certificate",
    "darf_csv": "darf",
    "darf_pdf": "darf",
    "destruction_csv": "logs",
    "destruction_pdf": "logs",
    "expiry_csv": "expiry",
    "expiry_pdf": "expiry",
    "forecast_csv": "forecast",
    "forecast_pdf": "forecast",
    "inventory_csv": "inventory",
    "inventory_pdf": "inventory",
    "lot_csv": "lot",
    "lot_pdf": "lot",
    "monitor_pack_pdf": "monitor",
    "participant_csv": "participant",
    "participant_pdf": "participant",
    "reconciliation_csv": "reconciliation",
    "reconciliation_pdf": "reconciliation",
    "returns_csv": "logs",
    "returns_pdf": "logs",
}

__all__ = [
    "audit_csv",
    "audit_pdf",
    "certificate_pdf",
    "darf_csv",
    "darf_pdf",
    "destruction_csv",
    "destruction_pdf",
    "expiry_csv",
    "expiry_pdf",
    "forecast_csv",
    "forecast_pdf",
    "inventory_csv",
    "inventory_pdf",
    "lot_csv",
    "lot_pdf",
    "monitor_pack_pdf",
    "participant_csv",
    "participant_pdf",
    "reconciliation_csv",
    "reconciliation_pdf",
    "returns_csv",
    "returns_pdf",
]


def __getattr__(name: str) -> object:
    """Loads a renderer's module when the renderer is first asked for."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"dispensary.reports.{module}"), name)
