"""`dispensary check ACTION` (dispense, return, receive, destroy, count): the counter's
assessment on a terminal, with nothing written.

Run in-process (`cli.main(argv)`), on a small pharmacy built through the services."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from dispensary import cli
from dispensary.domain.rules import RULE_TO_CONFIRM
from dispensary.services import dispensing, participants, receiving, setup
from dispensary.services.context import Actor, Context

P75 = "herombopag-7.5mg"


@dataclass
class Terminal:
    ctx: Context
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    def __call__(self, *argv: str, today: str = "2026-01-05") -> tuple[int, str, str]:
        self.capsys.readouterr()
        with self.monkeypatch.context() as patch:
            patch.setenv("DISPENSARY_TODAY", today)
            code = cli.main(list(argv))
        out, err = self.capsys.readouterr()
        return code, out, err

    def written(self) -> dict[str, list[str]]:
        """Every row of every table, the audit trail's sign-in entries (their study index rows,
        and the chain head they move) aside: what a check must never touch."""
        with self.ctx.engine.connect() as conn:
            tables = sorted(set(inspect(conn).get_table_names()) - {"chain_head"})
            found = {
                table: sorted(
                    repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))
                )
                for table in tables
                if table not in ("audit_entries", "audit_entry_studies")
            }
            found["audit_entry_studies"] = [
                repr(tuple(row))
                for row in conn.execute(
                    text(
                        "SELECT s.audit_entry_id, s.study_id FROM audit_entry_studies s JOIN "
                        "audit_entries a ON a.id = s.audit_entry_id WHERE a.action NOT IN "
                        "('sign_in', 'sign_in_failed', 'sign_in_refused') ORDER BY 1, 2"
                    )
                )
            ]
            found["audit_entries"] = [
                repr(tuple(row))
                for row in conn.execute(
                    text(
                        "SELECT id, action, entity_id FROM audit_entries WHERE action NOT IN "
                        "('sign_in', 'sign_in_failed', 'sign_in_refused') ORDER BY id"
                    )
                )
            ]
        return found


@pytest.fixture
def terminal(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Terminal:
    """K0001-K0004 (lot L1, 2027-06-30) and K0011-K0012 (lot L2, 2026-12-31, first out);
    01-001 had cycle 1 on 2026-01-05 (K0011), its return not recorded."""
    for kits, lot, expiry in (
        ("K0001-K0004", "L1", date(2027, 6, 30)),
        ("K0011-K0012", "L2", date(2026, 12, 31)),
    ):
        listed = receiving.kits_from_range(ctx, kits, P75, lot, expiry, None)
        receiving.receive_shipment(ctx, pharmacist, f"SH-{lot}", listed)
    participants.enroll(
        ctx,
        pharmacist,
        "01-001",
        "AB",
        1970,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    dispensing.dispense_cycle(ctx, pharmacist, "01-001", 1, date(2026, 1, 5), pw(pharmacist))
    if Path(ctx.database).is_file():
        Path(ctx.database).chmod(0o600)  # owner-only, as the program makes it (else a warning)
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPENSARY_DB", ctx.database)
    monkeypatch.setenv("DISPENSARY_USER", pharmacist.username)
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    monkeypatch.setattr(setup, "training_clock_allowed", lambda _ctx: True)
    return Terminal(ctx, capsys, monkeypatch)


def test_the_next_cycle_on_the_same_day_is_refused_and_nothing_is_written(
    terminal: Terminal,
) -> None:
    before = terminal.written()
    code, out, err = terminal("check", "dispense", "01-001", "--cycle", "2", "--json")
    assert code == 3
    found = json.loads(out)
    assert (found["cycle"], found["cycle_due"], found["accepted"]) == (2, 2, False)
    # The 18-day minimum is a rule to confirm: only a day 1 after the previous one is required.
    assert (found["earliest_day1"], found["latest_day1"]) == ("2026-01-06", "2026-01-12")
    # ...and a day 1 before the 18 days asks for the reason: said beside the window.
    assert found["day1_unwarned"] == "2026-01-23"
    assert [r["code"] for r in found["refusals"]] == ["day1_interval"]
    code, out, _err = terminal("check", "dispense", "01-001", "--cycle", "2")
    assert "a day 1 before 2026-01-23 needs the reason (rule to confirm)" in out
    assert err.startswith("Refused: Day 1 2026-01-05 is not after the previous cycle's day 1")
    assert terminal.written() == before


def test_too_early_a_cycle_says_its_earliest_day_1_not_a_window_that_runs_backwards(
    terminal: Terminal, admin: Actor
) -> None:
    """With the 18-day minimum confirmed, no day 1 fits on 2026-01-05: the check said "day 1
    from 2026-01-23 to 2026-01-12"."""
    from dispensary.services import studies

    studies.confirm_rule(terminal.ctx, admin, "cycle.min_interval", "site SOP 4.2")
    code, out, err = terminal("check", "dispense", "01-001", "--cycle", "2")
    assert code == 3, err
    assert "  Cycle due   2, earliest day 1 2026-01-23 (dispensed 2026-01-05)" in out, out
    assert " to 2026-01-12" not in out


