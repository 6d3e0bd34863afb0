"""Messages said one after another (i18n.sentences): English sentences take a space between
them, Chinese ones none after 。, as Chinese text is written."""

from __future__ import annotations

from dispensary.domain.codes import SignatureMeaning
from dispensary.i18n import Language, sentences, speaking
from dispensary.services.users import _wrong_second_password


def test_english_sentences_are_spaced() -> None:
    assert sentences(["Kit K1 is expired.", " Scan another kit. "]) == (
        "Kit K1 is expired. Scan another kit."
    )


def test_chinese_sentences_are_not() -> None:
    assert sentences(["药盒 K1 已过期。", "请扫描另一药盒。"]) == "药盒 K1 已过期。请扫描另一药盒。"
    assert sentences(["已保存", "（第 2 周期）"]) == "已保存（第 2 周期）"


def test_empty_parts_leave_no_gap() -> None:
    assert sentences(["", "One.", "  ", "Two."]) == "One. Two."
    assert sentences([]) == ""


def test_a_chinese_refusal_and_what_follows_read_as_one_text() -> None:
    with speaking(Language.ZH_CN):
        said = _wrong_second_password(SignatureMeaning.WITNESSED, "lin", 2)
    assert "。 " not in said and said.count("。") >= 2, said
    with speaking(Language.EN):
        said = _wrong_second_password(SignatureMeaning.WITNESSED, "lin", 2)
    assert ". 2 attempts left" in said, said
