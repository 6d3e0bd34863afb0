"""The Temperature window as the logger review used it: a cumulative export, gaps inside a
file, files of other encodings and headers, a large file imported while the window answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from PySide6.QtCore import Qt, QTimer
from window_helpers import refreshed

from dispensary.services import dispensing
from dispensary.ui.temperature_view import TemperatureScreen

WARM_NIGHT = """timestamp,celsius
2026-01-20T10:00:00+00:00,22.0
2026-01-20T11:00:00+00:00,27.5
2026-01-20T12:00:00+00:00,28.1
2026-01-20T13:00:00+00:00,23.0
"""
# The same night exported again with the next day: a new excursion on the 21st.
CUMULATIVE = WARM_NIGHT + "2026-01-21T10:00:00+00:00,29.0\n2026-01-21T11:00:00+00:00,22.0\n"


def click_import(qtbot: Any, screen: TemperatureScreen) -> None:
    """Import and check clicked; the import runs on a worker: waited for, as a user waits."""
    with qtbot.waitSignal(screen.import_done, timeout=20_000):
        qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)


def make_screen(qtbot: Any, pharmacy: Pharmacy) -> TemperatureScreen:
    return refreshed(qtbot, TemperatureScreen(pharmacy.session("tech")))


def import_file(qtbot: Any, screen: TemperatureScreen, path: Path) -> None:
    """The file's path typed, Import and check clicked, as a user does."""
    screen.file.clear()
    qtbot.keyClicks(screen.file, str(path))
    click_import(qtbot, screen)


