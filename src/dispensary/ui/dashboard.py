"""The first screen after sign-in: what needs doing today, each item one click (or Tab and
Enter) from the workflow that deals with it.

Its figures include a full reconciliation and audit-chain verification, seconds of work on a
few years' ledger, so they are read by a worker thread (`DashboardWorker`, its own read
transaction): a refresh, after each dispense or return, returns to the event loop at once. The
screen keeps showing the last figures with the time they were read, and says it is checking
until the new ones arrive. The last figures live in the screen (per workstation, in memory):
nothing is stored in the database.

A user who works in several studies sees them all at once in a table under the cards (each
study's own Today counts, read by the same worker after the study on show); a click on a
study's line switches the window to it.
"""

from __future__ import annotations

import logging

from PySide6.QtCharts import (
    QBarSeries,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QObject,
    QRect,
    QSize,
    Qt,
    QThread,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError
from dispensary.files import with_detail
from dispensary.i18n import current_language, sentences
from dispensary.services import dashboard as dashboard_service
from dispensary.services import forecast as forecast_service
from dispensary.services.context import Actor, Context
from dispensary.services.dashboard import Dashboard, StockCover, StudySummary
from dispensary.services.forecast import ForecastOutlook, ForecastResult
from dispensary.services.permissions import Permission, may
from dispensary.services.results import VerifiedPoint, VerifyResult
from dispensary.ui import collection
from dispensary.ui.charts import bar_chart, bars_on_axes, dashed_line, shown_bars, value_ticks
from dispensary.ui.feedback import MessageBar
from dispensary.ui.forms import OneLine, banner_style, fit_columns, row_table
from dispensary.ui.models.table import Column
from dispensary.ui.screen import ALL_ROLES, OpenKind, Screen, context_of_study
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import (
    by_count,
    heading,
    hidden_unless,
    product_label,
    separated,
    shown_date,
    shown_weekday,
)

_log = logging.getLogger(__name__)

SHOWN_PER_SECTION = 6
HELD_NAMED = 5
"""The kits held for a count difference the forecast's sentence names, the rest counted."""
DAY_CHECK_MS = 60_000
"""How often the Today screen asks the clock whether the day changed: a workstation left
signed in overnight showed yesterday's date, who was due and what to order by."""
LINK_PADDING = 4
LEAST_TOP = 9
"""The forecast chart's axis reaches 10 kits at least (see ForecastChart.show_forecast)."""
"""Pixels kept free at each end of a card's line (the style sheet's padding and focus frame)."""


class Section(QFrame):
    """A card with a title, a one-line summary and a list of link buttons."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.setSpacing(4)
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        layout.addWidget(self.title)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.items = QVBoxLayout()
        self.items.setSpacing(2)
        layout.addLayout(self.items)
        layout.addStretch(1)

    def clear(self) -> None:
        while self.items.count():
            item = self.items.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: the deletion itself waits for the event loop
                widget.deleteLater()

    def add_link(self, text: str, alert: bool = False) -> QPushButton:
        button = LinkButton(text)
        button.setObjectName("link")
        button.setProperty("alert", alert)
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.items.addWidget(button)
        return button


def kits(number: int) -> str:
    """A number of kits with its unit, so no figure on the dashboard stands bare."""
    if number == 1:
        return QCoreApplication.translate("DashboardScreen", "1 kit")
    return QCoreApplication.translate("DashboardScreen", "{n} kits").format(n=number)


class LinkButton(QPushButton):
    """One line of a card that opens its record. A line longer than the card wraps onto the
    next lines, whole (cut with an ellipsis at the card's edge, a discrepancy read "taken 20 of
    16 expected.…" at 1366x768); its tooltip says it too. The button paints its text itself,
    wrapped at word boundaries, in the colour and font the style sheet gives it."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.full_text = text
        self.setToolTip(text)
        # Never wider than the card: the window, not the longest line, sets the width; as
        # tall as the line's text wrapped to that width.
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def _text_room(self, rect: QRect) -> QRect:
        """Where the text goes: the button less the style sheet's padding and focus frame."""
        single = super().sizeHint().height() - self.fontMetrics().height()
        top = max(0, single // 2)
        return rect.adjusted(LINK_PADDING, top, -LINK_PADDING, -(single - top))

    def _wrapped_height(self, width: int) -> int:
        room = QRect(0, 0, max(1, width - 2 * LINK_PADDING), 100_000)
        return self.fontMetrics().boundingRect(room, WRAPPED, self.full_text).height()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        single = super().sizeHint().height() - self.fontMetrics().height()
        return single + self._wrapped_height(width)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.width() > 0:
            hint.setHeight(self.heightForWidth(self.width()))
        return hint

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""  # the frame, the hover and the focus only: the text is wrapped below
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)
        font = QFont(self.font())
        if self.underMouse():
            font.setUnderline(True)  # as the style sheet's hover underlines a line
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.ButtonText))
        painter.drawText(self._text_room(self.rect()), WRAPPED, self.full_text)


