"""What a visual review of the Chinese windows found (and the English ones with them): Chinese
text written with ASCII punctuation, the platelet count's unit written two ways on one screen,
the program's identifiers (a rule's key, a label stock's code, a guide's file name) where a
pharmacist reads, and a printers dialog that told a pharmacist to do what only an
administrator may. Each driven on the real widgets, in Chinese and in English."""

from __future__ import annotations

import os
import re

import pytest
from back_office_fixtures import Pharmacy
from counter_fixtures import Counter, Printer, Signatures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.exceptions import TimeoutError as NotInTime
from pytestqt.qtbot import QtBot
from window_helpers import refreshed, scan

from dispensary.config import Settings
from dispensary.i18n import ENGLISH, Language
from dispensary.labels import STOCKS
from dispensary.study import PLATELET_UNIT
from dispensary.ui import label_printers
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.guide_view import Guide, GuideWindow
from dispensary.ui.label_printers import LabelPrintersDialog
from dispensary.ui.settings_view import SettingsScreen
from dispensary.ui.study_rules_view import StudyRulesScreen

SHOTS = os.environ.get("DISPENSARY_TEST_SHOTS", "")  # a folder: save a picture of each window
SCREEN_AREA = (1166, 700)
CJK = "\u4e00-\u9fff"
ASCII_BESIDE_CHINESE = re.compile(rf"[{CJK}] ?[(:]|[):] ?[{CJK}]")
"""ASCII parentheses or a colon against Chinese, where Chinese writes （ ） and ：."""
STOCK_CODES = re.compile("|".join(re.escape(code) for code in STOCKS))


def shoot(widget: QWidget, name: str) -> None:
    if SHOTS:
        QApplication.processEvents()
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def dispense_screen(qtbot: QtBot, counter: Counter) -> DispenseScreen:
    screen = DispenseScreen(counter.session("pharm"))
    qtbot.addWidget(screen)
    screen.resize(*SCREEN_AREA)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.refresh()
    return screen


# -- 2, 3: the dispense screen -----------------------------------------------------------------


def test_a_chinese_dispense_writes_its_kits_shortcuts_and_platelet_unit_the_chinese_way(
    qtbot: QtBot, chinese: None, counter: Counter, signatures: Signatures, printer: Printer
) -> None:
    """It said "K0101 (21) 共 21 片", "下一位受试者 (Esc)", and the platelets as "x 10⁹/L" in
    the field's label and "x 10^9/L" in the notice under it."""
    screen = dispense_screen(qtbot, counter)
    assert screen.new_button.text() == "下一位受试者(&W)（Esc）"
    assert screen.preview_button.text() == "预览标签(&V)（Ctrl+P）"
    scan(qtbot, screen.participant_field, "01-001")
    qtbot.keyClicks(screen.platelets, "150")
    label, notices = screen.platelets_label.text(), screen.notices.text()
    assert label == f"血小板（{PLATELET_UNIT}）(&S)" == "血小板（×10⁹/L）(&S)", label
    assert "登记的血小板为 150 ×10⁹/L。" in notices, notices
    assert "血小板计数达到或超过 100 ×10⁹/L 时暂停用药" in notices, notices
    assert "10^9" not in notices and "x 10" not in label
    shoot(screen, "dispense-platelets-zh_CN")

    scan(qtbot, screen.kit_field, "K0101")
    [(_signer, _meaning, summary)] = signatures.asked
    assert "血小板计数 150 ×10⁹/L。" in summary, summary
    done = screen.message.text()
    assert "K0101（21）共 21 片" in done, (
        done
    )  # the kit's count without a unit word: a capsule kit too
    assert not ASCII_BESIDE_CHINESE.search(done.replace("K0101", "")), done
    shoot(screen, "dispense-done-zh_CN")


