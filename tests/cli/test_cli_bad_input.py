"""The command given bad input (a review of its refusals): each refusal says what was refused and
what to do, names the option or variable that gives it, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cli_support import DEMO_TODAY, Cli

INVESTIGATOR = "Zhenzhen Liu, M.D."
DAY1 = DEMO_TODAY.isoformat()


def test_a_dispense_refused_for_want_of_an_override_names_the_option_that_gives_it(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """01-002's return of cycle 8 is not recorded: the dispense of cycle 9 needs a reason."""
    before = state(cli.db)
    refused = cli("dispense", "01-002", "--cycle", "9", "--day1", DAY1)
    assert refused.code == 3, refused.err
    assert "To dispense anyway, give the reason for overriding" in refused.err  # the service's
    assert "name each warning it overrides by its code: previous_return_missing." in refused.err
    # the command's: the options, with the codes to name
    assert (
        "give the same command again with --override previous_return_missing --override-reason "
        '"TEXT"' in refused.err
    )
    assert "--dose-ordered-by" not in refused.err  # no dose change asked for
    # a dose change also needs who ordered it: both options are named
    both = cli("dispense", "01-002", "--cycle", "9", "--day1", DAY1, "--dose-level", "0")
    assert both.code == 3, both.err
    assert '--dose-ordered-by "NAME"' in both.err and "--override-reason" in both.err
    # `check dispense` says the same
    checked = cli("check", "dispense", "01-002", "--cycle", "9", "--day1", DAY1)
    assert checked.code == 3 and "--override previous_return_missing" in checked.err
    assert state(cli.db) == before


