"""A new pharmacy from nothing: what the set-up wizard asks, checked page by page, then made
in the services' own steps (each one transaction, each audited).

Everything that could be refused is checked before the database is created (the study files
parse, the password keeps the rules, the particulars are printable), so that a finished set-up
does not leave half a pharmacy behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from dispensary.domain.errors import DispensaryError, InvalidInput, StudyFileError
from dispensary.domain.rules import check_text, normalise_initials
from dispensary.files import before_detail, os_detail, with_detail
from dispensary.i18n import N_, _, sentences
from dispensary.services import pharmacy, studies, users, workstation
from dispensary.services.context import Actor, Clock, Context
from dispensary.services.faults import escaped_fault
from dispensary.services.setup import init_database
from dispensary.study import Study, default_study_path, is_fictional, parse_study

_T = TypeVar("_T")


@dataclass(frozen=True)
class StudyFile:
    """A study file read and checked: its text is what the database keeps."""

    path: Path
    text: str
    study: Study

    @property
    def origin(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class Administrator:
    username: str
    full_name: str
    initials: str
    password: str


@dataclass(frozen=True)
class SetUpPlan:
    """Everything the wizard gathered; `studies[0]` is the study the database is created with."""

    database: str
    studies: tuple[StudyFile, ...]
    particulars: pharmacy.Particulars
    language: str
    administrator: Administrator
    printers: workstation.PrinterChoice | None = None
    """The label printers chosen on this workstation, recorded in the audit trail at Finish."""


def bundled_study_files() -> list[Path]:
    """The study files that come with the program for a pharmacy to serve, the first study
    first (the one this release is for, ticked by the set-up wizard as `init` takes it). Not
    the fictional DEMO-*.toml (study.is_fictional): they were offered beside it on a real
    install, where a pharmacist could tick a made-up study; `dispensary demo` and the tests
    read them from the studies' folder themselves."""
    first = default_study_path()
    others = sorted(p for p in first.parent.glob("*.toml") if p != first and not is_fictional(p))
    return [first, *others]


