"""Rules at the counter. Each refusal is a typed error whose message says what to do."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation

KIT_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,39}")
STUDY_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}")
INITIALS = re.compile(r"[A-Z]{2,4}")
TEXT_LIMIT = 500


@dataclass(frozen=True)
class KitCandidate:
    number: str
    product: str
    lot: str
    expiry: date
    status: KitStatus
    tablets: int


def effective_status(status: KitStatus, expiry: date, today: date) -> KitStatus:
    """A kit past its expiry that is still on the shelf reads as expired."""
    if status in (KitStatus.AVAILABLE, KitStatus.QUARANTINED) and expiry < today:
        return KitStatus.EXPIRED
    return status


def _must_be_text(raw: object, what: str) -> str:
    """Screens and scripts pass text; anything else is refused rather than crashing later."""
    if not isinstance(raw, str):
        raise InvalidInput(f"The {what} must be text, not {type(raw).__name__}.")
    return raw


def normalise_kit_number(raw: str) -> str:
    """Scanners and typists differ in case and stray spaces; the kit number does not."""
    number = _must_be_text(raw, "kit number").strip().upper()
    if not KIT_NUMBER.fullmatch(number):
        raise InvalidInput(
            f"'{_show(raw)}' is not a kit number. Kit numbers are 1-40 letters and digits "
            "(also . _ -); scan the kit barcode again or type the number printed under it."
        )
    return number


def normalise_study_number(raw: str) -> str:
    number = _must_be_text(raw, "study number").strip().upper()
    if not STUDY_NUMBER.fullmatch(number):
        raise InvalidInput(
            f"'{_show(raw)}' is not a participant study number. Use 1-20 letters, digits "
            "and '-', as on the enrolment log (e.g. 01-001)."
        )
    return number


def normalise_initials(raw: str) -> str:
    initials = _must_be_text(raw, "initials").strip().upper().replace(".", "").replace(" ", "")
    if not INITIALS.fullmatch(initials):
        raise InvalidInput(
            f"'{_show(raw)}' are not initials. Give 2 to 4 letters A-Z (no names: "
            "participants are identified by study number and initials only)."
        )
    return initials


def check_text(value: str, what: str, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    """Free text (reasons, notes, methods): printable, bounded, and present when required."""
    text = _must_be_text(value, what).strip()
    if required and not text:
        raise InvalidInput(f"Give the {what}: it is required for the record.")
    if len(text) > limit:
        raise InvalidInput(f"The {what} is {len(text)} characters long; keep it under {limit}.")
    if any(ord(ch) < 32 and ch not in "\t" for ch in text) or "\x7f" in text:
        raise InvalidInput(f"The {what} contains control characters; type it again.")
    return text


def check_count(value: int, what: str, maximum: int = 100_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"The {what} must be a whole number.")
    if value < 0:
        raise InvalidInput(f"The {what} cannot be negative ({value}). Count again.")
    if value > maximum:
        raise InvalidInput(f"The {what} ({value}) is more than {maximum}; check the number.")
    return value


def check_date(value: object, what: str) -> date:
    """A calendar date (not a date and time, not text): what every date field holds."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"The {what} must be a date (YYYY-MM-DD), not {value!r:.40}.")
    return value


def check_flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"The {what} must be yes or no, not {value!r:.40}.")
    return value


def check_not_future(when: date | None, today: date, what: str) -> date:
    """`None` means today; any other value must be a real date, not after today."""
    when = today if when is None else check_date(when, what)
    if when > today:
        raise InvalidInput(
            f"The {what} {when.isoformat()} is in the future (today is {today.isoformat()}). "
            "Record steps on or after the day they happen."
        )
    if when < date(2000, 1, 1):
        raise InvalidInput(f"The {what} {when.isoformat()} is before 2000; check the date.")
    return when


def check_eligibility(
    birth_year: int, sex: str, enrolled_on: date, min_age: int, required_sex: str
) -> None:
    if not 1900 <= birth_year <= enrolled_on.year:
        raise InvalidInput(f"Year of birth {birth_year} is not possible; check it.")
    if enrolled_on.year - birth_year < min_age:
        raise RuleViolation(
            f"A participant born in {birth_year} may be under {min_age} on "
            f"{enrolled_on.isoformat()}; the study enrols adults of {min_age} or more only. "
            "Check the year of birth with the investigator."
        )
    if required_sex != "ALL" and sex != required_sex:
        raise RuleViolation(
            f"The study's inclusion criteria admit sex '{required_sex}' only; "
            f"this participant is recorded as '{sex}'. Check with the investigator."
        )