def test_a_missing_return_needs_an_override_and_a_reason_makes_it_acceptable(
    terminal: Terminal,
) -> None:
    before = terminal.written()
    args = ["check", "dispense", "01-001", "--cycle", "2", "--day1", "2026-01-26"]
    code, out, err = terminal(*args, today="2026-01-26")
    assert code == 3
    assert out.startswith("Dispense of cycle 2 to 01-001, day 1 2026-01-26: needs an override.")
    assert "  Proposed    K0012  lot L2  exp 2026-12-31  21 tablets" in out
    assert "(previous_return_missing; override: a reason to dispense anyway, missing)" in out
    assert err.startswith("Needs an override: The return of cycle 1 (DSP000001) is not recorded")
    assert "--override previous_return_missing --override-reason" in err

    reason = ["--override-reason", "bottle forgotten"]
    code, out, err = terminal(*args, *reason, today="2026-01-26")  # the reason names no warning
    assert code == 3 and "A reason overrides only the warnings it names" in err, err
    named = ["--override", "previous_return_missing"]
    code, out, err = terminal(*args, *named, *reason, today="2026-01-26")
    assert code == 0, err
    assert "would be accepted as it stands" in out.splitlines()[0]
    assert "(previous_return_missing; override: a reason to dispense anyway, given)" in out
    assert terminal.written() == before


def test_scanned_kits_get_a_verdict_each(terminal: Terminal) -> None:
    args = ["check", "dispense", "01-001", "--day1", "2026-01-26", "--json"]
    extra = ["--override-reason", "bottle forgotten", "--override", "previous_return_missing"]
    both = ["--override", "not_first_expiry"]
    code, out, _err = terminal(*args, *extra, *both, "--kit", "K0001", today="2026-01-26")
    found = json.loads(out)
    assert (code, found["cycle"], found["accepted"]) == (0, 2, True)
    assert found["kits"] == [{"kit": "K0001", "accepted": True, "message": ""}]
    assert [w["code"] for w in found["warnings"]] == ["previous_return_missing", "not_first_expiry"]
    assert all(w["given"] for w in found["warnings"])  # one reason overrides both, each named
    assert found["override_codes"] == ["previous_return_missing", "not_first_expiry"]

    code, out, _err = terminal(*args, *extra, "--kit", "01-001", today="2026-01-26")
    found = json.loads(out)
    assert code == 3
    [verdict] = found["kits"]
    assert not verdict["accepted"]
    assert verdict["message"].startswith("01-001 is a participant's study number, not a kit")

    # In the table, a code longer than the column keeps a space before its verdict.
    plain = [a for a in args if a != "--json"]
    code, out, _err = terminal(*plain, *extra, "--kit", "DSP000001", today="2026-01-26")
    assert "  Kit DSP000001 refused: DSP000001 is a dispensing label's number" in out, out


