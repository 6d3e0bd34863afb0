"""The particulars a label must carry (EU CTR Annex VI A.1), each with where it comes from.

A label missing one is refused before anything is printed, with a message naming what is
missing and where to fill it in, e.g. "study file [study] contact_phone".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dispensary.domain.errors import RuleViolation
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
    name: str
    text: str
    source: str


KIT_PARTICULARS = (2, 3, 4, 5, 9, 10, 11)
DISPENSING_PARTICULARS = tuple(range(1, 13))


def _product_fields(product: Product, units: str, units_source: str) -> list[Field]:
    where = f"study file [[products]] (code {product.code})"
    return [
        Field(2, "substance name", product.name, f"{where} name"),
        Field(2, "strength", product.strength, f"{where} strength"),
        Field(3, "dosage form", product.form, f"{where} form"),
        Field(3, "route", product.route, f"{where} route"),
        Field(3, "number of dosage units", units, units_source),
    ]


def _trial_fields(study: Study) -> list[Field]:
    return [
        Field(5, "trial reference (protocol)", study.protocol, "study file [study] protocol"),
        Field(5, "trial reference (site)", study.site, "study file [study] site"),
        Field(5, "trial reference (sponsor)", study.sponsor, "study file [study] sponsor"),
        Field(
            5,
            "trial reference (investigator)",
            study.investigator,
            "study file [study] investigator",
        ),
    ]


def _common_fields(study: Study) -> list[Field]:
    return [
        Field(9, "clinical trial statement", study.label.caution, "study file [label] caution"),
        Field(
            10, "storage conditions", study.temperature.storage, "study file [temperature] storage"
        ),
    ]


def kit_fields(study: Study, kit: KitLabelRow) -> list[Field]:
    product = study.product(kit.product)
    units = str(kit.tablets) if kit.tablets > 0 else ""
    fields = _product_fields(product, units, f"the receipt of kit {kit.number} (tablet count)")
    fields.append(Field(4, "lot number", kit.lot, f"the receipt of kit {kit.number} (lot)"))
    fields.extend(_trial_fields(study))
    fields.extend(_common_fields(study))
    fields.append(
        Field(11, "expiry", expiry_text(kit.expiry), f"the receipt of kit {kit.number} (expiry)")
    )
    fields.append(Field(0, "kit number", kit.number, "the shipment's kit list"))
    return fields


def pharmacy_name(study: Study, pharmacy: Particulars, wording: str = "") -> str:
    """The pharmacy's own name once an administrator set it, else the study file's; a study's
    label text in another language (`wording`) still gives the name its labels print there."""
    return wording or pharmacy.name or study.pharmacy_name


def pharmacy_source(pharmacy: Particulars) -> str:
    if pharmacy.name:
        return "the pharmacy's particulars (Settings screen)"
    return "study file [study] pharmacy_name, or the pharmacy's particulars (Settings screen)"


def dispensing_fields(
    study: Study, dispense: DispenseResult, pharmacy: Particulars = NONE_SET
) -> list[Field]:
    record = f"dispense {dispense.number or '(unnumbered)'}"
    if not dispense.kits:
        raise IncompleteLabel(
            f"The dispensing label of {record} cannot be printed: the dispense lists no kits. "
            "Look the dispense up again."
        )
    fields = [
        Field(1, "contact name", study.contact_name, "study file [study] contact_name"),
        Field(1, "contact address", study.contact_address, "study file [study] contact_address"),
        Field(1, "contact telephone", study.contact_phone, "study file [study] contact_phone"),
    ]
    counted = dispensed_products(dispense)
    if len(counted) == 1:
        product = study.product(dispense.kits[0].product)
        units = str(dispense.tablets) if dispense.tablets > 0 else ""
        fields.extend(_product_fields(product, units, f"{record} (tablets)"))
    else:  # each product's name, strength, form, route and count: not the first one's alone
        for code, count in counted:
            units = str(count) if count > 0 else ""
            source = f"{record} (tablets of {code})"
            fields.extend(_product_fields(study.product(code), units, source))
    for kit in dispense.kits:
        fields.extend(_kit_of_dispense(kit, record))
    fields.extend(_trial_fields(study))
    fields.append(
        Field(6, "participant study number", dispense.participant, f"{record} (participant)")
    )
    fields.append(
        Field(6, "cycle", str(dispense.cycle) if dispense.cycle else "", f"{record} (cycle)")
    )
    fields.append(Field(7, "investigator", study.investigator, "study file [study] investigator"))
    fields.append(
        Field(8, "directions for use", dispense.directions, "study file [label] directions")
    )
    fields.extend(_common_fields(study))
    fields.append(
        Field(
            12,
            "keep out of reach statement",
            study.label.keep_out_of_reach,
            "study file [label] keep_out_of_reach",
        )
    )
    fields.extend(
        [
            Field(0, "participant initials", dispense.initials, f"{record} (participant)"),
            Field(
                0, "pharmacist's initials", dispense.pharmacist_initials, f"{record} (pharmacist)"
            ),
            Field(0, "pharmacy name", pharmacy_name(study, pharmacy), pharmacy_source(pharmacy)),
            Field(0, "dispense number", dispense.number, f"{record} (number)"),
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


def _kit_of_dispense(kit: DispensedKit, record: str) -> list[Field]:
    return [
        Field(4, "lot number", kit.lot, f"the receipt of kit {kit.kit} (lot)"),
        Field(11, "expiry", expiry_text(kit.expiry), f"the receipt of kit {kit.kit} (expiry)"),
        Field(0, "kit number", kit.kit, f"{record} (kits)"),
    ]


def check_complete(fields: Sequence[Field], what: str) -> None:
    """Refuses the label when any required text is empty, naming each gap and its source."""
    missing = [f for f in fields if not f.text.strip()]
    if not missing:
        return
    gaps = "; ".join(
        (f"{f.particular}. {f.name}" if f.particular else f.name) + f" (fill in {f.source})"
        for f in missing
    )
    raise IncompleteLabel(f"The {what} cannot be printed: missing {gaps}.")
