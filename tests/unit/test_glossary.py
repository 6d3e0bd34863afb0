"""One Chinese word for each term of drug accountability (issue 13): a pharmacist reading
"发放" on one screen and "配药" on the next would ask whether they are two acts. The terms are
in resources/i18n/glossary_zh_CN.toml; every zh_CN catalogue, the program's (.po) and the
windows' (.ts), is checked against it.
"""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po

from dispensary.i18n import Language, resource

GLOSSARY = tomllib.loads(resource("i18n", "glossary_zh_CN.toml").read_text(encoding="utf-8"))

FORMS = {
    "dispense": r"dispens(?:e|es|ed|ing)",
    "kit": r"kits?",
    "lot": r"lots?",
    "return": r"return(?:s|ed|ing)?",
    "reconcile": r"reconcil(?:e|es|ed|ing|iation|iations)",
    "destroy": r"destro(?:y|ys|yed|ying)|destruction",
    "quarantine": r"quarantin(?:e|es|ed|ing)",
    "site_decision": r"site decisions?",
    "registry": r"registry",
    "audit_trail": r"audit trails?",
    "logger": r"loggers?",
    "excursion": r"excursions?",
    "shipment": r"shipments?",
    "held_returned": r"held returned",
    "discontinued": r"discontinued",
    "reprint": r"reprint(?:s|ed|ing)?",
    "override": r"overrid(?:e|es|den|ing)",
    "us_letter": r"us letter",
    "darf": r"darfs?",
    "product": r"products?",
    # The verdict word alone (a column's title, a cell, the report's "Ledger" field), not every
    # sentence saying that something balances.
    "balanced": r"^(?:not )?balanced$",
    # The physical count of a kit as its messages name it (not a return's count of what came
    # back, nor a platelet count): its differences, adjustments, recounts, the shelf's last
    # counts and the book it is set against.
    "physical_count": r"physical counts?|count differences?|count adjustments?|recounts?"
    r"|(?:never|last) counted|counted by|in the book",
    # What a participant brought back, counted: a return's count, the kits still to count.
    "returned_count": r"count(?:s|ed)? back|return counts?|return counted|still to count",
    # The person, as the columns and messages name them ("verified by {name}" says the act, 由
    # {name} 核对); not who confirmed a participant's eligibility.
    "second_person": r"second (?:person|checker)|checked by(?! the person named)"
    r"|countersigned by|the verifier|^verified by$",
    "ledger": r"ledgers?",
    # An entry of the audit trail, and the audit filter's options that name its entries alone.
    "audit_entry": r"audit entr(?:y|ies)|^entries (?:by|of|this|from|to|about)",
    # The units in general, where no study's product is meant (the command line's help).
    "units_in_general": r"tablets or capsules",
}
"""The English forms of each term as the messages write them."""

NOT_THE_TERM: dict[str, str] = {
    "The manifest must be a CSV file with a header line naming the columns kit, lot, expiry, "
    "tablets (and product); missing: {missing}.": "names the CSV file's ASCII column keys",
    "The monitor pack is a PDF only (it gathers several reports): write it to a .pdf, or export "
    "each part as CSV with its own report (darf, reconciliation, audit...).": "names the "
    "reports' command keys (darf)",
}
"""English messages where the word is not the term (a key, a command), with why."""

CONTEXT = re.compile(r"^([a-z][a-z ]*)\|")
"""The "context|" of a pgettext message (i18n.pgettext): where it stands, not what it says (or
which term it says: a glossary term's `context`)."""

CODE = re.compile(r"`[^`]*`|\{[^{}]*\}|\[\[[a-z_]+\]\]|--[a-z-]+|\bdispensary(?: [a-z-]+)*")
"""Commands, options, placeholders and a study file's tables ([[products]]): English words there
are not translated."""


@dataclass(frozen=True)
class Entry:
    where: str
    english: str
    chinese: str
    context: str = ""


