"""Lot trace (a recall list): every kit of a lot, and every dispense, participant and kit
that received it, with what came back.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

from dispensary.i18n import N_, _
from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    heading,
    long_day,
    para,
    scaled,
)
from dispensary.reports.catalogue import LOT_TITLE
from dispensary.reports.csvfile import to_csv
from dispensary.reports.words import listing, pgettext, plural, term
from dispensary.services.report_data import LotTrace, ReportMeta
from dispensary.study import Study

TITLE = LOT_TITLE  # the one title, listed and printed (reports.catalogue)


def lot_section(study: Study, trace: LotTrace, paper: str) -> Section:
    width = frame_width(True, paper)
    participants = sorted({r.participant for r in trace.dispenses if not r.voided})
    story: list[Flowable] = [
        para(
            _("Lot {lot} reached {participants} in {dispenses}: {who}.").format(
                lot=trace.lot,
                participants=plural(
                    len(participants), N_("{count} participant"), N_("{count} participants")
                ),
                dispenses=plural(
                    len({r.dispense for r in trace.dispenses if not r.voided}),
                    N_("{count} dispense"),
                    N_("{count} dispenses"),
                ),
                who=listing(participants) if participants else _("none"),
            )
        ),
        *heading(_("Dispenses of this lot")),
    ]
    if trace.dispenses:
        story.append(
            data_table(
                [
                    pgettext("date", "Dispensed"),
                    _("Dispense"),
                    _("Participant"),
                    _("Initials"),
                    _("Cycle"),
                    _("Kit"),
                    study.count_heading(),  # "Quantity" but in a study of tablets only
                    _("Returned"),
                    _("Returned on"),
                    _("Note"),
                ],
                [
                    [
                        day(r.dispensed_on),
                        r.dispense,
                        r.participant,
                        r.initials,
                        str(r.cycle),
                        r.kit,
                        study.quantity(trace.product, r.tablets),
                        "" if r.returned is None else study.quantity(trace.product, r.returned),
                        day(r.returned_on),
                        _("voided: the kit never left the pharmacy") if r.voided else "",
                    ]
                    for r in trace.dispenses
                ],
                scaled((15, 15, 14, 10, 8, 12, 10, 10, 15, 40), width),
                numeric=(4, 6, 7),
                highlight=[(i, AMBER) for i, r in enumerate(trace.dispenses) if r.voided],
            )
        )
    else:
        story.append(empty_note(_("No kit of this lot has been dispensed.")))
    story += heading(_("Kits of this lot"))
    story.append(
        data_table(
            [
                _("Kit"),
                _("Status"),
                _("Tablets in the pharmacy") if study.tablets_only else _("In the pharmacy"),
                _("Where"),
                _("Shipment"),
            ],
            [
                [
                    k.number,
                    term(k.status.label),
                    study.quantity(trace.product, k.tablets),
                    k.where or k.location,
                    k.shipment,
                ]
                for k in trace.kits
            ],
            scaled((14, 14, 14, 60, 18), width * 0.9),
            numeric=(2,),
        )
    )
    product = study.product_name(trace.product) if trace.product else trace.product
    fields = [
        (_("Lot"), trace.lot),
        (_("Product"), product),
        (_("Expiry"), long_day(trace.expiry)),
        (_("Protocol no."), study.protocol),
        (_("Kits received"), str(len(trace.kits))),
        (
            _("Tablets received") if study.tablets_only else _("Quantity received"),
            study.quantity(trace.product, trace.tablets_received),
        ),
    ]
    return Section(_(TITLE), story, fields=fields, landscape=True, contents_title=_title(trace))


def _title(trace: LotTrace) -> str:
    return _("{title} {lot}").format(title=_(TITLE), lot=trace.lot)


def lot_pdf(meta: ReportMeta, study: Study, trace: LotTrace, paper: str = "a4") -> bytes:
    return build_report(meta, _title(trace), [lot_section(study, trace, paper)], paper)


def lot_csv(meta: ReportMeta, trace: LotTrace) -> str:
    return to_csv(
        meta,
        _("{title} {lot} ({product}, expiry {expiry})").format(
            title=_(TITLE), lot=trace.lot, product=trace.product, expiry=long_day(trace.expiry)
        ),
        (
            "dispensed_on",
            "dispense",
            "participant",
            "initials",
            "cycle",
            "kit",
            "tablets",
            "returned",
            "returned_on",
            "voided",
        ),
        [
            [
                day(r.dispensed_on),
                r.dispense,
                r.participant,
                r.initials,
                r.cycle,
                r.kit,
                r.tablets,
                r.returned,
                day(r.returned_on),
                r.voided,
            ]
            for r in trace.dispenses
        ],
    )
