"""`dispensary check dispense`: the counter's assessment on a terminal, with nothing written.

Run in-process (`cli.main(argv)`), on a small pharmacy built through the services."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from dispensary import cli
from dispensary.services import dispensing, participants, receiving, setup
from dispensary.services.context import Actor, Context

P75 = "herombopag-7.5mg"


@dataclass
class Terminal:
    ctx: Context
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    def __call__(self, *argv: str, today: str = "2026-01-05") -> tuple[int, str, str]:
        self.capsys.readouterr()
        with self.monkeypatch.context() as patch:
            patch.setenv("DISPENSARY_TODAY", today)
            code = cli.main(list(argv))
        out, err = self.capsys.readouterr()
        return code, out, err

    def written(self) -> tuple[int, int, int]:
        """Dispenses, ledger rows and kit statuses changed: what a check must never touch."""
        with self.ctx.engine.connect() as conn:
            counts = [
                conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("dispenses", "ledger_entries")
            ]
            dispensed = conn.execute(
                text("SELECT COUNT(*) FROM kits WHERE status = 'dispensed'")
            ).scalar_one()
        return counts[0], counts[1], dispensed


@pytest.fixture
def terminal(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Terminal:
    """K0001-K0004 (lot L1, 2027-06-30) and K0011-K0012 (lot L2, 2026-12-31, first out);
    01-001 had cycle 1 on 2026-01-05 (K0011), its return not recorded."""
    for kits, lot, expiry in (
        ("K0001-K0004", "L1", date(2027, 6, 30)),
        ("K0011-K0012", "L2", date(2026, 12, 31)),
    ):
        listed = receiving.kits_from_range(ctx, kits, P75, lot, expiry, None)
        receiving.receive_shipment(ctx, pharmacist, f"SH-{lot}", listed)
    participants.enroll(ctx, pharmacist, "01-001", "AB", 1970, "F", "Dr Liu")
    dispensing.dispense_cycle(ctx, pharmacist, "01-001", 1, date(2026, 1, 5), pw(pharmacist))
    if Path(ctx.database).is_file():
        Path(ctx.database).chmod(0o600)  # owner-only, as the program makes it (else a warning)
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPENSARY_DB", ctx.database)
    monkeypatch.setenv("DISPENSARY_USER", pharmacist.username)
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    monkeypatch.setattr(setup, "training_clock_allowed", lambda _ctx: True)
    return Terminal(ctx, capsys, monkeypatch)


def test_the_next_cycle_on_the_same_day_is_refused_and_nothing_is_written(
    terminal: Terminal,
) -> None:
    before = terminal.written()
    code, out, err = terminal("check", "dispense", "01-001", "--cycle", "2", "--json")
    assert code == 3
    found = json.loads(out)
    assert (found["cycle"], found["cycle_due"], found["accepted"]) == (2, 2, False)
    assert (found["earliest_day1"], found["latest_day1"]) == ("2026-01-23", "2026-01-12")
    assert [r["code"] for r in found["refusals"]] == ["too_early"]
    assert err.startswith("Refused: Too early for cycle 2: its earliest day 1 is 2026-01-23")
    assert terminal.written() == before


def test_a_missing_return_needs_an_override_and_a_reason_makes_it_acceptable(
    terminal: Terminal,
) -> None:
    before = terminal.written()
    args = ["check", "dispense", "01-001", "--cycle", "2", "--day1", "2026-01-26"]
    code, out, err = terminal(*args, today="2026-01-26")
    assert code == 3
    assert out.startswith("Dispense of cycle 2 to 01-001, day 1 2026-01-26: needs an override.")
    assert "  Proposed    K0012  lot L2  exp 2026-12-31  21 tablets" in out
    assert "(override: a reason to dispense anyway, missing)" in out
    assert err.startswith("Needs an override: The return of cycle 1 (DSP000001) is not recorded")

    code, out, err = terminal(*args, "--override-reason", "bottle forgotten", today="2026-01-26")
    assert code == 0, err
    assert "would be accepted as it stands" in out.splitlines()[0]
    assert "(override: a reason to dispense anyway, given)" in out
    assert terminal.written() == before


def test_scanned_kits_get_a_verdict_each(terminal: Terminal) -> None:
    args = ["check", "dispense", "01-001", "--day1", "2026-01-26", "--json"]
    extra = ["--override-reason", "bottle forgotten"]
    code, out, _err = terminal(*args, *extra, "--kit", "K0001", today="2026-01-26")
    found = json.loads(out)
    assert (code, found["cycle"], found["accepted"]) == (0, 2, True)
    assert found["kits"] == [{"kit": "K0001", "accepted": True, "message": ""}]
    assert [w["code"] for w in found["warnings"]] == ["previous_return_missing", "not_first_expiry"]
    assert all(w["given"] for w in found["warnings"])  # one reason overrides both

    code, out, _err = terminal(*args, *extra, "--kit", "01-001", today="2026-01-26")
    found = json.loads(out)
    assert code == 3
    [verdict] = found["kits"]
    assert not verdict["accepted"]
    assert verdict["message"].startswith("01-001 is a participant's study number, not a kit")


def test_an_unknown_participant_is_refused_as_the_dispense_is(terminal: Terminal) -> None:
    code, out, err = terminal("check", "dispense", "09-999")
    assert (code, out) == (3, "")
    assert "Participant 09-999 is not enrolled" in err


def test_check_alone_asks_for_an_action(terminal: Terminal) -> None:
    code, _out, err = terminal("check")
    assert code == 2 and "'check' needs an action" in err
