"""Temperature records: a data logger's export is read, excursions are recorded and the kits
stored there go to quarantine; releasing them is done, with a reason, in the inventory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QThread,
    Signal,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.files import os_detail, with_detail
from dispensary.i18n import current_language, sentences, speaking, utc_offset
from dispensary.services import queries, report_data, temperature
from dispensary.services.assessment import StudyFileChanged
from dispensary.services.report_data import ExcursionRow
from dispensary.services.temperature import LoggerCheck
from dispensary.study import Study
from dispensary.ui.dashboard import start_reader
from dispensary.ui.forms import (
    action_button,
    attempt,
    fit_columns,
    row_table,
    select_where,
    selected_rows,
    text_field,
)
from dispensary.ui.inventory_view import kit_columns
from dispensary.ui.models.table import Column
from dispensary.ui.screen import STAFF_ROLES, Kept, OpenKind, Screen
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import by_count, separated, separated_first, titled_page, wrapped_label


def celsius(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} °C"


def zoned(at: datetime) -> str:
    """A moment in this computer's time with its zone, "2026-12-04 14:00 (UTC+08:00)": the
    monitor pack and the command print UTC, and each says which, so screen and paper agree."""
    here = at.astimezone()
    return f"{here:%Y-%m-%d %H:%M} ({utc_offset(here)})"


def local_cell(at: datetime) -> str:
    """A moment in a table's cell, "2026-12-05 08:00", in this computer's time, as the screen's
    introduction says: the zone in the cell's tooltip with the time (`zoned`) and in the
    column title's (`zone_tip`). With the zone in each cell the logger files' times were cut at
    1366x768 in Chinese ("2026-12-05 08:00 …"); in the titles ("From (UTC+08:00)", as the
    audit trail's) they took more than the width of the window. The day and the time kept
    together (a no-break space): never split onto two lines in a narrow column."""
    here = at.astimezone()
    return f"{here:%Y-%m-%d}\u00a0{here:%H:%M}"


def local_day(at: datetime) -> str:
    """The day of a moment in this computer's time (its time and zone in the cell's tooltip)."""
    return f"{at.astimezone():%Y-%m-%d}"


def zone_tip(moments: Sequence[datetime]) -> str:
    """A times column title's tooltip: the zone its times are shown in; both where a change to
    or from summer time falls among them; this computer's zone now when no row is shown."""
    here = [m.astimezone() for m in moments] or [datetime.now().astimezone()]
    zones = {m.utcoffset(): utc_offset(m) for m in here}
    shown = "/".join(zones[offset] for offset in sorted(zones, key=lambda o: o or timedelta(0)))
    return QCoreApplication.translate(
        "TemperatureScreen", "In this computer's time, {zone}"
    ).format(zone=shown)


def zoned_day(at: datetime) -> str:
    """The day of a moment in this computer's time, with its zone."""
    here = at.astimezone()
    return f"{here:%Y-%m-%d} ({utc_offset(here)})"


def longest(before: datetime | None, after: datetime | None) -> str:
    """How long an excursion may have lasted, by the readings within the range next to it in
    its file (a single reading outside reads "12:30 to 12:30", 0 minutes), in this computer's
    time; "" when neither is known (`temperature.longest_text` says it in UTC)."""
    if before is not None and after is not None:
        return QCoreApplication.translate(
            "TemperatureScreen",
            "It began after {before} and ended before {after}: between them at the longest.",
        ).format(before=zoned(before), after=zoned(after))
    if before is not None:
        return QCoreApplication.translate(
            "TemperatureScreen",
            "It began after {before}; no reading within the range after it.",
        ).format(before=zoned(before))
    if after is not None:
        return QCoreApplication.translate(
            "TemperatureScreen",
            "It ended before {after}; no reading within the range before it.",
        ).format(after=zoned(after))
    return ""


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _range_columns() -> list[Column[Any]]:
    """Lowest and highest °C, in a row of logger files or of excursions alike."""
    return [
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Lowest")),
            lambda r: r.lowest,
            align_right=True,
            text=celsius,
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Highest")),
            lambda r: r.highest,
            align_right=True,
            text=celsius,
        ),
    ]


_Row = TypeVar("_Row")


def moment_column(
    title: str, moment: Callable[[_Row], datetime], *more: Callable[[_Row], str]
) -> Column[_Row]:
    """A column of moments: the time here in the cell (`local_cell`), the time with its zone in
    the cell's tooltip (`zoned`), then the lines `more` gives, if any."""
    return Column(
        title,
        moment,
        text=local_cell,
        hint=lambda r: "\n".join(x for x in (zoned(moment(r)), *(m(r) for m in more)) if x),
    )


