"""The temperature screen: a logger export is imported, excursions quarantine the stock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, release_signed
from detail_words import split_detail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QScrollArea, QTableView
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus, Role
from dispensary.domain.errors import NotPermitted
from dispensary.i18n import Language, utc_offset
from dispensary.services import queries, receiving, studies, temperature
from dispensary.ui.temperature_view import TemperatureScreen

WARM_NIGHT = """timestamp,celsius
2026-01-20T10:00:00+00:00,22.0
2026-01-20T11:00:00+00:00,27.5
2026-01-20T12:00:00+00:00,28.1
2026-01-20T13:00:00+00:00,23.0
"""

QUIET_DAY = """timestamp,celsius
2026-01-21T10:00:00+00:00,21.0
2026-01-21T11:00:00+00:00,21.5
"""


def click_import(qtbot: Any, screen: TemperatureScreen) -> None:
    """Import and check clicked; the import runs on a worker: waited for, as a user waits."""
    with qtbot.waitSignal(screen.import_done, timeout=20_000):
        qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)


def make_screen(qtbot: Any, pharmacy: Pharmacy) -> TemperatureScreen:
    return refreshed(qtbot, TemperatureScreen(pharmacy.session("tech")), None)


def import_text(qtbot: Any, screen: TemperatureScreen, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    screen.file.clear()
    qtbot.keyClicks(screen.file, str(path))
    click_import(qtbot, screen)


def test_excursion_quarantines_the_kits_in_the_area(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    screen = make_screen(qtbot, pharmacy)
    assert screen.area.currentText() == "IP store 1"
    with qtbot.waitSignal(screen.changed):
        import_text(qtbot, screen, tmp_path / "logger.csv", WARM_NIGHT)
    assert screen.message.kind == "warning"
    assert "1 excursion found" in screen.message.text()
    qtmodeltester.check(screen.excursions)
    qtmodeltester.check(screen.kits)
    [excursion] = screen.excursions.rows
    assert (excursion.highest, excursion.source) == (28.1, "logger.csv")
    quarantined = queries.inventory(
        pharmacy.ctx, pharmacy.actor("tech"), status=KitStatus.QUARANTINED
    )
    numbers = sorted(k.number for k in quarantined)
    assert numbers == ["K0002", "K0003", "K0004", "K0005", "K0006", "K0101", "K0102", "K0103"]
    assert sorted(k.number for k in screen.kits.rows) == numbers

    screen.kit_table.selectRow(0)
    with qtbot.waitSignal(screen.open_request) as request:
        qtbot.mouseClick(screen.open_button, Qt.MouseButton.LeftButton)
    assert request.args[0] == "kit"
    assert request.args[1] in numbers


def test_readings_within_limits_quarantine_nothing(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    screen = make_screen(qtbot, pharmacy)
    import_text(qtbot, screen, tmp_path / "quiet.csv", QUIET_DAY)
    assert screen.message.kind == "ok"
    assert "No excursion" in screen.message.text()
    assert not queries.inventory(pharmacy.ctx, pharmacy.actor("tech"), status=KitStatus.QUARANTINED)


def test_unreadable_files_are_refused_in_plain_words(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    screen = make_screen(qtbot, pharmacy)
    qtbot.keyClicks(screen.file, str(tmp_path / "missing.csv"))
    with qtbot.waitSignal(screen.import_done):
        qtbot.keyClick(screen.file, Qt.Key.Key_Return)
    assert "There is no file" in screen.message.text()

    import_text(qtbot, screen, tmp_path / "wrong.csv", "time,degrees\n2026-01-20,30\n")
    assert "It needs a column 'timestamp'" in screen.message.text()
    assert screen.file.text().endswith("wrong.csv")

    binary = tmp_path / "export.xls"
    binary.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\xff\xfe")
    screen.file.clear()
    qtbot.keyClicks(screen.file, str(binary))
    click_import(qtbot, screen)
    assert "not a text (CSV) file" in screen.message.text()
    assert not screen.excursions.rows


def test_monitor_may_not_import(pharmacy: Pharmacy) -> None:
    assert not TemperatureScreen.visible_to(Role.MONITOR)
    with pytest.raises(NotPermitted):
        temperature.import_logger(pharmacy.ctx, pharmacy.actor("monitor"), "IP store 1", WARM_NIGHT)


def test_the_logger_files_checked_are_listed_and_said_in_words(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """Two empty tables no longer look the same before any import and after a quiet week: the
    status line says which, and the logger files checked are listed."""
    screen = make_screen(qtbot, pharmacy)
    assert screen.loggers.rows == []
    assert screen.log_status.text() == (
        "No logger file imported yet for this study's storage areas: import the logger's "
        "export (Import and check)."
    )

    import_text(qtbot, screen, tmp_path / "quiet.csv", QUIET_DAY)
    qtmodeltester.check(screen.loggers)
    [quiet] = screen.loggers.rows
    assert (quiet.storage_area, quiet.readings, quiet.lowest, quiet.highest) == (
        "IP store 1",
        2,
        21.0,
        21.5,
    )
    assert (quiet.excursions, quiet.source) == (0, "quiet.csv")
    cells = [
        screen.logger_proxy.index(0, column).data()
        for column in range(screen.loggers.columnCount())
    ]
    assert cells[0] == "IP store 1" and "21.0 °C" in cells and "21.5 °C" in cells
    here = quiet.readings_from.astimezone()
    day, zone = here.date().isoformat(), utc_offset(here)
    assert screen.log_status.text() == (
        f"No excursions in 1 logger file of IP store 1; last: {day} to {day} ({zone}), 21.0–21.5 °C"
    )
    # Each time with its zone on hover and in its title's tooltip: the monitor pack and the
    # command print UTC (in each cell the zone cut the times at 1366x768 in Chinese).
    assert f"{here:%Y-%m-%d}\u00a0{here:%H:%M}" in cells
    started = screen.logger_proxy.index(0, cells.index(f"{here:%Y-%m-%d}\u00a0{here:%H:%M}"))
    assert started.data(Qt.ItemDataRole.ToolTipRole) == f"{here:%Y-%m-%d %H:%M} ({zone})"
    title_tip = screen.logger_proxy.headerData(
        started.column(), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert title_tip == f"In this computer's time, {zone}"

    with qtbot.waitSignal(screen.changed):
        import_text(qtbot, screen, tmp_path / "warm.csv", WARM_NIGHT)
    warm, _quiet = sorted(screen.loggers.rows, key=lambda r: r.source != "warm.csv")
    assert (warm.excursions, warm.readings, warm.lowest, warm.highest) == (1, 4, 22.0, 28.1)
    assert screen.log_status.text().startswith(
        "1 excursion in 2 logger files of IP store 1; last: "
    )
    assert screen.log_status.text().endswith(", 21.0–21.5 °C")  # the quiet day ends later


def test_another_study_s_excursion_is_said_with_its_study_not_taken_for_this_one(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """A shelf shared with a study kept at 15-25 °C: a file at 10 °C is within this study's
    range and outside the other's. The technician works in both: the message says this study
    had no excursion and names the other study, its range and its kits (it read "1 excursion
    found for IP store 1; 2 kits quarantined: S0001, S0002" as if they were this study's)."""
    admin = pharmacy.actor("admin")
    text = pharmacy.ctx.study.source_text.replace(
        'protocol = "NCT07198672"', 'protocol = "DEMO-SHARED"'
    ).replace("min_celsius = 2.0", "min_celsius = 15.0")
    studies.add_study(pharmacy.ctx, admin, text, "shared.toml", "a second protocol, same shelf")
    studies.set_access(pharmacy.ctx, admin, "tech", "DEMO-SHARED", True, "works in both")
    tech = pharmacy.actor("tech")
    theirs = studies.switch_study(pharmacy.ctx, tech, "DEMO-SHARED")
    kits = receiving.kits_from_range(
        theirs, "S0001-S0002", "herombopag-7.5mg", "LS", date(2027, 6, 30), None
    )
    receiving.receive_shipment(
        theirs, tech, "SH-S", kits, received_on=date(2026, 1, 20), location="IP store 1"
    )
    screen = make_screen(qtbot, pharmacy)
    cool = "timestamp,celsius\n2026-01-22T10:00:00+00:00,10.0\n2026-01-22T11:00:00+00:00,10.5\n"
    with qtbot.waitSignal(screen.changed):
        import_text(qtbot, screen, tmp_path / "cool.csv", cool)
    assert screen.message.kind == "warning"
    assert screen.message.text() == (
        "No excursion in cool.csv for this study: every reading was within its limits. "
        "Study DEMO-SHARED (kept at 15–25 °C): 2 kits quarantined: S0001, S0002."
    )
    assert not screen.excursions.rows  # this study's list


LOGGER_FILE_FAULTS = {
    Language.EN: (
        "The logger file {name} could not be read. Check that this account may open it and "
        "that it is not open in another program, then import it again.",
        "Line 3 of the logger file cannot be read as CSV. Check that the file is the logger's "
        "export, saved as CSV, then import it again.",
    ),
    Language.ZH_CN: (
        "无法读取记录仪文件 {name}。请确认此账户有权打开它，且它未在其他程序中打开，然后重新导入。",
        "记录仪文件第 3 行无法按 CSV 读取。请确认该文件是记录仪导出的文件，并以 CSV 格式保存，然后重新导入。",
    ),
}


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_a_logger_file_that_cannot_be_read_says_what_to_do_before_the_technical_detail(
    lang: Language,
    qtbot: Any,
    pharmacy: Pharmacy,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """A file the system refuses to open (here a name under a file, not a folder) and a CSV
    line past the reader's limit: said in the reader's words with what to do (the line of the
    CSV mistake in it), the system's or the csv module's words only after "Technical detail:"
    (the OS error stood mid-sentence, untranslated, with no label)."""
    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")
    screen = make_screen(qtbot, pharmacy)
    (tmp_path / "export").write_text("not a folder", encoding="utf-8")
    under_a_file = tmp_path / "export" / "logger.csv"
    screen.file.clear()
    qtbot.keyClicks(screen.file, str(under_a_file))
    click_import(qtbot, screen)
    said, detail = split_detail(screen.message.text(), lang)
    assert said == LOGGER_FILE_FAULTS[lang][0].format(name="logger.csv")
    assert detail == "Not a directory"

    long = "timestamp,celsius\n2026-01-20T01:00:00,5.0\n2026-01-20T02:00:00," + "9" * 140_000
    import_text(qtbot, screen, tmp_path / "long.csv", long + "\n")
    said, detail = split_detail(screen.message.text(), lang)
    assert said == LOGGER_FILE_FAULTS[lang][1]
    assert detail == "field larger than field limit (131072)"
    assert not screen.excursions.rows


def choose_and_import(
    qtbot: Any, screen: TemperatureScreen, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    """The logger file chosen in the file dialog (Choose file…), then Import and check."""
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(path), ""))
    )
    browse = screen.findChild(QPushButton, "chooseLoggerFile")
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert screen.file.text() == str(path)
    click_import(qtbot, screen)


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_the_import_names_the_storage_area_as_the_screen_does(
    lang: Language,
    qtbot: Any,
    pharmacy: Pharmacy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The study's store by its name in the reader's language, in the import's message and in
    the refusal of the same file imported twice, as the combo box, the status line and the
    tables name it (a Chinese window read "在 logger.csv 中发现 IP store 1 有 1 次温度超标" and
    "IP store 1 在 … 的温度超标已于 … 导入过" beside 试验药物库房1)."""
    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")
    study = pharmacy.ctx.study
    name = study.area_name(study.storage_area, lang.value)
    assert name == ("IP store 1" if lang is Language.EN else "试验药物库房1")
    screen = make_screen(qtbot, pharmacy)
    assert screen.area.currentText() == name
    logger = tmp_path / "logger.csv"
    logger.write_text(WARM_NIGHT, encoding="utf-8")
    choose_and_import(qtbot, screen, monkeypatch, logger)
    assert screen.message.kind == "warning"
    said = screen.message.text()
    assert name in said and (lang is Language.EN or "IP store" not in said), said
    assert name in screen.log_status.text()

    click_import(qtbot, screen)  # the same file again
    assert screen.message.kind == "error"
    said = screen.message.text()
    assert name in said and (lang is Language.EN or "IP store" not in said), said
    assert ("imported on" if lang is Language.EN else "导入过") in said


@pytest.fixture
def styled(qapp: Any) -> Iterator[None]:
    """The program's style sheet (its fonts and paddings size what is measured here)."""
    from dispensary.ui.app import apply_style

    apply_style(qapp)
    yield
    qapp.setStyleSheet("")


SCREEN_AREA = (1166, 674)
"""What a screen gets of a 1366x768 window, beside the navigation and under the scan bar."""


def shown_rows(view: QTableView) -> float:
    """How many rows of the table's height are shown under its header."""
    return view.viewport().height() / view.verticalHeader().defaultSectionSize()


def headers_whole(view: QTableView) -> list[str]:
    """The headers cut: narrower than their title needs (the sort arrow left aside), or off
    the right edge of the table."""
    header = view.horizontalHeader()
    arrow = header.isSortIndicatorShown()
    header.setSortIndicatorShown(False)
    needs = [header.sectionSizeHint(c) for c in range(header.count())]
    header.setSortIndicatorShown(arrow)
    model = view.model()
    return [
        str(model.headerData(c, Qt.Orientation.Horizontal))
        for c in range(header.count())
        if header.sectionSize(c) < needs[c]
        or header.sectionViewportPosition(c) + header.sectionSize(c) > view.viewport().width()
    ]


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_each_table_shows_several_rows_and_its_headers_whole_at_1366(
    lang: Language,
    qtbot: Any,
    pharmacy: Pharmacy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    styled: None,
) -> None:
    """At 1366x768 the logger files, the excursions and the kits each show several rows (in a
    splitter they showed one each, the kits half of one, and "Recorded by" read "‹ecorded b");
    the page scrolls instead, down to the kits when an excursion is chosen."""
    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")
    screen = refreshed(qtbot, TemperatureScreen(pharmacy.session("tech")), SCREEN_AREA)
    for name, text in (("quiet.csv", QUIET_DAY), ("warm.csv", WARM_NIGHT)):
        logger = tmp_path / name
        logger.write_text(text, encoding="utf-8")
        choose_and_import(qtbot, screen, monkeypatch, logger)
    assert screen.message.kind == "warning"  # a long message: the tables have less room
    qtbot.wait(10)
    assert shown_rows(screen.logger_table) >= 3
    assert shown_rows(screen.excursion_table) >= 3
    assert shown_rows(screen.kit_table) >= 5
    for view in (screen.logger_table, screen.excursion_table, screen.kit_table):
        assert headers_whole(view) == [], view.objectName()
    assert screen.kits.rowCount() == 8
    page = screen.findChild(QScrollArea, "temperaturePage")
    top = screen.kit_table.mapTo(page.widget(), screen.kit_table.rect().topLeft()).y()
    rows = screen.kit_table.verticalHeader().defaultSectionSize()
    scrolled = page.verticalScrollBar().value()
    assert page.verticalScrollBar().maximum() > 0  # the page scrolls at 1366x768
    assert scrolled <= top and top + 4 * rows <= scrolled + page.viewport().height()  # in view
    screen.window().grab().save(str(tmp_path / f"temperature-{lang.value}.png"))


def shared_shelf(pharmacy: Pharmacy, more: str, theirs: str) -> None:
    """More kits of this study in its store (`more`, a range), and a second study the
    technician works in, kept at 15-25 °C, with kits (`theirs`) on the same shelf."""
    admin = pharmacy.actor("admin")
    kits = receiving.kits_from_range(
        pharmacy.ctx, more, "herombopag-7.5mg", "L2401", date(2027, 6, 30), None
    )
    receiving.receive_shipment(
        pharmacy.ctx, pharmacy.actor("tech"), "SH-MORE", kits, received_on=date(2026, 1, 19)
    )
    text = pharmacy.ctx.study.source_text.replace(
        'protocol = "NCT07198672"', 'protocol = "DEMO-SHARED"'
    ).replace("min_celsius = 2.0", "min_celsius = 15.0")
    studies.add_study(pharmacy.ctx, admin, text, "shared.toml", "a second protocol, same shelf")
    studies.set_access(pharmacy.ctx, admin, "tech", "DEMO-SHARED", True, "works in both")
    tech = pharmacy.actor("tech")  # with access to both
    other = studies.switch_study(pharmacy.ctx, tech, "DEMO-SHARED")
    kits = receiving.kits_from_range(
        other, theirs, "herombopag-7.5mg", "LS", date(2027, 6, 30), None
    )
    receiving.receive_shipment(
        other, tech, "SH-S", kits, received_on=date(2026, 1, 19), location="IP store 1"
    )


IMPORT_SAID = {
    Language.EN: (
        "1 excursion found in warm.csv for IP store 1; 18 kits quarantined: K0002, K0003, "
        "K0004, K0005, K0006, K0101, K0102, K0103, K0201, K0202… Ask the sponsor whether to "
        "release or reject them. Study DEMO-SHARED (kept at 15–25 °C): 12 kits quarantined: "
        "S0001, S0002, S0003, S0004, S0005, S0006, S0007, S0008, S0009, S0010…",
        "Readings outside 2–25 °C are excursions",
    ),
    Language.ZH_CN: (
        "试验药物库房1：在warm.csv中发现 1 次温度超标；已隔离 18 个药盒：K0002、K0003、K0004、"
        "K0005、K0006、K0101、K0102、K0103、K0201、K0202……请询问申办方是解除隔离还是拒收。"
        "研究 DEMO-SHARED（保存于 15–25 °C）：已隔离 12 个药盒：S0001、S0002、S0003、S0004、"
        "S0005、S0006、S0007、S0008、S0009、S0010……",
        "超出 2–25 °C 的读数即为温度超标",
    ),
}


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_the_import_message_is_punctuated_as_its_language_writes(
    lang: Language,
    qtbot: Any,
    pharmacy: Pharmacy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """A list cut short ends with the language's ellipsis and no full stop after it (it read
    "K1124 .... Ask" and "K1124 ...。"), sentences follow one another as the language writes
    them (no space after 。), and a range is written one way, as the hint and the status line
    write it (the message said "15-25 °C", the hint "2 to 25 °C", the status "21.0–28.4 °C")."""
    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")
    shared_shelf(pharmacy, "K0201-K0210", "S0001-S0012")
    screen = make_screen(qtbot, pharmacy)
    logger = tmp_path / "warm.csv"
    logger.write_text(WARM_NIGHT, encoding="utf-8")
    choose_and_import(qtbot, screen, monkeypatch, logger)
    said, hint = IMPORT_SAID[lang]
    assert screen.message.text() == said
    assert hint in screen.findChild(QLabel, "temperatureHint").text()
    assert "28.1 °C" in screen.log_status.text()
    assert "22.0–28.1 °C" in screen.log_status.text()


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_a_refusal_is_not_shown_again_when_the_screen_is_come_back_to(
    lang: Language,
    qtbot: Any,
    pharmacy: Pharmacy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The same file imported twice is refused; a kit is then opened in the inventory and
    released; back on the Temperature screen (the window calls refresh) the old refusal is gone
    (it stayed, red, "was imported … already"), while the import's own message stays after it
    reloads the screen."""
    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")
    screen = make_screen(qtbot, pharmacy)
    logger = tmp_path / "warm.csv"
    logger.write_text(WARM_NIGHT, encoding="utf-8")
    choose_and_import(qtbot, screen, monkeypatch, logger)
    assert screen.message.kind == "warning" and screen.message.isVisibleTo(screen)
    click_import(qtbot, screen)
    assert screen.message.kind == "error"
    assert ("already" if lang is Language.EN else "导入过") in screen.message.text()

    screen.kit_table.selectRow(0)
    with qtbot.waitSignal(screen.open_request) as request_kit:
        qtbot.mouseClick(screen.open_button, Qt.MouseButton.LeftButton)
    kit = request_kit.args[1]
    release_signed(pharmacy.ctx, pharmacy.actor("pharm"), [kit], "sponsor's letter", "TE-2026-014")
    screen.refresh()  # the main window shows the screen again
    assert screen.message.text() == "" and not screen.message.isVisibleTo(screen)
    assert kit not in {
        k.number for k in screen.kits.rows if k.status is KitStatus.QUARANTINED
    }  # the kit's status today
