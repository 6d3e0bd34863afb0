"""What the chains hash: the canonical content of an audit entry, a ledger row, and a fact.

A fact is a row of any table the audit trail stands behind (`TRACKED`): a dispense, a return,
a signature, a participant, a user, a kit... Each audit entry lists the table, id and content
hash of every fact its step wrote (`[[table, id, hash], ...]`), so `audit verify` re-hashes
them and names an edit, a deletion or an insertion of any of them with its audit entry.

The content of a row is read back through SQLAlchemy Core (`select(table)`), the same way at
write time (services/audit.Recorder, after the step's flush) and at verify time, so the values
are the column types' own (aware UTC datetimes, dates, bools) on SQLite and PostgreSQL alike.
Columns holding NULL are left out, so a nullable column added by a later migration leaves the
hashes of older rows as they were.

This module is below the services (migration 0005 hashes the rows that were there before the
facts were recorded, the same way); it holds no rule of the pharmacy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table, Update, bindparam, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from dispensary.domain.errors import UnrecordedWrite
from dispensary.i18n import _

GENESIS = "0" * 64

UNTRACKED = frozenset(
    {
        "chain_head",
        "audit_entries",
        "audit_entry_studies",
        "ledger_entries",
        "alembic_version",
        "settings",
    }
)
"""Tables that are not facts: the chain head (the chains' own state), the audit entries and
ledger rows (chained themselves), the audit entries' study index (derived from them, checked by
deriving it again: db/entry_studies.py), and settings (keyed by name, written by nothing yet)."""

MUTABLE = frozenset({"users", "kits", "participants", "study"})
"""Tracked tables whose rows change in place (models.UPDATED less the chain head): every state
a row is given is listed by the audit entry of its step, and the last one must be the row as it
stands now."""


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in the audit trail")


def _encoder(ascii_only: bool, sort_keys: bool) -> Callable[[Any], str]:
    """json.dumps(separators=(",", ":")) as one call: the C encoder made once, not per value
    (verify encodes millions; the text is the same, a test compares)."""
    fallback = json.JSONEncoder(
        ensure_ascii=ascii_only, sort_keys=sort_keys, separators=(",", ":"), default=_default
    ).encode
    make = getattr(json.encoder, "c_make_encoder", None)
    strings = getattr(
        json.encoder, "c_encode_basestring_ascii" if ascii_only else "c_encode_basestring", None
    )
    if make is None or strings is None:
        return fallback
    chunks = make(None, _default, strings, None, ":", ",", sort_keys, False, True)

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return fallback(value)
        return "".join(chunks(value, 0))

    return encode


_CANONICAL = _encoder(ascii_only=True, sort_keys=True)


def canonical(content: Mapping[str, Any]) -> str:
    return _CANONICAL(content)


def digest(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


def timestamp(value: datetime | str) -> str:
    """A moment as the chains hash it (a Reader gives it already so)."""
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def audit_content(row: Mapping[Any, Any]) -> dict[str, Any]:
    """What an audit entry's hash covers; `row` is the entry's columns by name. `facts` is in
    it from migration 0005 on (an entry before it has none, and hashes as it always did)."""
    content = {
        "id": row["id"],
        "at": timestamp(row["at"]),
        "user_id": row["user_id"],
        "username": row["username"],
        "action": row["action"],
        "entity": row["entity"],
        "entity_id": row["entity_id"],
        "old": row["old"],
        "new": row["new"],
        "reason": row["reason"],
    }
    if row.get("facts"):
        content["facts"] = row["facts"]
    return content


def ledger_content(row: Mapping[Any, Any]) -> dict[str, Any]:
    """What a ledger row's hash covers. `audit_entry_id` (the entry that wrote it, from
    migration 0005 on) is in it when set: a row written before has none."""
    content = {
        "id": row["id"],
        "at": timestamp(row["at"]),
        "entry_date": _value(row["entry_date"]),
        "kind": row["kind"],
        "quantity": row["quantity"],
        "from_returned": bool(row["from_returned"]),
        "kit_id": row["kit_id"],
        "lot_id": row["lot_id"],
        "product": row["product"],
        "participant_id": row["participant_id"],
        "dispense_id": row["dispense_id"],
        "return_id": row["return_id"],
        "destruction_id": row["destruction_id"],
        "count_id": row["count_id"],
        "reverses_id": row["reverses_id"],
        "reason": row["reason"],
        "user_id": row["user_id"],
    }
    if row.get("audit_entry_id") is not None:
        content["audit_entry_id"] = row["audit_entry_id"]
    return content


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)  # as SQLite stores it (the stored form is what is hashed)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def fact_hash(table: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """The content hash of one row of `table` (its values as SQLAlchemy reads them, or already
    in their stored form, `Reader`): JSON of [table, [column names], [values]] in column order,
    timestamps and dates as ISO text, booleans as 0 and 1, trailing NULLs left out."""
    return content_hash(table, names, [_value(v) for v in values])


_FACT_JSON = _encoder(ascii_only=False, sort_keys=False)


def content_hash(table: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """fact_hash of values in their stored form (timestamps and dates as ISO text). A column a
    later migration adds goes last in the model, so it only lengthens rows that hold a value
    there: the trailing NULLs of older rows are left out, and their hashes stay as they were."""
    return hashlib.sha256(content_text(table, names, values).encode("utf-8")).hexdigest()


def content_text(table: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """The JSON that content_hash hashes."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return _FACT_JSON([table, names[:end], values[:end]])


