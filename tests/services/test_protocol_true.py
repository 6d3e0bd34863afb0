"""Issue 12: rules with their source, and exact quantities (each finding fails before the fix)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from dispensary.domain.codes import Flag
from dispensary.domain.errors import NotPermitted, RuleViolation
from dispensary.services import dispensing, returns, studies
from dispensary.services.assessment import DispenseCheck, DispenseRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import dispense, return_all, scalar

Password = Callable[[Actor], str]


def test_only_registry_rules_hold_in_the_shipped_study(ctx: Context, admin: Actor) -> None:
    to_confirm = {r.key for r in studies.rules_to_confirm(ctx, admin)}
    assert to_confirm == {
        "cycle.min_interval",
        "adherence",
        "platelets",
        "products.herombopag-2.5mg",
        "dose_levels.-1",
        "dose_levels.-2",
        "returns",  # the return's grace period (a site decision, issue 14: no longer in code)
        "label.text.zh_CN",  # the site's Chinese label text
        "supply",  # the re-supply lead time of the forecast
        "cycle.day1_near",  # the day-1 window (7 days), no longer in code: a site decision
    }
    assert all(r.source for r in studies.study_rules(ctx, admin))


def test_confirming_a_rule_is_audited_and_for_administrators(
    ctx: Context, admin: Actor, pharmacist: Actor
) -> None:
    with pytest.raises(NotPermitted):
        studies.confirm_rule(ctx, pharmacist, "platelets", "ok")
    with pytest.raises(RuleViolation, match="holds as written"):
        studies.confirm_rule(ctx, admin, "cycle", "ok")
    state = studies.confirm_rule(ctx, admin, "platelets", "investigator's letter 2026-11-02")
    assert state.confirmed and state.confirmed_by == admin.username
    assert "platelets" not in {r.key for r in studies.rules_to_confirm(ctx, admin)}
    assert scalar(ctx, "SELECT count(*) FROM audit_entries WHERE action = 'rule_confirmed'") == 1
    with pytest.raises(RuleViolation, match="already confirmed"):
        studies.confirm_rule(ctx, admin, "platelets", "again")


def test_an_unconfirmed_platelet_rule_holds_nothing(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    result = dispense(ctx, pharmacist, pw(pharmacist), platelet_count=150)
    assert scalar(ctx, "SELECT platelet_count FROM dispenses") == 150
    assert any(n.startswith("Rule to confirm") for n in result.notices)
    assert not result.warnings  # told, not overridden


def test_cycle1_reduced_dose_needs_the_ordering_investigator(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    with pytest.raises(RuleViolation, match="Cycle 1 starts at the starting dose"):
        dispense(ctx, pharmacist, pw(pharmacist), dose_level=-2)
    found = dispensing.assess_dispense(
        ctx, pharmacist, DispenseRequest("01-001", dose_level=-2, dose_ordered_by="Dr Liu")
    )
    assert found.accepted
    assert {n.code for n in found.notices} == {DispenseCheck.RULE_TO_CONFIRM}
    # The dose level is named once (it was said in the finding and again as the rule's title),
    # and the counter is not given a command line.
    for notice in (n.message for n in found.notices):
        title = notice.split("Rule to confirm: ", 1)[1].split(" is dispensed.", 1)[0]
        assert notice.count(title) == 1, notice
        assert "`" not in notice and "dispensary " not in notice, notice
        assert notice.endswith("An administrator confirms it in Study rules."), notice


def test_the_label_starts_on_the_dispense_date_when_day1_is_past(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 10))
    result = dispense(ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 5))
    assert result.start_date == date(2026, 1, 10)
    assert "starting the evening of 2026-01-10, for 16 days" in result.directions


def test_a_kit_not_brought_back_is_not_counted_as_taken(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 26))
    result = returns.record_return(
        ctx,
        pharmacist,
        cycle1.kits[0].kit,
        0,
        pw(pharmacist),
        dispense=cycle1.number,
        outcome="not_brought_back",
    )
    assert (result.taken, result.adherence, result.flags) == (0, None, (Flag.NOT_BROUGHT_BACK,))


def test_a_held_period_has_dates_and_who_ordered_it(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 26))
    result = returns.record_return(
        ctx,
        pharmacist,
        cycle1.kits[0].kit,
        5,
        pw(pharmacist),
        dispense=cycle1.number,
        held_from=date(2026, 1, 21),
        held_until=date(2026, 1, 25),
        held_ordered_by="Dr Liu",
    )
    assert (result.expected, result.taken, result.flags) == (16, 16, ())
    assert scalar(ctx, "SELECT held_ordered_by FROM returns") == "Dr Liu"
    assert scalar(ctx, "SELECT held_days FROM returns") == 5


def test_expected_use_stops_at_the_next_day1(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """Cycle 2's day 1 is 2026-01-26; the bottle of cycle 1 comes back on 2026-02-16."""
    clock.set_date(date(2026, 1, 26))
    dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        cycle=2,
        override_reason="bottle at home",
        overrides=["previous_return_missing"],
    )
    clock.set_date(date(2026, 2, 16))
    result = returns.record_return(
        ctx, pharmacist, cycle1.kits[0].kit, 0, pw(pharmacist), dispense=cycle1.number
    )
    assert result.expected == 21


