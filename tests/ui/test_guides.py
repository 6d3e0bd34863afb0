"""Issue 16: the pharmacist's and the administrator's guides, in English and Chinese, opened from
the Help menu in the language of the windows, and the About box. The guides are checked against
the program so that they cannot drift from it unseen: every refusal and warning code of the
counter steps (and of the correction of an enrolment and the reconciliation's sign-off) is in each pharmacist's guide (and none that no step has), every message quoted
is one the program shows (in that language), every link to a section finds it, and the
administrator's GRANTs are those the models call for."""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from pathlib import Path
from xml.etree import ElementTree

import pytest
from babel.messages.pofile import read_po
from back_office_fixtures import Pharmacy
from detail_words import split_detail
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import dispensary
from dispensary.db.models import UPDATED, Base
from dispensary.i18n import ENGLISH, Language, resource
from dispensary.services import guides
from dispensary.services.assessment.counts import CountCheck
from dispensary.services.assessment.destruction import DestroyCheck
from dispensary.services.assessment.dispense import DispenseCheck
from dispensary.services.assessment.enrolment import EnrolmentCheck
from dispensary.services.assessment.receiving import ReceiveCheck
from dispensary.services.assessment.returns import ReturnCheck
from dispensary.services.assessment.status import StatusCorrectionCheck
from dispensary.services.reconciliation import SignOffCheck
from dispensary.study import Study, default_study_path, load_study
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.guide_view import Guide, GuideWindow, guide_file, headings, slug
from dispensary.ui.main_window import MainWindow
from dispensary.ui.screens import OPENS, screen_classes

LANGUAGES = [ENGLISH, Language.ZH_CN]
STEPS: dict[str, type[StrEnum]] = {
    "receive": ReceiveCheck,
    "dispense": DispenseCheck,
    "correct enrolment": EnrolmentCheck,
    "correct status change": StatusCorrectionCheck,
    "return": ReturnCheck,
    "count": CountCheck,
    "destroy": DestroyCheck,
    "sign off": SignOffCheck,
}
"""Each counter step's codes, in the order of the guide's table at a glance."""


FIRST = load_study(default_study_path())
CAPSULES = load_study(Path(__file__).parents[1] / "fixtures" / "REV-CAPS-28.toml")
"""The first study (tablets once daily, 21-day cycles) and a study of capsules twice daily in
28-day cycles: the guides' examples are each one's own facts (services.guides)."""


def text_of(guide: Guide, language: Language, study: Study | None = FIRST) -> str:
    """The guide as the window shows it to a site working in `study`."""
    path = guide_file(guide, language)
    assert language is ENGLISH or path.name == f"{guide.value}.{language.value}.md"
    return guides.fill(path.read_text(encoding="utf-8"), study, language.value)


# -- the guides against the program -----------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_and_warning_code_of_each_step_is_in_the_pharmacists_guide(
    language: Language,
) -> None:
    text = text_of(Guide.PHARMACIST, language)
    table = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(table) == len(STEPS), "one row per step in the table at a glance"
    for row, (step, codes) in zip(table, STEPS.items(), strict=True):
        named = set(re.findall(r"`([a-z0-9_]+)`", row))
        values = {code.value for code in codes}
        assert named == values, f"{step}: missing {values - named}, unknown {named - values}"
        for code in values:  # and each is explained in the step's section, not only listed
            assert text.count(f"`{code}`") >= 2, f"{step}: `{code}` is only in the table"


def window_words(language: Language) -> list[str]:
    """Every message of the windows (Qt tr, in the .ts files) in `language`: a window's own
    words, such as the note of a study read again after a step refused for its updated file."""
    shown = []
    for path in sorted((resource("i18n") / "ui").glob("*_zh_CN.ts")):
        for message in ElementTree.parse(path).getroot().iter("message"):
            source, translation = message.find("source"), message.find("translation")
            if language is ENGLISH:
                shown.append(source.text if source is not None else None)
            elif translation is not None and translation.get("type") is None:
                shown.append(translation.text)
    return [text for text in shown if text]


