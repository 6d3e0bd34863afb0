"""Small pieces every screen shares: headings, the scan row, the participant card, read-only
tables, date fields, and dates between Qt and Python.

The helpers that take a text (a heading, a label, a button) take it already in the user's
language: the caller translates it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    QEvent,
    QLocale,
    QObject,
    QPointF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QTextLayout,
    QTextOption,
    QValidator,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionHeader,
    QStylePainter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import InvalidInput
from dispensary.domain.rules import parse_date
from dispensary.i18n import ENGLISH, current_language
from dispensary.study import Study
from dispensary.ui.feedback import MessageBar
from dispensary.ui.models.table import Column, RowFilterProxy, RowTableModel
from dispensary.ui.models.table import separated as separated  # the screens take it from here
from dispensary.ui.scan_field import ScanField


def hidden_unless(widget: QWidget, shown: bool) -> None:
    """Hides `widget` when it is not to be shown, and otherwise leaves it to show with the
    screen it is laid out in. Never `setVisible(True)` while building a screen: a widget not
    yet in a laid-out parent is parentless, and shown it becomes a window of its own, which
    took the keyboard from the main window (a code scanned next went nowhere)."""
    if not shown:
        widget.hide()


def show_form_rows(form: QFormLayout, fields: Iterable[QWidget], shown: bool) -> None:
    """The rows of these fields of `form` shown or hidden, each field with its label. One home
    for the held period's rows (from, until, who ordered it), shown only while their box is
    ticked, in the counter's return and in the participants window's return correction, so
    that the two dialogs hide and show them alike."""
    for field in fields:
        field.setVisible(shown)
        label = form.labelForField(field)
        if label is not None:
            label.setVisible(shown)


def heading(text: str) -> QLabel:
    """The screen's title line, styled by the application style sheet like every screen's."""
    label = QLabel(text)
    label.setObjectName("screenTitle")
    return label


def titled_page(screen: QWidget, title: str) -> tuple[QVBoxLayout, MessageBar]:
    """The screen's column: its heading, then the message bar where refusals are shown."""
    layout = QVBoxLayout(screen)
    layout.addWidget(heading(title))
    message = MessageBar(screen)
    layout.addWidget(message)
    return layout, message


def wrapped_label(name: str = "", text: str = "") -> QLabel:
    """A label whose text wraps to its width instead of widening the screen."""
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    return label


class ScrolledNotice(QScrollArea):
    """A wrapped notice that shows every line when its column has the room, and otherwise
    at least `LEAST_LINES` of them and scrolls to the rest: a column short of height (a long
    message above it, at 1366x768) squeezed a plain wrapped label below its lines and cut
    its end off unread. `label` is the notice; the box is shown while it has a text."""

    LEAST_LINES = 4

    def __init__(self, name: str = "") -> None:
        super().__init__()
        self.label = wrapped_label(name)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Never taller than its text (the list below takes the spare height); shorter, down
        # to its least lines, only when the column has no more.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.viewport().setAutoFillBackground(False)
        self.label.setAutoFillBackground(False)
        self.setVisible(False)

    def show_text(self, text: str) -> None:
        """The notice's text, the box shown while there is one; a new text from its first
        line."""
        if text != self.label.text():
            self.label.setText(text)
            self.verticalScrollBar().setValue(0)
        self.setVisible(bool(text))
        self.updateGeometry()

    def _text_height(self) -> int:
        """The height of every line of the text at the width it is shown at (the scroll
        bar's width kept free, so that it fits whether or not the bar is shown)."""
        width = (
            max(self.viewport().width(), self.width()) - self.verticalScrollBar().sizeHint().width()
        )
        return max(self.label.heightForWidth(max(width, 1)), self.label.minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._text_height())

    def minimumSizeHint(self) -> QSize:
        spacing = self.label.fontMetrics().lineSpacing()
        least = self.LEAST_LINES * spacing + 2 * self.label.margin()
        return QSize(super().minimumSizeHint().width(), min(self._text_height(), least))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # as many lines at the new width


def scan_row(label: str, field: ScanField) -> QHBoxLayout:
    """A scan field with its label in front; the label's '&' key jumps into the field."""
    row = QHBoxLayout()
    caption = QLabel(label)
    caption.setBuddy(field)
    row.addWidget(caption)
    row.addWidget(field, 1)
    return row


