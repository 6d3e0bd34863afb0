"""The counter through the command: enrol, dispense, return, and the refusals that write nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from cli_support import DEMO_TODAY, Cli

P75 = "herombopag-7.5mg"
INVESTIGATOR = "Zhenzhen Liu, M.D."


def test_a_new_participant_through_two_cycles(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    cli.subprocess = True  # a smoke test of the installed command; the others run in-process
    enrolled = cli(
        "enroll", "01-101", "--initials", "QX", "--birth-year", "1968", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", INVESTIGATOR, "--json",
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    assert enrolled.json()["study_number"] == "01-101"

    day1 = DEMO_TODAY.isoformat()
    first = cli("dispense", "01-101", "--cycle", "1", "--day1", day1, "--platelets", "80", "--json")
    assert first.code == 0, first.err
    dispense = first.json()
    assert set(dispense) == {
        "dispense", "participant", "cycle", "day1", "start_date", "last_day", "dispensed_on",
        "dose_level", "dose_name", "kits", "tablets", "days", "directions", "warnings", "overrides",
        "notices", "dispensed_by_username", "dispensed_by_name", "dispensed_by_initials",
        "checked_by_username", "checked_by_name", "checked_by_initials",
    }  # fmt: skip
    assert (dispense["tablets"], dispense["days"], dispense["warnings"]) == (21, 21, [])
    # What the text says and the screen shows: who, which cycle, until when, how to take it.
    assert (dispense["participant"], dispense["cycle"], dispense["day1"]) == ("01-101", 1, day1)
    last = (DEMO_TODAY + timedelta(days=20)).isoformat()
    assert (dispense["start_date"], dispense["last_day"]) == (day1, last)
    assert any("empty stomach" in line for line in dispense["directions"])
    [kit] = dispense["kits"]

    before = state(cli.db)
    again = cli("--json", "dispense", "01-101", "--cycle", "1", "--day1", day1)
    assert again.code == 3
    assert again.out == "", "a refused --json run prints nothing on stdout"
    error = json.loads(again.err)["error"]  # with --json, the error is an object on stderr
    assert (error["kind"], error["exit"]) == ("refused", 3)
    assert error["message"].startswith("Cycle 1 has already been dispensed")
    too_many = cli("return", "01-101", "--cycle", "1", "--kit", kit, "--tablets", "22")
    assert too_many.code == 3
    assert "but only 21 tablets were dispensed from it" in too_many.err
    assert state(cli.db) == before

    cli.today = DEMO_TODAY + timedelta(days=21)
    back = cli(
        "return", "--dispense", dispense["dispense"], "--kit", kit, "--tablets", "2", "--json"
    )
    assert back.code == 0, back.err
    counted = back.json()
    assert set(counted) == {
        "return_id", "dispense", "participant", "cycle", "kit", "tablets_returned", "taken",
        "expected", "adherence", "flags", "products",
        "actor_username", "actor_name", "actor_initials",  # who recorded it and signed
    }  # fmt: skip
    assert (counted["dispense"], counted["kit"], counted["tablets_returned"]) == (
        dispense["dispense"],
        kit,
        2,
    )
    assert (counted["taken"], counted["expected"], counted["flags"]) == (19, 21, [])
    assert round(counted["adherence"], 3) == round(19 / 21, 3)

    second = cli("dispense", "01-101", "--cycle", "2", "--day1", cli.today.isoformat())
    assert second.code == 0, second.err
    lines = second.out.splitlines()
    assert lines[0].startswith("Dispensed DSP") and "01-101 (QX), cycle 2" in lines[0]
    assert any(line.split()[:1] == ["Directions"] and "empty stomach" in line for line in lines)

    history = cli("history", "01-101", "--json").json()
    assert [(d["cycle"], d["returned"], d["taken"]) for d in history["dispenses"]] == [
        (1, 2, 19),
        (2, None, None),
    ]
    recorded = {"key": "platelets", "name": "Platelets", "value": 80.0, "unit": "×10⁹/L"}
    assert [d["observations"] for d in history["dispenses"]] == [[recorded], []]
    assert [d["irt_confirmation"] for d in history["dispenses"]] == ["", ""]
    assert "Cycle 1 recorded: Platelets 80 ×10⁹/L" in cli("history", "01-101").out


def test_refusals_and_missing_rights_leave_every_record_as_it_was(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    stock = cli("inventory", "--json").json()
    assert set(stock[0]) == {"kit", "product", "lot", "expiry", "status", "tablets", "shown_status"}
    dispensed = next(k["kit"] for k in stock if k["status"] == "dispensed")
    on_shelf = next(k["kit"] for k in stock if k["status"] == "available" and k["product"] == P75)
    quarantined = next(k["kit"] for k in stock if k["status"] == "quarantined")
    before = state(cli.db)

    receive_tomorrow = ["receive", "--shipment", "SH-9", "--product", P75, "--lot", "L9"]
    receive_tomorrow += ["--expiry", "2028-01-31", "--kits", "K9001-K9002", "--date", "2026-03-03"]
    monitor_dispenses = ["--user", "monitor", "dispense", "01-024", "--cycle", "2"]
    reference = ["--reference", "DEST-2026-009"]
    cases = [
        (3, ["quarantine", dispensed, "--reason", "damaged"], "only available kits"),
        (
            3,
            ["destroy", on_shelf, "--witness", "Chen Jing", "--method", "fire", *reference],
            "witness",
        ),
        # (A count that differs is no refusal: it is recorded as counted before the book is
        # shown. One above what the kit was received with is.)
        (3, ["count", on_shelf, "--tablets", "99"], "which was received with 21"),
        (3, receive_tomorrow, "in the future"),
        (
            4,
            ["--user", "technician", "release", quarantined, "--reason", "ok", "--reference", "T1"],
            "may not release",
        ),
        (4, [*monitor_dispenses, "--day1", "2026-03-02"], "may not dispense"),
    ]
    for code, args, words in cases:
        result = cli(*args)
        assert result.code == code, (args, result.err)
        assert words in result.err, result.err
        assert state(cli.db) == before, f"{args} wrote to the database"


def test_a_lot_or_a_dispensing_label_given_as_the_kit_is_named_as_what_it_is(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """`dispense --kit HT2509S` (a lot) or `--kit DSP000110` (a dispensing label) said to
    receive the kit's shipment first."""
    enrolled = cli(
        "enroll", "01-102", "--initials", "QY", "--birth-year", "1969", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", INVESTIGATOR,
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    lot = cli("inventory", "--status", "available", "--json").json()[0]["lot"]
    day1 = ["--cycle", "1", "--day1", DEMO_TODAY.isoformat(), "--platelets", "80"]
    scan_the_kit = "Scan the barcode on the kit's own label, or type the kit number printed"
    before = state(cli.db)
    for code, what in ((lot.lower(), "a lot number"), ("DSP000001", "a dispensing label's number")):
        refused = cli("dispense", "01-102", *day1, "--kit", code)
        assert refused.code == 3, refused.err
        assert f"Refused: {code.upper()} is {what}, not a kit. {scan_the_kit}" in refused.err
        assert "receive the kit's shipment" not in refused.err
        checked = cli("check", "dispense", "01-102", *day1, "--kit", code, "--json")
        [verdict] = checked.json()["kits"]
        assert verdict["message"].startswith(f"{code.upper()} is {what}, not a kit.")
    assert state(cli.db) == before


def test_signing_in(cli: Cli, state: Callable[[str], dict[str, Any]]) -> None:
    before = state(cli.db)
    nobody = cli("participants", user=None)
    assert nobody.code == 4 and "--user NAME" in nobody.err
    wrong = cli("participants", env={"DISPENSARY_PASSWORD": "not-the-one"})
    assert wrong.code == 4 and "Sign-in failed: the user name or password is wrong" in wrong.err
    no_password = cli("participants", env={"DISPENSARY_PASSWORD": None})
    assert no_password.code == 4 and "set DISPENSARY_PASSWORD" in no_password.err
    assert state(cli.db) == before

    signed_in = cli("--user", "monitor", "participants", user=None)
    assert signed_in.code == 0, signed_in.err
    header, _rule, *rows = signed_in.out.splitlines()
    assert header.split()[:4] == ["Number", "Initials", "Enrolled", "Status"]
    assert len(rows) == 24
    assert any(r.startswith("01-006") and r.endswith("OVERDUE") for r in rows)


def test_dispense_keeps_the_participants_current_dose_unless_one_is_ordered(cli: Cli) -> None:
    """01-002 of the demo has been on level -1 since cycle 4: the next cycle stays there, as at
    the counter, instead of going back to the starting dose."""
    override = [
        "--override", "previous_return_missing",
        "--override-reason", "Investigator: continue; the return comes next visit",
    ]  # fmt: skip
    kept = cli("dispense", "01-002", "--cycle", "9", "--day1", DEMO_TODAY.isoformat(), *override)
    assert kept.code == 0, kept.err
    assert "Dose        5 mg once daily (reduced)" in kept.out
    new = cli(
        "enroll", "01-102", "--initials", "QY", "--birth-year", "1961", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", INVESTIGATOR,
    )  # fmt: skip
    assert new.code == 0, new.err
    first = cli("dispense", "01-102", "--cycle", "1", "--day1", DEMO_TODAY.isoformat())
    assert first.code == 0, first.err
    assert "Dose        7.5 mg once daily" in first.out


def test_an_enrolment_typed_in_late_is_corrected_then_its_first_cycle_dispensed(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """Enrolled with today's date on the day it was typed in, three days after the real first
    dispense: refused (`before_enrolment`) until `participant-correct` puts the date right."""
    enrolled = cli(
        "enroll", "01-103", "--initials", "QZ", "--birth-year", "1966", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", INVESTIGATOR,
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    real = (DEMO_TODAY - timedelta(days=3)).isoformat()
    first = ["dispense", "01-103", "--cycle", "1", "--day1", real, "--date", real]
    blocked = cli(*first)
    assert blocked.code == 3 and "before the enrolment" in blocked.err, blocked.err

    before = state(cli.db)
    reason = ["--reason", "typed in late"]
    for code, args, words in [
        (3, ["--enrolled-on", DEMO_TODAY.isoformat(), *reason], "Nothing to correct: participant"),
        (3, reason, "Nothing to correct for participant 01-103"),
        (3, ["--initials", "QY", "--reason", " "], "Give the reason for the correction"),
        (3, ["--birth-year", "2010", *reason], "is under 18"),
        (2, ["--enrolled-on", "12/02/2026", *reason], "--enrolled-on"),
    ]:
        result = cli("participant-correct", "01-103", *args)
        assert result.code == code, (args, result.err)
        assert words in result.err, result.err
    technician = ["participant-correct", "01-103", "--initials", "QY", *reason]
    refused = cli("--user", "technician", *technician, user=None)
    assert refused.code == 4 and "may not correct an enrolment" in refused.err, refused.err
    assert state(cli.db) == before, "a refusal wrote to the database"

    corrected = cli(
        "participant-correct", "01-103", "--enrolled-on", real,
        "--reason", "Typed in three days late; see the enrolment log", "--json",
    )  # fmt: skip
    assert corrected.code == 0, corrected.err
    listed = {p["study_number"]: p for p in cli("participants", "--json").json()}
    # the participant, as `participants` lists it, and who corrected it and signed
    assert corrected.json() == listed["01-103"] | {
        "actor_username": "pharmacist", "actor_name": "Chen Jing", "actor_initials": "CJ",
    }  # fmt: skip
    assert corrected.json()["enrolled_on"] == real
    said = cli("participant-correct", "01-103", "--initials", "q.y.", "--reason", "mistyped")
    assert said.code == 0, said.err
    assert said.out.splitlines() == [
        f"Enrolment of 01-103 corrected: QY, born 1966, enrolled on {real}.",
        "  Reason  mistyped",
    ]
    trail = cli("audit", "list", "--action", "enrolment_corrected", "--json").json()
    assert [(e["entity_id"], e["old"], e["new"], e["reason"]) for e in trail] == [
        (
            "01-103",
            {"enrolled_on": DEMO_TODAY.isoformat()},
            {"enrolled_on": real},
            "Typed in three days late; see the enrolment log",
        ),
        ("01-103", {"initials": "QZ"}, {"initials": "QY"}, "mistyped"),
    ]
    assert cli(*first).code == 0
    verified = cli("audit", "verify")
    assert verified.code == 0, verified.out + verified.err


def test_a_dispense_in_chinese_gives_the_chinese_directions(cli: Cli) -> None:
    """`--lang zh_CN dispense` printed "用法  Take 1 tablet by mouth…" under Chinese headings;
    the label gives the study file's Chinese directions."""
    enrolled = cli(
        "enroll", "01-102", "--initials", "QY", "--birth-year", "1970", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", INVESTIGATOR,
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    day1 = DEMO_TODAY.isoformat()
    done = cli("--lang", "zh_CN", "dispense", "01-102", "--cycle", "1", "--day1", day1)
    assert done.code == 0, done.err
    [directions] = [line for line in done.out.splitlines() if line.split()[:1] == ["用法"]]
    assert "每晚空腹口服" in directions and "Take" not in directions


def test_an_override_reason_overrides_only_the_warnings_named(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """The review's case: one --override-reason overrode every warning, even the platelet
    hold never shown before the save ("Overridden: Platelets 185 …"), with a reason written
    for the bottle left at home. Now each warning is named by its code (--override)."""
    confirmed = cli("study", "confirm", "platelets", "--reason", "PI's rule", user="admin")
    assert confirmed.code == 0, confirmed.err
    dispense = ["dispense", "01-007", "--cycle", "8", "--day1", DEMO_TODAY.isoformat()]
    reason = ["--override-reason", "Bottle forgotten at home; PI informed"]
    before = state(cli.db)
    shown = cli(*dispense, "--platelets", "85")
    assert shown.code == 3 and "return of cycle 7" in shown.err, shown.err
    assert "Platelets" not in shown.err
    unseen = cli(*dispense, "--platelets", "185", "--override", "previous_return_missing", *reason)
    assert unseen.code == 3, unseen.out
    assert "A warning this dispense does not acknowledge applies now: Platelets 185" in unseen.err
    assert (
        "--override previous_return_missing --override platelets_hold --override-reason"
        in unseen.err
    )
    bare = cli(*dispense, "--platelets", "185", *reason)  # a reason naming no warning
    assert bare.code == 3 and "A reason overrides only the warnings it names" in bare.err
    assert "previous_return_missing, platelets_hold" in bare.err
    unknown = cli(*dispense, "--override", "platelet_hold", *reason)
    assert unknown.code == 2 and "platelets_hold" in unknown.err  # the codes, in the usage
    assert state(cli.db) == before
    both = ["--override", "previous_return_missing", "--override", "platelets_hold"]
    done = cli(*dispense, "--platelets", "185", *both, *reason, "--json")
    assert done.code == 0, done.err
    assert done.json()["overrides"] == ["previous_return_missing", "platelets_hold"]
    number = done.json()["dispense"]
    [entry] = [
        e for e in cli("audit", "list", "--action", "dispense", "--json").json()
        if e["entity_id"] == number
    ]  # fmt: skip
    assert entry["new"]["overrides"] == ["previous_return_missing", "platelets_hold"]
    assert entry["new"]["warnings"][1].startswith("Platelets 185")
    assert entry["reason"] == "Bottle forgotten at home; PI informed"
    help_text = cli("dispense", "--help").out
    assert "--override CODE" in help_text and "platelets_hold" in help_text


def test_the_next_cycle_is_said_one_way_by_study_show_history_and_check(cli: Cli) -> None:
    """`study show` said "next cycle from day 18 after the previous day 1", `check dispense`
    warned before day 1 + 18 and `history` said "Next: cycle 3 from" day 1 + 21: now each says
    the due date (day 1 + 21) and the earliest day 1 (day 1 + 18), in the same words."""
    shown = cli("study", "show")
    assert shown.code == 0, shown.err
    assert (
        "next cycle due 21 days after the previous day 1, day 1 from 18 days after it (day 19 "
        "of the previous cycle) at the earliest" in shown.out
    ), shown.out
    history = cli("history", "01-002", "--json").json()
    last_day1 = date.fromisoformat(history["participant"]["last_day1"])
    due, earliest = last_day1 + timedelta(days=21), last_day1 + timedelta(days=18)
    said = f"due {due.isoformat()}, day 1 from {earliest.isoformat()} at the earliest"
    assert history["participant"]["next_earliest"] == earliest.isoformat()
    assert history["participant"]["next_due"] == due.isoformat()
    assert f"cycle {history['participant']['next_cycle']} {said}" in cli("history", "01-002").out
    checked = cli("check", "dispense", "01-002")
    assert f"  Next cycle  {said}" in checked.out, checked.out
    chinese = cli("--lang", "zh_CN", "study", "show").out
    assert (
        "下一周期应于上一周期第1天后 21 天，第1天最早为其后 18 天（上一周期的第 19 天）" in chinese
    )
    zh_history = cli("--lang", "zh_CN", "history", "01-002").out
    assert f"应于 {due.isoformat()}，第1天最早为 {earliest.isoformat()}" in zh_history
