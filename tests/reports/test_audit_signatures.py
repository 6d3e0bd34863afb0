"""The audit trail report shows the signatures recorded with each entry (21 CFR 11.50: the
printed name, the date and time and the meaning): a dispense showed only "Signature:
dispensed", a return and a destruction's witness none, and usernames were never mapped to the
people they stand for."""

from __future__ import annotations

import dataclasses

from sample_study import SampleStudy

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.services import audit, report_data

from .pdfread import pdf_pages_text


def test_each_entry_shows_its_recorded_signatures_and_the_users_are_named(
    sample: SampleStudy,
) -> None:
    whole = report_data.audit_report(sample.ctx, sample.monitor)
    chosen = tuple(
        next(e for e in whole.entries if e.action == action)
        for action in ("destroy", "return", "dispense")
    )
    signers = whole.signers.signatures
    destroy = chosen[0]
    meanings = {s.meaning for s in signers[destroy.id]}
    assert "witnessed" in meanings, signers[destroy.id]
    assert any(s.meaning == "return counted" for s in signers[chosen[1].id])
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    with speaking(Language.EN):
        pdf = reports.audit_pdf(meta, sample.ctx.study, dataclasses.replace(whole, entries=chosen))
    pages = pdf_pages_text(pdf)
    body = " ".join(pages[1:])
    assert "Tom Tech (Technician): witnessed" in body
    assert "return counted," in body
    assert "(Pharmacist): dispensed" in body
    cover = pages[0]
    assert "Users named in this trail" in cover
    assert "Paula Pharm" in cover and "Tom Tech" in cover and "Technician" in cover


def test_signatures_come_only_from_the_rows_an_entry_lists(sample: SampleStudy) -> None:
    """A signature is the entry's when its facts list it: nothing is matched by time or type,
    and an entry with none has none."""
    rows = audit.list_entries(sample.ctx, sample.monitor)
    enrol = next(r for r in rows if r.action == "enroll")
    found = audit.signers_of(sample.ctx, sample.monitor, [enrol.id])
    assert enrol.id not in found.signatures
    assert [p.username for p in found.people] == [enrol.username]
