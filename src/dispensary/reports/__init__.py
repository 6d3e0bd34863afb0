"""Reports a regulator or monitor asks for, as PDF bytes (reportlab) and CSV text.

Pure functions of service results (services.report_data, services.queries,
services.reconciliation): they never touch the database.
"""

from dispensary.reports.audit import audit_csv, audit_pdf
from dispensary.reports.darf import darf_csv, darf_pdf
from dispensary.reports.expiry import expiry_csv, expiry_pdf
from dispensary.reports.inventory import inventory_csv, inventory_pdf
from dispensary.reports.logs import destruction_csv, destruction_pdf, returns_csv
from dispensary.reports.lot import lot_csv, lot_pdf
from dispensary.reports.monitor import monitor_pack_pdf
from dispensary.reports.participant import participant_csv, participant_pdf
from dispensary.reports.reconciliation import reconciliation_csv, reconciliation_pdf

__all__ = [
    "audit_csv",
    "audit_pdf",
    "darf_csv",
    "darf_pdf",
    "destruction_csv",
    "destruction_pdf",
    "expiry_csv",
    "expiry_pdf",
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
]
