"""Users, sign-in and electronic signatures (argon2 password hashes, lockout after 5 failures).

Every failed sign-in gets the same message, whether the name is unknown, the password wrong, or
the account locked or deactivated, even when the password is right (said otherwise, a guesser
would learn which guess was the password, and that the name exists). The audit trail records the
real cause, and the administrator's Users screen shows the lock or the deactivation. The slow
argon2 check runs before the write lock is taken, so a sign-in never holds
up another workstation's dispense.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import hmac
import json
import os
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.orm import Session, object_session
from sqlalchemy.pool import Pool

from dispensary.db import engine as engines
from dispensary.db.engine import (
    after_transaction,
    before_next_write,
    read_only,
    read_transaction,
    sqlite_path,
    write_transaction,
)
from dispensary.db.faults import busy_message
from dispensary.db.models import (
    AuditEntry,
    PasswordHistory,
    Signature,
    StudyAccess,
    StudyRecord,
    User,
)
from dispensary.domain.audit_actions import AuditAction, name_of
from dispensary.domain.codes import Role, SignatureMeaning
from dispensary.domain.errors import (
    ChainOutOfStep,
    DatabaseBusy,
    DispensaryError,
    InvalidInput,
    NotFound,
    NotPermitted,
    NotSignedIn,
    ReadOnlyDatabase,
    RuleViolation,
    SignatureFailed,
)
from dispensary.domain.passwords import RECENT_PASSWORDS, password_problem
from dispensary.domain.rules import check_text, normalise_initials
from dispensary.i18n import N_, Language, _, language_named, sentences
from dispensary.packaged import resource
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Clock, Context
from dispensary.services.permissions import (
    Permission,
    may,
    open_to_now,
    refuse_locked_window,
    require,
    studies_now,
)
from dispensary.services.results import PasswordReset, TrailAccount, UserRow

MAX_FAILURES = 5
USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,39}")
SIGN_IN_FAILED = N_(
    "Sign-in failed: the user name or password is wrong, or the account is locked or "
    "deactivated. After 5 failures in a row an account locks; an administrator unlocks it."
)
"""The one refusal of every failed sign-in (in English: `_` translates it where raised)."""
SIGN_IN_NOT_RECORDED = N_("Your sign-in could not be recorded, so nothing was read or saved.")
"""Said after the busy database when a sign-in that must be recorded could not be."""
SIGN_IN_WAIT_MS = 1_000
"""How long a sign-in that may go on unrecorded (the command's, `read_only_ok`) waits for
another workstation's write before it does: see sign_in."""
COMMON_PASSWORDS = Path("security") / "common-passwords.txt"
_hasher = PasswordHasher()


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list of passwords refused as too common (resources/security)."""
    lines = resource(*COMMON_PASSWORDS.parts).read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().casefold() for w in lines if w.strip() and not w.startswith("#"))


def check_password_rules(password: str, username: str = "", full_name: str = "") -> None:
    problem = password_problem(password, username, common_passwords(), full_name)
    if problem is not None:
        raise InvalidInput(problem)


def _verify(password_hash: str, password: str) -> bool:
    if not isinstance(password, str):
        return False
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    except UnicodeEncodeError:
        # A lone surrogate (bytes a terminal could not decode): no password the program set
        # holds one (domain/passwords refuses it), so it is simply wrong, never a crash.
        return False


# Signature passwords checked before the write lock is taken (`presign`): the slow argon2 check
# of a signature must not hold up every other workstation's write. Keyed by the stored hash
# (salted) and an HMAC of the password under a key that lives only in this process.
_PROCESS_KEY = os.urandom(32)
_PRECHECKED: dict[tuple[str, bytes], bool] = {}
_PRECHECKED_MOST = 64


def _password_key(password_hash: str, password: str) -> tuple[str, bytes]:
    text_bytes = password.encode("utf-8", "surrogatepass")
    return password_hash, hmac.new(_PROCESS_KEY, text_bytes, hashlib.sha256).digest()


def _password_matches(user: User, password: str) -> bool:
    if not isinstance(password, str):
        return False
    known = _PRECHECKED.pop(_password_key(user.password_hash, password), None)
    if known is not None:
        return known
    return _verify(user.password_hash, password)


_HASHES = select(User.username, User.password_hash).where(
    User.username.in_(bindparam("names", expanding=True))
)

_SEEN: WeakKeyDictionary[Pool, dict[str, str]] = WeakKeyDictionary()
"""Each signer's stored hash as this process last read it, per database (its engine's pool):
`presign` checks a signature against it without a read transaction of its own before each
step (a third of a millisecond of every signed step). Only a guess of the hash: the answer is
kept under the hash it was checked against, and `check_signature` looks it up under the hash
as stored then, inside the step's write (the one a step commits with), so an answer for a
hash changed meanwhile is never used; that signature is checked again there (argon2 under the
write lock, once after a password changed on another workstation) and its hash noted."""
_SEEN_MOST = 64


def _seen_hashes(pool: Pool) -> dict[str, str]:
    found = _SEEN.get(pool)
    if found is None:
        found = _SEEN[pool] = {}
    return found


def _saw_hash(found: dict[str, str], name: str, stored: str) -> None:
    if len(found) >= _SEEN_MOST and name not in found:
        found.clear()
    found[name] = stored


def presign(ctx: Context, *signers: tuple[str, str]) -> None:
    """Checks the passwords of the signers of a step (user name, password) before its write
    transaction, so that `check_signature` inside it finds the answer ready instead of running
    argon2 under the write lock. Signers without a name are skipped; nothing is refused here:
    the transaction still decides, with the account as it then is."""
    named: list[tuple[str, str]] = []
    for n, p in signers:
        if not n or not isinstance(p, str):
            continue
        try:  # a name no user can have is looked up nowhere (the driver would fail on it)
            named.append((normalise_username(n), p))
        except InvalidInput:
            continue
    if not named:
        return
    found = _seen_hashes(ctx.engine.pool)
    missing = [n for n, _password in named if n not in found]
    if missing:
        with read_transaction(ctx.engine) as session:
            rows = session.connection().execute(_HASHES, {"names": missing})
            for name, stored in rows:
                _saw_hash(found, name, stored)
    for name, password in named:
        stored = found.get(name)
        if stored is None:
            continue
        if len(_PRECHECKED) >= _PRECHECKED_MOST:
            _PRECHECKED.clear()
        _PRECHECKED[_password_key(stored, password)] = _verify(stored, password)


@functools.cache
def _stand_in_hash() -> str:
    """Checked against for an unknown user name, so that it takes as long as a real one."""
    return _hasher.hash("no account has this password 7Gq")


def studies_of(session: Session, user: User) -> frozenset[int]:
    """The studies a user may work in: an administrator every study; anyone else those an
    administrator gave them (the latest access row of each study holds)."""
    if user.role == Role.ADMINISTRATOR.value:
        return frozenset(session.scalars(select(StudyRecord.id)))
    latest: dict[int, bool] = {}
    for study_id, granted in session.execute(
        select(StudyAccess.study_id, StudyAccess.granted)
        .where(StudyAccess.user_id == user.id)
        .order_by(StudyAccess.id)
    ).tuples():
        latest[study_id] = granted
    return frozenset(s for s, given in latest.items() if given)


def record_access(
    session: Session,
    rec: Recorder,
    user: User,
    study: StudyRecord,
    granted: bool,
    why: str,
    by_id: int | None,
    username: str | None = None,
) -> None:
    """A new access row giving `user` the study or taking it away, with its audit entry: an
    administrator's change (studies.set_access) or one a restore made again (services/backup,
    which names the restorer as `username`)."""
    session.add(
        StudyAccess(
            user_id=user.id,
            study_id=study.id,
            granted=granted,
            reason=why,
            by_id=by_id,
            at=rec.now,
        )
    )
    session.flush()
    rec.audit(
        AuditAction.STUDY_ACCESS_GIVEN if granted else AuditAction.STUDY_ACCESS_TAKEN,
        "user",
        user.username,
        {"study": study.protocol, "access": "yes" if granted else "no"},
        {"study": study.protocol, "access": "no" if granted else "yes"},
        why,
        username=username,
    )


def account_of(session: Session, username: str, password: str) -> Actor | None:
    """The active, unlocked account of `username` whose password is `password`, in the database
    `session` reads, checked without recording anything; None otherwise (taking as long for a
    name it does not hold). What a restore over a database that cannot be opened checks in the
    backup (services.backup: no one can sign in to the database it replaces)."""
    try:
        name: str | None = normalise_username(username)
    except InvalidInput:
        name = None
    known = session.scalar(select(User).where(User.username == name)) if name else None
    matches = _verify(known.password_hash if known is not None else _stand_in_hash(), password)
    if known is None or not matches or not known.active or known.locked:
        return None
    return actor_of(session, known)


def actor_of(session: Session, user: User) -> Actor:
    return Actor(
        user.id,
        user.username,
        user.full_name,
        user.initials,
        Role(user.role),
        must_change_password=bool(user.must_change_password),
        language=user.language or "",
        studies=studies_of(session, user),
    )


def outside_study(session: Session, signer: Actor, study: int) -> str | None:
    """Why the second person of a step (a dispense's checker, a count's verifier, a destruction's
    witness) cannot sign a record of `study`: no access to it, so they could not open what they
    sign; None when they can."""
    if study in signer.studies:
        return None
    protocol = session.scalar(select(StudyRecord.protocol).where(StudyRecord.id == study))
    return _(
        "{user} has no access to study {study}, so cannot sign its records. Name someone who "
        "works in this study, or ask an administrator to give {user} access to it."
    ).format(user=signer.username, study=protocol)


def normalise_username(raw: str) -> str:
    name = raw.strip().lower()
    if not USERNAME.fullmatch(name):
        raise InvalidInput(
            _(
                "'{name}' is not a valid user name: 2-40 characters, lower-case letters, digits, "
                "'.', '_' or '-', starting with a letter."
            ).format(name=raw[:40])
        )
    return name


def sign_in(ctx: Context, username: str, password: str, read_only_ok: bool = False) -> Actor:
    """Checks the password (outside the write lock), then records the outcome; a failure is
    counted (and committed) before it is refused. An account whose password an administrator
    set comes back with `must_change_password`: it may change its password and nothing else.

    When the chain head is out of step (ChainOutOfStep), nothing can be recorded: a right
    password still signs in, so that the trail can be verified and a backup restored, and every
    write is refused until then. So too on a database open read-only (an inspector's copy on a
    CD, a server that lets this connection read only: ReadOnlyDatabase): the password is
    checked, the sign-in is not recorded (nor a failure counted: nothing can be), and every
    write is refused; only for a caller that reads (`read_only_ok`: the `dispensary` command,
    or a database it opened read-only on purpose: setup.open_database's `read_only_ok`).

    Another workstation holding the write lock does not stop such a caller either: the right
    password of an active account waits SIGN_IN_WAIT_MS for it, then signs in with the record
    owed (_owe_sign_in), written by the caller's first write (which waits for the lock anyway)
    or by record_owed_sign_in when it ends; reading needs no lock. A failure is recorded before
    it is refused, waiting as long as any write: a sign-in that cannot be recorded then is
    refused as the busy database, with nothing read or saved.
    The windows sign in to work: there a database that may not be written refuses the sign-in
    with its reason (a role not granted the writes, a server in recovery), as at start."""
    try:
        name = normalise_username(username)
    except InvalidInput as exc:
        _verify(_stand_in_hash(), password)
        raise NotSignedIn(_(SIGN_IN_FAILED)) from exc
    with read_transaction(ctx.engine) as session:
        known = session.scalar(select(User).where(User.username == name))
        checked_hash = known.password_hash if known is not None else _stand_in_hash()
        if known is not None:  # the step's signatures are then checked without reading it
            _saw_hash(_seen_hashes(ctx.engine.pool), name, checked_hash)
    matches = _verify(checked_hash, password)
    may_owe = read_only_ok and known is not None and matches and known.active and not known.locked
    try:
        try:
            wait = SIGN_IN_WAIT_MS if may_owe else None
            return _record_sign_in(ctx, name, password, checked_hash, matches, wait)
        except DatabaseBusy:
            if not may_owe:
                raise
        assert known is not None
        with read_transaction(ctx.engine) as session:
            actor = actor_of(session, known)
        _owe_sign_in(ctx, actor)
        return actor
    except DatabaseBusy as exc:
        raise DatabaseBusy(busy_message(engines.BUSY_TIMEOUT_MS, SIGN_IN_NOT_RECORDED)) from exc
    except (ChainOutOfStep, ReadOnlyDatabase) as exc:
        if isinstance(exc, ReadOnlyDatabase) and not read_only_ok and read_only(ctx.engine) is None:
            raise
        if known is None or not matches or not known.active or known.locked:
            raise NotSignedIn(_(SIGN_IN_FAILED)) from None
        with read_transaction(ctx.engine) as session:
            return actor_of(session, known)


def _owe_sign_in(ctx: Context, actor: Actor) -> None:
    """The right password of an active account, signed in while another workstation held the
    write lock: the sign-in is recorded at the start of the next write of this database (the
    command's own step, under its lock and before its rows, or record_owed_sign_in when the
    command ends), its entry naming the time it happened (`signed_in_at`)."""
    at = ctx.clock.now()

    def record(session: Session) -> None:
        new = {"role": actor.role.value, "signed_in_at": at.isoformat(timespec="seconds")}
        if actor.must_change_password:
            new["must_change_password"] = "yes"
        rec = Recorder(session, None, ctx.clock.now())
        rec.audit(AuditAction.SIGN_IN, "user", actor.username, new, username=actor.username)

    before_next_write(ctx.engine, record)


def record_owed_sign_in(ctx: Context, wait_ms: int | None = None) -> bool:
    """Records a sign-in owed to the trail (see sign_in), waiting for another workstation's
    write as any step does (or `wait_ms`); False when none was owed. A database still busy is
    raised as the DatabaseBusy that says so, the sign-in still owed."""
    if not engines.writes_owed(ctx.engine):
        return False
    with write_transaction(ctx.engine, wait_ms):
        pass  # the owed entries are written at the start of every write transaction
    return True


def _record_sign_in(
    ctx: Context,
    name: str,
    password: str,
    checked_hash: str,
    matches: bool,
    wait_ms: int | None = None,
) -> Actor:
    failure: NotSignedIn | None = None
    with write_transaction(ctx.engine, wait_ms) as session:
        user = session.scalar(select(User).where(User.username == name))
        rec = Recorder(session, None, ctx.clock.now())
        if user is not None and user.password_hash != checked_hash:
            matches = _password_matches(user, password)  # changed meanwhile: check again
        if user is None:
            rec.audit(AuditAction.SIGN_IN_FAILED, "user", name, username=name)
            failure = NotSignedIn(_(SIGN_IN_FAILED))
        elif not matches:
            if user.active and not user.locked:
                user.failed_attempts += 1
                user.locked = user.failed_attempts >= MAX_FAILURES
            rec.audit(
                AuditAction.SIGN_IN_FAILED,
                "user",
                name,
                new={"failed_attempts": user.failed_attempts, "locked": user.locked},
                username=name,
            )
            failure = NotSignedIn(_(SIGN_IN_FAILED))
        elif not user.active or user.locked:
            # The trail keeps the cause; the person signing in is told what every failure is
            # told, so that the right password of a locked or deactivated account is not
            # confirmed.
            reason = "deactivated" if not user.active else "locked"
            rec.audit(AuditAction.SIGN_IN_REFUSED, "user", name, username=name, reason=reason)
            failure = NotSignedIn(_(SIGN_IN_FAILED))
        else:
            if user.failed_attempts:
                user.failed_attempts = 0
            new = {"role": user.role}
            if user.must_change_password:
                new["must_change_password"] = "yes"
            rec.audit(AuditAction.SIGN_IN, "user", name, new, username=name)
            return actor_of(session, user)
    assert failure is not None
    raise failure


def account_state(ctx: Context, actor: Actor) -> str | None:
    """Why the session of `actor` must end now (locked, deactivated, removed), or None: an open
    window asks at the user's next action, so an account locked elsewhere stops at once."""
    with read_transaction(ctx.engine) as session:
        user = session.get(User, actor.user_id)
        ended = session_ended_reason(user, actor.username)
        # A password to change, set since the sign-in (the session's own had none): a reset.
        reset = user is not None and user.must_change_password and not actor.must_change_password
        if ended is None and reset:
            return _(
                "An administrator has reset the password of '{name}': this session has ended. "
                "Sign in with the password they give you, then choose your own."
            ).format(name=actor.username)
        return ended


def session_ended_reason(user: User | None, username: str) -> str | None:
    if user is None or not user.active:
        return _(
            "The account '{name}' has been deactivated: this session has ended and "
            "nothing more can be saved. An administrator can tell you why."
        ).format(name=username)
    if user.locked:
        return _(
            "The account '{name}' has been locked: this session has ended and nothing more "
            "can be saved. Ask an administrator to unlock it."
        ).format(name=username)
    return None


def check_signature(
    session: Session,
    actor: Actor,
    password: str,
    meaning: SignatureMeaning,
    record_type: str,
    record_id: int,
    rec: Recorder,
    second: bool = False,
) -> Signature:
    """An electronic signature: the signer re-enters the password for this one act. `second`:
    the signer is the second person of the act (the destruction's witness, the dispense's
    checker, the count's verifier), whose own password a wrong one is said to be."""
    user = check_signer(
        session, actor, password, meaning, auditor=rec.actor, now=rec.now, second=second
    )
    return record_signature(session, user, meaning, record_type, record_id, rec)


def check_signer(
    session: Session,
    actor: Actor,
    password: str,
    meaning: SignatureMeaning,
    *,
    auditor: Actor | None,
    now: datetime,
    second: bool = False,
) -> User:
    """The signature's checks, before the record it signs is written (`record_signature`
    then writes the signature): refused when the signer may not sign or typed no password; a
    wrong password refused and counted against the signer once the step's transaction is
    rolled back, in an entry of its own in the name of `auditor` (the signed-in user) at
    `now`. Every signed step checks it first, before its other refusals (a kit not on the
    shelf, a cycle already dispensed, the records changed since the sign-off's figures were
    shown), so that a wrong password is said and counted whatever else would have been
    refused (21 CFR Part 11: every failed attempt counts)."""
    user = session.get(User, actor.user_id)
    if user is None or not user.active or user.locked:
        raise NotPermitted(
            _("{user} can no longer sign: the account is not active.").format(user=actor.username)
        )
    _saw_hash(_seen_hashes(session.connection().engine.pool), user.username, user.password_hash)
    if user.must_change_password:
        raise NotPermitted(
            _(
                "An administrator set the password of {user}: choose your own password "
                "before signing anything. Nothing was saved."
            ).format(user=actor.username)
        )
    if not isinstance(password, str) or password == "":
        # Nothing typed is no guess at the password: counted as a wrong one, an empty field
        # (a second person not yet at the counter) moved their account towards the lock. Nor
        # is a value that is no text (None from a script): refused, not counted.
        raise InvalidInput(
            _(
                "No signature password was typed for {user}: type it to sign. Nothing was saved."
            ).format(user=actor.username)
        )
    if not _password_matches(user, password):
        left = MAX_FAILURES - user.failed_attempts - 1  # counted once the step is refused
        if second and meaning in SECOND_SIGNER_WRONG:
            raise _counted(
                SignatureFailed(
                    _wrong_second_password(meaning, actor.username, left),
                    actor.username,
                    meaning.value,
                    second=True,
                ),
                session,
                auditor,
                now,
            )
        # The person first, as the signature dialog names them ("By signing, Chen Jing
        # confirms"), then the account whose password it is.
        if left == 1:
            wrong = _(
                "{name}: The signature password for {user} is wrong; nothing was saved. Type "
                "your own password to sign. {left} attempt left before the account locks."
            )
        elif left > 1:
            wrong = _(
                "{name}: The signature password for {user} is wrong; nothing was saved. Type "
                "your own password to sign. {left} attempts left before the account locks."
            )
        else:
            wrong = _(
                "{name}: The signature password for {user} is wrong; nothing was saved. Type "
                "your own password to sign. The account is now locked; ask an administrator to unlock it."
            )
        raise _counted(
            SignatureFailed(
                wrong.format(name=actor.full_name, user=actor.username, left=left),
                actor.username,
                meaning.value,
            ),
            session,
            auditor,
            now,
        )
    if user.failed_attempts:  # as at sign-in: only failures in a row lock the account
        user.failed_attempts = 0
    return user


@dataclass(frozen=True)
class SecondSigner:
    """The second person who signs a step with the signed-in user (a dispense's checker, a
    count's verifier, a destruction's witness), as the step was given them: the user name
    typed, their password, what they sign, and the permission their role needs to sign it
    (None: any active account with access to the study)."""

    name: str
    password: str
    meaning: SignatureMeaning
    permission: Permission | None = None


@contextmanager
def passwords_first(
    ctx: Context,
    signer: Actor,
    password: str,
    meaning: SignatureMeaning,
    *seconds: SecondSigner,
) -> Iterator[None]:
    """Around the checks a signed step makes of its input before its write transaction (a
    blank reason or note, a malformed count or date, the paperwork): a refusal of them goes on
    only once the signers' passwords were checked, as the step checks them first inside its
    write (`check_signer`). A wrong one is refused instead and counted against its signer,
    whatever else is wrong with the input (21 CFR Part 11: every failed attempt counts). A
    signer's other refusal (no password typed, an account that may not sign) is no attempt at
    a password: the input's refusal is said. Every signed step checks its input in this, the
    one way. `signer`: the signed-in user who signs the step, whose role the step checked
    already (this is no service of its own)."""
    try:
        yield
    except SignatureFailed:
        raise
    except DispensaryError as refused:
        _signers_before_refusal(ctx, signer, password, meaning, seconds, refused)
        raise


def _signers_before_refusal(
    ctx: Context,
    actor: Actor,
    password: str,
    meaning: SignatureMeaning,
    seconds: Sequence[SecondSigner],
    refused: DispensaryError,
) -> None:
    """Raises the SignatureFailed of the first wrong password of the signers (counted once its
    transaction is rolled back); returns when none is wrong, nothing written (a right password
    resets no failures: the step was refused). A database that cannot be written (read-only,
    busy) counts nothing: the input's refusal is said, as before."""
    try:
        presign(ctx, (actor.username, password), *((s.name, s.password) for s in seconds))
        with write_transaction(ctx.engine) as session:
            if not open_to_now(session, actor, ctx):
                return  # the step refuses the access (or the closing) before any password
            now = ctx.clock.now()
            signers: list[tuple[Actor, str, SignatureMeaning, bool]] = [
                (actor, password, meaning, False)
            ]
            for second in seconds:
                named = _second_signer(session, actor, second, ctx.study_id)
                if named is not None:
                    signers.append((named, second.password, second.meaning, True))
            for signer, typed, what, is_second in signers:
                try:
                    check_signer(
                        session, signer, typed, what, auditor=actor, now=now, second=is_second
                    )
                except SignatureFailed:
                    raise
                except DispensaryError:
                    continue  # not an attempt at the password
            raise refused  # rolled back
    except SignatureFailed:
        raise
    except DispensaryError:
        return


def _second_signer(
    session: Session, actor: Actor, second: SecondSigner, study: int
) -> Actor | None:
    """The account of a second signer whose password the step would check: a user other than
    the signed-in one, whose role may sign it, with access to the study; None otherwise (the
    step refuses who was named, before their password)."""
    if not isinstance(second.name, str) or not second.name.strip():
        return None
    try:
        user = find_user(session, second.name.strip())
    except DispensaryError:
        return None
    if user.id == actor.user_id:
        return None
    signer = actor_of(session, user)
    if second.permission is not None and not may(signer, second.permission):
        return None
    if outside_study(session, signer, study) is not None:
        return None
    return signer


def check_second_signer(
    session: Session,
    named: Actor,
    typed: str | None,
    password: str,
    meaning: SignatureMeaning,
    *,
    auditor: Actor | None,
    now: datetime,
) -> User:
    """The second person of a step (the destruction's witness, the dispense's checker, the
    count's verifier), `named` in the form for that role, signing with both components of
    their signature (21 CFR 11.200(a)(1): they are in no session of their own): `typed`, the
    user name they typed themself, and their password. Refused, nothing written, when the user
    name typed is not that of the person named; that mismatch is no guess at the named
    person's password, so it counts against nobody's lock, except that a wrong password for
    an account that does exist under the name typed counts against that account, as a wrong
    password always does. `typed` None: the caller gave the user name and the password
    together (a command's `--witness` with the password from the environment), no one's
    choice made for them; the checks of `check_signer` then, as for every signer."""
    if typed is not None:
        _refuse_another_signer(session, named, typed, password, meaning, auditor, now)
    return check_signer(session, named, password, meaning, auditor=auditor, now=now, second=True)


SECOND_SIGNER_NOT_TYPED: dict[SignatureMeaning, str] = {
    SignatureMeaning.WITNESSED: N_(
        "The user name typed is not {name}'s: the witness signs with their own user name and "
        "password. Nothing was saved."
    ),
    SignatureMeaning.CHECKED: N_(
        "The user name typed is not {name}'s: the second checker signs with their own user name "
        "and password. Nothing was saved."
    ),
    SignatureMeaning.COUNT_VERIFIED: N_(
        "The user name typed is not {name}'s: the verifier signs with their own user name and "
        "password. Nothing was saved."
    ),
}
"""A second person's signature under a user name that is not theirs, by what they sign."""


def _refuse_another_signer(
    session: Session,
    named: Actor,
    typed: str,
    password: str,
    meaning: SignatureMeaning,
    auditor: Actor | None,
    now: datetime,
) -> None:
    """Refuses the second person's signature when the user name typed is not `named`'s; the
    password is then checked against the account typed (against a stand-in for a name no
    account has, as long), and a wrong one counted against that account; a right one (another
    person's valid credentials) is recorded in the trail, counted against no one."""
    try:
        name: str | None = normalise_username(typed) if isinstance(typed, str) else None
    except InvalidInput:
        name = None
    if name == named.username:
        return
    known = session.scalar(select(User).where(User.username == name)) if name else None
    typed_password = isinstance(password, str) and password != ""
    matches = typed_password and _verify(
        known.password_hash if known is not None else _stand_in_hash(), password
    )
    said = [_(SECOND_SIGNER_NOT_TYPED[meaning]).format(name=named.full_name)]
    counts = known is not None and known.active and not known.locked and typed_password
    if counts and not matches:
        assert known is not None and name is not None
        left = MAX_FAILURES - known.failed_attempts - 1  # counted once the step is refused
        said.append(_("The password typed is not that of {user} either.").format(user=name))
        said.append(_attempts_left(left, name))
        raise _counted(
            SignatureFailed(sentences(said), name, meaning.value, second=True),
            session,
            auditor,
            now,
        )
    failed = SignatureFailed(sentences(said), named.username, meaning.value, second=True)
    failed.counted = True  # no wrong password of any account: nothing to count
    if known is not None and matches:
        # Another person's valid credentials given as the second signer's: refused, and
        # recorded all the same (after the step's rollback, in a transaction of its own), naming
        # the account typed and the person expected to sign (21 CFR 11.300(d)).
        assert name is not None
        attempt = {
            "meaning": meaning.value,
            "signed_as": name,
            "expected_signer": named.username,
        }
        after_transaction(
            session, lambda engine: _record_other_signer(engine, failed, attempt, auditor, now)
        )
    raise failed


def _record_other_signer(
    engine: Engine,
    failed: SignatureFailed,
    attempt: dict[str, Any],
    auditor: Actor | None,
    now: datetime,
) -> None:
    """The trail's entry of a second signature refused because it was made with another
    account's user name and correct password: a failed signature under the account used, with
    the person expected to sign. Counted against no one (no password was wrong). What cannot be
    written (a busy or full database) is kept in `failed.uncounted` for the refusal to say."""
    try:
        with write_transaction(engine) as session:
            Recorder(session, auditor, now, check_account=False).audit(
                AuditAction.SIGNATURE_FAILED, "user", attempt["signed_as"], attempt
            )
    except DispensaryError as exc:
        failed.uncounted = exc.message


def record_signature(
    session: Session,
    user: User,
    meaning: SignatureMeaning,
    record_type: str,
    record_id: int,
    rec: Recorder,
) -> Signature:
    """The signature of `user` (checked by `check_signer` in this transaction) under the
    record it signs."""
    signature = Signature(
        user_id=user.id,
        meaning=meaning.value,
        record_type=record_type,
        record_id=record_id,
        at=rec.now,
    )
    rec.write(signature)
    if not rec.direct:
        session.flush()
    return signature


SECOND_SIGNER_WRONG: dict[SignatureMeaning, str] = {
    SignatureMeaning.WITNESSED: N_(
        "The witness's password is wrong: {user}, the witness, signs the destruction with their "
        "own password. Nothing was saved; ask {user} to type it again."
    ),
    SignatureMeaning.CHECKED: N_(
        "The second checker's password is wrong: {user}, who checks the dispense, signs with "
        "their own password. Nothing was saved; ask {user} to type it again."
    ),
    SignatureMeaning.COUNT_VERIFIED: N_(
        "The verifier's password is wrong: {user}, who countersigns the count, signs with their "
        "own password. Nothing was saved; ask {user} to type it again."
    ),
}
"""A second person's wrong signature password, by what they sign: whose password it was."""


def _wrong_second_password(meaning: SignatureMeaning, user: str, left: int) -> str:
    wrong = _(SECOND_SIGNER_WRONG[meaning]).format(user=user)
    return sentences([wrong, _attempts_left(left, user)])


def _attempts_left(left: int, user: str) -> str:
    """What a second person's wrong password leaves of their account, said the one way
    whichever user name they typed: the attempts before it locks, or that it is locked now."""
    if left == 1:
        then = _("{left} attempt left before the account of {user} locks.")
    elif left > 1:
        then = _("{left} attempts left before the account of {user} locks.")
    else:
        then = _("The account of {user} is now locked; ask an administrator to unlock it.")
    return then.format(left=left, user=user)


def _counted(
    failed: SignatureFailed, session: Session, auditor: Actor | None, now: datetime
) -> SignatureFailed:
    """`failed`, to be raised: its step's transaction is rolled back, and the wrong password is
    then counted against the signer in a transaction of its own (the write lock released), so
    that whatever front end or script called the step, a signature prompt allows no endless
    guesses."""
    after_transaction(session, lambda engine: _count_failed_signature(engine, failed, auditor, now))
    return failed


def _count_failed_signature(
    engine: Engine, failed: SignatureFailed, auditor: Actor | None, now: datetime
) -> None:
    """Counts a wrong signature password against its signer (the signed-in user, or the second
    person who signed), locking the account at MAX_FAILURES as sign-in does; `auditor`: the
    signed-in user, in whose name the trail records it. Once per failure. A failure that
    cannot be counted (a busy or full database) keeps the reason in `failed.uncounted`, for the
    front end to say with the refusal."""
    if failed.counted:
        return
    try:
        with write_transaction(engine) as session:
            user = session.scalar(select(User).where(User.username == failed.signer))
            if user is None:
                return
            if not user.locked:
                user.failed_attempts += 1
                user.locked = user.failed_attempts >= MAX_FAILURES
            Recorder(session, auditor, now, check_account=False).audit(
                AuditAction.SIGNATURE_FAILED,
                "user",
                failed.signer,
                {
                    "meaning": failed.meaning,
                    "failed_attempts": user.failed_attempts,
                    "locked": user.locked,
                },
            )
    except DispensaryError as exc:
        failed.uncounted = exc.message
        return
    failed.counted = True
    failed.uncounted = ""


def find_user(session: Session, username: str) -> User:
    """The user of that name. A name no user can have (bad characters, bytes that are not
    text) is looked up nowhere: the database driver would fail on it, not refuse it."""
    try:
        name: str | None = normalise_username(username)
    except InvalidInput:
        name = None
    user = session.scalar(select(User).where(User.username == name)) if name else None
    if user is None:
        shown = username[:40].encode("utf-8", "backslashreplace").decode("utf-8")
        raise NotFound(_("There is no user '{name}'. Check the user name.").format(name=shown))
    return user


def create_first_admin(
    session: Session, rec: Recorder, username: str, full_name: str, initials: str, password: str
) -> User:
    """Only at `init`, when no user exists yet to authorise it."""
    user = _new_user(username, full_name, initials, Role.ADMINISTRATOR, password, rec)
    # No one is signed in yet: the administrator's own name stands in the audit trail.
    details = {"role": user.role, "full_name": user.full_name}
    _store_user(session, rec, user, details, username=user.username)
    return user


def _store_user(
    session: Session,
    rec: Recorder,
    user: User,
    details: dict[str, str],
    username: str | None = None,
    studies: Sequence[StudyRecord] = (),
) -> None:
    """Saves a new account with its 'user_added' audit entry; with access to `studies` (those
    the administrator chose, or the one they work in) unless the account is an
    administrator's. The entry names those studies by their protocols, as every other entry
    does, never by their row ids."""
    session.add(user)
    session.flush()
    session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash, set_at=rec.now))
    if studies and _given_a_study(user.role):
        for study in studies:
            session.add(
                StudyAccess(
                    user_id=user.id,
                    study_id=study.id,
                    granted=True,
                    reason="new account, in the study it was made in",
                    by_id=rec.actor.user_id if rec.actor else None,
                    at=rec.now,
                )
            )
        details = {**details, "study_access": ", ".join(s.protocol for s in studies)}
    rec.audit(AuditAction.USER_ADDED, "user", user.username, details, username=username)


