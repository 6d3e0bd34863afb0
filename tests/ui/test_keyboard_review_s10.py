"""Review s10: small keyboard gaps. The Temperature screen's fields have Alt keys of their own
(Logger file, Read at, Minimum, Maximum had none); a date field's calendar opens with F4 or
Alt+Down, as a list does (F4 did nothing, Alt+Down stepped the year back); Enter in a field of
the Users screen's add-user form goes to the next field still empty, else adds the user (only
Enter in "Repeat password" did anything); the Returns screen names the second person who
checked the dispense, not only the pharmacist's initials."""

from __future__ import annotations

from collections import Counter as Tally
from datetime import date
from typing import Any

import pytest
from counter_fixtures import NAMES, PASSWORDS, Counter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from window_helpers import go_to, main_window, refreshed, scan

from dispensary.domain.codes import Role
from dispensary.i18n import ENGLISH, Language
from dispensary.services import dispensing, users
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.temperature_view import TemperatureScreen
from dispensary.ui.translations import install_language, load_cjk_font
from dispensary.ui.users_view import UsersScreen
from dispensary.ui.widgets import to_date

ALT = Qt.KeyboardModifier.AltModifier


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(
    qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key pressed where the cursor is, then the time a button's animated click takes."""
    target = focused()
    assert target is not None
    qtbot.keyClick(target, key, modifier)
    qtbot.wait(200)


def mnemonics(window: QWidget, menus: tuple[str, ...]) -> list[str]:
    """The Alt keys of what is shown in the window: field labels, buttons, menus."""
    texts = [
        label.text()
        for label in window.findChildren(QLabel)
        if label.isVisible() and label.buddy() is not None
    ]
    texts += [
        button.text() for button in window.findChildren(QAbstractButton) if button.isVisible()
    ]
    texts += list(menus)
    keys = []
    for text in texts:
        plain = text.replace("&&", "")
        if "&" in plain:
            keys.append(plain[plain.index("&") + 1].upper())
    return keys


# -- the Temperature screen's Alt keys -----------------------------------------------------------


@pytest.mark.parametrize("language", [ENGLISH, Language.ZH_CN], ids=lambda lang: lang.value)
def test_each_field_of_the_temperature_screen_has_an_alt_key_of_its_own(
    qtbot: Any, counter: Counter, language: Language
) -> None:
    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, counter.session("pharm"))
        screen = go_to(window, TemperatureScreen)
        qtbot.wait(20)
        menus = tuple(action.text() for action in window.menuBar().actions())
        keys = mnemonics(window, menus)
        assert {k: n for k, n in Tally(keys).items() if n > 1} == {}
        for field in (screen.file, screen.reading_at, screen.reading_min, screen.reading_max):
            label = next(lab for lab in screen.findChildren(QLabel) if lab.buddy() is field)
            assert "&" in label.text().replace("&&", ""), label.text()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        screen.area.setFocus()
        for key, field in (
            (Qt.Key.Key_L, screen.file),
            (Qt.Key.Key_R, screen.reading_at),
            (Qt.Key.Key_M, screen.reading_min),
            (Qt.Key.Key_X, screen.reading_max),
        ):
            press(qtbot, key, ALT)
            assert focused() is field, (key, focused())
            assert QApplication.activePopupWidget() is None  # no menu opened
    finally:
        install_language(ENGLISH)


# -- a date field's calendar from the keyboard --------------------------------------------------


