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

A pharmacy's database holds several studies; a screen works in the one of `session.ctx`. When
a code scanned on a screen is of another study (the services raise `InOtherStudy`), the screen
asks the services for that study's context (`context_of_study`: they refuse a user without
access) and hands it to the main window (`study_request`), which rebuilds every screen in it
and takes the code there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QMetaMethod, Signal
from PySide6.QtWidgets import QDialog, QWidget

from dispensary.domain.codes import ParticipantStatus, Role
from dispensary.domain.errors import (
    DatabaseProblem,
    DispensaryError,
    InOtherStudy,
    NotFound,
    NotPermitted,
    NotSignedIn,
    StudyFileError,
)
from dispensary.domain.rules import half_width
from dispensary.i18n import sentences
from dispensary.services.context import Context
from dispensary.services.results import ParticipantRow
from dispensary.ui.feedback import MessageBar
from dispensary.ui.session import AppSession

ALL_ROLES: frozenset[Role] = frozenset(Role)
"""Everyone who can sign in: for read-only screens."""

STAFF_ROLES: frozenset[Role] = frozenset({Role.PHARMACIST, Role.TECHNICIAN})
"""Those who handle stock at the counter."""


@dataclass(frozen=True, kw_only=True)
class Kept:
    """What was typed, scanned or chosen on a screen (Screen.kept_state) or in one of its
    windows (ReloadingDialog.typed), kept while the study is opened again with its updated file,
    and the note to show when it is taken back (Screen.restore_state): that nothing was saved,
    and what to check again ("": F5, nothing refused). Each screen's kind adds its fields."""

    note: str = ""


class OpenKind(StrEnum):
    """What `open_request(kind, ref)` may ask the main window to open; `ref` may be ""."""

    DISPENSE = "dispense"  # ref: participant study number
    RETURN = "return"  # ref: dispense number (DSPnnnnnn) or kit number
    KIT = "kit"  # ref: kit number, shown in the inventory
    PARTICIPANT = "participant"  # ref: participant study number
    RECONCILE = "reconcile"
    INVENTORY = "inventory"
    QUARANTINED = "quarantined"  # the inventory's kits in quarantine; ref: a product code, or ""
    EXPIRING = "expiring"  # the inventory's kits expiring by ref (YYYY-MM-DD): Today's card's
    DUE = "due"  # those due for a cycle within the week (the service's day now): the due card's
    RETURNS_DUE = "returns_due"  # those with a return due (the day now): the returns card's
    TO_REVIEW = "to_review"  # the reconciliation's findings to review: Today's card's
    FINDING = "finding"  # ref: a finding's key (Discrepancy.key), chosen on the To review tab
    RECEIVE = "receive"


def is_dispense_number(code: str) -> bool:
    """A dispensing label's barcode, as the services recognise it (services.common)."""
    from dispensary.services.common import is_dispense_number as recognised

    return recognised(code)


def context_of_study(session: AppSession, protocol: str) -> Context:
    """The context of another study of the pharmacy, for the session's user; the services
    refuse (`NotPermitted`) a user who was not given access to it."""
    from dispensary.services import studies

    return studies.switch_study(session.ctx, session.actor, protocol)


def read_study_again(session: AppSession) -> Context:
    """The study worked in, its file as in force now (a step was refused for an update since:
    study_file_changed); raises the services' refusal (DispensaryError)."""
    return context_of_study(session, session.study)


def not_read_again(protocol: str, refusal: DispensaryError) -> str:
    """What a window says when a step was refused for the study file updated since it read it
    (study_file_changed) and the study could not be read again (`refusal`, read_study_again's):
    nothing was saved, why the study could not be read, and what to do then, for reloading
    (F5) cannot help. An account locked or deactivated, a window locked, a database fault: the
    refusal says what to do. Access taken away: it is asked for again, then F5. The file in
    force unreadable here, or anything else: the administrator is told."""

    lead = QCoreApplication.translate(
        "StudyReadAgain",
        "Nothing was saved: the study file of {protocol} was updated after this window read "
        "it, and the window could not read the study again.",
    )
    if isinstance(refusal, NotSignedIn | DatabaseProblem):
        then = ""  # the refusal says what to do: sign in, unlock, reach the database
    elif isinstance(refusal, NotPermitted):
        then = QCoreApplication.translate(
            "StudyReadAgain",
            "Nothing more can be done in {protocol} from this window: once an administrator "
            "gives you access to it again, press F5 and do this again.",
        )
    elif isinstance(refusal, StudyFileError):
        then = QCoreApplication.translate(
            "StudyReadAgain",
            "Close the window and tell the administrator: the study file now in force for "
            "{protocol} cannot be read at this workstation.",
        )
    else:
        then = QCoreApplication.translate(
            "StudyReadAgain",
            "Close the window and sign in again; if {protocol} still cannot be opened, tell "
            "the administrator.",
        )
    return sentences(
        [lead.format(protocol=protocol), refusal.message, then.format(protocol=protocol)]
    )


