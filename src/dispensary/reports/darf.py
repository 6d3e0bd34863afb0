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
from dispensary.i18n import ENGLISH, N_, _, current_language
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
    long_day,
    para,
    period_text,
    scaled,
    signature_block,
    spacer,
)
from dispensary.reports.catalogue import DARF_TITLE
from dispensary.reports.csvfile import period_title, to_csv
from dispensary.reports.words import institution as site_in_words
from dispensary.reports.words import investigator as investigator_in_words
from dispensary.reports.words import study_title
from dispensary.services.report_data import DarfLine, DarfRecord, ReportMeta
from dispensary.study import Study

TITLE = DARF_TITLE  # the one title, listed and printed (reports.catalogue)
HEADER = (
    N_("Line"),
    N_("Date"),
    N_("Participant no."),
    N_("Initials"),
    N_("Dose"),
    N_("Qty received (+) / dispensed (-)"),
    N_("Balance forward"),
    N_("Balance"),
    N_("Lot no."),
    N_("Kit(s)"),
    N_("Recorder"),
    N_("Checked by"),
    N_("Note"),
)
SHARES = (9, 18, 17, 12, 27, 21, 17, 15, 19, 22, 15, 15, 66)
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
    "initials_when_recorded",
    "checked_by",  # last: the columns before it keep their places
)


def darf_fields(record: DarfRecord, study: Study | None = None) -> list[tuple[str, str]]:
    """The header of every page; the protocol title in the report's language when the study
    file gives it."""
    protocol = record.protocol + (f" ({record.org_study_id})" if record.org_study_id else "")
    institution = f"{record.institution} ({record.site})"
    investigator, agent = record.investigator, record.agent
    area, unit = record.storage_area, record.unit
    manufacturer, form_strength = record.manufacturer, record.form_strength
    if study is not None and current_language() is not ENGLISH:
        # The names the study file gives in the reader's language (河南省肿瘤医院, 刘真真 医生,
        # 海曲泊帕乙醇胺片 7.5 mg, 江苏恒瑞医药股份有限公司, 7.5 mg 片剂（口服）, 试验药物库房1,
        # 片); the file's English where it gives none (a unit the program's own Chinese).
        institution, investigator = site_in_words(study), investigator_in_words(study)
        agent = study.product_name(record.product)
        area = study.area_name(record.storage_area)
        unit = study.unit_words((record.product,)) or unit
        manufacturer = study.manufacturer_name(manufacturer) if manufacturer else ""
        form_strength = _form_strength(study, record) or form_strength
    return [
        (_("Institution"), institution),
        (_("Protocol no."), protocol),
        (_("Investigator"), investigator),
        (_("Agent name"), agent),
        (_("Manufacturer"), manufacturer or _("not given in the study file")),
        (_("Dose form and strength"), form_strength),
        (_("Storage area"), area),
        (_("Product code"), record.product),
        (_("Unit"), unit),
        (_("Period"), period_text(record.since, record.until)),
        (_("Protocol title"), study_title(study, record.title)),
    ]


def _form_strength(study: Study, record: DarfRecord) -> str:
    """The product's strength, form and route in the reader's language ("7.5 mg 片剂（口服）":
    the study file's [label.text.<language>.forms] and .routes); "" for a product the study
    file no longer has."""
    found = next((p for p in study.products if p.code == record.product), None)
    if found is None:
        return ""
    return _("{strength} {form} ({route})").format(
        strength=found.strength,
        form=study.form_name(found.form),
        route=study.route_name(found.route),
    )


def _contents_title(record: DarfRecord, study: Study | None) -> str:
    """The record in the monitor pack's contents: the product and store in the reader's words."""
    if study is None or current_language() is ENGLISH:
        return _("DARF: {agent} {form_strength}, {storage_area}").format(
            agent=record.agent, form_strength=record.form_strength, storage_area=record.storage_area
        )
    return _("DARF: {product}, {storage_area}").format(
        product=study.product_name(record.product),
        storage_area=study.area_name(record.storage_area),
    )


def _quantity(value: int) -> str:
    return f"{value:+d}"


