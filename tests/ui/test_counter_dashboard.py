"""The main window: the dashboard's items open their workflows, and any scan finds its screen;
the dashboard reads its figures off the UI thread."""

from __future__ import annotations

import re
import threading
from datetime import date
from typing import Any

import pytest
from counter_fixtures import Counter, Printer, Signatures
from detail_words import split_detail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from window_helpers import dispense_kits_to_pick

from dispensary.i18n import Language
from dispensary.services import dashboard as dashboard_service
from dispensary.services import dispensing, returns
from dispensary.services.context import Actor, Context
from dispensary.services.dashboard import Dashboard
from dispensary.services.results import DispenseResult
from dispensary.ui.dashboard import DashboardScreen, LinkButton
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.reconcile_view import ReconcileScreen
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.screens import OPENS, screen_classes
from tamper import edit_file


@pytest.fixture
def pending(counter: Counter) -> DispenseResult:
    """28 January: 01-001's cycle-1 bottle is not back; 01-002 brought back 15 of 21 tablets
    (an unexplained under-use flag); kits of lot L2399 expire on 31 March."""
    pharm = counter.actor("pharm")
    first = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    other = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-002", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(date(2026, 1, 26))
    returns.record_return(counter.ctx, pharm, other.kits[0].kit, 15, "pharmpass1", other.number)
    counter.clock.set_date(date(2026, 1, 28))
    return first


