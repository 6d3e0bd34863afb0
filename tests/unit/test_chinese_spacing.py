"""Chinese puts no space after its full stop (。). A placeholder that holds a whole sentence (a
refusal, what a step needs, a finding, "Nothing was saved.") ends, in Chinese, with 。: the
translation must not put a space after it, as the English does before its next sentence.

Read from every zh_CN catalogue of the program (resources/i18n/zh_CN*.po) and of the windows
(resources/i18n/ui/*_zh_CN.ts)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from babel.messages.pofile import read_po

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"

SENTENCES = frozenset({"refusal", "needs", "finding", "warnings", "message", "why", "nothing"})
"""Placeholders that hold a whole sentence (or several) wherever they are used."""

CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u201c"
AFTER_PLACEHOLDER = re.compile(rf"\{{(\w+)[^{{}}]*\}} (?=[{CJK}])")
OWN_SENTENCE = re.compile(r"(?:^|[.:] )\{(\w+)[^{}]*\} [A-Z]")
"""In English, a placeholder standing as a sentence of its own: at the start of the message or
after a full stop or colon, with a new sentence after it ('{refused} The file was not kept.')."""


def _translations() -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for path in sorted(I18N.glob("zh_CN*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if isinstance(message.id, str) and message.id and isinstance(message.string, str):
                    found.append((path.name, message.id, message.string))
    for path in sorted((I18N / "ui").glob("*_zh_CN.ts")):
        for message in ET.parse(path).getroot().iter("message"):
            source, text = message.findtext("source"), message.findtext("translation")
            if source and text:
                found.append((path.name, source, text))
    return found


TRANSLATIONS = _translations()


def test_the_catalogues_are_read() -> None:
    files = {name for name, _english, _chinese in TRANSLATIONS}
    assert {"zh_CN-cli.po", "zh_CN-messages.po", "counter_zh_CN.ts"} <= files
    assert len(TRANSLATIONS) > 1000


def test_no_space_after_a_chinese_full_stop() -> None:
    spaced = [
        f"{name}: {chinese!r}" for name, _english, chinese in TRANSLATIONS if "。 " in chinese
    ]
    assert not spaced, "a space after 。:\n" + "\n".join(spaced)


def test_no_space_after_a_placeholder_holding_a_sentence() -> None:
    spaced = []
    for name, english, chinese in TRANSLATIONS:
        sentences = SENTENCES | {m.group(1) for m in OWN_SENTENCE.finditer(english)}
        for found in AFTER_PLACEHOLDER.finditer(chinese):
            if found.group(1) in sentences:
                spaced.append(f"{name}: {{{found.group(1)}}} in {chinese!r}")
    assert not spaced, "a space after a sentence's placeholder:\n" + "\n".join(spaced)


FULL_WIDTH_THEN_SPACE = re.compile(r"[。！？；：，、）」』”] (?! )")
"""Full-width punctuation followed by one space: Chinese puts none after its marks ("核验通过。
已校验", "，名为" read as gaps). Allowed: two spaces or more, the column gap of the command's
help text, which lines up its values under each other ("登录：     --user NAME")."""

PLACEHOLDER = re.compile(r"\{(\w+)\}")
AFTER_A_SENTENCE = re.compile(r"(?<!No)[.!?](?:\s*\{\w+\})*\s*$")
BEFORE_A_PLACEHOLDER_OR_THE_END = re.compile(r"\s*(?:\{|$)")
"""In English, a placeholder holding a sentence after a sentence and before another placeholder
or the end ("CHAIN INTACT. {message} {counts}", "... database. {stop} {restored}"): joined by a
space in English, by nothing in Chinese, where each ends with 。 ("No. {number}" is no sentence)."""


def sentence_placeholders(english: str) -> set[str]:
    return {
        m.group(1)
        for m in PLACEHOLDER.finditer(english)
        if AFTER_A_SENTENCE.search(english[: m.start()])
        and BEFORE_A_PLACEHOLDER_OR_THE_END.match(english[m.end() :])
    }


SPACED_PLACEHOLDERS = re.compile(r"\{(\w+)\} +\{")


def test_no_space_after_full_width_punctuation() -> None:
    spaced = [
        f"{name}: {chinese!r}"
        for name, _english, chinese in TRANSLATIONS
        if FULL_WIDTH_THEN_SPACE.search(chinese)
    ]
    assert not spaced, "a space after full-width punctuation:\n" + "\n".join(spaced)


def test_full_width_punctuation_then_a_space_is_caught_and_a_column_gap_passes() -> None:
    assert FULL_WIDTH_THEN_SPACE.search("核验通过。 已校验")
    assert FULL_WIDTH_THEN_SPACE.search("从首个记录开始， 未恢复")
    assert FULL_WIDTH_THEN_SPACE.search("“Temperature (°C)” 或 温度")
    assert not FULL_WIDTH_THEN_SPACE.search("登录：     --user NAME")
    assert not FULL_WIDTH_THEN_SPACE.search("核验通过。已校验")


def test_sentences_in_placeholders_are_not_spaced_apart() -> None:
    spaced = []
    for name, english, chinese in TRANSLATIONS:
        sentences = sentence_placeholders(english)
        for found in SPACED_PLACEHOLDERS.finditer(chinese):
            if found.group(1) in sentences:
                spaced.append(f"{name}: {{{found.group(1)}}} in {chinese!r}")
    assert not spaced, "sentences in placeholders spaced apart:\n" + "\n".join(spaced)


def test_sentence_placeholders_are_recognised() -> None:
    assert sentence_placeholders("CHAIN INTACT. {message} {counts}") == {"message", "counts"}
    assert sentence_placeholders("CHAIN BROKEN. {message}{first} {counts}{more}") >= {"first"}
    assert sentence_placeholders("is from another database. {stop} {restored}") == {
        "stop",
        "restored",
    }
    assert not sentence_placeholders("No. {number} {date}")
    assert not sentence_placeholders("{kind} {id} ({kit})")


def test_a_sentence_appended_to_another_starts_without_a_space() -> None:
    """A message said after another one (" First entry that does not match: {entry}."): its
    English starts with the space between the two; its Chinese, after a 。, with none."""
    spaced = [
        f"{name}: {chinese!r}"
        for name, english, chinese in TRANSLATIONS
        if re.match(r" [A-Z]", english) and chinese.startswith(" ")
    ]
    assert not spaced, "a Chinese sentence appended after a space:\n" + "\n".join(spaced)


def test_a_placeholder_holding_a_number_keeps_its_space() -> None:
    """Not every '} ' before Chinese is a mistake: a kit number or a count is spaced."""
    assert not AFTER_PLACEHOLDER.search("{refusal}未作任何更改。")
    kits = [c for _n, _e, c in TRANSLATIONS if "{kit} " in c]
    assert kits, "the kit placeholder is spaced from the Chinese after it"


def test_a_cycle_number_is_written_one_way() -> None:
    """第 {cycle} 周期, a space either side of the number, as most messages write it: a screen
    that says 第6周期 above 第 6 周期 reads as two hands at work."""
    tight = [
        f"{name}: {chinese!r}"
        for name, _english, chinese in TRANSLATIONS
        if re.search(r"第\{[a-z_]+\}周期", chinese)
    ]
    assert not tight, "write 第 {cycle} 周期:\n" + "\n".join(tight)


ASCII_PUNCTUATION = re.compile(
    rf"[{CJK}] ?\((?![&*])|(?<!\(&[A-Z])\) ?[{CJK}]|[{CJK}] ?:(?!//)|: ?[{CJK}]"
)
"""ASCII parentheses or a colon against Chinese (Chinese writes （ ） and ：): "下一位受试者
(Esc)", "thermal-4x2: 热敏卷纸". Two ASCII forms stay, as Chinese Windows programs write them: a
keyboard accelerator "(&F)" and a file-type filter "(*.toml)", which Qt reads."""


def test_no_ascii_parentheses_or_colon_against_chinese() -> None:
    found = [
        f"{name}: {chinese!r}"
        for name, _english, chinese in TRANSLATIONS
        if ASCII_PUNCTUATION.search(re.sub(r"<[^>]*>", "", chinese))
    ]
    assert not found, "write （ ） and ： in Chinese:\n" + "\n".join(found)


def test_a_shortcut_in_ascii_parentheses_is_caught_and_an_accelerator_passes() -> None:
    assert ASCII_PUNCTUATION.search("下一位受试者 (Esc)")
    assert ASCII_PUNCTUATION.search("预览标签 (Ctrl+P)")
    assert ASCII_PUNCTUATION.search("thermal-4x2: 热敏卷纸")
    assert not ASCII_PUNCTUATION.search("下一位受试者（Esc）")
    assert not ASCII_PUNCTUATION.search("导入装箱清单（CSV）(&I)…")
    assert not ASCII_PUNCTUATION.search("研究文件 (*.toml);;所有文件 (*)")
