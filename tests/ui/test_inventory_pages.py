"""The inventory screen over more kits than one page (issue 15): the service filters, sorts
and counts; the table reads on as it is scrolled; a kit selected further down than the rows
read is found again by its number."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import (
    PASSWORDS,
    Pharmacy,
    answer_reason,
    answer_release,
    build_pharmacy,
    sign_with,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus
from dispensary.services import counts, inventory_pages, queries, receiving
from dispensary.services.inventory_pages import KitQuery
from dispensary.ui import inventory_view
from dispensary.ui.inventory_view import InventoryScreen

PAGE = 10
EXTRA = 60
"""Kits K2001-K2060 expire first: K0001 (of the fixture) is the 64th in the screen's order."""


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    kits = receiving.kits_from_range(
        place.ctx, "K2001-K2060", "herombopag-7.5mg", "L2301", date(2026, 9, 30), None
    )
    receiving.receive_shipment(place.ctx, place.actor("pharm"), "SH-3", kits)
    yield place
    place.ctx.engine.dispose()


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "pharm") -> InventoryScreen:
    return refreshed(qtbot, InventoryScreen(pharmacy.session(user), page_size=PAGE), (1200, 500))


def numbers(screen: InventoryScreen) -> list[str]:
    return [r.number for r in screen.model.rows]


def click_header(screen: InventoryScreen, column: int) -> None:
    header = screen.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )


def scroll_to_the_end(qtbot: Any, screen: InventoryScreen) -> None:
    bar = screen.table.verticalScrollBar()
    for _ in range(EXTRA):
        if not screen.model.canFetchMore():
            return
        qtbot.wait(10)  # the view lays out the rows read
        bar.setValue(bar.maximum())
    raise AssertionError("still more to read")


def test_the_table_reads_on_as_it_is_scrolled(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy)
    qtmodeltester.check(screen.model)
    qtbot.wait(20)
    shown = screen.model.rowCount()
    assert shown < 9 + EXTRA and screen.model.canFetchMore()
    assert "69 kits shown" in screen.summary.text()  # counted by the service, not the rows read
    whole = queries.inventory(pharmacy.ctx, pharmacy.actor("pharm"))
    # Two products: each with its own count (a line each), together what is available.
    each = {
        product: sum(
            r.tablets for r in whole if r.status is KitStatus.AVAILABLE and r.product == product
        )
        for product in ("herombopag-7.5mg", "herombopag-2.5mg")
    }
    assert screen.summary.text() == (
        f"69 kits shown; available:\n{each['herombopag-7.5mg']} tablets (7.5 mg tablet)\n"
        f"{each['herombopag-2.5mg']} tablets (2.5 mg tablet)"
    )
    scroll_to_the_end(qtbot, screen)
    expected = sorted(whole, key=lambda r: (r.expiry, r.product, r.lot, r.number))
    assert screen.model.rows == expected
    assert screen.proxy.rowCount() == len(expected)


def counted(qtbot: Any, screen: InventoryScreen) -> str:
    """The summary once the search typed last has been counted."""
    qtbot.waitUntil(lambda: not screen.counting)
    return screen.summary.text()


