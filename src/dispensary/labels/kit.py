"""Kit labels, printed at receipt: the kit number as a Code 128 barcode with its text, and
the particulars 2 to 5 and 9 to 12, with the contact (1), or, where the stock is too small for
it at a legible size, a statement that it is on the dispensing label (EU CTR Annex VI). A
quarantined kit's label is marked so. A shipment prints as one PDF (a sheet, or a roll run).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from dispensary.domain.errors import InvalidInput
from dispensary.labels import wording
from dispensary.labels.dispensing import cautions, contact_text
from dispensary.labels.layout import LabelLayout, layout_label, mark, sentence
from dispensary.labels.particulars import check_complete, kit_fields
from dispensary.labels.render import render_labels
from dispensary.labels.stock import NO_CALIBRATION, Calibration, LabelStock
from dispensary.labels.text import LabelDoesNotFit, Piece, expiry_text, keep_together
from dispensary.services.report_data import KitLabelRow
from dispensary.study import Study

ADVICE = "Choose a larger label stock, or shorten the study file's texts named."


def kit_layout(
    study: Study, kit: KitLabelRow, stock: LabelStock, reprint: bool, quarantined: bool = False
) -> LabelLayout:
    """The complete label; where the stock is too small for the contact, the label says it is
    on the dispensing label; refused (naming the texts) when even that does not fit."""
    check_complete(kit_fields(study, kit), f"kit label of {kit.number}")
    try:
        return _kit_layout(study, kit, stock, reprint, quarantined, contact_text(study))
    except LabelDoesNotFit:
        return _kit_layout(study, kit, stock, reprint, quarantined, wording.SEE_DISPENSING_LABEL)


def _kit_layout(
    study: Study,
    kit: KitLabelRow,
    stock: LabelStock,
    reprint: bool,
    quarantined: bool,
    contact: str,
) -> LabelLayout:
    product = study.product(kit.product)
    marks = [mark(wording.QUARANTINED, "quarantine mark")] if quarantined else []
    side = [
        Piece(
            wording.kit_units(kit.tablets, product.form, product.route),
            "dosage form, route and number of units",
            bold=True,
        ),
    ]
    body = [
        Piece(
            f"{wording.lot(kit.lot)} \u00b7 {keep_together(expiry_text(kit.expiry))}",
            "lot and expiry",
            bold=True,
        ),
        Piece(
            sentence(study.temperature.storage, study.label.keep_out_of_reach),
            "storage conditions and keep-out-of-reach ([temperature] storage, "
            "[label] keep_out_of_reach)",
        ),
        Piece(cautions(study), "clinical trial statement ([label] caution)", bold=True),
        Piece(
            sentence(
                wording.trial(study.protocol, study.org_study_id, study.site),
                wording.investigator(study.investigator),
                wording.sponsor(study.sponsor),
            ),
            "trial reference ([study] protocol, site, investigator, sponsor)",
        ),
        Piece(contact, "contact ([study] contact_name, contact_address, contact_phone)"),
    ]
    return layout_label(
        stock,
        kit.number,
        Piece(f"{product.name} {product.strength}", "substance name and strength"),
        side,
        body,
        reprint,
        f"kit label of {kit.number}",
        barcode_share=0.45,
        body_largest=11.0,
        advice=ADVICE,
        marks=marks,
    )


def kit_labels(
    study: Study,
    kits: Sequence[KitLabelRow],
    stock: LabelStock,
    calibration: Calibration = NO_CALIBRATION,
    reprint: bool = False,
    first_position: int = 1,
    quarantined: Collection[str] = (),
) -> bytes:
    """One label per kit, in the order given; every label is checked before any is drawn.
    The kits numbered in `quarantined` are marked QUARANTINED."""
    if not kits:
        raise InvalidInput("There are no kits to label.")
    layouts = [kit_layout(study, kit, stock, reprint, kit.number in quarantined) for kit in kits]
    title = f"Kit labels {kits[0].number}" + (f" to {kits[-1].number}" if len(kits) > 1 else "")
    return render_labels(
        stock, calibration, [layout.draw for layout in layouts], title, first_position
    )
