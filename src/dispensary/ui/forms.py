"""Pieces the back-office screens share: a sortable table over its model, a service call whose
refusal lands in the form's message bar, named fields and buttons, a reason prompt, and an
optional date range."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TypeVar

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTextBoundaryFinder,
    Signal,
)
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError, NotPermitted, SignatureFailed
from dispensary.services.context import Actor
from dispensary.services.permissions import Permission, may
from dispensary.ui.feedback import MessageBar, give_dismiss_keys
from dispensary.ui.models.table import Column, RowFilterProxy, RowTableModel
from dispensary.ui.widgets import (
    DateEdit,
    date_edit,
    hidden_unless,
    mistyped_date,
    qdate,
    read_only_rows,
)

NARROWEST = 48
"""Columns are never squeezed below this many pixels to fit a table in the window."""

_T = TypeVar("_T")
_Row = TypeVar("_Row")


class AccessNotices(QObject):
    """Where a screen's refusal "access to this study was withdrawn" goes besides its message
    bar: the main window, which then stops showing that study (ui/main_window)."""

    withdrawn = Signal(str, str)  # (the refusal, the study's protocol)


ACCESS = AccessNotices()


def refused(bar: MessageBar, exc: DispensaryError) -> None:
    """A service's refusal in the bar; an access withdrawn is told to the main window too."""
    bar.show_message(exc.message, "error")
    if isinstance(exc, NotPermitted) and exc.withdrawn:
        ACCESS.withdrawn.emit(exc.message, exc.withdrawn)


def attempt(bar: MessageBar, call: Callable[[], _T]) -> _T | None:
    """Runs one service call; a refusal is shown in plain words and None comes back."""
    try:
        result = call()
    except DispensaryError as exc:
        refused(bar, exc)
        return None
    return result


def signed(bar: MessageBar, call: Callable[[], _T]) -> _T | None:
    """Runs a service call that carries an electronic signature; the service itself counts a
    wrong signature password against the signer as a wrong sign-in is (five lock the account,
    users.check_signature). Any refusal is shown in plain words and None comes back; a failure
    that could not be counted (a busy database) says so."""
    try:
        return call()
    except SignatureFailed as failed:  # counted by the service; if not, the screen says why
        uncounted = f" ({failed.uncounted})" if failed.uncounted else ""
        bar.show_message(f"{failed.message}{uncounted}", "error")
        return None
    except DispensaryError as exc:
        refused(bar, exc)
        return None


class OneLine(QStyledItemDelegate):
    """A cell kept on one line, cut rather than wrapped, in a table whose text wraps."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText


def table_view(proxy: QSortFilterProxyModel, multi: bool = False) -> QTableView:
    """A read-only, sortable row table: whole rows are selected, columns fit their text."""
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    header = read_only_rows(view)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    return view


def row_table(
    parent: QObject,
    columns: Sequence[Column[_Row]],
    name: str,
    multi: bool = False,
    sort_column: int = 0,
    descending: bool = False,
) -> tuple[RowTableModel[_Row], RowFilterProxy, QTableView]:
    """A table of result rows with everything it needs: the model the screen fills, the typed
    proxy that sorts and filters it, and the view, sorted on one column."""
    model: RowTableModel[_Row] = RowTableModel(columns, parent)
    proxy = RowFilterProxy(parent)
    proxy.setSourceModel(model)
    view = table_view(proxy, multi)
    view.setObjectName(name)
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    view.sortByColumn(sort_column, order)
    return model, proxy, view


def text_field(name: str, placeholder: str = "", password: bool = False) -> QLineEdit:
    """A line of text found by its object name (tests and the style sheet use it)."""
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    if password:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def action_button(
    text: str, name: str, clicked: Callable[[], object], tip: str = ""
) -> QPushButton:
    """A named push button wired to the screen's method."""
    button = QPushButton(text)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    button.clicked.connect(clicked)
    return button


