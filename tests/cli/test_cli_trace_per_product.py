"""The recall list (`trace LOT`) of a study dispensing two products a cycle (the demo's
DEMO-2DRUG): its text table summed a dispense's capsules and tablets ("Given 58 / Back 9"), a
count of no product. Each product now has its own line and figures in its own units, as the
`history` text gives them; a study of one tablet product reads as before."""

from __future__ import annotations

import re

from cli_support import Cli

TWO = ("--study", "DEMO-2DRUG")


def _after(line: str, kit: str) -> str:
    """The words of a table line after its kit."""
    return " ".join(line.split(kit)[1].split())


def test_the_trace_gives_each_product_of_a_dispense_its_figures(cli: Cli) -> None:
    english = cli(*TWO, "trace", "DT2603")
    assert english.code == 0, english.err
    lines = english.out.splitlines()
    header = next(line for line in lines if line.startswith("Dispensed"))
    assert header.split() == [
        "Dispensed", "Participant", "Cycle", "Dispense", "Product", "Kits", "Given", "Back",
        "Returned", "on",
    ]  # fmt: skip
    first = next(line for line in lines if "DSP000063" in line)
    assert "democapib (fictional) 100 mg capsule  C3001" in first, first
    assert re.fullmatch(r"28 capsules 0 capsules \d{4}-\d\d-\d\d", _after(first, "C3001")), first
    second = lines[lines.index(first) + 1]
    assert "demotinib (fictional) 25 mg tablet" in second and "DSP" not in second, second
    assert _after(second, "T3001") == "30 tablets 9 tablets"
    assert " 58 " not in english.out, english.out
    chinese = cli("--lang", "zh_CN", *TWO, "trace", "DT2603").out
    first = next(line for line in chinese.splitlines() if "DSP000063" in line)
    assert "药品" in chinese and re.fullmatch(r"28 粒 0 粒 \S+", _after(first, "C3001")), chinese
    second = chinese.splitlines()[chinese.splitlines().index(first) + 1]
    assert _after(second, "T3001") == "30 片 9 片", chinese


def test_a_study_of_one_tablet_product_keeps_its_trace(cli: Cli) -> None:
    text = cli("--study", "NCT07198672", "trace", "HT2507B").out
    header = next(line for line in text.splitlines() if line.startswith("Dispensed"))
    assert "Product" not in header
    line = next(line for line in text.splitlines() if "DSP000069" in line)
    assert re.fullmatch(r"K1062 21 3 \d{4}-\d\d-\d\d", _after(line, "DSP000069")), line
