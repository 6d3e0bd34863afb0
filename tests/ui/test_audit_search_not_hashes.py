"""The audit trail screen: Text finds what the table shows, not the ledger rows' hashes kept
in the stored values ("e3" typed found entries none of which showed it); a search that finds
nothing says so; the "No." header's arrow points down, as the rows run newest first (it
pointed up)."""

from __future__ import annotations

import json
from typing import Any

from back_office_fixtures import Pharmacy
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from window_helpers import refreshed

from dispensary.domain.audit_actions import searched_values
from dispensary.services import audit
from dispensary.ui.audit_view import AuditScreen

NUMBER = 0


def typed(qtbot: Any, screen: AuditScreen, text: str) -> None:
    screen.text.clear()
    qtbot.keyClicks(screen.text, text)
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)


def only_in_hashes(pharmacy: Pharmacy) -> str:
    """Two characters some entry's ledger rows' hashes hold and nothing the trail shows does."""
    entries = audit.list_entries(pharmacy.ctx, pharmacy.actor("monitor"))
    read = " ".join(
        " ".join([e.entity_id, e.reason, *searched_values(e.new), *searched_values(e.old)])
        for e in entries
    ).casefold()
    hashes = " ".join(
        str(row[1]) for e in entries if e.new for row in json.loads(e.new).get("ledger", [])
    )
    return next(
        a + b for a in "0123456789abcdef" for b in "abcdef" if a + b in hashes and a + b not in read
    )


def test_a_hash_is_not_searched_and_nothing_found_is_said(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    typed(qtbot, screen, only_in_hashes(pharmacy))
    assert screen.proxy.rowCount() == 0
    assert screen.count.text() == "No entry matches these filters."
    typed(qtbot, screen, "K0001")  # what a row shows is found as before
    assert screen.proxy.rowCount() > 0
    assert screen.count.text().endswith("shown")


def test_nothing_found_is_said_in_chinese(chinese: None, qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    typed(qtbot, screen, only_in_hashes(pharmacy))
    assert screen.proxy.rowCount() == 0
    assert screen.count.text() == "没有符合这些筛选条件的记录。"


def arrow_points_down(screen: AuditScreen, section: int) -> bool:
    """Whether the sort arrow drawn in the header's `section` points down: the header drawn
    with and without it, the arrow is what differs; a down arrow is widest at its top."""
    header = screen.table.horizontalHeader()

    def drawn() -> QImage:
        return header.grab().toImage()

    with_arrow = drawn()
    header.setSortIndicatorShown(False)
    without = drawn()
    header.setSortIndicatorShown(True)
    left, width = header.sectionViewportPosition(section), header.sectionSize(section)
    rows = [
        sum(with_arrow.pixel(x, y) != without.pixel(x, y) for x in range(left, left + width))
        for y in range(with_arrow.height())
    ]
    drawn_rows = [(y, n) for y, n in enumerate(rows) if n]
    assert drawn_rows, "no sort arrow drawn"
    widest = max(n for _y, n in drawn_rows)
    first_widest = next(y for y, n in drawn_rows if n == widest)
    middle = (drawn_rows[0][0] + drawn_rows[-1][0]) / 2
    return first_widest < middle


def test_the_number_arrow_points_as_the_rows_run(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    numbers = [int(screen.proxy.index(r, NUMBER).data()) for r in range(screen.proxy.rowCount())]
    assert numbers == sorted(numbers, reverse=True)  # newest first
    assert arrow_points_down(screen, NUMBER)
    header = screen.table.horizontalHeader()
    middle = header.sectionViewportPosition(NUMBER) + header.sectionSize(NUMBER) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(middle, header.height() // 2)
    )
    numbers = [int(screen.proxy.index(r, NUMBER).data()) for r in range(screen.proxy.rowCount())]
    assert numbers == sorted(numbers)  # oldest first once the header is clicked
    assert not arrow_points_down(screen, NUMBER)
