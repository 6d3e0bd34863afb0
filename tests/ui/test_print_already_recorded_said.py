"""Record the print, retried for a print whose record went in but whose answer was lost (the
connection dropped after COMMIT): the service writes nothing and says so (LabelPrintRow.already),
but the Dispense screen said "{number}: print recorded." and Receive "Kit labels print
recorded.", as though this press had written it. Both now say it was recorded already and that
nothing new was written, from the service's answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_receive_unrecorded_print import KITS, printing_session, received, recorded
from test_reprint_record_waits_with_its_reason import reprints
from test_waiting_print_recorded_once import REASON, reprint_whose_answer_is_lost
from window_helpers import main_window

from dispensary.app import Desk
from dispensary.domain.errors import DatabaseProblem
from dispensary.services import labels as label_prints
from dispensary.ui.dispense_view import DispenseScreen


def test_dispense_screen_says_a_print_recorded_already_wrote_nothing(
    qtbot: QtBot, counter: Counter, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, number = reprint_whose_answer_is_lost(qtbot, counter, desk, tmp_path, monkeypatch)
    dispense = window.show_screen(DispenseScreen)
    assert isinstance(dispense, DispenseScreen)
    qtbot.mouseClick(dispense.record_button, Qt.MouseButton.LeftButton)
    text = dispense.message.text()
    dispense.grab().save(str(tmp_path / "dispense-already-recorded.png"))
    assert dispense.message.kind == "ok", text
    assert "print already recorded; nothing new written." in text, text
    assert "print recorded." not in text, text
    assert reprints(counter) == [([number], REASON)]  # still one reprint
    window.quit()


def test_receive_screen_says_kit_labels_recorded_already_wrote_nothing(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = main_window(qtbot, printing_session(counter, tmp_path))
    screen = received(qtbot, window)
    real = label_prints.record_label_print
    with monkeypatch.context() as dropping:

        def committed_then_lost(*args: Any, **kwargs: Any) -> Any:
            real(*args, **kwargs)
            raise DatabaseProblem("The database server cannot be reached.")

        dropping.setattr(label_prints, "record_label_print", committed_then_lost)
        qtbot.mouseClick(screen.labels_button, Qt.MouseButton.LeftButton)
    assert screen.unrecorded is not None, screen.message.text()
    assert recorded(counter) == KITS  # in, though the screen was told not
    qtbot.mouseClick(screen.labels_button, Qt.MouseButton.LeftButton)  # Record the print
    text = screen.message.text()
    screen.grab().save(str(tmp_path / "receive-already-recorded.png"))
    assert screen.message.kind == "ok", text
    assert text == "Kit labels print already recorded; nothing new written.", text
    assert screen.unrecorded is None
    assert recorded(counter) == KITS  # once each
