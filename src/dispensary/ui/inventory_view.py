"""The stock register: every kit with its status today, and what may be done to selected kits
(quarantine, release, count, destroy) for the roles allowed to do it.

The service's refusals and verdicts are shown as the service wrote them; the screen's own words
are translated. A destruction method offered in the list is recorded in English (the words of
the records), whatever the language it was chosen in; one typed in is recorded as typed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QIdentityProxyModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain import reasons
from dispensary.domain.codes import (
    HELD_FOR_COUNT,
    SHORT_DATED,
    DestructionReason,
    ExpiryStanding,
    KitStatus,
    SignatureMeaning,
)
from dispensary.domain.errors import DispensaryError, InvalidInput, SignatureFailed
from dispensary.domain.rules import normalise_kit_number
from dispensary.i18n import sentences
from dispensary.services import counts, destruction, inventory_pages, kit_history, quarantine
from dispensary.services.assessment import (
    CountRequest,
    DestroyAssessment,
    DestroyCheck,
    DestroyRequest,
)
from dispensary.services.inventory_pages import (
    SHOWN_STATUSES,
    KitOrder,
    KitQuery,
    status_choice,
)
from dispensary.services.kit_history import KitHistory, KitHistoryEvent
from dispensary.services.permissions import Permission, may
from dispensary.services.results import CountResult, DestroyResult, InventorySummary, KitRow
from dispensary.study import Study
from dispensary.ui.count_view import CountScreen
from dispensary.ui.feedback import (
    MessageBar,
    SignatureDialog,
    give_dismiss_keys,
    go_on_question,
)
from dispensary.ui.forms import (
    ReasonDialog,
    SidePanel,
    action_button,
    attempt,
    cell_width,
    fit_columns,
    role_buttons,
    side_panel,
    signed,
    text_field,
)
from dispensary.ui.models.paged import PAGE_SIZE, PagedTableModel
from dispensary.ui.models.table import Column, RowTableModel, display
from dispensary.ui.scan_field import KeyBurst
from dispensary.ui.screen import ALL_ROLES, OpenKind, Screen, is_dispense_number
from dispensary.ui.session import AppSession
from dispensary.ui.vocabulary import term
from dispensary.ui.widgets import (
    ElidedCombo,
    by_count,
    count_column,
    date_edit,
    hidden_unless,
    mistyped_date,
    product_label,
    qdate,
    read_only_rows,
    separated,
    separated_first,
    shown_date,
    titled_page,
    units_of,
    wrapped_label,
)


def kit_columns(study: Study) -> list[Column[KitRow]]:
    """The kit table's columns: the product as a pharmacist reads it on the shelf ("7.5 mg
    tablet"), not its code."""
    count = count_column(study, lambda r: r.product, KIT_COLUMNS[5])
    return [
        KIT_COLUMNS[0],
        Column(KIT_COLUMNS[1].title, lambda r: product_label(study, r.product)),
        *KIT_COLUMNS[2:5],
        count,  # "Quantity" ("28 capsules") in a study not of tablets only
        *KIT_COLUMNS[6:],
    ]


def refused_by_dispense(row: KitRow) -> bool:
    """An available kit the service assessed as no stock to dispense for its expiry
    (KitRow.dispensable: it expires before a cycle dispensed today would end): shown by its
    expiry, not as Available. One held for a count difference alone is `held_for_count`."""
    return row.refused_for_expiry


HELD_COLOUR = "#b26a00"  # amber: stock again once the count is settled, never the green


def held_for_count(row: KitRow) -> bool:
    """An available kit the service holds for an open count difference (KitRow.held), not
    refused for its expiry: no dispense hands it out, and the summary counts it apart, so the
    table says it held rather than Available."""
    return row.held_for_count


def status_text(row: KitRow) -> str:
    """A kit's status as the table says it: the service's status as shown (KitRow.shown_status),
    so an available kit no dispense takes by the service's standing of its expiry reads "Too
    short-dated", one held for a count difference "Held: count", not "Available"."""
    return shown_status_words()[row.shown_status]


def shown_status_words() -> dict[str, str]:
    """Each status as shown (KitRow.shown_status) in the words of the Status column, in the
    reader's language: what the column says, and what the search finds a kit by."""
    words = {s.value: term(s.label) for s in KitStatus}
    words[HELD_FOR_COUNT] = held_text()
    words[SHORT_DATED] = term(ExpiryStanding.SHORT.label)
    return words


def held_text() -> str:
    """The status of an available kit held for an open count difference, as the table says it
    (short: the Where column keeps the width to spare at 1366x768; the summary says why)."""
    return QCoreApplication.translate("InventoryScreen", "Held: count")


def status_colour(row: KitRow) -> str:
    """The status's colour; an available kit no dispense takes in its expiry's (red), or in
    amber while held for a count difference, never the green of stock to dispense."""
    if refused_by_dispense(row):
        return (row.expiry_standing or ExpiryStanding.SHORT).colour
    if held_for_count(row):
        return HELD_COLOUR
    return row.status.colour


def expiry_colour(row: KitRow) -> str | None:
    """The expiry as the service assessed it (KitRow.expiry_standing): red expired or too
    short for a cycle, amber within the warning window; a kit off the shelf uncoloured."""
    return row.expiry_standing.colour if row.expiry_standing is not None else None


def expiry_hint(row: KitRow) -> str:
    """The expiry on hovering, its colour said in words (a colour alone is not read by all)."""
    if row.expiry_standing is None:
        return display(row.expiry)
    return QCoreApplication.translate("InventoryScreen", "{expiry}: {standing}").format(
        expiry=display(row.expiry), standing=term(row.expiry_standing.label)
    )


KIT_COLUMNS: list[Column[KitRow]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Kit")), lambda r: r.number),
    Column(str(QT_TRANSLATE_NOOP("Column", "Product")), lambda r: r.product),
    Column(str(QT_TRANSLATE_NOOP("Column", "Lot")), lambda r: r.lot),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Expiry")),
        lambda r: r.expiry,
        colour=expiry_colour,
        hint=expiry_hint,
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Status")),
        lambda r: r.shown_status,  # sorted as shown: held, too short-dated apart from available
        colour=status_colour,
        shown=status_text,
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Tablets")), lambda r: r.tablets, align_right=True),
    Column(str(QT_TRANSLATE_NOOP("Column", "Where")), lambda r: r.where),
    Column(str(QT_TRANSLATE_NOOP("Column", "Shipment")), lambda r: r.shipment),
]

KIT_ORDERS: list[KitOrder | None] = [
    KitOrder.NUMBER,
    KitOrder.PRODUCT,
    KitOrder.LOT,
    KitOrder.EXPIRY,
    KitOrder.STATUS,
    None,  # the tablets in a kit are worked out from its ledger, kit by kit
    None,  # so is where a kit that left the shelf is
    KitOrder.SHIPMENT,
]
"""The service's order for each column of KIT_COLUMNS; None: the column cannot be sorted on."""
EXPIRY_COLUMN = 3
STATUS_COLUMN = 4
WHERE_COLUMN = 6
SHIPMENT_COLUMN = 7
FAR = 5000
"""A kit to be shown further down the list than this is shown by searching for its number,
not by reading every kit before it."""
COUNT_AFTER_TYPING_MS = 250
SEARCH_AFTER_FAST_KEYS_MS = 80
"""A search typed faster than a person types (a barcode scanner's keys, each within
SCAN_BURST_SECONDS of the one before) is read once its keys stop, this long after the last:
a query at each of a scanner's keys made it slow and split the scan. A key typed by hand still
shows its kits at once."""
ASSESS_AFTER_TYPING_MS = 300
"""The destruction is assessed again (the service reads every kit selected: up to
SELECT_ALL_READS) once typing in its form pauses this long, not at each keystroke or change;
Destroy waits, disabled, for the assessment of what is typed now."""
"""A search's count reads every kit (about 50 ms at 300,000): it waits until typing pauses
this long, so that each keystroke shows its rows at once and only the text typed last is
counted. Without a search the count is read from the indexes, at once."""

NARROW_COMBO = 14
PANEL_SHARE = 3
"""The side panel opens at most this fraction of the width beside the table (1/3)."""
"""Characters a choice of the side panel shows before it cuts the item chosen."""
REFUSALS_SHOWN = 3
"""The service's refusals a disabled Quarantine or Release button gives in its tooltip."""
HELD_SHOWN = 8
"""Kits whose causes the Release dialog lists (the rest counted: the dialog fits 1366x768)."""
KITS_NAMED = 40
"""The kits the quarantine's and the release's dialogs (and what they say when done) name,
the rest counted (a whole excursion's kits, a hundred or more, made the dialog taller than a
1366x768 screen, its buttons below it)."""
SELECT_ALL_READS = 2000
"""Select all reads every kit the filters find, up to this many (about 0.6 s at 0.3 ms a
kit); beyond, it selects the rows read, and the panel says how many of how many."""
PANEL_WIDTH = 210
"""The side panel's least width, to which it may be dragged: it opens as wide as its form needs
(`InventoryScreen._fit_panel`), the table beside it taking the rest of the window (its
whereabouts are long: "with participant 01-002 (42 tablets, DSP000110 on 2026-06-11)")."""