def check_new_user(
    username: str, full_name: str, initials: str, password: str
) -> tuple[str, str, str]:
    """A new account's name, full name and initials as stored, and its password held against
    the rules: the one check of every new account, which `init` runs before it creates
    anything (a refusal after the tables were made would leave a database with no study and
    no user, which `init` refuses as existing and no one can open)."""
    name = normalise_username(username)
    full = check_text(full_name, N_("full name"), limit=120)
    marks = normalise_initials(initials, staff=True)
    check_password_rules(password, name, full)
    return name, full, marks


def _new_user(
    username: str,
    full_name: str,
    initials: str,
    role: Role,
    password: str,
    rec: Recorder,
    must_change: bool = False,
) -> User:
    name, full, marks = check_new_user(username, full_name, initials, password)
    return User(
        username=name,
        full_name=full,
        initials=marks,
        role=role.value,
        password_hash=_hasher.hash(password),
        active=True,
        failed_attempts=0,
        locked=False,
        created_at=rec.now,
        password_changed_at=rec.now,
        must_change_password=must_change,
    )


def _active_holder_of_initials(session: Session, user: User) -> User | None:
    """Another active account with the initials of `user`: records are signed by initials, so
    two active accounts with the same ones could no longer be told apart. The one rule for every
    step that makes an account active with its initials (a new account, a reactivated one)."""
    query = select(User).where(User.initials == user.initials, User.active.is_(True))
    if user.id is not None:
        query = query.where(User.id != user.id)
    return session.scalar(query.order_by(User.username).limit(1))


