"""Stock through the command: receiving (range and manifest), quarantine, logger files, counts
and destruction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli_support import Cli

P25, P75 = "herombopag-2.5mg", "herombopag-7.5mg"


def test_receiving_by_range_and_by_manifest_with_defaults(cli: Cli, tmp_path: Path) -> None:
    by_range = cli(
        "receive", "--shipment", "SH-0101", "--product", P25, "--lot", "HT2601R",
        "--expiry", "2027-12-31", "--kits", "K9001-K9003,K9010", "--json", user="technician",
    )  # fmt: skip
    assert by_range.code == 0, by_range.err
    received = by_range.json()
    assert received["kits"] == ["K9001", "K9002", "K9003", "K9010"]
    assert (received["tablets"], received["quarantined"]) == (4 * 42, False)

    manifest = tmp_path / "manifest.csv"
    manifest.write_text("kit,product\nK9101,\nK9102,herombopag-7.5mg\n\n", encoding="utf-8")
    by_manifest = cli(
        "receive", "--shipment", "SH-0102", "--manifest", str(manifest), "--product", P75,
        "--lot", "HT2602M", "--expiry", "2028-06-30", "--temperature-failed",
    )  # fmt: skip
    assert by_manifest.code == 0, by_manifest.err
    assert "every kit is QUARANTINED" in by_manifest.out
    lot = cli("inventory", "--lot", "HT2602M", "--json").json()
    assert lot == [
        {"kit": k, "product": P75, "lot": "HT2602M", "expiry": "2028-06-30",
         "status": "quarantined", "tablets": 21, "shown_status": "quarantined"}
        for k in ("K9101", "K9102")
    ]  # fmt: skip

    released = cli(
        "release", "K9101", "K9102", "--reason", "Sponsor accepted the logger data",
        "--reference", "TE-2026-014",
    )  # fmt: skip
    assert released.code == 0, released.err
    assert released.out.startswith("Released 2 kits: K9101, K9102.")
    assert "  Sponsor's decision  TE-2026-014" in released.out.splitlines()
    # What the decision covered: why each kit was held (review: the release named nothing).
    held = [line for line in released.out.splitlines() if line.startswith("  Held for  ")]
    assert [line.split(":")[0] for line in held] == ["  Held for  K9101", "  Held for  K9102"]
    assert all("temperature" in line for line in held), held


def test_a_release_without_the_sponsors_reference_is_refused_saying_where_to_type_it(
    cli: Cli, demo_db: str, state: Callable[[str], dict[str, Any]]
) -> None:
    """A quarantined kit goes back to stock only on the sponsor's written decision: `release`
    with a reason alone released it. Refused, nothing written; with --reference it is released
    and the reference kept: the release prints it, its JSON and the kit's history hold it."""
    held = cli("quarantine", "K5011", "--reason", "seal broken")
    assert held.code == 0, held.err
    before = state(demo_db)
    for blank in ([], ["--reference", ""], ["--reference", "  "]):
        refused = cli("release", "K5011", "--reason", "sponsor said yes", *blank)
        assert refused.code == 3, refused.err
        assert refused.err.strip().endswith(
            "Type the sponsor's reference of its decision to release the kits (the decision or "
            "excursion assessment number, e.g. TE-2026-014): a quarantined kit goes back to "
            "stock only on the sponsor's written decision. Give it with --reference."
        ), refused.err
    assert state(demo_db) == before
    released = cli(
        "release", "K5011", "--reason", "sponsor said yes", "--reference", "TE-2026-014", "--json"
    )
    assert released.code == 0, released.err
    assert released.json()["sponsor_reference"] == "TE-2026-014"
    history = cli("audit", "list", "--kit", "K5011")
    assert history.code == 0, history.err
    [line] = [x for x in history.out.splitlines() if "TE-2026-014" in x]
    assert "Release from quarantine" in line, history.out
    assert "Sponsor's decision TE-2026-014; sponsor said yes" in line, history.out


def test_a_kit_range_missing_its_end_is_refused_and_nothing_is_received(
    cli: Cli, demo_db: str, state: Callable[[str], dict[str, Any]]
) -> None:
    """'K1400-' was received as a kit of that number, and K1400 later as a second one."""
    before = state(demo_db)
    receive = [
        "receive", "--shipment", "SH-R", "--product", P75, "--lot", "HT2610X",
        "--expiry", "2028-11-04",
    ]  # fmt: skip
    for kits in ("K1400-", "-K1400", "K1400--K1405", "K1405-K1400", "K1400-J1405", "K1399,K1400-"):
        refused = cli(*receive, f"--kits={kits}")
        assert refused.code == 3, (kits, refused.err)
        assert "K0001-K0050" in refused.err or "runs backwards" in refused.err, refused.err
    assert state(demo_db) == before
    received = cli(*receive, "--kits", "K1400-K1401", "--json")
    assert received.code == 0, received.err
    assert received.json()["kits"] == ["K1400", "K1401"]


