"""The audit trail's exports carry what its PDF and window show, and a signer's role is the one
held when signing.

The audit report's CSV and `audit list --json` lacked the signatures (printed name, role,
meaning, time: 21 CFR 11.50) and the kit, dispense and participant looked up for a return, so
an inspector's spreadsheet held less than the PDF. And every signature named the signer's role
now, read from the users table: an account whose role changed since read with the new role on
old signatures."""

from __future__ import annotations

import io
from collections.abc import Callable

from pypdf import PdfReader

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.reports.csvfile import read_rows
from dispensary.services import audit, report_data, returns, users
from dispensary.services.audit import AuditFilter
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult

from .helpers import sql


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text().replace("\u00a0", " ").split()) for p in reader.pages)


def test_the_export_rows_carry_the_signatures_and_the_returns_kit_and_participant(
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    monitor: Actor,
    pw: Callable[[Actor], str],
) -> None:
    [kit] = [k.kit for k in cycle1.kits]
    back = returns.record_return(ctx, pharmacist, kit, 2, pw(pharmacist), dispense=cycle1.number)
    found = audit.export_entries(ctx, monitor)
    by_action = {e.entry.action: e for e in found}
    given = by_action["dispense"]
    [signed] = given.signatures
    assert (signed.username, signed.full_name, signed.role, signed.meaning) == (
        "pharm",
        "Paula Pharm",
        "pharmacist",
        "dispensed",
    )
    returned = by_action["return"]
    assert returned.entry.entity_id == str(back.return_id)
    assert (returned.kit, returned.dispense, returned.participant) == (kit, cycle1.number, "01-001")
    assert [s.meaning for s in returned.signatures] == ["return counted"]
    assert (given.kit, given.dispense, given.participant) == ("", "", "")

    whole = report_data.audit_report(ctx, monitor)
    meta = report_data.report_meta(ctx, monitor)
    with speaking(Language.EN):
        text = reports.audit_csv(meta, whole)
    rows = {r["id"]: r for r in read_rows(text)}
    row = rows[str(returned.entry.id)]
    assert (row["return_kit"], row["return_dispense"], row["return_participant"]) == (
        kit,
        cycle1.number,
        "01-001",
    )
    assert row["signature_1_full_name"] == "Paula Pharm"
    assert row["signature_1_username"] == "pharm"
    assert row["signature_1_role"] == "pharmacist"
    assert row["signature_1_meaning"] == "return counted"
    assert row["signature_1_at_utc"] == returned.signatures[0].at.isoformat()
    assert rows[str(given.entry.id)]["signature_1_meaning"] == "dispensed"
    enrolled = next(e for e in found if e.entry.action == "enroll")
    assert rows[str(enrolled.entry.id)]["signature_1_username"] == ""


def test_the_csv_of_one_kits_entries_says_whose_they_are(
    ctx: Context, cycle1: DispenseResult, monitor: Actor
) -> None:
    """The PDF's cover names the kit or participant the entries were kept for: the CSV's
    notes say it too, else the file reads as the whole trail."""
    [kit] = [k.kit for k in cycle1.kits]
    kept = report_data.audit_report(ctx, monitor, AuditFilter(kit=kit, participant="01-001"))
    meta = report_data.report_meta(ctx, monitor)
    with speaking(Language.EN):
        text = reports.audit_csv(meta, kept)
    first = text.splitlines()[0]
    assert f"; kit {kit}; participant 01-001" in first, first
    with speaking(Language.ZH_CN):
        chinese = reports.audit_csv(meta, kept).splitlines()[0]
    assert f"；药盒 {kit}；受试者 01-001" in chinese, chinese
    # The facts were gathered in English; the title's verdict is the reader's all the same.
    assert "The audit trail and ledger verify" not in chinese, chinese
    assert "链校验通过：" in chinese, chinese


def test_a_signer_shows_the_role_held_when_signing_not_the_role_now(
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    monitor: Actor,
    pw: Callable[[Actor], str],
) -> None:
    """Made administrator after signing (an edit of the users table: the program itself never
    changes a role), the pharmacist's sign-in records the new role; the dispense signed before
    still shows "pharmacist" in the window's signers, the PDF, the CSV and the JSON rows, while
    the list of people names the account's role now."""
    sql(ctx, "UPDATE users SET role = 'administrator' WHERE username = 'pharm'")
    users.sign_in(ctx, "pharm", pw(pharmacist))  # the trail records the role it has now
    found = audit.export_entries(ctx, monitor)
    given = next(e for e in found if e.entry.action == "dispense")
    assert [s.role for s in given.signatures] == ["pharmacist"]
    signers = audit.signers_of(ctx, monitor, [given.entry.id])
    assert [s.role for s in signers.signatures[given.entry.id]] == ["pharmacist"]
    assert {p.username: p.role for p in signers.people}["pharm"] == "administrator"
    assert signers.roles[given.entry.id] == "pharmacist"  # the entry's user then, not now
    since = max(
        e.entry.id for e in found if e.entry.action == "sign_in" and e.entry.username == "pharm"
    )
    later = audit.signers_of(ctx, monitor, [given.entry.id, since])
    assert later.roles == {given.entry.id: "pharmacist", since: "administrator"}

    whole = report_data.audit_report(ctx, monitor)
    meta = report_data.report_meta(ctx, monitor)
    with speaking(Language.EN):
        text = reports.audit_csv(meta, whole)
        pdf = reports.audit_pdf(meta, ctx.study, whole)
    [row] = [r for r in read_rows(text) if r["id"] == str(given.entry.id)]
    assert row["signature_1_role"] == "pharmacist"
    body = _pdf_text(pdf)
    assert "Paula Pharm (Pharmacist): dispensed" in body
    assert "Paula Pharm (Administrator)" not in body
