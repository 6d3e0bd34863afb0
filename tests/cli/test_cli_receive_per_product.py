"""Receiving capsules and tablets (the demo's DEMO-2DRUG): `check receive` and `receive` say
each product's total in its own word ("56 capsules, 30 tablets"), and each capsule line in
capsules; they said "3 kits, 86 tablets" and "28 tablets" of a capsule kit. A study of tablets
only reads as before."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

TWO = ("--study", "DEMO-2DRUG")
MANIFEST = (
    "kit,product,lot,expiry,tablets\n"
    "ZC001,democapib-100mg,LC9,2028-06-30,28\n"
    "ZC002,democapib-100mg,LC9,2028-06-30,28\n"
    "ZT001,demotinib-25mg,LT9,2028-06-30,30\n"
)


def _manifest(tmp_path: Path) -> str:
    path = tmp_path / "manifest.csv"
    path.write_text(MANIFEST, encoding="utf-8")
    return str(path)


def test_a_receipt_counts_each_product_in_its_word(cli: Cli, tmp_path: Path) -> None:
    manifest = _manifest(tmp_path)
    check = cli(*TWO, "check", "receive", "--shipment", "SX1", "--manifest", manifest)
    assert check.code == 0, check.err
    assert "  Kits        3 kits, 56 capsules, 30 tablets, into " in check.out, check.out
    assert "exp 2028-06-30  28 capsules: available" in check.out
    assert "exp 2028-06-30  30 tablets: available" in check.out
    assert "86 tablets" not in check.out and "28 tablets" not in check.out
    chinese = cli("--lang", "zh_CN", *TWO, "check", "receive", "--shipment", "SX1",
                  "--manifest", manifest)  # fmt: skip
    assert "3 个药盒，共 56 粒、30 片，存入" in chinese.out, chinese.out
    assert "28 粒：可用" in chinese.out and "86 片" not in chinese.out
    data = cli(*TWO, "--json", "check", "receive", "--shipment", "SX1", "--manifest", manifest)
    assert data.json()["tablets"] == 86  # the JSON keeps its number
    done = cli(*TWO, "receive", "--shipment", "SX1", "--manifest", manifest)
    assert done.code == 0, done.err
    assert ": 3 kits, 56 capsules, 30 tablets." in done.out, done.out


def test_a_receipt_of_tablets_reads_as_before(cli: Cli) -> None:
    check = cli("--study", "NCT07198672", "check", "receive", "--shipment", "SX2", "--kits",
                "K9001-K9002", "--product", "herombopag-7.5mg", "--lot", "LX", "--expiry",
                "2028-01-31")  # fmt: skip
    assert check.code == 0, check.err
    assert "  Kits        2 kits, 42 tablets, into " in check.out, check.out
    assert "exp 2028-01-31  21 tablets: available, new lot" in check.out
