"""Each Today card's "… and N more" opens the list the card summarises. The expiring card's
opened the Inventory as it stood (every kit, any expiry): the pharmacist looked for the ten
kits expiring among hundreds. It opens the Inventory on the kits the card counts, by the
service's window (Dashboard.expiring_by, KitQuery.expiring_by: one rule, the service's), and
the filter says so, unticked to list every kit again."""

from __future__ import annotations

from datetime import date

from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import main_window, shoot, today_screen

from dispensary.services import quarantine, receiving
from dispensary.ui.dashboard import SHOWN_PER_SECTION, DashboardScreen, LinkButton
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow

P75 = "herombopag-7.5mg"
SOON = [f"K{n:04d}" for n in range(201, 207)]  # lot L2398, expiring 2026-02-28


def today_with_kits_expiring(qtbot: QtBot, counter: Counter) -> DashboardScreen:
    """Ten kits expiring within 90 days of 2026-01-05 (K0101-K0104 of L2399 on 2026-03-31, one
    of them in quarantine; K0201-K0206 of L2398 on 2026-02-28), the other ten in 2027."""
    pharm = counter.actor("pharm")
    kits = receiving.kits_from_range(
        counter.ctx, "K0201-K0206", P75, "L2398", date(2026, 2, 28), None
    )
    receiving.receive_shipment(counter.ctx, pharm, "SH-SOON", kits)
    quarantine.quarantine(counter.ctx, pharm, ["K0101"], "Dropped, box dented")
    window = main_window(qtbot, counter.session("pharm"), (1366, 768))
    dashboard = today_screen(window)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    return dashboard


def test_the_expiring_cards_more_opens_the_inventory_on_its_kits(
    qtbot: QtBot, counter: Counter
) -> None:
    dashboard = today_with_kits_expiring(qtbot, counter)
    snapshot = dashboard.snapshot
    assert snapshot is not None
    counted = sorted(k.number for k in snapshot.expiring)
    assert len(counted) > SHOWN_PER_SECTION
    [more] = [
        b
        for _k, _r, b in dashboard.links
        if isinstance(b, LinkButton)
        and dashboard.expiring.isAncestorOf(b)
        and b.full_text.startswith("… and")
    ]
    assert more.full_text == f"… and {len(counted) - SHOWN_PER_SECTION} more"
    window = dashboard.window()
    assert isinstance(window, MainWindow)
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    inventory = window.current_screen()
    assert isinstance(inventory, InventoryScreen)
    # Every kit the card counts, none other: those of 2027 left out, the one in quarantine in.
    qtbot.waitUntil(lambda: inventory.model.rowCount() == len(counted))
    rows = sorted(inventory.model.row_at(i).number for i in range(inventory.model.rowCount()))
    assert rows == counted
    assert "K0101" in rows and "K0001" not in rows
    box = inventory.expiring
    assert box.isVisible() and box.isChecked()
    assert box.text() == "Expiring by 2026-04-05", box.text()
    assert inventory.status.currentIndex() == 0 and inventory.product.currentIndex() == 0
    shoot(inventory, "inventory-expiring")
    # Unticked: every kit again, the box put away.
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: inventory.model.rowCount() > len(counted))
    assert not box.isVisible()
    assert "K0001" in [inventory.model.row_at(i).number for i in range(inventory.model.rowCount())]


def test_a_kit_scanned_leaves_the_expiring_filter(qtbot: QtBot, counter: Counter) -> None:
    """A kit scanned that the expiring filter hides is shown, the filter put away, as the
    other filters are."""
    dashboard = today_with_kits_expiring(qtbot, counter)
    window = dashboard.window()
    assert isinstance(window, MainWindow)
    dashboard.open_request.emit("expiring", "2026-04-05")
    inventory = window.current_screen()
    assert isinstance(inventory, InventoryScreen)
    assert inventory.expiring.isChecked()
    assert inventory.handle_scan("K0001")
    assert [k.number for k in inventory.selected()] == ["K0001"]
    assert not inventory.expiring.isVisible() and not inventory.expiring.isChecked()
