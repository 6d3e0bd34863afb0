"""A participant's history in a study dispensing two products a cycle (the demo's DEMO-2DRUG:
democapib capsules with demotinib tablets): the `history` command and the participant report
give each product its own dispensed, returned, taken and expected, in its own units, as its
DARF shows them; "58 / 9 / 49 / 49" (28 capsules and 30 tablets summed) reconciled with
neither. A study of one tablet product reads as before."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

from reports.pdfread import pdf_pages_text

TWO = ("--study", "DEMO-2DRUG")
TABLETS = ("--study", "NCT07198672")
SUMMED = ("tablets", "returned", "taken", "expected", "adherence", "unaccounted")


def _report(cli: Cli, tmp_path: Path, number: str, *args: str) -> str:
    out = tmp_path / "participant.pdf"
    made = cli(
        *args, "report", "participant", "--participant", number, "--out", str(out), "--force"
    )
    assert made.code == 0, made.err
    return " ".join(pdf_pages_text(out.read_bytes()))


def test_the_history_command_gives_each_product_its_figures(cli: Cli) -> None:
    english = cli(*TWO, "history", "21-001")
    assert english.code == 0, english.err
    lines = english.out.splitlines()
    header = next(line for line in lines if line.startswith("Cycle"))
    assert "Product" in header
    first = next(line for line in lines if "DSP000063" in line)
    assert "democapib (fictional) 100 mg capsule  C3001" in first, first
    assert " ".join(first.split("C3001")[1].split()[:8]) == (
        "28 capsules 0 capsules 28 capsules 28 capsules"
    )
    second = lines[lines.index(first) + 1]
    assert "demotinib (fictional) 25 mg tablet" in second and "DSP" not in second
    assert " ".join(second.split("T3001")[1].split()[:8]) == (
        "30 tablets 9 tablets 21 tablets 21 tablets"
    )
    assert " 58 " not in english.out and " 49 " not in english.out
    chinese = cli("--lang", "zh_CN", *TWO, "history", "21-001")
    assert "药品" in chinese.out and "28 粒" in chinese.out and "21 片" in chinese.out, chinese.out
    # The JSON gives each product's figures, and no capsules and tablets summed (58 given,
    # 9 back, 49 taken of 49 expected) nor their ratio: they are neither product's.
    found = cli(*TWO, "--json", "history", "21-001").json()["dispenses"][0]
    assert not set(SUMMED) & set(found), found
    assert (found["dispense_number"], found["kits"], found["flags"]) == (
        "DSP000063",
        ["C3001", "T3001"],
        [],
    )
    assert [
        (p["product"], p["kits"], p["dispensed"], p["returned"], p["taken"], p["expected"])
        for p in found["products"]
    ] == [
        ("democapib-100mg", ["C3001"], 28, 0, 28, 28),
        ("demotinib-25mg", ["T3001"], 30, 9, 21, 21),
    ]
    # A recall list's rows are the history's: the same figures, the same keys left out.
    traced = cli(*TWO, "--json", "trace", "DT2603").json()
    assert traced and all(not set(SUMMED) & set(row) for row in traced), traced
    assert {row["dispense_number"] for row in traced} >= {"DSP000063"}


def test_a_study_of_one_tablet_product_keeps_its_history(cli: Cli) -> None:
    text = cli(*TABLETS, "history", "01-001")
    header = next(line for line in text.out.splitlines() if line.startswith("Cycle"))
    assert header.split() == [
        "Cycle", "Dispense", "Day", "1", "Dose", "Kits", "Given", "Back", "Taken", "Expected",
        "Adherence", "Flags",
    ]  # fmt: skip
    assert "  K1001     21     3     18        21        86%" in text.out, text.out
    found = cli(*TABLETS, "--json", "history", "01-001").json()["dispenses"][0]
    assert set(found) >= set(SUMMED)  # a product's own figures: kept
    assert (found["tablets"], found["returned"], found["taken"]) == (21, 3, 18)
    assert [p["product"] for p in found["products"]] == ["herombopag-7.5mg"]


def test_the_participant_report_gives_each_product_its_figures(cli: Cli, tmp_path: Path) -> None:
    text = _report(cli, tmp_path, "21-001", *TWO)
    assert "Product" in text and "Quantity" in text, text
    assert "C3001 28 capsules 0 capsules 28 capsules 28 capsules 100%" in text, text
    assert "T3001 30 tablets 9 tablets 21 tablets 21 tablets 100%" in text, text
    assert " 58 " not in text and " 49 49 " not in text
    chinese = _report(cli, tmp_path, "21-001", "--lang", "zh_CN", *TWO)
    assert "28 粒 0 粒 28 粒 28 粒" in chinese and "30 片 9 片 21 片 21 片" in chinese, chinese
    tablets = _report(cli, tmp_path, "01-001", *TABLETS)
    assert "Product" not in tablets.split("Adherence per cycle")[0].split("Dispenses and")[1]
    assert " Tablets Returned Taken Expected " in tablets