def test_an_unexplained_overuse_shows_at_the_next_dispense(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 15))  # 10 days in, every tablet gone: over-use
    returns.record_return(
        ctx, pharmacist, cycle1.kits[0].kit, 0, pw(pharmacist), dispense=cycle1.number
    )
    clock.set_date(date(2026, 1, 26))
    found = dispensing.assess_dispense(ctx, pharmacist, DispenseRequest("01-001"))
    assert DispenseCheck.SAFETY_SIGNAL in {n.code for n in found.notices}


def test_an_unconfirmed_interval_warns_and_a_confirmed_one_refuses(
    ctx: Context,
    admin: Actor,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """The 18-day minimum is a site-decision example: before the fix it refused while unconfirmed."""
    clock.set_date(date(2026, 1, 22))
    return_all(ctx, pharmacist, pw(pharmacist), cycle1)
    request = DispenseRequest("01-001", cycle=2)
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    interval = [w for w in found.warnings if w.code is DispenseCheck.DAY1_INTERVAL]
    assert len(interval) == 1 and interval[0].message.startswith("Rule to confirm")
    assert "only 17 days after the previous cycle's day 1 (2026-01-05)" in interval[0].message
    # It asks for a reason: it must not say that the step goes on as it is.
    assert "does not refuse the dispense: give the reason to dispense anyway" in interval[0].message
    assert "the step goes on" not in interval[0].message
    with pytest.raises(RuleViolation, match="only 17 days"):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    assert scalar(ctx, "SELECT count(*) FROM dispenses") == 1
    same_day = dispensing.assess_dispense(
        ctx, pharmacist, DispenseRequest("01-001", cycle=2, day1=date(2026, 1, 5))
    )
    assert not same_day.accepted
    studies.confirm_rule(ctx, admin, "cycle.min_interval", "protocol amendment 2")
    confirmed = dispensing.assess_dispense(
        ctx, pharmacist, DispenseRequest("01-001", cycle=2, override_reason="infusion moved")
    )
    assert not confirmed.accepted
    assert any("only 17 days" in r.message for r in confirmed.refusals)
    with pytest.raises(RuleViolation, match="only 17 days"):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2, override_reason="infusion moved")
    assert scalar(ctx, "SELECT count(*) FROM dispenses") == 1


def test_an_unconfirmed_interval_is_overridden_with_a_reason(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 22))
    return_all(ctx, pharmacist, pw(pharmacist), cycle1)
    result = dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        cycle=2,
        override_reason="infusion moved",
        overrides=["day1_interval"],
    )
    assert result.cycle == 2 and result.day1 == date(2026, 1, 22)
    assert any("only 17 days" in w for w in result.warnings)
