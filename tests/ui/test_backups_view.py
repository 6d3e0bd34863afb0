"""The administrator's Backups screen, driven on the real widgets in English and Chinese: it
lists a backup made (its verification code, still as written), Back up now writes one into the
folder picked and shows its code, the restore's command line is the chosen backup's; the
pharmacist, technician and monitor read the list (read only: no restore command), and the
service refuses them the restore, and the technician and monitor a backup by hand."""

from __future__ import annotations

import os
import shlex
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import main_window, shoot, shown

from dispensary.cli.program import build_parser
from dispensary.domain.errors import DatabaseProblem, InvalidInput, NotPermitted, RuleViolation
from dispensary.i18n import ENGLISH, Language
from dispensary.services import audit, backup
from dispensary.services.backup import BackupState
from dispensary.ui.backups_view import BackupFolderChooser, BackupsScreen
from tamper import edit_file

SAID_WRITTEN = {ENGLISH: "Backup written", Language.ZH_CN: "已写出备份"}
CHECKING = {ENGLISH: "Checking backups…", Language.ZH_CN: "正在核对备份…"}
EVIDENCE = {
    ENGLISH: "audit trail did not verify — kept as evidence, not for restore",
    Language.ZH_CN: "稽查轨迹核验未通过——作为证据保留，不用于恢复",
}
NOT_FOR_RESTORE = {
    ENGLISH: "kept as evidence, not for restore",
    Language.ZH_CN: "作为证据保留，不用于恢复",
}


def read(qtbot: QtBot, screen: BackupsScreen) -> None:
    """The list read again (off the UI thread) and shown."""
    screen.refresh()
    qtbot.waitUntil(lambda: not screen.checking)


def pick_folder(monkeypatch: pytest.MonkeyPatch, folder: Path | None) -> list[str]:
    asked: list[str] = []

    def ask(cls: Any, parent: QWidget | None, title: str, start: str) -> str | None:
        asked.append(start)
        return None if folder is None else str(folder)

    monkeypatch.setattr(BackupFolderChooser, "ask", classmethod(ask))
    return asked


