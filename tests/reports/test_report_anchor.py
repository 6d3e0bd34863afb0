"""Every page of a DARF, reconciliation, monitor pack and audit report carries the audit chain's
verification code as it stood when the report's facts were read; a CSV carries it in its '#'
lines."""

from __future__ import annotations

from datetime import date

import pytest
from sample_study import SampleStudy

from dispensary.domain.anchor import parse_anchor
from dispensary.reports import catalogue
from dispensary.reports.csvfile import read_rows
from dispensary.services import audit
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text

PERIOD = Values(since=date(2025, 1, 1))


@pytest.mark.parametrize("key", ["darf", "reconciliation", "monitor", "audit"])
def test_every_page_carries_the_verification_code(sample: SampleStudy, key: str) -> None:
    code = audit.current_anchor(sample.ctx, sample.monitor)
    document = catalogue.make_report(catalogue.report(key), sample.ctx, sample.monitor, PERIOD)
    pages = pdf_pages_text(document.data)
    assert pages
    for text in pages:
        assert f"Verification code {code}" in text
        assert "Generated" in text and "by Mona Monitor" in text
    parse_anchor(code)  # what is printed reads back


def test_a_multi_section_report_has_one_page_counter(sample: SampleStudy) -> None:
    """One "page X of Y" over the whole document: a per-section counter beside a per-sheet one
    disagreed on the same page (issue 12)."""
    document = catalogue.make_report(
        catalogue.report("monitor"), sample.ctx, sample.monitor, PERIOD
    )
    pages = pdf_pages_text(document.data)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text and "Sheet " not in text


@pytest.mark.parametrize("key", ["darf", "reconciliation", "audit"])
def test_a_csv_carries_the_code_in_its_notes(sample: SampleStudy, key: str) -> None:
    code = audit.current_anchor(sample.ctx, sample.monitor)
    document = catalogue.make_report(
        catalogue.report(key), sample.ctx, sample.monitor, PERIOD, "csv"
    )
    text = document.data.decode("utf-8-sig")
    notes = [line for line in text.splitlines() if line.startswith("#")]
    assert notes[1] == "# Study NCT07198672"  # participant numbers repeat between studies
    assert notes[3] == f"# Verification code {code}"
    assert read_rows(text)  # the rows read as before


def test_the_command_guide_names_the_csv_line_that_carries_the_code() -> None:
    """docs/CLI.md said the code is on a CSV's third `#` line; it is on the fourth (the test
    above: title, study, generated, verification code)."""
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "CLI.md").read_text(encoding="utf-8")
    said = " ".join(guide.split())
    assert "a report CSV carries it in its fourth `#` line" in said
    assert "third `#` line" not in said
