"""Loads a study file (resources/studies/*.toml) so that no study fact lives in code.

A malformed file is refused with a message naming the key and the line, so that the person
editing it can find the mistake without reading Python.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import string
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dispensary.domain.codes import LANGUAGE_NAMES, Flag
from dispensary.domain.errors import NotFound, StudyFileError
from dispensary.domain.regimen import DoseComponent, DoseLevel
from dispensary.domain.rules import DAY1_NEAR_DAYS, STARTING_DOSE_LEVEL
from dispensary.files import with_detail
from dispensary.i18n import ENGLISH, N_, Language, _, current_language, listed, translated
from dispensary.packaged import resource

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"-]+)\s*\]\]?\s*(?:#.*)?$")


def _indexed(part: str) -> tuple[str, int | None]:
    """'products[1]' -> ('products', 1); 'study' -> ('study', None)."""
    name, _bracket, rest = part.partition("[")
    return name, int(rest.rstrip("]")) if rest.rstrip("]").isdigit() else None


def protocol_key(protocol: str) -> str:
    """A protocol number as two of them are compared: without the spaces around it and in any
    case ("nct07198672 " is NCT07198672), so that one study is never added twice under two
    spellings, and a study named one way finds the study recorded the other way."""
    return protocol.strip().upper()


def chosen_protocol(protocols: Iterable[str], wanted: str) -> str | None:
    """The protocol of `protocols` that `wanted` names: the one spelt exactly so, else the one
    equal to it by protocol_key (a database holding two spellings of one protocol, added before
    they were refused, opens the one named exactly)."""
    held = list(protocols)
    if wanted in held:
        return wanted
    return next((p for p in held if protocol_key(p) == protocol_key(wanted)), None)


def default_study_path() -> Path:
    """The bundled study file of the first study the program serves."""
    return resource("studies", "NCT07198672.toml")


def bundled_studies() -> Path:
    """The folder of the study files the program ships with (resources/studies)."""
    return resource("studies")


FICTIONAL_PREFIX = "DEMO-"
"""The name of a bundled study file that is fictional (DEMO-28D-BID.toml: no real protocol, no
real drug): the demo pharmacy's and the tests', never offered to a real pharmacy to serve."""


def is_fictional(path: Path) -> bool:
    """A bundled study file of a fictional study (FICTIONAL_PREFIX)."""
    return path.name.upper().startswith(FICTIONAL_PREFIX)


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    strength: str
    strength_mg: float
    form: str
    route: str
    tablets_per_kit: int
    manufacturer: str = ""  # printed on the DARF's header

    @property
    def display(self) -> str:
        return f"{self.name} {self.strength} {self.form}"


@dataclass(frozen=True)
class CycleRules:
    length_days: int
    days_of_supply: int
    min_days_since_previous_day1: int | None
    """The protocol's minimum interval between two cycles' day 1 ([cycle]
    min_days_since_previous_day1, with min_days_source); None when the study file gives none:
    no such rule, a day 1 need only come after the previous one (earliest_days)."""
    expiry_margin_days: int
    previous_return_missing: str  # "refuse" or "warn"
    max_cycles: int
    day1_event: str = ""
    """What day 1 of a cycle is, in English ([cycle] day1_event: "the T-DM1 infusion"), named
    where a date of day 1 is to be checked; "" when the study file does not say."""
    day1_near_days: int = DAY1_NEAR_DAYS
    """How far day 1 may lie from the dispense date ([cycle] day1_near_days, a typing check;
    DAY1_NEAR_DAYS when the study file does not say)."""
    return_day_doses: int = 0
    """How many of a day's doses a participant may have taken on the day of the return visit
    before coming ([cycle] return_day_doses, a protocol fact: 1 when the first dose is the
    morning of day 1 in a twice-daily study): counted as neither over-use nor missed. 0 when
    the study file does not say: the first dose is the evening of day 1, the return day no
    dosing day (NCT07198672)."""

    @property
    def has_min_interval(self) -> bool:
        """The study file sets a minimum interval (the rule cycle.min_interval)."""
        return self.min_days_since_previous_day1 is not None

    @property
    def earliest_days(self) -> int:
        """Days after the previous day 1 the next day 1 falls at the earliest: the minimum
        interval, else 1 (no minimum interval: any day after the previous day 1)."""
        found = self.min_days_since_previous_day1
        return found if found is not None else 1


@dataclass(frozen=True)
class AdherenceRules:
    under_use_below: float
    over_use_above: float


@dataclass(frozen=True)
class Temperature:
    storage: str
    min_celsius: float
    max_celsius: float


@dataclass(frozen=True)
class Eligibility:
    min_age: int
    sex: str
    inclusion: tuple[str, ...]
    exclusion: tuple[str, ...]
    other_study: int | None = None
    """The exclusion criterion on another study's treatment, by its place in `exclusion` (from
    0): [eligibility] other_study_exclusion (its number, from 1) with other_study_source;
    None when the study file names none (the enrolment's warning then names no criterion)."""
    other_study_source: str = ""


@dataclass(frozen=True)
class Observation:
    """A value the pharmacist records at dispense (a platelet count, a weight), declared by the
    study file's [[observations]] (not by the database's schema)."""

    key: str  # "platelets", "weight"
    name: str  # as the counter shows it: "Weight"
    unit: str  # "kg", "×10⁹/L" (written_unit: as a pharmacist writes it)
    required: bool
    minimum: float
    maximum: float

    @property
    def in_dispense_column(self) -> bool:
        """The platelet count keeps its own column of the dispense (older databases hold it
        there); every other observation is a row of dispense_observations."""
        return self.key == PLATELETS


SUPERSCRIPT_DIGITS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
POWER_OF_TEN = re.compile(r"(?:^|(?<=\s))[xX×]\s*10\s*\^\s*(-?\d+)")
POWER = re.compile(r"\^(-?\d+)")


def written_unit(unit: str) -> str:
    """A unit as a pharmacist writes it, in every language: "x 10^9/L" (as a study file or an
    older record may type it) is "×10⁹/L", with the multiplication sign and the power raised;
    a unit without a power ("kg") is as given."""
    raised = POWER_OF_TEN.sub(lambda m: "×10" + m.group(1).translate(SUPERSCRIPT_DIGITS), unit)
    return POWER.sub(lambda m: m.group(1).translate(SUPERSCRIPT_DIGITS), raised).strip()


PLATELETS = "platelets"
PLATELET_UNIT = written_unit("x 10^9/L")
"""The platelet count's unit, "×10⁹/L": the one text the field, the notices, the rules, the
refusals and the reports write it with, in English and in Chinese."""
PLATELET_COUNT = Observation(PLATELETS, N_("Platelets"), PLATELET_UNIT, False, 0.0, 5000.0)
"""The platelet count of a study file that declares none of its own in [[observations]]: asked
when [platelets] holds the drug, and taken at a dispense (optional) whatever the study."""
IRT_CONFIRMATION = "irt_confirmation"
"""The key the IRT confirmation number is stored under with its dispense."""
KIT_ASSIGNMENTS = ("pharmacy", "irt")
"""pharmacy: the pharmacist takes kits first expiry first out; irt: the sponsor's IRT assigns
the kit (blinded studies) and only that kit may go out."""


@dataclass(frozen=True)
class WeightBand:
    """A weight band of dose by weight: below `below_kg` (None: every weight not below an
    earlier band) the dose level is `level`."""

    below_kg: float | None
    level: int


@dataclass(frozen=True)
class DoseByWeight:
    """The dose level chosen by the participant's weight band (recorded at dispense)."""

    observation: str  # the observation holding the weight
    bands: tuple[WeightBand, ...]  # in order of weight

    def level_for(self, weight: float) -> int:
        for band in self.bands:
            if band.below_kg is None or weight < band.below_kg:
                return band.level
        return self.bands[-1].level

    def bands_text(self) -> str:
        """'< 60 kg: 1; >= 60 kg: 2': the bands in signs and numbers, the same in every
        language."""
        parts = []
        lower: float | None = None
        for band in self.bands:
            if band.below_kg is None:
                weight = f">= {lower:g} kg" if lower is not None else "*"
            elif lower is None:
                weight = f"< {band.below_kg:g} kg"
            else:
                weight = f"{lower:g}-{band.below_kg:g} kg"
            parts.append(f"{weight}: {band.level}")
            lower = band.below_kg
        return "; ".join(parts)

    def band_text(self, level: int) -> str:
        """'under 60 kg', '60 kg or more', '60 kg to under 80 kg' (the band of a level)."""
        lower: float | None = None
        for band in self.bands:
            if band.level == level:
                if band.below_kg is None:
                    return f"{lower:g} kg or more" if lower is not None else "any weight"
                if lower is None:
                    return f"under {band.below_kg:g} kg"
                return f"{lower:g} kg to under {band.below_kg:g} kg"
            lower = band.below_kg
        return ""


@dataclass(frozen=True)
class Approval:
    """The ethics committee's (IRB's) approval of the study at this site: no dispensing after
    it expires, a warning `warn_days_before` days ahead."""

    ethics_expires: date
    warn_days_before: int


@dataclass(frozen=True)
class LabelText:
    caution: str
    keep_out_of_reach: str
    directions: str
    missed_dose: str
    return_instruction: str
    default_stock: str
    us_caution: bool = False
    """Print the 21 CFR 312.6 caution line (labels/wording.US_CAUTION): a study under a US
    IND sets `us_caution = true` in [label]."""
    product_directions: dict[str, str] = field(default_factory=dict)
    """[label.product_directions]: a product's own directions (else `directions`)."""
    leaflet_doses: str = ""
    """The leaflet's first and last dose sentence, at the study's dosing time ("First dose:
    the evening of {first}..."); "": the program's wording, which names no time of day."""
    diary_date: str = ""
    """The heading of the diary's date column ("Date (evening)"); "": "Date"."""
    diary_tick: str = ""
    """The diary's instruction to tick each day's box ("Tick the box each evening when you
    have taken {dose}; ..."); "": the program's, which names no time of day."""


@dataclass(frozen=True)
class LabelLanguage:
    """The label and leaflet texts of one language. English is read from the study file's own
    [study], [products], [dose_levels], [temperature] and [label] keys; another language from
    [label.text.<language>], which gives every one of these texts (nothing falls back silently
    to English on a Chinese label)."""

    language: str  # "en", "zh_CN"
    title: str
    directions: str
    storage: str
    caution: str
    keep_out_of_reach: str
    missed_dose: str
    return_instruction: str
    contact_name: str
    contact_address: str
    products: dict[str, str]  # product code -> the product's name and strength as printed
    dose_levels: dict[int, str]  # dose level -> its name as printed
    tablets_one: str = "{count} tablet"  # "1 tablet" / "1片"
    tablets_many: str = "{count} tablets"
    source: str = "registry"
    # Names a language may write its own way; [study]'s when the language gives none (a
    # proper name may stay in Latin letters).
    investigator: str = ""
    sponsor: str = ""
    site: str = ""
    site_name: str = ""
    pharmacy_name: str = ""
    short_title: str = ""  # the study's short name in the windows' headings
    storage_area: str = ""  # the store's name as shown (records keep [study]'s)
    product_directions: dict[str, str] = field(default_factory=dict)
    """A product's own directions in this language (product code -> text), else `directions`."""
    leaflet_doses: str = ""
    """The leaflet's dosing-time texts in this language (LabelText says what each is); ""
    where the study file gives none: the program's wording, which names no time of day."""
    diary_date: str = ""
    diary_tick: str = ""
    day1_event: str = ""
    """What day 1 of a cycle is in this language ("T-DM1输注"); "" when [cycle] gives none."""
    observations: dict[str, str] = field(default_factory=dict)
    """An observation's name in this language (key -> name), else the English name."""
    inclusion: tuple[str, ...] = ()
    """The eligibility criteria in this language, one for each of [eligibility]'s, in its
    order (the enrolment window ticks them); empty: [eligibility]'s English."""
    exclusion: tuple[str, ...] = ()
    forms: dict[str, str] = field(default_factory=dict)
    """A dosage form in this language, by the English [[products]] gives it ("tablet" ->
    "片剂"); one left out is printed in English."""
    routes: dict[str, str] = field(default_factory=dict)
    """A route in this language, by its English in [[products]] ("oral" -> "口服")."""
    manufacturers: dict[str, str] = field(default_factory=dict)
    """A manufacturer's name in this language, by its English in [[products]]."""
    units: dict[str, str] = field(default_factory=dict)
    """A number of units of one dosage form, by the English [[products]] gives it ("capsule"
    -> "{count}粒"): Chinese counts capsules and tablets with words of their own, so a capsule
    kit must not say 片. A form left out is counted with tablets_one / tablets_many."""

    once_daily: str = "once daily"  # {frequency} of a drug taken once a day
    twice_daily: str = "twice daily"
    times_daily: str = "{count} times daily"

    def tablets(self, count: int) -> str:
        return (self.tablets_one if count == 1 else self.tablets_many).format(count=count)

    def counted(self, count: int, form: str) -> str:
        """`count` units of a dosage form of [[products]] ("28粒" of capsules, "30片" of
        tablets): the form's own word where `units` gives one; a tablet as tablets() says it
        in another language; else the program's own word for a known form (own_units: "28粒"
        of capsules, where tablets_many "{count}片" miscounted them), and English the form
        itself ("28 capsules": the English texts come from the study's own keys, which give
        no `units`, and a capsule kit said "28 tablets")."""
        template = self._units_of(form)
        if template is not None:
            return template.format(count=count)
        if self.language != ENGLISH.value and is_tablet(form):
            return self.tablets(count)
        return own_units(count, form, self.language)

    def unit_word(self, form: str) -> str:
        """The word a number of this form is counted in, without the number ("粒", "片";
        "capsules" in English): as counted() says it."""
        template = self._units_of(form)
        if template is None and self.language != ENGLISH.value and is_tablet(form):
            template = self.tablets_many
        if template is None:
            return own_unit_word(form, self.language)
        return template.format(count="").strip()

    def _units_of(self, form: str) -> str | None:
        """`units`' word of a form, as [[products]] writes it, else of its noun (form_noun: a
        word given for "capsule" counts a "capsule, hard")."""
        found = self.units.get(form)
        noun = form_noun(form)
        if found is None and noun is not None:
            found = self.units.get(noun)
        return found

    def frequency(self, doses_per_day: int) -> str:
        """'once daily', 'twice daily', '3 times daily' in this language."""
        if doses_per_day == 1:
            return self.once_daily
        if doses_per_day == 2:
            return self.twice_daily
        return self.times_daily.format(count=doses_per_day)


LABEL_NAME_KEYS = (
    "investigator",
    "sponsor",
    "site",
    "site_name",
    "pharmacy_name",
    "short_title",
    "storage_area",
)
FREQUENCY_KEYS = ("once_daily", "twice_daily", "times_daily")
"""Needed in [label.text.<language>] when its directions use {frequency}."""
"""Optional in [label.text.<language>]: [study]'s own name when left out."""

LEAFLET_TIME_KEYS: dict[str, tuple[str, ...]] = {
    "leaflet_doses": ("first", "last", "days"),
    "diary_date": (),
    "diary_tick": ("dose",),
}
"""Optional in [label] and [label.text.<language>] (given in all of them or in none): the
leaflet's wording of the study's dosing time, with the placeholders each may use."""

LABEL_TEXT_KEYS = (
    "title",
    "directions",
    "storage",
    "caution",
    "keep_out_of_reach",
    "missed_dose",
    "return_instruction",
    "contact_name",
    "contact_address",
    "tablets_one",
    "tablets_many",
)

READ_KEYS = frozenset(
    (
        *LABEL_TEXT_KEYS,
        *LABEL_NAME_KEYS,
        *FREQUENCY_KEYS,
        *LEAFLET_TIME_KEYS,
        "source",
        "day1_event",
        "products",
        "dose_levels",
        "product_directions",
        "inclusion",
        "exclusion",
        "observations",
        "forms",
        "routes",
        "manufacturers",
        "units",
    )
)
"""Keys of a [label.text.<language>] table: a missing key is never said to be one of these
misspelt (the table's other keys are read after the one found missing)."""


RULE_SOURCE = re.compile(
    r"registry|protocol [0-9A-Za-z][0-9A-Za-z.]*|site decision [0-9]{4}-[0-9]{2}(?:-[0-9]{2})?"
)
"""Where a rule comes from: the registry record, a protocol section, or a site decision with its
date (e.g. "protocol 6.2", "site decision 2026-11")."""


@dataclass(frozen=True)
class StudyRule:
    """One rule of the study file with its source. Rules from the registry or the protocol hold
    as written; any other (a site decision) is "to confirm" until an administrator confirms it
    (services/studies.confirm_rule), and until then it never blocks a step at the counter: it
    shows as a warning "rule to confirm" (domain/rules.RULE_TO_CONFIRM)."""

    key: str  # "cycle", "cycle.min_interval", "platelets", "products.<code>", "dose_levels.<n>"
    title: str
    source: str
    digest: str = ""
    """The SHA-256 of what the rule says in the file (rule_digest): a confirmation covers this
    text only; a rule whose text changes, its source kept, is to confirm again."""

    @property
    def authoritative(self) -> bool:
        """From the registry or the protocol: confirmed by its source."""
        return self.source == "registry" or self.source.startswith("protocol ")


@dataclass(frozen=True)
class Study:
    protocol: str
    org_study_id: str
    title: str
    short_title: str
    phase: str
    blinding: str
    sponsor: str
    investigator: str
    contact_name: str
    contact_address: str
    contact_phone: str
    """[study] contact_phone; "" when the study file gives none (a label without a telephone:
    its contact line, and the leaflet's, name none)."""
    site: str
    site_name: str
    pharmacy_name: str
    storage_area: str
    planned_enrolment: int
    cycle: CycleRules
    adherence: AdherenceRules
    temperature: Temperature
    platelet_hold_at_or_above: float
    eligibility: Eligibility
    products: tuple[Product, ...]
    dose_levels: tuple[DoseLevel, ...]
    label: LabelText
    source_text: str
    rules: tuple[StudyRule, ...] = ()
    split_kits: bool = False  # False: kits are never split, whole kits go out
    label_languages: tuple[str, ...] = ("en",)
    """The languages labels and leaflets print in, the first the main one."""
    label_bilingual: bool = False
    """True: one label carries every language of `label_languages`; False: the first only."""
    texts: dict[str, LabelLanguage] = field(default_factory=dict)
    """Label and leaflet texts by language ("en" always)."""
    lead_time_days: int | None = None
    """[supply] lead_time_days: days from a re-supply order to the kits on the shelf, for the
    supply forecast's latest order date (None: the study file gives none)."""
    observations: tuple[Observation, ...] = ()
    """Asked at dispense, in order ([[observations]]; the platelet count of [platelets])."""
    dose_by_weight: DoseByWeight | None = None
    approval: Approval | None = None
    kit_assignment: str = "pharmacy"
    return_grace_days: int = 7
    """Days after the cycle's end a return is still on time ([returns] grace_days)."""

    def observation(self, key: str) -> Observation:
        for item in self.observations:
            if item.key == key:
                return item
        known = listed(o.key for o in self.observations) or "-"
        raise NotFound(
            _("Study {study} asks no observation '{key}' at dispense. Known: {known}.").format(
                study=self.protocol, key=key, known=known
            )
        )

    @property
    def asks_platelets(self) -> bool:
        """A platelet count is asked at this study's dispenses: its file sets a platelet rule
        ([platelets] hold_at_or_above) or declares the count in [[observations]]. A study that
        does neither records none (the window shows no field; a count given is refused)."""
        return bool(self.platelet_hold_at_or_above) or any(
            o.key == PLATELETS for o in self.observations
        )

    def platelet_observation(self) -> Observation:
        """The platelet count as the study file declares it (its unit and range), else the
        program's (PLATELET_COUNT): a count given at a dispense is checked against it."""
        for item in self.observations:
            if item.key == PLATELETS:
                return item
        return PLATELET_COUNT

    def observation_name(self, key: str, language: str = "en") -> str:
        """The observation's name in a language (the study file's), else its English name,
        translated when it is the program's own (the platelet count a study file need not
        declare)."""
        text = self.texts.get(language)
        name = text.observations.get(key) if text is not None else None
        return name or translated(self.observation(key).name, language)

    def day1_event_named(self, language: str | None = None) -> str:
        """What day 1 of a cycle is, in `language` (default: the reader's): the study file's
        [cycle] day1_event ("the T-DM1 infusion") or its [label.text.<language>] one
        ("T-DM1输注"); "" when the file does not say (a study whose day 1 is no infusion: the
        program then says "day 1", never another study's event)."""
        code = language or current_language().value
        found = self.texts.get(code) if code != ENGLISH.value else None
        return (found.day1_event if found is not None else "") or self.cycle.day1_event

    def text(self, language: str) -> LabelLanguage:
        """The label texts of a language; refused when the study file gives none."""
        found = self.texts.get(language)
        if found is None:
            known = listed(self.texts)
            raise NotFound(
                _(
                    "Study {study} gives no label text in {language}: add [label.text.{language}] "
                    "to the study file, or use {known}."
                ).format(study=self.protocol, language=language, known=known)
            )
        return found

    @property
    def print_languages(self) -> tuple[str, ...]:
        """The languages one label carries: all of them when bilingual, else the main one."""
        return self.label_languages if self.label_bilingual else self.label_languages[:1]

    @property
    def may_print_in(self) -> tuple[str, ...]:
        """Every language a label of the study may print in, for the checks that it fits: the
        listed label_languages, and English when the study does not list it but every language
        it lists waits for its text to be confirmed. English is the file's own keys (the
        protocol's words, nothing to confirm): the last resort services.labels.print_languages
        prints in until a translation is confirmed, so that the counter can print at all. A
        language listed whose text holds from the start (a protocol's own Chinese label) always
        prints, and English then never does."""
        listed = self.label_languages
        if ENGLISH.value in listed or any(
            self.rule(f"label.text.{code}").authoritative for code in listed
        ):
            return listed
        return (*listed, ENGLISH.value)

    def rule(self, key: str) -> StudyRule:
        for rule in self.rules:
            if rule.key == key:
                return rule
        known = listed(r.key for r in self.rules)
        raise NotFound(
            _("Rule '{rule}' is not in study {study}. Known: {known}.").format(
                rule=key, study=self.protocol, known=known
            )
        )

    def product(self, code: str) -> Product:
        for product in self.products:
            if product.code == code:
                return product
        known = listed(p.code for p in self.products)
        raise NotFound(
            _("Product '{product}' is not in study {study}. Known: {known}.").format(
                product=code, study=self.protocol, known=known
            )
        )

    def form_of(self, code: str) -> str:
        """A product's dosage form ("capsule"); "tablet" for a code the study no longer has (an
        old record still shows)."""
        return next((p.form for p in self.products if p.code == code), "tablet")

    @property
    def tablets_only(self) -> bool:
        """Every product of the study is a tablet: a column of counts says "Tablets" over bare
        numbers. Else it says "Quantity" over each count in its own word ("28 capsules",
        "28粒"): capsules under "Tablets" (片数), or capsules and tablets summed, would
        misstate what is on the shelf."""
        return all(is_tablet(p.form) for p in self.products)

    def units(self, code: str, count: int, language: str | None = None) -> str:
        """`count` units of a product in its form's word, in `language` (the reader's when
        None): "28 capsules" / "28 粒" (LabelLanguage.counted: the study file's words; the
        program's own for a language the file gives no text in: own_units), spaced as the
        windows, messages and reports count (spaced_count)."""
        text = self._text_in(language)
        form = self.form_of(code)
        said = text.counted(count, form) if text is not None else own_units(count, form, language)
        return spaced_count(said)

    def units_each(self, counts: Iterable[tuple[str, int]], language: str | None = None) -> str:
        """Units of the study's products (code, count) in their own words, in `language` (the
        reader's when None): those of one form added up ("84 tablets"), two forms apart ("28
        capsules + 30 tablets", "28粒 + 30片"): a capsule is never counted as a tablet; "0"
        for none."""
        by_form: dict[str, tuple[str, int]] = {}
        for code, count in counts:
            first, total = by_form.get(self.form_of(code), (code, 0))
            by_form[self.form_of(code)] = (first, total + count)
        said = (self.units(code, total, language) for code, total in by_form.values())
        return " + ".join(said) or "0"

    def unit_words(self, codes: Iterable[str], language: str | None = None) -> str:
        """The words the products are counted in ("capsules"; "capsules, tablets" for two
        forms), in `language` (the reader's when None); every product of the study when no
        code is given (a dispense of the one product)."""
        text = self._text_in(language)

        def word(form: str) -> str:
            return text.unit_word(form) if text is not None else own_unit_word(form, language)

        chosen = tuple(codes) or tuple(p.code for p in self.products)
        words = dict.fromkeys(word(self.form_of(code)) for code in chosen)
        return translated(", ", language).join(words) or word("tablet")

    def _text_in(self, language: str | None) -> LabelLanguage | None:
        """The study file's texts in `language` (the reader's when None); None when it gives
        none there (English always: the file's own keys)."""
        chosen = language or current_language().value
        found = self.texts.get(chosen)
        if found is None and chosen == ENGLISH.value:
            return english_label_text(self)
        return found

    def flag_said(self, flag: Flag, codes: Iterable[str], language: str | None = None) -> str:
        """A flag of these products named in `language` (the reader's when None), in their
        unit word: "Not brought back (capsules unaccounted for)" of a capsule kit."""
        return translated(flag.counted_label, language).format(
            units=self.unit_words(codes, language)
        )

    def quantity(self, code: str, count: int, language: str | None = None) -> str:
        """A count of a product in a table's cell under count_heading(): the bare number in a
        study of tablets only, else the number with its word ("28 capsules")."""
        return str(count) if self.tablets_only else self.units(code, count, language)

    def count_heading(self, language: str | None = None) -> str:
        """The heading of a column of quantity() cells, in `language` (the reader's when None):
        "Tablets" (片) or "Quantity" (数量)."""
        return translated(COUNT_HEADINGS[0 if self.tablets_only else 1], language)

    def dose_level(self, level: int) -> DoseLevel:
        for dose in self.dose_levels:
            if dose.level == level:
                return dose
        known = listed(str(d.level) for d in self.dose_levels)
        raise NotFound(
            _("Dose level {level} is not in study {study}. Known: {known}.").format(
                level=level, study=self.protocol, known=known
            )
        )

    def wording(self, language: str | None = None) -> LabelLanguage:
        """The study's names and texts in `language` (the reader's when None), English when the
        study file gives none in it. For what a window or the command shows; a label asks
        `text` instead, which refuses a language the file does not give."""
        chosen = language or current_language().value
        found = self.texts.get(chosen) or self.texts.get(ENGLISH.value)
        return found if found is not None else english_label_text(self)

    def other_study_criterion(self, language: str | None = None) -> str | None:
        """The exclusion criterion on another study's treatment the study file names
        ([eligibility] other_study_exclusion), as a reader of `language` reads it (criteria);
        None when the file names none."""
        index = self.eligibility.other_study
        if index is None:
            return None
        _inclusion, exclusion = self.criteria(language)
        return exclusion[index] if index < len(exclusion) else self.eligibility.exclusion[index]

    def criteria(self, language: str | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The inclusion and exclusion criteria as a reader of `language` reads them: those of
        [label.text.<language>] when it gives them, else [eligibility]'s (the record keeps
        only how many were ticked, whatever the language)."""
        text = self.wording(language)
        return (
            text.inclusion or self.eligibility.inclusion,
            text.exclusion or self.eligibility.exclusion,
        )

    def area_name(self, location: str, language: str | None = None) -> str:
        """A storage area as a reader of `language` names it: the study's own store by its name
        in [label.text.<language>] ("试验药物库房1"); any other place, and any place in English
        (what exports and records say), as recorded."""
        chosen = language or current_language().value
        if location != self.storage_area or chosen == ENGLISH.value:
            return location
        return self.wording(chosen).storage_area or location

    def product_name(self, code: str, language: str | None = None) -> str:
        """A product as a reader of `language` names it: the name and strength given in
        [label.text.<language>.products] ("海曲泊帕乙醇胺片 7.5 mg"), else the English name,
        strength and form; the code itself for a product the study no longer has (an old
        record still shows)."""
        chosen = language or current_language().value
        text = self.texts.get(chosen) if chosen != ENGLISH.value else None
        if text is not None and code in text.products:
            return text.products[code]
        found = next((p for p in self.products if p.code == code), None)
        return found.display if found is not None else code

    def pharmacy_in(self, language: str | None = None) -> str:
        """The pharmacy as a reader of `language` names it ([label.text.<language>]
        pharmacy_name: "临床试验药房"), else [study]'s name."""
        return self.wording(language).pharmacy_name or self.pharmacy_name

    def site_in(self, language: str | None = None) -> str:
        """The site (the hospital) as a reader of `language` names it ([label.text.<language>]
        site_name), else [study]'s name."""
        return self.wording(language).site_name or self.site_name

    def person_name(self, name: str, language: str | None = None) -> str:
        """A person's name as recorded; but the study's investigator or contact, recorded under
        one of the file's names for them ("Zhenzhen Liu, M.D.", or "刘真真 医生" as a Chinese
        window fills it in), by the name the reader's language gives them: the same person,
        one name in a report. A name typed any other way is data, and stays as typed."""
        chosen = language or current_language().value
        given = name.strip()
        if not given:
            return name
        words = self.wording(chosen)
        texts = list((self.texts or {}).values())
        for english, own, kind in (
            (self.investigator, words.investigator, "investigator"),
            (self.contact_name, words.contact_name, "contact_name"),
        ):
            # Recorded under the file's name in any of its languages (a Chinese window fills
            # in 刘真真 医生, the command the English name): the same person, said one way.
            known = {english, english.rstrip(".")} | {getattr(t, kind) for t in texts}
            if english and given in {k for k in known if k}:
                return (english if chosen == ENGLISH.value else own) or name
        return name

    def form_name(self, form: str, language: str | None = None) -> str:
        """A dosage form of [[products]] ("tablet") as a reader of `language` names it
        ([label.text.<language>.forms]: "片剂"), else as the file writes it."""
        return self._word("forms", form, language)

    def route_name(self, route: str, language: str | None = None) -> str:
        """A route of [[products]] ("oral") in `language` ([label.text.<language>.routes])."""
        return self._word("routes", route, language)

    def manufacturer_name(self, manufacturer: str, language: str | None = None) -> str:
        """A manufacturer of [[products]] in `language` ([label.text.<language>.manufacturers]),
        else its name as the file writes it."""
        return self._word("manufacturers", manufacturer, language)

    def _word(self, table: str, english: str, language: str | None) -> str:
        chosen = language or current_language().value
        text = self.texts.get(chosen) if chosen != ENGLISH.value else None
        found: dict[str, str] = getattr(text, table) if text is not None else {}
        return found.get(english, english)

    def dose_name(self, level: int, language: str | None = None) -> str:
        """A dose level's name in `language` ([label.text.<language>.dose_levels]), else the
        English; the level's number for a level the study no longer has."""
        chosen = language or current_language().value
        text = self.texts.get(chosen) if chosen != ENGLISH.value else None
        if text is not None and level in text.dose_levels:
            return text.dose_levels[level]
        found = next((d for d in self.dose_levels if d.level == level), None)
        return found.name if found is not None else str(level)

    def rule_name(self, key: str, language: str | None = None) -> str:
        """A rule of the study file by name, in `language` ("周期间隔" for
        cycle.min_interval); the key itself for a kind the program does not name."""
        chosen = language or current_language().value
        kind, _dot, rest = key.partition(".")
        values: dict[str, str] = {}
        if key in RULE_NAMES:
            kind = key
        elif kind == "products":  # short: what the rule says names the product in full
            found = next((p for p in self.products if p.code == rest), None)
            values = {"strength": found.strength if found is not None else rest}
        elif kind == "dose_levels":
            values = {"level": rest}
        elif key.startswith("label.text."):
            code = key.removeprefix("label.text.")
            named = LANGUAGE_NAMES.get(code)
            kind, values = "label.text", {"language": translated(named, chosen) if named else code}
        template = RULE_NAMES.get(kind)
        return translated(template, chosen).format(**values) if template else key

    def rule_title(self, key: str, language: str | None = None) -> str:
        """What a rule of the study file says, in `language`. The title is the program's
        sentence about a value of the file (not a text of the file), so its wording is in the
        program's catalogue (zh_CN-messages.po) and the values (days, products, dose names)
        come from the file: a changed value can never leave a stale translated title behind.
        `StudyRule.title` keeps the English, which is what the audit trail records."""
        chosen = language or current_language().value
        kind, _dot, rest = key.partition(".")
        values: dict[str, str] = {}
        if key == "cycle.min_interval":
            kind, values = key, {"days": str(self.cycle.min_days_since_previous_day1)}
        elif key == "cycle.day1_near":
            kind, values = key, {"days": str(self.cycle.day1_near_days)}
        elif key == "cycle.return_day":
            kind, values = key, {"doses": str(self.cycle.return_day_doses)}
        elif kind == "eligibility":
            values = {
                "sex": translated(ELIGIBLE_SEX[self.eligibility.sex], chosen),
                "age": str(self.eligibility.min_age),
            }
        elif kind == "adherence":
            # In percent, as the return screen says a participant's adherence ("86%").
            values = {
                "under": f"{self.adherence.under_use_below * 100:g}%",
                "over": f"{self.adherence.over_use_above * 100:g}%",
            }
        elif kind == "platelets":
            values = {
                "count": f"{self.platelet_hold_at_or_above:g}",
                "unit": self.platelet_observation().unit,
            }
        elif kind == "products":
            found = next((p for p in self.products if p.code == rest), None)
            values = {
                "product": self.product_name(rest, chosen),
                "tablets": str(found.tablets_per_kit if found else "?"),
            }
        elif kind == "dose_levels":
            values = {"level": rest, "name": self.dose_name(int(rest), chosen)}
        elif kind == "supply":
            values = {"days": str(self.lead_time_days)}
        elif kind == "returns":
            values = {"days": str(self.return_grace_days)}
        elif kind == "approval" and self.approval is not None:
            values = {
                "date": self.approval.ethics_expires.isoformat(),
                "days": str(self.approval.warn_days_before),
            }
        elif kind == "dose_by_weight" and self.dose_by_weight is not None:
            values = {"bands": self.dose_by_weight.bands_text()}
        elif kind == "label" and key.startswith("label.text."):
            code = key.removeprefix("label.text.")
            named = LANGUAGE_NAMES.get(code)  # "Simplified Chinese", not the file's "zh_CN"
            kind, values = "label.text", {"language": translated(named, chosen) if named else code}
        template = RULE_TITLES.get(kind)
        if template is None:
            return next((r.title for r in self.rules if r.key == key), key)
        return translated(template, chosen).format(**values)

    def rule_named(self, recorded: str, language: str | None = None) -> str:
        """A rule's title as a record keeps it (in English: a dispense's notice "Rule to
        confirm: Dose level -1: 5 mg once daily (reduced) is dispensed.") in `language`
        (rule_title); a title no rule of this file has (since changed), as recorded."""
        for rule in self.rules:
            if recorded in (rule.title, self.rule_title(rule.key, ENGLISH.value)):
                return self.rule_title(rule.key, language)
        return recorded

    def dose_named(self, recorded: str, language: str | None = None) -> str:
        """A dose level's name as a record keeps it (in English: a dispense's warning "level 1
        (5 mg once daily)") in `language` (dose_name); a name no level of this file has, as
        recorded."""
        for dose in self.dose_levels:
            if recorded in (dose.name, self.dose_name(dose.level, ENGLISH.value)):
                return self.dose_name(dose.level, language)
        return recorded

    def day1_event_recorded(self, recorded: str, language: str | None = None) -> str:
        """What day 1 is as a record keeps it (in English: "check the date of the first day of
        the T-DM1 treatment cycle") in `language` (day1_event_named); other words as recorded."""
        if recorded and recorded == self.day1_event_named(ENGLISH.value):
            return self.day1_event_named(language)
        return recorded

    def directions_for(
        self,
        dose: DoseLevel,
        start: date,
        days: int,
        language: str = "en",
        write_date: Callable[[date], str] = date.isoformat,
    ) -> str:
        """The directions of a dose: one sentence per product (a two-drug dose reads as two),
        and per part of a product the dose gives in several parts. Products whose sentences
        differ only in what is taken (two strengths of one drug, taken together: "Take 1
        capsule of A 100 mg and 2 capsules of A 25 mg by mouth twice daily...") are said in one
        sentence: the same directions printed once per strength read as two doses to take."""
        joiner = "" if language.startswith("zh") else " "
        said = [
            _directions_once(group, language)
            for group in _said_together(self._directions(dose, start, days, language, write_date))
        ]
        return joiner.join(said)

    def product_directions(
        self,
        dose: DoseLevel,
        start: date,
        days: int,
        language: str = "en",
        write_date: Callable[[date], str] = date.isoformat,
    ) -> tuple[str, ...]:
        """Each product's directions, in the dose's order: its own text when the study file
        gives one ([label.product_directions]), else the study's directions; `days` are the
        days of supply from `start`, of which each product counts the days it is taken.
        A product the dose gives in several parts (1 tablet once daily and 2 tablets once
        daily) has one sentence per part, each with the part's own units, frequency and days:
        added together they read as one dose of 3 tablets, which the file does not say.
        {start_date} is the part's own first day of doses (written by `write_date`): a part
        taken on days 8-21 starts on day 8, not on the dispense's start ("starting <day 1>,
        for 14 days" would have the participant take it from day 1)."""
        return tuple(
            template.format(**values)
            for _product, template, values in self._directions(
                dose, start, days, language, write_date
            )
        )

    def _directions(
        self,
        dose: DoseLevel,
        start: date,
        days: int,
        language: str,
        write_date: Callable[[date], str],
    ) -> list[_Directions]:
        """Each part's product, directions template and the values it is filled with
        (product_directions says how they are chosen)."""
        # English from the study's own keys as they are now (as the label's English texts are
        # read: labels.languages.english_text), the same words as texts["en"] of a loaded file.
        english = language == ENGLISH.value
        text = english_label_text(self) if english else (self.texts or {}).get(language)
        words = text or english_label_text(self)
        from_day = max(1, self.cycle.days_of_supply - days + 1)
        found: list[_Directions] = []
        for product in dose.products:
            for part in dose.of_product(product):
                per_dose = part.tablets_per_dose
                if text is None:
                    template = self.label.product_directions.get(product, self.label.directions)
                    tablets = english_units(per_dose, self.product(product).form)
                    dose_name = dose.name
                    product_name = f"{self.product(product).name} {self.product(product).strength}"
                else:
                    template = text.product_directions.get(product, text.directions)
                    tablets = text.counted(per_dose, self.product(product).form)
                    dose_name = text.dose_levels.get(dose.level, dose.name)
                    product_name = text.products.get(product, product)
                found.append(
                    (
                        product,
                        template,
                        {
                            "tablets": tablets,
                            "tablets_per_dose": per_dose,
                            "start_date": write_date(part_start(part, start, from_day)),
                            "days": part.dosing_days(from_day, days),
                            "dose_name": dose_name,
                            "product": product_name,
                            "first_day": part.first_day or 1,
                            "last_day": part.last_day or self.cycle.days_of_supply,
                            "frequency": words.frequency(part.frequency(dose.doses_per_day)),
                        },
                    )
                )
        return found


_Directions = tuple[str, str, dict[str, object]]
"""A part's directions: its product's code, the template, the values it is filled with."""

WHAT_IS_TAKEN = ("tablets", "tablets_per_dose", "product")
"""The placeholders of directions that say what is taken ("2 capsules", "revicapib 25 mg"): two
products' sentences that differ in these alone are said as one (Study.directions_for)."""


def _said_together(found: list[_Directions]) -> list[list[_Directions]]:
    """The parts' directions in groups said as one sentence: neighbours of other products with
    the same template and the same values but for what is taken (WHAT_IS_TAKEN), when the
    template names what is taken at all. Two parts of one product stay two sentences (1 tablet
    and 2 tablets once daily would read as one dose of 3)."""

    def rest(values: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in values.items() if k not in WHAT_IS_TAKEN}

    groups: list[list[_Directions]] = []
    for product, template, values in found:
        group = groups[-1] if groups else []
        if (
            group
            and all(each[0] != product for each in group)
            and group[-1][1] == template
            and rest(group[-1][2]) == rest(values)
            and _what_is_taken_span(template) is not None
        ):
            group.append((product, template, values))
        else:
            groups.append([(product, template, values)])
    return groups


def _what_is_taken_span(template: str) -> tuple[str, str, str] | None:
    """A directions template cut in three: before what is taken, the words that say it (from
    the first placeholder of WHAT_IS_TAKEN to the last: "{tablets} of {product}"), after it;
    None when it names none of them."""
    pieces: list[str] = []
    first = last = None
    for literal, name, spec, conversion in string.Formatter().parse(template):
        pieces.append(_escaped(literal))
        if name is None:
            continue
        if name in WHAT_IS_TAKEN:
            first = len(pieces) if first is None else first
            last = len(pieces)
        field_text = "{" + name + ("!" + conversion if conversion else "")
        pieces.append(field_text + (":" + spec if spec else "") + "}")
    if first is None or last is None:
        return None
    return "".join(pieces[:first]), "".join(pieces[first : last + 1]), "".join(pieces[last + 1 :])


def _escaped(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")


def _directions_once(group: list[_Directions], language: str) -> str:
    """One sentence of a group of _said_together: the words before and after what is taken
    once, what is taken of each product listed ("1 capsule of A 100 mg and 2 capsules of A
    25 mg", in the directions' language)."""
    _product, template, values = group[0]
    span = _what_is_taken_span(template)
    if len(group) == 1 or span is None:
        return template.format(**values)
    before, taken, after = span
    said = [taken.format(**each) for _code, _template, each in group]
    # The enumeration comma of the language, as i18n.listed writes it.
    comma = "、" if language.startswith("zh") else ", "
    listed_so = translated(N_("{items} and {last}"), language).format(
        items=comma.join(said[:-1]), last=said[-1]
    )
    return before.format(**values) + listed_so + after.format(**values)


def part_start(part: DoseComponent, start: date, from_day: int) -> date:
    """The date a part of a dose is first taken: the dispense's `start` (cycle day
    `from_day`), or the part's own first day of the cycle when that is later (a capsule on
    days 8-21 of a cycle started on day 1 starts on day 8)."""
    return start + timedelta(days=max(0, (part.first_day or 1) - from_day))


RULE_TITLES: dict[str, str] = {
    "cycle": N_("Cycle length and days of supply"),
    "cycle.min_interval": N_("At least {days} days between day 1 of two cycles"),
    "cycle.day1_near": N_("Day 1 at most {days} days before or after the dispense date"),
    "cycle.return_day": N_("Return day: {doses} of the day's doses may be taken before the visit"),
    "eligibility": N_("Enrolment: {sex}, age {age} or more"),
    "adherence": N_("Adherence flags below {under} and above {over}"),
    "platelets": N_("Hold the drug at a platelet count at or above {count} {unit}"),
    "products": N_("Product {product}, {tablets} per kit"),
    "dose_levels": N_("Dose level {level}: {name}"),
    "label.text": N_("Label and leaflet text in {language}"),
    "supply": N_("Re-supply lead time of {days} days"),
    "returns": N_("A return is due within {days} days after the cycle ends"),
    "kit_assignment": N_(
        "Kits are assigned by the sponsor's IRT: only the assigned kit is dispensed"
    ),
    "approval": N_(
        "Ethics approval expires {date}: no dispensing after it, a warning {days} days before"
    ),
    "dose_by_weight": N_("Dose level by weight: {bands}"),
}
"""What each kind of study rule says (Study.rule_title fills in the file's values)."""

RULE_NAMES: dict[str, str] = {
    "cycle": N_("Cycle length"),
    "cycle.min_interval": N_("Interval between cycles"),
    "cycle.day1_near": N_("Day 1 near the dispense"),
    "cycle.return_day": N_("Doses on the return day"),
    "eligibility": N_("Eligibility"),
    "adherence": N_("Adherence"),
    "platelets": N_("Platelet hold"),
    "products": N_("Product {strength}"),
    "dose_levels": N_("Dose level {level}"),
    "label.text": N_("Label text in {language}"),
    "supply": N_("Re-supply lead time"),
    "returns": N_("Return due"),
    "kit_assignment": N_("Kit assignment"),
    "approval": N_("Ethics approval"),
    "dose_by_weight": N_("Dose by weight"),
}
"""Each kind of study rule by a name a pharmacist reads (Study.rule_name); its key
("cycle.min_interval") is what the study file and the command write."""


OWN_UNITS: dict[str, tuple[str, str]] = {
    "tablet": (N_("{count} tablet"), N_("{count} tablets")),
    "capsule": (N_("{count} capsule"), N_("{count} capsules")),
}
"""The program's own words for a count of the dosage forms it knows (form_noun: "film-coated
tablet" and "tablet, film-coated" are tablets, "capsule, hard" a capsule), translated as the
program's other messages are (zh_CN: 片, 粒): a study file that gives no words of its own in
the reader's language (an English-only study in a Chinese window; a [label.text.zh_CN] without
a `units` word for capsules) still counts its units in that language. The word is a
translation, not a fact of the study."""

FORM_NOUNS: dict[str, str] = {
    "tablet": "tablet",
    "tablets": "tablet",
    "capsule": "capsule",
    "capsules": "capsule",
}
"""The dosage forms the program counts in words of its own (OWN_UNITS), by any word a form of
[[products]] may name them with: the one table form_noun reads a form by."""

_FORM_WORDS = re.compile(r"[A-Za-z]+")


def form_noun(form: str) -> str | None:
    """The dosage form a [[products]] form names, as OWN_UNITS keys it: its first word that is
    a form the program knows, wherever it stands ("capsule, hard", "hard capsule",
    "film-coated tablet", "tablet, film-coated", "Tablets"); None for a form the program has no
    word for ("softgel", "oral solution")."""
    for word in _FORM_WORDS.findall(form.lower()):
        if word in FORM_NOUNS:
            return FORM_NOUNS[word]
    return None


def english_units(count: int, form: str) -> str:
    """'1 capsule', '28 capsules': a count in English in the word of its dosage form (the study
    file's [[products]] form, a singular noun), never 'capsule(s)'; a form the program knows by
    its noun alone ("capsule, hard": "28 capsules", not "28 capsule, hards")."""
    noun = form_noun(form) or form
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


_NUMBER_THEN_WORD = re.compile(r"^(\d+)(?=[\u3400-\u9fff\uf900-\ufaff])")


def spaced_count(said: str) -> str:
    """A count as the reader reads it in the windows, messages and reports: the number, a space,
    then a Chinese measure word ("21 片", "28 粒"), as every message of the program writes
    "{count} 片". The study file's counting words (tablets_many "{count}片", `units`) and the
    program's own (own_units) are the label's, printed tight on the bottle ("每次1片", the number
    and its word bound: pdffonts.NUMBER_AND_UNIT), and are spaced here alone: "退回 50片" beside
    "发放 21 片" on one screen. Latin words are spaced already ("28 capsules")."""
    return _NUMBER_THEN_WORD.sub(r"\1 ", said, count=1)


def own_units(count: int, form: str, language: str | None = None) -> str:
    """`count` units of a dosage form in the program's own words of `language` (the reader's
    when None): "28粒" of capsules in Chinese; English ("28 capsules") in English, for a form
    the program has no word for, or a language it has no translation in."""
    chosen = language or current_language().value
    noun = form_noun(form)
    known = OWN_UNITS.get(noun) if noun is not None else None
    if known is None or chosen == ENGLISH.value:
        return english_units(count, form)
    template = known[0] if count == 1 else known[1]
    said = translated(template, chosen)
    return english_units(count, form) if said == template else said.format(count=count)


def own_unit_word(form: str, language: str | None = None) -> str:
    """The word own_units() counts a form in, without the number ("粒"; "capsules")."""
    return own_units(2, form, language).removeprefix("2").strip()


def is_tablet(form: str) -> bool:
    """A dosage form counted in tablets ("tablet", "film-coated tablet", "tablet, coated")."""
    return form_noun(form) == "tablet"


COUNT_HEADINGS = (N_("Tablets"), N_("Quantity"))
"""The heading of a column of counts (reports, commands): see Study.count_heading."""


class _Reader:
    """Reads typed values out of the parsed TOML, naming key and line on any mistake."""

    def __init__(self, text: str, origin: str, new_file: bool = True) -> None:
        self.new_file = new_file
        """Checks added since a database may have stored the file apply (parse_study)."""
        self.text = text
        self.lines = text.splitlines()
        self.origin = origin
        self.known: set[str] = set()  # every key looked for, so that the others are refused

    def line_of(self, key: str) -> int:
        """Line of a key such as 'dose_levels[2].components[0].product', looked for inside its
        own table (the right [[array]] entry); a missing key gives the table's header line."""
        path = [_indexed(part) for part in key.split(".")]
        # A table of its own under a dotted header ([label.text.zh_CN.units]): the longest one
        # the key starts with, else the key's line was looked for under [label] and not found.
        for size in range(len(path), 1, -1):
            if any(index is not None for _name, index in path[:size]):
                continue
            own = self._block(".".join(name for name, _index in path[:size]), None)
            if own is not None:
                return self._line_within(own, path[size:])
        table, entry = path[0]
        block = self._block(table, entry)
        if block is None and entry is None and len(path) == 1:  # an array of tables as a whole
            block = self._block(table, 0)
        if block is None:
            found = self._search(table, 0, len(self.lines), 0)
            return found + 1 if found is not None else 1
        return self._line_within(block, path[1:])

    def _line_within(self, block: tuple[int, int], path: list[tuple[str, int | None]]) -> int:
        """Line (from 1) of the key `path` inside the table `block`; its header's when absent."""
        header, end = block
        line, start, occurrence = header, header + 1, 0
        for name, index in path:
            found = self._search(name, start, end, occurrence)
            if found is None:
                break
            line, start, occurrence = found, found, index or 0
        return line + 1

    def _block(self, table: str, entry: int | None) -> tuple[int, int] | None:
        """(header index, end index) of [table], or of the entry-th [[table]]."""
        headers = [
            (number, match.group(2).strip().strip('"'), match.group(1) == "[[")
            for number, line in enumerate(self.lines)
            if (match := _HEADER.match(line))
        ]
        seen = -1
        for position, (number, name, is_array) in enumerate(headers):
            if name != table or is_array != (entry is not None):
                continue
            seen += 1
            if entry is None or seen == entry:
                end = headers[position + 1][0] if position + 1 < len(headers) else len(self.lines)
                return number, end
        return None

    def _search(self, name: str, start: int, end: int, occurrence: int) -> int | None:
        """Index of the line holding the occurrence-th `name =` (also inside inline tables)."""
        pattern = re.compile(rf'(?:^|[{{,])\s*"?{re.escape(name)}"?\s*=')
        seen = 0
        for number in range(start, end):
            for _match in pattern.finditer(self.lines[number]):
                if seen == occurrence:
                    return number
                seen += 1
        return None

    def fail(self, key: str, problem: str, **values: object) -> StudyFileError:
        """`problem` is English (marked N_ where it is a fixed phrase, translated here); with
        `values` it is a template (N_ marked) whose placeholders are filled in after its
        translation, so that a Chinese reader reads no English but the file's own words."""
        said = _(problem).format(**values) if values else _(problem)
        return StudyFileError(
            _(
                "Study file {origin}, line {line}: key '{key}' {problem}. Correct the study file, "
                "then choose it again."
            ).format(origin=self.origin, line=self.line_of(key), key=key, problem=said)
        )

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        self.known.add(key)
        value = data.get(key.split(".")[-1])
        if not isinstance(value, dict):
            raise self.fail(key, N_("is missing or is not a table"))
        return value

    def get(self, data: dict[str, Any], key: str, kind: type, default: Any = ...) -> Any:
        self.known.add(key)
        name = key.split(".")[-1]
        if name not in data:
            if default is not ...:
                return default
            table = key[: -len(name)]
            # A key the program reads (here or in another table: 'site' beside a missing
            # 'title') is no misspelling of another: only the file's unknown keys are hinted.
            real = {k.rsplit(".", 1)[-1] for k in self.known} | READ_KEYS
            unread = [k for k in data if table + k not in self.known and k not in real]
            close = difflib.get_close_matches(name, unread, n=1)
            if close:  # a misspelling: name the line where it stands too
                line = self.line_of(table + close[0])
                raise self.fail(
                    key,
                    N_("is missing ('{close}' on line {line} misspelt?)"),
                    close=close[0],
                    line=line,
                )
            raise self.fail(key, N_("is missing"))
        value = data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(key, N_("must be {kind}, not true/false"), kind=kind.__name__)
        if not isinstance(value, kind):
            raise self.fail(
                key,
                N_("must be {kind}, not {given}"),
                kind=kind.__name__,
                given=type(value).__name__,
            )
        if isinstance(value, str) and not value.strip():
            raise self.fail(key, N_("must not be empty"))
        return value

    def tables(
        self, raw: object, key: str, missing: str, not_table: str = N_("must be a table")
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each table of an array of tables with its own key (e.g. 'products[2]'), in order, so
        that mistakes are named in the order they stand in the file; an empty array is refused."""
        self.known.add(key)
        if not isinstance(raw, list) or not raw:
            raise self.fail(key, missing)
        for index, item in enumerate(raw):
            item_key = f"{key}[{index}]"
            self.known.add(item_key)
            if not isinstance(item, dict):
                raise self.fail(item_key, not_table)
            yield item_key, item

    def positive(self, data: dict[str, Any], key: str, minimum: int = 1) -> int:
        value: int = self.get(data, key, int)
        if value < minimum:
            raise self.fail(key, N_("must be {minimum} or more"), minimum=minimum)
        return value

    def source(self, data: dict[str, Any], key: str) -> str:
        """A rule's `source`: "registry", "protocol <section>" or "site decision <date>"."""
        value: str = self.get(data, key, str)
        if not RULE_SOURCE.fullmatch(value.strip()):
            raise self.fail(
                key,
                N_(
                    'must say where the rule comes from: "registry", "protocol <section>" '
                    '(e.g. "protocol 6.2") or "site decision <date>" (e.g. "site decision '
                    '2026-11")'
                ),
            )
        return value.strip()

    def strings(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        value = self.get(data, key, list)
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, N_("must be a list of non-empty texts"))
        return tuple(value)


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
"""Where tomllib's message (in English) places the mistake: "Invalid value (at line 3, column 9)"."""


def _not_toml(origin: str, exc: tomllib.TOMLDecodeError) -> str:
    """The refusal of a study file that is not TOML, in the reader's words and naming the line
    of the mistake; the parser's own (English) words come last, as the technical detail."""
    at = _TOML_AT.search(str(exc))
    if at is None:  # "(at end of document)": a text, list or table left open
        said = _(
            "Study file {origin} is not valid TOML at its end: a text in quotes, a list or a "
            "table is not closed. Correct the file, then choose it again."
        ).format(origin=origin)
    else:
        said = _(
            "Study file {origin} is not valid TOML at line {line}, column {column}. Correct the "
            "file there, then choose it again."
        ).format(origin=origin, line=at.group(1), column=at.group(2))
    return with_detail(said, exc)


def parse_study(text: str, origin: str = "<study>", new_file: bool = False) -> Study:
    """Parses and validates study-file text. `new_file`: a file added or amended (not one a
    database stored): the checks added since a database may have stored it apply too (a
    stored file once accepted must still open its database; a new one meets every check)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(_not_toml(origin, exc)) from exc
    r = _Reader(text, origin, new_file)
    s = r.table(data, "study")
    cycle = r.table(data, "cycle")
    adherence = r.table(data, "adherence")
    temperature = r.table(data, "temperature")
    r.known.add("platelets")  # an optional table: no hold rule without it
    platelets = r.table(data, "platelets") if "platelets" in data else {}
    eligibility = r.table(data, "eligibility")
    label = r.table(data, "label")

    products = _products(r, data)
    dose_levels = _dose_levels(r, data, {p.code for p in products})

    # Optional: a protocol may set no minimum interval between cycles (then no such rule).
    r.known.update(("cycle.min_days_since_previous_day1", "cycle.min_days_source"))
    min_interval = "min_days_since_previous_day1" in cycle or "min_days_source" in cycle
    rules = CycleRules(
        length_days=r.positive(cycle, "cycle.length_days"),
        days_of_supply=r.positive(cycle, "cycle.days_of_supply"),
        min_days_since_previous_day1=r.positive(cycle, "cycle.min_days_since_previous_day1", 0)
        if min_interval
        else None,
        expiry_margin_days=r.positive(cycle, "cycle.expiry_margin_days", 0),
        previous_return_missing=r.get(cycle, "cycle.previous_return_missing", str),
        max_cycles=r.positive(cycle, "cycle.max_cycles", 0) if "max_cycles" in cycle else 0,
        day1_event=r.get(cycle, "cycle.day1_event", str, ""),
        day1_near_days=r.positive(cycle, "cycle.day1_near_days", 0)
        if "day1_near_days" in cycle
        else DAY1_NEAR_DAYS,
        return_day_doses=r.positive(cycle, "cycle.return_day_doses", 0)
        if "return_day_doses" in cycle
        else 0,
    )
    if rules.previous_return_missing not in ("refuse", "warn"):
        raise r.fail("cycle.previous_return_missing", N_('must be "refuse" or "warn"'))
    _check_cycle_windows(r, rules, dose_levels)
    under = r.get(adherence, "adherence.under_use_below", float)
    over = r.get(adherence, "adherence.over_use_above", float)
    if not 0 < under <= 1 <= over:
        raise r.fail(
            "adherence.under_use_below", N_("must be between 0 and 1, and over_use_above 1 or more")
        )
    low = r.get(temperature, "temperature.min_celsius", float)
    high = r.get(temperature, "temperature.max_celsius", float)
    if low >= high:
        raise r.fail("temperature.min_celsius", N_("must be lower than max_celsius"))
    directions = r.get(label, "label.directions", str)
    _check_placeholders(r, directions)
    _check_says_count(r, directions)
    for name in PLAIN_LABEL_KEYS if r.new_file else ():
        if name in label:
            _check_no_placeholder(r, r.get(label, f"label.{name}", str), f"label.{name}")
    if "storage" in temperature and r.new_file:
        _check_no_placeholder(
            r, r.get(temperature, "temperature.storage", str), "temperature.storage"
        )
    sex = r.get(eligibility, "eligibility.sex", str)
    if sex not in ("F", "M", "ALL"):
        raise r.fail("eligibility.sex", N_('must be "F", "M" or "ALL"'))
    stock = r.get(label, "label.default_stock", str, "thermal-4x2")
    rules_found = [
        StudyRule("cycle", "", r.source(cycle, "cycle.source")),
        StudyRule("adherence", "", r.source(adherence, "adherence.source")),
    ]
    if min_interval:
        rules_found.insert(
            1, StudyRule("cycle.min_interval", "", r.source(cycle, "cycle.min_days_source"))
        )
    r.known.add("cycle.day1_near_source")
    if "day1_near_days" in cycle or "day1_near_source" in cycle:
        # Optional (an older file: the 7 days the program always allowed), with its source.
        rules_found.append(
            StudyRule("cycle.day1_near", "", r.source(cycle, "cycle.day1_near_source"))
        )
    r.known.add("cycle.return_day_source")
    if "return_day_doses" in cycle or "return_day_source" in cycle:
        # Optional (without it the return day is no dosing day), with its source: when the
        # doses are taken is the protocol's (a site decision would silence an over-use flag).
        rules_found.append(
            StudyRule("cycle.return_day", "", _protocol_source(r, cycle, "cycle.return_day_source"))
        )
    r.known.add("eligibility.source")
    if "source" in eligibility:
        # Optional (an older file gave none): the age and sex the enrolment refuses by.
        rules_found.append(
            StudyRule("eligibility", "", r.source(eligibility, "eligibility.source"))
        )
    if platelets:
        r.get(platelets, "platelets.hold_at_or_above", float, 0.0)
        rules_found.append(StudyRule("platelets", "", r.source(platelets, "platelets.source")))
    for index, product in enumerate(products):
        rules_found.append(
            StudyRule(
                f"products.{product.code}",
                "",
                r.source(data["products"][index], f"products[{index}].source"),
            )
        )
    for index, dose in enumerate(dose_levels):
        rules_found.append(
            StudyRule(
                f"dose_levels.{dose.level}",
                "",
                r.source(data["dose_levels"][index], f"dose_levels[{index}].source"),
            )
        )
    split_kits = r.get(cycle, "cycle.split_kits", bool, False)
    lead_time_days = _supply(r, data, rules_found)
    hold = float(r.get(platelets, "platelets.hold_at_or_above", float, 0.0))
    observations = _observations(r, data, hold)
    by_weight, weight_rule = _dose_by_weight(r, data, {d.level for d in dose_levels}, observations)
    approval, approval_rule = _approval(r, data)
    assignment = r.get(s, "study.kit_assignment", str, "pharmacy")
    if assignment not in KIT_ASSIGNMENTS:
        raise r.fail("study.kit_assignment", N_('must be "pharmacy" or "irt"'))
    if assignment != "pharmacy":
        rules_found.append(
            StudyRule(
                "kit_assignment",
                "Kits are assigned by the sponsor's IRT: only the assigned kit is dispensed",
                r.source(s, "study.kit_assignment_source"),
            )
        )
    r.known.add("returns")
    grace = 7  # an older study file: the grace the program always gave
    if "returns" in data:
        returns = r.table(data, "returns")
        grace = r.positive(returns, "returns.grace_days", 0)
        rules_found.append(
            StudyRule(
                "returns",
                f"A return is due within {grace} days after the cycle ends",
                r.source(returns, "returns.source"),
            )
        )
    rules_found += [rule for rule in (weight_rule, approval_rule) if rule is not None]
    product_directions = _product_directions(r, label, "label", [p.code for p in products])
    leaflet_times = _leaflet_times(r, label, "label")

    study = Study(
        protocol=r.get(s, "study.protocol", str).strip(),
        org_study_id=r.get(s, "study.org_study_id", str, ""),
        title=r.get(s, "study.title", str),
        short_title=r.get(s, "study.short_title", str, ""),
        phase=r.get(s, "study.phase", str, ""),
        blinding=r.get(s, "study.blinding", str, "open-label"),
        sponsor=r.get(s, "study.sponsor", str),
        investigator=r.get(s, "study.investigator", str),
        contact_name=r.get(s, "study.contact_name", str),
        contact_address=r.get(s, "study.contact_address", str),
        contact_phone=r.get(s, "study.contact_phone", str, ""),
        site=r.get(s, "study.site", str),
        site_name=r.get(s, "study.site_name", str),
        pharmacy_name=r.get(s, "study.pharmacy_name", str),
        storage_area=r.get(s, "study.storage_area", str, "Pharmacy"),
        planned_enrolment=r.positive(s, "study.planned_enrolment"),
        cycle=rules,
        adherence=AdherenceRules(under_use_below=under, over_use_above=over),
        temperature=Temperature(
            storage=r.get(temperature, "temperature.storage", str),
            min_celsius=low,
            max_celsius=high,
        ),
        platelet_hold_at_or_above=hold,
        eligibility=_eligibility(r, eligibility, sex),
        products=products,
        dose_levels=dose_levels,
        label=LabelText(
            caution=r.get(label, "label.caution", str),
            keep_out_of_reach=r.get(label, "label.keep_out_of_reach", str),
            directions=directions,
            missed_dose=r.get(label, "label.missed_dose", str),
            return_instruction=r.get(label, "label.return_instruction", str),
            default_stock=stock,
            us_caution=r.get(label, "label.us_caution", bool, False),
            product_directions=product_directions,
            **leaflet_times,
        ),
        source_text=text,
        rules=tuple(rules_found),
        split_kits=split_kits,
        lead_time_days=lead_time_days,
        observations=observations,
        dose_by_weight=by_weight,
        approval=approval,
        kit_assignment=assignment,
        return_grace_days=grace,
    )
    texts, languages, bilingual = _label_texts(r, label, study)
    for language, wording in texts.items():
        if language != "en":
            rules_found.append(StudyRule(f"label.text.{language}", "", wording.source))
    study = replace(study, texts=texts, label_languages=languages, label_bilingual=bilingual)
    # The English titles, as the audit trail records them (Study.rule_title, one wording).
    titled = tuple(
        replace(
            rule,
            title=study.rule_title(rule.key, ENGLISH.value),
            digest=rule_digest(data, rule.key),
        )
        for rule in rules_found
    )
    study = replace(study, rules=titled)
    _check_parts_days(r, study)
    _check_product_names(r, study)
    _check_dose_names(r, study)
    if r.new_file:
        _check_product_named(r, study)
    _refuse_unknown_keys(r, data)
    return study


SCHEDULE_KEYS = (
    "length_days",
    "days_of_supply",
    "min_days_since_previous_day1",
    "day1_near_days",
)
"""The [cycle] keys that time the cycles: when a cycle falls due, the earliest day 1, how long
a supply lasts."""


def schedule_changes(old: Study, new: Study) -> list[str]:
    """What `new` changes of the cycle schedule of `old`, each as "key: old → new" in the
    study file's keys: the [cycle] timing (SCHEDULE_KEYS) and the days of the cycle each
    product of a dose level kept is taken on. Every cycle already dispensed is counted by the
    schedule in force (its next due date, its earliest day 1, its return)."""
    changed = [
        f"cycle.{name}: {getattr(old.cycle, name)} → {getattr(new.cycle, name)}"
        for name in SCHEDULE_KEYS
        if getattr(old.cycle, name) != getattr(new.cycle, name)
    ]

    def days(dose: DoseLevel) -> list[tuple[str, int | None, int | None]]:
        return [(c.product, c.first_day, c.last_day) for c in dose.components]

    for dose in old.dose_levels:
        kept = next((d for d in new.dose_levels if d.level == dose.level), None)
        if kept is None or days(kept) == days(dose):
            continue
        if [c.product for c in kept.components] != [c.product for c in dose.components]:
            continue  # other products: a change of dose, not of the schedule
        for before, after in zip(dose.components, kept.components, strict=True):
            if (before.first_day, before.last_day) != (after.first_day, after.last_day):
                changed.append(
                    f"dose level {dose.level} {before.product} days: "
                    f"{_days_said(before)} → {_days_said(after)}"
                )
    return changed


def _days_said(part: DoseComponent) -> str:
    if part.first_day is None:
        return "every day"
    return f"[{part.first_day}, {part.last_day}]"


_MIN_INTERVAL_KEYS = ("min_days_since_previous_day1", "min_days_source")
"""The [cycle] keys of the rule cycle.min_interval (the rest of [cycle] is the rule cycle)."""

_DAY1_NEAR_KEYS = ("day1_near_days", "day1_near_source")
"""The [cycle] keys of the rule cycle.day1_near."""

_RETURN_DAY_KEYS = ("return_day_doses", "return_day_source")
"""The [cycle] keys of the rule cycle.return_day."""


def _protocol_source(r: _Reader, data: dict[str, Any], key: str) -> str:
    """A rule's `source` that must be the registry or a protocol section, never a site
    decision: a fact of the protocol's regimen."""
    value = r.source(data, key)
    if value.startswith("site decision"):
        raise r.fail(
            key,
            N_(
                'must be the registry or a protocol section (e.g. "protocol 6.2"): when the '
                "doses are taken is the protocol's, not a site decision"
            ),
        )
    return value


ELIGIBLE_SEX = {"F": N_("women"), "M": N_("men"), "ALL": N_("women and men")}
"""[eligibility] sex as the rule's title says it."""


def _rule_content(data: dict[str, Any], key: str) -> Any:
    """What the rule `key` says, as the file's own values: the table (or the keys of a table)
    it is read from. A rule not named here is the whole file: any change asks for it again."""
    cycle = data.get("cycle", {})
    if key == "cycle":
        return {
            k: v
            for k, v in cycle.items()
            if k not in (*_MIN_INTERVAL_KEYS, *_DAY1_NEAR_KEYS, *_RETURN_DAY_KEYS)
        }
    if key == "cycle.min_interval":
        return {k: v for k, v in cycle.items() if k in _MIN_INTERVAL_KEYS}
    if key == "cycle.day1_near":
        return {k: v for k, v in cycle.items() if k in _DAY1_NEAR_KEYS}
    if key == "cycle.return_day":
        return {k: v for k, v in cycle.items() if k in _RETURN_DAY_KEYS}
    if key in (
        "eligibility",
        "adherence",
        "platelets",
        "returns",
        "supply",
        "dose_by_weight",
        "approval",
    ):
        return data.get(key)
    if key == "kit_assignment":
        s = data.get("study", {})
        return {k: s.get(k) for k in ("kit_assignment", "kit_assignment_source")}
    group, _dot, name = key.partition(".")
    if group == "products":
        return next((p for p in data.get("products", ()) if str(p.get("code")) == name), None)
    if group == "dose_levels":
        return next((d for d in data.get("dose_levels", ()) if str(d.get("level")) == name), None)
    if group == "label" and name.startswith("text."):
        return data.get("label", {}).get("text", {}).get(name.removeprefix("text."))
    return data


def rule_digest(data: dict[str, Any], key: str) -> str:
    """The SHA-256 of what the rule `key` says in the study file read as `data` (its values,
    not their layout: a comment or a blank line changes nothing): the text a confirmation of
    the rule covers (services.studies.confirm_rule)."""
    content = json.dumps(
        _rule_content(data, key),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _check_cycle_windows(r: _Reader, rules: CycleRules, levels: tuple[DoseLevel, ...]) -> None:
    """Refuses a [cycle] that contradicts itself, so that no cycle given on time could pass:
    not a clinical rule, only the file's own numbers read against each other.

    A minimum interval longer than the cycle: the next cycle, due `length_days` after the
    previous day 1 (the forecast, the leaflet's next visit, the register's due date), would be
    too early whatever day it came, once the interval is confirmed. A drug taken until a day
    after the days of supply: its label would direct days no dispense supplies.

    Days of supply beyond the cycle's length are left to load: an overage (a few days more to
    cover a late visit within the protocol's window) is a supply some protocols prescribe, and
    the next cycle is still dispensed on time (nothing waits for the previous supply to end)."""
    if (
        rules.min_days_since_previous_day1 is not None
        and rules.min_days_since_previous_day1 > rules.length_days
    ):
        raise r.fail(
            "cycle.min_days_since_previous_day1",
            N_(
                "is {days} days, more than cycle.length_days ({length} days): the next cycle, "
                "due {length} days after the previous day 1, could never be dispensed on time"
            ),
            days=rules.min_days_since_previous_day1,
            length=rules.length_days,
        )
    supply = rules.days_of_supply
    for index, level in enumerate(levels):
        for part, component in enumerate(level.components):
            if component.last_day is not None and component.last_day > supply:
                raise r.fail(
                    f"dose_levels[{index}].components[{part}].days",
                    N_(
                        "takes product '{product}' until day {last} of the cycle, but "
                        "cycle.days_of_supply is {supply}: its label would direct days that "
                        "no dispense supplies"
                    ),
                    product=component.product,
                    last=component.last_day,
                    supply=supply,
                )


def _check_parts_days(r: _Reader, study: Study) -> None:
    """A product a dose level gives on some days of the cycle only must be directed truthfully
    in every language. Parts taken on different days (1 tablet on days 1-7, 2 tablets on days
    8-21) are directed one sentence per part, which must say the days ({first_day},
    {last_day}) to be told apart. A part limited to some days (days 8-21) starts on its own
    first day ({start_date} is that day's date), so its directions must say when it starts
    ({start_date} or {first_day}) and when it ends ({days} or {last_day}): "Take 1 capsule
    daily for 14 days" would be started on day 1. Else the file is refused, naming the product
    and what to write instead."""
    supply = study.cycle.days_of_supply
    for index, dose in enumerate(study.dose_levels):
        for product in dose.products:
            parts = dose.of_product(product)
            limited = [
                c for c in parts if (c.first_day or 1) > 1 or (c.last_day or supply) < supply
            ]
            if not limited:
                continue
            several = len({(c.first_day or 1, c.last_day or supply) for c in parts}) > 1
            days = ", ".join(f"{c.first_day or 1}-{c.last_day or supply}" for c in parts)
            for key, template in _directions_of(study, product):
                named = {name for _text, name, _spec, _conv in string.Formatter().parse(template)}
                if several and not {"first_day", "last_day"} <= named:
                    raise r.fail(
                        f"dose_levels[{index}].components",
                        N_(
                            "gives product '{product}' in parts taken on different days of the "
                            "cycle (days {days}), but its directions ({where}) do not say the "
                            "days, so the parts cannot be told apart: give '{product}' its own "
                            "directions in [label.product_directions] and in each "
                            "[label.text.<language>.product_directions] that say {first_day} "
                            "and {last_day}"
                        ),
                        product=product,
                        days=days,
                        where=key,
                        first_day="{first_day}",  # the file's placeholders, as written
                        last_day="{last_day}",
                    )
                if not (named & {"start_date", "first_day"} and named & {"days", "last_day"}):
                    raise r.fail(
                        f"dose_levels[{index}].components",
                        N_(
                            "gives product '{product}' on some days of the cycle only (days "
                            "{days}), but its directions ({where}) do not say when it starts and "
                            "ends, so it would read as taken from day 1 or to the end of the "
                            "supply: say {start_date} (the date of its first day) or "
                            "{first_day}, and {supply_days} or {last_day}, in its directions "
                            "(give '{product}' its own in [label.product_directions] and in "
                            "each [label.text.<language>.product_directions])"
                        ),
                        product=product,
                        days=days,
                        where=key,
                        start_date="{start_date}",  # the file's placeholders, as written
                        first_day="{first_day}",
                        supply_days="{days}",
                        last_day="{last_day}",
                    )


MG_PER_UNIT: dict[str, float] = {"mg": 1.0, "g": 1000.0, "mcg": 0.001, "µg": 0.001, "μg": 0.001}
"""The units of a strength the loader can put in mg (strength_mg) and compare: mass only (an
amount in IU has no weight in mg the file could state truthfully)."""

_AMOUNT = re.compile(r"(?<![\d.A-Za-z])(\d+(?:\.\d+)?)\s*(mg|g|mcg|µg|μg)(?![A-Za-z/])")
"""An amount of drug written in a text ("160 mg", "0.5 g"); not "mg/kg", "mg/m2", "mg/day"
(an amount per something is not a dose's figure)."""


def amount_in_mg(text: str) -> float | None:
    """The one amount of drug a text writes, in mg ("160 mg twice daily" -> 160.0); None when
    it writes none, or several that differ (which figure is the dose cannot be told)."""
    found = {float(figure) * MG_PER_UNIT[unit] for figure, unit in _AMOUNT.findall(text)}
    return found.pop() if len(found) == 1 else None


def _same_mg(one: float, other: float) -> bool:
    return abs(one - other) <= 1e-9 * max(abs(one), abs(other), 1.0)


def _check_dose_names(r: _Reader, study: Study) -> None:
    """A dose level whose name (in English or in a label language) writes one amount in mg
    must agree with its components: the name is printed on the label beside the number of
    units per dose ("60 mg twice daily ... 2 capsules" of 80 mg capsules). The name may give
    the amount of one dose or of a day; a level combining strengths of one drug ("150 mg" of
    a 100 mg and two 25 mg capsules) gives their sum. The loader checks the arithmetic only,
    never what the dose should be. A name of several amounts, or a level of several drugs
    (their amounts are not added up), is not read."""
    for index, dose in enumerate(study.dose_levels):
        products = [study.product(part.product) for part in dose.components]
        if len({product.name for product in products}) != 1:
            continue  # two drugs: one amount in the name cannot be their sum
        if len(products) > 1 and not r.new_file:
            continue  # checked since a database may have stored the file
        per_dose = sum(
            product.strength_mg * part.tablets_per_dose
            for product, part in zip(products, dose.components, strict=True)
        )
        per_day = sum(
            product.strength_mg * part.tablets_per_dose * part.frequency(dose.doses_per_day)
            for product, part in zip(products, dose.components, strict=True)
        )
        names = [(f"dose_levels[{index}].name", dose.name)]
        names += [
            (f"label.text.{language}.dose_levels.{dose.level}", text.dose_levels[dose.level])
            for language, text in study.texts.items()
            if language != ENGLISH.value and dose.level in text.dose_levels
        ]
        for key, name in names:
            said = amount_in_mg(name)
            if said is None or _same_mg(said, per_dose) or _same_mg(said, per_day):
                continue
            if len(dose.components) == 1:
                part = dose.components[0]
                raise r.fail(
                    key,
                    N_(
                        '(dose level {level}, "{name}") says {said} mg, but its components '
                        "give {count} × {strength} per dose, {dose} mg ({daily} mg a day): "
                        "correct the name or the components"
                    ),
                    level=dose.level,
                    name=name,
                    said=f"{said:g}",
                    count=part.tablets_per_dose,
                    strength=products[0].strength,
                    dose=f"{per_dose:g}",
                    daily=f"{per_day:g}",
                )
            raise r.fail(
                key,
                N_(
                    '(dose level {level}, "{name}") says {said} mg, but its components give '
                    "{parts} per dose, {dose} mg in all ({daily} mg a day): correct the name "
                    "or the components"
                ),
                level=dose.level,
                name=name,
                said=f"{said:g}",
                parts=" + ".join(
                    f"{part.tablets_per_dose} × {product.strength}"
                    for product, part in zip(products, dose.components, strict=True)
                ),
                dose=f"{per_dose:g}",
                daily=f"{per_day:g}",
            )


def _check_product_named(r: _Reader, study: Study) -> None:
    """Directions shared by the products of a dose level of more than one product must name
    the product ({product}), else the label prints the same words for each of them ("Take 1
    capsule twice daily", twice) and the participant cannot tell which is which; a product
    with its own directions ([label.product_directions]) needs none."""
    for dose in study.dose_levels:
        shared = {part.product for part in dose.components} - set(study.label.product_directions)
        if len(shared) < 2:
            continue
        for language, text in study.texts.items():
            key = "label.directions" if language == ENGLISH.value else f"label.text.{language}"
            key += "" if language == ENGLISH.value else ".directions"
            named = {name for _t, name, _s, _c in string.Formatter().parse(text.directions)}
            if "product" in named:
                continue
            raise r.fail(
                key,
                N_(
                    "never names the product, but dose level {level} ({name}) gives {count} "
                    "products with these directions: write {product} in them, or give each "
                    "product its own directions in [label.product_directions]"
                ),
                level=dose.level,
                name=dose.name,
                count=len(shared),
                product="{product}",
            )


def _directions_of(study: Study, product: str) -> list[tuple[str, str]]:
    """The directions a product is printed with in each language, with the study file's key
    they come from: its own ([label.product_directions]) or the study's."""
    own = product in study.label.product_directions
    found = [
        (
            "label.product_directions" if own else "label.directions",
            study.label.product_directions.get(product, study.label.directions),
        )
    ]
    for language, text in study.texts.items():
        if language != ENGLISH.value:
            found.append(
                (
                    f"label.text.{language}." + ("product_directions" if own else "directions"),
                    text.product_directions.get(product, text.directions),
                )
            )
    return found


def _supply(r: _Reader, data: dict[str, Any], rules: list[StudyRule]) -> int | None:
    """The optional [supply] table: the re-supply lead time, a rule with its source (a supply
    parameter the site decides, not a clinical fact)."""
    r.known.add("supply")
    if "supply" not in data:
        return None
    supply = r.table(data, "supply")
    days = r.positive(supply, "supply.lead_time_days", 0)
    rules.append(
        StudyRule(
            "supply",
            f"Re-supply lead time of {days} days",
            r.source(supply, "supply.source"),
        )
    )
    return days


def english_label_text(study: Study) -> LabelLanguage:
    """The English label texts, read from the study's own keys ([study], [products],
    [dose_levels], [temperature], [label]) as they are now."""
    return LabelLanguage(
        language="en",
        title=study.title,
        directions=study.label.directions,
        storage=study.temperature.storage,
        caution=study.label.caution,
        keep_out_of_reach=study.label.keep_out_of_reach,
        missed_dose=study.label.missed_dose,
        return_instruction=study.label.return_instruction,
        contact_name=study.contact_name,
        contact_address=study.contact_address,
        products={p.code: f"{p.name} {p.strength}" for p in study.products},
        dose_levels={d.level: d.name for d in study.dose_levels},
        product_directions=study.label.product_directions,
        leaflet_doses=study.label.leaflet_doses,
        diary_date=study.label.diary_date,
        diary_tick=study.label.diary_tick,
        day1_event=study.cycle.day1_event,
        observations={o.key: o.name for o in study.observations},
        investigator=study.investigator,
        sponsor=study.sponsor,
        site=study.site,
        site_name=study.site_name,
        pharmacy_name=study.pharmacy_name,
        short_title=study.short_title or study.title,
        storage_area=study.storage_area,
    )


LANGUAGE_NAME = re.compile(r"[a-z]{2}(?:_[A-Z]{2})?")

LABEL_LANGUAGES = tuple(language.value for language in Language)
"""The languages a label prints in: those the program speaks (i18n.Language), as a label's own
words (Lot, EXP, Dose) are the program's; English from the study file's [label], each other
from its [label.text.<language>]. A new study file naming another is refused saying so."""


def _unsupported(r: _Reader, key: str, problem: str, language: str) -> StudyFileError:
    """The refusal of a label language the program does not print in, naming those it does and
    what to write instead."""
    others = [code for code in LABEL_LANGUAGES if code != ENGLISH.value]
    example = "[" + ", ".join(f'"{code}"' for code in (*others[:1], ENGLISH.value)) + "]"
    return r.fail(
        key,
        problem,
        language=language,
        supported=", ".join(LABEL_LANGUAGES),
        others=", ".join(f"[label.text.{code}]" for code in others),
        example=example,
    )


def _label_texts(
    r: _Reader, label: dict[str, Any], study: Study
) -> tuple[dict[str, LabelLanguage], tuple[str, ...], bool]:
    """English from the file's own keys; each [label.text.<language>] in full."""
    english = english_label_text(study)
    texts = {"en": english}
    r.known.add("label.text")
    raw = label.get("text", {})
    if not isinstance(raw, dict):
        raise r.fail("label.text", N_("must be a table of languages, e.g. [label.text.zh_CN]"))
    for language, table in raw.items():
        key = f"label.text.{language}"
        r.known.add(key)
        if not LANGUAGE_NAME.fullmatch(language) or language == "en":
            raise r.fail(key, N_("must name a language other than English, e.g. zh_CN"))
        if r.new_file and language not in LABEL_LANGUAGES:
            raise _unsupported(
                r,
                key,
                N_(
                    "is for {language}, which the program does not print labels in (it prints "
                    "{supported}): give {others} instead, or remove the table"
                ),
                language,
            )
        if not isinstance(table, dict):
            raise r.fail(key, N_("must be a table"))
        values = {name: r.get(table, f"{key}.{name}", str) for name in LABEL_TEXT_KEYS}
        values |= {
            name: r.get(table, f"{key}.{name}", str, getattr(english, name))
            for name in LABEL_NAME_KEYS
        }
        if not study.short_title and "short_title" not in table:
            # No short title in the file: the windows name the study by its title in this
            # language, as English falls back to [study] title (not English's in its place).
            values["short_title"] = values["title"] or english.short_title
        _check_placeholders(r, values["directions"], f"{key}.directions")
        _check_says_count(r, values["directions"], f"{key}.directions")
        for name in PLAIN_TEXT_KEYS if r.new_file else ():
            if name in table:
                _check_no_placeholder(r, values[name], f"{key}.{name}")
        for name in ("tablets_one", "tablets_many"):
            if "{count}" not in values[name]:
                raise r.fail(f"{key}.{name}", "must hold {count}")
        products = _named(r, table, f"{key}.products", [p.code for p in study.products])
        doses = _named(r, table, f"{key}.dose_levels", [str(d.level) for d in study.dose_levels])
        own = _product_directions(r, table, key, [p.code for p in study.products])
        if set(own) != set(study.label.product_directions):
            raise r.fail(
                f"{key}.product_directions",
                "must give the same products their own directions as [label.product_directions]",
            )
        times = _leaflet_times(r, table, key)
        for name, value in times.items():
            if bool(value) != bool(getattr(study.label, name)):
                raise r.fail(
                    f"{key}.{name}",
                    N_("must be given in [label] and in each [label.text.<language>], or in none"),
                )
        values |= times
        values["day1_event"] = r.get(table, f"{key}.day1_event", str, "")
        if bool(values["day1_event"]) != bool(study.cycle.day1_event):
            raise r.fail(
                f"{key}.day1_event",
                N_("must be given in [cycle] and in each [label.text.<language>], or in none"),
            )
        names = _observation_names(r, table, key, [o.key for o in study.observations])
        words = {
            name: _words(r, table, f"{key}.{name}", [getattr(p, attribute) for p in study.products])
            for name, attribute in PRODUCT_WORDS.items()
        }
        units = _words(r, table, f"{key}.units", [p.form for p in study.products])
        for form, template in units.items():
            if "{count}" not in template:
                raise r.fail(f"{key}.units.{form}", "must hold {count}")
        criteria = {
            name: _criteria(r, table, key, name, getattr(study.eligibility, name))
            for name in ("inclusion", "exclusion")
        }
        templates = [values["directions"], *own.values()]
        if any("{frequency}" in t for t in templates):
            values |= {name: r.get(table, f"{key}.{name}", str) for name in FREQUENCY_KEYS}
            if "{count}" not in values["times_daily"]:
                raise r.fail(f"{key}.times_daily", "must hold {count}")
        else:
            r.known.update(f"{key}.{name}" for name in FREQUENCY_KEYS)
        texts[language] = LabelLanguage(
            language=language,
            products=products,
            product_directions=own,
            observations=names,
            inclusion=criteria["inclusion"],
            exclusion=criteria["exclusion"],
            dose_levels={int(level): name for level, name in doses.items()},
            source=r.source(table, f"{key}.source"),
            forms=words["forms"],
            routes=words["routes"],
            manufacturers=words["manufacturers"],
            units=units,
            **values,
        )
    languages = tuple(r.strings(label, "label.languages")) if "languages" in label else ("en",)
    for language in languages:
        if r.new_file and language not in LABEL_LANGUAGES:
            raise _unsupported(
                r,
                "label.languages",
                N_(
                    "names {language}, which the program does not print labels in (it prints "
                    "{supported}): list only these, e.g. languages = {example}, with a "
                    "[label.text.<language>] table for each but en"
                ),
                language,
            )
        if language not in texts:
            raise r.fail(
                "label.languages",
                N_("names {language}, which has no [label.text.{language}] table"),
                language=language,
            )
    if len(set(languages)) != len(languages):
        raise r.fail("label.languages", N_("names a language twice"))
    bilingual = r.get(label, "label.bilingual", bool, False)
    if bilingual and len(languages) < 2:
        raise r.fail("label.bilingual", N_("needs two languages in label.languages"))
    return texts, languages, bilingual


def _criteria(
    r: _Reader, table: dict[str, Any], prefix: str, name: str, english: tuple[str, ...]
) -> tuple[str, ...]:
    """`<prefix>.inclusion` / `.exclusion` (optional): the criteria in that language, as many
    as [eligibility] lists and in its order, so that each box stands for the same criterion
    in every language."""
    key = f"{prefix}.{name}"
    r.known.add(key)
    if name not in table:
        return ()
    found = r.strings(table, key)
    if len(found) != len(english):
        raise r.fail(
            key,
            N_("must translate each criterion of [eligibility], in its order"),
        )
    return found


def _leaflet_times(r: _Reader, table: dict[str, Any], prefix: str) -> dict[str, str]:
    """`<prefix>.leaflet_doses`, `.diary_date`, `.diary_tick` (optional, "" when left out):
    the leaflet's wording of when the doses are taken, each with only its own placeholders."""
    found: dict[str, str] = {}
    for name, placeholders in LEAFLET_TIME_KEYS.items():
        key = f"{prefix}.{name}"
        r.known.add(key)
        found[name] = r.get(table, key, str, "")
        if name in table:
            if not found[name].strip():
                raise r.fail(key, N_("must not be empty: leave the key out instead"))
            _check_placeholders(r, found[name], key, placeholders)
    return found


def _product_directions(
    r: _Reader, table: dict[str, Any], prefix: str, codes: list[str]
) -> dict[str, str]:
    """`<prefix>.product_directions`: a product's own directions (optional, by product code)."""
    key = f"{prefix}.product_directions"
    r.known.add(key)
    if "product_directions" not in table:
        return {}
    found: dict[str, str] = {}
    for code in r.table(table, key):
        r.known.add(f"{key}.{code}")
        if code not in codes:
            raise r.fail(key, N_("names '{code}', not a product of the study"), code=code)
        value = r.get(table["product_directions"], f"{key}.{code}", str)
        _check_placeholders(r, value, f"{key}.{code}")
        _check_says_count(r, value, f"{key}.{code}")
        found[code] = value
    return found


def _observation_names(
    r: _Reader, table: dict[str, Any], prefix: str, keys: list[str]
) -> dict[str, str]:
    """`<prefix>.observations`: an observation's name in this language (optional)."""
    key = f"{prefix}.observations"
    r.known.add(key)
    if "observations" not in table:
        return {}
    found: dict[str, str] = {}
    for name in r.table(table, key):
        r.known.add(f"{key}.{name}")
        if name not in keys:
            raise r.fail(key, N_("names '{name}', not an observation of the study"), name=name)
        found[name] = r.get(table["observations"], f"{key}.{name}", str)
    return found


PRODUCT_WORDS = {"forms": "form", "routes": "route", "manufacturers": "manufacturer"}
"""Optional tables of [label.text.<language>]: each [[products]] value of that field (by its
English) in the language, for the DARF's header."""


def _words(r: _Reader, table: dict[str, Any], key: str, english: list[str]) -> dict[str, str]:
    """`key` (optional): words of [[products]] in a language, each by its English ("tablet" =
    "片剂"); one left out prints in English, one [[products]] never uses is refused."""
    r.known.add(key)
    name = key.rsplit(".", 1)[-1]
    if name not in table:
        return {}
    given = r.table(table, key)
    used = sorted({word for word in english if word})
    found: dict[str, str] = {}
    for word, value in given.items():
        r.known.add(f"{key}.{word}")
        if word not in used:
            raise r.fail(
                key,
                N_("names '{word}', which no product of [[products]] has (use {used})"),
                word=word,
                used=", ".join(used),
            )
        if not isinstance(value, str) or not value.strip():
            raise r.fail(
                key, N_('must give "{name}" its printed name (a non-empty text)'), name=word
            )
        found[word] = value
    return found


def _named(r: _Reader, table: dict[str, Any], key: str, expected: list[str]) -> dict[str, str]:
    """A table giving every product (or dose level) its printed name in a language."""
    names = r.table(table, key)
    for name in names:
        r.known.add(f"{key}.{name}")
        if name not in expected:
            raise r.fail(
                key,
                N_("names '{name}', not in the study (use {expected})"),
                name=name,
                expected=", ".join(expected),
            )
    for name in expected:
        value = names.get(name)
        if not isinstance(value, str) or not value.strip():
            raise r.fail(
                key, N_('must give "{name}" its printed name (a non-empty text)'), name=name
            )
    return {name: names[name] for name in expected}


def _refuse_unknown_keys(r: _Reader, data: dict[str, Any], prefix: str = "") -> None:
    """A key this program does not read is a misspelling (`hold_at_or_abov`) whose rule would
    silently not apply: refused, naming the keys the table may hold."""
    for name, value in data.items():
        key = f"{prefix}{name}"
        if key not in r.known:
            here = sorted(
                rest
                for k in r.known
                if k.startswith(prefix)
                and "." not in (rest := k[len(prefix) :])
                and "[" not in rest
            )
            raise r.fail(
                key,
                N_("is not one the program reads (misspelt?); the keys here: {keys}"),
                keys=", ".join(here),
            )
        if isinstance(value, dict):
            _refuse_unknown_keys(r, value, f"{key}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    _refuse_unknown_keys(r, item, f"{key}[{index}].")


DIRECTION_PLACEHOLDERS = (
    "tablets",
    "tablets_per_dose",
    "start_date",
    "days",
    "dose_name",
    "product",
    "first_day",
    "last_day",
    "frequency",
)


def _check_placeholders(
    r: _Reader,
    directions: str,
    key: str = "label.directions",
    allowed: tuple[str, ...] = DIRECTION_PLACEHOLDERS,
) -> None:
    """Only the `allowed` placeholders, plain (no attribute, index, format or conversion):
    the text is filled in for every label, so it must not fail or grow there."""
    known = ", ".join("{" + name + "}" for name in allowed) or "none"
    try:
        fields = list(string.Formatter().parse(directions))
    except ValueError as exc:
        raise r.fail(
            key, f"has a broken placeholder ({exc}); write a brace as {{{{ or }}}}"
        ) from exc
    for _text, name, spec, conversion in fields:
        if name is not None and (name not in allowed or spec or conversion):
            raise r.fail(
                key,
                N_("has an unknown placeholder '{name}': use only {known}"),
                name=name,
                known=known,
            )


PLAIN_LABEL_KEYS = ("caution", "keep_out_of_reach", "missed_dose", "return_instruction")
"""The [label] texts printed as written: no placeholder is filled in them."""

PLAIN_TEXT_KEYS = (
    "title",
    "storage",
    *PLAIN_LABEL_KEYS,
    "contact_name",
    "contact_address",
    *LABEL_NAME_KEYS,
)
"""The [label.text.<language>] texts printed as written: no placeholder is filled in them."""

_BRACED = re.compile(r"\{[^{}]*\}|[{}]")


def _check_no_placeholder(r: _Reader, text: str, key: str) -> None:
    """A text printed as written takes no placeholder: a "{next_visit}" in it printed as
    "{next_visit}" on every label and leaflet."""
    found = _BRACED.search(text)
    if found is not None:
        raise r.fail(
            key,
            N_(
                "has '{found}', but this text takes no placeholder and is printed as written: "
                "write it out in words"
            ),
            found=found.group(0),
        )


PER_DOSE_COUNTS = ("tablets", "tablets_per_dose")
"""The placeholders that say how many units make one dose ("2 capsules", "2")."""


def _check_says_count(r: _Reader, directions: str, key: str = "label.directions") -> None:
    """Directions (checked by _check_placeholders first) must say how many units to take at
    each dose: a label without it never told the participant how many per dose."""
    named = {name for _text, name, _spec, _conv in string.Formatter().parse(directions)}
    if not named & set(PER_DOSE_COUNTS):
        raise r.fail(
            key,
            N_(
                "never says how many to take at each dose: write {tablets} (the number with "
                'its word, "2 capsules") or {per_dose} (the number alone) in it'
            ),
            tablets="{tablets}",
            per_dose="{tablets_per_dose}",
        )


def _products(r: _Reader, data: dict[str, Any]) -> tuple[Product, ...]:
    products: list[Product] = []
    missing = N_("is missing: give at least one [[products]] table")
    for key, item in r.tables(data.get("products"), "products", missing):
        code = r.get(item, f"{key}.code", str)
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", code):
            raise r.fail(f"{key}.code", N_("may hold only letters, digits, '.', '_' and '-'"))
        if any(p.code == code for p in products):
            raise r.fail(f"{key}.code", N_("repeats the product code '{code}'"), code=code)
        strength_mg = r.get(item, f"{key}.strength_mg", float)
        if strength_mg <= 0:
            raise r.fail(f"{key}.strength_mg", N_("must be more than 0"))
        strength = r.get(item, f"{key}.strength", str)
        _check_strength(r, key, strength, strength_mg)
        products.append(
            Product(
                code=code,
                name=r.get(item, f"{key}.name", str),
                strength=strength,
                strength_mg=strength_mg,
                form=r.get(item, f"{key}.form", str),
                route=r.get(item, f"{key}.route", str),
                tablets_per_kit=r.positive(item, f"{key}.tablets_per_kit"),
                manufacturer=r.get(item, f"{key}.manufacturer", str, ""),
            )
        )
    return tuple(products)


_STRENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([^\W\d_]+)")
"""The amount a strength text begins with and its unit ("80 mg", "20 mg or placebo")."""


def _check_strength(r: _Reader, key: str, strength: str, strength_mg: float) -> None:
    """`strength` (printed on the labels) must begin with its amount in a unit of MG_PER_UNIT,
    the same amount as `strength_mg` (which the dose names are checked with): "80 mcg" beside
    strength_mg = 80 printed a label of micrograms and a dose in milligrams."""
    found = _STRENGTH.match(strength)
    units = "mg, g, mcg, µg"  # μg (the Greek mu) is read too, the same unit
    if found is None:
        raise r.fail(
            f"{key}.strength",
            N_('must begin with the amount and its unit ({units}), e.g. "80 mg"'),
            units=units,
        )
    figure, unit = found.groups()
    if unit not in MG_PER_UNIT:
        raise r.fail(
            f"{key}.strength",
            N_("writes the unit '{unit}', which the program does not know: use {units}"),
            unit=unit,
            units=units,
        )
    amount = float(figure) * MG_PER_UNIT[unit]
    if not _same_mg(amount, strength_mg):
        raise r.fail(
            f"{key}.strength_mg",
            N_(
                "is {given} mg, but strength says {strength} ({amount} mg): give the same "
                "amount in both"
            ),
            given=f"{strength_mg:g}",
            strength=strength,
            amount=f"{amount:g}",
        )


def _check_product_names(r: _Reader, study: Study) -> None:
    """A product's printed name in a label language that writes one amount (the label prints
    it as the product's strength: "扎奈替尼胶囊 80 mg") must be the product's strength."""
    for language, text in study.texts.items():
        if language == ENGLISH.value:
            continue
        for product in study.products:
            name = text.products.get(product.code, "")
            said = amount_in_mg(name)
            if said is not None and not _same_mg(said, product.strength_mg):
                raise r.fail(
                    f"label.text.{language}.products",
                    N_(
                        "gives product '{product}' the name \"{name}\", of {said} mg, but its "
                        "strength is {strength}: correct the name"
                    ),
                    product=product.code,
                    name=name,
                    said=f"{said:g}",
                    strength=product.strength,
                )


def _dose_levels(r: _Reader, data: dict[str, Any], codes: set[str]) -> tuple[DoseLevel, ...]:
    levels: list[DoseLevel] = []
    missing = N_("is missing: give at least one [[dose_levels]] table")
    for key, item in r.tables(data.get("dose_levels"), "dose_levels", missing):
        level = r.get(item, f"{key}.level", int)
        if any(d.level == level for d in levels):
            raise r.fail(f"{key}.level", N_("repeats dose level {level}"), level=level)
        components: list[DoseComponent] = []
        for c_key, comp in r.tables(
            r.get(item, f"{key}.components", list),
            f"{key}.components",
            N_("must list at least one product"),
            "must be an inline table {product=..., tablets_per_dose=...}",
        ):
            product = r.get(comp, f"{c_key}.product", str)
            if product not in codes:
                raise r.fail(
                    f"{c_key}.product", N_("names unknown product '{product}'"), product=product
                )
            frequency = (
                r.positive(comp, f"{c_key}.doses_per_day") if "doses_per_day" in comp else None
            )
            first, last = _cycle_days(r, comp, f"{c_key}.days")
            components.append(
                DoseComponent(
                    product,
                    r.positive(comp, f"{c_key}.tablets_per_dose"),
                    frequency,
                    first,
                    last,
                )
            )
        # An old-style file gives the level's frequency; a per-drug one may give it per product.
        per_drug = all(c.doses_per_day is not None for c in components)
        levels.append(
            DoseLevel(
                level=level,
                name=r.get(item, f"{key}.name", str),
                doses_per_day=(
                    r.positive(item, f"{key}.doses_per_day", 1)
                    if not per_drug or "doses_per_day" in item
                    else 1
                ),
                components=tuple(components),
            )
        )
    if not any(d.level == STARTING_DOSE_LEVEL for d in levels):
        # Cycle 1 is dispensed at level 0 unless the investigator orders another: a file
        # without it loaded, and then every dispense was refused ("Dose level 0 is not in
        # study ...").
        raise r.fail(
            "dose_levels",
            N_(
                "has no level {level}: a dose level {level}, the starting dose, is required "
                "(the levels given: {given})"
            ),
            level=STARTING_DOSE_LEVEL,
            given=", ".join(str(d.level) for d in levels),
        )
    return tuple(levels)


def _cycle_days(r: _Reader, comp: dict[str, Any], key: str) -> tuple[int | None, int | None]:
    """`days = [1, 14]`: the first and last day of the cycle a drug is taken (None: all)."""
    r.known.add(key)
    if "days" not in comp:
        return None, None
    value = comp["days"]
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 1 <= value[0] <= value[1]
    ):
        raise r.fail(key, N_("must be [first day, last day] of the cycle, e.g. [1, 14]"))
    return int(value[0]), int(value[1])


def _observations(r: _Reader, data: dict[str, Any], hold: float) -> tuple[Observation, ...]:
    """[[observations]]; a study with a platelet hold rule and no declared platelet count asks
    it as before (optional, 0 to 5000 ×10⁹/L)."""
    found: list[Observation] = []
    r.known.add("observations")
    if "observations" in data:
        for key, item in r.tables(data["observations"], "observations", N_("must not be empty")):
            name = r.get(item, f"{key}.key", str)
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", name) or name == IRT_CONFIRMATION:
                raise r.fail(f"{key}.key", N_("must be a short name in lower case, e.g. weight"))
            if any(o.key == name for o in found):
                raise r.fail(f"{key}.key", N_("repeats the observation '{name}'"), name=name)
            low = r.get(item, f"{key}.min", float, 0.0)
            high = r.get(item, f"{key}.max", float)
            if low >= high:
                raise r.fail(f"{key}.min", N_("must be lower than max"))
            found.append(
                Observation(
                    key=name,
                    name=r.get(item, f"{key}.name", str),
                    unit=written_unit(r.get(item, f"{key}.unit", str, "")),
                    required=r.get(item, f"{key}.required", bool, False),
                    minimum=low,
                    maximum=high,
                )
            )
    if hold and not any(o.key == PLATELETS for o in found):
        found.insert(0, PLATELET_COUNT)
    platelets = next((o for o in found if o.key == PLATELETS), None)
    if hold and platelets is not None and not platelets.minimum < hold <= platelets.maximum:
        # A hold outside the counts the field accepts never fires (above the highest) or holds
        # every dispense (at or below the lowest): either way the rule is not the protocol's.
        raise r.fail(
            "platelets.hold_at_or_above",
            N_(
                "is {hold:g}, outside the platelet counts a dispense accepts "
                "({low:g} to {high:g}): the hold would never apply, or apply to every count"
            ),
            hold=hold,
            low=platelets.minimum,
            high=platelets.maximum,
        )
    return tuple(found)


def _eligibility(r: _Reader, table: dict[str, Any], sex: str) -> Eligibility:
    """[eligibility], with the optional exclusion criterion on another study's treatment
    (other_study_exclusion: its number in `exclusion`, from 1, with other_study_source): the
    study's own words, never a wording the program guesses."""
    min_age = r.positive(table, "eligibility.min_age", 0)
    inclusion = r.strings(table, "eligibility.inclusion")
    exclusion = r.strings(table, "eligibility.exclusion")
    r.known.update(("eligibility.other_study_exclusion", "eligibility.other_study_source"))
    other: int | None = None
    source = ""
    if "other_study_exclusion" in table or "other_study_source" in table:
        other = r.positive(table, "eligibility.other_study_exclusion")
        if other > len(exclusion):
            raise r.fail(
                "eligibility.other_study_exclusion",
                N_("is {number}, but exclusion lists {count} criteria: give the number of one"),
                number=other,
                count=len(exclusion),
            )
        source = r.source(table, "eligibility.other_study_source")
        other -= 1
    return Eligibility(
        min_age=min_age,
        sex=sex,
        inclusion=inclusion,
        exclusion=exclusion,
        other_study=other,
        other_study_source=source,
    )


def _dose_by_weight(
    r: _Reader, data: dict[str, Any], levels: set[int], observations: tuple[Observation, ...]
) -> tuple[DoseByWeight | None, StudyRule | None]:
    """[dose_by_weight]: bands = [{below_kg = 60, level = 0}, {level = 1}], in weight order."""
    r.known.add("dose_by_weight")
    if "dose_by_weight" not in data:
        return None, None
    table = r.table(data, "dose_by_weight")
    observation = r.get(table, "dose_by_weight.observation", str, "weight")
    weight = next((o for o in observations if o.key == observation), None)
    if weight is None:
        raise r.fail(
            "dose_by_weight.observation",
            f"names '{observation}', which no [[observations]] table declares",
        )
    bands: list[WeightBand] = []
    items = list(
        r.tables(
            r.get(table, "dose_by_weight.bands", list),
            "dose_by_weight.bands",
            N_("must list at least two bands"),
            "must be an inline table {below_kg=..., level=...}",
        )
    )
    for index, (key, band) in enumerate(items):
        level = r.get(band, f"{key}.level", int)
        if level not in levels:
            raise r.fail(f"{key}.level", f"names dose level {level}, not in [[dose_levels]]")
        last = index == len(items) - 1
        below = None if last else r.get(band, f"{key}.below_kg", float)
        if last and "below_kg" in band:
            raise r.fail(f"{key}.below_kg", N_("must be left out of the last band (the rest)"))
        r.known.add(f"{key}.below_kg")
        if below is not None and bands and (bands[-1].below_kg or 0) >= below:
            raise r.fail(f"{key}.below_kg", N_("must be more than the band before"))
        if below is not None and not weight.minimum < below <= weight.maximum:
            # A limit outside the weights the dispense accepts leaves a band no participant
            # can ever fall in: a typo (600 for 60) that would silently dose everyone alike.
            raise r.fail(
                f"{key}.below_kg",
                N_(
                    "is {below:g}, outside the weights a dispense accepts ({low:g} to "
                    "{high:g} {unit}): a band could never apply"
                ),
                below=below,
                low=weight.minimum,
                high=weight.maximum,
                unit=weight.unit,
            )
        bands.append(WeightBand(below, level))
    if len(bands) < 2:
        raise r.fail("dose_by_weight.bands", N_("must list at least two bands"))
    rule = DoseByWeight(observation, tuple(bands))
    title = "Dose level by weight: " + "; ".join(
        f"{rule.band_text(b.level)} level {b.level}" for b in bands
    )
    return rule, StudyRule("dose_by_weight", title, r.source(table, "dose_by_weight.source"))


def _approval(r: _Reader, data: dict[str, Any]) -> tuple[Approval | None, StudyRule | None]:
    """[approval] ethics_expires = 2027-06-30 (or the text), warn_days_before, source."""
    r.known.add("approval")
    if "approval" not in data:
        return None, None
    table = r.table(data, "approval")
    r.known.add("approval.ethics_expires")
    raw = table.get("ethics_expires")
    expires: date | None = raw if type(raw) is date else None
    if isinstance(raw, str):
        try:
            expires = date.fromisoformat(raw.strip())
        except ValueError:
            expires = None
    if expires is None:
        raise r.fail("approval.ethics_expires", N_("must be a date (YYYY-MM-DD)"))
    warn = r.positive(table, "approval.warn_days_before", 0)
    found = Approval(expires, warn)
    return found, StudyRule(
        "approval",
        f"Ethics approval expires {expires.isoformat()}: no dispensing after it, "
        f"a warning {warn} days before",
        r.source(table, "approval.source"),
    )


def load_study(path: str | Path) -> Study:
    """Reads a study file from disk; a missing or unreadable file is a clear refusal."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise StudyFileError(
            _("Study file {file} does not exist. Give the path of a .toml study file.").format(
                file=file
            )
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise StudyFileError(
            _("Study file {file} cannot be read ({error}).").format(file=file, error=exc)
        ) from exc
    return parse_study(text, str(file), new_file=True)
