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
from dataclasses import replace

from reportlab.platypus import Flowable, KeepTogether

from dispensary.domain import reasons
from dispensary.domain.audit_actions import person_named
from dispensary.domain.codes import SignatureMeaning
from dispensary.domain.errors import InvalidInput
from dispensary.i18n import N_, _, listed
from dispensary.reports.base import (
    LIGHT,
    Section,
    build_report,
    data_table,
    day,
    frame_width,
    heading,
    kit_list,
    long_day,
    para,
    scaled,
    signature_block,
    spacer,
    when,
)
from dispensary.reports.catalogue import (
    DESTROYED_TITLE,
    RETURNED_TITLE,
    certificate_heading,
)
from dispensary.reports.words import (
    institution,
    investigator,
    pgettext,
    pharmacy,
    plural,
    product_name,
    sponsor,
    study_title,
    term,
)
from dispensary.services.report_data import DestructionCertificate, ReportMeta
from dispensary.services.results import DestructionLine, DestructionRow
from dispensary.study import Study

NO_REASON = N_("none needed (expired stock, or tablets returned by participants)")
NO_REASON_UNITS = N_("none needed (expired stock, or returned by participants)")
"""NO_REASON in a study not of tablets only (its capsules are not tablets)."""


def certificate_fields(study: Study, row: DestructionRow) -> list[tuple[str, str]]:
    """The header of every page: the study, the site, and the destruction's paperwork."""
    protocol = study.protocol + (f" ({study.org_study_id})" if study.org_study_id else "")
    return [
        (_("Protocol no."), protocol),
        (_("Sponsor"), sponsor(study)),
        (_("Institution"), institution(study)),
        (_("Pharmacy"), pharmacy(study)),
        (_("Investigator"), investigator(study)),
        (_("Record"), _("Destruction No. {number}").format(number=row.destruction_id)),
        (
            _("Returned on") if row.to_sponsor else _("Destroyed on"),
            long_day(row.destroyed_on),
        ),
        (_("Authorisation"), row.reference or _("none recorded")),
        (_("Method"), _method(row)),
        (
            _("Reason code"),
            term(row.reason_code.label)
            if row.reason_code
            else _(NO_REASON if study.tablets_only else NO_REASON_UNITS),
        ),
        (_("Protocol title"), study_title(study)),
        *([(_("Unseen returns"), unseen_returns(row))] if row.unseen_returns else []),
    ]


def unseen_returns(row: DestructionRow) -> str:
    """Returned kits destroyed before a monitor saw the return, knowingly: said where the
    destruction is (the log, the certificate), not left to the audit trail alone."""
    return _("{kits} destroyed before a monitor saw the return (acknowledged by {name})").format(
        kits=listed(row.unseen_returns), name=row.unseen_acknowledged_by
    )


def _method(row: DestructionRow) -> str:
    if row.to_sponsor:
        return _("Returned to the sponsor: {method}").format(
            method=reasons.destruction_method(row.method)
        )
    return reasons.destruction_method(row.method)


QUANTITY_HEADER = (
    N_("Product and strength"),
    N_("Lot"),
    N_("Expiry"),
    N_("Kits"),
    N_("Unused tablets (stock)"),
    N_("Returned tablets (participants)"),
    N_("Tablets in all"),
)
QUANTITY_HEADER_UNITS = (
    *QUANTITY_HEADER[:4],
    N_("Unused quantity (stock)"),
    N_("Returned quantity (participants)"),
    N_("Quantity in all"),
)
"""The headings in a study not of tablets only: its counts say their word ("28 capsules")."""
QUANTITY_SHARES = (60, 16, 18, 9, 20, 24, 18)