LOGGER_COLUMNS: list[Column[LoggerCheck]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Storage area")), lambda r: r.storage_area),
    moment_column(str(QT_TRANSLATE_NOOP("Column", "From")), lambda r: r.readings_from),
    moment_column(str(QT_TRANSLATE_NOOP("Column", "To")), lambda r: r.readings_to),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Readings")),
        lambda r: r.readings,
        align_right=True,
        text=_count,
    ),
    *_range_columns(),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Excursions")),
        lambda r: r.excursions,
        align_right=True,
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Gaps")),
        lambda r: len(r.gaps),
        align_right=True,
        tooltip=str(QT_TRANSLATE_NOOP("Column", "Gaps in the readings")),
        hint=lambda r: "\n".join(f"{zoned(a)} – {zoned(b)}" for a, b in r.gaps),
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Logger file")),
        lambda r: temperature.source_text(r.source, r.manual),
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "By")),
        lambda r: r.recorded_by,
        tooltip=str(QT_TRANSLATE_NOOP("Column", "Imported by")),
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Imported")),
        lambda r: r.recorded_at,
        text=local_day,
        hint=lambda r: zoned(r.recorded_at),  # the time too
    ),
]


LOGGER_FILE = next(i for i, c in enumerate(LOGGER_COLUMNS) if c.title == "Logger file")
LOGGER_TIMES: dict[int, Callable[[LoggerCheck], datetime]] = {
    next(i for i, c in enumerate(LOGGER_COLUMNS) if c.title == "From"): lambda r: r.readings_from,
    next(i for i, c in enumerate(LOGGER_COLUMNS) if c.title == "To"): lambda r: r.readings_to,
}
"""The logger files' columns of times (their zone in their title's tooltip), and each one's
moment. The day imported is the day here, its time and zone in the cell's tooltip."""


def logger_columns(study: Study) -> list[Column[LoggerCheck]]:
    """The logger files' columns, the study's own store by its name in the reader's language."""
    area: Column[LoggerCheck] = Column(
        LOGGER_COLUMNS[0].title, lambda r: study.area_name(r.storage_area)
    )
    return [area, *LOGGER_COLUMNS[1:]]


EXCURSION_COLUMNS: list[Column[ExcursionRow]] = [
    moment_column(str(QT_TRANSLATE_NOOP("Column", "From")), lambda r: r.started_at),
    # how long it may have lasted under the end (a single reading outside reads 0 minutes)
    moment_column(
        str(QT_TRANSLATE_NOOP("Column", "To")),
        lambda r: r.ended_at,
        lambda r: longest(r.in_range_before, r.in_range_after),
    ),
    *_range_columns(),
    Column(str(QT_TRANSLATE_NOOP("Column", "Storage area")), lambda r: r.storage_area),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Kits quarantined")),
        lambda r: len(r.kits),
        align_right=True,
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Logger file")),
        lambda r: temperature.source_text(r.source, r.manual),
    ),
    # "By", as the logger files' (their header whole at 1366x768: it read "Recorded b").
    Column(
        str(QT_TRANSLATE_NOOP("Column", "By")),
        lambda r: r.recorded_by,
        tooltip=str(QT_TRANSLATE_NOOP("Column", "Recorded by")),
    ),
]


FROM, TO = 0, 1
"""The excursions' times, their zone in their title's tooltip and each cell's: in a narrow window
they go onto more lines rather than be cut ("2026-12-05 23:2…" was, at 1366x768 in English)."""
# The window's column of the logger file: excursion_columns puts "Dispensed since" before it.
EXCURSION_LOGGER_FILE = 1 + next(
    i for i, c in enumerate(EXCURSION_COLUMNS) if c.title == "Logger file"
)


def excursion_columns(study: Study) -> list[Column[ExcursionRow]]:
    """The excursions' columns, the study's own store by its name in the reader's language."""
    at = next(i for i, c in enumerate(EXCURSION_COLUMNS) if c.title == "Storage area")
    area: Column[ExcursionRow] = Column(
        EXCURSION_COLUMNS[at].title, lambda r: study.area_name(r.storage_area)
    )
    # The kits in the store during it and dispensed or gone since (its import found them):
    # counted, and named with their participants and what to do as the import said it.
    gone: Column[ExcursionRow] = Column(
        str(QT_TRANSLATE_NOOP("Column", "Dispensed since")),
        lambda r: len(r.kits_gone),
        align_right=True,
        tooltip=str(
            QT_TRANSLATE_NOOP("Column", "Kits in the store during it, dispensed or gone since")
        ),
        hint=lambda r: "\n".join(
            temperature.kits_gone_notices(
                r.kits_gone, study.area_name(r.storage_area), held=r.kits_held
            )
        ),
    )
    rest = EXCURSION_COLUMNS[at + 1 :]
    return [*EXCURSION_COLUMNS[:at], area, rest[0], gone, *rest[1:]]


LEAST_ROWS = {"loggers": 3, "excursions": 3, "kits": 5}
"""The rows each table shows however short the window: the page scrolls instead."""


def rows_high(view: QTableView, rows: int) -> int:
    """The height a table needs to show `rows` rows under its header, a horizontal scroll bar
    below them."""
    return (
        view.horizontalHeader().sizeHint().height()
        + rows * view.verticalHeader().defaultSectionSize()
        + view.horizontalScrollBar().sizeHint().height()
        + 2 * view.frameWidth()
    )


