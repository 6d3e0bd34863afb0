"""`dispensary study list|add|close|access` and the global --study (DISPENSARY_STUDY): the demo
pharmacy holds three studies, and a study's command asks which one it is for."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli_support import Cli

from dispensary.study import default_study_path

OTHER = "NCT99999999"
DEMO = ["DEMO-28D-BID", "DEMO-2DRUG", "NCT07198672"]
NO_STUDY: dict[str, str | None] = {"DISPENSARY_STUDY": None}


def _other_file(tmp_path: Path) -> Path:
    text = default_study_path().read_text(encoding="utf-8")
    path = tmp_path / "other.toml"
    path.write_text(
        text.replace('protocol = "NCT07198672"', f'protocol = "{OTHER}"'), encoding="utf-8"
    )
    return path


def _add_other(cli: Cli, tmp_path: Path) -> None:
    added = cli(
        "--json", "study", "add", str(_other_file(tmp_path)), "--reason", "opens", user="admin"
    )
    assert added.code == 0, added.err
    assert added.json()["protocol"] == OTHER and added.json()["status"] == "open"


def test_study_list_names_the_studies_the_user_may_work_in(cli: Cli, tmp_path: Path) -> None:
    listed = cli("--json", "study", "list", env=NO_STUDY)
    assert listed.code == 0, listed.err
    rows = listed.json()
    assert [r["protocol"] for r in rows] == DEMO
    assert {"protocol", "title", "status", "version", "participants", "kits"} <= set(rows[0])
    assert all(r["status"] == "open" for r in rows)
    nct = next(r for r in rows if r["protocol"] == "NCT07198672")
    assert nct["participants"] == 24 and nct["kits"] == 174
    # The monitor monitors the first study only.
    assert [r["protocol"] for r in cli("--json", "study", "list", user="monitor").json()] == [
        "NCT07198672"
    ]
    _add_other(cli, tmp_path)
    admin_sees = cli("--json", "study", "list", user="admin", env=NO_STUDY).json()
    assert [r["protocol"] for r in admin_sees] == [*DEMO[:2], "NCT07198672", OTHER]
    assert OTHER not in {r["protocol"] for r in cli("--json", "study", "list").json()}
    text = cli("study", "list", user="admin", env=NO_STUDY).out
    assert OTHER in text and "open" in text


def test_several_studies_need_the_study_named(
    cli: Cli, tmp_path: Path, state: Callable[[str], dict[str, Any]]
) -> None:
    before = state(cli.db)
    asked = cli("inventory", env=NO_STUDY)
    assert asked.code == 2
    assert "several studies: name the one you work in with --study PROTOCOL" in asked.err
    assert asked.err.rstrip().endswith(f"Yours: {', '.join(DEMO)}.")
    assert state(cli.db) == before
    mine = cli("--json", "--study", "NCT07198672", "inventory", env=NO_STUDY)
    assert mine.code == 0 and len(mine.json()) == 174
    two = cli("--json", "inventory", env={"DISPENSARY_STUDY": "DEMO-2DRUG"})
    assert two.code == 0 and {k["product"] for k in two.json()} == {
        "democapib-100mg",
        "demotinib-25mg",
    }
    # The pharmacist has no access to a new study yet; the administrator gives it.
    _add_other(cli, tmp_path)
    refused = cli("inventory", "--study", OTHER)
    assert refused.code == 4 and f"has no study {OTHER} to work in" in refused.err
    given = cli(
        "--json", "study", "access", "pharmacist", OTHER, "--reason", "covers it", user="admin"
    )
    assert given.code == 0, given.err
    assert given.json()["studies"] == [*DEMO[:2], "NCT07198672", OTHER]
    theirs = cli("--json", "inventory", env={"DISPENSARY_STUDY": OTHER})
    assert theirs.code == 0 and theirs.json() == []
    unknown = cli("inventory", "--study", "NCT000")
    assert unknown.code != 0 and "NCT000" in unknown.err


def test_a_study_is_closed_by_the_administrator(cli: Cli, tmp_path: Path) -> None:
    _add_other(cli, tmp_path)
    refused = cli("study", "close", OTHER, "--reason", "done")
    assert refused.code == 4 and "may not change the study set-up" in refused.err
    closed = cli("--json", "study", "close", OTHER, "--reason", "never opened", user="admin")
    assert closed.code == 0, closed.err
    assert closed.json()["status"] == "closed"
    cli("study", "access", "pharmacist", OTHER, "--reason", "read its records", user="admin")
    enrol = cli(
        "enroll", "09-001", "--initials", "AB", "--birth-year", "1970", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", "Dr Liu", "--study", OTHER,
    )  # fmt: skip
    assert enrol.code == 4 and f"Study {OTHER} is closed" in enrol.err
    busy = cli("study", "close", "DEMO-2DRUG", "--reason", "done", user="admin")
    assert busy.code == 3 and "still has" in busy.err


def test_the_inventory_of_every_study(cli: Cli) -> None:
    everything = cli("--json", "inventory", "--every-study", env=NO_STUDY)
    assert everything.code == 0, everything.err
    rows = everything.json()
    assert {r["study"] for r in rows} == set(DEMO)
    assert len([r for r in rows if r["study"] == "NCT07198672"]) == 174
    monitor = cli("--json", "inventory", "--every-study", user="monitor", env=NO_STUDY).json()
    assert {r["study"] for r in monitor} == {"NCT07198672"}
    text = cli("inventory", "--every-study", "--status", "available", env=NO_STUDY).out
    assert "DEMO-2DRUG" in text.splitlines()[2] or "DEMO-2DRUG" in text


def test_the_inventory_of_every_study_adds_no_tablets_of_two_studies_together(cli: Cli) -> None:
    """Of two studies of tablets only, the footer added herombopag 7.5 mg and demoxatinib
    tablets into one figure ("available to dispense: 17 kits, 411 tablets"): each study's
    products are totalled on their own, named with their study."""
    taken = cli(
        "study", "access", "pharmacist", "DEMO-2DRUG", "--remove", "--reason", "left it",
        user="admin",
    )  # fmt: skip
    assert taken.code == 0, taken.err
    rows = cli("--json", "inventory", "--every-study", env=NO_STUDY).json()
    assert {r["study"] for r in rows} == {"DEMO-28D-BID", "NCT07198672"}
    summary = cli("inventory", "--every-study", env=NO_STUDY).out.splitlines()[-1]
    totals = re.findall(r"([A-Z0-9-]+) ([^:,]+): (\d+) tablets", summary)
    assert {study for study, _product, _n in totals} == {"DEMO-28D-BID", "NCT07198672"}, summary
    assert len(totals) == len({(study, product) for study, product, _n in totals}) >= 3
    assert re.search(r"kits, \d+ tablets\.$", summary) is None, summary
    # One study's inventory keeps its one figure.
    one = cli("--study", "NCT07198672", "inventory").out.splitlines()[-1]
    assert one.endswith(" tablets.") and "holding" not in one, one


def test_a_monitor_is_told_nothing_of_the_studies_they_do_not_monitor(cli: Cli) -> None:
    """The demo's monitor monitors NCT07198672 only: `user list` gives the accounts working in
    it, each with that study alone, and says so; a participant of a study they do not monitor
    is refused without naming it. The pharmacist, who works in all three, is told which, and
    the administrator lists every account with every study."""
    listed = cli("--json", "user", "list", user="monitor")
    assert listed.code == 0, listed.err
    rows = listed.json()
    assert {r["username"]: r["studies"] for r in rows} == {
        name: ["NCT07198672"] for name in ("admin", "monitor", "pharmacist", "technician")
    }
    said = cli("user", "list", user="monitor")
    assert said.code == 0, said.err
    assert "The accounts that work in your studies, with those studies only" in said.out
    every = {
        r["username"]: r["studies"] for r in cli("--json", "user", "list", user="admin").json()
    }
    assert every["pharmacist"] == every["admin"] == DEMO
    assert "your studies" not in cli("user", "list", user="admin").out
    refused = cli("history", "11-001", user="monitor")
    assert refused.code == 3, refused.err
    assert "Participant 11-001 is recorded in another study of this pharmacy" in refused.err
    assert "DEMO" not in refused.err + said.out + listed.out
    named = cli("history", "11-001", user="pharmacist")
    assert named.code == 3 and "Participant 11-001 is of study DEMO-28D-BID" in named.err


def test_the_protocols_are_told_to_the_signed_in_user_their_own_only(
    cli: Cli, tmp_path: Path, state: Callable[[str], dict[str, Any]]
) -> None:
    """Before the sign-in the command lists no protocol; the monitor (of NCT07198672 only) is
    told theirs, and refused alike a protocol the pharmacy does not hold and one of another
    sponsor's study (same words, same exit), which --study, DISPENSARY_STUDY or a site-wide
    command could otherwise tell apart; the administrator is told which studies it holds."""
    _add_other(cli, tmp_path)
    before = state(cli.db)
    nobody = cli("inventory", user=None, env=NO_STUDY)
    assert nobody.code == 2 and "several studies: name the one you work in" in nobody.err
    assert "study list` lists yours" in nobody.err
    wrong = cli("inventory", env={"DISPENSARY_STUDY": None, "DISPENSARY_PASSWORD": "wrong"})
    assert wrong.code == 2 and "study list` lists yours" in wrong.err
    monitor = cli("inventory", user="monitor", env=NO_STUDY)
    assert monitor.code == 2 and monitor.err.rstrip().endswith("Yours: NCT07198672.")
    for told in (nobody, wrong, monitor):
        assert "DEMO" not in told.err and OTHER not in told.err
    said = set()
    for protocol in ("DEMO-2DRUG", OTHER, "NCT00000000"):
        for asked in (
            cli("inventory", "--study", protocol, user="monitor"),
            cli("inventory", user="monitor", env={"DISPENSARY_STUDY": protocol}),
            cli("study", "list", "--study", protocol, user="monitor"),
        ):
            assert asked.code == 4, asked.err
            said.add(asked.err.replace(protocol, "<asked>"))
    assert len(said) == 1, said
    (words,) = said
    assert "monitor has no study <asked> to work in" in words
    assert "Check the protocol number, or ask an administrator for access" in words
    assert "DEMO" not in words and OTHER not in words
    assert words.rstrip().endswith("monitor's studies: NCT07198672.")
    unsigned = cli("inventory", "--study", "NCT00000000", user=None)
    assert unsigned.code == cli("inventory", "--study", OTHER, user=None).code != 0
    assert "NCT07198672" not in unsigned.err
    # A product the command refuses names the study's products: only after the sign-in, so
    # with no password a held protocol and one not held read alike.
    shipment = ["--shipment", "S", "--kits", "K1-K2", "--product", "NOPE", "--lot", "L"]
    shipment += ["--expiry", "2028-01-01"]
    for command in (["check", "receive"], ["receive"]):
        held, missing = (
            cli(*command, *shipment, env={"DISPENSARY_STUDY": protocol}, user=None)
            for protocol in ("DEMO-2DRUG", "NCT00000000")
        )
        assert held.code == missing.code == 4, (held.err, missing.err)
        assert "democapib" not in held.err
        assert held.err.replace("DEMO-2DRUG", "<asked>") == missing.err.replace(
            "NCT00000000", "<asked>"
        )
    boss = cli("inventory", "--study", "NCT00000000", user="admin")
    assert boss.code == 2 and f"holds NCT07198672, DEMO-28D-BID, DEMO-2DRUG, {OTHER}" in boss.err
    assert state(cli.db) == before


def test_trace_answers_a_lot_of_another_study_as_a_lot_that_does_not_exist(
    cli: Cli, tmp_path: Path
) -> None:
    """`trace` looked a lot up in every study: the monitor of NCT07198672 was told DX2601 (a
    DEMO-28D-BID lot) exists ("0 dispenses to 0 participants", exit 0) while an unknown lot was
    "no lot" (exit 3). Now the open study's lots only, as `report lot`: the two answers are the
    same, byte for byte but the number asked."""
    report = ["report", "lot", "--out", str(tmp_path / "lot.pdf"), "--lot"]
    for command in (["trace"], report):
        other = cli(*command, "DX2601", user="monitor")
        unknown = cli(*command, "NOSUCH", user="monitor")
        assert other.code == unknown.code == 3, (other.err, unknown.err)
        assert other.out == unknown.out == ""
        assert other.err == unknown.err.replace("NOSUCH", "DX2601")
        assert "There is no lot 'DX2601' in the stock records. Check the number." in other.err
    own = cli("trace", "DX2601", user="pharmacist", env={"DISPENSARY_STUDY": "DEMO-28D-BID"})
    assert own.code == 0 and own.out.startswith("Lot DX2601: "), own.err


def test_a_study_whose_label_does_not_fit_its_default_stock_is_not_added(
    cli: Cli, tmp_path: Path
) -> None:
    """The label was refused only at print time, after the first dispense was saved."""
    path = _other_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = 'directions = "Take {tablets} by mouth once daily in the evening, '
    assert start in text
    long = start + "with a full glass of water, never with grapefruit juice or antacids, " * 5
    path.write_text(text.replace(start, long), encoding="utf-8")
    added = cli("study", "add", str(path), "--reason", "opens", user="admin")
    assert added.code == 3, added.err
    said = " ".join(added.err.split())
    assert f"Study {OTHER}, its default stock checked with a sample dispense in en:" in said
    assert "does not fit even at" in said and "([label] directions)" in said
    assert "Name a larger stock in the study file's [label] default_stock: it fits on" in said
    listed = cli("--json", "study", "list", user="admin", env=NO_STUDY).json()
    assert OTHER not in {r["protocol"] for r in listed}


def test_the_inventory_of_every_study_counts_each_kit_by_its_own_studys_cycle(cli: Cli) -> None:
    """Available to dispense is a kit lasting a cycle of its own study dispensed today: a
    DEMO-28D-BID kit that lasts 21 days and a margin, not 28, was counted as available when
    the study open (--study) was the 21-day NCT07198672, and not when it was DEMO-28D-BID."""
    before = cli("inventory", "--every-study", "--study", "DEMO-28D-BID").out.splitlines()[-1]
    # Today 2026-03-02: a 21-day cycle and its 7 days of margin end 2026-03-29, a 28-day one
    # 2026-04-05: a kit expiring 2026-04-01 lasts the first and not the second.
    received = cli(
        "--study", "DEMO-28D-BID", "receive", "--shipment", "SH-SHORT",
        "--product", "demoxatinib-50mg", "--lot", "DX-SHORT", "--expiry", "2026-04-01",
        "--kits", "X9001-X9002",
    )  # fmt: skip
    assert received.code == 0, received.err
    assert "cannot cover a cycle" in received.out
    for study in DEMO:
        said = cli("inventory", "--every-study", "--study", study)
        assert said.code == 0, said.err
        summary = said.out.splitlines()[-1]
        assert summary.split(";")[1:] == before.split(";")[1:], (study, summary)
        assert summary.startswith(f"{int(before.split()[0]) + 2} kits;"), summary


def test_check_receive_tells_nothing_of_a_lot_of_a_study_the_user_cannot_open(
    cli: Cli, tmp_path: Path
) -> None:
    """A lot (one expiry in the pharmacy) that only another sponsor's study holds, given with
    another expiry: `check receive --json` gave the line and the refusal the code `lot_expiry`
    (the other study's lot has another expiry than this one: a script could try the dates one
    by one). Now `lot_elsewhere`, and neither the code nor the message says a word of expiries;
    to the pharmacist who works in that study, `lot_expiry` with the expiry recorded."""
    _add_other(cli, tmp_path)
    given = cli("study", "access", "technician", OTHER, "--reason", "works it", user="admin")
    assert given.code == 0, given.err
    product = ["--product", "herombopag-7.5mg", "--lot", "LZ"]
    received = cli(
        "receive", "--study", OTHER, "--shipment", "SH-Z", "--kits", "Z0001-Z0002",
        *product, "--expiry", "2028-06-30", user="technician",
    )  # fmt: skip
    assert received.code == 0, received.err
    check = ["--json", "check", "receive", "--shipment", "SH-Y", "--kits", "Y0001", *product]
    check += ["--expiry", "2028-09-30", "--study", "NCT07198672"]
    hidden = cli(*check)
    assert hidden.code == 3, hidden.err
    data = hidden.json()
    assert [r["code"] for r in data["refusals"]] == ["lot_elsewhere"]
    assert [line["code"] for line in data["lines"]] == ["lot_elsewhere"]
    assert "2028-06-30" not in hidden.out and "expir" not in data["refusals"][0]["message"]
    assert OTHER not in hidden.out
    cli("study", "access", "pharmacist", OTHER, "--reason", "works it again", user="admin")
    told = cli(*check)
    assert [r["code"] for r in told.json()["refusals"]] == ["lot_expiry"]
    assert "2028-06-30" in told.json()["refusals"][0]["message"]


def test_a_shipment_number_is_the_study_s_own_and_one_of_several_studies_is_asked_for(
    cli: Cli, tmp_path: Path
) -> None:
    """Two studies each receive their own SH-X (the second was refused: shipment numbers were
    unique in the pharmacy); each study's `label shipment SH-X` is its own kits; asked in a
    third study, the refusal names the two and asks for --study."""
    for protocol, kits, product in (
        ("NCT07198672", "Y0001-Y0002", "herombopag-7.5mg"),
        ("DEMO-2DRUG", "Y0101-Y0102", "democapib-100mg"),
    ):
        done = cli(
            "receive", "--study", protocol, "--shipment", "SH-X", "--kits", kits,
            "--product", product, "--lot", f"LY-{protocol}", "--expiry", "2028-06-30",
        )  # fmt: skip
        assert done.code == 0, done.err
    again = cli(
        "receive", "--study", "DEMO-2DRUG", "--shipment", "sh-x", "--kits", "Y0103",
        "--product", "democapib-100mg", "--lot", "LY-DEMO-2DRUG", "--expiry", "2028-06-30",
    )  # fmt: skip
    assert again.code == 3 and "Shipment SH-X has already been received" in again.err
    out = str(tmp_path / "labels.pdf")
    own = cli("--json", "label", "shipment", "SH-X", "--out", out, "--study", "DEMO-2DRUG")
    assert own.code == 0, own.err
    assert own.json()["items"] == ["Y0101", "Y0102"]
    asked = cli("label", "shipment", "SH-X", "--out", out, "--force", "--study", "DEMO-28D-BID")
    assert asked.code == 3, asked.err
    assert "studies DEMO-2DRUG, NCT07198672 each have a shipment of that number" in asked.err
    assert "--study PROTOCOL" in asked.err
