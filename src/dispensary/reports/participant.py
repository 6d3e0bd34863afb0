"""A participant's history: each dispense and return, adherence per cycle with its flags and
the pharmacist's explanations, and a small adherence chart against the study's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from dispensary.domain.codes import Flag, ParticipantStatus
from dispensary.domain.rules import sex_word
from dispensary.i18n import _, current_language, format_number
from dispensary.reports.base import (
    AMBER,
    GREEN,
    RED,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    font,
    frame_width,
    heading,
    kit_ranges,
    long_day,
    long_when,
    para,
    scaled,
)
from dispensary.reports.catalogue import PARTICIPANT_TITLE
from dispensary.reports.csvfile import to_csv
from dispensary.reports.logs import return_count_cells, return_count_header
from dispensary.reports.words import dose_name, listing, person, pgettext, term
from dispensary.services.context import local_day
from dispensary.services.queries import change_words
from dispensary.services.report_data import ParticipantReport, ReportMeta, ReturnLogRow
from dispensary.services.results import (
    DispenseHistoryRow,
    ObservationValue,
    ParticipantRow,
    ProductFigures,
    RecordChange,
    flagged_products,
)
from dispensary.study import Study

TITLE = PARTICIPANT_TITLE
CHART_TOP = 1.5  # the chart's y axis runs from 0 to 150 %
UNDER = colors.HexColor("#e08e0b")


def percent(value: float | None) -> str:
    return f"{value * 100:.0f}%" if value is not None else ""


def adherence_chart(
    history: tuple[DispenseHistoryRow, ...], under: float, over: float, width: float
) -> Drawing:
    """Bars of adherence per cycle; dashed lines at the under- and over-use limits."""
    height = 46 * mm
    left, bottom, top = 14 * mm, 8 * mm, height - 4 * mm
    plot_width = width - left - 24 * mm  # the limits are named in the right margin
    drawing = Drawing(width, height)
    regular, bold = font(), font(bold=True)

    def y_of(value: float) -> float:
        return float(bottom + (top - bottom) * min(value, CHART_TOP) / CHART_TOP)

    for tick in (0.0, 0.5, 1.0, 1.5):
        y = y_of(tick)
        drawing.add(Line(left, y, left + plot_width, y, strokeColor=colors.lightgrey))
        drawing.add(
            String(
                left - 2,
                y - 2.5,
                f"{tick * 100:.0f}%",
                fontName=regular,
                fontSize=7,
                textAnchor="end",
            )
        )
    for limit, label in ((under, _("under-use")), (over, _("over-use"))):
        y = y_of(limit)
        drawing.add(
            Line(left, y, left + plot_width, y, strokeColor=colors.black, strokeDashArray=[3, 2])
        )
        drawing.add(
            String(
                left + plot_width + 2,
                y - 2,
                f"{label} {limit * 100:.0f}%",
                fontName=regular,
                fontSize=6.5,
            )
        )
    slot = plot_width / max(len(history), 1)
    bar = min(slot * 0.6, 14 * mm)
    for index, row in enumerate(history):
        x = left + slot * index + (slot - bar) / 2
        label_x = x + bar / 2
        drawing.add(
            String(
                label_x,
                bottom - 9,
                _("C{cycle}").format(cycle=row.cycle),
                fontName=regular,
                fontSize=7,
                textAnchor="middle",
            )
        )
        if row.adherence is None:
            drawing.add(
                String(
                    label_x,
                    bottom + 2,
                    _("no return"),
                    fontName=regular,
                    fontSize=6,
                    textAnchor="middle",
                    fillColor=colors.grey,
                )
            )
            continue
        colour = RED if row.adherence > over else UNDER if row.adherence < under else GREEN
        drawing.add(
            Rect(x, bottom, bar, y_of(row.adherence) - bottom, fillColor=colour, strokeColor=None)
        )
        inside = y_of(row.adherence) - bottom > 12
        drawing.add(
            String(
                label_x,
                y_of(row.adherence) - 8 if inside else y_of(row.adherence) + 1.5,
                percent(row.adherence),
                fontName=bold,
                fontSize=6.5,
                textAnchor="middle",
                fillColor=colors.white if inside else colors.black,
            )
        )
    drawing.add(Line(left, bottom, left + plot_width, bottom, strokeColor=colors.black))
    drawing.add(Line(left, bottom, left, top, strokeColor=colors.black))
    return drawing


def participant_section(study: Study, report: ParticipantReport, paper: str) -> Section:
    p = report.participant
    width = frame_width(False, paper)
    story: list[Flowable] = [*heading(_("Dispenses and adherence"))]
    if report.history:
        several = several_products(report.history)
        lines = [(r, line) for r in report.history for line in history_lines(study, r, several)]
        story.append(
            data_table(
                [
                    _("Cycle"),
                    _("Dispense"),
                    _("Day 1"),
                    _("Dose"),
                    *([_("Product")] if several else []),
                    _("Kits"),
                    study.count_heading(),
                    _("Returned"),
                    _("Taken"),
                    _("Expected"),
                    _("Adherence"),
                    _("Flags"),
                ],
                [
                    [
                        *(
                            [
                                str(r.cycle),
                                r.dispense_number,
                                day(r.day1),
                                dose_name(study, r.dose_level, r.dose_name),
                            ]
                            if line.first
                            else ["", "", "", ""]
                        ),
                        *([line.product] if several else []),
                        kit_ranges(line.kits),
                        line.dispensed,
                        line.returned,
                        line.taken,
                        line.expected,
                        percent(line.adherence),
                        _("VOIDED")  # who, when and why: under "Corrections and status changes"
                        if r.voided is not None
                        else listing([study.flag_said(f, line.codes) for f in line.flags]),
                    ]
                    for r, line in lines
                ],
                scaled(
                    (7, 14, 15, 18, 17, 9, 12, 12, 12, 12, 11, 14)
                    if several
                    else (8, 16, 15, 20, 14, 10, 11, 10, 11, 14, 22),
                    width,
                ),
                numeric=(0, 6, 7, 8, 9, 10) if several else (0, 5, 6, 7, 8, 9),
                unbroken=(1, 2, 5) if several else (),  # the dispense, its day 1, the kits
                highlight=[(i, AMBER) for i, (_r, line) in enumerate(lines) if line.flags],
            )
        )
        story += signers_table(study, report.history, width)
        story += [
            *heading(_("Adherence per cycle")),
            adherence_chart(
                tuple(r for r in report.history if r.voided is None),  # a void took nothing
                study.adherence.under_use_below,
                study.adherence.over_use_above,
                width,
            ),
        ]
        # The expected counts' word on the return day (queries.return_day_note): the doses
        # allowed for beyond the expected count, or why none is.
        noted = [r for r in report.history if r.return_day_note and r.voided is None]
        if noted:
            story += heading(_("The return day in the expected counts"))
            story += [
                para(
                    _("Cycle {cycle} ({dispense}): {note}").format(
                        cycle=r.cycle, dispense=r.dispense_number, note=r.return_day_note
                    )
                )
                for r in noted
            ]
        recorded = [r for r in report.history if r.observations or r.irt_confirmation]
        if recorded:
            story += heading(_("Recorded at dispense"))
            story += [
                para(
                    _("Cycle {cycle} ({dispense}): {recorded}.").format(
                        cycle=r.cycle, dispense=r.dispense_number, recorded=recorded_text(study, r)
                    )
                )
                for r in recorded
            ]
        flagged = [r for r in report.history if r.flags]
        if flagged:
            story += heading(_("Flags and the pharmacist's explanations"))
            for r in flagged:
                reason = r.flag_reason or _("NOT EXPLAINED YET: record the reason.")
                story.append(
                    para(
                        _("Cycle {cycle} ({dispense}): {flags}. {reason}").format(
                            cycle=r.cycle,
                            dispense=r.dispense_number,
                            flags=listing(
                                [
                                    study.flag_said(f, flagged_products(r.products, f))
                                    for f in r.flags
                                ]
                            ),
                            reason=reason,
                        )
                    )
                )
    else:
        story.append(empty_note(_("Nothing has been dispensed to this participant.")))
    story += heading(_("Returns, kit by kit"))
    if report.returns:
        story.append(returns_kit_table(study, report.returns, width))
    else:
        story.append(empty_note(_("No returns recorded.")))
    story += heading(_("Corrections and status changes"))
    if report.changes:
        story += [para(change_words(c)) for c in report.changes]
    else:
        story.append(empty_note(_("Nothing changed in the record since enrolment.")))
    fields = [
        (_("Participant no."), p.study_number),
        (_("Initials"), corrected(p.initials, "initials", report.changes)),
        (_("Protocol no."), study.protocol),
        (_("Status"), term(p.status.label)),
        (
            _("Year of birth / sex"),
            f"{corrected(str(p.birth_year), 'birth_year', report.changes)} / {sex_word(p.sex)}",
        ),
        (_("Enrolled"), corrected(long_day(p.enrolled_on), "enrolled_on", report.changes)),
        (
            _("Eligibility confirmed"),
            # The time is the enrolment's recording, not the investigator's confirmation.
            _("{name}; recorded {at}; {checklist}").format(
                name=person(study, report.eligibility_confirmed_by),
                at=long_when(report.eligibility_confirmed_at),
                checklist=(
                    _("{n} criteria ticked on the checklist").format(n=report.eligibility_criteria)
                    if report.eligibility_criteria
                    else _("no checklist recorded (enrolled from the command line)")
                ),
            ),
        ),
        (_("Next cycle"), _next_cycle(p)),
    ]
    return Section(_(TITLE), story, fields=fields, contents_title=_title(p.study_number))


def corrected(value: str, field: str, changes: Sequence[RecordChange]) -> str:
    """A value of the record as it stands, marked when a correction changed it: the value
    recorded at enrolment and the day of the last correction (the changes list them all)."""
    fixes = [c for c in changes if c.field == field]
    if not fixes:
        return value
    return _("{value} (corrected from {old} on {day})").format(
        value=value, old=fixes[0].old, day=day(local_day(fixes[-1].at))
    )


NOBODY = "—"  # no second check: nobody is made up


def signers_table(
    study: Study, history: Sequence[DispenseHistoryRow], width: float
) -> list[Flowable]:
    """Who dispensed each dispense and who checked it (the second pharmacist who signed the
    check, "—" when nobody did), by their full names: the record an inspector reads names both
    signers, as the dispense's signatures do."""
    return [
        *heading(_("Dispensed and checked by")),
        data_table(
            [_("Cycle"), _("Dispense"), _("Dispensed on"), _("Dispensed by"), _("Checked by")],
            [
                [
                    str(r.cycle),
                    r.dispense_number,
                    day(r.dispensed_on),
                    person(study, r.dispensed_by),
                    person(study, r.checked_by) if r.checked_by else NOBODY,
                ]
                for r in history
            ],
            scaled((8, 16, 16, 40, 40), width),
            numeric=(0,),
            unbroken=(1, 2),
        ),
    ]