def test_a_refused_role_is_told_the_step_refused(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    history = cli("history", "01-002", "--json").json()
    dispense = history["dispenses"][-1]["dispense_number"]
    before = state(cli.db)
    voided = cli("void", dispense, "--reason", "wrong kit", user="technician")
    assert voided.code == 4, voided.err
    assert "technician (technician) may not void a dispense made in error" in voided.err
    assert "may not dispense" not in voided.err
    explained = cli("explain", dispense, "--reason", "nausea", user="monitor")
    assert explained.code == 4, explained.err
    assert "may not record the reason for an adherence flag" in explained.err
    assert "may not record returns" not in explained.err
    assert state(cli.db) == before


def test_a_wrong_witness_password_is_said_to_be_the_witnesss(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    stock = cli("inventory", "--json").json()
    kits = [k["kit"] for k in stock if k["status"] == "returned"][:1]
    before = state(cli.db)
    refused = cli(
        "destroy", *kits, "--witness", "technician", "--method", "Incineration",
        "--reference", "DEST-2026-002", "--unseen-returns-ok",
        env={"DISPENSARY_WITNESS_PASSWORD": "not-hers-1"},
    )  # fmt: skip
    assert refused.code == 4, refused.err
    assert "The witness's password is wrong: technician, the witness, signs" in refused.err
    assert "ask technician to type it again" in refused.err
    assert "4 attempts left before the account of technician locks." in refused.err
    assert "Type your own password" not in refused.err  # it was not the pharmacist's
    assert "password of technician from DISPENSARY_WITNESS_PASSWORD" in refused.err
    after = state(cli.db)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    # the one entry written is the failed signature, counted against the witness
    assert [e[1:3] for e in after["audit"][len(before["audit"]) :]] == [
        ("signature_failed", "technician")
    ]


def test_a_bad_sex_and_a_bad_platelet_count_say_what_to_enter(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    enrol = ["enroll", "01-101", "--initials", "QX", "--birth-year", "1968"]
    enrol += ["--criteria-confirmed", "--eligibility-confirmed-by", INVESTIGATOR]
    before = state(cli.db)
    # NCT07198672's study file admits women only: F is the one sex to enter
    only_f = cli(*enrol, "--sex", "X")
    assert only_f.code == 3, only_f.err
    assert "Sex 'X' is not one this study records: enter F (female)." in only_f.err
    chinese = cli("--lang", "zh_CN", *enrol, "--sex", "X")
    assert "性别“X”不是本研究记录的性别：请输入 F（女）。" in chinese.err
    # DEMO-2DRUG admits both
    both = cli("--study", "DEMO-2DRUG", *enrol, "--sex", "X")
    assert both.code == 3, both.err
    assert "enter F (female), M (male)." in both.err
    both_zh = cli("--lang", "zh_CN", "--study", "DEMO-2DRUG", *enrol, "--sex", "X")
    assert "请输入 F（女），M（男）。" in both_zh.err, both_zh.err
    # the platelet count: its unit and range, as the study (or the program) gives them
    platelets = cli(
        "dispense", "01-002", "--cycle", "9", "--day1", DAY1, "--platelets", "6000",
        "--override-reason", "Investigator: continue",
    )  # fmt: skip
    assert platelets.code == 3, platelets.err
    assert (
        "A platelet count of 6000 ×10⁹/L is not possible: enter a count from 0 to 5000 ×10⁹/L."
        in platelets.err
    )
    assert state(cli.db) == before


def test_a_bad_cycle_number_is_a_usage_mistake_saying_cycles_start_at_1(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    before = state(cli.db)
    for cycle in ("0", "abc", "-1", "1000", ""):
        for args in (
            ["dispense", "01-002", "--cycle", cycle, "--day1", DAY1],
            ["check", "dispense", "01-002", "--cycle", cycle],
            ["return", "01-002", "--cycle", cycle, "--kit", "K0001", "--tablets", "0"],
            ["check", "return", "01-002", "--cycle", cycle, "--kit", "K0001"],
        ):
            result = cli(*args)
            assert result.code == 2, (args, result.err)  # README: 2, the command line is wrong
            assert "is not a cycle number: cycles start at 1 (1, 2, 3 ... up to 999)." in (
                result.err
            ), result.err
    assert state(cli.db) == before


def test_no_next_cycle_once_treatment_has_ended_in_the_json_as_in_the_table(cli: Cli) -> None:
    rows = cli("participants", "--json").json()
    ended = [r for r in rows if r["status"] != "on_treatment"]
    treated = [r for r in rows if r["status"] == "on_treatment"]
    assert ended and treated
    assert all((r["next_cycle"], r["next_due"]) == (None, None) for r in ended), ended
    assert all(r["next_cycle"] == (r["last_cycle"] or 0) + 1 for r in treated)
    table = {line.split()[0]: line for line in cli("participants").out.splitlines()[2:]}
    for r in rows:  # the table's "Next due" is the JSON's next_due
        assert (r["next_due"] or "-") in table[r["study_number"]].split()
    person = cli("history", ended[0]["study_number"], "--json").json()["participant"]
    assert person["next_cycle"] is None
    assert "Next: cycle" not in cli("history", ended[0]["study_number"]).out


def test_explaining_a_dispense_that_raised_no_flag_is_refused_and_writes_nothing(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    history = cli("history", "01-003", "--json").json()
    unflagged = next(
        d["dispense_number"]
        for d in history["dispenses"]
        if d["returned"] is not None and not d["flags"]
    )
    before = state(cli.db)
    refused = cli("explain", unflagged, "--reason", "missed doses")
    assert refused.code == 3, refused.err
    assert f"Dispense {unflagged} has no adherence flag to explain; nothing was recorded." in (
        refused.err
    )
    assert state(cli.db) == before  # no note, no audit entry
    after = cli("history", "01-003", "--json").json()
    assert after["dispenses"] == history["dispenses"]  # no flag_reason recorded


def test_a_second_person_the_step_would_refuse_is_said_before_their_password(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """No password is asked of a second person who does not exist or may not sign: the
    refusal comes first, as for a destruction's witness."""
    stock = cli("inventory", "--json").json()
    kit = next(k["kit"] for k in stock if k["status"] == "available" and k["tablets"] == 21)
    before = state(cli.db)
    count = ["count", kit, "--tablets", "20", "--reason-code", "breakage", "--reason", "crumbled"]
    self_verified = cli(*count, "--verified-by", "technician", user="technician")
    assert self_verified.code == 3, self_verified.err
    assert "DISPENSARY_VERIFIER_PASSWORD" not in self_verified.err
    nobody = cli(*count, "--verified-by", "nobody", user="technician")
    assert nobody.code == 3 and "There is no user 'nobody'" in nobody.err, nobody.err
    no_reason = cli(
        "count", kit, "--tablets", "20", "--verified-by", "pharmacist", user="technician"
    )
    # A missing reason is not said first: it would tell a blind counter that the count
    # differs from the book (the count is recorded as counted, then shown against the book).
    assert no_reason.code == 2 and "DISPENSARY_VERIFIER_PASSWORD" in no_reason.err, no_reason.err
    assert "reason code" not in no_reason.err
    checker = cli("dispense", "01-002", "--cycle", "9", "--day1", DAY1, "--checked-by", "nobody")
    assert checker.code == 3 and "There is no user 'nobody'" in checker.err, checker.err
    assert "DISPENSARY_CHECKER_PASSWORD" not in checker.err
    # A second person named without their password: the command's mistake (exit 2), not
    # "Not signed in" said to a pharmacist who is.
    unsigned = cli(
        "dispense", "01-002", "--cycle", "9", "--day1", DAY1, "--checked-by", "technician"
    )
    assert unsigned.code == 2, unsigned.err
    assert "error: No password for technician (second check)" in unsigned.err
    assert "Not signed in" not in unsigned.err
    assert state(cli.db) == before


def test_a_manifest_that_cannot_be_read_says_why_in_the_readers_words(
    cli: Cli, state: Callable[[str], dict[str, Any]], tmp_path: Any
) -> None:
    """It said "无法读取manifest /x.csv（[Errno 2] No such file or directory: ...）": the
    system's English error, and the English word, in a Chinese sentence; a UTF-16 file was
    told to check its name."""
    before = state(cli.db)
    receive = ["receive", "--shipment", "SH-NEW", "--manifest"]
    missing = cli(*receive, str(tmp_path / "none.csv"))
    assert missing.code == 3, missing.err
    assert "The manifest cannot be read:" in missing.err and "does not exist" in missing.err
    assert "Errno" not in missing.err
    chinese = cli("--lang", "zh_CN", *receive, str(tmp_path / "none.csv"))
    assert "无法读取装箱清单：" in chinese.err and "不存在" in chinese.err, chinese.err
    assert "manifest " not in chinese.err and "No such file" not in chinese.err
    wide = tmp_path / "wide.csv"
    wide.write_text("kit,lot,expiry,tablets\nK9001,L1,2027-06-30,21\n", encoding="utf-16")
    utf16 = cli(*receive, str(wide))
    assert utf16.code == 3 and "is not UTF-8 text" in utf16.err and "CSV UTF-8" in utf16.err
    assert state(cli.db) == before


def test_a_language_the_program_does_not_speak_is_refused_in_the_users_language(
    cli: Cli,
) -> None:
    """DISPENSARY_LANG=zh_CN, --lang fr: the usage line was Chinese, the reason English."""
    refused = cli("--lang", "fr", "participants", env={"DISPENSARY_LANG": "zh_CN"})
    assert refused.code == 2
    assert "“fr”不是本程序支持的语言：请使用 en, zh_CN。" in refused.err, refused.err
    english = cli("--lang", "fr", "participants")
    assert "'fr' is not a language the program speaks: use en, zh_CN." in english.err