def read_study_text(path: Path) -> str:
    """A study file's text as every front end reads it (the set-up wizard, the Studies screen,
    `init --study`, `study add` and `study update`): UTF-8, with or without the byte-order mark
    Windows Notepad writes; or the refusal saying what to do."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise StudyFileError(
            with_detail(
                _(
                    "The study file {path} cannot be read. Check that it is still there and that "
                    "this account may open it, then choose it again."
                ).format(path=path),
                os_detail(exc),
            )
        ) from exc
    except UnicodeDecodeError as exc:
        raise StudyFileError(
            with_detail(
                _(
                    "The study file {path} is not text in UTF-8. Check that it is the study's "
                    ".toml file, saved as UTF-8, then choose it again."
                ).format(path=path),
                exc,
            )
        ) from exc


def read_study_file(path: Path) -> StudyFile:
    """A study file as the set-up loads it, or the refusal naming what is wrong with it."""
    text = read_study_text(path)
    return StudyFile(path, text, parse_study(text, str(path), new_file=True))


def check_studies(files: Sequence[StudyFile]) -> tuple[StudyFile, ...]:
    """At least one study, each protocol once."""
    if not files:
        raise InvalidInput(_("Choose at least one study file: the pharmacy serves its studies."))
    seen: set[str] = set()
    for file in files:
        protocol = file.study.protocol.upper()
        if protocol in seen:
            raise InvalidInput(
                _("Study {study} is chosen twice: keep one of its files.").format(
                    study=file.study.protocol
                )
            )
        seen.add(protocol)
    return tuple(files)


class AdministratorField(StrEnum):
    """The field of the first administrator a refusal is about (DispensaryError.field_name):
    the parameter of `check_administrator` that took it."""

    USERNAME = "username"
    FULL_NAME = "full_name"
    INITIALS = "initials"
    PASSWORD = "password"


def _field_checked(field: AdministratorField, check: Callable[[], _T]) -> _T:
    """`check` run; a refusal it raises names `field` (DispensaryError.field_name): the wizard
    puts the cursor there, and clears the passwords only when it is about them. The refusal
    itself is unchanged; a name the check gave (its own parameter's) is replaced by this
    step's."""
    try:
        return check()
    except DispensaryError as exc:
        exc.field_name = field
        raise


def check_administrator(
    username: str, full_name: str, initials: str, password: str, again: str
) -> Administrator:
    """The first administrator as `init` would store them; the password rules of every
    account apply, and the two passwords typed must be the same. A refusal names its field
    (DispensaryError.field_name, an AdministratorField)."""
    name = _field_checked(AdministratorField.USERNAME, lambda: users.normalise_username(username))
    full = _field_checked(
        AdministratorField.FULL_NAME, lambda: check_text(full_name, N_("full name"), limit=120)
    )
    marks = _field_checked(
        AdministratorField.INITIALS, lambda: normalise_initials(initials, staff=True)
    )
    if password != again:
        raise InvalidInput(
            _("The two passwords are not the same: type the password again."),
            field_name=AdministratorField.PASSWORD,
        )
    _field_checked(
        AdministratorField.PASSWORD, lambda: users.check_password_rules(password, name, full)
    )
    return Administrator(name, full, marks, password)


SET_UP_REASON = N_("first set-up of the pharmacy")


class SetUpUnfinished(DispensaryError):
    """The database and its administrator were made, but a later step was refused (a server
    gone, a disk full). The pharmacy exists, so the wizard goes on to its sign-in rather than
    offering to make it again (which the existing database would refuse)."""

    def __init__(self, message: str, database: str) -> None:
        super().__init__(message)
        self.database = database


def set_up(plan: SetUpPlan, clock: Clock | None = None) -> tuple[Context, Actor]:
    """Creates the database with its first study and administrator, signs the administrator
    in, then records the pharmacy's particulars, its language, the other studies and this
    workstation's label printers, each as the administrator's own audited step."""
    first = plan.studies[0]
    admin = plan.administrator
    if plan.printers is not None:
        plan.printers.check()
    ctx = init_database(
        plan.database,
        first.study,
        admin.username,
        admin.full_name,
        admin.initials,
        admin.password,
        clock,
    )
    try:
        return _the_rest(ctx, plan)
    except Exception as exc:  # a refusal, or a raw driver or disk error: the pharmacy exists
        ctx.engine.dispose()
        said = exc if isinstance(exc, DispensaryError) else escaped_fault(exc, plan.database)
        finish = _("Sign in and finish it there (Settings, Studies).")
        if said is None:  # an error no fault names: the program's own words, last
            told = with_detail(
                sentences(
                    [
                        _(
                            "The pharmacy was created and {user} can sign in, but the rest of "
                            "the set-up failed."
                        ).format(user=admin.username),
                        finish,
                    ]
                ),
                f"{type(exc).__name__}: {exc}",
            )
        else:  # what to do before a fault's technical detail, which stays last
            told = before_detail(
                _(
                    "The pharmacy was created and {user} can sign in, but the rest of the "
                    "set-up was refused: {why}"
                ).format(user=admin.username, why=said.message),
                finish,
            )
        raise SetUpUnfinished(told, plan.database) from exc


def _the_rest(ctx: Context, plan: SetUpPlan) -> tuple[Context, Actor]:
    """The administrator's own steps after the database is made, each its own transaction."""
    admin = plan.administrator
    reason = _(SET_UP_REASON)
    actor = users.sign_in(ctx, admin.username, admin.password)
    chosen = plan.particulars
    if chosen.name:
        pharmacy.set_particulars(ctx, actor, chosen.name, chosen.address, chosen.phone, reason)
    if plan.language:
        pharmacy.set_language(ctx, actor, plan.language, reason)
        actor = users.set_language(ctx, actor, plan.language)
    for extra in plan.studies[1:]:
        studies.add_study(ctx, actor, extra.text, extra.origin, reason)
    if plan.printers is not None:
        workstation.record_set_up_printers(ctx, actor, plan.printers, reason)
    return ctx, users.current_actor(ctx, actor)
