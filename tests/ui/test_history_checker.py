"""The participant's dispensing history names who dispensed each cycle and who checked it: a
"By / checked" column of initials ("PP / MWMW", "PP / —" when nobody checked), as the DARF
signs them, the full names and user names in the cell's tooltip; read from the service's
record (queries.participant_record), never looked up in the window. A two-product history
(DEMO-2DRUG) still reads whole at 1366x768 in English and Chinese, with no horizontal scroll."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from counter_fixtures import OPENING_DAY, PASSWORDS, Counter, study_pharmacy
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_history_two_products_fit import cut_cells, participant_open, titles_cut
from window_helpers import SCREEN

from dispensary.i18n import ENGLISH, Language
from dispensary.services import dispensing, returns, users
from dispensary.study import bundled_studies, load_study

CHECKER = ("pharm2", "Priya Second", "MWMW", "pharm2-pass-1")
"""The second pharmacist: the widest initials an account may have (4 letters)."""


@pytest.fixture
def pharmacy(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-2DRUG with 01-001 given cycle 1 by Paula Pharm (PP), checked by Priya Second
    (MWMW), brought back, and cycle 2 by Paula Pharm alone."""
    study = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    kits = [("C0001-C0004", "democapib-100mg"), ("T0001-T0004", "demotinib-25mg")]
    place = study_pharmacy(study, kits, tmp_path / "pharmacy.sqlite3")
    admin = users.sign_in(place.ctx, "admin", PASSWORDS["admin"])
    username, name, initials, secret = CHECKER
    users.add_user(place.ctx, admin, username, "pharmacist", name, initials, secret, False)
    pharm, password = place.actor("pharm"), PASSWORDS["pharm"]
    first = dispensing.dispense_cycle(
        place.ctx,
        pharm,
        "01-001",
        1,
        OPENING_DAY,
        password,
        checked_by=username,
        checker_password=secret,
    )
    place.clock.set_date(date.fromordinal(OPENING_DAY.toordinal() + 21))
    returns.record_return(place.ctx, pharm, "C0001", 10, password, first.number)
    returns.record_return(place.ctx, pharm, "T0001", 9, password, first.number)
    dispensing.dispense_cycle(place.ctx, pharm, "01-001", 2, place.clock.today(), password)
    yield place
    place.ctx.engine.dispose()


@pytest.fixture
def language(language: Language, styled: None) -> Language:
    """Each language's windows with the program's style sheet (its fonts take room)."""
    return language


SAID = {
    ENGLISH: (
        "Cycle 1 (DSP000001): dispensed by Paula Pharm (PP), checked by Priya Second (MWMW).",
        "Cycle 2 (DSP000002): dispensed by Paula Pharm (PP); no second check.",
    ),
    Language.ZH_CN: (
        "第 1 周期（DSP000001）：发放人 Paula Pharm（PP），核对人 Priya Second（MWMW）。",
        "第 2 周期（DSP000002）：发放人 Paula Pharm（PP）；无第二人核对。",
    ),
}


def test_the_history_names_who_dispensed_and_who_checked(
    qtbot: QtBot, pharmacy: Counter, language: Language
) -> None:
    """Each line clicked says under the table who dispensed it and who checked it, and the
    dispense's tooltip says the same; nothing is said while no line is selected. The
    two-product history still reads whole, every line in view, with the line shown."""
    window, screen = participant_open(qtbot, pharmacy)
    view = screen.history_table
    model = view.model()
    people = screen.people
    assert people.isHidden()  # no line selected: nothing said
    checked, alone = SAID[language]
    seen = []
    for row in range(model.rowCount()):
        cell = model.index(row, 1)  # the dispense number, its tooltip who signed it
        cycle = int(model.index(row, 0).data())
        said = checked if cycle == 1 else alone
        assert cell.data(Qt.ItemDataRole.ToolTipRole) == said
        view.scrollTo(cell)
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(cell).center()
        )
        qtbot.waitUntil(lambda said=said: people.text() == said)
        assert people.isVisible()
        seen.append(cycle)
    assert sorted(seen) == [1, 1, 2, 2]  # each product's line of each dispense
    view.scrollToTop()
    qtbot.wait(50)
    shots = os.environ.get("DISPENSARY_SHOTS")
    if shots:
        window.grab().save(os.path.join(shots, f"history-checker-{language.value}.png"))
    assert (window.width(), window.height()) == SCREEN
    assert cut_cells(view) == []
    assert titles_cut(view) == []
    assert view.horizontalScrollBar().maximum() == 0
    assert view.verticalHeader().length() <= view.viewport().height(), "a line out of view"
    metrics = people.fontMetrics()
    assert (
        people.height()
        >= metrics.boundingRect(
            people.contentsRect(), Qt.TextFlag.TextWordWrap, people.text()
        ).height()
    )