class Unreadable(ValueError):
    """A stored value that cannot be read back (an impossible date, a broken number)."""

    def __init__(self, table: str, row_id: object, why: str) -> None:
        # Said to the reader (audit verify names the row): in the reader's language.
        named = {
            "audit_entries": _("audit entry {id}"),
            "ledger_entries": _("ledger row {id}"),
        }.get(table) or _("{table} row {id}")
        super().__init__(
            _("{row} holds a value that cannot be read ({why})").format(
                row=named.format(table=table, id=row_id), why=why
            )
        )
        self.table = table
        self.row_id = row_id


def _sqlite_timestamp(text: Any) -> Any:
    """SQLAlchemy stores a UTC timestamp on SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    if isinstance(text, str) and len(text) == 26 and text[10] == " ":
        return f"{text[:10]}T{text[11:]}+00:00"
    if isinstance(text, str) and len(text) == 32 and text[10] == "T" and text[26:] == "+00:00":
        return text  # turned so by the reader's SQL
    if text is None:
        return None
    moment = datetime.fromisoformat(str(text))  # another form: read as SQLAlchemy would
    return timestamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _sqlite_date(text: Any) -> Any:
    if text is None or (isinstance(text, str) and len(text) == 10 and text[4] == "-"):
        return text
    return date.fromisoformat(str(text)).isoformat()


def _boolean(value: Any) -> Any:
    if value is None:
        return None
    if value in (0, 1):  # a server's True and False too
        return int(value)
    raise ValueError(f"{value!r} is not a boolean")


def _float(value: Any) -> Any:
    return None if value is None else float(value)


def _server_timestamp(value: Any) -> Any:
    return None if value is None else timestamp(value)


def _server_date(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _integer(value: Any) -> Any:
    return None if value is None else int(value)


@dataclass(frozen=True)
class Reader:
    """Reads one table's rows with the driver's own cursor, in their stored form: a tuple of
    str, int, float or None per row, timestamps and dates as ISO text, booleans as 0 and 1.
    What the recorder hashes at write time and `audit verify` re-hashes both come through here
    (no ORM, no SQLAlchemy row processing: verify reads millions of rows). On SQLite the SQL
    itself turns timestamps into their ISO form and flags, in a last column, a row holding a
    value not in the form the program writes; only such a row is converted in Python (and
    named as unreadable when it cannot be)."""

    table: str
    names: tuple[str, ...]
    convert: tuple[Callable[[Any], Any] | None, ...]
    sqlite: bool
    select: str  # the columns (SQLite: in their ISO form, then the flag)

    def position(self, name: str) -> int:
        return self.names.index(name)

    def _sql(self, where: str) -> str:
        return f'SELECT {self.select} FROM "{self.table}" WHERE {where}'

    def values(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        try:
            return tuple(
                v if c is None or v is None else c(v)
                for v, c in zip(raw, self.convert, strict=True)
            )
        except (ValueError, TypeError, OverflowError) as exc:
            raise Unreadable(self.table, raw[0], str(exc)[:80]) from exc

    def _rows(self, fetched: list[Any]) -> list[tuple[Any, ...]]:
        if not self.sqlite:
            return [self.values(r) for r in fetched]
        values = self.values
        return [values(r[:-1]) if r[-1] else r[:-1] for r in fetched]

    def after(self, dbapi: Any, after: int, limit: int) -> list[tuple[Any, ...]]:
        """The next `limit` rows with an id above `after`, in id order."""
        mark = "?" if self.sqlite else "%s"
        cursor = dbapi.cursor()
        try:
            cursor.execute(self._sql(f'"id" > {mark} ORDER BY "id" LIMIT {mark}'), (after, limit))
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return self._rows(rows)

    def by_ids(self, dbapi: Any, ids: Sequence[int]) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        mark = "?" if self.sqlite else "%s"
        cursor = dbapi.cursor()
        try:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                marks = ", ".join([mark] * len(chunk))
                cursor.execute(self._sql(f'"id" IN ({marks}) ORDER BY "id"'), chunk)
                found.extend(self._rows(cursor.fetchall()))
        finally:
            cursor.close()
        return found

    def lowest(self, dbapi: Any) -> int | None:
        cursor = dbapi.cursor()
        try:
            cursor.execute(f'SELECT MIN("id") FROM "{self.table}"')
            value = cursor.fetchone()[0]
        finally:
            cursor.close()
        return None if value is None else int(value)

    def hash(self, values: Sequence[Any]) -> str:
        return content_hash(self.table, self.names, values)


_SQLITE_FORM = {
    # column kind -> (the value as the reader gives it, the test of a value in another form)
    "UTCDateTime": (
        "CASE WHEN length({c}) = 26 AND substr({c}, 11, 1) = ' ' "
        "THEN substr({c}, 1, 10) || 'T' || substr({c}, 12) || '+00:00' ELSE {c} END",
        "({c} IS NOT NULL AND (typeof({c}) <> 'text' OR length({c}) <> 26 "
        "OR substr({c}, 11, 1) <> ' '))",
    ),
    "Date": (
        "{c}",
        "({c} IS NOT NULL AND (typeof({c}) <> 'text' OR length({c}) <> 10 "
        "OR substr({c}, 5, 1) <> '-'))",
    ),
    "Boolean": ("{c}", "({c} IS NOT NULL AND {c} NOT IN (0, 1))"),
    "Float": ("{c}", "typeof({c}) NOT IN ('real', 'null')"),
    "Integer": ("{c}", "typeof({c}) NOT IN ('integer', 'null')"),
    "String": ("{c}", "typeof({c}) NOT IN ('text', 'null')"),
    "Text": ("{c}", "typeof({c}) NOT IN ('text', 'null')"),
}


def _sqlite_text(value: Any) -> Any:
    if isinstance(value, bytes):
        raise ValueError("a text column holds bytes")
    return str(value)


def reader(table: Table, sqlite: bool, present: Iterable[str] | None = None) -> Reader:
    """The reader of `table` on SQLite or a server; `present`: only these columns (a migration
    reading a table before a later migration added a column to it)."""
    wanted = set(present) if present is not None else None
    columns = [c for c in table.columns if wanted is None or c.name in wanted]
    convert: list[Callable[[Any], Any] | None] = []
    selected: list[str] = []
    odd: list[str] = []
    for column in columns:
        kind = type(column.type).__name__
        quoted = f'"{column.name}"'
        if sqlite:
            shown, other = _SQLITE_FORM.get(kind, ("{c}", "0"))
            selected.append(shown.format(c=quoted))
            odd.append(other.format(c=quoted))
        else:
            selected.append(quoted)
        if kind == "UTCDateTime":
            convert.append(_sqlite_timestamp if sqlite else _server_timestamp)
        elif kind == "Date":
            convert.append(_sqlite_date if sqlite else _server_date)
        elif kind == "Boolean":
            convert.append(_boolean)
        elif kind == "Float":
            convert.append(_float)
        elif kind == "Integer":
            convert.append(_integer if sqlite else None)
        elif kind in ("String", "Text") and sqlite:
            convert.append(_sqlite_text)
        else:
            convert.append(None)
    if sqlite:
        selected.append(f"({' OR '.join(odd) or '0'})")
    return Reader(
        table.name, tuple(c.name for c in columns), tuple(convert), sqlite, ", ".join(selected)
    )


# -- the canonical text built by SQLite (audit verify reads millions of rows) ---------------------
#
# On SQLite, `audit verify` has the SQL give each row's canonical text (the JSON that
# content_hash hashes, or that digest hashes after the previous hash), so Python only hashes it:
# reading a row's values one by one into Python and encoding them there costs far more than the
# hash. SQLite's json_array and json_object write a string as json.dumps does unless it holds
# control characters (or, for the chains' ASCII form, characters outside ASCII), and an integer
# and NULL as it does; the SQL gives them a timestamp only in the form the program stores it, a
# float only when it is a whole number (written as repr writes it), a ledger flag only as 0 or
# 1. Any other value is given as a one-element array, which no canonical text holds. So where
# the SQL's text is not Python's (facts.python_text of the Reader's values), it is JSON of other
# values than Python's: it cannot give the hash of Python's text of the row as it was written,
# and a hash that differs only sends the caller to encode that row in Python, whose hash is the
# one that counts. A value the JSON functions refuse (bytes) makes the SQL fail; the caller then
# reads those rows in Python.


def _sql_other(quoted: str) -> str:
    return f"json_array({quoted})"


def _sql_value(kind: str, quoted: str) -> str:
    """The SQL of a column's value as the JSON functions should write it (fact_hash's value)."""
    if kind == "UTCDateTime":  # as the program stores it: 'YYYY-MM-DD HH:MM:SS.ffffff'
        # Its first space the 11th character: replace() writes the ISO 'T' there (and in place
        # of any later space: the form the program hashes holds one 'T', so only the stored
        # form gives it). About half the cost of cutting and joining the two halves.
        return (
            f"CASE WHEN {quoted} IS NULL THEN NULL WHEN typeof({quoted}) = 'text' "
            f"AND length({quoted}) = 26 AND instr({quoted}, ' ') = 11 "
            f"THEN replace({quoted}, ' ', 'T') || '+00:00' "
            f"ELSE {_sql_other(quoted)} END"
        )
    if kind in ("Date", "String", "Text", "Boolean", "Integer"):
        return quoted  # as stored: text or an integer (anything else is not Python's)
    if kind == "Float":  # SQLite writes a whole number as repr does (152.0); others: Python
        return f"CASE WHEN {_sql_float_written(quoted)} THEN {quoted} ELSE {_sql_other(quoted)} END"
    return _sql_other(quoted)


def _sql_float_written(quoted: str) -> str:
    """SQLite: whether the JSON functions write the float column's value as repr does."""
    return (
        f"({quoted} IS NULL OR (typeof({quoted}) = 'real' "
        f"AND {quoted} = CAST({quoted} AS INTEGER) AND abs({quoted}) >= 1 "
        f"AND abs({quoted}) < 1e15))"
    )


