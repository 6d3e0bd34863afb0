"""`receive` and `check receive` on the demo: a participant's number given as --kits is refused
as the participant's (the receiving screen's words and code), not as a kit range written
wrongly; a receipt dated before an excursion on record goes into quarantine with it and says
so; a logger's time in another form is refused with an example of the form read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cli_support import DEMO_TODAY, Cli

KIT = ("--product", "herombopag-7.5mg", "--lot", "HT2612A", "--expiry", "2028-06-30")


def test_a_participants_number_as_kits_is_refused_as_the_participants(cli: Cli) -> None:
    done = cli("receive", "--shipment", "SP1", "--kits", "01-001", *KIT)
    assert done.code == 3, (done.out, done.err)
    assert "01-001 is a participant's study number in this pharmacy, not a kit number" in done.err
    assert "not a kit range" not in done.err
    check = cli("--json", "check", "receive", "--shipment", "SP1", "--kits", "01-001", *KIT)
    assert [r["code"] for r in check.json()["refusals"]] == ["participant_number"]
    wrong = cli("receive", "--shipment", "SP1", "--kits", "K1-K002", *KIT)
    assert "'K1-K002' is not a kit range" in wrong.err


def test_a_receipt_dated_before_an_excursion_on_record_goes_into_quarantine(
    cli: Cli, tmp_path: Path
) -> None:
    day = DEMO_TODAY - timedelta(days=3)
    logger = tmp_path / "store1.csv"
    logger.write_text(
        "timestamp,celsius\n"
        f"{day}T08:00:00+00:00,20\n{day}T10:00:00+00:00,31\n"
        f"{day}T10:30:00+00:00,32\n{day}T12:00:00+00:00,20\n",
        encoding="utf-8",
    )
    imported = cli("temperature", "--area", "IP store 1", str(logger))
    assert imported.code == 0, imported.err
    before = (day - timedelta(days=1)).isoformat()
    check = cli("check", "receive", "--shipment", "SL1", "--kits", "K9203", *KIT, "--date", before)
    assert "  Quarantine  The kits were in IP store 1 on or before the end" in check.out, check.out
    assert "21 tablets: quarantined, new lot" in check.out
    done = cli("receive", "--shipment", "SL1", "--kits", "K9203", *KIT, "--date", before)
    assert done.code == 0, done.err
    assert "They go into quarantine, linked to excursion" in done.out, done.out
    stock = cli("--json", "inventory")
    [kit] = [k for k in stock.json() if k["kit"] == "K9203"]
    assert kit["status"] == "quarantined"
    after = cli("check", "receive", "--shipment", "SL2", "--kits", "K9204", *KIT, "--date",
                (day + timedelta(days=1)).isoformat())  # fmt: skip
    assert "Quarantine" not in after.out and "available" in after.out


def test_a_logger_time_in_another_form_is_refused_with_an_example(cli: Cli, tmp_path: Path) -> None:
    logger = tmp_path / "slashes.csv"
    # day first: which is the month is not known (2026/12/05, as Excel saves it, is read)
    logger.write_text("timestamp,celsius\n05/12/2026 10:00,20\n", encoding="utf-8")
    done = cli("temperature", "--area", "IP store 1", str(logger))
    assert done.code != 0
    assert "'05/12/2026 10:00' is not a time: " in done.err
    assert (
        "e.g. 2026-12-05 10:00, 2026/12/5 10:00 (as Excel saves it) or 2026-12-05T10:00:00+08:00"
    ) in " ".join(done.err.split())


def test_kits_listed_with_a_full_width_comma_are_each_received(cli: Cli) -> None:
    """A Chinese keyboard types the comma of `--kits K9001,K9003` full-width (K9001，K9003):
    the list was refused as one kit number "K9001，K9003" (a comma the reader sees). Each piece
    is received, as with the ASCII comma; so is --damaged's."""
    done = cli(
        "--json", "receive", "--shipment", "SP2", "--kits", "K9001，K9003", "--damaged", "K9003",
        *KIT,
    )  # fmt: skip
    assert done.code == 0, done.err
    kits = cli("--json", "inventory", "--lot", "HT2612A").json()
    assert [(k["kit"], k["status"]) for k in kits] == [
        ("K9001", "available"),
        ("K9003", "quarantined"),
    ], kits