def action_and_cancel(
    dialog: QDialog, layout: QBoxLayout, text: str, name: str, clicked: Callable[[], object]
) -> QPushButton:
    """Cancel and the dialog's action (`text`, wired to `clicked`), added at the foot of
    `layout`, the dialog's own; the action is the dialog's default: Enter in a field does it,
    as a click would (a step signed asks for the signature there, the deliberate act). Made the
    default only once its box is in the dialog: a button made the default before has no dialog
    to be the default of, and the dialog shown made the first button of its focus chain, Cancel,
    the default: Enter threw away what was typed."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    button = action_button(text, name, clicked)
    buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
    give_dismiss_keys(buttons)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    assert buttons.parent() is dialog  # `layout` is the dialog's own
    button.setDefault(True)
    return button


def role_buttons(
    layout: QBoxLayout, actor: Actor, buttons: Sequence[tuple[QWidget, Permission]]
) -> None:
    """Adds each button, shown only to those whose role may take its action (the service
    checks again)."""
    for button, action in buttons:
        layout.addWidget(button)
        hidden_unless(button, may(actor, action))


class SidePanel(QScrollArea):
    """A column of actions that scrolls when the window is lower than it (at 1366x768 the
    inventory's destroy form, the users' three boxes), rather than making the window taller
    than the screen; never narrower than the column, so it only ever scrolls up and down."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("sidePanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        """As narrow as the column may be: its layout's least width, or the least width the
        column was given (`side_panel(min_width)`) when more, and the scroll bar beside it. A
        splitter that gives the panel the least it may have (the inventory's, beside the table)
        gives it this: the layout's alone once cut an administrator's kit line, the panel
        having no buttons and no form to widen it."""
        return QSize(self._column_width() + self.verticalScrollBar().sizeHint().width(), 120)

    def sizeHint(self) -> QSize:
        inner = self.widget()
        hint = inner.sizeHint() if inner is not None else QSize(0, 0)
        width = max(hint.width(), self._column_width())
        return QSize(width + self.verticalScrollBar().sizeHint().width(), hint.height())

    def _column_width(self) -> int:
        inner = self.widget()
        if inner is None:
            return 0
        return max(inner.minimumSizeHint().width(), inner.minimumWidth())


def side_panel(min_width: int = 0) -> tuple[QWidget, QVBoxLayout]:
    """The column of actions to the right of a table, kept a little away from it."""
    panel = QWidget()
    if min_width:
        panel.setMinimumWidth(min_width)
    column = QVBoxLayout(panel)
    column.setContentsMargins(8, 0, 0, 0)
    scrolled = SidePanel()
    scrolled.setWidget(panel)
    return scrolled, column


