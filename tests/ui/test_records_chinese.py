"""Issue 13: the record screens (reconciliation, inventory, audit trail, temperature, reports) in
Simplified Chinese: their tabs, columns and buttons read in Chinese, every word fits a 1366x768
window, and real work is done in Chinese. The `chinese` fixture is asked for before a screen is
made: a screen takes its words when it is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import QCoreApplication, QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QTableView, QTabWidget, QWidget
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus
from dispensary.i18n import Language
from dispensary.labels.catalogue import Label
from dispensary.services import queries
from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.reconcile_view import ReconcileScreen
from dispensary.ui.reports_view import ENTRIES, ReportsScreen, entry_title
from dispensary.ui.screen import Screen
from dispensary.ui.settings_view import SettingsScreen
from dispensary.ui.temperature_view import TemperatureScreen

SCREEN_AREA = (1166, 700)
"""What a screen gets of a 1366x768 window, beside the navigation and under the scan bar."""

WARM_NIGHT = """timestamp,celsius
2026-01-20T10:00:00+00:00,22.0
2026-01-20T11:00:00+00:00,27.5
2026-01-20T12:00:00+00:00,28.1
2026-01-20T13:00:00+00:00,23.0
"""

SCREENS: list[tuple[type[Screen], str]] = [
    (ReconcileScreen, "pharm"),
    (InventoryScreen, "pharm"),
    (AuditScreen, "monitor"),
    (TemperatureScreen, "tech"),
    (ReportsScreen, "pharm"),
    (SettingsScreen, "admin"),
]


def chinese_text(text: str) -> bool:
    """Holds at least one CJK ideograph."""
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def make_screen(qtbot: Any, cls: type[Screen], pharmacy: Pharmacy, user: str) -> Any:
    screen = refreshed(qtbot, cls(pharmacy.session(user)), SCREEN_AREA)
    qtbot.wait(10)  # the layouts take the texts the refresh wrote
    return screen


def titles(view: QTableView) -> list[str]:
    model = view.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]


def shown(widget: QWidget, screen: QWidget) -> bool:
    return widget.isVisibleTo(screen) and widget.window() is screen.window()


def cut_off(screen: QWidget) -> list[str]:
    """Every button, tick box, label, tab and column header of the screen that is narrower than
    its text, or reaches outside the screen."""
    found: list[str] = []
    whole = QRect(QPoint(0, 0), screen.size())
    for button in screen.findChildren(QAbstractButton):
        if not shown(button, screen) or not button.text():
            continue
        place = QRect(button.mapTo(screen, QPoint(0, 0)), button.size())
        if button.width() < button.sizeHint().width() or not whole.contains(place):
            found.append(f"button {button.text()!r}: {button.size()} for {button.sizeHint()}")
    for label in screen.findChildren(QLabel):
        if not shown(label, screen) or not label.text() or label.wordWrap():
            continue
        if label.width() < label.sizeHint().width():
            found.append(f"label {label.text()!r}: {label.width()} for {label.sizeHint()}")
    for tabs in screen.findChildren(QTabWidget):
        bar = tabs.tabBar()
        for index in range(bar.count()):
            if bar.tabRect(index).width() < bar.tabSizeHint(index).width():
                found.append(f"tab {bar.tabText(index)!r}")
        if bar.tabRect(bar.count() - 1).right() > tabs.width():
            found.append("tabs beyond the screen")
    return found


def headers_cut(view: QTableView) -> list[str]:
    """Column headers narrower than their title (the sort arrow on the sorted column only), and
    columns wider together than the table (read only by scrolling sideways)."""
    header = view.horizontalHeader()
    header.setSortIndicatorShown(False)
    needed = [header.sectionSizeHint(c) for c in range(header.count())]
    header.setSortIndicatorShown(True)
    sorted_on = header.sortIndicatorSection()
    if 0 <= sorted_on < len(needed):
        needed[sorted_on] = header.sectionSizeHint(sorted_on)
    cut = [
        title
        for c, title in enumerate(titles(view))
        if not header.isSectionHidden(c) and header.sectionSize(c) < needed[c]
    ]
    if header.length() > view.viewport().width():
        cut.append(f"the columns need {header.length()} of {view.viewport().width()} pixels")
    return cut


@pytest.mark.parametrize(("cls", "user"), SCREENS, ids=[cls.__name__ for cls, _ in SCREENS])
def test_the_screen_reads_in_chinese_and_fits_1366x768(
    chinese: None, qtbot: Any, pharmacy: Pharmacy, cls: type[Screen], user: str
) -> None:
    screen = make_screen(qtbot, cls, pharmacy, user)
    assert chinese_text(QCoreApplication.translate("Screen", cls.title)), cls.title
    minimum = screen.minimumSizeHint()
    assert minimum.width() <= SCREEN_AREA[0] and minimum.height() <= SCREEN_AREA[1], minimum
    views = [v for v in screen.findChildren(QTableView) if shown(v, screen)]
    tabs = screen.findChildren(QTabWidget)
    for tab in tabs:  # every page of a tab widget, as the user opens it
        views += [
            tab.widget(i) for i in range(tab.count()) if isinstance(tab.widget(i), QTableView)
        ]
    for view in dict.fromkeys(views):
        english = [t for t in titles(view) if not chinese_text(t)]
        assert not english, f"{view.objectName()}: columns not in Chinese: {english}"
    for tab in tabs:
        for index in range(tab.count()):
            tab.setCurrentIndex(index)
            assert chinese_text(tab.tabText(index)), tab.tabText(index)
            page = tab.currentWidget()
            if isinstance(page, QTableView):
                assert not headers_cut(page), f"{tab.tabText(index)}: {headers_cut(page)}"
            assert not cut_off(screen), f"{tab.tabText(index)}: {cut_off(screen)}"
    for view in views:
        if view.isVisible() and not tabs:
            assert not headers_cut(view), f"{view.objectName()}: {headers_cut(view)}"
    assert not cut_off(screen)
    words = [b.text() for b in screen.findChildren(QAbstractButton) if b.text()]
    assert words and all(chinese_text(w) for w in words), words


def test_reconciliation_tabs_banner_and_findings_in_chinese(
    chinese: None, qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, ReconcileScreen, pharmacy, "pharm")
    assert [screen.tabs.tabText(i) for i in range(screen.tabs.count())] == [
        "药品",
        "批号",
        "药盒",
        "盘点（8 项待核查）",
        "受试者",
        "待审核（1）",
        "盘点差异记录（0）",
        "签名确认（0）",
    ]
    assert titles(screen.views["products"])[-1] == "账目平衡"
    # Tablets count adjustments took off the book, said as such (not "调整", which read as
    # tablets added), with the sign of a tablet found; the title is short, its tooltip whole.
    products = screen.views["products"].model()
    written_off = titles(screen.views["products"]).index("核销")
    tooltip = products.headerData(
        written_off, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert tooltip == "核销（盘点调整）"
    # A product as the study file names it in Chinese, never its code.
    assert products.index(0, 0).data() == pharmacy.ctx.study.product_name("herombopag-2.5mg")
    assert screen.written_off.text().startswith("核销（盘点调整）：实物盘点从账面核销的药片")
    assert screen.banner.text().startswith("账目平衡：")
    # The service's verdict on the shelf is shown as the service wrote it, inside Chinese words.
    assert screen.result is not None
    assert screen.shelf_banner.text() == (
        f"货架未经确认：{screen.result.physical}。只有实物盘点才能核查货架：请查看“盘点”标签页。"
    )
    discrepancies = screen.discrepancy_view.model()
    assert discrepancies.index(0, 0).data() == "依从性标记"  # DiscrepancyKind, through term()
    counts = screen.count_view.model()
    assert counts.index(0, 4).data() == "从未盘点"


def test_reconciliation_is_signed_off_in_chinese(
    chinese: None, qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["monitor"])
    screen = make_screen(qtbot, ReconcileScreen, pharmacy, "monitor")
    screen.note.setText("第3次访视：货架上的药盒均已查看")  # typed through an input method
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    [(signer, meaning, summary)] = asked
    assert meaning == "reconciliation signed off"  # the meaning recorded, as the service has it
    assert summary.startswith(f"{pharmacy.study.protocol} 对账：账目平衡，1 项发现；货架核对：")
    assert screen.message.kind == "ok"
    # With the figures it attested, as the service says them (退回留存: the held returned).
    assert screen.message.text() == (
        f"已由 {signer}（监查员）签名确认，所确认的数据：账目平衡，1 项发现；退回留存："
        "海曲泊帕乙醇胺片 2.5 mg：0 片、海曲泊帕乙醇胺片 7.5 mg：10 片。"
    )
    assert screen.tabs.tabText(screen.tabs.indexOf(screen.signoff_view)) == "签名确认（1）"
    signoffs = screen.signoff_view.model()
    assert signoffs.index(0, 3).data() == "监查员"  # Role, through term()
    assert signoffs.index(0, 4).data() == "第3次访视：货架上的药盒均已查看"


def test_inventory_statuses_and_destruction_choices_in_chinese(
    chinese: None, qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, InventoryScreen, pharmacy, "pharm")
    statuses = [screen.status.itemText(i) for i in range(screen.status.count())]
    assert statuses[:5] == ["全部状态", "可用", "盘点暂扣", "效期不足", "已隔离"]
    column = titles(screen.table).index("状态")
    shown_statuses = {screen.proxy.index(r, column).data() for r in range(screen.proxy.rowCount())}
    assert shown_statuses == {"可用", "已退回"}
    # Two products: each with its own count, a line each (together the 231 tablets available).
    assert screen.summary.text() == (
        "显示 9 个药盒；可用：\n海曲泊帕乙醇胺片 7.5 mg 105 片\n海曲泊帕乙醇胺片 2.5 mg 126 片"
    )
    screen.method.setCurrentIndex(1)
    assert screen.method.currentText() == "委托第三方焚烧"
    # The method is recorded in the words of the records, whatever the language it was chosen in.
    assert screen._method() == "Incineration by contractor"
    screen.method.setEditText("高温焚烧炉")
    assert screen._method() == "高温焚烧炉"


def test_a_report_is_made_in_chinese(chinese: None, qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, ReportsScreen, pharmacy, "pharm")
    assert screen.language is Language.ZH_CN
    listed = [screen.choices.item(i).text() for i in range(screen.choices.count())]
    reports = [entry_title(e, Language.ZH_CN) for e in ENTRIES if not isinstance(e, Label)]
    labels = [
        "指定编号的药盒标签",
        "货件的药盒标签",
        "发放标签",
        "受试者说明单",
        "标签校准页",
    ]
    assert listed == reports + labels
    screen.product.setCurrentIndex(screen.product.findData("herombopag-7.5mg"))
    screen.choose("darf")
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
        assert screen.preview_title.text().startswith("正在生成：")
    assert screen.made is not None, screen.message.text()
    assert screen.made.pdf.startswith(b"%PDF")
    assert screen.preview_title.text() == f"<b>{screen.made.title}</b>"
    assert screen.pages.text().endswith(" 页")
    assert screen.save_button.isEnabled() and screen.save_button.text() == "另存为 PDF(&V)…"


def test_a_temperature_excursion_is_recorded_in_chinese(
    chinese: None, qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    screen = make_screen(qtbot, TemperatureScreen, pharmacy, "tech")
    logger = tmp_path / "记录仪.csv"
    logger.write_text(WARM_NIGHT, encoding="utf-8")
    screen.file.setText(str(logger))
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "warning"
    assert screen.message.text().startswith("试验药物库房1：在记录仪.csv中发现 1 次温度超标；")
    assert "已隔离 8 个药盒：" in screen.message.text()
    quarantined = queries.inventory(
        pharmacy.ctx, pharmacy.actor("tech"), status=KitStatus.QUARANTINED
    )
    assert len(quarantined) == 8
    assert screen.kits_label.text().startswith("<b>")
    assert "个药盒被隔离" in screen.kits_label.text()
    status = titles(screen.kit_table).index("状态")
    assert screen.kit_table.model().index(0, status).data() == "已隔离"