def returns_kit_table(study: Study, returns: Sequence[ReturnLogRow], width: float) -> Flowable:
    """The participant's returns, kit by kit: the counts (cycle, dispensed, returned) set to the
    right as numbers; the returned column's "not brought back: unaccounted for" is a count's
    cell too, kept on one line (a number column is never broken)."""
    return data_table(
        [
            pgettext("date", "Returned"),
            *return_count_header(study),
            _("Condition / note"),
            _("Correction"),
        ],
        [
            [
                day(r.returned_on),
                *return_count_cells(study, r),
                _("; ").join(x for x in (r.condition, r.note) if x),
                _correction(r.corrects, r.corrected_by),
            ]
            for r in returns
        ],
        scaled((14, 15, 7, 10, 10, 11, 19, 25, 8, 18, 14), width),
        numeric=(2, 5, 6),
        unbroken=(1, 3, 4),  # the dispense, kit and lot numbers
    )


def observation_name(study: Study, observation: ObservationValue) -> str:
    """The observation's name in the reader's language (the study file's), else as recorded."""
    if any(o.key == observation.key for o in study.observations):
        return study.observation_name(observation.key, current_language().value)
    return observation.name


def recorded_text(study: Study, row: DispenseHistoryRow) -> str:
    """What was recorded with a dispense: "Platelet count 85 x 10^9/L; IRT confirmation
    IRT-000123"."""
    parts = [
        _("{name} {value} {unit}")
        .format(name=observation_name(study, o), value=format_number(o.value), unit=o.unit)
        .strip()
        for o in row.observations
    ]
    if row.irt_confirmation:
        parts.append(_("IRT confirmation {number}").format(number=row.irt_confirmation))
    return _("; ").join(parts)


