"""Every person in the `--json` output is named one way (docs/CLI.md, "People in the JSON
output"): `<role>_username` and `<role>_name` (the full name), with `<role>_initials` where the
record holds initials, `actor` being the account that made the record. A script's complaint:
`audit list` called the acting account `user`, `history` called it `by`, and the `_by` keys held
a user name in one command, initials or a full name in another. The old keys stay for one
release, so scripts reading them go on working."""

from __future__ import annotations

from pathlib import Path

from cli_support import DEMO_TODAY, Cli

PEOPLE = {
    "admin": ("Li Wei", "LW"),
    "pharmacist": ("Chen Jing", "CJ"),
    "technician": ("Wang Fang", "WF"),
    "monitor": ("Maria Rossi", "MR"),
}


def test_audit_list_names_the_actor_and_keeps_user(cli: Cli) -> None:
    entries = cli("--json", "audit", "list", "--action", "dispense_voided").json()
    [void] = entries
    assert void["user"] == "pharmacist"  # deprecated, kept for one release
    assert (void["actor_username"], void["actor_name"]) == ("pharmacist", "Chen Jing")
    signed = [e for e in cli("--json", "audit", "list").json() if e["signatures"]]
    assert signed
    for entry in signed:
        assert entry["actor_name"] == PEOPLE[entry["actor_username"]][0]
        for s in entry["signatures"]:
            assert s["name"] == s["full_name"] == PEOPLE[s["username"]][0]


def test_history_names_who_changed_and_who_voided(cli: Cli) -> None:
    record = cli("--json", "history", "01-009").json()
    [change] = record["changes"]
    assert change["by"] == "pharmacist"  # deprecated, kept for one release
    assert (change["actor_username"], change["actor_name"]) == ("pharmacist", "Chen Jing")
    [voided] = [r["voided"] for r in record["dispenses"] if r["voided"]]
    assert (voided["username"], voided["full_name"]) == ("pharmacist", "Chen Jing")  # kept
    assert (voided["actor_username"], voided["actor_name"]) == ("pharmacist", "Chen Jing")


def test_study_rules_name_who_confirmed(cli: Cli) -> None:
    rules = cli("--json", "study", "rules").json()
    open_rule = next(r for r in rules if not r["confirmed"])
    assert (open_rule["confirmed_by_username"], open_rule["confirmed_by_name"]) == (None, None)
    assert open_rule["confirmed_by"] == ""  # kept as it was
    rule = open_rule["rule"]
    done = cli("--json", "study", "confirm", rule, "--reason", "PI agreed", user="admin").json()
    assert done["confirmed_by"] == "admin"
    assert (done["confirmed_by_username"], done["confirmed_by_name"]) == ("admin", "Li Wei")
    listed = {r["rule"]: r for r in cli("--json", "study", "rules").json()}[rule]
    assert listed["confirmed_by"] == "admin"
    assert (listed["confirmed_by_username"], listed["confirmed_by_name"]) == ("admin", "Li Wei")


def test_sign_off_and_reconcile_name_the_signer(cli: Cli) -> None:
    signed = cli("sign-off", "--note", "Visit 3", "--json", user="monitor").json()
    assert signed["signed_off_by"] == "monitor"  # deprecated, kept for one release
    assert (signed["signed_off_by_username"], signed["signed_off_by_name"]) == (
        "monitor",
        "Maria Rossi",
    )
    signoffs = cli("reconcile", "--json", user="monitor").json()["signoffs"]
    mine = [s for s in signoffs if s["username"] == "monitor"]  # "username" kept
    assert mine
    for s in mine:
        assert (s["signed_off_by_username"], s["signed_off_by_name"]) == ("monitor", "Maria Rossi")


def test_temperature_list_names_who_imported_each_file(cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "warm.csv"
    log.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00,21.0\n2026-03-01T11:00:00,22.0\n",
        encoding="utf-8",
    )
    assert cli("temperature", "--area", "IP store 1", str(log), user="technician").code == 0
    [mine] = cli("temperature", "--list", "--limit", "1", "--json").json()
    assert mine["recorded_by"] == "WF"  # initials, kept for one release
    assert (
        mine["recorded_by_username"],
        mine["recorded_by_name"],
        mine["recorded_by_initials"],
    ) == ("technician", "Wang Fang", "WF")


