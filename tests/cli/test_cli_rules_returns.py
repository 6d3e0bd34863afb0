"""`study rules|confirm` (every rule with its source; an administrator confirms a site decision)
and the return's outcome "not brought back" and held period, in `return` and `check return`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from cli_support import DEMO_TODAY, Cli

INVESTIGATOR = "Zhenzhen Liu, M.D."


def test_rules_list_their_source_and_an_administrator_confirms_one(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    listed = cli("--json", "study", "rules")
    assert listed.code == 0, listed.err
    rules = {r["rule"]: r for r in listed.json()}
    assert rules and all(r["source"] for r in rules.values())
    to_confirm = [r for r in rules.values() if not r["confirmed"]]
    held = [r for r in rules.values() if r["confirmed"]]
    assert to_confirm and held
    assert all(r["state"] == "to confirm" for r in to_confirm)
    assert all(r["source"].startswith("site decision") for r in to_confirm)
    assert all(r["source"] == "registry" or r["source"].startswith("protocol") for r in held)
    rule = to_confirm[0]["rule"]

    text = cli("study", "rules").out
    assert text.splitlines()[0].split()[:3] == ["Rule", "Source", "State"]
    line = next(x for x in text.splitlines() if x.startswith(rule + " "))
    assert "to confirm" in line and "site decision" in line
    assert "dispensary study confirm RULE" in text

    before = state(cli.db)
    refused = cli("study", "confirm", rule, "--reason", "PI agreed")
    assert refused.code == 4 and "may not" in refused.err
    by_source = cli("study", "confirm", held[0]["rule"], "--reason", "x", user="admin")
    assert by_source.code == 3 and "needs no confirmation" in by_source.err
    no_reason = cli("study", "confirm", rule, user="admin")
    assert no_reason.code == 2 and "--reason" in no_reason.err
    assert state(cli.db) == before

    done = cli("--json", "study", "confirm", rule, "--reason", "PI agreed, 2026-03", user="admin")
    assert done.code == 0, done.err
    assert (done.json()["rule"], done.json()["confirmed"]) == (rule, True)
    again = cli("study", "confirm", rule, "--reason", "again", user="admin")
    assert again.code == 3 and "already confirmed" in again.err
    after = {r["rule"]: r for r in cli("--json", "study", "rules").json()}
    assert after[rule]["state"] == "confirmed" and after[rule]["confirmed_by"] == "admin"
    assert after[rule]["reason"] == "PI agreed, 2026-03"
    audit = cli("--json", "audit", "list", "--action", "rule_confirmed", user="admin").json()
    assert audit and audit[-1]["reason"] == "PI agreed, 2026-03"


def _dispensed(cli: Cli) -> tuple[str, str]:
    enrolled = cli(
        "enroll", "01-101", "--initials", "QX", "--birth-year", "1968", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", INVESTIGATOR,
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    first = cli("dispense", "01-101", "--cycle", "1", "--day1", DEMO_TODAY.isoformat(), "--json")
    assert first.code == 0, first.err
    [kit] = first.json()["kits"]
    return first.json()["dispense"], kit


def test_a_kit_not_brought_back_is_flagged_and_not_counted_as_taken(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    dispense, kit = _dispensed(cli)
    cli.today = DEMO_TODAY + timedelta(days=21)
    named = ["--dispense", dispense, "--kit", kit, "--not-brought-back"]
    before = state(cli.db)
    counted = cli("return", *named, "--tablets", "3")
    assert counted.code == 3 and "not brought back has no tablets to count" in counted.err
    checked = cli("check", "return", *named, "--tablets", "3", "--json")
    assert checked.code == 3
    assert [r["code"] for r in checked.json()["refusals"]] == ["not_brought_back"]
    assert state(cli.db) == before

    assert cli("check", "return", *named, "--tablets", "0").code == 0
    back = cli("return", *named, "--tablets", "0", "--json")
    assert back.code == 0, back.err
    assert "not_brought_back" in back.json()["flags"]
    assert back.json()["taken"] != 21


def test_a_held_period_has_dates_and_who_ordered_it(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    dispense, kit = _dispensed(cli)
    cli.today = DEMO_TODAY + timedelta(days=21)
    start, end = DEMO_TODAY + timedelta(days=3), DEMO_TODAY + timedelta(days=7)
    named = ["--dispense", dispense, "--kit", kit, "--tablets", "5"]
    period = ["--held-from", start.isoformat(), "--held-until", end.isoformat()]
    before = state(cli.db)
    # An option of the held period without its partner is a usage mistake naming the options
    # (it named the return screen's fields, 'held from' and 'held until', with exit 3).
    no_one = cli("return", *named, *period)
    assert (no_one.code, no_one.out) == (2, ""), no_one.err
    assert "error: --held-from and --held-until need --held-ordered-by NAME too" in no_one.err
    for command in (["return"], ["check", "return"]):
        for given, missing in (("--held-from", "--held-until"), ("--held-until", "--held-from")):
            one_date = cli(*command, *named, given, start.isoformat(), "--json")
            assert (one_date.code, one_date.out) == (2, ""), one_date.err
            error = json.loads(one_date.err)["error"]  # --json: the error as an object
            assert (error["kind"], error["exit"]) == ("usage", 2)
            assert error["message"].startswith(f"{given} needs {missing} too: a held period")
            assert "'held from'" not in one_date.err
    chinese = cli("--lang", "zh_CN", "return", *named, "--held-from", start.isoformat())
    assert "--held-from 还需要 --held-until" in chinese.err, chinese.err
    assert state(cli.db) == before

    ordered = [*period, "--held-ordered-by", INVESTIGATOR]
    checked = cli("check", "return", *named, *ordered, "--json")
    assert checked.code == 0, checked.err
    assert checked.json()["held_days"] == 5
    back = cli("return", *named, *ordered, "--json")
    assert back.code == 0, back.err
    assert (back.json()["expected"], back.json()["taken"], back.json()["flags"]) == (16, 16, [])
