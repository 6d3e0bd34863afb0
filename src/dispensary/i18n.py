"""The reader's language for everything outside the windows: reports, the command's own text,
dates and numbers. The windows use Qt's translations (`ui/translations.py`); both read the
languages named here, and both fall back to English, the language of the source.

Messages are marked `_("...")` where they are written (English, as in the source); the
Simplified Chinese is in `resources/i18n/zh_CN.po`, read with Babel. Dates and numbers are
formatted by Babel from the CLDR data, never by hand. JSON keys, CSV headers and codes never
change with the language: scripts read them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

# The one look-up of shipped files, named here too (the modules that read .po files use it).
from dispensary.packaged import resource as resource


class Language(StrEnum):
    """A language the program speaks. The value is the locale name stored with a user."""

    EN = "en"
    ZH_CN = "zh_CN"

    @property
    def native(self) -> str:
        """The name a reader of the language recognises, shown in choosers."""
        return {Language.EN: "English", Language.ZH_CN: "简体中文"}[self]

    @property
    def bcp47(self) -> str:
        return {Language.EN: "en", Language.ZH_CN: "zh-Hans-CN"}[self]


ENGLISH = Language.EN


LOCALE_NAME = re.compile(r"[a-z]{2,3}(?:_[a-z0-9]{2,8})*")


def parse_language(value: str | None) -> Language | None:
    """A language from a locale name as systems write it ("zh_CN.UTF-8", "zh-Hans", "en_GB");
    None when it names no language the program speaks."""
    if not value:
        return None
    name = value.split(".")[0].split("@")[0].replace("-", "_").lower()
    if not LOCALE_NAME.fullmatch(name):
        return None  # "C", "POSIX", or not a locale name at all
    if name.startswith("zh"):
        traditional = any(t in name for t in ("_tw", "_hk", "_mo", "hant"))
        return None if traditional else Language.ZH_CN
    if name.startswith("en"):
        return Language.EN
    return None


def language_named(value: str) -> Language:
    """A language given by a user (`--lang`), refused with the ones there are."""
    found = parse_language(value)
    if found is None:
        names = ", ".join(lang.value for lang in Language)
        raise ValueError(
            _("'{value}' is not a language the program speaks: use {names}.").format(
                value=value, names=names
            )
        )
    return found


def system_language(environ: Mapping[str, str] | None = None) -> Language:
    """The workstation's language from the environment, as POSIX programs read it."""
    env = os.environ if environ is None else environ
    for key in ("DISPENSARY_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(key, "")
        if value:
            return parse_language(value) or ENGLISH
    return ENGLISH


_current: ContextVar[Language | None] = ContextVar("dispensary_language", default=None)


_process: Language | None = None
"""The language of the windows (set by the GUI at sign-in): threads the GUI starts use it too,
as they do not inherit the context."""


def current_language() -> Language:
    return _current.get() or _process or system_language()


def set_process_language(language: Language | None) -> None:
    """The windows' language for every thread of the program (None: the system's again)."""
    global _process
    _process = language


def set_language(language: Language | None) -> Token[Language | None]:
    """The language from now on (the command's `--lang`; None: the system's again); the token
    puts back the one before (`reset_language`), e.g. when a command run in-process ends."""
    return _current.set(language)


def reset_language(token: Token[Language | None]) -> None:
    _current.reset(token)


@contextmanager
def speaking(language: Language | None) -> Iterator[Language]:
    """Everything inside is written in `language` (a report in the reader's language)."""
    chosen = language or current_language()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


@cache
def catalogue(language: Language) -> dict[str, str]:
    """English message -> translation; fuzzy and empty entries are left out (they would show
    an unchecked translation), so such a message prints in English."""
    if language is ENGLISH:
        return {}
    from babel.messages.pofile import read_po

    found: dict[str, str] = {}
    for path in catalogue_files(language):
        with path.open("rb") as handle:
            read = read_po(handle, locale=language.value)
        for message in read:
            if message.id and isinstance(message.id, str) and not message.fuzzy:
                text = message.string
                if isinstance(text, str) and text:
                    found[message.id] = text
    return found


def catalogue_files(language: Language) -> list[Path]:
    """`<lang>.po` (labels and common words) and `<lang>-<part>.po` (e.g. the reports'): one
    file per part, so that translators of different parts never edit the same file."""
    folder = resource("i18n")
    return sorted(
        p for p in folder.glob(f"{language.value}*.po") if p.stem.split("-")[0] == language.value
    )


def _(message: str) -> str:
    """The message in the current language (English when it has no translation)."""
    language = current_language()
    if language is ENGLISH:
        return message
    return catalogue(language).get(message, message)


def translated(message: str, language: str | None = None) -> str:
    """The message in a named language (the current one when None), whatever the current one
    is: what one reader sees in another's language, e.g. a study rule's English title for the
    audit trail while the windows are in Chinese."""
    chosen = parse_language(language) if language else current_language()
    if chosen is None or chosen is ENGLISH:
        return message
    return catalogue(chosen).get(message, message)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it stands: "From" over the kits' source
    (来源) is not "From" over a time (自), "Held" over held tablets is not a held participant.
    The catalogue holds it as "context|message"; English shows the message."""
    key = f"{context}|{message}"
    found = _(key)
    return message if found == key else found


def N_(message: str) -> str:  # the gettext convention, read by the extractor
    """Marks a message for translation where it is defined; `_` translates it where shown."""
    return message


ENGLISH_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
"""The months as every English date in short form writes them, three letters each. Not the
locale data's: CLDR's British English abbreviates September "Sept" (and only September), so a
label read "Dispensed 30 Sept 2026" beside "from Wed 30 Sep 2026" in its directions."""
ENGLISH_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def format_date(value: date, language: Language | None = None, form: str = "long") -> str:
    """A date as its reader writes it: "11 January 2027" / "2027年1月11日". In English "short"
    is "11 Jan 2027" (`ENGLISH_MONTHS`), as the labels and the leaflet write every date
    (labels.languages.friendly_date adds the weekday to this one)."""
    from babel.dates import format_date as babel_date

    lang = language or current_language()
    if lang is ENGLISH:
        if form == "long":
            return babel_date(value, "d MMMM y", locale="en_GB")
        return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"
    return babel_date(value, form, locale=lang.value)


def format_datetime(value: datetime, language: Language | None = None) -> str:
    """A date and time: "30 Sep 2026 14:05" (the date as `format_date`'s short form) /
    "2026年9月30日 14:05"."""
    from babel.dates import format_datetime as babel_datetime

    lang = language or current_language()
    if lang is ENGLISH:
        return f"{format_date(value.date(), lang, 'short')} {value:%H:%M}"
    return babel_datetime(value, "y年M月d日 HH:mm", locale=lang.value)


def utc_offset(at: datetime) -> str:
    """The zone of a local time as its offset from UTC ("UTC+08:00", "UTC-05:30"), never its
    abbreviation: "CST" is China Standard Time and US Central Time both."""
    offset = at.utcoffset()
    if offset is None:
        return ""
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def weekday(value: date, language: Language | None = None) -> str:
    from babel.dates import format_date as babel_date

    lang = language or current_language()
    return babel_date(value, "EEEE", locale="en_GB" if lang is ENGLISH else lang.value)


def format_number(value: float, language: Language | None = None) -> str:
    from babel.numbers import format_decimal

    lang = language or current_language()
    return format_decimal(value, locale="en_GB" if lang is ENGLISH else lang.value)


_FULL_WIDTH_STOPS = "。！？；：，、）」』”"
_FULL_WIDTH_OPENINGS = "（「『“"


def listed(items: Iterable[str]) -> str:
    """A list's items one after the other with the language's separator: "K0101, K0102" in
    English, "K0101、K0102" in Chinese (the enumeration comma, no space), as every message,
    window and report lists kits, lots or names."""
    return (", " if current_language() is ENGLISH else "、").join(items)


def sentences(parts: Iterable[str]) -> str:
    """Messages said one after another: a space between English sentences, none after a
    Chinese full stop (。) or other full-width mark, where Chinese text never puts one
    ("药盒已隔离。 请先解除隔离" reads as a gap)."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not (out[-1] in _FULL_WIDTH_STOPS or part[0] in _FULL_WIDTH_OPENINGS):
            out += " "
        out += part
    return out
