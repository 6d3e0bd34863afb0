"""The reasons the program itself writes on ledger rows (a receipt's shipment, a dispense's
cycle, a return, a destruction) and on kits set aside (quarantine), in one place for the writer
and the reader; and the reading back of any text the program writes in English into a record
(`in_reader_words`: a dispense's notices too, domain.rules.NOTICE_FORMS).

A ledger row's reason is part of the record: it is stored in English, as written, and never
changed. The DARF and the quarantine log print it in the reader's language. Only where the
program wrote it: each kind of row has the forms its writer uses (LEDGER_FORMS; a quarantine
by an excursion or at a receipt, QUARANTINE_FORMS), a reason of that row in one of them is
given in the reader's words with its values (numbers, and the text a user typed) as recorded,
and any other reason (a correction's, a count's, a quarantine by hand, all typed by a user)
prints as recorded: a typed "shipment arrived warm" is never half translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

from dispensary.domain.codes import MovementKind
from dispensary.i18n import N_, _

SHIPMENT = N_("shipment {shipment}")
CYCLE = N_("cycle {cycle}")
CYCLE_IRT = N_("cycle {cycle}, IRT confirmation {confirmation}")
CYCLE_RETURN = N_("cycle {cycle} return")
RETURN_CORRECTED = N_("correction of return {ret}: {reason}")
DESTROYED = N_("destroyed: {method}")
TO_SPONSOR = N_("returned to sponsor: {method}")
SHIPMENT_TEMPERATURE = N_("shipment {shipment} received with its temperature record not acceptable")
EXCURSION = N_("temperature excursion {lowest}-{highest} °C")
DAMAGED_SEEN = N_("damaged on arrival (seen at receipt)")
DAMAGED_LISTED = N_("damaged on arrival (manifest {condition})")
DAMAGED_FORMS = (DAMAGED_SEEN, DAMAGED_LISTED)
"""The forms of a kit received into quarantine as damaged: marked so by the user at receipt, or
by the sponsor's manifest (its condition column as written, "condition: Leaking")."""
TEMPERATURE_DAMAGED_SEEN = N_(
    "shipment {shipment} received with its temperature record not acceptable; kit damaged on "
    "arrival (seen at receipt)"
)
TEMPERATURE_DAMAGED_LISTED = N_(
    "shipment {shipment} received with its temperature record not acceptable; kit damaged on "
    "arrival (manifest {condition})"
)
TEMPERATURE_DAMAGED_FORMS = (TEMPERATURE_DAMAGED_SEEN, TEMPERATURE_DAMAGED_LISTED)
"""The forms of a kit received damaged from a shipment whose temperature record is not
acceptable: both causes in its one quarantine, so that the sponsor's release covers both."""

LEDGER_FORMS: dict[str, tuple[str, ...]] = {
    MovementKind.RECEIVE.value: (SHIPMENT,),
    MovementKind.DISPENSE.value: (CYCLE_IRT, CYCLE),
    MovementKind.RETURN.value: (CYCLE_RETURN, RETURN_CORRECTED),
    MovementKind.DESTROY.value: (DESTROYED, TO_SPONSOR),
}
"""The forms the program writes on a ledger row of each kind (MovementKind's value), the longer
of two that share a start first; a count's adjustment and a correction carry a typed reason."""
EXCURSION_FORMS = (EXCURSION, *DAMAGED_FORMS)
"""The form of a kit quarantined by an imported excursion (or, received damaged during one and
linked to it, as damaged)."""
RECEIPT_FORMS = (*TEMPERATURE_DAMAGED_FORMS, SHIPMENT_TEMPERATURE, *DAMAGED_FORMS)
"""The forms of a kit quarantined as it was received: with a temperature record not acceptable,
damaged, or both."""
Parts = Mapping[str, tuple[str, ...] | Callable[[str], str]]
"""A text's values the program writes too (in_reader_words): by the forms it writes them in,
or named by a function (a rule's title, from the study file: Study.rule_named)."""


