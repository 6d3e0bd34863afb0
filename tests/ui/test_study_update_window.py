"""An amended study file was loaded only by `dispensary study update`, a command a Windows
pharmacy has no path to: the Studies screen's "Update study file…" now calls the same service
(services/studies.update_study), an administrator's step with its reason, and says its refusals
with nothing written. Driven on the real button with the file dialog answered, in English and
Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from back_office_fixtures import Pharmacy, answer_reason
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from window_helpers import shoot, shown

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry
from dispensary.domain.audit_actions import AuditAction
from dispensary.i18n import ENGLISH, Language
from dispensary.ui.studies_view import StudiesScreen, StudyFileDialog
from dispensary.ui.study_rules_view import rule_state

AMENDED = "Herombopag T-DM1 prevention, amendment 2"
REPLACED = {
    ENGLISH: "The study file of NCT07198672 was replaced",
    Language.ZH_CN: "NCT07198672",
}
SAME = {ENGLISH: "nothing to change", Language.ZH_CN: "无需更改"}


def _screen(qtbot: QtBot, pharmacy: Pharmacy, username: str) -> StudiesScreen:
    screen = StudiesScreen(pharmacy.session(username))
    shown(qtbot, screen)
    screen.refresh()
    return screen


def _choose(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(StudyFileDialog, "ask", classmethod(lambda cls, *a, p=path: p))


def _updates(pharmacy: Pharmacy) -> list[str | None]:
    with read_transaction(pharmacy.ctx.engine) as session:
        return list(
            session.scalars(
                select(AuditEntry.reason).where(AuditEntry.action == AuditAction.STUDY_UPDATED)
            )
        )


def test_the_administrator_updates_the_study_file_from_the_studies_screen(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: Language,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    screen = _screen(qtbot, pharmacy, "admin")
    assert screen.update_button.isVisible() and screen.update_button.isEnabled()
    amended = tmp_path / "NCT07198672-v2.toml"
    old = pharmacy.study.source_text
    amended.write_text(
        old.replace('short_title = "Herombopag T-DM1 prevention"', f'short_title = "{AMENDED}"'),
        encoding="utf-8",
    )
    assert amended.read_text(encoding="utf-8") != old

    # Cancelled at the reason: nothing written.
    prompts = answer_reason(monkeypatch, None)
    _choose(monkeypatch, amended)
    qtbot.mouseClick(screen.update_button, Qt.MouseButton.LeftButton)
    assert len(prompts) == 1 and "NCT07198672" in prompts[0], prompts
    assert _updates(pharmacy) == []

    prompts = answer_reason(monkeypatch, "protocol amendment 2 approved")
    qtbot.mouseClick(screen.update_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert REPLACED[language] in screen.message.text(), screen.message.text()
    assert _updates(pharmacy) == ["protocol amendment 2 approved"]
    assert [r.version for r in screen.model.rows] == [2]
    # The window works on with the file loaded.
    assert screen.session.ctx.study.short_title == AMENDED
    shoot(screen, f"study-updated-{language.value}")

    # The service's refusals are said, nothing written: the same file again...
    prompts = answer_reason(monkeypatch, "again")
    qtbot.mouseClick(screen.update_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error", screen.message.text()
    assert SAME[language] in screen.message.text(), screen.message.text()
    # ...and a file of another study.
    other = tmp_path / "other.toml"
    other.write_text(old.replace('"NCT07198672"', '"NCT00000001"', 1), encoding="utf-8")
    _choose(monkeypatch, other)
    qtbot.mouseClick(screen.update_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error", screen.message.text()
    assert "NCT00000001" in screen.message.text(), screen.message.text()
    assert _updates(pharmacy) == ["protocol amendment 2 approved"]
    assert [r.version for r in screen.model.rows] == [2]


def test_only_an_administrator_is_offered_the_update(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language
) -> None:
    screen = _screen(qtbot, pharmacy, "pharm")
    assert not screen.update_button.isVisible()


UNDONE = {ENGLISH: "to confirm again", Language.ZH_CN: "须重新确认"}
CHANGED = {
    ENGLISH: "to confirm (changed since confirmed)",
    Language.ZH_CN: "待确认（确认后已改动）",
}


def test_an_update_that_changes_a_confirmed_text_says_the_confirmation_it_undid(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: Language,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The Chinese label's directions reworded, their confirmation kept before: the screen
    says the update undid it (a warning, with the rule), as `dispensary study update` does."""
    from dispensary.services import studies

    screen = _screen(qtbot, pharmacy, "admin")
    rule = "label.text.zh_CN"
    if rule in [r.key for r in studies.rules_to_confirm(screen.session.ctx, screen.session.actor)]:
        studies.confirm_rule(screen.session.ctx, screen.session.actor, rule, "approved label")
    amended = tmp_path / "NCT07198672-v2.toml"
    old = pharmacy.study.source_text
    amended.write_text(old.replace("每晚空腹口服", "每晚睡前空腹口服"), encoding="utf-8")
    assert amended.read_text(encoding="utf-8") != old
    answer_reason(monkeypatch, "Chinese directions reworded")
    _choose(monkeypatch, amended)
    qtbot.mouseClick(screen.update_button, Qt.MouseButton.LeftButton)
    said = screen.message.text()
    assert screen.message.kind == "warning", said
    assert REPLACED[language] in said and rule in said and UNDONE[language] in said, said
    shoot(screen, f"study-updated-undone-{language.value}")
    rules = {r.key: r for r in studies.study_rules(screen.session.ctx, screen.session.actor)}
    assert not rules[rule].confirmed and rules[rule].changed
    # The Study rules screen says why the rule is to confirm again.
    assert rule_state(rules[rule]) == CHANGED[language]


def test_a_change_of_the_cycle_schedule_is_asked_before_the_reason(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: Language,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Participant 01-001 is on treatment: a file with another minimum interval would move
    their next cycle's dates. The screen asks the administrator to confirm the sponsor changed
    the schedule (Cancel: nothing written, no reason asked); confirmed, the update is made and
    its audit entry names the participant."""
    import json

    from dispensary.ui.studies_view import ScheduleQuestion

    screen = _screen(qtbot, pharmacy, "admin")
    amended = tmp_path / "NCT07198672-v2.toml"
    old = pharmacy.study.source_text
    amended.write_text(
        old.replace("min_days_since_previous_day1 = 18\n", "min_days_since_previous_day1 = 19\n"),
        encoding="utf-8",
    )
    asked: list[str] = []
    answer = [False]

    def ask(cls: type, parent: object, title: str, question: str, action: str) -> bool:
        asked.append(question)
        return answer[0]

    monkeypatch.setattr(ScheduleQuestion, "ask", classmethod(ask))
    prompts = answer_reason(monkeypatch, "sponsor amendment 3")
    _choose(monkeypatch, amended)
    qtbot.mouseClick(screen.update_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "01-001" in asked[0], asked
    assert "cycle.min_days_since_previous_day1: 18 → 19" in asked[0], asked
    assert prompts == [] and _updates(pharmacy) == []

    answer[0] = True
    qtbot.mouseClick(screen.update_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert _updates(pharmacy) == ["sponsor amendment 3"]
    with read_transaction(pharmacy.ctx.engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.STUDY_UPDATED)
        ).one()
        recorded = json.loads(entry.new)
    assert recorded["participants_on_treatment"] == ["01-001"]
    assert screen.session.ctx.study.cycle.min_days_since_previous_day1 == 19
