"""The first screen after sign-in: what needs doing today, each item one click (or Tab and
Enter) from the workflow that deals with it.

Its figures include a full reconciliation and audit-chain verification, seconds of work on a
few years' ledger, so they are read by a worker thread (`DashboardWorker`, its own read
transaction): a refresh, after each dispense or return, returns to the event loop at once. The
screen keeps showing the last figures with the time they were read, and says it is checking
until the new ones arrive. The last figures live in the screen (per workstation, in memory):
nothing is stored in the database.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QObject,
    Qt,
    QThread,
    Signal,
)
from PySide6.QtGui import QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError
from dispensary.services import dashboard as dashboard_service
from dispensary.services.context import Actor, Context
from dispensary.services.dashboard import Dashboard
from dispensary.services.permissions import Permission, may
from dispensary.services.results import VerifiedPoint, VerifyResult
from dispensary.ui.feedback import MessageBar
from dispensary.ui.screen import ALL_ROLES, OpenKind, Screen
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import heading, product_label, shown_date, shown_weekday

_log = logging.getLogger(__name__)

SHOWN_PER_SECTION = 6
LINK_PADDING = 4
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
    """One line of a card that opens its record. A line longer than the card is cut with an
    ellipsis at the card's edge, and read whole in its tooltip."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.full_text = text
        self.setToolTip(text)
        # Never wider than the card: the window, not the longest line, sets the width.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        room = self.contentsRect().width() - 2 * LINK_PADDING
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room)
        if shown != self.text():
            self.setText(shown)


def _records_state(check: VerifyResult) -> str:
    """The audit trail's check in a few words (its finding is among the discrepancies)."""
    if not check.ok:
        return QCoreApplication.translate(
            "DashboardScreen", "records: TAMPERING OR DAMAGE FOUND (see the discrepancies)"
        )
    if check.new_entries is None:
        return QCoreApplication.translate(
            "DashboardScreen", "records verified ({n} audit entries)"
        ).format(n=check.entries)
    return QCoreApplication.translate(
        "DashboardScreen", "records verified ({n} new audit entries checked)"
    ).format(n=check.new_entries)