def test_a_kit_given_is_said_accepted_and_no_other_kit_is_proposed(terminal: Terminal) -> None:
    """The finding: `check dispense 01-001 --kit K0007` said "Proposed K0004" and then
    "Kit K0007 taken": which one would the dispense give? The kit given, said so."""
    args = ["check", "dispense", "01-001", "--day1", "2026-01-26", "--override-reason", "x"]
    code, out, err = terminal(*args, today="2026-01-26")
    assert "  Proposed    K0012  lot L2  exp 2026-12-31  21 tablets" in out, out
    # K0001 is not the first to expire, and cycle 1's return is not recorded: both named
    args += ["--override", "previous_return_missing", "--override", "not_first_expiry"]
    code, out, err = terminal(*args, "--kit", "K0001", today="2026-01-26")
    assert code == 0, err
    assert "  Kit K0001   accepted: this kit would be dispensed" in out, out
    assert "Proposed" not in out and "taken" not in out
    code, out, err = terminal("--lang", "zh_CN", *args, "--kit", "K0001", today="2026-01-26")
    assert "  药盒 K0001   接受：将发放此药盒" in out and "建议" not in out, out


def test_an_unknown_participant_is_refused_as_the_dispense_is(terminal: Terminal) -> None:
    code, out, err = terminal("check", "dispense", "09-999")
    assert (code, out) == (3, "")
    assert "Participant 09-999 is not enrolled" in err


def test_check_alone_asks_for_an_action(terminal: Terminal) -> None:
    code, _out, err = terminal("check")
    assert code == 2 and "'check' needs an action" in err


# -- check return --------------------------------------------------------------------------------


def test_a_return_counted_would_be_recorded_with_its_adherence(terminal: Terminal) -> None:
    before = terminal.written()
    args = ["check", "return", "01-001", "--cycle", "1", "--kit", "K0011", "--tablets", "1"]
    code, out, err = terminal(*args, "--json", today="2026-01-26")
    assert code == 0, err
    found = json.loads(out)
    assert (found["dispense"], found["participant"], found["cycle"]) == ("DSP000001", "01-001", 1)
    assert (found["kit"], found["tablets"], found["returned_on"]) == ("K0011", 1, "2026-01-26")
    assert (found["accepted"], found["refusals"]) == (True, [])
    assert found["kits"] == [
        {
            "kit": "K0011",
            "product": P75,
            "lot": "L2",
            "dispensed": 21,
            "status": "dispensed",
            "returned": None,
            "state": "to count",
        }
    ]
    preview = found["preview"]
    assert (preview["complete"], preview["taken"], preview["expected"]) == (True, 20, 21)
    assert preview["flags"] == [] and preview["adherence"] == pytest.approx(20 / 21)

    # the label's barcode names the same dispense, and its one kit still to count
    code, out, err = terminal("check", "return", "DSP000001", "--tablets", "1", today="2026-01-26")
    assert (code, err) == (0, "")
    assert out.startswith(
        "Return of kit K0011 of DSP000001 (01-001, cycle 1): would be accepted as it stands."
    )
    assert "  Adherence   taken 20 of 21 expected: 95%" in out
    assert terminal.written() == before


def test_a_return_of_more_than_was_dispensed_is_refused(terminal: Terminal) -> None:
    before = terminal.written()
    code, out, err = terminal(
        "check", "return", "K0011", "--tablets", "30", "--json", today="2026-01-26"
    )
    assert code == 3
    found = json.loads(out)
    assert (found["kit"], found["accepted"], found["preview"]) == ("K0011", False, None)
    assert [r["code"] for r in found["refusals"]] == ["too_many"]
    assert err.startswith("Refused: 30 tablets returned for kit K0011")
    assert err.rstrip().endswith("Nothing was changed.")

    args = ["check", "return", "01-001", "--cycle", "1", "--kit", "K0001", "--tablets", "0"]
    code, out, err = terminal(*args, today="2026-01-26")
    assert code == 3, err
    assert "  Refused     Kit K0001 was not dispensed in DSP000001 (cycle 1)" in out
    assert terminal.written() == before


