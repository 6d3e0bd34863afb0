"""Signed steps as tests take them: the signer's own test password typed for them, so that a
test about something else need not spell it (the service still checks it)."""

from __future__ import annotations

from collections.abc import Sequence

from dispensary.domain.codes import Role
from dispensary.services import quarantine
from dispensary.services.context import Actor, Context
from dispensary.services.results import StatusChange

PEOPLE: dict[str, tuple[Role, str, str, str]] = {
    "admin": (Role.ADMINISTRATOR, "Ada Admin", "AA", "admin-pass-1"),
    "pharm": (Role.PHARMACIST, "Paula Pharm", "PP", "pharm-pass-1"),
    "pharm2": (Role.PHARMACIST, "Peter Second", "PS", "pharm2-pass-1"),
    "tech": (Role.TECHNICIAN, "Tom Tech", "TT", "tech-pass-1"),
    "monitor": (Role.MONITOR, "Mona Monitor", "MM", "monitor-pass-1"),
}
"""The test users: role, full name, initials, password (tests/conftest.py builds them)."""


def release(
    ctx: Context, actor: Actor, kits: Sequence[str], reason: str, sponsor_reference: str
) -> StatusChange:
    """`quarantine.release`, signed by `actor` with their test password."""
    return quarantine.release(
        ctx, actor, kits, reason, sponsor_reference, password=PEOPLE[actor.username][3]
    )
