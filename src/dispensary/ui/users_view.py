"""User accounts, for administrators: add, deactivate or reactivate, unlock, reset a password,
give or take access to a study. Accounts are never deleted, so the audit trail always names a
real person; accounts are the site's, and each user reaches only the studies given them."""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import Role
from dispensary.domain.errors import DispensaryError
from dispensary.i18n import current_language
from dispensary.services import studies, users
from dispensary.services.results import StudyRow, UserRow
from dispensary.services.users import MAX_FAILURES
from dispensary.ui.feedback import MessageBar
from dispensary.ui.forms import (
    action_and_cancel,
    action_button,
    attempt,
    fit_columns,
    row_table,
    select_where,
    selected_rows,
    side_panel,
    text_field,
    whole_table_width,
)
from dispensary.ui.models.table import Column
from dispensary.ui.screen import Screen
from dispensary.ui.session import AppSession
from dispensary.ui.vocabulary import term
from dispensary.ui.widgets import ElidedLabel, by_count, separated, titled_page


def account_state(row: UserRow) -> str:
    if row.active:
        return QCoreApplication.translate("UsersScreen", "active")
    return QCoreApplication.translate("UsersScreen", "deactivated")


def sign_in_state(row: UserRow) -> str:
    if row.locked:
        return kept_together(
            QCoreApplication.translate("UsersScreen", "locked ({n} failures)").format(
                n=MAX_FAILURES
            )
        )
    return QCoreApplication.translate("UsersScreen", "ok")


def kept_together(text: str) -> str:
    """`text` with what it says in brackets kept on one line ("locked" over "(5 failures)",
    never "locked (5" over "failures)") when its column wraps short of room: the spaces
    inside the brackets (Western or Chinese) made no-break spaces."""
    out, inside = [], False
    for char in text:
        if char in "(（":
            inside = True
        elif char in ")）":
            inside = False
        out.append("\u00a0" if inside and char == " " else char)
    return "".join(out)


def password_day(row: UserRow) -> str:
    """The day the password was set; "temporary" under it when an administrator set it."""
    day = row.password_last_set.isoformat() if row.password_last_set else ""
    if not row.password_temporary:
        return day
    return day + "\n" + QCoreApplication.translate("UsersScreen", "temporary")


def password_hint(row: UserRow) -> str:
    """What a temporary password is, in its cell's tooltip."""
    if not row.password_temporary:
        return ""
    return QCoreApplication.translate(
        "UsersScreen",
        "A temporary password set by an administrator: the user must change it at their next "
        "sign-in.",
    )


USER_COLUMNS: list[Column[UserRow]] = [
    # "User", not "User name", and "Password set" on two lines: with the password's column
    # the table then still shows every column whole beside the panel at 1366x768.
    Column(str(QT_TRANSLATE_NOOP("Column", "User")), lambda r: r.username),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Full name")),
        lambda r: r.full_name,
        hint=lambda r: r.full_name,  # whole on hover when the column is cut short of room
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Initials")), lambda r: r.initials),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Role")),
        lambda r: r.role,
        hint=lambda r: term(r.role.label),  # whole on hover when cut short of room
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Account")),
        account_state,
        colour=lambda r: "#2e7d32" if r.active else "#616161",
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Sign-in")),
        sign_in_state,
        colour=lambda r: "#c62828" if r.locked else None,
    ),
    # The day the password was last set (by the user, or for them by a reset, as the account's
    # first or by a recovery): for the periodic review of passwords, 21 CFR 11.300(b).
    # A temporary password (set by an administrator, to be changed at the next sign-in) says so
    # under its day: not taken for one the user chose.
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Password\nset")),
        lambda r: r.password_last_set,
        shown=password_day,
        hint=password_hint,
        tooltip=str(
            QT_TRANSLATE_NOOP(
                "Column", "The day the password was last set (for the review of passwords)"
            )
        ),
    ),
    # One protocol a line: the column is as wide as one protocol, however many a user has.
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Studies")),
        lambda r: r.studies,
        text=lambda protocols: "\n".join(protocols),
    ),
]
STUDIES_COLUMN = len(USER_COLUMNS) - 1
FULL_NAME_COLUMN = 1
ROLE_COLUMN = 3
SIGN_IN_COLUMN = 5


