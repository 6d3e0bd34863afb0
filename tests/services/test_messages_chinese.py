"""A refusal of a real service comes out in the reader's language (issue 13): in Chinese while the
program speaks Chinese, in English otherwise; what the records keep stays in English."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from dispensary.domain.errors import RuleViolation
from dispensary.i18n import Language, speaking
from dispensary.services import audit, returns, studies
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .helpers import dispense

Password = Callable[[Actor], str]


def test_dispensing_too_early_is_refused_in_chinese(
    ctx: Context, admin: Actor, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    studies.confirm_rule(ctx, admin, "cycle.min_interval", "protocol amendment 2")
    with speaking(Language.ZH_CN), pytest.raises(RuleViolation) as chinese:
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    assert chinese.value.message == (
        "第 2 周期发放过早：其最早的第1天为 2026-01-23，而每个周期最多可在第1天前 7 天发放。"
        "请于 2026-01-16 起发放。"
    )
    with speaking(Language.EN), pytest.raises(RuleViolation) as english:
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    assert english.value.message.startswith("Too early for cycle 2: its earliest day 1 is")


def test_returning_more_tablets_than_dispensed_is_refused_in_chinese(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, technician: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 26))
    kit = cycle1.kits[0].kit

    def give_back() -> None:
        returns.record_return(ctx, technician, kit, 999, pw(technician), dispense=cycle1.number)

    with speaking(Language.ZH_CN), pytest.raises(RuleViolation) as chinese:
        give_back()
    assert chinese.value.message.startswith(f"药盒 {kit} 登记退回 999 片，但该药盒只发放了")
    assert "请重新清点该药盒。" in chinese.value.message
    with pytest.raises(RuleViolation) as english:  # the tests' language: English
        give_back()
    assert english.value.message.startswith(f"999 tablets returned for kit {kit}, but only")


def test_a_warning_read_in_chinese_is_recorded_in_english(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """The pharmacist overrides a warning shown in Chinese; the audit trail keeps it in English,
    as every record is kept (a monitor reads the same words whatever the counter's language)."""
    clock.set_date(date(2026, 1, 26))
    with speaking(Language.ZH_CN):
        result = dispense(
            ctx,
            pharmacist,
            pw(pharmacist),
            cycle=2,
            override_reason="忘带药瓶",
            overrides=["previous_return_missing"],
        )
    assert result.warnings == ("第 1 周期（DSP000001）的退药尚未登记。",)
    [entry] = [
        e
        for e in audit.list_entries(ctx, pharmacist, action="dispense")
        if e.entity_id == result.number
    ]
    assert json.loads(entry.new)["warnings"] == [
        "The return of cycle 1 (DSP000001) is not recorded yet."
    ]
    assert json.loads(entry.new)["overrides"] == ["previous_return_missing"]
    assert entry.reason == "忘带药瓶"  # what the pharmacist typed is kept as typed
