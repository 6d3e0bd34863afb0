"""The Today screen's due and returns cards: their "… and N more" opened the Participants
register as it stood, everyone listed (a site's hundreds), not the participants the card
counts. It opens the register narrowed to the service's list (Dashboard.due,
Dashboard.returns_pending: the card's own assessment, not a rule read again by the screen),
the filter said beside the search and unticked to list everyone again."""

from __future__ import annotations

from datetime import date, timedelta

from counter_fixtures import OPENING_DAY, PASSWORDS, Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import main_window, shoot, today_screen

from dispensary.services import dispensing, participants, receiving
from dispensary.ui.dashboard import SHOWN_PER_SECTION, DashboardScreen, LinkButton, Section
from dispensary.ui.main_window import MainWindow
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
