"""`history` names who dispensed each dispense and the second pharmacist who checked it and
signed (the demo's dispenses are each checked by Wang Fang), in the text and in --json as
every --json output names a person (`dispensed_by_...`, `checked_by_...`)."""

from __future__ import annotations

from cli_support import Cli


def test_history_names_who_dispensed_and_who_checked(cli: Cli) -> None:
    text = cli("history", "01-001")
    assert text.code == 0, text.err
    assert "Cycle 1 (DSP000001): dispensed by Chen Jing, checked by Wang Fang" in text.out
    data = cli("history", "01-001", "--json").json()
    first = data["dispenses"][0]
    assert (first["dispensed_by_username"], first["dispensed_by_name"]) == (
        "pharmacist",
        "Chen Jing",
    )
    assert (first["checked_by_username"], first["checked_by_name"]) == ("technician", "Wang Fang")
    assert (first["dispensed_by_initials"], first["checked_by_initials"]) == ("CJ", "WF")
    assert "checked_by" not in first and "dispensed_by" not in first  # the flat keys only


def test_history_in_chinese_names_the_checker(cli: Cli) -> None:
    text = cli("--lang", "zh_CN", "history", "01-001")
    assert text.code == 0, text.err
    assert "第 1 周期（DSP000001）：发放人 Chen Jing，核对人 Wang Fang" in text.out