def _refuse_initials_of_another(session: Session, user: User) -> None:
    """A new account may not take the initials of another active account."""
    holder = _active_holder_of_initials(session, user)
    if holder is not None:
        raise RuleViolation(
            _(
                "The initials {initials} are those of {full_name} (user {username}): records "
                "are signed by initials. Give other initials, e.g. with a middle letter."
            ).format(initials=user.initials, full_name=holder.full_name, username=holder.username)
        )


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        raise InvalidInput(
            _("'{role}' is not a role. Use one of: {roles}.").format(
                role=role, roles=", ".join(r.value for r in Role)
            )
        ) from exc


def _given_a_study(role: Role | str) -> bool:
    """A new account is given access to the study it is made in, unless it is an
    administrator's: an administrator works in every study, with no access row."""
    return Role(role) is not Role.ADMINISTRATOR


def check_manages_users(actor: Actor) -> None:
    """Refuses (NotPermitted) an actor who may not manage users: a front end asks before it
    asks for a new password, so that nobody types one only to be told they may not set it."""
    require(actor, Permission.USERS)


def new_account_needs_a_study(actor: Actor, role: Role | str) -> bool:
    """Whether a new account of `role` is given a study (so a front end with several studies
    asks which). The actor's permission to add users is judged first: someone who may not
    manage users is told so, not asked for a study."""
    require(actor, Permission.USERS)
    return _given_a_study(_role(role))


