"""The Today screen's returns card shows a return in red when the service says it is overdue
(rules.return_overdue: the cycle plus the study's grace, or the grace from the day treatment
ended), not by a rule of its own (it said red 7 days after "supply to")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from counter_fixtures import PASSWORDS, Counter
from pytestqt.qtbot import QtBot

from dispensary.services import dispensing, participants
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.screens import OPENS, screen_classes

DAY1 = date(2026, 1, 5)  # both cycles' day 1 (21 days of supply: to 25 January)
STOPPED = date(2026, 1, 8)  # 01-002 discontinued from this day: supply to 7 January
WORKER_WAIT_MS = 30_000


@pytest.fixture
def window(qtbot: QtBot, counter: Counter) -> MainWindow:
    pharm = counter.actor("pharm")
    for number in ("01-001", "01-002"):
        dispensing.dispense_cycle(counter.ctx, pharm, number, 1, DAY1, PASSWORDS["pharm"])
    counter.clock.set_date(date(2026, 1, 9))
    participants.set_status(
        counter.ctx,
        pharm,
        "01-002",
        "discontinued",
        "investigator stopped drug",
        password=PASSWORDS["pharm"],
        effective_on=STOPPED,
    )
    main = MainWindow(
        counter.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def _red_on(qtbot: QtBot, window: MainWindow, counter: Counter, day: date) -> dict[str, bool]:
    """Each returns line's participant, in red or not, read on `day`."""
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    dashboard.day_timer.stop()
    qtbot.waitUntil(lambda: not dashboard.checking, timeout=WORKER_WAIT_MS)
    counter.clock.set_date(day)
    dashboard.refresh()
    qtbot.waitUntil(
        lambda: (
            not dashboard.checking
            and dashboard.snapshot is not None
            and dashboard.snapshot.today == day
        ),
        timeout=WORKER_WAIT_MS,
    )
    snapshot = dashboard.snapshot
    assert snapshot is not None
    by_dispense = {p.dispense_number: p.study_number for p in snapshot.returns_pending}
    return {
        by_dispense[ref]: bool(button.property("alert"))
        for kind, ref, button in dashboard.links
        if kind == "return"
    }


def test_a_return_is_red_when_the_service_says_it_is_overdue(
    qtbot: QtBot, window: MainWindow, counter: Counter
) -> None:
    grace = counter.ctx.study.return_grace_days
    cycle = counter.ctx.study.cycle.length_days
    # Discontinued: due back from the 8th, overdue after the grace from it (not 7 days after
    # its "supply to", the 7th: a day early). 01-001 is not due yet.
    assert _red_on(qtbot, window, counter, STOPPED + timedelta(days=grace)) == {"01-002": False}
    assert _red_on(qtbot, window, counter, STOPPED + timedelta(days=grace + 1)) == {"01-002": True}
    # On treatment: its supply ended on the 25th, overdue after the cycle and the grace from
    # day 1, not 7 days after the supply's end (a day early at 21 days of supply).
    last_on_time = DAY1 + timedelta(days=cycle + grace)
    assert _red_on(qtbot, window, counter, last_on_time) == {"01-001": False, "01-002": True}
    assert _red_on(qtbot, window, counter, last_on_time + timedelta(days=1)) == {
        "01-001": True,
        "01-002": True,
    }
