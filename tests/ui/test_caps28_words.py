"""The reviewer's second study, REV-CAPS-28 (capsules only), at the Returns, Dispense and
Inventory windows: no text a window shows says "tablets" / 片 of its capsules (a field's label,
a column's title, a placeholder, a button, a message), and the refusals the windows show say the
study's word: the void of a dispense with returns said "the tablets left the pharmacy", a
returned kit scanned at the counter "Returned tablets are never dispensed again". NCT07198672, a
study of tablets, still says tablets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from counter_fixtures import PASSWORDS, Counter, study_pharmacy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from window_helpers import refreshed

from dispensary.domain.errors import RuleViolation
from dispensary.services import dispensing, returns
from dispensary.study import bundled_studies, load_study
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.return_view import ReturnScreen

FIXTURE = Path(__file__).parents[1] / "fixtures" / "REV-CAPS-28.toml"
TABLETS = re.compile(r"\btablets?\b|片", re.IGNORECASE)


@pytest.fixture
def caps28(tmp_path: Path) -> Iterator[Counter]:
    counter = study_pharmacy(
        load_study(FIXTURE),
        [("R1001-R1004", "revicapib-100mg"), ("S1001-S1002", "revicapib-25mg")],
        tmp_path / "caps.sqlite3",
    )
    yield counter
    counter.ctx.engine.dispose()


def _shown_texts(window: QWidget) -> list[str]:
    """Every text the window shows: labels, buttons, group titles, fields' placeholders, the
    tables' column titles."""
    said: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            said.append(widget.text())
        if isinstance(widget, QGroupBox):
            said.append(widget.title())
        if isinstance(widget, QLineEdit):
            said.append(widget.placeholderText())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            said.extend(
                str(model.headerData(c, Qt.Orientation.Horizontal) or "")
                for c in range(model.columnCount())
            )
    return [s for s in said if s]


def _dispensed_and_back(counter: Counter) -> str:
    """01-001's cycle 1 (200 mg: 2 capsules of 100 mg a dose, two kits) dispensed, one kit
    back on day 15: the dispense's number."""
    pharm = counter.actor("pharm")
    day1 = counter.clock.today()
    found = dispensing.dispense_cycle(counter.ctx, pharm, "01-001", 1, day1, PASSWORDS["pharm"])
    counter.clock.set_date(day1 + timedelta(days=14))
    first = found.kits[0].kit
    returns.record_return(counter.ctx, pharm, first, 0, PASSWORDS["pharm"], found.number)
    return found.number


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("screen_class", [ReturnScreen, DispenseScreen, InventoryScreen])
def test_no_window_text_says_tablets_of_a_capsule_study(
    qtbot: QtBot,
    caps28: Counter,
    screen_class: type[QWidget],
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    _dispensed_and_back(caps28)
    screen = refreshed(qtbot, screen_class(caps28.session("pharm")))  # type: ignore[call-arg]
    said = _shown_texts(screen)
    assert said
    assert not [s for s in said if TABLETS.search(s)], said


def test_the_dispense_window_says_a_returned_kit_without_tablets(
    qtbot: QtBot, caps28: Counter
) -> None:
    """A returned capsule kit scanned for 01-001's next cycle: the window's refusal said
    "Returned tablets are never dispensed again"."""
    _dispensed_and_back(caps28)
    screen = refreshed(qtbot, DispenseScreen(caps28.session("pharm")))
    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    screen.kit_field.setFocus()
    qtbot.keyClicks(screen.kit_field, "R1001")
    qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)
    shown = screen.message.text()
    assert "R1001" in shown and "never dispensed again" in shown, shown
    assert not TABLETS.search(shown), shown
    screen.grab().save("/tmp/ws13/dispense-returned-kit.png")


def test_a_void_refused_for_returns_says_capsules(caps28: Counter) -> None:
    number = _dispensed_and_back(caps28)
    with pytest.raises(RuleViolation) as refused:
        dispensing.check_void(caps28.ctx, caps28.actor("pharm"), number)
    assert "the capsules left the pharmacy" in refused.value.message


def test_a_void_refused_for_returns_in_a_study_of_tablets_says_tablets(tmp_path: Path) -> None:
    study = load_study(bundled_studies() / "NCT07198672.toml")
    code = study.products[0].code
    counter = study_pharmacy(study, [("K1001-K1004", code)], tmp_path / "nct.sqlite3")
    try:
        number = _dispensed_and_back(counter)
        with pytest.raises(RuleViolation) as refused:
            dispensing.check_void(counter.ctx, counter.actor("pharm"), number)
        assert "the tablets left the pharmacy" in refused.value.message
    finally:
        counter.ctx.engine.dispose()
