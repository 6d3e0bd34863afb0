"""Reconciliation: balances by product, lot, participant and kit, every discrepancy, the
sign-offs recorded in the program, and a block for the pharmacist's and monitor's signatures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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

Count = Callable[[BalanceRow], int]
STOCK_COLUMNS: tuple[tuple[str, Count], ...] = (
    ("Received", lambda r: r.received),
    ("Dispensed", lambda r: r.dispensed),
    ("Returned", lambda r: r.returned),
    ("Destroyed", lambda r: r.destroyed),
    ("Adjusted", lambda r: r.adjusted),
    ("On hand", lambda r: r.on_hand),
    ("Held returned", lambda r: r.held_returned),
)
# A participant never receives stock: their line is the kits handed to them, followed through.
PARTICIPANT_COLUMNS: tuple[tuple[str, Count], ...] = (
    ("Dispensed to participant", lambda r: r.dispensed),
    ("Returned by participant", lambda r: r.returned),
    ("Held for monitor", lambda r: r.held_returned),
    ("Destroyed", lambda r: r.destroyed),
)
# Shown for participants only when some line has them (a count adjustment, a voided kit).
PARTICIPANT_RARE_COLUMNS: tuple[tuple[str, Count], ...] = (
    ("Adjusted", lambda r: r.adjusted),
    ("Back in stock", lambda r: r.on_hand),
)


def _balance_table(
    lead: tuple[Sequence[str], Sequence[float]],
    lead_cells: Sequence[Sequence[str]],
    rows: Sequence[BalanceRow],
    columns: Sequence[tuple[str, Count]],
    width: float,
) -> Flowable:
    """Identifying columns (`lead`: headers and width shares), the counts, then Balanced."""
    headers, shares = lead
    body = [
        [*cells, *(str(count(r)) for _, count in columns), "yes" if r.balanced else "NO"]
        for cells, r in zip(lead_cells, rows, strict=True)
    ]
    return data_table(
        [*headers, *(title for title, _ in columns), "Balanced"],
        body,
        scaled((*shares, *(11,) * len(columns), 11), width),
        numeric=tuple(range(len(headers), len(headers) + len(columns))),
        highlight=[(i, AMBER) for i, r in enumerate(rows) if not r.balanced],
    )


def product_table(rows: Sequence[BalanceRow], width: float) -> Flowable:
    return _balance_table(
        (("Product", "Description"), (22, 40)),
        [(r.key, r.label) for r in rows],
        rows,
        STOCK_COLUMNS,
        width,
    )


def lot_table(rows: Sequence[BalanceRow], width: float) -> Flowable:
    """Product and lot in their own columns (a lot row's key is 'product/lot')."""
    return _balance_table(
        (("Product", "Lot"), (28, 34)),
        [r.key.partition("/")[::2] for r in rows],
        rows,
        STOCK_COLUMNS,
        width,
    )


def kit_table(rows: Sequence[BalanceRow], width: float) -> Flowable:
    return _balance_table(
        (("Kit", "Product"), (22, 40)),
        [(r.key, r.label) for r in rows],
        rows,
        STOCK_COLUMNS,
        width,
    )


def participant_table(rows: Sequence[BalanceRow], width: float) -> Flowable:
    columns = PARTICIPANT_COLUMNS + tuple(
        (title, count) for title, count in PARTICIPANT_RARE_COLUMNS if any(count(r) for r in rows)
    )
    return _balance_table(
        (("Participant", "Initials", "Product"), (20, 14, 26)),
        [(r.key, r.label, r.product) for r in rows],
        rows,
        columns,
        width,
    )


def count_table(result: ReconcileResult, width: float) -> Flowable:
    """Each kit on the shelf: the book now against its last physical count."""
    if not result.counts:
        return empty_note("No kit is on the shelf.")
    rows = result.counts
    return data_table(
        ["Kit", "Product", "Lot", "Book now", "Last counted", "Counted", "Book then", "Finding"],
        [
            [
                c.kit,
                c.product,
                c.lot,
                str(c.book),
                c.counted_on.isoformat() if c.counted_on else "never",
                "" if c.counted is None else str(c.counted),
                "" if c.book_then is None else str(c.book_then),
                c.verdict,
            ]
            for c in rows
        ],
        scaled((12, 22, 10, 9, 13, 9, 9, 50), width),
        numeric=(3, 5, 6),
        highlight=[(i, AMBER) for i, c in enumerate(rows) if c.never_counted or not c.agrees],
    )


def physical_text(result: ReconcileResult) -> str:
    never = result.never_counted
    text = (
        f"Against the shelf: {result.physical}. The ledger balancing with itself says nothing "
        "of the shelf; only a physical count does."
    )
    if never:
        shown = ", ".join(c.kit for c in never[:40])
        more = f" and {len(never) - 40} more" if len(never) > 40 else ""
        text += f" Never counted: {shown}{more}."
    return text


def reconciliation_story(
    result: ReconcileResult, width: float, kits: bool = True
) -> list[Flowable]:
    verdict = (
        "The ledger balances for every product, lot and kit: received = dispensed - returned + "
        "on hand + held returned + destroyed + adjusted."
        if result.balanced
        else "The ledger does NOT BALANCE: the lines marked NO need investigation before sign-off."
    )
    story: list[Flowable] = [
        para(f"Generated {when(result.generated_at)}. {verdict}"),
        para(physical_text(result)),
        *heading("By product"),
        product_table(result.products, width),
        *heading("By lot"),
        lot_table(result.lots, width),
        *heading(f"Discrepancies ({len(result.discrepancies)})"),
    ]
    if result.discrepancies:
        story.append(
            data_table(
                ["Kind", "Concerns", "Date", "Finding"],
                [
                    [
                        d.kind.label,
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
    story += [
        *heading("Book against the last physical count (kits on the shelf)"),
        count_table(result, width),
        *heading("By participant and product"),
        participant_table(result.participants, width),
    ]
    if kits:
        story += [*heading("By kit"), kit_table(result.kits, width)]
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
        ("Ledger", "balanced" if result.balanced else "NOT balanced"),
        ("Shelf", result.physical),
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
            r.product,
        ]
        for r in (*result.products, *result.lots, *result.participants, *result.kits)
    ]
    return to_csv(
        meta,
        f"{TITLE} as of {when(result.generated_at)}; discrepancies: {len(result.discrepancies)}; "
        f"against the shelf: {result.physical}",
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
            "product",
        ),
        rows,
    )
