"""Reconciliation: balances by product, lot, participant and kit, every discrepancy, the
sign-offs recorded in the program, and a block for the pharmacist's and monitor's signatures.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable

from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    empty_note,
    frame_width,
    heading,
    para,
    scaled,
    signature_block,
    spacer,
    when,
)
from dispensary.reports.csvfile import to_csv
from dispensary.services.report_data import ReportMeta
from dispensary.services.results import BalanceRow, ReconcileResult
from dispensary.study import Study

TITLE = "Reconciliation"
BALANCE_HEADER = [
    "Key",
    "Description",
    "Received",
    "Dispensed",
    "Returned",
    "Destroyed",
    "Adjusted",
    "On hand",
    "Held returned",
    "Balanced",
]


def _balance_rows(rows: Sequence[BalanceRow]) -> list[list[str]]:
    return [
        [
            r.key,
            r.label,
            str(r.received),
            str(r.dispensed),
            str(r.returned),
            str(r.destroyed),
            str(r.adjusted),
            str(r.on_hand),
            str(r.held_returned),
            "yes" if r.balanced else "NO",
        ]
        for r in rows
    ]


def _balance_table(rows: Sequence[BalanceRow], width: float) -> Flowable:
    return data_table(
        BALANCE_HEADER,
        _balance_rows(rows),
        scaled((22, 40, 11, 11, 11, 11, 11, 11, 11, 10), width),
        numeric=tuple(range(2, 9)),
        highlight=[(i, AMBER) for i, r in enumerate(rows) if not r.balanced],
    )


def reconciliation_story(
    result: ReconcileResult, width: float, kits: bool = True
) -> list[Flowable]:
    verdict = (
        "Every product, lot and kit balances: received = dispensed - returned + on hand + held "
        "returned + destroyed + adjusted."
        if result.balanced
        else "NOT BALANCED: the lines marked NO need investigation before sign-off."
    )
    story: list[Flowable] = [
        para(f"Generated {when(result.generated_at)}. {verdict}"),
        *heading("By product"),
        _balance_table(result.products, width),
        *heading("By lot"),
        _balance_table(result.lots, width),
        *heading(f"Discrepancies ({len(result.discrepancies)})"),
    ]
    if result.discrepancies:
        story.append(
            data_table(
                ["Kind", "Concerns", "Date", "Finding"],
                [
                    [
                        d.kind.replace("_", " "),
                        d.subject,
                        d.on.isoformat() if d.on else "",
                        d.message,
                    ]
                    for d in result.discrepancies
                ],
                scaled((16, 14, 12, 90), width),
            )
        )
    else:
        story.append(empty_note("No discrepancies."))
    story += [*heading("By participant"), _balance_table(result.participants, width)]
    if kits:
        story += [*heading("By kit"), _balance_table(result.kits, width)]
    story += heading("Sign-offs recorded in the program")
    if result.signoffs:
        story.append(
            data_table(
                ["When", "Name", "User", "Role", "Note"],
                [
                    [when(s.at), s.full_name, s.username, s.role.label, s.note]
                    for s in result.signoffs
                ],
                scaled((18, 22, 14, 14, 50), width),
            )
        )
    else:
        story.append(empty_note("None yet."))
    story += [
        spacer(4),
        *heading("Signatures"),
        signature_block(("Pharmacist", "Monitor"), width * 0.85),
    ]
    return story


def reconciliation_pdf(
    meta: ReportMeta, study: Study, result: ReconcileResult, paper: str = "a4"
) -> bytes:
    width = frame_width(False, paper)
    fields = [
        ("Institution", f"{study.site_name} ({study.site})"),
        ("Protocol no.", study.protocol),
        ("As of", when(result.generated_at)),
        ("Result", "balanced" if result.balanced else "NOT balanced"),
    ]
    section = Section(TITLE, reconciliation_story(result, width), fields=fields)
    return build_report(meta, TITLE, [section], paper)


def reconciliation_csv(meta: ReportMeta, result: ReconcileResult) -> str:
    rows = [
        [
            r.scope,
            r.key,
            r.label,
            r.received,
            r.dispensed,
            r.returned,
            r.destroyed,
            r.adjusted,
            r.on_hand,
            r.held_returned,
            r.balanced,
        ]
        for r in (*result.products, *result.lots, *result.participants, *result.kits)
    ]
    return to_csv(
        meta,
        f"{TITLE} as of {when(result.generated_at)}; discrepancies: {len(result.discrepancies)}",
        (
            "scope",
            "key",
            "label",
            "received",
            "dispensed",
            "returned",
            "destroyed",
            "adjusted",
            "on_hand",
            "held_returned",
            "balanced",
        ),
        rows,
    )
