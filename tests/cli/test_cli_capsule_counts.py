"""A study whose products are not all tablets (the demo's DEMO-2DRUG: democapib capsules with
demotinib tablets) through the command: the inventory's and the forecast's count column is
"Quantity" over each count in its product's word, and `check` says capsules as capsules; a
study of tablets only keeps "Tablets" over bare numbers."""

from __future__ import annotations

from cli_support import Cli

TWO = ("--study", "DEMO-2DRUG")


def test_the_inventory_counts_capsules_as_capsules(cli: Cli) -> None:
    english = cli(*TWO, "inventory")
    assert english.code == 0, english.err
    header = english.out.splitlines()[0]
    assert header.split()[-1] == "Quantity" and "Tablets" not in header
    assert "0 capsules" in english.out and "30 tablets" in english.out
    summary = english.out.splitlines()[-1]
    assert summary.endswith(  # each product by its name, not its code (democapib-100mg)
        " kits, holding democapib (fictional) 100 mg capsule: 308 capsules, demotinib (fictional)"
        " 25 mg tablet: 330 tablets."
    ), summary
    assert ", 638 tablets" not in summary and "-100mg" not in summary
    chinese = cli("--lang", "zh_CN", *TWO, "inventory")
    assert chinese.out.splitlines()[0].split()[-1] == "数量"
    assert chinese.out.splitlines()[-1].endswith(  # no brackets round names holding their own
        " 个药盒，含德莫卡匹布胶囊（虚构）100 mg：308 粒、德莫替尼片（虚构）25 mg：330 片。"
    ), chinese.out.splitlines()[-1]
    both = cli(*TWO, "inventory", "--every-study")
    assert both.out.splitlines()[0].split()[-1] == "Quantity", both.err
    assert "herombopag (hetrombopag olamine) 7.5 mg tablet: " in both.out.splitlines()[-1]
    assert cli(*TWO, "inventory", "--json").json()[0]["tablets"] == 0  # the JSON unchanged
    tablets = cli("--study", "NCT07198672", "inventory")
    assert tablets.out.splitlines()[0].split()[-1] == "Tablets"
    assert tablets.out.splitlines()[-1].endswith(" tablets.")


def test_an_inventory_with_nothing_to_dispense_says_so(cli: Cli) -> None:
    """The finding: `inventory --status quarantined` of a two-product study ended "0 kits;
    available to dispense: 0 kits, holding ." (nothing held, said as a dangling "holding")."""
    english = cli(*TWO, "inventory", "--status", "quarantined")
    assert english.code == 0, english.err
    assert english.out.splitlines()[-1] == "0 kits; none available to dispense.", english.out
    chinese = cli("--lang", "zh_CN", *TWO, "inventory", "--status", "quarantined")
    assert chinese.out.splitlines()[-1] == "0 个药盒；无可发放的药盒。", chinese.out


def test_the_forecast_counts_each_product_in_its_word(cli: Cli) -> None:
    english = cli(*TWO, "forecast")
    assert english.code == 0, english.err
    assert "Quantity" in english.out and " Tablets " not in english.out
    assert "84 capsules" in english.out and "63 tablets" in english.out
    chinese = cli("--lang", "zh_CN", *TWO, "forecast")
    assert "84 粒" in chinese.out and "63 片" in chinese.out


def test_check_says_capsules_as_capsules(cli: Cli) -> None:
    back = cli(*TWO, "check", "return", "21-001", "--cycle", "3", "--tablets", "2")
    assert back.code == 0, back.err
    assert ", 28 capsules + 30 tablets for 21 days" in back.out, back.out
    assert "28 capsules dispensed, to count" in back.out
    assert "Counted     2 capsules back on" in back.out
    assert "58 tablets" not in back.out and "2 tablets back" not in back.out
    chinese = cli("--lang", "zh_CN", *TWO, "check", "return", "21-001", "--cycle", "3",
                  "--tablets", "2")  # fmt: skip
    assert "28 粒 + 30 片" in chinese.out and "发放 28 粒" in chinese.out, chinese.out
    assert "退回 2 粒" in chinese.out and "58 片" not in chinese.out
    due = cli(*TWO, "check", "dispense", "21-001")
    assert "Quantity    28 capsules + 21 tablets needed, 28 capsules + 30 tablets" in due.out
    assert "  28 capsules\n" in due.out, due.out


def test_a_negative_count_of_a_capsule_kit_is_not_called_tablets(cli: Cli) -> None:
    """ "The number of tablets counted cannot be negative" (清点片数) of capsule kit C3001."""
    for lang, said in (
        ((), "The number of units counted cannot be negative (-1). Count again."),
        (("--lang", "zh_CN"), "盘点数量"),
    ):
        refused = cli(*lang, "--study", "DEMO-2DRUG", "count", "C3001", "--tablets", "-1")
        assert refused.code == 3, refused.err + refused.out
        assert said in refused.err and "片" not in refused.err, refused.err


def test_a_reason_code_that_cannot_explain_a_capsule_count_is_refused_without_tablets(
    cli: Cli,
) -> None:
    """ "breakage and lost take tablets away" (只会减少药片) of a capsule kit's count."""
    kits = cli(*TWO, "inventory", "--json").json()
    kit = next(k for k in kits if k["kit"].startswith("C") and k["status"] == "available")
    named = ("count", kit["kit"], "--tablets", str(kit["tablets"] - 1), "--reason-code", "found")
    # Recorded as counted first (the count is blind): the recount is checked against the book.
    assert cli(*TWO, "count", kit["kit"], "--tablets", str(kit["tablets"] - 1)).code == 0
    for lang, said in (
        ((), "breakage and lost take units away, found adds them"),
        (("--lang", "zh_CN"), "只会减少数量"),
    ):
        refused = cli(*lang, *TWO, "check", *named)
        assert refused.code == 3, refused.err + refused.out
        text = refused.out + refused.err
        assert said in text and "药片" not in text and "take tablets" not in text, text


def test_a_capsule_count_above_the_receipt_is_refused_without_tablets(cli: Cli) -> None:
    """ "29 tablets counted in kit C3010 ... Count the tablets again" (29 片) of capsules."""
    kits = cli(*TWO, "inventory", "--json").json()
    kit = next(k for k in kits if k["kit"].startswith("C") and k["status"] == "available")
    named = ("count", kit["kit"], "--tablets", str(kit["tablets"] + 1))
    for lang, said in (
        ((), f"{kit['tablets'] + 1} counted in kit {kit['kit']}, which was received with"),
        (("--lang", "zh_CN"), "药盒内的数量不会多于接收时的数量"),
    ):
        refused = cli(*lang, *TWO, "check", *named)
        assert refused.code == 3, refused.err + refused.out
        text = refused.out + refused.err
        assert said in text and "片" not in text and "tablets counted" not in text, text
