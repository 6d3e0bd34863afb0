"""Every word a kit or dispensing label (and the leaflet) prints that is not the study file's:
written once, in English, and translated with dispensary.i18n `_()` into the language being
spoken (`i18n.speaking(language)` around the label's texts). The translations are the
`# labels` entries of resources/i18n/<language>.po.

The constants are the English messages (tests and screens compare with them); the functions
give them in the current language.
"""

from __future__ import annotations

from datetime import date

from dispensary.i18n import (
    ENGLISH,
    ENGLISH_MONTHS,
    N_,
    Language,
    _,
    current_language,
    format_date,
)

MONTHS = tuple(month.upper() for month in ENGLISH_MONTHS)
"""The expiry's months ('EXP 11 JAN 2027'): the dates' own abbreviations, in capitals."""

REPRINT = N_("REPRINT")
QUARANTINED = N_("QUARANTINED: DO NOT DISPENSE")
DOSE_CHANGED = N_("DOSE CHANGED")
# 21 CFR 312.6(a): the immediate package of an investigational new drug in the United States.
# The regulation's own English words: printed as they are on a label in any language.
US_CAUTION = (
    "Caution: New Drug\u2014Limited by Federal (or United States) law to investigational use"
)
# EU CTR Annex VI: a particular may be left off the kit when the participant's label carries it.
SEE_DISPENSING_LABEL = N_(
    "Contact details and directions for use: see the dispensing label (EU CTR Annex VI)"
)


def reprint() -> str:
    return _(REPRINT)


def quarantined() -> str:
    return _(QUARANTINED)


def see_dispensing_label() -> str:
    return _(SEE_DISPENSING_LABEL)


def english() -> bool:
    return current_language() is ENGLISH


def label_date(day: date) -> str:
    """A date in running label text as the directions write theirs: '2 Mar 2026' in English
    (the month in letters, as the expiry: no day/month confusion), the reader's own form in
    another language (2026年3月2日). An ISO date beside 'Mon 2 Mar 2026' read as two forms."""
    if english():
        return format_date(day, current_language(), "short")
    return format_date(day, current_language())


def expiry(day: date, last_of_month: bool) -> str:
    """'EXP 11 JAN 2027'; 'EXP JAN 2027' only when the lot expires on the month's last day.
    The month in letters and the full year, so that it cannot be misread. In Chinese the full
    date ('有效期至 2027年1月11日') or the month ('有效期至 2027年6月')."""
    if english():
        month = f"{MONTHS[day.month - 1]} {day.year}"
        when = month if last_of_month else f"{day.day:02d} {month}"
    elif last_of_month:
        from babel.dates import format_skeleton

        when = format_skeleton("yMMM", day, locale=current_language().value)
    else:
        when = format_date(day, current_language())
    return _("EXP {date}").format(date=when)


PUNCTUATION = {Language.ZH_CN: {".": "\u3002", ", ": "\u3001", "; ": "\uff1b"}}
"""Full stop, list comma and semicolon, where a language writes them otherwise than English
(Chinese: 。、；, full width, no space after them)."""


FULL_STOPS = tuple(marks["."] for marks in PUNCTUATION.values() if marks["."] != ".")
"""The full stops after which no space follows (。)."""


def punctuation(mark: str) -> str:
    return PUNCTUATION.get(current_language(), {}).get(mark, mark)


def sentence(*parts: str) -> str:
    """Joins statements, each ending with one full stop: '. ' in English; in Chinese '。'
    (no space after it), where a statement ending in a Latin full stop ('M.D.') keeps it."""
    cleaned = [p.strip() for p in parts if p.strip()]
    if english():
        return " ".join(f"{p.rstrip('.')}." for p in cleaned)
    stop = punctuation(".")
    out = ""
    for part in cleaned:
        if out and not out.endswith(stop):
            out += " "
        out += part if part.endswith((stop, ".")) else part + stop
    return out


def then(statement: str, rest: str) -> str:
    """A statement with its full stop, then more: 'Tablets: 21, oral. Kit K0012; ...'."""
    return sentence(statement) + (" " if english() else "") + rest


def listed(items: list[str]) -> str:
    """'K0012, K0013' / 'K0012、K0013'."""
    return punctuation(", ").join(items)


def dose(name: str) -> str:
    return _("Dose: {name}").format(name=name)


def dose_changed(previous: str) -> str:
    return _("DOSE CHANGED (was {previous})").format(previous=previous)


def dose_not_taken() -> str:
    """The DOSE CHANGED mark of a kit's product not taken in the previous cycle (a drug
    started, or started again, at this dose level)."""
    return _("DOSE CHANGED (not taken in the previous cycle)")


def units_taken(units: str, frequency: str) -> str:
    """One product's dose, as its DOSE CHANGED mark says the one it was: '1 capsule twice
    daily' / '每日两次，每次1粒' (the order of the directions' words). `units`: the count with
    its word in the language; `frequency`: the study file's 'twice daily' in it."""
    return _("{units} {frequency}").format(units=units, frequency=frequency)


def units_of_strength(units: str, strength: str) -> str:
    """A dose's units with their strength, when the drug's dose changed strength: '1 tablet
    of 7.5 mg' / '1片（7.5 mg）'."""
    return _("{units} of {strength}").format(units=units, strength=strength)


def on_cycle_days(taken: str, first: int, last: int) -> str:
    """A dose taken on some days of the cycle only: '1 capsule twice daily, days 1-14' /
    '每日两次，每次1粒，第1–14天'."""
    return _("{dose}, days {first}-{last}").format(dose=taken, first=first, last=last)


def telephone(number: str) -> str:
    return _("tel. {number}").format(number=number)