WRAPPED = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
"""A card's line: from the left, wrapped at word boundaries."""


def _records_state(shown: Dashboard) -> str:
    """The audit trail's check in a few words, saying which check it was: in full, or only the
    entries written since the last full check (an entry edited before it is found by the next
    full check, not by this one). A failed check is the red banner's (DashboardScreen.broken)."""
    check = shown.verification
    if not check.ok:
        return QCoreApplication.translate(
            "DashboardScreen",
            "records: TAMPERING OR DAMAGE FOUND (see the red banner and To review)",
        )
    if check.new_entries is None:
        return QCoreApplication.translate(
            "DashboardScreen", "records verified in full ({n} audit entries)"
        ).format(n=check.entries)
    if shown.full_check_at is None:
        return QCoreApplication.translate(
            "DashboardScreen",
            "{n} new audit entries verified since the last check (earlier ones not checked again)",
        ).format(n=check.new_entries)
    return QCoreApplication.translate(
        "DashboardScreen", "{n} new audit entries verified since the full check of {date}"
    ).format(n=check.new_entries, date=shown_date(shown.full_check_at.astimezone().date()))


class ForecastChart(QChartView):
    """Kits needed against kits on hand and, of those, the kits usable (those the week's cycles
    can be given), week by week, for one product; the first week the shelf falls short
    is drawn as a red line. The figures are the forecast service's."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("forecastChart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(260)
        # The rule of rules.least_usable_tablets, as the forecast report says it: a part-used
        # kit counts too (the tooltip said "whole kits" only).
        self.setToolTip(
            self.tr(
                "Kits usable: of the kits on hand at the week's start, those the week's cycles "
                "can be given: the kits they take and, in a week that is not short, the kits left "
                "that last for a cycle starting on any day of the week: a full kit always, a "
                "part-used kit when it holds at least what a coming cycle needs beyond its full "
                "kits. Kits short: kits needed less kits usable."
            )
        )
        self.values: dict[str, list[float]] = {}
        self.short_week: int | None = None
        self.show_forecast(None, "")

    def show_forecast(self, result: ForecastResult | None, product: str) -> None:
        rows = result.forecast.product_rows(product) if result is not None else ()
        chart, sets = bar_chart(
            self.tr("Kits needed, on hand and usable, week by week"),
            [
                ("needed", self.tr("Kits needed"), "#1565c0"),
                ("on_hand", self.tr("Kits on hand"), "#9e9e9e"),
                ("usable", self.tr("Kits usable"), "#2e7d32"),
                ("short", self.tr("Kits short"), "#c62828"),
            ],
        )
        categories: list[str] = []
        for row in rows:
            sets["needed"].append(row.kits_needed)
            sets["on_hand"].append(row.kits_on_hand)
            sets["usable"].append(row.kits_usable)
            sets["short"].append(row.kits_short)
            categories.append(
                self.tr("W{week}<br>{date}").format(week=row.week, date=row.start.strftime("%m-%d"))
            )
        y_axis = QValueAxis()
        # Never under ten: with ticks of one digit the axis left its title no room, and the
        # Chinese title read "⋮" (an empty or a small study's chart).
        most = max([r.kits_needed for r in rows] + [r.kits_on_hand for r in rows] + [LEAST_TOP])
        step = -(-most // 8)  # whole kits between two ticks, about eight ticks
        top = step * (most // step + 1)
        value_ticks(y_axis, top, step)
        y_axis.setTitleText(self.tr("Kits"))
        x_axis = bars_on_axes(chart, QBarSeries(), sets, categories, y_axis)
        first = next((r for r in rows if r.short), None)
        self.short_week = first.week if first is not None else None
        if first is not None:
            at = rows.index(first) - 0.5
            dashed_line(
                chart,
                (x_axis, y_axis),
                [(at, 0), (at, top)],
                "#c62828",
                2,
                self.tr("First short week: {week}").format(week=first.week),
            )
        self.values = shown_bars(self, chart, sets)


class ForecastSection(Section):
    """The forecast card: a sentence (the first short week, what to order by when), a product
    chooser and the chart."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.result: ForecastResult | None = None
        self.product = QComboBox()
        self.product.setObjectName("forecastProduct")
        self.product.currentIndexChanged.connect(self._redraw)
        self.chart = ForecastChart()
        self.items.addWidget(self.product)
        self.items.addWidget(self.chart)

    def show_result(self, result: ForecastResult, names: dict[str, str]) -> None:
        self.result = result
        f = result.forecast
        first = f.first_short
        outlook = result.outlook
        if outlook is ForecastOutlook.NOTHING:
            text = self.tr(
                "No kit on hand and no cycle to supply in the next {weeks} weeks: nothing to "
                "forecast yet."
            ).format(weeks=f.weeks)
        elif outlook is ForecastOutlook.NO_CYCLE:
            text = self.tr(
                "No cycle to supply in the next {weeks} weeks: the stock on hand is not needed yet."
            ).format(weeks=f.weeks)
        elif first is None:
            text = self.tr(
                "The stock on hand covers every cycle of the next {weeks} weeks."
            ).format(weeks=f.weeks)
        else:
            text = self.tr("Stock falls short in week {week} (from {date}) of {product}.").format(
                week=first.week, date=shown_date(first.start), product=names[first.product]
            )
        said = [text]
        for order in f.resupply:
            # The latest day to order already past: said late, as `forecast` and its report do.
            said.append(
                (
                    by_count(
                        order.kits,
                        self.tr(
                            "Order {kits} kit of {product} by {date} (already late: order now)."
                        ),
                        self.tr(
                            "Order {kits} kits of {product} by {date} (already late: order now)."
                        ),
                    )
                    if order.late
                    else by_count(
                        order.kits,
                        self.tr("Order {kits} kit of {product} by {date}."),
                        self.tr("Order {kits} kits of {product} by {date}."),
                    )
                ).format(
                    kits=order.kits, product=names[order.product], date=shown_date(order.order_by)
                )
            )
        held = len(f.held)
        named = separated(k.number for k in f.held[:HELD_NAMED])
        if held > HELD_NAMED:
            named += "…"
        if held:  # left out of the stock played against the cycles (rules.in_stock)
            said.append(
                by_count(
                    held,
                    self.tr(
                        "Kit {kits} is held for a count difference and not counted as stock: "
                        "count it again, or record the adjustment (Physical count, Ctrl+7)."
                    ),
                    self.tr(
                        "{n} kits held for a count difference ({kits}) are not counted as "
                        "stock: count them again, or record the adjustments (Physical count, "
                        "Ctrl+7)."
                    ),
                ).format(n=held, kits=named)
            )
        quarantined = sum(result.quarantined.values())
        if quarantined:  # no stock until the sponsor decides: not counted (the service's figure)
            said.append(
                by_count(
                    quarantined,
                    self.tr(
                        "1 kit in quarantine, awaiting the sponsor's decision, is not counted as "
                        "stock."
                    ),
                    self.tr(
                        "{n} kits in quarantine, awaiting the sponsor's decision, are not counted "
                        "as stock."
                    ),
                ).format(n=quarantined)
            )
        if f.unused:
            said.append(
                by_count(
                    len(f.unused),
                    self.tr("{n} kit will expire unused."),
                    self.tr("{n} kits will expire unused."),
                ).format(n=len(f.unused))
            )
        self.summary.setText(sentences(said))
        wanted = first.product if first is not None else self.product.currentData()
        self.product.blockSignals(True)
        self.product.clear()
        for code in f.products:
            self.product.addItem(names[code], code)
        index = self.product.findData(wanted)
        self.product.setCurrentIndex(max(index, 0))
        self.product.blockSignals(False)
        # Nothing to draw: no chooser and no empty chart under the sentence that says so.
        drawn = outlook is not ForecastOutlook.NOTHING
        self.product.setVisible(drawn)
        self.chart.setVisible(drawn)
        self._redraw()

    def _redraw(self) -> None:
        code = self.product.currentData()
        self.chart.show_forecast(self.result, str(code) if code is not None else "")


