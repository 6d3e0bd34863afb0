"""No message says a count in tablets (片) unless it is one of the few said only of tablets.

A study of capsules (the reviewer's REV-CAPS-28) met refusals and findings written for the first
study's tablets: "Kit R2001 is listed with 60 tablets", "60 tablets returned for kit R1001", and
in Chinese the reconciliation's "盘点数 55 片，账面 56 片" of capsules, whose English said no
"tablets" at all. A count is said in its product's word by Study.units ("60 capsules", 60粒).

Two guards, each with an explicit allow-list of the messages that are about tablets:

- an English message of the services, domain, commands, reports, labels and study file whose
  count is followed by "tablet(s)" ("{tablets} tablets");
- a Chinese translation that writes 片 after a figure ("{book} 片") of an English message that
  names no tablets (the translator's unit, not the program's).

Each allowed message is said only where the units are tablets: the branch of a study of tablets
only (`Study.tablets_only`), of a product that is a tablet (a `counted`/`units` of None), or the
tablets' own word. A new message that counts in tablets fails here: say its count with
Study.units, or add it to the list with where it is kept to tablets."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

from dispensary.packaged import resource

SRC = Path(__file__).resolve().parents[2] / "src" / "dispensary"
LAYERS = ("services", "domain", "cli", "reports", "labels")
MARKERS = {"_", "N_", "pgettext", "translated"}
COUNT_IN_TABLETS = re.compile(r"\}\s+tablets?\b", re.IGNORECASE)
FIGURE_IN_PIAN = re.compile(r"\}\s*片")

TABLETS_ONLY = "said in a study of tablets only (Study.tablets_only)"
TABLET_PRODUCT = "said of a product that is a tablet (its units None); else in its units"

ALLOWED_ENGLISH: dict[str, str] = {
    "  Adherence is worked out once every kit of {dispense_number} is back ({returned} of "
    "{dispensed} tablets dispensed are back so far).": TABLETS_ONLY,
    "  Kits        {kits}, {tablets} tablets, into {value}": TABLETS_ONLY,
    "  Proposed    {number}  lot {lot}  exp {expiry}  {tablets} tablets": TABLETS_ONLY,
    "  {label} {number}  {product}  lot {lot}  exp {expiry}  {tablets} tablets: ": TABLETS_ONLY,
    "Kit {kit} is not needed: the kits scanned already hold the {tablets} tablets of {product} "
    "for the cycle. Put it back.": TABLET_PRODUCT,
    "Kit {kit} is not needed: the other kits scanned already hold the {tablets} tablets of the "
    "cycle. Put it back.": TABLET_PRODUCT,
    "Not enough {product} in stock: {tablets} tablets needed, {total} available in kits that "
    "last until {cover_until}. Receive stock or release quarantined kits.": TABLET_PRODUCT,
    "Received shipment {shipment} on {received_on}: {kits}, {tablets} tablets.": TABLETS_ONLY,
    "The kits scanned hold {total} tablets of {product}; {tablets} are needed for the cycle. "
    "Scan another kit.": TABLET_PRODUCT,
    "not brought back by participant {participant} ({dispense}, return of {date}): still with "
    "them or lost, {tablets} tablets unaccounted for": TABLETS_ONLY,
    "with participant {participant} ({tablets} tablets, {dispense} on {date})": TABLETS_ONLY,
    "{counted} tablets counted in kit {kit}, which was received with {received}: a kit cannot "
    "hold more than it was received with. Count the tablets again; if it really holds more, "
    "quarantine it and ask the sponsor (its receipt's count would be wrong).": TABLETS_ONLY,
    "{count} tablet": "the tablets' own word (LabelLanguage.tablets_one)",
    "{count} tablets": "the tablets' own word (LabelLanguage.tablets_many)",
    "{kits}; available to dispense: {kits2}, {sum} tablets.": TABLETS_ONLY,
    "{product}: {on_shelf} tablets on the shelf (the DARF balance), of which {dispensable} "
    "dispensable.": TABLETS_ONLY,
    "{unaccounted} tablets not brought back (unaccounted for, not counted as taken)": (
        TABLETS_ONLY
    ),
    "{unaccounted} tablets not brought back (unaccounted for, not counted as taken); {returned} "
    "returned from the kits brought back": TABLETS_ONLY,
}

ALLOWED_CHINESE: dict[str, str] = {
    "  Kit {kit:<8}lot {lot}  {dispensed} dispensed, {back}": TABLETS_ONLY,
    "  Adherence   taken {taken} of {expected} expected: {percent}": TABLETS_ONLY,
    "  Taken {taken} of {expected} expected: adherence {percent}.": TABLETS_ONLY,
    "taken {taken} of {expected} expected": TABLETS_ONLY,
    "{dispense} cycle {cycle}: {flags}; taken {taken} of {expected} expected. Record the "
    "reason.": TABLETS_ONLY,
    "{count} returned": TABLETS_ONLY,
    "{count} unused": TABLETS_ONLY,
}


def _modules() -> list[Path]:
    found = [p for layer in LAYERS for p in sorted((SRC / layer).rglob("*.py"))]
    return [*found, SRC / "study.py"]


def english_counts_in_tablets() -> dict[str, list[str]]:
    """The marked messages whose count is followed by "tablet(s)", with where they are."""
    found: dict[str, list[str]] = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            name = name or getattr(node.func, "attr", "")
            if name not in MARKERS:
                continue
            for arg in node.args:
                text = arg.value if isinstance(arg, ast.Constant) else None
                if isinstance(text, str) and COUNT_IN_TABLETS.search(text):
                    where = f"{path.relative_to(SRC).as_posix()}:{node.lineno}"
                    found.setdefault(text, []).append(where)
    return found


def chinese_figures_in_pian() -> dict[str, str]:
    """Catalogue entries writing 片 after a figure of an English message naming no tablets."""
    found: dict[str, str] = {}
    for po in sorted(resource("i18n").glob("zh_CN*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if not message.id:
                    continue
                english = message.id if isinstance(message.id, str) else message.id[0]
                said = message.string if isinstance(message.string, str) else message.string[0]
                if FIGURE_IN_PIAN.search(said or "") and "tablet" not in english.lower():
                    found[english] = po.name
    return found


def test_no_message_counts_in_tablets_unless_kept_to_tablets() -> None:
    found = english_counts_in_tablets()
    assert "{count} tablets" in found  # the walk finds the messages
    unexpected = {text: where for text, where in found.items() if text not in ALLOWED_ENGLISH}
    assert not unexpected, (
        "a count said in tablets: say it with Study.units (capsules / 粒 of a capsule kit), or "
        f"allow it with why it is only ever said of tablets: {unexpected}"
    )
    gone = set(ALLOWED_ENGLISH) - set(found)
    assert not gone, f"allowed but no longer in the program: {gone}"


def test_no_translation_adds_pian_to_a_figure_the_english_gives_bare() -> None:
    found = chinese_figures_in_pian()
    unexpected = {text: po for text, po in found.items() if text not in ALLOWED_CHINESE}
    assert not unexpected, (
        "a Chinese translation says 片 of a figure the English leaves bare (a capsule kit's "
        f"count would read 片): give the figure in its units (Study.units): {unexpected}"
    )
    gone = set(ALLOWED_CHINESE) - set(found)
    assert not gone, f"allowed but no longer in the catalogue: {gone}"
