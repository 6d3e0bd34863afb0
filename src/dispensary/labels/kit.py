"""Kit labels, printed at receipt: the kit number as a Code 128 barcode with its text, and
the particulars 2 to 5 and 9 to 12, with the contact (1), or, where the stock is too small for
it at a legible size, a statement that it is on the dispensing label (EU CTR Annex VI). A
quarantined kit's label is marked so. A shipment prints as one PDF (a sheet, or a roll run),
in the languages the print plan gives (English when none is given).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from dispensary.domain.errors import InvalidInput
from dispensary.i18n import N_, _
from dispensary.labels import wording
from dispensary.labels.dispensing import cautions, contact_text
from dispensary.labels.languages import ENGLISH_ONLY, Speech, in_every, speeches
from dispensary.labels.layout import (
    JOINER,
    LabelLayout,
    larger_stocks,
    layout_label,
    mark,
    refusal_naming,
    reprint_mark,
    sentence,
)
from dispensary.labels.particulars import check_complete, kit_fields
from dispensary.labels.render import render_labels
from dispensary.labels.stock import NO_CALIBRATION, Calibration, LabelStock
from dispensary.labels.text import LabelDoesNotFit, Piece, expiry_text, keep_together
from dispensary.labels.titles import in_languages, kit_labels_title, reprinted
from dispensary.services.report_data import KitLabelRow
from dispensary.study import Study

ADVICE = N_("Choose a larger label stock, or shorten the study file's texts named.")
LARGER = N_("Choose a larger label stock")
SHORTEN = N_("or shorten the study file's texts named.")
NONE_LARGER = N_(
    "No larger label stock takes it at a legible size either: shorten the study file's texts named."
)


def kit_layout(
    study: Study,
    kit: KitLabelRow,
    stock: LabelStock,
    reprint: bool,
    quarantined: bool = False,
    languages: Sequence[str] = ENGLISH_ONLY,
) -> LabelLayout:
    """The complete label; where the stock is too small for the contact, the label says it is
    on the dispensing label; refused (naming the texts, and a larger stock that takes the
    label) when even that does not fit."""
    check_complete(kit_fields(study, kit), _("kit label of {kit}").format(kit=kit.number))
    spoken = speeches(study, languages)

    def on(chosen: LabelStock) -> LabelLayout:
        try:
            return _kit_layout(study, kit, chosen, reprint, quarantined, spoken, True)
        except LabelDoesNotFit:
            return _kit_layout(study, kit, chosen, reprint, quarantined, spoken, False)

    try:
        return on(stock)
    except LabelDoesNotFit as error:
        larger = larger_stocks(stock, on, dispensing=False)
        raise refusal_naming(error, larger, LARGER, SHORTEN, NONE_LARGER) from error


def _contact(study: Study, speech: Speech, with_contact: bool) -> str:
    if with_contact:
        return contact_text(study, speech.text)
    return wording.see_dispensing_label()


def _kit_layout(
    study: Study,
    kit: KitLabelRow,
    stock: LabelStock,
    reprint: bool,
    quarantined: bool,
    spoken: Sequence[Speech],
    with_contact: bool,
) -> LabelLayout:
    product = study.product(kit.product)

    def marks(speech: Speech) -> list[Piece]:
        return [mark(wording.quarantined(), N_("quarantine mark"))] if quarantined else []

    def side(speech: Speech) -> list[Piece]:
        units = wording.kit_units(
            kit.tablets, product.form, product.route, speech.text.counted(kit.tablets, product.form)
        )
        field = N_("dosage form, route and number of units")
        return [Piece(units, field, bold=True, parts=(units,), joiner=JOINER)]

    def body(speech: Speech) -> list[Piece]:
        text = speech.text
        expiry = keep_together(expiry_text(kit.expiry, speech.language))
        return [
            Piece(f"{wording.lot(kit.lot)} \u00b7 {expiry}", N_("lot and expiry"), bold=True),
            Piece(
                sentence(text.storage, text.keep_out_of_reach),
                N_("storage conditions and keep-out-of-reach"),
                source=speech.source(
                    "[temperature] storage, [label] keep_out_of_reach",
                    "storage, keep_out_of_reach",
                ),
            ),
            Piece(
                cautions(study, text),
                N_("clinical trial statement"),
                bold=True,
                source=speech.source("[label] caution", "caution"),
            ),
            Piece(
                sentence(
                    wording.trial(study.protocol, study.org_study_id, text.site or study.site),
                    wording.investigator(text.investigator or study.investigator),
                    wording.sponsor(text.sponsor or study.sponsor),
                ),
                N_("trial reference ([study] protocol, site, investigator, sponsor)"),
            ),
            Piece(
                _contact(study, speech, with_contact),
                N_("contact"),
                source=speech.source(
                    "[study] contact_name, contact_address", "contact_name, contact_address"
                )
                + (", contact_phone" if study.contact_phone else ""),
            ),
        ]

    def name(speech: Speech) -> list[Piece]:
        return [
            Piece(
                speech.text.products[kit.product],
                N_("substance name and strength"),
                source=speech.source("", f"products.{kit.product}"),
            )
        ]

    return layout_label(
        stock,
        kit.number,
        in_every(spoken, name),
        in_every(spoken, side),
        in_every(spoken, body),
        in_every(spoken, lambda s: [reprint_mark()]) if reprint else (),
        _("kit label of {kit}").format(kit=kit.number),
        barcode_share=0.45,
        body_largest=11.0,
        advice=ADVICE,
        marks=in_every(spoken, marks),
    )


def kit_labels(
    study: Study,
    kits: Sequence[KitLabelRow],
    stock: LabelStock,
    calibration: Calibration = NO_CALIBRATION,
    reprint: bool = False,
    first_position: int = 1,
    quarantined: Collection[str] = (),
    languages: Sequence[str] = ENGLISH_ONLY,
    title: str | None = None,
) -> bytes:
    """One label per kit, in the order given; every label is checked before any is drawn.
    The kits numbered in `quarantined` are marked QUARANTINED. `languages`: the print plan's.
    `title`: the PDF's (the print's, labels.catalogue); else the kits, in the labels'
    languages."""
    if not kits:
        raise InvalidInput("There are no kits to label.")
    layouts = [
        kit_layout(study, kit, stock, reprint, kit.number in quarantined, languages) for kit in kits
    ]
    if title is None:
        numbers = [kit.number for kit in kits]
        title = in_languages(languages, lambda: reprinted(kit_labels_title(numbers), reprint))
    return render_labels(
        stock, calibration, [layout.draw for layout in layouts], title, first_position
    )
