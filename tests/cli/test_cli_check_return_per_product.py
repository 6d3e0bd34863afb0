"""`check return` in a study dispensing two products a cycle (the demo's DEMO-2DRUG: 28 democapib
capsules with 30 demotinib tablets): what the return would record, each product with its own
figures, as `return --json` gives them. Its preview summed a capsule's and a tablet's counts
("dispensed": 58, "taken": 41 of "expected": 49, their ratio as adherence), which are neither
product's, and its text said "taken 41 of 49 expected: 84%". A study of one tablet product
keeps its preview's keys and figures."""

from __future__ import annotations

from typing import Any

from cli_support import Cli

TWO = ("--study", "DEMO-2DRUG")
TABLETS = ("--study", "NCT07198672")
NAMED = ("21-001", "--cycle", "3")
SUMMED = {"dispensed", "returned", "taken", "expected", "adherence"}


def _preview(cli: Cli, *args: str) -> dict[str, Any]:
    done = cli(*args, "--json")
    assert done.code == 0, done.err + done.out
    preview: dict[str, Any] = done.json()["preview"]
    return preview


def _figures(preview: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (p["product"], p["kits"], p["dispensed"], p["returned"], p["taken"], p["expected"])
        for p in preview["products"]
    ]


def test_a_two_product_check_gives_each_products_figures(cli: Cli) -> None:
    first = _preview(cli, *TWO, "check", "return", *NAMED, "--kit", "C3007", "--tablets", "8")
    assert not SUMMED & set(first), first
    assert (first["kit"], first["product"], first["kit_taken"]) == ("C3007", "democapib-100mg", 20)
    assert _figures(first) == [  # a kit still out: nothing taken or expected yet
        ("democapib-100mg", ["C3007"], 28, 8, None, None),
        ("demotinib-25mg", ["T3007"], 30, None, None, None),  # no kit of it back yet
    ]
    assert cli(*TWO, "return", *NAMED, "--kit", "C3007", "--tablets", "8").code == 0
    check = ("check", "return", *NAMED, "--kit", "T3007", "--tablets", "9")
    last = _preview(cli, *TWO, *check)
    assert not SUMMED & set(last), last
    assert (last["product"], last["complete"], last["flags"]) == (
        "demotinib-25mg",
        True,
        ["under_use"],
    )
    assert _figures(last) == [
        ("democapib-100mg", ["C3007"], 28, 8, 20, 28),
        ("demotinib-25mg", ["T3007"], 30, 9, 21, 21),
    ]
    assert [round(p["adherence"], 2) for p in last["products"]] == [0.71, 1.0]
    assert [p["flags"] for p in last["products"]] == [["under_use"], []]

    english = cli(*TWO, *check)
    assert english.code == 0, english.err
    assert "41" not in english.out and "49" not in english.out and "84%" not in english.out
    assert "  Kit tally   30 tablets dispensed, 9 tablets back, 21 tablets taken" in english.out
    assert (
        "  Adherence   democapib (fictional) 100 mg capsule taken 20 capsules of 28 capsules "
        "expected: 71%"
    ) in english.out, english.out
    assert "taken 21 tablets of 21 tablets expected: 100%" in english.out
    chinese = cli("--lang", "zh_CN", *TWO, *check)
    assert "应服 28 粒，已服 20 粒：71%" in chinese.out, chinese.out
    assert "依从性" in chinese.out and "Adherence" not in chinese.out
    assert "41" not in chinese.out and "49 片" not in chinese.out


def test_a_one_product_check_keeps_its_figures(cli: Cli) -> None:
    check = ("check", "return", "01-006", "--cycle", "6", "--kit", "K1072", "--tablets", "10")
    said = _preview(cli, *TABLETS, *check)
    assert set(said) >= SUMMED and "product" not in said
    assert (said["dispensed"], said["returned"], said["taken"], said["expected"]) == (
        21,
        10,
        11,
        21,
    )
    assert round(said["adherence"], 2) == 0.52
    assert _figures(said) == [("herombopag-7.5mg", ["K1072"], 21, 10, 11, 21)]
    text = cli(*TABLETS, *check)
    assert "  Kit tally   21 dispensed, 10 back, 11 taken" in text.out, text.out
    assert "  Adherence   taken 11 of 21 expected: 52%" in text.out