def info_card(name: str) -> QLabel:
    """A framed panel of rich text read top-down: who is at the counter, and what they have."""
    card = wrapped_label(name)
    card.setTextFormat(Qt.TextFormat.RichText)
    card.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    card.setFrameShape(QFrame.Shape.StyledPanel)
    return card


def two_columns(outer: QVBoxLayout, left: int, right: int) -> QGridLayout:
    """The counter's form beside its list, sharing the width left:right; takes the spare
    height of the screen."""
    grid = QGridLayout()
    grid.setColumnStretch(0, left)
    grid.setColumnStretch(1, right)
    outer.addLayout(grid, 1)
    return grid


def primary_button(text: str, tip: str) -> QPushButton:
    """The button that finishes the screen's work, styled to stand out; its tooltip gives the
    keys that press it."""
    button = QPushButton(text)
    button.setObjectName("primary")
    button.setToolTip(tip)
    return button


def button_row(left: Sequence[QWidget], right: Sequence[QWidget]) -> QHBoxLayout:
    """Buttons under a form: side steps to the left, the finishing ones to the right."""
    row = QHBoxLayout()
    for widget in left:
        row.addWidget(widget)
    row.addStretch(1)
    for widget in right:
        row.addWidget(widget)
    return row


_TYPED_DATE = re.compile(r"\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\s*")
_EDITING_KEYS = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
_STEPPING_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def _opens_calendar(event: QKeyEvent) -> bool:
    """F4 or Alt+Down: the keys that open a combo box's list, and here a date's calendar."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if event.key() == Qt.Key.Key_F4:
        return modifiers == Qt.KeyboardModifier.NoModifier
    return event.key() == Qt.Key.Key_Down and modifiers == Qt.KeyboardModifier.AltModifier


class DateEdit(QDateEdit):
    """A date typed as yyyy-MM-dd or picked from a calendar, read with `typed_date` at the
    step. A QDateEdit edits a date section by section: it drops the keys it refuses without
    a word, fixes what does not fit and keeps its last date while a day is half typed
    ("2026-02-30" showed 2026-02-03, then 2026-02-28; "20260203" or "2026-01-3O" left the old
    date), and a screen's assessment went on with that date. Here the keys edit the date as
    text: it stays as typed, held by the field only once it reads as a date; the step refuses
    what cannot be read (the domain's words, the field named) and `refuse` marks the field,
    what was typed left in it. What depends on the date (an assessment, a preview) reads
    `entered` (None while the text shown is no date) and is told of every change by
    `dateChanged` or, when the date held stays as it was, `retyped`."""

    retyped = Signal()
    """The text typed changed and the date held did not (it is no date yet, or the same one):
    what shows a preview of the date reads `entered` again."""

    def __init__(self, day: date | None = None, parent: QWidget | None = None) -> None:
        self._typed = ""  # the date as typed (edited as text), or "": the date Qt shows
        self._watching = False  # the calendar's picks watched (built at the first use only)
        super().__init__(parent)
        if day is not None:
            self.setDate(qdate(day))
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")

    def _watch_calendar(self) -> None:
        """A date picked from the calendar: nothing typed stands. Connected at the first
        mouse press or key (what opens the popup), not at construction: calendarWidget()
        builds the popup's calendar, its month and year buttons, for every date field."""
        if not self._watching:
            self._watching = True
            calendar = self.calendarWidget()
            calendar.clicked.connect(self._picked)
            calendar.activated.connect(self._picked)  # a day picked with Enter
            calendar.window().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The calendar closed with no day picked (Esc, a click outside): Qt put the date it
        holds back in the field as the cursor came back to it ("2026-01-" half typed showed
        2026-01-05); what was typed is put back over it once Qt is done."""
        if event.type() == QEvent.Type.Hide and watched is self.calendarWidget().window():
            QTimer.singleShot(0, self._keep_typed)
        return super().eventFilter(watched, event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._watch_calendar()
        super().mousePressEvent(event)

    def open_calendar(self) -> None:
        """The calendar opened from the keyboard (F4, Alt+Down), as a combo box's list is: Qt
        opens a date field's calendar only when its arrow is clicked (F4 did nothing, and
        Alt+Down stepped the year back). Opened by Qt's own click on the arrow, so that the
        calendar shows the date held, placed and closed as when clicked."""
        if self.isReadOnly() or not self.calendarPopup():
            return
        option = QStyleOptionComboBox()
        option.initFrom(self)
        option.editable = True
        option.subControls = QStyle.SubControl.SC_All
        arrow = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxArrow, self
        )
        at = QPointF(arrow.center())
        self.mousePressEvent(
            QMouseEvent(
                QEvent.Type.MouseButtonPress,
                at,
                self.mapToGlobal(at),
                Qt.MouseButton.LeftButton,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            )
        )

    def setDate(self, value: QDate | date) -> None:
        """A date set by the program or picked: what was typed before no longer stands."""
        self._forget()
        super().setDate(value if isinstance(value, QDate) else qdate(value))

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._keep_typed()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Qt puts the date it holds back in the field when the text is no date: what was
        typed is put back over it, to be seen and refused as typed."""
        super().focusOutEvent(event)
        self._keep_typed()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """The date written out, as typed, is left as it is: Qt's own reading would fix
        "2026-02-30" to 2026-02-28 in the text and hold that (`_write` holds what reads)."""
        if self._typed and text == self._typed:
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:
        """Nor is it fixed into another date when the field is left or Enter pressed."""
        if self._typed and text == self._typed:
            return text
        return super().fixup(text)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab after a date written out goes on to the next field (a QDateEdit moves to its
        next section, which it does not know in a text it was not told)."""
        if self._typed:
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """A day or a month stepped with the wheel, from the date held: the date shown."""
        self._forget()
        super().wheelEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._keep_typed()

    def _picked(self) -> None:
        """A day picked from the calendar, clicked or with Enter: the date, shown as Qt shows
        it (a date half typed before, "2026-01-", was left in the field over the day picked)."""
        self._forget()
        self._show_text(self.textFromDateTime(self.dateTime()))

    def _forget(self) -> None:
        self._typed = ""
        self._mark("")

    def _mark(self, cue: str) -> None:
        """The field red while what it shows is refused ("error"), plain again ("") once it
        is typed over or set (the style sheet's QDateEdit[cue="error"])."""
        if self.property("cue") == cue or (not cue and not self.property("cue")):
            return
        self.setProperty("cue", cue)
        style = self.style()
        style.unpolish(self)
        style.polish(self)  # re-styled and repainted, as the scan field's cue is

    def refuse(self) -> None:
        """The date refused at the step (the screen says why): left as typed, marked, the
        cursor back in it with the whole of it selected, to be typed again."""
        self._keep_typed()
        self._mark("error")
        self.setFocus()
        self.selectAll()

    def _read_typed(self) -> date | None:
        """The date written out (`_typed`), when it reads as one within the domain's window;
        None when it does not (yet)."""
        written = _TYPED_DATE.fullmatch(self._typed)
        if written is None:
            return None
        year, month, day = (int(part) for part in written.groups())
        try:
            return parse_date(f"{year:04d}-{month:02d}-{day:02d}", "date")
        except InvalidInput:
            return None

    def _keep_typed(self) -> None:
        """A date written out that is no date stays in the field as typed (Qt would show the
        date it holds, or one it made of the keys: 2026-02-03 for 2026-02-30)."""
        if self._typed and self._read_typed() is None:
            self._show_text(self._typed)

    def _show_text(self, text: str) -> None:
        """`text` in the field as it is: the QDateEdit is not told (told, it would read
        "2026-02-30" as 2026-02-28 and hold that, or put the date it holds back)."""
        line = self.lineEdit()
        if line.text() != text:
            line.blockSignals(True)
            try:
                line.setText(text)
            finally:
                line.blockSignals(False)

    def _write(self, typed: str) -> None:
        """The date written out so far, `typed`, shown as typed; held by the field (dateChanged)
        once it reads as a date, else the date held is left as it was and `retyped` says the
        text shown is no longer it."""
        self._typed = typed
        read = self._read_typed()
        held = to_date(self.date())
        if read is not None and read != held:
            QDateEdit.setDate(self, qdate(read))  # not self.setDate: what is typed stands
        self._show_text(typed)
        if read is None or read == held:
            self.retyped.emit()

    def _writing(self) -> bool:
        """The field shows the date written out, as typed (not a date Qt shows)."""
        return bool(self._typed) and self.lineEdit().text() == self._typed

    def _edit(self, typing: bool, key: int, text: str) -> None:
        """A key typed or erased in the date written out, as in any text: at the cursor, over
        the selection (Qt's own editing would act on the date it holds, putting "2026-02-03"
        back for a Backspace after "2026-02-30")."""
        line = self.lineEdit()
        shown = line.text()
        start = end = line.cursorPosition()
        if line.hasSelectedText():
            start = line.selectionStart()
            end = start + len(line.selectedText())
        if typing:
            shown, at = shown[:start] + text + shown[end:], start + len(text)
        elif start != end:
            shown, at = shown[:start] + shown[end:], start
        elif key == Qt.Key.Key_Backspace:
            at = max(start - 1, 0)
            shown = shown[:at] + shown[end:]
        else:
            shown, at = shown[:start] + shown[end + 1 :], start
        self._write(shown)
        line.setCursorPosition(at)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._watch_calendar()
        key, text = event.key(), event.text()
        if _opens_calendar(event):
            event.accept()
            self.open_calendar()
            return
        held = event.modifiers() & _COMMAND_MODIFIERS  # Ctrl+A selects, types no "a"
        typing = bool(text) and text.isprintable() and not held
        editing = typing or (key in _EDITING_KEYS and not held)
        line = self.lineEdit()
        if event.matches(QKeySequence.StandardKey.Paste):  # as though typed
            typing = editing = True
            text = QGuiApplication.clipboard().text().strip()
        elif event.matches(QKeySequence.StandardKey.Cut) and line.hasSelectedText():
            QGuiApplication.clipboard().setText(line.selectedText())
            key, editing = Qt.Key.Key_Delete, True
        if editing:  # edited as text, from what the field shows: kept as typed
            self._mark("")  # typed over: no longer the entry refused
            if not self._writing():
                self._typed = line.text()
            self._edit(typing, key, text)
            event.accept()
            return
        if key in _STEPPING_KEYS:
            self._forget()  # a day, a month stepped from the date held: the date shown
        elif key in _ENTER_KEYS and self._typed and self._read_typed() is None:
            event.ignore()  # Qt would read "2026-02-30" as 2026-02-28: the form's Enter only
            return
        super().keyPressEvent(event)
        self._keep_typed()  # Enter, a move: Qt put back the date it holds

    def entered(self) -> date | None:
        """The date the field shows as entered (typed or picked); None while what it shows is
        no date (half typed, or refused): an assessment or preview is then not made with the
        date the field last held, which the pharmacist did not enter."""
        try:
            return self.typed_date("")
        except InvalidInput:
            return None

    def typed_date(self, name: str) -> date:
        """The date as typed (or picked); refused naming the field (`name`) when what was
        typed is no date, when a key typed was dropped, or when the date is half typed."""
        typed = self._typed
        line_text = self.lineEdit().text()
        if typed:
            written = _TYPED_DATE.fullmatch(typed)
            try:
                if written is None:
                    parse_date(typed, name)  # refused, in the domain's words
                    raise InvalidInput(typed)
                year, month, day = (int(part) for part in written.groups())
                parse_date(f"{year:04d}-{month:02d}-{day:02d}", name)
                read = date(year, month, day)
            except InvalidInput as exc:
                raise InvalidInput(
                    self.tr("{field}: {refusal}").format(field=name, refusal=exc.message)
                ) from exc
            if read == to_date(self.date()):  # held as typed (`_write`)
                return read
        elif self.hasAcceptableInput():
            return to_date(self.date())
        raise InvalidInput(
            self.tr(
                "{field}: '{typed}' is not a whole date. Type it as YYYY-MM-DD, or pick it from "
                "the calendar."
            ).format(field=name, typed=typed or line_text)
        )


def date_edit(day: date | None = None) -> DateEdit:
    """A date typed as yyyy-MM-dd or picked from a calendar (DateEdit: read at the step with
    `typed_date`, never another date than the one typed)."""
    return DateEdit(day)


def mistyped_date(fields: Iterable[tuple[DateEdit, str]]) -> tuple[DateEdit, str] | None:
    """The first of these date fields (each with its name) whose typed date cannot be read,
    with the refusal's words; None when every one reads. A screen says it and calls the
    field's `refuse` (left as typed, marked, the cursor back in it, the text selected)."""
    for field, name in fields:
        try:
            field.typed_date(name)
        except InvalidInput as exc:
            return field, exc.message
    return None


def counter_keys(
    screen: QWidget, sign: Callable[[], None], start_over: Callable[[], None] | None = None
) -> None:
    """Ctrl+Enter signs (or receives) and Esc starts the form over, anywhere on the screen."""
    context = Qt.ShortcutContext.WidgetWithChildrenShortcut
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        QShortcut(QKeySequence(Qt.Modifier.CTRL | key), screen, sign, context=context)
    if start_over is not None:
        QShortcut(QKeySequence(Qt.Key.Key_Escape), screen, start_over, context=context)


_ARROW_TRUE = {
    QStyleOptionHeader.SortIndicator.SortUp: QStyleOptionHeader.SortIndicator.SortDown,
    QStyleOptionHeader.SortIndicator.SortDown: QStyleOptionHeader.SortIndicator.SortUp,
}


class SortedHeader(QHeaderView):
    """A table's header whose sort arrow points as the rows run: up for the smallest (the
    oldest, A) first, down for the largest (the newest) first, as a reader reads an arrow.
    Qt gives an ascending order the style's "sort down" arrow, which the Fusion style draws
    pointing down: the audit trail, newest first, showed an up arrow on its "No."."""

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logicalIndex: int) -> None:
        super().initStyleOptionForIndex(option, logicalIndex)
        option.sortIndicator = _ARROW_TRUE.get(option.sortIndicator, option.sortIndicator)


