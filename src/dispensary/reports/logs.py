"""The logs a monitor reads beside the DARF: destruction, returns, quarantines and
temperature excursions. Each is a table builder (used alone and in the monitor pack).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.platypus import Flowable

from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    kit_ranges,
    period_text,
    scaled,
    when,
)
from dispensary.reports.csvfile import to_csv
from dispensary.services.report_data import (
    ExcursionRow,
    QuarantineRow,
    ReportMeta,
    ReturnLogRow,
)
from dispensary.services.results import DestructionRow
from dispensary.study import Study

DESTRUCTION_TITLE = "Destruction and return-to-sponsor log"
RETURNS_TITLE = "Returns log (tablets brought back by participants)"
QUARANTINE_TITLE = "Quarantines and temperature excursions"


def destruction_table(rows: Sequence[DestructionRow], width: float) -> Flowable:
    if not rows:
        return empty_note("Nothing was destroyed or returned to the sponsor in this period.")
    return data_table(
        ["No.", "Date", "Kits", "Tablets", "Method", "Witness", "Reference", "To sponsor", "By"],
        [
            [
                str(r.destruction_id),
                day(r.destroyed_on),
                kit_ranges(r.kits),
                str(r.tablets),
                r.method,
                r.witness,
                r.reference,
                "yes" if r.to_sponsor else "no",
                r.by,
            ]
            for r in rows
        ],
        scaled((6, 14, 34, 10, 38, 18, 16, 10, 8), width),
        numeric=(0, 3),
    )


RETURN_COUNT_HEADER = [
    "Dispense",
    "Cycle",
    "Kit",
    "Lot",
    "Dispensed",
    "Returned tablets",
    "Held days",
    "Counted by",
]


def return_count_cells(row: ReturnLogRow) -> list[str]:
    """What was counted back for one kit, as the returns log and the participant report show
    it (columns of RETURN_COUNT_HEADER)."""
    return [
        row.dispense,
        str(row.cycle),
        row.kit,
        row.lot,
        str(row.dispensed),
        str(row.returned),
        str(row.held_days),
        row.counted_by,
    ]


def returns_table(rows: Sequence[ReturnLogRow], width: float) -> Flowable:
    if not rows:
        return empty_note("No returns were recorded in this period.")
    return data_table(
        ["No.", "Returned", "Participant", "Initials", *RETURN_COUNT_HEADER, "Kit now", "Note"],
        [
            [
                str(r.return_id),
                day(r.returned_on),
                r.participant,
                r.initials,
                *return_count_cells(r),
                r.kit_status.label,
                _return_note(r),
            ]
            for r in rows
        ],
        scaled((7, 15, 13, 9, 15, 7, 10, 10, 11, 11, 9, 9, 13, 40), width),
        numeric=(0, 5, 8, 9, 10),
        highlight=[
            (i, AMBER) for i, r in enumerate(rows) if r.corrects is not None or r.corrected_by
        ],
    )


def _return_note(row: ReturnLogRow) -> str:
    parts = [p for p in (row.condition, row.note) if p]
    if row.corrects is not None:
        parts.append(f"corrects return {row.corrects}")
    if row.corrected_by is not None:
        parts.append(f"replaced by return {row.corrected_by}")
    return "; ".join(parts)


def quarantine_table(rows: Sequence[QuarantineRow], width: float) -> Flowable:
    if not rows:
        return empty_note("No kit was quarantined or released in this period.")
    return data_table(
        ["When", "Kit", "Product", "Lot", "Action", "Reason", "By", "Excursion"],
        [
            [
                when(r.at),
                r.kit,
                r.product,
                r.lot,
                r.action,
                r.reason,
                r.by,
                str(r.excursion_id) if r.excursion_id is not None else "",
            ]
            for r in rows
        ],
        scaled((20, 10, 20, 10, 12, 50, 7, 10), width),
    )


def excursion_table(rows: Sequence[ExcursionRow], width: float) -> Flowable:
    if not rows:
        return empty_note("No temperature excursion was recorded in this period.")
    return data_table(
        [
            "No.",
            "Storage area",
            "From",
            "To",
            "Lowest °C",
            "Highest °C",
            "Kits quarantined",
            "Source",
            "Recorded by",
        ],
        [
            [
                str(r.excursion_id),
                r.storage_area,
                when(r.started_at),
                when(r.ended_at),
                f"{r.lowest:g}",
                f"{r.highest:g}",
                kit_ranges(r.kits),
                r.source,
                f"{r.recorded_by}, {when(r.recorded_at)}",
            ]
            for r in rows
        ],
        scaled((6, 14, 18, 18, 10, 10, 24, 20, 22), width),
        numeric=(0, 4, 5),
    )


def _fields(study: Study, since: date | None, until: date | None) -> list[tuple[str, str]]:
    return [
        ("Institution", f"{study.site_name} ({study.site})"),
        ("Protocol no.", study.protocol),
        ("Period", period_text(since, until)),
    ]


def destruction_pdf(
    meta: ReportMeta, study: Study, rows: Sequence[DestructionRow], paper: str = "a4"
) -> bytes:
    width = frame_width(True, paper)
    section = Section(
        DESTRUCTION_TITLE,
        [destruction_table(rows, width)],
        fields=_fields(study, None, None),
        landscape=True,
    )
    return build_report(meta, DESTRUCTION_TITLE, [section], paper)


def destruction_csv(meta: ReportMeta, rows: Sequence[DestructionRow]) -> str:
    return to_csv(
        meta,
        DESTRUCTION_TITLE,
        (
            "destruction",
            "date",
            "kits",
            "tablets",
            "method",
            "witness",
            "reference",
            "to_sponsor",
            "by",
        ),
        [
            [
                r.destruction_id,
                day(r.destroyed_on),
                " ".join(r.kits),
                r.tablets,
                r.method,
                r.witness,
                r.reference,
                r.to_sponsor,
                r.by,
            ]
            for r in rows
        ],
    )


def returns_csv(meta: ReportMeta, rows: Sequence[ReturnLogRow]) -> str:
    return to_csv(
        meta,
        RETURNS_TITLE,
        (
            "return",
            "returned_on",
            "participant",
            "initials",
            "dispense",
            "cycle",
            "kit",
            "product",
            "lot",
            "dispensed",
            "returned",
            "held_days",
            "condition",
            "note",
            "counted_by",
            "corrects",
            "corrected_by",
            "kit_status",
        ),
        [
            [
                r.return_id,
                day(r.returned_on),
                r.participant,
                r.initials,
                r.dispense,
                r.cycle,
                r.kit,
                r.product,
                r.lot,
                r.dispensed,
                r.returned,
                r.held_days,
                r.condition,
                r.note,
                r.counted_by,
                r.corrects,
                r.corrected_by,
                r.kit_status.value,
            ]
            for r in rows
        ],
    )
