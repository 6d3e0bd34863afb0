"""The study rules screen: the administrator sees the site decisions of the shipped study file
as "to confirm", first, and confirms one with a reason (audited); others read the list only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from window_helpers import refreshed

from dispensary.domain.codes import Role
from dispensary.domain.errors import NotPermitted
from dispensary.domain.rules import source_words
from dispensary.i18n import Language, speaking
from dispensary.services import audit, studies
from dispensary.services.results import AuditRow
from dispensary.ui.forms import cell_width
from dispensary.ui.screens import screen_classes
from dispensary.ui.study_rules_view import ConfirmRuleQuestion, StudyRulesScreen

SCREEN_AREA = (1166, 700)
"""What a screen gets of a 1366x768 window, beside the navigation and under the scan bar."""

SHIPPED_SITE_DECISIONS = [
    "cycle.min_interval",
    "adherence",
    "platelets",
    "products.herombopag-2.5mg",
    "dose_levels.-1",
    "dose_levels.-2",
]
"""Rules of resources/studies/NCT07198672.toml whose source is a site decision, in the file's
order (the file may hold more)."""


def site_decisions(pharmacy: Pharmacy) -> list[str]:
    """The keys of the study file's rules that are neither from the registry nor the protocol,
    in the file's order."""
    keys = [r.key for r in pharmacy.study.rules if not r.authoritative]
    assert [k for k in keys if k in SHIPPED_SITE_DECISIONS] == SHIPPED_SITE_DECISIONS
    return keys


def make_screen(qtbot: Any, pharmacy: Pharmacy, username: str = "admin") -> StudyRulesScreen:
    return refreshed(qtbot, StudyRulesScreen(pharmacy.session(username)), SCREEN_AREA)


def answer_question(monkeypatch: pytest.MonkeyPatch, answer: bool) -> list[str]:
    """Answers the last question before a rule is confirmed; returns the questions asked."""
    asked: list[str] = []

    def ask(
        cls: type[ConfirmRuleQuestion],
        parent: QWidget | None,
        question: str,
        details: str,
        action: str,
    ) -> bool:
        asked.append(f"{question} {details}")
        return answer

    monkeypatch.setattr(ConfirmRuleQuestion, "ask", classmethod(ask))
    return asked


def shown(screen: StudyRulesScreen) -> list[dict[str, str]]:
    """The table as the user reads it, line by line, by column title."""
    model = screen.table.model()
    titles = [
        str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
    ]
    rule = 1  # the Rule column (RULE_COLUMNS), whatever the language of its title
    return [
        {title: str(model.index(r, c).data() or "") for c, title in enumerate(titles)}
        # The rule's key (what the study file writes), shown on hover over its name.
        | {"Key": str(model.index(r, rule).data(Qt.ItemDataRole.ToolTipRole)).split(": ")[-1]}
        for r in range(model.rowCount())
    ]


def chosen(screen: StudyRulesScreen) -> str:
    """The key of the rule selected in the list, or "" when none is."""
    rule = screen.current()
    return rule.key if rule is not None else ""


def confirmations(pharmacy: Pharmacy) -> list[AuditRow]:
    return audit.list_entries(pharmacy.ctx, pharmacy.actor("admin"), action="rule_confirmed")


