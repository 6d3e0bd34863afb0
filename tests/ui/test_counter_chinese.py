"""Issue 13: the counter in Simplified Chinese. A dispense and a return driven as a pharmacist
drives them (scan, scan, sign), with the screens' own words in Chinese and the records written;
the dispense screen fits 1366x768 in Chinese; the counter's catalogue keeps every placeholder,
tag and keyboard accelerator of the English."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date

import pytest
from counter_fixtures import Counter, Printer, Signatures
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot
from window_helpers import scan

from dispensary.domain.codes import Flag
from dispensary.i18n import resource
from dispensary.services import dispensing, queries, returns, studies
from dispensary.services import labels as label_prints
from dispensary.services.results import DispenseResult
from dispensary.ui.app import apply_style
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.vocabulary import term

SCREEN_AREA = (1166, 700)
"""What a screen gets of a 1366x768 window, beside the navigation and under the scan bar."""

CJK = re.compile(r"[\u4e00-\u9fff]")


def type_with_input_method(qtbot: QtBot, field: QWidget, text: str) -> None:
    """What a Chinese input method does: commits the words chosen, then the user presses
    Enter (QTest types ASCII keys only)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def heading(screen: QWidget) -> str:
    title = screen.findChild(QLabel, "screenTitle")
    assert title is not None
    return title.text()


def headers(view: QTableView) -> list[str]:
    model = view.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(*SCREEN_AREA)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    """The program's style sheet, as the windows have it (its paddings and fonts take room)."""
    apply_style(qapp)
    try:
        yield
    finally:
        qapp.setStyleSheet("")


@pytest.fixture
def dispense_screen(qtbot: QtBot, chinese: None, counter: Counter) -> DispenseScreen:
    """Made after `chinese`: a window made before the language is installed stays English."""
    widget = DispenseScreen(counter.session("pharm"))
    show(qtbot, widget)
    widget.refresh()
    return widget


@pytest.fixture
def first_cycle(counter: Counter) -> DispenseResult:
    """01-001 took home kit K0101 (21 tablets) on 5 January; today is 26 January."""
    result = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.actor("tech")
    counter.clock.set_date(date(2026, 1, 26))
    return result


@pytest.fixture
def return_screen(
    qtbot: QtBot, chinese: None, counter: Counter, first_cycle: DispenseResult
) -> ReturnScreen:
    widget = ReturnScreen(counter.session("tech"))
    show(qtbot, widget)
    widget.refresh()
    return widget


def test_a_dispense_in_chinese_scan_scan_sign(
    qtbot: QtBot,
    dispense_screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
) -> None:
    screen = dispense_screen
    assert heading(screen) == "周期发放"
    assert screen.sign_button.text() == "签名并发放(&I)"
    assert screen.new_button.text() == "下一位受试者(&W)（Esc）"
    assert screen.card.text() == "扫描受试者编号开始发放。"
    assert focused() is screen.participant_field

    scan(qtbot, focused(), "01-001")  # the participant
    assert "应配周期：<b>1</b>（首次发放）" in screen.card.text()
    assert "1970年生 · 女" in screen.card.text()
    assert screen.kits_title.text() == "待取药盒（近效期先出）：已扫描 0/1"
    assert headers(screen.kits_view) == [
        "药盒",
        "药品",
        "批号",
        "有效期",
        "片数",
        "储存区域",
        "扫描",
    ]
    # the study's data in Chinese too: the product and the dose levels ([label.text.zh_CN])
    product = screen.kits_view.model().index(0, 1).data()
    assert product == "海曲泊帕乙醇胺片 7.5 mg", product
    doses = [screen.dose.itemText(i) for i in range(screen.dose.count())]
    assert doses[0] == "剂量水平 0：7.5 mg，每日一次", doses
    assert not re.search(r"[A-Za-z]{3,}", " ".join(doses) + product.replace("mg", ""))
    assert screen.cover_label.text() == "片数：1 盒共 21 片；需要 21 片"
    assert screen.message.text() == "尚待扫描的药盒：K0101。请取出并扫描，随后签名。"

    assert focused() is screen.kit_field
    scan(qtbot, focused(), "K0101")  # the kit in hand covers the cycle: signed at once

    [(signer, meaning, summary)] = signatures.asked
    assert (signer, meaning) == ("Paula Pharm", "已发放")
    assert summary == (
        "为 01-001（AB）发放第 1 周期药物：K0101 — 共 21 片，第1天 2026-01-05。未提供血小板计数。"
        "<br>剂量水平 0：7.5 mg，每日一次。"  # the dose signed for too
    )
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    assert [(r.cycle, r.kits, r.tablets) for r in rows] == [(1, ("K0101",), 21)]
    result = screen.last_result
    assert result is not None
    assert screen.message.kind == "ok"
    assert screen.message.text().startswith(f"已发放 {result.number}：01-001 第 1 周期")
    # the label text in Chinese is still to confirm: the label is English, and why is said
    assert (
        "，用至 2026-01-25。标签已打印。以英文打印，未以简体中文打印：简体中文标签文字"
        in screen.message.text()
    )
    assert len(printer.shown) == 1
    assert focused() is screen.participant_field