def _title(study_number: str) -> str:
    return _("{title}: {participant}").format(title=_(TITLE), participant=study_number)


def _next_cycle(p: ParticipantRow) -> str:
    """A completed or discontinued participant has no next cycle: say why instead."""
    if p.status is not ParticipantStatus.ON_TREATMENT:
        status = term(p.status.label).lower()
        if p.last_cycle is not None:
            return _("none: {status} after cycle {cycle}").format(status=status, cycle=p.last_cycle)
        return _("none: {status}").format(status=status)
    if p.next_cycle is None:  # the protocol's last cycle dispensed (rules.next_cycle)
        return _("none: the protocol's last cycle ({cycle}) is dispensed").format(
            cycle=p.last_cycle
        )
    if p.next_due:
        return _("{cycle}, due from {date}").format(cycle=p.next_cycle, date=long_day(p.next_due))
    return f"{p.next_cycle}"


def _correction(corrects: int | None, corrected_by: int | None) -> str:
    parts = []
    if corrects is not None:
        parts.append(_("corrects return {number}").format(number=corrects))
    if corrected_by is not None:
        parts.append(_("corrected by return {number}").format(number=corrected_by))
    return _("; ").join(parts)


def participant_pdf(
    meta: ReportMeta, study: Study, report: ParticipantReport, paper: str = "a4"
) -> bytes:
    title = _title(report.participant.study_number)
    return build_report(meta, title, [participant_section(study, report, paper)], paper)


