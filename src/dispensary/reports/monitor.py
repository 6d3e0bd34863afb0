"""The monitor pack: one PDF for a visit's date range. It opens with the protocol, site,
period and preparer, then the open items whatever their start (quarantines awaiting a
decision, gaps in the temperature log, unexplained flags, overridden warnings, dose changes,
count differences, shipments received with an alarm) and the temperature log's coverage, the
reconciliation, a DARF per product, the returns and destruction logs, quarantines and
excursions, and the audit-trail verification.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

from dispensary.reports.audit import verification_box
from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    heading,
    para,
    period_text,
    scaled,
    when,
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


OPEN_ITEMS = "Open items (whatever their start)"


def open_items_story(pack: MonitorPack, width: float) -> list[Flowable]:
    """Everything still open on the last day of the period, however long ago it began; then
    the temperature log's coverage of each storage area."""
    before = sum(1 for i in pack.open_items if i.before_period)
    story: list[Flowable] = [
        para(
            f"{len(pack.open_items)} open item{'' if len(pack.open_items) == 1 else 's'} on "
            f"{day(pack.until)}, {before} of them begun before {day(pack.since)}. "
            f"{pack.quarantined_now} kit{'' if pack.quarantined_now == 1 else 's'} in "
            "quarantine awaiting a decision."
        ),
        *heading(OPEN_ITEMS),
    ]
    if pack.open_items:
        story.append(
            data_table(
                ["Item", "Since", "Concerns", "Detail"],
                [
                    [
                        item.kind,
                        day(item.since) + (" (before the period)" if item.before_period else ""),
                        item.subject,
                        item.detail,
                    ]
                    for item in pack.open_items
                ],
                scaled((26, 17, 13, 72), width),
                highlight=[(i, AMBER) for i, item in enumerate(pack.open_items)],
            )
        )
    else:
        story.append(empty_note("Nothing is open."))
    story += heading("Temperature-log coverage of each storage area")
    if pack.coverage:
        story.append(
            data_table(
                ["Storage area", "Stock since", "First reading", "Last reading", "Imports", "Gaps"],
                [
                    [
                        c.storage_area,
                        day(c.since),
                        when(c.first_reading) if c.first_reading else "none",
                        when(c.last_reading) if c.last_reading else "none",
                        str(c.imports),
                        str(c.gaps),
                    ]
                    for c in pack.coverage
                ],
                scaled((30, 15, 22, 22, 10, 10), width),
                numeric=(4, 5),
                highlight=[(i, AMBER) for i, c in enumerate(pack.coverage) if c.gaps],
            )
        )
    else:
        story.append(empty_note("No kit has been received: no storage area to log."))
    return story


def monitor_pack_pdf(meta: ReportMeta, study: Study, pack: MonitorPack, paper: str = "a4") -> bytes:
    period = period_text(pack.since, pack.until)
    fields = [
        ("Protocol no.", study.protocol),
        ("Site", f"{study.site_name} ({study.site})"),
        ("Visit period", period),
        ("Prepared by", f"{meta.generated_by} ({meta.username}, {meta.role.value})"),
        ("Prepared on", when(meta.generated_at)),
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
        part("open items", OPEN_ITEMS, open_items_story(pack, wide), landscape=True),
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
                para(
                    f"In quarantine on {day(pack.until)}, whenever quarantined: "
                    f"{pack.quarantined_now} kit{'' if pack.quarantined_now == 1 else 's'} "
                    "(listed with the open items)."
                ),
            ],
            landscape=True,
        ),
        part("audit trail verification", "Audit trail verification", verification),
    ]
    return build_report(
        meta, f"{TITLE} {period}", sections, paper, contents=True, contents_fields=fields
    )