def _ellipsis() -> str:
    """The ellipsis of the reader's language: … in English, …… in Chinese."""
    return QCoreApplication.translate("TemperatureScreen", "…")


def _listed(kits: list[str]) -> str:
    """Up to ten kit numbers, then an ellipsis: a message, not the list (the table below has
    it). A sentence the ellipsis ends takes no full stop after it (`_ended`)."""
    return separated_first(kits, 10)


def _ended(text: str) -> str:
    """Sentences said one after another in the reader's language (no space after a Chinese
    full stop), a full stop after an ellipsis dropped ("K1124…. Ask", "K1124 ...。")."""
    ellipsis = _ellipsis()
    for stop in (".", "。"):
        text = text.replace(ellipsis + stop, ellipsis)
    return text


def _degrees(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def degree_range(low: str, high: str) -> str:
    """A temperature range, written one way in each language: "2–25 °C"."""
    return QCoreApplication.translate("TemperatureScreen", "{low}–{high} °C").format(
        low=low, high=high
    )


@dataclass(frozen=True)
class TypedImport(Kept):
    """The logger file and storage area chosen, kept while the study is opened again with its
    updated file (TemperatureScreen.kept_state)."""

    area: str  # as the chooser shows it, or as typed
    recorded: str  # a listed area's recorded name ("": typed)
    file: str


class ImportJob(QThread):
    """Reads and imports a logger file away from the window (a 50,000-line file with a
    thousand excursions froze it for 8 seconds), as the reports are made (ReportJob): started
    by dashboard.start_reader, never owned by its screen, waited for when the window closes
    (`wait_for_workers`), so an import is never cut short by the database closing under it."""

    done = Signal(object)
    failed = Signal(str)
    stale = Signal(str)
    """Refused for the study file updated since the window read it (study_file_changed)."""

    def __init__(self, work: Callable[[], tuple[temperature.LoggerImport, str]], name: str) -> None:
        super().__init__()
        self.work = work
        self.name = name  # the file's, said when it is imported

    def run(self) -> None:
        try:
            found = self.work()
        except StudyFileChanged as exc:
            self.stale.emit(exc.message)
        except DispensaryError as exc:
            self.failed.emit(exc.message)
        except Exception as exc:  # a worker must report, not die: shown in plain words
            self.failed.emit(
                with_detail(
                    QCoreApplication.translate(
                        "TemperatureScreen",
                        "The logger file could not be imported. Try again; if it happens "
                        "again, tell the administrator.",
                    ),
                    f"{type(exc).__name__}: {exc}",
                )
            )
        else:
            self.done.emit(found)


class TemperatureScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Temperature"))
    shortcut = QKeySequence("Ctrl+Shift+T").toString()
    roles = STAFF_ROLES

    import_done = Signal()
    """Emitted when an import attempt has ended, recorded or refused: tests wait on it."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._job: ImportJob | None = None
        study = session.ctx.study
        self.loggers, self.logger_proxy, self.logger_table = row_table(
            self, logger_columns(study), "loggerTable", sort_column=1, descending=True
        )
        self.excursions, self.excursion_proxy, self.excursion_table = row_table(
            self, excursion_columns(study), "excursionTable", descending=True
        )
        self.kits, self.kit_proxy, self.kit_table = row_table(
            self, kit_columns(session.ctx.study), "excursionKits"
        )
        for model in (self.loggers, self.excursions):
            model.tooltip_from = 0  # a logger file's name, cut first in a narrow window, on hover

        t = study.temperature
        layout, self.message = titled_page(self, self.tr("Temperature records"))
        hint = wrapped_label(
            "temperatureHint",
            text=self.tr(
                "Import a data logger's export (CSV with the columns 'timestamp' and "
                "'celsius'). Readings outside {range} are excursions: the study's available kits "
                "stored in that area are quarantined until released in the inventory. Another "
                "study's kits there are judged by that study's own range. A time without a zone "
                "is read in this computer's zone, {zone}; times here are shown in it."
            ).format(
                range=degree_range(f"{t.min_celsius:g}", f"{t.max_celsius:g}"),
                zone=temperature.local_zone(),
            ),
        )
        layout.insertWidget(1, hint)

        # One row: the tables below keep the height (three rows of a form took 130 px).
        box = QGroupBox(self.tr("Import a logger file"))
        row = QHBoxLayout(box)
        self.area = QComboBox()
        self.area.setObjectName("storageArea")
        self.area.setEditable(True)
        # The study's store by its name in the user's language; the records keep [study]'s.
        self.area.addItem(study.wording().storage_area, study.storage_area)
        self.file = text_field("loggerFile", self.tr("Path of the logger's CSV export"))
        self.file.returnPressed.connect(self.import_file)
        browse = action_button(self.tr("&Choose file…"), "chooseLoggerFile", self._choose)
        self.import_button = action_button(
            self.tr("&Import and check"), "importLogger", self.import_file
        )
        # Each field and button has an Alt key of its own on the screen, the two storage areas'
        # (this one's Alt+A, the reading by hand's Alt+O) as well (review s11).
        for caption, field, stretch in (
            (self.tr("Storage &area"), self.area, 1),
            (self.tr("&Logger file"), self.file, 3),
        ):
            label = QLabel(caption)
            label.setBuddy(field)
            row.addWidget(label)
            row.addWidget(field, stretch)
        row.addWidget(browse)
        row.addWidget(self.import_button)
        manual = self._manual_box(study)
        # Under the message, the rest scrolls: each table keeps a few rows however short the
        # window (in a splitter at 1366x768 each showed one row, the kits' half of one).
        body = QWidget()
        page = QVBoxLayout(body)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(box)
        page.addWidget(manual)
        self.log_status = wrapped_label("loggerStatus")
        page.addWidget(self.log_status)
        page.addWidget(QLabel(self.tr("<b>Logger files checked</b>")))
        page.addWidget(self.logger_table, 2)
        page.addWidget(QLabel(self.tr("<b>Excursions on record</b>")))
        self.excursion_table.selectionModel().selectionChanged.connect(self._excursion_chosen)
        page.addWidget(self.excursion_table, 2)
        kit_bar = QHBoxLayout()
        # Wrapped: on one line its excursion's time held the page wider than a 1366x768 window,
        # the Open in inventory button cut at the right.
        self.kits_label = wrapped_label(
            "excursionKitsTitle", self.tr("<b>Kits quarantined by the selected excursion</b>")
        )
        kit_bar.addWidget(self.kits_label, 1)
        self.open_button = action_button(
            self.tr("O&pen in inventory to release or destroy"), "openInInventory", self._open_kit
        )
        kit_bar.addWidget(self.open_button)
        page.addLayout(kit_bar)
        self.kit_table.selectionModel().selectionChanged.connect(self._update_open)
        self.kit_table.doubleClicked.connect(self._open_kit)
        page.addWidget(self.kit_table, 3)
        self.page = QScrollArea()
        self.page.setObjectName("temperaturePage")
        self.page.setWidgetResizable(True)
        self.page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page.setFrameShape(QFrame.Shape.NoFrame)
        self.page.setWidget(body)
        layout.addWidget(self.page, 1)
        # The page's scroll bar comes and goes with the message above: the columns are shared
        # out again at the width left (the last header was cut, "‹ecorded b").
        body.installEventFilter(self)
        for view in (self.logger_table, self.excursion_table):
            view.horizontalHeader().setStretchLastSection(False)  # the logger file stretches
        self._keep_rows()
        self._update_open()

    def _manual_box(self, study: Study) -> QGroupBox:
        """One row to enter the storage area's min/max thermometer read by hand: the time it
        was read, the minimum and the maximum; Enter moves on to the next field, and records
        from the last (`record_reading`)."""
        box = QGroupBox(self.tr("Enter a thermometer reading by hand"))
        row = QHBoxLayout(box)
        self.manual_area = QComboBox()
        self.manual_area.setObjectName("manualArea")
        self.manual_area.setEditable(True)
        self.manual_area.addItem(study.wording().storage_area, study.storage_area)
        self.reading_at = text_field("readingAt", self.tr("YYYY-MM-DD HH:MM"))
        self.reading_min = text_field("readingMin", self.tr("°C"))
        self.reading_max = text_field("readingMax", self.tr("°C"))
        self.record_button = action_button(
            self.tr("Record r&eading"), "recordReading", self.record_reading
        )
        self.reading_at.returnPressed.connect(self.reading_min.setFocus)
        self.reading_min.returnPressed.connect(self.reading_max.setFocus)
        self.reading_max.returnPressed.connect(self.record_reading)
        for caption, field, stretch in (
            (self.tr("St&orage area"), self.manual_area, 2),
            (self.tr("&Read at"), self.reading_at, 2),
            (self.tr("&Minimum"), self.reading_min, 1),
            (self.tr("Ma&ximum"), self.reading_max, 1),
        ):
            label = QLabel(caption)
            label.setBuddy(field)
            row.addWidget(label)
            row.addWidget(field, stretch)
        row.addWidget(self.record_button)
        return box

    def record_reading(self) -> None:
        """The thermometer's reading recorded by the import's rules (the service's
        `record_manual_reading`), what it found said as an import's; refused, the fields kept
        to be put right. A time without a zone is this computer's, as the hint says."""
        area = self.manual_area.currentText()
        if area == self.manual_area.itemText(self.manual_area.currentIndex()):
            area = self.manual_area.currentData() or area  # a listed area: its recorded name
        done = attempt(
            self.message,
            lambda: temperature.record_manual_reading(
                self.session.ctx,
                self.session.actor,
                area,
                self.reading_at.text(),
                self.reading_min.text(),
                self.reading_max.text(),
            ),
        )
        if done is None:
            return
        for field in (self.reading_at, self.reading_min, self.reading_max):
            field.clear()
        self._reload()
        self._say_import(done, self.tr("the reading entered by hand"), temperature.UTF8)
        self.reading_at.setFocus()  # the next reading, at the keyboard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.page.widget():
            self._fit_loggers()
            self._fit_excursions()
            fit_columns(self.kit_table)
        return super().eventFilter(watched, event)

    def _fit_loggers(self) -> None:
        fit_columns(self.logger_table, stretch=LOGGER_FILE, yielding=(LOGGER_FILE,))

    def _fit_excursions(self) -> None:
        """The logger file's name takes the spare width and gives way first (whole in its
        tooltip): every header stays whole. (The last column stretched: squeezed to what was
        left, its header read "‹ecorded b".)"""
        fit_columns(
            self.excursion_table,
            stretch=EXCURSION_LOGGER_FILE,
            yielding=(EXCURSION_LOGGER_FILE,),
            wrap=(FROM, TO),
        )

    def _keep_rows(self) -> None:
        """Each table at least LEAST_ROWS rows high, its header and a scroll bar's height."""
        for view, rows in (
            (self.logger_table, LEAST_ROWS["loggers"]),
            (self.excursion_table, LEAST_ROWS["excursions"]),
            (self.kit_table, LEAST_ROWS["kits"]),
        ):
            view.setMinimumHeight(rows_high(view, rows))

    def refresh(self) -> None:
        """The screen shown again: what it said last is of another moment (a refusal of an
        import stayed after the kit was released in the inventory), the records read afresh."""
        self.message.clear_message()
        self._reload()

    def _reload(self) -> None:
        self._keep_rows()  # in the style sheet's fonts, once shown
        self._show_loggers()
        chosen = selected_rows(self.excursion_table, self.excursion_proxy, self.excursions)
        rows = attempt(
            self.message, lambda: report_data.excursions(self.session.ctx, self.session.actor)
        )
        if rows is None:
            return
        self.excursions.set_rows(rows)
        self.excursions.set_title(
            FROM, EXCURSION_COLUMNS[FROM].title, zone_tip([r.started_at for r in rows])
        )
        self.excursions.set_title(
            TO, EXCURSION_COLUMNS[TO].title, zone_tip([r.ended_at for r in rows])
        )
        self._fit_excursions()
        self._add_areas()
        if chosen:
            wanted = chosen[0].excursion_id
            select_where(
                self.excursion_table,
                self.excursion_proxy,
                self.excursions,
                lambda r: r.excursion_id == wanted,
            )
        self._show_kits()

    def _show_loggers(self) -> None:
        checks = attempt(
            self.message, lambda: temperature.logger_checks(self.session.ctx, self.session.actor)
        )
        if checks is None:
            return
        self.loggers.set_rows(checks)
        for column, moment in LOGGER_TIMES.items():
            self.loggers.set_title(
                column, LOGGER_COLUMNS[column].title, zone_tip([moment(r) for r in checks])
            )
        self._fit_loggers()
        self.log_status.setText(self.log_status_text(checks))

    def log_status_text(self, checks: list[LoggerCheck]) -> str:
        """What the logger files on record say, area by area, in words (the study's store
        first): no excursions in so many files, or so many excursions, and the last period."""
        study = self.session.ctx.study
        if not checks:
            return self.tr(
                "No logger file imported yet for this study's storage areas: import the "
                "logger's export (Import and check)."
            )
        by_area: dict[str, list[LoggerCheck]] = {}
        for check in checks:
            by_area.setdefault(check.storage_area, []).append(check)
        lines = []
        if study.storage_area not in by_area:
            lines.append(
                self.tr("No logger file imported yet for {area}.").format(
                    area=study.area_name(study.storage_area)
                )
            )
        for area in sorted(by_area, key=lambda a: (a != study.storage_area, a)):
            files = by_area[area]
            last = max(files, key=lambda c: (c.readings_to, c.recorded_at))
            period = self.tr("{start} to {end}").format(
                start=f"{last.readings_from.astimezone():%Y-%m-%d}",
                end=zoned_day(last.readings_to),  # the zone said once, after both days
            )
            if last.lowest is not None and last.highest is not None:
                period = self.tr("{period}, {range}").format(
                    period=period, range=degree_range(f"{last.lowest:.1f}", f"{last.highest:.1f}")
                )
            excursions = sum(c.excursions for c in files)
            counted = self._counted(files)
            name = study.area_name(area)
            if excursions:
                found = (
                    self.tr("1 excursion")
                    if excursions == 1
                    else self.tr("{n} excursions").format(n=excursions)
                )
                line = self.tr("{excursions} in {files} of {area}; last: {period}").format(
                    excursions=found, files=counted, area=name, period=period
                )
            else:
                line = self.tr("No excursions in {files} of {area}; last: {period}").format(
                    files=counted, area=name, period=period
                )
            lines.append(line)
        return "\n".join(lines)

    def _counted(self, checks: list[LoggerCheck]) -> str:
        """The logger files and the readings entered by hand of an area, each by its own
        name: "3 logger files and 2 readings entered by hand" (a reading entered by hand was
        counted as a logger file)."""
        by_hand = sum(c.manual for c in checks)
        files = len(checks) - by_hand
        said = []
        if files or not by_hand:
            said.append(
                self.tr("1 logger file")
                if files == 1
                else self.tr("{n} logger files").format(n=files)
            )
        if by_hand:
            said.append(
                self.tr("1 reading entered by hand")
                if by_hand == 1
                else self.tr("{n} readings entered by hand").format(n=by_hand)
            )
        if len(said) == 1:
            return said[0]
        return self.tr("{files} and {readings}").format(files=said[0], readings=said[1])

    def _add_areas(self) -> None:
        known = {self.area.itemData(i) or self.area.itemText(i) for i in range(self.area.count())}
        stock = attempt(
            self.message, lambda: queries.inventory(self.session.ctx, self.session.actor)
        )
        for place in sorted({k.location for k in stock or []} - known):
            self.area.addItem(place, place)
            self.manual_area.addItem(place, place)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Logger export"),
            self.file.text(),
            self.tr("Logger exports (*.csv *.txt);;All (*)"),
        )
        if path:
            self.file.setText(path)

    def import_file(self) -> None:
        """The file read and imported on a worker; the window says what it found when done."""
        if self._job is not None:  # one import at a time: the button is off meanwhile
            return
        name = self.file.text().strip()
        if not name:
            self._refused(self.tr("Choose the logger's CSV file first."))
            return
        path = Path(name).expanduser()
        area = self.area.currentText()
        if area == self.area.itemText(self.area.currentIndex()):
            area = self.area.currentData() or area  # a listed area: its recorded name
        ctx, actor, language = self.session.ctx, self.session.actor, current_language()

        def work() -> tuple[temperature.LoggerImport, str]:
            data = self._read(path)
            # The worker does not share the window's language: it is given here.
            with speaking(language):
                # UTF-8, or GB18030 (Chinese Excel's CSV), as the service reads it.
                text, encoding = temperature.logger_text(data, path.name)
                done = temperature.import_logger_file(ctx, actor, area, text, source=path.name)
            return done, encoding

        job = ImportJob(work, path.name)
        job.done.connect(self._imported)
        job.failed.connect(self._refused)
        job.stale.connect(self._stale)
        self._job = job
        self.import_button.setEnabled(False)
        self.message.show_message(self.tr("Importing {name}…").format(name=path.name), "info")
        start_reader(job)  # waited for when the window closes; garbage collection held off

    def _read(self, path: Path) -> bytes:
        """The file's bytes, or a refusal in plain words (on the worker: a file on a slow
        network share is read there too)."""
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise InvalidInput(
                self.tr("There is no file {path}. Check the name and folder.").format(path=path)
            ) from exc
        except IsADirectoryError as exc:
            raise InvalidInput(
                self.tr("{path} is a folder; choose the CSV file inside it.").format(path=path)
            ) from exc
        except OSError as exc:
            raise InvalidInput(
                with_detail(
                    self.tr(
                        "The logger file {name} could not be read. Check that this account may "
                        "open it and that it is not open in another program, then import it "
                        "again."
                    ).format(name=path.name),
                    os_detail(exc),
                )
            ) from exc

    def _ended(self) -> None:
        """The import attempt over: the button back, the job let go (by dashboard's reaper once
        its thread has finished)."""
        self._job = None
        self.import_button.setEnabled(True)

    def _refused(self, text: str) -> None:
        self._ended()
        self.message.show_message(text, "error")
        self.import_done.emit()

    def _stale(self, refusal: str) -> None:
        """The service refused the import: the study file (its temperature range) was updated
        after this screen read it. The study is opened again with the file in force, as F5
        does (Screen.reopen_study), the file and area kept to import again. Nothing was
        saved."""
        self._ended()
        self.reopen_read_again(
            self.message,
            lambda fresh: self.tr(
                "Nothing was saved: the study file of {protocol} was updated after this screen "
                "was opened. The screen read it again (version {version}), with the logger file "
                "and storage area as chosen: check the temperature range, then import the file "
                "again."
            ).format(protocol=fresh.study.protocol, version=fresh.version),
        )
        self.import_done.emit()

    def kept_state(self) -> TypedImport:
        area = self.area.currentText()
        listed = area == self.area.itemText(self.area.currentIndex())
        recorded = str(self.area.currentData() or area) if listed else ""
        return TypedImport(area=area, recorded=recorded, file=self.file.text())

    def restore_state(self, kept: Kept) -> None:
        """The logger file and storage area as chosen before the study was read again."""
        if not isinstance(kept, TypedImport):
            return
        at = self.area.findData(kept.recorded) if kept.recorded else -1
        if at >= 0:
            self.area.setCurrentIndex(at)
        else:
            self.area.setEditText(kept.area)
        self.file.setText(kept.file)
        if kept.note:
            self.message.show_message(kept.note, "warning")
        self.import_button.setFocus()

    def _imported(self, found: tuple[temperature.LoggerImport, str]) -> None:
        name = self._job.name if self._job is not None else ""
        self._ended()
        done, encoding = found
        self._reload()  # the message below says what the import found
        self._say_import(done, name, encoding)
        self.import_done.emit()

    def _say_import(self, done: temperature.LoggerImport, name: str, encoding: str) -> None:
        """What an import recorded, study by study, and the file's excursions on record
        already (not recorded again), its gaps, and the encoding read when not UTF-8 (so that
        a misread file would be noticed)."""
        found = list(done.excursions)
        # Kits of a study the user has no access to: counted, their numbers that study's.
        hidden = sum(e.other_kits for e in found if not e.own)
        here = self.session.ctx.study.protocol
        others = [e for e in found if e.own and e.study != here]
        found = [e for e in found if e.study == here]
        # The area as the rest of the screen names it, in the reader's language.
        area = self.session.ctx.study.area_name(done.storage_area)
        # Kits there during an excursion and dispensed or gone since: the service says what
        # to tell whom (a logger file read late), first, as it matters most.
        # Each excursion's notes said with it: two excursions' notes, one after the other,
        # were tied to neither.
        said = [n for e in found for n in self._notices(e, area, len(found) > 1)]
        said += [self._continued(e) for e in found if e.continues]
        said += [self._on_record(e) for e in done.on_record]
        said += [self._gap(g) for g in done.gaps]
        for e in others:
            said += [self._other_study(e), *self._notices(e, area, len(others) > 1)]
        if hidden:
            said.append(self._hidden_kits(hidden))
        if encoding != temperature.UTF8:
            said.append(
                self.tr("Read as {encoding} text (Chinese Windows), not UTF-8.").format(
                    encoding=encoding
                )
            )
        if not found and not others and not hidden:
            first = (
                self.tr("No new excursion in {name}. The check is recorded in the audit trail.")
                if done.on_record
                else self.tr(
                    "No excursion in {name}: every reading was within limits. The check is "
                    "recorded in the audit trail."
                )
            ).format(name=name)
            # A gap in the readings is for the pharmacist to look into: not all is well.
            kind = "warning" if done.gaps else "ok"
            self.message.show_message(_ended(sentences([first, *said])), kind)
            return
        if not found:
            # This study's readings held; another study's range did not.
            first = self.tr(
                "No excursion in {name} for this study: every reading was within its limits."
            ).format(name=name)
            self.message.show_message(_ended(sentences([first, *said])), "warning")
            self.changed.emit()
            return
        kits = sorted({k for e in found for k in e.kits_quarantined})
        newest = found[-1].excursion_id
        select_where(
            self.excursion_table,
            self.excursion_proxy,
            self.excursions,
            lambda r: r.excursion_id == newest,
        )
        quarantined = (
            by_count(
                len(kits),
                self.tr("{n} kit quarantined: {kits}"),
                self.tr("{n} kits quarantined: {kits}"),
            ).format(n=len(kits), kits=_listed(kits))
            if kits
            else self.tr("no available kit was stored there")
        )
        self.message.show_message(
            _ended(
                sentences(
                    [
                        by_count(
                            len(found),
                            self.tr(
                                "{n} excursion found in {name} for {area}; {quarantined}. Ask the "
                                "sponsor whether to release or reject them."
                            ),
                            self.tr(
                                "{n} excursions found in {name} for {area}; {quarantined}. Ask the "
                                "sponsor whether to release or reject them."
                            ),
                        ).format(
                            n=len(found),
                            name=name,
                            # The area as the rest of the screen names it, in the reader's language.
                            area=self.session.ctx.study.area_name(found[0].storage_area),
                            quarantined=quarantined,
                        ),
                        *said,
                    ]
                )
            ),
            "warning",
        )
        self.changed.emit()

    def _gap(self, gap: temperature.LoggerGap) -> str:
        """A stretch of the file without a reading, longer than the logger's usual interval:
        a gap in the temperature log (the monitor pack lists it)."""
        minutes = gap.interval.total_seconds() / 60
        every = (
            self.tr("{n} min").format(n=f"{minutes:g}")
            if minutes >= 1
            else self.tr("{n} s").format(n=f"{gap.interval.total_seconds():g}")
        )
        text = self.tr(
            "The logger recorded nothing from {start} to {end} (it reads every {every}): a gap "
            "in the temperature log."
        ).format(start=zoned(gap.start), end=zoned(gap.end), every=every)
        if gap.outside:
            text = sentences(
                [
                    text,
                    self.tr(
                        "A reading next to it is outside the range: how long that excursion "
                        "lasted is not known."
                    ),
                ]
            )
        return text

    def _notices(self, found: temperature.ExcursionResult, area: str, named: bool) -> list[str]:
        """What to tell whom of the kits there during an excursion (`ExcursionResult.notices`),
        after the excursion's times when the import found more than one (`named`)."""
        notices = found.notices(area)
        if not notices or not named:
            return notices
        return [
            self.tr("The excursion of {start} to {end}:").format(
                start=zoned(found.started_at), end=zoned(found.ended_at)
            ),
            *notices,
        ]

    def _on_record(self, known: temperature.OnRecord) -> str:
        """An excursion of the file an earlier import recorded: not recorded again."""
        return self.tr(
            "The excursion of {start} to {end} is on record already (no. {number}, imported "
            "on {day} from {source}): not recorded again."
        ).format(
            start=zoned(known.started_at),
            end=zoned(known.ended_at),
            number=known.excursion_id,
            day=zoned_day(known.imported_at),
            source=temperature.source_text(known.source, known.manual),
        )

    def _continued(self, found: temperature.ExcursionResult) -> str:
        """The rest of an excursion on record, recorded as a new one that names it."""
        return self.tr(
            "The excursion of {start} (no. {number}) is the rest of excursion no. {earlier} on "
            "record: a kit released since is quarantined again, for the sponsor to judge the "
            "longer excursion."
        ).format(
            start=zoned(found.started_at),
            number=found.excursion_id,
            earlier=separated(map(str, found.continues)),
        )

    def _other_study(self, found: temperature.ExcursionResult) -> str:
        """Another study's excursion the user may read: named with its study and the range it
        was judged by (its own), so that its kits are not taken for this study's."""
        kits = list(found.kits_quarantined)
        kept = degree_range(_degrees(found.min_celsius), _degrees(found.max_celsius))
        if not kits:
            return self.tr(
                "Study {study} (kept at {range}): readings outside its range, while none of its "
                "kits was on the shelf."
            ).format(study=found.study, range=kept)
        return by_count(
            len(kits),
            self.tr("Study {study} (kept at {range}): {n} kit quarantined: {kits}."),
            self.tr("Study {study} (kept at {range}): {n} kits quarantined: {kits}."),
        ).format(
            study=found.study,
            range=kept,
            n=len(kits),
            kits=_listed(kits),
        )

    def _hidden_kits(self, n: int) -> str:
        """The kits of a study the user has no access to that an import quarantined: counted,
        not named; that study's pharmacist reads them."""
        return by_count(
            n,
            self.tr(
                "{n} kit of a study you have no access to was quarantined, outside that "
                "study's own temperature range; its pharmacist sees it on the Temperature "
                "screen and in the inventory."
            ),
            self.tr(
                "{n} kits of a study you have no access to were quarantined, outside that "
                "study's own temperature range; its pharmacist sees them on the Temperature "
                "screen and in the inventory."
            ),
        ).format(n=n)

    def _excursion_chosen(self) -> None:
        """The excursion's kits listed, and the page scrolled down to them when they are
        below the fold."""
        self._show_kits()
        if self.kits.rowCount():
            self.page.ensureWidgetVisible(self.kit_table, 0, 0)

    def _show_kits(self) -> None:
        chosen = selected_rows(self.excursion_table, self.excursion_proxy, self.excursions)
        if not chosen:
            self.kits.set_rows([])
            self.kits_label.setText(self.tr("<b>Kits quarantined by the selected excursion</b>"))
            self._update_open()
            return
        numbers = set(chosen[0].kits)
        held = chosen[0].kits_held  # exposed to it too, in quarantine already at its import
        stock = attempt(
            self.message, lambda: queries.inventory(self.session.ctx, self.session.actor)
        )
        self.kits.set_rows([k for k in stock or [] if k.number in numbers or k.number in held])
        fit_columns(self.kit_table)
        said = by_count(
            len(numbers),
            self.tr(
                "<b>{n} kit quarantined by the excursion of {start}</b> (its status today is shown)"
            ),
            self.tr(
                "<b>{n} kits quarantined by the excursion of {start}</b> "
                "(their status today is shown)"
            ),
        ).format(n=len(numbers), start=zoned(chosen[0].started_at))
        if held:
            said += "<br>" + escape(
                by_count(
                    len(held),
                    self.tr(
                        "and {n} kit in the store during it that was in quarantine already, "
                        "not quarantined again: {kits}"
                    ),
                    self.tr(
                        "and {n} kits in the store during it that were in quarantine already, "
                        "not quarantined again: {kits}"
                    ),
                ).format(n=len(held), kits=_listed(list(held)))
            )
        # how long it may have lasted, by the readings within the range next to it
        lasted = longest(chosen[0].in_range_before, chosen[0].in_range_after)
        if lasted:
            said += "<br>" + escape(lasted)
        self.kits_label.setText(said)
        self._update_open()

    def _update_open(self) -> None:
        self.open_button.setEnabled(bool(self._chosen_kit()))

    def _chosen_kit(self) -> str:
        rows = selected_rows(self.kit_table, self.kit_proxy, self.kits)
        return rows[0].number if rows else ""

    def _open_kit(self, *_index: object) -> None:
        kit = self._chosen_kit()
        if kit:
            self.open_request.emit(OpenKind.KIT.value, kit)
