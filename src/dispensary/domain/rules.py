"""Rules at the counter. Each refusal is a typed error whose message says what to do."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from dispensary.domain.codes import ExpiryStanding, KitStatus, ParticipantStatus
from dispensary.domain.errors import InvalidInput, RuleViolation, ToConfirm
from dispensary.domain.lifecycle import KitEvent, transition
from dispensary.domain.regimen import kits_needed, last_day_of_supply
from dispensary.i18n import ENGLISH, N_, Language, _, current_language, pgettext, translated

KIT_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,39}")
STUDY_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}")
INITIALS = re.compile(r"[A-Z]{2,4}")
TEXT_LIMIT = 500

DATABASE_INT_MAX = 2**31 - 1
"""The largest id or count any column holds: PostgreSQL's INTEGER is 32-bit (SQLite's is 64-bit),
so a larger number is refused before it reaches either database."""
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
"""The window of dates typed or imported at all: wide enough for any record or expiry, narrow
enough that a year typo (0001, 9999) is caught and date arithmetic (+1 day, +N days) stays in the
calendar. The rules of each step (not in the future, not before 2000...) narrow it further."""
MAX_DAYS_AHEAD = 36_500
"""The most days counted ahead of a date (an expiry horizon): a century, which keeps any
date in the window plus it inside the calendar."""


@dataclass(frozen=True)
class KitCandidate:
    number: str
    product: str
    lot: str
    expiry: date
    status: KitStatus
    tablets: int
    held: bool = False
    """Held for a count difference not settled (services.counts.open_differences: its last
    count differs from the book, neither adjusted nor counted again): what it holds is in
    doubt, so it is no stock (`in_stock`) until a recount or the adjustment settles it."""


def in_stock(kit: KitCandidate, today: date) -> bool:
    """The one rule of a kit counted as usable stock on the shelf: the kits the dispense hands
    out from (`usable_kits`), the supply forecast plays its cycles against, and the Today
    screen counts. Available and not past its expiry (`effective_status`), holding tablets,
    and not held for a count difference (`KitCandidate.held`)."""
    return (
        effective_status(kit.status, kit.expiry, today) is KitStatus.AVAILABLE
        and kit.tablets > 0
        and not kit.held
    )


def effective_status(status: KitStatus, expiry: date, today: date) -> KitStatus:
    """A kit past its expiry that is still on the shelf reads as expired."""
    if status in (KitStatus.AVAILABLE, KitStatus.QUARANTINED) and expiry < today:
        return KitStatus.EXPIRED
    return status


_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
"""Full-width ASCII (U+FF01-U+FF5E) and the ideographic space to their ASCII (NFKC for that
range only): a Chinese keyboard types "０１－０５０" for 01-050, which reads right on screen."""


def half_width(text: str) -> str:
    """`text` with full-width letters, digits and signs as ASCII: a number or initials typed on
    a Chinese keyboard are checked as what they read ("ＡＢ" is AB), wherever a number is typed
    or scanned. Other characters are kept as typed."""
    return text.translate(_FULL_WIDTH)


def _must_be_text(raw: object, what: str) -> str:
    """Screens and scripts pass text; anything else is refused rather than crashing later."""
    if not isinstance(raw, str):
        raise InvalidInput(
            _("The {what} must be text, not {kind}.").format(what=_(what), kind=type(raw).__name__)
        )
    return raw


def normalise_kit_number(raw: str) -> str:
    """Scanners and typists differ in case and stray spaces; the kit number does not."""
    number = half_width(_must_be_text(raw, N_("kit number"))).strip().upper()
    if not KIT_NUMBER.fullmatch(number):
        raise InvalidInput(
            _(
                "'{raw}' is not a kit number. Kit numbers are 1-40 letters and digits "
                "(also . _ -); scan the kit barcode again or type the number printed under it."
            ).format(raw=_show(raw))
        )
    return number


def normalise_code(raw: str, what: str, limit: int = 60) -> str:
    """A lot or shipment number as recorded and looked up: printable text in upper case, as
    kit numbers are (normalise_kit_number). Typed, scanned or read from a manifest, 'ht2611a'
    is lot HT2611A: recorded as typed, it became a second lot that a recall by HT2611A missed."""
    return half_width(check_text(raw, what, limit=limit)).upper()


KIT_SEPARATORS = "-._"

DISPENSE_PREFIX = "DSP"
DISPENSE_NUMBER = re.compile(rf"{DISPENSE_PREFIX}\d{{6,}}")
"""A dispensing label's barcode: the dispense number."""


def is_dispense_number(code: object) -> bool:
    """A dispensing label's number (scanned or typed), whatever the case and spaces around it."""
    return (
        isinstance(code, str)
        and DISPENSE_NUMBER.fullmatch(half_width(code).strip().upper()) is not None
    )


def looks_like_dispense_number(code: str) -> bool:
    """A code typed or scanned as a dispensing label's number that is not one (a digit left out
    or a letter for a digit: DSP00011, DSP0001I): the prefix, then a digit."""
    text = half_width(code).strip().upper()
    rest = text[len(DISPENSE_PREFIX) :]
    return text.startswith(DISPENSE_PREFIX) and rest[:1].isdigit() and not is_dispense_number(text)


def code_shape(code: str) -> str:
    """A code's form without its letters and digits: its length and where its separators are
    (01-0L3 and 01-004 are both xx-xxx). A mistyped number keeps the shape of the numbers it
    was meant to be of, whatever letter or digit was typed wrong."""
    return "".join(c if c in KIT_SEPARATORS else "x" for c in code.strip().upper())


def new_kit_number(raw: str) -> str:
    """A kit number as it is received (typed, in a range or on a manifest line). A separator
    at either end is a range missing its other end ('K1400-') or a slip: received, it would be
    a second record of one physical kit, so it is refused, saying how a range is written. A
    dispensing label's number (DSP000123) is the counter's own label, never a kit's: a kit
    received under it could not be told from the label by a scan. A lot number needs the
    records (services.receiving refuses it). Kits already in stock are still found by
    `normalise_kit_number`."""
    text = half_width(_must_be_text(raw, N_("kit number"))).strip().upper()
    if text and (text[0] in KIT_SEPARATORS or text[-1] in KIT_SEPARATORS):
        raise InvalidInput(
            _(
                "'{raw}' is not a kit number: a kit number starts and ends with a letter or "
                "digit. Give a range by its first and last kit, as K0001-K0050 (same prefix, "
                "same width), or one kit by its number, as K0001."
            ).format(raw=_show(raw))
        )
    if is_dispense_number(text):
        raise InvalidInput(
            _(
                "{code} is a dispensing label's number, not a kit number: each kit is received "
                "under the number on its own label. Check the kit list against the shipment's "
                "paperwork."
            ).format(code=text)
        )
    return normalise_kit_number(raw)


def normalise_study_number(raw: str) -> str:
    number = half_width(_must_be_text(raw, N_("study number"))).strip().upper()
    if not STUDY_NUMBER.fullmatch(number):
        raise InvalidInput(
            _(
                "'{raw}' is not a participant study number. Use 1-20 letters, digits "
                "and '-', as on the enrolment log (e.g. 01-001)."
            ).format(raw=_show(raw))
        )
    return number


