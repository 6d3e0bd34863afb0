"""A dispense's notice of a dose level (or product) whose study-file definition is not confirmed
said the level "is dispensed" and, in the same breath, that the rule "does not hold"
(zh: "本次发放适用…尚未确认，因此暂不生效"): it says now what happens, the definition applied as
written. The unconfirmed minimum interval asks for the reason once, by the one name of its
field ("the reason to dispense anyway", 仍然发放的理由). Entries recorded in the old words are
still read back in the reader's language."""

from __future__ import annotations

from dispensary.domain import reasons, rules
from dispensary.i18n import Language, speaking
from dispensary.services import dispensing
from dispensary.services.assessment import DispenseCheck, DispenseRequest
from dispensary.services.context import Actor, Context

from .conftest import Stock

ZH = Language.ZH_CN


def dispensed_notices(ctx: Context, pharmacist: Actor) -> list[str]:
    request = DispenseRequest("01-001", dose_level=-1, dose_ordered_by="Dr Liu")
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    return [n.message for n in found.notices if n.code is DispenseCheck.RULE_TO_CONFIRM]


def test_an_unconfirmed_dose_level_is_said_to_be_applied_as_written(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor
) -> None:
    notices = dispensed_notices(ctx, pharmacist)
    level = [n for n in notices if "is dispensed" in n]
    assert level, notices
    for notice in level:
        assert "does not hold" not in notice and "the step goes on" not in notice
        assert "not confirmed yet: the dispense applies it as written" in notice
    with speaking(ZH):
        chinese = [n for n in dispensed_notices(ctx, pharmacist) if "本次发放适用" in n]
    assert chinese
    for notice in chinese:
        assert "暂不生效" not in notice
        assert "尚未确认：本次发放按研究文件所写执行" in notice


def test_the_interval_asks_for_the_reason_by_the_fields_one_name() -> None:
    finding = rules.DAY1_ONLY_DAY.format(
        day1="2026-01-06", gap=1, previous="2026-01-05", event="day 1"
    )
    text = rules.TO_CONFIRM_OVERRIDE.format(finding=finding, title="Interval", source="site")
    assert text.count("reason") == 1 and "the reason to dispense anyway" in text
    with speaking(ZH):
        from dispensary.i18n import _

        said = _(rules.TO_CONFIRM_OVERRIDE).format(
            finding=_(rules.DAY1_ONLY_DAY), title="间隔", source="现场"
        )
    assert "仍然发放的理由" in said
    assert "发放的原因" not in said and "继续的原因" not in said


def test_a_notice_recorded_in_the_old_words_is_still_read_in_chinese() -> None:
    old_form, _override = rules.RECORDED_BEFORE_FORMS[1], rules.RECORDED_BEFORE_FORMS[0]
    stored = old_form.format(finding="Dose level -1 is dispensed.", source="registry")
    with speaking(ZH):
        shown = reasons.in_reader_words(stored, rules.NOTICE_FORMS, rules.NOTICE_PARTS)
    assert shown.startswith("待确认的规则："), shown
