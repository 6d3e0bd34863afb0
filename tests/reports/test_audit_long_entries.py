"""The audit trail PDF shows a long entry whole: it cut the new values at 600 characters
("... (729 characters; see the CSV export)"), losing a destruction's authorisation, tablets and
witness. A row taller than the page now goes on over the next page, in both languages."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sample_study import SampleStudy

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.services import report_data

from .pdfread import pdf_pages_text


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_an_entry_longer_than_a_page_is_printed_whole(
    sample: SampleStudy, language: Language
) -> None:
    whole = report_data.audit_report(sample.ctx, sample.monitor)
    entry = next(e for e in whole.entries if e.action == "destroy")
    words = [f"W{i:04d}" for i in range(1, 2401)]
    values = json.loads(entry.new) | {"note": " ".join(words), "authorisation": "DEST-LAST-1"}
    long = dataclasses.replace(entry, new=json.dumps(values))
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    with speaking(language):
        pdf = reports.audit_pdf(meta, sample.ctx.study, dataclasses.replace(whole, entries=(long,)))
    pages = pdf_pages_text(pdf)[1:]
    assert len(pages) >= 2, "the entry went on over the next page"
    body = "".join(pages).replace(" ", "")
    assert "CSV" not in body
    assert all(w in body for w in words), [w for w in words if w not in body][:5]
    assert "DEST-LAST-1" in body


def test_a_temperature_logs_times_read_as_the_screen_shows_them(sample: SampleStudy) -> None:
    """The PDF printed a temperature check's times raw ("2026-11-27T06:00:00+00:00") where the
    screen shows the workstation's local time: now local time with its offset, as the entry's
    own time is printed."""
    from datetime import datetime

    from dispensary.reports.audit import local

    whole = report_data.audit_report(sample.ctx, sample.monitor)
    entry = dataclasses.replace(
        whole.entries[0],
        action="temperature_checked",
        new=json.dumps({"from": "2026-11-27T06:00:00+00:00", "readings": 42}),
    )
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    with speaking(Language.EN):
        pdf = reports.audit_pdf(
            meta, sample.ctx.study, dataclasses.replace(whole, entries=(entry,))
        )
    body = " ".join(pdf_pages_text(pdf)[1:])
    assert "T06:00:00" not in body, body
    assert local(datetime.fromisoformat("2026-11-27T06:00:00+00:00")) in body, body
