"""What a workstation keeps for itself, changed by an administrator and recorded in the pharmacy's
audit trail: the printer loaded with each label stock, and which database it opens.

Both stay in the workstation's own files (settings.json, database.txt in its config folder):
a printer is the hardware beside this computer, and the database cannot hold the note of where
it is. The audit entry is the record of who changed them, when, from what to what and why. The
file is written inside the entry's transaction, so that one step does both or neither: a file
that cannot be written rolls the entry back, and a commit that fails puts the file back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from dispensary.config import (
    ENV_DB,
    location_file,
    save_database,
    saved_database,
    stored_form,
    without_password,
)
from dispensary.db import migrate
from dispensary.db.engine import fault, make_engine, sqlite_path, url_for, write_transaction
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import (
    DatabaseProblem,
    DispensaryError,
    InvalidInput,
    NotADispensaryDatabase,
    RuleViolation,
)
from dispensary.domain.rules import check_text
from dispensary.files import NOTHING_CHANGED, os_detail, shown, with_detail
from dispensary.i18n import N_, _
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.services.setup import Location, check_location

ENTITY = "workstation"
PRINTERS_BOUND = AuditAction.LABEL_PRINTERS_BOUND
DATABASE_MOVED = AuditAction.DATABASE_LOCATION_CHANGED
POSTGRESQL_PORT = 5432  # a server URL without a port means this one
WORKSTATION_LIMIT, PRINTER_LIMIT = 255, 200
"""A computer's name (the system allows far less) and a print queue's name, as typed."""

Change = tuple[str, str]
"""A stock's printer before and after ("" where none: previewed, then the print dialog)."""

Keep = Callable[[Mapping[str, str]], object]
"""Saves the bindings given in the workstation's settings; raises OSError when it cannot."""


@dataclass(frozen=True)
class PrintersBound:
    """The printers changed on a workstation, as recorded."""

    workstation: str
    changes: dict[str, Change]
    at: datetime


@dataclass(frozen=True)
class DatabaseMoved:
    """A workstation's next start opens `database` (stored as the location file keeps it)."""

    workstation: str
    old: str
    new: str
    database: str  # as given (a server's password included, for the caller's check only)
    at: datetime


def _kept(bindings: Mapping[str, str]) -> dict[str, str]:
    """The bindings as they count: names trimmed, stocks with no printer left out."""
    return {stock: printer.strip() for stock, printer in bindings.items() if printer.strip()}


@dataclass(frozen=True)
class PrinterChoice:
    """The printers chosen on a workstation by the first-run set-up (saved in its settings as
    its page is left), recorded once the pharmacy's first administrator exists."""

    workstation: str
    before: Mapping[str, str]
    after: Mapping[str, str]
    stocks: frozenset[str]

    @property
    def changes_anything(self) -> bool:
        return _kept(self.before) != _kept(self.after)

    def recorded(self) -> dict[str, Change]:
        """What the set-up records: every stock bound before or now, unchanged ones too: the
        new pharmacy's audit trail starts with the printers its labels go to, however long
        this workstation has had them. Refuses bindings that cannot be kept."""
        return _changes(self.before, _checked(self.after, self.stocks), every=True)

    def check(self) -> None:
        """Refused before the pharmacy is made, as every other answer of the set-up is."""
        if self.recorded():
            check_text(self.workstation, N_("workstation's name"), limit=WORKSTATION_LIMIT)


def _checked(after: Mapping[str, str], stocks: Collection[str]) -> dict[str, str]:
    """The bindings chosen, each of a stock the program knows, to a printer with a name."""
    chosen: dict[str, str] = {}
    for stock, printer in after.items():
        if stock not in stocks:
            raise InvalidInput(
                _("There is no label stock {stock}: use one of {names}.").format(
                    stock=stock, names=", ".join(sorted(stocks))
                )
            )
        chosen[stock] = check_text(printer, N_("printer's name"), limit=PRINTER_LIMIT)
    return chosen


def _changes(
    before: Mapping[str, str], chosen: Mapping[str, str], every: bool = False
) -> dict[str, Change]:
    old = _kept(before)
    return {
        stock: (old.get(stock, ""), chosen.get(stock, ""))
        for stock in sorted(set(old) | set(chosen))
        if every or old.get(stock, "") != chosen.get(stock, "")
    }


def printer_changes(
    before: Mapping[str, str], after: Mapping[str, str], stocks: Collection[str]
) -> dict[str, Change]:
    """Each stock whose printer changes, its old and new printer, or the refusal of bindings
    that cannot be kept: a stock the program does not know, a printer with no name or with
    hidden characters, or nothing changed at all. `stocks`: the label stocks the program
    knows (labels.STOCKS, a layer above the services)."""
    changes = _changes(before, _checked(after, stocks))
    if not changes:
        raise InvalidInput(
            _(
                "Each label stock already has the printer chosen: nothing to save. Choose "
                "another printer for a stock first."
            )
        )
    return changes


