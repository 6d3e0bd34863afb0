"""Who may do what. Checked by every service, whatever screen or script called it."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from enum import StrEnum
from typing import Any

from sqlalchemy import ScalarSelect, Select, bindparam, select, true
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction
from dispensary.db.models import StudyAccess, StudyRecord, User
from dispensary.domain.codes import Role
from dispensary.domain.errors import NotPermitted, NotSignedIn, SessionLocked
from dispensary.i18n import N_, _, listed
from dispensary.services.context import Actor, Context

P, T, M, A = Role.PHARMACIST, Role.TECHNICIAN, Role.MONITOR, Role.ADMINISTRATOR


class Permission(StrEnum):
    """An action a role may take; every service checks its own before anything is read or
    written."""

    RECEIVE = "receive"
    QUARANTINE = "quarantine"
    RELEASE = "release"
    ENROLL = "enroll"
    CORRECT_ENROLMENT = "correct_enrolment"
    PARTICIPANT_STATUS = "participant_status"
    DISPENSE = "dispense"
    VOID_DISPENSE = "void_dispense"
    CHECK_DISPENSE = "check_dispense"
    RETURN = "return"
    CORRECT_RETURN = "correct_return"
    EXPLAIN_FLAG = "explain_flag"
    DESTROY = "destroy"
    COUNT = "count"
    VERIFY_COUNT = "verify_count"
    TEMPERATURE = "temperature"
    PRINT_LABEL = "print_label"
    VIEW = "view"
    RECONCILE = "reconcile"
    SIGN_OFF = "sign_off"
    AUDIT = "audit"
    USERS = "users"
    STUDY = "study"
    PHARMACY = "pharmacy"
    IDLE_LOCK = "idle_lock"
    WORKSTATION = "workstation"
    BACKUP = "backup"
    RESTORE = "restore"
    BACKUPS = "backups"

    @property
    def what(self) -> str:
        """The action in words: "... may not <what>." (English; `_` translates it.)"""
        return WHAT[self]


ALLOWED: dict[Permission, frozenset[Role]] = {
    Permission.RECEIVE: frozenset({P, T}),
    Permission.QUARANTINE: frozenset({P, T}),
    Permission.RELEASE: frozenset({P}),
    Permission.ENROLL: frozenset({P}),
    Permission.CORRECT_ENROLMENT: frozenset({P}),
    Permission.PARTICIPANT_STATUS: frozenset({P}),
    Permission.DISPENSE: frozenset({P}),
    Permission.VOID_DISPENSE: frozenset({P}),
    Permission.CHECK_DISPENSE: frozenset({P, T}),
    Permission.RETURN: frozenset({P, T}),
    Permission.CORRECT_RETURN: frozenset({P}),
    Permission.EXPLAIN_FLAG: frozenset({P, T}),
    Permission.DESTROY: frozenset({P}),
    Permission.COUNT: frozenset({P, T}),
    Permission.VERIFY_COUNT: frozenset({P, T}),
    Permission.TEMPERATURE: frozenset({P, T}),
    Permission.PRINT_LABEL: frozenset({P, T}),
    Permission.VIEW: frozenset({P, T, M, A}),
    Permission.RECONCILE: frozenset({P, T, M, A}),
    Permission.SIGN_OFF: frozenset({P, M}),
    Permission.AUDIT: frozenset({P, T, M, A}),
    Permission.USERS: frozenset({A}),
    Permission.STUDY: frozenset({A}),
    Permission.PHARMACY: frozenset({A}),
    Permission.IDLE_LOCK: frozenset({A}),
    Permission.WORKSTATION: frozenset({A}),
    Permission.BACKUP: frozenset({A, P}),
    Permission.RESTORE: frozenset({A}),
    # Who reads the audit trail reads the list of backups and their state (a copy whose audit
    # trail did not verify is evidence an inspector sees); restoring is the administrator's.
    Permission.BACKUPS: frozenset({P, T, M, A}),
}

READ_ONLY = frozenset(
    {Permission.VIEW, Permission.RECONCILE, Permission.AUDIT, Permission.SIGN_OFF}
)
"""What may still be done in a closed study: read, reconcile, audit, and sign the
reconciliation off (the monitor's close-out)."""

WHAT: dict[Permission, str] = {
    Permission.RECEIVE: N_("receive stock"),
    Permission.QUARANTINE: N_("quarantine kits"),
    Permission.RELEASE: N_("release kits from quarantine"),
    Permission.ENROLL: N_("enrol participants"),
    Permission.CORRECT_ENROLMENT: N_("correct an enrolment or void one entered in error"),
    Permission.PARTICIPANT_STATUS: N_("change a participant's status"),
    Permission.DISPENSE: N_("dispense (a pharmacist signs each dispense)"),
    Permission.VOID_DISPENSE: N_("void a dispense made in error"),
    Permission.CHECK_DISPENSE: N_("check a dispense as the second person"),
    Permission.RETURN: N_("record returns"),
    Permission.CORRECT_RETURN: N_("correct a recorded return"),
    Permission.EXPLAIN_FLAG: N_("record the reason for an adherence flag"),
    Permission.DESTROY: N_("destroy stock"),
    Permission.COUNT: N_("record physical counts"),
    Permission.VERIFY_COUNT: N_("countersign a count"),
    Permission.TEMPERATURE: N_("import temperature records"),
    Permission.PRINT_LABEL: N_("print labels"),
    Permission.VIEW: N_("view records"),
    Permission.RECONCILE: N_("reconcile"),
    Permission.SIGN_OFF: N_("sign off a reconciliation"),
    Permission.AUDIT: N_("read the audit trail"),
    Permission.USERS: N_("manage users"),
    Permission.STUDY: N_("change the study set-up"),
    Permission.PHARMACY: N_("change the pharmacy's name, address, telephone or language"),
    Permission.IDLE_LOCK: N_("change how long a window may stay unused before it locks itself"),
    Permission.WORKSTATION: N_(
        "change a workstation's label printers, its database or its site key"
    ),
    # The manual backup only: the day's automatic backup is made at the first sign-in of any
    # role (a monitor's too), by the program, not at the user's asking.
    Permission.BACKUP: N_(
        "make a manual backup (the daily automatic backup is made at any user's first sign-in "
        "of the day)"
    ),
    Permission.RESTORE: N_("restore a backup"),
    Permission.BACKUPS: N_("see the backups kept"),
}


def require(
    actor: Actor, action: Permission, ctx: Context | None = None, *, recorded: bool = False
) -> None:
    """Refuses a step the actor's role may not take, or one in a study (`ctx`) the actor has no
    access to, or one that would add to a closed study; `ctx` is None only for steps that are
    the site's, not a study's (accounts, backups).

    The access and the study's state are those the database holds now, not those of the
    sign-in or of the opening of the study: an administrator may have taken the access away,
    or closed the study, at another workstation since. `recorded=True` is for a step that
    writes: its Recorder (given `study=ctx` and the action) reads them again inside its own
    transaction, after the write lock, so here they are judged as the session knows them and
    not read twice."""
    refuse_locked_window(actor)
    if ctx is not None:
        if recorded:
            judge(actor, action, ctx, True if ctx.study_id in actor.studies else None, ctx.closed)
        else:
            with read_transaction(ctx.engine) as session:
                judge_now(session, actor, action, ctx)
        return
    _require_role(actor, action)


def refuse_locked_window(actor: Actor) -> None:
    """Nothing is done for an actor whose window is locked (Actor.locked): a dialog left open
    under the lock, or a click already on its way, saves nothing in the user's name. Every
    step judged by `require` passes here; so does the one that needs no permission (the
    user's own password)."""
    if actor.locked:
        raise SessionLocked(
            _("The window is locked: nothing was done. Unlock it, then do this again.")
        )


def judge_now(session: Session, actor: Actor, action: Permission, ctx: Context) -> None:
    """require's refusals of a step in `ctx`, from the account, the access and the study's
    closing as `session` reads them now (one statement). A read is stopped as a write is (the
    Recorder's refusal): an account deactivated or locked elsewhere no longer reads the
    study's records from a session still open."""
    row = session.execute(_STANDING, {"user": actor.user_id, "study": ctx.study_id}).first()
    if row is None:  # the account is gone
        raise deactivated(actor)
    active, locked, study, closed_at, access = row
    refuse_ended(actor, active=active, locked=locked)
    if study is None:  # no such study: nobody was given it
        judge(actor, action, ctx, None, ctx.closed)
    else:
        judge(actor, action, ctx, granted(actor, access), closed_at is not None)


def open_to_now(session: Session, actor: Actor, ctx: Context) -> bool:
    """Whether `actor` may still add to the study of `ctx` as `session` reads it now (access
    not withdrawn, study not closed): what a step's Recorder judges inside its write before
    its signature is checked. Read where a step's signature is checked ahead of its write
    (users.passwords_first), so that it counts a password only where the step would."""
    row = session.execute(_STANDING, {"user": actor.user_id, "study": ctx.study_id}).first()
    if row is None or row[2] is None:
        return False
    _active, _locked, _study, closed_at, access = row
    return bool(granted(actor, access)) and closed_at is None


def refuse_ended(actor: Actor, *, active: bool, locked: bool) -> None:
    """Refuses a read of a session whose account was deactivated (or removed: `active` False)
    or locked since the sign-in, as the database holds it now, in the words of the Recorder's
    refusal of a write."""
    if not active:
        raise deactivated(actor)
    if locked:
        raise locked_out(actor)


def deactivated(actor: Actor) -> NotSignedIn:
    """The refusal of a step of an account deactivated (or removed) since the sign-in."""
    return NotSignedIn(
        _(
            "{user} can no longer sign: the account is not active. "
            "Nothing was saved; sign in with an active account."
        ).format(user=actor.username)
    )


def locked_out(actor: Actor) -> NotSignedIn:
    """The refusal of a step of an account locked since the sign-in."""
    return NotSignedIn(
        _(
            "The account '{user}' has been locked: this session has ended and "
            "nothing was saved. Ask an administrator to unlock it."
        ).format(user=actor.username)
    )


def access_of(study: Any) -> ScalarSelect[bool]:
    """The user's latest access row's `granted` for `study` (a bound parameter or a column):
    the latest row of a user and study holds (services.users.studies_of); NULL: never given."""
    return (
        select(StudyAccess.granted)
        .where(StudyAccess.user_id == bindparam("user"), StudyAccess.study_id == study)
        .order_by(StudyAccess.id.desc())
        .limit(1)
        .scalar_subquery()
    )


_STANDING = (
    select(
        User.active, User.locked, StudyRecord.id, StudyRecord.closed_at, access_of(StudyRecord.id)
    )
    .select_from(User)
    .outerjoin(StudyRecord, StudyRecord.id == bindparam("study"))
    .where(User.id == bindparam("user"))
)
"""The account's state, the study's closing and the user's access to it, as they are now: one
statement, built once (no row: the account is gone; no study id: no such study)."""


def _studies_of(every: bool) -> Select[tuple[bool, bool, int]]:
    """The account's state and, one row each, the studies it may read: every study for an
    administrator, else those its latest access row gives (access_of, as require reads it);
    one row with no study when none, no row when the account is gone."""
    given = true() if every else access_of(StudyRecord.id).is_(True)
    return (
        select(User.active, User.locked, StudyRecord.id)
        .select_from(User)
        .outerjoin(StudyRecord, given)
        .where(User.id == bindparam("user"))
    )


_STUDIES = {every: _studies_of(every) for every in (False, True)}
"""Built once: an administrator's, and everyone else's."""


def studies_now(session: Session, actor: Actor) -> frozenset[int]:
    """The ids of the studies `actor` may read as the database holds them now (an
    administrator: every study), not the list of the sign-in (Actor.studies), which an
    administrator may have changed at another workstation since. An account deactivated or
    locked since is refused as require refuses it (one statement for both)."""
    rows = session.execute(
        _STUDIES[actor.role is Role.ADMINISTRATOR], {"user": actor.user_id}
    ).all()
    if not rows:
        raise deactivated(actor)
    refuse_ended(actor, active=rows[0][0], locked=rows[0][1])
    return frozenset(study for _active, _locked, study in rows if study is not None)


class Readable(Collection[int]):
    """The studies `actor` may read now (studies_now), read from `session` only when first
    asked: a step passes it as the `reader` of its lookups, which ask only when a record is of
    another study (services.common.other_study), so a step that finds its own records sends no
    statement more. Asked only while the session is open."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._ids: frozenset[int] | None = None

    @property
    def ids(self) -> frozenset[int]:
        if self._ids is None:
            self._ids = studies_now(self.session, self.actor)
        return self._ids

    def __contains__(self, study: object) -> bool:
        return study in self.ids

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


def granted(actor: Actor, access: bool | None) -> bool | None:
    """The user's access from their latest access row (`access`, None for none): True given,
    False taken away, None never given; an administrator reaches every study without one."""
    return True if actor.role is Role.ADMINISTRATOR else access


def judge(
    actor: Actor, action: Permission, ctx: Context, access: bool | None, closed: bool
) -> None:
    """The refusals of `require` in a study, from the access (`granted`) and the closing as
    read (now, or inside the step's transaction by its Recorder)."""
    if not access:
        if access is False:
            # Given once (at the sign-in, or when the window opened the study), taken away.
            raise NotPermitted(
                _(
                    "Access to study {study} was withdrawn from {user} by an administrator: "
                    "its records can no longer be read or added to, and nothing was saved. "
                    "Switch to another study, or ask an administrator if you still work in "
                    "this one."
                ).format(user=actor.username, study=ctx.study.protocol),
                withdrawn=ctx.study.protocol,
            )
        raise NotPermitted(
            _(
                "{user} has no access to study {study}. An administrator gives access to a "
                "study (Users, or `dispensary study access`)."
            ).format(user=actor.username, study=ctx.study.protocol)
        )
    if closed and action not in READ_ONLY:
        raise NotPermitted(
            _(
                "Study {study} is closed: its records can be read and reported, not added to. "
                "Switch to an open study."
            ).format(study=ctx.study.protocol)
        )
    _require_role(actor, action)


def _require_role(actor: Actor, action: Permission) -> None:
    if actor.role not in ALLOWED[action]:
        raise NotPermitted(role_refusal(actor, action))


def role_refusal(actor: Actor, action: Permission) -> str:
    """The words of a permission refused for the user's role: who, the role, what it may not
    do, and the roles to ask (a user named for a step, a count's second signer, as the user
    signed in)."""
    return _("{user} ({role}) may not {what}. Ask a user with the role: {allowed}.").format(
        user=actor.username, role=actor.role.word, what=_(WHAT[action]), allowed=who_may(action)
    )


def who_may(action: Permission) -> str:
    """The roles that may take `action`, in words ("administrator", "pharmacist and
    administrator"): for a refusal, and for the screens' hints on an action shown but not the
    user's."""
    return listed(r.word for r in sorted(ALLOWED[action], key=lambda r: r.value))


def may(actor: Actor, action: Permission) -> bool:
    return actor.role in ALLOWED[action]


def may_in(actor: Actor, action: Permission, ctx: Context) -> bool:
    """Whether the actor's role may take the step in this study as it was opened: in a closed
    study only what READ_ONLY allows (the step itself is refused there, `judge`). For the
    screens, which offer no form the service would refuse."""
    return may(actor, action) and (not ctx.closed or action in READ_ONLY)