def study_status(row: StudySummary) -> str:
    if row.status == "closed":
        return QCoreApplication.translate("DashboardScreen", "closed")
    return QCoreApplication.translate("DashboardScreen", "open")


def _alert(count: int) -> str | None:
    """A count that asks for work, in red."""
    return "#c62828" if count else None


STUDY_COLUMNS: list[Column[StudySummary]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Study")), lambda r: r.protocol),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Title")),
        lambda r: r.title_in(current_language().value),
        hint=lambda r: r.title_in(current_language().value),
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Status")), study_status),
    Column(str(QT_TRANSLATE_NOOP("Column", "Due")), lambda r: r.due, align_right=True),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Overdue")),
        lambda r: r.overdue,
        colour=lambda r: _alert(r.overdue),
        align_right=True,
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Returns due")),
        lambda r: r.returns_pending,
        align_right=True,
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Expiring")), lambda r: r.expiring, align_right=True),
    Column(
        # The reconciliation window's tab word for the same findings (DiscrepancyKind.to_review)
        str(QT_TRANSLATE_NOOP("Column", "To review")),
        lambda r: r.discrepancies,
        colour=lambda r: _alert(r.discrepancies),
        align_right=True,
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Short stock")),
        lambda r: r.short_products,
        colour=lambda r: _alert(r.short_products),
        align_right=True,
    ),
]
"""One line per study the user may work in: the counts of that study's Today screen."""

STUDY_TITLE = 1
RETURNS_COLUMN = 5
EXPIRING_COLUMN = 6
SHOWN_STUDIES = 8
"""Lines of the studies' table shown before it scrolls."""
TITLE_WIDEST = 720
"""The title's width at most: a long title whole on one line when the window has the room (at
360 pixels, fit_columns' default, a long title was cut), as on the Studies screen."""
TITLE_NARROWEST = 200
"""The title's width at least when the columns share too little room: it wraps, its row as
tall as it needs, rather than being cut."""


