"""Set-up through the command: init, users, backup and restore, and the demo itself."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_support import DEMO_TODAY, Cli, DemoMaster

from dispensary.domain.audit_actions import value_shown
from dispensary.i18n import Language, speaking


def test_the_demo_holds_what_it_promises_and_never_overwrites(
    cli: Cli, demo_master: DemoMaster, sqlite_only: None
) -> None:
    info = demo_master.info
    assert info["today"] == DEMO_TODAY.isoformat() and info["password"] == "demo-pass-1"
    assert [(u["username"], u["role"]) for u in info["users"]] == [
        ("admin", "administrator"),
        ("pharmacist", "pharmacist"),
        ("technician", "technician"),
        ("monitor", "monitor"),
    ]
    assert info["participants"] == 24 and info["shipments"] == 4
    assert info["dispenses"] > 100 and info["returns"] > 80 and info["destroyed_kits"] > 0
    assert info["quarantined_kits"] == ["K1061"] and info["expiring_soon"] == ["HT2509S"]
    assert info["returns_overdue"] == ["01-006"] and "01-024" in info["due_this_week"]
    # Three studies; the figures above are the first's, NCT07198672.
    assert info["studies"] == ["NCT07198672", "DEMO-28D-BID", "DEMO-2DRUG"]

    before = Path(cli.db).read_bytes()
    again = cli("demo", "--db", cli.db, user=None)
    assert again.code == 3 and "--replace" in again.err
    workstation = cli.home / "dispensary.sqlite3"  # the default database under DISPENSARY_HOME
    shutil.copyfile(cli.db, workstation)
    replace = cli(
        "demo", "--db", str(workstation), "--replace", user=None, env={"DISPENSARY_DB": None}
    )
    assert replace.code == 3 and "this workstation's database" in replace.err
    assert Path(cli.db).read_bytes() == before == workstation.read_bytes()


def test_init_refuses_an_existing_database(cli: Cli, state: Callable[[str], Any]) -> None:
    before = state(cli.db)
    result = cli("init", "--admin", "boss", "--training", user=None)
    assert result.code == 3 and "already holds a database" in result.err
    assert state(cli.db) == before


def test_init_asks_for_initials_a_chinese_full_name_cannot_give(
    cli: Cli, sqlite_only: None
) -> None:
    """The name was refused as if typed as initials, after the tables were made: the file left
    behind was refused by init as existing and by every step as having no study."""
    new = str(cli.home / "new.sqlite3")
    asked = cli(
        "init", "--admin", "ada", "--full-name", "李伟", "--training", "--db", new, user=None
    )
    assert asked.code == 2 and "give them with --initials" in asked.err
    assert not Path(new).exists()
    zh = cli(
        "--lang", "zh_CN", "init", "--admin", "ada", "--full-name", "李伟", "--db", new, user=None
    )
    assert "请用 --initials 给出" in zh.err
    made = cli(
        "init",
        "--admin",
        "ada",
        "--full-name",
        "李伟",
        "--initials",
        "lw",
        "--training",
        "--db",
        new,
        user=None,
    )
    assert made.code == 0, made.err
    shown = cli("study", "show", "--json", "--db", new, user="ada")
    assert shown.code == 0 and shown.json()["protocol"] == "NCT07198672"


def test_init_makes_the_initials_the_set_up_wizard_offers(cli: Cli, sqlite_only: None) -> None:
    """One rule for both: `init` dropped a word that began with an accented letter ("AMD"),
    and a name half in Chinese characters gave initials of its Latin half ("LI" for Li 伟)."""
    new = str(cli.home / "new.sqlite3")
    half = cli("init", "--admin", "ada", "--full-name", "Li 伟", "--training", "--db", new,
               user=None)  # fmt: skip
    assert half.code == 2 and "give them with --initials" in half.err
    assert not Path(new).exists()
    name = "Élodie Anne Marie Durand"
    made = cli("init", "--admin", "ada", "--full-name", name, "--training", "--db", new,
               user=None)  # fmt: skip
    assert made.code == 0, made.err
    listed = cli("--json", "user", "list", "--db", new, user="ada").json()
    assert [(u["full_name"], u["initials"]) for u in listed] == [(name, "EAMD")]


def test_a_fixed_today_works_on_a_training_database_only(cli: Cli, sqlite_only: None) -> None:
    """DISPENSARY_TODAY would forge the audit trail's dates on a real database."""
    real = str(cli.home / "real.sqlite3")
    no_today: dict[str, str | None] = {"DISPENSARY_TODAY": None, "DISPENSARY_DB": real}
    refused = cli("init", "--admin", "boss", user=None, env={"DISPENSARY_DB": real})
    assert refused.code == 3
    assert "DISPENSARY_TODAY fixes today's date on a training database only" in refused.err
    assert not Path(real).exists()
    created = cli("init", "--admin", "boss", user=None, env=no_today)
    assert created.code == 0, created.err
    before = Path(real).read_bytes()
    forged = cli("participants", user="boss", env={"DISPENSARY_DB": real})
    assert forged.code == 3 and "not on this database" in forged.err
    assert Path(real).read_bytes() == before  # not even the sign-in was recorded
    assert cli("participants", user="boss", env=no_today).code == 0
    training = str(cli.home / "training.sqlite3")
    made = cli("init", "--admin", "boss", "--training", user=None, env={"DISPENSARY_DB": training})
    assert made.code == 0, made.err
    listed = cli("audit", "list", "--json", user="boss", env={"DISPENSARY_DB": training})
    assert listed.code == 0, listed.err
    assert {e["at"][:10] for e in listed.json()} == {cli.today.isoformat()}


