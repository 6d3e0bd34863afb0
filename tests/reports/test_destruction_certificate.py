"""Issue 12: the destruction certificate a monitor files, one per destruction (or per sponsor's
authorisation): the paperwork, the quantities per product (strength) and lot with returned
tablets apart, the kit numbers, both electronic signatures and the verification code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dispensary.domain.codes import DestructionReason, MovementKind
from dispensary.domain.errors import InvalidInput, NotFound
from dispensary.i18n import Language, speaking
from dispensary.reports import catalogue
from dispensary.services import (
    audit,
    destruction,
    dispensing,
    participants,
    quarantine,
    receiving,
    report_data,
)
from dispensary.services import returns as returns_service
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.documents import Values
from dispensary.services.results import DestroyResult

from .pdfread import pdf_pages_text

P75 = "herombopag-7.5mg"
P25 = "herombopag-2.5mg"
REFERENCE = "SP-DEST-0042"
DESTROYED_ON = date(2026, 1, 27)
CERTIFICATE = catalogue.report("certificate")


def _receive(ctx: Context, actor: Actor, kits: str, lot: str, expiry: date, product: str) -> None:
    listed = receiving.kits_from_range(ctx, kits, product, lot, expiry, None)
    receiving.receive_shipment(ctx, actor, f"SH-{lot}", listed)


def _destroy(
    ctx: Context, actor: Actor, password: str, kits: list[str], reference: str, **options: Any
) -> DestroyResult:
    return destruction.destroy(
        ctx,
        actor,
        kits,
        "tech",
        "Incineration by the hospital's licensed contractor",
        password,
        reference=reference,
        witness_password="tech-pass-1",
        unseen_returns_ok=True,  # K0011's returned tablets: no monitor has signed off here
        **options,
    )


@pytest.fixture
def destroyed(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Callable[[Actor], str]
) -> tuple[DestroyResult, DestroyResult]:
    """Lot L1 (7.5 mg) K0001-K0004, lot L2 (7.5 mg, first to expire) K0011-K0012, lot S1
    (2.5 mg) S0001-S0002. K0011 goes to 01-001 and comes back with 5 tablets. Under one
    authorisation: K0001, K0002, K0011 and S0001 destroyed on 2026-01-27 (in-date kits with a
    reason code), then K0003 on the 28th; K0004 under another authorisation."""
    password = pw(pharmacist)
    _receive(ctx, pharmacist, "K0001-K0004", "L1", date(2027, 6, 30), P75)
    _receive(ctx, pharmacist, "K0011-K0012", "L2", date(2026, 12, 31), P75)
    _receive(ctx, pharmacist, "S0001-S0002", "S1", date(2027, 6, 30), P25)
    participants.enroll(
        ctx,
        pharmacist,
        "01-001",
        "AB",
        1970,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    first = dispensing.dispense_cycle(ctx, pharmacist, "01-001", 1, clock.today(), password)
    assert [k.kit for k in first.kits] == ["K0011"]
    clock.set_date(date(2026, 1, 26))
    returns_service.record_return(ctx, pharmacist, "K0011", 5, password, first.number)
    clock.set_date(date(2026, 1, 28))
    one = _destroy(
        ctx,
        pharmacist,
        password,
        ["K0001", "K0002", "K0011", "S0001"],
        REFERENCE,
        destroyed_on=DESTROYED_ON,
        reason_code=DestructionReason.STUDY_CLOSED,
    )
    two = _destroy(
        ctx, pharmacist, password, ["K0003"], REFERENCE, reason_code=DestructionReason.DAMAGED
    )
    _destroy(ctx, pharmacist, password, ["K0004"], "SP-DEST-0099", reason_code="damaged")
    return one, two


def test_the_certificate_of_one_destruction(
    ctx: Context, monitor: Actor, destroyed: tuple[DestroyResult, DestroyResult]
) -> None:
    one, _two = destroyed
    code = audit.current_anchor(ctx, monitor)
    document = catalogue.make_report(
        CERTIFICATE, ctx, monitor, Values(destruction=str(one.destruction_id))
    )
    assert document.says == f"certificate of destruction No. {one.destruction_id} ({REFERENCE})"
    assert document.title == f"Certificate of destruction: No. {one.destruction_id}"
    assert (
        document.file_name == f"Certificate of destruction No. {one.destruction_id} 2026-01-28.pdf"
    )
    pages = pdf_pages_text(document.data)
    for page in pages:  # the header and the footer on every page
        assert "Certificate of destruction" in page
        assert f"Verification code {code}" in page
        assert "Generated" in page and "by Mona Monitor" in page
    text = " ".join(pages)
    study = ctx.study
    for expected in (
        study.protocol,
        study.site_name,
        study.pharmacy_name,
        f"Destruction No. {one.destruction_id}",
        "Destroyed on 2026-01-27",
        "Incineration by the hospital's licensed contractor",
        f"Authorisation {REFERENCE}",
        DestructionReason.STUDY_CLOSED.label,
    ):
        assert expected in text, expected
    # Quantities per product (strength) and lot: kits, unused, returned, in all.
    name75 = f"{study.product(P75).name} {study.product(P75).strength}"
    name25 = f"{study.product(P25).name} {study.product(P25).strength}"
    assert f"{name75} L1 2027-06-30 2 42 0 42" in text
    assert f"{name75} L2 2026-12-31 1 0 5 5" in text
    assert f"{name75} All lots 3 42 5 47" in text
    assert f"{name25} S1 2027-06-30 1 42 0 42" in text
    assert text.count("All lots") == 1  # one lot of 2.5 mg: its line is its total
    quantities = text[text.index("Quantities per product") : text.index("Kit numbers")]
    assert "89" not in quantities  # tablets of two strengths are never added together
    # The kit numbers, unused and returned apart.
    assert f"{name75} L1 unused stock K0001-K0002" in text
    assert f"{name75} L2 returned by participants K0011" in text
    assert f"{name25} S1 unused stock S0001" in text
    # Both electronic signatures, with their date and time.
    # Each signer by full name and role (the witness was named by the name alone).
    assert "Destroyed by Paula Pharm (Pharmacist) destroyed 2026-01-28 09:00 UTC" in text
    assert "Witness Tom Tech (Technician) witnessed 2026-01-28 09:00 UTC" in text
    assert "in the presence of the witness Tom Tech (Technician)." in text
    assert "K0003" not in text and "K0004" not in text  # other destructions are not on it


def test_a_certificate_per_authorisation_holds_each_destruction_under_it(
    ctx: Context, monitor: Actor, destroyed: tuple[DestroyResult, DestroyResult]
) -> None:
    one, two = destroyed
    document = catalogue.make_report(
        CERTIFICATE, ctx, monitor, Values(destruction=REFERENCE.lower())
    )
    assert document.says == (
        f"certificate of destruction of authorisation {REFERENCE} (2 destructions)"
    )
    text = " ".join(pdf_pages_text(document.data))
    assert f"Destruction No. {one.destruction_id}" in text
    assert f"Destruction No. {two.destruction_id}" in text
    assert "Destroyed on 2026-01-28" in text and DestructionReason.DAMAGED.label in text
    assert "K0003" in text and "K0004" not in text
    # '#N' is always the record number.
    alone = catalogue.make_report(
        CERTIFICATE, ctx, monitor, Values(destruction=f"#{two.destruction_id}")
    )
    alone_text = " ".join(pdf_pages_text(alone.data))
    assert "K0003" in alone_text and "K0001" not in alone_text


def test_a_return_to_the_sponsor_is_certified_as_such(
    ctx: Context, clock: FixedClock, pharmacist: Actor, monitor: Actor, pw: Callable[[Actor], str]
) -> None:
    _receive(ctx, pharmacist, "K0001-K0002", "L1", date(2027, 6, 30), P75)
    sent = _destroy(
        ctx,
        pharmacist,
        pw(pharmacist),
        ["K0001"],
        "RTS-7",
        to_sponsor=True,
        reason_code=DestructionReason.RECALL,
    )
    document = catalogue.make_report(CERTIFICATE, ctx, monitor, Values(destruction="RTS-7"))
    assert (
        document.says == f"certificate of return to the sponsor No. {sent.destruction_id} (RTS-7)"
    )
    text = " ".join(pdf_pages_text(document.data))
    assert "Certificate of return to the sponsor" in text
    assert "Returned on 2026-01-05" in text and "Returned by Paula Pharm" in text
    # Signed as what was done: returned to the sponsor, not "destroyed".
    assert "Returned by Paula Pharm (Pharmacist) returned to sponsor 2026-01-05" in text
    assert "destroyed" not in text.lower().replace("not destroyed", "")
    chinese = catalogue.make_report(
        CERTIFICATE, ctx, monitor, Values(destruction="RTS-7"), language=Language.ZH_CN
    )
    zh = "".join("".join(pdf_pages_text(chinese.data)).split())
    signatures = zh[zh.index("签名含义") : zh.index("每人均以本人密码签名")]
    assert "退回申办方" in signatures and "销毁" not in signatures, signatures


def test_without_a_choice_the_destructions_on_record_are_listed(
    ctx: Context, monitor: Actor, destroyed: tuple[DestroyResult, DestroyResult]
) -> None:
    one, two = destroyed
    choices = report_data.destruction_choices(ctx, monitor)
    assert [c.destruction_id for c in choices][-2:] == [two.destruction_id, one.destruction_id]
    with pytest.raises(InvalidInput) as caught:
        catalogue.make_report(CERTIFICATE, ctx, monitor, Values())
    said = caught.value.message
    assert "Choose the destruction" in said
    assert (
        f"No. {one.destruction_id}, 2026-01-27, authorisation {REFERENCE}, 4 kits destroyed" in said
    )
    assert "authorisation SP-DEST-0099, 1 kit destroyed" in said
    with pytest.raises(NotFound, match="There is no destruction 'NOPE-1'"):
        catalogue.make_report(CERTIFICATE, ctx, monitor, Values(destruction="NOPE-1"))
    # The report named as its title names it, not "destruction certificate"
    with pytest.raises(
        InvalidInput,
        match=r"^The certificate of destruction or return to the sponsor is a PDF only",
    ):
        catalogue.make_report(CERTIFICATE, ctx, monitor, Values(destruction="1"), "csv")


def test_nothing_destroyed_yet(ctx: Context, monitor: Actor) -> None:
    with pytest.raises(
        NotFound, match="No destruction or return to the sponsor is on record"
    ) as no:
        report_data.destruction_certificate(ctx, monitor, "1")
    assert no.value.message.endswith(
        "there is no certificate of destruction or return to the sponsor to make."
    )  # the report named as its title names it, not "destruction certificate"


def test_the_darf_destruction_line_ties_to_its_certificate(
    ctx: Context, monitor: Actor, destroyed: tuple[DestroyResult, DestroyResult]
) -> None:
    """The method alone ("Destroyed: Incineration") does not tie a DARF line to its
    certificate: the sponsor's authorisation reference and the witness do, in both languages."""
    lines = [
        line
        for record in report_data.darf_records(ctx, monitor)
        for line in record.lines
        if line.kind is MovementKind.DESTROY
    ]
    # K0003 and K0004 left at the same moment (the test's clock) by the same method: one line,
    # naming both authorisations.
    assert [line.kits for line in lines] == [("K0001", "K0002"), ("K0003", "K0004"), ("S0001",)]
    # By initials, as the DARF names its recorder and a count adjustment's countersigner (it
    # said "verified by WF" and "witnessed by 王芳芳" on one page).
    witness = "TT"
    ends = [
        f"; authorisation {REFERENCE}, witnessed by {witness}",
        f"; authorisation {REFERENCE}, SP-DEST-0099, witnessed by {witness}",
        f"; authorisation {REFERENCE}, witnessed by {witness}",
    ]
    assert [line.note[-len(end) :] for line, end in zip(lines, ends, strict=True)] == ends
    with speaking(Language.ZH_CN):
        chinese = report_data.darf_records(ctx, monitor)
    notes = [line.note for r in chinese for line in r.lines if line.kind is MovementKind.DESTROY]
    assert notes[0].startswith("已销毁：Incineration")
    assert notes[0].endswith(f"；授权编号 {REFERENCE}，见证人 {witness}")