def fit_columns(
    view: QTableView,
    widest: int = 360,
    stretch: int | None = None,
    yielding: Sequence[int] = (),
    least: Mapping[int, int] | None = None,
    keep: Mapping[int, int] | None = None,
    wrap: Sequence[int] = (),
) -> None:
    """Columns as wide as their content after a reload, within reason, sharing out the width
    the view has (see `share_width`): the `stretch` column takes any width to spare, and it
    then the `yielding` columns are the first cut in a narrow window. `least`: a column's width
    for values not among the rows read (a paged table's: every status it can show), kept whole
    as the values read are. `keep`: the width a `stretch` or `yielding` column keeps when it
    gives way first (the widest columns' text may cut it further, in one common width).
    `wrap`: columns of long text (a dose naming two drugs) that, in a narrow window, go onto
    more lines rather than be cut, the rows as tall as their text (see `wrapped_widths`); the
    `stretch` column takes what width they leave."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    wanted = least or {}
    sizes = [
        min(max(header.sectionSize(column), wanted.get(column, 0)), widest)
        for column in range(header.count())
    ]
    if not view.isVisible():  # not laid out yet: its width means nothing
        for column, size in enumerate(sizes):
            header.resizeSection(column, size)
        return
    titles, whole = _least_widths(view, sizes)
    whole = [
        max(size, min(sizes[column], wanted.get(column, 0))) for column, size in enumerate(whole)
    ]
    first = ([] if stretch is None else [stretch]) + list(yielding)
    room = room_for_columns(view)
    wrapped = wrapped_widths(view, sizes, whole, titles, room, wrap) if wrap else None
    if wrapped is not None:
        if stretch is not None and not header.isSectionHidden(stretch):
            # the stretch column takes the width to spare here too (the excursions' table
            # stopped short of the window, an empty strip at its right)
            wrapped[stretch] += max(0, room - sum(wrapped))
        for column, size in enumerate(wrapped):
            header.resizeSection(column, size)
        view.resizeRowsToContents()  # each line as tall as its wrapped text, none cut
        return
    sizes = share_width(sizes, whole, titles, room, stretch, first, keep)
    for column, size in enumerate(sizes):
        header.resizeSection(column, size)


def unbroken_width(view: QTableView, text: str) -> int:
    """The width a cell needs for the longest piece of `text` that cannot go onto another
    line (a word; in Chinese a character or two: the Unicode line-break rules Qt wraps by)."""
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Line, text)
    widest, start = 0, 0
    while (end := finder.toNextBoundary()) != -1:
        if end > start:
            widest = max(widest, cell_width(view, text[start:end].strip()))
        start = end
    return widest


def wrapped_widths(
    view: QTableView,
    sizes: list[int],
    whole: list[int],
    titles: list[int],
    room: int,
    wrap: Sequence[int],
) -> list[int] | None:
    """Widths for `room` pixels where every column but `wrap` keeps its `sizes` when all fit
    on one line, else gives up its spare width (down to `whole`, its text still on one line),
    and the `wrap` columns share what is left: the fewest lines that fit, each as many as the
    others (a column's width its one-line text's over that many lines), what is left over
    shared in proportion to what each lacks of one line; none narrower than its header or its
    longest unbreakable word. None when even that does not fit (the columns are then cut as
    usual)."""
    model = view.model()
    header = view.horizontalHeader()
    wrap = [c for c in wrap if not header.isSectionHidden(c)]
    line: dict[int, int] = {}
    floor: dict[int, int] = {}
    for column in wrap:
        texts = [str(model.index(r, column).data() or "") for r in range(model.rowCount())]
        line[column] = max([titles[column], *(cell_width(view, t) for t in texts)])
        floor[column] = max([titles[column], NARROWEST, *(unbroken_width(view, t) for t in texts)])
    widths = [max(line.get(column, 0), size) for column, size in enumerate(sizes)]
    if sum(widths) <= room:
        return widths  # all on one line: the last column takes any width to spare
    widths = [line.get(column, size) for column, size in enumerate(whole)]
    left = room - sum(size for column, size in enumerate(widths) if column not in line)
    if not wrap or left < sum(floor.values()):
        return None

    def over(lines: int) -> dict[int, int]:
        return {c: max(floor[c], -(-line[c] // lines)) for c in wrap}

    lines = 2
    while sum(over(lines).values()) > left and any(over(lines)[c] > floor[c] for c in wrap):
        lines += 1
    shared = over(lines)
    spare = left - sum(shared.values())
    short = {c: line[c] - shared[c] for c in wrap if line[c] > shared[c]}
    for column, wants in short.items():  # the rest in proportion to what each lacks
        shared[column] += min(wants, spare * wants // sum(short.values()))
    for column, size in shared.items():
        widths[column] = size
    return widths


def cell_width(view: QTableView, text: str) -> int:
    """The width a cell of the view needs to show `text` whole (as `sizeHintForColumn` measures
    a cell: the style's margins, and the grid line)."""
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay
    option.text = text
    size = view.style().sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, option, QSize(), view)
    return size.width() + (1 if view.showGrid() else 0)


def _least_widths(view: QTableView, sizes: list[int]) -> tuple[list[int], list[int]]:
    """For columns of `sizes` at most: the width each header's text needs (the sort arrow on
    the sorted column only), and the width where neither header nor any value is cut."""
    header = view.horizontalHeader()
    columns = range(header.count())
    arrow = header.isSortIndicatorShown()
    header.setSortIndicatorShown(False)
    titles = [header.sectionSizeHint(column) for column in columns]
    header.setSortIndicatorShown(arrow)
    if arrow and 0 <= header.sortIndicatorSection() < len(titles):
        titles[header.sortIndicatorSection()] = header.sectionSizeHint(
            header.sortIndicatorSection()
        )
    titles = [min(size, max(NARROWEST, title)) for size, title in zip(sizes, titles, strict=True)]
    whole = [
        min(size, max(title, view.sizeHintForColumn(column)))
        for column, (size, title) in enumerate(zip(sizes, titles, strict=True))
    ]
    return titles, whole


def whole_table_width(view: QTableView, widest: int = 360) -> int:
    """The width the view needs to show every column whole (none wider than `widest`): its
    frame, the columns, and the vertical scroll bar when the rows are taller than the view."""
    header = view.horizontalHeader()
    sizes = [
        min(max(header.sectionSizeHint(c), view.sizeHintForColumn(c)), widest)
        for c in range(header.count())
    ]
    _titles, whole = _least_widths(view, sizes)
    bar = view.verticalScrollBar()
    scrolls = bar.isVisible() or view.verticalHeader().length() > view.viewport().height()
    frame = view.width() - view.viewport().width() - (bar.width() if bar.isVisible() else 0)
    return sum(whole) + frame + (bar.sizeHint().width() if scrolls else 0)