def narrow(combo: QComboBox) -> None:
    """A choice of the side panel that does not widen the panel (and so narrow the table) to its
    longest item: the list it opens is as wide as that item, and the item chosen reads whole in
    the box's tooltip when the box cuts it."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(NARROW_COMBO)
    view = combo.view()
    view.setMinimumWidth(view.sizeHintForColumn(0) + 2 * view.frameWidth())
    tip = combo.toolTip()

    def show_whole(text: str) -> None:
        combo.setToolTip(f"{text}\n{tip}" if tip else text)

    combo.currentTextChanged.connect(show_whole)
    show_whole(combo.currentText())


def _text_lacks(field: QLineEdit) -> int:
    """Pixels a line of text lacks to show its placeholder whole (its text room: its width
    less what its size hint adds to 17 characters: the style's frame, padding and margins)."""
    metrics = field.fontMetrics()
    frame = field.sizeHint().width() - 17 * metrics.horizontalAdvance("x")
    return metrics.horizontalAdvance(field.placeholderText()) + 2 - (field.width() - frame)


def _choice_lacks(combo: QComboBox) -> int:
    """Pixels a `narrow` choice lacks to show its longest item whole (its text room: its
    width less what its size hint adds to NARROW_COMBO characters: the arrow, the padding)."""
    metrics = combo.fontMetrics()
    letter = "x".upper()  # Qt counts a choice's contents length in capital X's
    frame = combo.sizeHint().width() - NARROW_COMBO * metrics.horizontalAdvance(letter)
    widest = max(
        (metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())), default=0
    )
    return widest + 2 - (combo.width() - frame)


class KitTable(QTableView):
    """The kit table: Select all (Ctrl+A, the corner button) first reads the rows not read yet,
    as `read_all` does, so that every kit the filters find is selected. Enter (or Return) on a
    row, or a double-click, opens that kit (`opened`: its history)."""

    opened = Signal(QModelIndex)

    def __init__(self, read_all: Callable[[], None]) -> None:
        super().__init__()
        self._read_all = read_all
        self.doubleClicked.connect(self.opened)

    def selectAll(self) -> None:
        self._read_all()
        super().selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            selection = self.selectionModel()
            rows = selection.selectedRows() if selection is not None else []
            current = self.currentIndex()
            index = current if current.isValid() else (rows[0] if rows else QModelIndex())
            if index.isValid():
                self.opened.emit(index)
                return
        super().keyPressEvent(event)


HISTORY_COLUMNS: list[Column[KitHistoryEvent]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Date")), lambda e: e.on),
    Column(str(QT_TRANSLATE_NOOP("Column", "Step")), lambda e: e.what),
    Column(str(QT_TRANSLATE_NOOP("Column", "Details")), lambda e: e.detail),
    Column(str(QT_TRANSLATE_NOOP("Column", "By")), lambda e: e.by),
]


class KitHistoryDialog(QDialog):
    """One kit's history (services.kit_history): received, quarantined and why (which
    excursion), exposed while held, released on which sponsor's decision, dispensed, returned,
    counted, destroyed. Read-only; the audit trail keeps each entry whole."""

    def __init__(self, parent: QWidget | None, history: KitHistory, study: Study) -> None:
        super().__init__(parent)
        self.setObjectName("kitHistory")
        self.setWindowTitle(self.tr("Kit {kit}: history").format(kit=history.kit))
        layout = QVBoxLayout(self)
        self.heading = QLabel(
            self.tr("Kit {kit}: {product}, lot {lot}, expiry {expiry}; now {status}.").format(
                kit=history.kit,
                product=product_label(study, history.product),
                lot=history.lot,
                expiry=history.expiry.isoformat(),
                status=term(history.status.label),
            )
        )
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.model: RowTableModel[KitHistoryEvent] = RowTableModel(
            HISTORY_COLUMNS, self, tooltip_from=0
        )
        self.model.set_rows(history.events)
        self.table = QTableView()
        self.table.setObjectName("kitHistoryTable")
        self.table.setModel(self.model)
        header = read_only_rows(self.table)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        give_dismiss_keys(buttons)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Fits 1366x768 with the window's frame and the task bar.
        self.resize(min(900, HISTORY_MOST_WIDTH), min(520, HISTORY_MOST_HEIGHT))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # the details wrapped at the width shown


def show_kit_history(
    parent: QWidget, session: AppSession, message: MessageBar, number: str
) -> None:
    """A kit's history in its dialog, read from the services (the Inventory's Enter or
    double-click on a kit, the reconciliation's quarantine finding); their refusal said in
    `message`."""
    history = attempt(message, lambda: kit_history.kit_history(session.ctx, session.actor, number))
    if history is not None:
        KitHistoryDialog(parent, history, session.ctx.study).exec()


HISTORY_MOST_WIDTH = 1280
HISTORY_MOST_HEIGHT = 640
"""The kit history's largest size: within 1366x768 with a frame and a task bar."""


class UnseenReturnsQuestion:
    """The acknowledgement the service asks before returned tablets no monitor has seen are
    destroyed (its warning, as it wrote it)."""

    @classmethod
    def ask(cls, parent: QWidget | None, warning: str, tablets_only: bool = True) -> bool:
        """True when the user pressed Destroy anyway (Cancel is the default); `tablets_only`:
        the study's units are tablets, else the question names no unit (a capsule study's
        said "Returned tablets"). Tests replace this method."""
        return go_on_question(
            parent,
            "unseenReturnsQuestion",
            QCoreApplication.translate("InventoryScreen", "Returned tablets unseen by the monitor")
            if tablets_only
            else QCoreApplication.translate("InventoryScreen", "Returns unseen by the monitor"),
            warning,
            QCoreApplication.translate("InventoryScreen", "&Destroy anyway"),
            QCoreApplication.translate(
                "InventoryScreen",
                "The monitor has not seen these returned tablets. Destroy them only if the "
                "sponsor agrees; your acknowledgement is written into the audit trail.",
            )
            if tablets_only
            else QCoreApplication.translate(
                "InventoryScreen",
                "The monitor has not seen these returns. Destroy them only if the sponsor "
                "agrees; your acknowledgement is written into the audit trail.",
            ),
        )