def quantity_table(
    study: Study, row: DestructionRow, lines: Sequence[DestructionLine], width: float
) -> Flowable:
    """One line per product (strength) and lot: kits, unused and returned tablets apart; a
    product with several lots gets its own line for all its lots (strengths are never added
    together). In a study not of tablets only each count says its product's word ("28
    capsules", 28粒) under headings without "tablets" (Study.quantity)."""
    lots: dict[tuple[str, str], list[DestructionLine]] = defaultdict(list)
    for line in lines:
        lots[(line.product, line.lot)].append(line)
    rows: list[list[str]] = []
    totals: list[int] = []
    products = list(dict.fromkeys(product for product, _lot in lots))
    for product in products:
        mine = [(lot, lines) for (name, lot), lines in lots.items() if name == product]
        code = mine[0][1][0].code  # the lines of one product name share its code
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
                    study.quantity(code, lot_unused),
                    study.quantity(code, lot_returned),
                    study.quantity(code, lot_unused + lot_returned),
                ]
            )
            kits, unused, returned = kits + lot_kits, unused + lot_unused, returned + lot_returned
        if len(mine) > 1:
            totals.append(len(rows))
            total = [
                str(kits),
                *(study.quantity(code, n) for n in (unused, returned, unused + returned)),
            ]
            rows.append([product, _("All lots"), "", *total])
    if not rows:  # no kit record found (a destruction of kits no longer on file)
        rows.append(["-", "-", "", str(len(row.kits)), "0", "0", "0"])
    return data_table(
        [_(title) for title in (QUANTITY_HEADER if study.tablets_only else QUANTITY_HEADER_UNITS)],
        rows,
        scaled(QUANTITY_SHARES, width),
        numeric=(3, 4, 5, 6),
        highlight=[(i, LIGHT) for i in totals],
        bold_rows=totals,
        size=8.5,
    )


KIT_HEADER = (N_("Product and strength"), N_("Lot"), N_("From"), N_("Kit numbers"))
KIT_SHARES = (60, 16, 30, 59)


def kit_table(row: DestructionRow, lines: Sequence[DestructionLine], width: float) -> Flowable:
    """The kit numbers of each product (strength) and lot, unused stock and returned apart."""
    rows = [
        [
            line.product,
            line.lot,
            _("returned by participants") if line.from_returned else _("unused stock"),
            kit_list(line.kits),
        ]
        for line in lines
    ]
    listed = {k for line in lines for k in line.kits}
    rest = [k for k in row.kits if k not in listed]
    if rest:
        rows.append(
            [
                "-",
                "-",
                _("not found in the kit records"),
                kit_list(rest),
            ]
        )
    # "From" here is where the kits came from (unused stock, returned), not a time.
    header = [_(KIT_HEADER[0]), _(KIT_HEADER[1]), pgettext("kit source", "From"), _(KIT_HEADER[3])]
    return data_table(header, rows, scaled(KIT_SHARES, width), size=8.5)


SIGNATURE_HEADER = (
    N_("Role"),
    N_("Full name"),
    N_("Meaning of the signature"),
    N_("Signed (date and time)"),
)
SIGNATURE_SHARES = (30, 44, 46, 42)


SIGNER_MEANINGS = (SignatureMeaning.DESTROYED.value, SignatureMeaning.RETURNED_TO_SPONSOR.value)
"""The meanings the person destroying or returning the stock signed with: "returned to sponsor"
for a return to the sponsor, "destroyed" for a destruction and for a return signed before the
meaning of its own existed (shown as it was signed)."""


def signature_table(row: DestructionRow, width: float) -> Flowable:
    """The electronic signatures on the record: the one destroying (or returning), then the
    witness; a witness of a record made before witnesses signed shows as typed, unsigned."""
    by = _("Returned by") if row.to_sponsor else _("Destroyed by")
    role = dict.fromkeys(SIGNER_MEANINGS, by) | {"witnessed": _("Witness")}
    rows = [
        [
            role.get(s.meaning, term(s.meaning).capitalize()),
            person_named(s.name, s.role),  # the witness's role too, not the name alone
            term(s.meaning),
            when(s.at),
        ]
        for s in row.signatures
    ]
    if not any(s.meaning in SIGNER_MEANINGS for s in row.signatures):
        rows.insert(0, [by, row.by, _("did not sign electronically"), ""])
    if not any(s.meaning == "witnessed" for s in row.signatures):
        rows.append(
            [_("Witness"), row.witness, _("did not sign (named before witnesses signed)"), ""]
        )
    header = [_(title) for title in SIGNATURE_HEADER]
    return data_table(header, rows, scaled(SIGNATURE_SHARES, width), size=8.5)


