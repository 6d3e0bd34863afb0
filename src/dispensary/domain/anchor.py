"""Verification codes: where the audit chain stood, short enough to write down and read aloud.

Someone with write access to the database can rewrite the ledger and the audit trail and then
recompute every hash and the chain head: `audit verify` then passes, because nothing inside the
database remembers the chain as it was. A verification code is that memory kept outside it, on
a printed report or in the anchor log beside the backups:

    A-104233-7QK2-M9TD-C

- `A` (anchor);
- `104233`: the position in the audit chain (the number of the audit entry, in decimal);
- `7QK2-M9TD`: the first 40 bits of that entry's hash (the first 10 hex digits), in Crockford's
  base 32: the digits and the letters but I, L, O and U, so no two characters look or sound
  alike. Read back, letters may be in either case, O is taken as 0 and I or L as 1;
- `C`: a check character over the position and the eight hash characters (a weighted sum in
  GF(32), weighted from the right). A code with one character misread, or two neighbours
  swapped, fails the check and is refused as mistyped, so that a misreading is never taken for
  a rewritten history.

A code taken later names a later entry: a legitimate entry written since leaves it standing.
Rewriting any entry at or before its position changes the hash at its position (each hash
covers the one before), so the code no longer matches; removing entries leaves the chain
shorter than the position. 40 bits make a chance match one in a trillion; they are not meant to
stop someone who searches for a colliding history on purpose (the anchor log keeps the whole
hash for that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dispensary.domain.errors import InvalidInput
from dispensary.i18n import N_, _

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U."""
PREFIX_HEX = 10
"""Hex digits of the entry's hash a code carries (40 bits: eight base-32 characters)."""
EXAMPLE = "A-104233-7QK2-M9TD-C"
SHAPE_TEXT = N_(
    "a verification code looks like {example}: A, the audit entry's number, two groups of four "
    "letters or digits, and a check character"
)
SHAPE = SHAPE_TEXT.format(example=EXAMPLE)
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE = re.compile(
    r"A[-\s]*([0-9OIL]+)[-\s]+([0-9A-Z]{4})[-\s]*([0-9A-Z]{4})[-\s]*([0-9A-Z])",
)
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_HEX = re.compile(r"[0-9a-f]+")


class AnchorVerdict(StrEnum):
    MATCHES = "matches"  # the chain holds the same entry at that position
    REWRITTEN = "rewritten"  # the entry at that position now has another hash
    SHORTER = "shorter"  # the chain no longer reaches that position


@dataclass(frozen=True)
class Anchor:
    """A point of the audit chain: its position and the start of its hash (lowercase hex: the
    10 digits a code carries, or the whole hash the anchor log keeps)."""

    position: int
    prefix: str

    def __post_init__(self) -> None:
        if self.position < 0:
            raise ValueError("an anchor's position is 0 or more")
        if len(self.prefix) < PREFIX_HEX or not _HEX.fullmatch(self.prefix):
            raise ValueError(f"an anchor needs at least {PREFIX_HEX} lowercase hex digits")

    @property
    def code(self) -> str:
        return anchor_code(self.position, self.prefix)

    def matches(self, entry_hash: str) -> bool:
        return entry_hash.lower().startswith(self.prefix)


# -- GF(32): x^5 + x^2 + 1 -----------------------------------------------------------------------

_POLY = 0b100101


def _times(a: int, b: int) -> int:
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _POLY
    return product


def check_character(symbols: str) -> str:
    """The check character of base-32 `symbols` (digits count as their value): the sum of each
    symbol times x^k, k counted from 1 at the right. Every weight is a different non-zero
    element (up to 31 symbols), so one symbol changed, or two unequal neighbours swapped,
    always changes the sum; leading zeros do not."""
    total, weight = 0, 1
    for symbol in reversed(symbols):
        weight = _times(weight, 2)
        total ^= _times(ALPHABET.index(symbol), weight)
    return ALPHABET[total]


def _base32(value: int, length: int) -> str:
    out = []
    for _position in range(length):
        value, digit = divmod(value, 32)
        out.append(ALPHABET[digit])
    return "".join(reversed(out))


def anchor_code(position: int, entry_hash: str) -> str:
    """The verification code of the audit entry at `position` whose hash is `entry_hash`."""
    if position < 0:
        raise ValueError("a chain position is 0 or more")
    prefix = entry_hash[:PREFIX_HEX].lower()
    if len(prefix) < PREFIX_HEX or not _HEX.fullmatch(prefix):
        raise ValueError("an entry hash is hex digits")
    chars = _base32(int(prefix, 16), 8)
    digits = str(position)
    return f"A-{digits}-{chars[:4]}-{chars[4:]}-{check_character(digits + chars)}"


def _shape() -> str:
    """What a verification code looks like, in the reader's language."""
    return _(SHAPE_TEXT).format(example=EXAMPLE)


def parse_anchor(text: str) -> Anchor:
    """The anchor a typed or read-out code names. Case, spaces for dashes, O for 0 and I or L
    for 1 are forgiven; a code of another shape, or one whose check character does not match
    (a character misread), is refused, saying what a code looks like."""
    typed = " ".join(text.translate(_DASHES).split()).upper()
    found = _CODE.fullmatch(typed)
    if found is None:
        shown = text.strip()[:40] or _("(nothing)")
        raise InvalidInput(
            _("'{code}' is not a verification code: {shape}.").format(code=shown, shape=_shape())
        )
    position, first, second, check = (part.translate(_READ_AS) for part in found.groups())
    chars = first + second
    if any(c not in ALPHABET for c in chars + check):
        shape = _shape()
        raise InvalidInput(
            _("'{code}' is not a verification code: U is never used in one. {Shape}.").format(
                code=typed, Shape=shape[:1].upper() + shape[1:]
            )
        )
    if check_character(position + chars) != check:
        raise InvalidInput(
            _(
                "{code} does not check: a character was misread or mistyped (the last character "
                "is a check on the others). Read the code again from where it is written, and "
                "type it again. Nothing was checked."
            ).format(code=typed)
        )
    value = 0
    for c in chars:
        value = value * 32 + ALPHABET.index(c)
    return Anchor(int(position), f"{value:0{PREFIX_HEX}x}")
