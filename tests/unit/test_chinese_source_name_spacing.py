"""Where readings came from, in Chinese, without spaces around it: the source is a logger file's
name or 手工记录的读数 / 手工记录 (a reading entered by hand), and "在 手工记录的读数 中发现"
put spaces inside Chinese words. Read from every zh_CN catalogue of the program and the
windows, for the messages that name an import's source around an excursion or a repeat."""

from __future__ import annotations

import re

from .test_chinese_spacing import TRANSLATIONS

SOURCE = re.compile(r"\{(?:name|source)\}")
SPACED = re.compile(r"[^\x00-\x7f] \{(?:name|source)\}|\{(?:name|source)\} [^\x00-\x7f]")


def _names_a_source(english: str) -> bool:
    return bool(SOURCE.search(english)) and (
        "excursion" in english or "from {source}" in english or "in {name} were" in english
    )


def test_the_source_of_readings_is_not_spaced_in_chinese() -> None:
    chosen = [(f, e, z) for f, e, z in TRANSLATIONS if _names_a_source(e)]
    assert len(chosen) >= 6, chosen
    spaced = [f"{f}: {z}" for f, _e, z in chosen if SPACED.search(z)]
    assert not spaced, "a space around the source's name:\n" + "\n".join(spaced)
