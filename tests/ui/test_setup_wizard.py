"""Issue 16: the first run. With no database, the set-up wizard takes a new workstation from an
empty data folder to its administrator signed in on the Today screen; a location that cannot
be used and a weak password are said on their page, with nothing created. The Settings screen
changes the pharmacy's particulars later, audited."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, answer_reason, build_pharmacy
from detail_words import split_detail
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QPushButton, QWizard

from dispensary import app as gui
from dispensary import config
from dispensary.i18n import ENGLISH, Language
from dispensary.labels.text import LabelDoesNotFit
from dispensary.services import audit, pharmacy, setup, workstation
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.settings_view import SettingsScreen
from dispensary.ui.setup_wizard import Page, SetUpWizard
from dispensary.ui.translations import install_language

PASSWORD = "counter-ledger-42"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data folder, as on a new workstation."""
    folder = tmp_path / "home"
    monkeypatch.setenv("DISPENSARY_HOME", str(folder))
    monkeypatch.delenv(config.ENV_DB, raising=False)
    yield folder
    install_language(ENGLISH)  # the next test's windows in English again


@pytest.fixture
def first(qtbot: Any, home: Path) -> Iterator[gui.FirstRun]:
    database = config.database_from(None)
    assert gui.needs_set_up(gui.parse_arguments([]), database)
    run = gui.FirstRun(database)
    run.wizard.show()  # closed by run.close(): a wizard closed by hand ends the program
    yield run
    if run.desk is not None:
        run.desk.sign_out()
    run.close()


def button(wizard: QWizard, which: QWizard.WizardButton) -> QPushButton:
    found = wizard.button(which)
    assert isinstance(found, QPushButton)
    return found


def press(qtbot: Any, wizard: QWizard, which: QWizard.WizardButton) -> None:
    qtbot.mouseClick(button(wizard, which), Qt.MouseButton.LeftButton)


def tick(qtbot: Any, box: QAbstractButton) -> None:
    """A click on the box or round button itself (left of its text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def stays_on_the_location_page(qtbot: Any, wizard: SetUpWizard) -> None:
    """Next tests the location again and, refused, stays on its page saying why."""
    said = wizard.location.message.text()
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == Page.LOCATION
    assert wizard.location.message.text() == said and wizard.location.message.kind == "error"


def type_into(qtbot: Any, field: Any, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


SECOND_STUDY = Path(__file__).parents[1] / "fixtures" / "REV-CAPS-28.toml"
"""A study file a pharmacy is sent (the reviewer's capsule study), added with "Add a file…"."""


def add_study_file(qtbot: Any, wizard: SetUpWizard, path: Path) -> None:
    """ "Add a file…" clicked on the studies page, the file chooser answering `path`."""
    from dispensary.ui import setup_wizard

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(setup_wizard.StudyFileChooser, "ask", classmethod(lambda cls, *a: path))
        qtbot.mouseClick(wizard.studies.add, Qt.MouseButton.LeftButton)


def to_administrator(qtbot: Any, wizard: SetUpWizard) -> None:
    """The pages before the administrator's, answered as a pharmacist would."""
    next_ = QWizard.WizardButton.NextButton
    press(qtbot, wizard, next_)  # the language: English
    assert wizard.currentId() == Page.LOCATION
    assert wizard.location.location is None  # not tested yet: Next tests it first
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    assert "can be used" in wizard.location.message.text()
    press(qtbot, wizard, next_)
    assert wizard.currentId() == Page.PHARMACY
    type_into(qtbot, wizard.pharmacy.name, "Zhengzhou Trial Pharmacy")
    type_into(qtbot, wizard.pharmacy.address, "127 Dongming Road, Zhengzhou")
    type_into(qtbot, wizard.pharmacy.phone, "+86 371 6558 7000")
    press(qtbot, wizard, next_)
    assert wizard.currentId() == Page.STUDIES
    ticked = [box for box, _file in wizard.studies.boxes if box.isChecked()]
    assert [b.objectName() for b in ticked] == ["study-NCT07198672"]
    add_study_file(qtbot, wizard, SECOND_STUDY)  # a second study the pharmacy was sent
    second = wizard.studies.boxes[-1][0]
    assert second.objectName() == "study-REV-CAPS-28" and second.isChecked()
    second.setFocus()
    qtbot.keyClick(second, Qt.Key.Key_Space)  # unticked and ticked again from the keyboard
    qtbot.keyClick(second, Qt.Key.Key_Space)
    assert second.isChecked()
    press(qtbot, wizard, next_)
    assert wizard.currentId() == Page.PRINTERS
    panel = wizard.printers.panel
    assert panel is not None
    printer = f"file:{config.config_dir() / 'label-printer.pdf'}"
    panel.choose("thermal-4x2", printer)  # a file-backed printer stands for the label printer
    press(qtbot, wizard, next_)
    assert wizard.currentId() == Page.ADMINISTRATOR
    assert config.Settings.load().printers == {"thermal-4x2": printer}  # saved as the page is left


def fill_administrator(qtbot: Any, wizard: SetUpWizard, password: str, again: str) -> None:
    page = wizard.administrator
    type_into(qtbot, page.username, "ada")
    type_into(qtbot, page.full_name, "Ada Lovelace")
    assert page.initials.text() == "AL"  # suggested from the name
    type_into(qtbot, page.password, password)
    type_into(qtbot, page.again, again)


def type_with_input_method(qtbot: Any, field: QLineEdit, text: str) -> None:
    """What a Chinese input method does: commits the characters chosen (QTest types Latin-1
    keys only)."""
    field.clear()
    field.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)


def test_the_initials_offered_are_init_s_and_a_chinese_name_is_asked_for_them(
    qtbot: Any, first: gui.FirstRun
) -> None:
    """The wizard had a rule of its own: "Élodie Anne Marie Durand" gave "ÉAM" (refused at
    Finish) where `init` gave other initials, and "李伟" gave "李"."""
    wizard = first.wizard
    to_administrator(qtbot, wizard)
    page = wizard.administrator
    type_into(qtbot, page.full_name, "Élodie Anne Marie Durand")
    assert page.initials.text() == "EAMD"
    assert not page.message.isVisible()
    type_with_input_method(qtbot, page.full_name, "李伟")
    assert page.initials.text() == ""
    assert page.message.isVisible() and page.message.kind == "info"
    assert "e.g. the pinyin initials" in page.message.text()
    type_into(qtbot, page.full_name, "Li Wei")  # the pinyin: offered, and the note gone
    assert page.initials.text() == "LW" and not page.message.isVisible()
    type_with_input_method(qtbot, page.full_name, "李伟")
    type_into(qtbot, page.initials, "lw")  # typed by hand: kept as the name changes
    type_into(qtbot, page.full_name, "Ada Lovelace")
    assert page.initials.text() == "lw"


