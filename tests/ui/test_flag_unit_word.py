"""The flag of a kit not brought back says the product's unit word: "Not brought back (tablets
unaccounted for)" was said of a capsule kit (the DEMO-2DRUG participant report). On the Return
screen (as assessed, and once signed), on the Dispense screen's last-return card and under the
Participants screen's history; a study of tablets only reads as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from counter_fixtures import Counter, Printer, Signatures, study_pharmacy
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_capsule_screens import CAPSULES, KITS, _dispense, _shown, _study_file

from dispensary.study import load_study
from dispensary.ui.participants_view import ParticipantsScreen
from dispensary.ui.return_view import ReturnScreen


@pytest.fixture
def pharmacy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Counter]:
    """A pharmacy made with the study file the test names (test_capsule_screens' kits)."""
    protocol: str = request.param
    study = load_study(_study_file(protocol, tmp_path))
    counter = study_pharmacy(study, KITS[protocol], tmp_path / "pharmacy.sqlite3")
    yield counter
    counter.ctx.engine.dispose()


@pytest.mark.parametrize(
    ("pharmacy", "language", "flag", "kit"),
    [
        (
            CAPSULES,
            "en",
            "Not brought back (capsules unaccounted for)",
            "Kit B0001: 60 capsules dispensed · not brought back<br>",
        ),
        (CAPSULES, "zh_CN", "未带回（粒数不明）", "药盒 B0001：发放 60 粒 · 未带回<br>"),
        (
            "DEMO-28D-BID",
            "en",
            "Not brought back (tablets unaccounted for)",
            "Kit B0001: 60 dispensed · not brought back<br>",
        ),
        ("DEMO-28D-BID", "zh_CN", "未带回（片数不明）", "药盒 B0001：发放 60 片 · 未带回<br>"),
    ],
    indirect=["pharmacy"],
)
def test_a_capsule_kit_not_brought_back_is_flagged_in_capsules(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    printer: Printer,
    language: str,
    flag: str,
    kit: str,
    request: pytest.FixtureRequest,
) -> None:
    """The kit's tally said "60 capsules taken" of a kit not brought back, above the flag
    saying they are not counted as taken: it says the kit was not brought back (the service's
    `kit_unaccounted`)."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    dispense, _number = _dispense(qtbot, pharmacy)
    screen = ReturnScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    screen.scan("B0001")
    screen.not_back.click()
    assert flag in screen.tally.text(), screen.tally.text()  # as assessed, before signing
    assert screen.tally.text().startswith(kit), screen.tally.text()
    screen.note.setText("left at home")
    screen.sign()
    assert signatures.asked, screen.message.text()
    assert flag in screen.result.text(), screen.result.text()
    for other in ("tablets unaccounted", "capsules unaccounted", "药片去向不明"):
        if other not in flag:
            assert other not in screen.tally.text() + screen.result.text()
    dispense.start_over()  # the participant scanned again: the last return's card
    qtbot.keyClicks(dispense.participant_field, "01-001")
    qtbot.keyClick(dispense.participant_field, Qt.Key.Key_Return)
    assert flag in dispense.card.text(), dispense.card.text()
    people = ParticipantsScreen(pharmacy.session("pharm"))  # the flags under the history
    _shown(qtbot, people)
    people.refresh()
    assert people.handle_scan("01-001")
    assert flag in people.flags.text(), people.flags.text()
