"""The logs a monitor reads beside the DARF: destruction, returns, quarantines and
temperature excursions. Each is a table builder (used alone and in the monitor pack).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.platypus import Flowable

from dispensary.domain import reasons
from dispensary.i18n import N_, _
from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    kit_list,
    kit_order,
    numbering_note,
    period_text,
    scaled,
    when,
)
from dispensary.reports.catalogue import DESTRUCTION_TITLE
from dispensary.reports.certificate import SIGNER_MEANINGS, unseen_returns
from dispensary.reports.csvfile import period_title, to_csv
from dispensary.reports.words import institution, named_destructions, pgettext, plural, term
from dispensary.services.report_data import (
    ENDED_BY_DESTRUCTION,
    ExcursionRow,
    QuarantineRow,
    ReportMeta,
    ReturnLogRow,
    ReturnsLog,
    quarantine_reason,
)
from dispensary.services.results import DestructionLine, DestructionRow
from dispensary.services.temperature import KitGone, longest_text, source_text
from dispensary.study import Study

RETURNS_TITLE = N_("Returns log (tablets brought back by participants)")
RETURNS_TITLE_UNITS = N_("Returns log (brought back by participants)")
QUARANTINE_TITLE = N_("Quarantines and temperature excursions")


def returns_title(study: Study) -> str:
    """The returns log's title in the report's language: of tablets in a study of tablets
    only; else without a unit word, since the counts beneath say theirs (capsules)."""
    return _(RETURNS_TITLE if study.tablets_only else RETURNS_TITLE_UNITS)


def destruction_table(study: Study, rows: Sequence[DestructionRow], width: float) -> Flowable:
    """One line per product (strength) and lot of each destruction, with its signatures: what
    left, on whose authority, who destroyed it and who witnessed it, and when each signed. The
    count column says each product in its own word unless the study is of tablets only."""
    if not rows:
        return empty_note(_("Nothing was destroyed or returned to the sponsor in this period."))
    return data_table(
        [
            _("No."),
            _("Date"),
            _("Product"),
            _("Lot (expiry)"),
            _("Kits"),
            study.count_heading(),  # "Quantity" but in a study of tablets only
            _("Method (reason)"),
            _("Authorisation"),
            _("Signed"),
        ],
        [cells for r in rows for cells in _destruction_cells(study, r)],
        scaled((6, 14, 22, 22, 26, 14, 34, 18, 44), width),
        numeric=(0,),
    )


def _destruction_cells(study: Study, r: DestructionRow) -> list[list[str]]:
    """The table's lines for one destruction (one with no tablets, e.g. empty kits: one line)."""
    head = [str(r.destruction_id), day(r.destroyed_on)]
    tail = [_method(r), r.reference, _signed(r)]
    if not r.lines:
        return [[*head, "-", "-", kit_list(r.kits), "0", *tail]]
    return [
        [
            *head,
            line.product,
            f"{line.lot} ({day(line.expiry)})",
            kit_list(line.kits),
            _units_left(study, line),
            *tail,
        ]
        for line in r.lines
    ]


def _units_left(study: Study, line: DestructionLine) -> str:
    """ "5 returned" of a study of tablets only; else the count in its word ("5 capsules
    returned", 退回 5粒), never a capsule said 片."""
    if study.tablets_only:
        said = _("{count} returned") if line.from_returned else _("{count} unused")
        return said.format(count=line.tablets)
    said = _("{units} returned") if line.from_returned else _("{units} unused")
    return said.format(units=study.units(line.code, line.tablets))


def _method(row: DestructionRow) -> str:
    method = reasons.destruction_method(row.method)
    said = _("returned to sponsor: {method}").format(method=method) if row.to_sponsor else method
    if row.reason_code:
        return _("{method} ({reason})").format(method=said, reason=term(row.reason_code.label))
    return said


def _signed(row: DestructionRow) -> str:
    """'destroyed: Chen Jing 2026-01-26 10:02 UTC; witnessed: Wang Fang 2026-01-26 10:02 UTC',
    or the witness's name as typed on a record made before witnesses signed."""
    said = [
        _("{meaning}: {name} {at}").format(meaning=term(s.meaning), name=s.name, at=when(s.at))
        for s in row.signatures
    ]
    if not any(s.meaning == "witnessed" for s in row.signatures):
        said.append(_("witness (did not sign): {name}").format(name=row.witness))
    if row.unseen_returns:
        said.append(unseen_returns(row))
    return _("; ").join(said)