def odd_sql(table: Table) -> str:
    """SQLite: whether text_sql may give a row of this fact table otherwise than python_text
    though the program wrote it: it holds a float that is not whole (SQLite writes 15 digits,
    repr as many as it takes). Strings are written as json.dumps writes them, and every other
    value the program writes in its own form."""
    floats = [
        "NOT " + _sql_float_written('"' + c.name + '"')
        for c in table.columns
        if type(c.type).__name__ == "Float"
    ]
    return f"({' OR '.join(floats)})" if floats else "0"


def fact_text_sql(table: Table) -> str:
    """SQLite: content_text of a row of `table`, the trailing NULLs left out (one branch per
    count of them)."""
    values = [_sql_value(type(c.type).__name__, f'"{c.name}"') for c in table.columns]
    return _by_trailing_nulls(
        table, lambda head, end: f"'{head},' || json_array({', '.join(values[:end])}) || ']'"
    )


def _by_trailing_nulls(table: Table, text: Callable[[str, int], str]) -> str:
    """A CASE giving, for a row whose last `n` columns are NULL, `text(head, count - n)`: head
    the start of content_text's JSON (table and column names, without the trailing comma)."""
    columns = list(table.columns)
    names = [c.name for c in columns]
    branches = []
    for end in range(len(columns), 0, -1):
        head = f"[{json.dumps(table.name)},{json.dumps(names[:end], separators=(',', ':'))}"
        if "'" in head:
            raise ValueError("a name with a quote")
        if end == 1:
            branches.append(f"ELSE {text(head, end)}")
        else:
            branches.append(f'WHEN "{columns[end - 1].name}" IS NOT NULL THEN {text(head, end)}')
    return f"CASE {' '.join(branches)} END"


