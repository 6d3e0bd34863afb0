"""Review s11: every screen of the main window, in English and in Chinese, gives each Alt key to
one control only (the toolbar's Study counted, as a user of several studies sees it), and
every field with a label has one. The reviews before checked a screen
at a time (Receive and Return in s7, the wizard in s9, Temperature in s10); the Temperature
screen's two storage areas and its buttons had none, nor the Users screen's forms, nor the
labelled fields of the inventory's filters and destruction, the count, the reconciliation,
the reports, the audit trail's code and the study rules' reason. What is counted is what the
window shows: the menus, the labels of fields, buttons, check boxes, radio buttons, group boxes
and tabs, each tab of a screen shown in turn, each entry of Reports and Labels chosen in turn
(each shows its own fields), the Dispense screen's labels waiting (its Print again was Alt+G,
the Go menu's); the Count window with a count that differs from the book.

Review s12: every push button shown has an Alt key too (outside the Temperature and Users screens
they had none), and pressing it clicks that button."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
import shiboken6
from back_office_fixtures import Pharmacy
from count_window_helpers import sign, when_signature_asked
from PySide6.QtCore import QMetaMethod, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QBoxLayout,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QWidget,
)
from pytestqt.exceptions import TimeoutError as WaitedTooLong
from window_helpers import go_to, main_window, scan, shoot

from dispensary.domain.codes import Role
from dispensary.i18n import ENGLISH, Language
from dispensary.ui.count_view import CountScreen
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.screen import Screen
from dispensary.ui.screens import SCREENS
from dispensary.ui.temperature_view import TemperatureScreen
from dispensary.ui.translations import install_language, load_cjk_font
from dispensary.ui.users_view import UsersScreen

LANGUAGES = [ENGLISH, Language.ZH_CN]
FIELDS = (QLineEdit, QComboBox, QAbstractSpinBox, QListWidget)
"""What a label names when it stands before it in a row."""
DIRECT = Qt.FindChildOption.FindDirectChildrenOnly


def mnemonic(text: str) -> str | None:
    """The Alt key of a text ("Storage &area", "储存区域(&A)": A), None if it has none."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].upper() if 0 <= at < len(plain) - 1 else None


def keyed(window: MainWindow) -> list[tuple[str, str]]:
    """Each text shown with an Alt key, and the key: the menus, the toolbar's Study (shown to
    a user of several studies, on every screen: its Alt+T was the tablets' too on Receive
    and Return, the telephone's in Settings), the labels of fields, the buttons, check boxes
    and radio buttons, the group boxes and the tabs."""
    texts = [action.text() for action in window.menuBar().actions()]
    texts.append(window.study_caption.text())
    texts += [
        label.text()
        for label in window.findChildren(QLabel)
        if label.isVisible() and label.buddy() is not None
    ]
    texts += [b.text() for b in window.findChildren(QAbstractButton) if b.isVisible()]
    texts += [box.title() for box in window.findChildren(QGroupBox) if box.isVisible()]
    for tabs in window.findChildren(QTabWidget):
        if tabs.isVisible():
            texts += [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]
    return [(key, text) for text in texts if (key := mnemonic(text)) is not None]


def clashes(window: MainWindow) -> dict[str, list[str]]:
    keys = keyed(window)
    counted = Tally(key for key, _text in keys)
    return {k: [t for key, t in keys if key == k] for k, n in counted.items() if n > 1}


def held(layout: QLayout) -> list[QWidget | QLayout | None]:
    """What the layout holds, in its order: the widget or the inner layout at each index, None
    for a spacer. Found from the widgets and the layouts themselves (`QLayout.indexOf`), never
    by `itemAt`: PySide6 6.11 keeps the Python wrapper of each layout item it hands out after
    Qt frees the item (a row's widget deleted), and a later object at the same address got the
    stale wrapper (a view's viewport read as a QWidgetItem; crashes in the teardown of the
    tests after these, in the same process)."""
    slots: list[QWidget | QLayout | None] = [None] * layout.count()
    holder = layout.parentWidget()  # an inner layout's widgets are its outer layout's widget's
    widgets = [] if holder is None else holder.findChildren(QWidget, options=DIRECT)
    inner = [i for i in layout.findChildren(QLayout, options=DIRECT) if shiboken6.isValid(i)]
    for thing in [*widgets, *inner]:
        at = layout.indexOf(thing)
        if 0 <= at < len(slots):
            slots[at] = thing
    return slots


