"""What day 1 of a cycle is comes from the study file, not the code. The refusal and the
warning of a day 1 too soon after the previous one said "Check the infusion date." in every
study: true of NCT07198672 (day 1 is the first day of the T-DM1 treatment cycle) but not of a
study whose day 1 is no infusion. NCT07198672's file names its day 1 ([cycle] day1_event, its
Chinese in [label.text.zh_CN]); a study whose file does not (DEMO-2DRUG) is asked to check
the date of day 1. English and Chinese."""

from __future__ import annotations

from cli_support import Cli

TWO = ("--study", "DEMO-2DRUG")


def test_the_warning_names_the_studys_own_day_1(cli: Cli) -> None:
    """NCT07198672's minimum interval is a rule to confirm: a warning asking for a reason."""
    english = cli("check", "dispense", "01-010")
    assert english.code == 3, english.err
    assert (
        "is only 6 days after the previous cycle's day 1 (2026-02-24); check the date of the "
        "first day of the T-DM1 treatment cycle."
    ) in english.out, english.out
    assert "infusion" not in english.out + english.err
    chinese = cli("--lang", "zh_CN", "check", "dispense", "01-010")
    assert "仅 6 天；请核对T-DM1治疗周期第1天的日期。" in chinese.out, chinese.out
    assert "请填写仍然发放的理由" in chinese.out, chinese.out  # the field's one name
    assert "输注" not in chinese.out + chinese.err


def test_a_study_that_does_not_name_its_day_1_is_asked_for_the_date_of_day_1(cli: Cli) -> None:
    """DEMO-2DRUG's interval is the protocol's: a refusal (rules.check_interval)."""
    args = ("check", "dispense", "21-002", "--date", "2026-02-25", "--day1", "2026-02-25")
    english = cli(*TWO, *args)
    assert english.code == 3
    assert (
        "Day 1 2026-02-25 is only 13 days after the previous cycle's day 1 (2026-02-12); the "
        "study allows the next cycle from 2026-03-03 (19 days). Check the date of day 1."
    ) in english.out, english.out
    assert "infusion" not in english.out + english.err
    chinese = cli("--lang", "zh_CN", *TWO, *args)
    assert "（19 天）。请核对第1天的日期。" in chinese.out, chinese.out
    assert "输注" not in chinese.out + chinese.err
