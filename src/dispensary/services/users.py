"""Users, sign-in and electronic signatures (argon2 password hashes, lockout after 5 failures)."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Signature, User
from dispensary.domain.codes import Role, SignatureMeaning
from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    NotSignedIn,
    RuleViolation,
    SignatureFailed,
)
from dispensary.domain.rules import check_text, normalise_initials
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import require
from dispensary.services.results import UserRow

MAX_FAILURES = 5
MIN_PASSWORD = 8
USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,39}")
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if not isinstance(password, str):
        raise InvalidInput("A password must be text.")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > 200:
        raise InvalidInput("A password may have at most 200 characters.")
    if password.strip() != password or any(ord(c) < 32 for c in password):
        raise InvalidInput(
            "A password may not start or end with spaces or hold control characters."
        )


def _password_matches(user: User, password: str) -> bool:
    if not isinstance(password, str):
        return False
    try:
        return bool(_hasher.verify(user.password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.full_name, user.initials, Role(user.role))


def normalise_username(raw: str) -> str:
    name = raw.strip().lower()
    if not USERNAME.fullmatch(name):
        raise InvalidInput(
            f"'{raw[:40]}' is not a valid user name: 2-40 characters, lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter."
        )
    return name


def sign_in(ctx: Context, username: str, password: str) -> Actor:
    """Checks the password; a failure is counted (and committed) before it is refused."""
    try:
        name = normalise_username(username)
    except InvalidInput as exc:
        raise NotSignedIn("Wrong user name or password.") from exc
    failure: NotSignedIn | None = None
    with write_transaction(ctx.engine) as session:
        user = session.scalar(select(User).where(User.username == name))
        rec = Recorder(session, None, ctx.clock.now())
        if user is None:
            rec.audit("sign_in_failed", "user", name, username=name)
            failure = NotSignedIn("Wrong user name or password.")
        elif not user.active:
            rec.audit("sign_in_refused", "user", name, username=name, reason="deactivated")
            failure = NotSignedIn(
                f"The account '{name}' is deactivated. An administrator can tell you why."
            )
        elif user.locked:
            rec.audit("sign_in_refused", "user", name, username=name, reason="locked")
            failure = NotSignedIn(
                f"The account '{name}' is locked after {MAX_FAILURES} failed sign-ins. "
                "Ask an administrator to unlock it."
            )
        elif not _password_matches(user, password):
            user.failed_attempts += 1
            if user.failed_attempts >= MAX_FAILURES:
                user.locked = True
            rec.audit(
                "sign_in_failed",
                "user",
                name,
                new={"failed_attempts": user.failed_attempts, "locked": user.locked},
                username=name,
            )
            left = MAX_FAILURES - user.failed_attempts
            failure = NotSignedIn(
                "Wrong user name or password."
                + (
                    f" {left} attempt(s) left before the account locks."
                    if left > 0
                    else " The account is now locked; ask an administrator to unlock it."
                )
            )
        else:
            if user.failed_attempts:
                user.failed_attempts = 0
            rec.audit("sign_in", "user", name, {"role": user.role}, username=name)
            return actor_of(user)
    assert failure is not None
    raise failure


def check_signature(
    session: Session,
    actor: Actor,
    password: str,
    meaning: SignatureMeaning,
    record_type: str,
    record_id: int,
    rec: Recorder,
) -> Signature:
    """An electronic signature: the signer re-enters the password for this one act."""
    user = session.get(User, actor.user_id)
    if user is None or not user.active or user.locked:
        raise NotPermitted(f"{actor.username} can no longer sign: the account is not active.")
    if not _password_matches(user, password):
        left = MAX_FAILURES - user.failed_attempts - 1  # counted by record_failed_signature
        raise SignatureFailed(
            f"The signature password for {actor.username} is wrong; nothing was saved. "
            "Type your own password to sign."
            + (
                f" {left} attempt(s) left before the account locks."
                if left > 0
                else " The account is now locked; ask an administrator to unlock it."
            ),
            actor.username,
            meaning.value,
        )
    user.failed_attempts = 0  # as at sign-in: only failures in a row lock the account
    signature = Signature(
        user_id=user.id,
        meaning=meaning.value,
        record_type=record_type,
        record_id=record_id,
        at=rec.now,
    )
    session.add(signature)
    session.flush()
    return signature


def record_failed_signature(
    ctx: Context, actor: Actor, meaning: str, signer: str | None = None
) -> None:
    """Counts a wrong signature password against the signer (the signed-in user unless a second
    person signed), locking the account at MAX_FAILURES as sign-in does, in a transaction of its
    own: the refused act itself was rolled back. Call it with a SignatureFailed's meaning and
    signer."""
    name = signer or actor.username
    with write_transaction(ctx.engine) as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            return
        if not user.locked:
            user.failed_attempts += 1
            user.locked = user.failed_attempts >= MAX_FAILURES
        Recorder(session, actor, ctx.clock.now()).audit(
            "signature_failed",
            "user",
            name,
            {"meaning": meaning, "failed_attempts": user.failed_attempts, "locked": user.locked},
        )


def find_user(session: Session, username: str) -> User:
    name = username.strip().lower()
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise NotFound(f"There is no user '{username[:40]}'. Check the user name.")
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
) -> None:
    """Saves a new account with its 'user_added' audit entry."""
    session.add(user)
    session.flush()
    rec.audit("user_added", "user", user.username, details, username=username)


def _new_user(
    username: str, full_name: str, initials: str, role: Role, password: str, rec: Recorder
) -> User:
    return User(
        username=normalise_username(username),
        full_name=check_text(full_name, "full name", limit=120),
        initials=normalise_initials(initials),
        role=role.value,
        password_hash=hash_password(password),
        active=True,
        failed_attempts=0,
        locked=False,
        created_at=rec.now,
        password_changed_at=rec.now,
    )


def add_user(
    ctx: Context,
    actor: Actor,
    username: str,
    role: Role | str,
    full_name: str,
    initials: str,
    password: str,
) -> UserRow:
    require(actor, "users")
    try:
        role = Role(role)
    except ValueError as exc:
        raise InvalidInput(
            f"'{role}' is not a role. Use one of: {', '.join(r.value for r in Role)}."
        ) from exc
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now())
        user = _new_user(username, full_name, initials, role, password, rec)
        if session.scalar(select(User).where(User.username == user.username)):
            raise RuleViolation(f"There is already a user '{user.username}'. Choose another name.")
        details = {"role": user.role, "full_name": user.full_name, "initials": user.initials}
        _store_user(session, rec, user, details)
        return _row(user)


def set_active(ctx: Context, actor: Actor, username: str, active: bool, reason: str) -> UserRow:
    require(actor, "users")
    why = check_text(reason, "reason")
    with write_transaction(ctx.engine) as session:
        user = find_user(session, username)
        if user.id == actor.user_id and not active:
            raise RuleViolation(
                "You cannot deactivate your own account; ask another administrator."
            )
        old = {"active": user.active}
        user.active = active
        rec = Recorder(session, actor, ctx.clock.now())
        rec.audit(
            "user_activated" if active else "user_deactivated",
            "user",
            user.username,
            {"active": active},
            old,
            why,
        )
        return _row(user)


def unlock(ctx: Context, actor: Actor, username: str, reason: str) -> UserRow:
    require(actor, "users")
    why = check_text(reason, "reason")
    with write_transaction(ctx.engine) as session:
        user = find_user(session, username)
        old = {"locked": user.locked, "failed_attempts": user.failed_attempts}
        user.locked = False
        user.failed_attempts = 0
        Recorder(session, actor, ctx.clock.now()).audit(
            "user_unlocked", "user", user.username, {"locked": False}, old, why
        )
        return _row(user)


def change_password(ctx: Context, actor: Actor, old_password: str, new_password: str) -> None:
    with write_transaction(ctx.engine) as session:
        user = session.get(User, actor.user_id)
        if user is None or not user.active or user.locked:
            raise NotPermitted(
                f"{actor.username} can no longer sign: the account is not active. "
                "Ask an administrator."
            )
        if not _password_matches(user, old_password):
            raise NotPermitted("The current password is wrong; the password was not changed.")
        if old_password == new_password:
            raise InvalidInput("The new password must differ from the current one.")
        rec = Recorder(session, actor, ctx.clock.now())
        user.password_hash = hash_password(new_password)
        user.password_changed_at = rec.now
        rec.audit("password_changed", "user", user.username)


def reset_password(ctx: Context, actor: Actor, username: str, new_password: str) -> None:
    require(actor, "users")
    with write_transaction(ctx.engine) as session:
        user = find_user(session, username)
        rec = Recorder(session, actor, ctx.clock.now())
        user.password_hash = hash_password(new_password)
        user.password_changed_at = rec.now
        rec.audit("password_reset", "user", user.username)


SESSION_EVENTS = ("sign_out", "locked", "unlocked")
"""What a workstation records about a signed-in session besides the sign-in itself."""


def record_session_event(ctx: Context, actor: Actor, event: str) -> None:
    """Puts a sign-out, an idle lock or an unlock in the audit trail, so the trail shows who
    was at the workstation and when it was left; anyone signed in may record their own."""
    if event not in SESSION_EVENTS:
        raise InvalidInput(f"'{event}' is not a session event: use {', '.join(SESSION_EVENTS)}.")
    with write_transaction(ctx.engine) as session:
        Recorder(session, actor, ctx.clock.now()).audit(event, "user", actor.username)


def list_users(ctx: Context, actor: Actor) -> list[UserRow]:
    require(actor, "view")
    with read_transaction(ctx.engine) as session:
        return [_row(u) for u in session.scalars(select(User).order_by(User.username))]


def _row(user: User) -> UserRow:
    return UserRow(
        user.username, user.full_name, user.initials, Role(user.role), user.active, user.locked
    )