def laid_out(window: QWidget) -> list[tuple[QLayout, list[QWidget | QLayout | None]]]:
    """Each layout of the window, with what it holds: the layout of each live widget (not the
    layouts `findChildren` finds: on the set-up wizard it handed back one already deleted),
    then its inner layouts."""
    found = []
    todo = [w.layout() for w in [window, *window.findChildren(QWidget)] if shiboken6.isValid(w)]
    while todo:
        layout = todo.pop(0)
        if layout is None or not shiboken6.isValid(layout):
            continue
        slots = held(layout)
        found.append((layout, slots))
        todo += [thing for thing in slots if isinstance(thing, QLayout)]
    return found


def widget_of(thing: QWidget | QLayout | None) -> QWidget | None:
    return thing if isinstance(thing, QWidget) else None


def first_field(layout: QLayout) -> QWidget | None:
    """The first field shown in a row of the form laid out side by side."""
    for thing in held(layout):
        if isinstance(thing, FIELDS) and thing.isVisible():
            return thing
        if isinstance(thing, QLayout) and (found := first_field(thing)) is not None:
            return found
    return None


def field_labels(window: MainWindow) -> list[QLabel]:
    """The labels of the fields shown: each one with a buddy that takes the cursor (not a
    label shown in a form's field, as the dispense's cycle); a form's label of a field (or of
    a row whose first control is a field); a label just before a field in a row."""
    labels = [
        label
        for label in window.findChildren(QLabel)
        if label.isVisible()
        and (buddy := label.buddy()) is not None
        and buddy.focusPolicy() != Qt.FocusPolicy.NoFocus
    ]
    layouts = laid_out(window)
    for form, slots in layouts:
        if not isinstance(form, QFormLayout):
            continue
        at: dict[tuple[int, QFormLayout.ItemRole], QWidget | QLayout | None] = {}
        for index, thing in enumerate(slots):
            row, role = form.getItemPosition(index)
            at[(row, role)] = thing
        for row in range(form.rowCount()):
            label = at.get((row, QFormLayout.ItemRole.LabelRole))
            field = at.get((row, QFormLayout.ItemRole.FieldRole))
            if not isinstance(label, QLabel) or not label.isVisible():
                continue
            if (isinstance(field, FIELDS) and field.isVisible()) or (
                isinstance(field, QLayout) and first_field(field) is not None
            ):
                labels.append(label)
    for grid, slots in layouts:
        if not isinstance(grid, QGridLayout):
            continue
        # A composite's rows (the date range: "from" and "to" each before its date).
        cells: dict[tuple[int, int], QWidget | None] = {}
        for index, thing in enumerate(slots):  # the first laid out in a cell is the one shown
            row, column, rows, columns = grid.getItemPosition(index)
            for r in range(row, row + rows):
                for c in range(column, column + columns):
                    cells.setdefault((r, c), widget_of(thing))
        for row in range(grid.rowCount()):
            shown = [cells.get((row, column)) for column in range(grid.columnCount())]
            for label, field in pairwise(shown):
                if (
                    isinstance(label, QLabel)
                    and label.isVisible()
                    and label.text()
                    and isinstance(field, FIELDS)
                    and field.isVisible()
                ):
                    labels.append(label)
    for line, slots in layouts:
        if not isinstance(line, QBoxLayout):
            continue
        for label, field in pairwise(widget_of(thing) for thing in slots):
            if (
                isinstance(label, QLabel)
                and label.isVisible()
                and not label.wordWrap()
                and label.text()
                and isinstance(field, FIELDS)
                and field.isVisible()
            ):
                labels.append(label)
    return list(dict.fromkeys(labels))