def test_returns_destroyed_unseen_are_said_where_the_destruction_is(
    ctx: Context, monitor: Actor, destroyed: tuple[DestroyResult, DestroyResult]
) -> None:
    """K0011's returned tablets were destroyed before a monitor saw them (acknowledged): once
    said only in the audit trail, under a raw key. The certificate, the destruction log (PDF
    and CSV) and the monitor pack's destruction log say so, in English and Chinese."""
    one, two = destroyed
    said = "K0011 destroyed before a monitor saw the return (acknowledged by Paula Pharm)"
    chinese = "K0011 在监查员查看退回前销毁（由 Paula Pharm 确认知悉）"

    def text(key: str, values: Values, language: Language, fmt: str = "pdf") -> str:
        document = catalogue.make_report(
            catalogue.report(key), ctx, monitor, values, fmt, language=language
        )
        if fmt == "csv":
            return document.data.decode("utf-8-sig")
        # Without spaces: a narrow column wraps the words anywhere.
        return "".join("".join(pdf_pages_text(document.data)).split())

    own = Values(destruction=str(one.destruction_id))
    for language, shown in ((Language.EN, said), (Language.ZH_CN, chinese)):
        words = "".join(shown.split())
        assert words in text("certificate", own, language), language
        assert words in text("destruction", Values(), language), language
        assert words in text("monitor", Values(since=date(2026, 1, 1)), language), language
    other = text("certificate", Values(destruction=str(two.destruction_id)), Language.EN)
    assert "beforeamonitorsaw" not in other  # K0003 was never dispensed
    rows = text("destruction", Values(), Language.EN, "csv").splitlines()
    header = next(r for r in rows if r.startswith("destruction,"))
    assert header.endswith(",unseen_returns,unseen_returns_acknowledged_by")
    assert any(r.endswith(",K0011,Paula Pharm") for r in rows), rows


