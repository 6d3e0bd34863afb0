"""Every report renders from the realistic study, says where it came from, and holds the
facts a monitor checks; CSV exports hold the same rows."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth
from sample_study import SampleStudy

from dispensary import reports
from dispensary.domain.codes import KitStatus, ParticipantStatus
from dispensary.domain.errors import InvalidInput, NotFound
from dispensary.i18n import Language, speaking
from dispensary.reports import base, catalogue
from dispensary.reports.csvfile import cell, read_rows
from dispensary.services import audit, queries, reconciliation, report_data
from dispensary.services.audit import AuditFilter
from dispensary.services.documents import Values
from dispensary.services.report_data import AuditReport, ReportMeta
from dispensary.services.results import VerifyResult

from .pdfread import pdf_pages_text


@pytest.fixture(scope="module")
def meta(sample: SampleStudy) -> ReportMeta:
    return report_data.report_meta(sample.ctx, sample.monitor)


def _says_where_it_came_from(pdf: bytes, meta: ReportMeta) -> str:
    pages = pdf_pages_text(pdf)
    for text in pages:
        assert "Generated" in text and "by Mona Monitor (monitor) from" in text
        assert meta.database in text
    return " ".join(pages)


def test_inventory_by_lot_and_kit(sample: SampleStudy, meta: ReportMeta) -> None:
    kits = queries.inventory(sample.ctx, sample.monitor)
    text = _says_where_it_came_from(reports.inventory_pdf(meta, sample.ctx.study, kits), meta)
    on_hand = {
        r.key: r.on_hand for r in reconciliation.reconcile(sample.ctx, sample.monitor).products
    }
    for product, tablets in on_hand.items():
        name = sample.ctx.study.product(product).display
        assert f"{name}: {tablets} tablets on the shelf (the DARF balance)" in text
    for lot in ("L2401", "L2402", "L2398", "L2451"):
        assert lot in text
    assert "K0001" in text and "K9004" in text and "IP store 2" in text
    rows = read_rows(reports.inventory_csv(meta, kits))
    assert len(rows) == len(kits)
    assert {row["status"] for row in rows} >= {"available", "returned", "destroyed", "expired"}


def test_expiry_lists_soon_and_expired_not_destroyed(sample: SampleStudy, meta: ReportMeta) -> None:
    data = report_data.expiry_report(sample.ctx, sample.monitor)
    assert [k.number for k in data.expired] == ["K9001", "K9002", "K9003", "K9004"]
    assert data.expiring and all(k.lot == "L2451" for k in data.expiring)
    assert all(k.status is KitStatus.AVAILABLE for k in data.expiring)
    text = _says_where_it_came_from(reports.expiry_pdf(meta, sample.ctx.study, data), meta)
    assert "Expired and not destroyed (4 kits)" in text
    assert f"Expiring within 90 days ({len(data.expiring)} kits)" in text
    assert "K9001" in text and "-10" in text  # ten days past expiry
    short = report_data.expiry_report(sample.ctx, sample.monitor, within_days=30)
    assert short.expiring == ()
    with pytest.raises(InvalidInput):
        report_data.expiry_report(sample.ctx, sample.monitor, within_days=-1)
    rows = read_rows(reports.expiry_csv(meta, data))
    assert [r["group"] for r in rows].count("expired") == 4


def test_participant_history_with_adherence_and_flags(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    data = report_data.participant_report(sample.ctx, sample.monitor, "01-007")
    assert len(data.history) == 7
    flagged = [r for r in data.history if r.flags]
    assert [r.cycle for r in flagged] == [2]
    pdf = reports.participant_pdf(meta, sample.ctx.study, data)
    text = _says_where_it_came_from(pdf, meta)
    for expected in (
        "01-007",
        data.participant.initials,
        "Zhenzhen Liu, M.D.",  # who confirmed eligibility
        "62%",
        "Under-use (missed doses)",
        "Participant was in hospital for a week; doses missed.",
        "under-use 80%",  # the chart's limits
        "over-use 100%",
        "C7",
    ):
        assert expected in text, expected
    held = report_data.participant_report(sample.ctx, sample.monitor, "01-009")
    cycle3 = held.history[2]
    assert cycle3.expected == 14 and cycle3.adherence == 1.0  # 7 days held are not expected
    corrected = report_data.participant_report(sample.ctx, sample.monitor, "01-002")
    assert [(r.corrects, r.corrected_by) for r in corrected.returns[:2]] == [
        (None, corrected.returns[1].return_id),
        (corrected.returns[0].return_id, None),
    ]
    rows = read_rows(reports.participant_csv(meta, data))
    assert [row["cycle"] for row in rows] == [str(n) for n in range(1, 8)]


@pytest.mark.parametrize(
    ("status", "next_due", "says"),
    [
        (ParticipantStatus.COMPLETED, None, "Next cycle none: completed after cycle 7"),
        (
            ParticipantStatus.COMPLETED,
            date(2026, 11, 7),
            "Next cycle none: completed after cycle 7",
        ),
        (ParticipantStatus.DISCONTINUED, None, "Next cycle none: discontinued after cycle 7"),
        (ParticipantStatus.ON_TREATMENT, None, "Next cycle 8 "),
        (ParticipantStatus.ON_TREATMENT, date(2026, 11, 7), "Next cycle 8, due from 2026-11-07"),
    ],
)
def test_participant_header_gives_the_next_cycle_only_while_on_treatment(
    sample: SampleStudy,
    meta: ReportMeta,
    status: ParticipantStatus,
    next_due: date | None,
    says: str,
) -> None:
    data = report_data.participant_report(sample.ctx, sample.monitor, "01-007")
    person = dataclasses.replace(
        data.participant, status=status, next_cycle=8, next_due=next_due, last_cycle=7
    )
    pdf = reports.participant_pdf(
        meta, sample.ctx.study, dataclasses.replace(data, participant=person)
    )
    first_page = pdf_pages_text(pdf)[0]
    assert says in first_page
    if status is not ParticipantStatus.ON_TREATMENT:
        assert "due from" not in first_page
    with pytest.raises(NotFound):
        report_data.participant_report(sample.ctx, sample.monitor, "09-999")


def test_reconciliation_with_discrepancies_and_signature_block(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    pdf = reports.reconciliation_pdf(meta, sample.ctx.study, result)
    text = _says_where_it_came_from(pdf, meta)
    assert "The ledger balances for every product, lot and kit" in text
    # One count everywhere: what the command calls "To review", then the count differences
    # adjusted and countersigned, a record (the PDF counted both as "Discrepancies (5)").
    adjusted = [d for d in result.discrepancies if not d.kind.to_review]
    assert adjusted and result.to_review
    assert "Discrepancies" not in text
    assert f"To review ({len(result.to_review)})" in text
    assert f"Count differences on record ({len(adjusted)})" in text
    review_part = text.split("To review (")[1].split("Count differences on record (")[0]
    assert all(d.message[:40] not in review_part for d in adjusted)
    assert "Lot L2398 expired on" in text  # beside K9001 in Concerns: the kit named once
    assert "20 tablets counted, 21 tablets in the book (-1)" in text
    for block in ("Signatures", "Pharmacist", "Monitor", "Name", "Signature", "Date"):
        assert block in text
    csv = reports.reconciliation_csv(meta, result)
    assert (
        f"to review: {len(result.to_review)}; count differences on record: {len(adjusted)};"
        in csv.splitlines()[0]
    )
    rows = read_rows(csv)
    scopes = {row["scope"] for row in rows}
    assert scopes == {"product", "lot", "participant", "kit"}


def test_every_reconciliation_csv_row_names_its_product(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    """A monitor filtering the CSV by `product` kept the product and participant rows and
    dropped every kit and lot: their product was only in `label` (a kit's) or the key (a
    lot's). Every row names its product's code now, the columns as they were."""
    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    rows = read_rows(reports.reconciliation_csv(meta, result))
    assert list(rows[0]) == [
        "scope", "key", "label", "received", "dispensed", "returned", "destroyed", "adjusted",
        "on_hand", "held_returned", "balanced", "product",
    ]  # fmt: skip
    codes = {p.code for p in sample.ctx.study.products}
    assert {row["product"] for row in rows} <= codes
    kits = {k.number: k.product for k in queries.inventory(sample.ctx, sample.monitor)}
    for row in rows:
        wanted = {
            "product": row["key"],
            "lot": row["key"].partition("/")[0],
            "kit": kits.get(row["key"]),
        }.get(row["scope"], row["product"])
        assert row["product"] == wanted, row
    assert {row["scope"] for row in rows} == {"product", "lot", "participant", "kit"}


def test_the_signature_block_is_never_split_across_pages(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    """The heading's conditional page break inside the block's KeepTogether took the rest of
    the page in its measure: the Pharmacist's line on one page, the Monitor's alone on the
    next. Whatever the length of the tables above it, the block is on one page."""
    from dataclasses import replace

    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    for n in range(0, min(len(result.kits), 60), 2):
        pdf = reports.reconciliation_pdf(
            meta, sample.ctx.study, replace(result, kits=result.kits[:n])
        )
        last = pdf_pages_text(pdf)[-1]
        block = last[last.rfind("Signatures") :] if "Signatures" in last else ""
        assert "Pharmacist" in block and "Monitor" in block, (n, last[-300:])


def test_reconciliation_headers_whole_words_and_lots_in_own_column(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    text = " ".join(pdf_pages_text(reports.reconciliation_pdf(meta, sample.ctx.study, result)))
    by_lot = text[text.index("By lot") : text.index("To review (")]
    start = text.index("By participant")
    end = text.find("By kit", start)
    by_participant = text[start : end if end > 0 else None]
    assert (
        "Received Dispensed Returned Destroyed Written off (adjusted) On hand Held returned "
        "Balanced"
    ) in by_lot
    assert "herombopag (hetrombopag olamine) 7.5 mg tablet L2401 1911 1281" in by_lot
    assert "/" not in by_lot
    assert "Dispensed to participant Returned by participant Held returned Destroyed" in (
        by_participant
    )
    assert "Received" not in by_participant and "On hand" not in by_participant


@pytest.mark.parametrize("size", [6.5, 7.5, 9])
def test_header_widths_fit_whole_words_in_the_same_total(size: float) -> None:
    header = ["Kit", "Description", "Dispensed", "Destroyed", "Held for monitor"]
    widths = base.header_widths(header, [60, 200, 30, 30, 30], size)
    assert sum(widths) == pytest.approx(350)
    for title, width in zip(header, widths, strict=True):
        longest = max(stringWidth(word, base.BOLD, size) for word in title.split())
        assert longest + 4 <= width


def test_destruction_log(sample: SampleStudy, meta: ReportMeta) -> None:
    rows = queries.destruction_log(sample.ctx, sample.monitor)
    assert len(rows) == 1
    text = _says_where_it_came_from(reports.destruction_pdf(meta, sample.ctx.study, rows), meta)
    for expected in ("DEST-2025-01", "Incineration", "Tom Tech", rows[0].kits[0]):
        assert expected in text
    # Every kit destroyed is on a line of its product and lot, an empty one too (0 tablets).
    listed = [kit for line in rows[0].lines for kit in line.kits]
    assert sorted(listed) == sorted(rows[0].kits)
    assert {line.product for line in rows[0].lines} >= {"herombopag (hetrombopag olamine) 7.5 mg"}
    exported = read_rows(reports.destruction_csv(meta, rows))
    assert sorted(k for row in exported for k in row["kits"].split()) == sorted(rows[0].kits)


def test_the_destruction_log_says_the_period_asked_for(sample: SampleStudy) -> None:
    """Asked for a period, the log's pages say that period, not "whole record": an inspector
    reads the fields to know what the log covers."""
    [row] = queries.destruction_log(sample.ctx, sample.monitor)
    since, until = row.destroyed_on, row.destroyed_on
    report = catalogue.report("destruction")

    def pages(values: Values) -> str:
        document = catalogue.make_report(
            report, sample.ctx, sample.monitor, values, "pdf", Language.EN
        )
        return " ".join(" ".join(pdf_pages_text(document.data)).split())

    dated = pages(Values(since=since, until=until))
    assert f"Period {since.isoformat()} to {until.isoformat()}" in dated, dated
    assert "whole record" not in dated and "DEST-2025-01" in dated
    assert "whole record" in pages(Values())
    before = catalogue.make_report(
        report,
        sample.ctx,
        sample.monitor,
        Values(since=date(2020, 1, 1), until=since - timedelta(days=1)),
        "csv",
        Language.EN,
    )
    assert before.says == "destruction log (0 destructions)" and not read_rows(
        before.data.decode("utf-8-sig")
    )


def test_the_destruction_log_lists_kits_as_the_certificate_does(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    """Kits recorded in any order read as their runs, sorted then collapsed, in the log (and
    the monitor pack's page of it) as on the certificate: never 'K5001, K5003, K5002'."""
    assert base.kit_list(["K5001", "K5003", "K5002"]) == "K5001-K5003 (3 kits)"
    assert base.kit_list(["K1068", "K1069", "K1065", "K1066"]) == (
        "K1065-K1066, K1068-K1069 (4 kits)"
    )
    assert base.kit_list(["K10", "K9", "K2"]) == "K2, K9, K10 (3 kits)"  # K2 before K10
    [row] = queries.destruction_log(sample.ctx, sample.monitor)
    first, *rest = row.lines
    shuffled = dataclasses.replace(
        row,
        lines=(
            dataclasses.replace(first, kits=("K5001", "K5003", "K5002")),
            dataclasses.replace(first, kits=("K1068", "K1069", "K1065", "K1066", "K1067")),
            *rest,
        ),
    )
    log = " ".join(pdf_pages_text(reports.destruction_pdf(meta, sample.ctx.study, [shuffled])))
    certificate = report_data.DestructionCertificate("destruction No. 1", (shuffled,))
    certified = " ".join(
        pdf_pages_text(reports.certificate_pdf(meta, sample.ctx.study, certificate))
    )
    for text in (log, certified):
        assert "K5001-K5003 (3 kits)" in text and "K1065-K1069 (5 kits)" in text
        assert "K5001, K5003" not in text and "K1068-K1069, K1065" not in text


def test_audit_trail_with_verification_on_the_cover(sample: SampleStudy, meta: ReportMeta) -> None:
    data = report_data.audit_report(
        sample.ctx, sample.monitor, AuditFilter(date(2025, 10, 1), date(2025, 10, 10))
    )
    assert data.entries
    assert all(
        datetime(2025, 10, 1, tzinfo=UTC) <= e.at < datetime(2025, 10, 11, tzinfo=UTC)
        for e in data.entries
    )
    pages = pdf_pages_text(reports.audit_pdf(meta, sample.ctx.study, data))
    assert "CHAIN VERIFIED" in pages[0]
    body = " ".join(pages[1:])
    assert "Dispense DSP000020" in body and "Dispense voided" in body, "names, not codes"
    assert "dispense_voided" not in body and "None" not in body and "True" not in body
    assert "Wrong participant's bag" in body
    assert "2025-10-01 09:00:00 UTC" in body
    broken = AuditReport(
        data.filters,
        data.entries,
        VerifyResult(False, 10, 5, 7, "Tampering or damage found: audit entry 7 was changed."),
    )
    cover = pdf_pages_text(reports.audit_pdf(meta, sample.ctx.study, broken))[0]
    assert "CHAIN BROKEN" in cover and "audit entry 7 was changed" in cover
    rows = read_rows(reports.audit_csv(meta, data))
    assert [int(r["id"]) for r in rows] == [e.id for e in data.entries]
    assert "dispense_voided" in {r["action"] for r in rows}, "the CSV keeps the codes as written"
    with speaking(Language.ZH_CN):
        chinese = " ".join(pdf_pages_text(reports.audit_pdf(meta, sample.ctx.study, data))[1:])
    assert "发放 DSP000020" in chinese and "dispense_voided" not in chinese


def test_lot_trace_lists_every_participant_and_kit(sample: SampleStudy, meta: ReportMeta) -> None:
    trace = report_data.lot_trace(sample.ctx, sample.monitor, "L2401")
    assert trace.product == "herombopag-7.5mg"
    voided = [r for r in trace.dispenses if r.voided]
    assert len(voided) == 1 and voided[0].participant == "01-005"
    live = [r for r in trace.dispenses if not r.voided]
    ledger = [
        r
        for r in queries.ledger_rows(sample.ctx, sample.monitor, lot="L2401")
        if r.kind == "dispense" and r.reverses is None
    ]
    assert len(trace.dispenses) == len(ledger)
    text = _says_where_it_came_from(reports.lot_pdf(meta, sample.ctx.study, trace), meta)
    participants = sorted({r.participant for r in live})
    assert f"Lot L2401 reached {len(participants)} participants in " in text
    assert "voided: the kit never left the pharmacy" in text
    assert {k.number for k in trace.kits} >= {"K0001", "K8001"}
    rows = read_rows(reports.lot_csv(meta, trace))
    assert len(rows) == len(trace.dispenses)
    with pytest.raises(NotFound):
        report_data.lot_trace(sample.ctx, sample.monitor, "NO-SUCH-LOT")


def test_lot_trace_counts_one_participant_in_the_singular(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    trace = report_data.lot_trace(sample.ctx, sample.monitor, "L2401")
    live = [r for r in trace.dispenses if not r.voided]
    person = live[0].participant
    theirs = [r for r in live if r.participant == person]
    assert len(theirs) > 1
    study = sample.ctx.study
    for rows, says in (
        (theirs[:1], f"Lot L2401 reached 1 participant in 1 dispense: {person}."),
        (theirs, f"Lot L2401 reached 1 participant in {len(theirs)} dispenses: {person}."),
    ):
        one = dataclasses.replace(trace, dispenses=tuple(rows))
        assert says in " ".join(pdf_pages_text(reports.lot_pdf(meta, study, one)))
    with speaking(Language.ZH_CN):
        one = dataclasses.replace(trace, dispenses=tuple(theirs[:1]))
        chinese = " ".join(pdf_pages_text(reports.lot_pdf(meta, study, one)))
    assert f"批号 L2401 经 1 次发放到达 1 名受试者：{person}。" in chinese


def test_participant_report_keeps_lot_numbers_whole(sample: SampleStudy, meta: ReportMeta) -> None:
    """A lot number is one word: "HT2503A" in its column, never broken as "HT2503 / A"."""
    data = report_data.participant_report(sample.ctx, sample.monitor, "01-002")
    lots = ("HT2503A", "HT2504L", "LOT-2026-0117")
    returns = tuple(
        dataclasses.replace(r, lot=lots[i % len(lots)]) for i, r in enumerate(data.returns)
    )
    assert len(returns) >= len(lots)
    pdf = reports.participant_pdf(
        meta, sample.ctx.study, dataclasses.replace(data, returns=returns)
    )
    text = " ".join(pdf_pages_text(pdf))
    for lot in lots:
        assert text.count(lot) == sum(r.lot == lot for r in returns), lot


def test_the_quarantine_log_shows_the_sponsors_decision_of_each_release(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    """A release is made on the sponsor's decision: the monitor pack's quarantine log shows its
    reference beside each kit released (the sample study's K8001-K8003, TE-2026-031), and none
    beside a quarantine."""
    since, until = date(2025, 9, 1), date(2025, 10, 31)
    pack = report_data.monitor_pack(sample.ctx, sample.monitor, since, until)
    released = [q for q in pack.quarantines if q.action == "release"]
    assert [(q.kit, q.sponsor_reference) for q in released] == [
        (kit, "TE-2026-031") for kit in ("K8001", "K8002", "K8003")
    ]
    assert {q.sponsor_reference for q in pack.quarantines if q.action != "release"} == {""}
    text = " ".join(pdf_pages_text(reports.monitor_pack_pdf(meta, sample.ctx.study, pack)))
    assert "Sponsor's decision" in text
    assert text.count("TE-2026-031") == 3


def test_monitor_pack_has_every_part(sample: SampleStudy, meta: ReportMeta) -> None:
    since, until = date(2025, 9, 1), date(2025, 10, 31)
    pack = report_data.monitor_pack(sample.ctx, sample.monitor, since, until)
    assert len(pack.darfs) == 3
    assert pack.excursions and pack.excursions[0].kits == tuple(f"K800{n}" for n in range(1, 7))
    assert {q.action for q in pack.quarantines} == {"quarantine", "release"}
    assert pack.destructions == ()  # the destruction happened in December
    assert pack.verification.ok
    pages = pdf_pages_text(reports.monitor_pack_pdf(meta, sample.ctx.study, pack))
    contents = pages[0]
    for part in (
        "Open items (whatever their start)",
        "Reconciliation",
        "DARF: herombopag (hetrombopag olamine) 7.5 mg tablet (oral), IP store 1",
        "DARF: herombopag (hetrombopag olamine) 2.5 mg tablet (oral), IP store 1",
        "Returns log",
        "Destruction and return-to-sponsor log",
        "Quarantines and temperature excursions",
        "Audit trail verification",
    ):
        assert part in contents, part
    text = " ".join(pages)
    assert "Balance brought forward on 2025-09-01: 0" in text
    assert "Nothing was destroyed or returned to the sponsor in this period." in text
    assert "29.1" in text and "store2-logger.csv" in text
    assert "CHAIN VERIFIED" in pages[-1]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    for text in pages:
        assert meta.database in text


def test_returns_log_keeps_corrected_counts_visible(sample: SampleStudy, meta: ReportMeta) -> None:
    rows = report_data.returns_log(sample.ctx, sample.monitor)
    corrected = [r for r in rows if r.corrected_by is not None]
    assert len(corrected) == 1
    replacement = next(r for r in rows if r.return_id == corrected[0].corrected_by)
    assert replacement.corrects == corrected[0].return_id
    assert replacement.returned == corrected[0].returned + 1
    exported = read_rows(reports.returns_csv(meta, rows, sample.ctx.study))
    assert len(exported) == len(rows)


def test_csv_cells_never_run_as_formulas() -> None:
    assert cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert cell("+1 tablet found") == "'+1 tablet found"
    assert cell("-21") == "-21"
    assert cell(-21) == "-21"
    assert cell(None) == ""
    assert cell(True) == "yes"


def test_an_empty_audit_report_says_whether_a_filter_emptied_it(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    """A period with entries, narrowed by a text no entry holds: the page says the
    filters matched nothing, not that the period holds no entry."""
    period = (date(2025, 10, 1), date(2025, 10, 10))
    for chosen, said in (
        (AuditFilter(*period, text="no such words anywhere"), "match the filters above"),
        (AuditFilter(date(2020, 1, 1), date(2020, 1, 2)), "No audit entries in this period."),
    ):
        data = report_data.audit_report(sample.ctx, sample.monitor, chosen)
        assert not data.entries
        body = " ".join(
            " ".join(pdf_pages_text(reports.audit_pdf(meta, sample.ctx.study, data))[1:]).split()
        )
        assert said in body, body
    assert report_data.audit_report(sample.ctx, sample.monitor, AuditFilter(*period)).entries


def test_the_audit_chain_still_verifies_after_all_the_reports(sample: SampleStudy) -> None:
    assert audit.verify(sample.ctx, sample.monitor).ok


@pytest.mark.parametrize(
    ("key", "english", "chinese"),
    [
        (
            "darf",
            "DARFs of herombopag (hetrombopag olamine) 7.5 mg tablet and herombopag "
            "(hetrombopag olamine) 2.5 mg tablet",
            "海曲泊帕乙醇胺片 7.5 mg、海曲泊帕乙醇胺片 2.5 mg 的研究药物清点记录表（DARF）",
        ),
        ("reconciliation", "reconciliation (ledger balanced; ", "对账（台账平衡；"),
        ("audit", "audit trail (", "稽查轨迹（"),
        ("inventory", "inventory (", "库存（"),
        ("returns", "returns log (169 returns)", "退回记录（169 次退回）"),
        ("destruction", "destruction log (1 destruction)", "销毁记录（1 次销毁）"),
    ],
)
def test_the_sentence_saying_what_was_written_is_in_the_reports_language(
    sample: SampleStudy, key: str, english: str, chinese: str
) -> None:
    entry = catalogue.report(key)
    made = catalogue.make_report(entry, sample.ctx, sample.monitor, Values(), "pdf", Language.EN)
    assert english in made.says
    made = catalogue.make_report(entry, sample.ctx, sample.monitor, Values(), "pdf", Language.ZH_CN)
    assert chinese in made.says
    words = made.says.replace("DARF", "").replace("herombopag", "").replace("mg", "")
    assert not any("a" <= c.lower() <= "z" for c in words), made.says


def test_a_study_of_capsules_counts_its_kits_in_capsules(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    """The lot trace's, the expiry report's and the forecast's count column is "Quantity" over
    each count in its product's word when the study's products are not all tablets: "Tablets"
    over capsules misstated them. The tablets study keeps "Tablets" over bare numbers."""
    study = sample.ctx.study
    capsules = dataclasses.replace(
        study, products=tuple(dataclasses.replace(p, form="capsule") for p in study.products)
    )
    assert study.tablets_only and not capsules.tablets_only
    trace = report_data.lot_trace(sample.ctx, sample.monitor, "L2401")
    expiry = report_data.expiry_report(sample.ctx, sample.monitor)
    for pdf in (reports.lot_pdf(meta, capsules, trace), reports.expiry_pdf(meta, capsules, expiry)):
        text = " ".join(pdf_pages_text(pdf))
        assert "Quantity" in text and "Tablets" not in text, text
        assert " capsules" in text
    assert "Quantity received" in " ".join(pdf_pages_text(reports.lot_pdf(meta, capsules, trace)))
    with speaking(Language.ZH_CN):
        chinese = " ".join(pdf_pages_text(reports.expiry_pdf(meta, capsules, expiry)))
    assert "数量" in chinese and "药片" not in chinese
    tablets = " ".join(pdf_pages_text(reports.expiry_pdf(meta, study, expiry)))
    assert "Tablets" in tablets and "Quantity" not in tablets