def sorted_header(view: QTableView) -> QHeaderView:
    """The view's horizontal header made a SortedHeader (its sort column, order and sorting
    kept): the header returned."""
    header = view.horizontalHeader()
    if isinstance(header, SortedHeader):
        return header
    sorting = view.isSortingEnabled()
    section, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
    replaced = SortedHeader(Qt.Orientation.Horizontal, view)
    replaced.setSectionsClickable(header.sectionsClickable())  # set by the view on its own
    replaced.setHighlightSections(header.highlightSections())
    view.setHorizontalHeader(replaced)
    replaced.setSortIndicator(section, order)
    view.setSortingEnabled(sorting)
    return replaced


def read_only_rows(view: QTableView) -> QHeaderView:
    """Whole rows selected, nothing edited in place, alternate rows shaded, the sort arrow as
    the rows run (SortedHeader); returns the header for the caller to size the columns."""
    sorted_header(view)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    return view.horizontalHeader()


def kit_table(
    model: RowTableModel[Any], stretch_column: int = 1, sortable: bool = False
) -> QTableView:
    """A read-only table of whole rows, one column taking the spare width; sortable through
    the typed proxy when asked."""
    view = QTableView()
    if sortable:
        proxy = RowFilterProxy(view)
        proxy.setSourceModel(model)
        view.setModel(proxy)
        view.setSortingEnabled(True)
    else:
        view.setModel(model)
    header = read_only_rows(view)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return view


