"""The Receive and Temperature screens at 1366x768, in English and Chinese: the receiving
count's line into quarantine wrapped (it held the window to 1374-1472 px), the excursions'
times, the last header and the Open in inventory button whole; a receipt dated before an
excursion on record shown going into quarantine with it, before Receive; the condition
stored in one language-independent word."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from window_helpers import SCREEN, go_to, header_widths, main_window, shoot

from dispensary.domain.codes import KitStatus
from dispensary.i18n import ENGLISH, Language, utc_offset
from dispensary.services import audit, queries, temperature
from dispensary.ui.forms import cell_width, unbroken_width
from dispensary.ui.main_window import MainWindow
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.temperature_view import TemperatureScreen

WARM = (
    "timestamp,celsius\n"
    "2026-01-20T08:00:00+00:00,20.0\n2026-01-20T23:20:00+00:00,31.5\n"
    "2026-01-21T00:20:00+00:00,31.5\n2026-01-21T02:00:00+00:00,20.0\n"
)
"""IP store 1 warm from 23:20 on 2026-01-20 (UTC): the From and To cells' longest times."""


@pytest.fixture
def language(language: Language, styled: None) -> Language:
    """Each language's windows with the program's style sheet (its fonts and paddings size the
    rows and columns)."""
    return language


def receive_screen(qtbot: QtBot, window: MainWindow) -> ReceiveScreen:
    screen = go_to(window, ReceiveScreen)
    qtbot.keyClicks(screen.shipment, "SH-77")
    qtbot.keyClicks(screen.lot, "L2601")
    qtbot.keyClicks(screen.expiry, "2027-09-30")
    screen.range_field.setText("K0301-K0312")
    screen.add_range()
    return screen


def test_the_receive_screen_into_quarantine_fits_1366(
    qtbot: QtBot, language: Language, pharmacy: Pharmacy
) -> None:
    window = main_window(qtbot, pharmacy.session("tech"))
    screen = receive_screen(qtbot, window)
    screen.temperature_ok.setChecked(False)  # the count says why the kits go into quarantine
    qtbot.wait(50)
    shoot(window, f"receive-quarantine-{language.value}")
    assert screen.assessment is not None and screen.assessment.quarantined
    assert screen.count_label.wordWrap()
    assert window.minimumSizeHint().width() <= SCREEN[0], window.minimumSizeHint()
    # What the window leaves the screen at 1366 (beside the navigation): its layout within it
    # (the count on one line needed 1197 px of 1166, the window 1374-1472).
    assert screen.minimumSizeHint().width() <= window.stack.width(), screen.minimumSizeHint()
    assert screen.count_label.height() >= screen.count_label.heightForWidth(
        screen.count_label.width()
    )


def test_a_receipt_dated_before_an_excursion_on_record_is_shown_into_quarantine(
    qtbot: QtBot, language: Language, pharmacy: Pharmacy
) -> None:
    [excursion] = [
        e
        for e in temperature.import_logger(
            pharmacy.ctx, pharmacy.actor("pharm"), "IP store 1", WARM
        )
        if e.own
    ]
    window = main_window(qtbot, pharmacy.session("tech"))
    screen = receive_screen(qtbot, window)
    screen.received_on.setDate(QDate(2026, 1, 19))
    screen._show_kits()
    found = screen.assessment
    assert found is not None and not found.quarantined
    assert [e.excursion_id for e in found.excursions] == [excursion.excursion_id]
    assert screen.excursion_label.isVisibleTo(screen)
    assert f"excursion {excursion.excursion_id}" in screen.excursion_label.text() or (
        f"温度超标 {excursion.excursion_id}" in screen.excursion_label.text()
    )
    verdicts = {screen.kits_model.rows[0].status}
    assert verdicts == {KitStatus.QUARANTINED}
    assert window.minimumSizeHint().width() <= SCREEN[0], window.minimumSizeHint()
    # What the window leaves the screen at 1366 (beside the navigation): its layout within it
    # (the count on one line needed 1197 px of 1166, the window 1374-1472).
    assert screen.minimumSizeHint().width() <= window.stack.width(), screen.minimumSizeHint()
    shoot(window, f"receive-excursion-{language.value}")
    screen.receive()
    result = screen.last_result
    assert result is not None and [e.excursion_id for e in result.excursions] == [
        excursion.excursion_id
    ]
    assert screen.excursion_label.text() in screen.message.text()
    stock = {k.number: k for k in queries.inventory(pharmacy.ctx, pharmacy.actor("tech"))}
    assert stock["K0301"].status is KitStatus.QUARANTINED