def add_user(
    ctx: Context,
    actor: Actor,
    username: str,
    role: Role | str,
    full_name: str,
    initials: str,
    password: str,
    temporary_password: bool = True,
    studies: Sequence[str] | None = None,
) -> UserRow:
    """A new account. The administrator chose its password, so by default the user must replace
    it at the first sign-in; `temporary_password=False` is for accounts made by a script whose
    users are told their password as their own (the demo, tests). It works in `studies`
    (protocols, chosen when the database holds several: see new_account_needs_a_study), else
    in the study the administrator works in; an administrator's account in every study."""
    require(actor, Permission.USERS)
    role = _role(role)
    wanted = None if studies is None else list(dict.fromkeys(p.strip() for p in studies))
    if wanted is not None and not wanted and _given_a_study(role):
        raise InvalidInput(
            _("Choose at least one study for the new account to work in: nothing was saved.")
        )
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now())
        user = _new_user(
            username, full_name, initials, role, password, rec, must_change=temporary_password
        )
        if session.scalar(select(User).where(User.username == user.username)):
            raise RuleViolation(
                _("There is already a user '{name}'. Choose another name.").format(
                    name=user.username
                )
            )
        _refuse_initials_of_another(session, user)
        details = {
            "role": user.role,
            "full_name": user.full_name,
            "initials": user.initials,
            "must_change_password": "yes" if temporary_password else "no",
        }
        _store_user(session, rec, user, details, studies=_studies_named(session, ctx, wanted))
        return _row(user, ctx.clock)