class ElidedCombo(QComboBox):
    """A choice whose items may be longer than the room beside it (a dose level naming two
    drugs on one line): sized by `shortest` characters, never by its longest item (which pushed
    a window past a 1366 screen), the current text shown up to an ellipsis, whole in its
    tooltip and in the list it opens."""

    def __init__(self, shortest: int = 24, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(shortest)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.currentTextChanged.connect(self.setToolTip)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def shown_text(self) -> str:
        """The current text as drawn at the present width: whole, or up to an ellipsis."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        room = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        return self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, room.width()
        )


class _ShortenedLabel(QLabel):
    """A label that draws less than its text when the room is short: the whole stays in
    text() and in its tooltip (`set_line` sets both), and `paintEvent` draws what
    `drawn_text` gives, as a QLabel draws its text (the style's colours, enabled or not).
    One home for what ElidedLabel and WrappedLine both do, so that they draw alike; each says
    only how it shortens."""

    def set_line(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text)

    def drawn_text(self) -> str:
        """What is drawn at the label's present width."""
        raise NotImplementedError

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.drawn_text(),
            QPalette.ColorRole.WindowText,
        )


class ElidedLabel(_ShortenedLabel):
    """One line that may be longer than the room it has (the status bar's backup line, with
    the backup file's path): shown with its middle left out (…), so that the start of the
    sentence and the file's name both stay in view; whole in its tooltip and in text(). A
    line whose middle matters as much as its start (a list of studies) is cut at its end
    instead (`elide`)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        elide: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
    ) -> None:
        super().__init__(parent)
        self.elide = elide
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def drawn_text(self) -> str:
        return self.shown_text()

    def shown_text(self) -> str:
        """The text as drawn at the label's present width."""
        line = " ".join(self.text().split())
        room = self.contentsRect().width()
        return self.fontMetrics().elidedText(line, self.elide, room)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 10 * self.fontMetrics().averageCharWidth()), hint.height())


