"""The English audit trail report shows a coded value in words: it read "Status: on_treatment"
and "Sex: F", the stored codes, to an inspector (the Chinese report already said 治疗中 and 女).
Free text and numbers stay as recorded; the CSV keeps the codes for scripts."""

from __future__ import annotations

import dataclasses
import re

from sample_study import SampleStudy

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.reports.csvfile import read_rows
from dispensary.services import report_data

from .pdfread import pdf_pages_text

SHOWN = ("enroll", "destroy", "count", "return")


def _report(sample: SampleStudy) -> report_data.AuditReport:
    whole = report_data.audit_report(sample.ctx, sample.monitor)
    chosen = []
    for action in SHOWN:
        chosen += [e for e in whole.entries if e.action == action][:2]
    assert {e.action for e in chosen} == set(SHOWN), {e.action for e in whole.entries}
    return dataclasses.replace(whole, entries=tuple(chosen))


def test_the_english_audit_report_says_codes_in_words(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    data = _report(sample)
    with speaking(Language.EN):
        pdf = reports.audit_pdf(meta, sample.ctx.study, data)
    body = " ".join(" ".join(p.split()) for p in pdf_pages_text(pdf)[1:])
    assert "Status: on treatment" in body and "on_treatment" not in body
    assert re.search(r"Sex: (female|male)", body) and not re.search(r"Sex: [FM]\b", body)
    assert "Signature: return counted" in body or "Outcome: counted" in body
    assert not re.search(r"Reason code: [a-z]+_[a-z_]+", body), "no stored destruction code"
    rows = read_rows(reports.audit_csv(meta, data))
    assert any(re.search(r'"sex": ?"[FM]"', r["new"]) for r in rows), "as stored"
