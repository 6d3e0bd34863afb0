"""Every screen of the main window in navigation order, and which screen opens which record.

Imported after sign-in only: the screens pull in the services, the database layer and the
report and label libraries, none of which the sign-in window needs.
"""

from __future__ import annotations

from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.backups_view import BackupsScreen
from dispensary.ui.count_view import CountScreen
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.participants_view import ParticipantsScreen
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.reconcile_view import ReconcileScreen
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.screen import OpenKind, Screen
from dispensary.ui.settings_view import SettingsScreen
from dispensary.ui.studies_view import StudiesScreen
from dispensary.ui.study_rules_view import StudyRulesScreen
from dispensary.ui.temperature_view import TemperatureScreen
from dispensary.ui.users_view import UsersScreen

SCREENS: tuple[type[Screen], ...] = (
    DashboardScreen,
    DispenseScreen,
    ReturnScreen,
    ReceiveScreen,
    InventoryScreen,
    ParticipantsScreen,
    CountScreen,
    ReconcileScreen,
    ReportsScreen,
    TemperatureScreen,
    AuditScreen,
    UsersScreen,
    StudiesScreen,
    StudyRulesScreen,
    SettingsScreen,
    BackupsScreen,
)

OPENS: dict[OpenKind, type[Screen]] = {
    OpenKind.DISPENSE: DispenseScreen,
    OpenKind.RETURN: ReturnScreen,
    OpenKind.RECEIVE: ReceiveScreen,
    OpenKind.KIT: InventoryScreen,
    OpenKind.INVENTORY: InventoryScreen,
    OpenKind.QUARANTINED: InventoryScreen,
    OpenKind.EXPIRING: InventoryScreen,
    OpenKind.PARTICIPANT: ParticipantsScreen,
    OpenKind.DUE: ParticipantsScreen,
    OpenKind.RETURNS_DUE: ParticipantsScreen,
    OpenKind.RECONCILE: ReconcileScreen,
    OpenKind.TO_REVIEW: ReconcileScreen,
    OpenKind.FINDING: ReconcileScreen,
}


def screen_classes() -> list[type[Screen]]:
    return list(SCREENS)


def screen_for(kind: str) -> type[Screen] | None:
    """The screen that opens records of this kind; None for a kind no screen handles."""
    try:
        return OPENS.get(OpenKind(kind))
    except ValueError:
        return None