def _studies_named(
    session: Session, ctx: Context, protocols: list[str] | None
) -> list[StudyRecord]:
    """The studies of `protocols` (None: the one the administrator works in), each refused
    when the database holds no study of that protocol."""
    if protocols is None:
        record = session.get(StudyRecord, ctx.study_id)
        return [record] if record is not None else []
    found = {
        r.protocol: r
        for r in session.scalars(select(StudyRecord).where(StudyRecord.protocol.in_(protocols)))
    }
    for protocol in protocols:
        if protocol not in found:
            raise NotFound(
                _("There is no study {protocol} in this database: nothing was saved.").format(
                    protocol=protocol
                )
            )
    return [found[p] for p in protocols]


def _refuse_reactivation(session: Session, user: User) -> None:
    """An account reactivated may not bring back initials another active account has taken
    meanwhile (they were free while it was deactivated)."""
    holder = _active_holder_of_initials(session, user)
    if holder is not None:
        raise RuleViolation(
            _(
                "The initials {initials} of {name} are now those of {full_name} (user "
                "{username}), an active account: records are signed by initials, so {name} "
                "was not reactivated. Deactivate {username} first, or give {name} a new "
                "account with other initials."
            ).format(
                initials=user.initials,
                name=user.username,
                full_name=holder.full_name,
                username=holder.username,
            )
        )