def without_key(window: MainWindow) -> list[str]:
    """The labels of fields shown with no Alt key, or none leading to the field."""
    return [
        label.text()
        for label in field_labels(window)
        if mnemonic(label.text()) is None or label.buddy() is None
    ]


def led_to(label: QLabel) -> QWidget | None:
    """Where the label's Alt key puts the cursor: its buddy, or what the buddy hands its focus
    to (a row of a field and its unit, the date range)."""
    widget = label.buddy()
    while widget is not None and widget.focusProxy() is not None:
        widget = widget.focusProxy()
    return widget


def keys_that_go_nowhere(qtbot: Any, window: MainWindow) -> list[str]:
    """Each label shown with an Alt key, pressed as a user presses it: the labels whose key
    does not put the cursor in their field (the Reports screen's "Expiring within", "Weeks
    ahead" and "Period" led to a container that takes no cursor). A field switched off is left
    out: its key has nothing to reach until it counts."""
    nowhere = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or label.buddy() is None:
            continue
        key = mnemonic(label.text())
        if key is None:
            continue
        target = led_to(label)
        assert target is not None
        if not target.isEnabled():  # a field switched off until it counts (the dispense's cycle)
            continue
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        start = window.navigation  # out of every form: the key moves the cursor, or not
        start.setFocus()
        qtbot.keyClick(start, getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.AltModifier)
        qtbot.wait(5)
        if QApplication.focusWidget() is not target:
            nowhere.append(label.text())
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
    return nowhere


def a_line_of_data(button: QPushButton) -> bool:
    """A line of a Today card (a kit count, a participant due, a finding): data that opens its
    list, reached by Tab like a table's row, not a command; as many as there are lines, so no
    key of its own (they are drawn when the card's read comes back: checked or not by timing
    before they were left out)."""
    return button.objectName() == "link"


def buttons_without_key(window: QWidget) -> list[str]:
    """The push buttons shown with no Alt key (review s12: outside the Temperature and Users
    screens the buttons had none: Sign and dispense, Save report..., Reconcile again...), but
    the Today cards' lines. A dialog's Cancel too (review s17: left out before as Esc's, it had
    none; at a counter with no mouse Alt+C is the key the other buttons teach)."""
    return [
        b.text() or b.objectName()
        for b in window.findChildren(QPushButton)
        if b.isVisible() and mnemonic(b.text()) is None and not a_line_of_data(b)
    ]


def take_off_what_it_does(button: QPushButton) -> None:
    """What a press of `button` runs, taken off it: its `clicked` slots, and a toggle's
    `toggled` ones (the Audit screen's Technical details runs on `toggled` alone). Only a signal
    something is connected to is disconnected: PySide warns "Failed to disconnect" of one with
    nothing connected (review s16: two warnings in every run of the Audit screen)."""
    for signal in (button.clicked, button.toggled):
        if button.isSignalConnected(QMetaMethod.fromSignal(signal)):
            signal.disconnect()


def buttons_the_key_does_not_press(qtbot: Any, window: QWidget, start: QWidget) -> list[str]:
    """Each push button shown with an Alt key, its key pressed as a user presses it (the cursor
    in `start`, out of every form): the buttons the key does not click. What the button does
    is taken off it first (the window is thrown away after), and a button switched off until
    its work is ready is switched on for the press: the key is what is checked, not the step."""
    missed = []
    for button in window.findChildren(QPushButton):
        key = mnemonic(button.text())
        if not button.isVisible() or key is None:
            continue
        was_enabled = button.isEnabled()
        button.setEnabled(True)
        take_off_what_it_does(button)
        clicked: list[bool] = []
        button.clicked.connect(lambda *_args, c=clicked: c.append(True))
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        start.setFocus()
        qtbot.keyClick(start, getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.AltModifier)
        try:
            qtbot.waitUntil(lambda c=clicked: bool(c), timeout=1000)
        except WaitedTooLong:
            missed.append(button.text())
        button.setEnabled(was_enabled)
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
    return missed