RETURN_COUNT_HEADER = (
    N_("Dispense"),
    N_("Cycle"),
    N_("Kit"),
    N_("Lot"),
    N_("Dispensed"),
    N_("Returned tablets"),  # "Returned" in a study not of tablets only (return_count_header)
    # The days the investigator held the dose, not the reconciliation's "Held" (returned
    # tablets kept for the monitor).
    N_("Dose held by investigator"),
    N_("Counted by"),
)
"""Column titles (marked; shown with `_`)."""


def return_count_header(study: Study) -> list[str]:
    """RETURN_COUNT_HEADER in the report's language; in a study not of tablets only the
    returned column is "Returned" over counts that say their word (a capsule kit's count
    under "Returned tablets" (退回片数) would misstate it)."""
    return [
        _(
            N_("Returned quantity")
            if title == "Returned tablets" and not study.tablets_only
            else title
        )
        for title in RETURN_COUNT_HEADER
    ]


def return_count_cells(study: Study, row: ReturnLogRow) -> list[str]:
    """What was counted back for one kit, as the returns log and the participant report show
    it (columns of RETURN_COUNT_HEADER): each count as Study.quantity says it."""
    return [
        row.dispense,
        str(row.cycle),
        row.kit,
        row.lot,
        study.quantity(row.product, row.dispensed),
        returned_text(row, study),
        held_text(row),
        row.counted_by,
    ]


NOT_BROUGHT_BACK = N_("not brought back: unaccounted for")


def returned_text(row: ReturnLogRow, study: Study | None = None) -> str:
    """The tablets counted back (in the product's word as Study.quantity says it, given the
    study), or that the kit was not brought back: never a '0' that would read as all taken."""
    if row.not_brought_back:
        return _(NOT_BROUGHT_BACK)
    return str(row.returned) if study is None else study.quantity(row.product, row.returned)


def held_text(row: ReturnLogRow) -> str:
    """'3 days, 2026-01-08 to 2026-01-10, ordered by Dr Liu', or the bare days of an older
    record; empty when the drug was not held."""
    if not row.held_days and row.held_from is None:
        return ""
    parts = [plural(row.held_days, N_("{count} day"), N_("{count} days"))]
    if row.held_from is not None:
        if row.held_until is not None:
            parts.append(
                _("{start} to {end}").format(start=day(row.held_from), end=day(row.held_until))
            )
        else:
            parts.append(day(row.held_from))
    if row.held_ordered_by:
        parts.append(_("ordered by {name}").format(name=row.held_ordered_by))
    return _(", ").join(parts)


def returns_table(study: Study, rows: Sequence[ReturnLogRow], width: float) -> Flowable:
    """The returns log: the counts (cycle, dispensed, returned) set to the right as numbers;
    the returned column's "not brought back: unaccounted for" is a count's cell too, kept on
    one line (a number column is never broken)."""
    if not rows:
        return empty_note(_("No returns were recorded in this period."))
    return data_table(
        [
            _("No."),
            pgettext("date", "Returned"),
            _("Participant"),
            _("Initials"),
            *return_count_header(study),
            _("Kit now"),
            _("Note"),
        ],
        [
            [
                str(r.return_id),
                day(r.returned_on),
                r.participant,
                r.initials,
                *return_count_cells(study, r),
                term(r.kit_status.label),
                _return_note(r),
            ]
            for r in rows
        ],
        scaled((7, 15, 13, 9, 15, 7, 10, 10, 11, 17, 24, 9, 13, 20), width),
        numeric=(0, 5, 8, 9),
        unbroken=(4, 6, 7),  # the dispense, kit and lot numbers
        highlight=[
            (i, AMBER) for i, r in enumerate(rows) if r.corrects is not None or r.corrected_by
        ],
    )


