"""Kit labels, printed at receipt: the kit number as a Code 128 barcode with its text, and
particulars 2, 3, 4, 5, 9, 10 and 11. A shipment prints as one PDF (a sheet, or a roll run).
"""

from __future__ import annotations

from collections.abc import Sequence

from dispensary.domain.errors import InvalidInput
from dispensary.labels.layout import LabelLayout, layout_label, sentence
from dispensary.labels.particulars import check_complete, kit_fields
from dispensary.labels.render import render_labels
from dispensary.labels.stock import NO_CALIBRATION, Calibration, LabelStock
from dispensary.labels.text import Piece, expiry_text, keep_together
from dispensary.services.report_data import KitLabelRow
from dispensary.study import Study

ADVICE = "Choose a larger label stock, or shorten the study file's texts named."


def kit_layout(study: Study, kit: KitLabelRow, stock: LabelStock, reprint: bool) -> LabelLayout:
    check_complete(kit_fields(study, kit), f"kit label of {kit.number}")
    product = study.product(kit.product)
    side = [
        Piece(f"{product.name} {product.strength}", "substance name and strength", bold=True),
        Piece(
            f"{kit.tablets} {product.form}s, {product.route}",
            "dosage form, route and number of units",
        ),
    ]
    body = [
        Piece(
            f"Lot {kit.lot} \u00b7 {keep_together(expiry_text(kit.expiry))}",
            "lot and expiry",
            bold=True,
        ),
        Piece(study.temperature.storage, "storage conditions ([temperature] storage)"),
        Piece(
            sentence(
                f"Trial {study.protocol}"
                + (f" ({study.org_study_id})" if study.org_study_id else "")
                + f", {study.site}",
                f"Investigator: {study.investigator}",
                f"Sponsor: {study.sponsor}",
            ),
            "trial reference ([study] protocol, site, investigator, sponsor)",
        ),
        Piece(
            sentence(study.label.caution), "clinical trial statement ([label] caution)", bold=True
        ),
    ]
    return layout_label(
        stock,
        kit.number,
        side,
        body,
        reprint,
        f"kit label of {kit.number}",
        barcode_share=0.5,
        body_largest=11.0,
        advice=ADVICE,
    )


def kit_labels(
    study: Study,
    kits: Sequence[KitLabelRow],
    stock: LabelStock,
    calibration: Calibration = NO_CALIBRATION,
    reprint: bool = False,
    first_position: int = 1,
) -> bytes:
    """One label per kit, in the order given; every label is checked before any is drawn."""
    if not kits:
        raise InvalidInput("There are no kits to label.")
    layouts = [kit_layout(study, kit, stock, reprint) for kit in kits]
    title = f"Kit labels {kits[0].number}" + (f" to {kits[-1].number}" if len(kits) > 1 else "")
    return render_labels(
        stock, calibration, [layout.draw for layout in layouts], title, first_position
    )
