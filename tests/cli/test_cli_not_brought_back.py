"""`return --not-brought-back` says the kit was not brought back (never "0 tablets back"), the
kit stays out with the participant, and `destroy` refuses it saying how to record its return."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from cli_support import DEMO_TODAY, Cli
from test_cli_rules_returns import _dispensed

from dispensary.services.demo import DEMO_PASSWORD

DESTROY = ("--witness", "technician", "--method", "incineration", "--reference", "R1")


def test_a_kit_not_brought_back_is_said_so_and_cannot_be_destroyed(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    dispense, kit = _dispensed(cli)
    cli.today = DEMO_TODAY + timedelta(days=21)
    back = cli(
        "return", "--dispense", dispense, "--kit", kit, "--not-brought-back", "--tablets", "0"
    )
    assert back.code == 0, back.err
    head = back.out.splitlines()[0]
    assert head.endswith(": not brought back (still with the participant or lost).")
    assert "0 tablets" not in head
    number = int(head.split()[1])

    [row] = [k for k in cli("inventory", "--json").json() if k["kit"] == kit]
    assert row["status"] == "dispensed"

    before = state(cli.db)
    refused = cli("destroy", kit, *DESTROY, env={"DISPENSARY_WITNESS_PASSWORD": DEMO_PASSWORD})
    assert refused.code == 3, refused.err
    assert f"Kit {kit} was not brought back (return {number} of " in refused.err
    assert f"`dispensary correct-return {number}`" in refused.err
    assert state(cli.db) == before
