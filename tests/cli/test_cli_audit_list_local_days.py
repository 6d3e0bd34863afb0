"""`audit list --from/--to` takes this workstation's local days, as the Audit trail screen and
the audit report count them (services.audit.AuditFilter): it took UTC days, so a pharmacist in
Henan (UTC+8) who listed 1 March saw the entries from 08:00 on 1 March to 08:00 on 2 March,
local, and the screen and the report of that day others. The text list gives each time in UTC
and in the workstation's zone (once, in UTC, where it keeps UTC); the JSON keeps its shape (`at` in UTC)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from cli_support import DEMO_TODAY, SUBPROCESS_ENV, Cli

from dispensary.cli import run
from dispensary.services.context import clock_on

HENAN = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The workstation's clock in China's zone (UTC+8, no summer time)."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


def _local_day(entry: dict[str, object]) -> date:
    return datetime.fromisoformat(str(entry["at"])).astimezone(HENAN).date()


def test_the_days_are_the_workstations_local_days(
    cli: Cli, shanghai: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cli.subprocess or os.environ.get(SUBPROCESS_ENV) == "1":
        pytest.skip("the real time is given to the command in this process")
    # The training day's clock runs through its last six hours UTC: 02:00 to 08:00 on the
    # next day in Henan. A quarantine at 00:00 real time is made at 18:00 UTC on the demo's
    # last day (or just after its last entry): 3 March, 02:00 or later, local.
    monkeypatch.setattr(run, "clock_on", partial(clock_on, real=datetime(2026, 12, 7, tzinfo=UTC)))
    held = cli("quarantine", "K5011", "--reason", "seal broken")
    assert held.code == 0, held.err
    every = cli("audit", "list", "--json", user="monitor").json()
    quarantine = [e for e in every if e["action"] == "quarantine" and e["entity_id"] == "K5011"]
    assert len(quarantine) == 1 and _local_day(quarantine[0]) == date(2026, 3, 3)
    made = datetime.fromisoformat(quarantine[0]["at"])
    assert made.astimezone(UTC).date() == DEMO_TODAY  # a UTC day would put it on 2 March

    for day in (date(2026, 3, 1), DEMO_TODAY, date(2026, 3, 3)):
        listed = cli(
            "audit",
            "list",
            "--from",
            day.isoformat(),
            "--to",
            day.isoformat(),
            "--json",
            user="monitor",
        ).json()
        # Each day lists exactly the entries made that day on this workstation's clock (and
        # the sign-ins of the lists since, each command's).
        wanted = [e["id"] for e in every if _local_day(e) == day]
        assert [e["id"] for e in listed if e["id"] <= every[-1]["id"]] == wanted, day
        assert wanted or day != DEMO_TODAY
    on_the_third = cli("audit", "list", "--from", "2026-03-03", "--json", user="monitor").json()
    assert quarantine[0]["id"] in [e["id"] for e in on_the_third]
    on_the_second = cli("audit", "list", "--to", "2026-03-02", "--json", user="monitor").json()
    assert quarantine[0]["id"] not in [e["id"] for e in on_the_second]
    # The JSON keeps its keys; the text list gives the local time with its zone beside UTC.
    assert set(on_the_third[0]) == set(every[0])
    text = cli("audit", "list", "--from", "2026-03-03", "--to", "2026-03-03", user="monitor")
    assert text.code == 0, text.err
    assert "When (UTC)" in text.out and "When (UTC+08:00)" in text.out, text.out
    line = next(x for x in text.out.splitlines() if x.lstrip().startswith(str(quarantine[0]["id"])))
    local = made.astimezone(HENAN)
    assert f"{made.astimezone(UTC):%Y-%m-%d %H:%M}" in line and f"{local:%Y-%m-%d %H:%M}" in line


def test_a_workstation_that_keeps_utc_says_the_time_once(cli: Cli) -> None:
    if datetime.now().astimezone().utcoffset():
        pytest.skip("this machine's clock is not on UTC")
    listed = cli("audit", "list", "--limit", "3", user="monitor")
    assert listed.code == 0, listed.err
    assert "When (UTC)" in listed.out and "When (UTC+00:00)" not in listed.out


def test_the_help_says_local_days(cli: Cli) -> None:
    shown = cli("audit", "list", "--help", user=None)
    assert "local day of this workstation" in " ".join(shown.out.split()), shown.out
    assert "(UTC)" not in shown.out
