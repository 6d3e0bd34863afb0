"""`dispensary study list|add|close|access` and the global --study (DISPENSARY_STUDY): a
database that holds several studies asks which one a study's command is for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli_support import Cli

from dispensary.study import default_study_path

OTHER = "NCT99999999"
NO_STUDY: dict[str, str | None] = {"DISPENSARY_STUDY": None}


def _other_file(tmp_path: Path) -> Path:
    text = default_study_path().read_text(encoding="utf-8")
    path = tmp_path / "other.toml"
    path.write_text(
        text.replace('protocol = "NCT07198672"', f'protocol = "{OTHER}"'), encoding="utf-8"
    )
    return path


def _add_other(cli: Cli, tmp_path: Path) -> None:
    added = cli(
        "--json", "study", "add", str(_other_file(tmp_path)), "--reason", "opens", user="admin"
    )
    assert added.code == 0, added.err
    assert added.json()["protocol"] == OTHER and added.json()["status"] == "open"


def test_study_list_names_the_studies_the_user_may_work_in(cli: Cli, tmp_path: Path) -> None:
    listed = cli("--json", "study", "list", env=NO_STUDY)
    assert listed.code == 0, listed.err
    [row] = listed.json()
    assert {"protocol", "title", "status", "version", "participants", "kits"} <= set(row)
    assert row["protocol"] == "NCT07198672" and row["status"] == "open"
    _add_other(cli, tmp_path)
    admin_sees = cli("--json", "study", "list", user="admin", env=NO_STUDY).json()
    assert [r["protocol"] for r in admin_sees] == ["NCT07198672", OTHER]
    pharmacist_sees = cli("--json", "study", "list", env=NO_STUDY).json()
    assert [r["protocol"] for r in pharmacist_sees] == ["NCT07198672"]
    text = cli("study", "list", user="admin", env=NO_STUDY).out
    assert OTHER in text and "open" in text


def test_several_studies_need_the_study_named(
    cli: Cli, tmp_path: Path, state: Callable[[str], dict[str, Any]]
) -> None:
    assert cli("--json", "inventory", env=NO_STUDY).code == 0  # one study: no need to name it
    _add_other(cli, tmp_path)
    before = state(cli.db)
    asked = cli("inventory", env=NO_STUDY)
    assert asked.code == 2
    assert "several studies (NCT07198672, NCT99999999)" in asked.err and "--study" in asked.err
    assert state(cli.db) == before
    mine = cli("--json", "--study", "NCT07198672", "inventory", env=NO_STUDY)
    assert mine.code == 0 and len(mine.json()) > 100
    # The pharmacist has no access to the new study yet; the administrator gives it.
    refused = cli("inventory", "--study", OTHER, env=NO_STUDY)
    assert refused.code == 4 and f"no access to study {OTHER}" in refused.err
    given = cli(
        "--json", "study", "access", "pharmacist", OTHER, "--reason", "covers it", user="admin"
    )
    assert given.code == 0, given.err
    assert given.json()["studies"] == ["NCT07198672", OTHER]
    theirs = cli("--json", "inventory", env={"DISPENSARY_STUDY": OTHER})
    assert theirs.code == 0 and theirs.json() == []
    unknown = cli("inventory", "--study", "NCT000", env=NO_STUDY)
    assert unknown.code != 0 and "NCT000" in unknown.err


def test_a_study_is_closed_by_the_administrator(cli: Cli, tmp_path: Path) -> None:
    _add_other(cli, tmp_path)
    refused = cli("study", "close", OTHER, "--reason", "done", env=NO_STUDY)
    assert refused.code == 4 and "may not change the study set-up" in refused.err
    closed = cli("--json", "study", "close", OTHER, "--reason", "never opened", user="admin")
    assert closed.code == 0, closed.err
    assert closed.json()["status"] == "closed"
    cli("study", "access", "pharmacist", OTHER, "--reason", "read its records", user="admin")
    enrol = cli(
        "enroll", "09-001", "--initials", "AB", "--birth-year", "1970", "--sex", "F",
        "--eligibility-confirmed-by", "Dr Liu", "--study", OTHER,
    )  # fmt: skip
    assert enrol.code == 4 and f"Study {OTHER} is closed" in enrol.err
