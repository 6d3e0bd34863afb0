"""Issue 13: the back office in Simplified Chinese. The sign-in window offers the languages by
their own names and switches at once; the language chosen is kept with the user, whose main
window opens in it; the navigation and menus are in Chinese; the participants and users screens
show every word whole at 1366x768 in Chinese (the longest-reading language is not always the
one the layout was drawn for)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from back_office_fixtures import PASSWORDS as STAFF
from back_office_fixtures import Pharmacy, sign_with
from counter_fixtures import PASSWORDS, Counter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot
from window_helpers import refreshed

from dispensary.app import Desk, Workstation
from dispensary.config import Settings
from dispensary.i18n import Language
from dispensary.services import users
from dispensary.ui.count_view import CountScreen
from dispensary.ui.dashboard import DashboardScreen, LinkButton
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.participants_view import EnrolDialog, ParticipantsScreen
from dispensary.ui.screens import OPENS, screen_classes
from dispensary.ui.sign_in import SignInWindow
from dispensary.ui.study_rules_view import StudyRulesScreen
from dispensary.ui.temperature_view import TemperatureScreen
from dispensary.ui.translations import install_language, installed_language
from dispensary.ui.users_view import UsersScreen

SCREEN_AREA = (1166, 700)
"""What a screen gets of a 1366x768 window, beside the navigation and under the scan bar."""


def has_latin_words(text: str) -> bool:
    """English left in a Chinese window: a run of three Latin letters outside the markup
    (codes such as "C1" or "JS" pass; the callers take out longer ones they expect)."""
    run = 0
    for char in re.sub(r"<[^>]*>", "", text):
        run = run + 1 if ("a" <= char.lower() <= "z") else 0
        if run >= 3:
            return True
    return False


def choose(window: SignInWindow, language: Language) -> None:
    """What a user's choice in the combo box does: the item shown, then `activated`."""
    index = window.language.findData(language.value)
    window.language.setCurrentIndex(index)
    window.language.activated.emit(index)


# -- the sign-in window -----------------------------------------------------------------------


def test_the_sign_in_window_is_in_chinese_and_its_chooser_switches_the_language_live(
    qtbot: QtBot, chinese: None, counter: Counter
) -> None:
    window = SignInWindow(counter.ctx.database)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    form = window.form
    # Before the database opens, then with its study.
    assert window.windowTitle() == "Dispensary — 登录"
    assert form.button.text() == "正在打开数据库(&D)…"
    window.set_context(counter.ctx)
    assert form.button.text() == "登录(&S)"
    # Nothing before sign-in names a study the database holds (README, several studies).
    assert form.heading.text() == "Dispensary 临床试验药房"
    assert counter.ctx.study.protocol not in form.detail.text()
    assert counter.ctx.study.wording().short_title not in form.detail.text()
    assert "数据库：" in form.detail.text()
    assert form.username_label.text() == "用户名(&U)"
    assert form.password_label.text() == "密码(&P)"
    assert form.username.placeholderText() == "用户名"
    # The languages by their own names, the one the window is in shown.
    names = [window.language.itemText(i) for i in range(window.language.count())]
    assert names == ["English", "简体中文"]
    assert window.chosen() is Language.ZH_CN
    assert window.language_label.text() == "语言 / Language(&L)"

    choose(window, Language.EN)
    assert installed_language() is Language.EN
    assert window.windowTitle() == "Dispensary — sign in"
    assert form.button.text() == "&Sign in"
    assert form.username_label.text() == "&User name"
    assert window.language_label.text() == "&Language"
    assert "Database: " in form.detail.text()
    assert form.chosen_language is Language.EN

    choose(window, Language.ZH_CN)
    assert installed_language() is Language.ZH_CN
    assert form.button.text() == "登录(&S)"
    assert form.password_label.text() == "密码(&P)"
    # A message the form shows is in the language of the moment.
    form.attempt()
    assert form.message.text() == "请输入用户名。"

    # The language changed from elsewhere (Qt's LanguageChange event) is followed too.
    install_language(Language.EN)
    qtbot.waitUntil(lambda: form.button.text() == "&Sign in")
    assert window.windowTitle() == "Dispensary — sign in"