class StudyChooser(QComboBox):
    """A study by its protocol in the closed chooser, whole at the panel's width; its list and
    its tooltip read "protocol — title" (the whole line was cut: "DEMO-28D-BID — DEMO 28-day
    twic"). Each item's data is the protocol."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.currentIndexChanged.connect(self._show_whole)

    def add_study(self, protocol: str, whole: str) -> None:
        self.addItem(whole, protocol)
        self.setItemData(self.count() - 1, whole, Qt.ItemDataRole.ToolTipRole)
        self.setMinimumContentsLength(max(self.minimumContentsLength(), len(protocol)))

    def shown_text(self) -> str:
        protocol = self.currentData()
        return protocol if isinstance(protocol, str) else ""

    def _show_whole(self) -> None:
        self.setToolTip(self.currentText())

    def _option(self) -> QStyleOptionComboBox:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        option.currentText = self.shown_text()  # type: ignore[misc]
        return option

    def text_room(self) -> int:
        """The width the closed chooser has for its text."""
        return (
            self.style()
            .subControlRect(
                QStyle.ComplexControl.CC_ComboBox,
                self._option(),
                QStyle.SubControl.SC_ComboBoxEditField,
                self,
            )
            .width()
        )

    def showPopup(self) -> None:
        """The list as wide as its longest line, wider than the closed chooser if need be."""
        view = self.view()
        view.setMinimumWidth(
            view.sizeHintForColumn(0) + view.verticalScrollBar().sizeHint().width()
        )
        super().showPopup()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = self._option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class UsersScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Users"))
    shortcut = QKeySequence("Ctrl+Shift+U").toString()
    roles = frozenset({Role.ADMINISTRATOR})
    changes_studies = True  # access given or taken: the window reads the user's studies again

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.model, self.proxy, self.table = row_table(self, USER_COLUMNS, "userTable")
        layout, self.message = titled_page(self, self.tr("Users"))
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        splitter.addWidget(self.table)
        self.table.viewport().installEventFilter(self)
        panel, column = side_panel()
        # Two tabs, each whole at 1366x768: the three boxes one under the other needed more
        # than the window's height ("Reset password" was cut at its bottom edge). The selected
        # account's summary stays one line (cut at its end, whole in its tooltip): wrapped
        # to two in Chinese, it pushed the study-access box's bottom out of the panel.
        self.panel_tabs = QTabWidget()
        self.panel_tabs.setObjectName("userPanelTabs")
        self.account_page = QWidget()
        account = QVBoxLayout(self.account_page)
        account.setContentsMargins(2, 6, 2, 2)  # the table beside keeps the width it had
        account.addWidget(self._account_box())
        account.addWidget(self._access_box())
        account.addStretch(1)
        self.add_page = QWidget()
        adding = QVBoxLayout(self.add_page)
        adding.setContentsMargins(2, 6, 2, 2)
        adding.addWidget(self._add_box())
        adding.addStretch(1)
        # Each tab, field and button has an Alt key of its own among what is shown with it
        # (the tabs' Alt+S and Alt+D on either page; review s11).
        self.panel_tabs.addTab(self.account_page, self.tr("&Selected user"))
        self.panel_tabs.addTab(self.add_page, self.tr("A&dd a user"))
        column.addWidget(self.panel_tabs)
        column.addStretch(1)
        splitter.addWidget(panel)
        self.panel = panel
        splitter.setSizes([730, 430])  # widened at each reload when the rows need more
        layout.addWidget(splitter, 1)
        self._selection_changed()

    def _add_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Add a user"))
        form = QFormLayout(box)
        self.new_username = text_field("newUsername", self.tr("lower-case, e.g. jsmith"))
        self.new_full_name = text_field("newFullName")
        self.new_initials = text_field("newInitials", self.tr("e.g. JS"))
        self.new_initials.setToolTip(self.tr("As the user initials records, e.g. JS"))
        self.new_role = QComboBox()
        self.new_role.setObjectName("newRole")
        for role in Role:
            self.new_role.addItem(term(role.label), role.value)
        self.new_password = text_field(
            "newPassword", self.tr("at least 8 characters"), password=True
        )
        self.new_password_again = text_field(
            "newPasswordAgain", self.tr("the same again"), password=True
        )
        self.add_button = action_button(self.tr("&Add user"), "addUser", self._add)
        # Enter in any field of the form goes on: to the next field still empty, else it adds
        # the user, as Enter goes on in the sign-in's form and the counter's (only Enter in
        # "Repeat password" did anything).
        self.add_fields = (
            self.new_username,
            self.new_full_name,
            self.new_initials,
            self.new_password,
            self.new_password_again,
        )
        for field in self.add_fields:
            field.returnPressed.connect(partial(self._enter_in_add_form, field))
        # Which studies the new account works in, asked when the database holds several (an
        # administrator's account reaches every study: then not asked).
        self.new_studies = QListWidget()
        self.new_studies.setObjectName("newStudies")
        self.new_studies.setToolTip(self.tr("The studies the new account works in"))
        self.new_studies.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.new_studies_label = QLabel(self.tr("Studi&es"))
        self.new_studies_label.setBuddy(self.new_studies)
        self.new_role.currentIndexChanged.connect(self._show_new_studies)
        form.addRow(self.tr("&User name"), self.new_username)
        form.addRow(self.tr("Full &name"), self.new_full_name)
        form.addRow(self.tr("&Initials"), self.new_initials)
        form.addRow(self.tr("R&ole"), self.new_role)
        form.addRow(self.new_studies_label, self.new_studies)
        form.addRow(self.tr("Initial pass&word"), self.new_password)
        form.addRow(self.tr("Re&peat password"), self.new_password_again)
        form.addRow(self.add_button)
        return box

    def _enter_in_add_form(self, field: QLineEdit) -> None:
        """Enter in `field` of the add-user form: the cursor to the next field still empty
        (after this one, then from the form's top), else the user added (Add user pressed)."""
        at = self.add_fields.index(field)
        following = self.add_fields[at + 1 :] + self.add_fields[: at + 1]
        empty = next((f for f in following if not f.text().strip()), None)
        if empty is None:
            self.add_button.click()
        else:
            empty.setFocus()

    def _fill_new_studies(self, known: list[StudyRow]) -> None:
        """The studies the administrator has, each to tick; the one they work in ticked (and
        those ticked before a reload kept so)."""
        ticked = set(self.chosen_studies())
        self.new_studies.clear()
        current = self.session.ctx.study.protocol
        for study in known:
            item = QListWidgetItem(study.protocol)  # whole; its title in the tooltip
            item.setToolTip(
                self.tr("{protocol} — {title}").format(
                    protocol=study.protocol, title=study.title_in(current_language().value)
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, study.protocol)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = study.protocol in ticked if ticked else study.protocol == current
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.new_studies.addItem(item)
        rows = max(1, min(len(known), 4))
        self.new_studies.setFixedHeight(
            self.new_studies.sizeHintForRow(0) * rows + 2 * self.new_studies.frameWidth() + 2
        )
        self._show_new_studies()

    def chosen_studies(self) -> list[str]:
        """The protocols ticked for the new account."""
        chosen = []
        for index in range(self.new_studies.count()):
            item = self.new_studies.item(index)
            if item.checkState() == Qt.CheckState.Checked:
                chosen.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return chosen

    def _asks_studies(self) -> bool:
        """Whether the new account's studies are asked: several studies, and a role that is
        given studies (the service says which)."""
        if self.new_studies.count() < 2:
            return False
        try:
            return users.new_account_needs_a_study(
                self.session.actor, str(self.new_role.currentData())
            )
        except DispensaryError:
            return False

    def _show_new_studies(self, _index: int = 0) -> None:
        asked = self._asks_studies()
        self.new_studies.setVisible(asked)
        self.new_studies_label.setVisible(asked)

    def _account_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Selected account"))
        # The summary above the form, not a row of it: a form's spanning row of wrapped text
        # got a height for another width, and the rows under it were squeezed onto one
        # another (Deactivate, Unlock and the new password overlapped). One line, its end left
        # out when the panel is narrow: the user name and the account's state (locked) come
        # first and stay in view, the whole in the tooltip.
        column = QVBoxLayout(box)
        # Cut at its end, the user name and the account's state first: its middle left out,
        # it read "technician: Wang …echnician, active".
        self.chosen = ElidedLabel(elide=Qt.TextElideMode.ElideRight)
        self.chosen.setObjectName("chosenUser")
        column.addWidget(self.chosen)
        form = QFormLayout()
        column.addLayout(form)
        self.reason = text_field("accountReason", self.tr("Kept in the audit trail"))
        form.addRow(self.tr("&Reason"), self.reason)
        # Two buttons a line: three side by side made the panel wider than the users' table
        # leaves it at 1366x768 in English.
        buttons = QGridLayout()
        self.deactivate_button = action_button(
            self.tr("De&activate"), "deactivate", self._deactivate
        )
        self.reactivate_button = action_button(
            self.tr("Rea&ctivate"), "reactivate", self._reactivate
        )
        self.unlock_button = action_button(self.tr("&Unlock"), "unlock", self._unlock)
        buttons.addWidget(self.deactivate_button, 0, 0)
        buttons.addWidget(self.reactivate_button, 0, 1)
        buttons.addWidget(self.unlock_button, 1, 0, 1, 2)
        form.addRow(buttons)
        self.reset_password = text_field("resetPassword", self.tr("new password"), password=True)
        self.reset_password_again = text_field(
            "resetPasswordAgain", self.tr("the same again"), password=True
        )
        self.reset_button = action_button(
            self.tr("Reset pass&word"), "resetPasswordButton", self._reset
        )
        self.reset_password_again.returnPressed.connect(self.reset_button.click)
        form.addRow(self.tr("&New password"), self.reset_password)
        form.addRow(self.tr("Re&peat password"), self.reset_password_again)
        form.addRow(self.reset_button)
        return box

    def _access_box(self) -> QGroupBox:
        """Which studies the selected user may work in: an administrator gives or takes one,
        with a reason for the audit trail (services/studies.set_access decides)."""
        box = QGroupBox(self.tr("Access to studies"))
        # One line above the form, as in the account's box: wrapped, a user of several
        # studies in a narrow panel took three lines and more (the table lists them whole).
        # Cut at its end, not in its middle: "tech works in: DEMO-…NCT07198672." hid the
        # studies between as if the list were whole; the tooltip has them all.
        column = QVBoxLayout(box)
        self.access_state = ElidedLabel(elide=Qt.TextElideMode.ElideRight)
        self.access_state.setObjectName("accessState")
        column.addWidget(self.access_state)
        form = QFormLayout()
        column.addLayout(form)
        self.access_study = StudyChooser()
        self.access_study.setObjectName("accessStudy")
        self.access_study.currentIndexChanged.connect(self._study_chosen)
        form.addRow(self.tr("Stud&y"), self.access_study)
        self.access_reason = text_field("accessReason", self.tr("Why (kept in the audit trail)"))
        form.addRow(self.tr("R&eason"), self.access_reason)
        buttons = QHBoxLayout()
        self.give_button = action_button(self.tr("Gi&ve access"), "giveAccess", self._give)
        self.take_button = action_button(self.tr("Ta&ke access"), "takeAccess", self._take)
        buttons.addWidget(self.give_button)
        buttons.addWidget(self.take_button)
        form.addRow(buttons)
        return box

    def refresh(self) -> None:
        chosen = self.current()
        rows = attempt(self.message, lambda: users.list_users(self.session.ctx, self.session.actor))
        if rows is None:
            return
        known = attempt(
            self.message, lambda: studies.list_studies(self.session.ctx, self.session.actor)
        )
        wanted = self.access_study.currentData()
        self.access_study.clear()
        for study in known or []:
            self.access_study.add_study(
                study.protocol,
                self.tr("{protocol} — {title}").format(
                    protocol=study.protocol, title=study.title_in(current_language().value)
                ),
            )
        self.access_study.setCurrentIndex(max(self.access_study.findData(wanted), 0))
        self._fill_new_studies(known or [])
        self.access_study.setToolTip(self.access_study.currentText())
        self.model.set_rows(rows)
        self._fit_table()
        if chosen is not None:
            self.select(chosen.username)
        self._selection_changed()

    def _fit_table(self) -> None:
        """Every column whole (a user's studies one a line): the table is given the width
        its rows need, from the panel beside it, which keeps no less than its own least."""
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        if self.table.isVisible():
            total = sum(self.splitter.sizes())
            room = total - self.panel.minimumSizeHint().width()
            wanted = min(whole_table_width(self.table), room)
            if wanted > self.table.width():
                self.splitter.setSizes([wanted, total - wanted])
        self._share_columns()

    def _share_columns(self) -> None:
        """The table's width shared out among its columns, again whenever the table's width
        changes (the panel beside it grown, the splitter dragged): the Studies column, the last,
        was otherwise shrunk by the header to the narrower table, its protocols cut."""
        # Short of room (the "Password set" column, a larger desktop font), the full names go
        # onto two lines rather than the Studies column be cut: it read "DEMO-2… / BID",
        # DEMO-28D-BID not told from DEMO-2DRUG. Each protocol stays whole on its line.
        # Shorter still, the full names and then the roles are cut (whole in their tooltip
        # and the panel's line), the studies kept whole.
        studies = max(self.table.sizeHintForColumn(STUDIES_COLUMN), 0)
        fit_columns(
            self.table,
            stretch=STUDIES_COLUMN,
            yielding=(FULL_NAME_COLUMN, ROLE_COLUMN),
            keep={STUDIES_COLUMN: studies},
            wrap=(FULL_NAME_COLUMN, SIGN_IN_COLUMN),
        )
        self.table.resizeRowsToContents()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table.viewport()
            and event.type() == QEvent.Type.Resize
            and isinstance(event, QResizeEvent)
            and event.size().width() != event.oldSize().width()
            and self.model.rowCount()
        ):
            self._share_columns()
        return super().eventFilter(watched, event)

    def current(self) -> UserRow | None:
        rows = selected_rows(self.table, self.proxy, self.model)
        return rows[0] if rows else None

    def select(self, username: str) -> bool:
        return select_where(self.table, self.proxy, self.model, lambda r: r.username == username)

    def _selection_changed(self) -> None:
        row = self.current()
        if row is not None:  # a user chosen in the list: what can be done to the account
            self.panel_tabs.setCurrentWidget(self.account_page)
        if row is None:
            self.chosen.set_line(self.tr("Select a user in the list."))
        else:
            locked = self.tr(", locked after failed sign-ins") if row.locked else ""
            self.chosen.set_line(
                self.tr("{user} ({state}{locked}): {name} ({initials}), {role}").format(
                    user=row.username,
                    name=row.full_name,
                    initials=row.initials,
                    role=term(row.role.label).lower(),
                    state=account_state(row),
                    locked=locked,
                )
            )
        self.deactivate_button.setEnabled(row is not None and row.active)
        self.reactivate_button.setEnabled(row is not None and not row.active)
        self.unlock_button.setEnabled(row is not None and row.locked)
        self.reset_button.setEnabled(row is not None)
        self._show_access(row)

    def _show_access(self, row: UserRow | None) -> None:
        self.access_state.setVisible(row is not None)  # empty, it left a blank band in the box
        if row is None:
            self.access_state.set_line("")
        elif row.role is Role.ADMINISTRATOR:
            self.access_state.set_line(self.tr("An administrator reaches every study."))
        elif row.studies:
            self.access_state.set_line(
                self.tr("{user} works in: {studies}.").format(
                    user=row.username, studies=separated(row.studies)
                )
            )
        else:
            self.access_state.set_line(
                self.tr("{user} has access to no study yet.").format(user=row.username)
            )
        # The service refuses an administrator's access change too; the buttons only spare a
        # refusal. Give for a study the account does not work in, Take for one it does, as
        # the service lists the account's studies (UserRow.studies).
        may_change = row is not None and row.role is not Role.ADMINISTRATOR
        study = self.access_study.currentData()
        has_it = row is not None and isinstance(study, str) and study in row.studies
        self.give_button.setEnabled(may_change and isinstance(study, str) and not has_it)
        self.take_button.setEnabled(may_change and has_it)

    def _study_chosen(self, _index: int) -> None:
        # The chooser also says so while the screen is being destroyed (its children go one
        # by one): reading the table then touched freed memory, and the program crashed later.
        if shiboken6.isValid(self) and shiboken6.isValid(self.table):
            self._show_access(self.current())

    def _give(self) -> None:
        self._set_access(True)

    def _take(self) -> None:
        self._set_access(False)

    def _set_access(self, granted: bool) -> None:
        chosen = self.current()
        protocol = self.access_study.currentData()
        if chosen is None or not isinstance(protocol, str):
            return
        after = attempt(
            self.message,
            lambda: studies.set_access(
                self.session.ctx,
                self.session.actor,
                chosen.username,
                protocol,
                granted,
                self.access_reason.text(),
            ),
        )
        if after is None:
            return
        self.access_reason.clear()
        done = (
            self.tr("{user} may now work in study {study}.")
            if granted
            else self.tr("{user} may no longer work in study {study}.")
        )
        self._done(chosen, done.format(user=chosen.username, study=protocol))

    def _passwords_match(self, first: QLineEdit, second: QLineEdit) -> bool:
        if first.text() != second.text():
            self.message.show_message(self.tr("The two passwords differ; type them again."))
            first.clear()
            second.clear()
            first.setFocus()
            return False
        return True

    def _add(self) -> None:
        if not self._passwords_match(self.new_password, self.new_password_again):
            return
        # The studies ticked, when asked; else the one the administrator works in.
        chosen = self.chosen_studies() if self._asks_studies() else None
        row = attempt(
            self.message,
            lambda: users.add_user(
                self.session.ctx,
                self.session.actor,
                self.new_username.text(),
                str(self.new_role.currentData()),
                self.new_full_name.text(),
                self.new_initials.text(),
                self.new_password.text(),
                studies=chosen,
            ),
        )
        if row is None:
            return
        for field in (
            self.new_username,
            self.new_full_name,
            self.new_initials,
            self.new_password,
            self.new_password_again,
        ):
            field.clear()
        role = term(row.role.label).lower()
        if row.role is Role.ADMINISTRATOR or not row.studies:
            added = self.tr("User {user} ({role}) added.").format(user=row.username, role=role)
        else:
            added = self.tr("User {user} ({role}) added, working in {studies}.").format(
                user=row.username, role=role, studies=separated(row.studies)
            )
        give = self.tr(
            "Give them the password in person: they choose their own at their first sign-in."
        )
        # Two sentences, joined as the language joins them (no space in Chinese).
        self._done(
            row,
            self.tr("{first} {second}", "two sentences in a row").format(first=added, second=give),
        )

    def _deactivate(self) -> None:
        self._set_active(False)

    def _reactivate(self) -> None:
        self._set_active(True)

    def _set_active(self, active: bool) -> None:
        chosen = self.current()
        if chosen is None:
            return
        row = attempt(
            self.message,
            lambda: users.set_active(
                self.session.ctx, self.session.actor, chosen.username, active, self.reason.text()
            ),
        )
        if row is not None:
            self.reason.clear()
            done = (
                self.tr("Account {user} reactivated.")
                if active
                else self.tr("Account {user} deactivated.")
            )
            self._done(row, done.format(user=row.username))

    def _unlock(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        row = attempt(
            self.message,
            lambda: users.unlock(
                self.session.ctx, self.session.actor, chosen.username, self.reason.text()
            ),
        )
        if row is not None:
            self.reason.clear()
            self._done(
                row,
                self.tr("Account {user} unlocked; they can sign in again.").format(
                    user=row.username
                ),
            )

    def _reset(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        if not self._passwords_match(self.reset_password, self.reset_password_again):
            return
        done = attempt(
            self.message,
            lambda: users.reset_password(
                self.session.ctx,
                self.session.actor,
                chosen.username,
                self.reset_password.text(),
                self.reason.text(),
            ),
        )
        if done is None:
            return
        self.reset_password.clear()
        self.reset_password_again.clear()
        self.reason.clear()
        if done.unlocked:
            text = self.tr(
                "Password of {user} reset and the account unlocked (it was locked after failed "
                "sign-ins; you have them in front of you). Give them the password in person; "
                "they must choose their own at their next sign-in and can sign nothing before."
            )
        elif done.failures_cleared:
            # Not locked, but a failed sign-in or more: cleared by the reset, and said.
            text = by_count(
                done.failures_cleared,
                self.tr(
                    "Password of {user} reset and its {n} failed sign-in cleared (a try at "
                    "the password replaced). Give it to them in person; they must choose their "
                    "own at their next sign-in and can sign nothing before."
                ),
                self.tr(
                    "Password of {user} reset and its {n} failed sign-ins cleared (tries at "
                    "the password replaced). Give it to them in person; they must choose their "
                    "own at their next sign-in and can sign nothing before."
                ),
            )
        else:
            text = self.tr(
                "Password of {user} reset. Give it to them in person; they must choose their "
                "own at their next sign-in and can sign nothing before."
            )
        self._done(done.account, text.format(user=done.account.username, n=done.failures_cleared))

    def _done(self, row: UserRow, text: str) -> None:
        self.refresh()
        self.select(row.username)
        self.message.show_message(text, "ok")
        self.changed.emit()


class ChangePasswordDialog(QDialog):
    """File > Change my password: the signed-in user's own new password, through the service
    `dispensary user password` uses (users.change_password), signed with the current one; it
    refuses a weak or recent password as the command does."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changePassword")
        self.session = session
        self.changed = False
        self.setWindowTitle(self.tr("Change my password"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.current = text_field("currentPassword", password=True)
        self.new_password = text_field("newPassword", self.tr("at least 8 characters"), True)
        self.new_password_again = text_field("newPasswordAgain", self.tr("the same again"), True)
        form.addRow(self.tr("Current password"), self.current)
        form.addRow(self.tr("New password"), self.new_password)
        form.addRow(self.tr("Repeat it"), self.new_password_again)
        layout.addLayout(form)
        self.message = MessageBar(self)
        layout.addWidget(self.message)
        self.change_button = action_and_cancel(
            self, layout, self.tr("&Change password"), "changePasswordButton", self.change
        )
        self.current.setFocus()

    def change(self) -> None:
        if self.new_password.text() != self.new_password_again.text():
            self.message.show_message(self.tr("The two passwords differ; type them again."))
            self.new_password.clear()
            self.new_password_again.clear()
            self.new_password.setFocus()
            return
        actor = attempt(
            self.message,
            lambda: users.change_password(
                self.session.ctx,
                self.session.actor,
                self.current.text(),
                self.new_password.text(),
            ),
        )
        if actor is None:
            self.current.clear()
            self.current.setFocus()
            return
        self.session.actor = actor
        self.changed = True
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, session: AppSession) -> bool:
        """True once the password is changed. Tests drive the dialog itself."""
        dialog = cls(session, parent)
        dialog.exec()
        return dialog.changed
