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

A third guard reads the words with no count: a message of those layers, or a window's text
(self.tr, QCoreApplication.translate), that says "tablet(s)" at all ("the tablets left the
pharmacy", a column "Tablets", a field "Tablets counted") is said in the study's word
(Study.unit_words; ui.widgets.units_word), in the neutral words of units in general ("tablets
or capsules", 片数或粒数, in the command line's help; "Quantity", 数量, over counts), or is kept
to tablets: under a test of `Study.tablets_only` (an `if`/conditional expression naming it),
or in ALLOWED_WORDS with why. A fourth reads the constants such a message is kept in
(RETURNS_TITLE = N_("Returns log (tablets ...)")): each is read only under that test (the
returns CSV was titled `_(RETURNS_TITLE)` in every study).

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
    "{product}, lot {lot}: {on_shelf} tablets on the shelf, of which {dispensable} "
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
    "Cycle {cycle}: {flags}; taken {taken} of {expected} expected. Record the reason.": (
        TABLETS_ONLY
    ),
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


UI = SRC / "ui"
TR_MARKERS = {"tr", "translate", "QT_TRANSLATE_NOOP"}
TABLET_WORD = re.compile(r"\btablets?\b", re.IGNORECASE)
NOT_SAID = re.compile(r"\{[^{}]*\}|--tablets(?:-per-kit)?\b|tablets or capsules")
"""Placeholders ({tablets}), the command line's options and the neutral words of units in
general: no tablet word said to a reader of a capsule study."""

SWAPPED = "a study not of tablets only is shown its units' text instead ({where})"
NAMED_AT_ONCE = "renamed in the kit's word by _name_count when the window is built"
A_COLUMN_KEY = "names the CSV manifest's column key `tablets`, the same in every study"
WORDS_IN_A_COUNT = "the words of '{n} tablets' (counted, in the tablets-only branch)"

ALLOWED_WORDS: dict[str, str] = {
    # the CSV manifest's columns: keys, not words
    "The manifest file is empty: nothing was received. Choose the manifest sent with the "
    "shipment (a CSV file whose first line names the columns kit, lot, expiry, tablets), or ask "
    "the sponsor or depot to send it again.": A_COLUMN_KEY,
    "The manifest must be a CSV file with a header line naming the columns kit, lot, expiry, "
    "tablets (and product); missing: {missing}.": A_COLUMN_KEY,
    "count (the tablets column)": A_COLUMN_KEY,
    "CSV: kit,lot,expiry,tablets[,product]": A_COLUMN_KEY,
    # the default of a parameter every caller gives in the study's word (services.returns)
    "number of tablets returned": "rules.check_return_quantity's default; services give "
    "returns._returned(study), the kit's word",
    # the tablets-only constants, swapped where the study is not of tablets only
    "none needed (expired stock, or tablets returned by participants)": SWAPPED.format(
        where="certificate.NO_REASON_UNITS"
    ),
    "Unused tablets (stock)": SWAPPED.format(where="certificate.QUANTITY_HEADER_UNITS"),
    "Returned tablets (participants)": SWAPPED.format(where="certificate.QUANTITY_HEADER_UNITS"),
    "Tablets in all": SWAPPED.format(where="certificate.QUANTITY_HEADER_UNITS"),
    "Tablets": SWAPPED.format(
        where="Study.count_heading in expiry and forecast; the windows' count columns"
    ),
    "Tablets needed": SWAPPED.format(where="forecast: 'Quantity needed'"),
    "Returns log (tablets brought back by participants)": SWAPPED.format(
        where="logs.returns_title"
    ),
    "Returned tablets": SWAPPED.format(where="logs.return_count_header"),
    "Kits usable: of the kits on hand at the week's start, those the week's cycles can be "
    "given: the kits they take and, in a week that is not short, the kits left that the counter "
    "would hand out for a cycle starting on any day of the week (lasting until its last day of "
    "supply plus {margin} days). A full kit is always usable; a part-used kit is usable when it "
    "holds at least what a coming cycle needs beyond its full kits (for example 52 tablets when "
    "a cycle takes 112 from kits of 60). Not usable: a kit that expires too soon for it; a "
    "part-used kit holding less that no cycle takes; in a short week, the kits left. Kits "
    "short: the new kits to order, kits needed less kits usable.": SWAPPED.format(
        where="forecast.usable_note with the study's units"
    ),
    # the windows' first texts, renamed before they are shown
    "Tablets you counted": NAMED_AT_ONCE + " (CountScreen)",
    "Tablets in the bottle, counted": NAMED_AT_ONCE + " (ReturnScreen)",
    "Tablets &counted": NAMED_AT_ONCE + " (ReturnScreen)",
    "Not brought back (0 tablets; flagged, not counted as taken)": NAMED_AT_ONCE
    + " (ReturnScreen)",
    # a translator's disambiguation, not shown
    "all the tablets of a dispense": WORDS_IN_A_COUNT,
    "a kit and its tablets": "a translator's note of '{kit} ({tablets})', not shown",
}


def _under_tablets_only(parents: list[ast.AST]) -> bool:
    return any(
        isinstance(p, ast.If | ast.IfExp) and "tablets_only" in ast.unparse(p.test) for p in parents
    )


def _walk(node: ast.AST, parents: list[ast.AST]) -> list[tuple[ast.AST, list[ast.AST]]]:
    found = [(node, parents)]
    for child in ast.iter_child_nodes(node):
        found.extend(_walk(child, [*parents, node]))
    return found


def tablet_words() -> dict[str, list[str]]:
    """The messages and window texts saying "tablet(s)" without a count, outside a branch of a
    study of tablets only, with where they are."""
    found: dict[str, list[str]] = {}
    windows = sorted(UI.rglob("*.py"))
    for path in [*_modules(), *windows]:
        in_ui = path in windows
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, parents in _walk(tree, []):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            name = name or getattr(node.func, "attr", "")
            if in_ui and name in TR_MARKERS:  # tr(text, disambiguation); translate(context, text)
                args = node.args[:2] if name == "tr" else node.args[1:2]
            elif not in_ui and name in MARKERS:
                args = node.args[1:] if name == "pgettext" else node.args  # not its context
            else:
                continue
            for arg in args:
                text = arg.value if isinstance(arg, ast.Constant) else None
                if not isinstance(text, str):
                    continue
                said = NOT_SAID.sub("", text.split("|", 1)[1] if "|" in text[:40] else text)
                if TABLET_WORD.search(said) and not _under_tablets_only(parents):
                    where = f"{path.relative_to(SRC).as_posix()}:{node.lineno}"
                    found.setdefault(text, []).append(where)
    return found


def test_no_message_says_tablets_unless_kept_to_tablets() -> None:
    found = tablet_words()
    assert "Tablets &counted" in found  # the walk finds the windows' texts
    unexpected = {
        text: where
        for text, where in found.items()
        if text not in ALLOWED_WORDS and not COUNT_IN_TABLETS.search(text)
    }
    assert not unexpected, (
        "a message says tablets of any study's kits: say the study's word (Study.unit_words, "
        "ui.widgets.units_word), the neutral 'tablets or capsules' / 'Quantity', or allow it "
        f"with why it is only ever said of tablets: {unexpected}"
    )
    gone = set(ALLOWED_WORDS) - set(found)
    assert not gone, f"allowed but no longer in the program: {gone}"


def test_the_words_guard_catches_the_void_refusal_of_a_capsule_study() -> None:
    """The refusal to void a dispense with returns said "the tablets left the pharmacy" of a
    capsule study's kits: the walk would find it (a message of the services, no count)."""
    text = "Dispense {dispense} has returns recorded: the tablets left the pharmacy."
    said = NOT_SAID.sub("", text)
    assert TABLET_WORD.search(said) and text not in ALLOWED_WORDS
    assert not TABLET_WORD.search(NOT_SAID.sub("", "--tablets N, tablets or capsules {tablets}"))


def tablet_constants_said_anywhere() -> dict[str, list[str]]:
    """The module constants marked as messages that say tablets (NAME = N_("... tablets ...")),
    with where one is read outside a branch of a study of tablets only."""
    found: dict[str, list[str]] = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") in MARKERS
            and node.value.args
            and isinstance(node.value.args[0], ast.Constant)
            and TABLET_WORD.search(NOT_SAID.sub("", str(node.value.args[0].value)))
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node, parents in _walk(tree, []):
            if (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Load)
                and node.id in names
                and not _under_tablets_only(parents)
            ):
                where = f"{path.relative_to(SRC).as_posix()}:{node.lineno}"
                found.setdefault(node.id, []).append(where)
    return found


def test_a_message_kept_in_a_constant_is_said_only_of_tablets() -> None:
    """The returns CSV was titled `_(RETURNS_TITLE)` ("Returns log (tablets brought back by
    participants)") in every study, its PDF by logs.returns_title: a constant that says tablets
    is read only under a test of Study.tablets_only (the words guard reads its text once)."""
    found = tablet_constants_said_anywhere()
    assert not found, (
        "a message constant saying tablets is used outside a branch of `study.tablets_only`: "
        f"give the study's word or the neutral one there: {found}"
    )
