"""The DARF over a realistic study: every line's arithmetic, the balance against the shelf,
corrections that never erase, and the header on every page."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle
from sample_study import SECOND_STORE, STORE, SampleStudy

from dispensary.domain.codes import MovementKind
from dispensary.domain.errors import InvalidInput
from dispensary.i18n import Language, speaking
from dispensary.reports import base, darf_csv, darf_pdf
from dispensary.reports.csvfile import read_rows
from dispensary.services import reconciliation, report_data
from dispensary.services.report_data import DarfRecord

from .pdfread import pdf_pages_text


@pytest.fixture(scope="module")
def records(sample: SampleStudy) -> list[DarfRecord]:
    return report_data.darf_records(sample.ctx, sample.pharmacist)


def test_one_record_per_product_and_strength_and_storage_area(
    records: list[DarfRecord],
) -> None:
    keys = [(r.product, r.storage_area) for r in records]
    assert keys == [
        ("herombopag-7.5mg", STORE),
        ("herombopag-7.5mg", SECOND_STORE),
        ("herombopag-2.5mg", STORE),
    ]
    assert records[0].form_strength == "7.5 mg tablet (oral)"
    assert records[2].form_strength == "2.5 mg tablet (oral)"


def test_every_line_balances_and_lines_run_in_date_order(records: list[DarfRecord]) -> None:
    for record in records:
        assert record.opening_balance == 0
        previous = 0
        for number, line in enumerate(record.lines, start=1):
            assert line.number == number
            assert line.balance_forward == previous
            received = max(line.quantity, 0)
            dispensed = max(-line.quantity, 0)
            assert line.balance == line.balance_forward + received - dispensed
            assert line.balance >= 0
            previous = line.balance
        dates = [line.entry_date for line in record.lines]
        assert dates == sorted(dates)
        assert record.closing_balance == previous


def test_the_last_balance_is_the_stock_on_the_shelf(
    sample: SampleStudy, records: list[DarfRecord]
) -> None:
    result = reconciliation.reconcile(sample.ctx, sample.pharmacist)
    closing: dict[str, int] = defaultdict(int)
    for record in records:
        closing[record.product] += record.closing_balance
    assert closing == {row.key: row.on_hand for row in result.products}
    assert result.balanced


def test_returned_tablets_are_not_stock_on_the_darf(
    sample: SampleStudy, records: list[DarfRecord]
) -> None:
    kinds = {line.kind for record in records for line in record.lines}
    assert MovementKind.RETURN not in kinds
    assert {MovementKind.RECEIVE, MovementKind.DISPENSE, MovementKind.ADJUST} <= kinds
    returned = report_data.returns_log(sample.ctx, sample.pharmacist)
    assert sum(r.returned for r in returned if r.corrected_by is None) > 100


def test_a_correction_is_its_own_line_and_the_old_line_stays(records: list[DarfRecord]) -> None:
    lines = records[0].lines
    corrections = [line for line in lines if line.corrects_line is not None]
    assert len(corrections) == 1
    correction = corrections[0]
    original = lines[correction.corrects_line - 1]  # type: ignore[operator]
    assert original.corrected_by_line == correction.number
    assert correction.quantity == -original.quantity == 21
    # A void is called one: the kits never left, which "a correction" does not say.
    assert correction.note.startswith(
        f"Dispense {original.dispense} voided, line {original.number}"
    )
    assert "(its kits never left the pharmacy): Wrong participant" in correction.note
    assert original.participant == correction.participant == "01-005"
    redispensed = lines[correction.number]
    assert redispensed.participant == "01-005"
    assert redispensed.quantity == -21


def test_receipts_and_the_count_adjustment_are_lines(records: list[DarfRecord]) -> None:
    lines = records[0].lines
    first = lines[0]
    assert first.kind is MovementKind.RECEIVE
    assert first.quantity == 21 * len(first.kits)
    assert first.note == "Shipment SH-0001"
    adjustments = [line for line in lines if line.kind is MovementKind.ADJUST]
    assert [a.quantity for a in adjustments] == [-1]
    assert "breakage" in adjustments[0].note
    assert adjustments[0].recorder == "TT"


def test_a_period_keeps_the_line_numbers_and_carries_the_balance_forward(
    sample: SampleStudy, records: list[DarfRecord]
) -> None:
    since, until = date(2025, 11, 1), date(2025, 11, 30)
    period = report_data.darf_records(
        sample.ctx, sample.pharmacist, product="herombopag-7.5mg", since=since, until=until
    )
    whole = {line.number: line for line in records[0].lines}
    shown = period[0]
    assert shown.storage_area == STORE
    assert all(since <= line.entry_date <= until for line in shown.lines)
    first = shown.lines[0]
    assert whole[first.number] == first
    assert shown.opening_balance == whole[first.number - 1].balance == first.balance_forward
    assert shown.closing_balance == shown.lines[-1].balance
    with pytest.raises(InvalidInput, match="before it starts"):
        report_data.darf_records(sample.ctx, sample.pharmacist, since=until, until=since)


def test_every_period_prints_exactly_the_lines_of_the_whole_record(
    sample: SampleStudy, records: list[DarfRecord]
) -> None:
    """A period's record numbers and balances its lines from the thin history rows, not from
    the full lines: for every boundary day (corrections of earlier lines included), it shows
    the whole record's lines of those days, unchanged, and the balance before them."""
    whole = {(r.product, r.storage_area): r for r in records}
    days = sorted({line.entry_date for r in records for line in r.lines})
    assert any(line.corrects_line for r in records for line in r.lines)
    for since in days[:: max(1, len(days) // 12)]:
        for until in (since, days[-1]):
            for period in report_data.darf_records(
                sample.ctx, sample.pharmacist, since=since, until=until
            ):
                full = whole[(period.product, period.storage_area)]
                expected = [line for line in full.lines if since <= line.entry_date <= until]
                before = [line for line in full.lines if line.entry_date < since]
                if until == days[-1]:
                    assert list(period.lines) == expected
                else:  # a correction after `until` is not in the period's reading
                    assert [replace(line, corrected_by_line=None) for line in period.lines] == [
                        replace(line, corrected_by_line=None) for line in expected
                    ]
                assert period.opening_balance == (before[-1].balance if before else 0)


def test_the_history_counted_by_sql_or_row_by_row_gives_the_same_period(
    sample: SampleStudy, records: list[DarfRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history before a period is counted by SQL, one group per line (corrections split
    by the line they correct), or row by row where that cannot settle it: from boundary days
    all through the record, SQL's count gives the whole record's lines and the balance before
    them, as the count row by row does (tests/services/test_darf_history.py: the fallback)."""
    whole = {(r.product, r.storage_area): r for r in records}
    days = sorted({line.entry_date for r in records for line in r.lines})
    by_sql, corrected = report_data._history_by_lines, report_data._corrected
    ways: list[bool] = []
    fixes: list[dict[tuple[str, str], int] | None] = []

    def counted(*args: Any, **kwargs: Any) -> bool:
        ways.append(by_sql(*args, **kwargs))
        return ways[-1]

    def split(*args: Any, **kwargs: Any) -> dict[tuple[str, str], int] | None:
        fixes.append(corrected(*args, **kwargs))
        return fixes[-1]

    monkeypatch.setattr(report_data, "_corrected", split)
    for since in [*days[:: max(1, len(days) // 25)], days[-1] + timedelta(days=1)]:
        monkeypatch.setattr(report_data, "_history_by_lines", counted)
        period = report_data.darf_records(sample.ctx, sample.pharmacist, since=since)
        for record in period:
            full = whole[(record.product, record.storage_area)]
            before = [line for line in full.lines if line.entry_date < since]
            assert list(record.lines) == [line for line in full.lines if line.entry_date >= since]
            assert record.opening_balance == (before[-1].balance if before else 0)
        monkeypatch.setattr(report_data, "_history_by_lines", lambda *args, **kwargs: False)
        assert report_data.darf_records(sample.ctx, sample.pharmacist, since=since) == period
    assert all(ways)  # no correction here names a line before its period
    assert any(found is not None for found in fixes)  # corrections counted by SQL too


def test_darf_pdf_repeats_its_header_and_numbers_pages_once(
    sample: SampleStudy, records: list[DarfRecord]
) -> None:
    meta = report_data.report_meta(sample.ctx, sample.pharmacist)
    pages = pdf_pages_text(darf_pdf(meta, records))
    study = sample.ctx.study
    first_record_pages = [p for p in pages if "7.5 mg tablet" in p and STORE in p]
    count = len(first_record_pages)
    assert count >= 3
    for number, text in enumerate(first_record_pages, start=1):
        # one counter, the record's own: never a second one that disagrees (issue 12)
        assert f"Page {number} of {count}" in text and "Sheet" not in text
        for expected in (
            "Institution",
            "Manufacturer",
            study.products[0].manufacturer,
            study.site_name,
            study.protocol,
            study.title,
            "herombopag (hetrombopag olamine)",
            study.investigator,
            "Storage area",
            f"Generated {meta.generated_at:%Y-%m-%d %H:%M} UTC by Paula Pharm",
            sample.ctx.database,
        ):
            assert expected in text, (number, expected)
    assert all("Balance forward" in text for text in first_record_pages[:-1])  # column heads
    last = pages[-1]
    assert "2.5 mg tablet" in last and f"Page {len(pages)} of {len(pages)}" not in last
    everything = " ".join(pages)
    assert "voided, line" in everything and "(voided by line" in everything


def test_each_products_darf_numbers_its_own_pages(
    sample: SampleStudy, records: list[DarfRecord]
) -> None:
    """Every product's record in one PDF, each from its own page 1 (docs/CLI.md): the 2.5 mg
    record filed in the binder is "Page 1 of 1", not the last page of the 7.5 mg one's count."""
    meta = report_data.report_meta(sample.ctx, sample.pharmacist)
    alone = [len(pdf_pages_text(darf_pdf(meta, [record]))) for record in records]
    expected = [f"Page {page} of {pages}" for pages in alone for page in range(1, pages + 1)]
    pages = pdf_pages_text(darf_pdf(meta, records))
    assert len(pages) == sum(alone) and len(records) == 3
    for text, counter in zip(pages, expected, strict=True):
        assert counter in text and text.count("Page ") == 1, counter
    # a record of one page, as the 2.5 mg one often is
    short = replace(records[-1], lines=records[-1].lines[:3])
    [text] = pdf_pages_text(darf_pdf(meta, [records[0], short]))[-1:]
    assert "Page 1 of 1" in text and "2.5 mg tablet" in text


def test_darf_csv_has_every_line(sample: SampleStudy, records: list[DarfRecord]) -> None:
    meta = report_data.report_meta(sample.ctx, sample.pharmacist)
    text = darf_csv(meta, records)
    assert text.startswith(
        "# Investigational Agent Accountability Record (DARF)\r\n# Study NCT07198672\r\n# Generated"
    )
    rows = read_rows(text)
    assert len(rows) == sum(len(r.lines) for r in records)
    first = rows[0]
    assert first["line"] == "1"
    assert first["product"] == "herombopag-7.5mg"
    assert int(first["balance"]) == int(first["balance_forward"]) + int(first["quantity"])
    assert any(row["corrects_line"] for row in rows)


def platypus_table(grid: base._Grid) -> Table:
    """The same cells as reportlab's Table drew them before RuledRows (the oracle of its look
    and of where its pages break)."""
    table = Table([grid.header, *grid.rows], colWidths=grid.widths, repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, 0), grid.heavy, grid.size, grid.leading),
        ("FONT", (0, 1), (-1, -1), grid.regular, grid.size, grid.leading),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), base.GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    style += [("ALIGN", (column, 1), (column, -1), "RIGHT") for column in grid.numeric]
    style += [("BACKGROUND", (0, i + 1), (-1, i + 1), c) for i, c in grid.backgrounds.items()]
    table.setStyle(TableStyle(style))
    return table


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_the_darf_drawn_row_by_row_prints_what_a_platypus_table_printed(
    sample: SampleStudy,
    records: list[DarfRecord],
    monkeypatch: pytest.MonkeyPatch,
    language: Language,
) -> None:
    """RuledRows draws the cells straight onto the page (issue 15: a 2,000-line DARF spent
    most of its time in Table's layout); every page holds the same words as the same cells in
    a platypus Table, so no cell is lost, cut or moved to another page."""
    meta = report_data.report_meta(sample.ctx, sample.pharmacist)
    with speaking(language):
        drawn = pdf_pages_text(darf_pdf(meta, records))
        monkeypatch.setattr(base, "RuledRows", platypus_table)
        tabled = pdf_pages_text(darf_pdf(meta, records))
    assert len(drawn) == len(tabled) >= 3
    assert [Counter(page.split()) for page in drawn] == [Counter(page.split()) for page in tabled]
    # Each line reads across its row, cell after cell, as the DARF prints it.
    everything = " ".join(drawn)
    line = records[0].lines[0]
    assert f"{line.number} {line.entry_date.isoformat()} " in everything


def test_the_programs_own_notes_are_in_the_readers_language_and_typed_reasons_as_recorded(
    sample: SampleStudy,
) -> None:
    with speaking(Language.ZH_CN):
        chinese = report_data.darf_records(sample.ctx, sample.pharmacist)[0].lines
    english = report_data.darf_records(sample.ctx, sample.pharmacist)[0].lines
    assert english[0].note == "Shipment SH-0001" and chinese[0].note == "货件 SH-0001"
    dispensed = next(line for line in english if line.kind is MovementKind.DISPENSE)
    assert dispensed.note.endswith(", cycle 1"), dispensed.note
    same = chinese[dispensed.number - 1]
    assert same.note == dispensed.note.replace(", cycle 1", "，第 1 周期")
    correction = next(line for line in chinese if line.corrects_line is not None)
    assert "Wrong participant" in correction.note, "a reason a user typed is printed as recorded"
    for line in chinese:
        assert "cycle" not in line.note and "hipment" not in line.note, line.note


def test_the_chinese_darf_names_the_site_drug_store_and_doses_as_the_study_file_does_in_chinese(
    sample: SampleStudy,
) -> None:
    """The study file gives the hospital, the investigator, the product, the store and the
    dose levels in Chinese: a Chinese DARF printed them in English under Chinese headings."""
    study = sample.ctx.study
    words = study.wording("zh_CN")
    with speaking(Language.ZH_CN):
        records = report_data.darf_records(sample.ctx, sample.pharmacist)
        meta = report_data.report_meta(sample.ctx, sample.pharmacist)
        text = " ".join(pdf_pages_text(darf_pdf(meta, records[:1], "a4", study)))
    for expected in (
        words.site_name,
        words.investigator,
        study.product_name(records[0].product, "zh_CN"),
    ):
        assert " ".join(expected.split()) in text, expected
    dispensed = next(line for line in records[0].lines if line.kind is MovementKind.DISPENSE)
    assert "每日一次" in dispensed.dose, dispensed.dose
    assert "once daily" not in text
    english = report_data.darf_records(sample.ctx, sample.pharmacist)[0]
    assert english.agent == study.product(english.product).name  # English as before


def test_every_report_names_the_site_in_the_readers_language(sample: SampleStudy) -> None:
    from dispensary.reports import words

    study = sample.ctx.study
    with speaking(Language.ZH_CN):
        assert words.institution(study) == "河南省肿瘤医院（01中心）"
        assert words.investigator(study) == "刘真真 医生"
    with speaking(Language.EN):
        assert words.institution(study) == f"{study.site_name} ({study.site})"
        assert words.investigator(study) == study.investigator


def test_a_void_never_opens_a_page_apart_from_the_line_it_undoes(
    records: list[DarfRecord],
) -> None:
    """The Chinese DARF's page 2 opened with line 29, a void, and line 28, which it undoes,
    stood at the foot of page 1: the line it undoes goes over with it."""
    lines = records[0].lines
    void = next(line for line in lines if line.corrects_line is not None)
    undone = lines[void.corrects_line - 1]  # type: ignore[operator]
    record = replace(records[0], lines=(*lines[:5], undone, void, *lines[5:10]))
    section = darf_pdf_table(record)
    assert section.grid.kept == frozenset({6})
    grid = section.grid
    # Room for the rows up to the undone line, not the void: both go over to the next page.
    room = grid.header_height + sum(grid.heights[:6]) + 1
    first, rest = section.split(section.width, room)
    assert (first.start, first.end, rest.start) == (0, 5, 5)
    # With room for the void too, nothing is held back.
    first, rest = section.split(section.width, room + grid.heights[6])
    assert (first.end, rest.start) == (7, 7)


def darf_pdf_table(record: DarfRecord) -> base.RuledRows:
    from dispensary.reports.darf import darf_section

    with speaking(Language.EN):
        section = darf_section(record)
    (table,) = [f for f in section.story if isinstance(f, base.RuledRows)]
    return table
