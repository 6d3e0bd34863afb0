"""A return correction's entry names the return it replaces by that row's number alone
(`corrects`): the audit trail read "Corrects: 1" beside a Record "Return 2 (K0011, DSP000001,
01-001)". The trail (its report's PDF, the window) names the return corrected as the Record
column names a return, by its kit, dispense and participant, in the reader's language; the
CSV and `audit list --json` keep the stored number, beside the return's kit, dispense and
participant (the same for a correction and the return it corrects)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date

from pypdf import PdfReader

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.reports.csvfile import read_rows
from dispensary.services import audit, report_data, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

Password = Callable[[Actor], str]


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text().replace("\u00a0", " ").split()) for p in reader.pages)


def test_the_return_a_correction_replaces_is_named_by_its_kit_dispense_and_participant(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    clock.set_date(date(2026, 1, 26))
    kit = cycle1.kits[0].kit
    first = returns.record_return(ctx, pharmacist, kit, 3, pw(pharmacist), cycle1.number)
    fixed = returns.correct_return(ctx, pharmacist, first.return_id, 4, "recounted", pw(pharmacist))

    found = {e.entry.id: e for e in audit.export_entries(ctx, monitor)}
    [corrected] = [e for e in found.values() if e.entry.action == "return_corrected"]
    assert json.loads(corrected.entry.new)["corrects"] == first.return_id
    assert corrected.entry.entity_id == str(fixed.return_id)
    assert corrected.entry.referred[:4] == ("return", kit, cycle1.number, "01-001")
    assert (corrected.kit, corrected.dispense, corrected.participant) == (
        kit,
        cycle1.number,
        "01-001",
    )
    assert (corrected.count_kit, corrected.count_on) == ("", "")  # names no count
    assert all(e.entry.referred == () for e in found.values() if e.entry.action == "return")

    whole = report_data.audit_report(ctx, monitor)
    meta = report_data.report_meta(ctx, monitor)
    with speaking(Language.EN):
        text = _pdf_text(reports.audit_pdf(meta, ctx.study, whole))
        rows = {r["id"]: r for r in read_rows(reports.audit_csv(meta, whole))}
    assert f"Corrects: Return {first.return_id} ({kit}, {cycle1.number}, 01-001, entry No." in text
    assert f"Corrects: {first.return_id};" not in text
    row = rows[str(corrected.entry.id)]
    assert json.loads(row["new"])["corrects"] == first.return_id  # as stored
    assert (row["return_kit"], row["return_dispense"], row["return_participant"]) == (
        kit,
        cycle1.number,
        "01-001",
    )
    with speaking(Language.ZH_CN):
        chinese = _pdf_text(reports.audit_pdf(meta, ctx.study, whole))
    assert f"更正对象：退回 {first.return_id}（{kit}，{cycle1.number}，01-001，条目" in chinese
