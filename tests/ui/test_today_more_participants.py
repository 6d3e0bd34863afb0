"""The Today screen's due and returns cards: their "… and N more" opened the Participants
register as it stood, everyone listed (a site's hundreds), not the participants the card
counts. It opens the register narrowed to the service's list (Dashboard.due,
Dashboard.returns_pending: the card's own assessment, not a rule read again by the screen),
the filter said beside the search and unticked to list everyone again."""

from __future__ import annotations

from datetime import date, timedelta

from counter_fixtures import OPENING_DAY, PASSWORDS, Counter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from window_helpers import main_window, shoot, today_screen

from dispensary.services import dispensing, participants, queries, receiving, returns
from dispensary.ui.dashboard import SHOWN_PER_SECTION, DashboardScreen, LinkButton, Section
from dispensary.ui.main_window import MainWindow
from dispensary.ui.models.table import RowFilterProxy
from dispensary.ui.participants_view import ParticipantsScreen
from dispensary.ui.reconcile_view import ReconcileScreen

P75 = "herombopag-7.5mg"
OTHERS = [f"01-{n:03d}" for n in range(3, 11)]  # 01-003 ... 01-010
LATER = "01-011"  # dispensed on day 20: neither due nor with a return due on day 26


def today_with_many_due(qtbot: QtBot, counter: Counter) -> DashboardScreen:
    """Ten participants dispensed cycle 1 on the opening day, the supply over 26 days on:
    each due back and each due for cycle 2 (01-001 and 01-002 of the counter among them);
    01-011, dispensed 20 days on, neither."""
    pharm = counter.actor("pharm")
    kits = receiving.kits_from_range(
        counter.ctx, "K0301-K0340", P75, "L2402", date(2027, 6, 30), None
    )
    receiving.receive_shipment(counter.ctx, pharm, "SH-MORE", kits)
    for number in [*OTHERS, LATER]:
        participants.enroll(
            counter.ctx,
            pharm,
            number,
            "ZZ",
            1970,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(counter.ctx.study),
        )
    for number in ["01-001", "01-002", *OTHERS]:
        dispensing.dispense_cycle(
            counter.ctx, pharm, number, 1, OPENING_DAY, PASSWORDS["pharm"], platelet_count=150
        )
    later = OPENING_DAY + timedelta(days=20)
    counter.clock.set_date(later)
    dispensing.dispense_cycle(
        counter.ctx, pharm, LATER, 1, later, PASSWORDS["pharm"], platelet_count=150
    )
    counter.clock.set_date(OPENING_DAY + timedelta(days=26))
    window = main_window(qtbot, counter.session("pharm"), (1366, 768))
    dashboard = today_screen(window)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    return dashboard


def more_of(dashboard: DashboardScreen, card: Section) -> LinkButton:
    [more] = [
        b
        for _k, _r, b in dashboard.links
        if isinstance(b, LinkButton) and card.isAncestorOf(b) and b.full_text.startswith("… and")
    ]
    return more


def opened(
    qtbot: QtBot, dashboard: DashboardScreen, card: Section, counted: list[str]
) -> ParticipantsScreen:
    """The card's "… and N more" clicked: the register, narrowed to `counted`."""
    assert len(counted) > SHOWN_PER_SECTION
    more = more_of(dashboard, card)
    assert more.full_text == f"… and {len(counted) - SHOWN_PER_SECTION} more"
    window = dashboard.window()
    assert isinstance(window, MainWindow)
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    register = window.current_screen()
    assert isinstance(register, ParticipantsScreen)
    assert shown_numbers(register) == sorted(counted)
    assert LATER not in counted and LATER in [r.study_number for r in register.model.rows]
    assert register.listed.isVisible() and register.listed.isChecked()
    return register


def returned(counter: Counter, number: str) -> None:
    """The participant's bottle of cycle 1 brought back and counted (the return recorded)."""
    pharm = counter.actor("pharm")
    _person, history = queries.participant_history(counter.ctx, pharm, number)
    [first] = [h for h in history if h.cycle == 1]
    for kit in first.kits:
        returns.record_return(counter.ctx, pharm, kit, 3, PASSWORDS["pharm"], first.dispense_number)


