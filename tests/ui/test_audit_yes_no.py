"""A "yes" or "no" the services record as a word (a training database's "today may be set",
an account's "must change password", a study's access) reads in the window's language: the
Chinese audit screen showed 创建培训数据库 "可设定日期：yes"."""

from __future__ import annotations

from dispensary.i18n import Language, speaking
from dispensary.reports.audit import _values as audit_values
from dispensary.ui.audit_view import _compact, _pretty


def test_a_yes_recorded_as_a_word_reads_in_chinese(chinese: None) -> None:
    stored = '{"today_may_be_fixed": "yes"}'
    assert _compact(stored) == "可设定日期：是"
    assert "  可设定日期：是" in _pretty(stored)
    assert _compact('{"study": "NCT07198672", "access": "no"}') == "研究：NCT07198672；访问权限：否"
    with speaking(Language.ZH_CN):
        assert audit_values(stored) == "可设定日期：是"


def test_a_yes_recorded_as_a_word_reads_as_it_did_in_english() -> None:
    assert _compact('{"today_may_be_fixed": "yes"}') == "Date may be set: yes"
    assert _compact('{"note": "no"}') == "Note: no"  # a person's own words: as written
