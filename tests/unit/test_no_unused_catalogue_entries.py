"""A catalogue entry whose English the program no longer has is a translation nobody sees: it
hid a guide quoting a reworded refusal ("may be under 18"; the program says "is under 18"),
since the guides' quotes are checked against the catalogues, and a translator may keep it up or
copy it back. Every entry of the zh_CN catalogues is a text of the program: a string of its
source, marked where it is said or kept in a table the program translates from (a word of
`plural`, a field's name, an entry "context|message")."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.pofile import read_po

from dispensary.packaged import resource

SRC = Path(__file__).resolve().parents[2] / "src" / "dispensary"


def texts() -> set[str]:
    """Every string of the program's source (a message split over lines is one string)."""
    found: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_catalogue_entry_is_a_text_of_the_program() -> None:
    known = texts()
    assert "Check the date of {event}." in known  # the walk finds the program's messages
    left: list[str] = []
    for po in sorted(resource("i18n").glob("zh_CN*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                for text in (str(i) for i in ids if i):
                    if text not in known and text.split("|", 1)[-1] not in known:
                        left.append(f"{po.name}: {text}")
    assert not left, left


def test_the_check_no_longer_says_taken() -> None:
    """`check dispense` said a kit given was "taken" (采用) before it said it accepted: the word
    left in the catalogue is the audit and JSON key "taken" only, which is never translated
    as itself (an audit entry's field is named by "audit field|Quantity taken")."""
    for po in sorted(resource("i18n").glob("zh_CN*.po")):
        with po.open("rb") as handle:
            assert "taken" not in {message.id for message in read_po(handle, locale="zh_CN")}
