"""Append-only by construction: a saved record of what happened is never updated or deleted.

The records of what happened (ledger rows, audit entries, signatures, dispenses and their kit
lines and voids, returns, adherence notes, counts, destructions, quarantine events, sign-offs,
shipments, temperature excursions: `models.APPEND_ONLY`) are only ever inserted. A mistake is
put right by a new record that names the one it corrects (a reversing ledger row, a corrected
return, a void), never by an edit. This module makes the program refuse, before any SQL is
sent, each way SQLAlchemy could change or remove a saved one:

- the unit of work: an attribute of a loaded row changed, or `session.delete(row)`, then a
  flush (session `before_flush`, before the flush sends anything: deleting a row the ORM would
  first detach its children from, say; mapper `before_update` / `before_delete` for what a
  flush itself changes; the error names the row and the columns);
- any UPDATE or DELETE statement built with SQLAlchemy and run on a connection of any engine:
  ORM bulk statements (`session.execute(update(Model))`, `delete(Model)`, the legacy
  `Query.update()` / `.delete()`), Core statements (`conn.execute(update(table))`) and the
  bulk-mapping methods all arrive there (engine `before_execute`).

Under them, the database refuses the same for any SQL whatever its source (a database tool,
another program, text SQL): migration 0004 puts a trigger on each of these tables, and
db.faults turns the trigger's error into the same `AppendOnly`. On PostgreSQL the application's
role is also given no UPDATE or DELETE on them (docs/INSTALL.md).

`install` is called once, by models.py, as soon as the models exist: whatever imports the
models gets the guards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, Table, event, inspect
from sqlalchemy.orm import (
    MANYTOONE,
    ColumnProperty,
    DeclarativeBase,
    Mapper,
    RelationshipProperty,
    Session,
)
from sqlalchemy.sql.dml import Delete, Update

from dispensary.domain.errors import AppendOnly
from dispensary.files import NOTHING_SAVED
from dispensary.i18n import N_, _

CORRECTION = N_("To put a mistake right, record a correction that names the entry.")
TRIGGER_WORDS = "is append-only"
"""The words of every refusal, the database triggers' included (db.faults looks for them)."""

_guarded: set[str] = set()


def refusal(table: str, what: str) -> AppendOnly:
    """The refusal of a change to an append-only table: what was tried, what to do instead."""
    # The English says TRIGGER_WORDS, as the triggers do; the reader's language says it its way.
    return AppendOnly(
        _(
            "{what} was refused: the table {table} is append-only (a saved record of what "
            "happened is never changed or deleted). {nothing} {correction}"
        ).format(what=what, table=table, nothing=_(NOTHING_SAVED), correction=_(CORRECTION))
    )


def _name(mapper: Mapper[Any]) -> str:
    table = mapper.local_table
    return table.name if isinstance(table, Table) else str(table)


def _row(mapper: Mapper[Any], target: Any) -> str:
    key = inspect(target).identity
    shown = ", ".join(str(part) for part in key) if key else "?"
    return _("{table} row {id}").format(table=_name(mapper), id=shown)


def _check_changes(mapper: Mapper[Any], target: Any) -> None:
    # A dirty instance may have changed a collection only (a kit line appended to a dispense):
    # only a change of a column (a reference set through a relationship included) is an UPDATE.
    state = inspect(target)
    changed = [
        attr.key
        for attr in mapper.attrs
        if (
            isinstance(attr, ColumnProperty)
            or (isinstance(attr, RelationshipProperty) and attr.direction is MANYTOONE)
        )
        and state.attrs[attr.key].history.has_changes()
    ]
    if changed:
        raise refusal(
            _name(mapper),
            _("Changing {row} ({columns})").format(
                row=_row(mapper, target), columns=", ".join(sorted(changed))
            ),
        )


def _before_update(mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    _check_changes(mapper, target)


def _before_delete(mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    raise refusal(_name(mapper), _("Deleting {row}").format(row=_row(mapper, target)))


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for target in session.deleted:
        mapper = inspect(target).mapper
        if _name(mapper) in _guarded:
            _before_delete(mapper, None, target)
    for target in session.dirty:
        mapper = inspect(target).mapper
        if _name(mapper) in _guarded:
            _check_changes(mapper, target)


def _before_execute(
    _conn: Any, statement: Any, _multiparams: Any, _params: Any, _options: Any
) -> None:
    if not isinstance(statement, Update | Delete):
        return
    table = statement.table
    name = table.name if isinstance(table, Table) else None
    if name in _guarded:
        what = (
            _("An UPDATE of {table}")
            if isinstance(statement, Update)
            else _("A DELETE from {table}")
        )
        raise refusal(name, what.format(table=name))


def install(models: Iterable[type[DeclarativeBase]]) -> None:
    """Guards these models' tables (idempotent: a model already guarded is left as it is)."""
    for model in models:
        if event.contains(model, "before_update", _before_update):
            continue
        event.listen(model, "before_update", _before_update)
        event.listen(model, "before_delete", _before_delete)
        table = model.__table__
        assert isinstance(table, Table)
        _guarded.add(table.name)
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
    if not event.contains(Engine, "before_execute", _before_execute):
        event.listen(Engine, "before_execute", _before_execute)


def guarded_tables() -> frozenset[str]:
    return frozenset(_guarded)
