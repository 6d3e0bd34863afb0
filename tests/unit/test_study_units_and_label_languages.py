"""A reviewer's English-only capsule study (REV-CAPS-28) in a Chinese window said "2 盒共 112
capsules": the unit word came from the study file's text in the reader's language, else its
English. The word of a dosage form is a translation, not a fact of the study: with no Chinese
word in the file, the program's own (片 of tablets, 粒 of capsules), and only then English.
And `languages = ["fr"]` was refused only with "no [label.text.fr] table", never saying which
label languages the program prints in, nor what to write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dispensary import study as studies
from dispensary.domain.errors import StudyFileError
from dispensary.i18n import Language, speaking
from dispensary.study import default_study_path, load_study, parse_study

FIXTURES = Path(__file__).parents[1] / "fixtures"
REVIEW = (FIXTURES / "REV-CAPS-28.toml").read_text(encoding="utf-8")
BUNDLED = default_study_path().read_text(encoding="utf-8")
HUNDRED, QUARTER = "revicapib-100mg", "revicapib-25mg"


def test_an_english_only_capsule_study_counts_its_capsules_in_chinese() -> None:
    study = parse_study(REVIEW, "REV-CAPS-28.toml", new_file=True)
    assert tuple(study.texts) == ("en",)  # the file gives no Chinese at all
    assert study.units(HUNDRED, 112, "zh_CN") == "112 粒"
    assert study.units_each([(HUNDRED, 56), (QUARTER, 56)], "zh_CN") == "112 粒"
    assert study.unit_words((), "zh_CN") == "粒"
    assert study.quantity(HUNDRED, 56, "zh_CN") == "56 粒"
    with speaking(Language.ZH_CN):  # the reader's language, as a window asks
        assert study.units(QUARTER, 1) == "1 粒"
        assert study.unit_words((QUARTER,)) == "粒"
    # English as before.
    assert study.units(HUNDRED, 112, "en") == "112 capsules"
    assert study.units(HUNDRED, 1, "en") == "1 capsule"
    assert study.unit_words((), "en") == "capsules"


def test_the_program_s_words_for_a_form_are_used_only_where_the_file_gives_none() -> None:
    """A tablet study with no Chinese says 片; a film-coated tablet is a tablet; a form the
    program has no word for stays in English (not 片: a softgel is not a tablet); the file's
    own words, where it gives them, always come first."""
    tablets = REVIEW.replace('form = "capsule"', 'form = "film-coated tablet"')
    assert parse_study(tablets).units(HUNDRED, 28, "zh_CN") == "28 片"
    softgel = REVIEW.replace('form = "capsule"', 'form = "softgel"')
    assert parse_study(softgel).units(HUNDRED, 28, "zh_CN") == "28 softgels"
    # NCT07198672 counts its tablets in its own words ([label.text.zh_CN] tablets_many).
    bundled = load_study(default_study_path())
    assert bundled.units("herombopag-7.5mg", 21, "zh_CN") == "21 片"
    # A Chinese text that gives no word for capsules counted them with its tablets' 片.
    capsules = BUNDLED.replace('form = "tablet"', 'form = "capsule"').replace(
        'tablet = "片剂"', 'capsule = "胶囊剂"'
    )
    study = parse_study(capsules)
    assert study.units("herombopag-7.5mg", 21, "zh_CN") == "21 粒"
    assert study.text("zh_CN").unit_word("capsule") == "粒"
    given = capsules + '\n[label.text.zh_CN.units]\ncapsule = "{count}颗"\n'
    assert parse_study(given).units("herombopag-7.5mg", 21, "zh_CN") == "21 颗"


def _refused(text: str) -> str:
    with pytest.raises(StudyFileError) as info:
        parse_study(text, "REV-CAPS-28.toml", new_file=True)
    return " ".join(info.value.message.split())


def test_a_label_language_the_program_does_not_print_in_is_refused_naming_those_it_does() -> None:
    assert getattr(studies, "LABEL_LANGUAGES", None) == ("en", "zh_CN")  # i18n.Language
    said = _refused(REVIEW.replace('languages = ["en"]', 'languages = ["fr", "en"]'))
    assert "key 'label.languages' names fr" in said, said
    assert "does not print labels in (it prints en, zh_CN)" in said, said
    assert 'languages = ["zh_CN", "en"]' in said and "[label.text.<language>]" in said, said
    assert "no [label.text.fr] table" not in said, said
    # With a [label.text.fr] table, the table is refused the same way.
    french = BUNDLED.replace("[label.text.zh_CN", "[label.text.fr").replace(
        'languages = ["zh_CN", "en"]', 'languages = ["fr", "en"]'
    )
    assert "[label.text.fr" in french
    said = _refused(french)
    assert re.search(r"key 'label\.text\.fr' is for fr, which the program does not print", said)
    assert "(it prints en, zh_CN): give [label.text.zh_CN] instead" in said, said
    with speaking(Language.ZH_CN):
        said = _refused(REVIEW.replace('languages = ["en"]', 'languages = ["fr"]'))
    assert "列出了 fr，本程序不以该语言打印标签（可打印：en, zh_CN）" in said, said
    # A study a database already stores is read as it was (not refused on opening).
    stored = parse_study(french, "stored", new_file=False)
    assert stored.label_languages == ("fr", "en")
