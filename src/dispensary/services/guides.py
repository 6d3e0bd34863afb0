"""The guides' examples in the current study's own facts. The guides (resources/guides) are one
text for every study: where an example names the drug, a kit's count, the cycle or the supply,
the text holds a placeholder (`{{product}}`, `{{kit_units}}`, `{{cycle_days}}` ...) that
`fill` gives the study file's fact, computed by the study and the domain's regimen arithmetic
as the counter computes it: a site whose study is of capsules taken twice daily in 28-day
cycles reads its own numbers, never the first study's. Where the study file has no such fact
(no second product, no platelet threshold, no event that is day 1) the example says so in
neutral words, or a line marked `{{if NAME}}` is left out."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dispensary.domain.regimen import dosing_days, kits_needed, tablets_needed
from dispensary.domain.rules import day1_named
from dispensary.i18n import ENGLISH, N_, format_number, parse_language, speaking, translated
from dispensary.study import Study

PLACEHOLDER = re.compile(r"\{\{([a-z_0-9]+)\}\}")
CONDITION = re.compile(r"\{\{if ([a-z_0-9]+)\}\}")

NO_STUDY = {
    "protocol": N_("the study"),
    "product": N_("the study drug"),
    "other_product": N_("another product of the study"),
}
"""What a guide says where no study is open (the placeholders' neutral words)."""
ANOTHER_PRODUCT = N_("another product of the study")
DAY1_EXAMPLE = N_("for example {event}")
DAY1_AS_PROTOCOL = N_("as the protocol sets it")
EXAMPLE_CYCLE = N_(
    "In {protocol}, a cycle lasts {cycle_days} days. At the starting dose ({dose}), {per_dose} "
    "of {product} {frequency} make {supply_units} for the {supply_days} days of supply: "
    "{kits_said} of {kit_units}."
)
ON_DAYS = N_("{frequency} on {days} days")
"""A product taken on some days of the supply only (days 1-14 of 21): its frequency and days."""
KITS = (N_("{count} kit"), N_("{count} kits"))
TIMES_DAILY = (N_("once daily"), N_("twice daily"), N_("{count} times daily"))


def _percent(fraction: float, language: str) -> str:
    parsed = parse_language(language) or ENGLISH
    return f"{format_number(round(fraction * 100, 1), parsed)} %"


def _frequency(study: Study, doses_per_day: int, language: str) -> str:
    """'once daily' in the study file's words of `language` (its label's {frequency}), else
    the program's own words in that language."""
    said = study.wording(language).frequency(doses_per_day)
    if language == ENGLISH.value or said not in (
        e.format(count=doses_per_day) for e in TIMES_DAILY
    ):
        return said
    once, twice, times = (translated(t, language) for t in TIMES_DAILY)
    if doses_per_day == 1:
        return once
    return twice if doses_per_day == 2 else times.format(count=doses_per_day)


def _day1_named(event: str, language: str) -> str:
    """What day 1 is, where its date is checked (the domain's day1_named), in `language`."""
    with speaking(parse_language(language) or ENGLISH):
        return day1_named(event)


def facts(study: Study | None, language: str) -> dict[str, str]:
    """Each placeholder of the guides, in `language`, from `study` (the one the window works
    in); only neutral words when there is none. A fact the study file does not give is left
    out: its `{{if NAME}}` lines are dropped."""
    if study is None:
        said = {key: translated(text, language) for key, text in NO_STUDY.items()}
        said["day1_example"] = translated(DAY1_AS_PROTOCOL, language)
        said["day1_event"] = _day1_named("", language)
        return said
    start = min(study.dose_levels, key=lambda d: abs(d.level))  # the starting dose (level 0)
    part = start.components[0]
    main = study.product(part.product)
    code = main.code
    per_kit = main.tablets_per_kit
    cycle = study.cycle
    supply = tablets_needed(start, code, cycle.days_of_supply)
    kits = kits_needed(supply, per_kit)
    held = per_kit * (kits - 1) if kits > 1 else supply * 2 // 3
    under = study.adherence.under_use_below
    taken = min(supply * 4 // 7, max(0, int(supply * under) - 1))  # flagged as under-use
    interval = cycle.min_days_since_previous_day1  # None: the study sets no minimum interval
    gap = max(1, interval - 4) if interval is not None else None
    previous = date(2026, 2, 24)
    event = study.day1_event_named(language)

    def units(count: int) -> str:
        return study.units(code, count, language)

    others = [p for p in study.products if p.code != code]
    said = {
        "protocol": study.protocol,
        "product": study.product_name(code, language),
        "other_product": study.product_name(others[0].code, language)
        if others
        else translated(ANOTHER_PRODUCT, language),
        "unit_word": study.unit_words([code], language),
        "kit": str(per_kit),
        "kit_units": units(per_kit),
        "kit_less_one": str(per_kit - 1),
        "kit_less_two": str(per_kit - 2),
        "kit_more_one": str(per_kit + 1),
        "kit_more_four": str(per_kit + 4),
        "kit_more_four_units": units(per_kit + 4),
        "none_units": units(0),
        "kit_times_ten": str(per_kit * 10),
        "kit_times_ten_units": units(per_kit * 10),
        "supply": str(supply),
        "supply_units": units(supply),
        "held_units": units(held),
        "taken": study.quantity(code, taken, language),
        "taken_n": str(taken),
        "expected": study.quantity(code, supply, language),
        "cycle_days": str(cycle.length_days),
        "supply_days": str(cycle.days_of_supply),
        "held_days": str(cycle.days_of_supply + 9),
        "previous_day1": previous.isoformat(),
        "day1_event": _day1_named(event, language),
        "day1_example": translated(DAY1_EXAMPLE, language).format(event=event)
        if event
        else translated(DAY1_AS_PROTOCOL, language),
        "under_use": _percent(under, language),
        "over_use": _percent(study.adherence.over_use_above, language),
        "frequency": _frequency(study, part.frequency(start.doses_per_day), language),
        "per_dose": study.units(code, part.tablets_per_dose, language),
    }
    days_taken = dosing_days(start, code, cycle.days_of_supply)
    often = said["frequency"]
    if days_taken < cycle.days_of_supply:
        often = translated(ON_DAYS, language).format(frequency=often, days=days_taken)
    count_said = translated(KITS[0] if kits == 1 else KITS[1], language).format(count=kits)
    said["example_cycle"] = translated(EXAMPLE_CYCLE, language).format(
        protocol=study.protocol,
        cycle_days=said["cycle_days"],
        dose=study.dose_name(start.level, language),
        per_dose=said["per_dose"],
        frequency=often,
        supply_units=said["supply_units"],
        product=said["product"],
        supply_days=said["supply_days"],
        kits_said=count_said,
        kit_units=said["kit_units"],
    )
    said["tablets_only" if study.tablets_only else "other_units"] = "yes"
    threshold = study.platelet_hold_at_or_above
    if threshold:
        said["platelets"] = f"{threshold:g}"
        said["platelets_seen"] = f"{threshold + 10:g}"
    reduced = [d for d in study.dose_levels if d.level < start.level]
    if reduced:
        lower = max(reduced, key=lambda d: d.level)
        said["reduced"] = str(lower.level)
        said["reduced_name"] = study.dose_name(lower.level, language)
        said["start_level"] = str(start.level)
    if gap is not None:  # the interval example only where the study file sets one
        said["gap"] = str(gap)
        said["day1"] = (previous + timedelta(days=gap)).isoformat()
    return said


def fill(text: str, study: Study | None, language: str) -> str:
    """A guide's Markdown with its placeholders given the study's facts (facts); a line marked
    `{{if NAME}}` kept only when the study gives NAME. A placeholder no fact fills is left as
    written (a test keeps every placeholder of the guides known)."""
    given = facts(study, language)
    unknown = "…" if study is None else None  # no study: no number to give
    lines = []
    for line in text.splitlines(keepends=True):
        condition = CONDITION.search(line)
        if condition is not None:
            if condition.group(1) not in given:
                continue
            line = line.replace(condition.group(0), "", 1)
        lines.append(PLACEHOLDER.sub(lambda m: given.get(m.group(1), unknown or m.group(0)), line))
    return "".join(lines)