def _chained_sql(table: Table, kinds: Mapping[str, str], optional: str) -> str:
    """SQLite: canonical() of the object of `kinds` (column: kind), its keys sorted as
    json.dumps(sort_keys=True) sorts them; the key `optional` only when not NULL nor ''."""
    pairs: list[tuple[str, str]] = []
    for name in sorted(kinds):
        quoted = f'"{name}"'
        kind = kinds[name]
        if kind == "at":  # timestamp(None) fails: Python says so, as it always did
            shown = _sql_value("UTCDateTime", quoted).replace(
                "THEN NULL", f"THEN {_sql_other(quoted)}", 1
            )
        elif kind == "bool":  # bool() of 0 or 1
            shown = (
                f"CASE {quoted} WHEN 1 THEN json('true') WHEN 0 THEN json('false') "
                f"ELSE {_sql_other(quoted)} END"
            )
        else:
            shown = _sql_value(kind, quoted)
        pairs.append((name, shown))

    def json_object(without: str | None) -> str:
        return "json_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs if k != without) + ")"

    quoted = f'"{optional}"'
    return (
        f"CASE WHEN {quoted} IS NULL OR {quoted} = '' THEN {json_object(optional)} "
        f"ELSE {json_object(None)} END"
    )


AUDIT_KINDS = {
    "id": "Integer",
    "at": "at",
    "user_id": "Integer",
    "username": "String",
    "action": "String",
    "entity": "String",
    "entity_id": "String",
    "old": "Text",
    "new": "Text",
    "reason": "Text",
    "facts": "Text",
}
"""audit_content's keys and how each is written."""