def test_a_return_without_the_count_needs_it_and_shows_the_kits(terminal: Terminal) -> None:
    code, out, err = terminal("check", "return", "01-001")
    assert code == 3
    assert out.startswith("Return of kit K0011 of DSP000001 (01-001, cycle 1): needs the count.")
    assert "  Kit K0011   lot L2  21 dispensed, to count" in out
    assert err.startswith(
        "Needs the count: give --tablets N, the tablets brought back in kit K0011."
    )


def test_a_return_named_twice_is_a_usage_mistake(terminal: Terminal) -> None:
    code, _out, err = terminal("check", "return", "01-001", "--dispense", "DSP000001")
    assert code == 2 and "either with --dispense" in err
    code, _out, err = terminal("check", "return", "--cycle", "1")
    assert code == 2 and "give the participant's study number" in err


# -- check receive -------------------------------------------------------------------------------

RECEIVE = ["check", "receive", "--product", P75, "--expiry", "2027-06-30"]


def test_a_new_shipment_would_be_received(terminal: Terminal) -> None:
    before = terminal.written()
    args = [*RECEIVE, "--shipment", "SH-3", "--lot", "L3", "--kits", "K0021-K0022,K0030"]
    code, out, err = terminal(*args, "--date", "2026-01-04", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert (found["shipment"], found["received_on"], found["kits"], found["tablets"]) == (
        "SH-3",
        "2026-01-04",
        3,
        63,
    )
    assert (found["accepted"], found["quarantined"], found["refusals"]) == (True, False, [])
    assert found["lines"][0] == {
        "line": 1,
        "kit": "K0021",
        "product": P75,
        "lot": "L3",
        "expiry": "2027-06-30",
        "tablets": 21,
        "accepted": True,
        "code": None,
        "message": "",
        "status": "available",
        "damaged": "",
        "new_lot": True,
    }
    assert [line["kit"] for line in found["lines"]] == ["K0021", "K0022", "K0030"]

    code, out, _err = terminal(*args, "--temperature-failed")
    assert code == 0
    assert "  Quarantine  the temperature record failed" in out
    assert "  Line 1      K0021  herombopag-7.5mg  lot L3  exp 2027-06-30  21 tablets: " in out
    assert out.count("tablets: quarantined") == 3
    assert out.count("new lot") == 1  # the first kit of lot L3 records it
    assert terminal.written() == before


def test_a_shipment_received_already_is_refused_with_a_verdict_per_kit(
    terminal: Terminal, tmp_path: Path
) -> None:
    before = terminal.written()
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("kit,lot,expiry,tablets\nK0004,L1,2027-06-30,21\nK0005,L1,2027-06-30,21\n")
    code, out, err = terminal(
        "check", "receive", "--shipment", "SH-L1", "--product", P75, "--manifest", str(manifest),
        "--json",
    )  # fmt: skip
    assert code == 3
    found = json.loads(out)
    assert [r["code"] for r in found["refusals"]] == ["shipment_received", "in_stock"]
    assert [(line["kit"], line["accepted"], line["code"]) for line in found["lines"]] == [
        ("K0004", False, "in_stock"),
        ("K0005", True, None),
    ]
    assert err.startswith("Refused: Shipment SH-L1 has already been received.")
    assert terminal.written() == before


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            "Kit K0031 is listed with 210 tablets, but a kit of herombopag (hetrombopag "
            "olamine) 7.5 mg tablet holds 21",
        ),
        ("zh_CN", "药盒 K0031 列出的数量为 210 片，但 海曲泊帕乙醇胺片 7.5 mg 每盒为 21 片"),
    ],
)
def test_a_kit_of_another_count_than_the_study_files_is_refused_in_the_preview(
    terminal: Terminal, tmp_path: Path, lang: str, words: str
) -> None:
    """The preview refuses a 210-tablet kit of a 21-tablet product, as the receipt does."""
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("kit,lot,expiry,tablets\nK0030,L3,2027-06-30,21\nK0031,L3,2027-06-30,210\n")
    args = ["check", "receive", "--shipment", "SH-C", "--product", P75, "--manifest", str(manifest)]
    code, out, err = terminal("--lang", lang, *args)
    assert code == 3
    assert words in out and words in err
    line = "  Line 1      K0030  " if lang == "en" else "  第 1 行     K0030  "  # 11 columns
    assert line in out
    code, _out, err = terminal("--lang", lang, *args[1:])  # receive itself
    assert code != 0 and words in err


