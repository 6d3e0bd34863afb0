"""The destruction certificate: what the sponsor's monitor files for one destruction (or return
to the sponsor), or for every destruction under one sponsor's authorisation. Who the study,
site and pharmacy are; when, how and on whose authority the stock left; its quantities per
product (strength) and lot, unused and returned apart; the kit numbers; and the electronic
signatures of the one destroying and of the witness, each with its date and time. The footer
carries the audit chain's verification code, as on every report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether

from dispensary.domain.errors import InvalidInput
from dispensary.reports.base import (
    LIGHT,
    Section,
    build_report,
    data_table,
    day,
    frame_width,
    heading,
    kit_ranges,
    para,
    scaled,
    signature_block,
    spacer,
    when,
)
from dispensary.services.report_data import DestructionCertificate, ReportMeta
from dispensary.services.results import DestructionLine, DestructionRow
from dispensary.study import Study

TITLE = "Destruction certificate"
DESTROYED_TITLE = "Certificate of destruction"
RETURNED_TITLE = "Certificate of return to the sponsor"
NO_REASON = "none needed (expired stock, or tablets returned by participants)"


def certificate_fields(study: Study, row: DestructionRow) -> list[tuple[str, str]]:
    """The header of every page: the study, the site, and the destruction's paperwork."""
    protocol = study.protocol + (f" ({study.org_study_id})" if study.org_study_id else "")
    return [
        ("Protocol no.", protocol),
        ("Sponsor", study.sponsor),
        ("Institution", f"{study.site_name} ({study.site})"),
        ("Pharmacy", study.pharmacy_name),
        ("Investigator", study.investigator),
        ("Record", f"Destruction No. {row.destruction_id}"),
        ("Returned on" if row.to_sponsor else "Destroyed on", day(row.destroyed_on)),
        ("Authorisation", row.reference or "none recorded"),
        ("Method", _method(row)),
        ("Reason code", row.reason_code.label if row.reason_code else NO_REASON),
        ("Protocol title", study.title),
    ]


def _method(row: DestructionRow) -> str:
    return ("Returned to the sponsor: " if row.to_sponsor else "") + row.method


QUANTITY_HEADER = (
    "Product and strength",
    "Lot",
    "Expiry",
    "Kits",
    "Unused tablets (stock)",
    "Returned tablets (participants)",
    "Tablets in all",
)
QUANTITY_SHARES = (60, 16, 18, 9, 20, 24, 18)


def quantity_table(row: DestructionRow, lines: Sequence[DestructionLine], width: float) -> Flowable:
    """One line per product (strength) and lot: kits, unused and returned tablets apart; a
    product with several lots gets its own line for all its lots (strengths are never added
    together)."""
    lots: dict[tuple[str, str], list[DestructionLine]] = defaultdict(list)
    for line in lines:
        lots[(line.product, line.lot)].append(line)
    rows: list[list[str]] = []
    totals: list[int] = []
    products = list(dict.fromkeys(product for product, _lot in lots))
    for product in products:
        mine = [(lot, lines) for (name, lot), lines in lots.items() if name == product]
        kits = unused = returned = 0
        for lot, lines in mine:
            lot_kits = len({k for line in lines for k in line.kits})
            lot_unused = sum(line.tablets for line in lines if not line.from_returned)
            lot_returned = sum(line.tablets for line in lines if line.from_returned)
            rows.append(
                [
                    product,
                    lot,
                    day(lines[0].expiry),
                    str(lot_kits),
                    str(lot_unused),
                    str(lot_returned),
                    str(lot_unused + lot_returned),
                ]
            )
            kits, unused, returned = kits + lot_kits, unused + lot_unused, returned + lot_returned
        if len(mine) > 1:
            totals.append(len(rows))
            total = [str(kits), str(unused), str(returned), str(unused + returned)]
            rows.append([product, "All lots", "", *total])
    if not rows:  # no kit record found (a destruction of kits no longer on file)
        rows.append(["-", "-", "", str(len(row.kits)), "0", "0", "0"])
    return data_table(
        QUANTITY_HEADER,
        rows,
        scaled(QUANTITY_SHARES, width),
        numeric=(3, 4, 5, 6),
        highlight=[(i, LIGHT) for i in totals],
        bold_rows=totals,
        size=8.5,
    )


KIT_HEADER = ("Product and strength", "Lot", "From", "Kit numbers")
KIT_SHARES = (60, 16, 30, 59)