def statement(row: DestructionRow, study: Study) -> str:
    """The certificate's sentence: what left, when, how and on whose authority, before whom;
    the kits "with their tablets" only in a study of tablets only (else their contents)."""
    signer = next((s.name for s in row.signatures if s.meaning in SIGNER_MEANINGS), row.by)
    witness = next(
        (person_named(s.name, s.role) for s in row.signatures if s.meaning == "witnessed"),
        row.witness,
    )
    kits = (
        plural(
            len(row.kits),
            N_("{count} kit, with its tablets"),
            N_("{count} kits, with their tablets"),
        )
        if study.tablets_only
        else plural(
            len(row.kits),
            N_("{count} kit, with its contents"),
            N_("{count} kits, with their contents"),
        )
    )
    done = _("returned to the sponsor") if row.to_sponsor else _("destroyed")
    authority = (
        _("under the sponsor's authorisation {reference}").format(reference=row.reference)
        if row.reference
        else _("with no sponsor's authorisation reference recorded")
    )
    return _(
        "The investigational product listed below ({kits} per product, strength and lot) was "
        "{done} on {date} by {signer}, {authority}, in the presence of the witness {witness}."
    ).format(
        kits=kits,
        done=done,
        date=long_day(row.destroyed_on),
        signer=signer,
        authority=authority,
        witness=witness,
    )


def _filed_by(width: float) -> Flowable:
    """A line for the monitor's handwritten signature when the certificate is filed."""
    block = signature_block((_("Sponsor's monitor"),), width)
    block.hAlign = "LEFT"
    return block


def _in_study_order(study: Study, lines: Sequence[DestructionLine]) -> list[DestructionLine]:
    """Products as the study file lists them (the 7.5 mg before the 2.5 mg), then lot, then
    unused stock before returned tablets; each product named as the study file names it in the
    report's language ("海曲泊帕乙醇胺片 7.5 mg")."""
    order = {f"{p.name} {p.strength}": i for i, p in enumerate(study.products)}
    ordered = sorted(
        lines,
        key=lambda line: (
            order.get(line.product, len(order)),
            line.product,
            line.lot,
            line.from_returned,
        ),
    )
    return [replace(line, product=product_name(study, line.code, line.product)) for line in ordered]


def certificate_section(study: Study, row: DestructionRow, paper: str = "a4") -> Section:
    width = frame_width(False, paper)
    lines = _in_study_order(study, row.lines)
    story: list[Flowable] = [
        para(statement(row, study)),
        *heading(_("Quantities per product (strength) and lot")),
        quantity_table(study, row, lines, width),
        *heading(_("Kits")),
        kit_table(row, lines, width),
        KeepTogether(
            [
                *heading(_("Electronic signatures")),
                signature_table(row, width),
                spacer(1.5),
                para(
                    _(
                        "Each person signed with their own password, the meaning shown to them; "
                        "the audit trail holds both signatures (check it with the verification "
                        "code below: dispensary audit verify --anchor CODE)."
                    )
                ),
            ]
        ),
        KeepTogether([*heading(_("Received and filed by the sponsor")), _filed_by(width)]),
    ]
    return Section(  # headed by what it certifies, its one name (reports.catalogue)
        _(RETURNED_TITLE) if row.to_sponsor else _(DESTROYED_TITLE),
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
        raise InvalidInput(
            _("Nothing was destroyed under {asked}.").format(asked=certificate.asked)
        )
    sections = [certificate_section(study, r, paper) for r in rows]
    # The PDF's title as the document is named: what it certifies, and of which destruction.
    return build_report(meta, certificate_heading(certificate), sections, paper)
