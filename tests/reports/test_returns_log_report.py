"""The returns log as a report of its own ("returns" in the catalogue): it was printed only
inside the monitor pack, and its CSV (`returns_csv`) was written by no command or screen. A
pharmacist or monitor asks for the returns of a period, of one participant if named, as PDF or
CSV, as for the destruction log; its pages are the monitor pack's returns log (the numbering
note, corrections highlighted), titled in the study's units."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pypdfium2 as pdfium
import pytest
from sample_study import SampleStudy

from dispensary.domain.documents import Values
from dispensary.i18n import Language
from dispensary.reports import catalogue
from dispensary.reports.catalogue import Document
from dispensary.reports.csvfile import read_rows
from dispensary.services import report_data, users
from dispensary.services.context import Actor, Context
from dispensary.services.demo import DEMO_PASSWORD
from rev_caps28 import BACK, pharmacy

from .pdfread import pdfium_pages_text

EN, ZH = Language.EN, Language.ZH_CN
NUMBERING = "Numbers are the pharmacy's, shared by all its studies"


def made(
    ctx: Context, actor: Actor, values: Values, fmt: str = "pdf", language: Language = EN
) -> Document:
    return catalogue.make_report(catalogue.report("returns"), ctx, actor, values, fmt, language)


def text(pdf: bytes) -> str:
    """The pages' text as pypdfium2 reads it, each page rasterised first (it draws)."""
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            image = page.render(scale=0.5).to_pil().convert("L")
            assert image.getextrema()[0] < 128, "a blank page"
    finally:
        document.close()
    return " ".join(" ".join(pdfium_pages_text(pdf)).split())


def test_the_returns_log_of_a_period_is_a_pdf_and_a_csv(sample: SampleStudy) -> None:
    every = report_data.returns_log(sample.ctx, sample.monitor)
    since, until = date(2025, 10, 1), date(2025, 10, 31)
    rows = [r for r in every if since <= r.returned_on <= until]
    assert 0 < len(rows) < len(every)
    document = made(sample.ctx, sample.monitor, Values(since=since, until=until))
    assert document.pdf and document.title == "Returns log"
    assert document.file_name == "Returns log 2026-03-14.pdf"
    assert document.says == f"returns log ({len(rows)} returns)"
    pages = text(document.data)
    assert pages.startswith("Returns log (tablets brought back by participants)")
    assert "Period 2025-10-01 to 2025-10-31" in pages
    assert NUMBERING in pages
    assert "Dose held by investigator" in pages and "Returned tablets" in pages
    kits = {r.kit for r in rows}
    assert all(kit in pages for kit in kits)
    assert not any(r.kit in pages for r in every if r.kit not in kits and r.returned_on > until)

    csv = made(sample.ctx, sample.monitor, Values(since=since, until=until), "csv")
    assert not csv.pdf
    exported = csv.data.decode("utf-8-sig")
    assert exported.startswith("# Returns log (tablets brought back by participants)")
    lines = read_rows(exported)
    assert [int(r["return"]) for r in lines] == [r.return_id for r in rows]
    assert {r["participant"] for r in lines} == {r.participant for r in rows}


def test_one_participants_returns_with_the_correction_beside_the_count_it_replaced(
    sample: SampleStudy,
) -> None:
    mine = report_data.returns_log(sample.ctx, sample.monitor, study_number="01-002")
    corrected = [r for r in mine if r.corrects is not None]
    assert corrected, "the sample corrects a return of 01-002"
    document = made(sample.ctx, sample.monitor, Values(participant="01-002"))
    assert document.title == "Returns log: 01-002"
    assert document.file_name == "Returns log 01-002 2026-03-14.pdf"
    assert document.says == f"returns log ({len(mine)} returns)"
    pages = text(document.data)
    assert pages.startswith("Returns log (tablets brought back by participants): 01-002")
    assert "Participant 01-002" in pages and "Period whole record" in pages
    assert f"corrects return {corrected[0].corrects}" in pages
    assert f"replaced by return {corrected[0].return_id}" in pages
    assert "01-001" not in pages and "01-003" not in pages
    lines = read_rows(
        made(sample.ctx, sample.monitor, Values(participant="01-002"), "csv").data.decode(
            "utf-8-sig"
        )
    )
    assert {r["participant"] for r in lines} == {"01-002"} and len(lines) == len(mine)
    assert any(r["corrects"] for r in lines) and any(r["corrected_by"] for r in lines)


def test_no_returns_in_the_period_is_said(sample: SampleStudy) -> None:
    document = made(
        sample.ctx, sample.monitor, Values(since=date(2025, 1, 1), until=date(2025, 1, 31))
    )
    assert document.says == "returns log (0 returns)"
    pages = text(document.data)
    assert "No returns were recorded in this period." in pages and NUMBERING not in pages


def test_the_returns_log_in_chinese(sample: SampleStudy) -> None:
    document = made(sample.ctx, sample.monitor, Values(participant="01-002"), language=ZH)
    assert document.title == "退回记录：01-002"
    assert document.file_name == "退回记录 01-002 2026-03-14.pdf"
    count = len(report_data.returns_log(sample.ctx, sample.monitor, study_number="01-002"))
    assert document.says == f"退回记录（{count} 次退回）"
    pages = text(document.data)
    assert pages.startswith("退回记录（受试者带回的药片）：01-002")
    for words in (
        "机构",
        "期间",
        "受试者 01-002",
        "编号为本药房所有研究共用",
        "研究者暂停用药",
        "更正退回记录",
    ):
        assert words in pages, words
    assert "Returns log" not in pages and "Period" not in pages


@pytest.fixture(scope="module")
def capsules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """REV-CAPS-28: R1001 (56 capsules) brought back with 10 left."""
    from dispensary.services import returns

    ctx, _db = pharmacy(tmp_path_factory.mktemp("caps28-returns"))
    ctx.clock.set_date(BACK)  # type: ignore[attr-defined]
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    returns.record_return(ctx, pharm, "R1001", 10, DEMO_PASSWORD, study_number="01-001", cycle=1)
    yield ctx
    ctx.engine.dispose()


def test_a_capsule_studys_returns_log_says_capsules(capsules: Context) -> None:
    pharm = users.sign_in(capsules, "pharm", DEMO_PASSWORD)
    english = text(made(capsules, pharm, Values()).data)
    chinese = text(made(capsules, pharm, Values(), language=ZH).data)
    assert english.startswith("Returns log (brought back by participants)")
    assert "56 capsules" in english and "10 capsules" in english, english
    assert "Returned quantity" in english
    assert "tablet" not in english.lower(), english
    assert chinese.startswith("退回记录（受试者带回）") and "10粒" in chinese.replace(" ", "")
    assert "片" not in chinese, chinese
    exported = made(capsules, pharm, Values(), "csv").data.decode("utf-8-sig")
    assert exported.startswith("# Returns log (brought back by participants)")
    [line] = read_rows(exported)
    assert (line["kit"], line["returned"], line["dispensed"]) == ("R1001", "10", "56")


def test_the_catalogue_asks_a_period_and_perhaps_a_participant() -> None:
    """The catalogue's entry: a period and an optional participant, PDF and CSV."""
    entry = catalogue.report("returns")
    assert entry.formats == ("pdf", "csv")
    assert [f.param.value for f in entry.fields] == ["dates", "participant", "paper"]
    assert not any(f.required for f in entry.fields)
