"""Each kit handed over is confirmed by its scan: the proposed kits are listed to pick, Enter
before they are all scanned names those still to scan and signs nothing, and a kit the
assessment accepts in place of a proposed one (same product) stands for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from counter_fixtures import Counter, Signatures, study_pharmacy
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import refreshed, scan

from dispensary.services import queries
from dispensary.study import bundled_studies, load_study
from dispensary.ui.dispense_view import DispenseScreen

pytestmark = pytest.mark.usefixtures("printer")  # a label shown is not a window left open
DEMO_2DRUG = [("C0001-C0003", "democapib-100mg"), ("T0001-T0003", "demotinib-25mg")]


@pytest.fixture
def two_drugs(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-2DRUG: a cycle takes a capsule kit and a tablet kit, C0001 and T0001 proposed."""
    study = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    counter = study_pharmacy(study, DEMO_2DRUG, tmp_path / "pharmacy.sqlite3")
    yield counter
    counter.ctx.engine.dispose()


def picking(screen: DispenseScreen) -> list[tuple[str, str]]:
    """Each kit listed with its scan column ("Scanned", "To pick")."""
    model = screen.kits_model
    last = model.columnCount() - 1
    return [(row.number, model.index(i, last).data()) for i, row in enumerate(model.rows)]


def dispensed(counter: Counter) -> list[tuple[str, ...]]:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return [r.kits for r in rows]


def enter_signs_nothing(qtbot: QtBot, screen: DispenseScreen, signatures: Signatures) -> str:
    """Enter in the kit field before every kit is scanned: no signature is asked. Returns what
    the window says."""
    qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)
    assert signatures.asked == []
    return screen.message.text()


@pytest.fixture
def screen(qtbot: QtBot, two_drugs: Counter) -> DispenseScreen:
    widget = refreshed(qtbot, DispenseScreen(two_drugs.session("pharm")), (1166, 700))
    scan(qtbot, widget.participant_field, "01-001")
    return widget


def test_enter_before_the_kits_are_scanned_names_them_and_signs_nothing(
    qtbot: QtBot,
    screen: DispenseScreen,
    two_drugs: Counter,
    signatures: Signatures,
) -> None:
    assert picking(screen) == [("C0001", "To pick"), ("T0001", "To pick")]
    assert screen.kits_title.text().endswith("0 of 2 scanned")
    assert "Kits still to scan: C0001, T0001." in screen.message.text()

    said = enter_signs_nothing(qtbot, screen, signatures)  # Enter alone: no longer signs
    assert dispensed(two_drugs) == []
    assert screen.message.kind == "warning"
    assert said.startswith("Kits still to scan: C0001, T0001.")

    # Ctrl+Enter and the button: the same.
    qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    screen.sign_button.click()
    assert signatures.asked == [] and dispensed(two_drugs) == []


def test_each_kit_scanned_then_the_signature(
    qtbot: QtBot,
    screen: DispenseScreen,
    two_drugs: Counter,
    signatures: Signatures,
) -> None:
    scan(qtbot, screen.kit_field, "C0001")
    assert signatures.asked == []  # the tablets not scanned yet: the cycle is not covered
    assert picking(screen) == [("C0001", "Scanned"), ("T0001", "To pick")]
    assert screen.kits_title.text().endswith("1 of 2 scanned")
    said = enter_signs_nothing(qtbot, screen, signatures)
    assert "Kit still to scan: T0001." in said and "C0001" not in said

    scan(qtbot, screen.kit_field, "T0001")  # the last kit: the signature follows
    [(_signer, _meaning, summary)] = signatures.asked
    assert "C0001, T0001" in summary
    assert dispensed(two_drugs) == [("C0001", "T0001")]


def test_a_kit_scanned_in_place_of_a_proposed_one_stands_for_it(
    qtbot: QtBot,
    screen: DispenseScreen,
    two_drugs: Counter,
    signatures: Signatures,
) -> None:
    """C0002 was picked instead of C0001 (same product, same lot): the assessment accepts it,
    so it takes C0001's place and only T0001 is left to scan; the record names C0002."""
    scan(qtbot, screen.kit_field, "C0002")
    assert screen.kit_field.cue == "ok"
    assert picking(screen) == [("C0002", "Scanned"), ("T0001", "To pick")]
    assert "Kit still to scan: T0001." in enter_signs_nothing(qtbot, screen, signatures)

    scan(qtbot, screen.kit_field, "T0002")  # the tablets' kit substituted too
    assert len(signatures.asked) == 1
    assert dispensed(two_drugs) == [("C0002", "T0002")]
    for kit, status in (("C0001", "available"), ("C0002", "dispensed"), ("T0002", "dispensed")):
        assert queries.kit_detail(two_drugs.ctx, two_drugs.actor("pharm"), kit).status == status


# -- a study whose IRT assigns the kit: the kit typed from its confirmation is scanned too -------

IRT_KITS = [("R0001-R0004", "demoprazole-blinded")]