def test_a_kit_numbered_as_a_dispensing_label_or_a_lot_is_refused_and_nothing_is_received(
    cli: Cli, demo_db: str, state: Callable[[str], dict[str, Any]], tmp_path: Path
) -> None:
    """A dispensing label's number and a lot's number were received as kit numbers (review
    finding), by --kits and by a manifest. Each is refused naming what the code is, and the
    kit or the manifest's line; nothing of the shipment is received."""
    every = cli("inventory", "--every-study", "--json").json()
    ours = next(k["lot"] for k in every if k["study"] == "NCT07198672")
    theirs = next(k["lot"] for k in every if k["study"] != "NCT07198672")  # any study's lot
    before = state(demo_db)
    receive = [
        "receive", "--shipment", "SH-L", "--product", P75, "--lot", "HT2699N",
        "--expiry", "2028-06-30",
    ]  # fmt: skip
    lot_words = "is a lot number, not a kit number: each kit is received under the number"
    for kits, words in (
        ("K9001,dsp000123", "DSP000123 is a dispensing label's number, not a kit number"),
        (f"K9001,{ours.lower()}", f"{ours} {lot_words}"),
        (f"{theirs},K9001", f"{theirs} {lot_words}"),
        ("K9001,HT2699N", f"HT2699N {lot_words}"),  # the lot received with it
    ):
        refused = cli(*receive, "--kits", kits, user="technician")
        assert (refused.code, refused.out) == (3, ""), (kits, refused.err)
        assert f"Refused: {words}" in refused.err, refused.err

    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        f"kit,lot,expiry,tablets\nK9101,HT2699N,2028-06-30,21\n\n{ours},HT2699N,2028-06-30,21\n",
        encoding="utf-8",
    )
    by_manifest = ["receive", "--shipment", "SH-M", "--manifest", str(manifest), "--product", P75]
    refused = cli(*by_manifest)
    assert refused.code == 3 and f"Refused: {ours} {lot_words}" in refused.err, refused.err
    checked = cli("check", *by_manifest, "--json")
    assert checked.code == 3
    assert [(line["kit"], line["code"]) for line in checked.json()["lines"]] == [
        ("K9101", None),
        (ours, "lot_number"),
    ]
    manifest.write_text(
        "kit,lot,expiry,tablets\nK9101,HT2699N,2028-06-30,21\n\nDSP000123,HT2699N,2028-06-30,21\n",
        encoding="utf-8",
    )
    refused = cli(*by_manifest)
    assert refused.code == 3, refused.err
    assert "Manifest line 4: DSP000123 is a dispensing label's number" in refused.err
    chinese = cli("--lang", "zh_CN", *receive, "--kits", f"K9001,{ours}")
    assert f"{ours} 是批号，不是药盒编号" in chinese.err, chinese.err
    assert state(demo_db) == before


def test_a_participant_s_study_number_is_not_received_as_a_kit(
    cli: Cli, demo_db: str, state: Callable[[str], dict[str, Any]], tmp_path: Path
) -> None:
    """Enrolling a kit's number is refused; a kit numbered as a participant (01-005 on a
    manifest line) was received, and a scan of it found the participant. Refused, by `check
    receive` and `receive`, nothing written; so a number of the participants' form."""
    before = state(demo_db)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "kit,lot,expiry,tablets\nK9101,HT2699N,2028-06-30,21\n01-005,HT2699N,2028-06-30,21\n"
        "01-090,HT2699N,2028-06-30,21\n",
        encoding="utf-8",
    )
    by_manifest = ["receive", "--shipment", "SH-P", "--manifest", str(manifest), "--product", P75]
    checked = cli("check", *by_manifest, "--json", user="technician")
    assert checked.code == 3
    assert [(line["kit"], line["code"]) for line in checked.json()["lines"]] == [
        ("K9101", None),
        ("01-005", "participant_number"),
        ("01-090", "participant_number"),
    ]
    refused = cli(*by_manifest, user="technician")
    assert (refused.code, refused.out) == (3, ""), refused.err
    assert (
        "Refused: 01-005 is a participant's study number in this pharmacy, not a kit number: "
        "a scan of the kit would find the participant." in refused.err
    ), refused.err
    chinese = cli("--lang", "zh_CN", *by_manifest, user="technician")
    assert "01-005 是本药房受试者的研究编号，不是药盒编号" in chinese.err, chinese.err
    assert state(demo_db) == before


