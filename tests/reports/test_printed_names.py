"""One name for each printed document, wherever it is named: the list of reports, the PDF's
title (its metadata, what a viewer's window and a print queue show), its pages and its file.
The certificate was listed and filed as "Destruction certificate" (销毁证明) for pages headed
"Certificate of return to the sponsor" (退回申办方证明); the DARF's summary line and file name
said 药物清点记录表 where its title says 研究药物清点记录表."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date

import pytest
from pypdf import PdfReader
from sample_study import SampleStudy

from dispensary.domain.codes import DestructionReason
from dispensary.i18n import Language, _, speaking
from dispensary.reports import catalogue
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text
from .test_destruction_certificate import P75, _destroy, _receive

ZH, EN = Language.ZH_CN, Language.EN
CERTIFICATE = catalogue.report("certificate")
DARF = catalogue.report("darf")


def pdf_title(pdf: bytes) -> str:
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    return str(metadata.title)


@pytest.mark.parametrize("language", [EN, ZH])
@pytest.mark.parametrize("to_sponsor", [False, True], ids=["destroyed", "returned"])
def test_a_certificate_is_named_by_what_it_certifies_everywhere(
    ctx: Context,
    clock: FixedClock,
    pharmacist: Actor,
    monitor: Actor,
    pw: Callable[[Actor], str],
    language: Language,
    to_sponsor: bool,
) -> None:
    _receive(ctx, pharmacist, "K0001-K0002", "L1", date(2027, 6, 30), P75)
    done = _destroy(
        ctx,
        pharmacist,
        pw(pharmacist),
        ["K0001"],
        "RTS-7",
        to_sponsor=to_sponsor,
        reason_code=DestructionReason.RECALL,
    )
    document = catalogue.make_report(
        CERTIFICATE, ctx, monitor, Values(destruction=str(done.destruction_id)), language=language
    )
    with speaking(language):
        kind = _(catalogue.RETURNED_TITLE if to_sponsor else catalogue.DESTROYED_TITLE)
        other = _(catalogue.DESTROYED_TITLE if to_sponsor else catalogue.RETURNED_TITLE)
        listed = CERTIFICATE.display_title
    pages = pdf_pages_text(document.data)
    assert pages[0].startswith(kind), pages[0][:80]  # the page title
    assert document.title.startswith(kind)  # the screen's preview and the command's
    assert pdf_title(document.data) == document.title  # the PDF's own title
    assert document.file_name.startswith(kind)
    for named in (document.title, document.file_name, pdf_title(document.data)):
        assert other not in named
        assert "Destruction certificate" not in named
    # The list, before a destruction is chosen, names both kinds of certificate.
    words = ("销毁", "退回申办方") if language is ZH else ("destruction", "return to the sponsor")
    assert all(word in listed for word in words), listed
    assert listed != _("Destruction certificate")


def test_a_certificate_of_both_kinds_under_one_authorisation_names_both(
    ctx: Context, clock: FixedClock, pharmacist: Actor, monitor: Actor, pw: Callable[[Actor], str]
) -> None:
    _receive(ctx, pharmacist, "K0001-K0002", "L1", date(2027, 6, 30), P75)
    for kit, to_sponsor in (("K0001", False), ("K0002", True)):
        _destroy(
            ctx,
            pharmacist,
            pw(pharmacist),
            [kit],
            "AUTH-9",
            to_sponsor=to_sponsor,
            reason_code=DestructionReason.RECALL,
        )
    document = catalogue.make_report(CERTIFICATE, ctx, monitor, Values(destruction="AUTH-9"))
    assert document.title == f"{catalogue.CERTIFICATE_TITLE}: AUTH-9"
    assert pdf_title(document.data) == document.title
    pages = pdf_pages_text(document.data)
    assert any(p.startswith(catalogue.DESTROYED_TITLE) for p in pages)
    assert any(p.startswith(catalogue.RETURNED_TITLE) for p in pages)
    assert document.says == (
        "certificate of destruction or return to the sponsor of authorisation AUTH-9 "
        "(2 destructions)"
    )


NOT_THE_TITLES_NAME = re.compile("(?<!研究)药物清点记录表")


@pytest.mark.parametrize("language", [EN, ZH])
def test_the_darf_has_its_titles_name_everywhere(sample: SampleStudy, language: Language) -> None:
    document = catalogue.make_report(
        DARF, sample.ctx, sample.monitor, Values(since=date(2025, 1, 1)), language=language
    )
    with speaking(language):
        title = DARF.display_title
        summary = _(DARF.summary)
        pack = _(catalogue.report("monitor").summary)
    name = title.removesuffix("（DARF）").removesuffix(" (DARF)")
    assert name.casefold() in summary.casefold(), (name, summary)
    text = " ".join(pdf_pages_text(document.data))
    assert pdf_title(document.data) == title
    if language is ZH:
        assert name == "研究药物清点记录表"
        assert document.file_name.startswith(name), document.file_name
        for said in (summary, pack, document.file_name, document.says, text):
            assert not NOT_THE_TITLES_NAME.search(said), said[:200]
        assert name in pack