def states(screen: Screen) -> Iterator[str]:
    """The screen as first shown, then each of its tabs shown in turn, then (Reports and
    Labels) each entry chosen in turn: what each shows together."""
    yield "shown"
    for tabs in screen.findChildren(QTabWidget):
        if not tabs.isVisible():
            continue
        was = tabs.currentIndex()
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            yield f"tab {tabs.tabText(i)!r}"
        tabs.setCurrentIndex(was)
    if isinstance(screen, DispenseScreen):  # labels waiting, one printed and not recorded
        screen.print_again_button.show()
        screen.record_button.show()
        yield "labels waiting"
        screen.print_again_button.hide()
        screen.record_button.hide()
    if isinstance(screen, ReportsScreen):
        for row in range(screen.choices.count()):
            screen.choices.setCurrentRow(row)
            yield f"entry {screen.choices.item(row).text()!r}"


def user_of(screen: type[Screen]) -> str:
    """Who sees the screen: the pharmacist (every screen of the staff), else the
    administrator."""
    return "pharm" if Role.PHARMACIST in screen.roles else "admin"


# A slot taken off a button it was never connected to is the helper's mistake, not a warning.
@pytest.mark.filterwarnings("error:libpyside.*disconnect:RuntimeWarning")
@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.value)
@pytest.mark.parametrize("screen_class", SCREENS, ids=lambda cls: cls.__name__)
def test_each_alt_key_of_every_screen_is_its_own_and_each_field_has_one(
    qtbot: Any, pharmacy: Pharmacy, language: Language, screen_class: type[Screen]
) -> None:
    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, pharmacy.session(user_of(screen_class)))
        screen = go_to(window, screen_class)
        qtbot.wait(20)
        found: dict[str, Any] = {}
        for state in states(screen):
            qtbot.wait(10)
            if clash := clashes(window):
                found[f"{state}: the same key"] = clash
            if missing := without_key(window):
                found[f"{state}: no key"] = missing
            if nowhere := keys_that_go_nowhere(qtbot, window):
                found[f"{state}: the key goes nowhere"] = nowhere
            if bare := buttons_without_key(window):
                found[f"{state}: a button with no key"] = bare
            if missed := buttons_the_key_does_not_press(qtbot, window, window.navigation):
                found[f"{state}: the key does not press its button"] = missed
        assert found == {}, found
    finally:
        install_language(ENGLISH)


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.value)
def test_the_count_that_differs_from_the_book_gives_each_field_an_alt_key_of_its_own(
    qtbot: Any, qapp: QApplication, pharmacy: Pharmacy, language: Language
) -> None:
    """K0003 counted 19 against a book of 21: the reason code, the reason and the second
    person are asked for, each with its own Alt key; Alt+P goes to the second person. In the
    program's style at its smallest screen each label is whole, in one column with the
    others, its field beside it."""
    from dispensary.ui.app import apply_style

    load_cjk_font()
    apply_style(qapp)
    assert install_language(language)
    try:
        window = main_window(qtbot, pharmacy.session("tech"))
        screen = go_to(window, CountScreen)
        scan(qtbot, screen.kit, "K0003")
        asked = when_signature_asked(qtbot, sign)
        scan(qtbot, screen.counted, "19")
        qtbot.waitUntil(lambda: bool(asked) and screen.result_box.isVisible())
        assert screen.verifier.isVisible()
        assert clashes(window) == {}
        assert without_key(window) == []
        assert buttons_without_key(window) == []
        labels = [screen.result_layout.labelForField(w) for _, w in screen.difference_rows]
        assert all(isinstance(label, QLabel) for label in labels)
        for label in labels:
            assert isinstance(label, QLabel)
            assert label.width() >= label.sizeHint().width(), label.text()
            assert label.height() >= label.sizeHint().height(), label.text()
            assert label.buddy().x() >= label.geometry().right(), label.text()
        assert len({label.x() for label in labels}) == 1
        assert len({w.x() for _, w in screen.difference_rows}) == 1
        shoot(window, f"count-differs-{language.value}")
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        for key, field in (
            (Qt.Key.Key_P, screen.verifier),
            (Qt.Key.Key_D, screen.reason_code),
            (Qt.Key.Key_R, screen.reason),
            (Qt.Key.Key_K, screen.kit),
        ):
            qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
            qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f)
        # Sign and adjust the book..., Count again, Leave it open: each pressed by its key.
        assert buttons_the_key_does_not_press(qtbot, window, screen.reason) == []
    finally:
        install_language(ENGLISH)
        qapp.setStyleSheet("")


