"""What a signed-in window holds: the service context, the acting user, workstation settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from dispensary.config import Settings
from dispensary.services.context import Actor, Context
from dispensary.services.labels import PrintPlan


@dataclass
class AppSession:
    ctx: Context
    actor: Actor
    settings: Settings
    unrecorded_labels: dict[str, PrintPlan] = field(default_factory=dict)
    """Dispense number -> the label print that went out but whose record the database refused,
    for as long as the user is signed in: its record is retried, the label never printed again
    as a first print."""

    @property
    def study(self) -> str:
        return self.ctx.study.protocol
