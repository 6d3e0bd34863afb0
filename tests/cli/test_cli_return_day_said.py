"""`return` and `history` say what the expected count makes of the return day, as the Returns
screen does: the demo's DEMO-28D-BID (twice daily from the morning of day 1, [cycle]
return_day_doses 1, "protocol 5.1"), 11-001's cycle 3 (100 mg: 2 tablets a dose from
2026-02-23) back on day 8 with 30 taken: the 28 of days 1-7 and day 8's morning dose, 100%.
"Taken 30 of 28 expected: adherence 100%." said nothing of why."""

from __future__ import annotations

from cli_support import Cli

STUDY = ("--study", "DEMO-28D-BID")
SAID = (
    "Return day: 2 tablets taken before the visit is allowed for beyond the expected count "
    "(study file, protocol 5.1)."
)


def test_the_return_days_doses_are_said_by_return_and_history(cli: Cli) -> None:
    first = cli(*STUDY, "return", "11-001", "--cycle", "3", "--kit", "B2007", "--tablets", "60")
    assert first.code == 0, first.err + first.out
    last = cli(*STUDY, "return", "11-001", "--cycle", "3", "--kit", "B2008", "--tablets", "30")
    assert last.code == 0, last.err + last.out
    lines = last.out.splitlines()
    assert "  Taken 30 of 28 expected: adherence 100%." in lines, last.out
    assert "  " + SAID in lines, last.out
    history = cli(*STUDY, "history", "11-001")
    assert "Cycle 3: " + SAID in history.out.splitlines(), history.out
    chinese = cli("--lang", "zh_CN", *STUDY, "history", "11-001")
    assert "第 3 周期：退回当日：就诊前服用的" in chinese.out, chinese.out