def test_the_wizard_takes_an_empty_folder_to_a_signed_in_today_screen(
    qtbot: Any, home: Path, first: gui.FirstRun
) -> None:
    wizard = first.wizard
    to_administrator(qtbot, wizard)
    fill_administrator(qtbot, wizard, PASSWORD, PASSWORD)
    with qtbot.waitSignal(first.signed_in, timeout=30000) as signal:
        press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    window = signal.args[0]
    assert isinstance(window, MainWindow)
    assert isinstance(window.current_screen(), DashboardScreen)
    assert window.session.actor.username == "ada"
    assert not wizard.isVisible()
    database = home / "dispensary.sqlite3"
    assert database.exists()
    ctx = window.session.ctx
    assert ctx.study.protocol == "NCT07198672"
    assert pharmacy.particulars(ctx).name == "Zhengzhou Trial Pharmacy"
    # The label printers chosen on their page, recorded as the administrator's set-up step.
    [bound] = audit.list_entries(ctx, window.session.actor, action=workstation.PRINTERS_BOUND)
    assert (bound.entity_id, bound.username) == (socket.gethostname(), "ada")
    printer = f"file:{config.config_dir() / 'label-printer.pdf'}"
    assert json.loads(bound.new) == {"thermal-4x2": printer}
    assert json.loads(bound.old) == {"thermal-4x2": ""}
    assert bound.reason == "first set-up of the pharmacy"
    assert config.Settings.load().printers == {"thermal-4x2": printer}
    assert audit.verify(ctx, window.session.actor).ok
    opened = setup.open_database(str(database))
    assert opened.studies == ("NCT07198672", "REV-CAPS-28")
    opened.context.engine.dispose()
    assert not gui.needs_set_up(gui.parse_arguments([]), config.database_from(None))


def test_a_bad_postgresql_url_is_said_on_the_spot_and_nothing_is_created(
    qtbot: Any, home: Path, first: gui.FirstRun
) -> None:
    wizard = first.wizard
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    page = wizard.location
    tick(qtbot, page.as_server)
    type_into(qtbot, page.url, "postgresql+psycopg://pharmacy:secret@127.0.0.1:9/dispensary")
    qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)
    said = page.message.text()
    assert "cannot be reached" in said and "secret" not in said
    assert "pharmacy:***@127.0.0.1:9/dispensary cannot" in said  # as typed, no password
    assert page.message.kind == "error"
    stays_on_the_location_page(qtbot, wizard)
    type_into(qtbot, page.url, "mysql://pharmacy@server/dispensary")
    qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)
    assert "SQLite file or a PostgreSQL database" in page.message.text()
    stays_on_the_location_page(qtbot, wizard)
    assert not home.exists() or not any(home.iterdir())


def test_a_file_of_another_program_is_refused_on_the_spot(
    qtbot: Any, tmp_path: Path, first: gui.FirstRun
) -> None:
    other = tmp_path / "stock-control.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE items (name TEXT)")
    wizard = first.wizard
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    type_into(qtbot, wizard.location.file, str(other))
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    assert "not empty and is not a Dispensary database" in wizard.location.message.text()
    stays_on_the_location_page(qtbot, wizard)


def test_a_file_that_is_no_database_is_refused_saying_to_choose_another(
    qtbot: Any, tmp_path: Path, first: gui.FirstRun
) -> None:
    """The location page's refusal of a file that is not SQLite told the user to check
    --db or DISPENSARY_DB, the command line's ways, in a window that has neither."""
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("hello", encoding="utf-8")
    wizard = first.wizard
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    type_into(qtbot, wizard.location.file, str(notes))
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    said = wizard.location.message.text()
    assert "is not a Dispensary database (it is not an SQLite file)" in said
    assert "Choose another file, or a new file in an empty folder." in said
    assert "--db" not in said and "DISPENSARY_DB" not in said
    stays_on_the_location_page(qtbot, wizard)
    assert notes.read_text(encoding="utf-8") == "hello"


def test_a_weak_password_is_refused_on_its_page_and_nothing_is_created(
    qtbot: Any, home: Path, first: gui.FirstRun
) -> None:
    wizard = first.wizard
    to_administrator(qtbot, wizard)
    fill_administrator(qtbot, wizard, "password1", "password1")
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert "common passwords" in wizard.administrator.message.text()
    assert wizard.isVisible() and wizard.currentId() == Page.ADMINISTRATOR
    assert wizard.administrator.password.text() == ""
    fill_administrator(qtbot, wizard, PASSWORD, PASSWORD + "x")
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert "not the same" in wizard.administrator.message.text()
    assert first.desk is None
    assert not (home / "dispensary.sqlite3").exists()


def test_a_printer_name_that_cannot_be_kept_is_refused_on_its_page_not_saved(
    qtbot: Any, home: Path, first: gui.FirstRun
) -> None:
    """A print queue whose name hides a character (here a right-to-left override) is said on
    the printers' page, before it is saved, rather than refusing the whole set-up at Finish."""
    wizard = first.wizard
    qtbot.waitExposed(wizard)
    to_administrator(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.BackButton)
    assert wizard.currentId() == Page.PRINTERS
    panel = wizard.printers.panel
    assert panel is not None
    panel.choose("a4-sheet", "Office\u202elaser")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == Page.PRINTERS
    assert "printer's name" in wizard.printers.message.text()
    assert "a4-sheet" not in config.Settings.load().printers  # not saved
    panel.choosers["a4-sheet"].setCurrentIndex(0)
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == Page.ADMINISTRATOR