def route_scan(session: AppSession, code: str) -> tuple[OpenKind, str] | None:
    """Where a scanned code belongs when the screen it was scanned on cannot use it: a dispense
    label goes to returns, a participant to dispensing (or the register, for those who may not
    dispense), a kit to the inventory. None when the code is none of these; `InOtherStudy`
    when it is a participant or kit of another study of the pharmacy (and not one of this);
    `NotFound` saying what it is and what to scan instead when it is another label (a lot
    number), as the services assess it."""
    from dispensary.domain.errors import DispensaryError
    from dispensary.services import queries
    from dispensary.services.permissions import Permission, may

    text = half_width(code).strip().upper()
    if not text:
        return None
    if is_dispense_number(text):
        return OpenKind.RETURN, text
    elsewhere: InOtherStudy | None = None  # participant numbers are unique within a study only
    person: ParticipantRow | None = None
    try:
        person = queries.participant(session.ctx, session.actor, text)
    except InOtherStudy as exc:
        elsewhere = exc
    except DispensaryError:
        pass
    if person is not None and person.status is ParticipantStatus.VOIDED:
        person = None  # an enrolment voided as entered in error: the code may be a kit's
    if person is not None:
        if may(session.actor, Permission.DISPENSE):
            return OpenKind.DISPENSE, person.study_number
        return OpenKind.PARTICIPANT, person.study_number
    try:
        kit = queries.kit_detail(session.ctx, session.actor, text)
    except InOtherStudy:
        raise  # kit numbers are unique in the pharmacy: the kit is that study's
    except DispensaryError:
        if elsewhere is not None:
            raise elsewhere from None
        instead = queries.other_label_scanned(session.ctx, session.actor, text)
        if instead is not None:
            raise NotFound(instead) from None
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

    study_request = Signal(object, str)
    """(Context, code): ask the main window to work in another study (a `Context` the services
    gave), then to take `code` there as if scanned ("": nothing to carry on with). A context of
    the same study, its file just updated, opens it again with the new file."""

    changes_studies: bool = False
    """True for a screen whose writes change the studies or who may reach them (studies,
    users): the main window reads the user's studies again after it says `changed`."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._kept_on_reload: Kept | None = None
        self.scans_refused = 0
        """How many scanned codes the screen refused in its message alone, with no scan field
        of its own to show them red (`refuse_scan`): the main window shows such a code red in
        the toolbar, as it does one a screen's scan field refused (`MainWindow.handle_scan`)."""

    def refresh(self) -> None:
        """Reload what the screen shows; called each time the screen is shown."""

    def kept_state(self) -> Kept | None:
        """What was typed and scanned on the screen, for the screen built again when its study
        is opened again with an updated file (F5, or a step refused for the update): given
        back to `restore_state` of the new screen. None: nothing to keep."""
        return None

    def restore_state(self, kept: Kept) -> None:
        """Takes back what `kept_state` kept, as the study's new file reads it."""

    def study_read_again(self) -> Context:
        """The study worked in, its file as in force now (a step was refused for an update
        since: study_file_changed); raises the services' refusal (DispensaryError)."""
        return read_study_again(self.session)

    def reopen_study(self, fresh: Context, kept: Kept | None) -> bool:
        """A step refused for the study file updated since this screen (or its window) read it:
        `fresh`, the study read again, is opened as F5 opens it, and `kept` (what was typed,
        with its note that nothing was saved) given to `restore_state`. In the main window,
        every screen is built again from the new file and the new screen of this kind takes
        `kept` (True comes back: this screen is being replaced); a screen on its own takes the
        new context and `kept` back itself (False)."""
        if self.isSignalConnected(QMetaMethod.fromSignal(self.study_request)):
            self._kept_on_reload = kept
            self.study_request.emit(fresh, "")
            return True
        self.session.ctx = fresh
        if kept is not None:
            self.restore_state(kept)
        return False

    def reopen_noting(self, fresh: Context, note: str) -> bool:
        """`reopen_study` with what is typed on this screen now (`kept_state`) and `note`, the
        screen's own words for what to check again, to show with it (as `reopen_study`)."""
        kept = self.kept_state()
        return self.reopen_study(fresh, replace(kept, note=note) if kept is not None else None)

    def reopen_read_again(self, message: MessageBar, note: Callable[[Context], str]) -> bool:
        """A step refused for the study file updated since this screen read it: the study read
        again and opened as `reopen_noting` opens it, with the note `note` words from the study
        as read again (the screen's own words: what it checked again, what to check); True:
        this screen is being replaced (as `reopen_study`). When the study cannot be read again,
        `message` says why (not_read_again) and nothing is opened (False). One home for what
        every screen does on this refusal (dispense, receive, return, temperature import), so
        that they read the study again and say a refusal alike."""
        try:
            fresh = self.study_read_again()
        except DispensaryError as exc:
            message.show_message(not_read_again(self.session.study, exc), "error")
            return False
        return self.reopen_noting(fresh, note(fresh))

    def state_for_reload(self) -> Kept | None:
        """What the screen built again with the study's updated file takes back: what
        `reopen_study` was given after a refusal, else `kept_state` (F5)."""
        kept = self._kept_on_reload
        return kept if kept is not None else self.kept_state()

    def follow_to_study(self, found: InOtherStudy, code: str) -> str | None:
        """A code scanned here is of another study: the main window is asked to switch to it
        and take the code there (None comes back), when the services give this user that
        study's context; otherwise their refusal, for the screen to show where it was typed
        (a study the services did not name, one the user may not open, is not asked for)."""
        from dispensary.domain.errors import DispensaryError

        if not found.protocol:
            return found.message
        try:
            other = context_of_study(self.session, found.protocol)
        except DispensaryError as exc:
            return exc.message
        self.study_request.emit(other, code)
        return None

    def handle_scan(self, code: str) -> bool:
        """Take a scanned code if it belongs here; False lets the main window route it."""
        return False

    def open_record(self, kind: str, ref: str) -> None:
        """Shows what another screen asked to open (`open_request(kind, ref)`): by default the
        record named, as if scanned; a screen that lists records by kind shows the kind."""
        if ref:
            self.handle_scan(ref)

    def refuse_scan(self) -> None:
        """A scanned code was refused, said in the screen's message alone (no scan field of the
        screen shows it): the toolbar's scan field shows it refused, never taken."""
        self.scans_refused += 1

    def scan_refused_by_window(self, refusal: str) -> None:
        """A code scanned while this screen is shown was refused by the window itself (a lot
        number, a code of nothing, a record the role does not open): the toolbar says
        `refusal`. A screen whose message still shows a refusal of an earlier code replaces
        it (it would contradict the toolbar); by default nothing is shown here."""

    @classmethod
    def visible_to(cls, role: Role) -> bool:
        return role in cls.roles


