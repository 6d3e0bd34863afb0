"""Chinese quotes a word “so”, as nearly every zh_CN message does (“{key}”, “{reason}”): a few
translations kept the English's ASCII quotes ('{command}' 需要一个操作, 必须是 "refuse" 或
"warn"), two ways of quoting side by side. ASCII quotes stay only where they are typed: a
command's argument (--reason "...") and a shell's file name (chmod 600 '{path}'). Read from
every zh_CN catalogue of the program and of the windows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from babel.messages.pofile import read_po

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"

DOUBLE = re.compile(r'(?<!=)"[^"]+"')
"""A word in ASCII double quotes (not an HTML attribute's value: style="...")."""
SINGLE = re.compile(r"(?<![=\w])'[^']+'(?!\w)")
"""A word in ASCII single quotes (not an HTML attribute's value: style='...')."""
TYPED = re.compile(r"(--[\w-]+ |chmod \d+ )$")
"""What comes before quotes that are typed: a command's option, chmod's mode."""


def _translations() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted(I18N.glob("zh_CN*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                texts = message.string if isinstance(message.string, tuple) else (message.string,)
                found.extend((path.name, text) for text in texts if text)
    for path in sorted((I18N / "ui").glob("*_zh_CN.ts")):
        for message in ET.parse(path).getroot().iter("message"):
            for node in (message.find("translation"), *message.iter("numerusform")):
                if node is not None and node.text:
                    found.append((path.name, node.text))
    return found


def _ascii_quoted(text: str) -> list[str]:
    """The ASCII-quoted words of a translation that are not typed by the reader."""
    return [
        found.group()
        for pattern in (DOUBLE, SINGLE)
        for found in pattern.finditer(text)
        if not TYPED.search(text[: found.start()])
    ]


def test_the_catalogues_are_read() -> None:
    names = {name for name, _text in _translations()}
    assert {"zh_CN-cli.po", "zh_CN-messages.po", "counter_zh_CN.ts"} <= names


def test_what_is_typed_keeps_its_ascii_quotes_and_nothing_else_does() -> None:
    assert _ascii_quoted('由管理员确认：dispensary study confirm RULE --reason "..."') == []
    assert _ascii_quoted("请将其设为私有：chmod 600 '{path}'。") == []
    assert _ascii_quoted("<span style='color:#c62828'>{message}</span>") == []
    assert _ascii_quoted('必须是 "refuse" 或 "warn"') == ['"refuse"', '"warn"']
    assert _ascii_quoted("'{command}' 需要一个操作") == ["'{command}'"]


def test_no_chinese_translation_quotes_a_word_in_ascii_quotes() -> None:
    quoted = [f"{name}: {text!r}" for name, text in _translations() if _ascii_quoted(text)]
    assert not quoted, "ASCII quotes where Chinese writes “”:\n" + "\n".join(quoted)