def test_a_translation_that_cannot_be_loaded_leaves_the_window_in_english_and_says_so(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, counter: Counter
) -> None:
    from dispensary.ui import sign_in

    window = SignInWindow(counter.ctx.database)
    qtbot.addWidget(window)
    window.set_context(counter.ctx)
    real = sign_in.install_language
    monkeypatch.setattr(
        sign_in, "install_language", lambda lang: real(lang) if lang is Language.EN else False
    )
    choose(window, Language.ZH_CN)
    assert window.chosen() is Language.EN
    assert window.form.chosen_language is None  # nothing to keep with the user
    assert window.form.button.text() == "&Sign in"
    assert window.form.message.text() == (
        "The 简体中文 translation could not be loaded: English is used."
    )
    choose(window, Language.EN)
    assert window.form.message.text() == ""


@pytest.fixture
def desk(qtbot: QtBot, chinese: None, counter: Counter) -> Iterator[Desk]:
    window = SignInWindow(counter.ctx.database)
    qtbot.addWidget(window)
    workstation = Workstation(counter.ctx, Settings(backups_kept=3))
    desk = Desk(workstation, window)
    window.show()
    qtbot.waitExposed(window)
    yield desk
    if desk.backup is not None:
        desk.backup.wait()


def sign_in(qtbot: QtBot, desk: Desk, username: str) -> MainWindow:
    form = desk.sign_in.form
    form.username.clear()
    qtbot.keyClicks(form.username, username)
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(form.password, PASSWORDS[username])
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    window = desk.window
    assert window is not None, form.message.text()
    qtbot.addWidget(window)
    if desk.backup is not None:
        desk.backup.wait()
    return window


def stored_language(counter: Counter, username: str) -> str:
    return users.sign_in(counter.ctx, username, PASSWORDS[username]).language