def test_an_offered_method_is_printed_in_the_readers_language_a_typed_one_as_typed(
    ctx: Context, monitor: Actor, pharmacist: Actor, pw: Callable[[Actor], str]
) -> None:
    """A method chosen from those offered (domain.reasons.DESTRUCTION_METHODS) is recorded in
    English and printed in the reader's language: a Chinese certificate said "方式 Incineration
    on site" and its DARF note "已销毁：Incineration on site". A method typed in prints as typed."""
    password = pw(pharmacist)
    _receive(ctx, pharmacist, "K0001-K0002", "L1", date(2027, 6, 30), P75)
    quarantine.quarantine(ctx, pharmacist, ["K0001"], "box crushed")  # the log's closing row
    offered = destruction.destroy(
        ctx,
        pharmacist,
        ["K0001"],
        "tech",
        "Incineration on site",
        password,
        reference="SP-1",
        witness_password="tech-pass-1",
        reason_code=DestructionReason.DAMAGED,
    )
    typed = destruction.destroy(
        ctx,
        pharmacist,
        ["K0002"],
        "tech",
        "Incineration on site by the hospital",
        password,
        reference="SP-2",
        witness_password="tech-pass-1",
        reason_code=DestructionReason.DAMAGED,
    )

    def text(key: str, values: Values, language: Language) -> str:
        document = catalogue.make_report(
            catalogue.report(key), ctx, monitor, values, language=language
        )
        return "".join("".join(pdf_pages_text(document.data)).split())

    for language, shown in ((Language.EN, "Incinerationonsite"), (Language.ZH_CN, "现场焚烧")):
        one = text("certificate", Values(destruction=str(offered.destruction_id)), language)
        assert shown in one, language
        other = text("certificate", Values(destruction=str(typed.destruction_id)), language)
        assert "Incinerationonsitebythehospital" in other, language
        log = text("destruction", Values(), language)
        assert shown in log and "Incinerationonsitebythehospital" in log, language
    zh = text("certificate", Values(destruction=str(offered.destruction_id)), Language.ZH_CN)
    assert "Incineration" not in zh
    # The monitor pack (its quarantine log's row closing K0001's quarantine, its destruction
    # log): the offered method nowhere in English, the typed one as typed.
    pack = text("monitor", Values(since=date(2026, 1, 1)), Language.ZH_CN)
    assert pack.count("Incineration") == pack.count("Incinerationonsitebythehospital") > 0
    for language, destroyed in ((Language.EN, "Destroyed: "), (Language.ZH_CN, "已销毁：")):
        with speaking(language):
            notes = [
                line.note
                for record in report_data.darf_records(ctx, monitor)
                for line in record.lines
                if line.kind is MovementKind.DESTROY
            ]
        method = "Incineration on site" if language is Language.EN else "现场焚烧"
        assert [n.split(";")[0].split("；")[0] for n in notes] == [
            f"{destroyed}{method}",
            f"{destroyed}Incineration on site by the hospital",
        ], notes