class WrappedLine(_ShortenedLabel):
    """The scan bar's answer to the last scan, in the room the toolbar leaves it (between the
    scan field and the study chooser): wrapped on `LINES` lines at most, the rest left out at
    the end (…). As a plain label it asked for its whole text's width and went, long, into
    the toolbar's overflow (››), where it could not be read at 1366x768. Whole in text() and
    its tooltip; `cut` says whether it is shown whole (`cut_changed` when that changes, for the
    window to say it whole elsewhere)."""

    LINES = 2
    cut_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.cut = False

    def set_line(self, text: str) -> None:
        super().set_line(text)
        self._check_cut()

    def _wrapped(self) -> list[str]:
        """The text wrapped at the label's present width (at a word, or anywhere in Chinese)."""
        text = " ".join(self.text().split())
        if not text:
            return []
        room = max(1, self.contentsRect().width())
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        lines: list[str] = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(room)
            lines.append(text[line.textStart() : line.textStart() + line.textLength()].strip())
        layout.endLayout()
        return lines

    def shown_lines(self) -> list[str]:
        """The lines drawn at the label's present width: `LINES` at most, the last ending in
        … when more would follow."""
        lines = self._wrapped()
        if len(lines) <= self.LINES:
            return lines
        rest = " ".join(lines[self.LINES - 1 :])
        # The rest with "…" after it, never in its place: ElideRight of a rest that fits
        # would show it whole, as if nothing were left out.
        room = max(1, self.contentsRect().width())
        last = self.fontMetrics().elidedText(rest + "…", Qt.TextElideMode.ElideRight, room)
        return [*lines[: self.LINES - 1], last]

    def _check_cut(self) -> None:
        cut = len(self._wrapped()) > self.LINES
        if cut != self.cut:
            self.cut = cut
            self.cut_changed.emit(cut)

    def sizeHint(self) -> QSize:
        """The whole text's width on one line (its room, when the toolbar has it), a little
        when the toolbar has less: never so wide that the toolbar puts it in its overflow."""
        hint = super().sizeHint()
        return QSize(min(hint.width(), 30 * self.fontMetrics().averageCharWidth()), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        lines = self.LINES * self.fontMetrics().lineSpacing()
        return QSize(min(hint.width(), 10 * self.fontMetrics().averageCharWidth()), lines)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._check_cut()

    def drawn_text(self) -> str:
        return "\n".join(self.shown_lines())


class KitLine(Protocol):
    """A kit as the counter lists it: in stock (a KitRow) or about to be received (a KitIn)."""

    @property
    def number(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def lot(self) -> str: ...
    @property
    def expiry(self) -> date: ...
    @property
    def tablets(self) -> int: ...


def kit_columns(
    study: Study, product: Callable[[str], str] | None = None
) -> tuple[Column[KitLine], ...]:
    """The kits of a dispense or a delivery, as the pharmacist reads them off the boxes: one
    home for the columns the Dispense and the Receive screens both list, so that they read
    alike. `product`: the product's name from its code (product_label of the study when not
    given; a delivery's line may name a code that is not the study's)."""
    named = product or (lambda code: product_label(study, code))
    return (
        Column(QCoreApplication.translate("KitTable", "Kit"), lambda k: k.number),
        Column(QCoreApplication.translate("KitTable", "Product"), lambda k: named(k.product)),
        Column(QCoreApplication.translate("KitTable", "Lot"), lambda k: k.lot),
        Column(QCoreApplication.translate("KitTable", "Expiry"), lambda k: k.expiry),
        count_column(
            study,
            lambda k: k.product,
            Column(
                QCoreApplication.translate("KitTable", "Tablets"),
                lambda k: k.tablets,
                align_right=True,
            ),
        ),
    )


QUANTITY = str(QT_TRANSLATE_NOOP("Column", "Quantity"))

_R = TypeVar("_R")


def count_column(study: Study, product: Callable[[_R], str], tablets: Column[_R]) -> Column[_R]:
    """A column of counts of each row's product: `tablets` ("Tablets" over bare numbers) in a
    study of tablets only, else "Quantity" over each count in its product's word ("28
    capsules", "28粒"), as Study.quantity says: a column of capsules called tablets (片数 in
    Chinese) would misstate them. The count still sorts the column."""
    if study.tablets_only:
        return tablets
    count = tablets.value
    return Column(
        QUANTITY,
        count,
        align_right=True,
        shown=lambda row: study.quantity(product(row), count(row)),
    )


def units_word(study: Study, product: str, start: bool = True) -> str:
    """The word a count of this product is in, for a field's label ("Capsules", 粒; "Tablets",
    片), or inside a sentence with `start` False ("count its capsules"): a label over a capsule
    kit's count must not say "Tablets" (片数)."""
    word = study.unit_words((product,))
    return word[:1].upper() + word[1:] if start else word


def by_count(n: int, one: str, many: str) -> str:
    """`one` or `many` (both translated, both holding the count): English says "1 kit" and
    "3 kits", not "3 kit(s)"; Chinese writes the two alike."""
    return one if n == 1 else many


def separated_first(items: Sequence[str], at_most: int) -> str:
    """The first `at_most` items `separated`, then the language's ellipsis when there are more
    ("K0101, K0102…"; in Chinese "K0101、K0102……"): a message names a few, the table has all."""
    shown = separated(items[:at_most])
    return shown + QCoreApplication.translate("List", "…") if len(items) > at_most else shown


def product_label(study: Study, code: str) -> str:
    """'7.5 mg tablet': what a pharmacist reads on the shelf, for a product code. In another
    language, the product as the study file names it there ("海曲泊帕乙醇胺片 7.5 mg"): the
    file's form ("tablet") is an English word the program cannot translate."""
    if current_language() is not ENGLISH:
        return study.product_name(code)
    if all(product.code != code for product in study.products):
        return code  # another study's (a store's excursion holds every study's kits)
    product = study.product(code)
    return f"{product.strength} {product.form}"


def units_of(study: Study, code: str, count: int) -> str:
    """'28 capsules' / '28粒': a count of a product's units in its dosage form's word, in the
    user's language (the study file's [label.text.<language>.units], as the dispensing label
    counts them; English names the form). A total of capsules and tablets in one word would
    misstate what is on the shelf or in the bag."""
    return study.units(code, count)


def dose_shown(study: Study, level: int | None, english: str) -> str:
    """A dose level by its name in the user's language; the services' results carry the
    English name (their JSON never changes with the language), kept when the level is not
    known."""
    return english if level is None else study.dose_name(level)


def shown_date(day: date, form: str = "short") -> str:
    """A date a window shows (never one a pharmacist types: those stay ISO), as the user's
    language writes it, through Qt's locale (installed with the language at sign-in).

    Short, in every language: ISO "2026-12-03", as the date fields, the tables, the labels,
    the DARF and the study file write it (a Chinese window that said "2026/11/28" in a
    sentence beside a field reading "2026-12-05" made the pharmacist compare two forms), and
    ISO cannot be misread as a US or a UK day-month order in a multinational trial. Long (a
    heading): "2026年12月3日" in Chinese, as Chinese forms and SOPs write it; ISO in English.
    """
    locale = QLocale()
    if form != "long" or locale.language() != QLocale.Language.Chinese:
        return day.isoformat()
    return locale.toString(qdate(day), "yyyy年M月d日")


def shown_weekday(day: date) -> str:
    """The day of the week in the user's language ("Thursday", "星期四")."""
    return QLocale().dayName(day.isoweekday())


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