def room_for_columns(view: QTableView) -> int:
    """The viewport's width, less the vertical scroll bar that rows taller than the view are
    about to bring (it is not shown yet right after a reload)."""
    bar = view.verticalScrollBar()
    room = view.viewport().width()
    if not bar.isVisible() and view.verticalHeader().length() > view.viewport().height():
        room -= bar.sizeHint().width()
    return room


def share_width(
    sizes: list[int],
    whole: list[int],
    titles: list[int],
    room: int,
    stretch: int | None = None,
    first: Sequence[int] = (),
    keep: Mapping[int, int] | None = None,
) -> list[int]:
    """Column widths for `room` pixels: as `sizes` wants when they fit (the `stretch` column
    takes the rest). Too wide, they give up, in this order: spare space (down to `whole`, where
    neither value nor header is cut), then the text of the columns named `first`, one after the
    other, then the widest columns' text, cut to one common width; a header (`titles`) is never
    cut. A horizontal scroll bar only when the headers alone are too wide. `keep`: a column
    named `first` gives way down to this width, not to its header's."""
    sizes = list(sizes)
    excess = sum(sizes) - room
    if excess <= 0:
        if stretch is not None:
            sizes[stretch] -= excess
        return sizes
    slack = sum(size - least for size, least in zip(sizes, whole, strict=True))
    if slack > 0:
        share = min(1.0, excess / slack)
        for column, least in enumerate(whole):
            give = min(sizes[column] - least, int((sizes[column] - least) * share + 0.999))
            sizes[column] -= give
            excess -= give
    for column in first:
        if excess <= 0:
            return sizes
        floor = max(titles[column], (keep or {}).get(column, 0))
        give = max(0, min(excess, sizes[column] - floor))
        sizes[column] -= give
        excess -= give
    if excess <= 0:
        return sizes

    def cut(cap: int) -> list[int]:
        return [max(title, min(size, cap)) for size, title in zip(sizes, titles, strict=True)]

    low, high = 0, max(sizes)  # the largest common width at which everything fits
    while low < high:
        middle = (low + high + 1) // 2
        if sum(cut(middle)) <= room:
            low = middle
        else:
            high = middle - 1
    return cut(low)


def selected_rows(
    view: QTableView, proxy: QSortFilterProxyModel, model: RowTableModel[_Row]
) -> list[_Row]:
    """The frozen rows behind the selected lines, in the order shown."""
    selection = view.selectionModel()
    if selection is None:
        return []
    lines = sorted(index.row() for index in selection.selectedRows())
    return [model.row_at(proxy.mapToSource(proxy.index(line, 0)).row()) for line in lines]


