"""The pharmacy's own particulars: its name, address and telephone for the labels, the
language its windows open in before anyone signs in, and the idle time after which a window
locks itself.

A pharmacy serving several studies is one pharmacy: these are kept once, in the database's
settings, not in each study file (whose `pharmacy_name` stays the fallback while none is set).
Only an administrator changes them, and each change is an audit entry with the old and new
values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Setting, StudyRecord
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import InvalidInput
from dispensary.domain.rules import check_text
from dispensary.i18n import N_, Language, _, language_named
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.study import Study, parse_study

NAME, ADDRESS, PHONE, LANGUAGE, IDLE_LOCK = (
    "pharmacy.name",
    "pharmacy.address",
    "pharmacy.phone",
    "pharmacy.language",
    "pharmacy.idle_lock_minutes",
)
KEYS = (NAME, ADDRESS, PHONE, LANGUAGE)

IDLE_LOCK_MIN, IDLE_LOCK_DEFAULT, IDLE_LOCK_MAX = 1, 10, 30
"""Minutes without a key press or click before a signed-in window locks itself. Never off: an
unattended counter must not stay open to whoever walks by, the signature on each record
depends on it. At least 1 minute, so a pharmacist reading a label is not locked out mid-task;
at most 30, the longest a counter may stand open unattended under common site policies (an
unattended workstation locked within 15-30 minutes); 10 as before this was a pharmacy setting.
Each workstation's settings.json no longer holds it (an old one's `idle_lock_minutes` is
ignored): a workstation cannot switch the lock off or lengthen it unseen."""
ENTITY = "pharmacy"

NAME_LIMIT, ADDRESS_LIMIT, PHONE_LIMIT = 80, 160, 40
"""Upper bounds only: whether a label still has room depends on the study's own texts and the
stock, so a label of each open study is measured with them (LabelRoom) before they are saved,
and a study added or amended is measured with the particulars saved."""


@dataclass(frozen=True)
class Particulars:
    """What the pharmacy says about itself; "" where nothing was set (the study file's value
    is used there)."""

    name: str = ""
    address: str = ""
    phone: str = ""
    language: str = ""

    @property
    def is_set(self) -> bool:
        return bool(self.name)

    def as_record(self) -> dict[str, str]:
        """As the audit trail records them (the keys in plain words, empty ones left out)."""
        values = {
            "name": self.name,
            "address": self.address,
            "phone": self.phone,
            "language": self.language,
        }
        return {k: v for k, v in values.items() if v}


NONE_SET = Particulars()


class LabelRoom(Protocol):
    """Measures a dispensing label of `study` printed with `pharmacy`'s particulars and
    refuses them, naming the study, when it would not fit: labels.dispensing.
    check_particulars_fit, which the front ends pass (the labels lie above the services). The
    services decide which studies must hold the particulars: every open one when they are
    saved; the study added or amended against those saved (`saved`, worded for that)."""

    def __call__(self, study: Study, pharmacy: Particulars, *, saved: bool = False) -> None: ...


def refuse_no_room(session: Session, new: Particulars, room: LabelRoom | None) -> None:
    """Refuses particulars that a dispensing label of an open study cannot hold (the first
    such study named); "no name" leaves each study file's own, as every label printed so far."""
    if room is None or not new.name:
        return
    held = select(StudyRecord).where(StudyRecord.closed_at.is_(None)).order_by(StudyRecord.id)
    for record in session.scalars(held):
        room(parse_study(record.source_text, record.protocol), new)


def refuse_study_without_room(session: Session, study: Study, room: LabelRoom | None) -> None:
    """Refuses a study added or amended whose dispensing label cannot hold the particulars
    saved: its dispenses would be saved and their labels refused."""
    saved = read(session)
    if room is not None and saved.name:
        room(study, saved, saved=True)


def checked(name: str, address: str, phone: str) -> Particulars:
    """The particulars as they would be stored, or the refusal of the first that cannot be: the
    name is required once any of them is given; none may hold hidden characters."""
    return Particulars(
        check_text(name, N_("pharmacy's name"), limit=NAME_LIMIT),
        check_text(address, N_("pharmacy's address"), required=False, limit=ADDRESS_LIMIT),
        check_text(phone, N_("pharmacy's telephone"), required=False, limit=PHONE_LIMIT),
    )


def checked_language(language: str) -> Language:
    try:
        return language_named(language)
    except ValueError as exc:
        raise InvalidInput(
            _("'{value}' is not a language the program speaks: use {names}.").format(
                value=language, names=", ".join(lang.value for lang in Language)
            )
        ) from exc


def read(session: Session) -> Particulars:
    """Inside a transaction a service already holds (a label print's plan)."""
    rows: Mapping[str, str] = {
        s.key: s.value for s in session.scalars(select(Setting).where(Setting.key.in_(KEYS)))
    }
    return Particulars(
        rows.get(NAME, ""), rows.get(ADDRESS, ""), rows.get(PHONE, ""), rows.get(LANGUAGE, "")
    )


