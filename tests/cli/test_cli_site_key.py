"""The site key (issue 11, optional part): each anchor log line is signed with an Ed25519 key kept
outside the database, so that someone who holds the database and the backup folder cannot
rewrite the log along with the history. `audit verify --anchor-log --public-key FILE` trusts
only the lines the key signed and refuses a log with a line signed otherwise."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from cli_support import Cli

from chain_rewrite import rewrite_history

WHY = ("--reason", "site key for the anchor log")


def _backup(cli: Cli, folder: Path, name: str, env: dict[str, str | None] | None = None) -> None:
    made = cli("backup", "--out", str(folder / name), user="admin", env=env)
    assert made.code == 0, made.err


def _lines(folder: Path) -> list[list[str]]:
    text = (folder / "anchors.log").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if not line.startswith("#")]


def test_a_site_key_signs_the_log_and_verify_trusts_only_its_lines(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    none = cli("audit", "site-key", "--json", user="admin")
    assert none.code == 0 and none.json() == {"site_key": None}
    key = tmp_path / "keys" / "site.pem"
    key.parent.mkdir()
    backups = Path(cli.db).parent / "backups"
    _backup(cli, backups, "b0.sqlite3")  # before the key: unsigned

    # The reason is the record's, as for every change of the workstation: nothing without it.
    unexplained = cli("audit", "site-key", "--create", str(key), user="admin")
    assert unexplained.code == 2 and "--reason" in unexplained.err
    assert not key.exists()
    made = cli("audit", "site-key", "--create", str(key), "--json", *WHY, user="admin")
    assert made.code == 0, made.err
    info = made.json()["site_key"]
    assert info["path"] == str(key) and info["public_file"] == str(key) + ".pub"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert len(info["fingerprint"]) == 19 and info["fingerprint"].count("-") == 3
    shown = cli("audit", "site-key", user="admin")
    assert info["fingerprint"] in shown.out and "ed25519 " in shown.out
    assert f"Its public half is in {key}.pub" in shown.out  # found beside the key
    trail = cli("audit", "list", "--action", "site_key_created", "--json", user="admin").json()
    assert trail and trail[-1]["new"]["fingerprint"] == info["fingerprint"]
    assert trail[-1]["reason"] == "site key for the anchor log"
    again = cli("audit", "site-key", "--create", str(key), *WHY, user="admin")
    assert again.code == 3 and "never written over" in again.err

    _backup(cli, backups, "b1.sqlite3")
    _backup(cli, backups, "b2.sqlite3")
    lines = _lines(backups)
    assert len(lines[0]) == 6 and all(len(line) == 7 for line in lines[1:])
    assert all(line[6].startswith("ed25519:") for line in lines[1:])

    public = str(key) + ".pub"
    checked = cli("audit", "verify", "--anchor-log", "--public-key", public, user="monitor")
    assert checked.code == 0, checked.err
    assert "b2.sqlite3" in checked.out and info["fingerprint"] in checked.out
    assert "1 unsigned line left out" in checked.out
    # The key's text works as well as its file.
    text = cli(
        "audit", "verify", "--anchor-log", "--public-key", info["public_key"], user="monitor"
    )
    assert text.code == 0, text.err

    # A history rewritten (every hash recomputed) fails against the last signed line.
    rewrite_history(cli.db, "UPDATE audit_entries SET reason = 'edited' WHERE id = 12")
    failed = cli("audit", "verify", "--anchor-log", "--public-key", public, user="monitor")
    assert failed.code == 6 and "does NOT match" in failed.out


def test_a_log_rewritten_to_match_a_rewritten_history_is_refused(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    key = tmp_path / "site.pem"
    assert cli("audit", "site-key", "--create", str(key), *WHY, user="admin").code == 0
    backups = Path(cli.db).parent / "backups"
    _backup(cli, backups, "b1.sqlite3")
    _backup(cli, backups, "b2.sqlite3")
    # The attacker rewrites the history, then the log's last line to the chain's new point
    # (with the code and hash the program would log), keeping the old signature.
    rewrite_history(cli.db, "UPDATE audit_entries SET reason = 'edited' WHERE id = 12")
    anchor = cli("audit", "anchor", "--json", user="monitor").json()["code"]
    log = backups / "anchors.log"
    rows = log.read_text(encoding="utf-8").splitlines()
    fields = rows[-1].split("\t")
    fields[3] = anchor
    import sqlite3

    with sqlite3.connect(cli.db) as db:
        position = int(anchor.split("-")[1])
        fields[4] = db.execute(
            "SELECT entry_hash FROM audit_entries WHERE id = ?", (position,)
        ).fetchone()[0]
    rows[-1] = "\t".join(fields)
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")

    unsigned_check = cli("audit", "verify", "--anchor-log", user="monitor")
    assert unsigned_check.code == 0  # without the key, the edited log is believed
    public = str(key) + ".pub"
    refused = cli(
        "audit", "verify", "--anchor-log", "--public-key", public, "--json", user="monitor"
    )
    assert refused.code == 3
    assert "The anchor log was edited: 1 line for this database carries" in refused.err
    forged = json.loads(refused.out)["anchor_log"]["forged"]
    assert forged[0]["backup"] == "b2.sqlite3" and forged[0]["line"] == len(rows)
    # In text the verdict is on stdout once, and stderr only sums up (it printed it twice).
    told = cli("audit", "verify", "--anchor-log", "--public-key", public, user="monitor")
    assert told.code == 3 and told.out.count("The anchor log was edited") == 1
    assert "The anchor log was edited" not in told.err and "exit 3" in told.err
    # An unsigned line appended by hand is left out, not trusted.
    fields[6:] = []
    log.write_text("\n".join([*rows[:-1], "\t".join(fields)]) + "\n", encoding="utf-8")
    left_out = cli("audit", "verify", "--anchor-log", "--public-key", public, user="monitor")
    assert left_out.code == 6 and "does NOT match" in left_out.out  # b1's signed line stands
    assert "1 unsigned line left out" in left_out.out


def test_another_key_and_bad_input(cli: Cli, tmp_path: Path, sqlite_only: None) -> None:
    first, second = tmp_path / "a.pem", tmp_path / "b.pem"
    assert cli("audit", "site-key", "--create", str(first), *WHY, user="admin").code == 0
    backups = Path(cli.db).parent / "backups"
    _backup(cli, backups, "b1.sqlite3")
    assert cli("audit", "site-key", "--create", str(second), *WHY, user="admin").code == 0
    used = cli("audit", "site-key", "--use", str(first), "--json", *WHY, user="admin")
    assert used.code == 0 and used.json()["site_key"]["path"] == str(first)
    # A line checked against another site's key is refused as not its signature.
    wrong = cli(
        "audit", "verify", "--anchor-log", "--public-key", str(second) + ".pub", user="monitor"
    )
    assert wrong.code == 3 and "not the site key's" in wrong.out

    not_key = tmp_path / "note.txt"
    not_key.write_text("hello", encoding="utf-8")
    refused = cli("audit", "site-key", "--use", str(not_key), *WHY, user="admin")
    assert refused.code == 3 and "is not a site key" in refused.err
    bad_public = cli(
        "audit", "verify", "--anchor-log", "--public-key", str(not_key), user="monitor"
    )
    assert bad_public.code == 3 and "not a site key's public half" in bad_public.err
    usage = cli("audit", "verify", "--public-key", str(first) + ".pub", user="monitor")
    assert usage.code == 2 and "--anchor-log" in usage.err
    # Only an administrator sets the workstation's key.
    denied = cli("audit", "site-key", "--use", str(first), *WHY, user="monitor")
    assert denied.code == 4 and "site key" in denied.err


def test_an_unreadable_key_still_backs_up_with_a_warning(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    backups = Path(cli.db).parent / "backups"
    env: dict[str, str | None] = {"DISPENSARY_SITE_KEY": str(tmp_path / "gone.pem")}
    made = cli("backup", "--out", str(backups / "b1.sqlite3"), "--json", user="admin", env=env)
    assert made.code == 0, made.err
    assert "the line is not signed" in made.json()["warning"]
    assert len(_lines(backups)[-1]) == 6


def test_a_key_is_not_set_while_the_environment_names_another(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    """DISPENSARY_SITE_KEY wins over the workstation's setting: setting another key would be
    recorded in the audit trail while the lines went on being signed with the variable's."""
    first, second = tmp_path / "a.pem", tmp_path / "b.pem"
    assert cli("audit", "site-key", "--create", str(first), *WHY, user="admin").code == 0
    env: dict[str, str | None] = {"DISPENSARY_SITE_KEY": str(first)}
    before = cli("audit", "list", "--action", "site_key_created", "--json", user="admin").json()
    made = cli("audit", "site-key", "--create", str(second), *WHY, user="admin", env=env)
    assert (
        made.code != 0 and "DISPENSARY_SITE_KEY" in made.err and "Nothing was changed" in made.err
    )
    assert not second.exists() and not Path(str(second) + ".pub").exists()
    after = cli("audit", "list", "--action", "site_key_created", "--json", user="admin").json()
    assert after == before
    zh = cli(
        "--lang", "zh_CN", "audit", "site-key", "--create", str(second), *WHY, user="admin", env=env
    )
    assert "未做任何更改" in zh.err, zh.err
    # The key the variable names may be set (it changes nothing the workstation signs with).
    same = cli("audit", "site-key", "--use", str(first), "--json", *WHY, user="admin", env=env)
    assert same.code == 0, same.err
    shown = cli("audit", "site-key", "--json", user="admin", env=env).json()
    assert shown["site_key"]["path"] == str(first)
