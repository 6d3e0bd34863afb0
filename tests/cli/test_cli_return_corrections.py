"""Corrections of returns and voids at the command line (review of returns, corrections and
voids): an explanation answers the flag it was written for, a correction keeps the hold and may
give the date and hold, and a void of an older dispense needs its kits scanned back."""

from __future__ import annotations

from cli_support import Cli

HOLD_NOTE = "Held for platelets >200 on the investigator's order."


def _history_line(cli: Cli, participant: str, dispense: str) -> str:
    text = cli("history", participant)
    assert text.code == 0, text.err
    [line] = [x for x in text.out.splitlines() if dispense in x.split()[:3]]
    return line


def test_a_correction_that_changes_the_flag_reopens_it(cli: Cli) -> None:
    done = cli(
        "return", "01-021", "--cycle", "2", "--kit", "K1097", "--tablets", "4",
        "--held-from", "2026-02-16", "--held-until", "2026-02-20",
        "--held-ordered-by", "Dr Liu", "--note", HOLD_NOTE, "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    first = done.json()
    assert first["flags"] == ["over_use"], first
    cleared = cli("correct-return", str(first["return_id"]), "--tablets", "7", "--reason", "R")
    assert cleared.code == 0, cleared.err
    assert "FLAG" not in cleared.out, cleared.out
    second = cli("history", "01-021", "--json").json()
    [cycle2] = [d for d in second["dispenses"] if d["cycle"] == 2]
    [ret] = cycle2["returns"]
    under = cli("correct-return", str(ret["return_id"]), "--tablets", "12", "--reason", "R2")
    assert under.code == 0, under.err
    assert "Record the reason" in under.out
    data = cli("history", "01-021", "--json").json()
    [cycle2] = [d for d in data["dispenses"] if d["cycle"] == 2]
    assert (cycle2["flags"], cycle2["flag_reason"]) == (["under_use"], "")
    assert "(explained)" not in _history_line(cli, "01-021", cycle2["dispense_number"])
    found = cli("reconcile", "--json").json()
    assert any(
        d["kind"] == "adherence" and d["subject"] == "01-021" for d in found["discrepancies"]
    ), found["discrepancies"]
    # The correction kept the hold: dates and investigator, and the note.
    [last] = cycle2["returns"]
    assert (last["tablets"], last["corrects"]) == (12, ret["return_id"])


def test_a_correction_that_keeps_the_flag_says_it_stays_explained(cli: Cli) -> None:
    """Over-use explained by the return's note, then recounted one tablet fewer: still over-use,
    the note still answers it (history shows it explained). The command said "Record the
    reason" as if the flag were open; it says the flag stays explained, with its reason."""
    done = cli(
        "return", "01-021", "--cycle", "2", "--kit", "K1097", "--tablets", "4",
        "--held-from", "2026-02-16", "--held-until", "2026-02-20",
        "--held-ordered-by", "Dr Liu", "--note", HOLD_NOTE, "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    first = done.json()
    assert first["flags"] == ["over_use"], first
    kept = cli("correct-return", str(first["return_id"]), "--tablets", "3", "--reason", "R")
    assert kept.code == 0, kept.err
    assert "FLAG" in kept.out, kept.out
    assert "Record the reason" not in kept.out, kept.out
    assert f"  The flag stays explained: {HOLD_NOTE}" in kept.out, kept.out
    data = cli("history", "01-021", "--json").json()
    [cycle2] = [d for d in data["dispenses"] if d["cycle"] == 2]
    assert (cycle2["flags"], cycle2["flag_reason"]) == (["over_use"], HOLD_NOTE)


def test_a_correction_gives_the_return_date_and_the_hold(cli: Cli) -> None:
    done = cli("return", "01-021", "--cycle", "2", "--kit", "K1097", "--tablets", "6", "--json")
    assert done.code == 0, done.err
    number = str(done.json()["return_id"])
    same = cli("correct-return", number, "--tablets", "6", "--reason", "recount")
    assert same.code != 0 and "the count is already 6" in same.err and "nothing to" in same.err
    lone = cli(
        "correct-return", number, "--tablets", "6", "--reason", "r", "--held-from", "2026-02-16"
    )
    assert lone.code != 0 and "--held-from needs --held-until too" in lone.err
    fixed = cli(
        "correct-return", number, "--tablets", "6", "--reason", "hold not recorded",
        "--held-from", "2026-02-16", "--held-until", "2026-02-20", "--held-ordered-by", "Dr Liu",
        "--json",
    )  # fmt: skip
    assert fixed.code == 0, fixed.err
    assert fixed.json()["flags"] == ["over_use"]
    data = cli("history", "01-021", "--json").json()
    [cycle2] = [d for d in data["dispenses"] if d["cycle"] == 2]
    assert (cycle2["expected"], cycle2["taken"]) == (14, 15)  # 5 days held: 19 - 5


def test_a_void_of_an_older_dispense_needs_its_kits_scanned_back(cli: Cli) -> None:
    """01-021's cycle 2 (DSP000113, K1097) went out on 2026-02-11, 19 days before the demo's
    today, and is not back."""
    unscanned = cli("void", "DSP000113", "--reason", "error")
    assert unscanned.code != 0
    assert "was made on 2026-02-11, 19 days ago" in unscanned.err
    assert "--kit-back KIT" in unscanned.err
    wrong = cli("void", "DSP000113", "--reason", "error", "--kit-back", "K1098")
    assert wrong.code != 0 and "are not the kits of DSP000113 (K1097)" in wrong.err
    done = cli("void", "DSP000113", "--reason", "error", "--kit-back", "K1097")
    assert done.code == 0, done.err
    assert "Voided DSP000113" in done.out