def _entries() -> list[Entry]:
    found = []
    for path in sorted(resource("i18n").glob(f"{Language.ZH_CN.value}*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                chinese = message.string
                if (
                    isinstance(message.id, str)
                    and message.id
                    and isinstance(chinese, str)
                    and chinese
                ):
                    context = CONTEXT.match(message.id)
                    found.append(
                        Entry(
                            path.name,
                            CONTEXT.sub("", message.id),
                            chinese,
                            context.group(1) if context else "",
                        )
                    )
    for path in sorted(resource("i18n", "ui").glob(f"*_{Language.ZH_CN.value}.ts")):
        for message in ET.parse(path).getroot().iter("message"):
            chinese = message.findtext("translation") or ""
            if chinese:
                found.append(Entry(path.name, message.findtext("source") or "", chinese))
    return found


ENTRIES = _entries()


def test_the_catalogues_and_the_glossary_are_read() -> None:
    assert len(ENTRIES) > 1000
    assert set(GLOSSARY) == set(FORMS)
    assert GLOSSARY["dispense"]["term"] == "发放"


def _says(name: str, entry: Entry) -> bool:
    """Whether the entry's English says the term: one of its forms (outside commands and
    placeholders), or the term's context given to a message said of two terms ("physical
    count|... Count again.")."""
    form = re.compile(rf"\b(?:{FORMS[name]})\b", re.IGNORECASE)
    context = GLOSSARY[name].get("context")
    return bool(form.search(CODE.sub("", entry.english))) or (
        context is not None and entry.context == context
    )


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_other_word_for_the_term(name: str) -> None:
    """A word the glossary rules out appears in no translation, nor one like it with words put
    inside (`not_like`: 留存待监查员核对 is 留存待核对)."""
    others = GLOSSARY[name]["not"]
    like = [re.compile(p) for p in GLOSSARY[name].get("not_like", [])]
    found = [
        f"{e.where}: {e.english!r} -> {e.chinese!r}"
        for e in ENTRIES
        if any(w in e.chinese for w in others) or any(p.search(e.chinese) for p in like)
    ]
    assert not found, f"{name} is {GLOSSARY[name]['term']}, not {others}:\n" + "\n".join(found)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_term_translates_the_word(name: str) -> None:
    """Where the English says the term (outside commands and placeholders), the Chinese says
    the glossary's word (or its noun form, `also`)."""
    words = [GLOSSARY[name]["term"], *GLOSSARY[name].get("also", [])]
    if name == "kit":
        words.append("盒")  # "{count} 盒", 逐盒: the measure word of the same kit
    missing = [
        f"{e.where}: {e.english!r} -> {e.chinese!r}"
        for e in ENTRIES
        if _says(name, e)
        and e.english not in NOT_THE_TERM
        and not any(w in e.chinese for w in words)
    ]
    assert not missing, f"'{name}' not translated {words[0]}:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", sorted(n for n in FORMS if GLOSSARY[n].get("not_beside")))
def test_no_other_word_beside_the_term(name: str) -> None:
    """Where the English says the term, the Chinese says no word the glossary keeps for another
    concept (`not_beside`): a physical count's message said 盘点 and, beside it, 清点 {counted}
    (清点 is the count of a return's tablets and the DARF's accountability)."""
    others = GLOSSARY[name]["not_beside"]
    found = [
        f"{e.where}: {e.english!r} -> {e.chinese!r}"
        for e in ENTRIES
        if _says(name, e) and any(w in e.chinese for w in others)
    ]
    assert not found, f"{name} is {GLOSSARY[name]['term']}, not {others}:\n" + "\n".join(found)


def test_one_word_for_the_count_the_second_person_and_the_ledger() -> None:
    """The physical count was 盘点 and 清点 (the shelf's banner 已清点 beside the tab 盘点), its
    second person 核对人, 复核人 and 第二人, the ledger 台账 and 账目: one word each now."""
    said = {e.english: e.chinese for e in ENTRIES}
    assert "已盘点" in said["{checked} of {total} kits on the shelf counted"]
    assert said["Second &person"].startswith("核对人")
    assert said["Checked by"] == "核对人"
    assert "台账" in said["Ledger rows"]
    assert any(re.search(p, "第二人签名") for p in GLOSSARY["second_person"]["not_like"])
    assert not any(re.search(p, "第二人核对") for p in GLOSSARY["second_person"]["not_like"])
    assert not any(re.search(p, "账目平衡") for p in GLOSSARY["ledger"]["not_like"])


def test_a_word_ruled_out_with_words_put_inside_is_ruled_out_too() -> None:
    """The destruction panel said 退回 0 片（留存待监查员核对）: 留存待核对 with the monitor put
    inside it, which the glossary's `not` (plain text) let through."""
    like = [re.compile(p) for p in GLOSSARY["held_returned"]["not_like"]]
    assert any(p.search("退回 0 片（留存待监查员核对）") for p in like)
    assert not any(p.search("货架上 5 片，退回留存 0 片。") for p in like)


def test_the_monitors_hold_is_the_held_returned_term() -> None:
    """`check destroy` said 监查员留存 ("the monitor's hold") for the tablets the glossary calls
    退回留存, and the study's closing refusal 为监查员保存: both ruled out, with words put inside
    too."""
    ruled_out = GLOSSARY["held_returned"]["not"]
    like = [re.compile(p) for p in GLOSSARY["held_returned"]["not_like"]]
    assert {"监查员留存", "为监查员保存"} <= set(ruled_out)
    assert any(p.search("将移出 6 片（货架 0 片，监查员的留存 6 片）") for p in like)
    said = {e.english: e.chinese for e in ENTRIES if "monitor's hold" in e.english}
    assert said and all("退回留存" in chinese for chinese in said.values()), said


def test_one_word_for_an_audit_entry() -> None:
    """`report audit`'s options said 此用户的记录 beside 此操作的条目, and the monitor pack's count
    稽查记录 beside the verification's 稽查轨迹条目: one word now, 条目."""
    said = {e.english: e.chinese for e in ENTRIES}
    for option in (
        "entries by this user",
        "entries of this action: its code ({codes}) or its name as the trail shows it",
        "entries this text is found in (record, values, reason), as the Audit trail window's Text",
    ):
        assert "条目" in said[option] and "记录的" not in said[option], said[option]
    pack = next(
        e for english, e in said.items() if english.startswith("{count} audit entries were")
    )
    assert "稽查轨迹条目" in pack
    assert "稽查记录" in GLOSSARY["audit_entry"]["not"]


TWO_COUNTS = ("physical_count", "returned_count")
"""The physical count of a kit (盘点) and the count of what a participant brought back (清点):
two acts the English says alike ("Count again.", "the count")."""


def test_a_message_said_of_both_counts_has_one_entry_for_each() -> None:
    """The negative count's "Count again." was one message for the Count window and the return
    (请重新清点 in both), `check return`'s "needs the count" `check count`'s (需要盘点数 in
    both): each is now given the context of its count, and no entry without a context is left
    to say it of either."""
    contexts = {GLOSSARY[name]["context"]: name for name in TWO_COUNTS}
    by_count: dict[str, set[str]] = {}
    for e in ENTRIES:
        if e.context in contexts:
            by_count.setdefault(e.english, set()).add(e.context)
    for english in (
        "The {what} cannot be negative ({value}). Count again.",
        "the count",
    ):
        assert by_count.get(english) == set(contexts), english
    shared = [
        f"{e.where}: {e.english!r} -> {e.chinese!r}"
        for e in ENTRIES
        if not e.context and e.english in by_count
    ]
    assert not shared, "said of either count, without its context:\n" + "\n".join(shared)
    for e in ENTRIES:
        if e.context in contexts:
            glossary = GLOSSARY[contexts[e.context]]
            assert glossary["term"] in e.chinese, e
            assert not any(w in e.chinese for w in glossary["not_beside"]), e


@pytest.mark.parametrize(
    ("counted", "said", "not_said"),
    [("physical count", "盘点", "清点"), ("returned tablets", "清点", "盘点")],
)
def test_a_negative_count_is_counted_again_in_its_own_word(
    counted: str, said: str, not_said: str
) -> None:
    """The Count window said 盘点片数不能为负数（-2）。请重新清点: the return's word."""
    from dispensary.domain.errors import InvalidInput
    from dispensary.domain.rules import check_count
    from dispensary.i18n import speaking

    with speaking(Language.ZH_CN), pytest.raises(InvalidInput) as refused:
        check_count(-2, "number of tablets counted", counted=counted)  # type: ignore[arg-type]
    assert refused.value.message.endswith(f"请重新{said}。"), refused.value.message
    assert f"重新{not_said}" not in refused.value.message
    with pytest.raises(InvalidInput) as english:
        check_count(-2, "number of tablets counted", counted=counted)  # type: ignore[arg-type]
    assert english.value.message == (
        "The number of tablets counted cannot be negative (-2). Count again."
    )
