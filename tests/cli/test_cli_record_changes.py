"""`history` shows each correction of a participant's enrolment and each change of status
(what it was, what it is, who, when, why), in text and JSON: the participant's row holds only
the values now, and the corrections were in `audit list` only."""

from __future__ import annotations

from cli_support import Cli


def test_history_lists_the_corrections_and_status_changes(cli: Cli) -> None:
    corrected = cli(
        "participant-correct", "01-002", "--initials", "GX",
        "--reason", "initials copied wrongly from the consent form",
    )  # fmt: skip
    assert corrected.code == 0, corrected.err
    shown = cli("history", "01-002")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    start = lines.index("Corrections and status changes:")
    [line] = [x for x in lines[start + 1 :] if "initials corrected" in x]
    assert "initials corrected from GR to GX by" in line and "(signed)" in line, line
    assert line.endswith("Reason: initials copied wrongly from the consent form"), line
    changes = cli("--json", "history", "01-002").json()["changes"]
    assert [(c["field"], c["old"], c["new"]) for c in changes][-1] == ("initials", "GR", "GX")
    chinese = cli("--lang", "zh_CN", "history", "01-002")
    assert (
        "更正及状态变更：" in chinese.out and "将姓名缩写由 GR 更正为 GX（已签名）" in chinese.out
    )
    # The demo's discontinuation of 01-003.
    stopped = cli("history", "01-003").out
    assert "status changed from On treatment to Discontinued, effective " in stopped, stopped


def test_a_status_change_is_signed_dated_and_shown(cli: Cli) -> None:
    """The review's case: off treatment and back, unsigned, undated, with a reason "x", and no
    trace in `history`. Now signed, with an effective date (not before the enrolment), the kits
    still out named, and each change listed."""
    record = cli("--json", "history", "01-002").json()
    enrolled = record["participant"]["enrolled_on"]
    # Not before the last dispense either (01-002 was dispensed to after the enrolment).
    last = max(d["dispensed_on"] for d in record["dispenses"])
    early = cli(
        "participant-status", "01-002", "discontinued", "--reason", "adverse event",
        "--date", "2020-01-01",
    )  # fmt: skip
    assert early.code == 3 and f"was enrolled ({enrolled})" in early.err, early.err
    before = cli(
        "participant-status", "01-002", "discontinued", "--reason", "adverse event",
        "--date", enrolled,
    )  # fmt: skip
    assert before.code == 3, before.err
    assert f"is before the last dispense to participant 01-002 ({last})" in before.err
    stopped = cli(
        "participant-status", "01-002", "discontinued", "--reason", "adverse event",
        "--date", last,
    )  # fmt: skip
    assert stopped.code == 0, stopped.err
    back = cli("participant-status", "01-002", "on_treatment", "--reason", "discontinued in error")
    assert back.code == 0, back.err
    signatures = cli("audit", "list", "--action", "participant_status", "--json").json()
    assert signatures[-1]["new"]["status"] == "on_treatment"
    shown = cli("history", "01-002").out
    assert f"status changed from On treatment to Discontinued, effective {last}, by" in shown
    assert "status changed from Discontinued to On treatment, effective" in shown
    assert shown.count("(signed). Reason: ") >= 2, shown


def test_history_says_which_dispense_was_voided_when_by_whom_and_why(cli: Cli) -> None:
    """A voided dispense left `history` with no trace (the audit list read "Void: 1"): the
    demo's void of 01-009's cycle 2 is listed with its number, who, when and why."""
    [void] = cli("--json", "audit", "list", "--action", "dispense_voided").json()
    shown = cli("history", "01-009")
    assert shown.code == 0, shown.err
    [line] = [x for x in shown.out.splitlines() if "voided as made in error" in x]
    assert f"dispense {void['entity_id']} (cycle 2) voided as made in error" in line, line
    assert "by Chen Jing (pharmacist) (signed)" in line and line.endswith(void["reason"]), line
    changes = cli("--json", "history", "01-009").json()["changes"]
    assert [(c["field"], c["new"], c["cycle"]) for c in changes] == [
        ("dispense_void", void["entity_id"], 2)
    ]
    chinese = cli("--lang", "zh_CN", "history", "01-009").out
    assert f"作废了发放记录 {void['entity_id']}（第 2 周期）" in chinese, chinese