def test_a_set_up_stopped_after_the_pharmacy_was_made_goes_on_to_its_sign_in(
    qtbot: Any, home: Path, first: gui.FirstRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step after the database is made is refused (here: the second study, a disk full):
    the pharmacy exists and its administrator can sign in, so the wizard says so and opens
    the sign-in window, rather than leaving a Finish the existing database would refuse."""
    from dispensary.domain.errors import DatabaseProblem
    from dispensary.services import studies
    from dispensary.ui import setup_wizard

    def full_disk(*_args: Any, **_kwargs: Any) -> None:
        raise DatabaseProblem("The disk is full: free some space, then try again.")

    told: list[str] = []
    monkeypatch.setattr(studies, "add_study", full_disk)
    monkeypatch.setattr(
        setup_wizard.UnfinishedNotice,
        "tell",
        classmethod(lambda _c, _p, _t, text: told.append(text)),
    )
    wizard = first.wizard
    to_administrator(qtbot, wizard)
    fill_administrator(qtbot, wizard, PASSWORD, PASSWORD)
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert len(told) == 1
    assert "The pharmacy was created and ada can sign in" in told[0]
    assert "The disk is full" in told[0]
    assert not wizard.isVisible()
    assert first.sign_in is not None and first.sign_in.isVisible()
    opened = setup.open_database(str(home / "dispensary.sqlite3"))
    assert opened.studies == ("NCT07198672",)  # made, and nothing of the refused step
    ctx = opened.context
    assert pharmacy.particulars(ctx).name == "Zhengzhou Trial Pharmacy"  # the steps before it
    assert gui.needs_set_up(gui.parse_arguments([]), config.database_from(None)) is False
    ctx.engine.dispose()


def test_a_second_workstation_opens_the_pharmacy_already_set_up(
    qtbot: Any, tmp_path: Path, first: gui.FirstRun
) -> None:
    pharmacy_place = build_pharmacy(tmp_path, tmp_path / "template")
    pharmacy_place.ctx.engine.dispose()
    wizard = first.wizard
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    type_into(qtbot, wizard.location.file, str(pharmacy_place.path))
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    assert "already holds a Dispensary database" in wizard.location.message.text()
    assert button(wizard, QWizard.WizardButton.FinishButton).isVisible()
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert first.sign_in is not None and first.sign_in.isVisible()
    assert config.database_from(None) == str(pharmacy_place.path)  # remembered for next time


def test_the_wizard_reads_in_chinese_once_chosen(qtbot: Any, first: gui.FirstRun) -> None:
    wizard = first.wizard
    chooser = wizard.language.language
    chooser.setCurrentIndex(chooser.findData(Language.ZH_CN.value))
    chooser.activated.emit(chooser.currentIndex())  # as a choice in the list does
    qtbot.waitUntil(lambda: wizard.language.title() == "欢迎使用 Dispensary")
    assert wizard.windowTitle() == "设置 Dispensary"
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.location.test.text() == "测试(&T)"


def test_the_wizard_s_own_buttons_read_in_the_language_chosen_on_its_first_page(
    qtbot: Any, first: gui.FirstRun
) -> None:
    """Chinese chosen on the first page, the page read in Chinese but its buttons still said
    "Next >" and "&Cancel" (Qt words them only when it turns a page); English chosen again,
    they stayed Chinese. The accelerators are written as the rest of the Chinese windows write
    them, "下一步(&N) >" (shown "下一步(N) >", the N underlined)."""
    wizard = first.wizard
    next_, cancel = QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton
    english = (button(wizard, next_).text(), button(wizard, cancel).text())
    assert english == ("&Next >", "&Cancel")  # Cancel keyed too (review s17)
    chooser = wizard.language.language
    chosen = (
        (Language.ZH_CN, "欢迎使用 Dispensary", ("下一步(&N) >", "取消(&C)")),
        (ENGLISH, "Welcome to Dispensary", english),
    )
    for language, title, expected in chosen:
        chooser.setCurrentIndex(chooser.findData(language.value))
        chooser.activated.emit(chooser.currentIndex())  # as a choice in the list does
        qtbot.waitUntil(lambda t=title: wizard.language.title() == t)  # retranslated
        qtbot.wait(20)
        shown = (button(wizard, next_).text(), button(wizard, cancel).text())
        assert shown == expected, language


def test_every_chinese_field_label_of_the_wizard_writes_its_accelerator_as_the_app_does(
    qtbot: Any, first: gui.FirstRun
) -> None:
    """Chinese labels carry their accelerator as the rest of the Chinese windows do, "用户名
    (&U)" (shown "用户名(U)", the U underlined), each label the buddy of its field: no "(U)"
    typed as plain text and no "&" shown for want of a buddy."""
    import re

    from PySide6.QtWidgets import QLabel

    wizard = first.wizard
    chooser = wizard.language.language
    chooser.setCurrentIndex(chooser.findData(Language.ZH_CN.value))
    chooser.activated.emit(chooser.currentIndex())
    qtbot.waitUntil(lambda: wizard.language.title() == "欢迎使用 Dispensary")
    seen, wrong = 0, []
    for step in range(len(Page)):
        if step:
            press(qtbot, wizard, QWizard.WizardButton.NextButton)
        if wizard.currentId() == Page.LOCATION:
            qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
        if wizard.currentId() == Page.PHARMACY:
            type_into(qtbot, wizard.pharmacy.name, "Zhengzhou Trial Pharmacy")
            type_into(qtbot, wizard.pharmacy.address, "127 Dongming Road, Zhengzhou")
            type_into(qtbot, wizard.pharmacy.phone, "+86 371 6558 7000")
        for label in wizard.currentPage().findChildren(QLabel):
            text = label.text()
            if re.search(r"\([A-Z]\)", text):
                wrong.append(f"plain accelerator: {text!r}")
            if "&" in text.replace("&&", "").replace("&nbsp;", ""):
                seen += 1
                if label.buddy() is None or not re.search(r"\(&[A-Z]\)$", text):
                    wrong.append(f"{text!r} (buddy: {label.buddy() is not None})")
    assert wizard.currentId() == Page.ADMINISTRATOR
    assert wrong == []
    assert seen >= 10  # the language, the server password, the pharmacy's, the administrator's


def to_studies(qtbot: Any, wizard: SetUpWizard) -> None:
    """The pages before the studies', answered in whatever language the wizard is in."""
    next_ = QWizard.WizardButton.NextButton
    press(qtbot, wizard, next_)
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    press(qtbot, wizard, next_)
    type_into(qtbot, wizard.pharmacy.name, "Zhengzhou Trial Pharmacy")
    type_into(qtbot, wizard.pharmacy.address, "127 Dongming Road, Zhengzhou")
    type_into(qtbot, wizard.pharmacy.phone, "+86 371 6558 7000")
    press(qtbot, wizard, next_)
    assert wizard.currentId() == Page.STUDIES


def test_the_studies_are_offered_by_their_chinese_short_titles_once_chinese_is_chosen(
    qtbot: Any, first: gui.FirstRun
) -> None:
    """The Studies page listed "NCT07198672: Herombopag T-DM1 prevention" in a Chinese wizard:
    each study by the short title its study file gives in Chinese, as the other windows."""
    from dispensary.ui.translations import load_cjk_font

    load_cjk_font()  # for the picture: Chinese characters, not boxes
    wizard = first.wizard
    chooser = wizard.language.language
    chooser.setCurrentIndex(chooser.findData(Language.ZH_CN.value))
    chooser.activated.emit(chooser.currentIndex())  # the studies page is made already
    qtbot.waitUntil(lambda: wizard.language.title() == "欢迎使用 Dispensary")
    to_studies(qtbot, wizard)
    offered = {file.study.protocol: box.text() for box, file in wizard.studies.boxes}
    assert offered["NCT07198672"] == "NCT07198672：海曲泊帕预防T-DM1相关血小板减少", offered
    assert list(offered) == ["NCT07198672"], offered  # no fictional DEMO study
    assert not [t for t in offered.values() if ": " in t], offered
    wizard.grab().save(str(config.config_dir().parent / "wizard-studies-zh_CN.png"))

    chooser.setCurrentIndex(chooser.findData(ENGLISH.value))
    chooser.activated.emit(chooser.currentIndex())  # back to English: the English titles
    english = "NCT07198672: Herombopag T-DM1 prevention"
    qtbot.waitUntil(lambda: wizard.studies.boxes[0][0].text() == english)


# -- the Settings screen ---------------------------------------------------------------------


@pytest.fixture
def place(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    built = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield built
    built.ctx.engine.dispose()


def test_the_study_files_pharmacy_name_is_said_as_the_labels_print_it_in_chinese(
    qtbot: Any, chinese: None, place: Pharmacy
) -> None:
    """A Chinese window said the labels print "Clinical Trial Pharmacy"; they print the file's
    Chinese name."""
    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    screen.refresh()
    shown = screen.from_study.text()
    assert place.study.wording("zh_CN").pharmacy_name in shown, shown
    assert place.study.pharmacy_name not in shown, shown


def test_an_administrator_changes_the_particulars_on_the_settings_screen(
    qtbot: Any, place: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert SettingsScreen.visible_to(place.actor("admin").role)
    assert not SettingsScreen.visible_to(place.actor("pharm").role)
    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    screen.refresh()
    assert place.study.pharmacy_name in screen.from_study.text()
    prompts = answer_reason(monkeypatch, "The hospital renamed the pharmacy")
    type_into(qtbot, screen.name, "Zhengzhou Trial Pharmacy")
    type_into(qtbot, screen.phone, "+86 371 6558 7000")
    qtbot.mouseClick(screen.save_particulars, Qt.MouseButton.LeftButton)
    assert prompts and "audit trail" in prompts[0]
    assert screen.message.kind == "ok", screen.message.text()
    stored = pharmacy.particulars(place.ctx)
    assert (stored.name, stored.phone) == ("Zhengzhou Trial Pharmacy", "+86 371 6558 7000")
    admin = place.actor("admin")
    [entry] = audit.list_entries(place.ctx, admin, action="pharmacy_particulars_set")
    assert json.loads(entry.new)["name"] == "Zhengzhou Trial Pharmacy"
    assert entry.reason == "The hospital renamed the pharmacy"
    type_into(qtbot, screen.name, "")
    qtbot.mouseClick(screen.save_particulars, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error" and "pharmacy's name" in screen.message.text()
    assert pharmacy.particulars(place.ctx).name == "Zhengzhou Trial Pharmacy"
    chooser = screen.language
    chooser.setCurrentIndex(chooser.findData(Language.ZH_CN.value))
    qtbot.mouseClick(screen.save_language, Qt.MouseButton.LeftButton)
    assert pharmacy.particulars(place.ctx).language == "zh_CN"
    assert audit.verify(place.ctx, admin).ok


def test_cancel_ends_the_program_with_nothing_created(
    qtbot: Any, home: Path, first: gui.FirstRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes: list[int] = []
    monkeypatch.setattr(gui.QApplication, "exit", staticmethod(codes.append))
    press(qtbot, first.wizard, QWizard.WizardButton.NextButton)
    press(qtbot, first.wizard, QWizard.WizardButton.CancelButton)
    assert codes == [0]
    assert not first.wizard.isVisible()
    assert not home.exists() or not any(home.iterdir())


def test_the_sign_in_window_opens_in_the_pharmacy_s_language(
    qtbot: Any, place: Pharmacy, home: Path
) -> None:
    admin = place.actor("admin")
    pharmacy.set_language(place.ctx, admin, "zh_CN", "a Chinese-speaking pharmacy")
    window = gui.SignInWindow(str(place.path))
    qtbot.addWidget(window)
    assert window.chosen() is ENGLISH
    gui.open_in_pharmacy_language(gui.Workstation(place.ctx, config.Settings()), window)
    assert window.chosen() is Language.ZH_CN
    assert window.form.chosen_language is None  # not kept with whoever signs in next


def test_a_new_workstation_starts_on_the_set_up_wizard(tmp_path: Path) -> None:
    """Run as a separate process, as a pharmacist starts the program on a new computer."""
    env = {k: v for k, v in os.environ.items() if k != config.ENV_DB}
    env.update(
        DISPENSARY_STARTUP_PROBE="1", QT_QPA_PLATFORM="offscreen", DISPENSARY_HOME=str(tmp_path)
    )
    done = subprocess.run(
        [sys.executable, "-m", "dispensary"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(gui.PROBE_SET_UP), done.stdout
    assert not any(tmp_path.iterdir())  # nothing made before the wizard is finished


# -- the first run's fixes ---------------------------------------------------------------------

LONG_NAME = "Henan Provincial Cancer Hospital Clinical Trial Ph"
LONG_ADDRESS = (
    "No. 127 Dongming Road, Jinshui District, Zhengzhou City, Henan Province 450008, "
    "People's Republic of China, Building 3"
)


def test_particulars_no_dispensing_label_could_hold_are_refused_on_the_pharmacy_page(
    qtbot: Any, home: Path, first: gui.FirstRun
) -> None:
    """Within the service's lengths, yet every dispensing label on the 4 x 2 inch roll would
    be refused after Finish: said on the page, naming the stock, and the wizard stays."""
    wizard = first.wizard
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert pharmacy.checked(LONG_NAME, LONG_ADDRESS, "+86 371 6558 7000").name == LONG_NAME
    type_into(qtbot, wizard.pharmacy.name, LONG_NAME)
    type_into(qtbot, wizard.pharmacy.address, LONG_ADDRESS)
    type_into(qtbot, wizard.pharmacy.phone, "+86 371 6558 7000")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == Page.PHARMACY
    said = wizard.pharmacy.message.text()
    assert "would not fit on thermal-4x2 stock" in said and "NCT07198672" in said
    type_into(qtbot, wizard.pharmacy.address, "127 Dongming Road, Zhengzhou")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == Page.STUDIES


def test_the_settings_screen_refuses_particulars_no_dispensing_label_could_hold(
    qtbot: Any, place: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dispensary.labels.dispensing import dispensing_layout, sample_dispense
    from dispensary.labels.stock import STOCKS

    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    screen.refresh()
    prompts = answer_reason(monkeypatch, "The hospital renamed the pharmacy")
    type_into(qtbot, screen.name, LONG_NAME)
    type_into(qtbot, screen.address, LONG_ADDRESS)
    type_into(qtbot, screen.phone, "+86 371 6558 7000")
    qtbot.mouseClick(screen.save_particulars, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error" and "thermal-4x2" in screen.message.text()
    assert prompts == []  # refused before a reason is asked
    assert pharmacy.particulars(place.ctx).name == ""
    refused = pharmacy.Particulars(LONG_NAME, LONG_ADDRESS, "+86 371 6558 7000")
    with pytest.raises(LabelDoesNotFit):  # what saving them would have done to every label
        dispensing_layout(
            place.study,
            sample_dispense(place.study),
            STOCKS["thermal-4x2"],
            False,
            pharmacy=refused,
        )
    type_into(qtbot, screen.address, "127 Dongming Road, Zhengzhou")
    qtbot.mouseClick(screen.save_particulars, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert pharmacy.particulars(place.ctx).name == LONG_NAME


def test_the_pharmacy_language_not_set_is_shown_so_and_cannot_be_saved(
    qtbot: Any, place: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    screen.refresh()
    assert screen.language.currentText() == "Not set (each user's own choice)"
    assert not screen.save_language.isEnabled()
    answer_reason(monkeypatch, "Chinese-speaking pharmacy")
    screen.language.setCurrentIndex(screen.language.findData(Language.ZH_CN.value))
    assert screen.save_language.isEnabled()
    qtbot.mouseClick(screen.save_language, Qt.MouseButton.LeftButton)
    assert pharmacy.particulars(place.ctx).language == "zh_CN"
    screen.refresh()
    assert screen.language.currentData() == "zh_CN"


def test_a_relative_database_file_is_saved_by_its_absolute_path(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config.save_database("records/pharmacy.sqlite3")
    assert config.saved_database() == str(tmp_path / "records" / "pharmacy.sqlite3")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert config.database_from(None) == str(tmp_path / "records" / "pharmacy.sqlite3")


def test_a_saved_or_named_database_that_is_missing_is_not_a_first_run(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network drive not mounted yet: the opening says the database is not there, rather
    than offering to set up a new, empty pharmacy in its place."""
    gone = tmp_path / "unmounted" / "pharmacy.sqlite3"
    args = gui.parse_arguments([])
    assert gui.needs_set_up(args, config.database_from(None))  # nothing saved: the wizard
    config.save_database(str(gone))
    assert not gui.needs_set_up(args, config.database_from(None))
    with pytest.raises(setup.DatabaseProblem, match="There is no database at"):
        gui.open_workstation(config.database_from(None))
    config.location_file().unlink()
    monkeypatch.setenv(config.ENV_DB, str(gone))
    assert not gui.needs_set_up(args, config.database_from(None))


def test_the_server_password_is_typed_apart_hidden_and_not_saved(
    qtbot: Any, home: Path, first: gui.FirstRun
) -> None:
    wizard = first.wizard
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    page = wizard.location
    tick(qtbot, page.as_server)
    assert page.password.echoMode() == QLineEdit.EchoMode.Password
    type_into(qtbot, page.url, "postgresql+psycopg://pharmacy@127.0.0.1:9/dispensary")
    type_into(qtbot, page.password, "p@ss:w/rd")
    assert page.database() == "postgresql+psycopg://pharmacy:p%40ss%3Aw%2Frd@127.0.0.1:9/dispensary"
    qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)
    assert "cannot be reached" in page.message.text() and "p@ss" not in page.message.text()
    type_into(qtbot, page.password, "")
    type_into(qtbot, page.url, "postgresql+psycopg://pharmacy:secret@127.0.0.1:9/dispensary")
    qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)  # typed in the URL: moved out of sight
    assert page.url.text() == "postgresql+psycopg://pharmacy@127.0.0.1:9/dispensary"
    assert page.password.text() == "secret"
    config.save_database(page.database())
    assert config.saved_database() == "postgresql+psycopg://pharmacy@127.0.0.1:9/dispensary"
    assert "secret" not in config.location_file().read_text(encoding="utf-8")


def test_the_first_run_s_own_words_are_in_chinese(qtbot: Any, home: Path) -> None:
    from PySide6.QtCore import QCoreApplication

    assert install_language(Language.ZH_CN)
    said = QCoreApplication.translate("FirstRun", "Dispensary cannot open the database")
    assert said == "Dispensary 无法打开数据库"


# -- the database location, changed later in Settings ------------------------------------------


def when_location_dialog(answer: Any) -> None:
    """Answers the real database location dialog once it is up (it blocks in exec)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from dispensary.ui.settings_view import DatabaseLocationDialog

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, DatabaseLocationDialog):
            answer(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def audit_actions(path: Path, action: str) -> int:
    conn = sqlite3.connect(path)
    try:
        query = "SELECT count(*) FROM audit_entries WHERE action = ?"
        return int(conn.execute(query, (action,)).fetchone()[0])
    finally:
        conn.close()


def test_an_administrator_moves_the_workstation_to_another_pharmacy_database_in_settings(
    qtbot: Any, place: Pharmacy, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pharmacy moved its records to another database (the server, as it grew): Settings
    tests it, records the move in the database being left, and keeps the new location for the
    next start; this start goes on with the database it opened."""
    from dispensary.ui import settings_view, setup_wizard

    (tmp_path / "server").mkdir()
    server = build_pharmacy(tmp_path / "server", tmp_path / "template")
    server.ctx.engine.dispose()
    monkeypatch.setattr(settings_view, "this_computer", lambda: "counter-pc-1")
    monkeypatch.setattr(
        setup_wizard.DatabaseFileChooser,
        "ask_existing",
        classmethod(lambda _c, _p, _t, _s, _f: str(server.path)),
    )
    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    screen.refresh()
    assert screen.database.text() == f"In use now: {place.path}"
    default = config.default_database()  # started on another database (--db): said
    assert screen.next_start.text() == f"At its next start this workstation opens {default}."
    assert screen.next_start.isVisibleTo(screen)
    config.save_database(str(place.path))  # as the first run saved it
    screen.refresh()
    assert not screen.next_start.isVisibleTo(screen)
    assert not screen.override.isVisibleTo(screen)
    prompts = answer_reason(monkeypatch, "The pharmacy's records moved to the new server")
    new_file = tmp_path / "new.sqlite3"
    seen: list[tuple[str, str, bool]] = []

    def answer(dialog: Any) -> None:
        panel = dialog.panel
        seen.append(("start", "", dialog.save.isEnabled()))
        type_into(qtbot, panel.file, str(new_file))
        qtbot.mouseClick(panel.test, Qt.MouseButton.LeftButton)
        seen.append((dialog.message.kind, dialog.message.text(), dialog.save.isEnabled()))
        qtbot.mouseClick(panel.browse, Qt.MouseButton.LeftButton)  # the server's file chosen
        assert panel.file.text() == str(server.path)
        qtbot.mouseClick(panel.test, Qt.MouseButton.LeftButton)
        seen.append((dialog.message.kind, dialog.message.text(), dialog.save.isEnabled()))
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    when_location_dialog(answer)
    qtbot.mouseClick(screen.change_database, Qt.MouseButton.LeftButton)
    assert seen[0] == ("start", "", False)  # nothing to save before a test
    kind, text, can_save = seen[1]
    assert (kind, can_save) == ("error", False)
    assert "holds no Dispensary database" in text and "copies no records" in text
    assert not new_file.exists()  # tested, never created
    kind, text, can_save = seen[2]
    assert (kind, can_save) == ("ok", True), text
    assert "opens it from its next start" in text
    assert prompts and "audit trail" in prompts[0]
    said = screen.message.text()
    assert screen.message.kind == "ok", said
    assert f"opens {server.path} from its next start" in said
    assert f"keeps using {place.path}" in said
    assert config.saved_database() == str(server.path)
    assert config.database_from(None) == str(server.path)  # the next start's
    assert screen.next_start.isVisibleTo(screen)
    assert str(server.path) in screen.next_start.text()
    admin = place.actor("admin")
    [entry] = audit.list_entries(place.ctx, admin, action=workstation.DATABASE_MOVED)
    assert (entry.entity_id, entry.username) == ("counter-pc-1", "admin")
    assert json.loads(entry.old) == {"database": str(place.path)}
    assert json.loads(entry.new) == {"database": str(server.path)}
    assert entry.reason == "The pharmacy's records moved to the new server"
    assert audit_actions(server.path, workstation.DATABASE_MOVED) == 0  # recorded where it left
    assert audit.verify(place.ctx, admin).ok


def test_the_database_variable_is_said_to_override_the_location_and_no_move_is_offered(
    qtbot: Any, place: Pharmacy, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DISPENSARY_DB names the database at each start: a move saved here would not be made,
    so the screen says so, with what to do, and the change is not offered."""
    monkeypatch.setenv(config.ENV_DB, str(place.path))
    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    screen.refresh()
    assert screen.override.isVisibleTo(screen)
    assert "DISPENSARY_DB is set on this computer" in screen.override.text()
    assert "Remove DISPENSARY_DB" in screen.override.text()
    assert not screen.next_start.isVisibleTo(screen)  # it names the database in use
    assert not screen.change_database.isEnabled()
    monkeypatch.delenv(config.ENV_DB)
    screen.refresh()
    assert not screen.override.isVisibleTo(screen)
    assert screen.change_database.isEnabled()


def test_the_database_location_dialog_reads_in_chinese(
    qtbot: Any, chinese: None, place: Pharmacy, tmp_path: Path
) -> None:
    from dispensary.ui.settings_view import DatabaseLocationDialog

    dialog = DatabaseLocationDialog(None, str(place.path))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "更改数据库位置"
    assert dialog.panel.test.text() == "测试(&T)"
    assert dialog.save.text() == "使用此数据库(&U)…"
    type_into(qtbot, dialog.panel.file, str(tmp_path / "new.sqlite3"))
    qtbot.mouseClick(dialog.panel.test, Qt.MouseButton.LeftButton)
    assert "中没有 Dispensary 数据库" in dialog.message.text()


def test_a_move_the_workstation_cannot_keep_is_not_recorded_either(
    qtbot: Any, place: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file where the settings folder should be", encoding="utf-8")
    monkeypatch.setenv("DISPENSARY_HOME", str(not_a_folder))
    monkeypatch.delenv(config.ENV_DB, raising=False)
    (tmp_path / "server").mkdir()
    server = build_pharmacy(tmp_path / "server", tmp_path / "template")
    server.ctx.engine.dispose()
    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    screen.refresh()
    answer_reason(monkeypatch, "Moving to the server")

    def answer(dialog: Any) -> None:
        type_into(qtbot, dialog.panel.file, str(server.path))
        qtbot.mouseClick(dialog.panel.test, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    when_location_dialog(answer)
    qtbot.mouseClick(screen.change_database, Qt.MouseButton.LeftButton)
    said = screen.message.text()
    assert screen.message.kind == "error", said
    assert "location file" in said and "could not be written" in said
    assert f"Nothing was changed: it still opens {place.path}" in said
    assert config.saved_database() is None
    moves = audit.list_entries(place.ctx, place.actor("admin"), action=workstation.DATABASE_MOVED)
    assert moves == []  # one step: neither kept nor recorded


def test_workstation_changes_are_found_with_the_audit_screen_s_filters_and_verify(
    qtbot: Any, place: Pharmacy, home: Path, tmp_path: Path
) -> None:
    """A monitor finds each workstation change by its action and by the computer's name, reads
    it whole (old and new, the reason), and the chain still verifies."""
    from dispensary.labels.stock import STOCKS
    from dispensary.ui.audit_view import AuditScreen

    (tmp_path / "server").mkdir()
    server = build_pharmacy(tmp_path / "server", tmp_path / "template")
    server.ctx.engine.dispose()
    admin = place.actor("admin")
    workstation.bind_printers(
        place.ctx,
        admin,
        "counter-pc-1",
        {},
        {"thermal-4x2": "Zebra ZD421"},
        STOCKS,
        "new roll printer",
        lambda _bindings: None,
    )
    workstation.move_database(place.ctx, admin, "counter-pc-1", str(server.path), "to the server")
    screen = AuditScreen(place.session("monitor"))
    qtbot.addWidget(screen)
    screen.refresh()
    for action in (workstation.PRINTERS_BOUND, workstation.DATABASE_MOVED):
        assert screen.action.findData(action) >= 0  # offered in the filter
    screen.action.setCurrentIndex(screen.action.findData(workstation.PRINTERS_BOUND))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    assert [(r.entity, r.entity_id) for r in screen.model.rows] == [("workstation", "counter-pc-1")]
    screen.table.selectRow(0)
    detail = screen.detail.toPlainText()
    assert "Action: Label printers set    Record: Workstation counter-pc-1\n" in detail
    assert "Reason: new roll printer" in detail
    assert "thermal-4x2: Zebra ZD421" in detail and "thermal-4x2: —" in detail
    screen.action.setCurrentIndex(0)
    qtbot.keyClicks(screen.text, "counter-pc-1")
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)
    assert [r.action for r in screen.model.rows] == [
        workstation.PRINTERS_BOUND,
        workstation.DATABASE_MOVED,
    ]
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert screen.verdict.text().startswith("CHAIN INTACT"), screen.verdict.text()


PRINTERS_FAULT = {
    Language.EN: "The printers could not be saved on this workstation. Check that this account "
    "may write its settings folder, then try again.",
    Language.ZH_CN: "无法在此工作站上保存打印机。请确认此账户有权写入其设置文件夹，然后重试。",
}


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_printers_that_cannot_be_saved_say_what_to_do_before_the_technical_detail(
    lang: Language, qtbot: Any, home: Path, first: gui.FirstRun
) -> None:
    """The workstation's settings file cannot be written (here a folder stands in its place):
    the printers' page says so in the reader's words with what to do, and stays; the system's
    words come only after "Technical detail:" (they ended the sentence, untranslated)."""
    wizard = first.wizard
    qtbot.waitExposed(wizard)
    to_administrator(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.BackButton)
    assert wizard.currentId() == Page.PRINTERS
    settings = config.config_dir() / "settings.json"
    settings.unlink()
    (settings / "in-the-way").mkdir(parents=True)
    install_language(lang)  # English again after the test (the home fixture)
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == Page.PRINTERS
    said, detail = split_detail(wizard.printers.message.text(), lang)
    assert said == PRINTERS_FAULT[lang]
    assert detail == "Is a directory"


UNFINISHED_FAULT = {
    Language.EN: "The pharmacy was created and ada can sign in, but the rest of the set-up "
    "failed. Sign in and finish it there (Settings, Studies).",
    Language.ZH_CN: "药房已建立，ada 可以登录，但其余设置失败。请登录后在“设置”和“研究”中完成。",
}


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_a_set_up_an_unexpected_error_stopped_says_what_to_do_before_the_detail(
    lang: Language, qtbot: Any, home: Path, first: gui.FirstRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step after the database is made stopped by an error no fault names: its class and
    Python's words were put in the middle of the sentence; now after "Technical detail:"."""
    from dispensary.services import studies
    from dispensary.ui import setup_wizard

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise KeyError("dose_levels")

    told: list[str] = []
    monkeypatch.setattr(studies, "add_study", broken)
    monkeypatch.setattr(
        setup_wizard.UnfinishedNotice,
        "tell",
        classmethod(lambda _c, _p, _t, text: told.append(text)),
    )
    wizard = first.wizard
    to_administrator(qtbot, wizard)
    fill_administrator(qtbot, wizard, PASSWORD, PASSWORD)
    install_language(lang)  # English again after the test (the home fixture)
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    [text] = told
    said, detail = split_detail(text, lang)
    assert said == UNFINISHED_FAULT[lang]
    assert detail == "KeyError: 'dose_levels'"


def test_the_wizard_s_printers_page_shows_each_stock_name_whole(
    qtbot: Any, qapp: Any, home: Path
) -> None:
    """The stocks' names were wrapped in rows too low for them, cut at top and bottom (with
    the program's style sheet, whose font sizes the rows)."""

    from dispensary.ui.app import apply_style

    apply_style(qapp)
    try:
        run = gui.FirstRun(config.database_from(None))
        run.wizard.show()
        try:
            printers_page_whole(qtbot, run.wizard)
        finally:
            run.close()
    finally:
        qapp.setStyleSheet("")


def printers_page_whole(qtbot: Any, wizard: SetUpWizard) -> None:
    from PySide6.QtWidgets import QLabel

    qtbot.waitExposed(wizard)
    to_administrator(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.BackButton)
    assert wizard.currentId() == Page.PRINTERS
    panel = wizard.printers.panel
    assert panel is not None
    qtbot.wait(20)
    captions = [c for c in panel.findChildren(QLabel) if c.objectName().startswith("stockCaption_")]
    assert len(captions) == 5
    for caption in captions:
        hint = caption.sizeHint()
        needs = caption.heightForWidth(caption.width()) if caption.wordWrap() else hint.height()
        assert caption.height() >= needs and caption.width() >= hint.width(), caption.text()
    assert wizard.width() <= 1366 and wizard.height() <= 768
    if os.environ.get("DISPENSARY_TEST_SHOTS"):
        wizard.grab().save(os.path.join(os.environ["DISPENSARY_TEST_SHOTS"], "wizard-printers.png"))


def test_a_study_whose_label_does_not_fit_its_default_stock_is_refused_on_the_studies_page(
    qtbot: Any,
    home: Path,
    tmp_path: Path,
    first: gui.FirstRun,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`study add` and the Studies screen refused such a file, but the wizard took it: its
    label was refused only at the first print, after a dispense was saved."""
    from dispensary.study import default_study_path
    from dispensary.ui.setup_wizard import StudyFileChooser

    text = default_study_path().read_text(encoding="utf-8")
    start = 'directions = "Take {tablets} by mouth once daily in the evening, '
    assert start in text
    long = start + "with a full glass of water, never with grapefruit juice or antacids, " * 5
    path = tmp_path / "NCT-LONG.toml"
    path.write_text(
        text.replace('protocol = "NCT07198672"', 'protocol = "NCT-LONG"').replace(start, long),
        encoding="utf-8",
    )
    wizard = first.wizard
    next_ = QWizard.WizardButton.NextButton
    press(qtbot, wizard, next_)
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    press(qtbot, wizard, next_)
    type_into(qtbot, wizard.pharmacy.name, "Zhengzhou Trial Pharmacy")
    type_into(qtbot, wizard.pharmacy.address, "127 Dongming Road, Zhengzhou")
    type_into(qtbot, wizard.pharmacy.phone, "+86 371 6558 7000")
    press(qtbot, wizard, next_)
    assert wizard.currentId() == Page.STUDIES
    monkeypatch.setattr(StudyFileChooser, "ask", classmethod(lambda cls, *a: path))
    wizard.studies.add_file()
    press(qtbot, wizard, next_)
    assert wizard.currentId() == Page.STUDIES  # the wizard stays
    said = " ".join(wizard.studies.message.text().split())
    assert "Study NCT-LONG, its default stock checked with a sample dispense in en:" in said, said
    assert "Name a larger stock in the study file's [label] default_stock" in said, said


def test_a_real_install_is_offered_its_real_study_ticked_and_no_fictional_demo_study(
    qtbot: Any, home: Path, first: gui.FirstRun
) -> None:
    """The studies page offered the fictional DEMO-28D-BID, DEMO-2DRUG and DEMO-IRT-BLIND
    beside NCT07198672 on a real install, where a pharmacist could tick a made-up study to
    serve. Only the real study is offered, ticked (the study this release is for, as `init`
    takes it); another is added with "Add a file…"; the demo still opens its DEMO studies."""
    from dispensary.services import demo

    wizard = first.wizard
    to_studies(qtbot, wizard)
    offered = [(file.study.protocol, box.isChecked()) for box, file in wizard.studies.boxes]
    assert offered == [("NCT07198672", True)], offered
    assert not wizard.studies.findChildren(QAbstractButton, "study-DEMO-2DRUG")
    add_study_file(qtbot, wizard, SECOND_STUDY)
    offered = [(file.study.protocol, box.isChecked()) for box, file in wizard.studies.boxes]
    assert offered == [("NCT07198672", True), ("REV-CAPS-28", True)], offered
    qtbot.waitUntil(lambda: wizard.studies.boxes[-1][0].isVisible())
    wizard.grab().save(str(home.parent / "wizard-studies.png"))
    # The demo's studies are still there for `dispensary demo`.
    assert [s.protocol for s in demo.demo_studies()] == [
        "NCT07198672",
        "DEMO-28D-BID",
        "DEMO-2DRUG",
    ]


def test_the_location_s_answer_follows_a_change_of_language_made_after_it(
    qtbot: Any, first: gui.FirstRun
) -> None:
    """Forward to the studies, back to the language, 中文 chosen: the location page still said
    "... can be used: the new database will be created there." in English."""
    from dispensary.ui.translations import load_cjk_font

    load_cjk_font()
    wizard = first.wizard
    to_studies(qtbot, wizard)
    assert "can be used" in wizard.location.message.text()
    back = QWizard.WizardButton.BackButton
    for _page in range(3):
        press(qtbot, wizard, back)
    assert wizard.currentId() == Page.LANGUAGE
    chooser = wizard.language.language
    chooser.setCurrentIndex(chooser.findData(Language.ZH_CN.value))
    chooser.activated.emit(chooser.currentIndex())
    qtbot.waitUntil(lambda: wizard.language.title() == "欢迎使用 Dispensary")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == Page.LOCATION
    said = wizard.location.message.text()
    assert "can be used" not in said and "可以使用" in said, said
    wizard.grab().save(str(config.config_dir().parent / "wizard-location-zh_CN.png"))
    # A refusal, worded when it was made, is cleared (Test says it again in the new language).
    type_into(qtbot, wizard.location.file, str(config.config_dir().parent))
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    assert wizard.location.message.kind == "error"
    chooser.setCurrentIndex(chooser.findData(ENGLISH.value))
    chooser.activated.emit(chooser.currentIndex())
    qtbot.waitUntil(lambda: wizard.location.test.text() == "&Test")
    assert wizard.location.message.text() == ""


def test_a_database_file_named_without_its_folder_is_made_in_the_data_folder(
    qtbot: Any, first: gui.FirstRun, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`relative.sqlite3` typed on the location page was taken in the working folder, which for
    a program started from a desktop shortcut could be anywhere: it is the data folder's, and
    the page says so with the whole path."""
    elsewhere = tmp_path / "shortcut-folder"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    wizard = first.wizard
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    type_into(qtbot, wizard.location.file, "relative.sqlite3")
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    whole = str(config.data_dir() / "relative.sqlite3")
    said = wizard.location.message.text()
    assert wizard.location.message.kind == "ok" and whole in said, said
    assert "kept in this computer's data folder" in said
    assert wizard.location.database() == whole
    assert wizard.location.location is not None
    assert wizard.location.location.database == whole


def test_a_backup_is_refused_as_the_location_saying_to_restore_it(
    qtbot: Any, tmp_path: Path, first: gui.FirstRun
) -> None:
    """Test on bk/r1.bak said "already holds a Dispensary database: Finish opens it": the
    workstation would then have worked in the backup, its records missing from the live one."""
    from dispensary.services import backup

    pharmacy_place = build_pharmacy(tmp_path, tmp_path / "template")
    try:
        admin = pharmacy_place.actor("admin")
        made = backup.backup(pharmacy_place.ctx, admin, tmp_path / "bk" / "r1.bak").path
    finally:
        pharmacy_place.ctx.engine.dispose()
    wizard = first.wizard
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    type_into(qtbot, wizard.location.file, made)
    qtbot.mouseClick(wizard.location.test, Qt.MouseButton.LeftButton)
    said = wizard.location.message.text()
    assert f"{made} is a backup (taken " in said and "already holds" not in said
    assert f"choose the live database {pharmacy_place.path.resolve()}" in said
    stays_on_the_location_page(qtbot, wizard)
    assert not button(wizard, QWizard.WizardButton.FinishButton).isVisible()
    if os.environ.get("DISPENSARY_SHOTS"):
        wizard.grab().save(os.path.join(os.environ["DISPENSARY_SHOTS"], "wizard-backup.png"))
