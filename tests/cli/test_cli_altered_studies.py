"""A database whose stored studies were changed outside the program (a study row deleted, a
study file's text cut short): refused at every start as altered, naming the study and pointing
to `audit verify` and a restore, never to `dispensary init` (which refuses the file) nor to
correcting a study file no one holds; `audit verify` still opens it to show what was changed."""

from __future__ import annotations

import pytest
from cli_support import Cli

from tamper import edit_file

pytestmark = pytest.mark.usefixtures("sqlite_only")


def test_a_study_file_text_cut_short_is_said_as_an_altered_database_naming_the_study(
    cli: Cli,
) -> None:
    edit_file(
        cli.db,
        "UPDATE study SET source_text = substr(source_text, 1, 40) WHERE protocol = 'DEMO-2DRUG'",
    )
    for study in ("NCT07198672", "DEMO-2DRUG"):  # whichever study is asked for
        refused = cli("participants", env={"DISPENSARY_STUDY": study})
        assert refused.code == 5, refused.err
        said = " ".join(refused.err.split())
        assert "was changed outside the program" in said, said
        assert "the study file stored for study DEMO-2DRUG" in said, said
        assert "`dispensary audit verify`" in said and "`dispensary restore`" in said, said
        assert "Correct the study file" not in said and "start again" not in said, said
    verified = cli("audit", "verify", user="monitor")  # what was changed, for the inspector
    assert verified.code == 6, verified.err
    assert "a record of Study DEMO-2DRUG was changed after audit entry" in verified.out
    chinese = cli("--lang", "zh_CN", "participants")
    assert chinese.code == 5 and "DEMO-2DRUG" in chinese.err, chinese.err
    assert "was changed" not in chinese.err, chinese.err


def test_the_study_rows_deleted_is_said_as_an_altered_database_not_as_one_to_init(
    cli: Cli,
) -> None:
    edit_file(cli.db, "DELETE FROM study")
    refused = cli("participants", env={"DISPENSARY_STUDY": None})
    assert refused.code == 5, refused.err
    said = " ".join(refused.err.split())
    assert "it holds users and records but no study" in said, said
    assert "`dispensary audit verify`" in said and "dispensary init" not in said, said
    verified = cli("audit", "verify", user="admin", env={"DISPENSARY_STUDY": None})
    assert verified.code == 6, verified.err
    assert "a record of Study NCT07198672, recorded by audit entry 1, is missing" in verified.out
