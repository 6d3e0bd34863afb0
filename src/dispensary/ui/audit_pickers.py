"""The audit trail's User and Action filters, one picker each: the Audit trail screen's and the
Reports screen's audit report's (which typed them: a typo gave an empty report, saying
nothing). A picker offers only what the filter can keep, "All ..." first, and gives the
service the user name or the action's code (services.audit.AuditFilter).

The users are those the service says the study's trail may hold (users.trail_accounts: the
accounts now and every former member of the study); the actions every one the program writes
(domain.audit_actions.AuditAction), and any other code the trail shown holds (a newer version's),
each by its name in the reader's language, in the reader's order, its code in the tooltip."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cmp_to_key

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QWidget

from dispensary.domain.audit_actions import AuditAction, name_of
from dispensary.services import users
from dispensary.ui.feedback import MessageBar
from dispensary.ui.forms import attempt
from dispensary.ui.models.table import collator
from dispensary.ui.session import AppSession


class UserPicker(QComboBox):
    """All users, then each account the study's trail may hold: "name (Full Name)", a former
    member of the study said so."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.addItem(QCoreApplication.translate("AuditScreen", "All users"), "")

    def load(self, session: AppSession, message: MessageBar) -> None:
        """The accounts as the service gives them now, the one chosen kept."""
        people = attempt(message, lambda: users.trail_accounts(session.ctx, session.actor))
        if people is None:
            return
        chosen = self.chosen() or ""
        self.blockSignals(True)
        while self.count() > 1:
            self.removeItem(1)
        for person in people:
            shown = (
                QCoreApplication.translate(
                    "AuditScreen", "{user} ({name}), no longer in this study"
                )
                if person.former
                else QCoreApplication.translate("AuditScreen", "{user} ({name})")
            ).format(user=person.username, name=person.full_name)
            self.addItem(shown, person.username)
        self.setCurrentIndex(max(0, self.findData(chosen)))
        self.blockSignals(False)

    def chosen(self) -> str | None:
        """The user name chosen; None for all users."""
        return str(self.currentData() or "") or None


class ActionPicker(QComboBox):
    """All actions, then every action by name in the reader's language and order (the code,
    which the filter uses, in the tooltip)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.addItem(QCoreApplication.translate("AuditScreen", "All actions"), "")
        self.offer(action.value for action in AuditAction)

    def codes(self) -> set[str]:
        return {str(self.itemData(i)) for i in range(1, self.count())}

    def offer(self, codes: Iterable[str]) -> None:
        """`codes` offered too (those the trail holds that this version does not write), the
        one chosen kept."""
        known = self.codes()
        wanted = known | set(codes)
        if wanted == known:
            return
        chosen = self.chosen() or ""
        self.blockSignals(True)
        while self.count() > 1:
            self.removeItem(1)
        order = collator()

        def by_name(a: str, b: str) -> int:  # the reader's order of the names, then the codes
            named = order.compare(name_of(a).casefold(), name_of(b).casefold())
            return named or (a > b) - (a < b)

        for code in sorted(wanted, key=cmp_to_key(by_name)):
            self.addItem(name_of(code), code)
            self.setItemData(self.count() - 1, code, Qt.ItemDataRole.ToolTipRole)
        self.setCurrentIndex(max(0, self.findData(chosen)))
        self.blockSignals(False)

    def chosen(self) -> str | None:
        """The action's code chosen; None for all actions."""
        return str(self.currentData() or "") or None
