"""The audit screen shows a reader their studies' entries and the site's: the correction of a
status change's date in another study (a step that writes no participant row) is not among
them, as it was while such a correction was filed as the site's."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.config import Settings
from dispensary.domain.codes import ParticipantStatus
from dispensary.services import participants, studies
from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.session import AppSession

OTHER = "NCT99999999"
SHOTS = Path(os.environ.get("DISPENSARY_SHOTS", "/nonexistent"))


def test_another_study_s_date_only_status_correction_is_not_on_the_screen(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    ctx, admin = pharmacy.ctx, pharmacy.actor("admin")
    other_text = ctx.study.source_text.replace(
        f'protocol = "{ctx.study.protocol}"', f'protocol = "{OTHER}"'
    )
    studies.add_study(ctx, admin, other_text, "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, "monitor", OTHER, True, "monitors the second protocol")
    studies.set_access(ctx, admin, "monitor", ctx.study.protocol, False, "not this one")
    pharmacist = pharmacy.actor("pharm")
    participants.set_status(
        ctx, pharmacist, "01-001", ParticipantStatus.COMPLETED, "last cycle done",
        password=PASSWORDS["pharm"], effective_on=date(2026, 1, 26),
    )  # fmt: skip
    participants.correct_status(
        ctx, pharmacist, "01-001", effective_on=date(2026, 1, 25), reason="typo",
        password=PASSWORDS["pharm"],
    )  # fmt: skip
    monitor = pharmacy.actor("monitor")
    theirs = AppSession(studies.switch_study(ctx, monitor, OTHER), monitor, Settings())
    screen = refreshed(qtbot, AuditScreen(theirs), None)
    assert screen.model.rows  # the site's entries and the second study's own
    assert "participant_status_corrected" not in {r.action for r in screen.model.rows}
    qtbot.keyClicks(screen.text, "01-001")
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)
    if SHOTS.is_dir():
        screen.grab().save(str(SHOTS / "audit-other-study-01-001.png"))
    assert screen.model.rows == []
    chief = AppSession(ctx, pharmacy.actor("admin"), Settings())
    mine = refreshed(qtbot, AuditScreen(chief), None)
    qtbot.keyClicks(mine.text, "01-001")
    qtbot.keyClick(mine.text, Qt.Key.Key_Return)
    assert "participant_status_corrected" in {r.action for r in mine.model.rows}
