"""One pharmacy, several studies, in the windows: the window shows the study worked in and
switches in one step (the toolbar's chooser, a scan of another study's kit or participant, a
line of the Today screen's table of all the user's studies); no screen keeps the study before;
a user without access is refused and stays; an administrator gives access on the Users screen
and adds or closes a study on the Studies screen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, answer_reason, build_pharmacy
from detail_words import split_detail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from dispensary.i18n import Language
from dispensary.services import audit, participants, receiving, studies, users
from dispensary.services.context import Actor
from dispensary.ui.count_view import CountScreen
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.participants_view import ParticipantsScreen
from dispensary.ui.screens import OPENS, screen_classes
from dispensary.ui.studies_view import StudiesScreen, StudyFileDialog
from dispensary.ui.users_view import UsersScreen

FIRST = "NCT07198672"
OTHER = "NCT99999999"
THIRD = "NCT55555555"


def study_text(pharmacy: Pharmacy, protocol: str, short_title: str) -> str:
    """The NCT07198672 study file made another protocol (its own short title, to tell them
    apart on screen)."""
    study = pharmacy.study
    return study.source_text.replace(f'protocol = "{FIRST}"', f'protocol = "{protocol}"').replace(
        f'short_title = "{study.short_title}"', f'short_title = "{short_title}"'
    )


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    """The back-office pharmacy with a second study: kits B0001-B0004 and participant 02-001
    of its own; pharm works in both, pharm2 in the first only."""
    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    admin = place.actor("admin")
    studies.add_study(
        place.ctx, admin, study_text(place, OTHER, "Second protocol"), "other.toml", "opens"
    )
    studies.set_access(place.ctx, admin, "pharm", OTHER, True, "covers both protocols")
    pharm = place.actor("pharm")
    other = studies.switch_study(place.ctx, pharm, OTHER)
    kits = receiving.kits_from_range(
        other, "B0001-B0004", "herombopag-7.5mg", "LB1", date(2027, 6, 30), None
    )
    receiving.receive_shipment(other, pharm, "SH-B", kits)
    participants.enroll(
        other,
        pharm,
        "02-001",
        "XY",
        1980,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(other.study),
    )
    yield place
    place.ctx.engine.dispose()


def open_window(qtbot: QtBot, pharmacy: Pharmacy, username: str) -> MainWindow:
    window = MainWindow(
        pharmacy.session(username), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    today(qtbot, window)
    return window


def today(qtbot: QtBot, window: MainWindow) -> DashboardScreen:
    """The Today screen once its worker has read everything it reads."""
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    return dashboard


def scan(qtbot: QtBot, field: QWidget, code: str) -> None:
    """A code typed (or scanned) into a field, then Enter."""
    field.setFocus()
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown(window: MainWindow, cls: type[Any]) -> Any:
    screen = window.current_screen()
    assert isinstance(screen, cls), screen
    return screen


def test_the_chooser_switches_every_screen_to_the_other_study(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    window = open_window(qtbot, pharmacy, "pharm")
    switcher = window.study_switcher
    assert switcher.isVisible() and switcher.count() == 2
    assert switcher.currentData() == FIRST
    assert FIRST in window.windowTitle() and FIRST in window.study_label.text()

    window.go_actions[InventoryScreen].trigger()
    before = shown(window, InventoryScreen)
    assert {r.number[0] for r in before.model.rows} == {"K"}
    window.go_actions[ParticipantsScreen].trigger()
    assert {r.study_number for r in shown(window, ParticipantsScreen).model.rows} == {
        "01-001",
        "01-002",
    }

    # The user picks the other study with the keyboard, as from the toolbar.
    switcher.setFocus()
    qtbot.keyClick(switcher, Qt.Key.Key_Down)
    assert window.session.ctx.study.protocol == OTHER
    assert OTHER in window.windowTitle() and OTHER in window.study_label.text()
    assert window.notice.isVisible() and f"Switched to study {OTHER}" in window.notice.text()
    register = shown(window, ParticipantsScreen)
    assert [r.study_number for r in register.model.rows] == ["02-001"]
    window.go_actions[InventoryScreen].trigger()
    after = shown(window, InventoryScreen)
    assert after is not before  # rebuilt: no screen keeps the study before
    assert {r.number for r in after.model.rows} == {"B0001", "B0002", "B0003", "B0004"}
    assert all(
        screen.session.ctx.study_id == window.session.ctx.study_id
        for screen in window.screens.values()
    )


def test_a_kit_of_the_other_study_scanned_switches_to_it_with_a_notice(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    window = open_window(qtbot, pharmacy, "pharm")
    scan(qtbot, window.scan_field, "B0002")
    assert window.session.study == OTHER
    assert f"Switched to study {OTHER}: B0002 is of that study." in window.notice.text()
    inventory = shown(window, InventoryScreen)
    assert [r.number for r in inventory.selected()] == ["B0002"]
    assert window.scan_field.cue == "ok"

    # Back in the first study, a participant of the other typed at the dispense counter.
    window.switch_to(FIRST)
    window.go_actions[DispenseScreen].trigger()
    counter = shown(window, DispenseScreen)
    scan(qtbot, counter.participant_field, "02-001")
    qtbot.waitUntil(lambda: window.session.study == OTHER)  # the switch is queued
    dispense = shown(window, DispenseScreen)
    assert dispense is not counter
    assert dispense.participant is not None and dispense.participant.study_number == "02-001"
    assert "02-001 is of that study" in window.notice.text()


def test_a_user_without_access_to_the_other_study_is_refused_and_stays(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    window = open_window(qtbot, pharmacy, "pharm2")
    assert not window.study_switcher.isVisible()  # one study: nothing to choose
    assert not window.screens[DashboardScreen].all_studies.isVisible()
    scan(qtbot, window.scan_field, "B0001")
    assert window.session.study == FIRST
    assert window.scan_field.cue == "error"
    elsewhere = "is recorded in another study of this pharmacy, one you have no access to"
    assert f"Kit B0001 {elsewhere}" in window.notice.text()
    assert OTHER not in window.notice.text() and OTHER not in window.scan_feedback.text()
    assert window.notice.kind == "error"
    assert isinstance(window.current_screen(), DashboardScreen)
    # A participant of that study typed at the counter: refused there, that study not named.
    window.go_actions[DispenseScreen].trigger()
    counter = shown(window, DispenseScreen)
    scan(qtbot, counter.participant_field, "02-001")
    assert window.session.study == FIRST and counter.participant is None
    assert f"Participant 02-001 {elsewhere}" in counter.message.text()
    assert OTHER not in counter.message.text() and counter.participant_field.cue == "error"


def test_an_access_taken_away_elsewhere_stops_the_open_window(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    """The window is open in the first study; at another workstation an administrator takes
    the user's access to it away. The next screen chosen says so and the window leaves that
    study for the one left, its screens rebuilt there; the chooser lists only that one, and a
    participant of the first study is refused at the counter, nothing written."""
    window = open_window(qtbot, pharmacy, "pharm")
    assert window.study_switcher.count() == 2
    admin = pharmacy.actor("admin")
    studies.set_access(pharmacy.ctx, admin, "pharm", FIRST, False, "left the study team")
    before = entries(pharmacy, admin)
    window.go_actions[DispenseScreen].trigger()
    qtbot.waitUntil(lambda: window.session.study == OTHER)
    withdrawn = f"Access to study {FIRST} was withdrawn from pharm"
    assert withdrawn in window.notice.text() and window.notice.kind == "error"
    assert f"Switched to study {OTHER}: Second protocol." in window.notice.text()
    assert [window.study_switcher.itemData(i) for i in range(window.study_switcher.count())] == [
        OTHER
    ]
    counter = shown(window, DispenseScreen)
    scan(qtbot, counter.participant_field, "01-001")
    assert counter.participant is None and window.session.study == OTHER
    assert "one you have no access to" in counter.message.text()
    assert entries(pharmacy, admin) == before


def test_a_screen_refreshed_after_the_access_was_taken_away_leaves_that_study(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    """The participant list of the first study is on screen when its access is taken away;
    its next refresh is refused, and nothing of that study stays: the window switches to the
    study left, the participants shown are that study's."""
    window = open_window(qtbot, pharmacy, "pharm")
    window.go_actions[ParticipantsScreen].trigger()
    listed = shown(window, ParticipantsScreen)
    assert {r.study_number for r in listed.model.rows} == {"01-001", "01-002"}
    admin = pharmacy.actor("admin")
    studies.set_access(pharmacy.ctx, admin, "pharm", FIRST, False, "left the study team")
    listed.refresh()
    qtbot.waitUntil(lambda: window.session.study == OTHER)
    now = shown(window, ParticipantsScreen)
    assert now is not listed
    assert {r.study_number for r in now.model.rows} == {"02-001"}
    assert f"Access to study {FIRST} was withdrawn from pharm" in window.notice.text()
    assert [window.study_switcher.itemData(i) for i in range(window.study_switcher.count())] == [
        OTHER
    ]
    assert FIRST not in window.windowTitle() and OTHER in window.study_label.text()


