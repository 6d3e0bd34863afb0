"""One run of a command: the database (opened once), the signed-in user, the output.

Loaded when a command runs, not for `--help`: it brings the services (and SQLAlchemy) with it.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from typing import Any, TextIO

from dispensary import config
from dispensary.cli.core import (
    ENV_NEW_PASSWORD,
    ENV_PASSWORD,
    ENV_STUDY,
    ENV_TODAY,
    ENV_USER,
    OWN_STUDY_OPTION,
    TRAINING_ONLY,
    UsageError,
    json_default,
    secret,
)
from dispensary.domain.errors import (
    DatabaseBusy,
    DatabaseProblem,
    InvalidInput,
    NotFound,
    NotPermitted,
    NotSignedIn,
    RuleViolation,
    UnknownStudy,
)
from dispensary.domain.rules import parse_date
from dispensary.i18n import _, listed
from dispensary.services import setup, studies, users
from dispensary.services.context import Actor, Clock, Context, SystemClock, clock_on

SITE_WIDE = frozenset({"user", "recover-admin", "backup", "backups", "restore", "demo", "init"})
SITE_WIDE_OPTIONS = ("every_study",)
"""Options that make a study's command the pharmacy's (`inventory --every-study`)."""
"""Commands of the whole pharmacy, not of one study: they need no --study."""
SITE_WIDE_ACTIONS = frozenset(
    {("study", "list"), ("study", "add"), ("study", "close"), ("study", "access")}
)
"""`study` actions of the pharmacy's list of studies (close and access name their study)."""
SIGNS_NO_ONE_IN = frozenset({"recover-admin"})
"""Commands run by whoever holds the database file, no one signed in: a protocol the database
does not hold is said with those it holds, as there is no user to keep them from."""