def shown_numbers(register: ParticipantsScreen) -> list[str]:
    proxy = register.proxy
    return sorted(str(proxy.index(row, 0).data()) for row in range(proxy.rowCount()))


def test_the_due_cards_more_opens_the_participants_it_counts(
    qtbot: QtBot, counter: Counter
) -> None:
    dashboard = today_with_many_due(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    counted = [d.study_number for d in snapshot.due]
    register = opened(qtbot, dashboard, dashboard.due, counted)
    assert register.listed.text() == f"{len(counted)} due for their next cycle this week"
    shoot(register, "participants-due")
    # Unticked: everyone again.
    qtbot.mouseClick(register.listed, Qt.MouseButton.LeftButton)
    assert not register.listed.isVisible()
    assert len(shown_numbers(register)) == register.model.rowCount()
    assert LATER in shown_numbers(register)


def test_the_returns_cards_more_opens_the_participants_it_counts(
    qtbot: QtBot, counter: Counter
) -> None:
    dashboard = today_with_many_due(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    counted = [p.study_number for p in snapshot.returns_pending]
    register = opened(qtbot, dashboard, dashboard.returns, counted)
    assert register.listed.text() == f"{len(counted)} with a return due"
    # A participant opened (scanned) is shown, the list put away.
    assert register.handle_scan("01-001")
    assert not register.listed.isVisible()
    current = register.current()
    assert current is not None and current.study_number == "01-001"


def test_the_findings_cards_more_opens_the_findings_to_review(
    qtbot: QtBot, counter: Counter
) -> None:
    """The card of findings to review: its "… and N more" opened the reconciliation on
    whichever tab it showed (the kits' balance); it opens it on the findings to review."""
    dashboard = today_with_many_due(qtbot, counter)
    counter.clock.set_date(OPENING_DAY + timedelta(days=60))  # every return overdue
    dashboard.refresh()
    qtbot.waitUntil(
        lambda: (
            not dashboard.checking
            and dashboard.snapshot is not None
            and dashboard.snapshot.today == counter.clock.today()
        )
    )
    snapshot = dashboard.snapshot
    assert snapshot is not None and len(snapshot.discrepancies) > SHOWN_PER_SECTION
    more = more_of(dashboard, dashboard.discrepancies)
    window = dashboard.window()
    assert isinstance(window, MainWindow)
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    reconcile = window.current_screen()
    assert isinstance(reconcile, ReconcileScreen)
    assert reconcile.tabs.currentIndex() == reconcile.tabs.indexOf(reconcile.discrepancy_view)
    assert reconcile.discrepancies.rowCount() == len(snapshot.discrepancies)
    shoot(reconcile, "reconcile-to-review")


def test_the_due_list_is_asked_again_when_the_register_is_shown(
    qtbot: QtBot, counter: Counter
) -> None:
    """The register narrowed to the due card's list kept the list as the card read it: a
    participant dispensed since stayed listed until the screen was opened from the card
    again. It asks the service (the card's own rule) again each time it is shown."""
    dashboard = today_with_many_due(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    counted = [d.study_number for d in snapshot.due]
    register = opened(qtbot, dashboard, dashboard.due, counted)
    gone = OTHERS[0]
    assert gone in shown_numbers(register)
    window = register.window()
    assert isinstance(window, MainWindow)
    # Dispensed (through the service, as at another workstation: cycle 1's bottle back first),
    # then the screen shown again.
    returned(counter, gone)
    dispensing.dispense_cycle(
        counter.ctx,
        counter.actor("pharm"),
        gone,
        2,
        counter.clock.today(),
        PASSWORDS["pharm"],
        platelet_count=150,
    )
    window.show_screen(DashboardScreen)
    window.show_screen(ParticipantsScreen)
    assert window.current_screen() is register
    left = sorted(n for n in counted if n != gone)
    assert shown_numbers(register) == left
    assert register.listed.isVisible() and register.listed.isChecked()
    assert register.listed.text() == f"{len(left)} due for their next cycle this week"
    shoot(register, "participants-due-asked-again")


def test_the_returns_list_is_asked_again_when_the_register_is_refreshed(
    qtbot: QtBot, counter: Counter
) -> None:
    """The returns card's list too: a participant whose return is recorded leaves the list
    at the next refresh (the screen's, as F5 and every showing make)."""
    dashboard = today_with_many_due(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    counted = [p.study_number for p in snapshot.returns_pending]
    register = opened(qtbot, dashboard, dashboard.returns, counted)
    before = len(shown_numbers(register))
    gone = OTHERS[1]
    returned(counter, gone)
    register.refresh()
    assert gone not in shown_numbers(register)
    assert len(shown_numbers(register)) == before - 1
    assert register.listed.text() == f"{before - 1} with a return due"


def test_a_finding_line_opens_the_reconciliation_on_that_finding(
    qtbot: QtBot, counter: Counter
) -> None:
    """A line of the findings card opened the reconciliation on the To review tab with
    nothing chosen: the pharmacist looked for the finding among dozens. The line's finding
    (by the service's key of it, Discrepancy.key, not its words) is chosen there, in sight,
    with the focus: Enter opens its participant."""
    dashboard = today_with_many_due(qtbot, counter)
    counter.clock.set_date(OPENING_DAY + timedelta(days=60))  # every return overdue
    dashboard.refresh()
    qtbot.waitUntil(
        lambda: (
            not dashboard.checking
            and dashboard.snapshot is not None
            and dashboard.snapshot.today == counter.clock.today()
        )
    )
    snapshot = dashboard.snapshot
    assert snapshot is not None and len(snapshot.discrepancies) > SHOWN_PER_SECTION
    window = dashboard.window()
    assert isinstance(window, MainWindow)
    window.resize(1366, 420)  # the To review tab scrolls: the finding is scrolled to
    lines = [
        b
        for _k, _r, b in dashboard.links
        if isinstance(b, LinkButton)
        and dashboard.discrepancies.isAncestorOf(b)
        and not b.full_text.startswith("… and")
    ]
    assert len(lines) == SHOWN_PER_SECTION
    for shown in (SHOWN_PER_SECTION - 1, 1):
        finding = snapshot.discrepancies[shown]
        window.show_screen(DashboardScreen)
        qtbot.mouseClick(lines[shown], Qt.MouseButton.LeftButton)
        reconcile = window.current_screen()
        assert isinstance(reconcile, ReconcileScreen)
        view = reconcile.discrepancy_view
        assert reconcile.tabs.currentWidget() is view
        current = view.currentIndex()
        assert current.isValid()
        proxy = view.model()
        assert isinstance(proxy, RowFilterProxy)
        row = reconcile.discrepancies.row_at(proxy.mapToSource(current).row())
        assert row.key == finding.key and row.subject == finding.subject
        assert [i.row() for i in view.selectionModel().selectedRows()] == [current.row()]
        assert view.viewport().rect().contains(view.visualRect(current).center())
        if shown == SHOWN_PER_SECTION - 1:  # below the fold at this height: scrolled to
            assert view.verticalScrollBar().value() > 0
        assert QApplication.focusWidget() is view
    shoot(reconcile, "reconcile-finding-chosen")


def test_a_finding_resolved_since_is_said(qtbot: QtBot, counter: Counter) -> None:
    """A finding no longer to review (resolved since the Today screen read it): the tab is
    shown, nothing chosen, and the screen says why."""
    dashboard = today_with_many_due(qtbot, counter)
    window = dashboard.window()
    assert isinstance(window, MainWindow)
    dashboard.open_request.emit("finding", "return_overdue|01-999|2026-01-01|")
    reconcile = window.current_screen()
    assert isinstance(reconcile, ReconcileScreen)
    assert reconcile.tabs.currentWidget() is reconcile.discrepancy_view
    assert not reconcile.discrepancy_view.selectionModel().selectedRows()
    assert "no longer to review" in reconcile.message.text()