def returns_story(study: Study, rows: Sequence[ReturnLogRow], width: float) -> list[Flowable]:
    """The returns log under its heading, as the monitor pack and the returns report print
    it: the note that its numbers are the pharmacy's (a gap is another study's return), then
    the table, corrections highlighted."""
    return [*([numbering_note()] if rows else []), returns_table(study, rows, width)]


def _return_note(row: ReturnLogRow) -> str:
    parts = [p for p in (row.condition, row.note) if p]
    if row.corrects is not None:
        parts.append(_("corrects return {number}").format(number=row.corrects))
    if row.corrected_by is not None:
        parts.append(_("replaced by return {number}").format(number=row.corrected_by))
    return _("; ").join(parts)


def quarantine_table(study: Study, rows: Sequence[QuarantineRow], width: float) -> Flowable:
    """Each quarantine, release, rejection or end by destruction, the kit's product named as
    the study file names it in the report's language (Study.product_name: "海曲泊帕乙醇胺片
    7.5 mg"), as the pack's open items, DARFs and destruction log name it; the row keeps the
    code."""
    if not rows:
        return empty_note(_("No kit was quarantined or released in this period."))
    return data_table(
        [
            _("When"),
            _("Kit"),
            _("Product"),
            _("Lot"),
            _("Action"),
            _("Reason"),
            _("Sponsor's decision"),
            _("By"),
            _("Excursion"),
        ],
        [
            [
                when(r.at),
                r.kit,
                study.product_name(r.product),
                r.lot,
                term(r.action),
                reasons.destruction_method(r.reason)
                if r.action in ENDED_BY_DESTRUCTION
                else quarantine_reason(r.reason, r.excursion_id),
                r.sponsor_reference,
                r.by,
                str(r.excursion_id) if r.excursion_id is not None else "",
            ]
            for r in rows
        ],
        scaled((20, 10, 26, 10, 12, 34, 14, 7, 10), width),
    )


def excursion_table(rows: Sequence[ExcursionRow], width: float) -> Flowable:
    if not rows:
        return empty_note(_("No temperature excursion was recorded in this period."))
    return data_table(
        [
            _("No."),
            _("Storage area"),
            _("From"),
            _("To"),
            _("Lowest °C"),
            _("Highest °C"),
            _("Kits quarantined"),
            _("In the store during it, dispensed or gone since"),
            _("Source"),
            _("Recorded by"),
        ],
        [
            [
                str(r.excursion_id),
                r.storage_area,
                when(r.started_at),
                _ended_at(r),
                f"{r.lowest:g}",
                f"{r.highest:g}",
                _quarantined_by(r),
                _gone_since(r.kits_gone),
                source_text(r.source, r.manual),
                _("{name}, {at}").format(name=r.recorded_by, at=when(r.recorded_at)),
            ]
            for r in rows
        ],
        scaled((6, 12, 16, 16, 9, 9, 22, 34, 18, 20), width),
        numeric=(0, 4, 5),
    )


def _ended_at(row: ExcursionRow) -> str:
    """When an excursion ended, then how long it may have lasted by the readings within the
    range next to it (`temperature.longest_text`): a single reading outside reads "04:30" to
    "04:30", 0 minutes."""
    longest = longest_text(row.in_range_before, row.in_range_after)
    if not longest:
        return when(row.ended_at)
    return _("{when} ({longest})").format(when=when(row.ended_at), longest=longest)


def _quarantined_by(row: ExcursionRow) -> str:
    """The kits an excursion quarantined, then those in the store during it that were in
    quarantine already (not quarantined again): exposed to it all the same, for the monitor."""
    if not row.kits_held:
        return kit_list(row.kits)
    return _("{kits}; quarantined already: {held}").format(
        kits=kit_list(row.kits) or "-", held=kit_list(row.kits_held)
    )


def _gone_since(kits: Sequence[KitGone]) -> str:
    """The kits an excursion's import found were in the store during it and had left since:
    each dispensed one with its participant and day (the sponsor and the investigator are to
    be told), each destroyed one with its day."""
    if not kits:
        return "-"
    said = []
    for k in kits:
        day = k.on.isoformat() if k.on else "-"
        if k.participant:
            said.append(
                _("{kit} dispensed to {participant} {initials} on {day}").format(
                    kit=k.kit, participant=k.participant, initials=k.initials, day=day
                )
            )
        elif k.on is not None:
            said.append(_("{kit} destroyed on {day}").format(kit=k.kit, day=day))
        else:
            said.append(_("{kit} gone, no record says where").format(kit=k.kit))
    return _("; ").join(said)


