"""Reconciliation: balances by product, lot, participant and kit, every discrepancy, the
sign-offs recorded in the program, and a block for the pharmacist's and monitor's signatures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab.platypus import Flowable, KeepTogether

from dispensary.i18n import N_, _
from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    empty_note,
    frame_width,
    heading,
    long_when,
    para,
    scaled,
    signature_block,
    spacer,
    when,
)
from dispensary.reports.csvfile import to_csv
from dispensary.reports.words import institution, listing, product_name, term
from dispensary.services.reconciliation import written_off_note
from dispensary.services.report_data import ReportMeta
from dispensary.services.results import BalanceRow, Discrepancy, ReconcileResult
from dispensary.study import Study

TITLE = N_("Reconciliation")
WRITTEN_OFF = N_("Written off (adjusted)")
"""The balance's `adjusted` (CSV and JSON key `adjusted`): tablets count adjustments took off
the book, a tablet found counting -1, as the accountability equation adds it. "Adjusted" alone
read as tablets added: a breakage of -1 showed as 1."""

Count = Callable[[BalanceRow], int]
STOCK_COLUMNS: tuple[tuple[str, Count], ...] = (
    (N_("Received"), lambda r: r.received),
    (N_("Dispensed"), lambda r: r.dispensed),
    (N_("Returned"), lambda r: r.returned),
    (N_("Destroyed"), lambda r: r.destroyed),
    (WRITTEN_OFF, lambda r: r.adjusted),
    (N_("On hand"), lambda r: r.on_hand),
    (N_("Held returned"), lambda r: r.held_returned),
)
# A participant never receives stock: their line is the kits handed to them, followed through.
PARTICIPANT_COLUMNS: tuple[tuple[str, Count], ...] = (
    (N_("Dispensed to participant"), lambda r: r.dispensed),
    (N_("Returned by participant"), lambda r: r.returned),
    (N_("Held returned"), lambda r: r.held_returned),  # one name, as the other tables say
    (N_("Destroyed"), lambda r: r.destroyed),
)
# Shown for participants only when some line has them (a count adjustment, a voided kit).
PARTICIPANT_RARE_COLUMNS: tuple[tuple[str, Count], ...] = (
    (WRITTEN_OFF, lambda r: r.adjusted),
    (N_("Back in stock"), lambda r: r.on_hand),
)


def _balance_table(
    lead: tuple[Sequence[str], Sequence[float]],
    lead_cells: Sequence[Sequence[str]],
    rows: Sequence[BalanceRow],
    columns: Sequence[tuple[str, Count]],
    width: float,
    unbroken: Sequence[int] = (),
) -> Flowable:
    """Identifying columns (`lead`: headers and width shares), the counts, then Balanced; the
    identifying columns of `unbroken` are numbers read whole (a kit, a lot: base.data_table)."""
    headers, shares = lead
    body = [
        [*cells, *(str(count(r)) for _title, count in columns), _("yes") if r.balanced else _("NO")]
        for cells, r in zip(lead_cells, rows, strict=True)
    ]
    return data_table(
        [*headers, *(_(title) for title, _count in columns), _("Balanced")],
        body,
        scaled((*shares, *(11,) * len(columns), 11), width),
        numeric=tuple(range(len(headers), len(headers) + len(columns))),
        highlight=[(i, AMBER) for i, r in enumerate(rows) if not r.balanced],
        unbroken=unbroken,
    )


def product_table(rows: Sequence[BalanceRow], width: float, study: Study | None = None) -> Flowable:
    """Each product by its code and its name in the report's language (the study file's)."""
    return _balance_table(
        ((_("Product"), _("Description")), (22, 40)),
        [(r.key, product_name(study, r.key, r.label)) for r in rows],
        rows,
        STOCK_COLUMNS,
        width,
    )


def _named(study: Study | None, code: str) -> str:
    """A product in a table but the one by product: by its name in the report's language
    (the study file's, "海曲泊帕乙醇胺片 7.5 mg"), not by its code; the code where there is no
    study."""
    return study.product_name(code) if study is not None else code


def lot_table(rows: Sequence[BalanceRow], width: float, study: Study | None = None) -> Flowable:
    """Product and lot in their own columns (a lot row's key is 'product/lot')."""
    return _balance_table(
        ((_("Product"), _("Lot")), (62, 11)),
        [
            (_named(study, product), lot)
            for product, lot in (r.key.partition("/")[::2] for r in rows)
        ],
        rows,
        STOCK_COLUMNS,
        width,
        unbroken=(1,),  # a lot reads HT2504L, never HT2504 / L
    )


def kit_table(rows: Sequence[BalanceRow], width: float, study: Study | None = None) -> Flowable:
    return _balance_table(
        ((_("Kit"), _("Product")), (11, 62)),
        [(r.key, _named(study, r.product or r.label)) for r in rows],
        rows,
        STOCK_COLUMNS,
        width,
        unbroken=(0,),
    )


def participant_table(
    rows: Sequence[BalanceRow], width: float, study: Study | None = None
) -> Flowable:
    columns = PARTICIPANT_COLUMNS + tuple(
        (title, count) for title, count in PARTICIPANT_RARE_COLUMNS if any(count(r) for r in rows)
    )
    return _balance_table(
        ((_("Participant"), _("Initials"), _("Product")), (13, 10, 50)),
        [(r.key, r.label, _named(study, r.product)) for r in rows],
        rows,
        columns,
        width,
        unbroken=(0,),
    )


def count_table(result: ReconcileResult, width: float, study: Study | None = None) -> Flowable:
    """Each kit on the shelf: the book now against its last physical count."""
    if not result.counts:
        return empty_note(_("No kit is on the shelf."))
    rows = result.counts
    return data_table(
        [
            _("Kit"),
            _("Product"),
            _("Lot"),
            _("Book now"),
            _("Last counted"),
            _("Counted"),
            _("Book then"),
            _("Finding"),
        ],
        [
            [
                c.kit,
                _named(study, c.product),
                c.lot,
                str(c.book),
                c.counted_on.isoformat() if c.counted_on else _("never"),
                "" if c.counted is None else str(c.counted),
                "" if c.book_then is None else str(c.book_then),
                c.verdict,
            ]
            for c in rows
        ],
        scaled((10, 34, 9, 9, 13, 9, 9, 40), width),
        numeric=(3, 5, 6),
        unbroken=(0, 2),  # the kit and lot numbers (a lot read HT2507 / B)
        highlight=[(i, AMBER) for i, c in enumerate(rows) if c.unresolved],
    )


def physical_text(result: ReconcileResult) -> str:
    never = result.never_counted
    text = _(
        "Against the shelf: {physical}. The ledger balancing with itself says nothing of the "
        "shelf; only a physical count does."
    ).format(physical=result.physical)
    if never:
        shown = listing([c.kit for c in never[:40]])
        more = _(" and {count} more").format(count=len(never) - 40) if len(never) > 40 else ""
        text += _(" Never counted: {kits}{more}.").format(kits=shown, more=more)
    return text


def findings_table(findings: Sequence[Discrepancy], width: float) -> Flowable:
    """Each finding by its subject (Concerns), then said without naming it again."""
    return data_table(
        [_("Kind"), _("Concerns"), _("Date"), _("Finding")],
        [
            [term(d.kind.label), d.subject, d.on.isoformat() if d.on else "", d.beside_subject]
            for d in findings
        ],
        scaled((16, 14, 12, 90), width),
    )


def reconciliation_story(
    result: ReconcileResult, width: float, study: Study | None = None
) -> list[Flowable]:
    """The balances per product, lot, participant and kit, what to review, the sign-offs:
    the reconciliation report's, and the monitor pack's (which left the kits out)."""
    if not result.audit_verified:  # never "balanced" over a trail that does not verify
        verdict = _("The audit trail does NOT VERIFY: {problem}").format(
            problem=result.audit_problem
        )
    elif result.balanced:
        verdict = _(
            "The ledger balances for every product, lot and kit: received = dispensed - "
            "returned + on hand + held returned + destroyed + written off (adjusted)."
        )
    else:
        verdict = _(
            "The ledger does NOT BALANCE: the lines marked NO need investigation before sign-off."
        )
    story: list[Flowable] = [
        # When it was made is said once: in the page header's As of (and the footer's
        # Generated, which every report has), not again here.
        para(verdict),
        para(written_off_note(study)),
        para(physical_text(result)),
        *([para(result.audit_check)] if result.audit_check else []),
        *heading(_("By product")),
        product_table(result.products, width, study),
        *heading(_("By lot")),
        lot_table(result.lots, width, study),
        # As the command and the monitor pack count them (DiscrepancyKind.to_review): what
        # someone must act on, then the count differences adjusted and countersigned, a record.
        *heading(_("To review ({count})").format(count=len(result.to_review))),
        findings_table(result.to_review, width)
        if result.to_review
        else empty_note(_("Nothing to review.")),
    ]
    adjusted = [d for d in result.discrepancies if not d.kind.to_review]
    if adjusted:
        story += [
            *heading(_("Count differences on record ({count})").format(count=len(adjusted))),
            findings_table(adjusted, width),
        ]
    story += [
        *heading(_("Book against the last physical count (kits on the shelf)")),
        count_table(result, width, study),
        *heading(_("By participant and product")),
        participant_table(result.participants, width, study),
        *heading(_("By kit")),
        kit_table(result.kits, width, study),
    ]
    # The sign-offs and the signature lines kept on one page: the block fell alone at the top
    # of the last page. Within it the lines and their heading are a block of their own, kept
    # whole even where sign-offs too many for one page split it.
    signoffs: list[Flowable] = heading(_("Sign-offs recorded in the program"))
    if result.signoffs:
        signoffs.append(
            data_table(
                # The headings of the window's table of sign-offs (ui.reconcile_view).
                [_("Signed at"), _("Name"), _("User"), _("Role"), _("Note"), _("Attested")],
                [
                    [
                        when(s.at),
                        s.full_name,
                        s.username,
                        term(s.role.label),
                        s.note,
                        # What it attested, and what was recorded since that changes it.
                        (
                            _("{attested}. {changed}").format(
                                attested=s.attested, changed=s.changed
                            )
                            if s.changed
                            else s.attested
                        ),
                    ]
                    for s in result.signoffs
                ],
                scaled((16, 18, 12, 11, 30, 45), width),
                highlight=[(i, AMBER) for i, s in enumerate(result.signoffs) if s.changed],
            )
        )
    else:
        signoffs.append(empty_note(_("None yet.")))
    # The headings without their conditional page break: inside KeepTogether that break took
    # the rest of the page in the block's measure, and the block split after all. The outer
    # heading's break stays outside it, before the block.
    story += [
        signoffs[0],
        KeepTogether(
            [
                *signoffs[1:],
                spacer(4),
                # One block: its heading and both roles' lines on one page (the monitor's
                # line was left alone on a last page).
                KeepTogether(
                    [
                        *heading(_("Signatures"))[1:],
                        signature_block((_("Pharmacist"), _("Monitor")), width * 0.85),
                    ]
                ),
            ]
        ),
    ]
    return story


def ledger_word(result: ReconcileResult) -> str:
    """The ledger's verdict in the report's header: not "balanced" while the audit trail does
    not verify."""
    if not result.audit_verified:
        return _("audit trail does NOT VERIFY: figures not to be trusted")
    return _("balanced") if result.balanced else _("NOT balanced")


def reconciliation_pdf(
    meta: ReportMeta, study: Study, result: ReconcileResult, paper: str = "a4"
) -> bytes:
    width = frame_width(False, paper)
    fields = [
        (_("Institution"), institution(study)),
        (_("Protocol no."), study.protocol),
        (_("As of"), long_when(result.generated_at)),
        (_("Ledger"), ledger_word(result)),
        (_("Shelf"), result.physical),
    ]
    section = Section(_(TITLE), reconciliation_story(result, width, study=study), fields=fields)
    return build_report(meta, _(TITLE), [section], paper)


def _csv_label(row: BalanceRow, study: Study | None) -> str:
    """A product's or lot's label as the PDF names the product, in the reader's language (the
    study file's name, "海曲泊帕乙醇胺片 2.5 mg"); as the service wrote it in English."""
    if row.scope == "product":
        return product_name(study, row.key, row.label)
    if row.scope == "lot":
        code, _slash, lot = row.key.partition("/")
        return _("{product} lot {lot}").format(product=product_name(study, code, code), lot=lot)
    return row.label


def reconciliation_csv(
    meta: ReportMeta, result: ReconcileResult, study: Study | None = None
) -> str:
    rows = [
        [
            r.scope,
            r.key,
            _csv_label(r, study),
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
        _(
            "{title} as of {when}; to review: {count}; count differences on record: "
            "{adjusted}; against the shelf: {physical}"
        ).format(
            title=_(TITLE),
            when=when(result.generated_at),
            count=len(result.to_review),
            adjusted=len(result.discrepancies) - len(result.to_review),
            physical=result.physical,
        ),
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