# -- the keys themselves, as the counter presses them ---------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.value)
def test_alt_keys_reach_the_temperature_screen_s_storage_areas_and_buttons(
    qtbot: Any, pharmacy: Pharmacy, language: Language
) -> None:
    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, pharmacy.session("pharm"))
        screen = go_to(window, TemperatureScreen)
        shoot(window, f"temperature-{language.value}")
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        screen.file.setFocus()
        for key, field in ((Qt.Key.Key_A, screen.area), (Qt.Key.Key_O, screen.manual_area)):
            qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
            qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f)
            assert QApplication.activePopupWidget() is None  # no menu opened
        buttons = {
            "chooseLoggerFile": "C",
            "importLogger": "I",
            "recordReading": "E",
            "openInInventory": "P",
        }
        for name, letter in buttons.items():
            button = screen.findChild(QAbstractButton, name)
            assert button is not None and mnemonic(button.text()) == letter, name
    finally:
        install_language(ENGLISH)


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.value)
def test_alt_keys_open_the_add_user_form_and_reach_each_of_its_fields(
    qtbot: Any, pharmacy: Pharmacy, language: Language
) -> None:
    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, pharmacy.session("admin"))
        screen = go_to(window, UsersScreen)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        screen.table.setFocus()
        alt = Qt.KeyboardModifier.AltModifier
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, alt)  # the Add a user tab
        qtbot.waitUntil(lambda: screen.panel_tabs.currentWidget() is screen.add_page)
        shoot(window, f"users-add-{language.value}")
        for key, field in (
            (Qt.Key.Key_U, screen.new_username),
            (Qt.Key.Key_N, screen.new_full_name),
            (Qt.Key.Key_I, screen.new_initials),
            (Qt.Key.Key_O, screen.new_role),
            (Qt.Key.Key_W, screen.new_password),
            (Qt.Key.Key_P, screen.new_password_again),
        ):
            qtbot.keyClick(QApplication.focusWidget(), key, alt)
            qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, alt)  # back: Selected user
        qtbot.waitUntil(lambda: screen.panel_tabs.currentWidget() is screen.account_page)
        shoot(window, f"users-selected-{language.value}")
        for key, field in (
            (Qt.Key.Key_R, screen.reason),
            (Qt.Key.Key_N, screen.reset_password),
            (Qt.Key.Key_P, screen.reset_password_again),
            (Qt.Key.Key_Y, screen.access_study),
            (Qt.Key.Key_E, screen.access_reason),
        ):
            qtbot.keyClick(QApplication.focusWidget(), key, alt)
            qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f)
    finally:
        install_language(ENGLISH)


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.value)
def test_alt_keys_reach_the_audit_trail_s_dates(
    qtbot: Any, pharmacy: Pharmacy, language: Language
) -> None:
    """The Audit trail screen's period: "from" and "until" (从, 至) each lead to their date once
    the dates count (they had no Alt key)."""
    from dispensary.ui.audit_view import AuditScreen

    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, pharmacy.session("pharm"))
        screen = go_to(window, AuditScreen)
        screen.dates.limit.setChecked(True)
        shoot(window, f"audit-dates-{language.value}")
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        screen.text.setFocus()
        for key, field in (
            (Qt.Key.Key_M, screen.dates.since),
            (Qt.Key.Key_N, screen.dates.until),
            (Qt.Key.Key_X, screen.text),
        ):
            qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
            qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f)
            assert QApplication.activePopupWidget() is None  # no menu opened
    finally:
        install_language(ENGLISH)


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.value)
def test_the_administrator_s_confirm_rule_has_an_alt_key_of_its_own(
    qtbot: Any, pharmacy: Pharmacy, language: Language
) -> None:
    """The Study rules screen's Confirm rule..., shown to who may confirm (the administrator;
    the screens above are seen as the pharmacist), had no Alt key."""
    from dispensary.ui.study_rules_view import StudyRulesScreen

    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, pharmacy.session("admin"))
        screen = go_to(window, StudyRulesScreen)
        assert screen.confirm_button.isVisible()
        assert buttons_without_key(window) == []
        assert clashes(window) == {}
        assert buttons_the_key_does_not_press(qtbot, window, window.navigation) == []
    finally:
        install_language(ENGLISH)