def test_a_logger_excursion_quarantines_the_kits_on_the_shelf(cli: Cli, tmp_path: Path) -> None:
    # The store is the pharmacy's: an excursion there quarantines every study's kits in it,
    # each study's by its own range (NCT07198672's and DEMO-28D-BID's, both 2-25 °C;
    # DEMO-2DRUG keeps its kits in IP store 2).
    every = cli("inventory", "--every-study", "--status", "available", "--json").json()
    shelf = [k for k in every if k["study"] != "DEMO-2DRUG"]
    assert {k["study"] for k in shelf} == {"NCT07198672", "DEMO-28D-BID"}
    log = tmp_path / "logger.csv"
    log.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00,21.0\n2026-03-01T11:00:00,27.5\n"
        "2026-03-01T12:00:00,26.0\n2026-03-01T13:00:00,22.0\n",
        encoding="utf-8",
    )
    result = cli("temperature", "--area", "IP store 1", str(log), "--json", user="technician")
    assert result.code == 0, result.err
    found = result.json()["excursions"]
    assert [e["study"] for e in found] == ["NCT07198672", "DEMO-28D-BID"]
    assert {(e["lowest"], e["highest"]) for e in found} == {(26.0, 27.5)}
    for excursion in found:
        theirs = [k["kit"] for k in shelf if k["study"] == excursion["study"]]
        assert sorted(excursion["kits_quarantined"]) == sorted(theirs)


def test_a_cool_logger_file_quarantines_only_the_study_kept_warmer(
    cli: Cli, tmp_path: Path
) -> None:
    """10 °C in IP store 1: within NCT07198672's 2-25 °C, below DEMO-28D-BID's 15-25 °C. The
    technician, without access to DEMO-28D-BID, is told how many of its kits were quarantined,
    not which, and who settles them (told to release or destroy kits they could not open,
    before); the pharmacist of both reads them."""
    removed = cli(
        "study", "access", "technician", "DEMO-28D-BID", "--remove", "--reason", "not on it",
        user="admin",
    )  # fmt: skip
    assert removed.code == 0, removed.err
    every = cli("inventory", "--every-study", "--status", "available", "--json").json()
    bid = sorted(k["kit"] for k in every if k["study"] == "DEMO-28D-BID" and k["kit"])
    log = tmp_path / "cool.csv"
    log.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00,21.0\n2026-03-01T11:00:00,10.0\n"
        "2026-03-01T12:00:00,21.0\n",
        encoding="utf-8",
    )
    result = cli("temperature", "--area", "IP store 1", str(log), user="technician")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "IP store 1: every reading within 2-25 °C for study NCT07198672.",
        f"IP store 1: {len(bid)} kits of a study you have no access to quarantined, outside "
        "that study's own temperature range; a user of that study sees them on the "
        "Temperature screen and in the inventory, asks the sponsor, and releases or destroys "
        "them.",
    ]  # not "Ask the sponsor; then `dispensary release` ... the kits": not the technician's
    assert "dispensary release" not in result.out
    assert not any(kit in result.out for kit in bid)
    after = cli("inventory", "--every-study", "--status", "available", "--json").json()
    assert not any(k["study"] == "DEMO-28D-BID" for k in after)
    assert [k for k in after if k["study"] == "NCT07198672"] == [
        k for k in every if k["study"] == "NCT07198672"
    ]