_Typed = TypeVar("_Typed", bound=Kept)


class ReloadingDialog(QDialog, Generic[_Typed]):
    """A window a screen opens for one step (an enrolment, a correction) that the services may
    refuse for the study file updated after the window read it (study_file_changed). Then
    `study_updated` reads the study again and closes the window with `reloaded`: the study as
    read again and what was typed (`typed`, with the note `reload_note` words, that nothing was
    saved), for the screen to open the study again with, as F5 does (Screen.reopen_study), and
    the window again as typed (Screen.restore_state). Subclasses set `message` and give `typed`
    and `reload_note` (in their own words: each window says what to check again)."""

    message: MessageBar

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.reloaded: tuple[Context, _Typed] | None = None
        """Refused for a study file updated since: the study as read again, what was typed."""

    def typed(self, note: str = "") -> _Typed:
        """What was typed, to open the window again with, and the note to show then."""
        raise NotImplementedError

    def reload_note(self, fresh: Context) -> str:
        """Why the window opened again as typed on `fresh`: nothing was saved, what to check."""
        raise NotImplementedError

    def study_updated(self) -> None:
        """The service refused the step: the study file was updated after this window read it.
        The study is read again and the window closed, to open again on the new file with what
        was typed; nothing was saved. A refusal to read the study again is shown here."""
        try:
            fresh = read_study_again(self.session)
        except DispensaryError as exc:
            self.message.show_message(not_read_again(self.session.study, exc), "error")
            return
        self.reloaded = (fresh, self.typed(self.reload_note(fresh)))
        self.reject()
