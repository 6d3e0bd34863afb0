"""A study file updated at another workstation (its temperature range) while a logger file is
chosen on the Temperature screen: the import is refused (nothing written), and the screen opens
the study again with the new file, as F5 does, keeping the file and storage area chosen, to
import again under the new range."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from window_helpers import go_to, main_window

from dispensary.services import studies, temperature
from dispensary.ui.temperature_view import TemperatureScreen

WARM_NIGHT = """timestamp,celsius
2026-01-20T10:00:00+00:00,22.0
2026-01-20T11:00:00+00:00,27.5
2026-01-20T12:00:00+00:00,23.0
"""


def click_import(qtbot: Any, screen: TemperatureScreen) -> None:
    with qtbot.waitSignal(screen.import_done, timeout=20_000):
        qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)


def test_an_import_after_a_study_file_update_is_refused_and_kept_as_chosen(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    path = tmp_path / "night.csv"
    path.write_text(WARM_NIGHT, encoding="utf-8")
    window = main_window(qtbot, pharmacy.session("tech"))
    screen = go_to(window, TemperatureScreen)
    area = screen.area.currentText()
    qtbot.keyClicks(screen.file, str(path))
    text = pharmacy.study.source_text
    amended = text.replace("max_celsius = 25.0", "max_celsius = 30.0")
    assert amended != text
    studies.update_study(pharmacy.ctx, pharmacy.actor("admin"), amended, "v2.toml", "range")

    click_import(qtbot, screen)

    assert temperature.logger_checks(pharmacy.ctx, pharmacy.actor("tech")) == []
    qtbot.waitUntil(lambda: window.current_screen() is not screen)
    again = window.current_screen()
    assert isinstance(again, TemperatureScreen)
    assert window.session.ctx.version == 2
    assert again.file.text() == str(path)
    assert again.area.currentText() == area
    assert again.message.kind == "warning", again.message.text()
    assert again.message.text() == (
        "Nothing was saved: the study file of NCT07198672 was updated after this screen was "
        "opened. The screen read it again (version 2), with the logger file and storage area "
        "as chosen: check the temperature range, then import the file again."
    )
    click_import(qtbot, again)
    assert len(again.loggers.rows) == 1
    assert again.excursions.rows == []  # 27.5 °C is within version 2's range (2 to 30 °C)