def test_the_manifest_s_columns_not_read_are_named_by_check_receive_and_receive(
    terminal: Terminal, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        'Kit,Lot,Expiry,Tablets,Shipped Qty,Comment\nK0030,L3,2027-06-30,21,1,"box dented, ok"\n'
    )
    args = ["receive", "--shipment", "SH-C", "--product", P75, "--manifest", str(manifest)]
    note = "  The manifest's columns 'Shipped Qty', 'Comment' are not read by the program"
    code, out, err = terminal("check", *args)
    assert code == 0, err
    assert note in out
    code, out, err = terminal("check", *args, "--json")
    assert json.loads(out)["ignored_columns"] == ["Shipped Qty", "Comment"]
    code, out, err = terminal(*args)
    assert code == 0, err
    assert note in out
    manifest.write_text("kit,lot,expiry,tablets,condition\nK0031,L3,2027-06-30,21,damaged\n")
    args[2] = "SH-D"
    code, out, err = terminal("check", *args)  # a damaged kit: into quarantine, not refused
    assert code == 0, err
    assert out.rstrip().endswith("quarantined, damaged on arrival (manifest condition: damaged)")


def test_a_lot_that_cannot_cover_a_cycle_is_warned_of_and_not_available_to_dispense(
    terminal: Terminal,
) -> None:
    """Received silently and counted "available to dispense" while every dispense refused it."""
    args = ["receive", "--shipment", "SH-S", "--product", P75, "--lot", "LS", "--kits", "K0040"]
    args += ["--expiry", "2026-01-20"]
    code, out, err = terminal("check", *args)
    assert code == 0, err
    warning = (
        "  Warning     Lot LS expires 2026-01-20, before the supply of a cycle dispensed today"
    )
    assert warning in out
    code, out, err = terminal(*args)
    assert code == 0, err
    assert "  Warning  Lot LS expires 2026-01-20" in out
    code, out, err = terminal("inventory")
    assert "available to dispense: 5 kits, 105 tablets." in out  # K0040 not among them


def test_a_gbk_manifest_is_read_and_said_by_check_receive(
    terminal: Terminal, tmp_path: Path
) -> None:
    manifest = tmp_path / "gbk.csv"
    manifest.write_bytes("kit,lot,expiry,tablets,备注\nK0030,L3,2027-06-30,21,完好\n".encode("gbk"))
    code, out, err = terminal(
        "check", "receive", "--shipment", "SH-G", "--product", P75, "--manifest", str(manifest)
    )
    assert code == 0, err
    assert "  Read as GB18030 text (Chinese Windows), not UTF-8." in out


def test_check_receive_reads_the_kits_as_receive_does(terminal: Terminal) -> None:
    code, _out, err = terminal("check", "receive", "--shipment", "SH-3", "--kits", "K0021")
    assert code == 2
    assert "With --kits, give --product, --lot, --expiry too" in err


@pytest.mark.parametrize("command", [("check", "receive"), ("receive",)])
def test_an_empty_manifest_option_says_it_names_no_file(
    terminal: Terminal, command: tuple[str, ...]
) -> None:
    """A script's unset variable: `--manifest ''` fell through to --kits (not given) and
    ended in "Unexpected error (TypeError)"."""
    before = terminal.written()
    code, _out, err = terminal(*command, "--shipment", "SH-4", "--manifest", "")
    assert code == 2
    assert "--manifest names no file: give the manifest's path (FILE.csv)." in err
    assert "Unexpected error" not in err
    assert terminal.written() == before


# -- check destroy -------------------------------------------------------------------------------


