"""A participant's row is changed in place by a correction of the enrolment or a change of
status: the participant report and `history` show each change (what it was, what it is, who,
when, why), and the value corrected is marked where the report shows it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pypdfium2 as pdfium

from dispensary.i18n import Language, speaking
from dispensary.reports import darf_csv, darf_pdf
from dispensary.reports.csvfile import read_rows
from dispensary.reports.monitor import monitor_pack_pdf
from dispensary.reports.participant import participant_pdf
from dispensary.services import participants, queries, reconciliation, report_data, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import RETURN_CORRECTED, DispenseResult
from signed import seen_now

from .helpers import dispense

Password = Callable[[Actor], str]
REASON = "initials copied wrongly from the consent form"


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def corrected(ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password) -> None:
    """01-001 (AB) dispensed cycle 1 on 2026-01-05, corrected to AX on 2026-01-20."""
    clock.set_date(date(2026, 1, 20))
    participants.correct_enrolment(
        ctx, pharmacist, "01-001", initials="AX", reason=REASON, password=pw(pharmacist)
    )


def test_a_correction_is_listed_with_the_value_before_who_when_and_why(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    corrected(ctx, clock, pharmacist, pw)
    changes = queries.participant_changes(ctx, pharmacist, "01-001")
    assert [(c.field, c.old, c.new, c.reason, c.signed) for c in changes] == [
        ("initials", "AB", "AX", REASON, True)
    ]
    words = queries.change_words(changes[0])
    assert "initials corrected from AB to AX" in words
    assert REASON in words and pharmacist.username in words


def test_the_participant_report_shows_the_correction_and_marks_the_value(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    corrected(ctx, clock, pharmacist, pw)
    report = report_data.participant_report(ctx, pharmacist, "01-001")
    meta = report_data.report_meta(ctx, pharmacist)
    text = pdf_text(participant_pdf(meta, ctx.study, report))
    assert "AX (corrected from AB on 2026-01-20)" in text
    assert "Corrections and status changes" in text
    assert "initials corrected from AB to AX" in text
    with speaking(Language.ZH_CN):
        chinese = pdf_text(participant_pdf(meta, ctx.study, report))
    assert "AX（2026-01-20 由 AB 更正）" in chinese


def test_the_enrolment_date_corrected_is_marked_beside_the_eligibility(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password
) -> None:
    """The review's case: enrolled 2026-01-05, corrected to 2026-01-02: the report said
    "Enrolled 2026-01-02" beside an eligibility confirmed on 2026-01-05, unmarked."""
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
    participants.correct_enrolment(
        ctx,
        pharmacist,
        "01-001",
        enrolled_on=date(2026, 1, 2),
        reason=REASON,
        password=pw(pharmacist),
    )
    report = report_data.participant_report(ctx, pharmacist, "01-001")
    text = pdf_text(participant_pdf(report_data.report_meta(ctx, pharmacist), ctx.study, report))
    assert "2026-01-02 (corrected from 2026-01-05 on 2026-01-05)" in text
    assert "enrolment date corrected from 2026-01-05 to 2026-01-02" in text


def test_darf_lines_recorded_before_an_initials_correction_say_what_they_read(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """The review's case: a correction of the initials rewrote every earlier DARF line of the
    participant silently (GR printed as GX). The line says what it read when recorded; a line
    recorded after the correction is not marked."""
    corrected(ctx, clock, pharmacist, pw)
    clock.set_date(date(2026, 1, 26))  # cycle 2, after the correction
    dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        cycle=2,
        override_reason="return due next visit",
        overrides=["previous_return_missing"],
    )
    records = report_data.darf_records(ctx, pharmacist)
    lines = {line.dispense: line for r in records for line in r.lines if line.dispense}
    before, after = lines[cycle1.number], lines["DSP000002"]
    assert (before.initials, before.initials_when_recorded, before.initials_corrected_on) == (
        "AX",
        "AB",
        date(2026, 1, 20),
    )
    assert (after.initials, after.initials_when_recorded) == ("AX", "")
    meta = report_data.report_meta(ctx, pharmacist)
    text = pdf_text(darf_pdf(meta, records, study=ctx.study))
    assert "Initials AB when recorded, corrected to AX on 2026-01-20" in text
    assert text.count("when recorded") == 1
    marked = {
        row["dispense"]: row["initials_when_recorded"]
        for row in read_rows(darf_csv(meta, records))
        if row["dispense"]
    }
    assert marked == {cycle1.number: "AB", "DSP000002": ""}
    with speaking(Language.ZH_CN):
        chinese = pdf_text(darf_pdf(meta, records, study=ctx.study))
    assert "登记时姓名缩写为AB，2026-01-20更正为AX" in "".join(chinese.split())  # wrapped


def test_a_sign_off_made_before_a_correction_names_it(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    clock.set_date(date(2026, 1, 10))
    [signed] = reconciliation.sign_off(
        ctx, monitor, pw(monitor), "visit 2", seen=seen_now(ctx)
    ).signoffs
    assert signed.changed == ""
    corrected(ctx, clock, pharmacist, pw)
    [after] = reconciliation.reconcile(ctx, monitor).signoffs
    assert after.changed == (
        "Records corrected or added since this sign-off: enrolment of 01-001 corrected "
        "(initials from AB to AX)."
    )
    # A sign-off after the correction saw the initials as they are: not marked.
    signoffs = reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx)).signoffs
    assert [bool(s.changed_since) for s in signoffs] == [True, False]


def test_the_monitor_pack_lists_the_corrections_of_its_period(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    corrected(ctx, clock, pharmacist, pw)  # 2026-01-20
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 15), date(2026, 1, 20))
    assert [(n, c.field, c.old, c.new) for n, c in pack.record_changes] == [
        ("01-001", "initials", "AB", "AX")
    ]
    text = pdf_text(monitor_pack_pdf(report_data.report_meta(ctx, monitor), ctx.study, pack))
    assert "01-001: 2026-01-20 09:00 UTC: initials corrected from AB to AX" in text
    earlier = report_data.monitor_pack(ctx, monitor, date(2026, 1, 1), date(2026, 1, 19))
    assert earlier.record_changes == ()


def test_the_monitor_pack_lists_the_return_counts_corrected_as_the_record_does(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """The participant's record lists a recount among its changes; the pack's list of records
    corrected left it out (only status changes and voids): the same changes in both."""
    kit = cycle1.kits[0].kit
    clock.set_date(date(2026, 1, 20))
    first = returns.record_return(ctx, pharmacist, kit, 2, pw(pharmacist), cycle1.number)
    returns.correct_return(ctx, pharmacist, first.return_id, 3, "recount", pw(pharmacist))
    record = queries.participant_record(ctx, monitor, "01-001").changes
    assert [(c.field, c.old, c.new) for c in record] == [(RETURN_CORRECTED, "2", "3")]
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 15), date(2026, 1, 20))
    assert pack.record_changes == tuple(("01-001", c) for c in record)
    text = pdf_text(monitor_pack_pdf(report_data.report_meta(ctx, monitor), ctx.study, pack))
    assert f"01-001: 2026-01-20 09:00 UTC: count of kit {kit} ({cycle1.number}) corrected" in text
    earlier = report_data.monitor_pack(ctx, monitor, date(2026, 1, 1), date(2026, 1, 19))
    assert earlier.record_changes == ()