def test_typing_a_search_asks_the_service(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    qtbot.keyClicks(screen.search, "K20")
    assert "60 kits shown" in counted(qtbot, screen)
    qtbot.keyClicks(screen.search, "5")
    assert numbers(screen)[:3] == ["K2050", "K2051", "K2052"]
    assert "10 kits shown" in counted(qtbot, screen)
    screen.search.clear()
    qtbot.keyClicks(screen.search, "01-001")  # whom the returned kit came back from
    assert numbers(screen) == ["K0001"]
    screen.search.clear()
    qtbot.keyClicks(screen.search, "returned")  # the status, by its shown name
    assert numbers(screen) == ["K0001"]
    screen.search.clear()
    screen.product.setCurrentIndex(screen.product.findData("herombopag-2.5mg"))
    assert numbers(screen) == ["K0101", "K0102", "K0103"]
    assert "3 kits shown" in screen.summary.text()


def test_each_keystroke_shows_its_kits_and_the_text_typed_last_is_counted(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search's count reads every kit: it waits for typing to pause, and the count of a
    text typed over is never shown."""
    screen = make_screen(qtbot, pharmacy)
    asked: list[str] = []
    count = inventory_pages.inventory_summary

    def counting(ctx: Any, actor: Any, query: KitQuery) -> Any:
        asked.append(query.text)
        return count(ctx, actor, query)

    monkeypatch.setattr(inventory_pages, "inventory_summary", counting)
    for key, first in zip("K205", ["K2001", "K2001", "K2001", "K2050"], strict=True):
        qtbot.keyClicks(screen.search, key)
        assert numbers(screen)[0] == first  # the rows of each keystroke at once
        assert screen.counting
        assert "shown" not in screen.summary.text()  # no count of an earlier text
    assert "10 kits shown" in counted(qtbot, screen)
    assert asked == ["k205"]
    screen.search.clear()  # no search: counted from the indexes, at once
    assert not screen.counting
    assert "69 kits shown" in screen.summary.text()
    assert asked == ["k205", ""]


def test_a_header_click_sorts_in_the_service(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    assert numbers(screen)[0] == "K2001"  # the first to expire
    click_header(screen, 0)  # Kit
    assert numbers(screen)[:2] == ["K0001", "K0002"]
    click_header(screen, 0)
    assert numbers(screen)[:2] == ["K2060", "K2059"]
    assert screen.model.rowCount() < 9 + EXTRA  # a page, not the whole list sorted
    click_header(screen, 4)  # Status: available first, by number; the returned kit last
    assert numbers(screen)[:2] == ["K0002", "K0003"]
    click_header(screen, 4)
    assert numbers(screen)[:3] == ["K0001", "K2060", "K2059"]
    before = numbers(screen)
    click_header(screen, 5)  # Tablets: worked out per kit, not sorted on
    assert numbers(screen) == before
    assert screen.table.horizontalHeader().sortIndicatorSection() == 4


def test_a_kit_far_down_is_opened_kept_selected_and_acted_on(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = make_screen(qtbot, pharmacy)
    assert "K0005" not in numbers(screen)
    assert screen.open_kit("K0005")
    assert [k.number for k in screen.selected()] == ["K0005"]
    assert "Kit K0005" in screen.selection_label.text()

    click_header(screen, 0)  # by number: K0005 near the top
    assert [k.number for k in screen.selected()] == ["K0005"]
    click_header(screen, 0)  # descending: far down again, read up to
    assert numbers(screen).index("K0005") > PAGE
    assert [k.number for k in screen.selected()] == ["K0005"]

    answer_reason(monkeypatch, "seal broken")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.quarantine_button, Qt.MouseButton.LeftButton)
    kit = queries.kit_detail(pharmacy.ctx, pharmacy.actor("pharm"), "K0005")
    assert kit.status is KitStatus.QUARANTINED
    assert [k.number for k in screen.selected()] == ["K0005"]  # reselected after the refresh
    assert screen.selected()[0].status is KitStatus.QUARANTINED

    screen.status.setCurrentIndex(screen.status.findData(KitStatus.QUARANTINED.value))
    assert numbers(screen) == ["K0005"]
    assert "1 kit shown; 0 tablets available" in screen.summary.text()
    answer_release(monkeypatch, "sponsor agreed")
    sign_with(monkeypatch, PASSWORDS["pharm"])
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert numbers(screen) == []  # no kit quarantined any more
    assert screen.selected() == []


def test_a_kit_very_far_down_is_shown_by_its_number(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Further down than FAR, the list is narrowed to the kit rather than read up to it."""
    monkeypatch.setattr(inventory_view, "FAR", 62)
    screen = make_screen(qtbot, pharmacy)
    assert screen.handle_scan("k0102")  # the 62nd: read up to
    assert screen.search.text() == ""
    assert [k.number for k in screen.selected()] == ["K0102"]
    assert screen.model.rowCount() >= 62
    assert screen.open_kit("K0003")  # the 66th: the list narrowed
    assert screen.search.text() == "K0003"
    assert numbers(screen) == ["K0003"]
    assert [k.number for k in screen.selected()] == ["K0003"]
    assert not screen.open_kit("K9999")
    assert "not in this pharmacy's stock" in screen.message.text()


def test_a_monitor_reads_and_another_studys_kits_are_not_listed(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy, "monitor")
    assert "69 kits shown" in screen.summary.text()
    assert screen.message.text() == ""
    found = inventory_pages.inventory_summary(
        pharmacy.ctx, pharmacy.actor("monitor"), KitQuery(text="K2")
    )
    assert found.kits == EXTRA


def held_kit_screen(qtbot: Any, pharmacy: Pharmacy) -> InventoryScreen:
    """K0003 counted 19 against its book of 21 and left open: held for the difference."""
    counts.record_count(pharmacy.ctx, pharmacy.actor("tech"), "K0003", 19, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    screen.search.setText("K000")
    screen._filters_changed()
    return screen


def shot(screen: InventoryScreen, name: str) -> None:
    """The screen saved as `name` in the folder DISPENSARY_SHOTS names, when it names one."""
    shots = os.environ.get("DISPENSARY_SHOTS")
    if shots:
        screen.grab().save(str(Path(shots) / name))


def status_cell(screen: InventoryScreen, kit: str) -> tuple[str, str]:
    row = numbers(screen).index(kit)
    index = screen.model.index(row, inventory_view.STATUS_COLUMN)
    brush = screen.model.data(index, Qt.ItemDataRole.ForegroundRole)
    return screen.model.data(index, Qt.ItemDataRole.DisplayRole), brush.color().name()


def test_a_kit_held_for_a_count_difference_is_said_held_in_the_table(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The summary counts a kit held for an open count difference apart and no dispense hands
    it out (KitRow.held): the table says it held, not Available in green; one held and too
    short-dated is said by its expiry."""
    from dispensary.domain.codes import ExpiryStanding
    from dispensary.services.results import KitRow

    screen = held_kit_screen(qtbot, pharmacy)
    qtbot.waitUntil(lambda: "held for a count difference" in screen.summary.text())
    held = status_cell(screen, "K0003")
    assert held == ("Held: count", inventory_view.HELD_COLOUR), held
    assert held[1] != KitStatus.AVAILABLE.colour
    assert status_cell(screen, "K0004") == ("Available", KitStatus.AVAILABLE.colour)
    shot(screen, "inventory-held-en.png")
    row = KitRow("K0002", "p", "L1", date(2027, 6, 30), KitStatus.AVAILABLE, 20, "", "")
    short = replace(row, held=True, dispensable=False, expiry_standing=ExpiryStanding.SHORT)
    assert inventory_view.refused_by_dispense(short)
    assert inventory_view.status_text(short) == "Too short-dated"
    assert inventory_view.status_colour(short) == ExpiryStanding.SHORT.colour


def test_a_kit_held_for_a_count_difference_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    screen = held_kit_screen(qtbot, pharmacy)
    qtbot.waitUntil(lambda: "因盘点差异" in screen.summary.text())
    text, colour = status_cell(screen, "K0003")
    assert text == "盘点暂扣" and colour == inventory_view.HELD_COLOUR
    shot(screen, "inventory-held-zh.png")


def test_the_status_filter_lists_a_held_kit_as_the_table_says_it(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A kit held for an open count difference reads "Held: count": the Status filter's
    Available left it in (the stored status), the filter has the table's word as a choice of
    its own, which lists it alone."""
    screen = held_kit_screen(qtbot, pharmacy)
    assert "K0003" in numbers(screen)
    choices = [screen.status.itemText(i) for i in range(screen.status.count())]
    assert choices[:3] == ["All statuses", "Available", "Held: count"]
    screen.status.setCurrentIndex(screen.status.findData(KitStatus.AVAILABLE.value))
    qtbot.waitUntil(lambda: bool(numbers(screen)))
    assert "K0003" not in numbers(screen)
    shown = {status_cell(screen, kit)[0] for kit in numbers(screen)}
    assert shown == {"Available"}, shown
    screen.status.setCurrentIndex(2)  # the choice as the pharmacist picks it
    qtbot.waitUntil(lambda: numbers(screen) == ["K0003"])
    assert status_cell(screen, "K0003") == ("Held: count", inventory_view.HELD_COLOUR)
    qtbot.waitUntil(lambda: "1 kit shown" in screen.summary.text())
    shot(screen, "inventory-held-filter-en.png")
    screen.search.setText("")
    screen._filters_changed()  # every kit of the study, a page at a time: still K0003 alone
    assert numbers(screen) == ["K0003"]


def test_the_status_filter_held_in_chinese(qtbot: Any, pharmacy: Pharmacy, chinese: None) -> None:
    screen = held_kit_screen(qtbot, pharmacy)
    screen.status.setCurrentIndex(2)
    assert screen.status.currentText() == "盘点暂扣"
    qtbot.waitUntil(lambda: numbers(screen) == ["K0003"])
    assert status_cell(screen, "K0003")[0] == "盘点暂扣"
    qtbot.waitUntil(lambda: "显示 1 个药盒" in screen.summary.text())
    shot(screen, "inventory-held-filter-zh.png")


def short_kit_screen(qtbot: Any, pharmacy: Pharmacy) -> InventoryScreen:
    """K3001 expires tomorrow: available, but too short-dated for a cycle dispensed today."""
    from datetime import timedelta

    tomorrow = pharmacy.clock.today() + timedelta(days=1)
    kits = receiving.kits_from_range(
        pharmacy.ctx, "K3001", "herombopag-7.5mg", "L9901", tomorrow, None
    )
    receiving.receive_shipment(pharmacy.ctx, pharmacy.actor("pharm"), "SH-SHORT", kits)
    screen = make_screen(qtbot, pharmacy)
    screen.search.setText("K3001")
    screen._filters_changed()
    return screen


def test_the_status_filter_lists_a_short_dated_kit_as_the_table_says_it(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A kit too short-dated for a cycle reads "Too short-dated" (the summary counts it apart):
    the Status filter's Available listed it (its stored status); it has a choice of its own."""
    screen = short_kit_screen(qtbot, pharmacy)
    qtbot.waitUntil(lambda: numbers(screen) == ["K3001"])
    assert status_cell(screen, "K3001")[0] == "Too short-dated"
    choices = [screen.status.itemText(i) for i in range(screen.status.count())]
    assert choices[:4] == ["All statuses", "Available", "Held: count", "Too short-dated"]
    screen.status.setCurrentIndex(screen.status.findData(KitStatus.AVAILABLE.value))
    qtbot.waitUntil(lambda: numbers(screen) == [])
    qtbot.waitUntil(lambda: "0 kits shown" in screen.summary.text())
    screen.status.setCurrentIndex(3)  # the choice as the pharmacist picks it
    qtbot.waitUntil(lambda: numbers(screen) == ["K3001"])
    shot(screen, "inventory-short-filter-en.png")
    screen.search.setText("")
    screen._filters_changed()  # every kit of the study: the kits shown so, and none other
    qtbot.waitUntil(lambda: "K3001" in numbers(screen))
    assert {status_cell(screen, kit)[0] for kit in numbers(screen)} == {"Too short-dated"}
    screen.status.setCurrentIndex(screen.status.findData(KitStatus.AVAILABLE.value))
    qtbot.waitUntil(lambda: bool(numbers(screen)) and "K3001" not in numbers(screen))
    assert {status_cell(screen, kit)[0] for kit in numbers(screen)} == {"Available"}


def test_the_status_filter_short_dated_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    screen = short_kit_screen(qtbot, pharmacy)
    screen.status.setCurrentIndex(3)
    assert screen.status.currentText() == "效期不足"
    qtbot.waitUntil(lambda: numbers(screen) == ["K3001"])
    assert status_cell(screen, "K3001")[0] == "效期不足"
    shot(screen, "inventory-short-filter-zh.png")


def test_the_search_finds_a_kit_by_the_status_the_table_shows(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """ "held" found nothing (the search matched the stored statuses' names only) and
    "available" found the kits the table says "Held: count" or "Too short-dated": the search
    finds a kit by the words of its Status cell (KitRow.shown_status, the service's)."""
    from datetime import timedelta

    tomorrow = pharmacy.clock.today() + timedelta(days=1)
    kits = receiving.kits_from_range(
        pharmacy.ctx, "K3001", "herombopag-7.5mg", "L9901", tomorrow, None
    )
    receiving.receive_shipment(pharmacy.ctx, pharmacy.actor("pharm"), "SH-SHORT", kits)
    counts.record_count(pharmacy.ctx, pharmacy.actor("tech"), "K0003", 19, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    qtbot.keyClicks(screen.search, "held")
    qtbot.waitUntil(lambda: numbers(screen) == ["K0003"])
    assert "1 kit shown" in counted(qtbot, screen)
    screen.search.clear()
    qtbot.keyClicks(screen.search, "short-dated")
    qtbot.waitUntil(lambda: numbers(screen) == ["K3001"])
    screen.search.clear()
    qtbot.keyClicks(screen.search, "available")
    assert "67 kits shown" in counted(qtbot, screen)  # 70 kits: not K0001, K0003, K3001
    scroll_to_the_end(qtbot, screen)
    found = numbers(screen)
    assert len(found) == 67 and not {"K0001", "K0003", "K3001"} & set(found)
    assert {status_cell(screen, kit)[0] for kit in found} == {"Available"}
    shot(screen, "inventory-search-available-en.png")


def test_the_search_by_the_status_shown_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    counts.record_count(pharmacy.ctx, pharmacy.actor("tech"), "K0003", 19, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    screen.search.insert("暂扣")  # typed by an input method (QTest types no Chinese)
    qtbot.waitUntil(lambda: numbers(screen) == ["K0003"])
    assert status_cell(screen, "K0003")[0] == "盘点暂扣"
    shot(screen, "inventory-search-held-zh.png")
    screen.search.clear()
    available = inventory_view.shown_status_words()[KitStatus.AVAILABLE.value]
    screen.search.insert(available)
    qtbot.waitUntil(lambda: bool(numbers(screen)))
    scroll_to_the_end(qtbot, screen)
    assert "K0003" not in numbers(screen) and len(numbers(screen)) == 67


def test_a_sort_on_the_status_puts_a_held_kit_apart_from_the_available(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """Sorted by status, the kit the table says "Held: count" sorted among the available kits
    (by its stored status, K0002, K0003, K0004): it sorts as shown, a group of its own."""
    counts.record_count(pharmacy.ctx, pharmacy.actor("tech"), "K0003", 19, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    click_header(screen, 4)  # Status: available first, then held, then returned
    assert numbers(screen)[:2] == ["K0002", "K0004"]
    scroll_to_the_end(qtbot, screen)
    assert numbers(screen)[-2:] == ["K0003", "K0001"]
    click_header(screen, 4)
    assert numbers(screen)[:3] == ["K0001", "K0003", "K2060"]
    shot(screen, "inventory-sort-held-en.png")
