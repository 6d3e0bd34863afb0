"""What a workstation keeps for itself, changed by an administrator and recorded in the pharmacy's
audit trail: the printer loaded with each label stock, and which database it opens.

Both stay in the workstation's own files (settings.json, database.txt in its config folder):
a printer is the hardware beside this computer, and the database cannot hold the note of where
it is. The audit entry is the record of who changed them, when, from what to what and why; the
caller writes the file once the entry is recorded, and says so if that write fails.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from dispensary.config import stored_form
from dispensary.db import migrate
from dispensary.db.engine import fault, make_engine, sqlite_path, url_for, write_transaction
from dispensary.domain.errors import DatabaseProblem, InvalidInput, NotADispensaryDatabase
from dispensary.domain.rules import check_text
from dispensary.files import NOTHING_CHANGED, shown
from dispensary.i18n import N_, _
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.services.setup import Location, check_location

ENTITY = "workstation"
PRINTERS_BOUND = "label_printers_bound"
DATABASE_MOVED = "database_location_changed"
POSTGRESQL_PORT = 5432  # a server URL without a port means this one
WORKSTATION_LIMIT, PRINTER_LIMIT = 255, 200
"""A computer's name (the system allows far less) and a print queue's name, as typed."""

Change = tuple[str, str]
"""A stock's printer before and after ("" where none: previewed, then the print dialog)."""


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

    def check(self) -> None:
        """Refused before the pharmacy is made, as every other answer of the set-up is."""
        check_text(self.workstation, N_("workstation's name"), limit=WORKSTATION_LIMIT)
        if self.changes_anything:
            printer_changes(self.before, self.after, self.stocks)


def printer_changes(
    before: Mapping[str, str], after: Mapping[str, str], stocks: Collection[str]
) -> dict[str, Change]:
    """Each stock whose printer changes, its old and new printer, or the refusal of bindings
    that cannot be kept: a stock the program does not know, a printer with no name or with
    hidden characters, or nothing changed at all. `stocks`: the label stocks the program
    knows (labels.STOCKS, a layer above the services)."""
    chosen: dict[str, str] = {}
    for stock, printer in after.items():
        if stock not in stocks:
            raise InvalidInput(
                _("There is no label stock {stock}: use one of {names}.").format(
                    stock=stock, names=", ".join(sorted(stocks))
                )
            )
        chosen[stock] = check_text(printer, N_("printer's name"), limit=PRINTER_LIMIT)
    old = _kept(before)
    changes = {
        stock: (old.get(stock, ""), chosen.get(stock, ""))
        for stock in sorted(set(old) | set(chosen))
        if old.get(stock, "") != chosen.get(stock, "")
    }
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
) -> PrintersBound:
    """An administrator binds the label stocks of `workstation` (the computer's name) to its
    printers: one audit entry with each changed stock's old and new printer. `before` is what
    the workstation's settings held; the caller saves `after` there once this returns."""
    require(actor, Permission.WORKSTATION)
    where = check_text(workstation, N_("workstation's name"), limit=WORKSTATION_LIMIT)
    changes = printer_changes(before, after, stocks)
    why = check_text(reason, N_("reason for the change"))
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now())
        rec.audit(
            PRINTERS_BOUND,
            ENTITY,
            where,
            {stock: new for stock, (_old, new) in changes.items()},
            old={stock: old for stock, (old, _new) in changes.items()},
            reason=why,
        )
        return PrintersBound(where, changes, rec.now)


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
    engine = make_engine(location.database)
    try:
        revision = migrate.current_revision(engine)
    except DBAPIError as exc:
        problem = fault(engine, exc, NOTHING_CHANGED) or DatabaseProblem(
            _(
                "The database {path} cannot be read ({error}). {nothing} Check the path or URL."
            ).format(path=shown(location.shown), error=exc.orig, nothing=_(NOTHING_CHANGED))
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


def move_database(
    ctx: Context, actor: Actor, workstation: str, database: str, reason: str
) -> DatabaseMoved:
    """An administrator moves `workstation` to another existing Dispensary database, recorded
    in the database it leaves (the one `ctx` holds): who, when, from where to where, and why.
    The caller then saves the location for the workstation's next start."""
    require(actor, Permission.WORKSTATION)
    where = check_text(workstation, N_("workstation's name"), limit=WORKSTATION_LIMIT)
    why = check_text(reason, N_("reason for the change"))
    location = check_new_database(ctx.database, database)
    old, new = stored_form(ctx.database), stored_form(location.database)
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now())
        rec.audit(
            DATABASE_MOVED, ENTITY, where, {"database": new}, old={"database": old}, reason=why
        )
        return DatabaseMoved(where, old, new, location.database, rec.now)
