"""What the second visual review found in the administrator's and the pharmacist's back office:
a refusal that listed internal codes, a study file's reason asked before the file was read,
initials refused in another's words, clipped stock names, an account given another's initials,
nested brackets in a Chinese confirmation, a clipped column, and a Take access button for a
study the account has no access to. Each driven on the real widgets, in English and Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from window_helpers import SCREEN, go_to, main_window, shoot, shown

from dispensary.i18n import ENGLISH, Language
from dispensary.ui.inventory_view import InventoryScreen

# -- 1: an in-date kit's destruction names the reasons as the form does -------------------------

READABLE_REASONS = {
    ENGLISH: ("Damaged or contaminated", "Recall of the lot", "reason for in-date kits"),
    Language.ZH_CN: ("破损或污染", "批号召回", "有效期内药盒原因"),
}


def test_an_in_date_kit_refusal_names_the_reasons_the_form_offers(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language
) -> None:
    """It listed "damaged, temperature_excursion, recall, study_closed, sponsor_instruction"
    in English in both windows, while the form's Reason (in-date kits) offers their names."""
    screen = InventoryScreen(pharmacy.session("pharm"))
    shown(qtbot, screen)
    screen.refresh()
    screen.open_kit("K0003")
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "AUTH-9")
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    said = screen.destroy_verdict.text()
    offered = [screen.reason_code.itemText(i) for i in range(1, screen.reason_code.count())]
    assert offered and all(name in said for name in offered), (offered, said)
    assert all(words in said for words in READABLE_REASONS[language]), said
    assert "temperature_excursion" not in said and "sponsor_instruction" not in said, said
    shoot(screen, f"destroy-reason-{language.value}")


# -- 2: a study file is checked before its reason is asked ------------------------------------

HELD = {  # both routes: the Studies screen's Update study file… and the command
    ENGLISH: "an administrator updates the study: on the Studies screen, select NCT07198672, "
    "choose Work in this study, then Update study file…; or run "
    "`dispensary --study NCT07198672 study update FILE.toml --reason ...`",
    Language.ZH_CN: "请由管理员更新该研究：在“研究”界面选择 NCT07198672，点击“在此研究中工作”，"
    "再点击“更新研究文件…”；或运行 "
    "`dispensary --study NCT07198672 study update FILE.toml --reason ...`",
}


