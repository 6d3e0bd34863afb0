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

from .helpers import P75, sql

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


# The findings about a kit (kit_findings-s17): "K0005 | Count of kit K0005 on ...", "K0001 |
# Kit K0001 is recorded as ...": each said beside its kit in the tables, naming it in the
# command's lines.


def _kit_finding(
    ctx: Context, clock: FixedClock, pharmacist: Actor, technician: Actor, pw: Password, kind: str
) -> tuple[Discrepancy, str]:
    """A finding of `kind` about one kit, and the PDF's section that lists it (To review, or
    the count differences on record)."""
    from dispensary.services import counts, quarantine

    subject = {
        "status_mismatch": "K0001",
        "expired_in_stock": "K0012",
        "count_open": "K0005",
        "count_difference": "K0006",
        "quarantine_open": "K0007",
        "counted_again": "K0008",
        "adjusted_after": "K0009",
    }[kind]
    if kind == "status_mismatch":
        sql(ctx, "UPDATE kits SET status = 'dispensed' WHERE number = 'K0001'")
    elif kind == "expired_in_stock":
        clock.set_date(date(2027, 1, 1))  # lot L2 expired on 2026-12-31
    elif kind == "count_open":
        counts.record_count(ctx, pharmacist, "K0005", 20, pw(pharmacist))
    elif kind == "count_difference":
        counts.record_count(
            ctx, pharmacist, "K0006", 20, pw(pharmacist), "breakage", "crushed", "tech",
            pw(technician),
        )  # fmt: skip
    elif kind == "quarantine_open":
        quarantine.quarantine(ctx, pharmacist, ["K0007"], "Cap seal broken.")
    else:  # a count left open, then counted again (or adjusted) the next day
        counts.record_count(ctx, pharmacist, subject, 20, pw(pharmacist))
        clock.set_date(date(2026, 1, 6))
        if kind == "counted_again":
            counts.record_count(ctx, pharmacist, subject, 21, pw(pharmacist))
        else:
            counts.record_count(
                ctx, pharmacist, subject, 20, pw(pharmacist), "breakage", "crushed", "tech",
                pw(technician),
            )  # fmt: skip
        kind = "count_difference"
    result = reconciliation.reconcile(ctx, pharmacist)
    [finding] = [d for d in result.discrepancies if d.kind == kind and d.subject == subject]
    meta = report_data.report_meta(ctx, pharmacist)
    pdf = reports.reconciliation_pdf(meta, ctx.study, result)
    if finding.kind.to_review:
        section = _to_review_text(pdf, len(result.to_review))
    else:
        section = _on_record_text(pdf, len(result.discrepancies) - len(result.to_review))
    # Less the other findings' naming of it (the audit trail's names the kit its SQL changed).
    others = [d for d in result.discrepancies if d is not finding]
    named = sum(f"{d.subject} {d.beside_subject}".count(subject) for d in others)
    return finding, section.replace(subject, "", named)


def _on_record_text(pdf: bytes, count: int) -> str:
    """The PDF's Count differences on record section, in the language spoken."""
    document = pdfium.PdfDocument(pdf)
    try:
        text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()
    start = text.index(_("Count differences on record ({count})").format(count=count))
    return text[start : text.index(_("Book against the last physical count (kits on the shelf)"))]