def test_an_english_dispense_writes_the_platelet_unit_as_its_field_does(
    qtbot: QtBot, counter: Counter, signatures: Signatures, printer: Printer
) -> None:
    screen = dispense_screen(qtbot, counter)
    scan(qtbot, screen.participant_field, "01-001")
    qtbot.keyClicks(screen.platelets, "150")
    assert screen.platelets_label.text() == "Platelet&s (×10⁹/L)"
    notices = screen.notices.text()
    assert "platelets 150 ×10⁹/L are recorded." in notices, notices
    assert "at or above 100 ×10⁹/L" in notices, notices
    scan(qtbot, screen.kit_field, "K0101")
    assert "K0101 (21)" in screen.message.text()


# -- 3, 4: the Study rules screen --------------------------------------------------------------


def rule_cells(screen: StudyRulesScreen, title: str) -> list[tuple[str, str]]:
    """Each row's cell under `title`: its text and its tooltip."""
    model = screen.table.model()
    titles = [
        str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
    ]
    column = titles.index(title)
    return [
        (
            str(model.index(row, column).data() or ""),
            str(model.index(row, column).data(Qt.ItemDataRole.ToolTipRole) or ""),
        )
        for row in range(model.rowCount())
    ]


@pytest.mark.parametrize(
    ("language", "rule", "what_it_says", "names"),
    [
        (
            Language.ZH_CN,
            "规则",
            "内容",
            {
                "cycle.min_interval": "周期间隔",
                "adherence": "依从性",
                "platelets": "血小板暂停用药",
            },
        ),
        (
            ENGLISH,
            "Rule",
            "What it says",
            {
                "cycle.min_interval": "Interval between cycles",
                "adherence": "Adherence",
                "platelets": "Platelet hold",
            },
        ),
    ],
)
def test_the_study_rules_are_named_in_words_with_their_key_on_hover(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: Language,
    rule: str,
    what_it_says: str,
    names: dict[str, str],
) -> None:
    """The Rule column showed cycle.min_interval, adherence, label.text.zh_CN in a Chinese
    window; the administrator who edits the study file finds the key on hover."""
    from dispensary.ui.translations import install_language

    assert install_language(language)
    try:
        screen = refreshed(qtbot, StudyRulesScreen(pharmacy.session("admin")), SCREEN_AREA)
        cells = rule_cells(screen, rule)
        keys = {re.split("[ ：]", tip)[-1]: text for text, tip in cells}
        for key, name in names.items():
            assert keys.get(key) == name, cells
        shown = [text for text, _tip in cells]
        assert not [t for t in shown if re.fullmatch(r"[a-z_]+(\.[\w.-]+)?", t)], shown
        if language is not ENGLISH:
            assert "简体中文标签文字" in shown, shown
            assert all(re.search(f"[{CJK}]", t) for t in shown), shown
        said = " ".join(text for text, _tip in rule_cells(screen, what_it_says))
        assert f"100 {PLATELET_UNIT}" in said and "10^9" not in said, said
        assert screen.select("cycle.min_interval")
        chosen = screen.chosen.text()
        assert names["cycle.min_interval"] in chosen and "cycle.min_interval" in chosen
        shoot(screen, f"study-rules-{language.value}")
    finally:
        install_language(ENGLISH)


# -- 4, 6: the label stocks and the printers dialog --------------------------------------------