def test_kits_on_the_shelf_would_be_destroyed(terminal: Terminal) -> None:
    before = terminal.written()
    args = ["check", "destroy", "K0001", "K0002", "--witness", "tech", "--reference", "RA-1"]
    code, out, err = terminal(*args, "--method", "incineration", "--json")
    assert code == 3  # in-date kits from the shelf: the reason code is needed
    assert [r["code"] for r in json.loads(out)["refusals"]] == ["reason_needed"]
    assert "Kits K0001, K0002 are still in date and unused" in err
    assert "Study closed or treatment ended" in err  # named as the form names it
    assert "--reason-code takes, in that order: damaged, temperature_excursion, recall" in err
    args += ["--reason-code", "study_closed"]
    code, out, err = terminal(*args, "--method", "incineration", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert (found["accepted"], found["refusals"], found["to_sponsor"]) == (True, [], False)
    assert (found["witness"], found["witness_name"], found["method"], found["destroyed_on"]) == (
        "tech",
        "Tom Tech",
        "incineration",
        "2026-01-05",
    )
    assert (found["reference"], found["reason_code"]) == ("RA-1", "study_closed")
    assert found["witness_role"] == "technician"  # who the user name typed is
    code, out, err = terminal(*args, "--method", "incineration")
    assert "  Witness     Tom Tech (Technician)\n" in out, out
    assert (found["tablets"], found["from_stock"], found["from_returned"]) == (42, 42, 0)
    assert found["kits"][0] == {
        "kit": "K0001",
        "status": "available",
        "accepted": True,
        "message": "",
        "on_hand": 21,
        "held_returned": 0,
        "from_returned": False,
        "tablets": 21,
        "needs_reason": True,
    }

    code, out, _err = terminal(*args, "--method", "return", "--to-sponsor")
    assert code == 0
    assert out.startswith(
        "Return to the sponsor of 2 kits on 2026-01-05: would be accepted as it stands."
    )
    assert "  Kit K0002   available: 21 tablets from the shelf" in out
    assert terminal.written() == before


def test_a_destruction_without_a_witness_or_of_a_dispensed_kit_is_refused(
    terminal: Terminal,
) -> None:
    before = terminal.written()
    code, out, err = terminal(
        "check", "destroy", "K0011", "K0099", "K0003", "--method", "incineration", "--json"
    )
    assert code == 3
    found = json.loads(out)
    assert [r["code"] for r in found["refusals"]] == [
        "witness",
        "reference",
        "kit_unknown",
        "kit",
        "reason_needed",
    ]
    assert [(v["kit"], v["accepted"], v["status"]) for v in found["kits"]] == [
        ("K0011", False, "dispensed"),
        ("K0099", False, None),
        ("K0003", True, "available"),
    ]
    assert found["tablets"] == 21
    assert err.startswith("Refused: Give the witness's user name")

    code, out, err = terminal("check", "destroy", "K0003", "--witness", "pharm", "--method", "x")
    assert code == 3
    assert "Refused: The witness must be another person than the one destroying." in err
    code, out, err = terminal(
        "check",
        "destroy",
        "K0003",
        "--witness",
        "Pharm Paula",
        "--method",
        "bin",
        "--reference",
        "A",
    )
    assert code == 3
    assert "Refused: There is no user 'Pharm Paula'." in err
    assert terminal.written() == before


# -- check count ---------------------------------------------------------------------------------


def test_a_blind_count_is_checked_without_the_book(terminal: Terminal) -> None:
    """Review of COUNTS, item 1: `check count K --tablets 0` said "0 tablets, 21 in the book"
    to the counter: any figure tried told the book before a count was recorded."""
    before = terminal.written()
    for tried in ("21", "0"):
        code, out, err = terminal("check", "count", "K0001", "--tablets", tried, "--json")
        assert code == 0, err
        assert json.loads(out) == {
            "kit": "K0001",
            "status": "available",
            "counted": int(tried),
            "book": None,
            "open_count": None,
            "difference": None,
            "accepted": True,
            "refusals": [],
            "needs": [],
            "verified_by_username": None,  # no second person named
            "verified_by_name": None,
        }
        code, out, _err = terminal("check", "count", "K0001", "--tablets", tried)
        assert out.splitlines() == [
            "Count of kit K0001: would be accepted as it stands. Nothing was changed.",
            "  Status      available",
            f"  Counted     {tried} tablets",
            "  Book        shown once the count is recorded (the count is blind); a difference "
            "is recorded as counted, then adjusted or counted again",
        ]
        if tried == "0":
            assert "21" not in out.replace("K0001", ""), out
    assert terminal.written() == before


def test_a_wrong_first_count_is_recorded_and_the_recount_says_so(terminal: Terminal) -> None:
    """Review of COUNTS, item 1: `count K --tablets 20` was refused with "differs from the
    book by -1", giving the book away; `--tablets 21` was then recorded as a blind count that
    "matches the book", and the 20 left no trace."""
    code, out, err = terminal("count", "K0001", "--tablets", "19")
    assert code == 0, err
    assert out.splitlines()[0] == (
        "Kit K0001: 19 counted, 21 in the book: difference -2, recorded as counted, not adjusted."
    )
    assert "  Not adjusted: The count of kit K0001 differs from the book by -2." in out
    code, out, err = terminal("count", "K0001", "--tablets", "21", "--json")
    assert code == 0, err
    recount = json.loads(out)
    assert (recount["blind"], recount["difference"]) == (False, 0)
    assert recount["recount_of"] is not None
    code, out, err = terminal("count", "K0001", "--tablets", "21")
    assert "A recount" not in out  # the kit's last count agreed: blind again


def test_a_difference_needs_a_reason_and_a_second_person(
    terminal: Terminal, pharmacist2: Actor
) -> None:
    code, _out, err = terminal("count", "K0001", "--tablets", "19")  # recorded: book shown
    assert code == 0, err
    before = terminal.written()
    code, out, err = terminal("check", "count", "K0001", "--tablets", "19", "--json")
    assert code == 3
    found = json.loads(out)
    assert (found["book"], found["difference"], found["accepted"]) == (21, -2, False)
    assert [(n["needs"], n["given"]) for n in found["needs"]] == [
        ("reason_code", False),
        ("reason", False),
        ("second_person", False),
    ]
    assert err.startswith(
        "Needs a reason code: The count of kit K0001 differs from the book by -2."
    )

    given = ["--reason-code", "breakage", "--reason", "a tablet crushed"]
    code, out, err = terminal("check", "count", "K0001", "--tablets", "19", *given)
    assert code == 3
    assert out.startswith("Count of kit K0001: needs --verified-by.")
    assert "(--verified-by: missing)" in out
    assert err.startswith("Needs a second person who may verify counts")

    assert "  Second person  -\n" in out  # needed, and nobody named yet

    verified = ["--verified-by", pharmacist2.username]
    code, out, err = terminal("check", "count", "K0001", "--tablets", "19", *given, *verified)
    assert (code, err) == (0, "")  # the second person is named: no password is asked
    assert "difference -2" in out
    # Who the user name typed is, as `check destroy` names its witness (it was not said).
    assert f"  Second person  {pharmacist2.full_name} (Pharmacist)\n" in out, out
    code, out, err = terminal(
        "check", "count", "K0001", "--tablets", "19", *given, "--verified-by", "nobody"
    )
    assert "  Second person  nobody\n" in out, out  # no such account: the name as typed
    assert terminal.written() == before


def test_a_count_is_blind_and_a_kit_off_the_shelf_is_refused(terminal: Terminal) -> None:
    code, out, err = terminal("check", "count", "K0001", "--json")
    assert code == 3
    found = json.loads(out)
    assert (found["counted"], found["book"], found["accepted"]) == (None, None, False)
    assert err.startswith("Needs the count: give --tablets N")

    code, out, err = terminal("check", "count", "K0011", "--tablets", "21")
    assert code == 3
    assert "  Refused     Kit K0011 is dispensed; counts are for kits on the shelf." in out
    assert err.startswith("Refused: Kit K0011 is dispensed;")


# -- the options: a script swaps `check X` for `X` ----------------------------------------------

SIGNING_ONLY = {"dispense": {"--checked-by"}}
"""Options of a writing command that only sign (a second person's password): not assessed."""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [group] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(group.choices)


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings}


