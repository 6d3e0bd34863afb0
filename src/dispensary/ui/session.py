"""What a signed-in window holds: the service context, the acting user, workstation settings."""

from __future__ import annotations

from dataclasses import dataclass

from dispensary.config import Settings
from dispensary.services.context import Actor, Context


@dataclass
class AppSession:
    ctx: Context
    actor: Actor
    settings: Settings

    @property
    def study(self) -> str:
        return self.ctx.study.protocol