def test_the_condition_is_stored_in_one_word_and_shown_in_the_readers(
    qtbot: QtBot, language: Language, pharmacy: Pharmacy
) -> None:
    window = main_window(qtbot, pharmacy.session("tech"))
    screen = receive_screen(qtbot, window)
    shown = screen.condition.text()
    assert shown == ("intact" if language is ENGLISH else "完好")
    screen.receive()
    assert screen.last_result is not None
    [entry] = [
        e
        for e in audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="receive")
        if e.entity_id == "SH-77"
    ]
    assert json.loads(entry.new)["condition"] == "intact"


def test_a_kit_marked_damaged_at_the_counter_shows_its_cause_and_fits_1366(
    qtbot: QtBot, language: Language, pharmacy: Pharmacy
) -> None:
    """Scanned (typed + Enter), marked damaged with Alt+M: its verdict says into quarantine and
    why, in the reader's language, the list and the buttons whole at 1366x768; received so."""
    window = main_window(qtbot, pharmacy.session("tech"))
    screen = receive_screen(qtbot, window)
    window.activateWindow()  # a shortcut (Alt+M) is the active window's
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    screen.scan_field.setFocus()
    qtbot.keyClicks(screen.scan_field, "K0313")
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return)
    assert screen.kits_model.rows[-1].number == "K0313"
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: screen.kits_model.rows[-1].status is KitStatus.QUARANTINED)
    verdict = screen.kits_model.index(len(screen.kits_model.rows) - 1, 5).data()
    assert verdict == (
        "Into quarantine, damaged on arrival (seen at receipt)"
        if language is ENGLISH
        else "进入隔离，到货时破损（收货时发现）"
    )
    assert screen.damaged_button.text() == (
        "Mark da&maged" if language is ENGLISH else "标为破损(&M)"
    )
    assert window.minimumSizeHint().width() <= SCREEN[0], window.minimumSizeHint()
    assert screen.minimumSizeHint().width() <= window.stack.width(), screen.minimumSizeHint()
    assert screen.damaged_button.width() >= screen.damaged_button.sizeHint().width()
    shoot(window, f"receive-damaged-{language.value}")
    screen.receive()
    assert screen.last_result is not None
    assert screen.last_result.damaged == (("K0313", "seen at receipt"),)
    stock = {k.number: k.status for k in queries.inventory(pharmacy.ctx, pharmacy.actor("tech"))}
    assert (stock["K0312"], stock["K0313"]) == (KitStatus.AVAILABLE, KitStatus.QUARANTINED)


