"""Reconciliation: does every product, lot and kit balance, does the shelf agree with the last
physical count of each kit, what needs looking at, and the monitor's or pharmacist's signature
under it.

The ledger's verdicts written by the service (`ReconcileResult.physical`, each discrepancy's
"what to do") are shown as the service wrote them; the screen's own words are translated."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import DiscrepancyKind, SignatureMeaning
from dispensary.domain.errors import DispensaryError
from dispensary.i18n import utc_offset
from dispensary.services import queries, reconciliation, returns
from dispensary.services.permissions import Permission, may_in
from dispensary.services.results import (
    BalanceRow,
    Discrepancy,
    KitCountCheck,
    ReconcileResult,
    SignOffRow,
)
from dispensary.study import Study
from dispensary.ui.feedback import MessageBar, SignatureDialog
from dispensary.ui.forms import (
    action_button,
    attempt,
    banner_style,
    fit_columns,
    select_where,
    signed,
    strip_style,
    table_view,
    text_field,
)
from dispensary.ui.inventory_view import show_kit_history
from dispensary.ui.models.table import Column, RowFilterProxy, RowTableModel
from dispensary.ui.screen import ALL_ROLES, OpenKind, Screen
from dispensary.ui.session import AppSession
from dispensary.ui.vocabulary import term
from dispensary.ui.widgets import (
    by_count,
    heading,
    hidden_unless,
    product_label,
    wrapped_label,
)

RED, GREEN, AMBER = "#c62828", "#2e7d32", "#b26a00"
CAUTION_COLOURS = ("#fff4e0", "#7a4100", "#ffb74d")
"""Background, text and border colour of the amber banner."""


def caution_style() -> str:
    """The banner's amber strip: nothing is wrong in the ledger, but something is unchecked."""
    return strip_style(CAUTION_COLOURS)


def _balanced(row: BalanceRow) -> str:
    if row.balanced:
        return QCoreApplication.translate("ReconcileScreen", "balanced")
    return QCoreApplication.translate("ReconcileScreen", "NOT BALANCED")


def _last_counted(value: date | None) -> str:
    if value is None:
        return QCoreApplication.translate("ReconcileScreen", "NEVER COUNTED")
    return value.isoformat()


def balance_columns(
    identify: Sequence[Column[BalanceRow]], scope: str = "products"
) -> list[Column[BalanceRow]]:
    """A balance tab's columns: what names the line (`identifying_columns`), then its figures;
    a participant's as the report heads them (`participant_columns`)."""
    if scope == "participants":
        return [*identify, *participant_columns()]
    return [
        *identify,
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Received")), lambda r: r.received, align_right=True
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Dispensed")), lambda r: r.dispensed, align_right=True
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Returned")), lambda r: r.returned, align_right=True
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Destroyed")), lambda r: r.destroyed, align_right=True
        ),
        # Tablets count adjustments took off the book (a tablet found: -1), as the
        # accountability equation adds them: "Adjusted" alone read a breakage of -1 as +1. The
        # titles of this column and of the held returns are shortened to fit a participant's
        # eleven columns at 1366x768; the header's tooltip gives the whole.
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Written off")),
            lambda r: r.adjusted,
            align_right=True,
            tooltip=str(QT_TRANSLATE_NOOP("Column", "Written off (adjusted)")),
        ),
        Column(str(QT_TRANSLATE_NOOP("Column", "On hand")), lambda r: r.on_hand, align_right=True),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Held")),
            lambda r: r.held_returned,
            align_right=True,
            tooltip=str(QT_TRANSLATE_NOOP("Column", "Held returned")),
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Balanced")),
            _balanced,
            colour=lambda r: GREEN if r.balanced else RED,
        ),
    ]