def normalise_initials(raw: str, staff: bool = False) -> str:
    """A participant's initials (the enrolment log's, by which with the study number they are
    identified), or, `staff`, a user's (who signs records with them): 2 to 4 letters A-Z."""
    typed = half_width(_must_be_text(raw, N_("initials")))
    initials = typed.strip().upper().replace(".", "").replace(" ", "")
    if not initials:
        raise InvalidInput(_("Give the initials: 2 to 4 letters A-Z."))
    if not INITIALS.fullmatch(initials):
        if staff:
            raise InvalidInput(
                _("'{raw}' are not initials. Give 2 to 4 letters A-Z.").format(raw=_show(raw))
            )
        raise InvalidInput(
            _(
                "'{raw}' are not initials. Give 2 to 4 letters A-Z (no names: "
                "participants are identified by study number and initials only)."
            ).format(raw=_show(raw))
        )
    return initials


def _latin_letter(ch: str) -> str:
    """`ch` as a letter A-Z when it is one, accents and full width dropped ("É" is E, "Ａ" is
    A); "" for a Chinese character or anything else."""
    base = unicodedata.normalize("NFKD", half_width(ch))[:1]
    return base.upper() if base.isascii() and base.isalpha() else ""


_NAME_WORDS = re.compile(r"[\s,\-\u3000]+")


def initials_from_name(full_name: str) -> str:
    """The initials a pharmacist would write for a full name, offered by `init` and the set-up
    wizard alike: the first letter of each word in Latin letters (up to 4, upper case), or the
    first two letters of a one-word name. "" when none can be made (a name with Chinese
    characters): the caller asks for them (e.g. the pinyin initials), rather than making
    initials of the characters or refusing the name as if typed as initials."""
    words = [word for word in _NAME_WORDS.split(full_name) if word]
    firsts = [_latin_letter(word[0]) for word in words]
    if not all(firsts):  # "李伟", "Li 伟": the characters' pinyin is not known here
        return ""
    initials = "".join(firsts)[:4]
    if len(words) == 1:
        initials = "".join(_latin_letter(ch) for ch in words[0])[:2]
    return initials if INITIALS.fullmatch(initials) else ""


# Zero-width joiners are part of how some scripts (Persian, Indic) and emoji are written; every
# other format character is invisible and can hide or reorder what a record shows.
_JOINERS = frozenset("\u200c\u200d")

_SHOWN_BLANK: tuple[tuple[int, int], ...] = (
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER, HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ, AA: Unicode says not to use them
    (0x2065, 0x2065),  # unassigned, reserved as default-ignorable
    (0x2800, 0x2800),  # BRAILLE PATTERN BLANK
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # unassigned, reserved as default-ignorable
    (0xE0000, 0xE0FFF),  # tags, variation selectors 17-256 (see _ATTACHED) and reserved
)
"""Characters that are not format characters (Cf) yet show as nothing, or as a blank that is
not a space: the letters and marks Unicode calls default-ignorable (DerivedCoreProperties.txt,
Default_Ignorable_Code_Point), the code points it reserves as such, and the braille blank. A
reason made of them alone reads as empty on every screen and report."""

_ATTACHED: tuple[tuple[int, int], ...] = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x180B, 0x180D),  # MONGOLIAN FREE VARIATION SELECTOR ONE to THREE
    (0x180F, 0x180F),  # MONGOLIAN FREE VARIATION SELECTOR FOUR
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1 to 16 (emoji and text presentation)
    (0xE0100, 0xE01EF),  # VARIATION SELECTOR-17 to 256 (ideographic variants of a name)
)
"""Default-ignorable marks that choose how the character before them is drawn, and the joiners:
written after a visible character they are part of the text (an emoji, a Persian word, the
variant of a Chinese character in a name); at the start of the text or after a space they show
nothing at all."""


def _in(ranges: tuple[tuple[int, int], ...], ch: str) -> bool:
    code = ord(ch)
    return any(first <= code <= last for first, last in ranges)


def _hidden_character(text: str) -> str | None:
    """The first character that does not show as typed: control characters (a tab aside), lone
    surrogates (bytes that were not UTF-8), bidi overrides and other format characters, line and
    paragraph separators, Unicode noncharacters, characters that show blank (_SHOWN_BLANK), and
    joiners and variation selectors with no visible character before them (_ATTACHED). Letters
    of any script (Chinese, accents) pass."""
    before = ""
    for ch in text:
        if ch == "\t":
            before = ch
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Zl", "Zp") or (category == "Cf" and ch not in _JOINERS):
            return ch
        code = ord(ch)
        if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            return ch
        attached = ch in _JOINERS or _in(_ATTACHED, ch)
        if attached and (not before or before.isspace()):
            return ch
        if not attached and _in(_SHOWN_BLANK, ch):
            return ch
        before = ch
    return None


def _describe(ch: str) -> str:
    """A character the user cannot see, named so that it can be found and removed."""
    if ch in "\n\r\u2028\u2029\x85":
        return _("a line break")
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".rstrip()


