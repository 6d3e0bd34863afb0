"""Records a monitor trusts (issue 12), read back from the PDFs: the monitor pack opens with
protocol, site, period and preparer and lists open items whatever their start; inventory and
lot trace say where each kit is; the reconciliation sets the book against the shelf, and the
participants' balances per product."""

from __future__ import annotations

from datetime import date

from sample_study import SampleStudy

from dispensary import reports
from dispensary.domain.codes import KitStatus
from dispensary.reports.csvfile import read_rows
from dispensary.services import queries, reconciliation, report_data

from .pdfread import pdf_pages_text

SINCE, UNTIL = date(2025, 12, 1), date(2025, 12, 31)


def test_monitor_pack_opens_with_who_what_when_and_the_open_items(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    study = sample.ctx.study
    pack = report_data.monitor_pack(sample.ctx, sample.monitor, SINCE, UNTIL)
    # The kits quarantined at receipt months before the period are open all the same.
    held = [i for i in pack.open_items if i.kind == "Quarantine awaiting decision"]
    assert held and all(i.before_period for i in held)
    pages = pdf_pages_text(reports.monitor_pack_pdf(meta, study, pack))
    first = pages[0]
    for expected in (
        "Protocol no.",
        study.protocol,
        "Site",
        study.site_name,
        "Visit period",
        "2025-12-01 to 2025-12-31",
        "Prepared by",
        meta.generated_by,
    ):
        assert expected in first, expected
    opened = next(p for p in pages if "Open items (whatever their start)" in p and "Concerns" in p)
    assert "Quarantine awaiting decision" in opened and "(before the period)" in opened
    assert held[0].subject in opened
    assert "Temperature-log coverage" in " ".join(pages)
    quarantines = next(p for p in pages if "Quarantine, release and rejection" in p)
    assert f"In quarantine on 2025-12-31, whenever quarantined: {len(held)} kit" in quarantines


def test_inventory_and_lot_trace_give_each_kit_its_real_place(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    study = sample.ctx.study
    kits = queries.inventory(sample.ctx, sample.monitor)
    # The sample ends with every bottle back: a returned kit is where its participant left it.
    out = next(k for k in kits if k.status is KitStatus.RETURNED)
    assert out.where.startswith("returned by ")
    gone = [k for k in kits if k.status is KitStatus.DESTROYED]
    assert gone and all(k.where.startswith(("destroyed on", "returned to")) for k in gone)
    text = " ".join(pdf_pages_text(reports.inventory_pdf(meta, study, kits)))
    assert out.where.split(",")[0] in text
    rows = read_rows(reports.inventory_csv(meta, kits))
    assert {"where"} <= set(rows[0])
    trace = report_data.lot_trace(sample.ctx, sample.monitor, out.lot)
    pages = " ".join(pdf_pages_text(reports.lot_pdf(meta, study, trace)))
    assert "Tablets in the pharmacy" in pages and "Where" in pages
    listed = next(k for k in trace.kits if k.number == out.number)
    assert listed.where == out.where and listed.where.split(" (")[0] in pages


def test_reconciliation_sets_the_book_against_the_shelf_per_product(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    assert result.counts and result.never_counted  # the sample counts a few kits only
    text = " ".join(pdf_pages_text(reports.reconciliation_pdf(meta, sample.ctx.study, result)))
    assert "Book against the last physical count" in text
    assert f"{len(result.never_counted)} never counted" in text
    assert "By participant and product" in text
    people = [(r.key, r.product) for r in result.participants]
    assert len(people) == len(set(people))  # one line per participant and product


def test_the_returns_log_names_the_investigators_hold_apart_from_the_monitors_held(
    sample: SampleStudy,
) -> None:
    """The returns log's "Held" column said the days the investigator held the dose, while the
    reconciliation's "Held" is the returned tablets kept for the monitor: one word, two
    meanings, on the same monitor pack. The log's column says whose hold it is."""
    from dispensary.i18n import Language, speaking
    from dispensary.reports.logs import return_count_header

    study = sample.ctx.study
    with speaking(Language.EN):
        english = return_count_header(study)
    with speaking(Language.ZH_CN):
        chinese = return_count_header(study)
    assert "Dose held by investigator" in english and "Held" not in english
    assert "研究者暂停用药" in chinese and "暂停用药" not in set(chinese)
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    pack = report_data.monitor_pack(sample.ctx, sample.monitor, SINCE, UNTIL)
    text = " ".join(pdf_pages_text(reports.monitor_pack_pdf(meta, study, pack)))
    assert "Dose held by investigator" in text


def test_the_reconciliations_signature_lines_are_never_split_over_two_pages(
    sample: SampleStudy,
) -> None:
    """The Chinese reconciliation of the reviewed pharmacy printed the pharmacist's line at the
    foot of one page and the monitor's alone on the next: the heading and both lines are one
    block (KeepTogether), as the destruction certificate's are."""
    from reportlab.platypus import KeepTogether, Table

    from dispensary.reports.reconciliation import reconciliation_story

    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    story = reconciliation_story(result, 500, study=sample.ctx.study)
    # The lines kept with the sign-offs recorded before them (the block fell alone at the
    # top of the last page), and a block of their own within.
    last = story[-1]
    assert isinstance(last, KeepTogether)
    block = last._content[-1]
    assert isinstance(block, KeepTogether)
    [table] = [f for f in block._content if isinstance(f, Table)]
    assert [str(row[0]) for row in table._cellvalues[1:]] == ["Pharmacist", "Monitor"]


def test_the_packs_excursions_are_those_in_storage_and_it_names_the_alarms_in_transit(
    sample: SampleStudy,
) -> None:
    """The pack said "No temperature excursion was recorded" over a shipment received with a
    31 °C logger alarm whose kits were quarantined for it: its section is now titled for what
    it lists (the excursions in storage) and names the shipments received with an alarm."""
    from dispensary.i18n import Language, _, speaking

    meta = report_data.report_meta(sample.ctx, sample.monitor)
    study = sample.ctx.study
    pack = report_data.monitor_pack(sample.ctx, sample.monitor, SINCE, UNTIL)
    alarms = [i for i in pack.open_items if i.kind == report_data.OPEN_KINDS[6]]
    assert [i.subject for i in alarms] == ["SH-0004"]
    for language in (Language.EN, Language.ZH_CN):
        with speaking(language):
            pages = pdf_pages_text(reports.monitor_pack_pdf(meta, study, pack))
            title = _("Temperature excursions in storage")
            lead = _(
                "Temperature alarms in transit are not in this table: shipments received with a "
                "temperature alarm, their kits quarantined at receipt (see the quarantine log "
                "below and the open items):"
            )
        section = next(p for p in pages if title in p)
        assert " ".join(lead.split())[:20] in section, section
        assert "SH-0004" in section.split(title)[1]
