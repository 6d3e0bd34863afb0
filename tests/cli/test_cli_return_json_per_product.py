"""`return --json` and `correct-return --json` in a study dispensing two products a cycle (the
demo's DEMO-2DRUG: 28 democapib capsules with 30 demotinib tablets): each product of the
dispense with its own figures. The JSON gave one taken of one expected summed over a capsule
and a tablet ("taken": 41, "expected": 49) and their ratio, which are neither product's. A
study of one tablet product keeps its taken, expected and adherence (its product's)."""

from __future__ import annotations

from typing import Any

from cli_support import Cli

TWO = ("--study", "DEMO-2DRUG")
TABLETS = ("--study", "NCT07198672")


def _json(cli: Cli, *args: str) -> dict[str, Any]:
    done = cli(*args, "--json")
    assert done.code == 0, done.err + done.out
    found: dict[str, Any] = done.json()
    return found


def _figures(found: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (p["product"], p["kits"], p["dispensed"], p["returned"], p["taken"], p["expected"])
        for p in found["products"]
    ]


def test_a_two_product_return_gives_each_products_figures(cli: Cli) -> None:
    named = ("return", "21-001", "--cycle", "3")
    first = _json(cli, *TWO, *named, "--kit", "C3007", "--tablets", "8")
    assert "taken" not in first and "expected" not in first and "adherence" not in first
    assert (first["kit"], first["product"]) == ("C3007", "democapib-100mg")
    assert _figures(first) == [  # a kit still out: nothing taken or expected yet
        ("democapib-100mg", ["C3007"], 28, 8, None, None),
        ("demotinib-25mg", ["T3007"], 30, None, None, None),  # no kit of it back yet
    ]
    last = _json(cli, *TWO, *named, "--kit", "T3007", "--tablets", "9")
    assert "taken" not in last and "expected" not in last and "adherence" not in last
    assert (last["kit"], last["product"], last["flags"]) == (
        "T3007",
        "demotinib-25mg",
        ["under_use"],
    )
    assert _figures(last) == [
        ("democapib-100mg", ["C3007"], 28, 8, 20, 28),
        ("demotinib-25mg", ["T3007"], 30, 9, 21, 21),
    ]
    assert [round(p["adherence"], 2) for p in last["products"]] == [0.71, 1.0]
    assert [p["flags"] for p in last["products"]] == [["under_use"], []]
    fixed = _json(
        cli,
        *TWO,
        "correct-return",
        str(first["return_id"]),
        "--tablets",
        "7",
        "--reason",
        "recount",
    )
    assert fixed["corrects"] == first["return_id"] and "taken" not in fixed
    assert _figures(fixed)[0] == ("democapib-100mg", ["C3007"], 28, 7, 21, 28)


def test_a_one_product_return_keeps_its_figures(cli: Cli) -> None:
    said = _json(
        cli, *TABLETS, "return", "01-006", "--cycle", "6", "--kit", "K1072", "--tablets", "10"
    )
    assert (said["taken"], said["expected"], round(said["adherence"], 2)) == (11, 21, 0.52)
    assert _figures(said) == [("herombopag-7.5mg", ["K1072"], 21, 10, 11, 21)]
