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

    def part(name: str, contents: str, story: list[Flowable], landscape: bool = False) -> Section:
        """A part of the pack: its pages carry the visit's header fields."""
        return Section(
            f"{TITLE}: {name}", story, fields=fields, landscape=landscape, contents_title=contents
        )

    sections = [
        part(
            "reconciliation",
            "Reconciliation (as of the day the pack was made)",
            reconciliation_story(pack.reconciliation, portrait, kits=False),
        ),
        *[darf_section(record, paper) for record in pack.darfs],
        part(
            "returns log",
            "Returns log",
            [*heading(RETURNS_TITLE), returns_table(pack.returns, wide)],
            landscape=True,
        ),
        part(
            "destruction log",
            "Destruction and return-to-sponsor log",
            [*heading(DESTRUCTION_TITLE), destruction_table(pack.destructions, wide)],
            landscape=True,
        ),
        part(
            "quarantines and excursions",
            QUARANTINE_TITLE,
            [
                *heading("Temperature excursions"),
                excursion_table(pack.excursions, wide),
                *heading("Quarantine, release and rejection of kits"),
                quarantine_table(pack.quarantines, wide),
            ],
            landscape=True,
        ),
        part("audit trail verification", "Audit trail verification", verification),
    ]
    return build_report(meta, f"{TITLE} {period}", sections, paper, contents=True)