def participant_columns() -> list[Column[BalanceRow]]:
    """A participant's figures in the report's words and order (reports.reconciliation
    PARTICIPANT_COLUMNS): a participant never receives stock, so not "Received" and
    "Dispensed" but what was dispensed to them and what they brought back, then what of it is
    held, destroyed, written off or back in stock."""
    return [
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Dispensed to participant")),
            lambda r: r.dispensed,
            align_right=True,
            two_lines=True,
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Returned by participant")),
            lambda r: r.returned,
            align_right=True,
            two_lines=True,
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Held")),
            lambda r: r.held_returned,
            align_right=True,
            tooltip=str(QT_TRANSLATE_NOOP("Column", "Held returned")),
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Destroyed")), lambda r: r.destroyed, align_right=True
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Written off")),
            lambda r: r.adjusted,
            align_right=True,
            tooltip=str(QT_TRANSLATE_NOOP("Column", "Written off (adjusted)")),
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Back in stock")), lambda r: r.on_hand, align_right=True
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Balanced")),
            _balanced,
            colour=lambda r: GREEN if r.balanced else RED,
        ),
    ]


def lot_number(row: BalanceRow) -> str:
    """A lot line's lot number, without its product: the service keys it "<product>/<lot>" (a
    product code holds no '/')."""
    return row.key.partition("/")[2] or row.key


def lot_product(row: BalanceRow) -> str:
    """A lot line's product code."""
    return row.key.partition("/")[0]


def identifying_columns(scope: str, study: Study) -> list[Column[BalanceRow]]:
    """What names a line of a balance tab, as the other screens name it: a product as a
    pharmacist reads it on the shelf ("7.5 mg tablet", `product_label`), never its code, which
    a narrow column cut to "hero….5mg" for both strengths; a lot by its number, beside its
    product. The product is the last of them, the column that takes the spare width. The
    report and the CSV keep the service's keys and labels."""

    def product(code: Callable[[BalanceRow], str]) -> Column[BalanceRow]:
        return Column(
            str(QT_TRANSLATE_NOOP("Column", "Product")), lambda r: product_label(study, code(r))
        )

    if scope == "products":
        return [product(lambda r: r.key)]
    if scope == "lots":
        return [Column(str(QT_TRANSLATE_NOOP("Column", "Lot")), lot_number), product(lot_product)]
    if scope == "kits":
        return [
            Column(str(QT_TRANSLATE_NOOP("Column", "Kit")), lambda r: r.key),
            product(lambda r: r.label),
        ]
    # A participant's balance is one line per product: 7.5 mg and 2.5 mg tablets are never
    # added (the service gives one row per participant and product).
    return [
        Column(str(QT_TRANSLATE_NOOP("Column", "Participant")), lambda r: r.key),
        Column(str(QT_TRANSLATE_NOOP("Column", "Initials")), lambda r: r.label),
        product(lambda r: r.product),
    ]


def finding_columns(colour: str | None) -> list[Column[Discrepancy]]:
    """The columns of the findings to review (their kind in `colour`) and of the count
    differences on record: the report's (reports.reconciliation.findings_table), named as it
    names them. The finding is said as the service wrote it to be read beside its subject."""
    return [
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Kind")),
            lambda r: term(r.kind.label),
            colour=lambda r: colour,
        ),
        Column(str(QT_TRANSLATE_NOOP("Column", "Concerns")), lambda r: r.subject),
        Column(str(QT_TRANSLATE_NOOP("Column", "Date")), lambda r: r.on),
        # Beside the Concerns column: the participant named once (Discrepancy.beside_subject).
        Column(str(QT_TRANSLATE_NOOP("Column", "Finding")), lambda r: r.beside_subject),
    ]


DISCREPANCY_COLUMNS = finding_columns(RED)
"""The findings to review: someone must act on each (DiscrepancyKind.to_review)."""
ON_RECORD_COLUMNS = finding_columns(None)
"""The count differences adjusted and countersigned: a record, nothing to do."""


def signed_number(value: int | None) -> str:
    """A difference reads with its sign (+2, -1); none is 0, and never counted is blank."""
    if value is None:
        return ""
    return f"{value:+d}" if value else "0"


def _attention(row: KitCountCheck) -> str | None:
    """Never counted, or the last count differed from the book and was not adjusted: amber,
    to be looked at (KitCountCheck.unresolved)."""
    return AMBER if row.unresolved else None


