"""The site key in the Settings screen: an administrator at the site, who works in the windows,
sees whether a key signs the anchor log, its fingerprint for the quality binder and where the
key and its public file are; makes a new key on removable media or sets an existing one, with a
reason, through the service the command uses (services/site_key), which records it. Anyone
reads the fingerprint on the audit screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, answer_reason, build_pharmacy
from PySide6.QtCore import Qt

from dispensary import config
from dispensary.services import audit, site_key
from dispensary.services.results import AuditRow
from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.settings_view import SettingsScreen, SiteKeyFileChooser


@pytest.fixture
def place(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pharmacy]:
    """The pharmacy, its workstation's settings in a folder of the test's own, no key set."""
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(site_key.ENV_SITE_KEY, raising=False)
    built = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield built
    built.ctx.engine.dispose()


def choose_files(
    monkeypatch: pytest.MonkeyPatch, new: Path | None, existing: Path | None
) -> list[str]:
    """The file dialogs answered with `new` (where a key is made) and `existing` (a key file to
    use); returns the titles of the dialogs opened."""
    asked: list[str] = []

    def ask_new(_cls: Any, _parent: Any, title: str, start: str, filters: str) -> str | None:
        asked.append(title)
        assert start.endswith("dispensary-site-key.pem") and "*.pem" in filters
        return None if new is None else str(new)

    def ask_existing(_cls: Any, _parent: Any, title: str, _start: str, _f: str) -> str | None:
        asked.append(title)
        return None if existing is None else str(existing)

    monkeypatch.setattr(SiteKeyFileChooser, "ask_new", classmethod(ask_new))
    monkeypatch.setattr(SiteKeyFileChooser, "ask_existing", classmethod(ask_existing))
    return asked


def settings_screen(qtbot: Any, place: Pharmacy, user: str = "admin") -> SettingsScreen:
    screen = SettingsScreen(place.session(user))
    qtbot.addWidget(screen)
    screen.refresh()
    return screen


def key_entries(place: Pharmacy) -> list[AuditRow]:
    admin = place.actor("admin")
    return [
        *audit.list_entries(place.ctx, admin, action=site_key.CREATED),
        *audit.list_entries(place.ctx, admin, action=site_key.SET),
    ]


def test_an_administrator_makes_a_site_key_on_removable_media_with_a_reason_recorded(
    qtbot: Any, place: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    key_file = usb / "zhengzhou-site-key.pem"
    asked = choose_files(monkeypatch, key_file, None)
    screen = settings_screen(qtbot, place)
    box = screen.site_key
    assert box.state.isVisibleTo(screen)
    assert (
        box.state.text() == "None set: the anchor log's lines are not signed on this workstation."
    )
    assert not box.details.isVisibleTo(screen)
    prompts = answer_reason(monkeypatch, "Anchor log signed for the quality binder")
    qtbot.mouseClick(box.create_button, Qt.MouseButton.LeftButton)
    assert asked == ["Where the new site key goes"]
    assert prompts and "audit trail" in prompts[0]
    said = screen.message.text()
    assert screen.message.kind == "ok", said
    made = site_key.current()
    assert made is not None and made.path == str(key_file)
    assert f"site key {made.fingerprint}" in said and f"{key_file}.pub" in said
    assert key_file.exists() and Path(f"{key_file}.pub").exists()
    assert config.Settings.load().site_key == str(key_file)
    # Shown as the service reads it: the fingerprint for the binder, the key, its public file.
    assert box.details.isVisibleTo(screen) and not box.state.isVisibleTo(screen)
    assert box.fingerprint.text() == made.fingerprint
    assert box.key_file.text() == str(key_file)
    assert box.public_file.text() == f"{key_file}.pub"
    [entry] = key_entries(place)
    assert (entry.action, entry.entity, entry.entity_id, entry.username) == (
        "site_key_created",
        "site_key",
        made.fingerprint,
        "admin",
    )
    assert json.loads(entry.new) == {
        "public_key": made.public_key,
        "fingerprint": made.fingerprint,
        "file": str(key_file),
    }
    assert entry.reason == "Anchor log signed for the quality binder"
    assert audit.verify(place.ctx, place.actor("admin")).ok
    # A monitor reads the fingerprint on the audit screen, and nothing there changes it.
    trail = AuditScreen(place.session("monitor"))
    qtbot.addWidget(trail)
    trail.refresh()
    assert trail.site_key.text() == f"Site key of this workstation: {made.fingerprint}"
    assert "quality binder" in trail.site_key.toolTip()


def test_a_file_already_there_is_never_written_over_and_the_reason_is_not_asked(
    qtbot: Any, place: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    there = tmp_path / "notes.pem"
    there.write_text("the pharmacy's notes", encoding="utf-8")
    choose_files(monkeypatch, there, None)
    prompts = answer_reason(monkeypatch, "new key")
    screen = settings_screen(qtbot, place)
    qtbot.mouseClick(screen.site_key.create_button, Qt.MouseButton.LeftButton)
    said = screen.message.text()
    assert screen.message.kind == "error", said
    assert "already exists: a site key is never written over" in said
    assert prompts == []
    assert there.read_text(encoding="utf-8") == "the pharmacy's notes"
    assert key_entries(place) == [] and site_key.configured() is None


def test_an_existing_key_is_used_and_a_file_that_is_not_a_key_is_said(
    qtbot: Any, place: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key made on the workstation that makes the backups, set on this one: a file that is
    not a key is refused with what it should be, before a reason is asked, and nothing is
    set; the key itself is set with its reason, its public file found beside it."""
    other = tmp_path / "other-workstation"
    other.mkdir()
    made = site_key.create(place.ctx, place.actor("admin"), other / "site.pem", "made there")
    (tmp_path / "home" / "settings.json").unlink()  # this workstation: none set yet
    not_a_key = tmp_path / "readme.txt"
    not_a_key.write_text("the key is in the safe", encoding="utf-8")
    asked = choose_files(monkeypatch, None, not_a_key)
    prompts = answer_reason(monkeypatch, "The site's key, made at the backup workstation")
    screen = settings_screen(qtbot, place)
    assert not screen.site_key.details.isVisibleTo(screen)
    qtbot.mouseClick(screen.site_key.use_button, Qt.MouseButton.LeftButton)
    assert asked == ["The site key file to use"]
    said = screen.message.text()
    assert screen.message.kind == "error", said
    assert f"{not_a_key} is not a site key (an Ed25519 private key in PEM" in said
    assert prompts == []
    assert site_key.configured() is None
    assert len(key_entries(place)) == 1  # the one made on the other workstation

    choose_files(monkeypatch, None, other / "site.pem")
    qtbot.mouseClick(screen.site_key.use_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert f"site key {made.fingerprint}" in screen.message.text()
    assert screen.site_key.fingerprint.text() == made.fingerprint
    assert screen.site_key.public_file.text() == f"{other / 'site.pem'}.pub"
    [entry] = audit.list_entries(place.ctx, place.actor("admin"), action=site_key.SET)
    assert entry.entity_id == made.fingerprint
    assert entry.reason == "The site's key, made at the backup workstation"
    assert config.Settings.load().site_key == str(other / "site.pem")


def test_a_key_set_but_unreadable_is_said_and_can_be_replaced(
    qtbot: Any, place: Pharmacy, tmp_path: Path
) -> None:
    """The removable media taken out: the screen says the service's words, and still offers
    to set a key."""
    settings = config.Settings.load()
    settings.site_key = str(tmp_path / "gone" / "site.pem")
    settings.save()
    screen = settings_screen(qtbot, place)
    box = screen.site_key
    assert box.state.isVisibleTo(screen) and not box.details.isVisibleTo(screen)
    assert box.state.text().startswith(f"The site key {tmp_path / 'gone' / 'site.pem'} cannot")
    assert box.use_button.isEnabled() and box.create_button.isEnabled()


def test_a_user_who_is_not_an_administrator_is_refused_and_nothing_is_written(
    qtbot: Any, place: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "site.pem"
    choose_files(monkeypatch, key_file, key_file)
    prompts = answer_reason(monkeypatch, "signing the log")
    screen = settings_screen(qtbot, place, "pharm")
    for button in (screen.site_key.create_button, screen.site_key.use_button):
        screen.message.clear_message()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        said = screen.message.text()
        assert screen.message.kind == "error", said
        assert said == (
            "pharm (pharmacist) may not change a workstation's label printers, its database or "
            "its site key. Ask a user with the role: administrator."
        )
    assert prompts == []
    assert not key_file.exists()
    assert key_entries(place) == [] and site_key.configured() is None


def test_the_variable_naming_a_key_is_said_and_no_change_is_offered(
    qtbot: Any, place: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = site_key.create(place.ctx, place.actor("admin"), tmp_path / "site.pem", "first key")
    monkeypatch.setenv(site_key.ENV_SITE_KEY, made.path)
    screen = settings_screen(qtbot, place)
    box = screen.site_key
    assert box.override.isVisibleTo(screen)
    assert "DISPENSARY_SITE_KEY is set on this computer" in box.override.text()
    assert not box.create_button.isEnabled() and not box.use_button.isEnabled()
    assert box.fingerprint.text() == made.fingerprint  # the key it signs with, shown
    monkeypatch.delenv(site_key.ENV_SITE_KEY)
    screen.refresh()
    assert not box.override.isVisibleTo(screen)
    assert box.create_button.isEnabled() and box.use_button.isEnabled()


def test_the_site_key_reads_in_chinese(
    qtbot: Any, chinese: None, place: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_key = tmp_path / "readme.txt"
    not_a_key.write_text("not a key", encoding="utf-8")
    choose_files(monkeypatch, None, not_a_key)
    screen = settings_screen(qtbot, place)
    box = screen.site_key
    assert box.title() == "本工作站的站点密钥"
    assert box.state.text() == "未设置：此工作站的锚点日志行未签名。"
    assert (box.use_button.text(), box.create_button.text()) == (
        "使用现有密钥文件(&U)…",
        "创建新的站点密钥(&C)…",
    )
    qtbot.mouseClick(box.use_button, Qt.MouseButton.LeftButton)
    assert "不是站点密钥" in screen.message.text()
    assert "“设置”界面的“创建新的站点密钥…”" in screen.message.text()
    trail = AuditScreen(place.session("monitor"))
    qtbot.addWidget(trail)
    trail.refresh()
    assert trail.site_key.text() == "此工作站没有站点密钥：其锚点日志未签名。"