def test_a_count_with_a_difference_and_a_witnessed_destruction(cli: Cli) -> None:
    stock = cli("inventory", "--json").json()
    returned = [k for k in stock if k["status"] == "returned"][:2]
    on_shelf = next(k for k in stock if k["status"] == "available" and k["tablets"] == 21)

    counted = cli(
        "count", on_shelf["kit"], "--tablets", "20", "--reason-code", "breakage",
        "--reason", "One tablet crumbled", "--verified-by", "pharmacist", "--json",
        user="technician", env={"DISPENSARY_VERIFIER_PASSWORD": "demo-pass-1"},
    )  # fmt: skip
    assert counted.code == 0, counted.err
    assert counted.json() | {"count_id": 0} == {
        "count_id": 0, "kit": on_shelf["kit"], "counted": 20, "book": 21,
        "difference": -1, "adjusted": True, "blind": True, "recount_of": None,
        "still_needed": [],
        # who counted and signed, who countersigned (docs/CLI.md, "People in the JSON output")
        "actor_username": "technician", "actor_name": "Wang Fang", "actor_initials": "WF",
        "verified_by_username": "pharmacist", "verified_by_name": "Chen Jing",
    }  # fmt: skip

    kits = [k["kit"] for k in returned]
    # returned after the monitor's last sign-off: acknowledged (the monitor has not seen them)
    destroy = ["destroy", *kits, "--method", "Incineration", "--json", "--unseen-returns-ok"]
    unwitnessed = cli(*destroy, "--witness", "Wang Fang", "--reference", "DEST-2026-002")
    assert unwitnessed.code == 3  # the witness is a user of the program, who signs
    assert "There is no user 'Wang Fang'" in unwitnessed.err
    unauthorised = cli(*destroy, "--witness", "technician")
    assert unauthorised.code == 2  # required, as --witness and --method are
    assert "the following arguments are required: --reference" in unauthorised.err
    destroyed = cli(
        *destroy, "--witness", "technician", "--reference", "DEST-2026-002",
        env={"DISPENSARY_WITNESS_PASSWORD": "demo-pass-1"},
    )  # fmt: skip
    assert destroyed.code == 0, destroyed.err
    record = destroyed.json()
    assert (record["kits"], record["tablets"]) == (kits, sum(k["tablets"] for k in returned))
    assert (record["witness"], record["to_sponsor"]) == ("Wang Fang", False)
    assert (record["reference"], record["reason_code"]) == ("DEST-2026-002", None)


def test_five_wrong_countersignatures_lock_the_verifiers_account(cli: Cli) -> None:
    """The second person's password at a countersignature is counted like a sign-in."""
    stock = cli("inventory", "--json").json()
    on_shelf = next(k for k in stock if k["status"] == "available" and k["tablets"] == 21)
    count = ["count", on_shelf["kit"], "--tablets", "20", "--reason-code", "breakage"]
    count += ["--reason", "One tablet crumbled", "--verified-by", "pharmacist"]
    guess = {"DISPENSARY_VERIFIER_PASSWORD": "guess-guess-1"}
    for attempt in range(1, 6):
        refused = cli(*count, user="technician", env=guess)
        assert refused.code == 4, refused.err
        assert "The verifier's password is wrong: pharmacist, who countersigns" in refused.err
        assert "Nothing was saved; ask pharmacist to type it again." in refused.err
        left = (
            (
                f"{5 - attempt} attempts left before the account of pharmacist locks."
                if attempt < 4
                else "1 attempt left before the account of pharmacist locks."
            )
            if attempt < 5
            else "The account of pharmacist is now locked"
        )
        assert left in refused.err
    assert cli("participants").code == 4  # the pharmacist can no longer sign in
    entries = cli("audit", "list", "--action", "signature_failed", "--json", user="admin").json()
    assert [(e["user"], e["entity_id"], e["new"]["meaning"]) for e in entries] == [
        ("technician", "pharmacist", "count verified")
    ] * 5
    assert entries[-1]["new"]["locked"] is True


def test_the_logger_files_imported_are_listed(cli: Cli, tmp_path: Path) -> None:
    """`temperature --list`: each logger file imported, newest first, what it covered and found
    (a monitor reads them); `--area` and `--limit` narrow it."""
    listed = cli("temperature", "--list", "--json", user="monitor")
    assert listed.code == 0, listed.err
    [demo] = listed.json()  # the demo's week of readings from IP store 1, all within range
    assert (demo["storage_area"], demo["excursions"], demo["source"]) == (
        "IP store 1",
        0,
        "logger-IP-store-1.csv",
    )
    assert 19.0 <= demo["lowest"] <= demo["highest"] <= 23.5 and demo["readings"] == 42

    log = tmp_path / "warm.csv"
    log.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00,21.0\n2026-03-01T11:00:00,27.5\n"
        "2026-03-01T12:00:00,22.0\n",
        encoding="utf-8",
    )
    assert cli("temperature", "--area", "IP store 1", str(log), user="technician").code == 0
    [warm] = cli("temperature", "--list", "--area", "ip store 1", "--limit", "1", "--json").json()
    assert {k: warm[k] for k in ("readings", "lowest", "highest", "excursions", "source")} == {
        "readings": 3,
        "lowest": 21.0,
        "highest": 27.5,
        "excursions": 1,
        "source": "warm.csv",
    }
    assert (warm["readings_from"], warm["readings_to"]) == (
        "2026-03-01T10:00:00+00:00",
        "2026-03-01T12:00:00+00:00",
    )
    text = cli("temperature", "--list")
    assert text.code == 0, text.err
    assert "warm.csv" in text.out and "logger-IP-store-1.csv" in text.out
    assert text.out.rstrip().endswith("Logger files: 2; excursions found: 1.")
    assert cli("temperature", "--list", "--area", "Fridge 9").out.startswith(
        "No logger file imported yet for Fridge 9."
    )

    both = cli("temperature", "--list", str(log))
    assert (both.code, "--list imports nothing" in both.err) == (2, True)
    no_area = cli("temperature", str(log))
    assert (no_area.code, "--area NAME FILE.csv" in no_area.err) == (2, True)


