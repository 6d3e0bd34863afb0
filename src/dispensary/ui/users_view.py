"""User accounts, for administrators: add, deactivate or reactivate, unlock, reset a password.
Accounts are never deleted, so the audit trail always names a real person."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import Role
from dispensary.domain.errors import DispensaryError
from dispensary.services import users
from dispensary.services.results import UserRow
from dispensary.ui.feedback import MessageBar
from dispensary.ui.forms import (
    attempt,
    fit_columns,
    heading,
    select_where,
    selected_rows,
    table_view,
)
from dispensary.ui.models.table import Column, RowFilterProxy, RowTableModel
from dispensary.ui.screen import Screen
from dispensary.ui.session import AppSession

USER_COLUMNS: list[Column[UserRow]] = [
    Column("User name", lambda r: r.username),
    Column("Full name", lambda r: r.full_name),
    Column("Initials", lambda r: r.initials),
    Column("Role", lambda r: r.role),
    Column(
        "Account",
        lambda r: "active" if r.active else "deactivated",
        colour=lambda r: "#2e7d32" if r.active else "#616161",
    ),
    Column(
        "Sign-in",
        lambda r: "LOCKED" if r.locked else "",
        colour=lambda r: "#c62828" if r.locked else None,
    ),
]


def password_field(name: str, placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


class UsersScreen(Screen):
    title = "Users"
    shortcut = "Ctrl+Shift+U"
    roles = frozenset({Role.ADMINISTRATOR})

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.model: RowTableModel[UserRow] = RowTableModel(USER_COLUMNS, self)
        self.proxy = RowFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Users"))
        self.message = MessageBar()
        layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.table = table_view(self.proxy)
        self.table.setObjectName("userTable")
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        splitter.addWidget(self.table)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(8, 0, 0, 0)
        column.addWidget(self._add_box())
        column.addWidget(self._account_box())
        column.addStretch(1)
        splitter.addWidget(panel)
        splitter.setSizes([620, 520])
        layout.addWidget(splitter, 1)
        self._selection_changed()

    def _add_box(self) -> QGroupBox:
        box = QGroupBox("Add a user")
        form = QFormLayout(box)
        self.new_username = QLineEdit()
        self.new_username.setObjectName("newUsername")
        self.new_username.setPlaceholderText("lower-case, e.g. jsmith")
        self.new_full_name = QLineEdit()
        self.new_full_name.setObjectName("newFullName")
        self.new_initials = QLineEdit()
        self.new_initials.setObjectName("newInitials")
        self.new_initials.setPlaceholderText("as initialled on records, e.g. JS")
        self.new_role = QComboBox()
        self.new_role.setObjectName("newRole")
        for role in Role:
            self.new_role.addItem(role.label, role.value)
        self.new_password = password_field("newPassword", "at least 8 characters")
        self.new_password_again = password_field("newPasswordAgain", "the same again")
        self.add_button = QPushButton("Add user")
        self.add_button.setObjectName("addUser")
        self.add_button.clicked.connect(self._add)
        form.addRow("User name", self.new_username)
        form.addRow("Full name", self.new_full_name)
        form.addRow("Initials", self.new_initials)
        form.addRow("Role", self.new_role)
        form.addRow("Initial password", self.new_password)
        form.addRow("Repeat password", self.new_password_again)
        form.addRow(self.add_button)
        return box

    def _account_box(self) -> QGroupBox:
        box = QGroupBox("Selected account")
        form = QFormLayout(box)
        self.chosen = QLabel()
        self.chosen.setObjectName("chosenUser")
        self.chosen.setWordWrap(True)
        form.addRow(self.chosen)
        self.reason = QLineEdit()
        self.reason.setObjectName("accountReason")
        self.reason.setPlaceholderText("Why (kept in the audit trail)")
        form.addRow("Reason", self.reason)
        buttons = QHBoxLayout()
        self.deactivate_button = QPushButton("Deactivate")
        self.deactivate_button.setObjectName("deactivate")
        self.deactivate_button.clicked.connect(self._deactivate)
        self.reactivate_button = QPushButton("Reactivate")
        self.reactivate_button.setObjectName("reactivate")
        self.reactivate_button.clicked.connect(self._reactivate)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.clicked.connect(self._unlock)
        for button in (self.deactivate_button, self.reactivate_button, self.unlock_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        self.reset_password = password_field("resetPassword", "new password")
        self.reset_password_again = password_field("resetPasswordAgain", "the same again")
        self.reset_button = QPushButton("Reset password")
        self.reset_button.setObjectName("resetPasswordButton")
        self.reset_button.clicked.connect(self._reset)
        form.addRow("New password", self.reset_password)
        form.addRow("Repeat password", self.reset_password_again)
        form.addRow(self.reset_button)
        return box

    def refresh(self) -> None:
        chosen = self.current()
        rows = attempt(self.message, lambda: users.list_users(self.session.ctx, self.session.actor))
        if rows is None:
            return
        self.model.set_rows(rows)
        fit_columns(self.table)
        if chosen is not None:
            self.select(chosen.username)
        self._selection_changed()

    def current(self) -> UserRow | None:
        rows = selected_rows(self.table, self.proxy, self.model)
        return rows[0] if rows else None

    def select(self, username: str) -> bool:
        return select_where(self.table, self.proxy, self.model, lambda r: r.username == username)

    def _selection_changed(self) -> None:
        row = self.current()
        if row is None:
            self.chosen.setText("Select a user in the list.")
        else:
            state = "active" if row.active else "deactivated"
            locked = ", locked after failed sign-ins" if row.locked else ""
            self.chosen.setText(
                f"<b>{row.username}</b>: {row.full_name} ({row.initials}), "
                f"{row.role.label.lower()}, {state}{locked}"
            )
        self.deactivate_button.setEnabled(row is not None and row.active)
        self.reactivate_button.setEnabled(row is not None and not row.active)
        self.unlock_button.setEnabled(row is not None and row.locked)
        self.reset_button.setEnabled(row is not None)

    def _passwords_match(self, first: QLineEdit, second: QLineEdit) -> bool:
        if first.text() != second.text():
            self.message.show_message("The two passwords differ; type them again.")
            first.clear()
            second.clear()
            first.setFocus()
            return False
        return True

    def _add(self) -> None:
        if not self._passwords_match(self.new_password, self.new_password_again):
            return
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
        self._done(row, f"User {row.username} ({row.role.label.lower()}) added.")

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
            verb = "reactivated" if active else "deactivated"
            self._done(row, f"Account {row.username} {verb}.")

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
            self._done(row, f"Account {row.username} unlocked; they can sign in again.")

    def _reset(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        if not self._passwords_match(self.reset_password, self.reset_password_again):
            return
        try:
            users.reset_password(
                self.session.ctx, self.session.actor, chosen.username, self.reset_password.text()
            )
        except DispensaryError as exc:
            self.message.show_message(exc.message)
            return
        self.reset_password.clear()
        self.reset_password_again.clear()
        self._done(
            chosen,
            f"Password of {chosen.username} reset. Give it to them in person; they should "
            "change it at their next sign-in.",
        )

    def _done(self, row: UserRow, text: str) -> None:
        self.refresh()
        self.select(row.username)
        self.message.show_message(text, "ok")
        self.changed.emit()
