"""A small real pharmacy for the back-office screen tests, built through the services.

Built once per test session as a SQLite file and copied for each test, so that every test gets
its own database without paying for password hashing and migrations again.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from dispensary.app import Desk, Workstation
from dispensary.config import Settings
from dispensary.db.engine import make_engine
from dispensary.services import (
    counts,
    dispensing,
    participants,
    quarantine,
    receiving,
    returns,
    setup,
    users,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import CountResult
from dispensary.study import Study, default_study_path, load_study
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.forms import ReasonDialog
from dispensary.ui.inventory_view import KitHistoryDialog, ReleaseDialog
from dispensary.ui.session import AppSession
from dispensary.ui.sign_in import SignInWindow

PASSWORDS = {
    "admin": "adminpass1",
    "pharm": "pharmpass1",
    "tech": "techpass11",
    "monitor": "monitorpass1",
    "pharm2": "pharm2pass1",
}
START = date(2026, 1, 5)
RETURN_DAY = date(2026, 1, 26)


@dataclass
class Pharmacy:
    """A database with users, two shipments, two participants and one cycle dispensed and
    returned (participant 01-001 took fewer tablets than prescribed: an open flag)."""

    ctx: Context
    clock: FixedClock
    path: Path

    @property
    def study(self) -> Study:
        return self.ctx.study

    def actor(self, username: str) -> Actor:
        return users.sign_in(self.ctx, username, PASSWORDS[username])

    def session(self, username: str) -> AppSession:
        return AppSession(self.ctx, self.actor(username), Settings())


def _build(path: Path) -> None:
    clock = FixedClock()
    clock.set_date(START)
    study = load_study(default_study_path())
    ctx = setup.init_database(
        str(path), study, "admin", "Ada Admin", "AA", PASSWORDS["admin"], clock
    )
    admin = users.sign_in(ctx, "admin", PASSWORDS["admin"])
    users.add_user(
        ctx,
        admin,
        "pharm",
        "pharmacist",
        "Paula Pharm",
        "PP",
        PASSWORDS["pharm"],
        temporary_password=False,
    )
    users.add_user(
        ctx,
        admin,
        "pharm2",
        "pharmacist",
        "Peter Second",
        "PS",
        PASSWORDS["pharm2"],
        temporary_password=False,
    )
    users.add_user(
        ctx,
        admin,
        "tech",
        "technician",
        "Tom Tech",
        "TT",
        PASSWORDS["tech"],
        temporary_password=False,
    )
    users.add_user(
        ctx,
        admin,
        "monitor",
        "monitor",
        "Mona Monitor",
        "MM",
        PASSWORDS["monitor"],
        temporary_password=False,
    )
    pharm = users.sign_in(ctx, "pharm", PASSWORDS["pharm"])
    kits = receiving.kits_from_range(
        ctx, "K0001-K0006", "herombopag-7.5mg", "L2401", date(2027, 6, 30), None
    )
    receiving.receive_shipment(ctx, pharm, "SH-1", kits)
    kits = receiving.kits_from_range(
        ctx, "K0101-K0103", "herombopag-2.5mg", "L2501", date(2026, 12, 31), None
    )
    receiving.receive_shipment(ctx, pharm, "SH-2", kits)
    participants.enroll(
        ctx,
        pharm,
        "01-001",
        "AB",
        1970,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    participants.enroll(
        ctx,
        pharm,
        "01-002",
        "CD",
        1965,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    first = dispensing.dispense_cycle(ctx, pharm, "01-001", 1, START, PASSWORDS["pharm"])
    clock.set_date(RETURN_DAY)
    returns.record_return(ctx, pharm, first.kits[0].kit, 10, PASSWORDS["pharm"], first.number)
    ctx.engine.dispose()


_template: Path | None = None


def build_pharmacy(tmp_path: Path, template_dir: Path) -> Pharmacy:
    """A private copy of the template pharmacy, open at 2026-01-26 09:00 UTC."""
    global _template
    if _template is None or not _template.exists():
        template_dir.mkdir(parents=True, exist_ok=True)
        _template = template_dir / "template.sqlite3"
        _build(_template)
    path = tmp_path / "pharmacy.sqlite3"
    shutil.copyfile(_template, path)
    clock = FixedClock()
    clock.set_date(RETURN_DAY)
    study = load_study(default_study_path())
    ctx = Context(make_engine(str(path)), study, clock, str(path))
    return Pharmacy(ctx, clock, path)


def signed_in(
    qtbot: Any, place: Pharmacy, user: str, password: str = "", settings: Settings | None = None
) -> Desk:
    """The program started on the pharmacy (with the workstation's `settings`) and `user`
    signed in at its sign-in window (with PASSWORDS[user] unless `password` is given): the
    desk, its main window open, the sign-in's backup finished."""
    window = SignInWindow(place.ctx.database)
    qtbot.addWidget(window)
    desk = Desk(Workstation(place.ctx, settings if settings is not None else Settings()), window)
    window.show()
    form = window.form
    form.username.clear()
    qtbot.keyClicks(form.username, user)
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(form.password, password or PASSWORDS[user])
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    assert desk.window is not None
    qtbot.addWidget(desk.window)
    if desk.backup is not None:
        desk.backup.wait()
    return desk


def count_adjusted(
    pharmacy: Pharmacy,
    counted: int = 19,
    reason_code: str = "breakage",
    reason: str = "two crushed in the bottle",
    kit: str = "K0003",
    counter: str = "tech",
) -> CountResult:
    """The kit counted (K0003, book 21: 19) and the book adjusted at once with a signed reason,
    countersigned by pharm: a count difference on record, not one to review."""
    return counts.record_count(
        pharmacy.ctx,
        pharmacy.actor(counter),
        kit,
        counted,
        PASSWORDS[counter],
        reason_code=reason_code,
        reason=reason,
        verified_by="pharm",
        verifier_password=PASSWORDS["pharm"],
    )


def sign_with(
    monkeypatch: Any, password: str | None, witness: str | None = None
) -> list[tuple[str, str, str]]:
    """Answers every signature dialog with the password (None: cancel), the second signer's (a
    destruction's witness, a count's second person) with `witness` when given; returns what
    was asked."""
    asked: list[tuple[str, str, str]] = []

    def ask(
        cls: type[SignatureDialog],
        parent: QWidget | None,
        signer: str,
        meaning: str,
        summary: str,
        whole: str = "",
    ) -> str | None:
        asked.append((signer, meaning, summary))
        if meaning in ("witnessed", "count verified") and witness is not None:
            return witness
        return password

    monkeypatch.setattr(SignatureDialog, "ask", classmethod(ask))
    return asked


def answer_reason(monkeypatch: Any, reason: str | None) -> list[str]:
    """Answers every reason dialog; returns the prompts shown."""
    prompts: list[str] = []

    def ask(
        cls: type[ReasonDialog],
        parent: QWidget | None,
        title: str,
        prompt: str,
        action: str,
        whole: str = "",
    ) -> str | None:
        prompts.append(prompt)
        return reason

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(ask))
    return prompts