def bind_printers(
    ctx: Context,
    actor: Actor,
    workstation: str,
    before: Mapping[str, str],
    after: Mapping[str, str],
    stocks: Collection[str],
    reason: str,
    keep: Keep,
) -> PrintersBound:
    """An administrator binds the label stocks of `workstation` (the computer's name) to its
    printers: one audit entry with each changed stock's old and new printer. `before` is what
    the workstation's settings held; `keep` saves `after` there in the entry's step."""
    require(actor, Permission.WORKSTATION)
    where = check_text(workstation, N_("workstation's name"), limit=WORKSTATION_LIMIT)
    changes = printer_changes(before, after, stocks)
    why = check_text(reason, N_("reason for the change"))
    return _record_printers(
        ctx, actor, where, changes, why, lambda: keep(after), lambda: keep(before)
    )


def record_set_up_printers(
    ctx: Context, actor: Actor, choice: PrinterChoice, reason: str
) -> PrintersBound | None:
    """The first-run set-up's printers, recorded as its administrator's step (None when no
    stock has a printer, before or now). The wizard saved them as their page was left."""
    require(actor, Permission.WORKSTATION)
    changes = choice.recorded()
    if not changes:
        return None
    where = check_text(choice.workstation, N_("workstation's name"), limit=WORKSTATION_LIMIT)
    why = check_text(reason, N_("reason for the change"))
    return _record_printers(ctx, actor, where, changes, why)


def _record_printers(
    ctx: Context,
    actor: Actor,
    where: str,
    changes: dict[str, Change],
    why: str,
    write: Callable[[], object] | None = None,
    undo: Callable[[], object] | None = None,
) -> PrintersBound:
    with _recorded(ctx, actor) as step:
        step.rec.audit(
            PRINTERS_BOUND,
            ENTITY,
            where,
            {stock: new for stock, (_old, new) in changes.items()},
            old={stock: old for stock, (old, _new) in changes.items()},
            reason=why,
        )
        if write is not None and undo is not None:
            step.kept(write, undo, _printers_not_saved)
        return PrintersBound(where, changes, step.rec.now)


def _printers_not_saved(why: str) -> str:
    return with_detail(
        _(
            "The printers could not be saved on this workstation. Nothing was changed: it prints "
            "as before. Check the settings folder, then save again."
        ),
        why,
    )