def kit_table(row: DestructionRow, lines: Sequence[DestructionLine], width: float) -> Flowable:
    """The kit numbers of each product (strength) and lot, unused stock and returned apart."""
    rows = [
        [
            line.product,
            line.lot,
            "returned by participants" if line.from_returned else "unused stock",
            kit_ranges(sorted(line.kits, key=_kit_order)),
        ]
        for line in lines
    ]
    listed = {k for line in lines for k in line.kits}
    rest = [k for k in row.kits if k not in listed]
    if rest:
        rows.append(
            ["-", "-", "not found in the kit records", kit_ranges(sorted(rest, key=_kit_order))]
        )
    return data_table(KIT_HEADER, rows, scaled(KIT_SHARES, width), size=8.5)


SIGNATURE_HEADER = ("Role", "Full name", "Meaning of the signature", "Signed (date and time)")
SIGNATURE_SHARES = (30, 44, 46, 42)


def signature_table(row: DestructionRow, width: float) -> Flowable:
    """The electronic signatures on the record: the one destroying (or returning), then the
    witness; a witness of a record made before witnesses signed shows as typed, unsigned."""
    role = {
        "destroyed": "Returned by" if row.to_sponsor else "Destroyed by",
        "witnessed": "Witness",
    }
    rows = [
        [role.get(s.meaning, s.meaning.capitalize()), s.name, s.meaning, when(s.at)]
        for s in row.signatures
    ]
    if not any(s.meaning == "destroyed" for s in row.signatures):
        rows.insert(0, [role["destroyed"], row.by, "did not sign electronically", ""])
    if not any(s.meaning == "witnessed" for s in row.signatures):
        rows.append(["Witness", row.witness, "did not sign (named before witnesses signed)", ""])
    return data_table(SIGNATURE_HEADER, rows, scaled(SIGNATURE_SHARES, width), size=8.5)


def statement(row: DestructionRow) -> str:
    """The certificate's sentence: what left, when, how and on whose authority, before whom."""
    signer = next((s.name for s in row.signatures if s.meaning == "destroyed"), row.by)
    witness = next((s.name for s in row.signatures if s.meaning == "witnessed"), row.witness)
    one = len(row.kits) == 1
    kits = f"{len(row.kits)} kit{'' if one else 's'}, with {'its' if one else 'their'} tablets"
    done = "returned to the sponsor" if row.to_sponsor else "destroyed"
    authority = (
        f"under the sponsor's authorisation {row.reference}"
        if row.reference
        else "with no sponsor's authorisation reference recorded"
    )
    return (
        f"The investigational product listed below ({kits} per product, strength and lot) "
        f"was {done} on {day(row.destroyed_on)} by {signer}, {authority}, "
        f"in the presence of the witness {witness}."
    )


def _filed_by(width: float) -> Flowable:
    """A line for the monitor's handwritten signature when the certificate is filed."""
    block = signature_block(("Sponsor's monitor",), width)
    block.hAlign = "LEFT"
    return block


def _kit_order(number: str) -> tuple[str, int, str]:
    """K2 before K10: kit numbers in the order they run, so that ranges read as runs."""
    head = number.rstrip("0123456789")
    return head, len(number), number


def _in_study_order(study: Study, lines: Sequence[DestructionLine]) -> list[DestructionLine]:
    """Products as the study file lists them (the 7.5 mg before the 2.5 mg), then lot, then
    unused stock before returned tablets."""
    order = {f"{p.name} {p.strength}": i for i, p in enumerate(study.products)}
    return sorted(
        lines,
        key=lambda line: (
            order.get(line.product, len(order)),
            line.product,
            line.lot,
            line.from_returned,
        ),
    )


def certificate_section(study: Study, row: DestructionRow, paper: str = "a4") -> Section:
    width = frame_width(False, paper)
    lines = _in_study_order(study, row.lines)
    story: list[Flowable] = [
        para(statement(row)),
        *heading("Quantities per product (strength) and lot"),
        quantity_table(row, lines, width),
        *heading("Kits"),
        kit_table(row, lines, width),
        KeepTogether(
            [
                *heading("Electronic signatures"),
                signature_table(row, width),
                spacer(1.5),
                para(
                    "Each person signed with their own password, the meaning shown to them; "
                    "the audit trail holds both signatures (check it with the verification "
                    "code below: dispensary audit verify --anchor CODE)."
                ),
            ]
        ),
        KeepTogether([*heading("Received and filed by the sponsor"), _filed_by(width)]),
    ]
    return Section(
        RETURNED_TITLE if row.to_sponsor else DESTROYED_TITLE,
        story,
        fields=certificate_fields(study, row),
        field_columns=2,
    )


def certificate_pdf(
    meta: ReportMeta, study: Study, certificate: DestructionCertificate, paper: str = "a4"
) -> bytes:
    """One certificate per destruction chosen (several under one authorisation follow on)."""
    rows: Sequence[DestructionRow] = certificate.destructions
    if not rows:
        raise InvalidInput(f"Nothing was destroyed under {certificate.asked}.")
    return build_report(meta, TITLE, [certificate_section(study, r, paper) for r in rows], paper)