def release_signed(
    ctx: Context, actor: Actor, kits: list[str], reason: str, sponsor_reference: str
) -> Any:
    """`quarantine.release`, signed by `actor` with their password here."""
    return quarantine.release(
        ctx, actor, kits, reason, sponsor_reference, password=PASSWORDS[actor.username]
    )


def answer_release(monkeypatch: Any, reason: str, reference: str = "TE-2026-014") -> list[str]:
    """Answers every release dialog with the reason and the sponsor's reference; returns the
    kits each was asked for (test_release_dialog drives the dialog itself)."""
    asked: list[str] = []

    def ask(
        cls: type[ReleaseDialog], parent: QWidget | None, kits: Sequence[str], held_for: Any = ()
    ) -> tuple[str, str]:
        asked.append(", ".join(kits))
        return reason, reference

    monkeypatch.setattr(ReleaseDialog, "ask", classmethod(ask))
    return asked


def when_history_shown(seen: list[KitHistoryDialog], shot: str = "") -> None:
    """Notes the kit history dialog once it is up (it blocks in exec), then closes it; saved
    as `shot` in the folder DISPENSARY_SHOTS names, when it names one."""
    shots = os.environ.get("DISPENSARY_SHOTS")
    tries = [0]

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        tries[0] += 1
        if tries[0] > 100:  # never left polling into the next test
            return
        if isinstance(dialog, KitHistoryDialog):
            seen.append(dialog)
            if shots and shot:
                dialog.grab().save(str(Path(shots) / shot))
            assert dialog.width() <= 1366 and dialog.height() <= 768
            dialog.reject()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