def test_a_destructions_reason_is_said_in_the_language_of_the_command(cli: Cli) -> None:
    """`--lang zh_CN destroy ... --reason-code damaged` said the reason in English ("Damaged or
    contaminated") where its certificate says 破损或污染."""
    stock = cli("inventory", "--json").json()
    in_date = next(k for k in stock if k["status"] == "available")["kit"]
    destroyed = cli(
        "--lang", "zh_CN", "destroy", in_date, "--witness", "technician", "--method",
        "Incineration", "--reference", "DEST-2026-009", "--reason-code", "damaged",
        env={"DISPENSARY_WITNESS_PASSWORD": "demo-pass-1"},
    )  # fmt: skip
    assert destroyed.code == 0, destroyed.err
    assert "破损或污染" in destroyed.out and "Damaged" not in destroyed.out, destroyed.out


def test_returned_tablets_no_monitor_has_seen_are_destroyed_only_when_acknowledged(
    cli: Cli,
) -> None:
    """The demo's returns recorded after the monitor's last sign-off (K5004's on 2026-11-15,
    the sign-off 2026-11-07): `check destroy` said "would be accepted as it stands" and
    `destroy` went through with no word. Both now say so; `--unseen-returns-ok` acknowledges
    it, and the destruction's audit entry records it."""
    stock = cli("inventory", "--json").json()
    kit = next(k["kit"] for k in stock if k["status"] == "returned")
    paperwork = ["--witness", "technician", "--method", "Incineration", "--reference", "SP-8"]
    checked = cli("check", "destroy", kit, *paperwork, "--json")
    assert checked.code == 3, checked.err
    found = checked.json()
    assert found["unseen_returns"] == [kit]
    [refusal] = found["refusals"]
    assert refusal["code"] == "unseen_returns"
    assert f"no monitor has seen: kit {kit} (returned " in refusal["message"]
    assert "recorded after the monitor's last sign-off (" in refusal["message"]
    witness = {"DISPENSARY_WITNESS_PASSWORD": "demo-pass-1"}
    refused = cli("destroy", kit, *paperwork, env=witness)
    assert refused.code == 3 and "Give --unseen-returns-ok to acknowledge it." in refused.err
    destroyed = cli("destroy", kit, *paperwork, "--unseen-returns-ok", env=witness)
    assert destroyed.code == 0, destroyed.err
    assert f"Warning        Returned tablets no monitor has seen: kit {kit}" in destroyed.out
    entries = cli("audit", "list", "--action", "destroy", "--json").json()
    assert [
        e["new"]["unseen_returns_acknowledged"]
        for e in entries
        if e["new"].get("unseen_returns_acknowledged")
    ] == [[kit]]


