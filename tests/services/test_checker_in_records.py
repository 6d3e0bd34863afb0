"""The second checker of a dispense in the records an inspector or monitor reads: the DARF
(and the monitor pack, which carries it), the participant report and the participant's
history name the pharmacist who checked a dispense and signed, beside who dispensed it; a
dispense nobody checked names nobody (nothing made up), and a void's line is its voider's."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dispensary import reports
from dispensary.domain.codes import MovementKind
from dispensary.i18n import Language, speaking
from dispensary.reports.csvfile import read_rows
from dispensary.services import dispensing, queries, report_data
from dispensary.services.context import Actor, Context
from reports.pdfread import pdfium_pages_text

from .conftest import Stock
from .helpers import dispense, enroll


def read(pdf: bytes) -> str:
    """The PDF's text as a viewer copies it, its lines and runs of spaces made one space (a
    heading set on two lines in its column reads as one)."""
    return " ".join("\n".join(pdfium_pages_text(pdf)).split())


Password = Callable[[Actor], str]
CHECKER = "Peter Second"  # pharm2 (tests/signed.py), initials PS


@pytest.fixture
def two_dispenses(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """01-001 dispensed by Paula Pharm and checked by Peter Second; 01-002 by Paula Pharm
    alone."""
    dispense(ctx, pharmacist, pw(pharmacist), checked_by="pharm2", checker_password="pharm2-pass-1")
    enroll(ctx, pharmacist, "01-002", "CD")
    dispense(ctx, pharmacist, pw(pharmacist), number="01-002")


def test_the_darf_names_the_checker_of_a_checked_dispense_only(
    ctx: Context, two_dispenses: None, pharmacist: Actor, pw: Password
) -> None:
    dispensing.void_dispense(ctx, pharmacist, "DSP000001", "wrong participant", pw(pharmacist))
    records = report_data.darf_records(ctx, pharmacist)
    lines = [line for record in records for line in record.lines]
    out = {
        line.participant: line
        for line in lines
        if line.kind is MovementKind.DISPENSE and line.corrects_line is None
    }
    assert out["01-001"].checked_by == "PS"
    assert out["01-001"].recorder == "PP"
    assert out["01-002"].checked_by == ""  # nobody checked: nobody named
    voids = [line for line in lines if line.corrects_line is not None]
    assert voids and all(line.checked_by == "" for line in voids)  # the void is the voider's
    assert all(line.checked_by == "" for line in lines if line.kind is MovementKind.RECEIVE)
    meta = report_data.report_meta(ctx, pharmacist)
    rows = read_rows(reports.darf_csv(meta, records))
    checked = {
        r["participant"]: r["checked_by"]
        for r in rows
        if r["dispense"] and r["quantity"].startswith("-")
    }
    assert checked == {"01-001": "PS", "01-002": ""}
    with speaking(Language.ZH_CN):
        chinese = read(reports.darf_pdf(meta, records, study=ctx.study))
    assert "核对人" in chinese and " PS " in chinese
    with speaking(Language.EN):
        english = read(reports.darf_pdf(meta, records, study=ctx.study))
    # The English page is read in order (a Chinese page's cells come back in another order):
    # the checker beside the recorder on the checked dispense's line; the cell empty on the
    # line nobody checked.
    assert "Checked by" in english
    assert "K0011 PP PS DSP000001" in english
    assert "K0012 PP DSP000002" in english


def test_the_monitor_pack_names_the_checker(
    ctx: Context, two_dispenses: None, monitor: Actor
) -> None:
    today = ctx.clock.today()
    meta = report_data.report_meta(ctx, monitor)
    pack = report_data.monitor_pack(ctx, monitor, today, today)
    checked = [line.checked_by for d in pack.darfs for line in d.lines if line.participant]
    assert sorted(checked) == ["", "PS"]
    with speaking(Language.EN):
        text = read(reports.monitor_pack_pdf(meta, ctx.study, pack))
    assert "Checked by" in text
    assert "PP PS DSP000001" in text and "PP DSP000002" in text


def test_the_participant_report_names_who_dispensed_and_who_checked(
    ctx: Context, two_dispenses: None, monitor: Actor
) -> None:
    meta = report_data.report_meta(ctx, monitor)
    checked = report_data.participant_report(ctx, monitor, "01-001")
    alone = report_data.participant_report(ctx, monitor, "01-002")
    assert [(r.dispensed_by, r.checked_by) for r in checked.history] == [("Paula Pharm", CHECKER)]
    assert [(r.dispensed_by, r.checked_by) for r in alone.history] == [("Paula Pharm", "")]
    for language, heading in ((Language.EN, "Checked by"), (Language.ZH_CN, "核对人")):
        with speaking(language):
            text = read(reports.participant_pdf(meta, ctx.study, checked))
            bare = read(reports.participant_pdf(meta, ctx.study, alone))
        assert heading in text and CHECKER in text and "Paula Pharm" in text
        assert "Paula Pharm —" in bare and CHECKER not in bare  # nobody checked: a dash
    [row] = read_rows(reports.participant_csv(meta, checked))
    assert (row["dispensed_by"], row["checked_by"]) == ("Paula Pharm", CHECKER)
    [row] = read_rows(reports.participant_csv(meta, alone))
    assert (row["dispensed_by"], row["checked_by"]) == ("Paula Pharm", "")


def test_the_participant_record_reads_the_people_with_the_dispenses(
    ctx: Context, two_dispenses: None, monitor: Actor
) -> None:
    [row] = queries.participant_record(ctx, monitor, "01-001").history
    assert (row.dispensed_by_username, row.checked_by_username) == ("pharm", "pharm2")
    # and their initials, as the DARF and the dispensing label sign them
    assert (row.dispensed_by_initials, row.checked_by_initials) == ("PP", "PS")
    [row] = queries.participant_record(ctx, monitor, "01-002").history
    assert (row.dispensed_by_username, row.checked_by, row.checked_by_username) == ("pharm", "", "")
    assert (row.dispensed_by_initials, row.checked_by_initials) == ("PP", "")
