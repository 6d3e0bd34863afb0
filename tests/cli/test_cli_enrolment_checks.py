"""`enroll` refuses a number that is another study's participant's, a kit's or a dispensing
label's, and an enrolment date before the study was loaded; warns of the same initials and year
of birth on treatment in another study; asks the age of the year that may be under it; reads
full-width input and either language's word for the sex. `participant-void` voids an enrolment
entered in error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cli_support import Cli

ENROL = ["--sex", "F", "--criteria-confirmed", "--eligibility-confirmed-by", "Dr Liu"]


def enrol(cli: Cli, number: str, initials: str = "XY", year: str = "1970", *more: str) -> Any:
    return cli("enroll", number, "--initials", initials, "--birth-year", year, *ENROL, *more)


def test_numbers_that_name_something_else_are_refused(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    before = state(cli.db)
    for number, words in [
        ("21-001", "21-001 is already a participant's in another study of this pharmacy"),
        ("K1002", "K1002 is a kit's number in this pharmacy"),
        ("DSP000002", "DSP000002 is a dispensing label's number"),
    ]:
        refused = enrol(cli, number)
        assert refused.code == 3, refused.err
        assert words in refused.err, refused.err
        assert "DEMO-2DRUG" not in refused.err
    early = enrol(cli, "01-090", "XY", "1970", "--date", "2020-01-01")
    assert early.code == 3 and "The enrolment date 2020-01-01 is before" in early.err, early.err
    assert state(cli.db) == before, "a refusal wrote to the database"


def test_the_same_initials_and_year_in_another_study_is_a_warning(cli: Cli) -> None:
    """01-002 (GR, 1977) is on treatment in NCT07198672; DEMO-2DRUG enrols GR 1977 with a
    warning (the demo's DEMO-2DRUG has no criterion on other study treatment: the protocol's
    exclusion criteria are named)."""
    done = cli(
        "--study", "DEMO-2DRUG", "enroll", "21-090", "--initials", "GR", "--birth-year", "1977",
        *ENROL,
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "Warning: GR, born 1977, are the initials and year of birth of" in done.err
    assert "participant 01-002 of NCT07198672, on treatment" in done.err, done.err


def test_the_age_of_the_year_that_may_be_under_it_is_confirmed(cli: Cli) -> None:
    asked = enrol(cli, "01-091", "XY", "2008")  # enrolled 2026-03-02: 17 unless born by then
    assert asked.code == 3, asked.err
    assert "born in 2008 is 17 or 18 on 2026-03-02" in asked.err
    assert "enrol again with --age-confirmed" in asked.err
    assert enrol(cli, "01-091", "XY", "2008", "--age-confirmed").code == 0
    under = enrol(cli, "01-092", "XY", "2009")
    assert under.code == 3 and "born in 2009 is under 18 on 2026-03-02" in under.err


def test_full_width_and_either_languages_sex(cli: Cli) -> None:
    done = cli(
        "enroll", "０１－０５０", "--initials", "ＡＢ", "--birth-year", "1970", "--sex", "女",
        "--criteria-confirmed", "--eligibility-confirmed-by", "Dr Liu", "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert (done.json()["study_number"], done.json()["initials"]) == ("01-050", "AB")


def test_an_enrolment_entered_in_error_is_voided(cli: Cli) -> None:
    assert enrol(cli, "01-0001").code == 0
    listed = {p["study_number"] for p in cli("participants", "--json").json()}
    assert "01-0001" in listed
    technician = cli(
        "--user", "technician", "participant-void", "01-0001", "--reason", "t", user=None
    )
    assert technician.code == 4
    assert "may not correct an enrolment or void one entered in error" in technician.err
    voided = cli("participant-void", "01-0001", "--reason", "typed 01-0001 for 01-001")
    assert voided.code == 0, voided.err
    assert voided.out.splitlines()[0].startswith(
        "Enrolment of 01-0001 (XY) voided as entered in error"
    )
    listed = {p["study_number"] for p in cli("participants", "--json").json()}
    assert "01-0001" not in listed
    again = cli("participant-void", "01-0001", "--reason", "again")
    assert again.code == 3 and "was voided as entered in error" in again.err
    dispensed = cli("participant-void", "01-002", "--reason", "typo")
    assert dispensed.code == 3 and "was dispensed cycle 1" in dispensed.err, dispensed.err
    trail = cli("audit", "list", "--action", "enrolment_voided", "--json").json()
    assert [(e["entity_id"], e["reason"]) for e in trail] == [
        ("01-0001", "typed 01-0001 for 01-001")
    ]
    assert cli("audit", "verify").code == 0


def test_the_eligibility_checklist_is_confirmed(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """The review: `enroll` without the checklist enrolled with `criteria: 0` in the audit while
    the window requires every criterion ticked. Refused without --criteria-confirmed (nothing
    written); with it, the study file's criteria are listed and recorded (16 of them)."""
    before = state(cli.db)
    plain = ["--sex", "F", "--eligibility-confirmed-by", "Dr X"]
    refused = cli("enroll", "01-025", "--initials", "AB", "--birth-year", "1970", *plain)
    assert refused.code == 3, refused.err
    assert "The eligibility checklist of NCT07198672 is not confirmed (16 criteria)" in refused.err
    assert "Once Dr X has checked every criterion (" in refused.err
    assert "enrol again with --criteria-confirmed." in refused.err
    assert state(cli.db) == before, "a refusal wrote to the database"
    done = cli(
        "enroll", "01-025", "--initials", "AB", "--birth-year", "1970", *plain,
        "--criteria-confirmed", "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert len(done.json()["criteria_confirmed"]) == 16
    assert done.json()["criteria_confirmed"][-1].startswith("Not: ")
    shown = cli(
        "enroll", "01-026", "--initials", "AB", "--birth-year", "1970", *plain,
        "--criteria-confirmed",
    )  # fmt: skip
    assert "  Criteria confirmed (16):\n    - " in shown.out, shown.out
    trail = cli("audit", "list", "--action", "enroll", "--json").json()
    ours = [e for e in trail if e["entity_id"] in ("01-025", "01-026")]
    assert len(ours) == 2 and all(e["new"]["criteria"] == 16 for e in ours), ours


def test_the_criteria_are_listed_in_the_readers_language(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """An enrolment without --criteria-confirmed was refused in Chinese with the criteria to
    check in English ("Female, age 18 years or more; ... Not: Pregnant or lactating"), though
    the study file words them in Chinese, as the enrolment window shows them; the enrolment's
    list too. Each is in the reader's words; the JSON keeps them as recorded."""
    before = state(cli.db)
    base = ["--initials", "XY", "--birth-year", "1970", "--sex", "F"]
    refused = cli(
        "--lang", "zh_CN", "enroll", "01-093", *base, "--eligibility-confirmed-by", "Dr Liu"
    )
    assert refused.code == 3, refused.err
    assert "女性，年龄≥18岁；" in refused.err and "无：妊娠期或哺乳期" in refused.err, refused.err
    assert "Female" not in refused.err and "Not:" not in refused.err, refused.err
    assert state(cli.db) == before, "a refusal wrote to the database"
    done = cli("--lang", "zh_CN", "enroll", "01-093", *base, *ENROL[2:])
    assert done.code == 0, done.err
    assert "    - 无：妊娠期或哺乳期" in done.out and "Not:" not in done.out, done.out
    english = cli("enroll", "01-094", *base, *ENROL[2:])
    assert "    - Not: Pregnant or lactating" in english.out, english.out
    as_json = cli("--json", "--lang", "zh_CN", "enroll", "01-095", *base, *ENROL[2:])
    assert "Not: Pregnant or lactating" in as_json.json()["criteria_confirmed"]
