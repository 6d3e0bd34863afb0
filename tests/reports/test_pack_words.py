"""The monitor pack, the destruction certificate and the audit report as a monitor reads them,
in English and in Chinese (a review's findings): who changed a participant's record with their
role in the reader's words, the quarantined kits' product by its name, the certificate's
particulars in their order, and the notices the program recorded in English read back in the
report's language."""

from __future__ import annotations

from datetime import date

import pypdfium2 as pdfium
import pytest
from sample_study import SampleStudy

from dispensary.domain.audit_actions import value_shown
from dispensary.i18n import Language, speaking
from dispensary.reports import catalogue as reports
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text

ZH, EN = Language.ZH_CN, Language.EN
PERIOD = Values(since=date(2025, 1, 1))


def made(sample: SampleStudy, key: str, values: Values, language: Language) -> bytes:
    return reports.make_report(
        reports.report(key), sample.ctx, sample.monitor, values, language=language
    ).data


@pytest.fixture(scope="module")
def packs(sample: SampleStudy) -> dict[Language, list[str]]:
    return {
        language: pdf_pages_text(made(sample, "monitor", PERIOD, language)) for language in (ZH, EN)
    }


def page_with(pages: list[str], words: str) -> str:
    return next(p for p in pages if words in p)


def test_the_pack_names_who_changed_a_record_with_the_role_in_the_readers_words(
    packs: dict[Language, list[str]],
) -> None:
    """The sample's pharmacist (username "pharm") corrected a return and voided a dispense: the
    pack's list of changes names the role as the header's "Prepared by" does, 药师 in Chinese
    (a demo's username "pharmacist" read as the role left in English)."""
    chinese = page_with(packs[ZH], "受试者记录的更正及状态变更 01-")
    assert "Paula Pharm（pharm，药师）" in chinese
    assert "（pharm）" not in chinese
    english = page_with(packs[EN], "Participants' records corrected or their status changed 01-")
    assert "Paula Pharm (pharm, pharmacist)" in english


def test_the_pack_header_names_its_preparer_as_the_changes_list_does(
    packs: dict[Language, list[str]],
) -> None:
    """The sample's monitor has the username "monitor": the English header read "Mona Monitor
    (monitor, monitor)", the role word said twice; it names the preparer as the changes list
    names a changer (queries.named_with_role), the role in the reader's words in Chinese."""
    english = packs[EN][0]
    assert "Mona Monitor (monitor)" in english, english[:600]
    assert "(monitor, monitor)" not in english
    assert "Mona Monitor（monitor，监查员）" in packs[ZH][0], packs[ZH][0][:600]


def test_the_quarantine_log_names_each_kits_product_as_the_study_file_does(
    packs: dict[Language, list[str]],
) -> None:
    chinese = page_with(packs[ZH], "隔离、解除隔离和拒收")
    assert chinese.count("海曲泊帕乙醇胺片 7.5 mg") >= 13  # the log's 13 rows (the CJK apart)
    english = page_with(packs[EN], "Quarantine, release and rejection of kits")
    assert "K9001 herombopag (hetrombopag olamine) 7.5 mg tablet L2398" in english
    for page in (chinese, english):
        assert "herombopag-7.5mg" not in page  # the product's code


def test_the_open_items_give_a_quarantines_recorded_reason_in_the_readers_words(
    packs: dict[Language, list[str]],
) -> None:
    """The kits quarantined at receipt: the reason the program recorded (in English) reads in
    Chinese in the open items, as the quarantine log gives it."""
    chinese = page_with(packs[ZH], "未结事项（不论起始时间） 2025-")
    assert "货件SH-0004接收时温度记录不合格（TT）" in chinese.replace(" ", "")
    assert "received with its temperature record" not in chinese
    english = page_with(packs[EN], "Open items (whatever their start) Item")
    assert "shipment SH-0004 received with its temperature record not acceptable (TT)" in english


def _page_texts(pdf: bytes) -> list[str]:
    """Each page's text in the order drawn, as pypdfium2 reads it."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (EN, ["Authorisation", "Method", "Reason code", "Protocol title", "Unseen returns"]),
        (ZH, ["授权编号", "方式", "原因代码", "方案标题", "监查员未查看的退回"]),
    ],
)
def test_the_certificates_particulars_keep_their_order(
    sample: SampleStudy, language: Language, labels: list[str]
) -> None:
    """The method of destruction follows the authorisation it was done under, not printed
    last and alone below the protocol title (a short field held back past the long ones)."""
    pages = _page_texts(made(sample, "certificate", Values(destruction="1"), language))
    assert len(pages) == 1
    found = [pages[0].index(label) for label in labels]
    assert found == sorted(found), list(zip(labels, found, strict=True))


def test_the_chinese_audit_report_reads_the_recorded_notices_in_chinese(
    sample: SampleStudy,
) -> None:
    """A dispense records its notices in English (a rule to confirm); the Chinese report gives
    them in Chinese, the rule by its Chinese title (Study.rule_named); a reason a person typed
    stays as typed."""
    text = " ".join(pdf_pages_text(made(sample, "audit", Values(), ZH)))
    assert "Rule to confirm" not in text and "An administrator confirms it" not in text
    assert "待确认的规则" in text
    # The title wraps in its cell: read without the spaces the line ends put in.
    assert "本次发放适用“剂量水平-1：5mg，每日一次（减量）”" in text.replace(" ", "")
    assert "Dose level -1" not in text
    assert "Recount: one tablet was stuck under the bottle label" in text  # typed: as typed
    english = " ".join(pdf_pages_text(made(sample, "audit", Values(), EN)))
    assert "Rule to confirm: Dose level -1" in english and "待确认" not in english


NOTICES = [
    "Rule to confirm: platelets 180 10^9/L are recorded. The rule (Hold at platelets; protocol "
    "6.2) is not confirmed yet, so it does not hold and the step goes on. An administrator "
    "confirms it in Study rules.",
    "Rule to confirm: Dose level 1 is dispensed. The rule (site decision 2026-11) is not "
    "confirmed yet, so it does not hold and the step goes on. An administrator confirms it in "
    "Study rules.",
    # The frame is the program's, the finding is not: as recorded, never half translated.
    "Rule to confirm: something else happened. The rule (registry) is not confirmed yet, so it "
    "does not hold and the step goes on. An administrator confirms it in Study rules.",
    "Rule to confirm: typed by hand",
]


def test_a_notice_is_read_back_in_the_readers_words_only_where_the_program_wrote_it() -> None:
    with speaking(ZH):
        shown = value_shown("notices", NOTICES)
    assert shown == [
        "待确认的规则：登记的血小板为 180 10^9/L。该规则（Hold at platelets；方案第 6.2 节）"
        "尚未确认，因此暂不生效，操作照常进行。由管理员在“研究规则”中确认。",
        "待确认的规则：本次发放适用“Dose level 1”。该规则（中心决定 2026-11）尚未确认，因此暂不"
        "生效，操作照常进行。由管理员在“研究规则”中确认。",
        NOTICES[2],
        NOTICES[3],
    ]
    with speaking(ZH):  # the rule by the title the reader's language gives it (rule_named)
        [named] = value_shown("notices", NOTICES[1:2], str, lambda t: t.replace("Dose", "剂量"))
    assert named.startswith("待确认的规则：本次发放适用“剂量 level 1”。")
    with speaking(EN):
        assert value_shown("notices", NOTICES) == NOTICES
        assert value_shown("warnings", NOTICES[:1]) == NOTICES[:1]