def test_each_check_takes_the_options_of_its_command() -> None:
    commands = _subcommands(cli.build_parser())
    checks = _subcommands(commands["check"])
    assert list(checks) == ["dispense", "return", "receive", "destroy", "count"]
    for name, check in checks.items():
        assert _options(check) == _options(commands[name]) - SIGNING_ONLY.get(name, set()), name


def test_a_notice_is_shown_by_the_check_and_never_called_overridden(terminal: Terminal) -> None:
    """A rule to confirm is told, and nothing overrides it: `check dispense` shows it (it once
    showed no notice at all), and the dispense no longer prints it as 'Overridden'."""
    enrol = ["enroll", "01-002", "--initials", "CD", "--birth-year", "1971", "--sex", "F"]
    code, _out, err = terminal(
        *enrol, "--criteria-confirmed", "--eligibility-confirmed-by", "Dr Liu"
    )
    assert code == 0, err
    args = ["01-002", "--cycle", "1", "--day1", "2026-01-05", "--platelets", "150"]
    code, out, err = terminal("check", "dispense", *args)
    assert code == 0, err
    assert f"  Notice      {RULE_TO_CONFIRM}" in out
    code, out, err = terminal("check", "dispense", *args, "--json")
    notices = json.loads(out)["notices"]
    assert notices and notices[0]["message"].startswith(RULE_TO_CONFIRM), notices
    code, out, err = terminal("dispense", *args)
    assert code == 0, err
    assert f"  Notice      {RULE_TO_CONFIRM}" in out and "Overridden" not in out, out
    code, out, err = terminal(
        "dispense",
        "01-001",
        "--cycle",
        "2",
        "--day1",
        "2026-01-26",
        "--override-reason",
        "bottle forgotten",
        "--override",
        "previous_return_missing",
        today="2026-01-26",
    )
    assert code == 0, err
    assert "  Overridden  The return of cycle 1" in out, out
    assert any(
        line.startswith("  Overridden  The return of cycle 1")
        and line.endswith("(previous_return_missing)")
        for line in out.splitlines()
    ), out


