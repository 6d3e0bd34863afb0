"""The audit trail PDF shows a long entry whole: it cut the new values at 600 characters
("... (729 characters; see the CSV export)"), losing a destruction's authorisation, tablets and
witness. A row taller than the page now goes on over the next page, in both languages."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sample_study import SampleStudy

from dispensary import reports
from dispensary.i18n import Language, _, speaking
from dispensary.reports.audit import utc
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


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_an_entry_that_fits_on_a_page_moves_to_the_next_whole(
    sample: SampleStudy, language: Language
) -> None:
    """An entry cut at the foot of a page began there under a second copy of the header row
    and went on at the top of the next page with its number, times and user empty: an entry
    that fits on a page now moves over whole, one header a page, every row numbered."""
    from dispensary.reports.base import RuledRows

    whole = report_data.audit_report(sample.ctx, sample.monitor)
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    parts: list[RuledRows] = []
    drawn = RuledRows.draw

    def draw(self: RuledRows) -> None:
        parts.append(self)
        drawn(self)

    with speaking(language):
        header = _("When (UTC)")
        try:
            RuledRows.draw = draw  # type: ignore[method-assign]
            pdf = reports.audit_pdf(meta, sample.ctx.study, whole)
        finally:
            RuledRows.draw = drawn  # type: ignore[method-assign]
    pages = pdf_pages_text(pdf)[1:]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=2):
        assert text.count(header) == 1, f"page {number}: one header row"
    entries = [p for p in parts if len(p.grid.header) == 10]
    assert len(entries) == len(pages)
    for part in entries:
        assert part.grid.rows is entries[0].grid.rows, "no entry was cut"
    assert sum(p.end - p.start for p in entries) == len(whole.entries)


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_an_entry_taller_than_a_page_goes_on_under_its_number_marked_continued(
    sample: SampleStudy, language: Language
) -> None:
    whole = report_data.audit_report(sample.ctx, sample.monitor)
    entries = [e for e in whole.entries if e.action == "destroy"][:1]
    words = [f"W{i:04d}" for i in range(1, 1601)]
    values = json.loads(entries[0].new) | {"note": " ".join(words)}
    long = dataclasses.replace(entries[0], new=json.dumps(values))
    short = [e for e in whole.entries if e.action != "destroy"][:3]
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    with speaking(language):
        pdf = reports.audit_pdf(
            meta, sample.ctx.study, dataclasses.replace(whole, entries=(*short, long))
        )
        continued = _("(continued)")
    pages = pdf_pages_text(pdf)[1:]
    assert len(pages) >= 2
    assert continued not in pages[0], "begun in the room left on the first page"
    assert all(w in pages[0] for w in words[:20]), "begun on the first page, under the others"
    for text in pages[1:]:
        assert text.count(continued) == 1, text[:300]
        assert str(long.id) in text and long.username in text
        assert utc(long.at) in text


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_the_trail_and_the_returns_log_say_their_numbers_are_the_pharmacys(
    sample: SampleStudy, language: Language
) -> None:
    """Entry numbers jumped (224 to 227) where another study's entries came between: an
    inspector read deletions. The audit trail and the pack's returns log say, under their
    header, that the numbers are shared by all the pharmacy's studies."""
    from datetime import date

    from dispensary.reports.logs import returns_title

    whole = report_data.audit_report(sample.ctx, sample.monitor)
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    pack = report_data.monitor_pack(
        sample.ctx, sample.monitor, date(2025, 12, 1), date(2025, 12, 31)
    )
    assert pack.returns
    with speaking(language):
        note = _(
            "Numbers are the pharmacy's, shared by all its studies: a gap in them is another "
            "study's entries, not a deletion."
        )
        trail = pdf_pages_text(reports.audit_pdf(meta, sample.ctx.study, whole))
        packed = pdf_pages_text(reports.monitor_pack_pdf(meta, sample.ctx.study, pack))
        title = returns_title(sample.ctx.study).replace(" ", "")
    returns = next(p for p in packed if title in p.replace(" ", ""))
    said = note.replace(" ", "")
    assert said in trail[1].replace(" ", "")
    assert said in returns.replace(" ", "")


def test_the_chain_verified_band_stays_within_the_margins(sample: SampleStudy) -> None:
    """The green CHAIN VERIFIED band stuck out past the page's margins on both sides: its
    padding was drawn outside the frame. Looked at as pixels, one a point."""
    import pypdfium2 as pdfium

    from dispensary.reports.base import GREEN, MARGIN

    whole = report_data.audit_report(sample.ctx, sample.monitor)
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    assert whole.verification.ok
    with speaking(Language.EN):
        pdf = reports.audit_pdf(meta, sample.ctx.study, whole)
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    green = tuple(round(c * 255) for c in GREEN.rgb())
    width, height = image.size
    pixels = image.load()
    columns = [
        x
        for x in range(width)
        for y in range(0, height, 2)
        if all(abs(a - b) <= 8 for a, b in zip(pixels[x, y], green, strict=True))
    ]
    assert columns, "the band is drawn"
    assert min(columns) >= MARGIN - 1 and max(columns) <= width - MARGIN + 1, (
        min(columns),
        max(columns),
        MARGIN,
        width,
    )