DESTRUCTION_METHODS = (
    N_("Incineration on site"),
    N_("Incineration by contractor"),
    N_("Return to sponsor"),
)
"""The destruction methods the program offers, recorded in English (the words of the records)
whatever the language they were chosen in; a method typed in is recorded as typed."""


def destruction_method(stored: str) -> str:
    """A destruction's method in the reader's language when it is one the program offers
    (DESTRUCTION_METHODS); a method typed in as typed."""
    return _(stored) if stored in DESTRUCTION_METHODS else stored


LEDGER_PARTS: Parts = {"method": destruction_method}
"""The values of a ledger row's reason the program writes too: a destruction's method
("destroyed: Incineration on site" is 已销毁：现场焚烧)."""

FORMS = (
    *(f for forms in LEDGER_FORMS.values() for f in forms),
    EXCURSION,
    SHIPMENT_TEMPERATURE,
    *DAMAGED_FORMS,
    *TEMPERATURE_DAMAGED_FORMS,
)


NUMBERS = {"cycle": r"\d+", "ret": r"\d+"}
"""The values that are numbers: a reason whose number is not one was not written by the program."""


def written(form: str, **values: object) -> str:
    """The reason as stored: the English form with its values."""
    return form.format(**values)


@cache
def _pattern(form: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", form)
    seen: set[str] = set()
    regex = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex += re.escape(part)
        elif part in seen:  # the same value again ("{unit}" after each figure)
            regex += f"(?P={part})"
        else:
            seen.add(part)
            regex += f"(?P<{part}>{NUMBERS.get(part, '.+?')})"
    return re.compile(regex, re.DOTALL)


def in_reader_words(stored: str, forms: tuple[str, ...], parts: Parts | None = None) -> str:
    """A stored text in the reader's language when it is one of `forms`, those the program
    writes there; else as recorded. `parts`: the forms a value of the text is written in
    itself (a notice's {finding}, its rule's {source}), given in the reader's words too, or
    the function that names it; a text with such a value in none of its forms is shown as
    recorded, never half translated (numbers and any other value stay as recorded)."""
    shown = _in_words(stored, forms, parts or {})
    return stored if shown is None else shown


def _in_words(stored: str, forms: tuple[str, ...], parts: Parts) -> str | None:
    for form in forms:
        found = _pattern(form).fullmatch(stored)
        if not found:
            continue
        values: dict[str, str] = {}
        for name, value in found.groupdict().items():
            inner = parts.get(name)
            if inner is None:
                shown: str | None = value
            elif callable(inner):
                shown = inner(value)
            else:
                shown = _in_words(value, inner, parts)
            if shown is None:
                break
            values[name] = shown
        else:
            return _(form).format(**values)
    return None


def quarantined_for(day: str, reason: str, excursion: object = None) -> str:
    """A quarantine as a cause a kit is held for, in one phrase in the reader's language (a
    release's dialog and result, its audit entry's `held_for`). `reason`: the quarantine's
    reason in the reader's words (`in_reader_words`), its closing full stop dropped (the phrase
    goes on); an excursion's own reason, its temperatures, is not said twice ("for temperature
    excursion 1: temperature excursion 27.5-27.8 °C" is "for temperature excursion 1
    (27.5-27.8 °C)")."""
    reason = reason.strip().rstrip(".。") or reason
    if excursion is None:
        return _("quarantined {day}: {reason}").format(day=day, reason=reason)
    found = _pattern(_(EXCURSION)).fullmatch(reason)
    if found:
        return _(
            "quarantined {day} for temperature excursion {excursion} ({lowest}-{highest} °C)"
        ).format(day=day, excursion=excursion, **found.groupdict())
    return _("quarantined {day} for temperature excursion {excursion}: {reason}").format(
        day=day, excursion=excursion, reason=reason
    )
