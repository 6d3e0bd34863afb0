"""Chinese does not nest its brackets: "标签纸 a4-sheet（A4 标签纸，每张 10 枚 99.1 x 57 毫米标签
（L7173 版式））的校准页" closed two at once. A translation writes a second level another way (a
comma, 即), and a text put inside brackets (a stock's description) holds none itself."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from babel.messages.pofile import read_po

from dispensary.i18n import Language, speaking
from dispensary.labels import NO_CALIBRATION, STOCKS
from dispensary.labels import catalogue as label_catalogue

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"
PYTHON_FORMAT = re.compile(r"%\(\w+\)[sdr]")
"""argparse's own placeholders ("%(value)r"), not brackets a reader sees."""


def _depth(text: str) -> int:
    deepest = depth = 0
    for char in PYTHON_FORMAT.sub("", re.sub(r"<[^>]*>", "", text)):
        if char in "（(":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "）)":
            depth -= 1
    return deepest


def _translations() -> list[tuple[str, str]]:
    found = []
    for path in sorted(I18N.glob("zh_CN*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if isinstance(message.string, str) and message.string:
                    found.append((path.name, message.string))
    for path in sorted((I18N / "ui").glob("*_zh_CN.ts")):
        for message in ET.parse(path).getroot().iter("message"):
            text = message.findtext("translation")
            if text:
                found.append((path.name, text))
    return found


def test_no_chinese_translation_nests_brackets() -> None:
    nested = [f"{name}: {text!r}" for name, text in _translations() if _depth(text) > 1]
    assert not nested, "brackets inside brackets:\n" + "\n".join(nested)


def test_a_stocks_description_holds_no_brackets_in_chinese() -> None:
    """It stands in brackets after the stock's name (the calibration page's sentence)."""
    entry = label_catalogue.label("calibration")
    with speaking(Language.ZH_CN):
        for stock in STOCKS.values():
            assert _depth(stock.shown) == 0, stock.shown
            says = label_catalogue.calibration_sheet(entry, stock, NO_CALIBRATION).says
            assert _depth(says) == 1, says
        a4 = label_catalogue.calibration_sheet(entry, STOCKS["a4-sheet"], NO_CALIBRATION).says
    assert a4 == "标签纸 a4-sheet（A4 标签纸，每张 10 枚 99.1 x 57 毫米标签，L7173 版式）的校准页"


def test_the_depth_counts_brackets_a_reader_sees() -> None:
    assert _depth("自第 {week} 周（{start}）起") == 1
    assert _depth("（标签（L7173 版式））") == 2
    assert _depth("无效的选择：%(value)r（可选：%(choices)s）") == 1
    assert _depth("导出(&E)…") == 1