class CountDialog(QDialog):
    """The blind count of one kit, opened from the inventory; the count screen does the work."""

    def __init__(self, session: AppSession, kit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Physical count of kit {kit}").format(kit=kit))
        self.resize(980, 580)
        layout = QVBoxLayout(self)
        self.counter = CountScreen(session, self)
        # Closed once the kit's count is over, not as soon as one is recorded: a count that
        # differs is recorded open and the book shown, to adjust, count again or leave open
        # (the dialog closed on it, and the counter never saw the book nor the adjustment).
        self.counter.kit_done.connect(self.accept)
        layout.addWidget(self.counter)
        # Enter is the count screen's own, as in the main window: a field's (the kit's, the
        # count's) and a focused button's (EnterClicks). As a dialog's buttons they were
        # auto-default: Enter in the kit field also pressed "Enter count", refusing the count
        # not yet typed, and Enter in the reason pressed it again.
        for button in self.counter.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.counter.start(kit)

    def showEvent(self, event: QShowEvent) -> None:
        """The count screen refreshed as the main window refreshes it when it is shown: its
        list's columns fitted to their titles in the window's style (unfitted, "Ledger
        adjusted" read "lger adjus")."""
        super().showEvent(event)
        self.counter.refresh()

    @classmethod
    def run(cls, parent: QWidget | None, session: AppSession, kit: str) -> CountResult | None:
        """The last count recorded (one left open and the dialog closed too: `open`), None
        when none was."""
        dialog = cls(session, kit, parent)
        dialog.exec()
        rows = dialog.counter.log.rows
        return rows[-1] if rows else None


def kits_named(kits: Sequence[str]) -> str:
    """The first KITS_NAMED kits, the rest counted ("… and 80 more kits"): a quarantine's and
    a release's dialogs, and the release's signature, name an excursion's hundreds of kits
    within a 1366x768 screen."""
    named = separated(kits[:KITS_NAMED])
    if len(kits) > KITS_NAMED:
        named += QCoreApplication.translate("List", ", ") + QCoreApplication.translate(
            "ReleaseDialog", "… and {n} more kits"
        ).format(n=len(kits) - KITS_NAMED)
    return named


class ReleaseDialog(QDialog):
    """Asks why quarantined kits go back to stock and the sponsor's reference of the decision
    (services.quarantine.release refuses a release without it). OK with no reference keeps
    the dialog open with the service's refusal, saying what to type."""

    def __init__(
        self,
        parent: QWidget | None,
        kits: Sequence[str],
        held_for: Sequence[tuple[str, Sequence[str]]] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Release from quarantine"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        named = kits_named(kits)  # the rest counted: the dialog fits the screen
        prompt = QLabel(
            by_count(
                len(kits),
                self.tr(
                    "Kit {kits}: a quarantined kit goes back to usable stock only on the "
                    "sponsor's written decision. Type the reference of that decision (or of "
                    "its excursion assessment) and why."
                ),
                self.tr(
                    "Kits {kits}: a quarantined kit goes back to usable stock only on the "
                    "sponsor's written decision. Type the reference of that decision (or of its "
                    "excursion assessment) and why."
                ),
            ).format(kits=named)
        )
        prompt.setObjectName("releasePrompt")
        prompt.setToolTip(separated(kits) if len(kits) > KITS_NAMED else "")  # every kit
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.prompt = prompt
        # Why each kit is held (services.quarantine.assess_release): every open quarantine and
        # every excursion it was exposed to while held; the decision is to cover them all.
        self.held = QLabel()
        self.held.setObjectName("heldFor")
        self.held.setWordWrap(True)
        self.held.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lines = [
            self.tr("{kit}: {causes}").format(kit=kit, causes=self.tr("; ").join(causes))
            for kit, causes in held_for
            if causes
        ]
        if lines:
            self.held.setText(
                "\n".join(
                    [self.tr("Held for (the sponsor's decision is to cover every one):")]
                    + [f"• {line}" for line in lines[:HELD_SHOWN]]
                    + (
                        [self.tr("… and {n} more kits").format(n=len(lines) - HELD_SHOWN)]
                        if len(lines) > HELD_SHOWN
                        else []
                    )
                )
            )
        self.held.setVisible(bool(lines))
        layout.addWidget(self.held)
        form = QFormLayout()
        self.reference = QLineEdit()
        self.reference.setObjectName("sponsorReference")
        self.reference.setPlaceholderText(self.tr("e.g. TE-2026-014"))
        form.addRow(self.tr("Sponsor's decision:"), self.reference)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(self.tr("Reason (kept in the audit trail)"))
        form.addRow(self.tr("Reason:"), self.reason)
        layout.addLayout(form)
        self.refusal = MessageBar()
        layout.addWidget(self.refusal)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Release"))
        give_dismiss_keys(self.buttons)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._whole_lines()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._whole_lines()

    def _whole_lines(self) -> None:
        """The kits and why they are held, every line at the labels' width: a dialog sizes its
        wrapped labels by a guess at their lines, short of many kits' (the "Held for" list's
        last lines, and its "… and N more kits", were cut off)."""
        for label in (self.prompt, self.held):
            if label.isVisibleTo(self):
                label.setMinimumHeight(label.heightForWidth(label.width()))

    def _accept(self) -> None:
        """The service's check of the reference, before the dialog closes (its words)."""
        try:
            quarantine.check_sponsor_reference(self.reference.text())
        except InvalidInput as exc:
            self.refusal.show_message(exc.message)
            self.adjustSize()  # the refusal read whole, on as many lines as it takes
            self.reference.setFocus()
            return
        self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        kits: Sequence[str],
        held_for: Sequence[tuple[str, Sequence[str]]] = (),
    ) -> tuple[str, str] | None:
        """(reason, sponsor's reference) as typed, or None when cancelled."""
        dialog = cls(parent, kits, held_for)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.reason.text(), dialog.reference.text()
        return None


class InventoryScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Inventory"))
    shortcut = QKeySequence("Ctrl+5").toString()
    roles = ALL_ROLES

    def __init__(
        self, session: AppSession, parent: QWidget | None = None, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(session, parent)
        self.model: PagedTableModel[KitRow] = PagedTableModel(
            kit_columns(session.ctx.study),
            self._fetch,
            [order is not None for order in KIT_ORDERS],
            page_size=page_size,
            sort_column=EXPIRY_COLUMN,
            parent=self,
            tooltip_from=0,  # a cell cut in a narrow window reads whole on hover, whatever it is
        )
        self.model.sort_refused.connect(self._sort_refused)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self._kept: set[str] = set()
        self._shipments: tuple[str, ...] = ()  # the study's longest numbers (`refresh`)
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(COUNT_AFTER_TYPING_MS)
        self._count_timer.timeout.connect(self._count_found)
        self._found: int | None = None  # the kits the filters find, as last counted
        self._assess_timer = QTimer(self)
        self._assess_timer.setSingleShot(True)
        self._assess_timer.setInterval(ASSESS_AFTER_TYPING_MS)
        self._assess_timer.timeout.connect(self._assess_destroy)
        self.proxy = QIdentityProxyModel(self)  # the model's sort goes to the service
        self.proxy.setSourceModel(self.model)
        self.table = self._table()
        self.table.opened.connect(self._open_history)
        # After the view's and its selection's own handling of a reload (they clear it):
        self.proxy.modelReset.connect(self._selection_reset)
        layout, self.message = titled_page(
            self, self.tr("Inventory: every kit and its status today")
        )
        layout.addLayout(self._filters())

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter = splitter
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        splitter.addWidget(self.table)
        self.panel = self._actions()
        side = QWidget()
        beside = QVBoxLayout(side)
        beside.setContentsMargins(0, 0, 0, 0)
        beside.setSpacing(0)
        beside.addWidget(self.panel, 1)
        beside.addWidget(self.destroy_footer)
        splitter.addWidget(side)
        # The panel as wide as its form needs (`_fit_panel`, once shown), the table the rest
        # and any width the window gains; the panel may be dragged narrower, to its least.
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setCollapsible(1, False)
        splitter.setSizes([10_000, 1])
        self._panel_fitted = False
        layout.addWidget(splitter, 1)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)  # once the view has its new width
        self._fit_timer.timeout.connect(self._fit_columns)
        self.table.installEventFilter(self)
        # A kit scanned here is added to the kits selected (a list to quarantine, release or
        # destroy, built at the scanner); the list starts again with the next scan once a step
        # is written or the screen is left, or at once with Esc (Clear selection).
        self._new_list = True
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self,
            self.clear_selection,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self._selection_changed()

    # building -----------------------------------------------------------------------------

    def _table(self) -> KitTable:
        """Sorted by expiry; a click on a header asks the service for another order."""
        view = KitTable(self._read_all)
        view.setObjectName("inventoryTable")
        view.setModel(self.proxy)
        header = read_only_rows(view)
        header.setStretchLastSection(False)  # the whereabouts take the width (`_fit_columns`)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setResizeContentsPrecision(self.model.page_size)  # the first page's rows
        header.setSortIndicator(EXPIRY_COLUMN, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        return view

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search = text_field("inventorySearch", self.tr("Search kit, lot, shipment..."))
        self.search.setClearButtonEnabled(True)
        self._search_keys = KeyBurst()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_AFTER_FAST_KEYS_MS)
        self._search_timer.timeout.connect(self._filters_changed)
        self.search.textChanged.connect(self._search_changed)
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem(self.tr("All statuses"), None)
        # As the Status column says them (held and short-dated apart), in the order a sort
        # on the column gives them (the service's SHOWN_STATUSES).
        words = shown_status_words()
        for shown in SHOWN_STATUSES:
            self.status.addItem(words[shown], shown)
        self.status.currentIndexChanged.connect(self._filters_changed)
        # Sized by a few characters, not by the longest product's full name (in Chinese it
        # took the room the summary beside it needs): whole in the list and the tooltip.
        self.product = ElidedCombo(14)
        self.product.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.product.setObjectName("productFilter")
        self.product.addItem(self.tr("All products"), None)
        study = self.session.ctx.study
        for product in study.products:
            # As the table names it ("7.5 mg tablet"); the code is what the service filters on.
            self.product.addItem(product_label(study, product.code), product.code)
        self.product.setToolTip(self.product.currentText())
        self.product.currentIndexChanged.connect(self._filters_changed)
        # The kits the Today screen's expiring card counts, when its "… and N more" opened
        # them: shown ticked while it narrows the list, unticked to list every kit again.
        self._expiring_by: date | None = None
        self.expiring = QCheckBox()
        self.expiring.setObjectName("expiringFilter")
        self.expiring.setVisible(False)
        self.expiring.toggled.connect(self._expiring_toggled)
        self.summary = QLabel()
        self.summary.setObjectName("inventorySummary")
        # Each filter's label its Alt key (review s11: they had none).
        for caption, field, stretch in (
            (self.tr("&Search"), self.search, 2),
            (self.tr("St&atus"), self.status, 0),
            (self.tr("&Product"), self.product, 0),
        ):
            label = QLabel(caption)
            label.setBuddy(field)
            row.addWidget(label)
            row.addWidget(field, stretch)
        row.addWidget(self.expiring)
        row.addWidget(self.summary, 1, Qt.AlignmentFlag.AlignRight)
        return row

    def _actions(self) -> QWidget:
        actor = self.session.actor
        panel, column = side_panel(PANEL_WIDTH)
        self.selection_label = wrapped_label("selectionLabel")
        column.addWidget(self.selection_label)

        # Alt+Q, Alt+R, Alt+C, Alt+D, Alt+L: letters no menu (File, Go, Help) nor the
        # toolbar's Study (Alt+T) takes; in Chinese the same letters, "隔离(&Q)…".
        self.quarantine_button = action_button(
            self.tr("&Quarantine..."), "quarantineButton", self._quarantine
        )
        self.release_button = action_button(
            self.tr("&Release from quarantine..."), "releaseButton", self._release
        )
        self.count_button = action_button(
            self.tr("&Count..."),
            "countButton",
            self._count,
            self.tr("A blind physical count of the selected kit"),
        )
        self.clear_button = action_button(
            self.tr("C&lear selection"),
            "clearSelectionButton",
            self.clear_selection,
            self.tr("Esc: no kit selected; the next kit scanned starts a new list"),
        )
        column.addWidget(self.clear_button)
        role_buttons(
            column,
            actor,
            [
                (self.quarantine_button, Permission.QUARANTINE),
                (self.release_button, Permission.RELEASE),
                (self.count_button, Permission.COUNT),
            ],
        )

        self.destroy_box = QGroupBox(self.tr("Destroy, or return to sponsor"))
        self.destroy_box.setObjectName("destroyBox")
        form = QFormLayout(self.destroy_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # the panel is narrow
        self.witness = text_field("witness", self.tr("User name of the witness (another user)"))
        self.method = QComboBox()
        self.method.setObjectName("method")
        self.method.setEditable(True)
        # The methods offered (domain.reasons): shown translated, recorded in English.
        for method in reasons.DESTRUCTION_METHODS:
            self.method.addItem(reasons.destruction_method(method), method)
        narrow(self.method)
        self.reference = text_field("reference", self.tr("The sponsor's destruction authorisation"))
        for field in (self.witness, self.reference):
            field.setToolTip(field.placeholderText())  # cut in the narrow panel: read on hover
        self._destroy_refusal = ""  # the service's refusal of the last assessment, if raised
        self._default_day = self.session.ctx.clock.today()  # followed while left as it is
        self.destroyed_on = date_edit(self._default_day)
        self.destroyed_on.setObjectName("destroyedOn")
        self.destroyed_on.setToolTip(
            self.tr(
                "The day the kits were destroyed or sent back: on or after each kit's receipt or "
                "return, and not in the future"
            )
        )
        self.reason_code = QComboBox()
        self.reason_code.setObjectName("reasonCode")
        self.reason_code.addItem(self.tr("(none: expired or returned stock)"), None)
        for reason in DestructionReason:
            self.reason_code.addItem(term(reason.label), reason.value)
        self.reason_code.setToolTip(self.tr("Needed when a kit still in date leaves unused"))
        narrow(self.reason_code)
        self.to_sponsor = QCheckBox(self.tr("Sent back to the sponsor"))
        self.to_sponsor.setToolTip(
            self.tr("Ticked: the kits go back to the sponsor, not destroyed here")
        )
        self.to_sponsor.setObjectName("toSponsor")
        # Enter in the destruction's fields does nothing, deliberately: the destruction cannot
        # be undone and two sign it, so the Destroy button is pressed (or Alt+D). Enter after
        # the witness's user name typed, or after a scan landing in a field of the form, is not
        # a decision to destroy the kits selected.
        self.destroy_button = action_button(
            self.tr("&Destroy selected kits..."), "destroyButton", self._destroy
        )
        self.destroy_verdict = wrapped_label("destroyAssessment")
        # Who the user name typed is (the service's finding): the one destroying sees the
        # witness's name and role, not a user name alone, before both sign.
        self.witness_who = wrapped_label("witnessWho")
        self.witness_who.setTextFormat(Qt.TextFormat.PlainText)
        self.witness_who.setStyleSheet("color: #455a64")  # a note under the field, not a label
        self.destroy_verdict.setTextFormat(Qt.TextFormat.RichText)
        form.addRow(self.tr("&Witness"), self.witness)
        form.addRow(self.witness_who)
        form.addRow(self.tr("&Method"), self.method)
        form.addRow(self.tr("Sponsor's a&uthorisation"), self.reference)
        form.addRow(self.tr("Date destr&oyed (or sent back)"), self.destroyed_on)
        form.addRow(self.tr("Reaso&n (in-date kits)"), self.reason_code)
        form.addRow(self.to_sponsor)
        # The button and the verdict under the panel that scrolls, never scrolled away: at
        # 1366x768 the form is taller than the panel, and the button at its foot was out of
        # sight once kits were selected. The button before the verdict, whose lines vary with
        # the kits and the language (under a long verdict it was cut).
        self.destroy_footer = QWidget()
        self.destroy_footer.setObjectName("destroyFooter")
        footer = QVBoxLayout(self.destroy_footer)
        footer.setContentsMargins(8, 4, 0, 0)  # as the panel's column
        footer.addWidget(self.destroy_button)
        footer.addWidget(self.destroy_verdict)
        self.witness.textChanged.connect(self._destroy_form_changed)
        self.method.currentTextChanged.connect(self._destroy_form_changed)
        self.reference.textChanged.connect(self._destroy_form_changed)
        self.destroyed_on.dateChanged.connect(self._destroy_form_changed)
        self.destroyed_on.retyped.connect(self._destroy_form_changed)
        self.reason_code.currentIndexChanged.connect(self._destroy_form_changed)
        self.to_sponsor.toggled.connect(self._destroy_form_changed)
        hidden_unless(self.destroy_box, may(actor, Permission.DESTROY))
        hidden_unless(self.destroy_footer, may(actor, Permission.DESTROY))
        column.addWidget(self.destroy_box)
        column.addStretch(1)
        return panel

    def hideEvent(self, event: QHideEvent) -> None:
        """The screen left: the next kit scanned here starts a new list (scanned on another
        screen, a kit opens this one with that kit alone selected)."""
        super().hideEvent(event)
        self._new_list = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._panel_fitted:
            self._panel_fitted = True
            QTimer.singleShot(0, self._fit_panel)  # once laid out in the window

    def _fit_panel(self) -> None:
        """The side panel widened by what its form lacks to read whole (each field's
        placeholder, each choice's longest item: the form's fields take the panel's width),
        measured where the window lays them out, in its language; the table keeps the rest,
        two thirds of the width at least (at 1366x768 a long reason, chosen, reads whole in its
        tooltip). At its least width the panel cut "User name of the witness…" and "(none:
        expired or return…" even at 1920x1080, the table taking every pixel to spare."""
        lacking = max(
            [_text_lacks(field) for field in (self.witness, self.reference)]
            + [_choice_lacks(combo) for combo in (self.method, self.reason_code)]
        )
        if lacking <= 0 or not self.destroy_box.isVisibleTo(self):
            return
        table, panel = self.splitter.sizes()
        wanted = min(panel + lacking, (table + panel) // PANEL_SHARE)
        if wanted > panel:
            self.splitter.setSizes([table + panel - wanted, wanted])

    # reading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reads the kits again, as many as were shown (the selection is kept on each reload:
        `_selection_reset`), and the study's longest shipment numbers, for the column's width."""
        self._follow_today()
        self._reload(keep=self.model.rowCount())
        found = attempt(
            self.message,
            lambda: inventory_pages.longest_shipments(self.session.ctx, self.session.actor),
        )
        self._shipments = found or ()
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Each column as wide as what it shows: the status as wide as any status can read (not
        only those of the rows read so far: a page of available kits once cut "Quarantined"),
        the whereabouts taking the width to spare, and the first cut in a narrow window."""
        shown = shown_status_words().values()
        least = {STATUS_COLUMN: max(cell_width(self.table, text) for text in shown)}
        shipments = [cell_width(self.table, number) for number in self._shipments]
        least[SHIPMENT_COLUMN] = max(shipments, default=0)
        fit_columns(self.table, stretch=WHERE_COLUMN, least=least)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The table resized (the window, or the splitter moved): its columns fitted again."""
        # getattr: Qt may still deliver an event while Python tears the screen down
        if watched is getattr(self, "table", None) and event.type() == QEvent.Type.Resize:
            self._fit_timer.start()
        return super().eventFilter(watched, event)

    def _search_changed(self) -> None:
        """The search typed: read at once when typed by hand; a key that follows the one
        before faster than a person types (a scanner) waits for the keys to stop."""
        if self._search_keys.key("") and not self._search_timer.isActive():
            self._filters_changed()
        else:
            self._search_timer.start()  # again from the start at each fast key

    def _filters_changed(self) -> None:
        """A filter changed: the first page of what it finds."""
        self._search_timer.stop()
        self._reload()

    def _query(self) -> KitQuery:
        """The filters and the order shown, as the service takes them."""
        text = self.search.text().strip().lower()
        # by the words the Status column shows ("held", "暂扣"), as the service gives them
        words = shown_status_words().items()
        statuses = frozenset(code for code, word in words if text and text in word.lower())
        status, held, short = status_choice(self.status.currentData())
        order = KIT_ORDERS[self.model.sort_column] or KitOrder.EXPIRY
        return KitQuery(
            text=text,
            text_statuses=statuses,
            status=status,
            held=held,
            short=short,
            product=self.product.currentData(),
            expiring_by=self._expiring_by,
            order=order,
            descending=self.model.descending,
        )

    def _fetch(self, offset: int, limit: int, _column: int, _descending: bool) -> list[KitRow]:
        """One page, for the model (which holds the order `_query` reads)."""
        query = self._query()
        rows = attempt(
            self.message,
            lambda: inventory_pages.inventory_page(
                self.session.ctx, self.session.actor, query, offset, limit
            ),
        )
        return rows or []

    def _reload(self, keep: int = 0) -> None:
        """The rows again, and the summary; the columns keep their widths (fitted by
        `refresh`: fitting them reads every cell of the rows read, on each keystroke)."""
        self.model.reload(keep)
        self._update_summary()

    def _sort_refused(self, _column: int) -> None:
        """The header shows the order the rows are in (a click on the tablets, say, changes
        nothing)."""
        header = self.table.horizontalHeader()
        order = (
            Qt.SortOrder.DescendingOrder if self.model.descending else Qt.SortOrder.AscendingOrder
        )
        header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column, order)
        header.blockSignals(False)
        header.viewport().repaint()  # the indicator drawn now, signals having been blocked

    def _remember_selection(self) -> None:
        self._kept = {r.number for r in self.selected()}

    def _selection_reset(self) -> None:
        """After each reload (new filters, a header clicked, a step written) the kits selected
        that are still found stay selected."""
        kept, self._kept = self._kept, set()
        if kept:
            self._reselect(kept)
        if kept and not self.selected():
            # The kits selected left the list (a quarantined kit under "Available"): a reset
            # clears the selection without a signal, and the panel would still describe them.
            self._selection_changed()

    def _follow_today(self) -> None:
        """The destruction date stays today (the screen may stay open past midnight) unless
        the user chose another day."""
        today = self.session.ctx.clock.today()
        if self.destroyed_on.entered() == self._default_day and today != self._default_day:
            self._default_day = today
            self.destroyed_on.setDate(qdate(today))

    def _read_all(self) -> None:
        """Before Select all: the rows not read yet, when the filters find few enough kits
        (counted by the service) to read them at once."""
        if not self.model.canFetchMore():
            return
        query = self._query()
        found = attempt(
            self.message,
            lambda: inventory_pages.inventory_summary(self.session.ctx, self.session.actor, query),
        )
        if found is not None and found.kits <= SELECT_ALL_READS:
            self.model.load_to(found.kits)

    def _reselect(self, numbers: set[str]) -> None:
        """Keeps the user's selection across a reload: a kit selected that is now further down
        than the rows read is looked for (where it stands) and read up to, within reason."""
        if not numbers:
            return
        loaded = {r.number for r in self.model.rows}
        missing = sorted(numbers - loaded)
        if missing and len(missing) <= 50:
            query = self._query()
            places = [self._position(query, number) for number in missing]
            found = [p for p in places if p is not None and p < FAR]
            if found:
                self.model.load_to(max(found) + 1)
        self._select_loaded(numbers)

    def _position(self, query: KitQuery, number: str) -> int | None:
        return attempt(
            self.message,
            lambda: inventory_pages.inventory_position(
                self.session.ctx, self.session.actor, query, number
            ),
        )

    def _select_loaded(self, numbers: set[str]) -> int:
        """Selects the rows read of these kits; how many."""
        chosen = QItemSelection()
        last = self.proxy.columnCount() - 1
        found = 0
        for line, row in enumerate(self.model.rows):
            if row.number in numbers:
                chosen.select(self.proxy.index(line, 0), self.proxy.index(line, last))
                found += 1
        self.table.selectionModel().select(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        return found

    @property
    def counting(self) -> bool:
        """True while the count of a search (or a scanned search itself) waits for typing to
        pause."""
        return self._count_timer.isActive() or self._search_timer.isActive()

    def _update_summary(self) -> None:
        """The kits the filters find and the tablets available in them, counted by the service
        (not by the rows read so far); a search's count once typing pauses."""
        if self._query().text:
            self.summary.setText(self.tr("Counting the kits found…"))
            self._count_timer.start()  # again from the start at each keystroke
            return
        self._count_timer.stop()
        self._count_found()

    def _count_found(self) -> None:
        """The summary of what the filters find now (for a search, the text typed last)."""
        query = self._query()
        found = attempt(
            self.message,
            lambda: inventory_pages.inventory_summary(self.session.ctx, self.session.actor, query),
        )
        self._found = None if found is None else found.kits
        if found is None:
            self.summary.clear()
            return
        self._say_found(found)
        if found.held:  # left out of the units available (rules.in_stock): said why
            self.summary.setText(
                self.tr(
                    "{found}\n{n} held for a count difference, not counted as available"
                ).format(
                    found=self.summary.text(),
                    n=self.tr("1 kit")
                    if found.held == 1
                    else self.tr("{n} kits").format(n=found.held),
                )
            )
        if found.short:  # left out too: every dispense refuses them (the service's rule)
            self.summary.setText(
                self.tr("{found}\n{n} too short-dated, not counted").format(
                    found=self.summary.text(),
                    n=self.tr("1 kit")
                    if found.short == 1
                    else self.tr("{n} kits").format(n=found.short),
                )
            )

    def _say_found(self, found: InventorySummary) -> None:
        """The kits found and the units available in them, in the study's units."""
        study = self.session.ctx.study
        present = [(code, units) for code, units in found.by_product if units]
        if not found.by_product and len(study.products) == 1:  # the one product's own word
            present = [(study.products[0].code, found.tablets_available)]
        if len(present) == 1:  # of a study of several products, one has units available
            code, units = present[0]
            self.summary.setText(
                by_count(
                    found.kits,
                    self.tr("1 kit shown; {units} available"),
                    self.tr("{n} kits shown; {units} available"),
                ).format(n=found.kits, units=units_of(study, code, units))
            )
            return
        if present:  # several products: each in its own unit, a line each
            lines = [
                by_count(
                    found.kits,
                    self.tr("1 kit shown; available:"),
                    self.tr("{n} kits shown; available:"),
                ).format(n=found.kits)
            ]
            lines += [
                self.tr("{units} ({product})", "units available of a product").format(
                    units=units_of(study, code, count), product=product_label(study, code)
                )
                for code, count in present
            ]
            self.summary.setText("\n".join(lines))
            return
        if not study.tablets_only:  # nothing available: "0 capsules", not "0 tablets"
            nothing = study.units_each((p.code, 0) for p in study.products)
            self.summary.setText(
                by_count(
                    found.kits,
                    self.tr("1 kit shown; {units} available"),
                    self.tr("{n} kits shown; {units} available"),
                ).format(n=found.kits, units=nothing)
            )
            return
        self.summary.setText(
            by_count(
                found.kits,
                self.tr("1 kit shown; {tablets} tablets available"),
                self.tr("{n} kits shown; {tablets} tablets available"),
            ).format(n=found.kits, tablets=found.tablets_available)
        )

    def selected(self) -> list[KitRow]:
        """The kits of the lines selected, in the order shown."""
        selection = self.table.selectionModel()
        if selection is None:
            return []
        lines = sorted(index.row() for index in selection.selectedRows())
        return [self.model.row_at(line) for line in lines if line < self.model.rowCount()]

    def _selection_changed(self) -> None:
        kits = self.selected()
        if not kits:
            self.selection_label.setText(
                self.tr("Select one or more kits (Ctrl-click for several).")
            )
        elif len(kits) == 1:
            k = kits[0]
            study = self.session.ctx.study
            line = (
                self.tr(
                    "<b>Kit {kit}</b>: {product}, lot {lot}, expires {expiry}<br>"
                    "{status}, {tablets} tablets, {where}"
                )
                if study.tablets_only
                else self.tr(  # "28 capsules" / 28粒: a capsule kit's units in their word
                    "<b>Kit {kit}</b>: {product}, lot {lot}, expires {expiry}<br>"
                    "{status}, {units}, {where}"
                )
            )
            self.selection_label.setText(
                line.format(
                    kit=k.number,
                    product=product_label(study, k.product),
                    lot=k.lot,
                    expiry=k.expiry.isoformat(),
                    status=term(k.status.label),
                    tablets=k.tablets,
                    units=units_of(study, k.product, k.tablets),
                    where=k.where,
                )
            )
        else:
            listed = separated_first([k.number for k in kits], 12)
            if len(kits) == self.model.rowCount() and self.model.canFetchMore():
                # Every row read is selected, but the filters find more kits than were read.
                text = self.tr(
                    "<b>{n} of {total} kits selected</b> (scroll to load the rest): {kits}"
                ).format(n=len(kits), total=self._found if self._found else "?", kits=listed)
            else:
                text = self.tr("<b>{n} kits selected</b>: {kits}").format(n=len(kits), kits=listed)
            self.selection_label.setText(text)
        numbers = [k.number for k in kits]
        self.clear_button.setEnabled(bool(kits))
        self._offer(self.quarantine_button, Permission.QUARANTINE, numbers)
        self._offer(self.release_button, Permission.RELEASE, numbers)
        self._offer_count(numbers)
        self._assess_destroy()  # at once: the kits are read in batches (a few statements)

    def _offer(self, button: QPushButton, action: Permission, numbers: list[str]) -> None:
        """The button enabled only for kits the service would quarantine (or release): its
        assessment says; why not, in the button's tooltip. The step itself still refuses what
        it refuses (a kit moved by another workstation since)."""
        button.setToolTip("")
        if not numbers or not may(self.session.actor, action):
            button.setEnabled(False)
            return
        assess = (
            quarantine.assess_quarantine
            if action is Permission.QUARANTINE
            else quarantine.assess_release
        )
        try:
            found = assess(self.session.ctx, self.session.actor, numbers)
        except DispensaryError:
            button.setEnabled(True)  # the step gives the refusal when clicked
            return
        refused = [v.message for v in found if not v.accepted]
        button.setEnabled(not refused)
        shown = sentences(refused[:REFUSALS_SHOWN])
        button.setToolTip(shown + (" …" if len(refused) > REFUSALS_SHOWN else ""))

    def _offer_count(self, numbers: list[str]) -> None:
        """Count... enabled for one kit the service would count: its assessment of the kit
        scanned, not yet counted (`counts.assess_count`, as the count dialog opens with), says;
        why not (a kit dispensed, returned or destroyed is not on the shelf), in the tooltip."""
        button = self.count_button
        button.setToolTip(self.tr("A blind physical count of the selected kit"))
        if len(numbers) != 1 or not may(self.session.actor, Permission.COUNT):
            button.setEnabled(False)
            return
        try:
            found = counts.assess_count(
                self.session.ctx, self.session.actor, CountRequest(numbers[0])
            )
        except DispensaryError:
            button.setEnabled(True)  # the dialog gives the refusal when it opens
            return
        button.setEnabled(not found.refused)
        if found.refused:
            button.setToolTip(sentences(r.message for r in found.refusals))

    def open_record(self, kind: str, ref: str) -> None:
        """The kits in quarantine (of the product `ref`, when given) listed by the filters, as
        the Today screen's quarantine lines ask; the kits its expiring card counts (expiring
        by `ref`, the service's window); any other record as if scanned."""
        if kind == OpenKind.EXPIRING.value:
            self._open_expiring(date.fromisoformat(ref))
            return
        if kind != OpenKind.QUARANTINED.value:
            super().open_record(kind, ref)
            return
        self._drop_expiring()
        self.search.clear()
        self.product.setCurrentIndex(max(self.product.findData(ref), 0) if ref else 0)
        self.status.setCurrentIndex(self.status.findData(KitStatus.QUARANTINED.value))
        self._filters_changed()

    def _open_expiring(self, last_day: date) -> None:
        """Every kit on the shelf or in quarantine whose lot expires by `last_day`, as the
        Today screen's expiring card counts them (KitQuery.expiring_by: the service's rule),
        whatever the other filters said."""
        for widget in (self.search, self.status, self.product, self.expiring):
            widget.blockSignals(True)
        self.search.clear()
        self.status.setCurrentIndex(0)
        self.product.setCurrentIndex(0)
        self._expiring_by = last_day
        self.expiring.setText(self.tr("Expiring by {date}").format(date=shown_date(last_day)))
        self.expiring.setToolTip(
            self.tr(
                "Only the kits on the shelf or in quarantine whose lot expires by {date}, as the "
                "Today screen counts them. Untick to list every kit."
            ).format(date=shown_date(last_day))
        )
        self.expiring.setChecked(True)
        self.expiring.setVisible(True)
        for widget in (self.search, self.status, self.product, self.expiring):
            widget.blockSignals(False)
        self._filters_changed()

    def _drop_expiring(self) -> None:
        """The expiring card's filter put away (no reload: the caller reloads)."""
        self._expiring_by = None
        self.expiring.blockSignals(True)
        self.expiring.setChecked(False)
        self.expiring.blockSignals(False)
        self.expiring.setVisible(False)

    def _expiring_toggled(self, on: bool) -> None:
        """Unticked: every kit again, the box put away until the Today screen opens it."""
        if not on:
            self._drop_expiring()
            self._filters_changed()

    def open_kit(self, number: str) -> bool:
        """Selects and shows a kit, alone; clears filters that hide it."""
        return self._show_kit(number, quiet=False)

    def handle_scan(self, code: str) -> bool:
        """A kit of this pharmacy is shown here, added to the kits selected (a list built at
        the scanner: `_new_list` says when it starts again); anything else goes back to the
        main window."""
        if is_dispense_number(code):
            return False
        return self._show_kit(code, quiet=True, add=not self._new_list)

    def clear_selection(self) -> None:
        """Esc, Clear selection: no kit selected; the next kit scanned starts a new list."""
        self.table.clearSelection()
        self._new_list = True
        self.message.clear_message()

    def _show_kit(self, number: str, quiet: bool, add: bool = False) -> bool:
        """Selects and shows a kit: alone, or (`add`) with the kits selected, which stay
        selected when it is already among them (said in the message bar)."""
        try:
            wanted = normalise_kit_number(number)
        except InvalidInput as exc:
            if not quiet:
                self.message.show_message(exc.message)
            return False
        self.message.clear_message()
        before = [k.number for k in self.selected()] if add else []
        if wanted in before:  # scanned twice: listed once
            shown = [k.number for k in self.model.rows].index(wanted)
            self.table.scrollTo(
                self.proxy.index(shown, 0), QAbstractItemView.ScrollHint.PositionAtCenter
            )
            self.message.show_message(
                by_count(
                    len(before),
                    self.tr("Kit {kit} is already selected: it is listed once."),
                    self.tr("Kit {kit} is already selected, listed once: {n} kits selected."),
                ).format(kit=wanted, n=len(before)),
                "warning",
            )
            return True
        self._search_timer.stop()  # a search scanned before: the kit's list replaces it
        filtered = self.status.currentIndex() or self.product.currentIndex()
        if filtered or self.search.text() or self._expiring_by is not None:
            self._drop_expiring()
            for widget in (self.search, self.status, self.product):
                widget.blockSignals(True)
            self.search.clear()
            self.status.setCurrentIndex(0)
            self.product.setCurrentIndex(0)
            for widget in (self.search, self.status, self.product):
                widget.blockSignals(False)
        self._follow_today()
        if not add:
            self.table.clearSelection()
        self._reload(keep=self.model.rowCount())  # the kits selected stay selected
        line = self._position(self._query(), wanted)
        if line is not None and line >= FAR:
            # Far down a long list: the list is narrowed to the kit's number instead.
            self.search.blockSignals(True)
            self.search.setText(wanted)
            self.search.blockSignals(False)
            self._reload()
            line = self._position(self._query(), wanted)
        if line is not None:
            self.model.load_to(line + 1)
        if line is not None and line < self.model.rowCount():
            self._select_line(line, add)
            self._say_added(wanted, before)
            self._new_list = False
            return True
        if not quiet:
            self.message.show_message(
                self.tr(
                    "Kit {kit} is not in this pharmacy's stock. Check the number, or receive "
                    "the kit's shipment first."
                ).format(kit=wanted)
            )
        return False

    def _select_line(self, line: int, add: bool) -> None:
        """The kit of this line selected (`add`: with those selected) and shown."""
        index = self.proxy.index(line, 0)
        flags = QItemSelectionModel.SelectionFlag.Rows | (
            QItemSelectionModel.SelectionFlag.Select
            if add
            else QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        selection = self.table.selectionModel()
        selection.select(index, flags)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _say_added(self, kit: str, before: list[str]) -> None:
        """The message bar says the kit scanned was added to a list; a kit selected before that
        the list shown lost (narrowed to a kit far down it) is named."""
        if not before:
            return
        now = {k.number for k in self.selected()}
        lost = [number for number in before if number not in now]
        if lost:
            self.message.show_message(
                self.tr(
                    "Kit {kit} selected. Kits selected before are not in the list shown (it "
                    "was narrowed to {kit}, far down the list): {lost}. Select them by a search "
                    "or a filter, or act on them apart."
                ).format(kit=kit, lost=separated_first(lost, 12)),
                "warning",
            )
            return
        self.message.show_message(
            self.tr("Kit {kit} added: {n} kits selected. Esc clears the list.").format(
                kit=kit, n=len(now)
            ),
            "ok",
        )

    # writing ------------------------------------------------------------------------------

    def _numbers(self) -> list[str]:
        return [k.number for k in self.selected()]

    def _quarantine(self) -> None:
        kits = self._numbers()
        reason = ReasonDialog.ask(
            self,
            self.tr("Quarantine"),
            by_count(
                len(kits),
                self.tr("Why is {kits} set aside? It cannot be dispensed until released."),
                self.tr("Why are {kits} set aside? They cannot be dispensed until released."),
            ).format(kits=kits_named(kits)),  # the rest counted: the dialog fits the screen
            self.tr("&Quarantine"),
            whole=separated(kits) if len(kits) > KITS_NAMED else "",
        )
        if reason is None:
            return
        done = attempt(
            self.message,
            lambda: quarantine.quarantine(self.session.ctx, self.session.actor, kits, reason),
        )
        if done is not None:
            self._written(
                self.tr("Quarantined {kits}: {reason}.").format(
                    kits=kits_named(done.kits),
                    reason=done.reason,  # the reason in sight
                )
            )

    def _open_history(self, index: QModelIndex) -> None:
        """The kit of the row opened (Enter, double-click): its history, in a dialog."""
        row = self.proxy.mapToSource(index).row()
        if row < 0 or row >= self.model.rowCount():
            return
        show_kit_history(self, self.session, self.message, self.model.row_at(row).number)

    def _release(self) -> None:
        kits = self._numbers()
        verdicts = attempt(
            self.message,
            lambda: quarantine.assess_release(self.session.ctx, self.session.actor, kits),
        )
        held = [(v.kit, [c.text for c in v.held_for]) for v in verdicts or ()]
        answer = ReleaseDialog.ask(self, kits, held)
        if answer is None:
            return
        reason, reference = answer
        actor = self.session.actor
        # The release puts the kits back in dispensable stock: the pharmacist signs it.
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            SignatureMeaning.RELEASED.value,
            self.tr(
                "Release of {kits} from quarantine on the sponsor's decision {reference}"
            ).format(kits=kits_named(kits), reference=reference),
            whole=separated(kits) if len(kits) > KITS_NAMED else "",
        )
        if password is None:
            return
        done = signed(
            self.message,
            lambda: quarantine.release(
                self.session.ctx, actor, kits, reason, reference, password=password
            ),
        )
        if done is not None:
            said = self.tr(
                "Released {kits} on the sponsor's decision {reference}: {reason}."
            ).format(
                kits=kits_named(done.kits),  # the reference and the reason in sight
                reference=done.sponsor_reference,
                reason=done.reason,
            )
            if done.relabel_note:  # their labels may say QUARANTINED: DO NOT DISPENSE
                said = self.tr("{released} {relabel}").format(
                    released=said, relabel=done.relabel_note
                )
            self._written(said, "warning" if done.relabel_note else "ok")

    def _count(self) -> None:
        kits = self._numbers()
        if len(kits) != 1:
            return
        done = CountDialog.run(self, self.session, kits[0])
        if done is None:
            return
        if done.open:  # the dispense and the destruction refuse it until it is settled
            self._written(
                self.tr(
                    "Count of kit {kit} recorded: {counted} counted, {book} in the book, not "
                    "adjusted. The kit is held for the difference: it is neither dispensed nor "
                    "destroyed until you count it again (Count...) or record the adjustment "
                    "with a reason code, a reason and a second person."
                ).format(kit=done.kit, counted=done.counted, book=done.book),
                "warning",
            )
        elif done.adjusted:
            self._written(
                self.tr(
                    "Count of kit {kit} recorded; the ledger was adjusted by {difference}."
                ).format(kit=done.kit, difference=f"{done.difference:+d}")
            )
        else:
            self._written(self.tr("Count of kit {kit} recorded.").format(kit=done.kit))

    @property
    def assessing(self) -> bool:
        """True while the destruction's assessment waits for typing in its form to pause."""
        return self._assess_timer.isActive()

    def _destroy_form_changed(self) -> None:
        """A keystroke or a change in the destroy form: assessed again once typing pauses
        (ASSESS_AFTER_TYPING_MS), so that typing never waits for it; until then Destroy is
        disabled, its verdict being that of what was typed before."""
        self.destroy_button.setEnabled(False)
        self._assess_timer.start()  # again from the start at each change

    def _assess_destroy(self, unseen_returns_ok: bool = False) -> DestroyAssessment | None:
        """The service's verdict on destroying the selected kits with the paperwork typed, shown
        in the panel: each kit refused with what to do, the tablets that would leave. Destroy
        is enabled once it is given, for any kit selected (a refusal is given again when it is
        clicked: the service has the last word)."""
        self._assess_timer.stop()
        kits = self._numbers()
        self.destroy_button.setEnabled(bool(kits))
        self._destroy_refusal = ""
        self.witness_who.clear()
        if not kits or not may(self.session.actor, Permission.DESTROY):
            self.destroy_verdict.clear()
            return None
        try:
            request = DestroyRequest(
                tuple(kits),
                self.witness.text(),
                self._method(),
                # as typed: "2026-02-30" refused here, never assessed as the date held before
                destroyed_on=self.destroyed_on.typed_date(self.tr("Date destroyed")),
                reference=self.reference.text(),
                to_sponsor=self.to_sponsor.isChecked(),
                reason_code=self.reason_code.currentData(),
                unseen_returns_ok=unseen_returns_ok,
            )
            found = destruction.assess_destroy(self.session.ctx, self.session.actor, request)
        except DispensaryError as exc:  # e.g. a date in the future
            self._destroy_refusal = exc.message
            self.destroy_verdict.setText(escape(exc.message))
            return None
        if found.witness_shown:
            self.witness_who.setText(found.witness_shown)
        # Each kit refused and each paperwork refusal: the service's words, as it wrote them.
        refused = self.tr("<span style='color:#c62828'>{message}</span>")
        lines = [refused.format(message=escape(v.message)) for v in found.kits if not v.accepted]
        study = self.session.ctx.study
        leaving = [v for v in found.kits if v.accepted]
        if study.tablets_only or not leaving:
            said = by_count(
                len(found.destroyable),
                self.tr(
                    "{n} kit, <b>{tablets}</b> tablets would leave: {from_stock} from the shelf, "
                    "{returned} returned (held for the monitor)."
                ),
                self.tr(
                    "{n} kits, <b>{tablets}</b> tablets would leave: {from_stock} from the shelf, "
                    "{returned} returned (held for the monitor)."
                ),
            ).format(
                n=len(found.destroyable),
                tablets=found.tablets,
                from_stock=found.from_stock,
                returned=found.from_returned,
            )
        else:  # capsules said as capsules ("共 56 片将出库" of capsules), each form its own word
            said = by_count(
                len(found.destroyable),
                self.tr(
                    "{n} kit, <b>{units}</b> would leave: {from_stock} from the shelf, "
                    "{returned} returned (held for the monitor)."
                ),
                self.tr(
                    "{n} kits, <b>{units}</b> would leave: {from_stock} from the shelf, "
                    "{returned} returned (held for the monitor)."
                ),
            ).format(
                n=len(found.destroyable),
                units=study.units_each([(v.product, v.tablets) for v in leaving]),
                from_stock=study.units_each(
                    [(v.product, v.tablets) for v in leaving if not v.from_returned]
                ),
                returned=study.units_each(
                    [(v.product, v.tablets) for v in leaving if v.from_returned]
                ),
            )
        lines.append(said)
        kit_codes = (DestroyCheck.KIT, DestroyCheck.KIT_UNKNOWN, DestroyCheck.DATE)  # shown above
        paperwork = [r.message for r in found.refusals if r.code not in kit_codes]
        caution = self.tr("<span style='color:#7a4b00'>{message}</span>")
        lines += [caution.format(message=escape(m)) for m in paperwork]
        if found.unseen_returns_ok:  # acknowledged: the warning stays in sight
            lines += [caution.format(message=escape(w)) for w in found.warnings]
        self.destroy_verdict.setText("<br>".join(lines))
        return found

    def _to_refused_field(self, code: DestroyCheck) -> None:
        """The cursor to the field the service's first refusal is about, scrolled into sight in
        the side panel (at 1366x768 the reason was below it, the cursor left on the button)."""
        fields: dict[DestroyCheck, QWidget] = {
            DestroyCheck.REASON_NEEDED: self.reason_code,
            DestroyCheck.REASON_CODE: self.reason_code,
            DestroyCheck.METHOD: self.method,
            DestroyCheck.REFERENCE: self.reference,
            DestroyCheck.DATE: self.destroyed_on,
        }
        witness = (
            DestroyCheck.WITNESS,
            DestroyCheck.WITNESS_SELF,
            DestroyCheck.WITNESS_UNKNOWN,
            DestroyCheck.WITNESS_INACTIVE,
            DestroyCheck.WITNESS_ACCESS,
        )
        field = self.witness if code in witness else fields.get(code)
        if field is None:  # a kit refused: the table shows which
            return
        if isinstance(self.panel, SidePanel):
            self.panel.ensureWidgetVisible(field)
        field.setFocus()

    def _destroy(self) -> None:
        mistyped_day = mistyped_date([(self.destroyed_on, self.tr("Date destroyed"))])
        if mistyped_day is not None:  # "2026-01-3O": said, never the field's old date
            typed_in, said = mistyped_day
            self.message.show_message(said, "error")
            typed_in.refuse()  # left as typed, marked, selected to be typed again
            return
        found = self._assess_destroy()
        if found is None:
            self.message.show_message(
                self._destroy_refusal or self.tr("Select the kits to destroy.")
            )
            return
        if found.refused and all(
            r.code is DestroyCheck.UNSEEN_RETURNS for r in found.refusals
        ):  # the service asks for an acknowledgement: the user gives it, or nothing is done
            tablets_only = self.session.ctx.study.tablets_only
            if not UnseenReturnsQuestion.ask(self, sentences(found.warnings), tablets_only):
                return
            found = self._assess_destroy(unseen_returns_ok=True)
            if found is None:
                self.message.show_message(self._destroy_refusal)
                return
        if found.refused:
            self.message.show_message(sentences(r.message for r in found.refusals))
            self._to_refused_field(found.refusals[0].code)
            return
        actor = self.session.actor
        kits = [v.kit for v in found.kits]
        if found.to_sponsor:
            summary = by_count(
                len(kits),
                self.tr(
                    "Return to the sponsor of {n} kit: {kits} ({tablets}) on {day}, "
                    "witnessed by {witness}, authorised by {reference}"
                ),
                self.tr(
                    "Return to the sponsor of {n} kits: {kits} ({tablets}) on {day}, "
                    "witnessed by {witness}, authorised by {reference}"
                ),
            )
        else:
            summary = by_count(
                len(kits),
                self.tr(
                    "Destruction of {n} kit: {kits} ({tablets}) on {day}, "
                    "witnessed by {witness}, authorised by {reference}"
                ),
                self.tr(
                    "Destruction of {n} kits: {kits} ({tablets}) on {day}, "
                    "witnessed by {witness}, authorised by {reference}"
                ),
            )
        said = summary.format(
            n=len(kits),
            kits=separated(kits),
            tablets=self._units_leaving([(v.product, v.tablets) for v in found.kits]),
            day=found.destroyed_on.isoformat(),
            witness=found.witness_shown,  # with their role, as the certificate names them
            reference=found.reference,
        )
        password = SignatureDialog.ask(
            self, actor.full_name, destruction.signer_meaning(found.to_sponsor).value, said
        )
        if password is None:
            return
        # The witness signs last, in the same dialog, what they see: these kits, these
        # quantities, this authorisation (a password typed earlier in the panel was kept
        # after a cancel and went with other kits selected since). Not signed in, the witness
        # types both components, their own user name and their password (11.200(a)(1)).
        witness_signs = SignatureDialog.ask_second(
            self, found.witness_name, SignatureMeaning.WITNESSED.value, said
        )
        if witness_signs is None:
            self.message.show_message(
                self.tr("Nothing recorded: the witness did not sign."), "warning"
            )
            return
        done = self._submit_destruction(found, kits, password, witness_signs, said)
        if done is None:
            return
        self.witness.clear()
        self.reference.clear()
        self.reason_code.setCurrentIndex(0)
        self.to_sponsor.setChecked(False)
        self._default_day = self.session.ctx.clock.today()
        self.destroyed_on.setDate(qdate(self._default_day))
        if done.to_sponsor:
            written = by_count(
                len(done.kits),
                self.tr(
                    "{n} kit, {tablets}, returned to the sponsor on {day} "
                    "(record {record}), witnessed by {witness}."
                ),
                self.tr(
                    "{n} kits, {tablets}, returned to the sponsor on {day} "
                    "(record {record}), witnessed by {witness}."
                ),
            )
        else:
            written = by_count(
                len(done.kits),
                self.tr(
                    "{n} kit, {tablets}, destroyed on {day} (record {record}), "
                    "witnessed by {witness}."
                ),
                self.tr(
                    "{n} kits, {tablets}, destroyed on {day} (record {record}), "
                    "witnessed by {witness}."
                ),
            )
        self._written(
            written.format(
                n=len(done.kits),
                tablets=self._units_leaving(done.by_product),
                day=done.destroyed_on.isoformat(),
                record=done.destruction_id,
                witness=done.witness,
            )
        )

    def _units_leaving(self, counts: list[tuple[str, int]] | tuple[tuple[str, int], ...]) -> str:
        """The units a destruction takes, as signed for and as done: "56 tablets" in a study
        of tablets only, else each form in its own word ("56 capsules", "28粒 + 30片"): the
        signed summary of a capsule study said "(56 tablets)"."""
        study = self.session.ctx.study
        if study.tablets_only:
            return self.tr("{n} tablets", "units a destruction takes").format(
                n=sum(n for _, n in counts)
            )
        return study.units_each(counts)

    def _submit_destruction(
        self,
        found: DestroyAssessment,
        kits: list[str],
        password: str,
        witness_signs: tuple[str, str],
        said: str,
    ) -> DestroyResult | None:
        """Submits the destruction as assessed and signed (`found`: the paperwork both signers
        saw), signed by the one destroying and by the witness (`witness_signs`: the user name
        and password the witness typed). The service offers no check of the witness's
        signature that records nothing, so both are asked before the one submission; a wrong
        witness's password or a user name not the witness's (refused by the service, nothing
        of the destruction saved) is typed again by the witness here, and the same submission
        goes again with the signature already given: the one destroying does not sign twice.
        Cancelled: nothing recorded. The passwords are held only until then."""
        actor = self.session.actor
        witness_typed, witness_password = witness_signs
        while True:
            try:
                return destruction.destroy(
                    self.session.ctx,
                    actor,
                    kits,
                    found.witness,
                    found.method,
                    password,
                    destroyed_on=found.destroyed_on,
                    reference=found.reference,
                    to_sponsor=found.to_sponsor,
                    witness_password=witness_password,
                    witness_typed=witness_typed,
                    reason_code=found.reason_code,
                    unseen_returns_ok=found.unseen_returns_ok,
                )
            except SignatureFailed as failed:  # counted by the service; if not, the bar says why
                uncounted = f" ({failed.uncounted})" if failed.uncounted else ""
                self.message.show_message(f"{failed.message}{uncounted}", "error")
                if not failed.second:
                    return None
                again = SignatureDialog.ask_second(
                    self,
                    found.witness_name or failed.signer,
                    SignatureMeaning.WITNESSED.value,
                    f"{escape(failed.message, quote=False)}<br><br>{said}",  # the dialog reads rich text
                )
                if again is None:
                    return None
                witness_typed, witness_password = again
            except DispensaryError as exc:
                self.message.show_message(exc.message, "error")
                return None

    def _method(self) -> str:
        """The destruction method as recorded: an offered one in English, a typed one as typed."""
        text = self.method.currentText()
        offered = self.method.findText(text, Qt.MatchFlag.MatchExactly)
        data = self.method.itemData(offered) if offered >= 0 else None
        return str(data) if data else text

    def _written(self, text: str, kind: str = "ok") -> None:
        self._new_list = True  # the kits acted on are done: a scan starts a new list
        self.refresh()
        self.message.show_message(text, kind)
        self.changed.emit()
