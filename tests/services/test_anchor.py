"""Verification codes: a point of the audit chain kept outside the database. A legitimate entry
written since leaves the code standing; a history rewritten with every hash and the chain head
recomputed (which `verify` alone cannot see) fails against any earlier code; every backup
appends its code to the anchor log beside it."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from chain_rewrite import edit_only, rewrite_history
from dispensary.db.engine import is_sqlite
from dispensary.domain.anchor import Anchor, AnchorVerdict, anchor_code, parse_anchor
from dispensary.domain.errors import InvalidInput, NotFound
from dispensary.services import audit, backup, participants, studies, users
from dispensary.services.context import Actor, Context, FixedClock

from .helpers import scalar


@pytest.fixture
def path(busy: Context) -> Path:
    """The SQLite file: a rewrite is made on the file, by a program other than this one."""
    if not is_sqlite(busy.engine):
        pytest.skip("the rewrite is made with the sqlite3 module on a SQLite file")
    assert busy.engine.url.database
    return Path(busy.engine.url.database)


def entry_count(ctx: Context) -> int:
    return int(scalar(ctx, "SELECT COUNT(*) FROM audit_entries"))


def stored_hash(ctx: Context, entry: int) -> str:
    return str(scalar(ctx, "SELECT entry_hash FROM audit_entries WHERE id = :i", i=entry))


def enroll_another(ctx: Context, actor: Actor, number: str = "01-009") -> None:
    participants.enroll(
        ctx,
        actor,
        number,
        "ZZ",
        1971,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )


def test_the_code_names_the_last_entry(busy: Context, monitor: Actor) -> None:
    code = audit.current_anchor(busy, monitor)
    last = entry_count(busy)
    assert code == anchor_code(last, stored_hash(busy, last))
    assert parse_anchor(code).position == last


def test_a_code_still_matches_after_legitimate_entries(
    busy: Context, monitor: Actor, pharmacist: Actor
) -> None:
    code = audit.current_anchor(busy, monitor)
    enroll_another(busy, pharmacist)
    assert audit.current_anchor(busy, monitor) != code
    check = audit.check_anchor(busy, monitor, code)
    assert check.ok and check.verdict is AnchorVerdict.MATCHES
    assert check.entries == entry_count(busy) > check.position
    assert "matches" in check.message and "the whole chain verifies" in check.message
    # Typed as someone reads it aloud: lower case, spaces, O for 0 and L for 1.
    spoken = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert audit.check_anchor(busy, monitor, spoken).ok


def test_a_rewritten_history_that_verifies_fails_against_an_earlier_code(
    busy: Context, path: Path, monitor: Actor, pharmacist: Actor
) -> None:
    code = audit.current_anchor(busy, monitor)
    enroll_another(busy, pharmacist)
    dispense = scalar(busy, "SELECT MIN(id) FROM audit_entries WHERE action = 'dispense'")
    rewrite_history(
        path, "UPDATE audit_entries SET reason = 'nothing happened' WHERE id = :i", i=dispense
    )
    assert audit.verify(busy, monitor).ok  # the rewrite is whole: the chain alone cannot tell
    check = audit.check_anchor(busy, monitor, code)
    assert not check.ok and check.verdict is AnchorVerdict.REWRITTEN
    assert check.verification.ok
    assert f"audit entry {check.position} now has another hash" in check.message
    assert "rewritten after the code was taken" in check.message
    assert "keep its file as it is" in check.message
    assert "monitor" in check.message and "QA" in check.message


def test_a_rewritten_ledger_fails_against_an_earlier_code(
    busy: Context, path: Path, monitor: Actor
) -> None:
    code = audit.current_anchor(busy, monitor)
    row = scalar(busy, "SELECT MIN(id) FROM ledger_entries WHERE kind = 'dispense'")
    rewrite_history(path, "UPDATE ledger_entries SET quantity = -14 WHERE id = :i", i=row)
    assert audit.verify(busy, monitor).ok
    assert audit.check_anchor(busy, monitor, code).verdict is AnchorVerdict.REWRITTEN


def test_the_rewrite_helper_alone_changes_nothing(
    busy: Context, path: Path, monitor: Actor
) -> None:
    code = audit.current_anchor(busy, monitor)
    rewrite_history(path)
    assert audit.current_anchor(busy, monitor) == code
    assert audit.check_anchor(busy, monitor, code).ok


def test_a_rewrite_after_the_code_leaves_it_standing(
    busy: Context, path: Path, monitor: Actor, pharmacist: Actor
) -> None:
    """A code proves the history up to its own entry, no further: a later code covers more."""
    code = audit.current_anchor(busy, monitor)
    enroll_another(busy, pharmacist)
    last = entry_count(busy)
    rewrite_history(path, "UPDATE audit_entries SET reason = 'edited' WHERE id = :i", i=last)
    check = audit.check_anchor(busy, monitor, code)
    assert check.ok


def test_entries_removed_leave_the_chain_shorter_than_the_code(
    busy: Context, path: Path, monitor: Actor, pharmacist: Actor
) -> None:
    kept = entry_count(busy)
    enroll_another(busy, pharmacist, "01-008")
    enroll_another(busy, pharmacist, "01-009")
    code = audit.current_anchor(busy, monitor)
    rewrite_history(
        path,
        "DELETE FROM audit_entries WHERE id > :i",
        # Their facts and study index rows go too: a row no entry lists is named by verify.
        "DELETE FROM audit_entry_studies WHERE audit_entry_id > :i",
        "DELETE FROM participants WHERE study_number IN ('01-008', '01-009')",
        i=kept,
    )
    assert audit.verify(busy, monitor).ok
    check = audit.check_anchor(busy, monitor, code)
    assert check.verdict is AnchorVerdict.SHORTER and not check.ok
    assert f"the audit trail has only {kept} entries" in check.message
    assert "entries were removed" in check.message


def test_the_hash_is_recomputed_from_the_content_not_read_from_its_column(
    busy: Context, path: Path, monitor: Actor
) -> None:
    """An edit that leaves every stored hash as it was: the stored hash at the code's entry
    still starts as the code says, but the recomputed one does not."""
    code = audit.current_anchor(busy, monitor)
    last = entry_count(busy)
    edit_only(path, "UPDATE audit_entries SET reason = 'edited' WHERE id = 3")
    assert parse_anchor(code).matches(stored_hash(busy, last))
    check = audit.check_anchor(busy, monitor, code)
    assert check.verdict is AnchorVerdict.REWRITTEN
    assert not check.verification.ok and check.verification.first_bad == 3


def test_a_broken_chain_after_a_matching_code_is_still_not_ok(
    busy: Context, path: Path, monitor: Actor, pharmacist: Actor
) -> None:
    code = audit.current_anchor(busy, monitor)
    enroll_another(busy, pharmacist)
    edit_only(path, "UPDATE audit_entries SET reason = 'edited' WHERE id = :i", i=entry_count(busy))
    check = audit.check_anchor(busy, monitor, code)
    assert check.verdict is AnchorVerdict.MATCHES and not check.ok
    assert "But the chain does not verify" in check.message


def test_a_misread_code_is_refused_not_taken_for_a_rewrite(busy: Context, monitor: Actor) -> None:
    code = audit.current_anchor(busy, monitor)
    misread = code[:-3] + ("X" if code[-3] != "X" else "Y") + code[-2:]
    with pytest.raises(InvalidInput, match="misread"):
        audit.check_anchor(busy, monitor, misread)
    with pytest.raises(InvalidInput, match="looks like A-"):
        audit.check_anchor(busy, monitor, "104233")


def test_a_code_from_beyond_the_chain_or_another_database(busy: Context, monitor: Actor) -> None:
    far = Anchor(entry_count(busy) + 100, "0" * 10)
    assert audit.check_anchor(busy, monitor, far).verdict is AnchorVerdict.SHORTER
    other = Anchor(2, "f" * 10)
    check = audit.check_anchor(busy, monitor, other)
    assert check.verdict is AnchorVerdict.REWRITTEN and "another database" in check.message
    assert audit.check_anchor(busy, monitor, Anchor(0, "0" * 10)).ok


# -- the anchor log ------------------------------------------------------------------------------


def test_every_backup_appends_its_code_to_the_anchor_log(
    busy: Context, path: Path, admin: Actor, monitor: Actor, tmp_path: Path, clock: FixedClock
) -> None:
    folder = tmp_path / "backups"
    before = audit.current_anchor(busy, monitor)
    first = backup.backup(busy, admin, folder / "one.sqlite3")
    # The code is the chain the backup holds: the entries before its own `backup` entry.
    assert first.anchor == before
    assert first.anchor_log == str(folder / backup.ANCHOR_LOG) and not first.warning
    clock.set_date(date(2026, 1, 27))
    auto = backup.automatic_backup(busy, admin, folder)
    assert auto is not None
    logged = backup.anchor_log(folder)
    assert [line.code for line in logged] == [first.anchor, auto.anchor]
    assert [line.backup for line in logged] == ["one.sqlite3", Path(auto.path).name]
    assert logged[0].study == busy.study.protocol
    assert logged[0].database == str(path.resolve())
    assert logged[0].at.startswith("2026-01-26T")
    assert logged[0].entry_hash == stored_hash(busy, parse_anchor(first.anchor).position)
    log = folder / backup.ANCHOR_LOG
    assert os.stat(log).st_mode & 0o777 == 0o600
    assert log.read_text().startswith("# Dispensary anchor log")
    assert backup.latest_logged(busy, folder).latest == logged[-1]
    assert audit.check_anchor(busy, monitor, logged[-1].anchor).ok
    recorded = scalar(busy, "SELECT new FROM audit_entries WHERE action = 'backup'")
    assert first.anchor in recorded


def test_the_logged_hash_catches_a_rewrite(
    busy: Context, path: Path, admin: Actor, monitor: Actor, tmp_path: Path
) -> None:
    backup.backup(busy, admin, tmp_path / "one.sqlite3")
    rewrite_history(path, "UPDATE audit_entries SET reason = 'edited' WHERE id = 2")
    latest = backup.latest_logged(busy, tmp_path).latest
    assert latest is not None
    assert audit.check_anchor(busy, monitor, latest.anchor).verdict is AnchorVerdict.REWRITTEN


def test_the_anchor_log_is_appended_to_never_rewritten(
    busy: Context, path: Path, admin: Actor, tmp_path: Path
) -> None:
    log = tmp_path / backup.ANCHOR_LOG
    backup.backup(busy, admin, tmp_path / "one.sqlite3")
    text = log.read_text()
    with log.open("a") as extra:
        extra.write("a line of someone's own\n")
    backup.backup(busy, admin, tmp_path / "two.sqlite3")
    after = log.read_text()
    assert after.startswith(text + "a line of someone's own\n")
    assert [line.backup for line in backup.anchor_log(log)] == ["one.sqlite3", "two.sqlite3"]


def test_no_log_or_no_line_for_this_database(
    busy: Context, path: Path, admin: Actor, tmp_path: Path
) -> None:
    with pytest.raises(NotFound, match="no anchor log"):
        backup.anchor_log(tmp_path)
    (tmp_path / backup.ANCHOR_LOG).write_text(
        "2026-01-01T00:00:00+00:00\tNCT07198672\t/elsewhere.sqlite3\t"
        + anchor_code(1, "a" * 64)
        + "\t"
        + "a" * 64
        + "\tx.sqlite3\n"
    )
    with pytest.raises(NotFound, match="no code for this database"):
        backup.latest_logged(busy, tmp_path)


def test_a_backup_whose_log_cannot_be_written_is_still_made(
    busy: Context, path: Path, admin: Actor, tmp_path: Path
) -> None:
    (tmp_path / backup.ANCHOR_LOG).mkdir()  # a folder where the log should be
    result = backup.backup(busy, admin, tmp_path / "one.sqlite3")
    assert Path(result.path).is_file()
    assert result.anchor in result.warning and "could not be added" in result.warning


def test_the_anchor_log_is_the_database_s_whichever_study_was_open_at_the_backup(
    busy: Context, path: Path, admin: Actor, pw: Callable[[Actor], str], tmp_path: Path
) -> None:
    """The audit chain is the database's, so is a backup: a code logged while one study was
    open checks the chain from any other (it said "no code for this database" there)."""
    from .test_several_studies import OTHER, other_text

    studies.add_study(busy, admin, other_text(busy.study), "other.toml", "second protocol")
    made = backup.backup(busy, admin, tmp_path / "one.sqlite3")
    other = studies.switch_study(busy, users.sign_in(busy, "admin", pw(admin)), OTHER)
    latest = backup.latest_logged(other, tmp_path).latest
    assert latest is not None and latest.code == made.anchor
    assert latest.study == busy.study.protocol  # the study open then, for the reader
