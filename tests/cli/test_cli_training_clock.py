"""DISPENSARY_TODAY across real midnight: the fixed day's clock follows the real time of day,
which starts again at 00:00, behind what was recorded at 23:59. A command then was refused as a
clock set back ("This computer's clock (2026-03-02 18:00 UTC) is behind the last entry of the
audit trail (2026-03-02 23:59 UTC)..."); it records on. The real time is given to the command,
so the test does not depend on the calendar."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import partial

import pytest
from cli_support import DEMO_TODAY, SUBPROCESS_ENV, Cli
from sqlalchemy import select

from dispensary.cli import run
from dispensary.db.engine import make_engine, read_transaction
from dispensary.db.models import AuditEntry
from dispensary.services.context import clock_on


def _entries(db: str) -> list[tuple[str, datetime]]:
    engine = make_engine(db)
    try:
        with read_transaction(engine) as s:
            return list(s.execute(select(AuditEntry.action, AuditEntry.at).order_by(AuditEntry.id)))
    finally:
        engine.dispose()


def test_a_training_session_across_real_midnight_records_on(
    cli: Cli, demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cli.subprocess or os.environ.get(SUBPROCESS_ENV) == "1":
        pytest.skip("the real time is given to the command in this process")

    def at_real(moment: datetime) -> None:
        monkeypatch.setattr(run, "clock_on", partial(clock_on, real=moment))

    at_real(datetime(2026, 12, 6, 23, 59, tzinfo=UTC))
    held = cli("quarantine", "K5011", "--reason", "seal broken")
    assert held.code == 0, held.err
    late = _entries(demo_db)[-1]
    assert late == ("quarantine", datetime(2026, 3, 2, 23, 59, 45, tzinfo=UTC))

    at_real(datetime(2026, 12, 7, 0, 1, tzinfo=UTC))  # the clock alone says 18:00:15
    released = cli("release", "K5011", "--reason", "sponsor said yes", "--reference", "TE-2026-014")
    assert released.code == 0, released.err
    at_real(datetime(2026, 12, 9, 10, 0, tzinfo=UTC))  # days later, the same training day
    listed = cli("inventory", "--json")
    assert listed.code == 0, listed.err
    after = _entries(demo_db)[-3:]
    assert [a for a, _ in after] == ["sign_in", "release", "sign_in"], after
    assert all(when == late[1] for _, when in after), after
    assert all(when.date() == DEMO_TODAY for _, when in after)
    verified = cli("audit", "verify", user="admin")
    assert verified.code == 0, verified.err + verified.out
