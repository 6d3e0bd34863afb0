"""`correct-status` corrects the last status change recorded wrongly (its date, its
status, or the change in error), signed, with JSON as the other counter commands; refusals
exit 3 saying what to do, nothing written; a technician may not (exit 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cli_support import Cli

ENROL = ["--sex", "F", "--criteria-confirmed", "--eligibility-confirmed-by", "Dr Liu"]


def test_a_mistyped_effective_date_is_corrected(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    enrolled = cli(
        "enroll", "01-093", "--initials", "XY", "--birth-year", "1970", "--date", "2026-02-20",
        *ENROL,
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    never = cli("correct-status", "01-093", "--date", "2026-02-25", "--reason", "t")
    assert never.code == 3 and "status was never changed" in never.err, never.err
    stopped = cli(
        "participant-status", "01-093", "discontinued", "--date", "2026-03-01", "--reason", "AE"
    )
    assert stopped.code == 0, stopped.err
    before = state(cli.db)
    for more, words in [
        (["--date", "2026-03-01"], "Nothing to correct: participant 01-093 is already"),
        (["--date", "2026-02-19"], "before participant 01-093 was enrolled (2026-02-20)"),
        (["--date", "2026-03-03"], "is after today (2026-03-02)"),
    ]:
        refused = cli("correct-status", "01-093", *more, "--reason", "typo")
        assert refused.code == 3 and words in refused.err, refused.err
    technician = cli(
        "--user", "technician", "correct-status", "01-093", "--date", "2026-02-25",
        "--reason", "typo", user=None,
    )  # fmt: skip
    assert technician.code == 4, technician.err
    assert state(cli.db) == before, "a refusal wrote to the database"
    done = cli(
        "correct-status", "01-093", "--date", "2026-02-25", "--reason",
        "12-01 typed for 11-21", "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    shown = done.json()
    assert (shown["status"], shown["effective_on"]) == ("discontinued", "2026-02-25")
    text = cli("correct-status", "01-093", "--status", "completed", "--reason", "x")
    assert text.code == 0, text.err
    assert text.out.splitlines()[0] == (
        "Status change of 01-093 corrected: completed from 2026-02-25."
    )
    trail = cli("audit", "list", "--action", "participant_status_corrected", "--json").json()
    assert [(e["entity_id"], e["reason"]) for e in trail] == [
        ("01-093", "12-01 typed for 11-21"),
        ("01-093", "x"),
    ]
    withdrawn = cli(
        "correct-status", "01-093", "--status", "on_treatment", "--reason", "error",
        "--json",
    )  # fmt: skip
    assert withdrawn.code == 0, withdrawn.err
    assert (withdrawn.json()["status"], withdrawn.json()["effective_on"]) == (
        "on_treatment",
        "2026-02-20",
    )
    assert cli("audit", "verify").code == 0


def test_history_lists_each_correction_naming_the_change_it_corrects(cli: Cli) -> None:
    """`history` (text, --json, Chinese) lists a status change corrected after the change it
    corrects: the change named (when recorded, the status before and after, from when), who
    signed the correction, when and why, the status and date before and after; a withdrawal
    as recorded in error says so."""
    enrolled = cli(
        "enroll", "01-094", "--initials", "XZ", "--birth-year", "1971", "--date", "2026-02-20",
        *ENROL,
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    stopped = cli(
        "participant-status", "01-094", "discontinued", "--date", "2026-03-01", "--reason", "AE"
    )
    assert stopped.code == 0, stopped.err
    for more in (["--date", "2026-02-25"], ["--status", "on_treatment"]):
        done = cli("correct-status", "01-094", *more, "--reason", "letter misread")
        assert done.code == 0, done.err
    data = cli("history", "01-094", "--json").json()
    change, dated, withdrawn = data["changes"]
    assert (change["field"], change["corrects"], change["withdrawn"]) == ("status", None, False)
    assert [
        (c["field"], c["old"], c["old_effective_on"], c["new"], c["effective_on"], c["withdrawn"])
        for c in (dated, withdrawn)
    ] == [
        ("status_correction", "discontinued", "2026-03-01", "discontinued", "2026-02-25", False),
        ("status_correction", "discontinued", "2026-02-25", "on_treatment", "2026-02-20", True),
    ]
    assert dated["corrects"] == withdrawn["corrects"] == change
    assert (dated["actor_username"], dated["signed"], dated["reason"]) == (
        "pharmacist",
        True,
        "letter misread",
    )
    named = (
        f"the status change of {change['at'][:10]} {change['at'][11:16]} UTC (On treatment to "
        "Discontinued, effective 2026-03-01)"
    )
    text = cli("history", "01-094").out
    assert f"{named} corrected by " in text
    assert "(signed): Discontinued from 2026-02-25, recorded as Discontinued from 2026-03-01. " \
        "Reason: letter misread" in text  # fmt: skip
    assert f"{named} withdrawn as recorded in error by " in text
    assert "(signed): On treatment again from 2026-02-20. Reason: letter misread" in text
    chinese = cli("--lang", "zh_CN", "history", "01-094").out
    assert "作为误录撤回（已签名）：自 2026-02-20 起恢复为“治疗中”。原因：letter misread" in chinese
    assert "：更正为自 2026-02-25 起“已终止治疗”，原记录为自 2026-03-01 起“已终止治疗”。" in chinese