def count_columns(study: Study) -> list[Column[KitCountCheck]]:
    """Each kit on the shelf: the book now against its last physical count, as the service
    assessed it (`KitCountCheck`); its product as the shelf reads it."""
    return [
        Column(str(QT_TRANSLATE_NOOP("Column", "Kit")), lambda r: r.kit, colour=_attention),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Product")), lambda r: product_label(study, r.product)
        ),
        Column(str(QT_TRANSLATE_NOOP("Column", "Lot")), lambda r: r.lot),
        Column(str(QT_TRANSLATE_NOOP("Column", "Book now")), lambda r: r.book, align_right=True),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Last counted")),
            lambda r: r.counted_on,
            colour=lambda r: RED if r.never_counted else None,
            text=_last_counted,
        ),
        Column(str(QT_TRANSLATE_NOOP("Column", "Counted")), lambda r: r.counted, align_right=True),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Book then")), lambda r: r.book_then, align_right=True
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Difference")),
            lambda r: r.difference,
            align_right=True,
            colour=lambda r: RED if r.difference else None,
            text=signed_number,
        ),
        # Shortened to fit eleven columns at 1366x768; the header's tooltip gives the whole.
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Moved")),
            lambda r: r.moved_since,
            align_right=True,
            text=signed_number,
            tooltip=str(QT_TRANSLATE_NOOP("Column", "Moved since the count")),
        ),
        Column(str(QT_TRANSLATE_NOOP("Column", "Counted by")), lambda r: r.counted_by),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Checked by")),
            lambda r: r.verified_by,
            tooltip=str(QT_TRANSLATE_NOOP("Column", "Countersigned by")),
        ),
    ]


# The headings of the report's table of sign-offs (reports.reconciliation), the same columns: it
# said "When" and "Name" where this said "Signed at" and "By" (经办人, "who handled it").
SIGNOFF_COLUMNS: list[Column[SignOffRow]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Signed at")), lambda r: r.at),
    Column(str(QT_TRANSLATE_NOOP("Column", "Name")), lambda r: r.full_name),
    Column(str(QT_TRANSLATE_NOOP("Column", "User")), lambda r: r.username),
    Column(str(QT_TRANSLATE_NOOP("Column", "Role")), lambda r: r.role),
    Column(str(QT_TRANSLATE_NOOP("Column", "Note")), lambda r: r.note),
    # What it attested and what was recorded since that changes it, as the service says them.
    Column(str(QT_TRANSLATE_NOOP("Column", "Attested")), lambda r: r.attested),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Changed since")),
        lambda r: r.changed,
        colour=lambda r: RED if r.changed else None,
    ),
]

SIGNOFF_WRAPPED = tuple(
    i for i, c in enumerate(SIGNOFF_COLUMNS) if c.title in ("Attested", "Changed since")
)
"""The sign-off columns of sentences the service says, wrapped onto more lines rather than cut
(at 1366x768 "Changed since" read "Records corrected or added since this sign…")."""

TABS = (
    ("products", QT_TRANSLATE_NOOP("ReconcileScreen", "Products")),
    ("lots", QT_TRANSLATE_NOOP("ReconcileScreen", "Lots")),
    ("kits", QT_TRANSLATE_NOOP("ReconcileScreen", "Kits")),
    ("participants", QT_TRANSLATE_NOOP("ReconcileScreen", "Participants")),
)
"""Each balance tab: its scope, and its title (in the context of the screen)."""


def placeholder_width(field: QLineEdit) -> int:
    """The width a line edit needs to show its placeholder whole: the text, with what Qt puts
    around 17 'x' in its `sizeHint` (padding, frame)."""
    metrics = field.fontMetrics()
    around = field.sizeHint().width() - 17 * metrics.horizontalAdvance("x")
    # A letter more: at exactly its width Qt cuts the placeholder's end for the cursor.
    return around + metrics.horizontalAdvance(field.placeholderText() + "x")


