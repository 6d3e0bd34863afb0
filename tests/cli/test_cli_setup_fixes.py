"""`init` and `study add` as the set-up windows are: a study file saved by Windows Notepad (UTF-8
with a byte-order mark) read alike, the study named by its title in the reader's language, and
a study added whose dispensing label cannot hold the pharmacy's particulars saved refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Cli

from dispensary.labels.dispensing import check_particulars_fit
from dispensary.services import first_run, pharmacy, setup, users
from dispensary.services.context import clock_on
from dispensary.services.demo import DEMO_PASSWORD
from tight_labels import two_drug_text

pytestmark = pytest.mark.usefixtures("sqlite_only")

FOLDER = first_run.bundled_study_files()[0].parent


def _notepad(tmp: Path, name: str) -> Path:
    """The bundled study file as Windows Notepad saves it: UTF-8 with a byte-order mark."""
    copy = tmp / name
    copy.write_bytes(b"\xef\xbb\xbf" + (FOLDER / name).read_bytes())
    return copy


def test_init_names_the_study_by_its_title_in_chinese_and_reads_a_notepad_file(
    cli: Cli,
) -> None:
    new = str(cli.home / "new.sqlite3")
    made = cli(
        "--lang", "zh_CN", "init", "--admin", "ada", "--full-name", "Ada Lovelace",
        "--training", "--db", new, "--study", str(_notepad(cli.home, "NCT07198672.toml")),
        user=None,
    )  # fmt: skip
    assert made.code == 0, made.err
    assert "海曲泊帕预防T-DM1相关血小板减少" in made.out, made.out
    assert "Herombopag" not in made.out, made.out


def test_study_add_reads_a_notepad_file_and_refuses_one_whose_label_cannot_hold_the_particulars(
    cli: Cli,
) -> None:
    new = str(cli.home / "new.sqlite3")
    made = cli(
        "init", "--admin", "ada", "--full-name", "Ada Lovelace", "--training", "--db", new,
        user=None,
    )  # fmt: skip
    assert made.code == 0, made.err
    opened = setup.open_database(new, clock_on(cli.today))  # the commands' training day
    try:
        ctx = opened.context
        ada = users.sign_in(ctx, "ada", DEMO_PASSWORD)
        address = ("No. 127 Dongming Road, Jinshui District " * 2)[:80]
        pharmacy.set_particulars(
            ctx, ada, "Zhengzhou Trial Pharmacy", address, "+86 371 6558 7000", "ours",
            check_particulars_fit,
        )  # fmt: skip
    finally:
        opened.context.engine.dispose()
    notepad = cli.home / "DEMO-2DRUG.toml"  # as Notepad saves it: with a byte-order mark
    notepad.write_bytes(b"\xef\xbb\xbf" + two_drug_text().encode("utf-8"))
    add = ["study", "add", str(notepad), "--reason", "new study", "--db", new]
    refused = cli(*add, user="ada")
    assert refused.code != 0
    said = " ".join(refused.err.split())
    assert "saved in Settings, a dispensing label of DEMO-2DRUG would not fit" in said, said
    listed = cli("--json", "study", "list", "--db", new, user="ada").json()
    assert [s["protocol"] for s in listed] == ["NCT07198672"]
    other = str(_notepad(cli.home, "DEMO-28D-BID.toml"))  # its label holds them
    done = cli("study", "add", other, "--reason", "new study", "--db", new, user="ada")
    assert done.code == 0, done.err
