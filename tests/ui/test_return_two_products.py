"""The Returns screen of a dispense of two products (DEMO-2DRUG: democapib capsules with
demotinib tablets): the adherence is said a line per product, each with its own figures and
flag, as the service judged them. The card read "Expected 49 · taken 48 · adherence 98%" beside
"Under-use, Over-use", never saying which drug (democapib 18 of 28 capsules, under-use;
demotinib 30 of 21 tablets, over-use). The kit chooser, the tally and the kits' table count a
capsule kit in capsules (粒), not 片. After the last kit the cursor waits for the next scan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import OPENING_DAY, PASSWORDS, Counter, Signatures, study_pharmacy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot

from dispensary.services import dispensing
from dispensary.services.results import ProductFigures
from dispensary.study import bundled_studies, load_study
from dispensary.ui.return_view import ReturnScreen

CAPSULE, TABLET = "democapib-100mg", "demotinib-25mg"


@pytest.fixture
def pharmacy(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-2DRUG: 01-001 took home C0001 (28 capsules) and T0001 (30 tablets) on 5 January;
    today is 26 January, the next day 1."""
    study = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    counter = study_pharmacy(
        study, [("C0001-C0002", CAPSULE), ("T0001-T0002", TABLET)], tmp_path / "pharmacy.sqlite3"
    )
    dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, OPENING_DAY, PASSWORDS["pharm"]
    )
    counter.clock.set_date(date(2026, 1, 26))
    yield counter
    counter.ctx.engine.dispose()


def open_screen(qtbot: QtBot, pharmacy: Counter) -> ReturnScreen:
    widget = ReturnScreen(pharmacy.session("pharm"))
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    widget.refresh()
    return widget


def headers(view: QTableView) -> list[str]:
    model = view.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]


def scan_here(qtbot: QtBot, code: str, enter: bool = True) -> None:
    """What a scanner (or a person at the keyboard) does: keys into the field with the cursor."""
    field = QApplication.focusWidget()
    assert isinstance(field, QWidget)
    qtbot.keyClicks(field, code)
    if enter:
        qtbot.keyClick(field, Qt.Key.Key_Return)


WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "kits": ["C0001 (28 capsules dispensed)", "T0001 (30 tablets dispensed)"],
        "headers": ["Kit", "Product", "Lot", "Dispensed", "Return"],
        "cells": ["28 capsules", "30 tablets"],
        "tally": "Kit T0001: 30 tablets dispensed · 0 tablets counted back · 30 tablets taken",
        "line": "{product}: expected <b>{expected}</b> · taken <b>{taken}</b> · adherence"
        " <b>{adherence}</b>",
        "units": {CAPSULE: "{n} capsules", TABLET: "{n} tablets"},
        "flags": {CAPSULE: "Under-use (missed doses)", TABLET: "Over-use (safety signal)"},
        "why": "Ask the participant why.",
    },
    "zh_CN": {
        "kits": ["C0001（发放 28 粒）", "T0001（发放 30 片）"],
        "headers": ["药盒", "药品", "批号", "发放数量", "退药"],
        "cells": ["28 粒", "30 片"],
        "tally": "药盒 T0001：发放 30 片 · 清点退回 0 片 · 已服 30 片",
        "line": "{product}：应服 <b>{expected}</b> · 已服 <b>{taken}</b> · 依从性 <b>{adherence}</b>",
        "units": {CAPSULE: "{n} 粒", TABLET: "{n} 片"},
        "flags": {CAPSULE: "用药不足（漏服）", TABLET: "用药过量（安全性信号）"},
        "why": "请询问受试者原因。",
    },
}


