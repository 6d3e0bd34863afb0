"""A count and its Chinese measure word are written one way in the windows, messages and
reports: the number, a space, the word ("21 片", as every message writes "{count} 片"). A count
said in its product's word (Study.units) came from the study file's counting words, which are
the label's and tight ("{count}片"), so one screen read "退回 50片" beside "发放 21 片". The
catalogues are scanned for a count glued to 片 or 粒, and every study's counts as they are said
to a reader (Study.units) are checked spaced; the label keeps the study file's own wording."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dispensary.i18n import Language, catalogue, catalogue_files
from dispensary.packaged import resource
from dispensary.study import OWN_UNITS, load_study, own_units, spaced_count

GLUED = re.compile(r"(\{[^{}]*\}|\d)[片粒]")
"""A placeholder or a number run into a measure word: "{count}片", "50粒"."""

COUNTING_WORDS = {template for pair in OWN_UNITS.values() for template in pair}
"""The program's own counting words ("{count} tablets" -> "{count}片"), a label's words as the
study file's are (own_units); Study.units spaces them for a reader (spaced_count)."""

LABEL_WORDING = {
    "never says how many to take at each dose: write {tablets} (the number with its word, "
    '"2 capsules") or {per_dose} (the number alone) in it'
}
"""Messages that quote a label's own wording ("2粒", what {tablets} prints on the bottle)."""

STUDIES = sorted(Path(str(resource("studies"))).glob("*.toml"))


def test_no_message_glues_a_count_to_its_measure_word() -> None:
    assert catalogue_files(Language.ZH_CN)
    glued = [
        (english, chinese)
        for english, chinese in catalogue(Language.ZH_CN).items()
        if english not in COUNTING_WORDS | LABEL_WORDING and GLUED.search(chinese)
    ]
    assert glued == []


def test_no_window_text_glues_a_count_to_its_measure_word() -> None:
    files = sorted(Path(str(resource("i18n"))).glob("ui/*_zh_CN.ts"))
    assert files
    glued = [
        (path.name, found.text)
        for path in files
        for found in ET.parse(path).getroot().iter("translation")
        if found.text and GLUED.search(found.text)
    ]
    assert glued == []


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_every_count_said_to_a_reader_is_spaced(path: Path) -> None:
    study = load_study(path)
    for product in study.products:
        for count in (1, 50):
            said = study.units(product.code, count, Language.ZH_CN.value)
            assert not GLUED.search(said), said
            assert said.startswith(f"{count} "), said


def test_the_programs_own_words_are_spaced_for_a_reader() -> None:
    for form in ("tablet", "capsule"):
        said = spaced_count(own_units(28, form, Language.ZH_CN.value))
        assert said in ("28 片", "28 粒"), said
    assert spaced_count("28 capsules") == "28 capsules"
