"""The sentence `dispensary --lang zh_CN label` writes after a print: it read "已在 A4 纸 上写出…"
(a space between two Chinese words: the English template's "on {stock}" put a space either
side of the paper, whose Chinese word ends in 纸). The stock or paper now stands after its own
label, spaced as the project's Chinese spaces a Latin name and not at all otherwise."""

from __future__ import annotations

import re
from pathlib import Path

from cli_support import Cli

LIVE_DISPENSE = "DSP000134"  # the demo's: 01-009, cycle 7
CJK = "\u4e00-\u9fff"


def test_the_written_sentence_names_the_paper_without_a_space_inside_the_chinese(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "leaflet.pdf"
    made = cli("--lang", "zh_CN", "label", "leaflet", LIVE_DISPENSE, "--out", str(out))
    assert made.code == 0, made.err
    first = made.out.splitlines()[0]
    assert first.startswith(f"已写出{LIVE_DISPENSE}（"), first
    assert f"的受试者说明单，用纸：A4 纸；文件：{out}（" in first, first
    assert not re.search(f"[{CJK}] [{CJK}]", first), first
    sheet = tmp_path / "kit.pdf"
    made = cli(
        "--lang", "zh_CN", "label", "kit", "K5009", "--out", str(sheet), "--stock", "a4-sheet"
    )
    assert made.code == 0, made.err
    assert "的 1 张药盒标签，用纸：a4-sheet；文件：" in made.out, made.out
    reprint = ("--reprint", "--reason", "torn", "--force")  # over the first print's file
    english = cli("label", "leaflet", LIVE_DISPENSE, "--out", str(out), *reprint)
    assert english.code == 0, english.err
    assert " on A4 paper, marked REPRINT: " in english.out, english.out