def test_the_label_stocks_are_described_in_chinese_with_their_code_on_hover(
    qtbot: QtBot, chinese: None, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings, the printers dialog (the wizard's page is its panel) and the report screen's
    stock list showed thermal-4x2, a4-sheet, letter-sheet."""
    from dispensary.ui.reports_view import ReportsScreen

    monkeypatch.setattr(label_printers, "available_printers", lambda: ["Zebra ZD421"])
    settings = SettingsScreen(pharmacy.session("admin"))
    qtbot.addWidget(settings)
    settings.refresh()
    dialog = LabelPrintersDialog(None, Settings(), record=lambda *_a: True)
    qtbot.addWidget(dialog)
    reports = ReportsScreen(pharmacy.session("pharm"))
    qtbot.addWidget(reports)
    for window in (settings, dialog):
        for code in STOCKS:
            caption = window.findChild(QLabel, f"stockCaption_{code}")
            assert caption is not None, code
            assert not STOCK_CODES.search(caption.text()), caption.text()
            assert re.search(f"[{CJK}]", caption.text()) and re.search(r"\d", caption.text())
            assert code in caption.toolTip(), caption.toolTip()
    listed = [reports.stock.itemText(i) for i in range(reports.stock.count())]
    assert listed[0] == "热敏卷纸，4 x 2 英寸标签", listed
    assert not STOCK_CODES.search(" ".join(listed)), listed
    assert [reports.stock.itemData(i) for i in range(reports.stock.count())] == list(STOCKS)
    dialog.show()
    shoot(dialog, "label-printers-admin-zh_CN")


@pytest.mark.parametrize(
    ("language", "says", "not_said"),
    [
        (Language.ZH_CN, "请管理员安装标签打印机的驱动程序", "然后在此选择"),
        (ENGLISH, "ask an administrator to install the label printer's driver", "choose it here"),
    ],
)
def test_the_read_only_printers_dialog_on_a_computer_with_no_printer_says_who_installs_it(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    language: Language,
    says: str,
    not_said: str,
) -> None:
    """A pharmacist read "install the label printer's driver, then choose it here" above
    choices disabled and "an administrator changes the printers"."""
    from dispensary.ui.translations import install_language

    monkeypatch.setattr(label_printers, "available_printers", lambda: [])
    assert install_language(language)
    try:
        dialog = LabelPrintersDialog(None, Settings())
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
        assert says in shown, shown
        assert not_said not in shown, shown
        assert not any(box.isEnabled() for box in dialog.panel.choosers.values())
        shoot(dialog, f"label-printers-read-only-{language.value}")
    finally:
        install_language(ENGLISH)


def test_the_administrators_printers_dialog_still_says_to_choose_the_printer_here(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(label_printers, "available_printers", lambda: [])
    dialog = LabelPrintersDialog(None, Settings(), record=lambda *_a: True)
    qtbot.addWidget(dialog)
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "install the label printer's driver, then choose it here" in shown


# -- 5: the guides -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "titles"),
    [
        (Language.ZH_CN, {Guide.PHARMACIST: "药师指南", Guide.ADMINISTRATOR: "管理员指南"}),
        (
            ENGLISH,
            {Guide.PHARMACIST: "Pharmacist's guide", Guide.ADMINISTRATOR: "Administrator's guide"},
        ),
    ],
)
def test_a_guide_is_named_by_its_title_and_wraps_to_its_window(
    qtbot: QtBot, language: Language, titles: dict[Guide, str]
) -> None:
    """The corner showed "pharmacist.zh_CN.md"; the administrator's guide, with its GRANTs in a
    code block, scrolled sideways."""
    from dispensary.ui.translations import install_language, load_cjk_font

    load_cjk_font()
    assert install_language(language)
    try:
        for guide, title in titles.items():
            window = GuideWindow(guide, language)
            qtbot.addWidget(window)
            window.resize(900, 700)
            window.show()
            qtbot.waitExposed(window)
            assert window.where.text() == title
            assert not window.where.text().endswith(".md")
            shoot(window, f"guide-{guide.value}-{language.value}")
            # The GRANTs' longest line just fits 900 px with the test's fonts (the review's
            # fonts scrolled there): half a 1366 px screen is narrower still.
            for width in (900, 700):
                window.resize(width, 700)
                bar = window.browser.horizontalScrollBar()
                try:  # a long guide is laid out again bit by bit, between events
                    qtbot.waitUntil(lambda bar=bar: bar.maximum() == 0, timeout=3000)
                except NotInTime:
                    pytest.fail(f"{guide} at {width} px: {bar.maximum()} px to scroll sideways")
    finally:
        install_language(ENGLISH)
