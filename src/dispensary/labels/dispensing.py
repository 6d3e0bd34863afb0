"""The dispensing label: all twelve particulars, the participant's initials, the directions
(with start date and days of supply), kit numbers, dispense date, pharmacist's initials, the
pharmacy's name, and the dispense number as a Code 128 barcode scanned at the return.

Each kit handed to the participant (its bottle or box: the immediate packaging) carries its own
label: a dispense of two kits prints two, each with its own product, strength, kit number,
units and directions, and "Kit 1 of 2" beside the participant, so that the pharmacist sees that
every one printed. A dispense of one kit prints its one label as it always did.

It prints in the languages the print plan gives (services.labels: the study's, less those
still to confirm; English when none is given), every particular in each of them on a bilingual
label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dispensary.domain.regimen import DoseLevel
from dispensary.i18n import N_, _, current_language
from dispensary.labels import wording
from dispensary.labels.languages import (
    ENGLISH_ONLY,
    Speech,
    directions,
    dose_name,
    in_every,
    speeches,
)
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
from dispensary.labels.particulars import (
    check_complete,
    dispensed_products,
    dispensing_fields,
    pharmacy_name,
)
from dispensary.labels.render import render_labels
from dispensary.labels.stock import NO_CALIBRATION, STOCKS, Calibration, LabelStock, get_stock
from dispensary.labels.text import LEGIBLE, LabelDoesNotFit, Piece, expiry_text, keep_together
from dispensary.labels.titles import dispense_title, in_languages, reprinted
from dispensary.services.pharmacy import NONE_SET, Particulars
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import LabelLanguage, Study

ADVICE = N_("Print it on a larger stock, or shorten the study file's texts named.")
SEPARATOR = " \u00b7 "
LARGER = N_("Print it on a larger stock")
SHORTEN = N_("or shorten the study file's texts named.")
NONE_LARGER = N_(
    "No larger stock takes it at a legible size either: shorten the study file's texts named."
)


def _kit_number(kit: DispensedKit, text: LabelLanguage, study: Study) -> str:
    """'K0012', or 'K0012 (partial kit: 20 tablets)' when fewer tablets than a full kit (its
    units counted in the word of its dosage form: '20粒' of capsules)."""
    if not kit.partial:
        return kit.kit
    units = text.counted(kit.tablets, study.product(kit.product).form)
    return wording.partial_kit_number(kit.kit, units)


def kits_text(study: Study, dispense: DispenseResult, words: LabelLanguage) -> str:
    """'Kit K0012; lot L2401 EXP JUN 2027' or, for several kits, each with its lot; a partial
    kit says so with its tablets. In the language being spoken (`words`: the study's texts in
    it)."""
    language = current_language()
    lots = {(k.lot, k.expiry) for k in dispense.kits}
    if len(lots) == 1:
        kit = dispense.kits[0]
        numbers = [_kit_number(k, words, study) for k in dispense.kits]
        return wording.kits(numbers, kit.lot, keep_together(expiry_text(kit.expiry, language)))
    return wording.kits_of_lots(
        [
            wording.kit_of_lot(
                _kit_number(k, words, study), k.lot, keep_together(expiry_text(k.expiry, language))
            )
            for k in dispense.kits
        ]
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
        _(
            "A dispensing label cannot be printed on {stock} stock ({size}): its twelve "
            "particulars would print below {legible} pt, too small to read. Load the thermal-4x2 "
            "roll (4 x 2 inch) or use another stock for dispensing labels ({usable}); {stock} is "
            "for kit labels."
        ).format(stock=stock.name, size=stock.size_text, legible=f"{LEGIBLE:g}", usable=usable)
    )


def cautions(study: Study, text: LabelLanguage | None = None) -> str:
    """The clinical trial statement, and the 21 CFR 312.6 caution where the study asks for it
    (in the regulation's English words, on a label in any language)."""
    us = wording.US_CAUTION if study.label.us_caution else ""
    return sentence(text.caution if text else study.label.caution, us)


def _product(study: Study, dispense: DispenseResult, speech: Speech) -> list[Piece]:
    """The heading: the name and strength of each product in the bag ('A 100 mg + B 25 mg')."""
    codes = [code for code, _count in dispensed_products(dispense)]
    keys = ", ".join(f"products.{code}" for code in codes)
    return [
        Piece(
            " + ".join(speech.text.products[code] for code in codes),
            N_("substance name and strength"),
            source=speech.source("", keys),
        )
    ]


def units_text(study: Study, dispense: DispenseResult, text: LabelLanguage) -> str:
    """Particular 3: 'Tablets: 21, oral' for one product; for several each with its own count
    in its own form's word, the route said once when they share it ('A: 28 capsules;
    B: 30 tablets, oral'), else after each. `text`: the study's texts in the language spoken."""
    counted = dispensed_products(dispense)
    if len(counted) == 1:
        product = study.product(dispense.kits[0].product)
        return wording.units(
            dispense.tablets,
            product.form,
            product.route,
            text.counted(dispense.tablets, product.form),
        )
    products = [(study.product(code), count) for code, count in counted]
    each = [
        wording.product_units(text.products[p.code], count, p.form, text.counted(count, p.form))
        for p, count in products
    ]
    routes = list(dict.fromkeys(p.route for p, _count in products))
    if len(routes) == 1:
        return wording.with_route(wording.products_units(each), routes[0])
    return wording.products_units(
        [wording.with_route(one, p.route) for one, (p, _count) in zip(each, products, strict=True)]
    )


def _marks(
    study: Study,
    dispense: DispenseResult,
    speech: Speech,
    previous_dose: int | None,
    products: Sequence[str] | None = None,
) -> list[Piece]:
    """DOSE CHANGED with the dose it was, when the previous dispense's dose level differs.
    Compared by drug (the study file's product name; its strengths are one drug). The label of
    one kit of a dispense (`products`: its own) when either level gives another drug, whose
    name the level's names and whose dose may be as it was, is marked only when its own drug's
    dose changed, with that drug's dose as it was ('1 capsule twice daily, days 1-14'; in
    another strength, that strength named; a drug not taken then: said so). So is a
    dispense's one label (`products` None: its kits' products) when either level gives a drug
    of another name than its own. Otherwise (its own drug alone, whatever its strengths: a
    7.5 mg level then a 2.5 mg one) the previous level's name."""
    if previous_dose is None:
        return []
    now, was = study.dose_level(dispense.dose_level), study.dose_level(previous_dose)
    given = {*now.products, *was.products}
    if products is None:
        products = _other_drug_named(study, dispense, given)
    elif not _another_drug(study, products, given):
        products = None
    if products is not None:
        return [
            mark(
                wording.dose_changed(_drug_dose(study, was, codes_was, codes_now, speech))
                if codes_was
                else wording.dose_not_taken(),
                N_("dose changed mark"),
            )
            for codes_now, codes_was in _drugs_changed(study, products, now, was)
        ]
    if previous_dose == dispense.dose_level:
        return []
    was_name = was.name
    if not speech.english:
        was_name = speech.text.dose_levels.get(previous_dose, was_name)
    return [mark(wording.dose_changed(was_name), N_("dose changed mark"))]


def _drug(study: Study, code: str) -> str:
    """The drug a product is of: its name in the study file (its strengths share it)."""
    return next((p.name for p in study.products if p.code == code), code)


def _another_drug(study: Study, products: Sequence[str], given: set[str]) -> bool:
    """Whether a product of `given` is of a drug none of `products` is."""
    drugs = {_drug(study, code) for code in products}
    return any(_drug(study, code) not in drugs for code in given)


def _drugs_changed(
    study: Study, products: Sequence[str], now: DoseLevel, was: DoseLevel
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The drugs of `products` whose dose differs between the levels, each as the products
    of it each level gives (now, was): a strength changed is a dose changed."""
    changed = []
    for drug in dict.fromkeys(_drug(study, code) for code in products):
        codes_now = tuple(c for c in now.products if _drug(study, c) == drug)
        codes_was = tuple(c for c in was.products if _drug(study, c) == drug)
        regimen_now = [(c, _regimen(study, now, c)) for c in codes_now]
        regimen_was = [(c, _regimen(study, was, c)) for c in codes_was]
        if sorted(regimen_now) != sorted(regimen_was):
            changed.append((codes_now, codes_was))
    return changed


def _drug_dose(
    study: Study,
    dose: DoseLevel,
    codes: tuple[str, ...],
    codes_now: tuple[str, ...],
    speech: Speech,
) -> str:
    """One drug's dose at a level (its products `codes`), each product's as `_product_dose`
    says it; with its strength when the drug is now given in another ('1 tablet of 7.5 mg
    once daily' / '每日一次，每次1片（7.5 mg）')."""
    strengths = set(codes) != set(codes_now)
    return wording.punctuation("; ").join(
        _product_dose(study, dose, code, speech, strengths) for code in codes
    )


def _other_drug_named(
    study: Study, dispense: DispenseResult, given: set[str]
) -> tuple[str, ...] | None:
    """A one-label dispense's products (its kits'), when a dose level it is marked between
    gives a drug of another name (`given`: both levels' products): the previous level's name
    would name that drug on this label. None when the levels give its own drug alone (the
    strengths of one drug are one drug: a level's name names it only)."""
    own = tuple(dict.fromkeys(kit.product for kit in dispense.kits))
    return own if own and _another_drug(study, own, given) else None


def _regimen(study: Study, dose: DoseLevel, product: str) -> tuple[tuple[int, ...], ...]:
    """How a product is taken at a dose level, part by part: (units a dose, doses a day,
    first and last day of the cycle); () when it is not taken."""
    return tuple(
        (
            part.tablets_per_dose,
            part.frequency(dose.doses_per_day),
            part.first_day or 1,
            part.last_day or study.cycle.days_of_supply,
        )
        for part in dose.of_product(product)
    )


def _product_dose(
    study: Study, dose: DoseLevel, product: str, speech: Speech, strength: bool = False
) -> str:
    """One product's dose at a level, without dates, in the language spoken: '1 capsule twice
    daily, days 1-14' / '每日两次，每次1粒，第1–14天'; each part of a product the level gives
    in several, in the file's order."""
    form = study.product(product).form
    parts = []
    for part in dose.of_product(product):
        units = speech.text.counted(part.tablets_per_dose, form)
        if strength:
            units = wording.units_of_strength(units, study.product(product).strength)
        taken = wording.units_taken(
            units,
            speech.text.frequency(part.frequency(dose.doses_per_day)),
        )
        if part.first_day is not None or part.last_day is not None:
            taken = wording.on_cycle_days(
                taken, part.first_day or 1, part.last_day or study.cycle.days_of_supply
            )
        parts.append(taken)
    return wording.punctuation("; ").join(parts)


def pharmacy_text(study: Study, speech: Speech, pharmacy: Particulars) -> str:
    """Who dispensed it: the pharmacy's name, and its address and telephone once an
    administrator gave them (the study's own wording of the name in another language)."""
    translated = "" if speech.english else speech.text.pharmacy_name
    name = pharmacy_name(study, pharmacy, translated)
    if not pharmacy.name:
        return name
    phone = keep_together(wording.telephone(pharmacy.phone)) if pharmacy.phone else ""
    return ", ".join(part for part in (name, pharmacy.address, phone) if part)


@dataclass(frozen=True)
class Container:
    """One kit of a dispense as its own label shows it: `dispense` holds that kit alone (its
    product, its units, its product's directions); `number` of `count` kits of the dispense;
    `products` whose directions it carries (None: every product of the dose, a dispense of one
    kit)."""

    dispense: DispenseResult
    number: int = 1
    count: int = 1
    products: tuple[str, ...] | None = None


def containers(study: Study, dispense: DispenseResult) -> list[Container]:
    """The labels a dispense prints, one per kit; a dispense of one kit (or none: refused by
    its particulars' check) is its own one label, as it always printed."""
    if len(dispense.kits) <= 1:
        return [Container(dispense)]
    start = dispense.start_date or dispense.day1
    days = max(1, (dispense.last_day - start).days + 1)
    dose = study.dose_level(dispense.dose_level)
    made = []
    for number, kit in enumerate(dispense.kits, start=1):
        own = replace(
            dose, components=tuple(c for c in dose.components if c.product == kit.product)
        )
        one = replace(
            dispense,
            kits=(kit,),
            tablets=kit.tablets,
            directions=study.directions_for(own, start, days),
            product_directions=study.product_directions(own, start, days),
        )
        made.append(Container(one, number, len(dispense.kits), (kit.product,)))
    return made


def _side(
    study: Study,
    dispense: DispenseResult,
    speech: Speech,
    pharmacy: Particulars,
    container: Container | None = None,
) -> list[Piece]:
    who: tuple[str, ...] = (dispense.participant, dispense.initials, wording.cycle(dispense.cycle))
    if container is not None and container.count > 1:
        who = (*who, wording.container(container.number, container.count))
    # Who checked the dispense kept on one line (核对人 was broken after 核对).
    checker = dispense.checked_by_initials
    checked = keep_together(wording.checked_by(checker)) if checker else ""
    where = (
        pharmacy_text(study, speech, pharmacy),
        wording.dispensed(dispense.dispensed_on, dispense.pharmacist_initials, checked),
    )
    return [
        Piece(
            SEPARATOR.join(who), N_("participant and cycle"), bold=True, parts=who, joiner=JOINER
        ),
        Piece(
            sentence(*where),
            N_("pharmacy name (Settings, or [study] pharmacy_name), dispense date and pharmacist"),
            parts=where,
        ),
    ]


def _dose_of(
    study: Study, dispense: DispenseResult, speech: Speech, products: Sequence[str] | None
) -> str:
    """'Dose: <the dose level's name>'; "" on the label of one kit of a dispense of several
    drugs, where the level's name names the other drug too: its heading names its own product
    and strength and its own product's directions its dose, in the study file's words."""
    dose = study.dose_level(dispense.dose_level)
    if products is not None and not set(dose.products) <= set(products):
        return ""
    return wording.dose(dose_name(dispense, speech))


def _body(
    study: Study,
    dispense: DispenseResult,
    speech: Speech,
    weekday: bool = True,
    products: Sequence[str] | None = None,
) -> list[Piece]:
    text = speech.text
    units = units_text(study, dispense, text)
    trial = sentence(
        wording.trial(study.protocol, study.org_study_id, text.site or study.site),
        wording.investigator(text.investigator or study.investigator),
        wording.sponsor(text.sponsor or study.sponsor),
    )
    return [
        Piece(wording.then(units, kits_text(study, dispense, text)), N_("units, kits and lots")),
        Piece(
            sentence(
                _dose_of(study, dispense, speech, products),
                directions(study, dispense, speech, weekday, products),
            ),
            N_("dose and directions"),
            bold=True,
            source=speech.source("[label] directions", "directions"),
        ),
        Piece(
            sentence(text.storage, text.keep_out_of_reach, cautions(study, text)),
            N_("storage, keep-out-of-reach and clinical trial statements"),
            source=speech.source(
                "[temperature] storage, [label] keep_out_of_reach, caution",
                "storage, keep_out_of_reach, caution",
            ),
        ),
        Piece(
            sentence(trial, contact_text(study, text)),
            N_("trial reference and contact"),
            source="[study] protocol, site, investigator, sponsor, "
            + speech.source("contact_name, contact_address", "contact_name, contact_address")
            + (", contact_phone" if study.contact_phone else ""),
        ),
    ]


def dispensing_layout(
    study: Study,
    dispense: DispenseResult,
    stock: LabelStock,
    reprint: bool,
    previous_dose: int | None = None,
    languages: Sequence[str] = ENGLISH_ONLY,
    pharmacy: Particulars = NONE_SET,
    container: Container | None = None,
) -> LabelLayout:
    """`previous_dose`: the dose level of the participant's previous dispense (None: none, or
    not known); a different one is marked DOSE CHANGED with the dose it was. `languages`: the
    languages it prints in, the main one first. `pharmacy`: the pharmacy's own particulars
    (services.pharmacy), printed instead of the study file's pharmacy name once set.
    `container`: the one kit of the dispense this label is for (`containers`); None: the
    dispense's one kit."""
    check_complete(
        dispensing_fields(study, dispense, pharmacy),
        _("dispensing label of {dispense}").format(dispense=dispense.number),
    )
    check_dispensing_stock(stock)
    spoken = speeches(study, languages)
    on_it = container.dispense if container is not None else dispense
    products = container.products if container is not None else None

    def laid(chosen: LabelStock, weekday: bool) -> LabelLayout:
        return layout_label(
            chosen,
            dispense.number,
            in_every(spoken, lambda s: _product(study, on_it, s)),
            in_every(spoken, lambda s: _side(study, on_it, s, pharmacy, container)),
            in_every(spoken, lambda s: _body(study, on_it, s, weekday, products)),
            in_every(spoken, lambda s: [reprint_mark()]) if reprint else (),
            _("dispensing label of {dispense}").format(dispense=dispense.number),
            barcode_share=0.32,
            body_largest=9.0,
            advice=ADVICE,
            marks=in_every(spoken, lambda s: _marks(study, on_it, s, previous_dose, products)),
        )

    def on(chosen: LabelStock) -> LabelLayout:
        """The start date as the leaflet writes it ('Wed 1 Jul 2026'); without its weekday
        ('1 Jul 2026') on a label with no room for it, rather than a larger stock."""
        try:
            return laid(chosen, True)
        except LabelDoesNotFit:
            return laid(chosen, False)

    try:
        return on(stock)
    except LabelDoesNotFit as error:
        larger = larger_stocks(stock, on, dispensing=True)
        raise refusal_naming(error, larger, LARGER, SHORTEN, NONE_LARGER) from error


def dispensing_layouts(
    study: Study,
    dispense: DispenseResult,
    stock: LabelStock,
    reprint: bool,
    previous_dose: int | None = None,
    languages: Sequence[str] = ENGLISH_ONLY,
    pharmacy: Particulars = NONE_SET,
) -> list[LabelLayout]:
    """The labels of a dispense, one per kit (`containers`), each measured; refused whole when
    one of them does not fit or lacks a particular."""
    return [
        dispensing_layout(
            study, dispense, stock, reprint, previous_dose, languages, pharmacy, container
        )
        for container in containers(study, dispense)
    ]


def contact_text(study: Study, text: LabelLanguage | None = None) -> str:
    """Particular 1, the telephone number kept on one line (none when the study file gives
    none: [study] contact_phone is optional)."""
    phone = study.contact_phone
    return wording.contact(
        text.contact_name if text else study.contact_name,
        text.contact_address if text else study.contact_address,
        keep_together(wording.telephone(phone)) if phone else "",
    )


def dispensing_label(
    study: Study,
    dispense: DispenseResult,
    stock: LabelStock,
    calibration: Calibration = NO_CALIBRATION,
    reprint: bool = False,
    first_position: int = 1,
    previous_dose: int | None = None,
    languages: Sequence[str] = ENGLISH_ONLY,
    pharmacy: Particulars = NONE_SET,
    title: str | None = None,
) -> bytes:
    """The labels of one dispense, one for each of its kits (`containers`), in `languages`
    (the print plan's). `title`: the PDF's (the print's, labels.catalogue); else the
    dispense's, in the label's languages."""
    layouts = dispensing_layouts(
        study, dispense, stock, reprint, previous_dose, languages, pharmacy
    )
    return render_labels(
        stock,
        calibration,
        [layout.draw for layout in layouts],
        title
        or in_languages(languages, lambda: reprinted(dispense_title(dispense, False), reprint)),
        first_position,
    )


SAMPLE_DAY = date(2030, 12, 31)


def sample_dispense(study: Study) -> DispenseResult:
    """A dispense of the study as its labels usually print: its dose level with the most
    products (one full kit each, each from its own lot), a two-digit cycle, numbers of the
    usual length, checked by a second pharmacist (their initials printed beside the
    pharmacist's, the longer line). A reprint or a dose-change mark on top may still ask for a
    larger stock, as it does today with the study file's name."""
    dose = max(study.dose_levels, key=lambda d: (len(d.components), len(d.name)))
    codes = list(dict.fromkeys(c.product for c in dose.components)) or [study.products[0].code]
    kits = tuple(
        DispensedKit(
            kit=f"K{number:04d}",
            product=code,
            product_name=study.product(code).name,
            strength=study.product(code).strength,
            lot=f"L{number:05d}A",
            expiry=SAMPLE_DAY,
            tablets=study.product(code).tablets_per_kit,
        )
        for number, code in enumerate(codes, start=2401)
    )
    days = study.cycle.days_of_supply
    start = SAMPLE_DAY - timedelta(days=days)
    return DispenseResult(
        dispense_id=0,
        number="DSP000123",
        participant="001-0123",
        initials="ABC",
        cycle=12,
        day1=start,
        dose_level=dose.level,
        dose_name=dose.name,
        directions=study.directions_for(dose, start, days),
        kits=kits,
        tablets=sum(k.tablets for k in kits),
        days=days,
        last_day=start + timedelta(days=days - 1),
        dispensed_on=start,
        pharmacist="",
        pharmacist_initials="ABC",
        checked_by="",
        checked_by_initials="ABC",
        warnings=(),
        start_date=start,
        product_directions=study.product_directions(dose, start, days),
    )


def sample_labels(
    study: Study,
    sample: DispenseResult,
    stock: LabelStock,
    languages: Sequence[str] = ENGLISH_ONLY,
    pharmacy: Particulars = NONE_SET,
) -> list[LabelLayout]:
    """The labels of a sample dispense (`sample_dispense`), each of its kits' own; a sample of
    one kit is also laid out as the second of two kits, as a dispense of two kits of the
    product prints it ("Kit 2 of 2" beside the participant)."""
    layouts = dispensing_layouts(study, sample, stock, False, None, languages, pharmacy)
    if len(sample.kits) == 1:
        second = Container(sample, 2, 2)
        layouts.append(
            dispensing_layout(study, sample, stock, False, None, languages, pharmacy, second)
        )
    return layouts


STUDY_LARGER = N_("Name a larger stock in the study file's [label] default_stock")


def check_study_label_fits(study: Study) -> Study:
    """Refuses a study file whose dispensing label (a sample dispense of its longest dose
    level) does not fit its default stock, in each language its labels may print in: checked
    when the file is added or updated, since afterwards the label is refused only at print
    time, after the dispense is saved. The refusal names the texts to shorten and the larger
    stocks that take it, as the print's does. Returns the study, fitting."""
    stock = get_stock(study.label.default_stock)
    sample = sample_dispense(study)
    ways = dict.fromkeys([study.print_languages, *((code,) for code in study.may_print_in)])
    for languages in ways:

        def on(chosen: LabelStock, languages: Sequence[str] = languages) -> list[LabelLayout]:
            return sample_labels(study, sample, chosen, languages)

        try:
            on(stock)
        except LabelDoesNotFit as error:
            problem = _(
                "Study {study}, its default stock checked with a sample dispense in "
                "{languages}: {problem}"
            ).format(study=study.protocol, languages=" + ".join(languages), problem=error.problem)
            larger = larger_stocks(stock, on, dispensing=True)
            raise refusal_naming(
                LabelDoesNotFit(problem), larger, STUDY_LARGER, SHORTEN, NONE_LARGER
            ) from error
    return study


class ParticularsDoNotFit(LabelDoesNotFit):
    """The pharmacy's name, address and telephone leave a dispensing label no room."""


def check_particulars_fit(study: Study, pharmacy: Particulars, *, saved: bool = False) -> None:
    """Refuses particulars with which a dispensing label of `study` would not fit a stock the
    pharmacy may dispense on, in the languages its labels print in, naming the stock; checked
    before they are saved, since afterwards every dispensing label would be refused. A stock
    the study's own texts already overfill is the study file's matter, not the pharmacy's: in
    any language its labels may print in (a study whose English label overfills the 4 x 2 inch
    roll prints in English there until its Chinese text is confirmed, so it needs a larger
    stock whatever the pharmacy's name). `saved`: the particulars are those the pharmacy saved
    and `study` is being added or amended (services.pharmacy.LabelRoom), said so."""
    if not pharmacy.name:
        return  # the study file's name, as every label printed so far
    sample = sample_dispense(study)
    ways = [study.print_languages, *((language,) for language in study.may_print_in)]
    for stock in (s for s in STOCKS.values() if s.for_dispensing):

        def fits(
            particulars: Particulars,
            on: LabelStock = stock,
            languages: Sequence[str] = study.print_languages,
        ) -> bool:
            try:
                sample_labels(study, sample, on, languages, particulars)
            except LabelDoesNotFit:
                return False
            return True

        if fits(pharmacy) or not all(fits(NONE_SET, stock, way) for way in ways):
            continue
        if saved:
            raise ParticularsDoNotFit(
                _(
                    "With the pharmacy's name, address and telephone saved in Settings, a "
                    "dispensing label of {study} would not fit on {stock} stock ({size}): "
                    "shorten the study file's texts, or the pharmacy's particulars in Settings "
                    "first."
                ).format(study=study.protocol, stock=stock.name, size=stock.size_text)
            )
        raise ParticularsDoNotFit(
            _(
                "With this name, address and telephone a dispensing label of {study} would not "
                "fit on {stock} stock ({size}): shorten them (the address to its street and "
                "town, for instance) so that every label can print."
            ).format(study=study.protocol, stock=stock.name, size=stock.size_text)
        )