class DashboardWorker(QThread):
    """Reads the dashboard off the UI thread; `ready` carries the `Dashboard`, `failed` the
    message to show. A worker is never parented to its screen: a screen closed while it reads
    must not destroy a running thread (`wait_for_workers` lets the window wait for it)."""

    ready = Signal(object)  # a Dashboard
    failed = Signal(str)

    def __init__(
        self,
        ctx: Context,
        actor: Actor,
        parent: QObject | None = None,
        since: VerifiedPoint | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actor = actor
        self.since = since

    def run(self) -> None:
        try:
            snapshot = dashboard_service.dashboard(self.ctx, self.actor, since=self.since)
        except DispensaryError as exc:
            self.failed.emit(exc.message)
            return
        except Exception as exc:  # a thread's error would vanish: said on the screen, logged
            _log.exception("The Today screen's figures could not be read")
            self.failed.emit(
                self.tr(
                    "The figures could not be read ({error}). "
                    "Open the screen again; if it keeps failing, tell the administrator."
                ).format(error=f"{type(exc).__name__}: {exc}")
            )
            return
        self.ready.emit(snapshot)


_RUNNING: set[DashboardWorker] = set()
"""Workers still reading, kept alive here until they finish (not by a screen)."""


def wait_for_workers() -> None:
    """Waits for every dashboard worker still reading, before the window closes: no thread
    may outlive the window and its database (Qt aborts on a running thread destroyed at
    exit). A read only reads, so waiting for its end is safe; it lasts seconds at most."""
    for worker in list(_RUNNING):
        worker.wait()


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
        self.discrepancies = Section(self.tr("Unresolved discrepancies"))
        grid.addWidget(self.stock, 0, 0, 1, 2)
        grid.addWidget(self.due, 1, 0)
        grid.addWidget(self.returns, 1, 1)
        grid.addWidget(self.expiring, 2, 0)
        grid.addWidget(self.discrepancies, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

    @property
    def checking(self) -> bool:
        """True while a worker reads new figures (the screen shows the last ones meanwhile)."""
        return self.worker is not None

    def refresh(self) -> None:
        """Starts reading the figures off the UI thread and returns at once; a refresh asked
        for while one is reading reads again after it, so the last change is always shown."""
        if self.worker is not None:
            self.again = True
            return
        self.again = False
        worker = DashboardWorker(self.session.ctx, self.session.actor, since=self.verified)
        worker.ready.connect(self._show)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._worker_finished)
        self.worker = worker
        _RUNNING.add(worker)
        self._show_state()
        worker.start()

    def _worker_finished(self) -> None:
        worker = self.sender()
        if isinstance(worker, DashboardWorker):
            _RUNNING.discard(worker)
            worker.deleteLater()
            if worker is self.worker:
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
            when += f" · {_records_state(shown.verification)}"
        self.state.setText(
            self.tr("{figures} — checking…").format(figures=when) if self.checking else when
        )
        self.state.setProperty("checking", self.checking)

    def _failed(self, message: str) -> None:
        self.message.show_message(message, "error")

    def _show(self, snapshot: Dashboard) -> None:
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
        self._show_state()

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
    ) -> None:
        """A card's summary, its first lines (text, what it opens, the record, in red or
        not), and a last line that opens the whole list when there are more."""
        section.clear()
        section.summary.setText(summary)
        for text, kind, ref, alert in lines[:shown]:
            self._link(section, text, kind, ref, alert)
        if len(lines) > shown:
            rest = self.tr("… and {n} more").format(n=len(lines) - shown)
            self._link(section, rest, more, "", False)

    def _fill_stock(self, snapshot: Dashboard) -> None:
        study = self.session.ctx.study
        short = [s for s in snapshot.stock if s.short]
        lines = [
            (
                self.tr(
                    "{product} — {on_hand} on hand, {needed} needed for the next cycles"
                ).format(
                    product=product_label(study, need.product),
                    on_hand=kits(need.kits_on_hand),
                    needed=kits(need.kits_needed),
                ),
                OpenKind.INVENTORY,
                "",
                need.short,
            )
            for need in snapshot.stock
        ]
        self._fill(
            self.stock,
            self.tr("Some stock is short of the next cycles' need: order or receive stock.")
            if short
            else self.tr("On-hand stock covers the next cycle of everyone on treatment."),
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
            for due in snapshot.due
        ]
        self._fill(
            self.due,
            self.tr("{n} participant(s) due within a week.").format(n=len(snapshot.due))
            if snapshot.due
            else self.tr("Nobody is due for a cycle this week."),
            lines,
            OpenKind.PARTICIPANT,
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
                (snapshot.today - item.last_day).days > 7,
            )
            for item in pending
        ]
        self._fill(
            self.returns,
            self.tr("{n} bottle(s) due back with no return recorded.").format(n=len(pending))
            if pending
            else self.tr("Every bottle due back has its return recorded."),
            lines,
            OpenKind.PARTICIPANT,
        )

    def _fill_expiring(self, snapshot: Dashboard) -> None:
        kits = snapshot.expiring
        lines = [
            (
                self.tr("{kit} — lot {lot}, expires {date} ({days} days)").format(
                    kit=kit.number, lot=kit.lot, date=shown_date(kit.expiry), days=kit.days_left
                ),
                OpenKind.KIT,
                kit.number,
                kit.days_left < 30,
            )
            for kit in kits
        ]
        self._fill(
            self.expiring,
            self.tr(
                "{n} kit(s) on the shelf expire within 90 days: use them first or set them aside."
            ).format(n=len(kits))
            if kits
            else self.tr("No kit on the shelf expires within 90 days."),
            lines,
            OpenKind.INVENTORY,
        )

    def _fill_discrepancies(self, snapshot: Dashboard) -> None:
        found = snapshot.discrepancies
        lines = [(item.message, OpenKind.RECONCILE, item.subject, True) for item in found]
        self._fill(
            self.discrepancies,
            self.tr("{n} finding(s) for the reconciliation.").format(n=len(found))
            if found
            else self.tr("No open discrepancy: the books balance."),
            lines,
            OpenKind.RECONCILE,
        )
