"""The dispensing label: all twelve particulars, the participant's initials, the directions
(with start date and days of supply), kit numbers, dispense date, pharmacist's initials, the
pharmacy's name, and the dispense number as a Code 128 barcode scanned at the return.
"""

from __future__ import annotations

from dispensary.labels import wording
from dispensary.labels.layout import LabelLayout, layout_label, mark, sentence
from dispensary.labels.particulars import check_complete, dispensing_fields
from dispensary.labels.render import render_labels
from dispensary.labels.stock import NO_CALIBRATION, STOCKS, Calibration, LabelStock
from dispensary.labels.text import LEGIBLE, LabelDoesNotFit, Piece, expiry_text, keep_together
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study

ADVICE = (
    "Print it on a larger stock (thermal-4x2, a4-sheet or letter-sheet), or shorten the study "
    "file's texts named."
)


def _kit_number(kit: DispensedKit) -> str:
    """'K0012', or 'K0012 (partial kit: 20 tablets)' when fewer tablets than a full kit."""
    return f"{kit.kit} ({wording.partial_kit(kit.tablets)})" if kit.partial else kit.kit


def kits_text(dispense: DispenseResult) -> str:
    """'Kit K0012, lot L2401 EXP JUN 2027' or, for several kits, each with its lot; a partial
    kit says so with its tablets."""
    lots = {(k.lot, k.expiry) for k in dispense.kits}
    numbers = ", ".join(_kit_number(k) for k in dispense.kits)
    word = "Kit" if len(dispense.kits) == 1 else "Kits"
    if len(lots) == 1:
        kit = dispense.kits[0]
        return f"{word} {numbers}; lot {kit.lot} {keep_together(expiry_text(kit.expiry))}"
    return "Kits " + "; ".join(
        f"{_kit_number(k)} lot {k.lot} {keep_together(expiry_text(k.expiry))}"
        for k in dispense.kits
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


def cautions(study: Study) -> str:
    """The clinical trial statement, and the 21 CFR 312.6 caution where the study asks for it."""
    us = wording.US_CAUTION if study.label.us_caution else ""
    return sentence(study.label.caution, us)


def dispensing_layout(
    study: Study,
    dispense: DispenseResult,
    stock: LabelStock,
    reprint: bool,
    previous_dose: int | None = None,
) -> LabelLayout:
    """`previous_dose`: the dose level of the participant's previous dispense (None: none, or
    not known); a different one is marked DOSE CHANGED with the dose it was."""
    check_complete(dispensing_fields(study, dispense), f"dispensing label of {dispense.number}")
    check_dispensing_stock(stock)
    product = study.product(dispense.kits[0].product)
    marks = []
    if previous_dose is not None and previous_dose != dispense.dose_level:
        was = study.dose_level(previous_dose).name
        marks.append(mark(wording.dose_changed(was), "dose changed mark"))
    side = [
        Piece(
            f"{dispense.participant} \u00b7 {dispense.initials} \u00b7 Cycle {dispense.cycle}",
            "participant and cycle",
            bold=True,
        ),
        Piece(
            sentence(
                study.pharmacy_name,
                wording.dispensed(dispense.dispensed_on, dispense.pharmacist_initials),
            ),
            "pharmacy name ([study] pharmacy_name), dispense date and pharmacist",
        ),
    ]
    trial = sentence(
        wording.trial(study.protocol, study.org_study_id, study.site),
        wording.investigator(study.investigator),
        wording.sponsor(study.sponsor),
    )
    body = [
        Piece(
            f"{product.form}s: {dispense.tablets}, {product.route}. {kits_text(dispense)}",
            "units, kits and lots",
        ),
        Piece(
            sentence(wording.dose(dispense.dose_name), dispense.directions),
            "dose and directions ([label] directions)",
            bold=True,
        ),
        Piece(
            sentence(study.temperature.storage, study.label.keep_out_of_reach, cautions(study)),
            "storage, keep-out-of-reach and clinical trial statements",
        ),
        Piece(
            sentence(trial, contact_text(study)),
            "trial reference and contact ([study] protocol, site, investigator, sponsor, "
            "contact_name, contact_address, contact_phone)",
        ),
    ]
    return layout_label(
        stock,
        dispense.number,
        Piece(f"{product.name} {product.strength}", "substance name and strength"),
        side,
        body,
        reprint,
        f"dispensing label of {dispense.number}",
        barcode_share=0.32,
        body_largest=9.0,
        advice=ADVICE,
        marks=marks,
    )


def contact_text(study: Study) -> str:
    """Particular 1, the telephone number kept on one line."""
    return wording.contact(
        study.contact_name, study.contact_address, keep_together(study.contact_phone)
    )


def dispensing_label(
    study: Study,
    dispense: DispenseResult,
    stock: LabelStock,
    calibration: Calibration = NO_CALIBRATION,
    reprint: bool = False,
    first_position: int = 1,
    previous_dose: int | None = None,
) -> bytes:
    """The label for the bottle(s) of one dispense."""
    layout = dispensing_layout(study, dispense, stock, reprint, previous_dose)
    return render_labels(
        stock, calibration, [layout.draw], f"Dispensing label {dispense.number}", first_position
    )
