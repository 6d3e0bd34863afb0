"""a status change's correction is filed under its study, not the site's

Revision ID: 0020
Revises: 0019
Create Date: 2027-03-16 09:00:00

A correction of a participant's status change that changes its effective date alone writes no
participant row (its signature only), so the audit entries' study index (0012, db/
entry_studies.py) filed it as the site's (study 0): every study's readers then saw in their
trail another study's participant number and status. Such an entry is now the study of the
status change it corrects (db/entry_studies._corrected_studies), as the Recorder indexes it.

This revision re-files the corrections written before it: each `participant_status_corrected`
entry indexed as the site's is derived again with the Recorder's functions, and where its
status change gives a study, its index rows are replaced by that study's. The index is
derived, not hashed (0012): nothing of the chains changes, and `audit verify` checks it. Its
append-only triggers (0012) are taken off for the replacement and put back in the same
transaction, and only when there is an entry to re-file.

The downgrade leaves the index as it is: a release before this one lists the entry in its own
study as this one does, and writes its own new corrections as it did.
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLE = "audit_entry_studies"
REFILED = ("participant_status_corrected",)
"""The actions whose entries the index filed as the site's while they concern a study."""


def _site_filed(bind: sa.Connection) -> list[int]:
    """The entries of REFILED actions indexed as the site's (study 0)."""
    found = bind.execute(
        sa.text(
            "SELECT e.id FROM audit_entries e JOIN audit_entry_studies s "
            "ON s.audit_entry_id = e.id WHERE s.study_id = 0 AND e.action IN :actions "
            "ORDER BY e.id"
        ).bindparams(sa.bindparam("actions", expanding=True)),
        {"actions": list(REFILED)},
    )
    return [int(entry) for (entry,) in found]


def upgrade() -> None:
    from dispensary.db import entry_studies

    bind = op.get_bind()
    wanted = _site_filed(bind)
    if not wanted:
        return
    entries = sa.table(
        "audit_entries",
        sa.column("id", sa.Integer),
        sa.column("entity", sa.String),
        sa.column("new", sa.Text),
        sa.column("facts", sa.Text),
    )
    studies: dict[int, set[int]] = {}
    for start in range(0, len(wanted), entry_studies.BATCH):
        batch = bind.execute(
            sa.select(entries.c.id, entries.c.entity, entries.c.new, entries.c.facts).where(
                entries.c.id.in_(wanted[start : start + entry_studies.BATCH])
            )
        ).all()
        for entry, found in entry_studies.entry_studies(bind, batch).items():
            if found and entry_studies.SITE not in found:
                studies[entry] = found
    if not studies:
        return
    sqlite = bind.dialect.name == "sqlite"
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    for name in append_only.trigger_names(TABLE, sqlite):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {TABLE}"))
    refiled = sorted(studies)
    index = sa.table(TABLE, sa.column("audit_entry_id", sa.Integer), sa.column("study_id"))
    for start in range(0, len(refiled), entry_studies.BATCH):
        bind.execute(
            sa.delete(index).where(
                index.c.audit_entry_id.in_(refiled[start : start + entry_studies.BATCH])
            )
        )
    bind.execute(
        sa.insert(index),
        entry_studies.index_rows({entry: studies[entry] for entry in refiled}),
    )
    for statement in (
        append_only.sqlite_triggers(TABLE) if sqlite else append_only.pg_triggers(TABLE)
    ):
        op.execute(statement)


def downgrade() -> None:
    # The index is left as it is (see above).
    pass