def set_active(ctx: Context, actor: Actor, username: str, active: bool, reason: str) -> UserRow:
    require(actor, Permission.USERS)
    why = check_text(reason, N_("reason"))
    with write_transaction(ctx.engine) as session:
        user = find_user(session, username)
        if user.id == actor.user_id and not active:
            raise RuleViolation(
                _("You cannot deactivate your own account; ask another administrator.")
            )
        if user.active == active:
            raise RuleViolation(
                (
                    _("{name} is already active: nothing recorded.")
                    if active
                    else _("{name} is already deactivated: nothing recorded.")
                ).format(name=user.username)
            )
        if active:
            _refuse_reactivation(session, user)
        old = {"active": user.active}
        user.active = active
        rec = Recorder(session, actor, ctx.clock.now())
        rec.audit(
            AuditAction.USER_ACTIVATED if active else AuditAction.USER_DEACTIVATED,
            "user",
            user.username,
            {"active": active},
            old,
            why,
        )
        return _row(user, ctx.clock)


def unlock(ctx: Context, actor: Actor, username: str, reason: str) -> UserRow:
    require(actor, Permission.USERS)
    why = check_text(reason, N_("reason"))
    with write_transaction(ctx.engine) as session:
        user = find_user(session, username)
        if not user.locked and not user.failed_attempts:
            raise RuleViolation(
                _("{name} is not locked and has no failed sign-ins: nothing recorded.").format(
                    name=user.username
                )
            )
        old = {"locked": user.locked, "failed_attempts": user.failed_attempts}
        user.locked = False
        user.failed_attempts = 0
        Recorder(session, actor, ctx.clock.now()).audit(
            AuditAction.USER_UNLOCKED, "user", user.username, {"locked": False}, old, why
        )
        return _row(user, ctx.clock)


def change_password(ctx: Context, actor: Actor, old_password: str, new_password: str) -> Actor:
    """The user's own new password (also the way out of a password an administrator set);
    returns the actor, now free to work."""
    refuse_locked_window(actor)
    with read_transaction(ctx.engine) as session:
        user = session.get(User, actor.user_id)
        if user is None:
            raise NotPermitted(
                _("{user} has no account any more. Ask an administrator.").format(
                    user=actor.username
                )
            )
        old_ok = _verify(user.password_hash, old_password)
        recent = _recent_hashes(session, user)
        # A password someone else set (a reset, the account's first, a recovery): the change
        # made with it says so in the trail, whose it was and when, for whoever knew it could
        # have made the change (the user's next sign-in is told: password_last_set).
        temporary = _set_for_them(session, user) if user.must_change_password else None
    if not old_ok:
        raise NotPermitted(_("The current password is wrong; the password was not changed."))
    _check_new_password(new_password, actor.username, recent, actor.full_name)
    new_hash = _hasher.hash(new_password)
    with write_transaction(ctx.engine) as session:
        user = session.get(User, actor.user_id)
        ended = session_ended_reason(user, actor.username)
        if ended is not None or user is None:
            raise NotSignedIn(ended or _("The account is not active."))
        rec = Recorder(session, actor, ctx.clock.now(), check_account=False)
        _set_password(session, user, new_hash, rec.now, must_change=False)
        made_with = None
        if temporary is not None:
            made_with = {
                "with_temporary_password": "yes",
                "temporary_set_by": temporary.username,
                "temporary_set_at": temporary.at.isoformat(),
                "temporary_set_as": temporary.action,
            }
        rec.audit(AuditAction.PASSWORD_CHANGED, "user", user.username, made_with)
        return actor_of(session, user)


SET_FOR_THEM = (
    AuditAction.PASSWORD_RESET.value,
    AuditAction.USER_ADDED.value,
    AuditAction.ADMINISTRATOR_RECOVERED.value,
)
"""The steps that set a user's password for them, someone else knowing it."""


def _set_for_them(session: Session, user: User) -> AuditEntry | None:
    """The newest audit entry that set `user`'s password for them (who, when)."""
    return session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity == "user",
            AuditEntry.entity_id == user.username,
            AuditEntry.action.in_(SET_FOR_THEM),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def password_last_set(ctx: Context, actor: Actor) -> str | None:
    """At the first sign-in after the user's password was changed with a temporary password
    (one an administrator set by a reset, as the account's first, or a recovery), what to tell
    them: who set the temporary one and when, and when the change made with it was. Whoever
    knew the temporary password could have made that change and signed in with the new one;
    the user is shown it to recognise their own change, or to report one they did not make.
    None otherwise (a password the user changed from their own, or told once already)."""
    refuse_locked_window(actor)
    password_steps = (AuditAction.PASSWORD_CHANGED.value, *SET_FOR_THEM)
    with read_transaction(ctx.engine) as session:
        last = session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "user",
                AuditEntry.entity_id == actor.username,
                AuditEntry.action.in_(password_steps),
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).first()
        if last is None or last.action != AuditAction.PASSWORD_CHANGED.value:
            return None
        made = json.loads(last.new or "{}") or {}
        if made.get("with_temporary_password") != "yes":
            return None
        signed_in = session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.id > last.id,
                AuditEntry.action == AuditAction.SIGN_IN.value,
                AuditEntry.entity == "user",
                AuditEntry.entity_id == actor.username,
            )
        )
    if signed_in != 1:  # the first sign-in since (recorded before its window opens) only
        return None
    return _(
        "Your password was last set on {changed_at} by a change made under your account with "
        "the temporary password that {admin} set on {set_at} ({how}). Whoever knew the "
        "temporary password could have made that change: if it was not you, report it (the "
        "audit trail keeps both entries)."
    ).format(
        changed_at=_utc(last.at),
        admin=made.get("temporary_set_by", "?"),
        set_at=_utc(datetime.fromisoformat(made.get("temporary_set_at", last.at.isoformat()))),
        how=name_of(made.get("temporary_set_as", AuditAction.PASSWORD_RESET.value)),
    )


def _recent_hashes(session: Session, user: User) -> list[str]:
    kept = session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.id.desc())
        .limit(RECENT_PASSWORDS)
    )
    return [user.password_hash, *kept]


def _check_new_password(
    password: str, username: str, recent: list[str], full_name: str = ""
) -> None:
    check_password_rules(password, username, full_name)
    if any(_verify(h, password) for h in recent):
        raise InvalidInput(
            _("That is one of your last {count} passwords: choose a new one.").format(
                count=RECENT_PASSWORDS
            )
        )


def _set_password(
    session: Session, user: User, new_hash: str, now: datetime, must_change: bool
) -> None:
    _seen_hashes(session.connection().engine.pool).pop(user.username, None)
    user.password_hash = new_hash
    user.password_changed_at = now
    user.must_change_password = must_change
    session.add(PasswordHistory(user_id=user.id, password_hash=new_hash, set_at=now))


def check_reset(ctx: Context, actor: Actor, username: str) -> None:
    """Whether `actor` may reset the password of `username`, asked before the new password is
    typed (the command asks for it twice in a terminal, only to be refused after): they may
    manage users, the account is another's, it exists and it is active. `reset_password` asks
    the same again, in its own transaction."""
    require(actor, Permission.USERS)
    name = normalise_username(username)
    if name == actor.username:
        raise RuleViolation(_(OWN_PASSWORD).format(user=actor.username, count=RECENT_PASSWORDS))
    with read_transaction(ctx.engine) as session:
        _refuse_reset_of(session, actor, find_user(session, username))