class Run:
    """What one command needs: the database (opened once), the signed-in user, the output."""

    def __init__(self, args: argparse.Namespace, clock: Clock, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.clock = clock
        self.clock_fixed = not isinstance(clock, SystemClock)  # DISPENSARY_TODAY was given
        self.out = out
        self.err = err
        self.json = bool(args.json)
        named = os.environ.get(config.ENV_DB)
        if not args.db and named is not None and not named.strip():
            # Set, but to nothing (`export DISPENSARY_DB="$UNSET"`): the default database must
            # not silently take the place of the one meant, as for an empty --db.
            raise UsageError(
                _(
                    "{env} is set but empty: set it to the database file or URL, or unset it "
                    "to use this workstation's own database. Nothing was opened."
                ).format(env=config.ENV_DB)
            )
        self.db = config.database_from(args.db)
        wanted = None if args.command in OWN_STUDY_OPTION else getattr(args, "study", None)
        self.study: str | None = (wanted or os.environ.get(ENV_STUDY, "")).strip() or None
        self.study_named_by = "--study" if wanted else ENV_STUDY
        self.site_wide = (
            args.command in SITE_WIDE
            or (args.command, getattr(args, "study_command", None)) in SITE_WIDE_ACTIONS
            or any(getattr(args, option, False) for option in SITE_WIDE_OPTIONS)
        )
        self._ctx: Context | None = None
        self.studies_held: tuple[str, ...] = ()  # the protocols of the database opened
        self._actor: Actor | None = None
        self._password: str | None = None
        self.database_failed = False
        """The command ended in a fault of the database (a busy one after its wait): an owed
        sign-in is then tried once more without the full wait again (close)."""

    def context(self) -> Context:
        """The study asked for (--study, DISPENSARY_STUDY); without one, the database's only
        study. A command that works in one study refuses to guess among several; a command of
        the whole site (users, backups, the list of studies) opens the first. A database this
        account may not write (an inspector's copy on a CD) is opened read-only, and said so:
        what only reads works on it, and every step that would record is refused.

        Which protocols the database holds is told to the signed-in user only, and of those
        their own: a protocol it does not hold is refused after the sign-in, as one the user
        was not given (services.studies.check_study_named); an administrator is told it is not
        held, with every study it holds."""
        if self._ctx is None:
            unknown: UnknownStudy | None = None
            try:
                opened = setup.open_database(
                    self.db,
                    self.clock,
                    expect_protocol=self.study,
                    read_only_ok=True,
                    backup_dir=config.backup_dir(
                        self.db
                    ),  # the copy before an upgrade, as the window
                    studies_unread=getattr(self.args, "studies_unread", False),
                )
            except UnknownStudy as exc:  # the first study, to sign in; refused below
                if self.args.command in SIGNS_NO_ONE_IN:
                    raise self._not_held(exc) from exc
                unknown = exc
                opened = setup.open_database(
                    self.db, self.clock, read_only_ok=True, backup_dir=config.backup_dir(self.db)
                )
            self._ctx = opened.context
            self.studies_held = tuple(opened.studies)
            if opened.warning:  # e.g. other accounts may read the file: said, not refused
                self.note(_("Warning: {warning}").format(warning=opened.warning))
            if opened.read_only:
                self.note(opened.read_only)
            if self.clock_fixed and not setup.training_clock_allowed(self._ctx):
                raise RuleViolation(_(TRAINING_ONLY).format(env=ENV_TODAY, what=_("this database")))
            if self.clock_fixed:
                setup.training_clock_on_trail(self._ctx)
            if opened.migrated_from:
                kept = (
                    _("; the file before the upgrade is kept at {backup}").format(
                        backup=opened.backup
                    )
                    if opened.backup
                    else ""
                )
                self.note(
                    _("The database was upgraded from schema {migrated_from}{kept}.").format(
                        migrated_from=opened.migrated_from, kept=kept
                    )
                )
            if unknown is not None:
                try:  # a user who does not administer the studies is refused here
                    self._signed_in()
                except NotFound as exc:  # an administrator: told it is not held
                    raise self._not_held(unknown) from exc
                raise self._not_held(unknown)
            if self.study is None and len(opened.studies) > 1 and not self.site_wide:
                raise self._several_studies()
            if self.study is not None and self.args.command not in SIGNS_NO_ONE_IN:
                # Signed in before anything of the study named is read: its product codes or
                # kits, said by a command's first refusal, told whoever typed a protocol that
                # it is held (one not held was refused after the sign-in).
                self._signed_in()
        return self._ctx

    def _not_held(self, exc: UnknownStudy) -> UsageError:
        """A protocol the database does not hold, said with every study it holds: to an
        administrator, or to whoever holds the database file itself (recover-admin)."""
        return UsageError(
            _(
                "the study {protocol} ({named_by}) is not known in {database}, which "
                "holds {studies}: name one of them with --study PROTOCOL (or set {env}), "
                "or open the database of the study you mean."
            ).format(
                protocol=exc.protocol,
                named_by=self.study_named_by,
                database=exc.database,
                studies=listed(exc.studies),
                env=ENV_STUDY,
            )
        )

    def _several_studies(self) -> UsageError:
        """No study named where several are held: the protocols are listed after the sign-in,
        those of the user's own studies; before it (no user or password given), none."""
        try:
            actor = self._signed_in() if self.args.user or os.environ.get(ENV_USER) else None
        except NotSignedIn:
            actor = None
        if actor is None:
            return UsageError(
                _(
                    "this database holds several studies: name the one you work in with "
                    "--study PROTOCOL (or set {env}); `dispensary --user NAME study list` "
                    "lists yours."
                ).format(env=ENV_STUDY)
            )
        return UsageError(
            _(
                "this database holds several studies: name the one you work in with --study "
                "PROTOCOL (or set {env}). Yours: {studies}."
            ).format(env=ENV_STUDY, studies=listed(studies.own_protocols(self.context(), actor)))
        )

    def adopt(self, ctx: Context) -> None:
        self._ctx = ctx

    def username(self) -> str:
        name = self.args.user or os.environ.get(ENV_USER, "")
        if not name.strip():
            raise NotSignedIn(
                _("Sign in to do this: give --user NAME (or set {env_user}).").format(
                    env_user=ENV_USER
                )
            )
        return name

    def password(self) -> str:
        """The signed-in user's password: for signing in and for each electronic signature."""
        if self._password is None:
            self._password = secret(ENV_PASSWORD, self.username())
        return self._password

    def actor(self, changing_password: bool = False) -> Actor:
        """The signed-in user. One whose password an administrator set may only choose their
        own (`user password`) until then; the change made with it is recorded as such, and
        the user's next sign-in is told of it (users.password_last_set), since the
        administrator who set it knows it too."""
        self._signed_in()
        assert self._actor is not None
        if self._actor.must_change_password and not changing_password:
            raise NotPermitted(
                _(
                    "An administrator set the password of {username}: choose your own first "
                    "with `{env_new_password}=... dispensary --user {username} user "
                    "password`. Nothing was done."
                ).format(username=self._actor.username, env_new_password=ENV_NEW_PASSWORD)
            )
        return self._actor

    def _signed_in(self) -> Actor:
        """The user, signed in once; a study named (--study, DISPENSARY_STUDY) must be one of
        theirs, refused alike whether the database holds it or not."""
        if self._actor is None:
            ctx = self.context()
            actor = users.sign_in(ctx, self.username(), self.password(), read_only_ok=True)
            if self.study is not None:
                studies.check_study_named(ctx, actor, self.study)
            self._actor = actor
            told = users.password_last_set(ctx, actor)  # made with a temporary password
            if told is not None:
                self.note(told)
        return self._actor

    def _record_owed_sign_in(self) -> None:
        """A sign-in made while another workstation held the write lock, and not recorded since
        by a step of the command, is recorded as the command ends (users.sign_in); still busy,
        the user is told so (a step that committed would have recorded it: none did)."""
        assert self._ctx is not None
        wait = users.SIGN_IN_WAIT_MS if self.database_failed else None
        try:
            users.record_owed_sign_in(self._ctx, wait)
        except DatabaseBusy:
            self.note(
                _(
                    "Warning: the database stayed busy (another workstation is writing), so "
                    "your sign-in could not be recorded in the audit trail; this command "
                    "changed nothing in the database."
                )
            )
        except DatabaseProblem as exc:
            self.note(
                _(
                    "Warning: your sign-in could not be recorded in the audit trail: {problem} "
                    "This command changed nothing in the database."
                ).format(problem=exc)
            )

    def close(self) -> None:
        if self._ctx is not None:
            self._record_owed_sign_in()
            self._ctx.engine.dispose()
            self._ctx = None

    def emit(self, data: Any, lines: Sequence[str]) -> None:
        if self.json:
            print(
                json.dumps(data, indent=2, default=json_default, ensure_ascii=False), file=self.out
            )
            return
        for line in lines:
            print(line, file=self.out)

    def note(self, text: str) -> None:
        print(text, file=self.err)


def clock_from_env() -> Clock:
    """DISPENSARY_TODAY=YYYY-MM-DD fixes "today" (for tests and training); else the real date."""
    raw = os.environ.get(ENV_TODAY, "").strip()
    if not raw:
        return SystemClock()
    try:
        day = parse_date(raw, "date")
    except InvalidInput as exc:
        raise UsageError(f"{ENV_TODAY}={exc.message}") from exc
    return clock_on(day)
