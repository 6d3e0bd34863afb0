"""The Participants register's filters and the Today screen's finding lines, as a user meets
them over a working day.

- The register narrowed to a Today card's list ("… and N more") kept the day the card was read
  for: a window left open overnight listed yesterday's participants due until opened from the
  card again. The screen asks the service again at each refresh, for the day it is then.
- F5 with the study file updated meanwhile (the window builds its screens again) dropped the
  filter the user had set: the search typed, the card's list. It is kept.
- Two count differences of one kit on one day had one finding key (Discrepancy.key): the
  Today screen's line of the second chose the first on the reconciliation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from counter_fixtures import OPENING_DAY, PASSWORDS, Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_study_file_reaches_screens import amended
from test_today_more_participants import LATER, opened, shown_numbers, today_with_many_due
from window_helpers import main_window, shoot, today_screen

from dispensary.services import counts, reconciliation, studies
from dispensary.services import dashboard as dashboard_service
from dispensary.services.results import Discrepancy
from dispensary.ui.dashboard import DashboardScreen, LinkButton
from dispensary.ui.main_window import MainWindow
from dispensary.ui.models.table import RowFilterProxy
from dispensary.ui.participants_view import ParticipantsScreen
from dispensary.ui.reconcile_view import ReconcileScreen


def press_f5(qtbot: QtBot, window: MainWindow) -> None:
    """Go > Refresh, by its key."""
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F5)


def test_the_due_list_is_the_days_when_the_window_stayed_open_overnight(
    qtbot: QtBot, counter: Counter
) -> None:
    dashboard = today_with_many_due(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    register = opened(qtbot, dashboard, dashboard.due, [d.study_number for d in snapshot.due])
    assert LATER not in shown_numbers(register)
    window = register.window()
    assert isinstance(window, MainWindow)
    # The window left open: days later (01-011's next cycle due within the week now), F5.
    counter.clock.set_date(OPENING_DAY + timedelta(days=42))
    press_f5(qtbot, window)
    assert window.current_screen() is register
    pharm, today = counter.actor("pharm"), counter.clock.today()
    due_now = sorted(
        d.study_number for d in dashboard_service.due_this_week(counter.ctx, pharm, today)
    )
    assert LATER in due_now
    assert shown_numbers(register) == due_now
    assert register.listed.isVisible() and register.listed.isChecked()
    assert register.listed.text() == f"{len(due_now)} due for their next cycle this week"


def update_the_study_file(counter: Counter) -> None:
    """The administrator, at another workstation, loads amendment 2 of the study file."""
    studies.update_study(
        counter.ctx,
        counter.actor("admin"),
        amended(counter.ctx.study.source_text),
        "NCT07198672-v2.toml",
        "protocol amendment 2 approved",
    )


def test_f5_with_the_study_file_updated_keeps_the_search_typed(
    qtbot: QtBot, counter: Counter
) -> None:
    dashboard = today_with_many_due(qtbot, counter)
    window = dashboard.window()
    assert isinstance(window, MainWindow)
    window.go_actions[ParticipantsScreen].trigger()
    register = window.current_screen()
    assert isinstance(register, ParticipantsScreen)
    qtbot.keyClicks(register.search, "01-01")
    assert shown_numbers(register) == ["01-010", "01-011"]
    update_the_study_file(counter)
    press_f5(qtbot, window)
    again = window.current_screen()
    assert isinstance(again, ParticipantsScreen) and again is not register  # built again
    assert window.session.ctx.version == 2
    assert again.search.text() == "01-01"
    assert shown_numbers(again) == ["01-010", "01-011"]
    shoot(window, "participants-search-kept-on-reload")


def test_f5_with_the_study_file_updated_keeps_the_cards_list(
    qtbot: QtBot, counter: Counter
) -> None:
    dashboard = today_with_many_due(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    counted = sorted(p.study_number for p in snapshot.returns_pending)
    register = opened(qtbot, dashboard, dashboard.returns, counted)
    window = register.window()
    assert isinstance(window, MainWindow)
    update_the_study_file(counter)
    press_f5(qtbot, window)
    again = window.current_screen()
    assert isinstance(again, ParticipantsScreen) and again is not register
    assert again.listed.isVisible() and again.listed.isChecked()
    assert again.listed.text() == f"{len(counted)} with a return due"
    assert shown_numbers(again) == counted
    # Unticked: everyone again.
    qtbot.mouseClick(again.listed, Qt.MouseButton.LeftButton)
    assert LATER in shown_numbers(again)


def both_open(
    _study: object, counts_read: Sequence[object], findings: dict[int, Discrepancy]
) -> list[Discrepancy]:
    """Every count difference as found, none settled by a later count of its kit: the
    reconciliation lists only a kit's last count as open (reconciliation._settled), so two open
    differences of one kit on one day are made here, to see their lines told apart."""
    return [findings[c.id] for c in counts_read if c.id in findings]  # type: ignore[attr-defined]


def test_each_finding_line_of_one_kits_counts_on_one_day_chooses_its_own(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reconciliation, "_settled", both_open)
    tech = counter.actor("tech")
    counts.record_count(counter.ctx, tech, "K0003", 19, PASSWORDS["tech"])
    counts.record_count(counter.ctx, tech, "K0003", 18, PASSWORDS["tech"])
    window = main_window(qtbot, counter.session("pharm"), (1366, 768))
    dashboard = today_screen(window)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    found = [d for d in snapshot.discrepancies if d.subject == "K0003"]
    assert len(found) == 2 and found[0].on == found[1].on and found[0].kind is found[1].kind
    lines = {
        b.full_text: b
        for _k, _r, b in dashboard.links
        if isinstance(b, LinkButton) and dashboard.discrepancies.isAncestorOf(b)
    }
    for finding in reversed(found):  # the second first: it chose the first
        window.show_screen(DashboardScreen)
        qtbot.mouseClick(lines[finding.message], Qt.MouseButton.LeftButton)
        reconcile = window.current_screen()
        assert isinstance(reconcile, ReconcileScreen)
        view = reconcile.discrepancy_view
        proxy = view.model()
        assert isinstance(proxy, RowFilterProxy)
        [chosen] = view.selectionModel().selectedRows()
        row = reconcile.discrepancies.row_at(proxy.mapToSource(chosen).row())
        assert row.message == finding.message
    shoot(window, "reconcile-second-count-chosen")
