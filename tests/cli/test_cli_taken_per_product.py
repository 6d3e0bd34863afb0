"""What a participant took, said in each product's word in a study not all of tablets: the
participant report's CSV gives a dispense of two products (the demo's DEMO-2DRUG: democapib
capsules with demotinib tablets) a row per product, and the open adherence flag (the monitor
pack's open items, the reconciliation's finding) says each product's taken of expected ("58",
"41 of 49": 28 capsules and 30 tablets summed reconciled with neither). A study of tablets only
reads as before."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date
from pathlib import Path

from cli_support import Cli

from dispensary.domain.codes import Flag
from dispensary.i18n import Language, speaking
from dispensary.services.reconciliation import taken_said
from dispensary.services.results import DispenseHistoryRow, ProductFigures
from dispensary.study import bundled_studies, load_study
from reports.pdfread import pdf_pages_text

TWO = ("--study", "DEMO-2DRUG")
TABLETS = ("--study", "NCT07198672")
HEADER = (
    "cycle,dispense,day1,dispensed_on,dose,kits,tablets,returned,not_brought_back,taken,"
    "expected,adherence,flags,flag_reason,returned_on,observations,irt_confirmation,voided,"
    "dispensed_by,checked_by,return_day_note"
)


def _csv(cli: Cli, tmp_path: Path, number: str, *args: str) -> list[str]:
    out = tmp_path / "participant.csv"
    made = cli(*args, "report", "participant", "--participant", number, "--out", str(out))
    assert made.code == 0, made.err
    return [line for line in out.read_text("utf-8-sig").splitlines() if not line.startswith("#")]


def _flag_cycle_3(cli: Cli) -> None:
    """21-001 brings back 8 of democapib's 28 capsules (20 taken of 28: under-use) and 9 of
    demotinib's 30 tablets (21 of 21)."""
    for kit, back in (("C3007", "8"), ("T3007", "9")):
        done = cli(*TWO, "return", "21-001", "--cycle", "3", "--kit", kit, "--tablets", back)
        assert done.code == 0, done.err


def test_the_participant_csv_gives_each_product_its_row(cli: Cli, tmp_path: Path) -> None:
    _flag_cycle_3(cli)
    lines = _csv(cli, tmp_path, "21-001", *TWO)
    assert lines[0] == HEADER + ",product"
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    third = [r for r in rows if r["dispense"] == "DSP000109"]
    assert [
        (r["product"], r["kits"], r["tablets"], r["returned"], r["taken"], r["expected"])
        for r in third
    ] == [
        ("democapib-100mg", "C3007", "28", "8", "20", "28"),
        ("demotinib-25mg", "T3007", "30", "9", "21", "21"),
    ]
    assert [(r["adherence"], r["flags"]) for r in third] == [("0.7143", "under_use"), ("1.0", "")]
    assert not [r for r in rows if r["tablets"] == "58"]


def test_a_tablet_studys_participant_csv_is_unchanged(cli: Cli, tmp_path: Path) -> None:
    lines = _csv(cli, tmp_path, "01-001", *TABLETS)
    assert lines[0] == HEADER
    assert lines[1].startswith("1,DSP000001,") and ",K1001,21,3,0,18,21,0.8571," in lines[1]


def test_an_open_flag_says_each_products_taken_of_expected(cli: Cli, tmp_path: Path) -> None:
    _flag_cycle_3(cli)
    english = cli(*TWO, "reconcile")
    assert (
        "democapib (fictional) 100 mg capsule taken 20 capsules of 28 capsules expected; "
        "demotinib (fictional) 25 mg tablet taken 21 tablets of 21 tablets expected. Record the "
        "reason." in " ".join(english.out.split())
    ), english.out
    assert "taken 41 of 49" not in english.out
    chinese = cli("--lang", "zh_CN", *TWO, "reconcile")
    assert "100 mg：应服 28 粒，已服 20 粒；" in chinese.out, chinese.out
    assert "25 mg：应服 21 片，已服 21 片。请登记原因。" in chinese.out
    out = tmp_path / "monitor.pdf"
    made = cli(
        *TWO, "report", "monitor", "--from", "2026-02-01", "--to", "2026-03-02", "--out", str(out)
    )
    assert made.code == 0, made.err
    text = " ".join(" ".join(pdf_pages_text(out.read_bytes())).split())
    assert (
        "DSP000109 cycle 3: Under-use (missed doses); democapib (fictional) 100 mg capsule taken "
        "20 capsules of 28 capsules expected; demotinib (fictional) 25 mg tablet taken 21 tablets "
        "of 21 tablets expected; no reason recorded." in text
    ), text


def _row(
    products: tuple[ProductFigures, ...], returned: int, unaccounted: int
) -> DispenseHistoryRow:
    return DispenseHistoryRow(
        "DSP000001", 1, date(2026, 3, 2), date(2026, 3, 2), "level 1", ("C1", "C2"), 56,
        returned, None, 56, None, (Flag.UNDER_USE,), "", date(2026, 3, 23), unaccounted,
        products=products,
    )  # fmt: skip


def test_units_not_brought_back_are_said_in_the_products_word() -> None:
    study = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    capsules = dataclasses.replace(study, products=study.products[:1])
    code = capsules.products[0].code
    row = _row((ProductFigures(code, ("C1", "C2"), 56, 0, None, 56, None, (), 28),), 0, 28)
    assert taken_said(capsules, row) == (
        "28 capsules not brought back (unaccounted for, not counted as taken)"
    )
    with speaking(Language.ZH_CN):
        assert taken_said(capsules, row) == "未带回 28 粒（数量不明，不计为已服）"
    row = dataclasses.replace(row, returned=3)
    assert taken_said(capsules, row).endswith("; 3 capsules returned from the kits brought back")
    tablets = load_study(bundled_studies() / "NCT07198672.toml")
    assert taken_said(tablets, row) == (
        "28 tablets not brought back (unaccounted for, not counted as taken); 3 returned from the "
        "kits brought back"
    )
