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
    """One line per product (strength) and lot of each destruction, with its signatures: what
    left, on whose authority, who destroyed it and who witnessed it, and when each signed."""
    if not rows:
        return empty_note("Nothing was destroyed or returned to the sponsor in this period.")
    return data_table(
        [
            "No.",
            "Date",
            "Product",
            "Lot (expiry)",
            "Kits",
            "Tablets",
            "Method (reason)",
            "Authorisation",
            "Signed",
        ],
        [cells for r in rows for cells in _destruction_cells(r)],
        scaled((6, 14, 22, 22, 26, 14, 34, 18, 44), width),
        numeric=(0,),
    )


def _destruction_cells(r: DestructionRow) -> list[list[str]]:
    """The table's lines for one destruction (one with no tablets, e.g. empty kits: one line)."""
    head = [str(r.destruction_id), day(r.destroyed_on)]
    tail = [_method(r), r.reference, _signed(r)]
    if not r.lines:
        return [[*head, "-", "-", kit_ranges(r.kits), "0", *tail]]
    return [
        [
            *head,
            line.product,
            f"{line.lot} ({day(line.expiry)})",
            kit_ranges(line.kits),
            f"{line.tablets} {'returned' if line.from_returned else 'unused'}",
            *tail,
        ]
        for line in r.lines
    ]


def _method(row: DestructionRow) -> str:
    said = ("returned to sponsor: " if row.to_sponsor else "") + row.method
    return f"{said} ({row.reason_code.label})" if row.reason_code else said


def _signed(row: DestructionRow) -> str:
    """'destroyed: Chen Jing 2026-01-26 10:02 UTC; witnessed: Wang Fang 2026-01-26 10:02 UTC',
    or the witness's name as typed on a record made before witnesses signed."""
    said = [f"{s.meaning}: {s.name} {when(s.at)}" for s in row.signatures]
    if not any(s.meaning == "witnessed" for s in row.signatures):
        said.append(f"witness (did not sign): {row.witness}")
    return "; ".join(said)


RETURN_COUNT_HEADER = [
    "Dispense",
    "Cycle",
    "Kit",
    "Lot",
    "Dispensed",
    "Returned tablets",
    "Held",
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
        returned_text(row),
        held_text(row),
        row.counted_by,
    ]


NOT_BROUGHT_BACK = "not brought back: unaccounted for"


def returned_text(row: ReturnLogRow) -> str:
    """The tablets counted back, or that the kit was not brought back: never a '0' that would
    read as all taken."""
    return NOT_BROUGHT_BACK if row.not_brought_back else str(row.returned)


def held_text(row: ReturnLogRow) -> str:
    """'3 days, 2026-01-08 to 2026-01-10, ordered by Dr Liu', or the bare days of an older
    record; empty when the drug was not held."""
    if not row.held_days and row.held_from is None:
        return ""
    parts = [f"{row.held_days} day" + ("" if row.held_days == 1 else "s")]
    if row.held_from is not None:
        until = f" to {day(row.held_until)}" if row.held_until is not None else ""
        parts.append(f"{day(row.held_from)}{until}")
    if row.held_ordered_by:
        parts.append(f"ordered by {row.held_ordered_by}")
    return ", ".join(parts)


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
        scaled((7, 15, 13, 9, 15, 7, 10, 10, 11, 17, 24, 9, 13, 20), width),
        numeric=(0, 5, 8),
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
    """One line per product (strength) and lot of each destruction, with its signatures."""
    return to_csv(
        meta,
        DESTRUCTION_TITLE,
        (
            "destruction",
            "date",
            "product",
            "lot",
            "expiry",
            "kits",
            "tablets",
            "from_returned",
            "method",
            "reason_code",
            "reference",
            "to_sponsor",
            "by",
            "destroyed_signed_by",
            "destroyed_signed_at",
            "witness",
            "witnessed_signed_at",
        ),
        [
            [
                r.destruction_id,
                day(r.destroyed_on),
                *(
                    (line.product, line.lot, day(line.expiry), " ".join(line.kits))
                    if line is not None
                    else ("", "", "", " ".join(r.kits))
                ),
                line.tablets if line is not None else 0,
                line.from_returned if line is not None else False,
                r.method,
                r.reason_code.value if r.reason_code else "",
                r.reference,
                r.to_sponsor,
                r.by,
                *_signature(r, "destroyed"),
                r.witness,
                _signature(r, "witnessed")[1],
            ]
            for r in rows
            for line in (r.lines or (None,))  # a destruction of empty kits: one line
        ],
    )


def _signature(row: DestructionRow, meaning: str) -> tuple[str, str]:
    for s in row.signatures:
        if s.meaning == meaning:
            return s.name, s.at.isoformat()
    return "", ""


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
            "outcome",
            "held_days",
            "held_from",
            "held_until",
            "held_ordered_by",
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
                r.outcome,
                r.held_days,
                day(r.held_from) if r.held_from else "",
                day(r.held_until) if r.held_until else "",
                r.held_ordered_by,
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