def _fields(study: Study, since: date | None, until: date | None) -> list[tuple[str, str]]:
    return [
        (_("Institution"), institution(study)),
        (_("Protocol no."), study.protocol),
        (_("Period"), period_text(since, until)),
    ]


def destruction_pdf(
    meta: ReportMeta,
    study: Study,
    rows: Sequence[DestructionRow],
    paper: str = "a4",
    since: date | None = None,
    until: date | None = None,
) -> bytes:
    """The destruction log, its period as asked (None: from the first or to the last day)."""
    width = frame_width(True, paper)
    section = Section(
        _(DESTRUCTION_TITLE),
        [destruction_table(study, named_destructions(study, rows), width)],
        fields=_fields(study, since, until),
        landscape=True,
    )
    return build_report(meta, _(DESTRUCTION_TITLE), [section], paper)


def returns_pdf(meta: ReportMeta, study: Study, log: ReturnsLog, paper: str = "a4") -> bytes:
    """The returns log on its own (the "returns" report): titled as the monitor pack's (of
    tablets only in a study of tablets only), its period and participant in its fields."""
    width = frame_width(True, paper)
    title = returns_title(study)
    if log.participant:
        title = _("{title}: {subject}").format(title=title, subject=log.participant)
    fields = _fields(study, log.since, log.until)
    if log.participant:
        fields.append((_("Participant"), log.participant))
    section = Section(title, returns_story(study, log.rows, width), fields=fields, landscape=True)
    return build_report(meta, title, [section], paper)


def destruction_csv(
    meta: ReportMeta,
    rows: Sequence[DestructionRow],
    since: date | None = None,
    until: date | None = None,
) -> str:
    """One line per product (strength) and lot of each destruction, with its signatures; the
    title says the period asked for, as the PDF's fields. The product is its code, as the
    returns log's, the DARF's and the inventory's CSVs give it (not its English name): a
    file joined with theirs matches on it."""
    return to_csv(
        meta,
        period_title(_(DESTRUCTION_TITLE), since, until),
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
            "unseen_returns",
            "unseen_returns_acknowledged_by",
        ),
        [
            [
                r.destruction_id,
                day(r.destroyed_on),
                *(
                    (line.code, line.lot, day(line.expiry), _kits_in_order(line.kits))
                    if line is not None
                    else ("", "", "", _kits_in_order(r.kits))
                ),
                line.tablets if line is not None else 0,
                line.from_returned if line is not None else False,
                r.method,
                r.reason_code.value if r.reason_code else "",
                r.reference,
                r.to_sponsor,
                r.by,
                *_signature(r, *SIGNER_MEANINGS),
                r.witness,
                _signature(r, "witnessed")[1],
                " ".join(r.unseen_returns),
                r.unseen_acknowledged_by,
            ]
            for r in rows
            for line in (r.lines or (None,))  # a destruction of empty kits: one line
        ],
    )


def _kits_in_order(kits: Sequence[str]) -> str:
    """A destruction's kits in the order their numbers run (K2 before K10), as the PDF and the
    certificate list them (base.kit_list), not in the order they were recorded."""
    return " ".join(sorted(kits, key=kit_order))


def _signature(row: DestructionRow, *meanings: str) -> tuple[str, str]:
    for s in row.signatures:
        if s.meaning in meanings:
            return s.name, s.at.isoformat()
    return "", ""


def returns_csv(
    meta: ReportMeta,
    rows: Sequence[ReturnLogRow],
    study: Study,
    since: date | None = None,
    until: date | None = None,
    participant: str | None = None,
) -> str:
    """Every return counted, one line per kit; titled as the returns log (returns_title): of
    tablets only in a study of tablets only (a capsule study's file said "tablets brought
    back"), with the participant and period asked for, as the PDF. The counts are bare
    numbers, the column keys the same in every study."""
    title = returns_title(study)
    if participant:
        title = _("{title}: {subject}").format(title=title, subject=participant)
    return to_csv(
        meta,
        period_title(title, since, until),
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
