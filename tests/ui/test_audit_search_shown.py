"""The audit trail screen's Text finds what the table shows: in Chinese, a kit's status as it
reads (已隔离) and a value a correction replaced (the Old values column), typed and Enter, as
an inspector searches. Typed, each found nothing (the search read only the stored codes and
the new values)."""

from __future__ import annotations

from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.services import participants, quarantine
from dispensary.ui.audit_view import AuditScreen

ACTION, NEW, OLD = 3, 6, 7


def cells(screen: AuditScreen, column: int) -> list[str]:
    return [str(screen.proxy.index(r, column).data()) for r in range(screen.proxy.rowCount())]


def search(qtbot: Any, screen: AuditScreen, typed: str) -> None:
    """`typed` entered as an input method commits it (QTest types Latin-1 only), then Enter."""
    screen.text.clear()
    screen.text.insert(typed)
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)


def test_the_words_shown_are_found_in_chinese(
    chinese: None, qtbot: Any, pharmacy: Pharmacy
) -> None:
    pharm = pharmacy.actor("pharm")
    quarantine.quarantine(pharmacy.ctx, pharm, ["K0004"], "cap seal broken")
    participants.correct_enrolment(
        pharmacy.ctx,
        pharm,
        "01-002",
        birth_year=1966,
        reason="typo on the form",
        password=PASSWORDS["pharm"],
    )
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)

    search(qtbot, screen, "已隔离")
    assert cells(screen, ACTION) == ["隔离"]
    assert "已隔离" in cells(screen, NEW)[0]

    screen.action.setCurrentIndex(screen.action.findData("enrolment_corrected"))
    search(qtbot, screen, "1965")  # the year recorded first, now in Old values only
    assert cells(screen, OLD) == ["出生年份：1965"]
    assert screen.count.text() == "显示 1 条记录"
