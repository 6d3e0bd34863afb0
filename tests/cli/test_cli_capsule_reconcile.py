"""The `reconcile` command of a study whose products are not all tablets (the demo's DEMO-2DRUG:
democapib capsules with demotinib tablets): each product named as the study file names it in the
reader's language, not by its code, and the notes under the table count what participants
brought back and what counts wrote off in each product's units, not "tablets" (the report's
written-off note is the same sentence: reconciliation.written_off_note). The JSON keeps the
codes; a study of tablets only reads as before."""

from __future__ import annotations

from cli_support import Cli

from dispensary.i18n import Language, speaking
from dispensary.services.reconciliation import written_off_note
from dispensary.study import bundled_studies, load_study

TWO = ("--study", "DEMO-2DRUG")
TABLETS = ("--study", "NCT07198672")
WRITTEN_OFF = (
    "Written off (adjusted): what physical counts took off the book (broken, lost), less what "
    "they found, each product in its own units; a count 1 short of the book writes off 1, a count "
    "1 over writes off -1."
)


def test_a_capsule_study_is_reconciled_by_product_name_in_its_units(cli: Cli) -> None:
    english = cli(*TWO, "reconcile")
    assert english.code == 0, english.err
    lines = english.out.splitlines()
    assert lines[4].startswith("democapib (fictional) 100 mg capsule       560        252")
    assert lines[5].startswith("demotinib (fictional) 25 mg tablet         600        270")
    assert lines[6:8] == [
        "Held: what participants brought back, kept for the monitor until destroyed.",
        WRITTEN_OFF,
    ], english.out
    assert "tablet" not in " ".join(lines[6:8]) and "democapib-100mg" not in english.out
    chinese = cli("--lang", "zh_CN", *TWO, "reconcile")
    lines = chinese.out.splitlines()
    assert lines[4].startswith("德莫卡匹布胶囊（虚构）100 mg     560     252")
    assert lines[5].startswith("德莫替尼片（虚构）25 mg          600     270")
    assert lines[6:8] == [
        "退回留存：受试者带回、为监查员保留直至销毁的药物。",  # the glossary's one name
        "核销（盘点调整）：实物盘点从账面核销的数量（破损、丢失），减去盘盈的数量，各药品按其自身"
        "单位计；盘点比账面少 1 个单位核销 1，多 1 个单位核销 -1。",
    ], chinese.out
    assert "片" not in " ".join(lines[6:8])
    data = cli(*TWO, "reconcile", "--json").json()
    assert [p["product"] for p in data["products"]] == ["democapib-100mg", "demotinib-25mg"]


def test_a_tablet_studys_reconciliation_reads_as_before(cli: Cli) -> None:
    english = cli(*TABLETS, "reconcile")
    lines = english.out.splitlines()
    assert lines[4].startswith("herombopag-2.5mg       588")
    assert lines[6:8] == [
        "Held: tablets participants brought back, kept for the monitor until destroyed.",
        "Written off (adjusted): tablets physical counts took off the book (broken, lost), less "
        "the tablets they found; a count 1 tablet short of the book writes off 1, a count 1 over "
        "writes off -1.",
    ], english.out


def test_the_reports_written_off_note_is_in_the_studys_units() -> None:
    capsules = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    tablets = load_study(bundled_studies() / "NCT07198672.toml")
    assert written_off_note(capsules) == WRITTEN_OFF
    assert written_off_note(tablets) == written_off_note()
    assert written_off_note(tablets).startswith("Written off (adjusted): tablets physical")
    with speaking(Language.ZH_CN):
        assert "从账面核销的数量" in written_off_note(capsules)
        assert "从账面核销的药片" in written_off_note(tablets)


def test_a_tablet_studys_reconciliation_names_its_products_in_chinese_as_the_pdf_does(
    cli: Cli,
) -> None:
    """`--lang zh_CN reconcile` names each product as the reconciliation PDF does (the study
    file's Chinese name), never by its code ("herombopag-2.5mg")."""
    study = load_study(bundled_studies() / "NCT07198672.toml")
    with speaking(Language.ZH_CN):
        names = [study.product_name(p.code) for p in study.products]
    assert all("海曲泊帕" in name for name in names), names
    chinese = cli("--lang", "zh_CN", *TABLETS, "reconcile")
    assert chinese.code == 0, chinese.err
    table = chinese.out.split("\n\n")[1]
    assert "herombopag-" not in table, chinese.out
    assert any(line.startswith(names[0]) for line in table.splitlines()), chinese.out
    data = cli("--lang", "zh_CN", *TABLETS, "reconcile", "--json").json()
    assert all(p["product"].startswith("herombopag-") for p in data["products"])