LEDGER_KINDS = {
    "id": "Integer",
    "at": "at",
    "entry_date": "Date",
    "kind": "String",
    "quantity": "Integer",
    "from_returned": "bool",
    "kit_id": "Integer",
    "lot_id": "Integer",
    "product": "String",
    "participant_id": "Integer",
    "dispense_id": "Integer",
    "return_id": "Integer",
    "destruction_id": "Integer",
    "count_id": "Integer",
    "reverses_id": "Integer",
    "reason": "Text",
    "user_id": "Integer",
    "audit_entry_id": "Integer",
}
"""ledger_content's keys and how each is written."""


# -- the canonical text and its hash built by PostgreSQL ------------------------------------------
#
# On PostgreSQL the server writes each row's canonical text and hashes it (sha256() is built in
# since version 11): `audit verify` gets back hashes, not rows, and the server's work runs on a
# core of its own beside the walk. The text is built by concatenation (json_build_object would
# put spaces in), each value as Python's canonical JSON writes it: a string through to_json
# (which escapes as json.dumps does, but leaves characters outside ASCII as they are: the chains'
# ASCII form then differs, and the caller encodes that row in Python), a number as its text, a
# moment and a date in their ISO form. Every form is one-to-one, and a value the server writes
# otherwise than Python (a float not in the plain range, an infinite moment, a date BC) is given
# as a one-element array, which no canonical text holds: where the server's text is not
# Python's, its hash differs, and a hash that differs only sends the caller to Python, whose
# hash is the one that counts.