def test_a_new_account_in_a_database_of_several_studies_names_its_study(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """Without --study the account was given the first study, unasked (--help says it is
    needed when the database holds several studies)."""
    new_user = ["user", "add", "nina", "--role", "monitor", "--full-name", "Nina Ng"]
    new_user += ["--initials", "NN"]
    env = {"DISPENSARY_NEW_PASSWORD": "nina-pass-1", "DISPENSARY_STUDY": None}
    before = state(cli.db)
    unnamed = cli(*new_user, user="admin", env=env)
    assert unnamed.code == 2, unnamed.err
    assert "holds several studies (DEMO-28D-BID, DEMO-2DRUG, NCT07198672)" in unnamed.err
    # Told after the sign-in, and only one's own studies: the monitor's is NCT07198672 alone.
    theirs = cli(*new_user, user="monitor", env=env)
    assert "DEMO" not in theirs.err and theirs.code in (2, 4), theirs.err
    assert state(cli.db) == before
    named = cli(*new_user, "--study", "DEMO-2DRUG", "--json", user="admin", env=env)
    assert named.code == 0, named.err
    assert named.json()["studies"] == ["DEMO-2DRUG"]


def test_who_may_not_add_users_is_told_so_before_being_asked_for_a_study(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """A monitor without --study (several studies) is refused as one who may not manage
    users (exit 4), not asked which study; an administrator's account, which is given no
    study, is added without --study."""
    env = {"DISPENSARY_NEW_PASSWORD": "nina-pass-1", "DISPENSARY_STUDY": None}
    new_user = ["user", "add", "nina", "--role", "technician", "--full-name", "Nina Ng"]
    before = state(cli.db)
    monitor = cli(*new_user, "--initials", "NN", user="monitor", env=env)
    assert monitor.code == 4 and "may not manage users" in monitor.err, monitor.err
    assert state(cli.db) == before
    boss = ["user", "add", "boss2", "--role", "administrator", "--full-name", "Bo Second"]
    added = cli(*boss, "--initials", "BO", "--json", user="admin", env=env)
    assert added.code == 0, added.err


def test_users_are_added_by_an_administrator_only(cli: Cli) -> None:
    new_user = ["user", "add", "nina", "--role", "technician", "--full-name", "Nina Ng"]
    new_user += ["--initials", "NN"]
    not_admin = cli(*new_user, env={"DISPENSARY_NEW_PASSWORD": "nina-pass-1"})
    assert not_admin.code == 4 and "may not manage users" in not_admin.err
    no_password = cli(*new_user, user="admin")
    assert no_password.code == 2 and "DISPENSARY_NEW_PASSWORD" in no_password.err
    added = cli(*new_user, "--json", user="admin", env={"DISPENSARY_NEW_PASSWORD": "nina-pass-1"})
    assert added.code == 0, added.err
    assert added.json() | {"locked": False} == {
        "username": "nina", "full_name": "Nina Ng", "initials": "NN",
        "role": "technician", "active": True, "locked": False, "language": "",
        "studies": ["NCT07198672"],  # the study the administrator was working in
        "password_last_set": cli.today.isoformat(),  # for the review of passwords
        "password_temporary": True,  # the administrator's, to be changed at the first sign-in
    }  # fmt: skip
    first = {"DISPENSARY_PASSWORD": "nina-pass-1"}
    # The administrator chose that password: Nina must choose her own before anything else.
    refused = cli("inventory", "--status", "quarantined", user="nina", env=first)
    assert refused.code == 4 and "choose your own first" in refused.err, refused.err
    common = cli("user", "password", user="nina", env=first | {
        "DISPENSARY_NEW_PASSWORD": "password123"})  # fmt: skip
    assert common.code == 3 and "common passwords" in common.err, common.err
    own = cli("user", "password", user="nina", env=first | {
        "DISPENSARY_NEW_PASSWORD": "nina-own-pass-4"})  # fmt: skip
    assert own.code == 0, own.err
    nina = cli("inventory", "--status", "quarantined", user="nina", env={
        "DISPENSARY_PASSWORD": "nina-own-pass-4"})  # fmt: skip
    assert nina.code == 0, nina.err


def test_user_activate_refuses_initials_another_active_account_took_meanwhile(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """`user activate` got round "unique initials among active accounts": the pharmacist (CJ)
    deactivated, a new account given CJ, then the pharmacist reactivated, accepted."""
    off = cli("user", "deactivate", "pharmacist", "--reason", "on leave", user="admin")
    assert off.code == 0, off.err
    new_user = ["user", "add", "cjing2", "--role", "pharmacist", "--full-name", "Chen Jia"]
    added = cli(*new_user, "--initials", "CJ", user="admin",
                env={"DISPENSARY_NEW_PASSWORD": "Another-pass-77x"})  # fmt: skip
    assert added.code == 0, added.err
    before = state(cli.db)
    back = cli("user", "activate", "pharmacist", "--reason", "back from leave", user="admin")
    assert back.code == 3, back.err
    assert "The initials CJ of pharmacist are now those of Chen Jia (user cjing2)" in back.err
    assert "Deactivate cjing2 first, or give pharmacist a new account" in back.err
    assert state(cli.db) == before
    listed = cli("user", "list", "--json", user="admin")
    assert [u["username"] for u in listed.json() if u["active"] and u["initials"] == "CJ"] == [
        "cjing2"
    ]


def test_user_list_says_which_accounts_are_locked_in_its_text_too(cli: Cli) -> None:
    """The text of `user list`, not only its JSON, says an account is locked (until an
    administrator unlocks it: a lock has no end date), locked and deactivated together too,
    in English and Chinese. (Each line ends with the day the password was set: left off.)"""

    def shown(*args: str) -> list[str]:
        out = cli(*args, "user", "list", user="admin").out.splitlines()
        return [line.rsplit("  ", 1)[0].rstrip() for line in out]

    for _ in range(5):
        assert cli("inventory", env={"DISPENSARY_PASSWORD": "a-wrong-guess-1"}).code == 4
    lines = {line.split()[0]: line for line in shown()}
    assert lines["pharmacist"].endswith("active, locked"), lines
    assert lines["technician"].endswith("active"), lines
    off = cli("user", "deactivate", "pharmacist", "--reason", "on leave", user="admin")
    assert off.code == 0, off.err
    lines = {line.split()[0]: line for line in shown()}
    assert lines["pharmacist"].endswith("deactivated, locked"), lines
    chinese = shown("--lang", "zh_CN")
    assert any(
        line.startswith("pharmacist") and line.endswith("已停用，已锁定") for line in chinese
    )
    [listed] = [u for u in cli("--json", "user", "list", user="admin").json()
                if u["username"] == "pharmacist"]  # fmt: skip
    assert (listed["active"], listed["locked"]) == (False, True)


def test_a_deactivated_accounts_right_password_is_told_what_every_failure_is(cli: Cli) -> None:
    """Told "deactivated", the right password of a deactivated account would be confirmed to
    whoever guessed it: the command says what it says to a wrong one; the trail keeps why."""
    wrong = cli("inventory", env={"DISPENSARY_PASSWORD": "a-wrong-guess-1"})
    assert wrong.code == 4
    off = cli("user", "deactivate", "pharmacist", "--reason", "on leave", user="admin")
    assert off.code == 0, off.err
    right = cli("inventory")
    assert right.code == 4
    assert right.err == wrong.err
    assert "is deactivated" not in right.err
    refused = cli("audit", "list", "--action", "sign_in_refused", "--json", user="admin").json()
    assert [(e["entity_id"], e["reason"]) for e in refused] == [("pharmacist", "deactivated")]


def _restored(found: dict[str, Any]) -> dict[str, Any]:
    """The backup's records, once the restore's own audit entry (the last one) is checked."""
    *kept, (_, action, _, new) = found["audit"]
    assert action == "database_restored" and '"from":' in new
    return found | {"audit": kept}


def test_backup_and_restore(
    cli: Cli, tmp_path: Path, state: Callable[[str], Any], sqlite_only: None
) -> None:
    copy = tmp_path / "backups" / "before-visit.sqlite3"
    made = cli("backup", "--out", str(copy))
    assert made.code == 0, made.err
    assert made.out.startswith(f"Backup written: {copy}")
    enrolled = cli(
        "enroll", "01-102", "--initials", "RT", "--birth-year", "1960", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", "Zhenzhen Liu, M.D.",
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err

    not_admin = cli("restore", "--reason", "back to the last good day", str(copy))
    assert not_admin.code == 4 and "may not restore a backup" in not_admin.err
    # The finding: a restore took no reason, and its entry did not say what the older backup
    # dropped (here the enrolment of 01-102 and its sign-ins).
    no_reason = cli("restore", str(copy), user="admin")
    assert no_reason.code == 2 and "--reason" in no_reason.err, no_reason
    blank = cli("restore", "--reason", "  ", str(copy), user="admin")
    assert blank.code == 3 and "Give the reason for the restore" in blank.err, blank
    restored = cli("restore", "--reason", "back to the last good day", str(copy), user="admin")
    assert restored.code == 0, restored.err
    assert _restored(state(cli.db)) == state(str(copy))
    [entry] = cli("audit", "list", "--action", "database_restored", "--json", user="admin").json()
    assert entry["reason"] == "back to the last good day"
    restored_count, replaced_count = (
        entry["new"]["audit_entries_restored"],
        entry["new"]["audit_entries_replaced"],
    )
    assert replaced_count > restored_count > 0, entry["new"]
    assert (
        f"The backup holds {restored_count} audit entries; the database replaced held "
        f"{replaced_count}: the {replaced_count - restored_count} recorded since are only in "
        "the file kept."
    ) in restored.out, restored.out

    Path(cli.db).write_bytes(b"\x00" * 4096)
    unforced = cli("restore", "--reason", "back to the last good day", str(copy), user="admin")
    assert unforced.code == 5 and "add --force" in unforced.err
    # --force checks the administrator in the backup (no one can sign in to the damaged file):
    # a wrong password, or an account that is not an administrator there, restores nothing.
    damaged = Path(cli.db).read_bytes()
    force = ("restore", "--reason", "back to the last good day", str(copy), "--force")
    nobody = cli(*force, user=None)
    assert nobody.code == 4 and "--user" in nobody.err, nobody.err
    wrong = cli(*force, user="technician", env={"DISPENSARY_PASSWORD": "wrong"})
    assert wrong.code == 4, wrong.err
    assert "technician could not sign in to it" in wrong.err, wrong.err
    assert "give the user name (--user) and password of an administrator account" in wrong.err
    wrong = cli(*force, user="admin", env={"DISPENSARY_PASSWORD": "wrong"})
    assert wrong.code == 4 and "admin could not sign in to it" in wrong.err, wrong.err
    technician = cli(*force, user="technician")
    assert technician.code == 4, technician.err
    assert "in the backup, technician is not an administrator (Technician)" in technician.err
    assert Path(cli.db).read_bytes() == damaged, "nothing replaced"
    assert len(list(Path(cli.db).parent.glob("demo.replaced-*.sqlite3"))) == 1
    forced = cli(*force, user="admin")
    assert forced.code == 0, forced.err
    assert _restored(state(cli.db)) == state(str(copy))
    # Over a file that cannot be read, no account was compared: the output and the entry say so.
    unchecked = (
        "The replaced database could not be read: account changes made since the backup "
        "(deactivations, lock-outs, passwords) could not be checked: review the users"
    )
    assert unchecked in forced.out, forced.out
    with sqlite3.connect(cli.db) as con:  # read as is: the restore was dated by the real clock
        entries = [
            json.loads(row[0])
            for row in con.execute(
                "SELECT new FROM audit_entries WHERE action = 'database_restored' ORDER BY id"
            )
        ]
    # Stored as a code, said in the reader's language where the trail is read (it was stored
    # as the English sentence whatever the language).
    with sqlite3.connect(cli.db) as con:  # who restored it: the administrator checked
        (by,) = con.execute(
            "SELECT username FROM audit_entries WHERE action = 'database_restored' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert by == "admin"
    stored = entries[-1]["accounts_not_checked"]
    assert stored == "replaced_database_unreadable", entries[-1]
    with speaking(Language.EN):
        assert unchecked.lower() in str(value_shown("accounts_not_checked", stored))
    with speaking(Language.ZH_CN):
        assert str(value_shown("accounts_not_checked", stored)).startswith("无法读取被替换的数据库")
    assert "could not be checked" not in restored.out, "the first restore compared them"
    kept = sorted(p.name for p in Path(cli.db).parent.glob("demo.replaced-*.sqlite3"))
    assert len(kept) == 2, "each restore keeps the file it replaced"


def test_a_backup_never_writes_over_an_existing_file(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    """`backup --out FILE` replaced whatever FILE was (an earlier backup, whose code the anchor
    log names; any file pointed at by mistake) without a word. It is refused, nothing written:
    the file, the anchor log and the audit trail as they were."""
    folder = tmp_path / "backups"
    earlier = folder / "before-visit.sqlite3"
    assert cli("backup", "--out", str(earlier), user="admin").code == 0
    notes = folder / "notes.txt"
    notes.write_text("the monitor's visit notes")
    log = folder / "anchors.log"

    def state() -> tuple[bytes, bytes, str, list[str], int]:
        with sqlite3.connect(cli.db) as con:
            made = con.execute("SELECT count(*) FROM audit_entries WHERE action = 'backup'")
            backups = int(made.fetchone()[0])
        names = sorted(p.name for p in folder.iterdir())
        return earlier.read_bytes(), log.read_bytes(), notes.read_text(), names, backups

    before = state()
    for target in (earlier, notes):
        refused = cli("backup", "--out", str(target), user="admin")
        assert refused.code == 3, refused.err
        assert f"{target} already exists, and a backup is never written over a file" in refused.err
        assert "Give a new file name, or move that file away first" in refused.err
        assert "Nothing was written" in refused.err
        assert state() == before, "the file, the anchor log and the trail as they were"
    zh = cli("--lang", "zh_CN", "backup", "--out", str(earlier), user="admin")
    assert zh.code == 3 and "已存在" in zh.err, zh.err
    assert cli("backup", "--out", str(folder / "after-visit.sqlite3"), user="admin").code == 0


def test_restore_where_there_is_no_database_says_so_and_records_the_whole_path(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_only: None
) -> None:
    """No database at --db: the refusal said "Create one with `dispensary init`" and to add
    --force, and with --force still said to create one; the restore's audit entry kept the
    backup's path as typed (relative, meaningless read later)."""
    copy = tmp_path / "backups" / "b.sqlite3"
    assert cli("backup", "--out", str(copy), user="admin").code == 0
    monkeypatch.chdir(tmp_path)
    new = tmp_path / "new" / "pharmacy.sqlite3"
    env: dict[str, str | None] = {"DISPENSARY_DB": str(new)}
    unforced = cli(
        "restore",
        "--reason",
        "back to the last good day",
        "backups/b.sqlite3",
        user="admin",
        env=env,
    )
    assert unforced.code == 5 and not new.exists()
    assert f"There is no database at {new} to replace" in unforced.err
    assert "add --force" in unforced.err and "dispensary init" not in unforced.err
    forced = cli(
        "restore",
        "--reason",
        "back to the last good day",
        "backups/b.sqlite3",
        "--force",
        user="admin",
        env=env,
    )
    assert forced.code == 0, forced.err
    assert "restored there as a new database" in forced.err
    assert "dispensary init" not in forced.err
    conn = sqlite3.connect(new)
    try:
        (recorded, by) = conn.execute(
            "SELECT new, username FROM audit_entries WHERE action = 'database_restored'"
        ).fetchone()
    finally:
        conn.close()
    assert json.loads(recorded)["from"] == str(copy) and by == "admin"


def test_a_locked_out_administrator_is_recovered_without_signing_in(cli: Cli) -> None:
    """Five guesses lock the only administrator: `recover-admin` (no sign-in; the owner of the
    database) unlocks the account, optionally with a password to be changed at once."""
    for _ in range(5):
        guess = cli("user", "list", user="admin", env={"DISPENSARY_PASSWORD": "a-wrong-guess"})
        assert guess.code == 4
    locked = cli("user", "list", user="admin")
    assert locked.code == 4 and "is locked" in locked.err
    no_reason = cli("recover-admin", "admin", "--by", "Sam Lead", user=None)
    assert no_reason.code == 2
    nobody = cli("recover-admin", "admin", "--reason", "locked out", user=None)
    assert nobody.code == 2 and "--by" in nobody.err
    not_admin = cli(
        "recover-admin", "pharmacist", "--reason", "locked out", "--by", "Sam Lead", user=None
    )
    assert not_admin.code == 3 and "not an administrator" in not_admin.err
    recovered = cli(
        "recover-admin", "admin", "--new-password", "--reason", "Five guesses at the front desk",
        "--by", "Sam Lead", "--json", user=None,
        env={"DISPENSARY_NEW_PASSWORD": "recovered-pass-4"},
    )  # fmt: skip
    assert recovered.code == 0, recovered.err
    assert recovered.json()["locked"] is False and recovered.json()["password_set"] is True
    first = {"DISPENSARY_PASSWORD": "recovered-pass-4"}
    must_change = cli("user", "list", user="admin", env=first)
    assert must_change.code == 4 and "choose your own first" in must_change.err
    own = cli("user", "password", user="admin", env=first | {
        "DISPENSARY_NEW_PASSWORD": "admin-own-pass-5"})  # fmt: skip
    assert own.code == 0, own.err
    trail = cli("audit", "list", "--action", "administrator_recovered", "--json", user="admin",
                env={"DISPENSARY_PASSWORD": "admin-own-pass-5"})  # fmt: skip
    assert trail.code == 0, trail.err
    [entry] = trail.json()
    assert entry["user"] == "-" and "computer_account" in entry["new"]
    assert "Sam Lead" in str(entry["new"])


def test_recover_admin_is_refused_while_another_administrator_can_sign_in(cli: Cli) -> None:
    """The reviewer's take-over: a second administrator, deactivated, cannot be brought back
    and given a password by whoever holds the file while the first one can sign in."""
    added = cli("user", "add", "zhang", "--role", "administrator", "--full-name", "Zhang Wei",
                "--initials", "ZW", user="admin", env={"DISPENSARY_NEW_PASSWORD": "zhang-pass-1"})  # fmt: skip
    assert added.code == 0, added.err
    gone = cli("user", "deactivate", "zhang", "--reason", "left the site", user="admin")
    assert gone.code == 0, gone.err
    taken = cli("recover-admin", "zhang", "--new-password", "--reason", "x y", "--by", "Z W",
                user=None, env={"DISPENSARY_NEW_PASSWORD": "taken-over-1"})  # fmt: skip
    assert taken.code == 3 and "was deactivated: recovery does not reactivate" in taken.err
    own = cli("recover-admin", "admin", "--reason", "x y", "--by", "Z W", user=None)
    assert own.code == 3 and "The administrator account admin is not locked" in own.err


def test_an_administrator_changes_their_own_password_not_resets_it(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """`user reset-password` of one's own name would skip the current password and the check of
    the recent ones: refused (exit 3), pointing to `user password`, nothing written."""
    before = state(cli.db)
    own = cli("user", "reset-password", "admin", "--reason", "forgotten", user="admin", env={
        "DISPENSARY_NEW_PASSWORD": "demo-pass-1"})  # fmt: skip
    assert own.code == 3 and "`dispensary user password`" in own.err, own.err
    assert state(cli.db) == before
    new = {"DISPENSARY_NEW_PASSWORD": "reset-by-admin-7"}
    no_reason = cli("user", "reset-password", "pharmacist", user="admin", env=new)
    assert no_reason.code == 2 and "--reason" in no_reason.err
    assert state(cli.db) == before


def test_one_s_own_password_is_refused_before_it_is_asked_for(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """Without DISPENSARY_NEW_PASSWORD, a reset of one's own account said "give the password"
    (exit 2): the rule is checked first (exit 3), and so is a deactivated account's."""
    before = state(cli.db)
    own = cli("user", "reset-password", "admin", "--reason", "forgotten", user="admin",
              env={"DISPENSARY_NEW_PASSWORD": None})  # fmt: skip
    assert own.code == 3 and "`dispensary user password`" in own.err, own.err
    assert "DISPENSARY_NEW_PASSWORD" not in own.err
    assert state(cli.db) == before


def test_a_reset_unlocks_a_locked_account_and_refuses_a_deactivated_one(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """The reviewer's steps: `tech4` locked by five wrong passwords, reset: exit 0, "reset",
    and the account stayed locked, the new password refused. The reset unlocks it (says so)
    and the new password signs in; a deactivated account's reset is refused, nothing written.
    JSON: `username` as every `user` command, `user` kept for one release, and the account's
    `active` and `locked` after the reset, whether it lifted a lock and the failed sign-ins it
    cleared (said too, in words, of an account not locked)."""
    new = {"DISPENSARY_NEW_PASSWORD": "tech4-pass-1"}
    added = cli("user", "add", "tech4", "--role", "technician", "--full-name", "Tech Four",
                "--initials", "TF", "--study", "NCT07198672", user="admin", env=new)  # fmt: skip
    assert added.code == 0, added.err
    for number in range(5):
        wrong = cli("user", "list", user="tech4", env={"DISPENSARY_PASSWORD": f"wrong-{number}"})
        assert wrong.code == 4, wrong.err
    reset_env = {"DISPENSARY_NEW_PASSWORD": "Reset-pass-55"}
    reset = cli("--json", "user", "reset-password", "tech4", "--reason", "forgot password",
                user="admin", env=reset_env)  # fmt: skip
    assert reset.code == 0, reset.err
    assert reset.json() == {
        "username": "tech4",
        "user": "tech4",
        "reset": True,
        "active": True,
        "locked": False,
        "unlocked": True,
        "failed_attempts_cleared": 5,
    }
    signed = cli("user", "list", user="tech4", env={"DISPENSARY_PASSWORD": "Reset-pass-55"})
    assert signed.code == 4 and "choose your own first" in signed.err, signed.err
    changed = cli("--json", "user", "password", user="tech4", env={
        "DISPENSARY_PASSWORD": "Reset-pass-55", "DISPENSARY_NEW_PASSWORD": "Own-choice-77"})  # fmt: skip
    assert changed.code == 0, changed.err
    assert changed.json() == {"username": "tech4", "user": "tech4", "changed": True}
    for number in range(5):
        cli("user", "list", user="tech4", env={"DISPENSARY_PASSWORD": f"wrong-{number}"})
    text = cli("user", "reset-password", "tech4", "--reason", "forgot again", user="admin",
               env=reset_env | {"DISPENSARY_NEW_PASSWORD": "Reset-pass-56"})  # fmt: skip
    assert text.code == 0, text.err
    assert "the reset unlocked it (you have the person in front of you)" in text.out, text.out
    for number in range(2):  # not locked: the failed sign-ins the reset clears are said too
        cli("user", "list", user="tech4", env={"DISPENSARY_PASSWORD": f"wrong-{number}"})
    cleared = cli("--json", "user", "reset-password", "tech4", "--reason", "forgot it again",
                  user="admin", env={"DISPENSARY_NEW_PASSWORD": "Reset-pass-57"})  # fmt: skip
    assert cleared.code == 0, cleared.err
    assert (cleared.json()["unlocked"], cleared.json()["failed_attempts_cleared"]) == (False, 2)
    cli("user", "list", user="tech4", env={"DISPENSARY_PASSWORD": "wrong-once"})
    text = cli("user", "reset-password", "tech4", "--reason", "forgot it once more",
               user="admin", env={"DISPENSARY_NEW_PASSWORD": "Reset-pass-58"})  # fmt: skip
    assert "had 1 failed sign-in, a try at the password replaced: the reset cleared it" in text.out

    gone = cli("user", "deactivate", "tech4", "--reason", "left the site", user="admin")
    assert gone.code == 0, gone.err
    before = state(cli.db)
    refused = cli("user", "reset-password", "tech4", "--reason", "forgot password",
                  user="admin", env={"DISPENSARY_NEW_PASSWORD": None})  # fmt: skip
    assert refused.code == 3 and "activate the account first" in refused.err, refused.err
    assert state(cli.db) == before


def test_the_user_list_says_when_each_password_was_last_set(cli: Cli) -> None:
    """For the periodic review of passwords (21 CFR 11.300(b)), in the text and the JSON."""
    listed = cli("--json", "user", "list", user="admin")
    assert listed.code == 0, listed.err
    days = {row["username"]: row["password_last_set"] for row in listed.json()}
    assert set(days) >= {"admin", "pharmacist"} and all(len(d) == 10 for d in days.values())
    text = cli("user", "list", user="admin")
    assert "Password set" in text.out and days["pharmacist"] in text.out


def test_the_user_list_says_a_password_an_administrator_set_is_temporary(cli: Cli) -> None:
    """After a reset, "Password set <day>" read as if the user had chosen it: the text and
    the JSON say it is a temporary password, to be changed at the next sign-in, in English and
    Chinese."""
    reset = cli("user", "reset-password", "pharmacist", "--reason", "forgot", user="admin",
                env={"DISPENSARY_NEW_PASSWORD": "temp-pass-77"})  # fmt: skip
    assert reset.code == 0, reset.err
    listed = cli("--json", "user", "list", user="admin")
    temporary = {row["username"]: row["password_temporary"] for row in listed.json()}
    assert temporary["pharmacist"] is True and temporary["admin"] is False, temporary
    text = cli("user", "list", user="admin")
    line = next(x for x in text.out.splitlines() if x.startswith("pharmacist"))
    assert line.rstrip().endswith(cli.today.isoformat() + " (temporary)"), line
    admin_line = next(x for x in text.out.splitlines() if x.startswith("admin"))
    assert "temporary" not in admin_line, admin_line
    assert "the user must change it at their next sign-in" in text.out, text.out
    chinese = cli("--lang", "zh_CN", "user", "list", user="admin")
    line = next(x for x in chinese.out.splitlines() if x.startswith("pharmacist"))
    assert line.rstrip().endswith(cli.today.isoformat() + "（临时）"), line
    assert "下次登录时必须更改" in chinese.out, chinese.out


def test_who_may_not_manage_users_is_refused_before_typing_a_new_password(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """`user add` and `reset-password` asked a pharmacist for the new password (twice, in a
    terminal) and only then said they may not manage users: refused first, as the service
    says (users.check_manages_users), the password not asked for."""
    before = state(cli.db)
    new_user = ["user", "add", "zhao", "--role", "technician", "--full-name", "Zhao Li"]
    added = cli(*new_user, "--initials", "ZL", env={"DISPENSARY_NEW_PASSWORD": None})
    assert added.code == 4 and "may not manage users" in added.err, added.err
    assert "DISPENSARY_NEW_PASSWORD" not in added.err
    reset = cli("user", "reset-password", "tech", "--reason", "forgot", user="monitor",
                env={"DISPENSARY_NEW_PASSWORD": None})  # fmt: skip
    assert reset.code == 4 and "may not manage users" in reset.err, reset.err
    assert state(cli.db) == before


def test_the_new_password_is_asked_for_in_chinese(cli: Cli) -> None:
    """ "请在 DISPENSARY_NEW_PASSWORD 中给出 the new user zhao 的新密码": the whose was English."""
    new_user = ["user", "add", "zhao", "--role", "technician", "--full-name", "Zhao Li"]
    asked = cli("--lang", "zh_CN", *new_user, "--initials", "ZL", user="admin",
                env={"DISPENSARY_NEW_PASSWORD": None})  # fmt: skip
    assert asked.code == 2, asked.err
    assert "新用户 zhao" in asked.err and "the new user" not in asked.err, asked.err


def test_activating_an_active_account_is_refused_and_not_recorded(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """Twice `user activate --reason back technician` printed "Reactivated" twice and wrote two
    audit entries; `user unlock` of an account not locked too."""
    before = state(cli.db)
    again = cli("user", "activate", "technician", "--reason", "back", user="admin")
    assert again.code == 3 and "technician is already active: nothing recorded" in again.err
    unlock = cli("user", "unlock", "technician", "--reason", "just in case", user="admin")
    assert unlock.code == 3 and "technician is not locked" in unlock.err, unlock.err
    assert state(cli.db) == before


def test_a_restore_says_which_account_changes_it_made_again_and_keeps_them(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    """`user deactivate --reason "dismissed, took kits" technician`, then a restore of the backup
    taken just before: `user list` showed technician active again, and the restore said only
    that "the 4 recorded since are only in the file kept"."""
    copy = tmp_path / "bk4" / "r3.bak"
    assert cli("backup", "--out", str(copy), user="admin").code == 0
    gone = cli("user", "deactivate", "--reason", "dismissed, took kits", "technician", user="admin")
    assert gone.code == 0, gone.err
    restored = cli("restore", "--reason", "disk problem", str(copy), user="admin")
    assert restored.code == 0, restored.err
    assert "Account changes the backup did not hold, made again:" in restored.out
    assert "technician: deactivated on " in restored.out
    assert "by admin ('dismissed, took kits')" in restored.out
    listed = cli("user", "list", "--json", user="admin")
    assert listed.code == 0, listed.err
    (technician,) = [u for u in listed.json() if u["username"] == "technician"]
    assert not technician["active"], technician
