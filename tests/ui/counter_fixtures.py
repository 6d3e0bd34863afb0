"""The counter's test pharmacy: users, stock and two participants, built through the services,
and stand-ins for the two dialogs a test cannot click (signature and label preview).

Built once per test session and copied for each test, so every test has its own SQLite file
without paying again for migrations and password hashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dispensary.config import Settings
from dispensary.services import participants, receiving, setup, users
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study, default_study_path, load_study
from dispensary.ui.session import AppSession

OPENING_DAY = date(2026, 1, 5)
PASSWORDS = {
    "admin": "adminpass1",
    "pharm": "pharmpass1",
    "tech": "techpass11",
    "monitor": "monitorpass1",
}
NAMES = {
    "admin": "Ada Admin",
    "pharm": "Paula Pharm",
    "tech": "Tom Tech",
    "monitor": "Mona Monitor",
}
P75, P25 = "herombopag-7.5mg", "herombopag-2.5mg"


@dataclass
class Counter:
    """One test's pharmacy: its context (with a settable clock) and who works there."""

    ctx: Context
    clock: FixedClock
    path: Path
    actors: dict[str, Actor] = field(default_factory=dict)

    def actor(self, username: str) -> Actor:
        if username not in self.actors:
            self.actors[username] = users.sign_in(self.ctx, username, PASSWORDS[username])
        return self.actors[username]

    def session(self, username: str = "pharm") -> AppSession:
        settings = Settings(backups_kept=3)
        return AppSession(self.ctx, self.actor(username), settings)


def build_counter(path: Path) -> None:
    """Stock: lot L2399 (7.5 mg) expires 2026-03-31, so first-expiry-first-out hands it out
    first; lot L2401 (7.5 mg) and L2501 (2.5 mg) last until mid-2027."""
    clock = FixedClock()
    clock.set_date(OPENING_DAY)
    study = load_study(default_study_path())
    ctx = setup.init_database(
        str(path), study, "admin", NAMES["admin"], "AA", PASSWORDS["admin"], clock
    )
    admin = users.sign_in(ctx, "admin", PASSWORDS["admin"])
    users.add_user(
        ctx,
        admin,
        "pharm",
        "pharmacist",
        NAMES["pharm"],
        "PP",
        PASSWORDS["pharm"],
        temporary_password=False,
    )
    users.add_user(
        ctx,
        admin,
        "tech",
        "technician",
        NAMES["tech"],
        "TT",
        PASSWORDS["tech"],
        temporary_password=False,
    )
    users.add_user(
        ctx,
        admin,
        "monitor",
        "monitor",
        NAMES["monitor"],
        "MM",
        PASSWORDS["monitor"],
        temporary_password=False,
    )
    pharm = users.sign_in(ctx, "pharm", PASSWORDS["pharm"])
    kits = [
        *receiving.kits_from_range(ctx, "K0101-K0104", P75, "L2399", date(2026, 3, 31), None),
        *receiving.kits_from_range(ctx, "K0001-K0006", P75, "L2401", date(2027, 6, 30), None),
        *receiving.kits_from_range(ctx, "K2001-K2004", P25, "L2501", date(2027, 6, 30), None),
    ]
    receiving.receive_shipment(ctx, pharm, "SH-001", kits)
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
    ctx.engine.dispose()


def study_pharmacy(study: Study, kits: list[tuple[str, str]], path: Path) -> Counter:
    """A pharmacy of one study file: its administrator and pharmacist, each (kit range,
    product) received as a shipment lasting to mid-2028 (lot L1, each other product's L2 ...),
    01-001 enrolled; the clock on OPENING_DAY. The caller disposes of the engine."""
    clock = FixedClock()
    clock.set_date(OPENING_DAY)
    ctx = setup.init_database(
        str(path), study, "admin", NAMES["admin"], "AA", PASSWORDS["admin"], clock
    )
    admin = users.sign_in(ctx, "admin", PASSWORDS["admin"])
    users.add_user(
        ctx, admin, "pharm", "pharmacist", NAMES["pharm"], "PP", PASSWORDS["pharm"], False
    )
    pharm = users.sign_in(ctx, "pharm", PASSWORDS["pharm"])
    lots: dict[str, str] = {}  # a lot number is one product's: L1, L2 ... in order
    for numbers, product in kits:
        lot = lots.setdefault(product, f"L{len(lots) + 1}")
        listed = receiving.kits_from_range(ctx, numbers, product, lot, date(2028, 6, 30), None)
        receiving.receive_shipment(ctx, pharm, f"SH-{numbers}", listed)
    participants.enroll(
        ctx,
        pharm,
        "01-001",
        "AB",
        1970,
        "F",
        "Dr Example",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    return Counter(ctx, clock, path)


@dataclass
class Signatures:
    """Answers the signature dialog with the signer's own password and remembers each ask."""

    asked: list[tuple[str, str, str]] = field(default_factory=list)
    refuse: bool = False
    wrong: bool = False

    def ask(self, _parent: Any, signer: str, meaning: str, summary: str) -> str | None:
        self.asked.append((signer, meaning, summary))
        if self.refuse:
            return None
        if self.wrong:
            return "not-my-password"
        username = next(u for u, name in NAMES.items() if name == signer)
        return PASSWORDS[username]


@dataclass
class Printer:
    """Stands in for the label preview: keeps each PDF shown and says it was printed."""

    shown: list[tuple[str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the language note shown with each

    def show(
        self,
        _parent: Any,
        title: str,
        pdf: bytes,
        _file_name: str = "",
        _check: Any = None,
        note: str = "",
    ) -> str:
        self.shown.append((title, pdf))
        self.notes.append(note)
        return "printed"


class Stopwatch:
    """Stands in for the keystroke clock: each reading is `step` seconds after the last, so a
    test's typing is as fast or slow as it says, whatever the machine."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now