def buddy(text: str, field: QWidget) -> QLabel:
    """A field's label in a row, its '&' key jumping into the field."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


class ReconcileScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Reconciliation"))
    shortcut = QKeySequence("Ctrl+8").toString()
    roles = ALL_ROLES

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.result: ReconcileResult | None = None
        self._flags: list[tuple[str, int, str]] = []
        self._finding_views: list[QTableView] = []  # a line of each opens on Enter
        layout = QVBoxLayout(self)
        layout.setSpacing(4)  # every line spared goes to the tables
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Reconciliation")), 1)
        self.generated = QLabel()
        top.addWidget(self.generated)
        self.again = action_button(self.tr("Reconcile &again"), "reconcileAgain", self.refresh)
        top.addWidget(self.again)
        layout.addLayout(top)
        self.banner = wrapped_label("balanceBanner")
        layout.addWidget(self.banner)
        # The ledger balancing with itself says nothing of the shelf: the last counts do.
        self.shelf_banner = wrapped_label("shelfBanner")
        layout.addWidget(self.shelf_banner)
        # Which check of the audit trail the service made (in full, or since the last point
        # that verified), as it says it.
        self.audit_check = wrapped_label("auditCheck")
        layout.addWidget(self.audit_check)
        self.message = MessageBar()
        layout.addWidget(self.message)

        self.tabs = QTabWidget()
        # Below a balance tab's table (not the others', which have no Written off column):
        # what the written-off figure counts, on one line, in the report's words (its first
        # part); its sign in the tooltip, which is the report's whole note
        # (services.reconciliation.written_off_note). Two lines under every tab left the
        # tables about six rows at 1366x768.
        self.written_off = QLabel()
        self.written_off.setObjectName("writtenOffNote")
        if session.ctx.study.tablets_only:
            self.written_off.setText(
                self.tr(
                    "Written off (adjusted): tablets physical counts took off the book (broken, "
                    "lost), less the tablets they found."
                )
            )
        else:  # a capsule is not a tablet: each product's own units (written_off_note's words)
            self.written_off.setText(
                self.tr(
                    "Written off (adjusted): what physical counts took off the book (broken, "
                    "lost), less what they found, each product in its own units."
                )
            )
        self.written_off.setToolTip(reconciliation.written_off_note(session.ctx.study))
        self.stretch: dict[QTableView, int] = {}
        self.wrapped: dict[QTableView, tuple[int, ...]] = {}
        self.balances: dict[str, RowTableModel[BalanceRow]] = {}
        self.views: dict[str, QTableView] = {}
        study = session.ctx.study
        for scope, tab_title in TABS:
            identify = identifying_columns(scope, study)
            model: RowTableModel[BalanceRow] = RowTableModel(balance_columns(identify, scope), self)
            self.balances[scope] = model
            # The product gives way in a narrow window: the figures and their headers stay.
            shown = QCoreApplication.translate("ReconcileScreen", str(tab_title))
            view = self._add_tab(model, shown, stretch=len(identify) - 1)
            # Narrower than 1366x768, cut in the middle: both ends of a product stay, its
            # strength at the start in English ("7.5 mg tablet"), at the end in Chinese.
            view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
            self.views[scope] = view
            if scope == "kits":
                self._add_count_tab()
        # The findings as the report and the `reconcile` command list them, under their
        # headings: those to review (DiscrepancyKind.to_review), then the count differences
        # adjusted and countersigned, a record (one tab "Discrepancies (5, 4 to review)" named
        # them otherwise).
        self.discrepancies: RowTableModel[Discrepancy] = RowTableModel(DISCREPANCY_COLUMNS, self)
        self.discrepancy_view = self._add_findings_tab(
            self.discrepancies, self.tr("To review"), "toReviewTable"
        )
        self.on_record: RowTableModel[Discrepancy] = RowTableModel(ON_RECORD_COLUMNS, self)
        self.on_record_view = self._add_findings_tab(
            self.on_record, self.tr("Count differences on record"), "onRecordTable"
        )
        # Every cell's whole text its tooltip too (tooltip_from=0): a cell of a long note may
        # still be cut in a narrow window.
        self.signoffs: RowTableModel[SignOffRow] = RowTableModel(
            SIGNOFF_COLUMNS, self, tooltip_from=0
        )
        self.signoff_view = self._add_tab(
            self.signoffs, self.tr("Sign-offs"), stretch=4, wrap=SIGNOFF_WRAPPED
        )
        self.tabs.currentChanged.connect(self._fit_shown)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.written_off)

        # Each box one line high, side by side: in three and two rows they left the tables
        # about six rows at 1366x768.
        actions = QHBoxLayout()
        self.flag_box = QGroupBox(self.tr("Explain an adherence flag"))
        self.flag_box.setObjectName("flagBox")
        flag_row = QHBoxLayout(self.flag_box)
        flag_row.setContentsMargins(6, 3, 6, 5)
        flag_row.setSpacing(4)
        self.flag_choice = QComboBox()
        self.flag_choice.setObjectName("flagChoice")
        # The flag whole ("01-007, cycle 3 (DSP000033)"); the reason's example short enough
        # to read whole beside it, the longer one in its tooltip.
        self.flag_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.flag_reason = text_field("flagReason", self.tr("e.g. drug held 8 days"))
        self.flag_reason.setToolTip(self.tr("e.g. drug held by the investigator for 8 days"))
        self.flag_button = action_button(
            self.tr("Re&cord reason"), "recordFlagReason", self._explain
        )
        flag_row.addWidget(buddy(self.tr("F&lag"), self.flag_choice))
        flag_row.addWidget(self.flag_choice)
        flag_row.addWidget(buddy(self.tr("&Reason"), self.flag_reason))
        flag_row.addWidget(self.flag_reason, 1)
        flag_row.addWidget(self.flag_button)
        # In a closed study the reason is refused (its records are read, not added to): no form.
        hidden_unless(self.flag_box, may_in(session.actor, Permission.EXPLAIN_FLAG, session.ctx))
        actions.addWidget(self.flag_box, 1)

        self.sign_box = QGroupBox(self.tr("Sign off this reconciliation"))
        self.sign_box.setObjectName("signBox")
        sign_row = QHBoxLayout(self.sign_box)
        sign_row.setContentsMargins(6, 3, 6, 5)
        sign_row.setSpacing(4)
        self.note = text_field("signOffNote", self.tr("optional: what was checked"))
        self.note.setToolTip(self.tr("Optional: what was checked, findings discussed"))
        self.sign_button = action_button(self.tr("&Sign off..."), "signOff", self._sign_off)
        sign_row.addWidget(buddy(self.tr("&Note"), self.note))
        sign_row.addWidget(self.note, 1)
        sign_row.addWidget(self.sign_button)
        hidden_unless(self.sign_box, may_in(session.actor, Permission.SIGN_OFF, session.ctx))
        actions.addWidget(self.sign_box)
        layout.addLayout(actions)
        self._fit_shown()

    def _add_count_tab(self) -> None:
        """Every kit on the shelf against its last physical count; never counted marked."""
        self.counts: RowTableModel[KitCountCheck] = RowTableModel(
            count_columns(self.session.ctx.study), self
        )
        self.count_view = self._add_tab(self.counts, self.tr("Physical count"), stretch=1)
        self.count_view.setObjectName("countTable")
        # The product gives way in a window narrower than 1366x768, cut in the middle as on
        # the balance tabs.
        self.count_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.count_view.doubleClicked.connect(self._open_counted_kit)
        self.count_view.setToolTip(self.tr("Double-click a line to open the kit"))

    def _add_findings_tab(
        self, model: RowTableModel[Discrepancy], title: str, name: str
    ) -> QTableView:
        view = self._add_tab(model, title, stretch=3)
        view.setObjectName(name)
        view.setWordWrap(True)  # the finding is read whole, on as many lines
        self._finding_views.append(view)
        view.doubleClicked.connect(self._open_subject)
        view.installEventFilter(self)  # Enter opens it too, as in Inventory
        view.setToolTip(
            self.tr(
                "Double-click a line, or press Enter, to open its kit or participant (for a "
                "quarantine, the kit's history)"
            )
        )
        return view

    def _add_tab(
        self, model: QAbstractTableModel, title: str, stretch: int, wrap: tuple[int, ...] = ()
    ) -> QTableView:
        """`wrap`: columns that go onto more lines rather than be cut (`fit_columns`)."""
        proxy = RowFilterProxy(self)
        proxy.setSourceModel(model)
        view = table_view(proxy)
        view.horizontalHeader().setStretchLastSection(False)
        view.setWordWrap(bool(wrap))
        self.stretch[view] = stretch
        self.wrapped[view] = wrap
        self.tabs.addTab(view, title)
        return view

    def _fit(self, view: QTableView) -> None:
        fit_columns(view, stretch=self.stretch[view], wrap=self.wrapped.get(view, ()))
        if view.wordWrap():
            view.resizeRowsToContents()

    def _fit_shown(self) -> None:
        """A tab's columns are shared out when it is on screen, at the width it has then. The
        written-off note under a tab with a Written off column only (it was under every tab,
        the physical count's, the findings' and the sign-offs' too)."""
        view = self.tabs.currentWidget()
        self.written_off.setVisible(view in self.views.values())
        # The flag and each placeholder whole, measured in the style the screen is shown in.
        for field in (self.flag_reason, self.note):
            field.setMinimumWidth(placeholder_width(field))
        self.flag_choice.setMinimumWidth(min(self.flag_choice.sizeHint().width(), 280))
        if isinstance(view, QTableView) and view in self.stretch:
            self._fit(view)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter (either key) on a finding opens it, as a double-click does."""
        if (
            isinstance(watched, QTableView)
            and watched in self._finding_views
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and watched.currentIndex().isValid()
        ):
            self._open_subject(watched.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_shown()

    def open_record(self, kind: str, ref: str) -> None:
        """The findings to review, on their tab, as the Today screen's card of them asks (its
        "… and N more" opened whichever tab was shown, a balance); one of its findings (`ref`:
        the service's Discrepancy.key) chosen there, in sight and with the focus, so Enter
        opens its kit or participant; anything else as before."""
        if kind in (OpenKind.TO_REVIEW.value, OpenKind.FINDING.value):
            self.tabs.setCurrentIndex(self.tabs.indexOf(self.discrepancy_view))
            if kind == OpenKind.FINDING.value:
                self.show_finding(ref)
            return
        super().open_record(kind, ref)

    def show_finding(self, key: str) -> bool:
        """The finding to review whose key is `key` chosen, scrolled to and focused; False
        (and said) when it is no longer to review: resolved since the Today screen read it."""
        view = self.discrepancy_view
        proxy = view.model()
        assert isinstance(proxy, RowFilterProxy)
        found = select_where(view, proxy, self.discrepancies, lambda row: row.key == key)
        if found:
            view.setFocus(Qt.FocusReason.OtherFocusReason)
        elif key:
            self.message.show_message(
                self.tr(
                    "The finding chosen on the Today screen is no longer to review: it was "
                    "resolved since. The findings to review now are listed."
                ),
                "info",
            )
        return found

    def refresh(self) -> None:
        result = attempt(
            self.message, lambda: reconciliation.reconcile(self.session.ctx, self.session.actor)
        )
        if result is not None:
            self.show_result(result)

    def show_result(self, result: ReconcileResult) -> None:
        self.result = result
        for scope, model in self.balances.items():
            model.set_rows(getattr(result, scope))
        self.counts.set_rows(result.counts)
        self.discrepancies.set_rows(result.to_review)
        on_record = [d for d in result.discrepancies if not d.kind.to_review]
        self.on_record.set_rows(on_record)
        self.signoffs.set_rows(result.signoffs)
        for view in self.stretch:
            self._fit(view)
        to_check = len(result.never_counted) + len(result.count_differences)
        self.tabs.setTabText(
            self.tabs.indexOf(self.count_view),
            self.tr("Physical count ({n} to check)").format(n=to_check)
            if to_check
            else self.tr("Physical count"),
        )
        # The report's headings (reports.reconciliation.reconciliation_story).
        self.tabs.setTabText(
            self.tabs.indexOf(self.discrepancy_view),
            self.tr("To review ({count})").format(count=len(result.to_review)),
        )
        self.tabs.setTabText(
            self.tabs.indexOf(self.on_record_view),
            self.tr("Count differences on record ({count})").format(count=len(on_record)),
        )
        self.tabs.setTabText(
            self.tabs.indexOf(self.signoff_view),
            self.tr("Sign-offs ({n})").format(n=len(result.signoffs)),
        )
        local = result.generated_at.astimezone()
        self.generated.setText(
            self.tr("Worked out {time} {zone}").format(
                time=local.strftime("%Y-%m-%d %H:%M"), zone=utc_offset(local)
            )
        )
        # Counted as the tab and the report count them ("to review: 4", the CSV's words).
        found = len(result.to_review)
        findings = (
            self.tr("to review: {count}").format(count=found)
            if found
            else self.tr("nothing to review")
        )
        if not result.audit_verified:  # the service's verdict: never "balanced" over it
            self.banner.setText(
                self.tr(
                    "AUDIT TRAIL DOES NOT VERIFY: the figures cannot be trusted, balanced or "
                    "not. {problem}"
                ).format(problem=result.audit_problem)
            )
        elif result.balanced:
            self.banner.setText(
                self.tr(
                    "BALANCED: the ledger balances for every product, lot and kit; {findings}."
                ).format(findings=findings)
            )
        else:
            unbalanced = sum(not r.balanced for r in result.products + result.lots + result.kits)
            self.banner.setText(
                by_count(
                    unbalanced,
                    self.tr(
                        "NOT BALANCED: {n} line of the ledger does not balance; {findings}. "
                        "See the To review tab."
                    ),
                    self.tr(
                        "NOT BALANCED: {n} lines of the ledger do not balance; {findings}. "
                        "See the To review tab."
                    ),
                ).format(n=unbalanced, findings=findings)
            )
        self.banner.setStyleSheet(banner_style(result.balanced and result.audit_verified))
        # result.physical is the service's verdict on the shelf: shown as the service wrote it.
        if result.shelf_agrees:
            self.shelf_banner.setText(
                self.tr(
                    "SHELF AGREES WITH THE LAST COUNTS: {physical}; each last count found "
                    "what the book said."
                ).format(physical=result.physical)
            )
            self.shelf_banner.setStyleSheet(banner_style(True))
        else:
            self.shelf_banner.setText(
                self.tr(
                    "SHELF NOT CONFIRMED: {physical}. Only a physical count checks the "
                    "shelf: see the Physical count tab."
                ).format(physical=result.physical)
            )
            self.shelf_banner.setStyleSheet(caution_style())
        self.audit_check.setText(result.audit_check)
        self._load_flags(result)

    def _load_flags(self, result: ReconcileResult) -> None:
        """Open adherence flags named by dispense, so the explanation lands on the right one."""
        flags: list[tuple[str, int, str]] = []
        for number in sorted({d.subject for d in result.discrepancies if d.kind == "adherence"}):
            try:
                _person, history = queries.participant_history(
                    self.session.ctx, self.session.actor, number
                )
            except DispensaryError as exc:
                self.message.show_message(exc.message)
                continue
            flags.extend(
                (number, row.cycle, row.dispense_number)
                for row in history
                if row.flags and not row.flag_reason
            )
        self._flags = flags
        self.flag_choice.clear()
        for number, cycle, dispense in flags:
            self.flag_choice.addItem(
                self.tr("{participant}, cycle {cycle} ({dispense})").format(
                    participant=number, cycle=cycle, dispense=dispense
                ),
                dispense,
            )
        if not flags:
            self.flag_choice.addItem(self.tr("No open adherence flag"), "")
        self.flag_button.setEnabled(bool(flags))
        self.flag_choice.setEnabled(bool(flags))
        # Read whole (within reason: a row of its own at 1366x768 with the other fields).
        self.flag_choice.setMinimumWidth(min(self.flag_choice.sizeHint().width(), 280))

    def _explain(self) -> None:
        dispense = str(self.flag_choice.currentData() or "")
        if not dispense:
            return
        done = attempt(
            self.message,
            lambda: returns.explain_flag(
                self.session.ctx, self.session.actor, dispense, self.flag_reason.text()
            ),
        )
        if done is None:
            return
        self.flag_reason.clear()
        self.refresh()
        self.message.show_message(
            self.tr("Reason recorded for {participant}, cycle {cycle} ({dispense}).").format(
                participant=done.participant, cycle=done.cycle, dispense=done.dispense_number
            ),
            "ok",
        )
        self.changed.emit()

    def _sign_off(self) -> None:
        actor = self.session.actor
        # The service says first whether a sign-off may be asked for (no sign-off while the
        # audit trail does not verify): refused before the signer types their password.
        if not attempt(
            self.message, lambda: reconciliation.sign_off_precheck(self.session.ctx, actor)
        ):
            return
        balanced = self.result is not None and self.result.balanced
        state = self.tr("balanced") if balanced else self.tr("NOT balanced")
        if self.result is not None and not self.result.audit_verified:
            state = self.tr("audit trail does NOT VERIFY")  # the service refuses the sign-off
        found = len(self.result.discrepancies) if self.result is not None else 0
        review = len(self.result.to_review) if self.result is not None else 0
        summary = by_count(
            found,
            self.tr("Reconciliation of {protocol}: {state}, {n} finding"),
            self.tr("Reconciliation of {protocol}: {state}, {n} findings"),
        ).format(protocol=self.session.ctx.study.protocol, state=state, n=found)
        if review != found:  # the banner counts those to review: say both, as the tabs do
            summary = self.tr("{summary} ({review} to review)").format(
                summary=summary, review=review
            )
        if self.result is not None:
            summary = self.tr("{summary}; against the shelf: {physical}").format(
                summary=summary, physical=self.result.physical
            )
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            SignatureMeaning.RECONCILIATION_SIGNED_OFF.value,
            summary,
        )
        if password is None:
            return
        # What this screen shows, given back: the service refuses when the records changed
        # since (another workstation recorded something), and the screen reads them again.
        seen = self.result.seen() if self.result is not None else ""
        changed: list[reconciliation.SignOffRefused] = []

        def sign() -> ReconcileResult:
            try:
                return reconciliation.sign_off(
                    self.session.ctx, actor, password, self.note.text(), seen=seen
                )
            except reconciliation.SignOffRefused as refusal:
                if refusal.code is reconciliation.SignOffCheck.RECORDS_CHANGED:
                    changed.append(refusal)
                raise

        result = signed(self.message, sign)
        if result is None:
            if changed:
                self.refresh()
                self.message.show_message(
                    self.tr(
                        "Nothing was signed: the records changed since the reconciliation was "
                        "opened. It has been read again and shows them now: look at it and sign "
                        "off what you see."
                    ),
                    "error",
                )
            return
        self.note.clear()
        self.show_result(result)
        attested = result.signoffs[-1].attested if result.signoffs else ""
        self.message.show_message(
            self.tr("Signed off by {name} ({role}), attesting: {attested}.").format(
                name=actor.full_name, role=term(actor.role.label).lower(), attested=attested
            ),
            "ok",
        )
        self.changed.emit()

    def _open_subject(self, index: QModelIndex) -> None:
        """The line's participant (in Participants) or kit (in Inventory); a quarantine finding,
        the history of its kit, or of the first of its kits ("K0101 … K0105"): why they are
        held, from which excursion, as the Inventory's kit history shows it."""
        if not index.isValid():
            return
        proxy = index.model()
        assert isinstance(proxy, RowFilterProxy)
        source = proxy.sourceModel()
        assert isinstance(source, RowTableModel)
        row: Discrepancy = source.row_at(proxy.mapToSource(index).row())
        kits = row.subject.split()
        if row.kind == DiscrepancyKind.QUARANTINE_OPEN:
            if kits:
                show_kit_history(self, self.session, self.message, kits[0])
        elif row.kind in (DiscrepancyKind.ADHERENCE, DiscrepancyKind.RETURN_OVERDUE):
            self.open_request.emit(OpenKind.PARTICIPANT.value, row.subject)
        elif row.kind != DiscrepancyKind.AUDIT_CHAIN:
            self.open_request.emit(OpenKind.KIT.value, row.subject)

    def _open_counted_kit(self, index: QModelIndex) -> None:
        proxy = self.count_view.model()
        assert isinstance(proxy, RowFilterProxy)
        row = self.counts.row_at(proxy.mapToSource(index).row())
        self.open_request.emit(OpenKind.KIT.value, row.kit)
