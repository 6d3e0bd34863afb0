"""The contract every screen of the main window keeps, so the window needs to know nothing else.

A screen is one workflow or one register (dispensing, returns, inventory ...). The main window
lists the screens a role may see, calls `refresh()` when one is shown, offers every scanned code
to the current screen first (`handle_scan`), refreshes the dashboard when a screen says it wrote
something (`changed`), and opens another workflow when a screen asks (`open_request`).

A screen's `title` is written in English, marked with QT_TRANSLATE_NOOP in the context "Screen"
so that lupdate collects it; the main window shows it in the user's language.

Opening a workflow with a reference (a kit, a participant, a dispense) shows the target screen,
calls its `refresh()`, then hands it the reference through `handle_scan(ref)`: a screen that can
be opened on a record treats the reference exactly as if it had been scanned there.
"""

from __future__ import annotations

import re
from enum import StrEnum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from dispensary.domain.codes import Role
from dispensary.ui.session import AppSession

ALL_ROLES: frozenset[Role] = frozenset(Role)
"""Everyone who can sign in: for read-only screens."""

STAFF_ROLES: frozenset[Role] = frozenset({Role.PHARMACIST, Role.TECHNICIAN})
"""Those who handle stock at the counter."""


class OpenKind(StrEnum):
    """What `open_request(kind, ref)` may ask the main window to open; `ref` may be ""."""

    DISPENSE = "dispense"  # ref: participant study number
    RETURN = "return"  # ref: dispense number (DSPnnnnnn) or kit number
    KIT = "kit"  # ref: kit number, shown in the inventory
    PARTICIPANT = "participant"  # ref: participant study number
    RECONCILE = "reconcile"
    INVENTORY = "inventory"
    RECEIVE = "receive"


DISPENSE_NUMBER = re.compile(r"^DSP\d{6,}$")
"""A dispensing label's barcode: the dispense number."""


def is_dispense_number(code: str) -> bool:
    return bool(DISPENSE_NUMBER.match(code.strip().upper()))


def route_scan(session: AppSession, code: str) -> tuple[OpenKind, str] | None:
    """Where a scanned code belongs when the screen it was scanned on cannot use it: a dispense
    label goes to returns, a participant to dispensing (or the register, for those who may not
    dispense), a kit to the inventory. None when the code is none of these."""
    from dispensary.domain.errors import DispensaryError
    from dispensary.services import queries
    from dispensary.services.permissions import Permission, may

    text = code.strip().upper()
    if not text:
        return None
    if is_dispense_number(text):
        return OpenKind.RETURN, text
    try:
        person = queries.participant(session.ctx, session.actor, text)
    except DispensaryError:
        pass
    else:
        if may(session.actor, Permission.DISPENSE):
            return OpenKind.DISPENSE, person.study_number
        return OpenKind.PARTICIPANT, person.study_number
    try:
        kit = queries.kit_detail(session.ctx, session.actor, text)
    except DispensaryError:
        return None
    return OpenKind.KIT, kit.number


class Screen(QWidget):
    """Base of every screen in the navigation; subclasses set the three class attributes."""

    title: str = ""
    """In English, marked for lupdate in the context "Screen"; translated where shown."""
    shortcut: str = ""
    """A key sequence in Qt's portable text form, as QKeySequence.toString() writes it."""
    roles: frozenset[Role] = ALL_ROLES

    changed = Signal()
    """Emitted after any successful write, so the main window refreshes the dashboard."""

    open_request = Signal(str, str)
    """(kind, ref): ask the main window to open another workflow; kind is an `OpenKind` value."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session

    def refresh(self) -> None:
        """Reload what the screen shows; called each time the screen is shown."""

    def handle_scan(self, code: str) -> bool:
        """Take a scanned code if it belongs here; False lets the main window route it."""
        return False

    @classmethod
    def visible_to(cls, role: Role) -> bool:
        return role in cls.roles