def product_line(screen: ReturnScreen, words: dict[str, Any], p: ProductFigures) -> str:
    """The line the screen should show of one product: the service's figures, in its units."""
    study = screen.session.ctx.study
    unit = words["units"][p.product]
    assert p.expected is not None and p.taken is not None and p.adherence is not None
    line = words["line"].format(
        product=study.product_name(p.product),
        expected=unit.format(n=p.expected),
        taken=unit.format(n=p.taken),
        adherence=f"{p.adherence:.0%}",
    )
    return f"{line} · <span style='color:#8a1c13'><b>{words['flags'][p.product]}</b></span>"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_adherence_of_each_product_is_its_own_line(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    words = WORDS[language]
    screen = open_screen(qtbot, pharmacy)
    scan_here(qtbot, "DSP000001")
    assert [screen.kit.itemText(i) for i in range(screen.kit.count())] == words["kits"]
    assert headers(screen.lines_view) == words["headers"]
    assert [screen.lines_model.data(screen.lines_model.index(r, 3)) for r in (0, 1)] == (
        words["cells"]
    )

    assert QApplication.focusWidget() is screen.counted
    scan_here(qtbot, "10")  # C0001: 10 of 28 capsules back
    assert QApplication.focusWidget() is screen.counted  # T0001 is still to count
    scan_here(qtbot, "0", enter=False)  # T0001: every tablet gone
    tally = screen.tally.text().split("<br>")
    assert tally[0] == words["tally"]
    preview = screen.assessment.preview if screen.assessment is not None else None
    assert preview is not None
    assert [(p.product, p.taken, p.expected) for p in preview.products] == [
        (CAPSULE, 18, 28),
        (TABLET, 30, 21),
    ]
    assert tally[1:] == [
        *(product_line(screen, words, p) for p in preview.products),
        f"<span style='color:#8a1c13'>{words['why']}</span>",
    ]

    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)
    result = screen.last_result
    assert result is not None and result.kit == "T0001"
    # The service's figures, read back once written, as the preview had them.
    assert [(p.taken, p.expected, p.flags) for p in result.products] == [
        (p.taken, p.expected, p.flags) for p in preview.products
    ]
    lines = screen.result.text().split("<br>")
    assert lines[1:] == [product_line(screen, words, p) for p in result.products]
    assert "49" not in screen.result.text()  # the sums counted no one unit
    assert QApplication.focusWidget() is screen.reason


def test_after_the_last_kit_of_a_two_kit_return_the_cursor_waits_for_the_next_scan(
    qtbot: QtBot, pharmacy: Counter, signatures: Signatures
) -> None:
    screen = open_screen(qtbot, pharmacy)
    scan_here(qtbot, "DSP000001")
    scan_here(qtbot, "0")
    assert QApplication.focusWidget() is screen.counted
    scan_here(qtbot, "9")  # 28 of 28 capsules, 21 of 21 tablets: nothing flagged
    assert screen.message.text() == "Return recorded."
    assert QApplication.focusWidget() is screen.scan_field
    scan_here(qtbot, "DSP000001")  # taken: the return is said to be complete
    assert screen.message.text().startswith("Every kit of DSP000001 is already counted back.")


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "'12O' is not a whole number: write the number of capsules returned with"),
        ("zh_CN", "“12O”不是整数：退回粒数只能用数字"),
    ],
)
def test_a_mistyped_count_of_a_capsule_kit_is_refused_in_capsules(
    qtbot: QtBot,
    pharmacy: Counter,
    language: str,
    said: str,
    request: pytest.FixtureRequest,
) -> None:
    """The refusal names the field in the chosen kit's word, as the count and receive screens
    do: it said "the number of tablets returned" (退回片数) over a capsule kit."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = open_screen(qtbot, pharmacy)
    scan_here(qtbot, "DSP000001")
    assert screen._product_of(str(screen.kit.currentData())) == CAPSULE
    scan_here(qtbot, "12O")
    assert screen.message.text().startswith(said), screen.message.text()


def test_the_kits_of_the_dispense_are_listed_with_the_chinese_comma(
    qtbot: QtBot, pharmacy: Counter, chinese: None
) -> None:
    """A kit not of the dispense scanned: the refusal lists the dispense's kits as a Chinese
    list names items, with the enumeration comma ("C0001、T0001"), not an English comma and space."""
    screen = open_screen(qtbot, pharmacy)
    scan_here(qtbot, "DSP000001")
    screen.scan_field.setFocus()
    scan_here(qtbot, "C0002")
    assert "该记录的药盒为 C0001、T0001。" in screen.message.text(), screen.message.text()