def particulars(ctx: Context) -> Particulars:
    """No permission is needed: these are printed on every label the pharmacy hands out."""
    with read_transaction(ctx.engine) as session:
        return read(session)


def _store(session: Session, values: Mapping[str, str]) -> None:
    for key, value in values.items():
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
    session.flush()


def check_particulars(
    ctx: Context, actor: Actor, name: str, address: str, phone: str, room: LabelRoom | None
) -> Particulars:
    """The particulars assessed for saving, with nothing written: their refusal (a text not
    allowed, or an open study whose label cannot hold them) said before a reason is asked."""
    require(actor, Permission.PHARMACY)
    new = checked(name, address, phone)
    with read_transaction(ctx.engine) as session:
        refuse_no_room(session, new, room)
    return new


def set_particulars(
    ctx: Context,
    actor: Actor,
    name: str,
    address: str,
    phone: str,
    reason: str,
    room: LabelRoom | None = None,
) -> Particulars:
    """An administrator names the pharmacy for its labels (audited, with the old values),
    refused when a dispensing label of an open study could not hold them (`room`: the front
    ends measure with labels.dispensing.check_particulars_fit; None only where the caller
    measured every study itself, as the first-run wizard does before anything is stored)."""
    require(actor, Permission.PHARMACY)
    new = checked(name, address, phone)
    why = check_text(reason, N_("reason for the change"))
    with write_transaction(ctx.engine) as session:
        old = read(session)
        if (old.name, old.address, old.phone) == (new.name, new.address, new.phone):
            return old
        refuse_no_room(session, new, room)
        rec = Recorder(session, actor, ctx.clock.now())
        _store(session, {NAME: new.name, ADDRESS: new.address, PHONE: new.phone})
        before = Particulars(old.name, old.address, old.phone).as_record()
        rec.audit(
            AuditAction.PHARMACY_PARTICULARS_SET,
            ENTITY,
            "particulars",
            new.as_record(),
            old=before or None,
            reason=why,
        )
        return Particulars(new.name, new.address, new.phone, old.language)


def set_language(ctx: Context, actor: Actor, language: str, reason: str) -> Particulars:
    """The language the windows open in before sign-in, and for users who chose none
    (administrator, audited); each user's own choice still wins after their sign-in."""
    require(actor, Permission.PHARMACY)
    chosen = checked_language(language)
    why = check_text(reason, N_("reason for the change"))
    with write_transaction(ctx.engine) as session:
        old = read(session)
        if old.language == chosen.value:
            return old
        rec = Recorder(session, actor, ctx.clock.now())
        _store(session, {LANGUAGE: chosen.value})
        rec.audit(
            AuditAction.PHARMACY_LANGUAGE_SET,
            ENTITY,
            "language",
            {"language": chosen.value},
            old={"language": old.language} if old.language else None,
            reason=why,
        )
        return Particulars(old.name, old.address, old.phone, chosen.value)


def checked_idle_lock(minutes: int) -> int:
    """The idle lock time as it would be stored, or why not: whole minutes within the bounds."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidInput(_("The idle lock time is a whole number of minutes."))
    if not IDLE_LOCK_MIN <= minutes <= IDLE_LOCK_MAX:
        raise InvalidInput(
            _(
                "The idle lock time is {low} to {high} minutes, not {minutes}: a window is "
                "never left open without it."
            ).format(low=IDLE_LOCK_MIN, high=IDLE_LOCK_MAX, minutes=minutes)
        )
    return minutes


def read_idle_lock(session: Session) -> int:
    """The stored time, or the default while none was set (or the stored one is not a time
    within the bounds: `audit verify` names such an edit, and the lock stays on meanwhile)."""
    row = session.get(Setting, IDLE_LOCK)
    if row is None:
        return IDLE_LOCK_DEFAULT
    try:
        return checked_idle_lock(int(row.value))
    except (ValueError, InvalidInput):
        return IDLE_LOCK_DEFAULT


def idle_lock_minutes(ctx: Context) -> int:
    """No permission is needed: every signed-in window locks itself after this time."""
    with read_transaction(ctx.engine) as session:
        return read_idle_lock(session)


def set_idle_lock(ctx: Context, actor: Actor, minutes: int, reason: str) -> int:
    """An administrator sets how long a window may stay unused before it locks itself, for
    every workstation from its user's next sign-in (audited, with the old time)."""
    require(actor, Permission.IDLE_LOCK)
    chosen = checked_idle_lock(minutes)
    why = check_text(reason, N_("reason for the change"))
    with write_transaction(ctx.engine) as session:
        old = read_idle_lock(session)
        was_set = session.get(Setting, IDLE_LOCK) is not None
        if was_set and old == chosen:
            return old
        rec = Recorder(session, actor, ctx.clock.now())
        _store(session, {IDLE_LOCK: str(chosen)})
        rec.audit(
            AuditAction.PHARMACY_IDLE_LOCK_SET,
            ENTITY,
            "idle_lock",
            {"idle_lock_minutes": chosen},
            old={"idle_lock_minutes": old},
            reason=why,
        )
        return chosen