def test_destroy_and_its_check_name_the_witness_and_the_actor(cli: Cli) -> None:
    stock = cli("inventory", "--json", "--status", "available").json()
    kit = stock[0]["kit"]
    options = ("--witness", "technician", "--method", "incineration", "--reference", "R1")
    checked = cli("check", "destroy", kit, *options, "--reason-code", "damaged", "--json")
    assert checked.code in (0, 1), checked.err
    found = checked.json()
    assert found["witness"] == "technician"  # the user name, kept for one release
    assert (found["witness_username"], found["witness_name"]) == ("technician", "Wang Fang")

    done = cli(
        "destroy", kit, *options, "--reason-code", "damaged", "--json",
        env={"DISPENSARY_WITNESS_PASSWORD": "demo-pass-1"},
    )  # fmt: skip
    assert done.code == 0, done.err
    record = done.json()
    assert record["witness"] == "Wang Fang"  # the full name, kept for one release
    assert (record["witness_username"], record["witness_name"]) == ("technician", "Wang Fang")
    assert (record["actor_username"], record["actor_name"], record["actor_initials"]) == (
        "pharmacist",
        "Chen Jing",
        "CJ",
    )


def test_dispense_names_who_dispensed_and_who_checked(cli: Cli) -> None:
    """`dispense --json` named nobody, while the text output says "Dispensed ... by Chen Jing
    (CJ), checked by Wang Fang": the pharmacist who signed and the second person who checked
    are named as every other output names a person; nobody checked, the checker is null."""
    from cli_support import DEMO_TODAY

    day1 = DEMO_TODAY.isoformat()
    for number in ("01-101", "01-102"):
        enrolled = cli(
            "enroll", number, "--initials", "QX", "--birth-year", "1968", "--sex", "F",
            "--criteria-confirmed", "--eligibility-confirmed-by", "Zhenzhen Liu, M.D.",
        )  # fmt: skip
        assert enrolled.code == 0, enrolled.err
    base = ("--cycle", "1", "--day1", day1, "--platelets", "80", "--json")
    checked = cli(
        "dispense", "01-101", *base, "--checked-by", "technician",
        env={"DISPENSARY_CHECKER_PASSWORD": "demo-pass-1"},
    )  # fmt: skip
    assert checked.code == 0, checked.err
    found = checked.json()
    assert (
        found["dispensed_by_username"],
        found["dispensed_by_name"],
        found["dispensed_by_initials"],
    ) == ("pharmacist", "Chen Jing", "CJ")
    assert (found["checked_by_username"], found["checked_by_name"]) == ("technician", "Wang Fang")
    assert found["checked_by_initials"] == "WF"  # as the label and the DARF sign it
    alone = cli("dispense", "01-102", *base)
    assert alone.code == 0, alone.err
    found = alone.json()
    assert (found["dispensed_by_username"], found["dispensed_by_name"]) == (
        "pharmacist",
        "Chen Jing",
    )
    assert (found["checked_by_username"], found["checked_by_name"]) == (None, None)
    assert found["checked_by_initials"] is None


def test_check_destroy_names_an_unknown_witness_null(cli: Cli) -> None:
    """A witness typed who has no account: the user name as typed, the full name null (it was
    "", unlike every other person the JSON cannot name)."""
    stock = cli("inventory", "--json", "--status", "available").json()
    checked = cli(
        "check", "destroy", stock[0]["kit"], "--witness", "nobody", "--method", "incineration",
        "--reference", "R1", "--reason-code", "damaged", "--json",
    )  # fmt: skip
    found = checked.json()
    assert (found["witness_username"], found["witness_name"]) == ("nobody", None)


PHARMACIST = ("pharmacist", "Chen Jing", "CJ")
ENROL = (
    "enroll", "--initials", "QX", "--birth-year", "1968", "--sex", "F",
    "--criteria-confirmed", "--eligibility-confirmed-by", "Zhenzhen Liu, M.D.",
)  # fmt: skip
TECHNICIAN = ("technician", "Wang Fang", "WF")


def _actor(record: dict[str, object]) -> tuple[object, object, object]:
    return record["actor_username"], record["actor_name"], record["actor_initials"]


def test_count_and_its_check_name_the_second_person_and_the_counter(cli: Cli) -> None:
    """`check count --json` with `--verified-by` did not say who the second person is (the
    screen shows "Chen Jing (Pharmacist)"), nor did `count --json` say who counted and who
    countersigned: each is named as every other output names a person."""
    stock = cli("inventory", "--json", "--status", "available").json()
    kit = next(k["kit"] for k in stock if k["tablets"] == 21)
    difference = ("--reason-code", "breakage", "--reason", "One tablet crumbled")
    checked = cli(
        "check", "count", kit, "--tablets", "20", *difference, "--verified-by", "pharmacist",
        "--json", user="technician",
    )  # fmt: skip
    found = checked.json()
    assert (found["verified_by_username"], found["verified_by_name"]) == PHARMACIST[:2]
    alone = cli("check", "count", kit, "--tablets", "20", "--json", user="technician").json()
    assert (alone["verified_by_username"], alone["verified_by_name"]) == (None, None)

    counted = cli(
        "count", kit, "--tablets", "20", *difference, "--verified-by", "pharmacist", "--json",
        user="technician", env={"DISPENSARY_VERIFIER_PASSWORD": "demo-pass-1"},
    )  # fmt: skip
    assert counted.code == 0, counted.err
    record = counted.json()
    assert (record["verified_by_username"], record["verified_by_name"]) == PHARMACIST[:2]
    assert _actor(record) == TECHNICIAN
    matched = cli("count", kit, "--tablets", "20", "--json", user="technician")
    assert matched.code == 0, matched.err
    record = matched.json()  # nobody countersigned a count that matches the book
    assert (record["verified_by_username"], record["verified_by_name"]) == (None, None)
    assert _actor(record) == TECHNICIAN


