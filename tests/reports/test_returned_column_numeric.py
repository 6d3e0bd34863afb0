"""The returns tables' "Returned tablets" / "Returned quantity" column is a count: it was not
marked a number column, so its counts were set to the left beside the right-set "Dispensed",
and its "not brought back: unaccounted for" wrapped onto two lines of a narrow column. It is
now set to the right as every count is, and that text stays on one line: in the returns log
(monitor pack) and the participant report, English and Chinese, for a study of tablets and
one of capsules and tablets. Checked in the table's own setting of each cell (_Grid)."""

from __future__ import annotations

from datetime import date

import pytest
from reportlab.platypus import Paragraph

from dispensary.domain.codes import KitStatus
from dispensary.i18n import Language, speaking
from dispensary.reports.base import RuledRows, frame_width
from dispensary.reports.logs import returns_table
from dispensary.reports.participant import returns_kit_table
from dispensary.services.report_data import ReturnLogRow
from dispensary.study import Study, bundled_studies, parse_study


def _study(protocol: str) -> Study:
    path = bundled_studies() / f"{protocol}.toml"
    return parse_study(path.read_text(encoding="utf-8"), path.name)


def _rows(product: str, kits: int) -> list[ReturnLogRow]:
    """A kit counted back (3 of its units) and one not brought back."""
    return [
        ReturnLogRow(
            return_id=number,
            returned_on=date(2026, 3, 2),
            participant="01-006",
            initials="TZ",
            dispense="DSP000081",
            cycle=6,
            kit=f"K10{number}",
            product=product,
            lot="HT2507B",
            dispensed=kits,
            returned=3 if outcome == "" else 0,
            held_days=0,
            condition="Bottle intact",
            note="",
            counted_by="CJ",
            corrects=None,
            corrected_by=None,
            kit_status=KitStatus.RETURNED,
            outcome=outcome,
        )
        for number, outcome in ((71, ""), (72, "not_brought_back"))
    ]


def _lines(value: str | Paragraph, width: float) -> int:
    """The lines a cell is set on in its column (`width`, less the cell's padding)."""
    if isinstance(value, str):
        return value.count("\n") + 1
    value.wrap(width - 4.0, 1e6)
    return len(value.blPara.lines)


TABLES = {
    "returns log": (returns_table, frame_width(True), 9),
    "participant report": (returns_kit_table, frame_width(False), 6),
}


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
@pytest.mark.parametrize("table", sorted(TABLES))
@pytest.mark.parametrize(
    ("protocol", "product", "units"),
    [("NCT07198672", "herombopag-7.5mg", 21), ("DEMO-2DRUG", "democapib-100mg", 28)],
)
def test_the_returned_count_is_set_right_and_not_brought_back_on_one_line(
    language: Language, table: str, protocol: str, product: str, units: int
) -> None:
    make, width, column = TABLES[table]
    study = _study(protocol)
    with speaking(language):
        made = make(study, _rows(product, units), width)
    assert isinstance(made, RuledRows)
    grid = made.grid
    dispensed = column - 1  # the "Dispensed" count beside it, set right all along
    for index in range(len(grid.rows)):
        assert grid.alignment(index, dispensed) == "RIGHT"
        assert grid.alignment(index, column) == "RIGHT", (index, grid.rows[index][column])
    lost = grid.rows[1][column]
    said = lost if isinstance(lost, str) else lost.text
    assert said.replace("\n", " ") in (
        "not brought back: unaccounted for",
        "未带回：数量不明",
    ), said
    assert _lines(lost, grid.widths[column]) == 1, (lost, grid.widths[column])