def check_next_cycle(cycle: int, last_cycle: int | None, max_cycles: int) -> None:
    expected = (last_cycle or 0) + 1
    if last_cycle is not None and cycle <= last_cycle:
        raise RuleViolation(
            f"Cycle {cycle} has already been dispensed"
            + (f" (the last dispensed cycle is {last_cycle})" if cycle != last_cycle else "")
            + f". The next cycle to dispense is {expected}; to correct a dispense made in error, void it first."
        )
    if cycle != expected:
        raise RuleViolation(
            f"Cycle {cycle} is not the next cycle: dispense cycle {expected} first."
        )
    if max_cycles and cycle > max_cycles:
        raise RuleViolation(f"The protocol allows at most {max_cycles} cycles.")


def check_interval(
    day1: date, previous_day1: date | None, min_days: int, enrolled_on: date
) -> None:
    if day1 < enrolled_on:
        raise InvalidInput(
            f"Day 1 ({day1.isoformat()}) is before enrolment ({enrolled_on.isoformat()}); "
            "check the T-DM1 infusion date."
        )
    if previous_day1 is None:
        return
    gap = (day1 - previous_day1).days
    if gap < min_days:
        earliest = previous_day1 + timedelta(days=min_days)
        raise RuleViolation(
            f"Day 1 {day1.isoformat()} is only {gap} days after the previous cycle's day 1 "
            f"({previous_day1.isoformat()}); the study allows the next cycle from "
            f"{earliest.isoformat()} ({min_days} days). Check the infusion date."
        )


def check_day1_near(day1: date, dispensed_on: date, window: int = 7) -> None:
    """A dispense for a day 1 far from the dispense date is almost always a typing error."""
    if abs((day1 - dispensed_on).days) > window:
        raise InvalidInput(
            f"Day 1 ({day1.isoformat()}) is more than {window} days from the dispense date "
            f"({dispensed_on.isoformat()}); check the T-DM1 infusion date."
        )


def check_kit_dispensable(kit: KitCandidate, product: str, cover_until: date, today: date) -> None:
    status = effective_status(kit.status, kit.expiry, today)
    if status is not KitStatus.AVAILABLE:
        advice = {
            KitStatus.QUARANTINED: "It is quarantined: release it first or take another kit.",
            KitStatus.EXPIRED: "It has expired: set it aside for destruction and take another.",
            KitStatus.DISPENSED: "It has already been dispensed: take another kit.",
            KitStatus.RETURNED: "Returned tablets are never dispensed again: take another kit.",
            KitStatus.DESTROYED: "It has been destroyed: check the kit you scanned.",
        }.get(status, "Take another kit.")
        raise RuleViolation(f"Kit {kit.number} is {status.value}. {advice}")
    if kit.product != product:
        raise RuleViolation(
            f"Kit {kit.number} holds {kit.product}, but this dose needs {product}. "
            "Take a kit of the right product."
        )
    if kit.expiry < cover_until:
        raise RuleViolation(
            f"Kit {kit.number} (lot {kit.lot}) expires {kit.expiry.isoformat()}, before the "
            f"supply must last ({cover_until.isoformat()}). Take a kit with a later expiry."
        )


def choose_fefo(
    kits: Iterable[KitCandidate], product: str, tablets: int, cover_until: date, today: date
) -> list[KitCandidate]:
    """First expiry, first out, among available kits of the product that last long enough."""
    usable = [
        k
        for k in kits
        if k.product == product
        and effective_status(k.status, k.expiry, today) is KitStatus.AVAILABLE
        and k.expiry >= cover_until
        and k.tablets > 0
    ]
    usable.sort(key=lambda k: (k.expiry, k.lot, k.number))
    chosen: list[KitCandidate] = []
    total = 0
    for kit in usable:
        if total >= tablets:
            break
        chosen.append(kit)
        total += kit.tablets
    if total < tablets:
        raise RuleViolation(
            f"Not enough {product} in stock: {tablets} tablets needed, {total} available in kits "
            f"that last until {cover_until.isoformat()}. Receive stock or release quarantined kits."
        )
    return chosen


def check_scanned_cover(kits: Sequence[KitCandidate], product: str, tablets: int) -> None:
    total = sum(k.tablets for k in kits if k.product == product)
    if total < tablets:
        raise RuleViolation(
            f"The kits scanned hold {total} tablets of {product}; {tablets} are needed for the "
            "cycle. Scan another kit."
        )


def check_return_quantity(tablets: int, dispensed: int, already_returned: int, kit: str) -> None:
    check_count(tablets, "number of tablets returned")
    if tablets + already_returned > dispensed:
        left = dispensed - already_returned
        raise RuleViolation(
            f"{tablets} tablets returned for kit {kit}, but only {left} of the {dispensed} "
            "dispensed are unaccounted for. Count the tablets again."
        )


def _show(raw: str) -> str:
    shown = "".join(ch if ch.isprintable() else "?" for ch in raw)
    return shown if len(shown) <= 40 else shown[:37] + "..."