def test_the_signature_dialog_speaks_chinese(qtbot: QtBot, chinese: None) -> None:
    dialog = SignatureDialog(None, "Paula Pharm", "已发放", "为 01-001 发放第 1 周期药物")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "电子签名"
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "签名(&S)"
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel).text()
    assert CJK.search(cancel), f"Qt's own Cancel button is not translated: {cancel!r}"
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert "<b>Paula Pharm</b> 签名即确认：<b>已发放</b>。" in texts[0]
    assert "密码" in texts


def test_a_return_in_chinese_scan_count_sign_and_the_flag_explained(
    qtbot: QtBot,
    return_screen: ReturnScreen,
    counter: Counter,
    first_cycle: DispenseResult,
    signatures: Signatures,
) -> None:
    screen = return_screen
    assert heading(screen) == "登记退药"
    assert screen.sign_button.text() == "签名确认退药清点(&I)"
    assert screen.card.text() == "请扫描受试者带回的发放标签上的条码。"

    scan(qtbot, screen.scan_field, first_cycle.number)  # the label's barcode
    assert "第<b>1</b>周期" in screen.card.text()
    assert headers(screen.lines_view) == ["药盒", "药品", "批号", "发放片数", "退药"]
    assert screen.lines_model.data(screen.lines_model.index(0, 4)) == "待清点"
    assert screen.kit.currentText() == "K0101（发放 21 片）"
    assert screen.tally.text() == "药盒 K0101：发放 21 片"
    assert focused() is screen.counted
    scan(qtbot, screen.counted, "10")  # 10 back: 11 of 21 taken, and Enter signs

    [(signer, meaning, summary)] = signatures.asked
    assert (signer, meaning) == ("Tom Tech", "退药已清点")
    assert summary.startswith("退药：01-001 第 1 周期")
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    assert (rows[0].returned, rows[0].flags) == (10, (Flag.UNDER_USE,))
    assert "应服 <b>21</b> 片 · 已服 <b>11</b> 片 · 依从性 <b>52%</b>" in screen.result.text()
    assert term(Flag.UNDER_USE.label) in screen.result.text()
    assert screen.message.kind == "warning"
    assert screen.message.text() == "已标记：请询问受试者原因，并在下方登记。"
    assert screen.reason_label.text() == "标记原因(&R)"
    assert focused() is screen.reason

    type_with_input_method(qtbot, screen.reason, "呕吐后漏服4次")
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    assert rows[0].flag_reason == "呕吐后漏服4次"
    assert screen.message.kind == "ok"
    assert screen.message.text() == f"已为 {first_cycle.number} 登记原因。请扫描下一笔退药。"


def clipped(screen: QWidget) -> list[str]:
    """Every visible widget whose words do not fit: a button, tick box or one-line label
    narrower than its text, a wrapped label shorter than its lines, a table header narrower
    than its title, or anything reaching past the screen's edge."""
    found = []
    area = QRect(QPoint(0, 0), screen.size())
    for widget in screen.findChildren(QWidget):
        if not widget.isVisibleTo(screen) or widget.window() is not screen.window():
            continue
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        place = QRect(widget.mapTo(screen, QPoint(0, 0)), widget.size())
        if not area.contains(place):
            found.append(f"{name}: {place} is outside the screen")
        if isinstance(widget, QAbstractButton) and widget.text():
            if widget.width() < widget.sizeHint().width():
                found.append(f"{name} {widget.text()!r}: {widget.width()} < {widget.sizeHint()}")
        elif isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                wanted = widget.heightForWidth(widget.width())
                if widget.height() < wanted:
                    found.append(f"{name}: {widget.height()} high < {wanted}")
            elif widget.width() < widget.sizeHint().width():
                found.append(f"{name} {widget.text()!r}: {widget.width()} < {widget.sizeHint()}")
        elif isinstance(widget, QTableView):
            header = widget.horizontalHeader()
            for column in range(header.count()):
                if header.sectionSize(column) < header.sectionSizeHint(column):
                    found.append(f"{name} column {column}: header cut")
    return found


