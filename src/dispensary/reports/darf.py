"""The Drug Accountability Record (NCI DARF layout): one record per product and strength
(and storage area), landscape, its header on every page, lines numbered in date order.

A correction never erases: the reversing line is its own numbered line marked "Correction of
line N", and the line it corrects says so. Returned tablets are not on the DARF (they are in
the returns log); the balance is dispensable stock and must match the shelf.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether

from dispensary.domain.errors import InvalidInput
from dispensary.reports.base import (
    AMBER,
    LIGHT,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    kit_ranges,
    para,
    period_text,
    scaled,
    signature_block,
    spacer,
)
from dispensary.reports.csvfile import to_csv
from dispensary.services.report_data import DarfLine, DarfRecord, ReportMeta

TITLE = "Investigational Agent Accountability Record (DARF)"
HEADER = (
    "Line",
    "Date",
    "Participant no.",
    "Initials",
    "Dose",
    "Qty received (+) / dispensed (-)",
    "Balance forward",
    "Balance",
    "Lot no.",
    "Kit(s)",
    "Recorder",
    "Note",
)
SHARES = (9, 19, 19, 12, 30, 21, 17, 15, 20, 24, 15, 72)
CSV_HEADER = (
    "product",
    "storage_area",
    "line",
    "date",
    "participant",
    "initials",
    "dose",
    "quantity",
    "balance_forward",
    "balance",
    "lot",
    "kits",
    "recorder",
    "dispense",
    "note",
    "corrects_line",
    "corrected_by_line",
)


def darf_fields(record: DarfRecord) -> list[tuple[str, str]]:
    protocol = record.protocol + (f" ({record.org_study_id})" if record.org_study_id else "")
    return [
        ("Institution", f"{record.institution} ({record.site})"),
        ("Protocol no.", protocol),
        ("Investigator", record.investigator),
        ("Agent name", record.agent),
        ("Manufacturer", record.manufacturer or "not given in the study file"),
        ("Dose form and strength", record.form_strength),
        ("Storage area", record.storage_area),
        ("Product code", record.product),
        ("Unit", record.unit),
        ("Period", period_text(record.since, record.until)),
        ("Protocol title", record.title),
    ]


def _quantity(value: int) -> str:
    return f"{value:+d}"


def _note(line: DarfLine) -> str:
    if line.corrected_by_line is not None:
        return f"{line.note} (corrected by line {line.corrected_by_line})"
    return line.note


def _row(line: DarfLine) -> list[str]:
    return [
        str(line.number),
        day(line.entry_date),
        line.participant,
        line.initials,
        line.dose,
        _quantity(line.quantity),
        str(line.balance_forward),
        str(line.balance),
        line.lot,
        kit_ranges(line.kits),
        line.recorder,
        _note(line),
    ]


def darf_section(record: DarfRecord, paper: str = "a4") -> Section:
    width = frame_width(True, paper)
    widths = scaled(SHARES, width)
    story: list[Flowable] = []
    rows = [_row(line) for line in record.lines]
    highlight = [
        (i, AMBER if line.corrects_line is not None else LIGHT)
        for i, line in enumerate(record.lines)
        if line.corrects_line is not None or line.corrected_by_line is not None
    ]
    if record.since is not None:
        story.append(
            para(f"Balance brought forward on {day(record.since)}: {record.opening_balance}.")
        )
    if rows:
        story.append(
            data_table(
                HEADER,
                rows,
                widths,
                numeric=(0, 5, 6, 7),
                highlight=highlight,
            )
        )
    else:
        story.append(empty_note("No movements of this agent in the period."))
    story.append(
        KeepTogether(
            [
                spacer(),
                para(
                    f"Balance at the end of the period: {record.closing_balance} "
                    f"({len(record.lines)} lines). Returned tablets are not stock: see the "
                    "returns log."
                ),
                spacer(2),
                signature_block(("Reviewed by (pharmacist)", "Verified by (monitor)"), width * 0.7),
            ]
        )
    )
    return Section(
        TITLE,
        story,
        fields=darf_fields(record),
        landscape=True,
        contents_title=f"DARF: {record.agent} {record.form_strength}, {record.storage_area}",
    )


def darf_pdf(meta: ReportMeta, records: Sequence[DarfRecord], paper: str = "a4") -> bytes:
    """All records in one PDF, each with its own page numbering."""
    if not records:
        raise InvalidInput("There is no stock movement to put on a DARF yet.")
    return build_report(meta, TITLE, [darf_section(r, paper) for r in records], paper)


def darf_csv(meta: ReportMeta, records: Sequence[DarfRecord]) -> str:
    rows = [
        [
            record.product,
            record.storage_area,
            line.number,
            day(line.entry_date),
            line.participant,
            line.initials,
            line.dose,
            line.quantity,
            line.balance_forward,
            line.balance,
            line.lot,
            " ".join(line.kits),
            line.recorder,
            line.dispense,
            line.note,
            line.corrects_line,
            line.corrected_by_line,
        ]
        for record in records
        for line in record.lines
    ]
    return to_csv(meta, TITLE, CSV_HEADER, rows)
