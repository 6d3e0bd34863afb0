"""The returns log (the monitor pack's, its CSV) and the participant report's kit-by-kit returns
showed a correction's row with the note of the return it corrects (a correction keeps that
note, for the flag it explained): what the pharmacist typed when correcting was nowhere in the
row. A correction's row now says the correction's own reason (report_data.returns_log, read as
the participant's record reads recounts: queries.correction_reasons); the first return's row
keeps its own note."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from dispensary import reports
from dispensary.reports.csvfile import read_rows
from dispensary.services import report_data, returns
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult
from reports.pdfread import pdf_pages_text

Password = Callable[[Actor], str]


def _flat(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_pages_text(pdf)).replace("\u00a0", " ").split())


def test_a_correction_row_says_its_own_reason_and_the_first_row_its_note(
    ctx: Context, cycle1_ended: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    kit, number = cycle1_ended.kits[0].kit, cycle1_ended.number
    first = returns.record_return(
        ctx, pharmacist, kit, 3, pw(pharmacist), number, condition="intact", note="vomited"
    )
    fixed = returns.correct_return(
        ctx, pharmacist, first.return_id, 4, "miscounted", pw(pharmacist)
    )
    rows = {r.return_id: r for r in report_data.returns_log(ctx, pharmacist)}
    assert (rows[first.return_id].condition, rows[first.return_id].note) == ("intact", "vomited")
    assert (rows[fixed.return_id].condition, rows[fixed.return_id].note) == (
        "intact",
        "miscounted",
    )
    assert rows[fixed.return_id].corrects == first.return_id

    meta = report_data.report_meta(ctx, pharmacist)
    csv = {
        r["return"]: r["note"]
        for r in read_rows(reports.returns_csv(meta, list(rows.values()), ctx.study))
    }
    assert csv == {str(first.return_id): "vomited", str(fixed.return_id): "miscounted"}

    report = report_data.participant_report(ctx, pharmacist, "01-001")
    text = _flat(reports.participant_pdf(meta, ctx.study, report))
    assert "intact; vomited" in text  # the first return's Condition / note
    assert "intact; miscounted" in text  # the correction's
    assert "intact; vomited" not in text.replace("intact; vomited", "", 1)  # once, not twice

    pack = report_data.monitor_pack(ctx, pharmacist, date(2026, 1, 1), date(2026, 1, 31))
    text = _flat(reports.monitor_pack_pdf(meta, ctx.study, pack))
    assert f"intact; miscounted; corrects return {first.return_id}" in text
    assert f"intact; vomited; replaced by return {fixed.return_id}" in text
