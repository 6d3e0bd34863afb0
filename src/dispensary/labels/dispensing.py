"""The dispensing label: all twelve particulars, the participant's initials, the directions
(with start date and days of supply), kit numbers, dispense date, pharmacist's initials, the
pharmacy's name, and the dispense number as a Code 128 barcode scanned at the return.
"""

from __future__ import annotations

from dispensary.labels.layout import LabelLayout, layout_label, sentence
from dispensary.labels.particulars import check_complete, dispensing_fields
from dispensary.labels.render import render_labels
from dispensary.labels.stock import NO_CALIBRATION, STOCKS, Calibration, LabelStock
from dispensary.labels.text import LabelDoesNotFit, Piece, expiry_text, keep_together
from dispensary.services.results import DispenseResult
from dispensary.study import Study

LEGIBLE = 6.5  # points: the smallest body text a participant is expected to read
ADVICE = (
    "Print it on a larger stock (thermal-4x2, a4-sheet or letter-sheet), or shorten the study "
    "file's texts named."
)


def kits_text(dispense: DispenseResult) -> str:
    """'Kit K0012, lot L2401 EXP JUN 2027' or, for several kits, each with its lot."""
    lots = {(k.lot, k.expiry) for k in dispense.kits}
    numbers = ", ".join(k.kit for k in dispense.kits)
    word = "Kit" if len(dispense.kits) == 1 else "Kits"
    if len(lots) == 1:
        kit = dispense.kits[0]
        return f"{word} {numbers}; lot {kit.lot} {keep_together(expiry_text(kit.expiry))}"
    return "Kits " + "; ".join(
        f"{k.kit} lot {k.lot} {keep_together(expiry_text(k.expiry))}" for k in dispense.kits
    )


def check_dispensing_stock(stock: LabelStock) -> None:
    """Refuses a stock too small for the twelve particulars at a legible size.

    One complete label per bottle: the cautions and contact split onto a second label could
    end up on another participant's bottle, so a small stock is refused rather than split.
    """
    if stock.for_dispensing:
        return
    usable = ", ".join(s.name for s in STOCKS.values() if s.for_dispensing)
    raise LabelDoesNotFit(
        f"A dispensing label cannot be printed on {stock.name} stock ({stock.size_text}): its "
        f"twelve particulars would print below {LEGIBLE:g} pt, too small to read. Load the "
        f"thermal-4x2 roll (4 x 2 inch) or use another stock for dispensing labels ({usable}); "
        f"{stock.name} is for kit labels."
    )


def dispensing_layout(
    study: Study, dispense: DispenseResult, stock: LabelStock, reprint: bool
) -> LabelLayout:
    check_complete(dispensing_fields(study, dispense), f"dispensing label of {dispense.number}")
    check_dispensing_stock(stock)
    product = study.product(dispense.kits[0].product)
    side = [
        Piece(study.pharmacy_name, "pharmacy name ([study] pharmacy_name)", bold=True),
        Piece(
            f"Dispensed {dispense.dispensed_on.isoformat()} by {dispense.pharmacist_initials}",
            "dispense date and pharmacist",
        ),
    ]
    trial = sentence(
        f"Trial {study.protocol}"
        + (f" ({study.org_study_id})" if study.org_study_id else "")
        + f", {study.site} {study.site_name}",
        f"Investigator: {study.investigator}",
        f"Sponsor: {study.sponsor}",
    )
    body = [
        Piece(
            f"{dispense.participant} \u00b7 {dispense.initials} \u00b7 Cycle {dispense.cycle}",
            "participant and cycle",
            bold=True,
            scale=1.2,
        ),
        Piece(
            f"{product.name} {product.strength} {product.form}s: {dispense.tablets}, "
            f"{product.route}. {kits_text(dispense)}",
            "product, units, kits and lots",
            bold=True,
        ),
        Piece(dispense.directions, "directions ([label] directions)", bold=True),
        Piece(
            sentence(study.temperature.storage, study.label.keep_out_of_reach, study.label.caution),
            "storage, keep-out-of-reach and clinical trial statements",
        ),
        Piece(trial, "trial reference ([study] protocol, site, investigator, sponsor)"),
        Piece(
            f"Contact: {study.contact_name}, {study.contact_address}, "
            + keep_together(f"tel. {study.contact_phone}"),
            "contact ([study] contact_name, contact_address, contact_phone)",
        ),
    ]
    return layout_label(
        stock,
        dispense.number,
        side,
        body,
        reprint,
        f"dispensing label of {dispense.number}",
        barcode_share=0.42,
        body_largest=9.0,
        advice=ADVICE,
    )


def dispensing_label(
    study: Study,
    dispense: DispenseResult,
    stock: LabelStock,
    calibration: Calibration = NO_CALIBRATION,
    reprint: bool = False,
    first_position: int = 1,
) -> bytes:
    """The label for the bottle(s) of one dispense."""
    layout = dispensing_layout(study, dispense, stock, reprint)
    return render_labels(
        stock, calibration, [layout.draw], f"Dispensing label {dispense.number}", first_position
    )