def test_the_last_study_taken_away_signs_the_user_out_saying_why(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    from dispensary.app import Desk, Workstation
    from dispensary.config import Settings
    from dispensary.ui.sign_in import SignInWindow

    sign_in = SignInWindow(pharmacy.ctx.database)
    qtbot.addWidget(sign_in)
    desk = Desk(Workstation(pharmacy.ctx, Settings(backups_kept=3)), sign_in)
    sign_in.show()
    form = sign_in.form
    form.username.clear()
    qtbot.keyClicks(form.username, "pharm2")
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(form.password, PASSWORDS["pharm2"])
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    window = desk.window  # closed and deleted by the desk at the sign-out
    assert window is not None
    if desk.backup is not None:
        desk.backup.wait()
    today(qtbot, window)
    window.go_actions[ParticipantsScreen].trigger()
    listed = shown(window, ParticipantsScreen)
    assert listed.model.rows
    admin = pharmacy.actor("admin")
    studies.set_access(pharmacy.ctx, admin, "pharm2", FIRST, False, "left the study team")
    listed.refresh()
    qtbot.waitUntil(lambda: desk.window is None)
    assert sign_in.isVisible() and form.message.kind == "error"
    assert f"Access to study {FIRST} was withdrawn from pharm2" in form.message.text()


def entries(pharmacy: Pharmacy, reader: Actor) -> int:
    """How many audit entries the database holds: a refusal writes none."""
    return len(audit.list_entries(pharmacy.ctx, reader))


def test_today_lists_every_study_of_the_user_and_a_click_switches(
    qtbot: QtBot, qtmodeltester: Any, pharmacy: Pharmacy
) -> None:
    window = open_window(qtbot, pharmacy, "pharm")
    dashboard = today(qtbot, window)
    section = dashboard.all_studies
    assert section.isVisible()
    qtbot.waitUntil(lambda: section.model.rowCount() == 2)
    qtmodeltester.check(section.model)
    rows = {r.protocol: r for r in section.model.rows}
    assert set(rows) == {FIRST, OTHER}
    assert rows[OTHER].short_title == "Second protocol" and rows[OTHER].status == "open"
    assert rows[FIRST].discrepancies >= 1  # 01-001's under-use flag of the first study
    assert "2 studies" in section.summary.text()

    line = next(
        i for i in range(section.proxy.rowCount()) if section.proxy.index(i, 0).data() == OTHER
    )
    table = section.table
    table.scrollTo(section.proxy.index(line, 0))
    where = table.visualRect(section.proxy.index(line, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: window.session.study == OTHER)
    assert isinstance(window.current_screen(), DashboardScreen)
    assert window.current_screen() is not dashboard
    again = today(qtbot, window)
    assert OTHER in again.heading.text()


def test_the_studies_table_is_fitted_again_when_its_width_changes(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    """The page's scroll bar comes once the cards below it are filled in, after the table was
    fitted: fitted only then, its last column ("Short stock") was cut at the edge."""
    window = open_window(qtbot, pharmacy, "pharm")
    dashboard = today(qtbot, window)
    table = dashboard.all_studies.table
    qtbot.waitUntil(lambda: dashboard.all_studies.model.rowCount() == 2)
    header = table.horizontalHeader()
    last = header.count() - 1  # the last column takes what the others leave
    spare = header.sectionSize(last) - header.sectionSizeHint(last)
    for narrower in (spare + 20, spare + 50):  # more than the last column has to spare
        table.setFixedWidth(table.width() - narrower)
        qtbot.wait(20)
        assert header.sectionSize(last) >= header.sectionSizeHint(last), table.width()
        table.setFixedWidth(table.width() + narrower)
        qtbot.wait(20)


def test_an_administrator_gives_and_takes_access_on_the_users_screen(
    qtbot: QtBot, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, pharmacy, "admin")
    window.go_actions[UsersScreen].trigger()
    screen = shown(window, UsersScreen)
    assert screen.select("pharm2")
    assert "pharm2 works in: NCT07198672." in screen.access_state.text()
    screen.access_study.setCurrentIndex(screen.access_study.findData(OTHER))
    qtbot.keyClicks(screen.access_reason, "covers the second protocol")
    click(qtbot, screen.give_button)
    assert screen.message.kind == "ok", screen.message.text()
    row = next(r for r in screen.model.rows if r.username == "pharm2")
    assert row.studies == (FIRST, OTHER)
    assert f"works in: {FIRST}, {OTHER}" in screen.access_state.text()
    signed = users.sign_in(pharmacy.ctx, "pharm2", PASSWORDS["pharm2"])
    assert {r.protocol for r in studies.list_studies(pharmacy.ctx, signed)} == {FIRST, OTHER}

    # Taken back; a reason is needed (the service says so).
    screen.access_study.setCurrentIndex(screen.access_study.findData(FIRST))
    click(qtbot, screen.take_button)
    assert screen.message.kind == "error"
    qtbot.keyClicks(screen.access_reason, "moved to the second protocol only")
    click(qtbot, screen.take_button)
    row = next(r for r in screen.model.rows if r.username == "pharm2")
    assert row.studies == (OTHER,)
    signed = users.sign_in(pharmacy.ctx, "pharm2", PASSWORDS["pharm2"])
    assert [r.protocol for r in studies.list_studies(pharmacy.ctx, signed)] == [OTHER]
    # An administrator's own access is not given: every study is theirs.
    assert screen.select("admin")
    assert not screen.give_button.isEnabled()


def test_an_administrator_adds_and_closes_a_study_on_the_studies_screen(
    qtbot: QtBot, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window = open_window(qtbot, pharmacy, "admin")
    assert window.study_switcher.count() == 2
    window.go_actions[StudiesScreen].trigger()
    screen = shown(window, StudiesScreen)
    assert [r.protocol for r in screen.model.rows] == [FIRST, OTHER]
    assert screen.add_button.isVisible() and screen.close_button.isVisible()

    path = tmp_path / "third.toml"
    path.write_text(study_text(pharmacy, THIRD, "Third protocol"), encoding="utf-8")
    monkeypatch.setattr(StudyFileDialog, "ask", classmethod(lambda cls, *a: path))
    prompts = answer_reason(monkeypatch, "the third protocol opens at the site")
    click(qtbot, screen.add_button)
    assert screen.message.kind == "ok", screen.message.text()
    assert "third.toml" in prompts[0]
    assert [r.protocol for r in screen.model.rows] == [FIRST, THIRD, OTHER]
    # The window's chooser lists it at once (the administrator reaches every study).
    assert window.study_switcher.findData(THIRD) >= 0

    assert screen.select(THIRD)
    answer_reason(monkeypatch, "the sponsor withdrew the protocol")
    click(qtbot, screen.close_button)
    assert screen.message.kind == "ok", screen.message.text()
    third = next(r for r in screen.model.rows if r.protocol == THIRD)
    assert third.status == "closed" and third.closed_reason == "the sponsor withdrew the protocol"
    index = window.study_switcher.findData(THIRD)
    assert window.study_switcher.itemText(index).endswith("(closed)")

    # A study with kits on the shelf is not closed: the service says why.
    assert screen.select(OTHER)
    click(qtbot, screen.close_button)
    assert screen.message.kind == "error" and "still has 4 kits" in screen.message.text()


def test_others_read_the_studies_but_see_no_administrator_button(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    window = open_window(qtbot, pharmacy, "pharm")
    window.go_actions[StudiesScreen].trigger()
    screen = shown(window, StudiesScreen)
    assert [r.protocol for r in screen.model.rows] == [FIRST, OTHER]
    assert not screen.add_button.isVisible() and not screen.close_button.isVisible()
    assert screen.select(OTHER)
    click(qtbot, screen.work_button)
    qtbot.waitUntil(lambda: window.session.study == OTHER)
    assert isinstance(window.current_screen(), StudiesScreen)


def test_the_selected_study_reads_its_title_in_chinese(
    qtbot: QtBot, pharmacy: Pharmacy, chinese: None
) -> None:
    window = open_window(qtbot, pharmacy, "pharm")
    window.go_actions[StudiesScreen].trigger()
    screen = shown(window, StudiesScreen)
    assert screen.select(FIRST)
    title = pharmacy.ctx.study.wording("zh_CN").title
    assert title in screen.chosen.text(), screen.chosen.text()
    assert pharmacy.ctx.study.title not in screen.chosen.text()


STUDY_FILE_FAULTS = {
    Language.EN: (
        "The study file {path} cannot be read. Check that it is still there and that this "
        "account may open it, then choose it again.",
        "The study file {path} is not text in UTF-8. Check that it is the study's .toml file, "
        "saved as UTF-8, then choose it again.",
        "Study file {name} is not valid TOML at line {line}, column 12. Correct the file there, "
        "then choose it again.",
    ),
    Language.ZH_CN: (
        "无法读取研究文件 {path}。请确认该文件仍在原处且此账户有权打开它，然后重新选择该文件。",
        "研究文件 {path} 不是 UTF-8 文本。请确认它是该研究的 .toml 文件并以 UTF-8 保存，然后重新选择该文件。",
        "研究文件 {name} 在第 {line} 行第 12 列不是有效的 TOML。请在该处更正文件，然后重新选择该文件。",
    ),
}
"""The file is read by the service every front end uses (services.first_run.read_study_text),
which names it by its path; the study file's own refusal names it as the screen gave it."""


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_a_study_file_that_cannot_be_read_says_what_to_do_before_the_technical_detail(
    lang: Language,
    qtbot: QtBot,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """A folder chosen as the study file, a file not in UTF-8 and a file that is not TOML: each
    said in the reader's words with what to do (the TOML mistake's line and column in the
    sentence), and Python's or tomllib's English words only after "Technical detail:"."""
    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")
    window = open_window(qtbot, pharmacy, "admin")
    window.go_actions[StudiesScreen].trigger()
    screen = shown(window, StudiesScreen)
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    gbk = tmp_path / "gbk.toml"  # saved by an editor in the Windows Chinese encoding
    gbk.write_bytes(study_text(pharmacy, THIRD, "Third").encode("gbk"))
    broken = tmp_path / "broken.toml"
    text = study_text(pharmacy, THIRD, "Third").replace(
        f'protocol = "{THIRD}"', f"protocol = {THIRD}"
    )
    broken.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"protocol = {THIRD}") + 1
    answer_reason(monkeypatch, "the third protocol opens at the site")
    cases = zip(
        (folder, gbk, broken),
        STUDY_FILE_FAULTS[lang],
        ("Is a directory", "codec can't decode byte", f"Invalid value (at line {line}, column 12)"),
        strict=True,
    )
    for path, sentence, words in cases:
        monkeypatch.setattr(StudyFileDialog, "ask", classmethod(lambda cls, *a, p=path: p))
        click(qtbot, screen.add_button)
        assert screen.message.kind == "error"
        said, detail = split_detail(screen.message.text(), lang)
        assert said == sentence.format(path=path, name=path.name, line=line)
        assert detail == words if path is broken else words in detail
        assert words not in said
    assert [r.protocol for r in screen.model.rows] == [FIRST, OTHER]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_long_answer_of_the_scan_bar_is_read_in_the_bar_at_1366x768(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: str,
    request: pytest.FixtureRequest,
    styled: None,
    tmp_path: Path,
) -> None:
    """At 1366x768, in English, a long refusal of a scan went into the toolbar's overflow (››),
    the study chooser with it, and could not be read. It stays in the bar, beside the scan
    field, on two lines at most, its end left out (…) when longer; whole in its tooltip, and
    whole above the screen when no message there says it already."""
    if language != "en":
        request.getfixturevalue("chinese")
    window = open_window(qtbot, pharmacy, "pharm")  # two studies: the chooser is shown
    window.resize(1366, 768)
    bar = window.findChild(QToolBar, "scanBar")
    overflow = bar.findChild(QToolButton, "qt_toolbar_ext_button") if bar else None
    assert bar is not None and overflow is not None
    answer = window.scan_feedback

    def in_the_bar() -> None:
        qtbot.wait(50)  # the toolbar laid out again for the answer
        assert answer.isVisible() and not overflow.isVisible()
        assert window.study_switcher.isVisible()
        assert answer.geometry().right() < window.study_caption.geometry().left()
        assert answer.toolTip() == answer.text() and len(answer.shown_lines()) <= 2

    # Refused on the count screen, whose own message says it whole.
    window.go_actions[CountScreen].trigger()
    counting = shown(window, CountScreen)
    window.scan_field.setText("K0001")
    window.handle_scan("K0001")  # returned: counts are for kits on the shelf
    assert answer.text() == counting.message.text()
    in_the_bar()
    if language == "en":
        assert answer.cut and answer.shown_lines()[-1].endswith("…")
    assert not window.notice.isVisible()  # said whole on the screen already
    window.grab().save(str(tmp_path / f"scan-bar-{language}.png"))  # looked at
    # Said in the bar alone: whole above the screen too when it is cut; gone with the next.
    code = "LOT-L2401-XYZ-ABCDEFGHIJKLMNOPQRSTUVWXY"
    window.scan_field.setText(code)
    window.handle_scan(code)
    assert code in answer.text()
    in_the_bar()
    if language == "en":
        assert answer.cut
    if answer.cut:
        assert window.notice.isVisible() and window.notice.text() == answer.text()
    window.grab().save(str(tmp_path / f"scan-bar-alone-{language}.png"))  # looked at
    window.handle_scan("K0003")  # on the shelf: its count begins
    assert answer.text().startswith("K0003 — ") and not answer.cut
    assert not window.notice.isVisible()