def test_void_return_and_its_correction_name_who_signed(cli: Cli) -> None:
    """`return`, `correct-return` and `void` named nobody: who recorded each step and signed it
    is the actor, as `destroy` names it."""
    back = ("return", "01-021", "--cycle", "2", "--kit", "K1097", "--tablets", "6", "--json")
    returned = cli(*back, user="technician")
    assert returned.code == 0, returned.err
    assert _actor(returned.json()) == TECHNICIAN
    corrected = cli(
        "correct-return", str(returned.json()["return_id"]), "--tablets", "5",
        "--reason", "recount", "--json",
    )  # fmt: skip
    assert corrected.code == 0, corrected.err
    assert _actor(corrected.json()) == PHARMACIST
    enrolled = cli(*ENROL, "01-103", "--json")
    assert enrolled.code == 0, enrolled.err
    day1 = DEMO_TODAY.isoformat()
    dispensed = cli("dispense", "01-103", "--cycle", "1", "--day1", day1, "--platelets", "80")
    assert dispensed.code == 0, dispensed.err
    [number] = [
        d["dispense_number"] for d in cli("--json", "history", "01-103").json()["dispenses"]
    ]
    voided = cli("void", number, "--reason", "wrong participant", "--json")
    assert voided.code == 0, voided.err
    assert _actor(voided.json()) == PHARMACIST


def test_enrolment_and_its_changes_name_who_made_them(cli: Cli) -> None:
    enrolled = cli(*ENROL, "01-101", "--json")
    assert enrolled.code == 0, enrolled.err
    record = enrolled.json()
    assert _actor(record) == PHARMACIST
    assert record["eligibility_confirmed_by"] == "Zhenzhen Liu, M.D."  # a name typed
    steps = [
        ("participant-correct", "01-101", "--initials", "QY", "--reason", "typo"),
        ("participant-status", "01-101", "discontinued", "--reason", "withdrew consent"),
        ("correct-status", "01-101", "--status", "completed", "--reason", "completed, not stopped"),
        ("participant-void", "01-102", "--reason", "entered in error"),
    ]
    assert cli(*ENROL, "01-102").code == 0
    for step in steps:
        done = cli(*step, "--json")
        assert done.code == 0, (step, done.err)
        assert _actor(done.json()) == PHARMACIST, step


def test_quarantine_and_release_name_who_did_them(cli: Cli) -> None:
    stock = cli("inventory", "--json", "--status", "available").json()
    kit = stock[0]["kit"]
    held = cli("quarantine", kit, "--reason", "carton crushed", "--json")
    assert held.code == 0, held.err
    assert _actor(held.json()) == PHARMACIST
    released = cli("release", kit, "--reason", "sponsor: usable", "--reference", "TE-1", "--json")
    assert released.code == 0, released.err
    assert _actor(released.json()) == PHARMACIST


def test_receive_names_who_received(cli: Cli) -> None:
    """`receive --json` named nobody, while every other step's JSON names who made it: the
    account that received the shipment (its receipt's audit entry's actor) is `actor_...`."""
    received = cli(
        "receive", "--shipment", "SH-PEOPLE", "--product", "herombopag-2.5mg",
        "--lot", "HT2611P", "--expiry", "2027-12-31", "--kits", "K9501-K9502", "--json",
        user="technician",
    )  # fmt: skip
    assert received.code == 0, received.err
    record = received.json()
    assert record["kits"] == ["K9501", "K9502"]
    assert (record["actor_username"], record["actor_name"], record["actor_initials"]) == (
        "technician",
        "Wang Fang",
        "WF",
    )
    [entry] = [
        e
        for e in cli("--json", "audit", "list", "--action", "receive").json()
        if e["entity_id"] == "SH-PEOPLE"
    ]
    assert entry["actor_username"] == record["actor_username"]  # as the audit trail names it