def catalogue(language: Language) -> list[re.Pattern[str]]:
    """Every message the program can show in `language`, with its placeholders as wildcards:
    the services' (gettext) and the windows' own (Qt)."""
    said = []
    for path in sorted(resource("i18n").glob("zh_CN*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not isinstance(message.id, str) or not message.id:
                    continue
                shown = message.id if language is ENGLISH else message.string
                if isinstance(shown, str) and shown:
                    said.append(shown)
    patterns = []
    for shown in [*said, *window_words(language)]:
        parts = re.split(r"\{[a-z_0-9]*\}", shown)
        if sum(len(p.strip()) for p in parts) < 12:
            continue  # "{first} {second}": it would match any text at all
        patterns.append(re.compile(".+?".join(re.escape(p) for p in parts)))
    return patterns


@pytest.mark.parametrize("study", [FIRST, CAPSULES], ids=["tablets", "capsules"])
@pytest.mark.parametrize("guide", list(Guide))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_quoted_is_one_the_program_shows_in_that_language(
    guide: Guide, language: Language, study: Study
) -> None:
    quoted = [
        line.strip()[2:]
        for line in text_of(guide, language, study).splitlines()
        if line.strip().startswith("> ")
    ]
    assert guide is Guide.ADMINISTRATOR or len(quoted) > 20
    known = catalogue(language)
    unknown = [q for q in quoted if not any(p.fullmatch(q) for p in known)]
    assert unknown == []


RELOADED = {ENGLISH: "Nothing was saved: the study file of ", Language.ZH_CN: "未保存任何内容："}
"""How the note of a window that read the study again by itself begins (study_file_changed)."""
OUTDATED = {
    ENGLISH: ("Press F5 and check", "press F5 and import"),
    Language.ZH_CN: ("请按 F5 后重新检查", "请按 F5 后重新导入"),
}
"""What the guides said to do although the window reads the study again by itself."""


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_step_refused_for_the_updated_study_file_is_told_as_the_window_shows_it(
    language: Language,
) -> None:
    text = text_of(Guide.PHARMACIST, language)
    quoted = [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("> ")]
    notes = [
        words
        for words in window_words(language)
        if words.startswith(RELOADED[language]) and "{version}" in words
    ]
    assert len(notes) == 6  # receipt, dispense, correction, enrolment, return, logger import
    for note in notes:
        pattern = re.compile(".+?".join(re.escape(p) for p in re.split(r"\{[a-z_]*\}", note)))
        assert any(pattern.fullmatch(q) for q in quoted), f"not quoted: {note}"
    for outdated in OUTDATED[language]:
        assert outdated not in text


def test_a_message_the_program_does_not_show_is_caught() -> None:
    known = catalogue(ENGLISH)
    shown = "Kit K0007 is already in stock; a kit number is received once. Check the label or the manifest."
    assert any(p.fullmatch(shown) for p in known)
    assert not any(p.fullmatch(shown.replace("once", "twice")) for p in known)


def anchors(text: str) -> set[str]:
    document = QTextDocument()
    document.setMarkdown(text)
    return set(headings(document))


@pytest.mark.parametrize("guide", list(Guide))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_link_to_a_section_finds_it(
    qapp: QApplication, guide: Guide, language: Language
) -> None:
    text = text_of(guide, language)
    found = anchors(text)
    links = re.findall(r"\]\(([a-z_.A-Z]*\.md)?#([^)]+)\)", text)
    assert len(links) >= 5
    for target, anchor in links:
        other = Guide(target.split(".")[0]) if target else guide
        assert anchor in (anchors(text_of(other, language)) if target else found), anchor
    for target in re.findall(r"\]\(([^)#:]+\.md)\)", text):
        if "/" not in target:
            assert guide_file(Guide(target.split(".")[0]), language).name == target


def test_a_heading_is_named_as_github_names_it() -> None:
    assert slug("Destroy or return to the sponsor") == "destroy-or-return-to-the-sponsor"
    assert slug("Warnings and refusals at a glance") == "warnings-and-refusals-at-a-glance"
    assert slug("PostgreSQL: several workstations") == "postgresql-several-workstations"
    assert slug("发放一个周期") == "发放一个周期"


@pytest.mark.parametrize("guide", list(Guide))
def test_the_chinese_guides_use_the_glossary_terms(guide: Guide) -> None:
    glossary = tomllib.loads(resource("i18n", "glossary_zh_CN.toml").read_text(encoding="utf-8"))
    text = text_of(guide, Language.ZH_CN)
    for name, term in glossary.items():
        if guide is Guide.PHARMACIST:
            assert term["term"] in text, name
        wrong = [word for word in term.get("not", []) if word in text] + [
            found.group() for like in term.get("not_like", []) for found in re.finditer(like, text)
        ]
        assert wrong == [], f"{name}: {term['term']}, not {wrong}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_administrators_guide_grants_what_the_models_say(language: Language) -> None:
    """The workstations' role: read and add everywhere, update only the tables the program
    updates, delete nothing (as tests/services/test_append_only.py derives for INSTALL.md)."""
    updated = sorted(model.__tablename__ for model in UPDATED)
    inserted = sorted(set(Base.metadata.tables) - set(updated))
    text = " ".join(text_of(Guide.ADMINISTRATOR, language).split())
    grants = re.findall(r"GRANT [^;]*;", text)
    assert f"GRANT SELECT, INSERT ON {', '.join(inserted)} TO dispensary_app;" in grants
    assert f"GRANT SELECT, INSERT, UPDATE ON {', '.join(updated)} TO dispensary_app;" in grants
    assert not any("DELETE" in g or "TRUNCATE" in g for g in grants)


# -- the Help menu and the About box ----------------------------------------------------------


def main_window(qtbot: QtBot, pharmacy: Pharmacy, username: str = "pharm") -> MainWindow:
    window = MainWindow(
        pharmacy.session(username), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    return window


def help_item(window: MainWindow, text: str) -> None:
    """The user opens the Help menu and clicks the item (by its text, as they read it)."""
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    help_menu = next(menu for name, menu in menus.items() if "&H" in name)
    items = [a for a in help_menu.actions() if a.text().replace("&", "") == text]
    assert len(items) == 1, [a.text() for a in help_menu.actions()]
    items[0].trigger()


def shown_guide(qtbot: QtBot, window: MainWindow) -> GuideWindow:
    guide = window.guide_window
    assert guide is not None
    qtbot.waitExposed(guide)
    return guide


def visible_text(guide: GuideWindow) -> str:
    """The text in the guide's view now: the block at the top-left corner and the next lines."""
    browser = guide.browser
    top = browser.cursorForPosition(QPoint(5, 5)).block()
    lines = []
    while top.isValid() and len(lines) < 3:
        lines.append(top.text())
        top = top.next()
    return "\n".join(lines)


def click_link(qtbot: QtBot, guide: GuideWindow, text: str) -> None:
    """Clicks the link whose words are `text`, where it is drawn on the screen."""
    browser = guide.browser
    found = browser.document().find(text)
    while not found.isNull() and not found.charFormat().isAnchor():
        found = browser.document().find(text, found)  # the words may be in the text before
    assert not found.isNull(), f"no link reads {text}"
    browser.setTextCursor(found)
    browser.ensureCursorVisible()
    middle = found.position() - len(text) // 2
    cursor = browser.textCursor()
    cursor.setPosition(middle)
    spot = browser.cursorRect(cursor).center()
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=spot)


def test_help_opens_the_pharmacists_guide_and_its_links_go_to_the_section(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    window = main_window(qtbot, pharmacy)
    help_item(window, "Pharmacist's guide")
    guide = shown_guide(qtbot, window)
    assert guide.windowTitle() == "Pharmacist's guide"
    assert visible_text(guide).startswith("Pharmacist's guide")
    guide.grab().save("/tmp/guide-pharmacist.png")

    click_link(qtbot, guide, "Destroy or return to the sponsor")
    qtbot.waitUntil(lambda: visible_text(guide).startswith("Destroy or return to the sponsor"))
    guide.back.click()
    assert visible_text(guide).startswith("Pharmacist's guide")

    # The link to the other guide opens it in the same window.
    click_link(qtbot, guide, "here")
    assert guide.windowTitle() == "Administrator's guide"
    assert visible_text(guide).startswith("Administrator's guide")
    click_link(qtbot, guide, "PostgreSQL for several workstations")
    qtbot.waitUntil(lambda: visible_text(guide).startswith("PostgreSQL for several workstations"))

    # Help > Administrator's guide while it is open: the one window, brought forward.
    help_item(window, "Pharmacist's guide")
    assert window.guide_window is guide and guide.windowTitle() == "Pharmacist's guide"


def test_help_opens_the_guides_in_chinese_when_the_windows_are_in_chinese(
    qtbot: QtBot, chinese: None, pharmacy: Pharmacy
) -> None:
    window = main_window(qtbot, pharmacy)
    help_item(window, "药师指南(P)")
    guide = shown_guide(qtbot, window)
    assert guide.windowTitle() == "药师指南"
    assert guide.where.text() == "药师指南"  # its title, not its file
    assert visible_text(guide).startswith("药师指南")
    guide.resize(900, 700)
    guide.grab().save("/tmp/guide-pharmacist-zh_CN.png")
    click_link(qtbot, guide, "发放一个周期")
    qtbot.waitUntil(lambda: visible_text(guide).startswith("发放一个周期"))

    help_item(window, "管理员指南(D)")
    assert guide.windowTitle() == "管理员指南"
    assert visible_text(guide).startswith("管理员指南")


def test_the_about_box_names_the_version_the_database_and_the_studies_and_copies(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    window = main_window(qtbot, pharmacy)
    help_item(window, "About Dispensary")
    box = window.about_box
    assert box is not None
    qtbot.waitExposed(box)
    text = box.text.toPlainText()
    assert text.startswith(f"Dispensary {dispensary.__version__}\n")
    assert f"Database: {pharmacy.path} (SQLite " in text
    assert f"  {pharmacy.study.protocol} version 1, loaded " in text
    assert "Python 3." in text and ", Qt 6." in text
    QApplication.clipboard().clear()
    qtbot.mouseClick(box.copy, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == text
    assert box.isVisible()  # copying leaves the box open


def test_the_about_box_never_shows_a_database_password(qtbot: QtBot, pharmacy: Pharmacy) -> None:
    from dispensary.services import about

    facts = about.about(pharmacy.ctx, pharmacy.actor("pharm"))
    assert facts.database == str(pharmacy.path)
    from sqlalchemy import create_engine

    server = create_engine("postgresql+psycopg://app:s3cret-pw@127.0.0.1:1/dispensary")
    shown = about.about(
        type(pharmacy.ctx)(server, pharmacy.ctx.study, pharmacy.clock, "x"),
        pharmacy.actor("pharm"),
    )
    assert "s3cret-pw" not in shown.database and "127.0.0.1:1/dispensary" in shown.database
    assert shown.engine == "PostgreSQL"


def test_a_guide_opened_again_after_a_language_change_replaces_the_old_window(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    from dispensary.ui.guide_view import Guide
    from dispensary.ui.translations import install_language

    window = main_window(qtbot, pharmacy)
    help_item(window, "Pharmacist's guide")
    english = shown_guide(qtbot, window)
    try:
        install_language(Language.ZH_CN)
        window.show_guide(Guide.PHARMACIST)
        chinese = shown_guide(qtbot, window)
        assert chinese is not english and chinese.language is Language.ZH_CN
        assert not english.isVisible()  # one guide window, in the language of the windows
    finally:
        install_language(ENGLISH)


GUIDE_FAULT = {
    Language.EN: "The guide {file} cannot be read. Ask the administrator to install Dispensary "
    "again: the guides come with it.",
    Language.ZH_CN: "无法读取指南 {file}。请让管理员重新安装 Dispensary：指南随程序一同安装。",
}


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_a_guide_that_cannot_be_read_says_what_to_do_before_the_technical_detail(
    lang: Language,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """A guide the system will not read (here a folder where the file should be): the window
    says so in the reader's words with what to do; the system's words ("Is a directory") come
    only after "Technical detail:", not in the middle of the sentence."""
    from dispensary.ui import guide_view

    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")
    folder = tmp_path / "guides"
    for name in ("pharmacist.md", f"pharmacist.{lang.value}.md"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(guide_view, "resource", lambda *parts: tmp_path.joinpath(*parts))
    window = GuideWindow(Guide.PHARMACIST, lang)
    qtbot.addWidget(window)
    said, detail = split_detail(window.browser.toPlainText().strip(), lang)
    assert said == GUIDE_FAULT[lang].format(file=folder / "pharmacist.md")
    assert detail == "Is a directory"
