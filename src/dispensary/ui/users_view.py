"""User accounts, for administrators: add, deactivate or reactivate, unlock, reset a password.
Accounts are never deleted, so the audit trail always names a real person."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QSplitter,
    QWidget,
)

from dispensary.domain.codes import Role
from dispensary.domain.errors import DispensaryError
from dispensary.services import users
from dispensary.services.results import UserRow
from dispensary.services.users import MAX_FAILURES
from dispensary.ui.forms import (
    action_button,
    attempt,
    fit_columns,
    row_table,
    select_where,
    selected_rows,
    side_panel,
    text_field,
)
from dispensary.ui.models.table import Column
from dispensary.ui.screen import Screen
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import titled_page, wrapped_label

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
        lambda r: f"locked ({MAX_FAILURES} failures)" if r.locked else "ok",
        colour=lambda r: "#c62828" if r.locked else None,
    ),
]


class UsersScreen(Screen):
    title = "Users"
    shortcut = "Ctrl+Shift+U"
    roles = frozenset({Role.ADMINISTRATOR})

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.model, self.proxy, self.table = row_table(self, USER_COLUMNS, "userTable")
        layout, self.message = titled_page(self, "Users")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        splitter.addWidget(self.table)
        panel, column = side_panel()
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
        self.new_username = text_field("newUsername", "lower-case, e.g. jsmith")
        self.new_full_name = text_field("newFullName")
        self.new_initials = text_field("newInitials", "as initialled on records, e.g. JS")
        self.new_role = QComboBox()
        self.new_role.setObjectName("newRole")
        for role in Role:
            self.new_role.addItem(role.label, role.value)
        self.new_password = text_field("newPassword", "at least 8 characters", password=True)
        self.new_password_again = text_field("newPasswordAgain", "the same again", password=True)
        self.add_button = action_button("Add user", "addUser", self._add)
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
        self.chosen = wrapped_label("chosenUser")
        form.addRow(self.chosen)
        self.reason = text_field("accountReason", "Why (kept in the audit trail)")
        form.addRow("Reason", self.reason)
        buttons = QHBoxLayout()
        self.deactivate_button = action_button("Deactivate", "deactivate", self._deactivate)
        self.reactivate_button = action_button("Reactivate", "reactivate", self._reactivate)
        self.unlock_button = action_button("Unlock", "unlock", self._unlock)
        for button in (self.deactivate_button, self.reactivate_button, self.unlock_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        self.reset_password = text_field("resetPassword", "new password", password=True)
        self.reset_password_again = text_field(
            "resetPasswordAgain", "the same again", password=True
        )
        self.reset_button = action_button("Reset password", "resetPasswordButton", self._reset)
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
        self._done(
            row,
            f"User {row.username} ({row.role.label.lower()}) added. Give them the password in "
            "person: they choose their own at their first sign-in.",
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
            f"Password of {chosen.username} reset. Give it to them in person; they must choose "
            "their own at their next sign-in and can sign nothing before.",
        )

    def _done(self, row: UserRow, text: str) -> None:
        self.refresh()
        self.select(row.username)
        self.message.show_message(text, "ok")
        self.changed.emit()