def test_the_language_chosen_at_sign_in_is_kept_with_the_user_and_opens_their_windows(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    sign_in_window = desk.sign_in
    assert sign_in_window.chosen() is Language.ZH_CN  # the workstation's language
    assert stored_language(counter, "pharm") == ""  # nobody chose one yet

    # Paula chooses English: her window opens in it, and it is kept with her.
    choose(sign_in_window, Language.EN)
    window = sign_in(qtbot, desk, "pharm")
    assert window.navigation.item(0).text() == "Today"
    assert stored_language(counter, "pharm") == "en"

    # Signed out, the desk shows the language last used; Tom chooses Chinese.
    window.sign_out()
    assert sign_in_window.isVisible()
    assert sign_in_window.chosen() is Language.EN
    assert sign_in_window.form.button.text() == "&Sign in"
    choose(sign_in_window, Language.ZH_CN)
    window = sign_in(qtbot, desk, "tech")
    assert window.navigation.item(0).text() == "今日"
    assert stored_language(counter, "tech") == "zh_CN"

    # Paula signs in again without touching the chooser: her own language, unchanged.
    window.sign_out()
    assert sign_in_window.chosen() is Language.ZH_CN
    window = sign_in(qtbot, desk, "pharm")
    assert window.navigation.item(0).text() == "Today"
    assert stored_language(counter, "pharm") == "en"


# -- the main window --------------------------------------------------------------------------


def main_window(qtbot: QtBot, pharmacy: Pharmacy, username: str) -> MainWindow:
    window = MainWindow(
        pharmacy.session(username), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    return window


def navigation(window: MainWindow) -> list[str]:
    return [window.navigation.item(row).text() for row in range(window.navigation.count())]


def test_the_main_window_navigation_menus_and_status_bar_are_in_chinese(
    qtbot: QtBot, chinese: None, pharmacy: Pharmacy
) -> None:
    window = main_window(qtbot, pharmacy, "pharm")
    # The study by its Chinese short title, as the headings give it (it was the English one).
    chooser = [window.study_switcher.itemText(i) for i in range(window.study_switcher.count())]
    assert "NCT07198672 — 海曲泊帕预防T-DM1相关血小板减少" in chooser, chooser
    shown = navigation(window)
    titles = dict(zip(window.classes, shown, strict=True))
    assert titles[DashboardScreen] == "今日"
    assert titles[ParticipantsScreen] == "受试者"
    assert titles[CountScreen] == "盘点"
    assert titles[StudyRulesScreen] == "研究规则"
    # The Go menu names the screens as the navigation does.
    assert [window.go_actions[cls].text() for cls in window.classes] == shown
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["文件(&F)", "转到(&G)", "帮助(&H)"]
    assert window.study_label.text() == f"研究 {pharmacy.study.protocol}"
    assert window.database_label.text().startswith("数据库 ")
    assert window.scan_field.placeholderText().startswith("扫描任意药盒")
    assert "扫码框" in window.shortcut_text()

    dashboard = window.current_screen()
    assert isinstance(dashboard, DashboardScreen)
    assert dashboard.heading.text().startswith("今日，星期")
    assert dashboard.state.text().startswith("数据截至 ")
    for section in (dashboard.stock, dashboard.due, dashboard.returns, dashboard.expiring):
        assert not has_latin_words(section.title.text()), section.title.text()
        assert not has_latin_words(section.summary.text()), section.summary.text()

    # A code that is nothing of the study is refused in Chinese.
    window.handle_scan("NOTHING-123")
    assert window.scan_feedback.text() == "“NOTHING-123”不是本研究的药盒、发放标签或受试者。"

    admin = main_window(qtbot, pharmacy, "admin")
    assert "用户" in navigation(admin)


# -- screens that fit 1366x768 in Chinese ------------------------------------------------------


def clipped(root: QWidget) -> list[str]:
    """Every word cut off: a button, tick box, combo box, label or group box narrower (or a
    wrapped label lower) than its text needs, a placeholder wider than its field."""
    found: list[str] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or isinstance(widget, LinkButton):
            continue  # a dashboard line is cut with an ellipsis on purpose, read in its tooltip
        size, hint = widget.size(), widget.sizeHint()
        if isinstance(widget, QAbstractButton | QComboBox):
            if size.width() < hint.width():
                found.append(f"{type(widget).__name__} {widget_text(widget)!r}: {size} < {hint}")
        elif isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                if size.height() < widget.heightForWidth(size.width()):
                    found.append(f"wrapped label {widget.text()!r} is cut at the bottom")
            elif size.width() < hint.width() or size.height() < hint.height():
                found.append(f"label {widget.text()!r}: {size} < {hint}")
        elif isinstance(widget, QGroupBox):
            if size.width() < widget.minimumSizeHint().width():
                found.append(f"group box {widget.title()!r} narrower than its title")
        elif isinstance(widget, QLineEdit) and widget.placeholderText():
            room = widget.width() - 12  # the frame and text margins
            if widget.fontMetrics().horizontalAdvance(widget.placeholderText()) > room:
                found.append(f"placeholder {widget.placeholderText()!r} wider than its field")
    return found


def widget_text(widget: QWidget) -> str:
    if isinstance(widget, QAbstractButton):
        return widget.text()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    return ""


def headers_cut(view: QTableView) -> list[str]:
    """Column titles narrower than their text (the sort arrow counted on the sorted column)."""
    header = view.horizontalHeader()
    cut = []
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        if header.sectionSize(column) < header.sectionSizeHint(column):
            cut.append(str(view.model().headerData(column, Qt.Orientation.Horizontal)))
    return cut


def settled(qtbot: QtBot) -> None:
    """Wrapped labels take their height from the layout's next pass, in the event loop."""
    qtbot.wait(50)


def shown_at_1366(qtbot: QtBot, screen: QWidget) -> None:
    """The screen given what a 1366x768 window leaves it; a layout that needs more would
    grow the window past the screen's edge."""
    qtbot.addWidget(screen)
    screen.resize(*SCREEN_AREA)
    screen.show()
    qtbot.waitExposed(screen)
    assert (screen.width(), screen.height()) == SCREEN_AREA, screen.minimumSizeHint()


def test_the_participants_screen_fits_1366x768_in_chinese(
    qtbot: QtBot, chinese: None, pharmacy: Pharmacy
) -> None:
    screen = ParticipantsScreen(pharmacy.session("pharm"))
    shown_at_1366(qtbot, screen)
    screen.refresh()
    assert screen.select("01-001")  # the summary, history, flags and chart filled
    settled(qtbot)
    assert (screen.width(), screen.height()) == SCREEN_AREA, screen.minimumSizeHint()
    assert screen.summary.text().startswith("<b>01-001</b>（AB），1970 年出生")
    assert screen.enrol_button.text() == "受试者入组(&E)..."
    model = screen.table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:4] == ["受试者编号", "姓名缩写", "入组日期", "状态"]
    assert not has_latin_words(screen.flags.text().replace("DSP", "")), screen.flags.text()
    assert clipped(screen) == []
    assert headers_cut(screen.table) == []
    assert headers_cut(screen.history_table) == []

    dialog = EnrolDialog(pharmacy.session("pharm"), screen)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settled(qtbot)
    assert dialog.enrol_button.text() == "入组(&E)"
    assert clipped(dialog) == []
    # The criteria as the study file gives them in Chinese, one box each, in the same order.
    ticks = [box.text() for box in dialog.criteria]
    inclusion, exclusion = (
        pharmacy.ctx.study.eligibility.inclusion,
        pharmacy.ctx.study.eligibility.exclusion,
    )
    assert len(ticks) == len(inclusion) + len(exclusion)
    assert ticks[0] == "女性，年龄≥18岁", ticks[0]
    assert "妊娠期或哺乳期" in ticks[len(inclusion) + 4], ticks[len(inclusion) + 4]
    assert not any("Female" in t or "Pregnant" in t for t in ticks), ticks
    # Typed by the user, never filled in: the investigator as the study file names them in
    # Chinese is the hint only (it read "Zhenzhen Liu, M.D."), and no sex is chosen.
    assert dialog.confirmed_by.text() == ""
    assert "刘真真 医生" in dialog.confirmed_by.placeholderText()
    assert dialog.sex.currentData() == ""
    if os.environ.get("DISPENSARY_SHOTS"):
        screen.grab().save(os.path.join(os.environ["DISPENSARY_SHOTS"], "zh-participants.png"))
        dialog.grab().save(os.path.join(os.environ["DISPENSARY_SHOTS"], "zh-enrol.png"))


def test_the_users_screen_fits_1366x768_in_chinese(
    qtbot: QtBot, chinese: None, pharmacy: Pharmacy
) -> None:
    screen = UsersScreen(pharmacy.session("admin"))
    shown_at_1366(qtbot, screen)
    screen.refresh()
    assert screen.select("pharm")
    settled(qtbot)
    assert (screen.width(), screen.height()) == SCREEN_AREA, screen.minimumSizeHint()
    assert screen.chosen.text().startswith("pharm（启用）：Paula Pharm（PP）")
    assert screen.add_button.text() == "添加用户(&A)"
    assert screen.reset_button.text() == "重置密码(&W)"
    model = screen.table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["用户", "姓名", "姓名缩写", "角色", "账户", "登录", "密码设置日期", "研究"]
    states = {model.index(r, 4).data() for r in range(model.rowCount())}
    assert states == {"启用"}
    assert clipped(screen) == []
    assert headers_cut(screen.table) == []


def test_the_count_and_study_rules_screens_fit_1366x768_in_chinese(
    qtbot: QtBot, chinese: None, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_with(monkeypatch, STAFF["pharm"])  # the count is signed before the book is shown
    count = CountScreen(pharmacy.session("pharm"))
    shown_at_1366(qtbot, count)
    count.start("K0002")
    count.counted.setText("1")
    count.enter_button.click()  # a difference: the reason, second person and password rows
    settled(qtbot)
    assert count.comparison.text().startswith("盘点 1，账面 "), count.message.text()
    assert count.reason_code.itemText(0) == "选择原因代码"
    assert clipped(count) == []

    rules = StudyRulesScreen(pharmacy.session("admin"))
    shown_at_1366(qtbot, rules)
    rules.refresh()
    settled(qtbot)
    model = rules.table.model()
    states = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert "待确认" in states
    said = [model.index(r, 2).data() for r in range(model.rowCount())]
    assert "两个周期的第1天之间至少间隔 18 天" in said
    assert "剂量水平 -1：5 mg，每日一次（减量）" in said
    english = [t for t in said if re.search(r"[A-Za-z]{3,}", t.replace("T-DM1", ""))]
    assert english == [], english  # no English word (a language code, zh_CN, is no word)
    assert rules.confirm_button.text() == "确认规则(&C)..."
    assert clipped(rules) == []
    assert headers_cut(rules.table) == []


def test_dates_shown_follow_the_language_and_typed_dates_stay_iso(
    qtbot: QtBot, chinese: None
) -> None:
    from datetime import date

    from dispensary.ui.widgets import date_edit, shown_date, shown_weekday

    day = date(2026, 12, 3)
    assert shown_date(day, "long") == "2026年12月3日"
    assert shown_date(day) == "2026-12-03"  # as the fields and tables beside it
    assert shown_weekday(day) == "星期四"
    field = date_edit()
    qtbot.addWidget(field)
    assert field.displayFormat() == "yyyy-MM-dd"  # what a pharmacist types stays ISO


def test_dates_shown_in_english_stay_iso(qtbot: QtBot) -> None:
    from datetime import date

    from dispensary.i18n import ENGLISH
    from dispensary.ui.translations import install_language
    from dispensary.ui.widgets import shown_date, shown_weekday

    install_language(ENGLISH)
    assert shown_date(date(2026, 12, 3), "long") == "2026-12-03"
    assert shown_weekday(date(2026, 12, 3)) == "Thursday"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_keyboard_shortcuts_line_up_in_two_columns(
    qtbot: QtBot, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """Help > Keyboard shortcuts: every key starts at one left edge, every description at
    another, right of the longest key, on its key's line (a message box's tab stops put the
    descriptions of the longer keys a column further and wrapped long lines under the key)."""
    from dispensary.ui.main_window import ShortcutsDialog

    if language != "en":
        request.getfixturevalue("chinese")
    window = main_window(qtbot, pharmacy, "pharm")
    window.show_shortcuts()
    box = window.shortcuts_box
    assert isinstance(box, ShortcutsDialog)
    qtbot.waitExposed(box)
    keys = [label.text() for label in box.keys]
    said = [label.text() for label in box.descriptions]
    assert keys[:2] == ["Ctrl+L", "Ctrl+Shift+L"]
    # Scan, lock, refresh, Go's screens (Backups among them: the audit trail's readers read
    # it), the forms' keys and F4 (a date field's calendar).
    assert len(keys) == len(said) == 3 + 13 + 5
    if language == "zh_CN":
        assert said[0] == "扫码框"
        assert not any(has_latin_words(text) for text in said), said
    lefts = {label.mapTo(box, label.rect().topLeft()).x() for label in box.keys}
    starts = {label.mapTo(box, label.rect().topLeft()).x() for label in box.descriptions}
    assert len(lefts) == 1 and len(starts) == 1, (lefts, starts)
    widest_key = max(label.fontMetrics().horizontalAdvance(label.text()) for label in box.keys)
    assert starts.pop() > lefts.pop() + widest_key
    for key, text in zip(box.keys, box.descriptions, strict=True):
        top = key.mapTo(box, key.rect().topLeft()).y()
        assert abs(top - text.mapTo(box, text.rect().topLeft()).y()) <= 2, key.text()
        assert text.width() >= text.sizeHint().width(), text.text()  # one line, whole
        assert key.width() >= key.sizeHint().width(), key.text()
    box.close()


def test_the_studys_store_is_named_in_chinese_in_the_inventory_and_temperature_screens(
    qtbot: QtBot, chinese: None, pharmacy: Pharmacy
) -> None:
    """Kits received into the study's store are recorded in it by its English name ("IP store
    1", as the records keep it); the Chinese windows name it as the study file does, as the
    temperature screen's list of areas already did."""
    study = pharmacy.ctx.study
    zh_name = study.wording("zh_CN").storage_area
    assert zh_name and zh_name != study.storage_area
    screen = refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")), None)
    model = screen.table.model()
    where = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == "位置"
    )
    shown = {str(model.index(r, where).data()) for r in range(model.rowCount())}
    assert zh_name in shown and not any(study.storage_area in s for s in shown), shown
    temperature = TemperatureScreen(pharmacy.session("pharm"))
    qtbot.addWidget(temperature)
    area = temperature.excursion_table.model()
    titles = [area.headerData(c, Qt.Orientation.Horizontal) for c in range(area.columnCount())]
    assert "储存区域" in titles, titles