def test_the_list_shows_a_backup_made_and_its_restore_command(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language, tmp_path: Path, styled: None
) -> None:
    """Reached from the Go menu by its key (Ctrl+Shift+B); the command line copied is the
    chosen backup's, with the reason typed."""
    session = pharmacy.session("admin")
    made = backup.backup(pharmacy.ctx, session.actor, tmp_path / "backups" / "before-visit.sqlite3")
    window = main_window(qtbot, session)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window.focusWidget() or window,
        Qt.Key.Key_B,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    screen = window.current_screen()
    assert isinstance(screen, BackupsScreen)
    qtbot.waitUntil(lambda: not screen.checking)
    rows = screen.model.rows
    assert [r.path for r in rows] == [made.path]
    assert rows[0].code == made.anchor and rows[0].state is BackupState.HOLDS_CODE
    assert not rows[0].automatic and rows[0].bytes == made.bytes
    texts = [screen.proxy.index(0, c).data() for c in range(screen.proxy.columnCount())]
    assert made.anchor in texts and made.path in texts, texts
    qtbot.keyClicks(screen.reason, "damaged by a power cut")
    command = screen.command.toPlainText()
    assert " restore " in command and made.path in command, command
    assert "--user admin" in command and "'--reason=damaged by a power cut'" in command, command
    assert f"--db {pharmacy.path.resolve()}" in command, command
    qtbot.mouseClick(screen.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == command
    shoot(window, f"backups-list-{language.value}")


def test_back_up_now_writes_one_into_the_folder_picked_and_shows_its_code(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: Language,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    asked = pick_folder(monkeypatch, stick)
    screen = BackupsScreen(pharmacy.session("admin"))
    shown(qtbot, screen)
    read(qtbot, screen)
    assert screen.model.rows == []
    qtbot.keyClick(screen.back_up_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not screen.checking)
    assert asked == [str(tmp_path / "backups")]  # the database's own folder offered first
    written = list(stick.glob("*.sqlite3"))
    assert len(written) == 1 and written[0].name.startswith("pharmacy-by-hand-")
    said = screen.message.text()
    rows = screen.model.rows
    assert [r.path for r in rows] == [str(written[0])]
    code = rows[0].code
    assert code and code in said and SAID_WRITTEN[language] in said, said
    assert screen.current() == rows[0]
    # No command until the reason for the restore is typed (it is the restore's audit entry).
    assert not screen.command.toPlainText() and not screen.copy_button.isEnabled()
    qtbot.keyClicks(screen.reason, "-1 day: wrong shipment received")
    assert str(written[0]) in screen.command.toPlainText()
    assert "'--reason=-1 day: wrong shipment received'" in screen.command.toPlainText()
    shoot(screen, f"backups-now-{language.value}")


def _with_evidence(pharmacy: Pharmacy, tmp_path: Path) -> tuple[str, str]:
    """A good backup, then the audit trail edited behind the program's back and the day's
    automatic backup made of it (kept as evidence, -CHAIN-BROKEN): their paths."""
    admin = pharmacy.session("admin").actor
    good = backup.backup(pharmacy.ctx, admin, tmp_path / "backups" / "good.sqlite3")
    database = pharmacy.ctx.engine.url.database
    assert database
    edit_file(database, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
    assert not audit.verify(pharmacy.ctx, admin).ok  # a full check finds the edit
    daily = backup.automatic_backup(pharmacy.ctx, admin, tmp_path / "backups")
    assert daily is not None and daily.chain_broken
    return good.path, daily.path


ONLY_ADMIN_RESTORES = {
    ENGLISH: "Only these roles restore a backup: administrator.",
    Language.ZH_CN: "只有以下角色可以恢复备份：系统管理员。",
}
WHO_BACKS_UP = {
    ENGLISH: "Only these roles make a backup by hand: administrator, pharmacist.",
    Language.ZH_CN: "只有以下角色可以手动备份：系统管理员、药师。",
}


@pytest.mark.parametrize("user", ["pharm", "tech", "monitor"])
def test_each_role_that_reads_the_audit_trail_reads_the_backups_but_restores_none(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: Language,
    tmp_path: Path,
    styled: None,
    monkeypatch: pytest.MonkeyPatch,
    user: str,
) -> None:
    """Signed in as a pharmacist, a technician or a monitor: Backups is in the Go menu (its
    key too), the list shows each backup and its state, the copy kept as evidence of a trail
    that did not verify among them; no restore command is asked for or shown, the screen says
    who restores; Back up now is on for the pharmacist (the service lets a pharmacist make a
    backup by hand) and off for the others, its hint saying who may."""
    good, evidence = _with_evidence(pharmacy, tmp_path)
    asked: list[str] = []
    real = backup.restore_command
    monkeypatch.setattr(
        backup, "restore_command", lambda *a, **k: asked.append("asked") or real(*a, **k)
    )
    session = pharmacy.session(user)
    window = main_window(qtbot, session)
    assert BackupsScreen in window.go_actions
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window.focusWidget() or window,
        Qt.Key.Key_B,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    screen = window.current_screen()
    assert isinstance(screen, BackupsScreen)
    qtbot.waitUntil(lambda: not screen.checking)
    assert not screen.message.text(), screen.message.text()  # not refused
    rows = {r.path: r.state for r in screen.model.rows}
    assert rows == {good: BackupState.HOLDS_CODE, evidence: BackupState.CHAIN_BROKEN}
    assert screen.select(evidence)
    texts = [
        screen.proxy.index(screen.table.currentIndex().row(), c).data()
        for c in range(screen.proxy.columnCount())
    ]
    assert any(EVIDENCE[language] in str(t) for t in texts), texts
    assert screen.select(good)
    # The restore is the administrator's: no reason, no command, no copy; who restores is said.
    for hidden in (screen.reason, screen.command, screen.copy_button):
        assert not hidden.isVisible()
    assert ONLY_ADMIN_RESTORES[language] in screen.how.text(), screen.how.text()
    assert not screen.command.toPlainText() and asked == []
    pharmacist = user == "pharm"
    assert screen.back_up_button.isVisible()
    assert screen.back_up_button.isEnabled() is pharmacist
    if not pharmacist:
        tip = screen.back_up_button.toolTip()
        assert WHO_BACKS_UP[language] in tip, tip
        written = sorted(p.name for p in (tmp_path / "backups").iterdir())
        qtbot.keyClick(screen.back_up_button, Qt.Key.Key_Space)  # off: nothing happens
        assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == written
    shoot(window, f"backups-read-only-{user}-{language.value}")


def test_the_pharmacist_backs_up_by_hand_from_the_screen(
    qtbot: QtBot, pharmacy: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the service allows (Permission.BACKUP): the backup is written and listed; still no
    restore command."""
    stick = tmp_path / "usb"
    stick.mkdir()
    pick_folder(monkeypatch, stick)
    screen = BackupsScreen(pharmacy.session("pharm"))
    shown(qtbot, screen)
    read(qtbot, screen)
    qtbot.keyClick(screen.back_up_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not screen.checking)
    [written] = stick.glob("*.sqlite3")
    assert [r.path for r in screen.model.rows] == [str(written)]
    assert SAID_WRITTEN[ENGLISH] in screen.message.text()
    assert not screen.command.toPlainText() and not screen.copy_button.isVisible()


def test_only_an_administrator_restores_and_only_a_pharmacist_or_administrator_backs_up(
    pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """Called straight, not through a screen: the service reads the list for every role that
    reads the audit trail, and refuses the restore's command line (and the restore) to all but
    the administrator, and a backup by hand to the technician and the monitor."""
    good, _evidence = _with_evidence(pharmacy, tmp_path)
    for user in ("pharm", "tech", "monitor", "admin"):
        actor = pharmacy.session(user).actor
        listed = backup.kept_backups(pharmacy.ctx, actor)
        assert good in [k.path for k in listed.backups]
        if user == "admin":
            assert backup.restore_command(pharmacy.ctx, actor, good, "damaged")
            continue
        with pytest.raises(NotPermitted, match="may not restore a backup"):
            backup.restore_command(pharmacy.ctx, actor, good, "damaged")
        database = Path(str(pharmacy.ctx.engine.url.database))
        before = database.read_bytes()
        with pytest.raises(NotPermitted, match="may not restore a backup"):
            backup.restore(database, good, actor, reason="damaged")
        assert database.read_bytes() == before
        out = tmp_path / f"by-{user}.sqlite3"
        if user == "pharm":
            assert Path(backup.backup(pharmacy.ctx, actor, out).path).is_file()
            continue
        with pytest.raises(NotPermitted, match="may not make a manual backup"):
            backup.backup(pharmacy.ctx, actor, out)
        with pytest.raises(NotPermitted, match="may not make a manual backup"):
            backup.backup_into(pharmacy.ctx, actor, tmp_path)
        assert not out.exists()


def test_a_backup_changed_since_is_said(qtbot: QtBot, pharmacy: Pharmacy, tmp_path: Path) -> None:
    """The day's automatic backup as written (its size and SHA-256 listed), one by hand
    overwritten since, one on a stick not plugged in."""
    session = pharmacy.session("admin")
    daily = backup.automatic_backup(pharmacy.ctx, session.actor, tmp_path / "backups")
    assert daily is not None
    made = backup.backup(pharmacy.ctx, session.actor, tmp_path / "backups" / "one.sqlite3")
    Path(made.path).write_bytes(b"not a database")
    gone = backup.backup(pharmacy.ctx, session.actor, tmp_path / "elsewhere.sqlite3")
    Path(gone.path).unlink()
    screen = BackupsScreen(session)
    shown(qtbot, screen)
    read(qtbot, screen)
    states = {r.path: r.state for r in screen.model.rows}
    assert states == {
        daily.path: BackupState.AS_WRITTEN,
        made.path: BackupState.CHANGED,
        gone.path: BackupState.MISSING,
    }
    automatic = [r for r in screen.model.rows if r.automatic]
    assert [r.path for r in automatic] == [daily.path] and automatic[0].code == daily.anchor


def test_the_restore_command_needs_its_reason_and_reads_as_the_command_reads_it(
    pharmacy: Pharmacy,
) -> None:
    """The reason is the restore's audit entry: no command without one (it recorded a stand-in
    text before); given as one word with its option, a reason starting with "-" is still the
    reason when the command parses it."""
    admin = pharmacy.session("admin").actor
    with pytest.raises(InvalidInput):
        backup.restore_command(pharmacy.ctx, admin, "x.sqlite3", "  ")
    line = backup.restore_command(pharmacy.ctx, admin, "x.sqlite3", "-1 day: wrong shipment")
    words = shlex.split(line)
    assert words[0] == "dispensary"
    parsed = build_parser().parse_args(words[1:])
    assert parsed.reason == "-1 day: wrong shipment", parsed


def test_a_backup_is_hashed_once_not_at_every_refresh(
    qtbot: QtBot, pharmacy: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the screen reads each automatic backup whole (its SHA-256 against the list
    written with it): once per file as it stands, not again at each refresh; a file changed
    since is read again and said changed."""
    session = pharmacy.session("admin")
    daily = backup.automatic_backup(pharmacy.ctx, session.actor, tmp_path / "backups")
    assert daily is not None
    hashed: list[Path] = []
    real = backup._sha256

    def counted(path: Path) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(backup, "_sha256", counted)
    screen = BackupsScreen(session)
    shown(qtbot, screen)
    for _ in range(3):
        read(qtbot, screen)
    assert hashed == [Path(daily.path)]
    assert [r.state for r in screen.model.rows] == [BackupState.AS_WRITTEN]
    data = bytearray(Path(daily.path).read_bytes())
    data[-1] ^= 0xFF  # same size, another content, a later time modified
    Path(daily.path).write_bytes(bytes(data))
    os.utime(daily.path, ns=(time.time_ns(), time.time_ns() + 10**9))
    read(qtbot, screen)
    assert hashed == [Path(daily.path)] * 2
    assert [r.state for r in screen.model.rows] == [BackupState.CHANGED]


def test_the_list_is_read_off_the_ui_thread_while_it_says_it_is_checking(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    language: Language,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each automatic backup is hashed the first time the screen lists it (seconds for a large
    database): read by a worker, the window keeps answering and says it is checking, with the
    actions that need the list off, until the rows arrive."""
    session = pharmacy.session("admin")
    daily = backup.automatic_backup(pharmacy.ctx, session.actor, tmp_path / "backups")
    assert daily is not None
    released = threading.Event()
    started = threading.Event()
    real = backup._sha256

    def slow(path: Path) -> str:
        started.set()
        assert released.wait(20), "the hash was never let go"
        return real(path)

    monkeypatch.setattr(backup, "_HASHED", {})  # not hashed yet in this run of the program
    monkeypatch.setattr(backup, "_sha256", slow)
    screen = BackupsScreen(session)
    shown(qtbot, screen)
    try:
        screen.refresh()
        assert started.wait(10)
        ticked: list[bool] = []
        QTimer.singleShot(0, lambda: ticked.append(True))
        qtbot.waitUntil(lambda: bool(ticked))  # the event loop runs while the file is hashed
        assert screen.checking and screen.checking_label.isVisible()
        assert screen.checking_label.text() == CHECKING[language]
        assert screen.model.rows == []
        assert not screen.back_up_button.isEnabled() and not screen.reason.isEnabled()
        assert not screen.copy_button.isEnabled()
        shoot(screen, f"backups-checking-{language.value}")
    finally:
        released.set()
    qtbot.waitUntil(lambda: not screen.checking)
    assert [(r.path, r.state) for r in screen.model.rows] == [(daily.path, BackupState.AS_WRITTEN)]
    assert not screen.checking_label.isVisible()
    assert screen.back_up_button.isEnabled() and screen.reason.isEnabled()
    assert screen.current() == screen.model.rows[0]


def test_a_copy_of_a_trail_that_did_not_verify_is_listed_as_evidence_not_for_restore(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language, tmp_path: Path, styled: None
) -> None:
    """The backups made when the audit trail did not verify (named -CHAIN-BROKEN, given no code,
    logged in no anchor log): the automatic one and one by hand are listed, marked as evidence,
    and given no restore command (the restore refuses a backup that does not verify); one by
    hand on a stick not plugged in is listed as missing; a good one made before still has its
    command."""
    session = pharmacy.session("admin")
    good = backup.backup(pharmacy.ctx, session.actor, tmp_path / "backups" / "good.sqlite3")
    database = pharmacy.ctx.engine.url.database
    assert database
    edit_file(database, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
    assert not audit.verify(pharmacy.ctx, session.actor).ok  # a full check finds the edit
    daily = backup.automatic_backup(pharmacy.ctx, session.actor, tmp_path / "backups")
    assert daily is not None and daily.chain_broken
    stick = tmp_path / "usb"
    stick.mkdir()
    by_hand = backup.backup(pharmacy.ctx, session.actor, stick / "evidence.sqlite3")
    gone = backup.backup(pharmacy.ctx, session.actor, tmp_path / "unplugged" / "e.sqlite3")
    Path(gone.path).unlink()
    assert all(m.path.endswith("-CHAIN-BROKEN.sqlite3") for m in (daily, by_hand, gone))

    screen = BackupsScreen(session)
    shown(qtbot, screen)
    read(qtbot, screen)
    rows = {r.path: r for r in screen.model.rows}
    assert {p: r.state for p, r in rows.items()} == {
        good.path: BackupState.HOLDS_CODE,
        daily.path: BackupState.CHAIN_BROKEN,
        by_hand.path: BackupState.CHAIN_BROKEN,
        gone.path: BackupState.MISSING,
    }
    assert rows[daily.path].automatic and not rows[by_hand.path].automatic
    assert rows[daily.path].bytes == daily.bytes and rows[daily.path].code == ""
    assert not rows[good.path].not_for_restore
    for path in (daily.path, by_hand.path):
        assert screen.select(path)
        texts = [
            screen.proxy.index(screen.table.currentIndex().row(), c).data()
            for c in range(screen.proxy.columnCount())
        ]
        assert any(EVIDENCE[language] in str(t) for t in texts), texts
        said = rows[path].not_for_restore
        assert Path(path).name in said and NOT_FOR_RESTORE[language] in said, said
        # No command for it, whatever the reason: the service's words say why.
        assert not screen.reason.isEnabled() and not screen.copy_button.isEnabled()
        assert screen.command.toPlainText() == "" and screen.command.placeholderText() == said
        with pytest.raises(RuleViolation) as refused:
            backup.restore_command(pharmacy.ctx, session.actor, path, "damaged")
        assert refused.value.message == said
    shoot(screen, f"backups-chain-broken-{language.value}")
    assert screen.select(good.path)
    assert screen.reason.isEnabled()
    qtbot.keyClicks(screen.reason, "damaged by a power cut")
    assert good.path in screen.command.toPlainText() and screen.copy_button.isEnabled()


def test_the_restore_refuses_a_copy_of_a_trail_that_did_not_verify(
    pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """What the screen says of such a copy is the restore's own answer: run anyway, it is
    refused and nothing is changed."""
    session = pharmacy.session("admin")
    good = backup.backup(pharmacy.ctx, session.actor, tmp_path / "out" / "good.sqlite3")
    database = pharmacy.ctx.engine.url.database
    assert database
    edit_file(database, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
    assert not audit.verify(pharmacy.ctx, session.actor).ok
    made = backup.backup(pharmacy.ctx, session.actor, tmp_path / "out" / "b.sqlite3")
    assert made.path.endswith("-CHAIN-BROKEN.sqlite3")
    target = tmp_path / "target.sqlite3"  # the good database, as a workstation would hold it
    target.write_bytes(Path(good.path).read_bytes())
    before = target.read_bytes()
    with pytest.raises(DatabaseProblem, match="does not verify"):
        backup.restore(target, made.path, session.actor, reason="test")
    assert target.read_bytes() == before


def test_f5_in_the_table_leaves_the_cursor_in_the_table(
    qtbot: QtBot, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """The table was switched off while the list was read: the cursor went to the restore
    command and stayed there, the F5 pressed in the table leaving the keyboard user elsewhere."""
    from dispensary.ui.main_window import MainWindow

    session = pharmacy.session("admin")
    assert backup.automatic_backup(pharmacy.ctx, session.actor, tmp_path / "backups")
    window = main_window(qtbot, session)
    assert isinstance(window, MainWindow)
    window.go_actions[BackupsScreen].trigger()
    screen = window.current_screen()
    assert isinstance(screen, BackupsScreen)
    qtbot.waitUntil(lambda: not screen.checking and bool(screen.model.rows))
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is window.windowHandle())
    screen.table.setFocus()
    qtbot.waitUntil(screen.table.hasFocus)
    qtbot.keyClick(screen.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not screen.checking, timeout=20000)
    qtbot.wait(20)
    assert screen.table.hasFocus(), QGuiApplication.focusObject()


@pytest.mark.parametrize("listed", [False, True], ids=["none-listed", "one-listed"])
def test_a_database_server_is_not_promised_a_daily_backup_it_never_gets(
    qtbot: QtBot,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    language: Language,
    tmp_path: Path,
    styled: None,
    listed: bool,
) -> None:
    """On a database server the program keeps no copy (kept_backups says `server`): the screen
    says how such a database is backed up, not that the first sign-in of the day makes one; nor
    does it ask for the reason that builds a file's restore command (restore_command refuses a
    server), even with a backup listed and chosen."""
    session = pharmacy.session("admin")
    if listed:  # one the anchor log names all the same: the list is the service's
        backup.backup(pharmacy.ctx, session.actor, tmp_path / "backups" / "before.sqlite3")
    real = backup.kept_backups

    def on_a_server(ctx: Any, actor: Any) -> backup.KeptBackups:
        kept = real(ctx, actor)
        return backup.KeptBackups(
            database=kept.database,
            folder=kept.folder if listed else "",
            backups=kept.backups,
            server=True,
        )

    monkeypatch.setattr(backup, "kept_backups", on_a_server)
    screen = BackupsScreen(session)
    shown(qtbot, screen)
    read(qtbot, screen)
    assert len(screen.model.rows) == listed
    said = screen.folder.text()
    if not listed:
        assert {ENGLISH: "pg_dump", Language.ZH_CN: "pg_dump"}[language] in said
    assert {ENGLISH: "first sign-in", Language.ZH_CN: "首次登录"}[language] not in said
    assert not screen.back_up_button.isEnabled()
    # Nor is it restored by the command the screen gives for a file: no reason is asked for
    # (it built that command), nor its label, nor its Alt key, nor a command box left empty.
    assert "pg_restore" in screen.how.text()
    [caption] = [c for c in screen.findChildren(QLabel) if c.buddy() is screen.reason]
    for field in (caption, screen.reason, screen.command, screen.copy_button):
        assert not field.isVisible(), field.objectName() or field.text()
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.table.setFocus()
    qtbot.waitUntil(screen.table.hasFocus)
    qtbot.keyClick(screen.table, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert not screen.reason.hasFocus() and screen.table.hasFocus(), QApplication.focusWidget()
    qtbot.wait(50)  # the box's layout, three passes to settle once the fields are hidden
    shoot(screen, f"backups-server-{'listed-' if listed else ''}{language.value}")