@pytest.fixture
def irt_study(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-IRT-BLIND: nothing proposed, the pharmacist types the kit the IRT assigned."""
    study = load_study(bundled_studies() / "DEMO-IRT-BLIND.toml")
    counter = study_pharmacy(study, IRT_KITS, tmp_path / "pharmacy.sqlite3")
    yield counter
    counter.ctx.engine.dispose()


@pytest.fixture
def irt_screen(qtbot: QtBot, irt_study: Counter) -> DispenseScreen:
    """01-001 open, the IRT's confirmation and its kit R0003 typed in."""
    widget = refreshed(qtbot, DispenseScreen(irt_study.session("pharm")), (1166, 700))
    scan(qtbot, widget.participant_field, "01-001")
    widget.irt_confirmation.setText("IRT-77")
    widget.irt_kit.setText("R0003")
    widget.irt_kit.editingFinished.emit()
    return widget


def test_the_kit_the_irt_assigned_is_to_pick_and_enter_signs_nothing(
    qtbot: QtBot,
    irt_screen: DispenseScreen,
    irt_study: Counter,
    signatures: Signatures,
) -> None:
    screen = irt_screen
    assert picking(screen) == [("R0003", "To pick")]  # typed, not scanned
    assert screen.kits_title.text() == "Kit the IRT assigned: 0 of 1 scanned"
    assert screen.message.text().startswith("Kit the IRT assigned, still to scan: R0003.")

    qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)  # Enter: the bottle is not scanned
    screen.sign_button.click()
    assert signatures.asked == [] and dispensed(irt_study) == []
    assert screen.message.kind == "warning"
    assert (
        "Kit the IRT assigned, still to scan: R0003. Pick it and scan the bottle"
        in screen.message.text()
    )


def test_the_bottle_scanned_then_the_signature(
    qtbot: QtBot,
    irt_screen: DispenseScreen,
    irt_study: Counter,
    signatures: Signatures,
) -> None:
    scan(qtbot, irt_screen.kit_field, "r0003")  # the same kit: scanned, the signature follows
    [(_signer, _meaning, summary)] = signatures.asked
    assert "R0003" in summary
    assert dispensed(irt_study) == [("R0003",)]
    assert irt_screen.last_result is not None
    assert irt_screen.last_result.irt_confirmation == "IRT-77"


def test_another_bottle_than_the_irt_assigned_is_refused(
    qtbot: QtBot,
    irt_screen: DispenseScreen,
    irt_study: Counter,
    signatures: Signatures,
) -> None:
    screen = irt_screen
    scan(qtbot, screen.kit_field, "R0002")
    assert screen.kit_field.cue == "error"
    said = screen.message.text()
    assert said.startswith("The IRT assigned kit R0003, and the kit scanned is R0002"), said
    assert "pick kit R0003" in said and "if the IRT reassigned the kit" in said
    assert picking(screen) == [("R0003", "To pick")]  # R0002 not taken
    qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)  # Enter on the refused scan
    assert signatures.asked == [] and dispensed(irt_study) == []
    assert "still to scan: R0003" in screen.message.text()

    scan(qtbot, screen.kit_field, "R0003")  # the right bottle
    assert len(signatures.asked) == 1
    assert dispensed(irt_study) == [("R0003",)]


def test_the_cursor_goes_to_the_irt_fields_the_message_asks_for(
    qtbot: QtBot,
    irt_study: Counter,
    signatures: Signatures,
) -> None:
    """The participant scanned, the message asks for the IRT's confirmation: the cursor is in
    its field, not in "Kit in hand" (where IRT-77 would be looked up as a kit, and the kit
    number typed taken as scanned); Enter with a field still empty leaves it there."""
    screen = refreshed(qtbot, DispenseScreen(irt_study.session("pharm")), (1166, 700))
    scan(qtbot, screen.participant_field, "01-001")
    assert "enter the IRT confirmation number" in screen.message.text()
    assert screen.focusWidget() is screen.irt_confirmation

    qtbot.keyClick(screen.irt_confirmation, Qt.Key.Key_Return)  # Enter, nothing typed
    assert screen.focusWidget() is screen.irt_confirmation
    scan(qtbot, screen.irt_confirmation, "IRT-77")
    assert screen.focusWidget() is screen.irt_kit  # the kit the IRT assigned, still empty
    scan(qtbot, screen.irt_kit, "R0003")
    assert screen.focusWidget() is screen.kit_field  # now the bottle
    assert picking(screen) == [("R0003", "To pick")]
    assert signatures.asked == [] and dispensed(irt_study) == []

    scan(qtbot, screen.kit_field, "R0003")  # the bottle: taken, the signature follows
    assert len(signatures.asked) == 1
    assert dispensed(irt_study) == [("R0003",)]


def test_a_bottle_scanned_before_another_irt_kit_is_typed_is_said_taken_off(
    qtbot: QtBot,
    irt_study: Counter,
    signatures: Signatures,
) -> None:
    """R0003 scanned before the IRT's kit is typed, then the IRT's kit typed is R0002: R0003
    leaves the list with the refusal and "put it back", said until the next scan, never
    dropped silently."""
    screen = refreshed(qtbot, DispenseScreen(irt_study.session("pharm")), (1166, 700))
    scan(qtbot, screen.participant_field, "01-001")
    scan(qtbot, screen.kit_field, "R0003")
    assert picking(screen) == [("R0003", "Scanned")]
    scan(qtbot, screen.irt_confirmation, "IRT-77")
    scan(qtbot, screen.irt_kit, "R0002")

    assert picking(screen) == [("R0002", "To pick")]
    said = screen.message.text()
    assert said.startswith("The IRT assigned kit R0002, and the kit scanned is R0003"), said
    assert "Kit R0003 is taken off the list: put it back." in said
    assert said.count("the kit scanned is R0003") == 1, said
    assert "still to scan: R0002" in said
    assert screen.message.kind == "warning"

    qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)  # Enter: still said, nothing signed
    assert "Kit R0003 is taken off the list: put it back." in screen.message.text()
    assert signatures.asked == [] and dispensed(irt_study) == []

    scan(qtbot, screen.kit_field, "R0002")  # the kit the IRT assigned
    assert len(signatures.asked) == 1
    assert dispensed(irt_study) == [("R0002",)]