def import_text(qtbot: Any, screen: TemperatureScreen, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    import_file(qtbot, screen, path)


def test_a_cumulative_export_records_the_new_excursion_and_names_the_old(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    screen = make_screen(qtbot, pharmacy)
    import_text(qtbot, screen, tmp_path / "monday.csv", WARM_NIGHT)
    [first] = screen.excursions.rows
    import_text(qtbot, screen, tmp_path / "tuesday.csv", CUMULATIVE)
    said = screen.message.text()
    assert screen.message.kind == "warning", said
    assert said.startswith("1 excursion found in tuesday.csv for IP store 1"), said
    assert f"is on record already (no. {first.excursion_id}, imported on " in said
    assert "from monday.csv): not recorded again." in said
    assert len(screen.excursions.rows) == 2
    qtbot.wait(100)  # the message laid out, to look at
    screen.grab().save(str(tmp_path / "cumulative.png"))


def test_a_gap_inside_a_file_is_said_and_counted(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """Readings every hour, then none for five hours: the window said "No excursion…
    every reading was within limits" in green, and nothing of the hole."""
    hours = [h for h in range(24) if not 5 <= h <= 9]
    text = "timestamp,celsius\n" + "".join(f"2026-01-21T{h:02d}:00:00+00:00,21.0\n" for h in hours)
    screen = make_screen(qtbot, pharmacy)
    import_text(qtbot, screen, tmp_path / "holed.csv", text)
    said = screen.message.text()
    assert screen.message.kind == "warning", said
    assert (
        "The logger recorded nothing from 2026-01-21 04:00 (UTC+00:00) to 2026-01-21 10:00 "
        "(UTC+00:00) (it reads every 60 min): a gap in the temperature log."
    ) in said
    gaps = next(
        i
        for i in range(screen.loggers.columnCount())
        if i and screen.loggers.headerData(i, Qt.Orientation.Horizontal) == "Gaps"
    )
    assert screen.logger_proxy.index(0, gaps).data() == "1"
    qtbot.wait(100)
    screen.grab().save(str(tmp_path / "gap.png"))


def test_a_gbk_export_of_chinese_excel_is_imported_and_its_encoding_said(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """A GBK-encoded CSV got "… is not a text (CSV) file"."""
    path = tmp_path / "gbk.csv"
    rows = "".join(f"2026-01-21 {h:02d}:00:00,21.0\n" for h in range(6))
    path.write_bytes(("时间,温度(℃)\n" + rows).encode("gbk"))
    screen = make_screen(qtbot, pharmacy)
    import_file(qtbot, screen, path)
    said = screen.message.text()
    assert screen.message.kind == "ok", said
    assert "Read as GB18030 text (Chinese Windows), not UTF-8." in said
    [check] = screen.loggers.rows
    assert (check.source, check.readings) == ("gbk.csv", 6)


def test_a_header_not_found_is_quoted_in_the_window(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    screen = make_screen(qtbot, pharmacy)
    import_text(qtbot, screen, tmp_path / "semi.csv", "timestamp;celsius\n2026-01-21T10:00Z;21,5\n")
    said = screen.message.text()
    assert "header was taken from line 1: 'timestamp;celsius'" in said
    assert "separated by semicolons" in said


def test_a_large_file_is_imported_while_the_window_answers(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """A 50,000-line file with a thousand short excursions froze the window for 8 seconds: the
    import ran on its thread. It runs on a worker; the window keeps drawing and says so."""
    start = datetime(2026, 1, 10, tzinfo=UTC)
    rows = [
        f"{(start + timedelta(minutes=i)).isoformat()},{26.0 if i % 100 == 50 else 21.0}\n"
        for i in range(20_000)
    ]
    path = tmp_path / "big.csv"
    path.write_text("timestamp,celsius\n" + "".join(rows), encoding="utf-8")
    screen = make_screen(qtbot, pharmacy)
    ticks: list[int] = []
    timer = QTimer(screen)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    screen.file.clear()
    qtbot.keyClicks(screen.file, str(path))
    with qtbot.waitSignal(screen.import_done, timeout=120_000):
        qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)
        # Back from the click before the import is done: the window says what it is doing.
        assert screen.message.text() == "Importing big.csv…"
        assert screen.message.kind == "info" and not screen.import_button.isEnabled()
    timer.stop()
    assert ticks, "the window's event loop did not run during the import"
    assert screen.import_button.isEnabled()
    assert screen.message.text().startswith("200 excursions found in big.csv"), (
        screen.message.text()[:200]
    )


def test_an_excursion_imported_late_names_the_kits_dispensed_since(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """An excursion on 26 January read on the 28th: 01-002's kit, dispensed on the 27th, was in
    the store during it and was named nowhere; 01-001's, dispensed on the 5th, was gone."""
    pharmacy.clock.set_date(date(2026, 1, 27))
    given = dispensing.dispense_cycle(
        pharmacy.ctx, pharmacy.actor("pharm"), "01-002", 1, date(2026, 1, 27), PASSWORDS["pharm"]
    )
    kit = given.kits[0].kit
    pharmacy.clock.set_date(date(2026, 1, 28))
    screen = make_screen(qtbot, pharmacy)
    import_text(
        qtbot,
        screen,
        tmp_path / "late.csv",
        "timestamp,celsius\n2026-01-26T10:00:00+00:00,22.0\n2026-01-26T11:00:00+00:00,27.5\n"
        "2026-01-26T12:00:00+00:00,22.0\n",
    )
    said = screen.message.text()
    assert screen.message.kind == "warning", said
    assert (
        f"Kits in IP store 1 during this excursion and dispensed since: {kit}. Tell the sponsor "
        f"and the investigator; the participants: 01-002 CD ({kit}, dispensed 2026-01-27)."
    ) in said, said
    assert "01-001" not in said
    # The excursion's row keeps it once the message is gone: counted, named in its hint.
    column = next(
        i
        for i in range(screen.excursions.columnCount())
        if screen.excursions.headerData(i, Qt.Orientation.Horizontal) == "Dispensed since"
    )
    cell = screen.excursion_proxy.index(0, column)
    assert cell.data() == "1"
    assert f"01-002 CD ({kit}, dispensed 2026-01-27)" in cell.data(Qt.ItemDataRole.ToolTipRole)
    qtbot.wait(100)  # the message laid out, to look at
    screen.grab().save(str(tmp_path / "late.png"))


def test_a_new_excursion_names_the_kits_in_quarantine_already(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """The night of the 20th quarantined the store's kits; the 21st was warm again. Its import
    said "no available kit was stored there" and its row listed no kit: the kits held since the
    20th, exposed to it too, were named nowhere. They are named, as in quarantine already."""
    screen = make_screen(qtbot, pharmacy)
    import_text(qtbot, screen, tmp_path / "monday.csv", WARM_NIGHT)
    [first] = screen.excursions.rows
    held = sorted(first.kits)
    assert held
    import_text(
        qtbot,
        screen,
        tmp_path / "tuesday.csv",
        "timestamp,celsius\n2026-01-21T09:00:00+00:00,22.0\n2026-01-21T10:00:00+00:00,29.0\n"
        "2026-01-21T11:00:00+00:00,22.0\n",
    )
    said = screen.message.text()
    assert screen.message.kind == "warning", said
    assert (
        "Kits in IP store 1 during this excursion that were quarantined already: "
        f"{', '.join(held)}. Not quarantined again; tell the sponsor they were exposed to this "
        "excursion too."
    ) in said, said
    second = next(r for r in screen.excursions.rows if r.excursion_id != first.excursion_id)
    assert second.kits == () and sorted(second.kits_held) == held
    # The new excursion's row chosen, as a user clicks it: its exposed kits listed below.
    proxy, table = screen.excursion_proxy, screen.excursion_table
    row = next(
        i
        for i in range(proxy.rowCount())
        if screen.excursions.rows[proxy.mapToSource(proxy.index(i, 0)).row()].excursion_id
        == second.excursion_id
    )
    table.clearSelection()
    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(proxy.index(row, 0)).center(),
    )
    assert sorted(k.number for k in screen.kits.rows) == held
    assert "in quarantine already, not quarantined again" in screen.kits_label.text()
    qtbot.wait(100)  # the message laid out, to look at
    screen.grab().save(str(tmp_path / "held.png"))


TWO_EXCURSIONS = (
    "timestamp,celsius\n2026-01-21T04:00:00+00:00,22.0\n2026-01-21T04:15:00+00:00,22.0\n"
    "2026-01-21T04:30:00+00:00,30.0\n2026-01-21T04:45:00+00:00,22.0\n"
    "2026-01-21T05:00:00+00:00,22.0\n2026-01-21T05:15:00+00:00,31.0\n"
    "2026-01-21T05:30:00+00:00,22.0\n"
)


def test_each_excursions_notes_are_said_with_it_and_how_long_it_may_have_lasted(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path, language: Any
) -> None:
    """Two excursions in one file: both one's and the other's notes ("quarantined already")
    followed the count, tied to neither; each single reading outside read "04:30 to 04:30",
    0 minutes, with nothing of the readings within the range next to it."""
    screen = make_screen(qtbot, pharmacy)
    import_text(qtbot, screen, tmp_path / "monday.csv", WARM_NIGHT)
    import_text(qtbot, screen, tmp_path / "two.csv", TWO_EXCURSIONS)
    said = screen.message.text()
    first, second = (
        "The excursion of 2026-01-21 04:30 (UTC+00:00) to 2026-01-21 04:30 (UTC+00:00):",
        "The excursion of 2026-01-21 05:15 (UTC+00:00) to 2026-01-21 05:15 (UTC+00:00):",
    )
    held = "Kits in IP store 1 during this excursion that were quarantined already: "
    if language.value == "zh_CN":
        first = "2026-01-21 04:30 (UTC+00:00) 至 2026-01-21 04:30 (UTC+00:00) 的温度超标："
        second = "2026-01-21 05:15 (UTC+00:00) 至 2026-01-21 05:15 (UTC+00:00) 的温度超标："
        held = "此次温度超标期间存放于试验药物库房1、此前已隔离的药盒："
    assert said.index(first) < said.index(held, said.index(first)) < said.index(second), said
    assert said.index(held, said.index(second)) > said.index(second), said
    # The row of the excursion at 04:30: how long it may have lasted, in its hint and below.
    proxy, table = screen.excursion_proxy, screen.excursion_table
    row = next(
        i
        for i in range(proxy.rowCount())
        if screen.excursions.rows[proxy.mapToSource(proxy.index(i, 0)).row()].started_at
        == datetime(2026, 1, 21, 4, 30, tzinfo=UTC)
    )
    longest = (
        "It began after 2026-01-21 04:15 (UTC+00:00) and ended before 2026-01-21 04:45 "
        "(UTC+00:00): between them at the longest."
        if language.value != "zh_CN"
        else "始于 2026-01-21 04:15 (UTC+00:00) 之后、止于 2026-01-21 04:45 (UTC+00:00) 之前："
        "最长为这两个时间之间。"
    )
    tip = proxy.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[-1] == longest, tip  # after the time with its zone
    table.clearSelection()
    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(proxy.index(row, 0)).center(),
    )
    assert longest in screen.kits_label.text()
    qtbot.wait(100)  # the message laid out, to look at
    screen.grab().save(str(tmp_path / f"two-{language.value}.png"))