def test_a_study_file_is_refused_before_the_reason_is_asked(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: Language,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A file already in the pharmacy, or not valid TOML, was refused only once its reason was
    typed, and the first told a window user to "switch to it and amend it"."""
    from back_office_fixtures import answer_reason

    from dispensary.ui.studies_view import StudiesScreen, StudyFileDialog

    screen = StudiesScreen(pharmacy.session("admin"))
    shown(qtbot, screen)
    screen.refresh()
    held = tmp_path / "again.toml"
    held.write_text(pharmacy.study.source_text, encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("protocol = NCT1\n", encoding="utf-8")
    prompts = answer_reason(monkeypatch, "opens at the site")
    for path in (held, broken):
        monkeypatch.setattr(StudyFileDialog, "ask", classmethod(lambda cls, *a, p=path: p))
        qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
        assert screen.message.kind == "error", screen.message.text()
        assert prompts == [], path  # no reason asked for a file refused
        if path is held:
            assert HELD[language] in screen.message.text(), screen.message.text()
            assert "switch to it" not in screen.message.text()
            shoot(screen, f"study-held-{language.value}")
    assert [r.protocol for r in screen.model.rows] == ["NCT07198672"]


# -- 3: the first administrator's initials, and the passwords kept -----------------------------

INITIALS_REFUSED = {
    ENGLISH: ("Give the initials: 2 to 4 letters A-Z.", "'A1' are not initials."),
    Language.ZH_CN: ("请填写姓名缩写：2 至 4 个字母 A-Z。", "“A1”不是姓名缩写。"),
}


def test_the_administrator_s_initials_are_refused_in_their_words_and_the_passwords_kept(
    qtbot: QtBot, language: Language
) -> None:
    """Empty initials read "'' are not initials ... participants are identified by study
    number", and every refusal wiped both passwords and put the cursor in Password."""
    from dispensary.ui.setup_wizard import AdministratorPage

    page = AdministratorPage()
    shown(qtbot, page)
    page.activateWindow()
    qtbot.keyClicks(page.username, "ada")
    qtbot.keyClicks(page.full_name, "Ada Lovelace")
    page.initials.clear()
    qtbot.keyClicks(page.password, "counter-ledger-42")
    qtbot.keyClicks(page.again, "counter-ledger-42")
    empty, wrong = INITIALS_REFUSED[language]
    for typed, said in (("", empty), ("A1", wrong)):
        page.initials.clear()
        qtbot.keyClicks(page.initials, typed)
        assert not page.validatePage()
        text = page.message.text()
        assert text.startswith(said), text
        assert "''" not in text and "participant" not in text and "受试者" not in text, text
        assert page.password.text() == page.again.text() == "counter-ledger-42"
        qtbot.waitUntil(lambda: page.initials.hasFocus())
    shoot(page, f"wizard-initials-{language.value}")
    # A refusal of the password clears both and puts the cursor there.
    page.initials.setText("AL")
    page.again.setText("counter-ledger-43")
    assert not page.validatePage()
    assert page.password.text() == page.again.text() == ""
    qtbot.waitUntil(lambda: page.password.hasFocus())
    page.again.setText("x")
    page.password.setText("counter-ledger-42")
    page.username.clear()
    assert not page.validatePage()
    qtbot.waitUntil(lambda: page.username.hasFocus())
    assert page.password.text() == "counter-ledger-42"


# -- 4: the label stocks' names read whole -----------------------------------------------------


def stock_captions_whole(panel: QWidget) -> list[str]:
    """The stock captions cut (a line short of their text, or narrower than it)."""
    from PySide6.QtWidgets import QLabel

    cut = []
    for caption in panel.findChildren(QLabel):
        if not caption.objectName().startswith("stockCaption_"):
            continue
        hint = caption.sizeHint()
        needs = caption.heightForWidth(caption.width()) if caption.wordWrap() else hint.height()
        if caption.height() < needs or caption.width() < hint.width():
            cut.append(f"{caption.text()} {caption.size().toTuple()} < {hint.toTuple()}")
    return cut


def test_the_printers_dialog_shows_each_stock_name_whole(
    qtbot: QtBot, language: Language, styled: None
) -> None:
    """ "A4 sheet, 10 labels of 99.1 x 57 mm (L7173 layout)" was wrapped in a row too low for it
    and cut at top and bottom."""
    from dispensary.config import Settings
    from dispensary.ui.label_printers import LabelPrintersDialog

    dialog = LabelPrintersDialog(None, Settings(), record=lambda *_a: True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert stock_captions_whole(dialog.panel) == []
    assert dialog.width() <= SCREEN[0] and dialog.height() <= SCREEN[1]
    shoot(dialog, f"printers-dialog-{language.value}")


# -- 5: a new account may not take the initials of another ------------------------------------

SAME_INITIALS = {
    ENGLISH: "The initials AA are those of Ada Admin (user admin)",
    Language.ZH_CN: "姓名缩写 AA 已由 Ada Admin（用户 admin）使用",
}


def test_an_account_with_the_initials_of_another_is_refused(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language
) -> None:
    """User liwei "Li Wei (LW)" was added beside the administrator "Li Wei (LW)": the records
    each signs by initials could no longer be told apart."""
    from dispensary.services import users
    from dispensary.ui.users_view import UsersScreen

    screen = UsersScreen(pharmacy.session("admin"))
    shown(qtbot, screen)
    screen.refresh()
    qtbot.keyClicks(screen.new_username, "ada2")
    qtbot.keyClicks(screen.new_full_name, "Ada Admin")
    qtbot.keyClicks(screen.new_initials, "AA")
    screen.new_role.setCurrentIndex(screen.new_role.findData("technician"))
    qtbot.keyClicks(screen.new_password, "firstpass1")
    qtbot.keyClicks(screen.new_password_again, "firstpass1")
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error"
    assert SAME_INITIALS[language] in screen.message.text(), screen.message.text()
    shoot(screen, f"users-same-initials-{language.value}")
    rows = users.list_users(pharmacy.ctx, pharmacy.actor("admin"))
    assert "ada2" not in [r.username for r in rows]
    screen.new_initials.setText("AXA")  # another letter: taken
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert users.sign_in(pharmacy.ctx, "ada2", "firstpass1").initials == "AXA"


# -- 6: the rule confirmation's question, in Chinese quotes without nested brackets -------------

CONFIRM_WORDS = {
    ENGLISH: ("Confirm rule Interval between cycles?", "(site decision 2026-11)"),
    Language.ZH_CN: ("确认规则“周期间隔”？", "（来源：中心决定 2026-11）"),
}
REASON_FIRST = {
    ENGLISH: "Type why rule Interval between cycles holds",
    Language.ZH_CN: "确认前请输入规则“周期间隔”的有效依据",
}


def test_the_rule_confirmation_names_the_rule_and_its_source_without_nesting(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In Chinese it read "确认规则 周期间隔？" and "（中心决定（2026-11））": spaces around the
    rule's name and brackets within brackets."""
    from PySide6.QtWidgets import QMessageBox

    from dispensary.ui.study_rules_view import StudyRulesScreen

    asked: list[tuple[str, str]] = []

    def answered(box: QMessageBox) -> int:
        box.show()
        qtbot.waitExposed(box)
        asked.append((box.text(), box.informativeText()))
        shoot(box, f"confirm-rule-{language.value}")
        box.close()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answered)
    screen = StudyRulesScreen(pharmacy.session("admin"))
    shown(qtbot, screen)
    screen.refresh()
    assert screen.select("cycle.min_interval")
    qtbot.mouseClick(screen.confirm_button, Qt.MouseButton.LeftButton)
    assert REASON_FIRST[language] in screen.message.text(), screen.message.text()
    qtbot.keyClicks(screen.reason, "pharmacy meeting of 3 November")
    qtbot.mouseClick(screen.confirm_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    question, details = asked[0]
    name, source = CONFIRM_WORDS[language]
    assert name in question, question
    assert source in details, details
    if language is not ENGLISH:
        assert "（中心决定（" not in details and " 周期间隔" not in question + details


# -- 7: the studies table after a study is closed --------------------------------------------

CLOSED_REASON = "Sponsor instruction of 30 June: the protocol was withdrawn before enrolment"


def test_the_why_closed_column_reads_whole_with_the_reason_on_hover(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language, styled: None
) -> None:
    """At 1366x768 the header read "Vhy closec" and the reason "Sponsor ..."."""
    from dispensary.services import studies
    from dispensary.ui.studies_view import StudiesScreen

    admin = pharmacy.actor("admin")
    other = pharmacy.study.source_text.replace(
        'protocol = "NCT07198672"', 'protocol = "DEMO-IRT-B2"'
    )
    studies.add_study(pharmacy.ctx, admin, other, "irt.toml", "opens")
    studies.close_study(pharmacy.ctx, admin, "DEMO-IRT-B2", CLOSED_REASON)
    window = main_window(qtbot, pharmacy.session("admin"))
    screen = go_to(window, StudiesScreen)
    assert screen.select("DEMO-IRT-B2")
    qtbot.wait(50)
    table, header = screen.table, screen.table.horizontalHeader()
    why_closed = screen.model.columnCount() - 1  # the last column
    assert table.horizontalScrollBar().value() == 0
    assert header.sectionSize(why_closed) >= header.sectionSizeHint(why_closed)
    right = header.sectionViewportPosition(why_closed) + header.sectionSize(why_closed)
    assert right <= table.viewport().width(), (right, table.viewport().width())
    line = next(i for i, r in enumerate(screen.model.rows) if r.protocol == "DEMO-IRT-B2")
    cell = screen.model.index(line, why_closed)
    assert screen.model.data(cell, Qt.ItemDataRole.ToolTipRole) == CLOSED_REASON
    shoot(window, f"studies-closed-{language.value}")


LONG_TITLES = {
    ENGLISH: "Herombopag primary prevention of T-DM1 thrombocytopenia, HER2+",
    Language.ZH_CN: "海曲泊帕一级预防HER2阳性乳腺癌T-DM1治疗相关血小板减少症",
}
"""A second study's short titles, longer than the shipped ones (the Chinese 33 characters)."""


@pytest.mark.parametrize("size", [SCREEN, (1920, 1080)], ids=["1366", "1920"])
def test_a_long_study_title_reads_whole_on_the_studies_screen(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language, styled: None, size: tuple[int, int]
) -> None:
    """The Title column was at most 360 pixels, one line: a longer Chinese title read
    "海曲泊帕一级预防HER2阳性乳腺癌T-DM1治疗相…" while the empty Closed and Why closed
    columns took the spare width, even at 1920x1080 (in English, once a study was closed).
    The title takes the room there is; short of it, it wraps and its row grows. Its tooltip
    gives it whole, with the protocol's full title."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QStyle

    from dispensary.services import studies
    from dispensary.ui.studies_view import TITLE_COLUMN, StudiesScreen

    admin = pharmacy.actor("admin")
    source = pharmacy.study.source_text
    english, chinese = '"Herombopag T-DM1 prevention"', '"海曲泊帕预防T-DM1相关血小板减少"'
    assert english in source and chinese in source
    long = (
        source.replace('protocol = "NCT07198672"', 'protocol = "NCT99999999"')
        .replace(english, f'"{LONG_TITLES[ENGLISH]}"')
        .replace(chinese, f'"{LONG_TITLES[Language.ZH_CN]}"')
    )
    studies.add_study(pharmacy.ctx, admin, long, "long.toml", "a second study")
    closed = source.replace('protocol = "NCT07198672"', 'protocol = "DEMO-IRT-B2"')
    studies.add_study(pharmacy.ctx, admin, closed, "irt.toml", "opens")
    studies.close_study(pharmacy.ctx, admin, "DEMO-IRT-B2", CLOSED_REASON)
    window = main_window(qtbot, pharmacy.session("admin"), size)
    screen = go_to(window, StudiesScreen)
    qtbot.wait(50)
    table, model = screen.table, screen.model
    width = table.columnWidth(TITLE_COLUMN)
    metrics = table.fontMetrics()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    for line, row in enumerate(model.rows):
        cell = screen.proxy.mapFromSource(model.index(line, TITLE_COLUMN))
        title = cell.data()
        bounds = QRect(0, 0, width - 2 * margin - 1, 10_000)
        needs = metrics.boundingRect(bounds, Qt.TextFlag.TextWordWrap, title).height()
        assert table.rowHeight(cell.row()) >= needs, (title, width, table.rowHeight(cell.row()))
        tip = cell.data(Qt.ItemDataRole.ToolTipRole)
        assert tip.split("\n")[0] == title
        assert row.full_title_in(language.value) in tip
        if size != SCREEN:  # the room for every title on one line
            assert needs <= metrics.lineSpacing() * 3 // 2, title
    assert LONG_TITLES[language] in [model.index(r, TITLE_COLUMN).data() for r in range(3)]
    assert table.horizontalScrollBar().maximum() == 0
    shoot(window, f"studies-long-title-{language.value}-{size[0]}")


# -- 8: Give and Take access as the account's studies are ----------------------------------


def test_give_and_take_access_follow_the_studies_the_account_works_in(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language
) -> None:
    """Take access stayed enabled for a study the monitor has no access to; pressing it only
    refused "monitor has no access to study ..."."""
    from dispensary.services import studies
    from dispensary.ui.users_view import UsersScreen

    admin = pharmacy.actor("admin")
    other = pharmacy.study.source_text.replace(
        'protocol = "NCT07198672"', 'protocol = "NCT99999999"'
    )
    studies.add_study(pharmacy.ctx, admin, other, "other.toml", "opens")
    screen = UsersScreen(pharmacy.session("admin"))
    shown(qtbot, screen)
    screen.refresh()
    assert screen.select("monitor")
    row = screen.current()
    assert row is not None and row.studies == ("NCT07198672",)
    screen.access_study.setCurrentIndex(screen.access_study.findData("NCT99999999"))
    assert screen.give_button.isEnabled() and not screen.take_button.isEnabled()
    shoot(screen, f"users-access-{language.value}")
    screen.access_study.setCurrentIndex(screen.access_study.findData("NCT07198672"))
    assert screen.take_button.isEnabled() and not screen.give_button.isEnabled()
    # Given: the buttons turn round for that study.
    screen.access_study.setCurrentIndex(screen.access_study.findData("NCT99999999"))
    qtbot.keyClicks(screen.access_reason, "monitors the second protocol")
    qtbot.mouseClick(screen.give_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert screen.access_study.currentData() == "NCT99999999"
    assert screen.take_button.isEnabled() and not screen.give_button.isEnabled()
    assert screen.select("admin")  # an administrator reaches every study: nothing to change
    assert not screen.give_button.isEnabled() and not screen.take_button.isEnabled()
