"""Builders for the states service tests start from: stock received, participants enrolled,
cycles dispensed. Each is a real service call, so the ledger and audit trail stay whole."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text

from dispensary import reports
from dispensary.db.engine import is_sqlite
from dispensary.domain.errors import DispensaryError
from dispensary.i18n import Language, speaking
from dispensary.reports.csvfile import read_rows
from dispensary.services import (
    counts,
    destruction,
    dispensing,
    participants,
    receiving,
    report_data,
    returns,
    setup,
)
from dispensary.services.assessment import DispenseRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import (
    CountResult,
    DispenseResult,
    ParticipantRow,
    ReceiveResult,
)
from dispensary.services.setup import OpenedDatabase
from reports.pdfread import pdf_text
from tamper import edit_file, triggers_off

P75 = "herombopag-7.5mg"
P25 = "herombopag-2.5mg"
N75 = "herombopag (hetrombopag olamine) 7.5 mg tablet"
N25 = "herombopag (hetrombopag olamine) 2.5 mg tablet"
"""The products as the study file names them in English (messages name them so)."""
LATE = date(2027, 6, 30)
EARLY = date(2026, 12, 31)
TECH_PASSWORD = "tech-pass-1"
IN_HAND: dict[str, Any] = {"override_reason": "in hand", "overrides": ["not_first_expiry"]}
"""A kit scanned that is not the first to expire, dispensed anyway: the reason and the code."""
WITNESSED: dict[str, Any] = {
    "witness_password": TECH_PASSWORD,
    "reference": "AUTH-1",
    "reason_code": "study_closed",
    "unseen_returns_ok": True,
}
"""What a destruction witnessed by `tech` needs besides the kits: the witness's signature, the
sponsor's authorisation, the reason code of in-date kits, the acknowledgement of returned
tablets no monitor has seen (these fixtures sign off no reconciliation)."""
ADJUSTED: dict[str, Any] = {
    "reason_code": "breakage",
    "reason": "one crushed",
    "verified_by": "pharm",
    "verifier_password": "pharm-pass-1",
}
"""What a count that adjusts a kit's book needs besides the count: the reason (one tablet
crushed) and its verification by the pharmacist `pharm`."""


def receive(
    ctx: Context,
    actor: Actor,
    kits: str = "K0001-K0010",
    lot: str = "L1",
    expiry: date = LATE,
    product: str = P75,
    shipment: str | None = None,
    **options: Any,
) -> ReceiveResult:
    listed = receiving.kits_from_range(ctx, kits, product, lot, expiry, None)
    return receiving.receive_shipment(ctx, actor, shipment or f"SH-{kits}", listed, **options)


def receive_small_kits(
    ctx: Context, actor: Actor, shipment: str, kits: Sequence[receiving.KitIn]
) -> ReceiveResult:
    """Kits of fewer tablets than the study file's (a receipt refuses another count per kit):
    received as if the study file gave their count, for the tests of a dispense of several
    kits; the records are those of kits of that count in this study."""
    counts = {kit.product: kit.tablets for kit in kits}
    products = tuple(
        replace(p, tablets_per_kit=counts.get(p.code, p.tablets_per_kit))
        for p in ctx.study.products
    )
    smaller = replace(ctx, study=replace(ctx.study, products=products))
    return receiving.receive_shipment(smaller, actor, shipment, kits)


def enroll(
    ctx: Context,
    actor: Actor,
    number: str = "01-001",
    initials: str = "AB",
    birth_year: int = 1970,
    sex: str = "F",
    **options: Any,
) -> ParticipantRow:
    """Enrols with the study's whole eligibility checklist confirmed (as the service requires)
    unless a test gives `criteria_confirmed` itself."""
    options.setdefault("criteria_confirmed", participants.eligibility_checklist(ctx.study))
    return participants.enroll(ctx, actor, number, initials, birth_year, sex, "Dr Liu", **options)


def dispense(
    ctx: Context,
    actor: Actor,
    password: str,
    number: str = "01-001",
    cycle: int = 1,
    day1: date | None = None,
    **options: Any,
) -> DispenseResult:
    day = day1 or ctx.clock.today()
    return dispensing.dispense_cycle(ctx, actor, number, cycle, day, password, **options)


_REQUESTED = (
    "dispensed_on",
    "override_reason",
    "platelet_count",
    "dose_ordered_by",
    "observations",
    "irt_confirmation",
    "irt_kit",
)


def read_then_dispense(
    ctx: Context,
    actor: Actor,
    password: str,
    number: str,
    cycle: int,
    day1: date,
    **options: Any,
) -> DispenseResult:
    """A dispense as a pharmacist gives it after reading the check: the reason names the
    warnings the assessment shows (every one that needs it), nothing more. For the tests whose
    subject is not the override; those of the override name the codes themselves."""
    overrides: tuple[str, ...] = ()
    if options.get("override_reason"):
        request = DispenseRequest(
            number,
            cycle=cycle,
            day1=day1,
            dose_level=options.get("dose_level", 0),
            kits=tuple(options.get("kits", ())),
            **{k: v for k, v in options.items() if k in _REQUESTED},
        )
        with suppress(DispensaryError):  # the dispense then says it, as it would have
            overrides = dispensing.assess_dispense(ctx, actor, request).override_codes
    return dispensing.dispense_cycle(
        ctx, actor, number, cycle, day1, password, overrides=overrides, **options
    )


def sql(ctx: Context, statement: str, **params: Any) -> None:
    """A direct edit behind the program's back, as a tamperer with the file would make it: the
    append-only triggers dropped first and put back after (tests/tamper.py)."""
    if is_sqlite(ctx.engine):
        edit_file(ctx.database, statement, **params)  # with the sqlite3 module, as a tool would
        return
    with ctx.engine.begin() as conn, triggers_off(conn):
        conn.execute(text(statement), params)


def scalar(ctx: Context, statement: str, **params: Any) -> Any:
    with ctx.engine.connect() as conn:
        return conn.execute(text(statement), params).scalar()


def busy_pharmacy(
    ctx: Context, clock: FixedClock, pharmacist: Actor, password: str, recount: bool = True
) -> None:
    """Two participants over two cycles: every kind of movement, a void and a correction (the
    return of K0011 recorded as 2 and corrected to 3; with `recount` False, recorded as 3).

    Starts from the `stock` and `enrolled` fixtures on 2026-01-05; ends on 2026-01-26."""
    enroll(ctx, pharmacist, "01-002", "CD")
    dispense(ctx, pharmacist, password, "01-001")  # K0011
    dispense(ctx, pharmacist, password, "01-002", kits=["K0001"], **IN_HAND)
    dispensing.void_dispense(ctx, pharmacist, "DSP000002", "wrong kit scanned", password)
    dispense(ctx, pharmacist, password, "01-002", dose_level=-1, dose_ordered_by="Dr Liu")  # S0001
    counts.record_count(
        ctx, pharmacist, "K0005", 20, password, "breakage", "crushed", "tech", "tech-pass-1"
    )
    clock.set_date(date(2026, 1, 26))
    if recount:
        first = returns.record_return(ctx, pharmacist, "K0011", 2, password, dispense="DSP000001")
        returns.correct_return(ctx, pharmacist, first.return_id, 3, "recount", password)
    else:
        returns.record_return(ctx, pharmacist, "K0011", 3, password, dispense="DSP000001")
    returns.record_return(ctx, pharmacist, "S0001", 0, password, dispense="DSP000003")
    destruction.destroy(
        ctx, pharmacist, ["K0011", "K0020"], "tech", "incineration", password, **WITNESSED
    )
    dispense(ctx, pharmacist, password, "01-001", cycle=2)  # K0012


def write_off(
    ctx: Context,
    actor: Actor,
    kit: str,
    counted: int,
    password: str,
    reason_code: str = "breakage",
    reason: str = "one crushed",
) -> CountResult:
    """A count short of the kit's book, its difference adjusted at once: the reason given and
    verified by the technician (tech)."""
    return counts.record_count(
        ctx, actor, kit, counted, password, reason_code, reason, "tech", TECH_PASSWORD
    )


def adjust_count(
    ctx: Context, actor: Actor, password: str, kit: str, counted: int, book: int, of: CountResult
) -> CountResult:
    """`kit` counted `counted` against the book `book`, adjusting the count `of` (open for that
    difference), with the reason and verification of ADJUSTED."""
    return counts.record_count(
        ctx,
        actor,
        kit,
        counted,
        password,
        expected_book=book,
        adjusting_count=of.count_id,
        **ADJUSTED,
    )


def return_all(ctx: Context, actor: Actor, password: str, result: DispenseResult) -> None:
    """Every kit of a dispense back empty: the cycle's return is recorded."""
    for kit in result.kits:
        returns.record_return(ctx, actor, kit.kit, 0, password, dispense=result.number)