def _note(line: DarfLine) -> str:
    note = line.note
    if line.corrected_by_line is not None:
        # Only a void undoes a line (stock.move_kit): the dispense never happened.
        note = _("{note} (voided by line {line})").format(
            note=line.note, line=line.corrected_by_line
        )
    return _joined(note, _initials_note(line))


def _initials_note(line: DarfLine) -> str:
    """Where the participant's initials were corrected after the line: what it read when
    recorded, beside the initials now (the Initials column is too narrow for it)."""
    if not line.initials_when_recorded or line.initials_corrected_on is None:
        return ""
    return _("Initials {old} when recorded, corrected to {new} on {day}").format(
        old=line.initials_when_recorded, new=line.initials, day=day(line.initials_corrected_on)
    )


def _joined(*notes: str) -> str:
    return _("; ").join(n for n in notes if n)


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
        line.checked_by,
        _note(line),
    ]


def _closing(record: DarfRecord, study: Study | None) -> str:
    """The closing balance, and that returns are not stock: "Returned tablets" in a study of
    tablets only; else said of any form, the balance in the product's word (Study.units: "112
    capsules", 112粒; a capsule's DARF said its capsules were tablets). One line is "1 line"."""
    lines = len(record.lines)
    if study is None or study.tablets_only:
        text = (
            _(
                "Balance at the end of the period: {balance} ({lines} line). Returned tablets "
                "are not stock: see the returns log."
            )
            if lines == 1
            else _(
                "Balance at the end of the period: {balance} ({lines} lines). Returned tablets "
                "are not stock: see the returns log."
            )
        )
        return text.format(balance=record.closing_balance, lines=lines)
    text = (
        _(
            "Balance at the end of the period: {balance} ({lines} line). What participants "
            "bring back is not stock: see the returns log."
        )
        if lines == 1
        else _(
            "Balance at the end of the period: {balance} ({lines} lines). What participants "
            "bring back is not stock: see the returns log."
        )
    )
    balance = study.units(record.product, record.closing_balance)
    return text.format(balance=balance, lines=lines)


def darf_section(record: DarfRecord, paper: str = "a4", study: Study | None = None) -> Section:
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
            para(
                _("Balance brought forward on {date}: {balance}.").format(
                    date=long_day(record.since), balance=record.opening_balance
                )
            )
        )
    if rows:
        story.append(
            data_table(
                [_(title) for title in HEADER],
                rows,
                widths,
                numeric=(0, 5, 6, 7),
                highlight=highlight,
                # A line taller than a page (a shipment's lot of hundreds of kits, numbered
                # between another lot's) goes on over the next, under its number and date.
                split_rows=True,
                repeated=(0, 1),
                # A void never opens a page apart from the line just before it that it undoes.
                kept_with_previous=[
                    i
                    for i, line in enumerate(record.lines)
                    if i and line.corrects_line == record.lines[i - 1].number
                ],
            )
        )
    else:
        story.append(empty_note(_("No movements of this agent in the period.")))
    story.append(
        KeepTogether(
            [
                spacer(),
                para(_closing(record, study)),
                spacer(2),
                signature_block(
                    (_("Reviewed by (pharmacist)"), _("Verified by (monitor)")), width * 0.7
                ),
            ]
        )
    )
    return Section(
        _(TITLE),
        story,
        fields=darf_fields(record, study),
        landscape=True,
        contents_title=_contents_title(record, study),
    )


def darf_pdf(
    meta: ReportMeta, records: Sequence[DarfRecord], paper: str = "a4", study: Study | None = None
) -> bytes:
    """All records in one PDF, each with its own page numbering (Page 1 of N from each
    record's first page: each product's DARF is filed as a record of its own); `study` gives
    the protocol title in the report's language."""
    if not records:
        raise InvalidInput("There is no stock movement to put on a DARF yet.")
    sections = [darf_section(r, paper, study) for r in records]
    return build_report(meta, _(TITLE), sections, paper, pages_per_section=True)


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
            line.initials_when_recorded,
            line.checked_by,
        ]
        for record in records
        for line in record.lines
    ]
    # Every record is of the same period (the one asked for); the title says it, as the PDF.
    since, until = (records[0].since, records[0].until) if records else (None, None)
    return to_csv(meta, period_title(_(TITLE), since, until), CSV_HEADER, rows)
