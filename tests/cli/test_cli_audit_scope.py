"""`audit list` shows a reader their studies' entries and the site's: a correction of the date
of a status change in another study (it writes no participant row) is that study's, not the
site's, so the monitor of the demo's first study does not read it."""

from __future__ import annotations

from cli_support import Cli

OTHER = {"DISPENSARY_STUDY": "DEMO-2DRUG"}


def test_a_date_only_status_correction_is_listed_in_its_own_study_only(cli: Cli) -> None:
    changed = cli(
        "participant-status", "21-001", "discontinued", "--reason", "withdrew",
        "--date", "2026-02-27", env=OTHER,
    )  # fmt: skip
    assert changed.code == 0, changed.err
    fixed = cli("correct-status", "21-001", "--date", "2026-02-26", "--reason", "typo", env=OTHER)
    assert fixed.code == 0, fixed.err

    def corrections(listed: list[dict[str, object]]) -> list[object]:
        return [e["entity_id"] for e in listed if e["action"] == "participant_status_corrected"]

    watcher = cli("audit", "list", "--json", user="monitor")
    assert watcher.code == 0, watcher.err
    assert corrections(watcher.json()) == []
    assert "21-001" not in {e["entity_id"] for e in watcher.json()}
    theirs = cli("audit", "list", "--json", user="admin", env=OTHER).json()
    assert corrections(theirs) == ["21-001"]
    assert corrections(cli("audit", "list", "--json", user="admin").json()) == []
