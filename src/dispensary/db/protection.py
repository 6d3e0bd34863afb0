"""Whether the database itself still refuses to change a record of what happened.

Migration 0004 (and the later migrations that add or rebuild an append-only table) put triggers
on every table of `models.APPEND_ONLY` that refuse an UPDATE or a DELETE whatever sends it. A
database tool can drop them (or, on PostgreSQL, disable them, or replace the function they call)
and then edit the records at will: the schema is then no longer the one the program requires.
`unprotected` names every trigger that is missing, disabled or not the one the migrations
create, read from the migration that creates them (its `trigger_names` and statements), so that
opening (services.setup) and a restore refuse such a database and `audit verify` names it.
Nothing here recreates a trigger: that would hide whatever was done while they were gone.
"""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

from sqlalchemy import Connection

from dispensary.db.models import APPEND_ONLY
from dispensary.i18n import _

_MIGRATION: Any = import_module("dispensary.db.migrations.versions.0004_append_only")


def required_triggers(sqlite: bool) -> dict[str, str]:
    """Every trigger the schema must hold (its name → its table), as the migrations create
    them on the append-only tables."""
    return {
        name: model.__tablename__
        for model in sorted(APPEND_ONLY, key=lambda m: m.__tablename__)
        for name in _MIGRATION.trigger_names(model.__tablename__, sqlite)
    }


def _plain(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def unprotected(conn: Connection) -> list[str]:
    """The triggers of the append-only protection this database lacks: missing, disabled
    (PostgreSQL), or not the one the migrations create (a same-named trigger that refuses
    nothing); on PostgreSQL the function they call too, when it no longer raises. Empty for
    a database whose protection is whole."""
    if conn.dialect.name == "sqlite":
        return _sqlite_unprotected(conn)
    return _server_unprotected(conn)


def _sqlite_unprotected(conn: Connection) -> list[str]:
    found = {
        str(name): (str(table), _plain(str(sql or "")))
        for name, table, sql in conn.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        )
    }
    expected: dict[str, str] = {}
    for table in sorted({m.__tablename__ for m in APPEND_ONLY}):
        names = _MIGRATION.trigger_names(table, True)
        for name, statement in zip(names, _MIGRATION.sqlite_triggers(table), strict=True):
            expected[name] = table
            if name in found and found[name] != (table, _plain(statement)):
                found.pop(name)  # there, but not the trigger that refuses: as good as missing
    return sorted(name for name in expected if name not in found)


_SERVER_TRIGGERS = """
SELECT t.tgname, c.relname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND p.proname = %(function)s
  AND pg_catalog.pg_table_is_visible(c.oid)
"""


def _server_unprotected(conn: Connection) -> list[str]:
    function = _MIGRATION.FUNCTION
    found = {
        (str(name), str(table))
        for name, table in conn.exec_driver_sql(_SERVER_TRIGGERS, {"function": function})
    }
    missing = sorted(
        name for name, table in required_triggers(False).items() if (name, table) not in found
    )
    sources = [
        str(source or "")
        for (source,) in conn.exec_driver_sql(
            "SELECT prosrc FROM pg_proc WHERE proname = %(function)s", {"function": function}
        )
    ]
    if not any("RAISE EXCEPTION" in s and _MIGRATION.WORDS in s for s in sources):
        missing.append(f"{function}()")
    return missing


TRIGGERS_NAMED = 6
"""How many of the missing triggers a message names (the rest counted)."""


def named_triggers(lacking: list[str]) -> str:
    """The triggers a database lacks, as a message names them: the first few, the rest counted."""
    said = ", ".join(lacking[:TRIGGERS_NAMED])
    if len(lacking) > TRIGGERS_NAMED:
        said += _(" (and {count} more)").format(count=len(lacking) - TRIGGERS_NAMED)
    return said
