"""The bulk of `audit verify`'s hashing on SQLite, apart from the walk: both chains and each
append-only fact table's rows, hashed in id order from the canonical text the SQL writes
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

Each row is hashed as SQLite reads it, by a function the job gives the statement (_Chain.step,
_Listing.step): a row fetched into Python as a tuple costs about as much again as its hashing,
and only its canonical text crosses over.

A worker reads the rows up to the ids the verifying transaction sees (`bound`): rows the program
only ever appends, whose triggers refuse an UPDATE or DELETE, so it reads what that
transaction reads unless the file is edited during the verification itself.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from typing import Any

GENESIS = "0" * 64
BATCH = 4000
DOUBTS = 100_000
CHAIN_FUNCTION = "dispensary_verify_chain"
TOKEN_FUNCTION = "dispensary_verify_token"
"""The functions each job's statement calls on its rows (taken off the connection after)."""
_sha256 = hashlib.sha256

Job = tuple[str, str, str]
"""(kind: 'chain', 'timed chain' or 'listing', table, SQL) -- the SQL gives, of the rows with
an id up to a bound in id order, (id, canonical text as a blob, previous hash, own hash[,
time]) for a chain and (id, canonical text as a blob, odd) for a listing."""

Answer = list[Any]
"""chain: [ok, count, last own hash, ids to encode in Python]; listing: [count, hex digest]."""


def token(row_id: object, digest: object) -> str:
    """One row in a listing: unambiguous, as no hash or id holds a comma."""
    return f"{row_id}:{digest},"


class _Chain:
    """The chain check of `chain`, one row at a time as SQLite hands each one to `step` (a
    function of the statement, so no row is fetched into Python: only its text is hashed)."""

    def __init__(self, timed: bool) -> None:
        self.timed = timed
        self.expected, self.prev, self.count, self.last_at = 1, GENESIS, 0, ""
        self.ok = True
        self.doubts: list[int] = []

    def step(
        self, row_id: object, text: object, stored_prev: object, own: object, *at: object
    ) -> int:
        """One row, in id order; 0 (its value is not used). After the first failure it only
        counts: the answer is False whatever follows."""
        self.count += 1
        if not self.ok:
            return 0
        if row_id != self.expected or stored_prev != self.prev or not isinstance(own, str):
            self.ok = False
            return 0
        if self.timed:
            moment = at[0]
            if type(moment) is not str or len(moment) != 26 or moment[10] != " ":
                self.ok = False
                return 0
            if moment < self.last_at:
                self.ok = False
                return 0
            self.last_at = moment
        if type(text) is not bytes or _sha256(text).hexdigest() != own:
            self.doubts.append(row_id)  # type: ignore[arg-type]  # an int: checked above
            if len(self.doubts) > DOUBTS:
                self.ok = False
                return 0
        self.expected = row_id + 1  # type: ignore[operator]  # an int: checked above
        self.prev = own
        return 0


def _wrapped(sql: str, width: int, function: str) -> str:
    """`sql` (rows in id order) with `function` called on each row as SQLite steps through
    them, and the rows counted: `SELECT count(*), count(function(...)) FROM (sql)`. The inner
    ORDER BY stays (an aggregate over an ordered subquery is not flattened), and the rows'
    own checks catch any other order."""
    names = ", ".join(f"c{i}" for i in range(width))
    return f"WITH job_rows({names}) AS ({sql}) SELECT count(*), count({function}({names})) FROM job_rows"


def _stepped(
    cursor: Any, sql: str, bound: int, width: int, name: str, step: Callable[..., int]
) -> tuple[int, int]:
    """(rows, calls of `step` counted by SQL) of `sql` with `step` run on each row; the
    function is taken off the connection after (it may be the verification's own)."""
    connection = cursor.connection
    connection.create_function(name, width, step)
    try:
        cursor.execute(_wrapped(sql, width, name), (bound,))
        rows, called = cursor.fetchone()
    finally:
        connection.create_function(name, width, None)
    return int(rows), int(called)


def chain(cursor: Any, sql: str, bound: int, timed: bool = False) -> Answer:
    """The chain check of a chained table (see the module's docstring). A row whose digest is
    not its own hash though its id and link are right may be one the SQL writes otherwise than
    Python (text outside ASCII): its id is given back for the caller to encode it in Python, at
    most DOUBTS of them. `timed` (the audit entries): the SQL gives each row's time last, which
    must be as the program stores it ('YYYY-MM-DD HH:MM:SS.ffffff') and never go backwards.

    The rows are hashed as SQLite reads them (_Chain.step, a function of the statement): a
    row fetched into Python costs about as much again as its hashing."""
    state = _Chain(timed)
    width = 5 if timed else 4
    rows, called = _stepped(cursor, sql, bound, width, CHAIN_FUNCTION, state.step)
    if not state.ok or rows != state.count or called != rows:
        return [False, min(rows, state.count), state.prev, state.doubts]
    return [True, state.count, state.prev, state.doubts]


class _Listing:
    """The tokens of `listing`, one row at a time as SQLite hands each one to `step`."""

    def __init__(self) -> None:
        self.whole = _sha256()
        self.tokens: list[str] = []
        self.count = self.calls = 0

    def step(self, row_id: object, text: object, odd: object) -> int:
        self.calls += 1
        if odd:
            return 0
        self.count += 1
        digest = _sha256(text).hexdigest() if text is not None else ""  # type: ignore[arg-type]
        self.tokens.append(f"{row_id}:{digest},")  # token()
        if len(self.tokens) >= BATCH:
            self.flush()
        return 0

    def flush(self) -> None:
        self.whole.update("".join(self.tokens).encode())
        self.tokens.clear()


def listing(cursor: Any, sql: str, bound: int) -> Answer:
    """The count and digest of a table's listing (see the module's docstring), leaving out the
    rows the SQL flags as odd (a float not whole: the caller encodes those in Python); a row
    whose SQL gives no text (NULL) gives the token of no hash, which no entry lists. Hashed as
    SQLite reads the rows (_Listing.step), as `chain`."""
    state = _Listing()
    rows, called = _stepped(cursor, sql, bound, 3, TOKEN_FUNCTION, state.step)
    if called != rows or state.calls != rows:
        raise sqlite3.DatabaseError("the listing's rows were not each hashed once")
    state.flush()
    return [state.count, state.whole.hexdigest()]


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