# -- in Chinese: the human text is translated, the JSON is not ------------------------------------


def test_a_check_in_chinese_says_every_word_in_chinese(terminal: Terminal) -> None:
    assert terminal("count", "K0001", "--tablets", "19")[0] == 0  # a recount is checked
    args = ["--lang", "zh_CN", "check", "count", "K0001", "--tablets", "19"]
    english_json = terminal(*args[2:], "--json")[1]
    code, out, err = terminal(*args)
    assert code == 3
    assert "  状态        可用" in out.splitlines()
    assert "  需要        原因代码（--reason-code：未提供）" in out.splitlines()
    assert err.startswith("需要原因代码：药盒 K0001 的")
    chinese_json = terminal("--lang", "zh_CN", *args[2:], "--json")[1]
    for key in ("kit", "status", "counted", "book", "difference", "accepted"):  # codes as ever
        assert json.loads(chinese_json)[key] == json.loads(english_json)[key]
    assert [n["needs"] for n in json.loads(chinese_json)["needs"]] == [
        "reason_code",
        "reason",
        "second_person",
    ]

    args = ["--lang", "zh_CN", "check", "dispense", "01-001", "--day1", "2026-01-26"]
    # K0002: K0001's count just above is open (19 against 21), which holds it from a dispense.
    named = ["--override", "previous_return_missing", "--override", "not_first_expiry"]
    code, out, err = terminal(
        *args, "--kit", "K0002", "--override-reason", "x", *named, today="2026-01-26"
    )
    assert code == 0, err
    assert "  药盒 K0002   接受：将发放此药盒" in out.splitlines()
    assert "（previous_return_missing；越过警告：仍然发放的理由，已提供）" in out

    destroy = ["--lang", "zh_CN", "check", "destroy", "K0003", "--witness", "x"]
    code, out, err = terminal(*destroy, today="2026-01-26")
    assert code == 3
    assert out.splitlines()[0].startswith("于 2026-01-26 销毁 1 个药盒：已拒绝。")
    assert "  药盒 K0003   可用：" in out
    for said in (out, err):
        for word in ("available", "taken", "given", "missing", "refused", "a reason"):
            assert word not in said, (word, said)
