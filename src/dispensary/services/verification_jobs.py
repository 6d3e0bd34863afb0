"""The bulk of `audit verify`'s hashing on SQLite, apart from the walk: the ledger's chain and
each append-only fact table's rows, hashed in id order from the canonical text the SQL writes
(db/facts.text_sql). They need nothing but sqlite3 and hashlib, so the verification runs them
in a second process beside its walk of the audit entries (two cores: about half the time), or
in its own process, on its own connection, where it cannot start one.

    python -m dispensary.services.verification_jobs   (reads the work as JSON on stdin)

A job answers a question the walk asks about the whole table, not row by row:
- `chain`: do the rows' ids run 1, 2, 3... without a gap, does each row's stored previous hash
  equal the row before's own hash (the genesis hash first), and is each row's own hash the
  digest of that previous hash and its text? With the count and the last row's hash, and the
  rows whose text the SQL may write otherwise than Python (the caller encodes those).
- `listing`: the count of the rows and the SHA-256 of `id:hash,` of each in id order (hash:
  the row's content hash), which the walk compares with the same digest of what the audit
  entries list: equal, every row is listed once, in order, with its content as it was written.
  The rows whose text the SQL may write otherwise (facts.odd_sql) are left to the caller.

A worker reads the rows up to the ids the verifying transaction sees (`bound`): rows the program
only ever appends, whose triggers refuse an UPDATE or DELETE, so it reads what that
transaction reads unless the file is edited during the verification itself.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

GENESIS = "0" * 64
BATCH = 4000
DOUBTS = 100_000

Job = tuple[str, str, str]
"""(kind: 'chain', 'timed chain' or 'listing', table, SQL) -- the SQL gives, of the rows with
an id up to a bound in id order, (id, canonical text as a blob, previous hash, own hash[,
time]) for a chain and (id, canonical text as a blob, odd) for a listing."""

Answer = list[Any]
"""chain: [ok, count, last own hash, ids to encode in Python]; listing: [count, hex digest]."""


def token(row_id: object, digest: object) -> str:
    """One row in a listing: unambiguous, as no hash or id holds a comma."""
    return f"{row_id}:{digest},"


def chain(cursor: Any, sql: str, bound: int, timed: bool = False) -> Answer:
    """The chain check of a chained table (see the module's docstring). A row whose digest is
    not its own hash though its id and link are right may be one the SQL writes otherwise than
    Python (text outside ASCII): its id is given back for the caller to encode it in Python, at
    most DOUBTS of them. `timed` (the audit entries): the SQL gives each row's time last, which
    must be as the program stores it ('YYYY-MM-DD HH:MM:SS.ffffff') and never go backwards."""
    sha256 = hashlib.sha256
    expected, prev, count, last_at = 1, GENESIS, 0, ""
    doubts: list[int] = []
    cursor.execute(sql, (bound,))
    while rows := cursor.fetchmany(BATCH):
        for row_id, text, stored_prev, own, *at in rows:
            if row_id != expected or stored_prev != prev or not isinstance(own, str):
                return [False, count, prev, doubts]
            if timed:
                moment = at[0]
                if type(moment) is not str or len(moment) != 26 or moment[10] != " ":
                    return [False, count, prev, doubts]
                if moment < last_at:
                    return [False, count, prev, doubts]
                last_at = moment
            if text is None or sha256(text).hexdigest() != own:
                doubts.append(row_id)
                if len(doubts) > DOUBTS:
                    return [False, count, prev, doubts]
            expected = row_id + 1
            prev = own
        count += len(rows)
    return [True, count, prev, doubts]


def listing(cursor: Any, sql: str, bound: int) -> Answer:
    """The count and digest of a table's listing (see the module's docstring), leaving out the
    rows the SQL flags as odd (a float not whole: the caller encodes those in Python); a row
    whose SQL gives no text (NULL) gives the token of no hash, which no entry lists."""
    sha256 = hashlib.sha256
    whole = sha256()
    count = 0
    cursor.execute(sql, (bound,))
    while rows := cursor.fetchmany(BATCH):
        tokens = [
            token(i, sha256(t).hexdigest() if t is not None else "")
            for i, t, odd in rows
            if not odd
        ]
        whole.update("".join(tokens).encode())
        count += len(tokens)
    return [count, whole.hexdigest()]


def run(cursor: Any, jobs: Sequence[Job], bounds: dict[str, int]) -> list[Answer]:
    """Every job, in order, on `cursor` (inside one read transaction)."""
    answers: list[Answer] = []
    for kind, table, sql in jobs:
        if kind == "listing":
            answers.append(listing(cursor, sql, bounds[table]))
        else:
            answers.append(chain(cursor, sql, bounds[table], timed=kind == "timed chain"))
    return answers


def main() -> int:
    """The worker: {"path", "jobs", "bounds"} on stdin (with "uri": the path is the URI a
    database open read-only is read through), the answers as JSON on stdout."""
    work = json.loads(sys.stdin.read())
    connection = sqlite3.connect(work["path"], isolation_level=None, uri=bool(work.get("uri")))
    try:
        cursor = connection.cursor()
        cursor.execute("BEGIN")
        answers = run(cursor, [tuple(j) for j in work["jobs"]], work["bounds"])  # type: ignore[misc]
        cursor.execute("COMMIT")
    finally:
        connection.close()
    sys.stdout.write(json.dumps(answers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
