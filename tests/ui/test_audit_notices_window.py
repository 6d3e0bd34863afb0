"""The audit trail screen reads a dispense's recorded notices as the audit report does: in the
window's language where the program wrote them (audit_actions.value_shown, the one function
both use), the rule by the title the study file gives it in that language."""

from __future__ import annotations

import json

from dispensary.i18n import Language, speaking
from dispensary.study import default_study_path, load_study
from dispensary.ui.audit_view import _values

NOTICE = (
    "Rule to confirm: Dose level -1: 5 mg once daily (reduced) is dispensed. The rule (site "
    "decision 2026-11) is not confirmed yet, so it does not hold and the step goes on. An "
    "administrator confirms it in Study rules."
)


def test_the_window_reads_a_recorded_notice_in_chinese() -> None:
    study = load_study(default_study_path())
    stored = json.dumps({"notices": [NOTICE], "reason": "typed by hand"})
    with speaking(Language.ZH_CN):
        shown = dict(_values(stored, study) or [])
    assert shown["notices"] == (
        "待确认的规则：本次发放适用“剂量水平 -1：5 mg，每日一次（减量）”。该规则（中心决定 "
        "2026-11）尚未确认，因此暂不生效，操作照常进行。由管理员在“研究规则”中确认。"
    )
    assert shown["reason"] == "typed by hand"
    with speaking(Language.EN):
        assert dict(_values(stored, study) or [])["notices"] == NOTICE
