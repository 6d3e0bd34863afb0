"""`dispensary study show|update`: the stored study file, replaced by an administrator only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli_support import Cli

from dispensary.study import default_study_path


def test_show_then_update_by_the_administrator_only(
    cli: Cli, tmp_path: Path, state: Callable[[str], dict[str, Any]]
) -> None:
    shown = cli("--json", "study", "show")
    assert shown.code == 0, shown.err
    assert shown.json()["protocol"] == "NCT07198672"
    assert "herombopag-7.5mg" in cli("study", "show").out

    text = default_study_path().read_text(encoding="utf-8")
    new = tmp_path / "v2.toml"
    new.write_text(text.replace("IP store 1", "IP store 2"), encoding="utf-8")
    before = state(cli.db)
    refused = cli("study", "update", str(new), "--reason", "store moved")
    assert refused.code == 4 and "may not change the study set-up" in refused.err
    assert state(cli.db) == before

    done = cli("study", "update", str(new), "--reason", "store moved", user="admin")
    assert done.code == 0, done.err
    listed = cli("--json", "audit", "list", "--action", "study_updated", user="admin").json()
    assert listed and listed[-1]["reason"] == "store moved"
