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
