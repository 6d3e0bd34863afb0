"""A participant's finding in a table with a column for them (the reconciliation PDF's and the
monitor pack's To review, the Reconcile window's) read "01-001 | 01-001: the return of cycle 1
is overdue …": the service says each such finding twice, named (`message`, a line of the
command) and beside its subject (`detail`), and the tables show the latter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pypdfium2 as pdfium
import pytest

from dispensary import reports
from dispensary.i18n import Language, _, speaking
from dispensary.services import reconciliation, report_data, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import Discrepancy, DispenseResult

Password = Callable[[Actor], str]


def _to_review_text(pdf: bytes, count: int) -> str:
    """The PDF's To review section, as a viewer copies it, in the language spoken."""
    document = pdfium.PdfDocument(pdf)
    try:
        text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()
    start = text.index(_("To review ({count})").format(count=count))
    return text[start : text.index(_("Book against the last physical count (kits on the shelf)"))]


def _finding(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password, kind: str
) -> tuple[Discrepancy, str]:
    if kind == "adherence":
        clock.set_date(date(2026, 1, 26))
        returns.record_return(ctx, pharmacist, "K0011", 12, pw(pharmacist), dispense="DSP000001")
    else:
        clock.set_date(date(2026, 2, 3))  # day 1 + 21 days + 7 days' grace passed
    result = reconciliation.reconcile(ctx, pharmacist)
    [finding] = [d for d in result.to_review if d.kind == kind]
    meta = report_data.report_meta(ctx, pharmacist)
    pdf = reports.reconciliation_pdf(meta, ctx.study, result)
    return finding, _to_review_text(pdf, len(result.to_review))


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("adherence", "Cycle 1: Under-use (missed doses); taken 9 of 21 expected."),
        ("return_overdue", "The return of cycle 1 is overdue (day 1 2026-01-05)."),
    ],
)
def test_the_report_names_the_participant_once_and_the_command_still_does(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    kind: str,
    detail: str,
) -> None:
    finding, review = _finding(ctx, clock, pharmacist, pw, kind)
    assert finding.subject == "01-001"
    assert finding.message.startswith("01-001")  # a line with no column for them names them
    assert finding.beside_subject.startswith(detail), finding.beside_subject
    assert detail in review
    assert review.count("01-001") == 1, review  # in the Concerns column only


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("adherence", "第 1 周期：用药不足（漏服）；应服 21 片，实服 9 片。请登记原因。"),
        ("return_overdue", "第 1 周期的退药已逾期（第1天为 2026-01-05）。"),
    ],
)
def test_the_chinese_report_names_the_participant_once(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    kind: str,
    detail: str,
) -> None:
    with speaking(Language.ZH_CN):
        finding, review = _finding(ctx, clock, pharmacist, pw, kind)
    assert finding.message.startswith("01-001")
    assert finding.detail == detail
    assert review.count("01-001") == 1, review
