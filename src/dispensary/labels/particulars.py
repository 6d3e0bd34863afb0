"""The particulars a label must carry (EU CTR Annex VI A.1), each with where it comes from.

A label missing one is refused before anything is printed, with a message naming what is
missing and where to fill it in, e.g. "study file [study] contact_phone", in the reader's
language: the names and the places are built when the label is checked, under `speaking`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dispensary.domain.errors import RuleViolation
from dispensary.i18n import N_, _, sentences
from dispensary.labels.text import expiry_text
from dispensary.services.pharmacy import NONE_SET, Particulars
from dispensary.services.report_data import KitLabelRow
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Product, Study


class IncompleteLabel(RuleViolation):
    """A required particular is empty."""


@dataclass(frozen=True)
class Field:
    particular: int  # 1-12 as numbered in DOMAIN.md; 0 for the pharmacy's own additions
    name: str  # in the reader's language
    text: str
    source: str  # where to fill it in, in the reader's language
    in_study_file: bool = False  # filled in the study file (an administrator updates the study)


def _study_file(particular: int, name: str, text: str, key: str) -> Field:
    """A particular the study file gives, at `key` ("[study] contact_phone")."""
    return Field(particular, name, text, _("study file {key}").format(key=key), True)


KIT_PARTICULARS = (2, 3, 4, 5, 9, 10, 11)
DISPENSING_PARTICULARS = tuple(range(1, 13))


def _product_fields(product: Product, units: str, units_source: str) -> list[Field]:
    def where(key: str) -> str:
        return _("study file [[products]] (code {code}) {key}").format(code=product.code, key=key)

    return [
        Field(2, _("substance name"), product.name, where("name"), True),
        Field(2, _("strength"), product.strength, where("strength"), True),
        Field(3, _("dosage form"), product.form, where("form"), True),
        Field(3, _("route"), product.route, where("route"), True),
        Field(3, _("number of dosage units"), units, units_source),
    ]


def _trial_fields(study: Study) -> list[Field]:
    return [
        _study_file(5, _("trial reference (protocol)"), study.protocol, "[study] protocol"),
        _study_file(5, _("trial reference (site)"), study.site, "[study] site"),
        _study_file(5, _("trial reference (sponsor)"), study.sponsor, "[study] sponsor"),
        _study_file(
            5, _("trial reference (investigator)"), study.investigator, "[study] investigator"
        ),
    ]


def _common_fields(study: Study) -> list[Field]:
    return [
        _study_file(9, _("clinical trial statement"), study.label.caution, "[label] caution"),
        _study_file(
            10, _("storage conditions"), study.temperature.storage, "[temperature] storage"
        ),
    ]


def _receipt_count(study: Study, kit: str, product: str) -> str:
    """The count of units recorded when the kit was received, in the product's own unit word
    ("capsules" of a capsule kit, never "tablets")."""
    return _("the receipt of kit {kit} (number of {units})").format(
        kit=kit, units=study.unit_words((product,))
    )


def _receipt(kit: str, what: str) -> str:
    """A value recorded when the kit was received (its lot, expiry)."""
    return {
        "lot": _("the receipt of kit {kit} (lot)"),
        "expiry": _("the receipt of kit {kit} (expiry)"),
    }[what].format(kit=kit)


def kit_fields(study: Study, kit: KitLabelRow) -> list[Field]:
    product = study.product(kit.product)
    units = str(kit.tablets) if kit.tablets > 0 else ""
    fields = _product_fields(product, units, _receipt_count(study, kit.number, kit.product))
    fields.append(Field(4, _("lot number"), kit.lot, _receipt(kit.number, "lot")))
    fields.extend(_trial_fields(study))
    fields.extend(_common_fields(study))
    fields.append(Field(11, _("expiry"), expiry_text(kit.expiry), _receipt(kit.number, "expiry")))
    fields.append(Field(0, _("kit number"), kit.number, _("the shipment's kit list")))
    return fields


def pharmacy_name(study: Study, pharmacy: Particulars, wording: str = "") -> str:
    """The pharmacy's own name once an administrator set it, else the study file's; a study's
    label text in another language (`wording`) still gives the name its labels print there."""
    return wording or pharmacy.name or study.pharmacy_name


def pharmacy_source(pharmacy: Particulars) -> str:
    """Where the pharmacy's name is set: its own particulars, which only an administrator sets
    in the window (no command sets them), else the study file's."""
    if pharmacy.name:
        return _(PARTICULARS_PLACE)
    return _("study file [study] pharmacy_name, or {particulars}").format(
        particulars=_(PARTICULARS_PLACE)
    )


PARTICULARS_PLACE = N_("'The pharmacy on its labels' on an administrator's Settings screen")
"""Named as the window names them (ui/settings_view.py)."""


