"""Lot trace (a recall list): every kit of a lot, and every dispense, participant and kit
that received it, with what came back.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    heading,
    para,
    scaled,
)
from dispensary.reports.csvfile import to_csv
from dispensary.services.report_data import LotTrace, ReportMeta
from dispensary.study import Study

TITLE = "Lot trace"


def lot_section(study: Study, trace: LotTrace, paper: str) -> Section:
    width = frame_width(True, paper)
    participants = sorted({r.participant for r in trace.dispenses if not r.voided})
    story: list[Flowable] = [
        para(
            f"Lot {trace.lot} reached {len(participants)} participants in "
            f"{len({r.dispense for r in trace.dispenses if not r.voided})} dispenses: "
            + (", ".join(participants) if participants else "none")
            + "."
        ),
        *heading("Dispenses of this lot"),
    ]
    if trace.dispenses:
        story.append(
            data_table(
                [
                    "Dispensed",
                    "Dispense",
                    "Participant",
                    "Initials",
                    "Cycle",
                    "Kit",
                    "Tablets",
                    "Returned",
                    "Returned on",
                    "Note",
                ],
                [
                    [
                        day(r.dispensed_on),
                        r.dispense,
                        r.participant,
                        r.initials,
                        str(r.cycle),
                        r.kit,
                        str(r.tablets),
                        "" if r.returned is None else str(r.returned),
                        day(r.returned_on),
                        "voided: the kit never left the pharmacy" if r.voided else "",
                    ]
                    for r in trace.dispenses
                ],
                scaled((15, 15, 14, 10, 8, 12, 10, 10, 15, 40), width),
                numeric=(4, 6, 7),
                highlight=[(i, AMBER) for i, r in enumerate(trace.dispenses) if r.voided],
            )
        )
    else:
        story.append(empty_note("No kit of this lot has been dispensed."))
    story += heading("Kits of this lot")
    story.append(
        data_table(
            ["Kit", "Status", "Tablets in the pharmacy", "Where", "Shipment"],
            [
                [k.number, k.status.label, str(k.tablets), k.where or k.location, k.shipment]
                for k in trace.kits
            ],
            scaled((14, 14, 14, 60, 18), width * 0.9),
            numeric=(2,),
        )
    )
    product = study.product(trace.product).display if trace.product else trace.product
    fields = [
        ("Lot", trace.lot),
        ("Product", product),
        ("Expiry", day(trace.expiry)),
        ("Protocol no.", study.protocol),
        ("Kits received", str(len(trace.kits))),
        ("Tablets received", str(trace.tablets_received)),
    ]
    return Section(
        TITLE, story, fields=fields, landscape=True, contents_title=f"{TITLE} {trace.lot}"
    )


def lot_pdf(meta: ReportMeta, study: Study, trace: LotTrace, paper: str = "a4") -> bytes:
    return build_report(meta, f"{TITLE} {trace.lot}", [lot_section(study, trace, paper)], paper)


def lot_csv(meta: ReportMeta, trace: LotTrace) -> str:
    return to_csv(
        meta,
        f"{TITLE} {trace.lot} ({trace.product}, expiry {day(trace.expiry)})",
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