def select_where(
    view: QTableView,
    proxy: QSortFilterProxyModel,
    model: RowTableModel[_Row],
    wanted: Callable[[_Row], bool],
) -> bool:
    """Selects and shows the first line whose row matches; False when none is shown."""
    for line in range(proxy.rowCount()):
        source = proxy.mapToSource(proxy.index(line, 0))
        if wanted(model.row_at(source.row())):
            view.selectRow(line)
            view.scrollTo(proxy.index(line, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
            return True
    return False


BANNER_COLOURS = {
    True: ("#e8f5e9", "#1b5e20", "#81c784"),
    False: ("#fdecea", "#8a1c13", "#e57373"),
}
"""Background, text and border colour of a good and of a bad result's banner."""


def banner_style(ok: bool) -> str:
    """A large green or red strip for a result that must not be missed."""
    return strip_style(BANNER_COLOURS[ok])


def strip_style(colours: tuple[str, str, str]) -> str:
    """A banner's strip in (background, text, border) colours: green, red, amber."""
    background, colour, border = colours
    rules = {
        "background": background,
        "color": colour,
        "border-width": "2px",
        "border-style": "solid",
        "border-color": border,
        "border-radius": "6px",
        "padding": "10px",
        "font-size": "16px",
        "font-weight": "600",
    }
    declarations = "; ".join(f"{name}:{value}" for name, value in rules.items())
    return f"{QLabel.__name__} {{ {declarations}; }}"


class ReasonDialog(QDialog):
    """Asks why, before a step whose reason goes into the audit trail. Every step asked for
    refuses a blank reason: OK stays disabled (and Enter does nothing) until one is typed, not
    closing the dialog on nothing for the screen to say "Give the reason" and ask again.
    `whole`: what a prompt that names the first of many records and counts the rest (a
    quarantine of an excursion's kits) leaves out, in its tooltip: the dialog within the
    screen, every record still to be read."""

    def __init__(
        self, parent: QWidget | None, title: str, prompt: str, action: str, whole: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        text = QLabel(prompt)
        text.setObjectName("reasonPrompt")
        text.setWordWrap(True)
        text.setToolTip(whole)
        self.prompt = text
        layout.addWidget(text)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(self.tr("Reason (kept in the audit trail)"))
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(action)
        give_dismiss_keys(buttons)
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._whole_prompt()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._whole_prompt()

    def _whole_prompt(self) -> None:
        """The prompt, every line, at its width: a dialog sizes a wrapped label by a guess at
        its lines, short of a long one's (the last of forty kits named, and "… and 460 more
        kits", were cut off)."""
        self.prompt.setMinimumHeight(self.prompt.heightForWidth(self.prompt.width()))

    def accept(self) -> None:
        """Closes on a reason only (Enter with the reason blank does nothing)."""
        if self.reason.text().strip():
            super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, title: str, prompt: str, action: str, whole: str = ""
    ) -> str | None:
        """The reason typed, or None when cancelled (`whole`: what `prompt` counts rather than
        names, in its tooltip). Tests replace this method."""
        dialog = cls(parent, title, prompt, action, whole=whole)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.reason.text()
        return None


class DateRange(QWidget):
    """From and to dates that only count when 'Limit to dates' is ticked; `stacked` puts the
    dates under the tick box, for narrow panels."""

    def __init__(self, today: date, parent: QWidget | None = None, stacked: bool = False) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.limit = QCheckBox(self.tr("Limit to dates"))
        self.since = date_edit(today.replace(day=1))
        self.until = date_edit(today)
        for edit in (self.since, self.until):
            edit.setEnabled(False)
        self.limit.toggled.connect(self.since.setEnabled)
        self.limit.toggled.connect(self.until.setEnabled)
        row, column = (1, 0) if stacked else (0, 1)
        layout.addWidget(self.limit, 0, 0, 1, 4 if stacked else 1)
        # Each date its Alt key (the Audit trail and Reports screens had none for them): letters
        # no other control of those screens takes ("to" has none free there: "until").
        for at, (caption, edit) in enumerate(
            ((self.tr("fro&m"), self.since), (self.tr("u&ntil"), self.until))
        ):
            label = QLabel(caption)
            label.setBuddy(edit)
            # Pressed while the dates do not count, the key ticks "Limit to dates" and goes to
            # its date (a date switched off takes no cursor: the key did nothing).
            label.installEventFilter(self)
            layout.addWidget(label, row, column + 2 * at)
            layout.addWidget(edit, row, column + 2 * at + 1)
        # The range as a whole a label's buddy (the Reports screen's "Peri&od"): its Alt key goes
        # to the first date, or to the tick box while the dates are off (a date then takes no
        # cursor). Tab goes through the controls as before (a proxied widget is not in the chain).
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.limit)
        self.limit.toggled.connect(self._lead_to)

    def _lead_to(self, on: bool) -> None:
        self.setFocusProxy(self.since if on else self.limit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A date's Alt key ticks "Limit to dates" first: the label then puts the cursor in its
        date, now switched on."""
        if (
            event.type() == QEvent.Type.Shortcut
            and isinstance(watched, QLabel)
            and watched.buddy() in (self.since, self.until)
            and not self.limit.isChecked()
        ):
            self.limit.setChecked(True)
        return super().eventFilter(watched, event)

    def set_range(self, since: date, until: date) -> None:
        self.limit.setChecked(True)
        self.since.setDate(qdate(since))
        self.until.setDate(qdate(until))

    def _named(self) -> list[tuple[DateEdit, str]]:
        """Each date with the name a refusal gives it."""
        return [(self.since, self.tr("From date")), (self.until, self.tr("To date"))]

    def end(self, which: str) -> DateEdit:
        """The date a refusal names by its end of the period ("since" or "until")."""
        return self.since if which == "since" else self.until

    def mistyped(self) -> tuple[DateEdit, str] | None:
        """The date typed wrong, with the refusal naming it, while the dates count; None when
        both read (a screen says it and puts the cursor back in the date, selected)."""
        if not self.limit.isChecked():
            return None
        return mistyped_date(self._named())

    def value(self) -> tuple[date | None, date | None]:
        """The dates as typed (or picked); a date typed wrong is refused (InvalidInput, the
        field named), never read as the day the field last held ("2026-02-30" as 02-03)."""
        if not self.limit.isChecked():
            return None, None
        since, until = (field.typed_date(name) for field, name in self._named())
        return since, until