_PG_OTHER = "'[0]'"
_PG_STAMP = "to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"


def _pg_float_plain(quoted: str) -> str:
    """PostgreSQL: whether the float's text (shortest exact, extra_float_digits = 1) is repr's:
    a whole number in repr's fixed range (written with '.0'), or a fraction whose text needs no
    exponent on either side."""
    return (
        f"(({quoted} = trunc({quoted}) AND abs({quoted}) >= 1 AND abs({quoted}) < 1e15) "
        f"OR ({quoted} <> trunc({quoted}) AND abs({quoted}) >= 1e-4 AND abs({quoted}) < 1e15))"
    )


def _pg_value(kind: str, quoted: str) -> str:
    """PostgreSQL: the JSON of a column's non-NULL value as Python's canonical text writes it in
    its stored form (fact_hash's value), or an expression giving NULL where it may not be."""
    if kind in ("UTCDateTime", "at"):
        return (
            f"CASE WHEN isfinite({quoted}) AND {quoted} >= '0001-01-01 00:00:00+00' "
            f"THEN '\"' || {_PG_STAMP.format(c=quoted)} || '\"' END"
        )
    if kind == "Date":
        return (
            f"CASE WHEN isfinite({quoted}) AND {quoted} >= '0001-01-01' "
            f"THEN '\"' || to_char({quoted}, 'YYYY-MM-DD') || '\"' END"
        )
    if kind == "Boolean":  # stored form: 0 and 1
        return f"CASE WHEN {quoted} THEN '1' ELSE '0' END"
    if kind == "bool":  # a ledger flag: bool() of it
        return f"CASE WHEN {quoted} THEN 'true' ELSE 'false' END"
    if kind == "Integer":
        return f"{quoted}::text"
    if kind in ("String", "Text"):
        return f"to_json({quoted}::text)::text"
    if kind == "Float":
        return (
            f"CASE WHEN {quoted} = trunc({quoted}) AND abs({quoted}) >= 1 AND "
            f"abs({quoted}) < 1e15 THEN trunc({quoted})::bigint::text || '.0' "
            f"WHEN {_pg_float_plain(quoted)} THEN {quoted}::text END"
        )
    return "NULL"


def _pg_json(kind: str, quoted: str, null: str = "'null'") -> str:
    """The value's JSON, `null` for NULL, the other form for what _pg_value cannot write."""
    return (
        f"CASE WHEN {quoted} IS NULL THEN {null} "
        f"ELSE coalesce({_pg_value(kind, quoted)}, {_PG_OTHER}) END"
    )


def pg_odd_sql(table: Table) -> str:
    """PostgreSQL: whether pg_text_sql may give a row of this fact table otherwise than
    python_text though the program wrote it (a float outside the plain range)."""
    floats = [
        f'NOT ("{c.name}" IS NULL OR {_pg_float_plain(chr(34) + c.name + chr(34))})'
        for c in table.columns
        if type(c.type).__name__ == "Float"
    ]
    return f"({' OR '.join(floats)})" if floats else "false"


def _pg_fact_sql(table: Table) -> str:
    values = [_pg_json(type(c.type).__name__, f'"{c.name}"') for c in table.columns]
    return _by_trailing_nulls(
        table, lambda head, end: f"'{head},[' || " + " || ',' || ".join(values[:end]) + " || ']]'"
    )


