"""English and a study file that does not list it in [label] languages (`languages =
["zh_CN"]`). As the README and the study file say, English (the file's own words) is the last
resort while the Chinese text waits to be confirmed, so the counter can still print. Apart from
that, English gets no special treatment: `--lang en` (which also switches the administrator's
messages to English) printed a Chinese-only study's label in English, and the check that the
label fits its stock left out the English label the study prints until its text is confirmed."""

from __future__ import annotations

import pytest

from dispensary.i18n import Language, speaking
from dispensary.labels.dispensing import LabelDoesNotFit, check_study_label_fits
from dispensary.services.labels import print_languages
from dispensary.study import Study, default_study_path, parse_study

RULE = "label.text.zh_CN"
BUNDLED = default_study_path().read_text(encoding="utf-8")
LISTED = 'languages = ["zh_CN", "en"]'
START = 'directions = "Take {tablets} by mouth once daily in the evening, '
LONG = START + "with a full glass of water, never with grapefruit juice or antacids, " * 5
ZH_SOURCE = 'source = "site decision 2026-12"'


def study_file(*edits: tuple[str, str]) -> Study:
    """NCT07198672's study file listing only zh_CN, with `edits` (each standing there once)."""
    text = BUNDLED
    for old, new in ((LISTED, 'languages = ["zh_CN"]'), *edits):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse_study(text, "zh-only.toml")


def test_english_is_the_last_resort_while_the_chinese_text_waits() -> None:
    study = study_file()
    languages, note = print_languages(study, set())
    assert languages == ("en",)
    assert (
        "the Simplified Chinese label text (label.text.zh_CN, site decision 2026-12) is to confirm"
        in note
    )


def test_the_languages_left_out_are_named_in_words_in_the_reader_s_language() -> None:
    """The Chinese note said "以 en 打印，未以 zh_CN 打印" (the study file's codes): each language
    is named in words, in the reader's language; the study file's keys stay as they are."""
    study = study_file()
    with speaking(Language.ZH_CN):
        _languages, note = print_languages(study, set(), ("zh_CN",))
    assert note.startswith("以英文打印，未以简体中文打印：简体中文标签文字（label.text.zh_CN，"), (
        note
    )
    assert "en" not in note.replace("label.text.zh_CN", "").replace("dispensary study confirm", "")
    _languages, note = print_languages(study, set(), ("zh_CN",))
    assert note.startswith(
        "Printed in English, not in Simplified Chinese: the Simplified Chinese label text"
    ), note


def test_english_asked_for_is_not_printed_when_the_study_does_not_list_it() -> None:
    """The Chinese text confirmed: `--lang en label dispense` printed the label in English."""
    study = study_file()
    languages, note = print_languages(study, {RULE}, ("en",))
    assert languages == ("zh_CN",)
    assert (
        "Printed in Simplified Chinese, not in English: the study file does not list en in "
        "[label] languages"
    ) in note
    # A study listing English prints in it when asked, with nothing left out.
    listing = parse_study(BUNDLED, "nct.toml")
    assert print_languages(listing, {RULE}, ("en",)) == (("en",), "")


def test_the_english_label_printed_until_confirmation_must_fit_its_stock() -> None:
    """Only the listed zh_CN label was checked: a study whose English directions overfill the
    4 x 2 inch roll was added, and its labels, in English until the Chinese text is confirmed,
    refused at print time after each dispense was saved."""
    study = study_file((START, LONG))
    assert study.may_print_in == ("zh_CN", "en")
    with pytest.raises(LabelDoesNotFit) as refused:
        check_study_label_fits(study)
    said = " ".join(refused.value.message.split())
    assert "Study NCT07198672, its default stock checked with a sample dispense in en:" in said
    assert "([label] directions)" in said, said


def test_a_chinese_text_that_holds_from_the_start_never_falls_back_to_english() -> None:
    """Its source the protocol (nothing to confirm): English never prints, so its length is
    not the label's matter."""
    study = study_file((START, LONG), (ZH_SOURCE, 'source = "protocol 9.1"'))
    assert study.may_print_in == ("zh_CN",)
    assert print_languages(study, {RULE})[0] == ("zh_CN",)
    assert check_study_label_fits(study) is study
