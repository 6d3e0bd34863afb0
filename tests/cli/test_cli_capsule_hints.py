"""What `check return` and `check count` ask for when the count is not given, in a study whose
products are not all tablets (the demo's DEMO-2DRUG: democapib capsules with demotinib
tablets): the count of the kit in its word ("the capsules brought back in kit C3007", 粒数), not
"the tablets" of a capsule kit. A study of tablets only asks for tablets as before."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

from dispensary.i18n import Language, speaking
from dispensary.study import bundled_studies, load_study

TWO = ("--study", "DEMO-2DRUG")
TABLETS = ("--study", "NCT07198672")
ZH = ("--lang", "zh_CN")
COUNT = "(the book is shown once the count is given). Nothing was changed."


def _needs(cli: Cli, *args: str) -> str:
    done = cli(*args)
    assert done.code == 3, done.err + done.out
    return done.err.strip()


def test_a_return_without_its_count_asks_for_the_kits_units(cli: Cli) -> None:
    back = ("check", "return", "21-001", "--cycle", "3", "--kit")
    assert _needs(cli, *TWO, *back, "C3007") == (
        "Needs the count: give --tablets N, the capsules brought back in kit C3007. Nothing was "
        "changed."
    )
    assert _needs(cli, *TWO, *back, "T3007").startswith(
        "Needs the count: give --tablets N, the tablets brought back in kit T3007."
    )
    assert _needs(cli, *ZH, *TWO, *back, "C3007") == (
        "需要清点数：用 --tablets N 给出药盒 C3007 中带回的粒数。未作任何更改。"
    )
    assert _needs(cli, *ZH, *TWO, *back, "T3007").startswith(
        "需要清点数：用 --tablets N 给出药盒 T3007 中带回的片数。"
    )
    tablets = _needs(cli, *ZH, *TABLETS, "check", "return", "01-006", "--cycle", "6")
    assert tablets.startswith("需要清点数：用 --tablets N 给出药盒 K1072 中带回的药片数。")


def test_the_head_line_names_the_count_of_its_step(cli: Cli) -> None:
    """`check return` said 需要盘点数 (the physical count's word) where its hint said 需要清点数:
    the return's count is 清点, the shelf's 盘点 (glossary_zh_CN.toml)."""
    back = cli(*ZH, *TABLETS, "check", "return", "01-006", "--cycle", "6")
    assert back.code == 3, back.err + back.out
    head = back.out.splitlines()[0]
    assert "需要清点数" in head and "盘点" not in head, head
    shelf = cli(*TABLETS, "inventory", "--json").json()
    kit = next(k["kit"] for k in shelf if k["status"] == "available")
    count = cli(*ZH, *TABLETS, "check", "count", kit)
    assert count.code == 3, count.err + count.out
    head = count.out.splitlines()[0]
    assert "需要盘点数" in head and "清点" not in head, head


def test_a_count_without_its_figure_asks_for_the_kits_units(cli: Cli) -> None:
    kits = cli(*TWO, "inventory", "--json").json()
    capsule = next(k["kit"] for k in kits if k["status"] == "available" and k["kit"][0] == "C")
    tablet = next(k["kit"] for k in kits if k["status"] == "available" and k["kit"][0] == "T")
    assert _needs(cli, *TWO, "check", "count", capsule) == (
        f"Needs the count: give --tablets N, the capsules counted in the kit {COUNT}"
    )
    assert _needs(cli, *TWO, "check", "count", tablet) == (
        f"Needs the count: give --tablets N, the tablets counted in the kit {COUNT}"
    )
    assert _needs(cli, *ZH, *TWO, "check", "count", capsule) == (
        "需要盘点数：用 --tablets N 给出药盒中盘点出的粒数（给出盘点数后才显示账面数）。未作任何更改。"
    )
    shelf = cli(*TABLETS, "inventory", "--json").json()
    kit = next(k["kit"] for k in shelf if k["status"] == "available")
    assert _needs(cli, *TABLETS, "check", "count", kit) == (
        f"Needs the count: give --tablets N, the tablets counted in the kit {COUNT}"
    )


def test_a_kit_not_known_is_counted_in_tablets_or_capsules() -> None:
    """In a study of capsules and tablets; in a study of capsules only (REV-CAPS-28) its word,
    "capsules" (粒), not "tablets or capsules"; in one of tablets only "tablets"."""
    from dispensary.cli.check import _count_word

    capsules = load_study(Path(__file__).parents[1] / "fixtures" / "REV-CAPS-28.toml")
    assert _count_word(capsules, "") == "capsules"
    assert _count_word(load_study(bundled_studies() / "NCT07198672.toml"), "") == "tablets"
    with speaking(Language.ZH_CN):
        assert _count_word(capsules, "") == "粒"

    study = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    assert _count_word(study, "") == "tablets or capsules"
    assert _count_word(study, "democapib-100mg") == "capsules"
    with speaking(Language.ZH_CN):
        assert _count_word(study, "") == "片或粒"
        assert _count_word(study, "democapib-100mg") == "粒"