def _pg_chained_sql(kinds: Mapping[str, str], optional: str) -> str:
    """PostgreSQL: canonical() of the object of `kinds`, its keys sorted as json.dumps sorts
    them; the key `optional` only when it is not NULL (nor '', a text)."""
    parts: list[str] = []
    for i, name in enumerate(sorted(kinds)):
        quoted = f'"{name}"'
        kind = kinds[name]
        null = _PG_OTHER if kind in ("at", "bool") else "'null'"
        pair = f"'{',' if i else ''}\"{name}\":' || {_pg_json(kind, quoted, null)}"
        if name == optional:
            if not i:
                raise ValueError("the optional key comes first")
            empty = f"{quoted} IS NULL" + (
                f" OR {quoted} = ''" if kind in ("String", "Text") else ""
            )
            pair = f"CASE WHEN {empty} THEN '' ELSE {pair} END"
        parts.append(pair)
    return "'{' || " + " || ".join(parts) + " || '}'"


def pg_text_sql(table: Table) -> str:
    """PostgreSQL: the text python_text gives of a row of `table` (see above)."""
    if table.name == "audit_entries":
        return _pg_chained_sql(AUDIT_KINDS, "facts")
    if table.name == "ledger_entries":
        return _pg_chained_sql(LEDGER_KINDS, "audit_entry_id")
    return _pg_fact_sql(table)


def pg_hash_sql(text: str) -> str:
    """PostgreSQL: the hex SHA-256 of a text's UTF-8 bytes (hashlib's hexdigest)."""
    return f"encode(sha256(convert_to({text}, 'UTF8')), 'hex')"


