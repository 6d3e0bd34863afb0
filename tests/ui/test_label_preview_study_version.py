"""The counter's label preview prints a dispense's label as the study file it was made with
words it: a label printed at the counter after the study file was updated (here by another
workstation, the counter reopened on the new file) says what the dispense screen showed."""

from __future__ import annotations

from datetime import date

from counter_fixtures import Counter
from pytestqt.qtbot import QtBot

from dispensary.services import dispensing, setup, studies
from dispensary.ui.label_preview import dispensing_label_pdf
from reports.pdfread import pdf_text

OLD_DIRECTIONS = "on an empty stomach"
NEW_DIRECTIONS = "with a glass of water"


def test_the_preview_after_a_study_update_keeps_the_dispenses_wording(
    qtbot: QtBot, counter: Counter
) -> None:
    result = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    assert OLD_DIRECTIONS in result.directions
    text = counter.ctx.study.source_text.replace(OLD_DIRECTIONS, NEW_DIRECTIONS)
    studies.update_study(counter.ctx, counter.actor("admin"), text, "v2.toml", "sponsor v2")
    opened = setup.open_database(str(counter.path), counter.clock)
    try:
        reopened = Counter(opened.context, counter.clock, counter.path)
        assert NEW_DIRECTIONS in reopened.ctx.study.label.directions
        pdf, _stock = dispensing_label_pdf(reopened.session("pharm"), result)
        words = " ".join(pdf_text(pdf).replace("\u00a0", " ").split())
        assert OLD_DIRECTIONS in words and NEW_DIRECTIONS not in words
    finally:
        opened.context.engine.dispose()
