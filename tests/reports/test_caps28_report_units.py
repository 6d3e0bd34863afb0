"""The reports and exports of the reviewer's capsule study (REV-CAPS-28, from its study file)
say its capsules in its own word (Study.units / Study.unit_words: capsules, 粒) or in the
neutral words of any form ("Quantity", "with their contents"), never tablets (片):

- the returns CSV was titled "Returns log (tablets brought back by participants)" whatever the
  study (its PDF log already said the study's title: logs.returns_title);
- the DARF's closing note gave its balance as a bare number beside "What participants bring
  back": the balance now says its units ("Balance at the end of the period: 46 capsules");
- the destruction certificate (its headings, counts, reason and statement).

NCT07198672, of tablets only, reads as before: "tablets" / 片."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sample_study import SampleStudy

from dispensary import reports
from dispensary.domain.codes import Role
from dispensary.i18n import Language, speaking
from dispensary.services import (
    destruction,
    queries,
    report_data,
    returns,
    users,
)
from dispensary.services.context import Context
from dispensary.services.demo import DEMO_PASSWORD
from rev_caps28 import BACK, HUNDRED, pharmacy

from .pdfread import pdf_pages_text


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """REV-CAPS-28: R1001 (56 capsules) brought back with 10 left, then destroyed, witnessed."""
    ctx, _db = pharmacy(tmp_path_factory.mktemp("caps28"))
    ctx.clock.set_date(BACK)  # type: ignore[attr-defined]
    admin = users.sign_in(ctx, "admin", "admin-pass-1")
    users.add_user(ctx, admin, "tech", Role.PHARMACIST, "Tia Tech", "TT", "tech-pass-1", False)
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    returns.record_return(ctx, pharm, "R1001", 10, DEMO_PASSWORD, study_number="01-001", cycle=1)
    destruction.destroy(
        ctx,
        pharm,
        ["R1001"],
        "tech",
        "Incineration on site",
        DEMO_PASSWORD,
        reference="AUTH-7",
        witness_password="tech-pass-1",
        unseen_returns_ok=True,
    )
    yield ctx
    ctx.engine.dispose()


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_pages_text(pdf)).split())


def _certificate(ctx: Context) -> str:
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    meta = report_data.report_meta(ctx, pharm)
    found = report_data.destruction_certificate(ctx, pharm, "1")
    return _text(reports.certificate_pdf(meta, ctx.study, found))


def _darf(ctx: Context, product: str) -> str:
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    meta = report_data.report_meta(ctx, pharm)
    records = report_data.darf_records(ctx, pharm, product=product)
    return _text(reports.darf_pdf(meta, records, study=ctx.study))


def _returns_csv(ctx: Context) -> str:
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    meta = report_data.report_meta(ctx, pharm)
    return reports.returns_csv(meta, report_data.returns_log(ctx, pharm), ctx.study)


def _no_tablets(english: str, chinese: str) -> None:
    assert "tablet" not in english.lower(), english
    assert "片" not in chinese and "药片" not in chinese, chinese


def test_the_returns_csv_of_a_capsule_study_is_not_titled_in_tablets(review: Context) -> None:
    english = _returns_csv(review)
    assert english.startswith("# Returns log (brought back by participants)\r\n"), english
    with speaking(Language.ZH_CN):
        chinese = _returns_csv(review)
    assert chinese.startswith("# 退回记录（受试者带回）\r\n"), chinese
    _no_tablets(english, chinese)


def test_the_darfs_closing_note_of_a_capsule_study_says_capsules(review: Context) -> None:
    english = _darf(review, HUNDRED)
    # 4 kits of 56 received, 2 dispensed: 112 on the shelf (the return is not stock)
    assert (
        "Balance at the end of the period: 112 capsules (2 lines). What participants bring back "
        "is not stock: see the returns log." in english
    ), english
    with speaking(Language.ZH_CN):
        chinese = _darf(review, HUNDRED)
    assert "期末结余：112 粒（共 2 行）。受试者带回的药物不计入库存：见退回记录。" in chinese, (
        chinese
    )
    _no_tablets(english, chinese)


def test_the_destruction_certificate_of_a_capsule_study_says_capsules(review: Context) -> None:
    english = _certificate(review)
    assert "Returned quantity (participants)" in english and "Quantity in all" in english
    assert "10 capsules 10 capsules" in english, english  # returned, and in all
    assert "1 kit, with its contents" in english, english
    assert "none needed (expired stock, or returned by participants)" in english
    with speaking(Language.ZH_CN):
        chinese = _certificate(review)
    assert "10 粒" in chinese and "合计数量" in chinese, chinese
    _no_tablets(english, chinese)


def test_the_same_reports_of_a_study_of_tablets_still_say_tablets(sample: SampleStudy) -> None:
    ctx = sample.ctx
    assert ctx.study.tablets_only
    meta = report_data.report_meta(ctx, sample.monitor)
    rows = report_data.returns_log(ctx, sample.monitor)
    english = reports.returns_csv(meta, rows, ctx.study)
    assert english.startswith("# Returns log (tablets brought back by participants)\r\n")
    with speaking(Language.ZH_CN):
        chinese = reports.returns_csv(meta, rows, ctx.study)
    assert chinese.startswith("# 退回记录（受试者带回的药片）\r\n"), chinese
    records = report_data.darf_records(ctx, sample.pharmacist)[:1]
    darf = _text(reports.darf_pdf(meta, records, study=ctx.study))
    balance = records[0].closing_balance
    assert f"Balance at the end of the period: {balance} (" in darf, darf
    assert "Returned tablets are not stock: see the returns log." in darf
    with speaking(Language.ZH_CN):
        darf_zh = _text(reports.darf_pdf(meta, records, study=ctx.study))
    assert f"期末结余：{balance}（共" in darf_zh and "退回的药片不计入库存" in darf_zh, darf_zh
    certificate = report_data.DestructionCertificate(
        "destruction No. 1", tuple(queries.destruction_log(ctx, sample.monitor))
    )
    said = _text(reports.certificate_pdf(meta, ctx.study, certificate))
    assert "Returned tablets (participants)" in said and "Tablets in all" in said
    assert "capsule" not in said.lower()
    with speaking(Language.ZH_CN):
        said_zh = _text(reports.certificate_pdf(meta, ctx.study, certificate))
    assert "片" in said_zh and "粒" not in said_zh, said_zh
