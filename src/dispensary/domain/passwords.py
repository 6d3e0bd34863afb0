"""The password policy (NIST SP 800-63B style): long enough, not a common or guessable one, not
the user's own name. Pure: the list of common passwords is handed in by the caller.

Five wrong guesses lock an account, so a password only needs to survive a few guesses at the
counter; what it must not be is one of the first guesses anyone would try.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from dispensary.i18n import _

MIN_PASSWORD = 8
MAX_PASSWORD = 200
RECENT_PASSWORDS = 5
"""A new password may not be any of the user's last this many (the current one included)."""

_RUNS = (
    "0123456789012345678901234567890",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnmqwertyuiop",
)


def _is_run(text: str) -> bool:
    """A stretch of a well-known sequence, forwards or backwards (12345678, hgfedcba, asdfghjk)."""
    return any(text in run or text in run[::-1] for run in _RUNS)


def _is_repetition(text: str) -> bool:
    """The same short piece over and over: aaaaaaaa, abababab, 123123123."""
    for size in range(1, len(text) // 2 + 1):
        piece = text[:size]
        if len(text) % size == 0 and piece * (len(text) // size) == text:
            return True
    return False


_NOT_LETTERS = re.compile(r"[\W\d_]+")
LEFT_OVER = 3
"""A password is "mostly" a name, a repetition or a run when fewer than this many characters
are left once those are taken out: adminadmin1, AdaLovelace, 12345678a, aaaaaaa1 are refused;
adminpass1 or paula-own-77, a name with a word of its own, is not."""


def _without_names(folded: str, names: Iterable[str]) -> str | None:
    """The letters of `folded` left once every name part (3 letters or more) is taken out, or
    None when no name part was in it."""
    letters = _NOT_LETTERS.sub("", folded)
    parts = {p for name in names for p in (*name.split(), name.replace(" ", "")) if p}
    parts = {_NOT_LETTERS.sub("", p) for p in parts}
    found = False
    for part in sorted((p for p in parts if len(p) >= 3), key=len, reverse=True):
        if part in letters:
            found = True
            letters = letters.replace(part, "")
    return letters if found else None


def _pattern_length(text: str, at: int) -> int:
    """How long the run or repetition starting at `at` is (0 below 3 characters): a stretch
    of a well-known sequence, or a short piece over and over."""
    longest = 0
    for end in range(at + 3, min(len(text), at + 40) + 1):  # bounded: 200 characters at most
        piece = text[at:end]
        if _is_run(piece) or _is_repetition(piece):
            longest = end - at
    return longest


def _without_patterns(folded: str) -> str:
    """`folded` with its runs and repetitions of 3 characters or more taken out."""
    left, at = [], 0
    while at < len(folded):
        size = _pattern_length(folded, at)
        if size:
            at += size
        else:
            left.append(folded[at])
            at += 1
    return "".join(left)


def password_problem(
    password: str, username: str = "", common: Collection[str] = (), full_name: str = ""
) -> str | None:
    """Why `password` may not be used (a sentence saying what to do), or None when it may."""
    if not isinstance(password, str):
        return _("A password must be text.")
    if len(password) < MIN_PASSWORD:
        return _("A password needs at least {count} characters; a short phrase is easiest.").format(
            count=MIN_PASSWORD
        )
    if len(password) > MAX_PASSWORD:
        return _("A password may have at most {count} characters.").format(count=MAX_PASSWORD)
    if password.strip() != password or any(ord(c) < 32 or ord(c) == 127 for c in password):
        return _("A password may not start or end with spaces or hold control characters.")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in password):
        return _("A password must be typed text: it holds a character that is not valid text.")
    folded = password.casefold()
    name = username.strip().casefold()
    tail = "0123456789!@#$%^&*.-_ "
    bare, bare_name = folded.rstrip(tail), name.rstrip(tail)
    if name and (name in (folded, folded[::-1]) or (bare_name and bare in (name, bare_name))):
        return _("A password may not be your user name (nor it with digits added): choose another.")
    pattern = _is_repetition(folded) or _is_run(folded)
    rest = _without_names(folded, (name, full_name.strip().casefold()))
    if not pattern and rest is not None and len(rest) < LEFT_OVER:
        return _(
            "A password may not be mostly your user name or your name (with digits or marks "
            "added): choose something else, for example a few unrelated words."
        )
    if pattern or len(_without_patterns(folded)) < LEFT_OVER:
        return _(
            "That password is a repetition or a run of keys (like aaaaaaaa or 12345678), one "
            "of the first guesses anyone tries: choose something else."
        )
    if folded in common or folded.rstrip("!.1") in common:
        return _(
            "That password is on the list of common passwords, which are guessed first: choose "
            "something else, for example a few unrelated words."
        )
    return None
