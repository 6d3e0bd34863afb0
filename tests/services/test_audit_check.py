"""The reconciliation's audit trail check: from the last point that verified, kept in a file
outside the database, or in full (no point, a point the chain no longer holds, the sign-off)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest

from dispensary.db.engine import make_engine
from dispensary.domain.errors import RuleViolation
from dispensary.services import audit_check, reconciliation
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import ReconcileResult
from signed import seen_now

from .conftest import Stock
from .helpers import busy_pharmacy, dispense, enroll, scalar, sql

Password = Callable[[Actor], str]

IN_FULL = "Audit trail checked in full."


def _chain_findings(result: ReconcileResult) -> list[str]:
    return [d.message for d in result.discrepancies if d.kind == "audit_chain"]


def _busy(ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password) -> None:
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))


def _later_step(ctx: Context, pharmacist: Actor, pw: Password) -> None:
    """One more step through the program: a new participant's first cycle."""
    number = enroll(ctx, pharmacist, "01-077").study_number
    dispense(ctx, pharmacist, pw(pharmacist), number)


def test_a_new_process_checks_only_what_was_written_since_the_last_full_check(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    _busy(ctx, clock, pharmacist, pw)
    first = reconciliation.reconcile(ctx, monitor)
    assert first.audit_checked_in_full and first.audit_check == IN_FULL
    assert not _chain_findings(first)
    verified_to = scalar(ctx, "SELECT MAX(id) FROM audit_entries")
    kept = audit_check.kept_point(ctx)
    assert kept is not None and kept.point.position == kept.full_position == verified_to
    _later_step(ctx, pharmacist, pw)

    # Another process: the `dispensary` command on the same database, signed in afresh.
    script = (
        "import json, sys\n"
        "from datetime import datetime\n"
        "from dispensary.db.engine import make_engine\n"
        "from dispensary.services import reconciliation, users\n"
        "from dispensary.services.context import Context, FixedClock\n"
        "from dispensary.study import load_study, default_study_path\n"
        "clock = FixedClock(datetime.fromisoformat(sys.argv[3]))\n"
        "ctx = Context(make_engine(sys.argv[1]), load_study(default_study_path()), clock,"
        " sys.argv[1])\n"
        "actor = users.sign_in(ctx, 'monitor', sys.argv[2])\n"
        "r = reconciliation.reconcile(ctx, actor)\n"
        "print(json.dumps([r.audit_checked_in_full, r.audit_check,"
        " [d.kind for d in r.discrepancies]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, ctx.database, pw(monitor), clock.now().isoformat()],
        capture_output=True,
        text=True,
        check=True,
    )
    in_full, words, kinds = json.loads(done.stdout.strip().splitlines()[-1])
    assert not in_full
    assert words == (
        f"Audit trail verified in full to entry {verified_to} on {clock.today().isoformat()}, "
        f"later entries at each check since (this one: after entry {verified_to})."
    )
    assert "audit_chain" not in kinds
    # The other process moved the point on to what it checked.
    moved = audit_check.kept_point(ctx)
    assert moved is not None and moved.point.position > verified_to
    assert moved.full_position == verified_to


def test_a_record_tampered_after_the_point_is_still_caught(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    _busy(ctx, clock, pharmacist, pw)
    assert reconciliation.reconcile(ctx, monitor).audit_checked_in_full
    point = audit_check.kept_point(ctx)
    assert point is not None
    _later_step(ctx, pharmacist, pw)
    row = scalar(ctx, "SELECT MAX(id) FROM ledger_entries")
    sql(ctx, "UPDATE ledger_entries SET quantity = quantity + 1 WHERE id = :i", i=row)

    fresh = Context(make_engine(ctx.database), ctx.study, clock, ctx.database)
    result = reconciliation.reconcile(fresh, monitor)
    fresh.engine.dispose()
    assert not result.audit_checked_in_full
    [finding] = _chain_findings(result)
    assert f"ledger row {row} was changed" in finding
    # A check that failed leaves the point where it was.
    assert audit_check.kept_point(ctx) == point


def test_a_point_the_chain_no_longer_holds_means_a_full_check(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    _busy(ctx, clock, pharmacist, pw)
    reconciliation.reconcile(ctx, monitor)
    path = audit_check.point_file(ctx)
    data = json.loads(path.read_text(encoding="utf-8"))
    # As after a restore of another backup or a rewritten chain: the entry's hash differs.
    data["audit_hash"] = "0" * 64
    path.write_text(json.dumps(data), encoding="utf-8")
    _later_step(ctx, pharmacist, pw)
    result = reconciliation.reconcile(ctx, monitor)
    assert result.audit_checked_in_full and result.audit_check == IN_FULL
    assert not _chain_findings(result)
    # The full check that passed wrote a point the chain holds.
    kept = audit_check.kept_point(ctx)
    assert kept is not None and kept.point.audit_hash != "0" * 64
    assert kept.point.position == scalar(ctx, "SELECT MAX(id) FROM audit_entries")

    path.write_text("not a point", encoding="utf-8")  # unreadable: a full check too
    assert reconciliation.reconcile(ctx, monitor).audit_checked_in_full


def test_the_sign_off_verifies_in_full_and_sees_an_old_edit_the_quick_check_cannot(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    _busy(ctx, clock, pharmacist, pw)
    assert not _chain_findings(reconciliation.reconcile(ctx, monitor))
    old = scalar(ctx, "SELECT MIN(id) FROM ledger_entries WHERE kind = 'dispense'")
    sql(ctx, "UPDATE ledger_entries SET quantity = 20 WHERE id = :i", i=old)

    # The quick check reads only what was written since the point: the old edit is not seen
    # (README, Reliability: what an incremental check does not see).
    quick = reconciliation.reconcile(ctx, monitor)
    assert not quick.audit_checked_in_full and not _chain_findings(quick)

    # The sign-off's full check sees it, and refuses: nothing is attested over an edited
    # trail. The failed full check lets go of the point: the next reconciliation is in full.
    with pytest.raises(RuleViolation, match=f"ledger row {old} was changed") as refused:
        reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 3", seen=seen_now(ctx))
    assert refused.value.message.startswith(
        "The reconciliation cannot be signed off: the audit trail does not verify."
    )
    after = reconciliation.reconcile(ctx, monitor)
    assert after.audit_checked_in_full and after.audit_check == IN_FULL
    assert not after.audit_verified and after.signoffs == ()
    [finding] = _chain_findings(after)
    assert f"ledger row {old} was changed" in finding
