"""The copy of a database kept before an upgrade is in one place whichever front end opened it:
the `backups` folder beside the database, where the window puts it and the guides say it is."""

from __future__ import annotations

import gzip
import shutil
from datetime import date
from pathlib import Path

from cli_support import Cli

OLD_RELEASE = Path(__file__).parents[1] / "fixtures" / "release-0007-demo.sqlite3.gz"


def test_the_command_keeps_the_copy_before_an_upgrade_in_the_backups_folder(
    tmp_path: Path, sqlite_only: None
) -> None:
    path = tmp_path / "site" / "pharmacy.sqlite3"
    path.parent.mkdir()
    with gzip.open(OLD_RELEASE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    path.chmod(0o600)
    cli = Cli(str(path), tmp_path / "home", today=date(2026, 12, 4))  # after its last entry
    shown = cli("study", "show", user="admin")
    assert shown.code == 0, shown.err
    [copy] = (path.parent / "backups").glob("pharmacy.before-*.sqlite3")
    assert not list(path.parent.glob("*.before-*")), "not beside the database: in backups/"
    assert f"the file before the upgrade is kept at {copy}" in shown.err