def click(qtbot: Any, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_every_role_finds_the_screen_in_the_navigation() -> None:
    assert StudyRulesScreen in screen_classes()
    assert all(StudyRulesScreen.visible_to(role) for role in Role)


def test_the_administrator_sees_the_site_decisions_to_confirm_first(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy)
    qtmodeltester.check(screen.model)
    lines = shown(screen)
    keys = site_decisions(pharmacy)
    waiting = len(keys)
    assert [line["Key"] for line in lines[:waiting]] == keys
    assert lines[0]["Rule"] == "Interval between cycles"
    assert {line["State"] for line in lines[:waiting]} == {"to confirm"}
    assert all(line["Source"].startswith("site decision ") for line in lines[:waiting])
    holding = {line["Key"]: line["State"] for line in lines[waiting:]}
    assert all(state.startswith("holds (") for state in holding.values())
    assert {
        key: holding[key] for key in ("cycle", "products.herombopag-7.5mg", "dose_levels.0")
    } == {
        "cycle": "holds (registry)",
        "products.herombopag-7.5mg": "holds (registry)",
        "dose_levels.0": "holds (registry)",
    }
    assert len(lines) == len(pharmacy.study.rules)
    platelets = next(line for line in lines if line["Key"] == "platelets")
    assert "platelet count at or above 100" in platelets["What it says"]
    # Marked: the summary names them, and the first one is selected with its state.
    assert screen.summary.kind == "warning"
    assert f"{waiting} rules to confirm</b>, listed first" in screen.summary.text()
    assert "type why it holds" in screen.summary.text()
    assert chosen(screen) == "cycle.min_interval"
    assert "To confirm" in screen.chosen.text()
    assert screen.confirm_button.isVisible() and screen.confirm_button.isEnabled()
    assert screen.reason.isVisible()
    # A rule that holds by its source has nothing to confirm.
    assert screen.select("cycle")
    assert "Holds as written" in screen.chosen.text()
    assert not screen.confirm_button.isEnabled()


def test_confirming_a_rule_with_a_reason_is_audited_and_shown(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_question(monkeypatch, True)
    screen = make_screen(qtbot, pharmacy)
    assert screen.select("platelets")
    qtbot.keyClicks(screen.reason, "investigator's letter 2026-11-02")
    with qtbot.waitSignal(screen.changed):
        click(qtbot, screen.confirm_button)

    assert len(asked) == 1
    assert "Confirm rule Platelet hold?" in asked[0]
    assert "investigator's letter 2026-11-02" in asked[0]
    assert screen.message.kind == "ok"
    assert "Platelet hold (site decision 2026-11) is confirmed" in screen.message.text()
    line = next(line for line in shown(screen) if line["Key"] == "platelets")
    assert (line["State"], line["By"], line["Reason"]) == (
        "confirmed",
        "admin",
        "investigator's letter 2026-11-02",
    )
    assert line["On"].startswith("2026-01-2")  # the clock's day, in local time
    # Still selected, now confirmed: nothing more to do with it.
    assert chosen(screen) == "platelets"
    assert "Confirmed by <b>admin</b>" in screen.chosen.text()
    assert screen.reason.text() == ""
    assert not screen.confirm_button.isEnabled()
    # The list is refreshed: one fewer to confirm, and it is no longer first.
    lines = shown(screen)
    keys = site_decisions(pharmacy)
    assert [line["Key"] for line in lines if line["State"] == "to confirm"] == [
        key for key in keys if key != "platelets"
    ]
    assert f"{len(keys) - 1} rules to confirm" in screen.summary.text()

    entries = confirmations(pharmacy)
    assert [(e.username, e.entity, e.entity_id, e.reason) for e in entries] == [
        ("admin", "rule", "platelets", "investigator's letter 2026-11-02")
    ]
    assert audit.verify(pharmacy.ctx, pharmacy.actor("admin")).ok
    held = {r.key for r in studies.study_rules(pharmacy.ctx, pharmacy.actor("pharm"))}
    assert "platelets" in held
    assert "platelets" not in {
        r.key for r in studies.rules_to_confirm(pharmacy.ctx, pharmacy.actor("admin"))
    }


def test_an_empty_reason_gets_a_clear_message_and_writes_nothing(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_question(monkeypatch, True)
    screen = make_screen(qtbot, pharmacy)
    assert screen.select("dose_levels.-1")
    qtbot.keyClicks(screen.reason, "   ")
    click(qtbot, screen.confirm_button)
    assert screen.message.kind == "error"
    assert "Type why rule Dose level -1 holds" in screen.message.text()
    assert "audit trail" in screen.message.text()
    assert asked == []
    assert confirmations(pharmacy) == []
    line = next(line for line in shown(screen) if line["Key"] == "dose_levels.-1")
    assert line["State"] == "to confirm"


def test_answering_no_to_the_question_writes_nothing(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_question(monkeypatch, False)
    screen = make_screen(qtbot, pharmacy)
    assert screen.select("cycle.min_interval")
    qtbot.keyClicks(screen.reason, "protocol amendment 2")
    click(qtbot, screen.confirm_button)
    assert len(asked) == 1
    assert confirmations(pharmacy) == []
    assert screen.reason.text() == "protocol amendment 2"  # kept for a second try
    rule = screen.current()
    assert rule is not None and not rule.confirmed


def test_the_real_question_defaults_to_cancel(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    assert screen.select("adherence")
    qtbot.keyClicks(screen.reason, "site SOP 14")
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(f"{box.text()} {box.informativeText()}")
        box.defaultButton().click()  # Enter: the safe answer

    QTimer.singleShot(0, answer)
    click(qtbot, screen.confirm_button)
    assert len(seen) == 1 and "Confirm rule Adherence?" in seen[0] and "site SOP 14" in seen[0]
    assert confirmations(pharmacy) == []


def test_a_pharmacist_reads_the_rules_but_cannot_confirm_them(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_question(monkeypatch, True)
    screen = make_screen(qtbot, pharmacy, "pharm")
    lines = shown(screen)
    keys = site_decisions(pharmacy)
    assert [line["Key"] for line in lines[: len(keys)]] == keys
    assert "An administrator confirms them" in screen.summary.text()
    assert not screen.confirm_button.isVisible()
    assert not screen.reason.isVisible()
    # The service refuses whatever the screen shows: pressed anyway, nothing is written.
    screen.reason.setText("I think so")
    screen.confirm_button.click()
    assert screen.message.kind == "error"
    assert "may not change the study set-up" in screen.message.text()
    with pytest.raises(NotPermitted):
        studies.confirm_rule(pharmacy.ctx, pharmacy.actor("pharm"), "platelets", "I think so")
    assert confirmations(pharmacy) == []


def fits(screen: StudyRulesScreen) -> None:
    """Every header whole, no sideways scrolling, the first rules and the button in sight."""
    view = screen.table
    header = view.horizontalHeader()
    sizes = [header.sectionSize(c) for c in range(header.count())]
    assert sum(sizes) <= view.viewport().width()
    cut = [
        str(view.model().headerData(c, Qt.Orientation.Horizontal))
        for c, size in enumerate(sizes)
        if size < header.sectionSizeHint(c)
    ]
    assert not cut, f"headers cut: {cut}"
    assert not view.horizontalScrollBar().isVisible()
    # The rules to confirm come first; the list shows at least eight rules at once and may
    # scroll down to the rest (a study file with many rules, or a taller font).
    model = view.model()
    assert view.rowViewportPosition(0) == 0
    in_sight = sum(
        1
        for r in range(model.rowCount())
        if view.rowViewportPosition(r) + view.rowHeight(r) <= view.viewport().height()
    )
    assert in_sight >= min(8, model.rowCount()), in_sight
    button = screen.confirm_button
    corner = button.mapTo(screen, button.rect().bottomRight())
    assert screen.rect().contains(corner)


def test_the_rules_fit_a_1366x768_window_with_a_message_shown(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_question(monkeypatch, True)
    screen = make_screen(qtbot, pharmacy)
    fits(screen)
    assert screen.select("products.herombopag-2.5mg")
    qtbot.keyClicks(screen.reason, "sponsor's letter on dose reductions, 2026-11-04, filed")
    click(qtbot, screen.confirm_button)
    assert screen.message.kind == "ok"
    # The rule just confirmed stays selected and in sight at once, the message bar having
    # pushed the list down (the list, one rule longer with the day-1 window, may scroll to
    # it); scrolled back up, the list fits as before.
    view = screen.table
    [selected] = view.selectionModel().selectedRows()
    top = view.rowViewportPosition(selected.row())
    assert top >= 0 and top + view.rowHeight(selected.row()) <= view.viewport().height()
    qtbot.wait(50)  # whatever is left of the layout settles: the rule is still in sight
    top = view.rowViewportPosition(selected.row())
    assert top >= 0 and top + view.rowHeight(selected.row()) <= view.viewport().height()
    view.scrollToTop()
    fits(screen)
    # Another width: the columns are shared out again; what each rule says gives way first,
    # and reads whole again when there is room.
    column = next(
        c
        for c in range(view.model().columnCount())
        if view.model().headerData(c, Qt.Orientation.Horizontal) == "What it says"
    )
    screen.resize(900, 700)
    qtbot.waitUntil(lambda: view.columnWidth(column) < view.sizeHintForColumn(column))
    fits(screen)
    screen.resize(1600, 900)
    qtbot.waitUntil(lambda: view.columnWidth(column) >= view.sizeHintForColumn(column))
    fits(screen)


def test_the_rule_just_confirmed_stays_in_sight_in_a_shorter_window(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a window short enough that the list scrolls, the message bar shown after a confirm
    pushes the list down: the rule is scrolled to after that, not before, so it stays in sight."""
    answer_question(monkeypatch, True)
    screen = make_screen(qtbot, pharmacy)
    screen.resize(screen.width(), screen.height() - 150)
    view = screen.table
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0)
    assert screen.select("products.herombopag-2.5mg")
    qtbot.keyClicks(screen.reason, "sponsor's letter on dose reductions, 2026-11-04, filed")
    click(qtbot, screen.confirm_button)
    assert screen.message.kind == "ok"
    [selected] = view.selectionModel().selectedRows()
    assert screen.current() is not None and screen.current().key == "products.herombopag-2.5mg"
    top = view.rowViewportPosition(selected.row())
    assert top >= 0 and top + view.rowHeight(selected.row()) <= view.viewport().height()


def test_when_every_rule_holds_the_summary_says_so(qtbot: Any, pharmacy: Pharmacy) -> None:
    admin = pharmacy.actor("admin")
    for key in site_decisions(pharmacy):
        studies.confirm_rule(pharmacy.ctx, admin, key, "site decision minuted 2026-11-02")
    screen = make_screen(qtbot, pharmacy, "tech")
    assert screen.summary.kind == "ok"
    everyone = len(pharmacy.study.rules)
    assert f"All {everyone} rules of the study file hold" in screen.summary.text()
    assert {line["State"] for line in shown(screen)} == {"confirmed", "holds (registry)"}
    assert not screen.confirm_button.isVisible()


def test_the_sources_are_in_the_readers_words_in_chinese(
    qtbot: Any, chinese: None, pharmacy: Pharmacy
) -> None:
    """A source is written in the program's own terms ("registry", "site decision 2026-11"):
    the Chinese window says them in Chinese, the section or date as written."""
    screen = make_screen(qtbot, pharmacy)
    lines = shown(screen)
    states = {line["状态"] for line in lines}
    sources = {line["来源"] for line in lines}
    assert "有效（注册记录）" in states, states
    assert "中心决定 2026-11" in sources and "注册记录" in sources, sources
    assert not any("registry" in text or "site decision" in text for text in states | sources)
    screen.select("cycle")
    assert "来源：注册记录" in screen.chosen.text(), screen.chosen.text()


def test_a_source_is_said_in_the_readers_words() -> None:
    assert source_words("protocol 6.2") == "protocol 6.2", "English: as written"
    with speaking(Language.ZH_CN):
        assert source_words("registry") == "注册记录"
        assert source_words("protocol 6.2") == "方案第 6.2 节"
        assert source_words("site decision 2026-11-03") == "中心决定 2026-11-03"


@pytest.fixture
def styled(qapp: Any) -> Iterator[None]:
    """The program's style sheet (its larger font), as the window shows the screen."""
    from dispensary.ui.app import apply_style

    apply_style(qapp)
    yield
    qapp.setStyleSheet("")


@pytest.mark.usefixtures("styled")
def test_what_a_rule_says_is_read_whole_at_1366x768(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The rule's text wraps in its column and the row grows to hold it (it was cut: "Product
    herombopag (hetrombopag olamine) 2.5 mg table…", while the empty By, On and Reason columns
    of the rules to confirm kept their width); the whole text is the cell's tooltip too."""
    screen = refreshed(qtbot, StudyRulesScreen(pharmacy.session("admin")), (1166, 674))
    qtbot.wait(20)
    table = screen.table
    model = table.model()
    column = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == "What it says"
    )
    wrapped = 0
    for row in range(model.rowCount()):
        index = model.index(row, column)
        text = str(index.data())
        if cell_width(table, text) > table.columnWidth(column):
            wrapped += 1
            assert table.rowHeight(row) >= table.sizeHintForRow(row), text
        if len(text) > 20:
            assert index.data(Qt.ItemDataRole.ToolTipRole) == text
    # The study file's product rules are longer than the column: they are wrapped, not cut.
    assert wrapped
    # The table still fits its width: no column pushed out of sight.
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()