PARTICIPANT_CSV_HEADER = (
    "cycle",
    "dispense",
    "day1",
    "dispensed_on",
    "dose",
    "kits",
    "tablets",
    "returned",
    "not_brought_back",
    "taken",
    "expected",
    "adherence",
    "flags",
    "flag_reason",
    "returned_on",
    "observations",
    "irt_confirmation",
    "voided",  # when the dispense was voided (UTC); empty for one that stands
    "dispensed_by",  # the pharmacist who dispensed and signed (full name)
    "checked_by",  # the second pharmacist who checked and signed; empty when nobody did
    "return_day_note",  # what the expected count makes of the return day (reader's language)
)


def participant_csv(meta: ReportMeta, report: ParticipantReport) -> str:
    """One row per dispense; in a history with a dispense of several products
    (several_products) one row per product of each dispense, its figures its own and its code
    in a last column, "product": 28 capsules and 30 tablets summed as 58 reconciled with
    neither DARF. A history of one product a dispense keeps its columns."""
    several = several_products(report.history)
    rows = [
        [
            *_csv_row(r, figures),
            *((figures.product if figures is not None else "",) if several else ()),
        ]
        for r in report.history
        for figures in (r.products if several and r.products else (None,))
    ]
    return to_csv(
        meta,
        _("{title} ({initials})").format(
            title=_title(report.participant.study_number), initials=report.participant.initials
        ),
        (*PARTICIPANT_CSV_HEADER, *(("product",) if several else ())),
        rows,
    )


