"""Expiry: stock that expires within N days (default 90), and expired stock not destroyed."""

from __future__ import annotations

from reportlab.platypus import Flowable

from dispensary.reports.base import (
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    heading,
    para,
    scaled,
)
from dispensary.reports.csvfile import to_csv
from dispensary.services.report_data import ExpiryReport, ReportMeta
from dispensary.services.results import KitRow
from dispensary.study import Study

TITLE = "Expiry report"
HEADER = ["Kit", "Product", "Lot", "Expiry", "Days left", "Status", "Tablets", "Location"]
SHARES = (14, 24, 14, 14, 10, 14, 10, 20)


def _rows(report: ExpiryReport, kits: tuple[KitRow, ...]) -> list[list[str]]:
    return [
        [
            k.number,
            k.product,
            k.lot,
            day(k.expiry),
            str((k.expiry - report.today).days),
            k.status.label,
            str(k.tablets),
            k.location,
        ]
        for k in kits
    ]


def expiry_section(study: Study, report: ExpiryReport, paper: str) -> Section:
    widths = scaled(SHARES, frame_width(False, paper))
    story: list[Flowable] = [
        *heading(f"Expired and not destroyed ({len(report.expired)} kits)"),
    ]
    if report.expired:
        story.append(data_table(HEADER, _rows(report, report.expired), widths, numeric=(4, 6)))
        story.append(para("Set these kits aside and destroy them or return them to the sponsor."))
    else:
        story.append(empty_note("No expired kits are waiting for destruction."))
    story += heading(f"Expiring within {report.within_days} days ({len(report.expiring)} kits)")
    if report.expiring:
        story.append(data_table(HEADER, _rows(report, report.expiring), widths, numeric=(4, 6)))
    else:
        story.append(empty_note(f"No kit on the shelf expires within {report.within_days} days."))
    fields = [
        ("Institution", f"{study.site_name} ({study.site})"),
        ("Protocol no.", study.protocol),
        ("As of", day(report.today)),
        ("Window", f"{report.within_days} days"),
    ]
    return Section(TITLE, story, fields=fields, contents_title=TITLE)


def expiry_pdf(meta: ReportMeta, study: Study, report: ExpiryReport, paper: str = "a4") -> bytes:
    return build_report(meta, TITLE, [expiry_section(study, report, paper)], paper)


def expiry_csv(meta: ReportMeta, report: ExpiryReport) -> str:
    rows = [
        [
            group,
            k.number,
            k.product,
            k.lot,
            day(k.expiry),
            (k.expiry - report.today).days,
            k.status.value,
            k.tablets,
            k.location,
        ]
        for group, kits in (("expired", report.expired), ("expiring", report.expiring))
        for k in kits
    ]
    return to_csv(
        meta,
        f"{TITLE} (as of {day(report.today)}, window {report.within_days} days)",
        ("group", "kit", "product", "lot", "expiry", "days_left", "status", "tablets", "location"),
        rows,
    )