def _refuse_reset_of(session: Session, actor: Actor, user: User) -> None:
    if user.id == actor.user_id:
        raise RuleViolation(_(OWN_PASSWORD).format(user=actor.username, count=RECENT_PASSWORDS))
    if not user.active:
        # A deactivated account cannot sign in with any password: a reset said "done" while
        # the user still could not sign in.
        raise RuleViolation(
            _(
                "{name} is deactivated and cannot sign in with any password: activate the "
                "account first (with a reason), then reset its password. Nothing was changed."
            ).format(name=user.username)
        )


def reset_password(
    ctx: Context, actor: Actor, username: str, new_password: str, reason: str
) -> PasswordReset:
    """An administrator sets a user's password (forgotten, or a new user's first): the user must
    choose their own at the next sign-in and can do and sign nothing before. The administrator
    knows this temporary password, so they could sign in with it and choose the new one
    themselves: that change is recorded as made with the temporary password they set (who,
    when), and the user's next sign-in is shown it (password_last_set). Never one's own: that
    is `change_password`, which asks for the current password and refuses a recent one (a reset
    of one's own would skip both). The reason is kept in the audit trail, as for a deactivation
    or an unlock: someone else now knows the user's password, and the trail says why.

    A locked account is unlocked by the reset (its failed sign-ins cleared), in the same audit
    entry: the administrator has the person in front of them to give the password, and a reset
    that left the lock said "done" while the user still could not sign in. The failed sign-ins
    of an account not locked are cleared too, and said (the result, the entry's old and new
    values): they were tries at the password the reset replaces, and left they would lock the
    user out at the first mistyping of the new one. A deactivated account is refused (it
    cannot sign in with any password): activate it first. Returns the account as it is after
    the reset, whether the reset unlocked it and the failed sign-ins it cleared."""
    require(actor, Permission.USERS)
    name = normalise_username(username)
    if name == actor.username:
        raise RuleViolation(_(OWN_PASSWORD).format(user=actor.username, count=RECENT_PASSWORDS))
    why = check_text(reason, N_("reason"))
    check_password_rules(new_password, name)
    new_hash = _hasher.hash(new_password)
    with write_transaction(ctx.engine) as session:
        user = find_user(session, username)
        _refuse_reset_of(session, actor, user)
        check_password_rules(new_password, name, user.full_name)  # not mostly their name
        rec = Recorder(session, actor, ctx.clock.now())
        _set_password(session, user, new_hash, rec.now, must_change=True)
        unlocked = lift_failed_sign_ins(user)
        audit_password_reset(rec, user, why, unlocked=unlocked)
        return PasswordReset(
            _row(user, ctx.clock),
            bool(unlocked and unlocked.get("locked")),
            int(unlocked["failed_attempts"]) if unlocked else 0,
        )


def lift_failed_sign_ins(user: User) -> dict[str, Any] | None:
    """Lifts the lock of failed sign-ins of `user` and clears them, as a reset does: what was
    lifted as the audit entry's old values (the lock only when there was one), or None when
    there was nothing to lift."""
    if not (user.locked or user.failed_attempts):
        return None
    lifted: dict[str, Any] = {"failed_attempts": user.failed_attempts}
    if user.locked:
        lifted["locked"] = True
    user.locked = False
    user.failed_attempts = 0
    return lifted


def audit_password_reset(
    rec: Recorder,
    user: User,
    why: str,
    username: str | None = None,
    unlocked: dict[str, Any] | None = None,
) -> None:
    """The audit entry of a password reset (reset_password) or of one a restore made again
    (services/backup, which names the restorer as `username`): it holds what was stored, not
    what a reset usually stores. A reset that also lifted a lock or cleared failed sign-ins
    (`unlocked`: the lock, when there was one, and the failed sign-ins before) says so in the
    same entry, old and new."""
    stored = "yes" if user.must_change_password else "no"
    new: dict[str, Any] = {"must_change_password": stored}
    if unlocked is not None:
        new |= {key: {"locked": False, "failed_attempts": 0}[key] for key in unlocked}
    rec.audit(
        AuditAction.PASSWORD_RESET,
        "user",
        user.username,
        new,
        unlocked,
        reason=why,
        username=username,
    )


OWN_PASSWORD = N_(
    "{user} cannot reset their own password: change it with `dispensary user password`, which "
    "asks for the current password and refuses any of the last {count}. Nothing was changed."
)
"""A reset is for another user's password (forgotten, or a new user's first)."""


# -- when the last administrator is locked out ----------------------------------------------


def recovery_access(ctx: Context) -> str:
    """Whether this process may recover an administrator account, and on what grounds: only
    someone who controls the database itself (the owner of the SQLite file, or the owner of the
    PostgreSQL database, not the application's role), never someone at a workstation's screen.
    Raises NotPermitted otherwise."""
    path = sqlite_path(str(ctx.engine.url))
    if path is not None:
        if os.name == "posix" and path.stat().st_uid != os.geteuid():
            raise NotPermitted(
                _(
                    "Only the owner of {path} (the computer account that holds the database file) "
                    "may recover an administrator account. Run the command as that account."
                ).format(path=path)
            )
        if not os.access(path, os.W_OK):
            raise NotPermitted(
                _("{path} cannot be written by this account: nothing was changed.").format(
                    path=path
                )
            )
        return f"owner of the database file {path}"
    with ctx.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT pg_catalog.pg_get_userbyid(d.datdba) = current_user "
                "OR r.rolsuper, current_user "
                "FROM pg_catalog.pg_database d, pg_catalog.pg_roles r "
                "WHERE d.datname = current_database() AND r.rolname = current_user"
            )
        ).first()
    if row is None or not row[0]:
        raise NotPermitted(
            _(
                "Only the owner of the PostgreSQL database may recover an administrator account: "
                "connect with the owner's role (not the workstations' role) in --db."
            )
        )
    return f"owner of the PostgreSQL database (role {row[1]})"


def _refuse_recovery_while_an_administrator_signs_in(session: Session, user: User) -> None:
    """Recovery is for the day no administrator can sign in. While one can (active, not
    locked), that administrator unlocks the account or sets its password, signed in and
    audited under their own name: recovery then would let whoever holds the database file
    take an administrator account over without anyone signed in."""
    if not user.locked:
        raise RuleViolation(
            _(
                "The administrator account {name} is not locked: it signs in with its password "
                "(a forgotten one is reset by another administrator with `dispensary user "
                "reset-password`). recover-admin is only for the day no administrator can sign "
                "in. Nothing was changed."
            ).format(name=user.username)
        )
    other = session.scalars(
        select(User)
        .where(
            User.role == Role.ADMINISTRATOR.value,
            User.active.is_(True),
            User.locked.is_(False),
        )
        .order_by(User.username)
        .limit(1)
    ).first()
    if other is None:
        return
    raise RuleViolation(
        _(
            "{full_name} (user {username}) is an active administrator who can sign in: ask them "
            "to unlock {name} (`dispensary user unlock`) or to set its password (`dispensary "
            "user reset-password`). recover-admin is only for the day no administrator can sign "
            "in. Nothing was changed."
        ).format(full_name=other.full_name, username=other.username, name=user.username)
    )


