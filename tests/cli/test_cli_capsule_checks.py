"""`check destroy` and `check count` of a study whose products are not all tablets (the demo's
DEMO-2DRUG: democapib capsules with demotinib tablets): each kit's count and the total that
would leave in its product's word ("28 capsules", 28 粒), never "{n} tablets" of capsules; a study
of tablets only says tablets as before."""

from __future__ import annotations

from typing import Any

from cli_support import Cli

from dispensary.cli.counter import _dispense_lines
from dispensary.i18n import Language, reset_language, set_language
from dispensary.labels.dispensing import sample_dispense
from dispensary.study import bundled_studies, load_study

TWO = ("--study", "DEMO-2DRUG")
DESTROY = ("--witness", "technician", "--method", "incineration", "--reference", "R1")


def _kits(cli: Cli, *study: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cli(*study, "inventory", "--json").json()
    return found


def _kit(kits: list[dict[str, Any]], status: str, prefix: str) -> dict[str, Any]:
    return next(k for k in kits if k["status"] == status and k["kit"].startswith(prefix))


def test_check_destroy_counts_capsules_as_capsules(cli: Cli) -> None:
    kits = _kits(cli, *TWO)
    shelf, tablets = _kit(kits, "available", "C"), _kit(kits, "available", "T")
    named = (shelf["kit"], tablets["kit"])
    english = cli(*TWO, "check", "destroy", *named, *DESTROY, "--reason-code", "damaged")
    assert english.code == 0, english.err + english.out
    assert f"available: {shelf['tablets']} capsules from the shelf" in english.out, english.out
    assert f"available: {tablets['tablets']} tablets from the shelf" in english.out
    both = f"{shelf['tablets']} capsules + {tablets['tablets']} tablets"
    assert f"  Quantity    {both} would leave ({both} from the shelf, 0 from the" in english.out
    assert f"{shelf['tablets']} tablets" not in english.out and "  Tablets " not in english.out
    chinese = cli("--lang", "zh_CN", *TWO, "check", "destroy", *named, *DESTROY,
                  "--reason-code", "damaged")  # fmt: skip
    capsules = f"{shelf['tablets']} 粒"
    assert f"来自货架的 {capsules}" in chinese.out, chinese.out
    assert f"将移出 {capsules} + {tablets['tablets']} 片（货架 {capsules} + " in chinese.out
    assert f"{shelf['tablets']} 片" not in chinese.out and "  药片 " not in chinese.out
    study = ("--study", "NCT07198672")
    plain = _kit(_kits(cli, *study), "available", "K")
    alone = cli(*study, "check", "destroy", plain["kit"], *DESTROY, "--reason-code", "damaged")
    assert f"available: {plain['tablets']} tablets from the shelf" in alone.out, alone.out
    assert f"  Tablets     {plain['tablets']} would leave ({plain['tablets']} from the shelf" in (
        alone.out
    )


def test_check_count_counts_capsules_as_capsules(cli: Cli) -> None:
    shelf = _kit(_kits(cli, *TWO), "available", "C")
    short = shelf["tablets"] - 1
    blind = cli(*TWO, "check", "count", shelf["kit"], "--tablets", str(short))
    assert "in the book" not in blind.out and "(the count is blind)" in blind.out, blind.out
    # The count recorded (open, as counted) showed the book: a recount is checked against it.
    assert cli(*TWO, "count", shelf["kit"], "--tablets", str(short)).code == 0
    english = cli(*TWO, "check", "count", shelf["kit"], "--tablets", str(short))
    assert (
        f"  Counted     {short} capsules, {shelf['tablets']} capsules in the book: difference -1"
        in english.out
    ), english.out
    chinese = cli("--lang", "zh_CN", *TWO, "check", "count", shelf["kit"], "--tablets", "1")
    assert f"  盘点数      1 粒，账面 {shelf['tablets']} 粒：" in chinese.out, chinese.out
    study = ("--study", "NCT07198672")
    plain = _kit(_kits(cli, *study), "available", "K")
    assert cli(*study, "count", plain["kit"], "--tablets", "1").code == 0
    alone = cli(*study, "check", "count", plain["kit"], "--tablets", "1")
    assert f"  Counted     1 tablet, {plain['tablets']} in the book: difference " in alone.out


def test_destroy_and_dispense_say_capsules_as_capsules(cli: Cli) -> None:
    """`destroy` said "56 tablets" ("共 2 片") and `dispense` "Supply 112 tablets" of capsules
    (its lines are read from a sample dispense of both products)."""
    kits = _kits(cli, *TWO)
    shelf, tablets = _kit(kits, "available", "C"), _kit(kits, "available", "T")
    witness = {"DISPENSARY_WITNESS_PASSWORD": "demo-pass-1"}
    gone = cli(*TWO, "destroy", shelf["kit"], tablets["kit"], *DESTROY, "--reason-code", "damaged",
               env=witness)  # fmt: skip
    assert gone.code == 0, gone.err
    both = f"{shelf['tablets']} capsules + {tablets['tablets']} tablets"
    assert f"Destroyed: 2 kits ({shelf['kit']}, {tablets['kit']}), {both}, on" in gone.out, gone.out
    study = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    given = sample_dispense(study)  # 1 kit of capsules and 1 of tablets
    lines = _dispense_lines(given, "Dispensed", study)
    supply = next(line for line in lines if line.startswith("  Supply"))
    assert supply.startswith("  Supply      28 capsules + 30 tablets for 21 days"), supply
    kit_lines = [line for line in lines if line.startswith("  Kit ")]
    assert kit_lines[0].endswith(" 28 capsules") and kit_lines[1].endswith(" 30 tablets")
    token = set_language(Language.ZH_CN)
    try:
        zh = "\n".join(_dispense_lines(given, "已发放", study))
    finally:
        reset_language(token)
    assert "28 粒 + 30 片" in zh and "28 片" not in zh, zh