# -- the main dialogs ------------------------------------------------------------------------------


def dialog_clashes(dialog: QDialog) -> dict[str, list[str]]:
    """The Alt keys given to more than one control shown in the dialog: the labels of fields,
    the buttons, check boxes and radio buttons, and the group boxes."""
    texts = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.isVisible() and label.buddy() is not None
    ]
    texts += [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    texts += [box.title() for box in dialog.findChildren(QGroupBox) if box.isVisible()]
    keys = [(key, text) for text in texts if (key := mnemonic(text)) is not None]
    counted = Tally(key for key, _text in keys)
    return {k: [t for key, t in keys if key == k] for k, n in counted.items() if n > 1}


def main_dialogs(pharmacy: Pharmacy) -> Iterator[QDialog]:
    """The dialogs of the counter's main steps: enrolment, a status changed or corrected, an
    enrolment and a return count corrected, one's password changed, a label's preview."""
    from back_office_fixtures import PASSWORDS

    from dispensary.services import participants, queries
    from dispensary.ui.label_preview import LabelPreviewDialog
    from dispensary.ui.participants_view import (
        CorrectEnrolmentDialog,
        CorrectReturnDialog,
        CorrectStatusDialog,
        EnrolDialog,
        StatusDialog,
    )
    from dispensary.ui.users_view import ChangePasswordDialog

    session = pharmacy.session("pharm")
    pharm = pharmacy.actor("pharm")
    person = queries.participant(pharmacy.ctx, pharm, "01-002")
    _row, rows = queries.participant_history(pharmacy.ctx, pharm, "01-001")
    yield EnrolDialog(session)
    yield StatusDialog(session, person)
    yield CorrectEnrolmentDialog(session, person)
    yield CorrectReturnDialog(session, rows[0])
    yield ChangePasswordDialog(session)
    yield LabelPreviewDialog(None, "Dispensing label", b"", "label.pdf")
    participants.set_status(
        pharmacy.ctx, pharm, "01-002", "completed", "end", password=PASSWORDS["pharm"]
    )
    in_force = participants.assess_status_correction(pharmacy.ctx, pharm, "01-002")
    yield CorrectStatusDialog(session, queries.participant(pharmacy.ctx, pharm, "01-002"), in_force)


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.value)
def test_each_button_of_the_main_dialogs_has_an_alt_key_of_its_own_that_presses_it(
    qtbot: Any, pharmacy: Pharmacy, language: Language
) -> None:
    """Enrol, Change status and sign..., Correct and sign..., Change password and the label
    preview's zoom and Close had no Alt key, nor Cancel (review s17)."""
    load_cjk_font()
    assert install_language(language)
    try:
        found: dict[str, Any] = {}
        for dialog in main_dialogs(pharmacy):
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitExposed(dialog)
            name = type(dialog).__name__
            if bare := buttons_without_key(dialog):
                found[f"{name}: a button with no key"] = bare
            if clash := dialog_clashes(dialog):
                found[f"{name}: the same key"] = clash
            start = dialog.focusWidget() or dialog
            if missed := buttons_the_key_does_not_press(qtbot, dialog, start):
                found[f"{name}: the key does not press its button"] = missed
            dialog.close()
        assert found == {}, found
    finally:
        install_language(ENGLISH)
