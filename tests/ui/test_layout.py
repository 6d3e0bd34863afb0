"""Text that must not be cut off at 1366x768, the smallest screen the program is laid out for:
table headers, the reconciliation's figures, the dashboard's long lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QTableView
from window_helpers import header_widths, refreshed

from dispensary.domain.errors import DispensaryError
from dispensary.ui.dashboard import Section
from dispensary.ui.forms import share_width
from dispensary.ui.reconcile_view import ReconcileScreen

SCREEN_AREA = (1166, 700)
"""What a screen gets of a 1366x768 window, beside the navigation and under the scan bar."""


def test_columns_that_fit_keep_their_width_and_the_stretch_column_takes_the_rest() -> None:
    assert share_width([100, 200, 80], [90, 150, 70], [60, 90, 70], 500, stretch=1) == [
        100,
        320,
        80,
    ]


def test_too_wide_gives_up_spare_space_then_the_named_columns_then_the_widest() -> None:
    sizes, whole, titles = [120, 300, 130, 200], [100, 300, 100, 200], [100, 110, 100, 90]
    # Spare space only: no value or header is cut.
    assert share_width(sizes, whole, titles, 700) == [100, 300, 100, 200]
    # Then the stretch column, down to its header, before anything else is cut.
    assert share_width(sizes, whole, titles, 600, stretch=1, first=[1]) == [100, 200, 100, 200]
    # Then the widest columns, cut to one width; a header never is.
    assert share_width(sizes, whole, titles, 450, stretch=1, first=[1]) == [100, 110, 100, 140]
    # Headers wider than the room: they stay whole, and the view scrolls.
    assert share_width(sizes, whole, titles, 300) == titles


def test_reconciliation_figures_and_headers_are_whole_on_every_tab(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("pharm")), SCREEN_AREA)
    for index in range(screen.tabs.count()):
        screen.tabs.setCurrentIndex(index)
        view = screen.tabs.currentWidget()
        assert isinstance(view, QTableView)
        header = view.horizontalHeader()
        sizes = [header.sectionSize(c) for c in range(header.count())]
        assert sum(sizes) <= view.viewport().width(), screen.tabs.tabText(index)
        needed = header_widths(view)
        cut = [
            str(view.model().headerData(c, Qt.Orientation.Horizontal))
            for c, (size, title) in enumerate(zip(sizes, needed, strict=True))
            if size < title
        ]
        assert not cut, f"{screen.tabs.tabText(index)}: headers cut: {cut}"
    lots = screen.views["lots"]
    # The description gives way; every figure is shown whole.
    for column in range(2, lots.model().columnCount() - 1):
        assert lots.columnWidth(column) >= lots.sizeHintForColumn(column)


def test_a_long_dashboard_line_wraps_whole_in_its_card_and_in_its_tooltip(
    qtbot: Any,
) -> None:
    """It was cut with an ellipsis at the card's edge ("taken 20 of 16 expected.…"): it wraps
    onto the lines it needs, whole."""
    section = Section("Unresolved discrepancies")
    qtbot.addWidget(section)
    section.resize(360, 300)
    section.show()
    qtbot.waitExposed(section)
    whole = (
        "Count of kit K1160 on 2026-06-21: 20 tablets counted, 21 tablets in the book (-1); adjusted with "
        "reason 'breakage: one tablet found broken in the bottle'."
    )
    button = section.add_link(whole, alert=True)
    short = section.add_link("01-006: return overdue")
    qtbot.waitUntil(lambda: button.height() > 2 * short.height())
    assert button.text() == whole and button.toolTip() == whole
    assert short.text() == "01-006: return overdue"
    section.resize(1200, 300)
    qtbot.waitUntil(lambda: button.height() == short.height())


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_no_screen_needs_more_than_a_1366x768_window_gives_it(
    qtbot: Any,
    qapp: Any,
    pharmacy: Pharmacy,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    """A screen's least size is the window's: one screen that needs more makes every screen
    taller or wider than the display (the inventory's destroy form once asked 850 pixels of
    height with a kit selected, the users' three boxes 860). Each role's screens, with the
    program's style, in English and in Chinese; the inventory with a kit selected too."""
    from dispensary.ui.app import apply_style
    from dispensary.ui.screens import screen_classes

    if language != "en":
        request.getfixturevalue("chinese")
    apply_style(qapp)
    too_big = []
    try:
        for user in ("pharm", "tech", "monitor", "admin"):
            session = pharmacy.session(user)
            for cls in screen_classes():
                if session.actor.role not in cls.roles:
                    continue
                screen = cls(session)
                qtbot.addWidget(screen)
                screen.resize(*SCREEN_AREA)
                screen.show()
                screen.refresh()
                table = getattr(screen, "table", None)
                for step in ("shown", "a row selected"):
                    if step != "shown":
                        if not isinstance(table, QTableView) or not table.model().rowCount():
                            break
                        table.selectRow(0)
                    qtbot.wait(20)
                    hint = screen.minimumSizeHint()
                    if hint.width() > SCREEN_AREA[0] or hint.height() > SCREEN_AREA[1]:
                        too_big.append(f"{user} {cls.__name__} ({step}): {hint.toTuple()}")
                screen.close()
    finally:
        qapp.setStyleSheet("")
    assert too_big == []


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_column_of_the_users_table_is_read_whole(
    qtbot: Any,
    qapp: Any,
    pharmacy: Pharmacy,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    """The users' table at 1366x768 shows every value whole: the Studies column was cut
    ("NCT07198…") in English, and a locked account's sign-in state, a deactivated account and
    a user of two studies made the table wider still. A user's studies read one a line. With
    the "Password set" column the roles were cut ("Administr…", whole on hover only): the full
    names and the sign-in state ("locked" over "(5 failures)") go onto two lines instead, each
    word whole and every line in its row's height, and nothing is cut, a temporary password
    (its day over "temporary") among the rows."""
    from dispensary.services import studies, users
    from dispensary.ui.app import apply_style
    from dispensary.ui.forms import cell_width, unbroken_width
    from dispensary.ui.users_view import (
        FULL_NAME_COLUMN,
        SIGN_IN_COLUMN,
        STUDIES_COLUMN,
        UsersScreen,
    )

    if language != "en":
        request.getfixturevalue("chinese")
    admin = pharmacy.actor("admin")
    study = pharmacy.study.source_text.replace(
        f'protocol = "{pharmacy.study.protocol}"', 'protocol = "NCT99999999"'
    )
    studies.add_study(pharmacy.ctx, admin, study, "other.toml", "a second study")
    studies.set_access(pharmacy.ctx, admin, "pharm", "NCT99999999", True, "both studies")
    users.set_active(pharmacy.ctx, admin, "pharm2", False, "left the site")
    for _ in range(5):
        with pytest.raises(DispensaryError):
            users.sign_in(pharmacy.ctx, "tech", "not-the-password")
    users.reset_password(pharmacy.ctx, admin, "monitor", "temp-pass-77", "forgotten")
    apply_style(qapp)
    try:
        screen = refreshed(qtbot, UsersScreen(pharmacy.session("admin")), SCREEN_AREA)
        qtbot.wait(20)
        assert screen.size().toTuple() == SCREEN_AREA
        view = screen.table
        model = view.model()
        header = view.horizontalHeader()
        sizes = [header.sectionSize(c) for c in range(header.count())]
        assert sum(sizes) <= view.viewport().width()
        titles = header_widths(view)
        cut = []
        for column, (size, title) in enumerate(zip(sizes, titles, strict=True)):
            name = model.headerData(column, Qt.Orientation.Horizontal)
            if size < title:
                cut.append(f"header {name}: {size} < {title}")
            for row in range(model.rowCount()):
                index = model.index(row, column)
                hint = view.sizeHintForIndex(index)
                text = str(index.data() or "")
                if column in (FULL_NAME_COLUMN, SIGN_IN_COLUMN) and size < hint.width():
                    # Wrapped: no word wider than the column, every line within the row.
                    lines = view.fontMetrics().boundingRect(
                        QRect(0, 0, size - cell_width(view, ""), 10_000),
                        int(Qt.TextFlag.TextWordWrap),
                        text,
                    )
                    if unbroken_width(view, text) > size or lines.height() > view.rowHeight(row):
                        cut.append(f"{name} {text!r}: {size}x{view.rowHeight(row)} < {lines}")
                elif size < hint.width() or view.rowHeight(row) < hint.height():
                    cut.append(f"{name} {text!r}: {size}x{view.rowHeight(row)} < {hint}")
        assert cut == []
        shown = {model.index(r, 0).data(): model.index(r, STUDIES_COLUMN).data() for r in range(5)}
        assert shown["pharm"] == "NCT07198672\nNCT99999999"
        # The whole table is on screen: nothing is scrolled out of sight to the right.
        last = header.count() - 1
        assert header.sectionViewportPosition(last) + sizes[last] <= view.viewport().width()
        assert view.horizontalScrollBar().maximum() == 0
    finally:
        qapp.setStyleSheet("")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_scan_fields_placeholder_reads_whole_at_1366x768(
    qtbot: Any, qapp: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """The toolbar's scan field showed "Scan any kit, dispensing label or partic…" in English at
    its 420 pixels: the "(Ctrl+L)" hint was lost. Its placeholder is measured as Qt sizes a
    line of text (17 'x' in `sizeHint`, the padding, frame and clear button besides)."""
    from dispensary.ui.app import apply_style
    from dispensary.ui.main_window import MainWindow
    from dispensary.ui.screens import OPENS, screen_classes

    if language != "en":
        request.getfixturevalue("chinese")
    apply_style(qapp)
    try:
        window = MainWindow(
            pharmacy.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
        )
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        field = window.scan_field
        placeholder = field.placeholderText()
        assert "Ctrl+L" in placeholder
        metrics = field.fontMetrics()
        around = field.sizeHint().width() - 17 * metrics.horizontalAdvance("x")
        needed = around + metrics.horizontalAdvance(placeholder)
        # Whatever else the toolbar holds (a study chooser takes the room it leaves).
        assert field.minimumWidth() >= needed, placeholder
        assert field.width() >= needed, placeholder
        assert window.width() <= 1366
    finally:
        qapp.setStyleSheet("")


def placeholder_cut(field: Any) -> bool:
    """True when a line edit's placeholder is wider than the field shows (measured as Qt sizes
    a line edit: 17 'x' in `sizeHint`, with the style's padding and frame around them)."""
    metrics = field.fontMetrics()
    around = field.sizeHint().width() - 17 * metrics.horizontalAdvance("x")
    return field.width() < around + metrics.horizontalAdvance(field.placeholderText())


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_action_of_the_users_panel_is_whole_at_1366x768(
    qtbot: Any, qapp: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """The users' side panel held its three boxes one under the other: at 1366x768 "Reset
    password" was cut at the bottom edge (the access box below it out of sight) and the
    Initials placeholder was cut ("as initialled on records, e.g…"). The account's actions and
    the new user's form are now two tabs, each whole without scrolling."""
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    from dispensary.ui.app import apply_style
    from dispensary.ui.users_view import UsersScreen

    if language != "en":
        request.getfixturevalue("chinese")
    apply_style(qapp)
    try:
        screen = refreshed(qtbot, UsersScreen(pharmacy.session("admin")), (1166, 674))
        screen.select("tech")
        qtbot.wait(20)
        viewport = screen.panel.viewport()
        pages = [screen.account_page, screen.add_page]
        cut = []
        for page in pages:
            screen.panel_tabs.setCurrentWidget(page)
            qtbot.wait(20)
            for widget in page.findChildren(QAbstractButton) + page.findChildren(QLineEdit):
                if not widget.isVisibleTo(page):
                    continue
                where = widget.mapTo(viewport, widget.rect().topLeft())
                inside = viewport.rect().contains(where) and viewport.rect().contains(
                    widget.mapTo(viewport, widget.rect().bottomRight())
                )
                if not inside:
                    cut.append(f"{widget.objectName()} out of sight")
                if isinstance(widget, QLineEdit) and placeholder_cut(widget):
                    cut.append(f"{widget.objectName()}: {widget.placeholderText()!r} cut")
        assert cut == []
        assert screen.panel.verticalScrollBar().maximum() == 0
        # Selecting a user in the list shows what can be done to the account.
        screen.panel_tabs.setCurrentWidget(screen.add_page)
        screen.select("pharm")
        assert screen.panel_tabs.currentWidget() is screen.account_page
    finally:
        qapp.setStyleSheet("")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_history_headers_are_whole_before_a_participant_is_selected(
    qtbot: Any, qapp: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """The dispensing history's columns were fitted only once a participant was selected:
    before, at Qt's default width, "Adherence" lost its first letter."""
    from dispensary.ui.app import apply_style
    from dispensary.ui.participants_view import ParticipantsScreen

    if language != "en":
        request.getfixturevalue("chinese")
    apply_style(qapp)
    try:
        screen = refreshed(qtbot, ParticipantsScreen(pharmacy.session("pharm")), SCREEN_AREA)
        qtbot.wait(20)
        assert screen.current() is None
        view = screen.history_table
        assert view.model().rowCount() == 0
        header = view.horizontalHeader()
        sizes = [header.sectionSize(c) for c in range(header.count())]
        cut = [
            str(view.model().headerData(c, Qt.Orientation.Horizontal))
            for c, (size, title) in enumerate(zip(sizes, header_widths(view), strict=True))
            if size < title
        ]
        assert cut == []
        assert sum(sizes) <= view.viewport().width()
    finally:
        qapp.setStyleSheet("")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_report_is_listed_whole_at_1366x768(
    qtbot: Any, qapp: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """The list of reports shared its column with the parameters and the buttons: at 1366x768
    its last visible entry was cut in half ("Label: Participant leaflet") and more were hidden
    below, beside a large empty preview. The list now has the height of every entry."""
    from dispensary.ui.app import apply_style
    from dispensary.ui.reports_view import ReportsScreen

    if language != "en":
        request.getfixturevalue("chinese")
    apply_style(qapp)
    try:
        screen = refreshed(qtbot, ReportsScreen(pharmacy.session("pharm")), (1166, 674))
        qtbot.wait(20)
        choices = screen.choices
        viewport = choices.viewport().rect()
        assert choices.count() >= 16  # the pharmacist sees the labels too
        hidden = [
            choices.item(row).text()
            for row in range(choices.count())
            if not viewport.contains(choices.visualItemRect(choices.item(row)))
        ]
        assert hidden == []
        assert choices.verticalScrollBar().maximum() == 0
        # Each report's parameters and the button to make it are still on screen.
        for row in range(choices.count()):
            choices.setCurrentRow(row)
            qtbot.wait(5)
            button = screen.generate_button
            corner = button.mapTo(screen, button.rect().bottomRight())
            assert screen.rect().contains(corner), choices.item(row).text()
        assert screen.view.height() >= 250
    finally:
        qapp.setStyleSheet("")


@pytest.mark.parametrize("user", ["admin", "pharm"])
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_inventory_panel_shows_the_kit_selected_whole(
    qtbot: Any,
    qapp: Any,
    pharmacy: Pharmacy,
    language: str,
    user: str,
    request: pytest.FixtureRequest,
) -> None:
    """An administrator's inventory panel has no buttons and no destroy form: the splitter gave
    it the least its layout asked (121 pixels), though its column is at least PANEL_WIDTH wide,
    and the kit line was cut at the panel's edge ("Kit K1061: 7.5 ... lot HT2507B, e..."), the
    panel not scrolling sideways. The panel is now at least PANEL_WIDTH and the scroll bar wide,
    and the kit line wraps inside it; a pharmacist's panel (its form) is as wide as before."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QFontMetrics, QTextDocument

    from dispensary.ui.app import apply_style
    from dispensary.ui.forms import SidePanel
    from dispensary.ui.inventory_view import PANEL_WIDTH, InventoryScreen

    if language != "en":
        request.getfixturevalue("chinese")
    apply_style(qapp)
    try:
        screen = refreshed(qtbot, InventoryScreen(pharmacy.session(user)), (1166, 674))
        assert screen.open_kit("K0003")
        qtbot.wait(20)
        panel = screen.findChild(SidePanel)
        assert panel is not None
        viewport = panel.viewport()
        assert panel.width() >= PANEL_WIDTH
        assert viewport.width() >= PANEL_WIDTH  # the column whole, no part under the scroll bar
        label = screen.selection_label
        right = label.mapTo(viewport, QPoint(label.width(), 0)).x()
        assert right <= viewport.width(), "the kit line runs past the panel's edge"
        assert label.height() >= label.heightForWidth(label.width())  # every line shown
        text = QTextDocument()
        text.setHtml(label.text())
        metrics = QFontMetrics(label.font())
        room = label.contentsRect().width()
        wide = [w for w in text.toPlainText().split() if metrics.horizontalAdvance(w) > room]
        assert wide == []  # each word wraps whole within the label
        if user == "pharm":  # the destroy form, as wide as before
            box = screen.destroy_box
            assert box.mapTo(viewport, QPoint(box.width(), 0)).x() <= viewport.width()
            assert panel.width() >= box.minimumSizeHint().width() + 8
    finally:
        qapp.setStyleSheet("")


@pytest.mark.parametrize("overridden", [False, True])
@pytest.mark.parametrize("size", [SCREEN_AREA, (1166, 674)])
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_line_of_the_settings_screen_is_whole(
    qtbot: Any,
    qapp: Any,
    pharmacy: Pharmacy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    size: tuple[int, int],
    overridden: bool,
    request: pytest.FixtureRequest,
) -> None:
    """At 1366x768 the Settings screen's left column (the pharmacy, the language, the
    database, whose refusal to move DISPENSARY_DB adds four lines) was taller than the screen:
    its wrapped lines were squeezed, "Not set yet: the labels print the study file's pharmacy
    name (...)" clipped at its bottom. Each wrapped line is now as tall as its text, and no
    box runs past the screen's right edge; the columns scroll up and down instead."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton

    from dispensary import config
    from dispensary.ui.app import apply_style
    from dispensary.ui.settings_view import SettingsScreen

    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    if overridden:
        monkeypatch.setenv(config.ENV_DB, str(tmp_path / "elsewhere.sqlite3"))
    if language != "en":
        request.getfixturevalue("chinese")
    apply_style(qapp)
    try:
        screen = refreshed(qtbot, SettingsScreen(pharmacy.session("admin")), size)
        qtbot.wait(20)
        assert screen.from_study.isVisible() and screen.override.isVisible() == overridden
        cut = [
            (
                label.objectName() or label.text(),
                label.height(),
                label.heightForWidth(label.width()),
            )
            for label in screen.findChildren(QLabel)
            if label.isVisible()
            and label.wordWrap()
            and label.height() < label.heightForWidth(label.width())
        ]
        assert cut == [], cut
        right = screen.width()
        wide = [
            widget.objectName() or widget.title()
            for widget in screen.findChildren(QGroupBox)
            if widget.isVisible() and widget.mapTo(screen, QPoint(widget.width(), 0)).x() > right
        ]
        wide += [
            button.text()
            for button in screen.findChildren(QPushButton)
            if button.isVisible() and button.mapTo(screen, QPoint(button.width(), 0)).x() > right
        ]
        assert wide == []
        assert screen.minimumSizeHint().height() <= size[1]
    finally:
        qapp.setStyleSheet("")