def contact(name: str, address: str, phone: str) -> str:
    """`phone`: the number with its word ('tel. ...'), kept on one line by the caller; "" for
    a study file that gives no telephone ([study] contact_phone left out): no telephone said."""
    if not phone:
        return _("Contact: {name}, {address}").format(name=name, address=address)
    return _("Contact: {name}, {address}, {phone}").format(name=name, address=address, phone=phone)


def container(number: int, count: int) -> str:
    """Which of the dispense's kits this label is on, when it has several: 'Kit 1 of 2' /
    '第1个药盒，共2个', beside the participant, so that the pharmacist sees every one printed
    and the participant that another goes with it."""
    return _("Kit {number} of {count}").format(number=number, count=count)


def dispensed(on: date, initials: str, checked: str = "") -> str:
    """'Dispensed 2 Mar 2026 by PP' / '2026年3月2日由PP发放'; with who checked the dispense
    when a second pharmacist did (`checked`: `checked_by`'s words, "" when nobody did):
    'Dispensed 2 Mar 2026 by PP, checked by PS' / '2026年3月2日由PP发放，核对人：PS'."""
    if checked:
        return _("Dispensed {date} by {initials}, {checked}").format(
            date=label_date(on), initials=initials, checked=checked
        )
    return _("Dispensed {date} by {initials}").format(date=label_date(on), initials=initials)


def checked_by(initials: str) -> str:
    """'checked by PS' / '核对人：PS': the second pharmacist who checked a dispense, by the
    initials they sign with."""
    return _("checked by {checker}").format(checker=initials)


def cycle(number: int) -> str:
    return _("Cycle {cycle}").format(cycle=number)


def trial(protocol: str, org_study_id: str, site: str) -> str:
    if org_study_id:
        return _("Trial {protocol} ({org_study_id}), {site}").format(
            protocol=protocol, org_study_id=org_study_id, site=site
        )
    return _("Trial {protocol}, {site}").format(protocol=protocol, site=site)


def investigator(name: str) -> str:
    return _("Investigator: {name}").format(name=name)


def sponsor(name: str) -> str:
    return _("Sponsor: {name}").format(name=name)


def partial_kit(tablets: str) -> str:
    """A kit dispensed with fewer tablets than a full kit (after a count): said on the label, so
    that nobody reads the bottle as a full kit. `tablets`: '20 tablets' / '20片'."""
    return _("partial kit: {tablets}").format(tablets=tablets)


def partial_kit_number(kit: str, tablets: str) -> str:
    """A kit's number with its partial_kit note, bracketed as its language brackets:
    "K0012 (partial kit: 20 tablets)", "C0001（非整盒：20粒）" (ASCII brackets around Chinese
    read as a typing slip)."""
    return _("{kit} ({partial})").format(kit=kit, partial=partial_kit(tablets))


def lot(number: str) -> str:
    return _("Lot {number}").format(number=number)


ROUTES = (N_("oral"),)
"""The routes whose translation the catalogue carries (a study file's own value)."""


def route(name: str) -> str:
    """A route of the study file ('oral'), in the label's language where the catalogue has it."""
    return _(name)


def kit_units(count: int, form: str, route_name: str, tablets: str) -> str:
    """'21 tablets, oral' / '21片，口服'. `tablets`: the count with its word in the language."""
    return _("{count} {form}s, {route}").format(
        count=count, form=form, route=route(route_name), tablets=tablets
    )


def units(count: int, form: str, route_name: str, tablets: str) -> str:
    """'Tablets: 21, oral' / '数量：21片，口服' (the dispensing label's particular 3). It starts
    a line of the label, so its first letter is a capital where the language has them (the
    study file's form is a lower-case word: 'tablet')."""
    text = _("{form}s: {count}, {route}").format(
        count=count, form=form, route=route(route_name), tablets=tablets
    )
    return text[:1].upper() + text[1:]


def product_units(product: str, count: int, form: str, tablets: str) -> str:
    """One product of a dispense of several, with its own count in its own form's word:
    'democapib (fictional) 100 mg: 28 capsules' / '德莫卡匹布胶囊（虚构）100 mg：28粒'. A total
    of two products' units in one form's word would misstate what is in the bag. `tablets`:
    the count with its word in the language."""
    template = _("{product}: {count} {form}") if count == 1 else _("{product}: {count} {form}s")
    return template.format(product=product, count=count, form=form, tablets=tablets)


def with_route(units_text: str, route_name: str) -> str:
    """Units followed by their route: 'A: 28 capsules; B: 30 tablets, oral' (a route said once
    for all the products that share it), '德莫替尼片（虚构）25 mg：30片，口服'."""
    return _("{units}, {route}").format(units=units_text, route=route(route_name))


def products_units(each: list[str]) -> str:
    """The products of a dispense, each with its count: 'A: 28 capsules; B: 30 tablets' /
    'A：28粒；B：30片'."""
    return punctuation("; ").join(each)


def kits(numbers: list[str], lot_number: str, expiry_text: str) -> str:
    """'Kit K0012; lot L2401 EXP JUN 2027' (one lot for all the kits)."""
    if len(numbers) == 1:
        template = _("Kit {kits}; lot {lot} {expiry}")
    else:
        template = _("Kits {kits}; lot {lot} {expiry}")
    return template.format(kits=listed(numbers), lot=lot_number, expiry=expiry_text)


def kits_of_lots(entries: list[str]) -> str:
    """'Kits K0012 lot L1 EXP ...; K0013 lot L2 EXP ...'."""
    return _("Kits {kits}").format(kits=punctuation("; ").join(entries))


def kit_of_lot(number: str, lot_number: str, expiry_text: str) -> str:
    return _("{kit} lot {lot} {expiry}").format(kit=number, lot=lot_number, expiry=expiry_text)