def test_the_chinese_dispense_screen_fits_1366x768(
    qtbot: QtBot, styled: None, dispense_screen: DispenseScreen, counter: Counter
) -> None:
    """The fullest the screen gets: a second cycle (the last dispense and return on the card),
    the platelet hold's warning and reason, and a dose change that asks who ordered it."""
    screen = dispense_screen
    hint = screen.minimumSizeHint()
    assert hint.width() <= SCREEN_AREA[0] and hint.height() <= SCREEN_AREA[1], hint
    assert clipped(screen) == []

    pharm = counter.actor("pharm")
    studies.confirm_rule(counter.ctx, counter.actor("admin"), "platelets", "investigator's rule")
    first = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(date(2026, 1, 26))
    returns.record_return(counter.ctx, pharm, first.kits[0].kit, 0, "pharmpass1", first.number)
    screen.refresh()
    scan(qtbot, screen.participant_field, "01-001")
    assert "上次退药：第 1 周期" in screen.card.text()
    qtbot.keyClicks(screen.platelets, "120")
    screen.dose.setCurrentIndex(screen.dose.findData(-1))
    for shown in (screen.platelet_warning, screen.override, screen.ordered_by):
        assert shown.isVisibleTo(screen)
    qtbot.wait(10)  # the layout settles
    assert clipped(screen) == []


def test_a_busy_days_labels_waiting_keep_the_dispense_screen_within_1366x768(
    qtbot: QtBot,
    styled: None,
    dispense_screen: DispenseScreen,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Twelve labels not yet printed (a printer down all morning): the line names the first
    few, the rest are in its tooltip, and the screen is no wider than before (the whole list
    on one line once widened the window to 1,750-1,800 pixels)."""
    waiting = [f"DSP{n:06d}" for n in range(128, 140)]
    monkeypatch.setattr(label_prints, "labels_waiting", lambda *_args: waiting)
    screen = dispense_screen
    screen.refresh()
    label = screen.waiting_label
    assert label.isVisibleTo(screen) and "12" in label.text()
    assert "DSP000128" in label.text() and "DSP000139" not in label.text()
    assert "DSP000139" in label.toolTip()
    hint = screen.minimumSizeHint()
    assert hint.width() <= SCREEN_AREA[0] and hint.height() <= SCREEN_AREA[1], hint
    qtbot.wait(10)
    assert clipped(screen) == []


def test_the_chinese_return_screen_fits_1366x768(
    qtbot: QtBot, styled: None, return_screen: ReturnScreen, first_cycle: DispenseResult
) -> None:
    screen = return_screen
    scan(qtbot, screen.scan_field, first_cycle.number)
    screen.held_period.setChecked(True)  # the hold's dates and who ordered it show
    qtbot.keyClicks(screen.counted, "10")
    qtbot.wait(10)
    assert clipped(screen) == []


PLACEHOLDER = re.compile(r"\{\w+\}")
TAG = re.compile(r"</?\w+[^>]*>")
ACCELERATOR = re.compile(r"&(?!nbsp;|amp;|bull;|#)(\w)")


def counter_messages() -> list[tuple[str, str, str]]:
    ts = resource("i18n", "ui") / "counter_zh_CN.ts"
    root = ET.parse(ts).getroot()
    return [
        (
            context.findtext("name") or "",
            m.findtext("source") or "",
            m.findtext("translation") or "",
        )
        for context in root.iter("context")
        for m in context.iter("message")
    ]


def test_the_counter_catalogue_keeps_placeholders_tags_and_accelerators() -> None:
    """A translation that lost a {placeholder} would fail at .format(); one that lost a tag
    would break the card's layout; one that lost its &-key would leave a field unreachable."""
    wrong = []
    for context, source, chinese in counter_messages():
        same = (
            sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(chinese))
            and sorted(TAG.findall(source)) == sorted(TAG.findall(chinese))
            and [k.upper() for k in ACCELERATOR.findall(source)]
            == [k.upper() for k in ACCELERATOR.findall(chinese)]
        )
        if not same:
            wrong.append(f"{context}: {source!r} -> {chinese!r}")
    assert wrong == []


def test_the_counter_catalogue_is_in_chinese() -> None:
    """Every entry with words is written in Chinese (none left as a copy of the English)."""
    english = [
        f"{context}: {source!r}"
        for context, source, chinese in counter_messages()
        if re.search(r"[A-Za-z]{3}", TAG.sub("", PLACEHOLDER.sub("", source)))
        and source not in ("Ctrl+Enter", "PDF (*.pdf)")
        and not CJK.search(chinese)
    ]
    assert english == []
