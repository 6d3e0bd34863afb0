"""What a signed-in window holds: the service context, the acting user, workstation settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dispensary.config import Settings
from dispensary.services.context import Actor, Context
from dispensary.services.labels import PrintPlan


@dataclass
class AppSession:
    ctx: Context
    user: Actor
    """Who signed in, for the window's own bookkeeping (the lock, sign-out); what screens and
    dialogs act as is `actor`."""
    settings: Settings
    unrecorded: dict[int, dict[str, PrintPlan]] = field(default_factory=dict)
    """Study id -> that study's `unrecorded_labels`: kept by study, so that a print that went
    out in one study is never recorded under another the user switched to."""
    unrecorded_kits: dict[int, PrintPlan] = field(default_factory=dict)
    """Study id -> the kit labels of a receipt that went out in that study but whose record the
    database refused (the Receive screen's Record the print): kept in the session, not on the
    screen, so that the screen built again (F5, another study opened and this one again) still
    has it to record; it is let go only when the user discards it knowingly."""
    locked: bool = False
    """Set while the lock screen is up (MainWindow.set_locked)."""
    on_waiting_changed: Callable[[], None] | None = field(default=None, compare=False, repr=False)
    """Called by `waiting_changed`: the window's write-through of the prints waiting to the
    workstation's file (MainWindow.save_waiting), so that a crash loses none."""

    @property
    def actor(self) -> Actor:
        """The user every screen and dialog acts as. While the window is locked, marked so:
        the services refuse every step of a locked actor (services.permissions.require), so
        a dialog still open when the lock came, or a click already on its way, saves nothing
        in the user's name, whichever dialog it is."""
        return replace(self.user, locked=True) if self.locked else self.user

    @actor.setter
    def actor(self, actor: Actor) -> None:
        self.user = replace(actor, locked=False)

    @property
    def unrecorded_labels(self) -> dict[str, PrintPlan]:
        """Dispense number -> the label print that went out in the study open but whose record
        the database refused, for as long as the user is signed in: its record is retried (in
        this study, once it is open again), the label never printed again as a first print."""
        return self.unrecorded.setdefault(self.ctx.study_id, {})

    def waiting_changed(self) -> None:
        """Said by whoever changes `unrecorded` or `unrecorded_kits` (a print starts waiting for
        its record, or is recorded or discarded): the workstation's file follows at once."""
        if self.on_waiting_changed is not None:
            self.on_waiting_changed()

    @property
    def study(self) -> str:
        return self.ctx.study.protocol