def recover_administrator(
    ctx: Context, username: str, reason: str, by: str, new_password: str | None = None
) -> UserRow:
    """Unlocks a locked administrator account, optionally with a new password that must be
    changed at the next sign-in. Only for the day the last administrator is locked out: refused
    while any administrator can sign in, and never for a deactivated account (reactivating one
    is an administrator's signed decision). The audit trail names the person who did it (`by`,
    no account signs in), the computer account, the computer and the grounds."""
    grounds = recovery_access(ctx)
    why = check_text(reason, N_("reason"))
    person = check_text(by, N_("name of the person recovering the account"))
    name = normalise_username(username)
    new_hash = None
    if new_password is not None:
        check_password_rules(new_password, name)
        new_hash = _hasher.hash(new_password)
    with write_transaction(ctx.engine) as session:
        user = find_user(session, name)
        if new_password is not None:
            check_password_rules(new_password, name, user.full_name)
        if user.role != Role.ADMINISTRATOR.value:
            raise RuleViolation(
                _(
                    "'{name}' is not an administrator: recovery is for administrator accounts; "
                    "an administrator unlocks the others."
                ).format(name=name)
            )
        if not user.active:
            raise RuleViolation(
                _(
                    "The administrator account {name} was deactivated: recovery does not "
                    "reactivate an account. Recover the locked administrator account that is "
                    "still active; signed in, it may reactivate {name}. Nothing was changed."
                ).format(name=name)
            )
        _refuse_recovery_while_an_administrator_signs_in(session, user)
        old = {
            "locked": user.locked,
            "active": user.active,
            "failed_attempts": user.failed_attempts,
        }
        user.locked = False
        user.failed_attempts = 0
        rec = Recorder(session, None, ctx.clock.now())
        if new_hash is not None:
            _set_password(session, user, new_hash, rec.now, must_change=True)
        rec.audit(
            AuditAction.ADMINISTRATOR_RECOVERED,
            "user",
            name,
            {
                "locked": False,
                "active": True,
                "password_set": "yes" if new_hash else "no",
                "recovered_by": person,
                "computer_account": _os_account(),
                "computer": socket.gethostname(),
                "grounds": grounds,
            },
            old,
            why,
            username="-",
        )
        return _row(user, ctx.clock)


def _os_account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


SESSION_EVENTS = (AuditAction.SIGN_OUT, AuditAction.LOCKED, AuditAction.UNLOCKED)
"""What a workstation records about a signed-in session besides the sign-in itself."""


def record_session_event(ctx: Context, actor: Actor, event: str) -> None:
    """Puts a sign-out, an idle lock or an unlock in the audit trail, so the trail shows who
    was at the workstation and when it was left; anyone signed in may record their own."""
    if event not in SESSION_EVENTS:
        raise InvalidInput(
            _("'{event}' is not a session event: use {events}.").format(
                event=event, events=", ".join(SESSION_EVENTS)
            )
        )
    with write_transaction(ctx.engine) as session:
        # Signing out is recorded even when the account was locked meanwhile.
        Recorder(session, actor, ctx.clock.now(), check_account=False).audit(
            AuditAction(event), "user", actor.username
        )


def reads_every_account(actor: Actor) -> bool:
    """Whether `list_users` gives this reader every account with every study it works in:
    only those who give and take access (administrators) need the whole picture. A screen or
    command says so when the list is not the pharmacy's whole staff."""
    return may(actor, Permission.USERS)


def list_users(ctx: Context, actor: Actor) -> list[UserRow]:
    """The accounts of the pharmacy as this reader may know them. An administrator reads every
    account with every study it works in. Anyone else (a pharmacist, a sponsor's monitor)
    reads the accounts that work in at least one of the reader's own studies, and their own,
    each with those of the reader's studies only: one sponsor's monitor learns who may act in
    their study (all an inspector of it asks), never which other sponsors' studies the pharmacy
    runs nor who works on them. Of the other studies nothing is said, not even a count ("and 1
    other study"): a count would still tell a competitor how many trials the pharmacy runs and
    who is busy with them, and checks nothing of the reader's study. The list is honest about
    being partial in another way: `reads_every_account` is False, and the command says that
    accounts of the other studies are left out."""
    require(actor, Permission.VIEW)
    with read_transaction(ctx.engine) as session:
        # The reader's studies as they are now, not as at the sign-in (an account deactivated
        # or locked since is refused).
        mine = studies_now(session, actor)
        within = None if reads_every_account(actor) else mine
        rows = [
            _row(u, ctx.clock, within)
            for u in session.scalars(select(User).order_by(User.username))
        ]
    return [r for r in rows if within is None or r.studies or r.username == actor.username]


def trail_accounts(ctx: Context, actor: Actor) -> list[TrailAccount]:
    """The accounts whose entries the open study's trail may hold, to filter it by: those the
    reader may know (users.list_users) and every account that ever worked in this study. A
    former member's entries stay in the trail, and an inspector asks for them by name; only
    their name is given, not the studies they work in now."""
    require(actor, Permission.AUDIT, ctx)
    known = {row.username: row.full_name for row in list_users(ctx, actor)}
    # Each member's latest access row for this study says whether they still work in it
    # (an administrator, who reaches every study, has none).
    latest = (
        select(func.max(StudyAccess.id))
        .where(StudyAccess.study_id == ctx.study_id)
        .group_by(StudyAccess.user_id)
    )
    with read_transaction(ctx.engine) as session:
        members = {
            str(name): (str(full), bool(granted))
            for name, full, granted in session.execute(
                select(User.username, User.full_name, StudyAccess.granted)
                .join(StudyAccess, StudyAccess.user_id == User.id)
                .where(StudyAccess.id.in_(latest))
            )
        }
    everyone = {**known, **{name: full for name, (full, _granted) in members.items()}}
    return [
        TrailAccount(name, everyone[name], name in members and not members[name][1])
        for name in sorted(everyone)
    ]


def _row(user: User, clock: Clock, within: frozenset[int] | None = None) -> UserRow:
    """The account as a row; its studies those it works in, of `within` only (None: all); the
    day its password was last set (by the user, a reset, the account's first or a recovery),
    for the periodic review of passwords (21 CFR 11.300(b))."""
    session = object_session(user)
    studies: tuple[str, ...] = ()
    if session is not None:  # the studies the user reaches, by protocol (the Users screen)
        ids = studies_of(session, user)
        if within is not None:
            ids &= within
        studies = tuple(
            session.scalars(
                select(StudyRecord.protocol)
                .where(StudyRecord.id.in_(ids))
                .order_by(StudyRecord.protocol)
            )
        )
    return UserRow(
        user.username,
        user.full_name,
        user.initials,
        Role(user.role),
        user.active,
        user.locked,
        user.language or "",
        studies,
        clock.day_of(user.password_changed_at),
        bool(user.must_change_password),
    )


def current_actor(ctx: Context, actor: Actor) -> Actor:
    """The signed-in user as the database holds them now: a window asks after an administrator
    gave or took a study's access, or added a study, so that its list of studies is the one
    the services apply (no password: the user is signed in; an ended account is refused)."""
    with read_transaction(ctx.engine) as session:
        user = session.get(User, actor.user_id)
        ended = session_ended_reason(user, actor.username)
        if ended is not None or user is None:
            raise NotSignedIn(ended or _("The account is not active."))
        return actor_of(session, user)


def set_language(ctx: Context, actor: Actor, language: str) -> Actor:
    """The language of the user's own windows, kept with the user (every user may set their
    own; nobody sets another's). Audited; returns the actor with it."""
    try:
        chosen = language_named(language)
    except ValueError as exc:
        raise InvalidInput(
            _("'{value}' is not a language the program speaks: use {names}.").format(
                value=language, names=", ".join(lang.value for lang in Language)
            )
        ) from exc
    with write_transaction(ctx.engine) as session:
        user = session.get(User, actor.user_id)
        ended = session_ended_reason(user, actor.username)
        if ended is not None or user is None:
            raise NotSignedIn(ended or _("The account is not active."))
        if user.language == chosen.value:
            return actor_of(session, user)
        rec = Recorder(session, actor, ctx.clock.now(), check_account=False)
        old = user.language or ""
        user.language = chosen.value
        rec.audit(
            AuditAction.LANGUAGE_SET,
            "user",
            user.username,
            {"language": chosen.value},
            old={"language": old} if old else None,
        )
        return actor_of(session, user)
