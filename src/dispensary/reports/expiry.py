"""Expiry: stock that expires within N days (default 90), and expired stock not destroyed."""

from __future__ import annotations

from reportlab.platypus import Flowable

from dispensary.i18n import N_, _
from dispensary.reports.base import (
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    heading,
    long_day,
    para,
    scaled,
)
from dispensary.reports.catalogue import EXPIRY_TITLE
from dispensary.reports.csvfile import to_csv
from dispensary.reports.words import institution, plural, term
from dispensary.services.report_data import ExpiryReport, ReportMeta
from dispensary.services.results import KitRow
from dispensary.study import Study

TITLE = EXPIRY_TITLE  # the one title, listed and printed (reports.catalogue)
HEADER = (
    N_("Kit"),
    N_("Product"),
    N_("Lot"),
    N_("Expiry"),
    N_("Days left"),
    N_("Status"),
    N_("Tablets"),
    N_("Location"),
)
SHARES = (14, 24, 14, 14, 10, 14, 10, 20)


def _rows(study: Study, report: ExpiryReport, kits: tuple[KitRow, ...]) -> list[list[str]]:
    return [
        [
            k.number,
            k.product,
            k.lot,
            day(k.expiry),
            str((k.expiry - report.today).days),
            term(k.status.label),
            study.quantity(k.product, k.tablets),  # "28 capsules" unless all are tablets
            k.where or k.location,  # the store as the reader names it (Study.area_name)
        ]
        for k in kits
    ]


def expiry_section(study: Study, report: ExpiryReport, paper: str) -> Section:
    widths = scaled(SHARES, frame_width(False, paper))
    header = [_(title) for title in HEADER]
    header[HEADER.index("Tablets")] = study.count_heading()  # "Quantity" but for tablets only
    days = report.within_days
    story: list[Flowable] = [
        *heading(
            plural(
                len(report.expired),
                N_("Expired and not destroyed ({count} kit)"),
                N_("Expired and not destroyed ({count} kits)"),
            )
        ),
    ]
    if report.expired:
        story.append(
            data_table(header, _rows(study, report, report.expired), widths, numeric=(4, 6))
        )
        story.append(
            para(_("Set these kits aside and destroy them or return them to the sponsor."))
        )
    else:
        story.append(empty_note(_("No expired kits are waiting for destruction.")))
    expiring = (
        _("Expiring within {days} days ({count} kit)")
        if len(report.expiring) == 1
        else _("Expiring within {days} days ({count} kits)")
    )
    story += heading(expiring.format(days=days, count=len(report.expiring)))
    if report.expiring:
        story.append(
            data_table(header, _rows(study, report, report.expiring), widths, numeric=(4, 6))
        )
    else:
        story.append(
            empty_note(_("No kit on the shelf expires within {days} days.").format(days=days))
        )
    fields = [
        (_("Institution"), institution(study)),
        (_("Protocol no."), study.protocol),
        (_("As of"), long_day(report.today)),
        (_("Window"), _("{days} days").format(days=days)),
    ]
    return Section(_(TITLE), story, fields=fields, contents_title=_(TITLE))


def expiry_pdf(meta: ReportMeta, study: Study, report: ExpiryReport, paper: str = "a4") -> bytes:
    return build_report(meta, _(TITLE), [expiry_section(study, report, paper)], paper)


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
        _("{title} (as of {date}, window {days} days)").format(
            title=_(TITLE), date=long_day(report.today), days=report.within_days
        ),
        ("group", "kit", "product", "lot", "expiry", "days_left", "status", "tablets", "location"),
        rows,
    )
