"""The monitor pack: one PDF for a visit's date range, with a contents page, the
reconciliation, a DARF per product, the returns and destruction logs, quarantines and
excursions, and the audit-trail verification.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

from dispensary.reports.audit import verification_box
from dispensary.reports.base import (
    Section,
    build_report,
    day,
    frame_width,
    heading,
    para,
    period_text,
)
from dispensary.reports.darf import darf_section
from dispensary.reports.logs import (
    DESTRUCTION_TITLE,
    QUARANTINE_TITLE,
    RETURNS_TITLE,
    destruction_table,
    excursion_table,
    quarantine_table,
    returns_table,
)
from dispensary.reports.reconciliation import reconciliation_story
from dispensary.services.report_data import MonitorPack, ReportMeta
from dispensary.study import Study

TITLE = "Monitor pack"


def monitor_pack_pdf(meta: ReportMeta, study: Study, pack: MonitorPack, paper: str = "a4") -> bytes:
    period = period_text(pack.since, pack.until)
    fields = [
        ("Institution", f"{study.site_name} ({study.site})"),
        ("Protocol no.", study.protocol),
        ("Visit period", period),
    ]
    portrait = frame_width(False, paper)
    wide = frame_width(True, paper)
    verification: list[Flowable] = [
        verification_box(pack.verification),
        para(
            f"{pack.audit_entries_in_range} audit entries were written between {day(pack.since)} "
            f"and {day(pack.until)}; the audit trail report lists them."
        ),
    ]
    sections = [
        Section(
            f"{TITLE}: reconciliation",
            reconciliation_story(pack.reconciliation, portrait, kits=False),
            fields=fields,
            contents_title="Reconciliation (as of the day the pack was made)",
        ),
        *[darf_section(record, paper) for record in pack.darfs],
        Section(
            f"{TITLE}: returns log",
            [*heading(RETURNS_TITLE), returns_table(pack.returns, wide)],
            fields=fields,
            landscape=True,
            contents_title="Returns log",
        ),
        Section(
            f"{TITLE}: destruction log",
            [*heading(DESTRUCTION_TITLE), destruction_table(pack.destructions, wide)],
            fields=fields,
            landscape=True,
            contents_title="Destruction and return-to-sponsor log",
        ),
        Section(
            f"{TITLE}: quarantines and excursions",
            [
                *heading("Temperature excursions"),
                excursion_table(pack.excursions, wide),
                *heading("Quarantine, release and rejection of kits"),
                quarantine_table(pack.quarantines, wide),
            ],
            fields=fields,
            landscape=True,
            contents_title=QUARANTINE_TITLE,
        ),
        Section(
            f"{TITLE}: audit trail verification",
            verification,
            fields=fields,
            contents_title="Audit trail verification",
        ),
    ]
    return build_report(meta, f"{TITLE} {period}", sections, paper, contents=True)