def _csv_row(r: DispenseHistoryRow, p: ProductFigures | None) -> list[object]:
    """A dispense's cells; its counts, adherence and flags those of product `p` when given."""
    kits, dispensed = (r.kits, r.tablets) if p is None else (p.kits, p.dispensed)
    returned, unaccounted = (
        (r.returned, r.unaccounted) if p is None else (p.returned, p.unaccounted)
    )
    taken, expected = (r.taken, r.expected) if p is None else (p.taken, p.expected)
    adherence, flags = (r.adherence, r.flags) if p is None else (p.adherence, p.flags)
    return [
        r.cycle,
        r.dispense_number,
        day(r.day1),
        day(r.dispensed_on),
        r.dose_name,
        " ".join(kits),
        dispensed,
        returned,
        unaccounted,
        None if unaccounted else taken,
        expected,
        None if adherence is None else round(adherence, 4),
        " ".join(f.value for f in flags),
        r.flag_reason,
        day(r.returned_on),
        " ".join(f"{o.key}={o.value:g}" for o in r.observations),
        r.irt_confirmation,
        r.voided.at.isoformat() if r.voided is not None else "",
        r.dispensed_by,
        r.checked_by,
        r.return_day_note,
    ]


@dataclass(frozen=True)
class HistoryLine:
    """One line of a participant's history as the report and the `history` command show it: a
    dispense, or one product of a dispense of several (its cells each in its own units)."""

    first: bool  # the dispense's first line: it names the cycle, the dispense and the dose
    product: str  # the product as the reader names it ("" in a study of one product)
    kits: tuple[str, ...]
    dispensed: str
    returned: str
    taken: str
    expected: str
    adherence: float | None
    flags: tuple[Flag, ...]
    codes: tuple[str, ...] = ()
    """The products (study file codes) the line is of: its flags say their unit word."""


def several_products(history: Sequence[DispenseHistoryRow]) -> bool:
    """A history with a dispense of several products (two drugs in a cycle): its lines say each
    product on its own, under a "Product" column. A study of one drug (whatever its strengths)
    keeps a line per dispense."""
    return any(len(r.products) > 1 for r in history)


def history_lines(study: Study, row: DispenseHistoryRow, several: bool) -> list[HistoryLine]:
    """A dispense's lines: with `several` (several_products) one per product, with its own
    dispensed, returned, taken and expected (what its DARF shows: 28 capsules and 30 tablets
    summed as 58 reconcile with neither); else one line of the dispense. Counts as
    Study.quantity says them: bare numbers in a study of tablets only, else "28 capsules"."""
    products = row.products or (
        ProductFigures(study.products[0].code if study.products else "", row.kits, row.tablets),
    )
    if several:
        return [
            HistoryLine(
                index == 0,
                study.product_name(p.product),
                p.kits,
                study.quantity(p.product, p.dispensed),
                _returned(study, p.product, p.returned, p.unaccounted),
                _taken(study, p.product, p.taken, p.unaccounted),
                "" if p.expected is None else study.quantity(p.product, p.expected),
                p.adherence,
                p.flags,
                (p.product,),
            )
            for index, p in enumerate(products)
        ]
    code = products[0].product
    return [
        HistoryLine(
            True,
            "",
            row.kits,
            study.quantity(code, row.tablets),
            _returned(study, code, row.returned, row.unaccounted),
            _taken(study, code, row.taken, row.unaccounted),
            "" if row.expected is None else study.quantity(code, row.expected),
            row.adherence,
            row.flags,
            tuple(p.product for p in products),
        )
    ]


def _returned(study: Study, code: str, returned: int | None, unaccounted: int) -> str:
    """Units counted back, with those not brought back said as such (never a bare 0)."""
    if returned is None:
        return ""
    if not unaccounted:
        return study.quantity(code, returned)
    return _("{returned} + {unaccounted} not brought back").format(
        returned=study.quantity(code, returned), unaccounted=study.quantity(code, unaccounted)
    )


def _taken(study: Study, code: str, taken: int | None, unaccounted: int) -> str:
    """Taken is unknown when units were not brought back: they are not counted as taken."""
    if taken is None:
        return ""
    return _("unknown") if unaccounted else study.quantity(code, taken)