class _Step:
    """An audit entry and the workstation file it is the record of, in one transaction."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self.undo: Callable[[], object] | None = None

    def kept(
        self, write: Callable[[], object], undo: Callable[[], object], said: Callable[[str], str]
    ) -> None:
        """Writes the workstation's file once the entry is in the transaction; a file that
        cannot be written is refused, and the entry rolled back with the transaction."""
        self.rec.session.flush()  # the entry first: a database refusal leaves the file as it was
        try:
            write()
        except OSError as exc:
            raise DispensaryError(said(os_detail(exc))) from exc
        self.undo = undo


@contextmanager
def _recorded(ctx: Context, actor: Actor) -> Iterator[_Step]:
    """The step's transaction; when its commit fails after the file was written, the file is
    put back as it was (as nearly as a failing computer allows) and the failure raised."""
    step: _Step | None = None
    try:
        with write_transaction(ctx.engine) as session:
            step = _Step(Recorder(session, actor, ctx.clock.now()))
            yield step
    except BaseException:
        if step is not None and step.undo is not None:
            with suppress(OSError):  # the commit's own failure is the one said
                step.undo()
        raise


def same_database(one: str, other: str) -> bool:
    """Whether two spellings name one database: a file by a relative or absolute path, a
    link, or a SQLite URL; a server's URL with or without its driver, password or default
    port, its host in any case."""
    if stored_form(one) == stored_form(other):
        return True
    files = [sqlite_path(url_for(db)) for db in (one, other)]
    if files[0] is not None and files[1] is not None:
        try:
            return os.path.samefile(files[0], files[1])
        except OSError:  # one of them is not there: not the same file
            return False
    if files[0] is not None or files[1] is not None:
        return False
    return _server_identity(one) == _server_identity(other)


def _server_identity(database: str) -> tuple[str, str, str, int, str] | None:
    try:
        url = make_url(database)
        port = url.port or POSTGRESQL_PORT
    except (ArgumentError, ValueError):
        return None
    host = (url.host or "").lower()
    return url.get_backend_name(), url.username or "", host, port, url.database or ""


def check_new_database(current: str, database: str) -> Location:
    """The database a workstation may move to, tested without writing anything: another
    existing Dispensary database this program can open (the pharmacy's PostgreSQL server, once
    it grows beyond one computer). A new or empty location is refused: moving copies nothing,
    so the workstation would open an empty pharmacy."""
    if not database.strip():
        raise InvalidInput(_("Give the database's file or URL."))
    location = check_location(database.strip())
    if same_database(location.database, current):
        raise InvalidInput(
            _("This workstation already uses {database}: choose another location.").format(
                database=stored_form(current)
            )
        )
    if not location.existing:
        raise NotADispensaryDatabase(
            _(
                "{database} holds no Dispensary database. {nothing} Choose the pharmacy's "
                "existing database (its file, or its PostgreSQL URL): moving copies no records."
                " A new pharmacy is set up first with `dispensary init --db ...`."
            ).format(database=shown(location.shown), nothing=_(NOTHING_CHANGED))
        )
    # Read as the next start will connect: a server's password typed here is not kept.
    kept, password = without_password(location.database)
    engine = make_engine(location.database if password is None else kept)
    try:
        revision = migrate.current_revision(engine)
    except DBAPIError as exc:
        if password is not None:
            raise DatabaseProblem(_password_not_kept(location.shown, kept, exc)) from exc
        problem = fault(engine, exc, NOTHING_CHANGED) or DatabaseProblem(
            with_detail(
                _("The database {path} cannot be read. {nothing} Check the path or URL.").format(
                    path=shown(location.shown), nothing=_(NOTHING_CHANGED)
                ),
                exc.orig,
            )
        )
        raise problem from exc
    finally:
        engine.dispose()
    if revision not in migrate.known_revisions():
        raise DatabaseProblem(
            _(
                "{path} was written by a newer version of Dispensary (schema {schema}). "
                "{nothing} Install the newer version to open it."
            ).format(path=shown(location.shown), schema=revision, nothing=_(NOTHING_CHANGED))
        )
    return location


def _password_not_kept(name: str, kept: str, exc: DBAPIError) -> str:
    """The server took the password typed, but not the connection the next start makes."""
    url = make_url(kept)
    where = (url.host or "localhost", url.port or POSTGRESQL_PORT, url.database, url.username)
    line = ":".join(str(part or "*") for part in where) + ":"
    return with_detail(
        _(
            "{database} accepts the password typed, but this workstation's next start connects "
            "without it (a password is never kept with the location), and the server then "
            "refuses. {nothing} Add the password to this computer's PostgreSQL password file "
            "(PGPASSFILE, else ~/.pgpass with owner-only access, or %APPDATA%\\postgresql\\"
            "pgpass.conf on Windows): the line {line} followed by the password. Then test again."
        ).format(database=shown(name), nothing=_(NOTHING_CHANGED), line=line),
        _first_line(exc),
    )


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def move_database(
    ctx: Context, actor: Actor, workstation: str, database: str, reason: str
) -> DatabaseMoved:
    """An administrator moves `workstation` to another existing Dispensary database, recorded
    in the database it leaves (the one `ctx` holds): who, when, from where to where, and why;
    kept in the same step in the workstation's location file, which its next start opens."""
    require(actor, Permission.WORKSTATION)
    where = check_text(workstation, N_("workstation's name"), limit=WORKSTATION_LIMIT)
    why = check_text(reason, N_("reason for the change"))
    check_not_overridden()
    location = check_new_database(ctx.database, database)
    old, new = stored_form(ctx.database), stored_form(location.database)
    before = saved_database()
    with _recorded(ctx, actor) as step:
        step.rec.audit(
            DATABASE_MOVED, ENTITY, where, {"database": new}, old={"database": old}, reason=why
        )
        step.kept(
            lambda: save_database(new),
            lambda: _put_back(before),
            lambda error: _location_not_kept(error, old),
        )
        return DatabaseMoved(where, old, new, location.database, step.rec.now)


def check_not_overridden() -> None:
    """A move is refused while DISPENSARY_DB names the database at each start: the entry
    would record a move this workstation does not make."""
    if os.environ.get(ENV_DB):
        raise RuleViolation(
            _(
                "{variable} is set on this computer, and names the database at each start "
                "whatever is saved here. Nothing was changed. Remove {variable} from this "
                "computer's environment (or point it at the new database), start the program "
                "again, then change the location here."
            ).format(variable=ENV_DB)
        )


def _put_back(before: str | None) -> None:
    if before is None:
        location_file().unlink(missing_ok=True)
    else:
        save_database(before)


def _location_not_kept(why: str, database: str) -> str:
    return with_detail(
        _(
            "This workstation's location file {file} could not be written. Nothing was changed: "
            "it still opens {database}. Check the settings folder, then change the location "
            "again."
        ).format(file=shown(location_file()), database=database),
        why,
    )