class StudiesSection(Section):
    """The card of all the user's studies: a table, one line each; `chosen` carries the
    protocol of the line clicked (or Enter on it)."""

    chosen = Signal(str)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.model, self.proxy, self.table = row_table(self, STUDY_COLUMNS, "studiesSummary")
        self.table.setToolTip(self.tr("Click a study to work in it"))
        # The title wraps (its row as tall as it needs); every other value keeps to one line.
        self.table.setWordWrap(True)
        for column in range(len(STUDY_COLUMNS)):
            if column != STUDY_TITLE:
                self.table.setItemDelegateForColumn(column, OneLine(self.table))
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The title takes the width to spare (_fit_columns): a stretched last section kept the
        # header's default 100 pixels past the widths fitted, and where its title needs fewer
        # (Chinese "库存短缺" in Qt's own font) the Short stock column went under a scroll bar.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)
        self.items.addWidget(self.table)
        # Fitted again whenever its width changes (the page's scroll bar comes once the cards
        # below are filled in): fitted only once, its last column was cut.
        self.table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Resize
            and watched is self.table.viewport()
            and self.model.rowCount()
        ):
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        # The protocol whole, the title taking what is left and, short of room, wrapping
        # rather than being cut (down to TITLE_NARROWEST); then the long count titles give way.
        fit_columns(
            self.table,
            widest=TITLE_WIDEST,
            stretch=STUDY_TITLE,
            yielding=(RETURNS_COLUMN, EXPIRING_COLUMN),
            keep={STUDY_TITLE: TITLE_NARROWEST},
        )

    def show_rows(self, rows: tuple[StudySummary, ...], current: str) -> None:
        self.model.set_rows(rows)
        self._fit_columns()
        self._fit_height(len(rows))
        waiting = sum(1 for r in rows if r.overdue or r.discrepancies or r.short_products)
        self.summary.setText(
            self.tr(
                "{n} studies; {waiting} with overdue participants, findings to review or short "
                "stock. You work in {current}: click another study to switch to it."
            ).format(n=len(rows), waiting=waiting, current=current)
        )

    def _fit_height(self, lines: int) -> None:
        """As tall as its lines (up to SHOWN_STUDIES; a scroll bar then): no empty band
        pushes this study's cards down."""
        shown = max(1, min(lines, SHOWN_STUDIES))
        table = self.table
        header = table.horizontalHeader()
        height = max(header.height(), header.sizeHint().height()) + 2 * table.frameWidth()
        height += sum(table.rowHeight(i) for i in range(min(lines, shown))) or 30
        table.setFixedHeight(height + 4)

    def _activated(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            row = self.model.row_at(self.proxy.mapToSource(index).row())
            self.chosen.emit(row.protocol)


class DashboardWorker(QThread):
    """Reads the dashboard off the UI thread; `ready` carries the `Dashboard`, `failed` the
    message to show. A worker is never parented to its screen: a screen closed while it reads
    must not destroy a running thread (`wait_for_workers` lets the window wait for it)."""

    ready = Signal(object)  # a Dashboard
    forecast_ready = Signal(object)  # a ForecastResult, read after the Dashboard
    studies_ready = Signal(object)  # a tuple of StudySummary, read last (several studies)
    failed = Signal(str)

    def __init__(
        self,
        ctx: Context,
        actor: Actor,
        parent: QObject | None = None,
        since: VerifiedPoint | None = None,
        all_studies: bool = False,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actor = actor
        self.since = since
        self.all_studies = all_studies

    def run(self) -> None:
        try:
            snapshot = dashboard_service.dashboard(self.ctx, self.actor, since=self.since)
        except DispensaryError as exc:
            self.failed.emit(exc.message)
            return
        except Exception as exc:  # a thread's error would vanish: said on the screen, logged
            _log.exception("The Today screen's figures could not be read")
            self.failed.emit(
                with_detail(
                    self.tr(
                        "The figures could not be read. Open the screen again; if it keeps "
                        "failing, tell the administrator."
                    ),
                    f"{type(exc).__name__}: {exc}",
                )
            )
            return
        self.ready.emit(snapshot)
        self._read_forecast()
        if self.all_studies:
            verified = snapshot.verification
            self._read_studies(verified.point if verified.ok else self.since, snapshot)

    def _read_forecast(self) -> None:
        try:  # the forecast's own failure leaves the rest of the screen as it is
            result = forecast_service.forecast(self.ctx, self.actor)
        except DispensaryError as exc:
            self.failed.emit(exc.message)
            return
        except Exception:
            _log.exception("The supply forecast could not be read")
            return
        self.forecast_ready.emit(result)

    def _read_studies(self, since: VerifiedPoint | None, shown: Dashboard) -> None:
        """Every study's counts; the audit chain checked above is not checked again, nor the
        study on show read again."""
        try:
            lines = dashboard_service.all_studies(self.ctx, self.actor, since=since, shown=shown)
        except DispensaryError as exc:
            self.failed.emit(exc.message)
            return
        except Exception:
            _log.exception("The figures of all the studies could not be read")
            return
        self.studies_ready.emit(lines)


_RUNNING: set[QThread] = set()
"""Workers still reading, kept alive here until they finish (not by a screen)."""


class _Reaper(QObject):
    """Lets go of each worker when it finishes, whether or not its screen still exists (a
    switch of study replaces the screens while a worker may be reading)."""

    def reap(self) -> None:
        worker = self.sender()
        if isinstance(worker, QThread):
            _RUNNING.discard(worker)
            collection.release(worker)
            worker.deleteLater()


_REAPER = _Reaper()


def start_reader(worker: QThread) -> None:
    """Starts a screen's reading thread as the dashboard's are: never parented to its screen,
    kept here until it finishes (then let go by the reaper), garbage collection held off while
    it runs (ui/collection.py), and waited for when the window closes (`wait_for_workers`).
    The screen connects its own signals before."""
    worker.finished.connect(_REAPER.reap)
    _RUNNING.add(worker)
    collection.hold(worker)
    worker.start()


def wait_for_workers() -> None:
    """Waits for every reading worker still reading (the dashboard's, the Backups screen's, a
    report being made or saved), before the window closes: no thread may outlive the window
    and its database (Qt aborts on a running thread destroyed at exit), and a report asked for
    is saved. A read only reads, so waiting for its end is safe; the wait cursor says it."""
    running = [worker for worker in _RUNNING if worker.isRunning()]
    if running:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        for worker in running:
            worker.wait()
    finally:
        if running:
            QGuiApplication.restoreOverrideCursor()
    for worker in list(_RUNNING):
        collection.release(worker)


class DashboardScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Today"))
    shortcut = QKeySequence("Ctrl+1").toString()
    roles = ALL_ROLES

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("dashboardScreen")
        self.snapshot: Dashboard | None = None
        self.links: list[tuple[str, str, QPushButton]] = []
        self.worker: DashboardWorker | None = None
        self.again = False  # a refresh asked for while the worker reads: one more read after
        # Where the last verification that passed stood: the next read checks only what is new.
        self.verified: VerifiedPoint | None = None
        outer = QVBoxLayout(self)
        self.heading = heading(self.tr("Today"))
        outer.addWidget(self.heading)
        self.state = QLabel(self.tr("Checking…"))
        self.state.setObjectName("dashboardState")
        outer.addWidget(self.state)
        self.message = MessageBar(self)
        outer.addWidget(self.message)
        # A check of the audit trail that failed: not a line among the figures' but a red strip
        # over them, as the Audit trail screen's CHAIN BROKEN.
        self.broken = QLabel()
        self.broken.setObjectName("dashboardBroken")
        self.broken.setWordWrap(True)
        self.broken.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.broken.setStyleSheet(banner_style(False))
        self.broken.setVisible(False)
        outer.addWidget(self.broken)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        grid = QGridLayout(body)
        grid.setSpacing(12)
        self.stock = Section(self.tr("Stock against the next cycles"))
        self.due = Section(self.tr("Due for their next cycle this week"))
        self.returns = Section(self.tr("Returns not yet recorded"))
        self.expiring = Section(self.tr("Kits expiring within 90 days"))
        # Headed as the reconciliation window's tab of the same findings (reconcile_view).
        self.discrepancies = Section(self.tr("To review"))
        self.forecast = ForecastSection(self.tr("Supply forecast"))
        self.all_studies = StudiesSection(self.tr("All your studies"))
        self.all_studies.setObjectName("allStudies")
        self.all_studies.chosen.connect(self.switch_to)
        self.all_studies.summary.setText(self.tr("Reading the figures of every study…"))
        hidden_unless(self.all_studies, self.several_studies)
        # First: where work waits across the pharmacy's studies, then this study's cards.
        grid.addWidget(self.all_studies, 0, 0, 1, 2)
        grid.addWidget(self.stock, 1, 0, 1, 2)
        grid.addWidget(self.due, 2, 0)
        grid.addWidget(self.returns, 2, 1)
        grid.addWidget(self.expiring, 3, 0)
        grid.addWidget(self.discrepancies, 3, 1)
        grid.addWidget(self.forecast, 4, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.day_timer = QTimer(self)
        self.day_timer.setObjectName("dayCheck")
        self.day_timer.setInterval(DAY_CHECK_MS)
        self.day_timer.timeout.connect(self.refresh_if_new_day)
        self.day_timer.start()

    @property
    def several_studies(self) -> bool:
        """The user works in more than one study: the table of all of them is shown."""
        return len(self.session.actor.studies) > 1

    def switch_to(self, protocol: str) -> None:
        """A study's line clicked: the window switches to it (the services refuse a study the
        user was not given, said here)."""
        if protocol == self.session.study:
            return
        try:
            other = context_of_study(self.session, protocol)
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return
        self.study_request.emit(other, "")

    @property
    def checking(self) -> bool:
        """True while a worker reads new figures (the screen shows the last ones meanwhile)."""
        return self.worker is not None

    def refresh_if_new_day(self) -> bool:
        """Reads the figures again when the session's clock (services.context) has moved to
        another day since those shown were read: their date, who is due and the forecast's
        order-by dates are the day's. Asked by a timer and when the window is unlocked; a
        screen not on show is read when it is shown. True: a read was started (or asked for)."""
        shown = self.snapshot
        if shown is None or not self.isVisible():
            return False
        if self.session.ctx.clock.today() == shown.today:
            return False
        self.refresh()
        return True

    def refresh(self) -> None:
        """Starts reading the figures off the UI thread and returns at once; a refresh asked
        for while one is reading reads again after it, so the last change is always shown."""
        if self.worker is not None:
            self.again = True
            return
        self.again = False
        several = self.several_studies
        self.all_studies.setVisible(several)
        worker = DashboardWorker(
            self.session.ctx, self.session.actor, since=self.verified, all_studies=several
        )
        worker.ready.connect(self._show)
        worker.forecast_ready.connect(self._show_forecast)
        worker.studies_ready.connect(self._show_studies)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._worker_finished)
        self.worker = worker
        self._show_state()
        start_reader(worker)

    def _worker_finished(self) -> None:
        worker = self.sender()
        if worker is self.worker:  # the reaper lets go of it
            self.worker = None
        if self.again:
            self.refresh()
        else:
            self._show_state()

    def _show_state(self) -> None:
        """When the figures shown were read, and whether newer ones are on their way."""
        shown = self.snapshot
        when = (
            self.tr("Figures as of {time}").format(
                time=shown.checked_at.astimezone().strftime("%H:%M:%S")
            )
            if shown is not None
            else self.tr("No figures yet")
        )
        if shown is not None:
            when += f" · {_records_state(shown)}"
        self.state.setText(
            self.tr("{figures} — checking…").format(figures=when) if self.checking else when
        )
        self.state.setProperty("checking", self.checking)

    def _failed(self, message: str) -> None:
        self.message.show_message(message, "error")

    def _stale(self) -> bool:
        """Figures read for the study worked in before a switch, arriving after it: shown under
        the new study's heading they would be another study's (and its products unknown)."""
        worker = self.sender()
        return (
            isinstance(worker, DashboardWorker) and worker.ctx.study_id != self.session.ctx.study_id
        )

    def _show(self, snapshot: Dashboard) -> None:
        if self._stale():
            return
        self.message.clear_message()
        self.snapshot = snapshot
        if snapshot.verification.ok:
            self.verified = snapshot.verification.point
        # A failed check keeps the last good point: each refresh names the difference again.
        self.links = []
        study = self.session.ctx.study
        self.heading.setText(
            self.tr("Today, {weekday} {date} — {protocol}, {title}").format(
                weekday=shown_weekday(snapshot.today),
                date=shown_date(snapshot.today, "long"),
                protocol=study.protocol,
                title=study.wording().short_title,
            )
        )
        self._fill_stock(snapshot)
        self._fill_due(snapshot)
        self._fill_returns(snapshot)
        self._fill_expiring(snapshot)
        self._fill_discrepancies(snapshot)
        self._show_broken(snapshot.verification)
        self._show_state()

    def _show_broken(self, check: VerifyResult) -> None:
        """The red banner over the figures while the audit trail does not verify."""
        self.broken.setVisible(not check.ok)
        if check.ok:
            self.broken.clear()
            return
        self.broken.setText(
            self.tr(
                "CHAIN BROKEN: the audit trail does not verify, so the figures below may not be "
                "those recorded. {finding} Verify chain on the Audit trail screen lists every "
                "finding."
            ).format(finding=check.message)
        )

    def _show_studies(self, lines: tuple[StudySummary, ...]) -> None:
        if self._stale():
            return
        self.all_studies.show_rows(lines, self.session.study)

    def _show_forecast(self, result: ForecastResult) -> None:
        study = self.session.ctx.study
        if result.protocol != study.protocol:  # read before a switch of study (KeyError)
            return
        names = {p.code: product_label(study, p.code) for p in study.products}
        self.forecast.show_result(result, names)

    def _link(self, section: Section, text: str, kind: OpenKind, ref: str, alert: bool) -> None:
        button = section.add_link(text, alert)
        button.setProperty("openKind", kind.value)
        button.setProperty("openRef", ref)
        button.clicked.connect(self._link_clicked)
        self.links.append((kind.value, ref, button))

    def _link_clicked(self) -> None:
        # A method, not a lambda holding the screen: PySide would keep the screen in a cycle.
        button = self.sender()
        if isinstance(button, QPushButton):
            kind = str(button.property("openKind"))
            self.open_request.emit(kind, str(button.property("openRef") or ""))

    def _fill(
        self,
        section: Section,
        summary: str,
        lines: list[tuple[str, OpenKind, str, bool]],
        more: OpenKind,
        shown: int = SHOWN_PER_SECTION,
        total: int | None = None,
        more_ref: str = "",
    ) -> None:
        """A card's summary, its first lines (text, what it opens, the record, in red or
        not), and a last line that opens the whole list when there are more (`more` with
        `more_ref`: the list the card summarises, filtered as the service chose its lines).
        `total`: how many there are, when only the first were worded (a busy site has
        thousands due)."""
        section.clear()
        section.summary.setText(summary)
        for text, kind, ref, alert in lines[:shown]:
            self._link(section, text, kind, ref, alert)
        count = len(lines) if total is None else total
        if count > shown:
            rest = self.tr("… and {n} more").format(n=count - shown)
            self._link(section, rest, more, more_ref, False)

    def _fill_stock(self, snapshot: Dashboard) -> None:
        study = self.session.ctx.study
        lines: list[tuple[str, OpenKind, str, bool]] = []
        for need in snapshot.stock:
            product = product_label(study, need.product)
            lines.append(
                (
                    (
                        self.tr(
                            "{product} — {on_hand} on hand, {needed} needed for the next cycles"
                        )
                        if need.kits_usable == need.kits_on_hand
                        else self.tr(
                            "{product} — {on_hand} on hand, of which {usable} can serve a cycle "
                            "started today; {needed} needed for the next cycles"
                        )
                    ).format(
                        product=product,
                        on_hand=kits(need.kits_on_hand),
                        usable=need.kits_usable,
                        needed=kits(need.kits_needed),
                    ),
                    OpenKind.INVENTORY,
                    "",
                    need.short,
                )
            )
            if need.kits_held:  # the service leaves them out of every figure: said why
                lines.append(
                    (
                        by_count(
                            need.kits_held,
                            self.tr(
                                "{product} — 1 more kit held for a count difference, not "
                                "counted as stock: count it again, or record the adjustment "
                                "with a reason (Physical count, Ctrl+7)"
                            ),
                            self.tr(
                                "{product} — {n} more kits held for a count difference, not "
                                "counted as stock: count them again, or record the adjustments "
                                "with a reason (Physical count, Ctrl+7)"
                            ),
                        ).format(product=product, n=need.kits_held),
                        OpenKind.RECONCILE,
                        "",
                        True,
                    )
                )
            if need.kits_quarantined:  # no stock until the sponsor decides: said why
                lines.append(
                    (
                        by_count(
                            need.kits_quarantined,
                            self.tr(
                                "{product} — 1 more kit in quarantine, awaiting the sponsor's "
                                "decision, not counted as stock: ask the sponsor, then release "
                                "or destroy it (Inventory)"
                            ),
                            self.tr(
                                "{product} — {n} more kits in quarantine, awaiting the "
                                "sponsor's decision, not counted as stock: ask the sponsor, "
                                "then release or destroy them (Inventory)"
                            ),
                        ).format(product=product, n=need.kits_quarantined),
                        OpenKind.QUARANTINED,  # the inventory filtered to them
                        need.product,
                        True,
                    )
                )
        cover = snapshot.stock_cover
        if cover is StockCover.SHORT and any(n.short and n.kits_held for n in snapshot.stock):
            summary = self.tr(
                "Some stock is short of the next cycles' need, with kits held for a count "
                "difference: settle their counts (count again or adjust), or order or receive "
                "stock."
            )
        elif cover is StockCover.SHORT and any(
            n.short and n.kits_quarantined for n in snapshot.stock
        ):
            summary = self.tr(
                "Some stock is short of the next cycles' need, with kits in quarantine: ask the "
                "sponsor's decision on them, or order or receive stock."
            )
        elif cover is StockCover.SHORT:
            summary = self.tr(
                "Some stock is short of the next cycles' need: order or receive stock."
            )
        elif cover is StockCover.NOTHING_RECEIVED:
            summary = self.tr(
                "No kit has been received in this study yet, and nobody is on treatment."
            )
        elif cover is StockCover.NO_CYCLE:
            summary = self.tr(
                "Nobody on treatment has a cycle to come: no stock is needed for now."
            )
        else:
            summary = self.tr("On-hand stock covers the next cycle of everyone on treatment.")
        self._fill(
            self.stock,
            summary,
            lines,
            OpenKind.INVENTORY,
            shown=len(lines),
        )

    def _fill_due(self, snapshot: Dashboard) -> None:
        kind = (
            OpenKind.DISPENSE
            if may(self.session.actor, Permission.DISPENSE)
            else OpenKind.PARTICIPANT
        )
        lines = [
            (
                (
                    self.tr("{number} ({initials}) — cycle {cycle} overdue since {date}")
                    if due.overdue
                    else self.tr("{number} ({initials}) — cycle {cycle} from {date}")
                ).format(
                    number=due.study_number,
                    initials=due.initials,
                    cycle=due.next_cycle,
                    date=shown_date(due.due),
                ),
                kind,
                due.study_number,
                due.overdue,
            )
            for due in snapshot.due[:SHOWN_PER_SECTION]
        ]
        self._fill(
            self.due,
            (
                self.tr("1 participant due within a week.")
                if len(snapshot.due) == 1
                else self.tr("{n} participants due within a week.").format(n=len(snapshot.due))
            )
            if snapshot.due
            else self.tr("Nobody is due for a cycle this week."),
            lines,
            OpenKind.DUE,  # the register narrowed to the service's list, every one of them
            # No day: the register asks the service (due_this_week) again each time it is
            # shown, for the day it is then (one dispensed since drops out; a window left open
            # overnight lists the new day's).
            total=len(snapshot.due),
        )

    def _fill_returns(self, snapshot: Dashboard) -> None:
        pending = snapshot.returns_pending
        kind = (
            OpenKind.RETURN if may(self.session.actor, Permission.RETURN) else OpenKind.PARTICIPANT
        )
        lines = [
            (
                self.tr(
                    "{dispense} — {number} ({initials}) cycle {cycle}, supply to {date}"
                ).format(
                    dispense=item.dispense_number,
                    number=item.study_number,
                    initials=item.initials,
                    cycle=item.cycle,
                    date=shown_date(item.last_day),
                ),
                kind,
                item.dispense_number if kind is OpenKind.RETURN else item.study_number,
                item.overdue,  # the service's rules.return_overdue, not a rule here
            )
            for item in pending[:SHOWN_PER_SECTION]
        ]
        self._fill(
            self.returns,
            (
                self.tr("1 return due: the supply has ended and no return is recorded.")
                if len(pending) == 1
                else self.tr(
                    "{n} returns due: the supply has ended and no return is recorded."
                ).format(n=len(pending))
            )
            if pending
            else self.tr("Every return due is recorded."),
            lines,
            OpenKind.RETURNS_DUE,  # the register narrowed to the service's list
            total=len(pending),  # asked again, for the day then: dashboard.returns_pending
        )

    def _fill_expiring(self, snapshot: Dashboard) -> None:
        kits = snapshot.expiring
        lines = [
            (
                (
                    self.tr(
                        "{kit} — lot {lot}, expires {date} ({days} days), in quarantine: the "
                        "sponsor's decision is due before then"
                    )
                    if kit.quarantined
                    else self.tr("{kit} — lot {lot}, expires {date} ({days} days)")
                ).format(
                    kit=kit.number, lot=kit.lot, date=shown_date(kit.expiry), days=kit.days_left
                ),
                OpenKind.KIT,
                kit.number,
                kit.quarantined or kit.days_left < 30,
            )
            for kit in kits[:SHOWN_PER_SECTION]
        ]
        # The service's kits in quarantine (ExpiringKit.quarantined) said apart: no kit to use
        # first, but one whose release or destruction the sponsor decides before it expires.
        shelf = sum(1 for kit in kits if not kit.quarantined)
        held = len(kits) - shelf
        said = []
        if shelf:
            said.append(
                by_count(
                    shelf,
                    self.tr(
                        "{n} kit on the shelf expires within 90 days: use it first or set it aside."
                    ),
                    self.tr(
                        "{n} kits on the shelf expire within 90 days: use them first or set them "
                        "aside."
                    ),
                ).format(n=shelf)
            )
        if held:
            said.append(
                by_count(
                    held,
                    self.tr(
                        "{n} kit in quarantine expires within 90 days: ask the sponsor's "
                        "decision on it before it expires."
                    ),
                    self.tr(
                        "{n} kits in quarantine expire within 90 days: ask the sponsor's "
                        "decision on them before they expire."
                    ),
                ).format(n=held)
            )
        self._fill(
            self.expiring,
            sentences(said) if said else self.tr("No kit on the shelf expires within 90 days."),
            lines,
            # Every kit the card counts: the inventory filtered to the service's window.
            OpenKind.EXPIRING if snapshot.expiring_by else OpenKind.INVENTORY,
            total=len(kits),
            more_ref=snapshot.expiring_by.isoformat() if snapshot.expiring_by else "",
        )

    def _fill_discrepancies(self, snapshot: Dashboard) -> None:
        found = snapshot.discrepancies
        lines = [
            # The reconciliation on this finding, by the service's key of it (not its words).
            (item.message, OpenKind.FINDING, item.key, True)
            for item in found[:SHOWN_PER_SECTION]
        ]
        self._fill(
            self.discrepancies,
            (
                self.tr("1 finding for the reconciliation.")
                if len(found) == 1
                else self.tr("{n} findings for the reconciliation.").format(n=len(found))
            )
            if found
            else self.tr("Nothing to review: the books balance."),
            lines,
            OpenKind.TO_REVIEW,  # the reconciliation on its tab of the findings to review
            total=len(found),
        )
