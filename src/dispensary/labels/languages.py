"""The languages one label or leaflet prints in, and its texts in each.

Which languages print is decided by the services (services.labels.plan_print: the study's
languages, less any whose text is still to confirm) and given to the renderers; a renderer
called without languages prints English. Each language's texts come from the study file
(`Study.text(language)`: title, product names, directions, storage, cautions, contact); the
label's own words (Lot, EXP, Dose...) from labels.wording, spoken in that language.

A bilingual label carries each particular in every language, the main language first; a text
that reads the same in both (a kit number) is printed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

from dispensary.i18n import ENGLISH, ENGLISH_DAYS, Language, format_date, speaking
from dispensary.labels import wording
from dispensary.labels.text import Piece, keep_together
from dispensary.services.results import DispenseResult
from dispensary.study import LabelLanguage, Study, english_label_text

ENGLISH_ONLY: tuple[str, ...] = ("en",)


def spoken(code: str) -> Language:
    """The language the label's own words are written in: the study's language where the
    program speaks it, else English."""
    try:
        return Language(code)
    except ValueError:
        return ENGLISH


@dataclass(frozen=True)
class Speech:
    """One language of a label: the study file's texts in it, and the language of the label's
    own words."""

    code: str  # "en", "zh_CN": as the study file names it
    language: Language
    text: LabelLanguage

    @property
    def english(self) -> bool:
        return self.code == "en"

    def source(self, english_key: str, key: str) -> str:
        """Where a text is in the study file, for messages: '[label] directions' in English,
        '[label.text.zh_CN] directions' in another language."""
        return english_key if self.english else f"[label.text.{self.code}] {key}"

    @contextmanager
    def speaking(self) -> Iterator[Speech]:
        with speaking(self.language):
            yield self

    def write_date(self, day: date, weekday: bool = True) -> str:
        """A date in the label's and leaflet's sentences, as friendly_date writes it."""
        return friendly_date(day, self, weekday)


def friendly_date(day: date, speech: Speech | None = None, weekday: bool = True) -> str:
    """'Wed 10 Sep 2025': the weekday helps, and the month in letters cannot be misread.
    In Chinese '2025年9月10日 周三'. The label's directions and the leaflet write a date alike,
    so that the participant reads one date in one form on the bottle and on the leaflet; a
    label with no room for the weekday leaves it out ('10 Sep 2025', '2025年9月10日'). The date
    itself is i18n.format_date's, as the label's dispense date ('Dispensed 10 Sep 2025'):
    one month abbreviation on a label, never 'Sept' beside 'Sep'."""
    if speech is None or speech.english:
        written = format_date(day, ENGLISH, "short")
        return f"{ENGLISH_DAYS[day.weekday()]} {written}" if weekday else written
    if not weekday:
        return format_date(day, speech.language)
    from babel.dates import format_date as babel_date

    named = babel_date(day, "EEE", locale=speech.language.value)
    return f"{format_date(day, speech.language)} {named}"


def english_text(study: Study) -> LabelLanguage:
    """The English texts, read from the study's own keys as they are now (study.py says how)."""
    return english_label_text(study)


def speeches(study: Study, languages: Sequence[str] = ENGLISH_ONLY) -> list[Speech]:
    """The label's languages with their texts, in order; the study file must give each."""
    chosen = tuple(dict.fromkeys(languages)) or ENGLISH_ONLY
    return [
        Speech(code, spoken(code), english_text(study) if code == "en" else study.text(code))
        for code in chosen
    ]


def directions(
    study: Study,
    dispense: DispenseResult,
    speech: Speech,
    weekday: bool = True,
    products: Sequence[str] | None = None,
) -> str:
    """The directions with the start date and days of supply, made in every language from the
    facts the service's own are made from (dose level, start date, days to the last day of
    supply) with the study file's text in that language and the date written as the leaflet
    writes it ('Wed 1 Jul 2026', not the ISO date of the service's; without the weekday where
    a label has no room for it). `products`: only these products' directions (the label of
    one kit of a dispense of several: its own product's); None: every product of the dose."""
    start = dispense.start_date or dispense.day1
    days = max(1, (dispense.last_day - start).days + 1)
    dose = study.dose_level(dispense.dose_level)
    if products is not None:
        dose = replace(dose, components=tuple(c for c in dose.components if c.product in products))
    # The date never breaks across lines ('2026年3月' / '2日' would misread).
    return study.directions_for(
        dose, start, days, speech.code, lambda day: keep_together(speech.write_date(day, weekday))
    )


def dose_name(dispense: DispenseResult, speech: Speech) -> str:
    if speech.english:
        return dispense.dose_name
    return speech.text.dose_levels.get(dispense.dose_level, dispense.dose_name)


def in_every(speeches: Sequence[Speech], make: Callable[[Speech], list[Piece]]) -> list[Piece]:
    """The pieces of each language, particular by particular (the main language first). A
    piece that reads the same in another language is not repeated; pieces made of parts
    (statements) become one piece, each statement once."""
    made: list[list[Piece]] = []
    for speech in speeches:
        with speech.speaking():
            made.append(make(speech))
    pieces: list[Piece] = []
    seen: set[str] = set()
    for index in range(max((len(m) for m in made), default=0)):
        group = [
            (speech, per_language[index])
            for speech, per_language in zip(speeches, made, strict=True)
            if index < len(per_language)
        ]
        if len(group) > 1 and all(piece.parts for _speech, piece in group):
            pieces.append(_merged(group))
            continue
        for _speech, piece in group:
            if piece.text not in seen:
                seen.add(piece.text)
                pieces.append(piece)
    return pieces


def _merged(group: Sequence[tuple[Speech, Piece]]) -> Piece:
    """One piece of the statements of every language, each statement once, in the language
    it was first written in (its punctuation too)."""
    first = group[0][1]
    done: list[str] = []
    text = ""
    for speech, piece in group:
        for part in piece.parts:
            if part in done:
                continue
            done.append(part)
            if first.joiner is not None:
                text += (first.joiner if text else "") + part
                continue
            with speech.speaking():
                finished = wording.sentence(part)
            text += ("" if not text or text.endswith(wording.FULL_STOPS) else " ") + finished
    fields = " / ".join(dict.fromkeys(piece.field for _speech, piece in group))
    sources = " / ".join(dict.fromkeys(piece.source for _speech, piece in group if piece.source))
    return replace(first, text=text, field=fields, source=sources, parts=tuple(done))
