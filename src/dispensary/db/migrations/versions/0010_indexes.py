"""indexes for the counter's steps on a site of a million ledger rows

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-12 09:00:00

Only indexes: no table, row or trigger changes, so the audit trail and the facts' hashes are
untouched. First expiry first out reads a product's lots by expiry and each lot's first kits on
the shelf (a dispense no longer loads the whole shelf); a kit's balance is read from the ledger's
index alone (the index of kit and kind is extended by the two columns a balance needs); a return,
a count, a destruction and a correction find their ledger rows and records by index; a label
print finds the earlier prints of its items (audit_entries by entity, and the prints of several
items apart); a scanned code is looked up as a study number in every study; the inventory
screen reads a page of kits filtered and sorted by study, number, product, status, lot,
shipment or expiry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH_ENTRY = "(entity_id LIKE '%..%' OR length(entity_id) >= 60)"
"""models.BATCH_ENTRY as it was when this revision was written."""

INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_lots_fefo", "lots", ("product", "expiry", "number")),
    ("ix_kits_shelf", "kits", ("lot_id", "status", "product", "study_id", "number")),
    ("ix_participants_study_number", "participants", ("study_number",)),
    ("ix_ledger_kit_balance", "ledger_entries", ("kit_id", "kind", "from_returned", "quantity")),
    ("ix_ledger_entries_return_id", "ledger_entries", ("return_id",)),
    ("ix_ledger_entries_destruction_id", "ledger_entries", ("destruction_id",)),
    ("ix_ledger_entries_count_id", "ledger_entries", ("count_id",)),
    ("ix_returns_corrects_id", "returns", ("corrects_id",)),
    ("ix_signatures_record", "signatures", ("record_type", "record_id")),
    ("ix_audit_entries_entity", "audit_entries", ("entity", "entity_id")),
    # The inventory screen's pages: filtered and sorted in SQL (services/inventory_pages).
    ("ix_kits_study_number", "kits", ("study_id", "number")),
    ("ix_kits_study_product_number", "kits", ("study_id", "product", "number")),
    ("ix_kits_study_status_number", "kits", ("study_id", "status", "number")),
    ("ix_kits_lot_number", "kits", ("lot_id", "number")),
    ("ix_kits_shipment_number", "kits", ("shipment_id", "number")),
    ("ix_lots_number", "lots", ("number",)),
    ("ix_lots_expiry_product_number", "lots", ("expiry", "product", "number")),
)
"""(name, table, columns) of the plain indexes this revision adds."""


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns), unique=False)
    op.create_index(
        "ix_audit_entries_batches",
        "audit_entries",
        ["entity"],
        unique=False,
        sqlite_where=sa.text(BATCH_ENTRY),
        postgresql_where=sa.text(BATCH_ENTRY),
    )
    # Its first columns lead ix_ledger_kit_balance, which serves every query it served.
    op.drop_index("ix_ledger_kit_kind", table_name="ledger_entries")


def downgrade() -> None:
    op.create_index("ix_ledger_kit_kind", "ledger_entries", ["kit_id", "kind"], unique=False)
    op.drop_index("ix_audit_entries_batches", table_name="audit_entries")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
