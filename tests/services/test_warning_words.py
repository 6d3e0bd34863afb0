"""The warnings a dispense overrides, recorded in English in its audit entry, read back in the
reader's language in the audit trail window and the audit report (audit_actions.value_shown,
domain.rules.NOTICE_FORMS), several of them with the Chinese list separator; the warnings
overridden by naming who ordered the dose are read the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pypdfium2 as pdfium
import pytest

from dispensary.domain import rules
from dispensary.domain.audit_actions import value_shown, value_words
from dispensary.i18n import Language, speaking
from dispensary.reports import catalogue as reports
from dispensary.services import audit, studies
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.documents import Values
from dispensary.study import Approval, Study, StudyRule
from dispensary.ui.audit_view import _values

from .conftest import Stock
from .helpers import dispense, enroll

Password = Callable[[Actor], str]
ZH = Language.ZH_CN
ENGLISH_WORDS = (
    "Rule to confirm",
    "expired on",
    "and the kit scanned is",
    "are at or above",
    "is not recorded yet",
    "which first expiry first out",
    "is only 17 days after",
)
CHINESE = {  # each warning in the window and the report (spaces aside, as the PDF reads)
    "approval_expired": "研究NCT07198672的伦理委员会批件已于2026-01-01到期",
    "platelets_hold": "L达到或超过100×10",  # ⁹ is read as 9 from the PDF
    "not_first_expiry": "药盒K0003（批号L1）",
    "irt": "IRT分配的是药盒K0005，而扫描的是药盒K0004",
    "previous_return_missing": "第1周期（DSP000001）的退药尚未登记。",
    "day1_interval": "仅17天",
}


@pytest.fixture
def overridden(
    ctx: Context,
    admin: Actor,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Password,
) -> Context:
    """Three dispenses, each overriding warnings with a reason: an expired approval, a
    platelet hold and a kit not first to expire (01-001 cycle 1); the previous return missing
    and day 1 too soon (01-001 cycle 2); a kit the IRT did not assign (01-002)."""
    studies.confirm_rule(ctx, admin, "platelets", "the investigator's written rule")
    expired = replace(
        ctx.study,
        approval=Approval(date(2026, 1, 1), 30),
        rules=(*ctx.study.rules, StudyRule("approval", "Ethics approval", "site decision 2025-12")),
    )
    dispense(
        replace(ctx, study=expired),
        pharmacist,
        pw(pharmacist),
        kits=["K0003"],
        platelet_count=120,
        override_reason="PI: go on",
        overrides=["approval_expired", "platelets_hold", "not_first_expiry"],
    )
    clock.set_date(date(2026, 1, 22))
    dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        cycle=2,
        override_reason="infusion moved; bottle at home",
        overrides=["day1_interval", "previous_return_missing"],
    )
    enroll(ctx, pharmacist, "01-002", "CD")
    irt = replace(
        ctx.study,
        kit_assignment="irt",
        rules=(*ctx.study.rules, StudyRule("kit_assignment", "IRT", "site decision 2025-12")),
    )
    dispense(
        replace(ctx, study=irt),
        pharmacist,
        pw(pharmacist),
        "01-002",
        kits=["K0004"],
        irt_confirmation="IRT-1",
        irt_kit="K0005",
        override_reason="IRT said so by phone",
        overrides=["irt"],
    )
    return ctx


def _chinese(text: str) -> str:
    return "".join(text.split())


def test_the_window_reads_each_overridden_warning_in_chinese(
    overridden: Context, pharmacist: Actor
) -> None:
    entries = audit.list_entries(overridden, pharmacist, action="dispense")
    assert len(entries) == 3
    shown = []
    for entry in entries:
        assert json.loads(entry.new)["overrides"]  # what the entry overrode, by code
        with speaking(ZH):
            shown.append(dict(_values(entry.new, overridden.study) or [])["warnings"])
    window = _chinese(" ".join(shown))
    for code, words in CHINESE.items():
        assert _chinese(words) in window, code
    for english in ENGLISH_WORDS:
        assert english not in window
    assert "T-DM1治疗周期第1天" in window  # what day 1 is, in the study file's Chinese
    # Several warnings of one entry: the Chinese separator between sentences, never ", ".
    assert "。, " not in window and "；" in window
    assert "确认；第1周期（DSP000001）" in _chinese(" ".join(shown))


def test_the_chinese_audit_report_reads_each_overridden_warning_in_chinese(
    overridden: Context, monitor: Actor
) -> None:
    values = Values(since=date(2026, 1, 1))
    pdf = reports.make_report(
        reports.report("audit"), overridden, monitor, values, language=ZH
    ).data
    document = pdfium.PdfDocument(pdf)
    try:
        text = _chinese(" ".join(page.get_textpage().get_text_range() for page in document))
    finally:
        document.close()
    for code, words in CHINESE.items():
        assert _chinese(words) in text, code
    for english in ENGLISH_WORDS:
        assert _chinese(english) not in text
    assert "。," not in text


def test_the_warnings_a_dose_ordered_by_overrides_read_in_chinese(study: Study) -> None:
    """Starting dose, ordered dose change, off the weight band: written by the same forms,
    read back in Chinese with the dose's name as the study file gives it."""
    reduced = study.dose_name(-1, "en")
    written = [
        rules.STARTING_DOSE.format(
            start=0,
            start_name=study.dose_name(0, "en"),
            level=-1,
            name=reduced,
        ),
        rules.DOSE_CHANGE_ORDERED.format(previous=0, level=-1, name=reduced),
    ]
    with speaking(ZH):
        shown = value_shown("warnings", written, str, str, study.dose_named)
        chinese_name = study.dose_name(-1)
        joined = value_words(shown, "是", "否")
    assert isinstance(shown, list)
    assert shown[0].startswith("第1周期") or "起始剂量" in shown[0]
    assert all(chinese_name in s for s in shown) and reduced not in joined
    assert "Record who ordered" not in joined and "；" in joined
    with speaking(Language.EN):
        assert value_shown("warnings", written, str, str, study.dose_named) == written
        assert value_words(written, "yes", "no") == ", ".join(written)
