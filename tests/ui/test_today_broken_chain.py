"""The Today screen's word on the audit trail, in English and Chinese: between full checks it
says how far the trail was verified in full and that only the new entries were checked since
(not "records verified" over a record edited before the last full check); once a full check
finds an edit, the screen shows it in a red banner, not a small grey line, even where it holds
a point of its own from an earlier check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from back_office_fixtures import Pharmacy, build_pharmacy
from pytestqt.qtbot import QtBot
from window_helpers import go_to, main_window, today_screen

from dispensary.i18n import ENGLISH, Language
from dispensary.services import audit
from tamper import edit_file

SHOTS = Path("/tmp/wt-fix-broken-shots")


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield place
    place.ctx.engine.dispose()


@pytest.fixture
def language(language: Language, styled: None) -> Language:
    return language


WORDS = {
    ENGLISH: ("new audit entries verified since the full check of", "CHAIN BROKEN"),
    Language.ZH_CN: ("条新稽查轨迹条目已核验", "链已损坏"),
}


def test_today_says_what_was_checked_and_shows_a_broken_chain_in_red(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language
) -> None:
    window = main_window(qtbot, pharmacy.session("pharm"))
    today = today_screen(window)
    qtbot.waitUntil(lambda: today.snapshot is not None and not today.checking, timeout=20_000)
    assert today.snapshot is not None and today.snapshot.verification.ok
    assert not today.broken.isVisible()
    path = pharmacy.ctx.engine.url.database
    assert path
    edit_file(path, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")

    today.refresh()  # checks only what is new since its point: says so, with the full check's date
    qtbot.waitUntil(lambda: not today.checking, timeout=20_000)
    line = today.state.text()
    since, found = WORDS[language]
    assert since in line, line
    assert today.snapshot is not None and today.snapshot.full_check_at is not None
    assert today.snapshot.full_check_at.astimezone().date().isoformat() in line
    assert "(0 new audit entries checked)" not in line
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / f"today-since-{language.value}.png"))

    assert not audit.verify(pharmacy.ctx, pharmacy.actor("admin")).ok  # a full check finds it
    today.refresh()
    qtbot.waitUntil(lambda: not today.checking, timeout=20_000)
    assert today.snapshot is not None and not today.snapshot.verification.ok
    assert today.broken.isVisible()
    assert found in today.broken.text()
    assert "K" in today.broken.text()  # the finding names the kit
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / f"today-broken-{language.value}.png"))


NO_CODE = {
    ENGLISH: "none: the audit trail does not verify",
    Language.ZH_CN: "无：稽查轨迹核验未通过",
}


def test_the_audit_screen_gives_no_code_under_a_broken_chain(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language
) -> None:
    from dispensary.ui.audit_view import AuditScreen

    window = main_window(qtbot, pharmacy.session("admin"))
    screen = go_to(window, AuditScreen)
    qtbot.waitUntil(lambda: screen.anchor_code.text().startswith("A-"), timeout=20_000)
    path = pharmacy.ctx.engine.url.database
    assert path
    edit_file(path, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
    screen.verify()  # the red CHAIN BROKEN banner: the code read before it is taken away
    assert screen.verdict.isVisible() and not screen.verdict.text().startswith("CHAIN INTACT")
    assert screen.anchor_code.text() == NO_CODE[language]
    assert "A-" not in screen.anchor_code.text()
    screen.refresh()
    assert screen.anchor_code.text() == NO_CODE[language]
    qtbot.wait(50)
    label = screen.anchor_code
    assert label.width() >= label.sizeHint().width(), "the words read whole"
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / f"audit-broken-{language.value}.png"))


def test_the_sign_ins_backup_of_a_broken_chain_is_said_in_red(
    qtbot: QtBot, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    from dispensary.ui.sign_in import BackupThread

    path = pharmacy.ctx.engine.url.database
    assert path
    edit_file(path, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
    assert not audit.verify(pharmacy.ctx, pharmacy.actor("admin")).ok
    said: list[tuple[str, bool]] = []
    thread = BackupThread(pharmacy.ctx, pharmacy.actor("pharm"), tmp_path / "backups", 14)
    thread.done.connect(lambda text, failed: said.append((text, failed)))
    thread.run()  # here, not on a thread of its own: its signal is delivered at once
    assert len(said) == 1
    text, failed = said[0]
    assert failed and text.startswith("CHAIN BROKEN") and "Today's backup saved" not in text
    assert [
        p.name.endswith("-CHAIN-BROKEN.sqlite3")
        for p in (tmp_path / "backups").iterdir()
        if p.suffix == ".sqlite3"
    ] == [True]