KIT_FINDINGS = [
    (
        "status_mismatch",
        "Recorded as dispensed, but the kit's ledger shows 21 tablets on hand and 0 tablets held.",
        "登记的状态为：已发放，但该药盒的台账显示在库 21 片、退回留存 0 片。",
    ),
    (
        "expired_in_stock",
        "Lot L2 expired on 2026-12-31 and the kit is still in stock: destroy it or return it to "
        "the sponsor.",
        "批号 L2 已于 2026-12-31 过期，但该药盒仍在库存中：请将其销毁或退回申办方。",
    ),
    (
        "count_open",
        "Count on 2026-01-05: 20 tablets counted, 21 tablets in the book (-1); not adjusted:",
        "2026-01-05 的盘点：盘点数 20 片，账面 21 片（-1）；未调整：",
    ),
    (
        "count_difference",
        "Count on 2026-01-05: 20 tablets counted, 21 tablets in the book (-1); adjusted with "
        "reason 'breakage: crushed'",
        "2026-01-05 的盘点：盘点数 20 片，账面 21 片（-1）；已按原因“破损：crushed”调整",
    ),
    (
        "quarantine_open",
        "Quarantined for 'Cap seal broken.': in quarantine since 2026-01-05, awaiting the "
        "sponsor's decision. Ask the sponsor; then release the kit with the sponsor's reference, "
        "or destroy it.",
        "自 2026-01-05 起因“Cap seal broken.”隔离，待申办方决定。请询问申办方；然后凭申办方的参考编号解除隔离，或将该药盒销毁。",
    ),
    (
        "counted_again",
        "Count on 2026-01-05: 20 tablets counted, 21 tablets in the book (-1); not adjusted: "
        "counted again on 2026-01-06.",
        "2026-01-05 的盘点：盘点数 20 片，账面 21 片（-1）；未调整：已于 2026-01-06 重新盘点。",
    ),
    (
        "adjusted_after",
        "Count on 2026-01-05: 20 tablets counted, 21 tablets in the book (-1); adjusted on "
        "2026-01-06 by the record that followed it (the same figure), with reason 'breakage: "
        "crushed'",
        "2026-01-05 的盘点：盘点数 20 片，账面 21 片（-1）；已于 2026-01-06 由其后的记录（同一盘点数）按原因“破损：crushed”调整",
    ),
]


@pytest.mark.parametrize(("kind", "detail", "chinese"), KIT_FINDINGS)
def test_the_report_names_the_kit_once_and_the_command_still_does(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
    kind: str,
    detail: str,
    chinese: str,
) -> None:
    finding, review = _kit_finding(ctx, clock, pharmacist, technician, pw, kind)
    kit = finding.subject
    assert kit in finding.message  # a line with no column for it names it
    assert finding.beside_subject.startswith(detail), finding.beside_subject
    assert kit not in finding.beside_subject, finding.beside_subject
    assert " ".join(detail.split()[:6]) in review, review
    assert review.count(kit) == 1, review  # in the Concerns column only


@pytest.mark.parametrize(("kind", "detail", "chinese"), KIT_FINDINGS)
def test_the_chinese_report_names_the_kit_once(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
    kind: str,
    detail: str,
    chinese: str,
) -> None:
    with speaking(Language.ZH_CN):
        finding, review = _kit_finding(ctx, clock, pharmacist, technician, pw, kind)
    kit = finding.subject
    assert kit in finding.message
    assert chinese in finding.detail, finding.detail
    assert kit not in finding.detail
    assert review.count(kit) == 1, review


def test_a_kit_that_does_not_balance_is_named_once_beside_it(ctx: Context) -> None:
    """No service writes a ledger that does not balance (a damaged one shows it): the finding
    made of such a kit's figures, said naming the kit and beside it, in both languages."""
    from dispensary.domain.accountability import Balance
    from dispensary.services.reconciliation import _kit_findings, _KitLine, _LotLine

    kit = _KitLine(1, "K0001", P75, "available", 1, _LotLine("L1", date(2027, 6, 30)))
    short = Balance(received=21, on_hand=20)
    for language, said in (
        (Language.EN, "The kit does not balance: "),
        (Language.ZH_CN, "该药盒账目不平衡："),
    ):
        with speaking(language):
            [finding] = _kit_findings(ctx.study, kit, short, date(2026, 1, 5))
        assert finding.kind == "unbalanced" and finding.subject == "K0001"
        assert "K0001" in finding.message
        assert finding.beside_subject.startswith(said), finding.beside_subject
        assert "K0001" not in finding.beside_subject