def _record(dispense: DispenseResult, what: str) -> str:
    """A value the dispense recorded (its participant, its cycle...)."""
    number = dispense.number or _("(unnumbered)")
    return {
        "participant": _("dispense {dispense} (participant)"),
        "cycle": _("dispense {dispense} (cycle)"),
        "pharmacist": _("dispense {dispense} (pharmacist)"),
        "number": _("dispense {dispense} (number)"),
        "kits": _("dispense {dispense} (kits)"),
    }[what].format(dispense=number)


def dispensing_fields(
    study: Study, dispense: DispenseResult, pharmacy: Particulars = NONE_SET
) -> list[Field]:
    if not dispense.kits:
        raise IncompleteLabel(
            _(
                "The dispensing label of {dispense} cannot be printed: the dispense lists no "
                "kits. Look the dispense up again."
            ).format(dispense=dispense.number or _("(unnumbered)"))
        )
    fields = [
        _study_file(1, _("contact name"), study.contact_name, "[study] contact_name"),
        _study_file(1, _("contact address"), study.contact_address, "[study] contact_address"),
    ]
    if study.contact_phone:  # optional: a label without a telephone where the file gives none
        fields.append(
            _study_file(1, _("contact telephone"), study.contact_phone, "[study] contact_phone")
        )
    counted = dispensed_products(dispense)
    if len(counted) == 1:
        product = study.product(dispense.kits[0].product)
        units = str(dispense.tablets) if dispense.tablets > 0 else ""
        source = _("dispense {dispense} (number of {units})").format(
            dispense=dispense.number or _("(unnumbered)"),
            units=study.unit_words((product.code,)),
        )
        fields.extend(_product_fields(product, units, source))
    else:  # each product's name, strength, form, route and count: not the first one's alone
        for code, count in counted:
            units = str(count) if count > 0 else ""
            source = _("dispense {dispense} (number of {units} of {code})").format(
                dispense=dispense.number or _("(unnumbered)"),
                units=study.unit_words((code,)),
                code=code,
            )
            fields.extend(_product_fields(study.product(code), units, source))
    for kit in dispense.kits:
        fields.extend(_kit_of_dispense(kit, dispense))
    fields.extend(_trial_fields(study))
    fields.append(
        Field(
            6, _("participant study number"), dispense.participant, _record(dispense, "participant")
        )
    )
    fields.append(
        Field(
            6,
            _("cycle"),
            str(dispense.cycle) if dispense.cycle else "",
            _record(dispense, "cycle"),
        )
    )
    fields.append(_study_file(7, _("investigator"), study.investigator, "[study] investigator"))
    fields.append(
        _study_file(8, _("directions for use"), dispense.directions, "[label] directions")
    )
    fields.extend(_common_fields(study))
    fields.append(
        _study_file(
            12,
            _("keep out of reach statement"),
            study.label.keep_out_of_reach,
            "[label] keep_out_of_reach",
        )
    )
    fields.extend(
        [
            Field(
                0,
                _("participant initials"),
                dispense.initials,
                _record(dispense, "participant"),
            ),
            Field(
                0,
                _("pharmacist's initials"),
                dispense.pharmacist_initials,
                _record(dispense, "pharmacist"),
            ),
            Field(
                0,
                _("pharmacy name"),
                pharmacy_name(study, pharmacy),
                pharmacy_source(pharmacy),
            ),
            Field(0, _("dispense number"), dispense.number, _record(dispense, "number")),
        ]
    )
    return fields


def dispensed_products(dispense: DispenseResult) -> list[tuple[str, int]]:
    """Each product of a dispense (its code, in the order of its kits) with the units of it
    dispensed, its kits' added up: a dispense of two products holds two counts, each in its
    own form, never one total."""
    counts: dict[str, int] = {}
    for kit in dispense.kits:
        counts[kit.product] = counts.get(kit.product, 0) + kit.tablets
    return list(counts.items())


def _kit_of_dispense(kit: DispensedKit, dispense: DispenseResult) -> list[Field]:
    return [
        Field(4, _("lot number"), kit.lot, _receipt(kit.kit, "lot")),
        Field(11, _("expiry"), expiry_text(kit.expiry), _receipt(kit.kit, "expiry")),
        Field(0, _("kit number"), kit.kit, _record(dispense, "kits")),
    ]


def check_complete(fields: Sequence[Field], what: str) -> None:
    """Refuses the label when any required text is empty, naming each gap and where to fill
    it in, in the reader's language (`what`: the label, as the reader reads it); a study
    file's gap with what the administrator does next, since no screen edits a study file."""
    missing = [f for f in fields if not f.text.strip()]
    if not missing:
        return
    gaps = _("; ").join(
        (
            _("{number}. {name} (fill in {source})").format(
                number=f.particular, name=f.name, source=f.source
            )
            if f.particular
            else _("{name} (fill in {source})").format(name=f.name, source=f.source)
        )
        for f in missing
    )
    message = [_("The {what} cannot be printed: missing {gaps}.").format(what=what, gaps=gaps)]
    if any(f.in_study_file for f in missing):
        message.append(
            _(
                "An administrator fills in the study file and updates the study with it "
                "(dispensary study update); then print again."
            )
        )
    raise IncompleteLabel(sentences(message))