def python_text(table: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """What the SQL above gives, in Python, from a Reader's values: the canonical content of
    an audit entry or ledger row (hashed after the previous hash), a fact's content_text."""
    if table == "audit_entries":
        return canonical(audit_content(dict(zip(names, values, strict=True))))
    if table == "ledger_entries":
        return canonical(ledger_content(dict(zip(names, values, strict=True))))
    return content_text(table, names, values)


def stored_form_sql(table: Table, name: str) -> str:
    """SQLite: a column as a Reader gives it when its row is in the program's form."""
    shown = _SQLITE_FORM.get(type(table.c[name].type).__name__, ("{c}", "0"))[0]
    return shown.format(c=f'"{name}"')


def text_sql(table: Table) -> str:
    """SQLite: the text python_text gives of a row of `table`, or NULL (see above)."""
    if table.name == "audit_entries":
        return _chained_sql(table, AUDIT_KINDS, "facts")
    if table.name == "ledger_entries":
        return _chained_sql(table, LEDGER_KINDS, "audit_entry_id")
    return fact_text_sql(table)


def driver_connection(bind: Session | Connection) -> Any:
    """The driver's own connection under a Session or Connection, inside its transaction."""
    conn = bind.connection() if isinstance(bind, Session) else bind
    return conn.connection.driver_connection


def on_sqlite(bind: Session | Connection) -> bool:
    conn = bind.connection() if isinstance(bind, Session) else bind
    return conn.dialect.name == "sqlite"


def tracked(tables: Iterable[Table]) -> list[Table]:
    """The fact tables among `tables`, by name."""
    return sorted((t for t in tables if t.name not in UNTRACKED), key=lambda t: t.name)


Fact = tuple[str, int, str]
"""(table, id, content hash)."""


def facts_text(facts: Sequence[Fact]) -> str:
    """The facts of one audit entry as stored (and hashed) in its `facts` column."""
    return json.dumps([list(f) for f in facts], separators=(",", ":")) if facts else ""


def parse_facts(text: str) -> list[Fact]:
    """An entry's stored facts; a value that is not a list of [table, id, hash] reads as
    nothing (the entry's own hash is what says it was changed)."""
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    if not isinstance(data, list):
        return []
    return [
        (str(f[0]), int(f[1]), str(f[2]))
        for f in data
        if isinstance(f, list) and len(f) == 3 and isinstance(f[1], int)
    ]


# -- what a transaction wrote, until its audit entry lists it --------------------------------------

WRITTEN = "dispensary.facts_written"
"""session.info key: {(table, id): None} of the fact rows flushed since the last audit entry."""


def _after_flush(session: Session, _context: Any) -> None:
    written: dict[tuple[str, int], None] = session.info.setdefault(WRITTEN, {})
    for target in (*session.new, *session.dirty):
        table = getattr(target, "__table__", None)
        if not isinstance(table, Table) or table.name in UNTRACKED:
            continue
        if target in session.dirty and not session.is_modified(target):
            continue  # loaded, touched, nothing changed: no UPDATE was sent
        written[(table.name, int(target.id))] = None


def _before_commit(session: Session) -> None:
    if session.new or session.dirty:
        session.flush()  # before_commit comes before the commit's own flush
    written = session.info.get(WRITTEN)
    if written:
        shown = ", ".join(f"{t} row {i}" for t, i in list(written)[:5])
        raise UnrecordedWrite(
            f"{shown} would be saved without the audit entry of its step: refused, nothing was "
            "saved (a program error: the step writes its audit entry last)."
        )


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(WRITTEN, None)


def take_written(session: Session) -> list[tuple[str, int]]:
    """The fact rows flushed since the last call (the audit entry being written lists them)."""
    session.flush()
    written = session.info.pop(WRITTEN, {})
    return sorted(written)


def install_recording() -> None:
    """Every session notes the fact rows it flushes; a commit with rows no audit entry listed
    is refused (services/audit.Recorder lists them). Idempotent."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _forget)
    event.listen(Session, "after_soft_rollback", _forget)
    event.listen(Session, "after_commit", _forget)


def note_written(session: Session, table: str, row_id: int) -> None:
    """A fact row written with a Core statement, which no flush sees: its step's audit entry
    must list it, as it lists a flushed row (and the commit is refused until one does)."""
    if table not in UNTRACKED:
        session.info.setdefault(WRITTEN, {})[(table, int(row_id))] = None


_INSERTS: dict[str, tuple[Insert, tuple[tuple[str, str], ...]]] = {}
_UPDATES: dict[str, Update] = {}


def insert(session: Session, row: Any) -> int:
    """Writes a new mapped object's row at once with a Core INSERT, as a flush would write it
    (the values set on it, NULLs left to the column's default, the mapper's before_insert
    checks run) but without the unit of work, a tenth of the time; the object stays out of the
    session. Returns the row's id, set on the object too."""
    mapper = sa_inspect(type(row))
    table = mapper.local_table
    assert isinstance(table, Table)
    made = _INSERTS.get(table.name)
    if made is None:  # the statement and the object's attributes by column, once per table
        keys = tuple((p.key, p.columns[0].key) for p in mapper.column_attrs)
        made = _INSERTS[table.name] = (table.insert(), keys)
    statement, keys = made
    state = vars(row)
    values = {column: state[key] for key, column in keys if state.get(key) is not None}
    conn = session.connection()
    mapper.dispatch.before_insert(mapper, conn, sa_inspect(row))
    result = conn.execute(statement, values)
    row_id = values.get("id")
    if row_id is None:
        key = result.inserted_primary_key
        assert key is not None
        row_id = row.id = key[0]
    note_written(session, table.name, row_id)
    return int(row_id)


def update(session: Session, row: Any, **values: Any) -> None:
    """Changes columns of a loaded row at once with a Core UPDATE by its id (the append-only
    tables are refused by db.guards, as any UPDATE is), the object given the values as stored,
    with nothing left for a flush; noted for the step's audit entry as a flushed change is."""
    table = sa_inspect(type(row)).local_table
    assert isinstance(table, Table)
    statement = _UPDATES.get(table.name)
    if statement is None:  # SET takes the columns the values name
        statement = _UPDATES[table.name] = sql_update(table).where(
            table.c.id == bindparam("where_id")
        )
    session.connection().execute(statement, {**values, "where_id": row.id})
    for key, value in values.items():
        set_committed_value(row, key, value)
    note_written(session, table.name, row.id)
