"""Sites for the crash and contention runs: a database with staff, stock and participants.

The study is the real one with a larger planned enrolment, so that a thousand participants can
each be dispensed cycle 1 (the services refuse to enrol more than twice the planned number).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from dispensary.domain.codes import Role
from dispensary.services import participants, receiving, setup, users
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study, default_study_path, parse_study

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY1 = date(2026, 1, 5)
EXPIRY = date(2027, 6, 30)
PRODUCT = "herombopag-7.5mg"
WORKERS = Path(__file__).resolve().parent / "workers"

STAFF: dict[str, tuple[Role, str, str, str]] = {
    "admin": (Role.ADMINISTRATOR, "Ada Admin", "AA", "admin-pass-1"),
    "pharm": (Role.PHARMACIST, "Paula Pharm", "PP", "pharm-pass-1"),
    "pharm2": (Role.PHARMACIST, "Peter Second", "PS", "pharm2-pass-1"),
    "pharm3": (Role.PHARMACIST, "Petra Third", "PT", "pharm3-pass-1"),
    "tech": (Role.TECHNICIAN, "Tom Tech", "TT", "tech-pass-1"),
    "monitor": (Role.MONITOR, "Mona Monitor", "MM", "monitor-pass-1"),
}


def password(username: str) -> str:
    return STAFF[username][3]


def big_study() -> Study:
    text = default_study_path().read_text(encoding="utf-8")
    bigger = text.replace("planned_enrolment = 45", "planned_enrolment = 5000")
    assert bigger != text, "the study file's planned_enrolment line changed"
    return parse_study(bigger, "reliability study")


def study_number(n: int) -> str:
    return f"01-{n:04d}"


def kit_number(n: int) -> str:
    return f"K{n:05d}"


@dataclass
class Site:
    ctx: Context
    actors: dict[str, Actor]
    url: str

    @property
    def pharmacist(self) -> Actor:
        return self.actors["pharm"]


def build_site(url: str, kits: int, enrolled: int, clock: FixedClock | None = None) -> Site:
    """Staff of STAFF, `kits` kits of 21 tablets (K00001...), participants 01-0001..."""
    clock = clock or FixedClock(START)
    role, name, initials, secret = STAFF["admin"]
    ctx = setup.init_database(url, big_study(), "admin", name, initials, secret, clock)
    admin = users.sign_in(ctx, "admin", secret)
    actors = {"admin": admin}
    for username, (role, name, initials, secret) in STAFF.items():
        if username == "admin":
            continue
        users.add_user(ctx, admin, username, role, name, initials, secret, temporary_password=False)
        actors[username] = users.sign_in(ctx, username, secret)
    pharm = actors["pharm"]
    for first in range(1, kits + 1, receiving.MAX_KITS):
        last = min(kits, first + receiving.MAX_KITS - 1)
        listed = receiving.kits_from_range(
            ctx, f"{kit_number(first)}-{kit_number(last)}", PRODUCT, "L2401", EXPIRY, None
        )
        receiving.receive_shipment(ctx, pharm, f"SH-{first}", listed)
    for n in range(1, enrolled + 1):
        participants.enroll(
            ctx,
            pharm,
            study_number(n),
            "AB",
            1970,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(ctx.study),
        )
    return Site(ctx, actors, url)


def worker_command(script: str, *args: str) -> list[str]:
    return [sys.executable, str(WORKERS / script), *args]


def worker_env() -> dict[str, str]:
    """The test's environment, with the source tree importable even without an install."""
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_worker(
    script: str, *args: str, errors: Path, stdin: bool = False
) -> subprocess.Popen[str]:
    """A worker process; its stderr goes to `errors` (a pipe could fill and stall it)."""
    with errors.open("a", encoding="utf-8") as err:
        return subprocess.Popen(
            worker_command(script, *args),
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=worker_env(),
        )