@pytest.mark.parametrize(
    ("key", "modifier"),
    [(Qt.Key.Key_F4, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_Down, ALT)],
    ids=["F4", "Alt+Down"],
)
def test_f4_or_alt_down_opens_a_date_field_s_calendar(
    qtbot: Any, counter: Counter, key: Qt.Key, modifier: Qt.KeyboardModifier
) -> None:
    window = main_window(qtbot, counter.session("pharm"))  # the program's style sheet
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    screen = go_to(window, ReceiveScreen)
    day = screen.received_on
    held = to_date(day.date())
    day.setFocus()
    press(qtbot, key, modifier)
    calendar = day.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    popup = QApplication.activePopupWidget()
    assert popup is not None and popup.isAncestorOf(calendar)
    assert to_date(day.date()) == held  # opened, the date not stepped
    inside = focused()
    assert inside is not None and calendar.isAncestorOf(inside), inside
    qtbot.keyClick(inside, Qt.Key.Key_Left)  # the day before, then Enter picks it
    qtbot.keyClick(inside, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    assert to_date(day.date()) == date.fromordinal(held.toordinal() - 1)
    assert focused() is day


def test_the_keyboard_shortcuts_say_f4_opens_a_date_field_s_calendar(
    qtbot: Any, counter: Counter
) -> None:
    window = main_window(qtbot, counter.session("pharm"))
    assert ("F4", "In a date field: open the calendar") in window.shortcut_rows()


def test_f4_with_the_date_half_typed_opens_the_calendar_and_types_nothing(
    qtbot: Any, counter: Counter
) -> None:
    window = main_window(qtbot, counter.session("pharm"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    screen = go_to(window, ReceiveScreen)
    day = screen.received_on
    day.setFocus()
    day.selectAll()
    qtbot.keyClicks(day, "2026-01-")
    press(qtbot, Qt.Key.Key_F4)
    calendar = day.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    inside = focused()
    assert inside is not None
    assert day.lineEdit().text() == "2026-01-"  # F4 typed nothing, nor stepped the date
    qtbot.keyClick(inside, Qt.Key.Key_Escape)  # closed, nothing picked
    qtbot.waitUntil(lambda: not calendar.isVisible())
    qtbot.waitUntil(lambda: day.lineEdit().text() == "2026-01-")  # what was typed stays


# -- Enter in the add-user form -------------------------------------------------------------------


def test_enter_in_each_field_of_the_add_user_form_goes_on_then_adds(
    qtbot: Any, counter: Counter
) -> None:
    screen = refreshed(qtbot, UsersScreen(counter.session("admin")), None)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.panel_tabs.setCurrentWidget(screen.add_page)
    screen.new_username.setFocus()
    qtbot.keyClicks(focused(), "jsmith")
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.new_full_name
    qtbot.keyClicks(focused(), "Jane Smith")
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.new_initials
    qtbot.keyClicks(focused(), "js")
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.new_password  # the role has its value: the passwords next
    qtbot.keyClicks(focused(), "firstpass1")
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.new_password_again
    screen.new_full_name.clear()  # a field left empty above: Enter goes back to it
    qtbot.keyClicks(focused(), "firstpass1")
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.new_full_name
    assert "jsmith" not in [r.username for r in screen.model.rows]
    qtbot.keyClicks(focused(), "Jane Smith")
    with qtbot.waitSignal(screen.changed):
        press(qtbot, Qt.Key.Key_Return)  # every field typed: Enter adds the user
    assert screen.current() is not None and screen.current().username == "jsmith"
    actor = users.sign_in(counter.ctx, "jsmith", "firstpass1")
    assert (actor.full_name, actor.initials, actor.role) == ("Jane Smith", "JS", Role.PHARMACIST)


# -- Returns names the dispense's second checker -------------------------------------------------


def test_the_returns_card_names_the_second_person_who_checked_the_dispense(
    qtbot: Any, counter: Counter
) -> None:
    checked = dispensing.dispense_cycle(
        counter.ctx,
        counter.actor("pharm"),
        "01-001",
        1,
        date(2026, 1, 5),
        PASSWORDS["pharm"],
        checked_by="tech",
        checker_password=PASSWORDS["tech"],
    )
    assert checked.checked_by == NAMES["tech"]
    counter.clock.set_date(date(2026, 1, 26))
    window = main_window(qtbot, counter.session("pharm"))
    screen = go_to(window, ReturnScreen)
    scan(qtbot, screen.scan_field, checked.number)
    card = screen.card.text()
    assert f"by {checked.pharmacist_initials}, checked by {NAMES['tech']}" in card, card


def test_a_day_picked_with_enter_after_a_half_typed_date_is_the_date_shown(
    qtbot: Any, counter: Counter
) -> None:
    window = main_window(qtbot, counter.session("pharm"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    screen = go_to(window, ReceiveScreen)
    day = screen.received_on
    held = to_date(day.date())
    day.setFocus()
    day.selectAll()
    qtbot.keyClicks(day, "2026-01-")
    press(qtbot, Qt.Key.Key_Down, ALT)
    calendar = day.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    inside = focused()
    assert inside is not None
    qtbot.keyClick(inside, Qt.Key.Key_Left)
    qtbot.keyClick(inside, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    qtbot.wait(50)
    picked = date.fromordinal(held.toordinal() - 1)
    assert day.entered() == picked  # not the half-typed text put back over the day picked
    assert day.lineEdit().text() == picked.isoformat()