def test_the_manifest_s_check_off_fits_1366_and_asks_about_the_kits_not_scanned(
    qtbot: QtBot,
    language: Language,
    pharmacy: Pharmacy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A manifest imported, two of its three kits scanned (typed + Enter): their lines ticked,
    the count says so; at Receive the question names the kit not scanned, in the reader's
    language; Record as missing receives the two."""
    from PySide6.QtWidgets import QMessageBox

    manifest = tmp_path / "SH-78.csv"
    manifest.write_text(
        "kit,lot,expiry,tablets\n"
        + "".join(f"K04{n:02d},L2604,2027-09-30,21\n" for n in range(1, 4)),
        encoding="utf-8",
    )
    window = main_window(qtbot, pharmacy.session("tech"))
    screen = go_to(window, ReceiveScreen)
    qtbot.keyClicks(screen.shipment, "SH-78")
    screen.load_manifest(manifest)
    for code in ("K0401", "K0403"):
        qtbot.keyClicks(screen.scan_field, code)
        qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return)
    assert ("2 of 3" if language is ENGLISH else "2 / 3") in screen.count_label.text()
    assert window.minimumSizeHint().width() <= SCREEN[0], window.minimumSizeHint()
    assert screen.minimumSizeHint().width() <= window.stack.width(), screen.minimumSizeHint()
    shoot(window, f"receive-checkoff-{language.value}")
    asked: list[str] = []

    def answered(box: QMessageBox) -> int:
        box.show()
        qtbot.waitExposed(box)
        asked.append(box.text())
        shoot(box, f"receive-missing-{language.value}")
        [record] = [b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.AcceptRole]
        record.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answered)
    screen.receive()
    assert asked == [
        "1 of the 3 kits of the manifest were not scanned: K0402."
        if language is ENGLISH
        else "装箱单的 3 个药盒中有 1 个未扫描：K0402。"
    ]
    assert screen.last_result is not None
    assert (screen.last_result.kits, screen.last_result.missing) == (
        ("K0401", "K0403"),
        ("K0402",),
    )


def cell_fits(view: Any, row: int, column: int) -> bool:
    """The cell's text whole in its column: no piece that cannot go onto another line wider
    than the column, the row as tall as its lines."""
    text = str(view.model().data(view.model().index(row, column), Qt.ItemDataRole.DisplayRole))
    return (
        unbroken_width(view, text) <= view.horizontalHeader().sectionSize(column)
        and view.rowHeight(row) >= view.sizeHintForRow(row)
        and "\u2026" not in text
    )


def test_the_temperature_screen_shows_times_headers_and_buttons_whole_at_1366(
    qtbot: QtBot, language: Language, pharmacy: Pharmacy
) -> None:
    pharmacy.clock.set_date(date(2026, 1, 26))
    temperature.import_logger(pharmacy.ctx, pharmacy.actor("pharm"), "IP store 1", WARM)
    window = main_window(qtbot, pharmacy.session("pharm"))
    screen = go_to(window, TemperatureScreen)
    screen.refresh()
    qtbot.wait(50)
    assert window.width() <= SCREEN[0]
    view = screen.excursion_table
    view.selectRow(0)
    qtbot.wait(50)
    shoot(window, f"temperature-{language.value}")
    header = view.horizontalHeader()
    for column in (0, 1):  # From and To: "2026-01-21 07:20 UTC+08:00"
        assert cell_fits(view, 0, column), view.model().data(view.model().index(0, column))
    sorted_by = header.sortIndicatorSection()
    header.setSortIndicatorShown(False)  # the arrow's room on the sorted column only
    needed = [header.sectionSizeHint(c) for c in range(header.count())]
    header.setSortIndicatorShown(True)
    needed[sorted_by] = header.sectionSizeHint(sorted_by)
    cut = [
        str(view.model().headerData(c, Qt.Orientation.Horizontal))
        for c in range(header.count())
        if header.sectionSize(c) < needed[c]
    ]
    assert cut == []
    right = header.sectionViewportPosition(header.count() - 1) + header.sectionSize(
        header.count() - 1
    )
    assert right <= view.viewport().width(), (right, view.viewport().width())
    button = screen.open_button
    assert button.width() >= button.sizeHint().width(), (button.width(), button.sizeHint())
    assert screen.kits_label.width() >= screen.kits_label.minimumSizeHint().width()


def test_the_logger_files_times_and_names_read_whole_at_1366(
    qtbot: QtBot, language: Language, pharmacy: Pharmacy
) -> None:
    """The logger files' From, To and Imported cells whole at 1366x768 (in Chinese they read
    "2026-12-05 08:00 …", the zone cut off): the zone said in the times' titles' tooltips and
    in each cell's tooltip with its time; every column within the table's width; the file's
    name whole in its tooltip when its column gives way (it read "logger-IP-…"). The
    excursions' times alike."""
    pharmacy.clock.set_date(date(2026, 1, 26))
    source = "logger-IP-store-1-2026-01-export-from-the-pharmacy-fridge.csv"
    temperature.import_logger(pharmacy.ctx, pharmacy.actor("pharm"), "IP store 1", WARM, source)
    window = main_window(qtbot, pharmacy.session("pharm"))
    screen = go_to(window, TemperatureScreen)
    screen.refresh()
    qtbot.wait(50)
    shoot(window, f"temperature-loggers-{language.value}")
    zone = utc_offset(datetime.now().astimezone())
    english = language is ENGLISH
    when = ["From", "To"] if english else ["开始", "结束"]
    imported = "Imported" if english else "导入日期"
    for view, times in ((screen.logger_table, [*when, imported]), (screen.excursion_table, when)):
        model = view.model()
        titles = [
            str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
        ]
        for title in times:
            cell = model.index(0, titles.index(title))
            text = str(cell.data())
            assert "\u2026" not in text and f"({zone})" not in text
            assert cell_width(view, text) <= view.horizontalHeader().sectionSize(cell.column()), (
                title,
                text,
            )
            assert f"({zone})" in str(cell.data(TIP))
            tip = model.headerData(cell.column(), Qt.Orientation.Horizontal, TIP)
            assert title == imported or zone in str(tip)
        assert header_whole(view)
        header = view.horizontalHeader()
        last = header.count() - 1
        assert header.sectionViewportPosition(last) + header.sectionSize(last) <= (
            view.viewport().width()
        )
        name = model.index(0, titles.index("Logger file" if english else "记录仪文件"))
        assert name.data() == source
        assert name.data(TIP) == source  # cut or not
    day = screen.logger_table.model().index(0, titles_of(screen.logger_table).index(imported))
    assert day.data() == "2026-01-26"


TIP = Qt.ItemDataRole.ToolTipRole


def titles_of(view: Any) -> list[str]:
    model = view.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]


def header_whole(view: Any) -> bool:
    """Every title whole (the sort arrow's room on the sorted column only)."""
    header = view.horizontalHeader()
    needed = header_widths(view)
    return all(header.sectionSize(c) >= needed[c] for c in range(header.count()))
