"""Review s12: the audit report's User and Action on the Reports screen were typed (a typo gave an
empty report, saying nothing); they are the Audit trail screen's pickers now (ui.audit_pickers),
filled from the services: the accounts the trail may hold, every action by its name in the
reader's language, the action's code given to the service. And the Audit trail screen's "from"
and "until" Alt keys did nothing while "Limit to dates" was unticked (the dates switched off):
they tick it and go to their date."""

from __future__ import annotations

import io
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from window_helpers import go_to, main_window, refreshed, shoot

from dispensary.domain.audit_actions import AuditAction
from dispensary.i18n import ENGLISH, Language
from dispensary.ui.audit_pickers import ActionPicker, UserPicker
from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.translations import install_language, load_cjk_font

LANGUAGES = [ENGLISH, Language.ZH_CN]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def offered(combo: Any) -> dict[str, str]:
    return {str(combo.itemData(i)): combo.itemText(i) for i in range(combo.count())}


def test_the_audit_report_s_user_and_action_are_picked_not_typed(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The Reports screen offers the users and actions the Audit trail screen offers, by the
    same pickers; the report made keeps the entries of the user and action picked."""
    screen = refreshed(qtbot, ReportsScreen(pharmacy.session("monitor")))
    screen.choose("audit")
    assert isinstance(screen.audit_user, UserPicker)
    assert isinstance(screen.audit_action, ActionPicker)
    assert screen.audit_user.isVisible() and screen.audit_action.isVisible()
    users = offered(screen.audit_user)
    assert users[""] == "All users" and users["monitor"].startswith("monitor (")
    assert "pharm" in users  # a user of the trail, whose name is no longer typed
    actions = offered(screen.audit_action)
    assert actions[""] == "All actions"
    assert set(actions) - {""} >= {a.value for a in AuditAction}  # the whole catalogue
    assert actions["receive"] == "Shipment received"  # by its name, as the Audit screen
    audit_screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")))
    assert offered(audit_screen.user) == users  # one list, one implementation
    assert offered(audit_screen.action) == actions
    shoot(screen, "reports-audit-pickers-en")

    # Picked by the keyboard, as a user does: the name typed into the closed list finds it.
    screen.audit_user.setFocus()
    screen.audit_user.setCurrentIndex(screen.audit_user.findData("pharm"))
    screen.audit_action.setCurrentIndex(screen.audit_action.findData("receive"))
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.made is not None, screen.message.text()
    text = text_of(screen.made.pdf)
    assert "SH-1" in text and "SH-2" in text
    assert "Shipment received" in text
    assert "Enrolment" not in text and "01-002" not in text


def test_the_pickers_read_in_chinese(chinese: None, qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = refreshed(qtbot, ReportsScreen(pharmacy.session("monitor")))
    screen.choose("audit")
    actions = offered(screen.audit_action)
    assert actions[""] == "全部操作" and actions["dispense"] == "发放"
    assert offered(screen.audit_user)[""] == "全部用户"
    shoot(screen, "reports-audit-pickers-zh_CN")


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.value)
def test_the_date_s_alt_key_ticks_limit_to_dates_and_goes_to_the_date(
    qtbot: Any, pharmacy: Pharmacy, language: Language
) -> None:
    """Alt+M ("from") and Alt+N ("until") pressed while the dates do not count: "Limit to dates"
    is ticked and the cursor is in the date (it stayed where it was, the dates off)."""
    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, pharmacy.session("pharm"))
        screen = go_to(window, AuditScreen)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        alt = Qt.KeyboardModifier.AltModifier
        for key, field in ((Qt.Key.Key_M, screen.dates.since), (Qt.Key.Key_N, screen.dates.until)):
            screen.dates.limit.setChecked(False)
            screen.text.setFocus()
            qtbot.waitUntil(screen.text.hasFocus)
            assert not field.isEnabled()
            qtbot.keyClick(QApplication.focusWidget(), key, alt)
            qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f)
            assert screen.dates.limit.isChecked() and field.isEnabled()
            assert QApplication.activePopupWidget() is None  # no menu opened
        # Ticked already, the key only moves the cursor (it is not unticked).
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_M, alt)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.dates.since)
        assert screen.dates.limit.isChecked()
    finally:
        install_language(ENGLISH)
