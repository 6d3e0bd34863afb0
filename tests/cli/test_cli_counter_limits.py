"""Steps the reviewer found accepted that the counter refuses: a dispense dated before the
participant's enrolment, a count of more tablets than the kit can hold, a reason made only of
characters that show as blank. Each is refused with exit code 3 and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from cli_support import DEMO_PASSWORD, DEMO_TODAY, Cli

INVESTIGATOR = "Dr Zhang"


def test_a_dispense_dated_before_the_enrolment_is_refused(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    enrolled_on = DEMO_TODAY - timedelta(days=3)
    enrolled = cli(
        "enroll", "01-125", "--initials", "ab", "--birth-year", "1970", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", INVESTIGATOR, "--date", enrolled_on.isoformat(),
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    day1 = ["01-125", "--cycle", "1", "--day1", enrolled_on.isoformat()]
    before = state(cli.db)
    for days in (1, 6, 15):  # the last: far enough that the cycle is also "too early"
        early = (enrolled_on - timedelta(days=days)).isoformat()
        refused = cli("dispense", *day1, "--date", early)
        assert refused.code == 3, refused.err
        assert refused.err.startswith(
            f"Refused: Participant 01-125 was enrolled on {enrolled_on.isoformat()}: a dispense "
            f"cannot be dated {early}, before the enrolment. Give the day the cycle was really "
            f"dispensed (on or after {enrolled_on.isoformat()})."
        )
        checked = cli("check", "dispense", *day1, "--date", early, "--json")
        assert [r["code"] for r in checked.json()["refusals"]] == ["before_enrolment"]
    assert state(cli.db) == before
    done = cli("dispense", *day1, "--date", enrolled_on.isoformat())
    assert done.code == 0, done.err


def test_a_count_above_what_the_kit_was_received_with_is_refused(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    kits = cli("--json", "inventory", "--status", "available").json()
    # A 7.5 mg kit still full: received with 21 (the demo counts none above what it holds).
    number = next(
        k["kit"] for k in kits if k["product"] == "herombopag-7.5mg" and k["tablets"] == 21
    )
    received = 21
    verifier = {"DISPENSARY_VERIFIER_PASSWORD": DEMO_PASSWORD}
    found = ["--reason-code", "found", "--reason", "x", "--verified-by", "technician"]
    before = state(cli.db)
    for counted in (received + 1, 500):
        refused = cli("count", number, "--tablets", str(counted), *found, env=verifier)
        assert refused.code == 3, refused.err
        assert refused.err.startswith(
            f"Refused: {counted} tablets counted in kit {number}, which was received with "
            f"{received}: a kit cannot hold more than it was received with. Count the tablets "
            "again; if it really holds more, quarantine it and ask the sponsor"
        )
        checked = cli("check", "count", number, "--tablets", str(counted), "--json")
        assert [r["code"] for r in checked.json()["refusals"]] == ["too_many"]
        assert checked.json()["book"] is None  # the count stays blind
    assert state(cli.db) == before


def test_a_reason_that_shows_blank_is_refused(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    kits = cli("--json", "inventory", "--status", "available").json()
    kit = kits[0]["kit"]
    before = state(cli.db)
    for blank, name in (
        ("\u3164", "U+3164 HANGUL FILLER"),
        ("\u2800", "U+2800 BRAILLE PATTERN BLANK"),
    ):
        refused = cli("quarantine", kit, "--reason", blank)
        assert refused.code == 3, refused.err
        assert refused.err.startswith(
            f"Refused: The reason to quarantine contains an invisible character ({name})"
        ), refused.err
    assert state(cli.db) == before
    assert cli("quarantine", kit, "--reason", "box crushed").code == 0
