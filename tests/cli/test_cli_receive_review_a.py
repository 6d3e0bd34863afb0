"""`receive` on the demo, as a reviewer found it: a month-only expiry (as labels print it) in
--expiry and in a manifest cell, a lot number of another product, an empty manifest."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli


def stock(cli: Cli) -> dict[str, dict[str, object]]:
    return {k["kit"]: k for k in cli("--json", "inventory").json()}


def test_a_month_only_expiry_is_the_month_s_last_day_in_an_option_and_a_manifest(
    cli: Cli, tmp_path: Path
) -> None:
    """`--expiry 2028-05` and a cell 2028-06 were refused "not a date" while the receiving
    screen took them."""
    kit = ("--product", "herombopag-7.5mg", "--lot", "HT2805M")
    done = cli("receive", "--shipment", "SM1", "--kits", "K9301", *kit, "--expiry", "2028-05")
    assert done.code == 0, done.err
    manifest = tmp_path / "month.csv"
    manifest.write_text(
        "kit,lot,expiry,tablets,product\nK9302,HT2806M,2028-06,21,herombopag-7.5mg\n", "utf-8"
    )
    done = cli("receive", "--shipment", "SM2", "--manifest", str(manifest))
    assert done.code == 0, done.err
    found = stock(cli)
    assert (found["K9301"]["expiry"], found["K9302"]["expiry"]) == ("2028-05-31", "2028-06-30")
    wrong = cli("receive", "--shipment", "SM3", "--kits", "K9303", *kit, "--expiry", "2028-13")
    assert wrong.code == 2
    assert "'2028-13' is not an expiry date: there is no month 13" in wrong.err


def test_a_lot_number_of_another_product_is_refused_and_nothing_received(
    cli: Cli, tmp_path: Path
) -> None:
    """HT2503A is a 7.5 mg lot of the demo: a 2.5 mg kit under it was received."""
    manifest = tmp_path / "other.csv"
    manifest.write_text(
        "kit,lot,expiry,tablets,product\nK9201,HT2503A,2028-06-30,42,herombopag-2.5mg\n", "utf-8"
    )
    check = cli("--json", "check", "receive", "--shipment", "SX1", "--manifest", str(manifest))
    assert [r["code"] for r in check.json()["refusals"]] == ["lot_product"]
    done = cli("receive", "--shipment", "SX1", "--manifest", str(manifest))
    assert done.code != 0
    assert "Lot HT2503A is a lot of herombopag (hetrombopag olamine) 7.5 mg tablet" in done.err
    assert "Check the kit's lot number and product on the manifest" in done.err
    assert "K9201" not in stock(cli)


def test_an_empty_manifest_is_said_to_be_empty(cli: Cli, tmp_path: Path) -> None:
    for name, data in (("empty.csv", b""), ("blank.csv", b"  \r\n\r\n")):
        manifest = tmp_path / name
        manifest.write_bytes(data)
        done = cli("receive", "--shipment", "SE1", "--manifest", str(manifest))
        assert done.code != 0
        assert "The manifest file is empty: nothing was received." in done.err, done.err
        assert "line 0" not in done.err