def test_a_kit_counted_open_is_not_destroyed_until_it_is_counted_again(cli: Cli) -> None:
    """A count that differs, left open (no reason code, no second person): `check destroy`
    and `destroy` refuse the kit, naming its counted and book quantities and what to do,
    nothing written; counted again as the book, it is destroyed."""
    stock = cli("inventory", "--json").json()
    kit = next(k["kit"] for k in stock if k["status"] == "available" and k["tablets"] == 21)
    counted = cli("count", kit, "--tablets", "20", "--json", user="technician")
    assert counted.code == 0, counted.err
    assert counted.json()["adjusted"] is False and counted.json()["still_needed"]
    held = (
        f"Kit {kit} has a count difference not adjusted: 20 counted, 21 in the book. Recount "
        f"the kit or record the adjustment first: Physical count (Ctrl+7), or count {kit} on "
        "the command line."
    )
    paperwork = ["--witness", "technician", "--method", "Incineration", "--reference", "SP-9"]
    paperwork += ["--reason-code", "study_closed"]
    checked = cli("check", "destroy", kit, *paperwork, "--json")
    assert checked.code == 3, checked.err
    assert [(r["code"], r["message"]) for r in checked.json()["refusals"]] == [("kit", held)]
    witness = {"DISPENSARY_WITNESS_PASSWORD": "demo-pass-1"}
    refused = cli("destroy", kit, *paperwork, env=witness)
    assert refused.code == 3 and held in refused.err
    destructions = cli("audit", "list", "--action", "destroy", "--json").json()
    assert not [e for e in destructions if kit in str(e["new"])]  # nothing written
    again = cli("count", kit, "--tablets", "21", "--json", user="technician")
    assert again.code == 0 and again.json()["recount_of"] is not None, again.err
    destroyed = cli("destroy", kit, *paperwork, "--json", env=witness)
    assert destroyed.code == 0, destroyed.err
    assert destroyed.json()["kits"] == [kit]


def test_kits_that_arrived_damaged_are_received_into_quarantine(cli: Cli, tmp_path: Path) -> None:
    """A manifest's kit not said sound refused the whole shipment, so a kit that arrived was in
    no record; now each damaged kit (the manifest's, or --damaged) is received into quarantine
    with its cause, and the others as usual."""
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "kit,lot,expiry,tablets,product,condition\n"
        f"K9201,HT2609D,2028-06-30,21,{P75},ok\n"
        f"K9202,HT2609D,2028-06-30,21,{P75},ok\n"
        f"K9203,HT2609D,2028-06-30,21,{P75},box crushed\n",
        encoding="utf-8",
    )
    options = ("--shipment", "SH-0201", "--manifest", str(manifest), "--damaged", "k9201")
    checked = cli("check", "receive", *options)
    assert checked.code == 0, checked.err
    said = checked.out.splitlines()
    assert any(
        "K9201" in line
        and line.endswith("quarantined, damaged on arrival (seen at receipt), new lot")
        for line in said
    ), said
    assert any(
        "K9203" in line
        and line.endswith("quarantined, damaged on arrival (manifest condition: box crushed)")
        for line in said
    ), said
    unknown = cli("receive", *options[:-1], "K9201,K9999")
    assert unknown.code == 3
    assert "Kit K9999 is marked damaged but is not on this shipment's list" in unknown.err
    received = cli("receive", *options)
    assert received.code == 0, received.err
    lines = received.out.splitlines()
    assert "  Damaged  K9201: into quarantine, damaged on arrival (seen at receipt)" in lines
    assert (
        "  Damaged  K9203: into quarantine, damaged on arrival (manifest condition: box crushed)"
        in lines
    )
    stock = cli("inventory", "--lot", "HT2609D", "--json").json()
    assert {k["kit"]: k["status"] for k in stock} == {
        "K9201": "quarantined",
        "K9202": "available",
        "K9203": "quarantined",
    }
    chinese = cli(
        "--lang", "zh_CN", "check", "receive", "--shipment", "SH-0202", "--kits", "K9301",
        "--product", P75, "--lot", "HT2609E", "--expiry", "2028-06-30", "--damaged", "K9301",
    )  # fmt: skip
    assert chinese.code == 0, chinese.err
    assert "到货时破损（收货时发现）" in chinese.out, chinese.out


def test_an_adjusted_count_names_its_reason_code_in_the_readers_language(cli: Cli) -> None:
    """The review: the Chinese said "已调整（breakage：x）", the code in English; the English
    keeps the code as typed."""
    stock = cli("inventory", "--json").json()
    shelf = [k for k in stock if k["status"] == "available" and k["tablets"] == 21][:2]
    for kit, language in zip(shelf, ["en", "zh_CN"], strict=True):
        counted = cli(
            "--lang", language, "count", kit["kit"], "--tablets", "20", "--reason-code",
            "breakage", "--reason", "x", "--verified-by", "pharmacist",
            user="technician", env={"DISPENSARY_VERIFIER_PASSWORD": "demo-pass-1"},
        )  # fmt: skip
        assert counted.code == 0, counted.err
        if language == "en":
            assert "adjusted (breakage: x)." in counted.out, counted.out
        else:
            assert "已调整（破损：x）。" in counted.out, counted.out
            assert "breakage" not in counted.out
