"""A voided dispense and a corrected return count stay in the participant's record: `history`
(text and --json) and the participant report show them, marked, with who, when and why, and the
return numbers `correct-return` takes (review of the counter, findings 1 and 2)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from cli_support import Cli

VOID_REASON = "Wrong day 1 typed on the label; the kit never left the pharmacy."


def pdf_text(path: Path) -> str:
    """Every page's text, as a reader of the PDF reads it."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_the_demos_voided_dispense_stays_in_the_history_marked_with_who_and_why(cli: Cli) -> None:
    """01-009's cycle 2 was dispensed as DSP000027, voided, then dispensed again: the history
    keeps DSP000027, marked VOIDED, and the changes say who voided it and why; "nothing
    changed" is not said."""
    text = cli("history", "01-009")
    assert text.code == 0, text.err
    [line] = [x for x in text.out.splitlines() if x.split()[:2] == ["2", "DSP000027"]]
    assert line.rstrip().endswith("VOIDED")
    assert (
        ": dispense DSP000027 (cycle 2) voided as made in error (its kits never left) by Chen Jing "
        "(pharmacist) (signed). Reason: " + VOID_REASON
    ) in text.out
    assert "Nothing changed in the record since enrolment." not in text.out

    data = cli("history", "01-009", "--json").json()
    voided = {d["dispense_number"]: d["voided"] for d in data["dispenses"]}
    assert voided["DSP000027"]["full_name"] == "Chen Jing"
    assert voided["DSP000027"]["reason"] == VOID_REASON
    assert voided["DSP000027"]["signed"] is True
    assert voided["DSP000028"] is None
    [change] = data["changes"]
    assert (change["field"], change["new"], change["cycle"], change["reason"]) == (
        "dispense_void",
        "DSP000027",
        2,
        VOID_REASON,
    )


def test_a_return_number_from_history_is_corrected_and_shown_as_a_change(
    cli: Cli, tmp_path: Path
) -> None:
    """The return's number `history` shows is the one `correct-return` takes; the recount is
    then a change of the record, in `history` and in the participant report."""
    before = cli("history", "01-009", "--json").json()
    [sixth] = [d for d in before["dispenses"] if d["dispense_number"] == "DSP000107"]
    [ret] = sixth["returns"]
    assert (ret["kit"], ret["tablets"]) == ("K1093", 1)
    shown = f"Return {ret['return_id']}: cycle 6 (DSP000107), kit K1093, 1 tablet on"
    assert shown in cli("history", "01-009").out

    fixed = cli("correct-return", str(ret["return_id"]), "--tablets", "2", "--reason", "Recounted")
    assert fixed.code == 0, fixed.err
    after = cli("history", "01-009", "--json").json()
    [sixth] = [d for d in after["dispenses"] if d["dispense_number"] == "DSP000107"]
    [new] = sixth["returns"]
    assert (new["tablets"], new["corrects"]) == (2, ret["return_id"])
    recount = after["changes"][-1]
    assert (recount["field"], recount["old"], recount["new"], recount["return_id"]) == (
        "return_count",
        "1",
        "2",
        new["return_id"],
    )
    said = (
        f"count of kit K1093 (DSP000107) corrected from 1 to 2 by Chen Jing (pharmacist) "
        f"(signed); it is now return {new['return_id']}. Reason: Recounted"
    )
    assert said in cli("history", "01-009").out

    out = tmp_path / "p.pdf"
    made = cli("report", "participant", "--participant", "01-009", "--out", str(out))
    assert made.code == 0, made.err
    text = " ".join(pdf_text(out).split())
    assert "DSP000027" in text and "VOIDED" in text
    assert "dispense DSP000027 (cycle 2) voided as made in error" in text
    assert "count of kit K1093 (DSP000107) corrected from 1 to 2" in text
    assert "Nothing changed in the record since enrolment." not in text


def test_a_record_with_no_change_says_so(cli: Cli, tmp_path: Path) -> None:
    """A participant just enrolled: `history` and the report say nothing changed."""
    enrolled = cli(
        "enroll", "01-101", "--initials", "QX", "--birth-year", "1968", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", "Zhenzhen Liu, M.D.",
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    text = cli("history", "01-101")
    assert text.code == 0, text.err
    assert "Nothing changed in the record since enrolment." in text.out
    out = tmp_path / "p.pdf"
    assert cli("report", "participant", "--participant", "01-101", "--out", str(out)).code == 0
    assert "Nothing changed in the record since enrolment." in " ".join(pdf_text(out).split())


def test_a_return_with_every_kit_back_says_the_command_that_corrects_it(cli: Cli) -> None:
    """`check return` of a dispense whose every kit is counted names `correct-return` and the
    `history` that shows the return's number (it sent the user to a history with no way)."""
    again = cli("check", "return", "DSP000107")
    assert again.code == 3
    assert (
        "Every kit of DSP000107 is already counted back. To change a count, run `dispensary "
        "correct-return` with the return's number, which `dispensary history 01-009` shows."
    ) in again.out + again.err
