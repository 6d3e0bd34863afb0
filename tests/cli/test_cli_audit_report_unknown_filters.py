"""Review s12: `report audit --by/--action` as the Reports window's pickers keep them: an action
or a user mistyped is refused, naming it and listing the action codes (an empty report said
nothing of the typo), and `report audit --help` lists the codes as `audit list --help` does."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

from dispensary.domain.audit_actions import AuditAction


def test_an_unknown_action_or_user_is_refused_saying_which_are_known(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "trail.csv"
    made = cli("report", "audit", "--action", "dispens", "--out", str(out), user="monitor")
    assert made.code == 3, made
    assert '"dispens"' in made.err and "dispense_voided" in made.err, made.err
    assert all(a.value in made.err for a in AuditAction)
    assert not out.exists()
    made = cli("report", "audit", "--by", "nobdy", "--out", str(out), user="monitor")
    assert made.code == 3 and "nobdy" in made.err, made
    assert not out.exists()
    # The action's name as the trail shows it is taken, as the code is.
    made = cli(
        "report", "audit", "--action", "Shipment received", "--out", str(out), user="monitor"
    )
    assert made.code == 0, made.err
    helped = cli("report", "audit", "--help")
    assert helped.code == 0
    assert "label_reprinted" in " ".join(helped.out.split()), helped.out