OLD_RELEASE = Path(__file__).parents[1] / "fixtures" / "release-0007-demo.sqlite3.gz"
"""The demo pharmacy as release 0007 made it: one study, 174 kits (six quarantined at receipt,
then released), 24 participants, 118 dispenses."""


def old_release_copy(tmp_path: Path) -> Path:
    """A copy of the release 0007 demo database, unpacked into tmp_path (not opened)."""
    path = tmp_path / "pharmacy.sqlite3"
    with gzip.open(OLD_RELEASE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def open_old_release(tmp_path: Path) -> OpenedDatabase:
    """That copy opened (upgraded in place, a copy kept) on 2026-12-03 at 18:00."""
    clock = FixedClock()
    clock.set_date(date(2026, 12, 3), hour=18)
    return setup.open_database(str(old_release_copy(tmp_path)), clock)


@dataclass(frozen=True)
class AuditTrailRead:
    """The audit trail's report as a monitor takes it: the PDF's text in English and in Chinese
    (pdfread.pdf_text), the Chinese PDF itself, and the English CSV's rows by entry id."""

    english: str
    chinese: str
    chinese_pdf: bytes
    rows: dict[str, dict[str, str]]


def read_audit_trail(ctx: Context, monitor: Actor) -> AuditTrailRead:
    """The whole audit trail's report (PDF and CSV) made for `monitor` and read back."""
    whole = report_data.audit_report(ctx, monitor)
    meta = report_data.report_meta(ctx, monitor)
    with speaking(Language.EN):
        english = pdf_text(reports.audit_pdf(meta, ctx.study, whole))
        rows = {row["id"]: row for row in read_rows(reports.audit_csv(meta, whole))}
    with speaking(Language.ZH_CN):
        chinese_pdf = reports.audit_pdf(meta, ctx.study, whole)
    return AuditTrailRead(english, pdf_text(chinese_pdf), chinese_pdf, rows)