def undecodable(text: str) -> bool:
    """True when text read from the system (an argument, an environment variable) held bytes
    that are not UTF-8: Python keeps them as lone surrogates, which no record may store."""
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def check_text(value: str, what: str, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    """Free text (reasons, notes, methods): printable, bounded, and present when required.
    Hidden characters are refused because the record must read as it was typed: a bidi override
    can make "21" display as "12", and a line break forges a second line in a printed log."""
    text = _must_be_text(value, what).strip()
    if required and not text:
        raise InvalidInput(
            _("Give the {what}: it is required for the record.").format(what=_(what))
        )
    if len(text) > limit:
        raise InvalidInput(
            _("The {what} is {length} characters long; keep it under {limit}.").format(
                what=_(what), length=len(text), limit=limit
            )
        )
    hidden = _hidden_character(text)
    if hidden is None:
        return text
    if unicodedata.category(hidden) == "Cs":
        raise InvalidInput(
            _(
                "The {what} holds bytes that are not UTF-8 text; type it again (and check the "
                "character encoding of the terminal or file it came from)."
            ).format(what=_(what))
        )
    if unicodedata.category(hidden) == "Cc" or hidden in "\u2028\u2029":
        raise InvalidInput(
            _(
                "The {what} contains control characters ({character}); type it again "
                "on one line, without them."
            ).format(what=_(what), character=_describe(hidden))
        )
    raise InvalidInput(
        _(
            "The {what} contains an invisible character ({character}) that changes how "
            "the record reads; type it again without it (text pasted from another program can "
            "carry such characters)."
        ).format(what=_(what), character=_describe(hidden))
    )


# -- numbers and dates as typed or imported ------------------------------------------------------

_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")  # 18 digits: int() is quick, and no overflow
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


def _full_width_refusal(text: str) -> InvalidInput | None:
    """The refusal of a number or date typed in a Chinese input method's full-width mode ("２１",
    "2　1", "２０２６－１２－０７"), which reads right on screen: "'２１' is not a whole number:
    write it with the digits 0-9" left the pharmacist looking at the digits 2 and 1, and the
    full-width space was shown as '?'. Such text is refused, not read (parse_whole), but the
    refusal says what to change. None for any other text."""
    if half_width(text) == text or not re.search(r"[0-9]", half_width(text)):
        return None
    shown = "".join(ch if ch.isprintable() or ch == "\u3000" else "?" for ch in text)
    return InvalidInput(
        _(
            "'{raw}' is typed in full-width characters (the input method's full-width mode): "
            "switch the input method to half-width and type it again."
        ).format(raw=shown if len(shown) <= 40 else shown[:37] + "...")
    )


def parse_whole(
    raw: str, what: str, minimum: int = -DATABASE_INT_MAX, maximum: int = DATABASE_INT_MAX
) -> int:
    """A whole number as typed, in a file or on a command line. Deliberately narrow: spaces around
    it and one leading + or - are allowed; '1_0', '10.0', '1e3' and digits of other scripts
    ('١٠', full-width '１０') are refused, because Python's int() would read some of them as a
    different number than the person meant. Bounded so that no database sees an overflow.
    Each message starts with the value, so that a caller can put where it was in front (a
    manifest line, a command-line option)."""
    text = _must_be_text(raw, what).strip()
    if not text:
        if what == "number":
            raise InvalidInput(_("Give a whole number."))
        raise InvalidInput(_("Give the {what}: a whole number.").format(what=_(what)))
    if _WHOLE.fullmatch(text):
        value = int(text)
        if minimum <= value <= maximum:
            return value
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        full_width = _full_width_refusal(text)
        if full_width is not None:
            raise full_width
        raise InvalidInput(
            _(
                "'{raw}' is not a whole number: write the {what} with the digits 0-9 only "
                "(no separators, decimal point or spaces inside)."
            ).format(raw=_show(text), what=_(what))
        )
    if (minimum, maximum) == (-DATABASE_INT_MAX, DATABASE_INT_MAX):
        # The bounds are the database's, not the value's: "99999999999 is not a number from
        # -2147483647 to 2147483647" gave a range no count of tablets has.
        raise InvalidInput(
            _("{raw} is far beyond any {what}; check the number.").format(
                raw=_show(text), what=_(what)
            )
        )
    raise InvalidInput(
        _("{raw} is not a {what} from {minimum} to {maximum}; check the number.").format(
            raw=_show(text), what=_(what), minimum=minimum, maximum=maximum
        )
    )


def parse_decimal(
    raw: str, what: str, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A decimal number as typed or logged (a temperature, a platelet count, millimetres): the
    digits 0-9 with a point, one leading sign; no exponent, nan, inf, separators, decimal comma
    or other scripts' digits (nan in particular would slip past every range check)."""
    text = _must_be_text(raw, what).strip()
    if not text:
        if what == "number":  # the command's bare number type ("Give the number: a number.")
            raise InvalidInput(_("Give a number."))
        raise InvalidInput(_("Give the {what}: a number.").format(what=_(what)))
    if not _DECIMAL.fullmatch(text):
        full_width = _full_width_refusal(text)
        if full_width is not None:
            raise full_width
        if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", text):
            message = _(
                "'{raw}' is not a number: write the {what} with the digits 0-9 and a "
                "decimal point only; write the decimal point as '.'."
            )
        else:
            message = _(
                "'{raw}' is not a number: write the {what} with the digits 0-9 and a "
                "decimal point only."
            )
        raise InvalidInput(message.format(raw=_show(text), what=_(what)))
    value = float(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if minimum is not None and maximum is not None:
            message = _("{value} is not a {what} from {minimum} to {maximum}; check the number.")
        elif minimum is not None:
            message = _("{value} is not a {what} from {minimum}; check the number.")
        else:
            message = _("{value} is not a {what} to {maximum}; check the number.")
        raise InvalidInput(
            message.format(
                value=f"{value:g}",
                what=_(what),
                minimum=f"{minimum:g}" if minimum is not None else "",
                maximum=f"{maximum:g}" if maximum is not None else "",
            )
        )
    return value


def check_date_window(value: date, what: str) -> date:
    """A date a person or a file gave, within EARLIEST_DATE..LATEST_DATE (see there)."""
    day = value.date() if isinstance(value, datetime) else check_date(value, what)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InvalidInput(
            _(
                "{day} is not a plausible {what} (only dates from {first} to {last}); "
                "check the year."
            ).format(
                day=day.isoformat(), what=_(what), first=EARLIEST_DATE.year, last=LATEST_DATE.year
            )
        )
    return value


def parse_date(raw: str, what: str) -> date:
    """A date written YYYY-MM-DD (ASCII digits), within the plausible window. Python's
    date.fromisoformat alone would also take 20260105 and week dates such as 2026-W01-1."""
    text = _must_be_text(raw, what).strip()
    if not text:
        raise InvalidInput(_("Give the {what} as YYYY-MM-DD.").format(what=_(what)))
    written = _ISO_DATE.fullmatch(text) is not None
    try:
        if not written:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError as exc:
        full_width = _full_width_refusal(text)
        if full_width is not None:
            raise full_width from exc
        if written:  # written as it should be, but no such day: 2026-02-30, 2026-13-01
            raise InvalidInput(
                _("'{raw}' is not a day of the calendar: check the month and the day.").format(
                    raw=_show(text)
                )
            ) from exc
        raise InvalidInput(
            _("'{raw}' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-05).").format(
                raw=_show(text)
            )
        ) from exc
    return check_date_window(day, what)


def parse_expiry(raw: str, what: str = N_("expiry")) -> date:
    """An expiry as a kit label, a manifest or a person writes it: YYYY-MM-DD, or YYYY-MM for
    the last day of that month (labels print "EXP SEP 2028": 2028-09 is 2028-09-30). The one
    reading of an expiry, for the receiving screen, the command's --expiry and the manifest."""
    text = _must_be_text(raw, what).strip()
    if text and _ISO_MONTH.fullmatch(text) is None and _ISO_DATE.fullmatch(text) is None:
        full_width = _full_width_refusal(text)
        if full_width is not None:
            raise full_width
        raise InvalidInput(
            _(
                "'{raw}' is not an expiry date: write it as YYYY-MM-DD, or as YYYY-MM for the "
                "last day of that month (e.g. 2028-09, as a label's EXP SEP 2028)."
            ).format(raw=_show(text))
        )
    if _ISO_MONTH.fullmatch(text) is None:
        return parse_date(text, what)
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise InvalidInput(
            _(
                "'{raw}' is not an expiry date: there is no month {month}; check it (01 to 12)."
            ).format(raw=_show(text), month=text[5:])
        )
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    return check_date_window(date(max(year, 1), month, last), what)


Counted = Literal["returned tablets", "physical count"]
"""What a count counts (check_count): the pgettext context of its messages."""
RETURNED_TABLETS: Counted = "returned tablets"
PHYSICAL_COUNT: Counted = "physical count"


def days_after(day: date, days: int, what: str) -> date:
    """day + days for a horizon counted ahead (an expiry window), refused rather than overflowing
    when the number of days is beyond MAX_DAYS_AHEAD."""
    count = check_count(days, what, maximum=MAX_DAYS_AHEAD)
    try:
        return day + timedelta(days=count)
    except OverflowError as exc:
        raise InvalidInput(
            _("{day} plus {count} days is past the calendar.").format(
                day=day.isoformat(), count=count
            )
        ) from exc


COUNT_AGAIN: dict[str, str] = {
    RETURNED_TABLETS: N_("returned tablets|The {what} cannot be negative ({value}). Count again."),
    PHYSICAL_COUNT: N_("physical count|The {what} cannot be negative ({value}). Count again."),
}
"""A count typed negative, counted again: the tablets a participant brought back (清点) or a kit
on the shelf (盘点, the physical count): one English sentence, two acts in Chinese (the Count
window said 请重新清点, the return's word)."""


def check_count(
    value: int, what: str, maximum: int = 100_000, *, counted: Counted | None = None
) -> int:
    """A whole number of 0 to `maximum`; `counted`: tablets someone counted (RETURNED_TABLETS
    brought back, a PHYSICAL_COUNT of a kit), counted again when negative (any other number is
    entered again)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("The {what} must be a whole number.").format(what=_(what)))
    if value < 0:
        again = (
            pgettext(*COUNT_AGAIN[counted].split("|", 1))
            if counted is not None
            else _("The {what} cannot be negative ({value}): enter 0 or more.")
        )
        raise InvalidInput(again.format(what=_(what), value=value))
    if value > maximum:
        raise InvalidInput(
            _("The {what} ({value}) is more than {maximum}; check the number.").format(
                what=_(what), value=value, maximum=maximum
            )
        )
    return value


def check_date(value: object, what: str) -> date:
    """A calendar date (not a date and time, not text): what every date field holds."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(
            _("The {what} must be a date (YYYY-MM-DD), not {value}.").format(
                what=_(what), value=f"{value!r:.40}"
            )
        )
    return value


def check_flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(
            _("The {what} must be yes or no, not {value}.").format(
                what=_(what), value=f"{value!r:.40}"
            )
        )
    return value


def check_not_future(when: date | None, today: date, what: str) -> date:
    """`None` means today; any other value must be a real date, not after today."""
    when = today if when is None else check_date(when, what)
    if when > today:
        raise InvalidInput(
            _(
                "The {what} {day} is in the future (today is {today}). "
                "Record steps on or after the day they happen."
            ).format(what=_(what), day=when.isoformat(), today=today.isoformat())
        )
    if when < date(2000, 1, 1):
        raise InvalidInput(
            _("The {what} {day} is before 2000; check the date.").format(
                what=_(what), day=when.isoformat()
            )
        )
    return when


SEXES: dict[str, str] = {"F": N_("female"), "M": N_("male")}
"""The sex a participant is recorded with: its code, and its word (the study file's
`eligibility.sex` is one of these codes, or "ALL")."""
SEX_ALSO: dict[str, str] = {
    "F": N_("sex, also written|female"),
    "M": N_("sex, also written|male"),
}
"""Another word a reader writes for the sex (Chinese forms write 女性 as often as 女); English
has none (the key comes back untranslated)."""


def sex_word(code: str) -> str:
    """The sex as recorded, in a line of text: its code in English ("F"), its word in the
    reader's language otherwise ("女")."""
    if current_language() is ENGLISH or code not in SEXES:
        return code
    return _(SEXES[code])


def _sex_words(code: str) -> set[str]:
    """The words for the sex in every language the program speaks, whatever the reader's: a
    Chinese-speaking pharmacist in an English window types 女 as readily as "female"."""
    words = {SEXES[code]}
    for language in Language:
        words.add(translated(SEXES[code], language).casefold())
        also = translated(SEX_ALSO[code], language)
        if also != SEX_ALSO[code]:
            words.add(also.casefold())
    return words


def check_sex(sex: str, required_sex: str) -> str:
    """The code of `sex` as entered: the code itself (F, M, either case) or its word, in English
    or in any language the program speaks ("female", "女", "女性"); anything else (a typo such as "Fish", which
    its first letter alone took for F) is refused with the codes to enter: those the study
    admits (`required_sex`, the study file's eligibility.sex: one code, or "ALL")."""
    entered = half_width(sex).strip()
    code = next(
        (c for c in SEXES if entered.upper() == c or entered.casefold() in _sex_words(c)),
        "",
    )
    if code not in SEXES:
        admitted = SEXES if required_sex == "ALL" else {required_sex: SEXES[required_sex]}
        accepted = _(", ").join(
            _("{code} ({word})").format(code=c, word=_(word)) for c, word in admitted.items()
        )
        raise InvalidInput(
            _("Sex '{sex}' is not one this study records: enter {accepted}.").format(
                sex=_show(sex[:10]), accepted=accepted
            )
        )
    return code


MAX_CYCLE = 999
"""The highest cycle number a dispense may name (cycles start at 1)."""
NOT_A_CYCLE = N_(
    "Cycle {cycle} is not a cycle number: cycles start at 1 (1, 2, 3 ... up to {most})."
)


def check_cycle(cycle: object) -> int:
    """A cycle number given by a screen or a script: a whole number from 1 to MAX_CYCLE."""
    if isinstance(cycle, bool) or not isinstance(cycle, int) or not 1 <= cycle <= MAX_CYCLE:
        raise InvalidInput(_(NOT_A_CYCLE).format(cycle=f"{cycle!r:.20}", most=MAX_CYCLE))
    return cycle


def parse_cycle(raw: str) -> int:
    """A cycle number as typed (a command's --cycle): refused, whatever is wrong with it, with
    the same words as check_cycle, which say where cycles start."""
    try:
        return parse_whole(raw, N_("cycle number"), minimum=1, maximum=MAX_CYCLE)
    except InvalidInput as exc:
        full_width = _full_width_refusal(raw.strip()) if isinstance(raw, str) else None
        if full_width is not None:
            raise full_width from exc
        text = _show(raw.strip()) if isinstance(raw, str) else "?"
        shown = text if re.fullmatch(r"[+-]?[0-9]+", text) else f"'{text}'"
        raise InvalidInput(_(NOT_A_CYCLE).format(cycle=shown, most=MAX_CYCLE)) from exc


def check_eligibility(
    birth_year: int,
    sex: str,
    enrolled_on: date,
    min_age: int,
    required_sex: str,
    *,
    age_confirmed: bool = False,
) -> None:
    """The study's age and sex (the file's [eligibility], from the protocol's inclusion
    criteria). Only the year of birth is recorded: born in the year `min_age` years before the
    enrolment, a participant is under age until the birthday, unknown here; unless
    `age_confirmed` (the investigator confirmed the age), that is asked (ToConfirm). On 31
    December, and for an earlier year, the age is certain. Each refusal names its field
    (DispensaryError.field_name): "birth_year" or "sex"."""
    if not 1900 <= birth_year <= enrolled_on.year:
        raise InvalidInput(
            _("Year of birth {year} is not possible; check it.").format(year=birth_year),
            field_name="birth_year",
        )
    years = enrolled_on.year - birth_year
    if years < min_age:
        raise RuleViolation(
            _(
                "A participant born in {year} is under {age} on {day}; the study enrols "
                "adults of {age} or more only. Check the year of birth with the investigator."
            ).format(year=birth_year, age=min_age, day=enrolled_on.isoformat()),
            field_name="birth_year",
        )
    if years == min_age and (enrolled_on.month, enrolled_on.day) != (12, 31) and not age_confirmed:
        raise ToConfirm(
            _(
                "A participant born in {year} is {under} or {age} on {day}, as the birthday "
                "falls after or before it; the study enrols adults of {age} or more only. "
                "Confirm with the investigator that the participant was {age} or more on the "
                "enrolment date, then confirm the age to enrol."
            ).format(year=birth_year, under=min_age - 1, age=min_age, day=enrolled_on.isoformat()),
            field_name="birth_year",
        )
    if required_sex != "ALL" and sex != required_sex:
        raise RuleViolation(
            _(
                "The study's inclusion criteria admit sex '{required}' only; "
                "this participant is recorded as '{sex}'. Check with the investigator."
            ).format(  # words, not codes: 女/男 to a Chinese reader, never "F"/"M"
                required=_(SEXES.get(required_sex, required_sex)), sex=_(SEXES.get(sex, sex))
            ),
            field_name="sex",
        )


def next_cycle(last_cycle: int | None, max_cycles: int) -> int | None:
    """The cycle a participant on treatment has next, or None once the protocol's last cycle
    (cycle.max_cycles; 0: no limit) has been dispensed: none falls due after it, as
    check_next_cycle refuses it."""
    cycle = (last_cycle or 0) + 1
    return None if max_cycles and cycle > max_cycles else cycle


def check_next_cycle(cycle: int, last_cycle: int | None, max_cycles: int) -> None:
    expected = (last_cycle or 0) + 1
    if last_cycle is not None and cycle <= last_cycle:
        if cycle != last_cycle:
            message = _(
                "Cycle {cycle} has already been dispensed (the last dispensed cycle is {last}). "
                "The next cycle to dispense is {expected}; to correct a dispense made in error, "
                "void it first."
            )
        else:
            message = _(
                "Cycle {cycle} has already been dispensed. The next cycle to dispense is "
                "{expected}; to correct a dispense made in error, void it first."
            )
        raise RuleViolation(message.format(cycle=cycle, last=last_cycle, expected=expected))
    if cycle != expected:
        raise RuleViolation(
            _("Cycle {cycle} is not the next cycle: dispense cycle {expected} first.").format(
                cycle=cycle, expected=expected
            )
        )
    if max_cycles and cycle > max_cycles:
        raise RuleViolation(
            _("The protocol allows at most {count} cycles.").format(count=max_cycles)
        )


def day1_named(event: str) -> str:
    """What day 1 of a cycle is, where a date of day 1 is to be checked: the study file's
    words (Study.day1_event_named: "the T-DM1 infusion"), else "day 1". Study-specific words
    live in the study file: a study whose day 1 is no infusion is never told to check an
    infusion date."""
    return event or _("day 1")


def day1_check(event: str) -> str:
    """'Check the date of the T-DM1 infusion.', or 'Check the date of day 1.' (day1_named)."""
    return _("Check the date of {event}.").format(event=day1_named(event))


def check_interval(
    day1: date,
    previous_day1: date | None,
    min_days: int,
    enrolled_on: date,
    day1_event: Callable[[], str] = str,
) -> None:
    """A cycle's day 1 after enrolment, after the previous cycle's and at least `min_days`
    later. `day1_event` names what day 1 is in the reader's language (Study.day1_event_named;
    "" when the study does not say), for the refusal's "Check the date of ..."."""
    if day1 < enrolled_on:
        raise InvalidInput(
            _(
                "Day 1 ({day1}) is before enrolment ({enrolled}); check the date of day 1 of the "
                "study's cycle."
            ).format(day1=day1.isoformat(), enrolled=enrolled_on.isoformat())
        )
    if previous_day1 is None:
        return
    gap = (day1 - previous_day1).days
    if gap <= 0:
        raise RuleViolation(
            _(
                "Day 1 {day1} is not after the previous cycle's day 1 ({previous}): a new cycle "
                "starts on a later day. {check}"
            ).format(
                day1=day1.isoformat(),
                previous=previous_day1.isoformat(),
                check=day1_check(day1_event()),
            )
        )
    if gap < min_days:
        earliest = previous_day1 + timedelta(days=min_days)
        raise RuleViolation(
            _(
                "Day 1 {day1} is only {gap} days after the previous cycle's day 1 "
                "({previous}); the study allows the next cycle from {earliest} ({days} days). "
                "{check}"
            ).format(
                day1=day1.isoformat(),
                gap=gap,
                previous=previous_day1.isoformat(),
                earliest=earliest.isoformat(),
                days=min_days,
                check=day1_check(day1_event()),
            )
        )


def cycle_overdue(due: date, today: date) -> bool:
    """A participant on treatment whose next cycle's earliest day 1 (the enrolment day for the
    first) has passed with nothing dispensed: the Today screen lists them as overdue, the
    dispense card says so."""
    return due < today


ENDS_TREATMENT = frozenset({ParticipantStatus.DISCONTINUED, ParticipantStatus.COMPLETED})
"""The statuses that take a participant off treatment: no dose is expected from their
effective date, and the kits still out are due back from it."""


def treatment_ended_on(status: ParticipantStatus | str, status_from: date | None) -> date | None:
    """The day treatment ended: the effective date of a status that ends it (ENDS_TREATMENT),
    else None (on treatment, or no effective date known)."""
    try:
        ends = ParticipantStatus(status) in ENDS_TREATMENT
    except ValueError:
        return None
    return status_from if ends else None


def return_due(
    day1: date,
    days_of_supply: int,
    today: date,
    status: ParticipantStatus | str = ParticipantStatus.ON_TREATMENT,
    status_from: date | None = None,
) -> bool:
    """A cycle's bottle is due back once its last day of supply has passed, or once the
    participant has left treatment (`status` discontinued or completed, effective
    `status_from`), from that date if it comes first: the Today screen's returns pending, the
    register's "due" (before it, "not yet due"). Leaving treatment is arithmetic from the
    record, not a clinical rule of its own: no dose is expected from the status's effective
    date (services.queries.expected_use_until), so nothing left in the bottle is to be taken."""
    ended = treatment_ended_on(status, status_from)
    if ended is not None and ended <= today:
        return True
    return last_day_of_supply(day1, days_of_supply) < today


def return_overdue(
    day1: date,
    cycle_days: int,
    grace_days: int,
    today: date,
    status: ParticipantStatus | str = ParticipantStatus.ON_TREATMENT,
    status_from: date | None = None,
) -> bool:
    """A cycle's return not recorded once the cycle has ended and the study's grace period
    ([returns] grace_days) has passed: the reconciliation's finding, the register's
    "overdue". Once the participant has left treatment (`status` discontinued or completed,
    effective `status_from`) the same grace counts from that date if it comes first: the
    arithmetic of return_due, not a new clinical rule."""
    ended = treatment_ended_on(status, status_from)
    if ended is not None and today > ended + timedelta(days=grace_days):
        return True
    return today > day1 + timedelta(days=cycle_days + grace_days)


DAY1_NEAR_DAYS = 7
"""How far day 1 may lie from the dispense date when the study file does not say ([cycle]
day1_near_days, study.CycleRules.day1_near_days): further is almost always a typing error."""


@dataclass(frozen=True)
class NextDay1:
    """When the next cycle's day 1 falls after the previous one's: `earliest`, the first the
    study allows (the previous day 1 plus its minimum interval, `[cycle]
    min_days_since_previous_day1`), and `due`, a cycle's length after it."""

    earliest: date
    due: date


def next_day1(previous_day1: date, length_days: int, min_days: int) -> NextDay1:
    """The next cycle's earliest day 1 and due date: what `study show`, the participant's next
    cycle and `check dispense` all say, in the words of `next_day1_words`."""
    return NextDay1(
        earliest=previous_day1 + timedelta(days=min_days),
        due=previous_day1 + timedelta(days=length_days),
    )


def next_day1_words(due: str, earliest: str) -> str:
    """The next cycle's due date and earliest day 1, said one way wherever they are said: as
    dates for a participant, as days after the previous day 1 for the study's rule
    (`next_day1_rule`)."""
    return _("due {due}, day 1 from {earliest} at the earliest").format(due=due, earliest=earliest)


def next_day1_rule(length_days: int, min_days: int | None) -> str:
    """The study's rule in the words of `next_day1_words`, counted from the previous day 1: a
    cycle's length after it, and from its minimum interval after it (day 19 of the previous
    cycle for 18 days); None: the study sets no minimum interval, which is said so."""
    if min_days is None:
        return _(
            "due {length} days after the previous day 1, any day after the previous day 1 at "
            "the earliest (the study file sets no minimum interval)"
        ).format(length=length_days)
    return _(
        "due {length} days after the previous day 1, day 1 from {min_days} days after it (day "
        "{day} of the previous cycle) at the earliest"
    ).format(length=length_days, min_days=min_days, day=min_days + 1)


def day1_window(
    dispensed_on: date,
    previous_day1: date | None,
    min_days: int,
    enrolled_on: date,
    near: int = DAY1_NEAR_DAYS,
) -> tuple[date, date]:
    """The earliest and latest day 1 a dispense on `dispensed_on` may be for: near the dispense
    date, not before enrolment, and at least `min_days` after the previous cycle's day 1."""
    earliest = max(dispensed_on - timedelta(days=near), enrolled_on)
    if previous_day1 is not None:
        earliest = max(earliest, previous_day1 + timedelta(days=min_days))
    return earliest, dispensed_on + timedelta(days=near)


def check_dispensed_after_enrolment(
    participant: str, dispensed_on: date, enrolled_on: date
) -> None:
    """A participant is dispensed to from the day of their enrolment, never before it."""
    if dispensed_on < enrolled_on:
        raise RuleViolation(
            _(
                "Participant {participant} was enrolled on {enrolled}: a dispense cannot be "
                "dated {day}, before the enrolment. Give the day the cycle was really "
                "dispensed (on or after {enrolled})."
            ).format(
                participant=participant,
                enrolled=enrolled_on.isoformat(),
                day=dispensed_on.isoformat(),
            )
        )


def check_not_too_early(
    cycle: int,
    earliest: date,
    latest: date,
    near: int = DAY1_NEAR_DAYS,
    not_before: date | None = None,
) -> None:
    """No day 1 at all fits the window: the cycle is dispensed too early, whatever day 1 says.
    The day proposed to come back is never before `not_before` (the enrolment)."""
    if earliest > latest:
        come_back = earliest - timedelta(days=near)
        if not_before is not None:
            come_back = max(come_back, not_before)
        raise RuleViolation(
            _(
                "Too early for cycle {cycle}: its earliest day 1 is {earliest}, and a cycle is "
                "dispensed at most {near} days before its day 1. Dispense it from {come_back}."
            ).format(
                cycle=cycle,
                earliest=earliest.isoformat(),
                near=near,
                come_back=come_back.isoformat(),
            )
        )


def check_day1_near(day1: date, dispensed_on: date, window: int = DAY1_NEAR_DAYS) -> None:
    """A dispense for a day 1 far from the dispense date is almost always a typing error."""
    if abs((day1 - dispensed_on).days) > window:
        raise InvalidInput(
            _(
                "Day 1 ({day1}) is more than {window} days from the dispense date "
                "({dispensed}); check the date of day 1 of the study's cycle."
            ).format(day1=day1.isoformat(), window=window, dispensed=dispensed_on.isoformat())
        )


def supply_cover_until(day1: date, days_of_supply: int, margin_days: int) -> date:
    """The day a kit handed out for a cycle starting on `day1` must last until: the last day of
    supply plus the study's expiry margin (cycle.expiry_margin_days). The dispense and the
    supply forecast both ask this, so a kit the counter would refuse is never forecast as used."""
    return last_day_of_supply(day1, days_of_supply) + timedelta(days=margin_days)


def covers_supply(expiry: date, cover_until: date) -> bool:
    """Whether a kit of this expiry lasts the supply of a cycle (`cover_until`,
    supply_cover_until): the one test of the dispense, the receipt's warning and the
    inventory's "available to dispense"."""
    return expiry >= cover_until


EXPIRY_WARNING_DAYS = 90
"""A kit on the shelf expiring within this many days is one to act on: the Today screen lists
it ("Kits expiring within 90 days"), the inventory marks its expiry amber."""


def expiry_standing(
    expiry: date, today: date, cover_until: date, warning_days: int = EXPIRY_WARNING_DAYS
) -> ExpiryStanding | None:
    """How a kit of this expiry on the shelf stands today: expired, too short to last the
    supply of a cycle dispensed today (`covers_supply`, the dispense's own test), expiring
    within the warning window, or none of these (None)."""
    if expiry < today:
        return ExpiryStanding.EXPIRED
    if not covers_supply(expiry, cover_until):
        return ExpiryStanding.SHORT
    if expiry <= today + timedelta(days=warning_days):
        return ExpiryStanding.NEAR
    return None


def check_kit_dispensable(
    kit: KitCandidate,
    product: str,
    cover_until: date,
    today: date,
    name: Callable[[str], str] | None = None,
) -> None:
    """The kit can be handed out for a dose of `product` lasting until `cover_until` (`name`:
    a product as the refusal names it to its reader, "海曲泊帕乙醇胺片 7.5 mg", else its code)."""
    expired_on = kit.expiry if kit.expiry < today else None
    transition(kit.status, KitEvent.DISPENSE, kit=kit.number, expired_on=expired_on)
    if kit.product != product:
        raise RuleViolation(
            _(
                "Kit {kit} holds {held}, but this dose needs {product}. "
                "Take a kit of the right product."
            ).format(
                kit=kit.number,
                held=name(kit.product) if name else kit.product,
                product=name(product) if name else product,
            )
        )
    if not covers_supply(kit.expiry, cover_until):
        raise RuleViolation(
            _(
                "Kit {kit} (lot {lot}) expires {expiry}, before the supply must last "
                "({cover_until}). Take a kit with a later expiry."
            ).format(
                kit=kit.number,
                lot=kit.lot,
                expiry=kit.expiry.isoformat(),
                cover_until=cover_until.isoformat(),
            )
        )


RECEIVED_LATER: dict[str, str] = {
    "dispense": N_(
        "Kit {kit} was received on {received}: it cannot have been dispensed on {day}. Take a "
        "kit received by then, or give the day the cycle was really dispensed."
    ),
}
"""A step dated before the kit reached the pharmacy, by the step: it would put the kit's
movement before its receipt on the accountability log (a dispense, or a count's adjustment,
with a negative balance)."""


def check_counted_after(kit: str, what: str, since: date, day: date) -> None:
    """A count is dated on or after the kit's last record (its receipt, its last movement): its
    adjustment, dated before a later movement, would change a balance the log has moved on
    from (21 -> 23 -> 21)."""
    if day < since:
        raise RuleViolation(
            _(
                "Kit {kit} was {what} on {since}: it cannot have been counted on {day}. Give "
                "the day of the count (on or after that date)."
            ).format(kit=kit, what=_(what), since=since.isoformat(), day=day.isoformat())
        )


def check_count_fits(
    kit: str, counted: int, received: int, book: int, tablets_only: bool = True
) -> None:
    """A kit holds at most the tablets it was received with: a count above them is a miscount
    (or tablets from elsewhere), never stock found in the kit. A count up to the book passes
    whatever the receipt said (a book raised by an earlier signed count is counted again as
    it stands); the refusal names the receipt, never the book (the count is blind).
    `tablets_only`: the study's units are tablets (else the refusal says no "tablets")."""
    if counted > max(received, book):
        raise RuleViolation(
            (
                _(
                    "{counted} tablets counted in kit {kit}, which was received with {received}: "
                    "a kit cannot hold more than it was received with. Count the tablets again; "
                    "if it really holds more, quarantine it and ask the sponsor (its receipt's "
                    "count would be wrong)."
                )
                if tablets_only
                else _(  # a capsule kit's units are not tablets
                    "{counted} counted in kit {kit}, which was received with {received}: a kit "
                    "cannot hold more than it was received with. Count the kit again; if it "
                    "really holds more, quarantine it and ask the sponsor (its receipt's count "
                    "would be wrong)."
                )
            ).format(counted=counted, kit=kit, received=received)
        )


def check_received_by(kit: str, received_on: date, day: date, step: str) -> None:
    """A dispense or a count of a kit is dated on or after its receipt."""
    if day < received_on:
        raise RuleViolation(
            _(RECEIVED_LATER[step]).format(
                kit=kit, received=received_on.isoformat(), day=day.isoformat()
            )
        )


def usable_kits(
    kits: Iterable[KitCandidate], product: str, cover_until: date, today: date
) -> list[KitCandidate]:
    """Kits of the product in stock (`in_stock`: available, unexpired, holding tablets, not
    held for a count difference) that last long enough, first expiry first."""
    usable = [
        k for k in kits if k.product == product and in_stock(k, today) and k.expiry >= cover_until
    ]
    return sorted(usable, key=lambda k: (k.expiry, k.lot, k.number))


def first_expiry_skipped(
    kit: KitCandidate, usable: Iterable[KitCandidate], taken: Iterable[str]
) -> KitCandidate | None:
    """The kit first-expiry-first-out hands out before `kit`: a usable kit of its product, not
    taken, that expires earlier. None when `kit` is a first-expiry choice (a kit of the same
    expiry is as good)."""
    skipped = set(taken)
    earlier = [
        k
        for k in usable
        if k.product == kit.product and k.number not in skipped and k.expiry < kit.expiry
    ]
    return min(earlier, key=lambda k: (k.expiry, k.lot, k.number), default=None)


def choose_fefo(
    kits: Iterable[KitCandidate],
    product: str,
    tablets: int,
    cover_until: date,
    today: date,
    name: str = "",
    counted: Callable[[int], str | None] | None = None,
) -> list[KitCandidate]:
    """First expiry, first out, among available kits of the product that last long enough.
    `name`: the product as the refusal names it to its reader (else its code); `counted`: a
    count of a product not of tablets in its own word (as check_scanned_cover)."""
    usable = usable_kits(kits, product, cover_until, today)
    chosen: list[KitCandidate] = []
    total = 0
    for kit in usable:
        if total >= tablets:
            break
        chosen.append(kit)
        total += kit.tablets
    # Kits are never split and never topped up: a kit the others already cover stays on the
    # shelf (a partial kit of 20 and a full kit of 21 for 21 tablets: the full kit alone).
    for kit in list(chosen):
        if total - kit.tablets >= tablets:
            chosen.remove(kit)
            total -= kit.tablets
    needed = counted(tablets) if counted is not None else None
    if total < tablets and needed is not None:
        raise RuleViolation(
            _(
                "Not enough {product} in stock: {needed} needed, {held} available in kits that "
                "last until {cover_until}. Receive stock or release quarantined kits."
            ).format(
                product=name or product,
                needed=needed,
                held=counted(total) if counted is not None else total,
                cover_until=cover_until.isoformat(),
            )
        )
    if total < tablets:
        raise RuleViolation(
            _(
                "Not enough {product} in stock: {tablets} tablets needed, {total} available in "
                "kits that last until {cover_until}. Receive stock or release quarantined kits."
            ).format(
                product=name or product,
                tablets=tablets,
                total=total,
                cover_until=cover_until.isoformat(),
            )
        )
    return chosen


def least_usable_tablets(needs: Iterable[int], tablets_per_kit: int) -> int:
    """The fewest tablets a kit on the shelf must hold to count as usable stock for cycles
    taking `needs` tablets each (one product). The stock figures (the Today card, the supply
    forecast's kits left) count kits against the whole kits the cycles need; a kit holding
    less is one choose_fefo puts back when full kits follow it, so counting it would read a
    shelf short of a cycle as covering it.

    A cycle of N tablets takes k = kits_needed(N, kit) kits; choose_fefo combines kits until
    they cover N, then puts back any kit the others cover without. So a full kit is always
    usable (a cycle of 112 from kits of 60 takes two), and a part-used kit is handed out with
    k - 1 full kits when it holds what they leave over (N less (k - 1) kits: 52 of 112 from
    kits of 60; the whole cycle when one kit covers it, 21 of 21), else they cover without it
    and it stays on the shelf. The smallest over the cycles: a kit one of them takes is usable.
    No cycle: a full kit."""
    return min(
        (
            need - tablets_per_kit * (kits_needed(need, tablets_per_kit) - 1)
            for need in needs
            if need > 0
        ),
        default=tablets_per_kit,
    )


def check_scanned_cover(
    kits: Sequence[KitCandidate],
    product: str,
    tablets: int,
    name: str = "",
    counted: Callable[[int], str | None] | None = None,
) -> None:
    """The kits scanned hold the tablets of the product the cycle needs (`name`: the product as
    the refusal names it to its reader, else its code; `counted`: a count of a product not of
    tablets in its own word, "28 capsules" / 28粒, None for tablets: a capsule is never said
    to be a tablet)."""
    total = sum(k.tablets for k in kits if k.product == product)
    if total >= tablets:
        return
    held = counted(total) if counted is not None else None
    needed = counted(tablets) if counted is not None else None
    if held is not None and needed is not None:
        raise RuleViolation(
            _(
                "The kits scanned hold {held} of {product}; {needed} are needed for the cycle. "
                "Scan another kit."
            ).format(held=held, product=name or product, needed=needed)
        )
    raise RuleViolation(
        _(
            "The kits scanned hold {total} tablets of {product}; {tablets} are needed for "
            "the cycle. Scan another kit."
        ).format(total=total, product=name or product, tablets=tablets)
    )


RULE_TO_CONFIRM = "Rule to confirm"
"""What the counter does with a study-file rule not yet confirmed (its source is neither the
registry nor the protocol, and no administrator has confirmed it): it never refuses or asks for
an override; it shows as a warning that starts with these words, and the step goes on."""


SOURCE_REGISTRY = N_("registry")
SOURCE_PROTOCOL = N_("protocol {section}")
SOURCE_SITE_DECISION = N_("site decision {date}")
SOURCE_FORMS = (SOURCE_REGISTRY, SOURCE_PROTOCOL, SOURCE_SITE_DECISION)
"""A rule's source in the program's words (source_words)."""


def source_words(source: str) -> str:
    """A rule's source in the reader's words: the study file writes it in the program's own
    terms ("registry", "protocol <section>", "site decision <date>": study.RULE_SOURCE), so the
    terms are translated and the section or date kept as written (in English, as written)."""
    if source == "registry":
        return _(SOURCE_REGISTRY)
    kind, _space, rest = source.partition(" ")
    if kind == "protocol" and rest:
        return _(SOURCE_PROTOCOL).format(section=rest)
    if source.startswith("site decision ") and source != "site decision ":
        return _(SOURCE_SITE_DECISION).format(date=source.removeprefix("site decision "))
    return source


TO_CONFIRM_OVERRIDE = N_(
    "Rule to confirm: {finding} The rule ({title}; {source}) is not confirmed yet, so "
    "it does not refuse the dispense: give the reason to dispense anyway, which is "
    "recorded. An administrator confirms it in Study rules."
)
TO_CONFIRM_UNTITLED = N_(
    "Rule to confirm: {finding} It is defined by the study file ({source}) and not "
    "confirmed yet: the dispense applies it as written. An administrator confirms it in "
    "Study rules."
)
"""A study-file definition the dispense uses (a dose level, a product) not confirmed yet: it
is applied as the file writes it. ("So it does not hold", said of a level being dispensed,
contradicted itself.)"""
RECORDED_BEFORE_FORMS = (
    N_(
        "Rule to confirm: {finding} The rule ({title}; {source}) is not confirmed yet, so "
        "it does not refuse the step: give the reason to go on, which is recorded. An "
        "administrator confirms it in Study rules."
    ),
    N_(
        "Rule to confirm: {finding} The rule ({source}) is not confirmed yet, so it does "
        "not hold and the step goes on. An administrator confirms it in Study rules."
    ),
)
"""The forms of TO_CONFIRM_OVERRIDE and TO_CONFIRM_UNTITLED as dispenses recorded them before
their words changed: their audit entries are still read back in the reader's language."""
TO_CONFIRM = N_(
    "Rule to confirm: {finding} The rule ({title}; {source}) is not confirmed yet, so it "
    "does not hold and the step goes on. An administrator confirms it in Study rules."
)


def rule_to_confirm(title: str, source: str, finding: str, asks_reason: bool = False) -> str:
    """What an unconfirmed rule says where it would have applied: a notice, the step going on
    as it is; or, for a rule that would have refused the step (`asks_reason`), a warning the
    pharmacist overrides with a reason, never a refusal. `title` empty: the finding names the
    rule already (said twice, it made the notice twice as long). "Study rules" is the screen
    and the command alike (`dispensary study rules`), so the counter is not told a command."""
    source = source_words(source)
    if asks_reason:
        return _(TO_CONFIRM_OVERRIDE).format(finding=finding, title=title, source=source)
    if not title:
        return _(TO_CONFIRM_UNTITLED).format(finding=finding, source=source)
    return _(TO_CONFIRM).format(finding=finding, title=title, source=source)


# The notices a dispense shows and records (in English, in its audit entry's "notices"), and
# the findings of the rules to confirm it records: the dispensing service writes them with
# these forms, the audit trail screen and report read them back in the reader's language
# (audit_actions.value_shown, reasons.in_reader_words).
DISPENSED_TO_CONFIRM = N_("{rule} is dispensed.")
PLATELETS_RECORDED = N_("platelets {platelets} {unit} are recorded.")
OFF_WEIGHT_BAND = N_(
    "A weight of {weight} kg is in the band {band}: dose level {band_level} "
    "({band_name}). Level {level} ({name}) needs the investigator who ordered it."
)
APPROVAL_EXPIRING = N_(
    "The ethics committee's approval of study {study} expires on {date}; no "
    "dispensing after it. Ask the investigator for the renewal, and the administrator "
    "to enter it in the study file."
)
SAFETY_SIGNAL = N_(
    "Cycle {cycle} ({dispense}) was flagged for over-use (a safety signal) and it "
    "is not explained yet: ask the participant and tell the investigator, then "
    "record the explanation."
)
DOSE_CHANGE_BY_BAND = N_(
    "The dose changes from level {previous} to {level} ({name}) by the participant's weight band."
)
# The warnings a dispense overrides (recorded in English in its audit entry's "warnings", their
# codes in "overrides"), and the findings of the rules to confirm a reason overrides.
DAY1_ONLY_DAY = N_(
    "Day 1 {day1} is only {gap} day after the previous cycle's day 1 ({previous}); "
    "check the date of {event}."
)
DAY1_ONLY_DAYS = N_(
    "Day 1 {day1} is only {gap} days after the previous cycle's day 1 ({previous}); "
    "check the date of {event}."
)
DAY1_ONLY_BEFORE = (
    N_(
        "Day 1 {day1} is only {gap} day after the previous cycle's day 1 ({previous}); "
        "check the date of {event} and give the reason to dispense."
    ),
    N_(
        "Day 1 {day1} is only {gap} days after the previous cycle's day 1 ({previous}); "
        "check the date of {event} and give the reason to dispense."
    ),
)
"""DAY1_ONLY_DAY and DAY1_ONLY_DAYS as recorded before (the rule to confirm's own words ask
for the reason once, by the field's name): read back in the reader's language."""
APPROVAL_EXPIRED = N_(
    "The ethics committee's approval of study {study} expired on {date}: nothing is "
    "dispensed until it is renewed. Ask the administrator to enter the renewed "
    "approval's expiry in the study file ([approval] ethics_expires) and to update "
    "the study (dispensary study update)."
)
IRT_NOT_ASSIGNED = N_(
    "The IRT assigned kit {assigned}, and the kit scanned is {kit}: pick kit {assigned} and "
    "scan it, or, if the IRT reassigned the kit, enter the new kit number it gave."
)
IRT_NOT_ASSIGNED_BEFORE = N_(
    "Kit {kit} is not the kit the IRT assigned ({assigned}): dispense only kit {assigned}, "
    "or ask the IRT."
)
"""IRT_NOT_ASSIGNED as dispenses recorded it before its words changed: read back in the
reader's language."""
STARTING_DOSE = N_(
    "Cycle 1 starts at the starting dose (level {start}, {start_name}); level "
    "{level} ({name}) needs the investigator who ordered it."
)
PLATELETS_HOLD = N_(
    "Platelets {platelets} {unit} are at or above {threshold} {unit}: the "
    "investigator's rule is to hold the drug."
)
PREVIOUS_RETURN_MISSING = N_("The return of cycle {cycle} ({dispense}) is not recorded yet.")
DOSE_CHANGE_ORDERED = N_(
    "The dose changes from level {previous} to {level} ({name}). Record who ordered "
    "the change (the investigator) first."
)
NOT_FIRST_EXPIRY = N_(
    "Kit {kit} (lot {lot}) expires {expiry}, after kit {skipped} (lot {skipped_lot}, "
    "expires {skipped_expiry}), which first expiry first out hands out first: take kit "
    "{skipped} instead."
)
NOTICE_FORMS = (
    TO_CONFIRM_OVERRIDE,
    TO_CONFIRM,
    TO_CONFIRM_UNTITLED,
    APPROVAL_EXPIRING,
    SAFETY_SIGNAL,
    DOSE_CHANGE_BY_BAND,
    DOSE_CHANGE_ORDERED,
    OFF_WEIGHT_BAND,
    STARTING_DOSE,
    PLATELETS_HOLD,
    PREVIOUS_RETURN_MISSING,
    NOT_FIRST_EXPIRY,
    *RECORDED_BEFORE_FORMS,
)
"""The forms of a dispense's notices and of the warnings it overrides (a rule to confirm's
among them), as the dispensing service writes them."""
NOTICE_PARTS = {
    "finding": (
        DISPENSED_TO_CONFIRM,
        PLATELETS_RECORDED,
        OFF_WEIGHT_BAND,
        DAY1_ONLY_DAY,
        DAY1_ONLY_DAYS,
        *DAY1_ONLY_BEFORE,
        APPROVAL_EXPIRED,
        IRT_NOT_ASSIGNED,
        IRT_NOT_ASSIGNED_BEFORE,
    ),
    "source": SOURCE_FORMS,
}
"""The forms of a notice's values that the program writes too (reasons.in_reader_words); a
rule's title, a dose's name and what day 1 is are named by the study file (value_shown); the
rest (numbers, dates, kits) as recorded."""


STARTING_DOSE_LEVEL = 0
"""The dose level cycle 1 dispenses unless an ordering investigator is named."""


def check_return_quantity(
    tablets: int,
    dispensed: int,
    already_returned: int,
    kit: str,
    said: Callable[[int], str] = str,
    field: str = N_("number of tablets returned"),
) -> None:
    """No more units back from a kit than were dispensed from it. `said`: a count in its
    product's word (Study.units: "32 capsules", 32粒), so that a capsule kit is not refused
    for "32 tablets returned"; `field`: the count as a refusal of its figure names it."""
    check_count(tablets, field, counted=RETURNED_TABLETS)
    if tablets + already_returned > dispensed:
        left = dispensed - already_returned
        if not already_returned:  # "only 21 of the 21 dispensed are unaccounted for" puzzled
            raise RuleViolation(
                _(
                    "{count} returned for kit {kit}, but only {dispensed} were dispensed from "
                    "it. Count the kit again."
                ).format(count=said(tablets), kit=kit, dispensed=said(dispensed))
            )
        raise RuleViolation(
            _(
                "{count} returned for kit {kit}, but of the {dispensed} dispensed from it "
                "{returned} are already recorded as returned, so only {left} can come back. "
                "Count the kit again."
            ).format(
                count=said(tablets),
                kit=kit,
                dispensed=said(dispensed),
                returned=said(already_returned),
                left=said(left),
            )
        )


def _show(raw: str) -> str:
    shown = "".join(ch if ch.isprintable() else "?" for ch in raw)
    return shown if len(shown) <= 40 else shown[:37] + "..."