@pytest.fixture
def window(qtbot: QtBot, counter: Counter, pending: DispenseResult) -> MainWindow:
    main = MainWindow(
        counter.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    settled(qtbot, main)
    return main


WORKER_WAIT_MS = 30_000
"""How long a test waits for the Today screen's worker: its first read verifies the whole
trail in a process of its own, which a loaded CI machine took over pytest-qt's 5 s to do."""


def settled(qtbot: QtBot, window: MainWindow) -> DashboardScreen:
    """The Today screen once its worker has read the figures (it reads off the UI thread)."""
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    qtbot.waitUntil(
        lambda: not dashboard.checking and dashboard.snapshot is not None, timeout=WORKER_WAIT_MS
    )
    return dashboard


def link(window: MainWindow, kind: str, ref: str) -> QPushButton:
    dashboard = window.current_screen()
    assert isinstance(dashboard, DashboardScreen)
    found = [button for k, r, button in dashboard.links if k == kind and r == ref]
    assert found, f"no {kind} link for {ref!r} in {[(k, r) for k, r, _ in dashboard.links]}"
    return found[0]


def back_to_dashboard(window: MainWindow) -> None:
    window.go_actions[DashboardScreen].trigger()
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    if dashboard.worker is not None:
        dashboard.worker.wait()  # the links of the figures just read


def test_each_dashboard_item_opens_its_workflow(
    qtbot: QtBot, window: MainWindow, pending: DispenseResult
) -> None:
    dashboard = window.current_screen()
    assert isinstance(dashboard, DashboardScreen) and dashboard.snapshot is not None
    snapshot = dashboard.snapshot
    assert [p.dispense_number for p in snapshot.returns_pending] == [pending.number]
    # A return, not a bottle: a dispense of two kits is one return due.
    assert dashboard.returns.summary.text() == (
        "1 return due: the supply has ended and no return is recorded."
    )
    assert [(d.study_number, d.next_cycle, d.overdue) for d in snapshot.due] == [
        ("01-001", 2, True),
        ("01-002", 2, True),
    ]
    assert [k.number for k in snapshot.expiring] == ["K0103", "K0104"]
    assert [d.kind for d in snapshot.discrepancies] == ["adherence"]
    assert [s.kits_needed for s in snapshot.stock] == [2, 0]
    stock_lines = [
        b.full_text
        for k, _r, b in dashboard.links
        if k == "inventory" and isinstance(b, LinkButton)
    ]
    assert any(line.endswith("2 kits needed for the next cycles") for line in stock_lines)
    assert any(line.endswith("0 kits needed for the next cycles") for line in stock_lines)

    qtbot.mouseClick(link(window, "return", pending.number), Qt.MouseButton.LeftButton)
    screen = window.current_screen()
    assert isinstance(screen, ReturnScreen)
    assert screen.dispense is not None and screen.dispense.number == pending.number

    back_to_dashboard(window)
    qtbot.mouseClick(link(window, "dispense", "01-002"), Qt.MouseButton.LeftButton)
    screen = window.current_screen()
    assert isinstance(screen, DispenseScreen)
    assert screen.participant is not None and screen.participant.study_number == "01-002"

    back_to_dashboard(window)
    qtbot.mouseClick(link(window, "kit", "K0103"), Qt.MouseButton.LeftButton)
    assert isinstance(window.current_screen(), InventoryScreen)

    back_to_dashboard(window)
    # A finding opens the reconciliation on that finding (its key, not its words).
    today = window.current_screen()
    assert isinstance(today, DashboardScreen)
    finding = next(r for k, r, _b in today.links if k == "finding")
    assert finding.startswith("adherence|01-002|")
    qtbot.mouseClick(link(window, "finding", finding), Qt.MouseButton.LeftButton)
    assert isinstance(window.current_screen(), ReconcileScreen)
    assert window.navigation.currentItem().text() == "Reconciliation"


def test_the_toolbar_scan_field_routes_every_kind_of_code(
    qtbot: QtBot, window: MainWindow, pending: DispenseResult
) -> None:
    def scan(code: str) -> None:
        window.focus_scan()
        qtbot.keyClicks(window.scan_field, code)
        qtbot.keyClick(window.scan_field, Qt.Key.Key_Return)

    scan(pending.number)
    returned = window.current_screen()
    assert isinstance(returned, ReturnScreen)
    assert returned.dispense is not None and returned.dispense.number == pending.number

    back_to_dashboard(window)
    scan("01-002")
    dispense = window.current_screen()
    assert isinstance(dispense, DispenseScreen)
    assert dispense.participant is not None and dispense.participant.study_number == "01-002"

    back_to_dashboard(window)
    scan("k0005")
    assert isinstance(window.current_screen(), InventoryScreen)
    assert window.scan_field.cue == "ok"

    scan("NOPE-404")
    assert window.scan_field.cue == "error"
    assert "is not a kit, dispensing label or participant" in window.scan_feedback.text()
    assert isinstance(window.current_screen(), InventoryScreen)


def test_a_lot_number_scanned_on_today_is_named_a_lot_with_what_to_scan(
    qtbot: QtBot, window: MainWindow, snapshot: Any
) -> None:
    """The barcode on the sponsor's carton scanned at the Today screen: it said "not a kit,
    dispensing label or participant"; it says what the services assess it is (the words the
    kit fields and receiving use) and what to scan instead, and opens nothing."""
    assert isinstance(window.current_screen(), DashboardScreen)
    before = snapshot(window.session.ctx)
    window.focus_scan()
    qtbot.keyClicks(window.scan_field, "l2401")
    qtbot.keyClick(window.scan_field, Qt.Key.Key_Return)
    assert window.scan_field.cue == "error"
    assert window.scan_feedback.text() == (
        "L2401 is a lot number, not a kit. Scan the barcode on the kit's own label, or type the "
        "kit number printed under it."
    )
    assert isinstance(window.current_screen(), DashboardScreen)
    assert snapshot(window.session.ctx) == before


def test_a_dispense_refreshes_the_dashboard(
    qtbot: QtBot, window: MainWindow, signatures: Signatures, printer: Printer
) -> None:
    dashboard = window.current_screen()
    assert isinstance(dashboard, DashboardScreen) and dashboard.snapshot is not None
    assert len(dashboard.snapshot.due) == 2
    screen = window.show_screen(DispenseScreen)
    assert isinstance(screen, DispenseScreen)
    screen.load_participant("01-002")
    dispense_kits_to_pick(qtbot, screen)
    qtbot.waitUntil(lambda: not dashboard.checking)
    assert dashboard.snapshot is not None
    assert [d.study_number for d in dashboard.snapshot.due] == ["01-001"]


def test_a_dispense_does_not_wait_for_the_dashboard_figures(
    qtbot: QtBot,
    window: MainWindow,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The refresh after a dispense hands the reconciliation and chain verification to a
    worker: the dispense returns while the worker is held mid-read (on the UI thread it could
    not), the screen keeps the last figures and says it is checking, and the new figures
    appear when the worker finishes."""
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen) and dashboard.snapshot is not None
    before = dashboard.snapshot
    held = threading.Event()
    reading = threading.Event()
    threads: list[threading.Thread] = []
    real = dashboard_service.dashboard

    def slow(ctx: Context, actor: Actor, **options: Any) -> Dashboard:
        threads.append(threading.current_thread())
        reading.set()
        assert held.wait(30), "the test never let the worker go on"
        return real(ctx, actor, **options)

    monkeypatch.setattr(dashboard_service, "dashboard", slow)
    screen = window.show_screen(DispenseScreen)
    assert isinstance(screen, DispenseScreen)
    screen.load_participant("01-002")
    try:
        dispense_kits_to_pick(
            qtbot, screen
        )  # returns although the dashboard's worker cannot finish yet
        assert reading.wait(10), "no worker started reading after the dispense"
        assert dashboard.checking
        assert dashboard.snapshot is before  # the last figures stay until the new ones arrive
        assert dashboard.state.text().endswith("checking…")
        assert threads and threads[0] is not threading.main_thread()
    finally:
        held.set()
    qtbot.waitUntil(lambda: not dashboard.checking)
    assert dashboard.snapshot is not before
    assert [d.study_number for d in dashboard.snapshot.due] == ["01-001"]
    assert "Figures as of" in dashboard.state.text()
    assert "checking" not in dashboard.state.text()


def test_after_the_first_read_only_new_records_are_verified(
    qtbot: QtBot,
    window: MainWindow,
    counter: Counter,
    pending: DispenseResult,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first read verifies the whole audit trail; each later one starts where the last
    that passed stood, checks only the entries written since, and says so; an edit behind the
    program's back among them is named at once, and stays named at each refresh."""
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen) and dashboard.snapshot is not None
    first = dashboard.snapshot.verification
    assert first.ok and first.new_entries is None and first.point is not None
    assert f"records verified in full ({first.entries} audit entries)" in dashboard.state.text()
    asked: list[object] = []
    real = dashboard_service.dashboard

    def noted(ctx: Context, actor: Actor, **options: Any) -> Dashboard:
        asked.append(options.get("since"))
        return real(ctx, actor, **options)

    monkeypatch.setattr(dashboard_service, "dashboard", noted)
    screen = window.show_screen(DispenseScreen)
    assert isinstance(screen, DispenseScreen)
    screen.load_participant("01-002")
    dispense_kits_to_pick(qtbot, screen)
    qtbot.waitUntil(lambda: not dashboard.checking)
    assert asked == [first.point]
    later = dashboard.snapshot.verification
    assert later.ok and later.new_entries is not None and 0 < later.new_entries < first.entries
    said = f"{later.new_entries} new audit entries verified since the full check of "
    assert said in dashboard.state.text()

    # A step written since (here by the service, as another workstation would), then its
    # return row edited behind the program's back before the screen reads again.
    pharm = counter.actor("pharm")
    back = returns.record_return(
        counter.ctx, pharm, pending.kits[0].kit, 20, "pharmpass1", pending.number
    )
    edit_file(
        counter.ctx.database,
        "UPDATE returns SET tablets = 2 WHERE id = (SELECT MAX(id) FROM returns)",
    )
    dashboard.refresh()
    qtbot.waitUntil(lambda: not dashboard.checking)
    assert "TAMPERING OR DAMAGE FOUND" in dashboard.state.text()
    assert not dashboard.broken.isHidden() and "returns row" in dashboard.broken.text()
    found = dashboard.snapshot.discrepancies
    assert found[0].kind == "audit_chain" and "returns row" in found[0].message
    assert back is not None
    dashboard.refresh()  # from the last good point again: still named
    qtbot.waitUntil(lambda: not dashboard.checking)
    assert asked[-1] == later.point
    assert "TAMPERING OR DAMAGE FOUND" in dashboard.state.text()


def test_refreshes_asked_for_while_reading_are_read_once_more_after(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three changes while the worker reads make one more read, which sees the last change."""
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    calls: list[int] = []
    real = dashboard_service.dashboard

    def counted(ctx: Context, actor: Actor, **options: Any) -> Dashboard:
        calls.append(1)
        return real(ctx, actor, **options)

    monkeypatch.setattr(dashboard_service, "dashboard", counted)
    for _ in range(3):
        dashboard.refresh()
    qtbot.waitUntil(lambda: not dashboard.checking)
    assert len(calls) == 2


def test_ctrl_l_puts_the_cursor_in_the_scan_field(qtbot: QtBot, window: MainWindow) -> None:
    window.show_screen(ReturnScreen)
    assert QApplication.focusWidget() is not window.scan_field
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.scan_field


def test_a_technician_sees_the_counter_but_cannot_dispense(
    qtbot: QtBot, counter: Counter, pending: DispenseResult
) -> None:
    main = MainWindow(
        counter.session("tech"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(main)
    titles = [c.title for c in main.classes]
    assert "Dispense" not in titles and "Returns" in titles and "Receive" in titles
    dashboard = settled(qtbot, main)
    assert {k for k, _, _ in dashboard.links} >= {"participant", "return", "kit"}
    assert "dispense" not in {k for k, _, _ in dashboard.links}


def test_figures_that_cannot_be_read_are_said_and_the_last_ones_stay(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed read in the worker (the server gone, say) is shown on the screen, not lost in
    the thread; the last figures stay with their time, and the screen is no longer checking."""
    from dispensary.domain.errors import DatabaseProblem

    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen) and dashboard.snapshot is not None
    before = dashboard.snapshot

    def gone(ctx: Context, actor: Actor, **options: Any) -> Dashboard:
        raise DatabaseProblem("The database server cannot be reached.")

    monkeypatch.setattr(dashboard_service, "dashboard", gone)
    dashboard.refresh()
    qtbot.waitUntil(lambda: not dashboard.checking)
    assert dashboard.message.text() == "The database server cannot be reached."
    assert dashboard.snapshot is before
    assert dashboard.state.text().startswith("Figures as of")


def test_the_stock_card_says_how_many_kits_on_hand_can_serve_a_cycle_started_today(
    qtbot: QtBot, counter: Counter, window: MainWindow
) -> None:
    """Lot L2399 expires on 31 March: on the 20th its kits are on hand, not expired, but a
    cycle started that day would outlast them, so the counter would not hand them out."""
    counter.clock.set_date(date(2026, 3, 20))
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    dashboard.refresh()
    qtbot.waitUntil(
        lambda: not dashboard.checking and dashboard.snapshot is not None, timeout=WORKER_WAIT_MS
    )
    snapshot = dashboard.snapshot
    assert snapshot is not None
    [need] = [s for s in snapshot.stock if s.product == "herombopag-7.5mg"]
    assert need.kits_usable == need.kits_on_hand - 2  # K0103 and K0104
    line = next(
        b.full_text
        for k, _r, b in dashboard.links
        if k == "inventory" and isinstance(b, LinkButton) and "7.5" in b.full_text
    )
    assert f"of which {need.kits_usable} can serve a cycle started today" in line, line


FIGURES_FAULT = {
    Language.EN: "The figures could not be read. Open the screen again; if it keeps failing, "
    "tell the administrator.",
    Language.ZH_CN: "无法读取数据。请重新打开此界面；如仍失败，请告知管理员。",
}


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_figures_an_unexpected_error_stopped_say_what_to_do_before_the_technical_detail(
    lang: Language,
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """An error no service names, in the worker: the screen says what to do in the reader's
    words; the error's class and Python's words come only after "Technical detail:" (they were
    in brackets in the middle of the sentence)."""
    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)

    def broken(ctx: Context, actor: Actor, **options: Any) -> Dashboard:
        raise KeyError("cycle_days")

    monkeypatch.setattr(dashboard_service, "dashboard", broken)
    dashboard.refresh()
    qtbot.waitUntil(lambda: not dashboard.checking, timeout=WORKER_WAIT_MS)
    said, detail = split_detail(dashboard.message.text(), lang)
    assert said == FIGURES_FAULT[lang]
    assert detail == "KeyError: 'cycle_days'"


def test_the_today_screen_reads_its_figures_again_when_the_day_changes(
    qtbot: QtBot, window: MainWindow, counter: Counter
) -> None:
    """A workstation left signed in overnight showed yesterday's date and who was due then:
    a timer asks the session's clock for the day, and a new day is read again."""
    from dispensary.ui.dashboard import DAY_CHECK_MS

    dashboard = settled(qtbot, window)
    assert dashboard.snapshot is not None and dashboard.snapshot.today == date(2026, 1, 28)
    assert dashboard.day_timer.isActive() and dashboard.day_timer.interval() == DAY_CHECK_MS
    assert "2026-01-28" in dashboard.heading.text()
    dashboard.day_timer.setInterval(20)  # the minute, shortened
    qtbot.wait(100)
    assert dashboard.snapshot.today == date(2026, 1, 28)  # the same day: nothing read again
    counter.clock.set_date(date(2026, 1, 29), hour=7)
    qtbot.waitUntil(
        lambda: dashboard.snapshot is not None and dashboard.snapshot.today == date(2026, 1, 29),
        timeout=WORKER_WAIT_MS,
    )
    assert "2026-01-29" in dashboard.heading.text()


def test_the_today_row_clicked_or_f5_while_today_is_shown_reads_it_again(
    qtbot: QtBot, window: MainWindow, counter: Counter
) -> None:
    """Its row clicked again did nothing (the list's current row did not change); F5 reads
    the screen shown again too."""
    dashboard = settled(qtbot, window)
    dashboard.day_timer.stop()  # the click and the key, not the timer
    navigation = window.navigation
    assert navigation.currentRow() == 0
    counter.clock.set_date(date(2026, 1, 29))
    where = navigation.visualItemRect(navigation.item(0)).center()
    qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(
        lambda: dashboard.snapshot is not None and dashboard.snapshot.today == date(2026, 1, 29),
        timeout=WORKER_WAIT_MS,
    )
    assert "2026-01-29" in dashboard.heading.text()
    settled(qtbot, window)
    counter.clock.set_date(date(2026, 1, 30))
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(
        lambda: dashboard.snapshot is not None and dashboard.snapshot.today == date(2026, 1, 30),
        timeout=WORKER_WAIT_MS,
    )
    assert "2026-01-30" in dashboard.heading.text()
    assert window.current_screen() is dashboard


def test_the_today_screen_heads_the_findings_as_the_reconciliation_window_does(
    language: Language, qtbot: QtBot, window: MainWindow
) -> None:
    """The Today screen headed the reconciliation's findings "Unresolved discrepancies" (its
    studies' column "Discrepancies", 差异), where the reconciliation window's tab and report
    say "To review" (待审核): one word for the same findings, in both languages."""
    dashboard = settled(qtbot, window)
    heading = dashboard.discrepancies.title.text()
    reconcile = window.show_screen(ReconcileScreen)
    assert isinstance(reconcile, ReconcileScreen)
    tab = reconcile.tabs.tabText(reconcile.tabs.indexOf(reconcile.discrepancy_view))
    word = re.sub(r"\s*[(（]\d+[)）]$", "", tab)  # "To review (1)" once a result is shown
    assert heading == word == {Language.ZH_CN: "待审核"}.get(language, "To review"), (heading, tab)
    model = dashboard.all_studies.model
    headers = [
        model.headerData(i, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for i in range(model.columnCount())
    ]
    assert word in headers and "Discrepancies" not in headers and "差异" not in headers, headers
