"""Dispenses cycle 1 to each listed participant, as a workstation would, until killed.

    dispense_loop.py DB USERNAME PASSWORD NUMBERS_FILE LOG_FILE

Participants already dispensed (by an earlier run that was killed) are skipped. The log gets
"attempt N" before each dispense and "done N DSP..." once it has committed, appended with one
write each, so a kill never leaves half a line. Every SQL statement is announced on stdout (one
"e" line), so the test can kill the process at a chosen point inside a transaction.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from dispensary.domain.errors import DispensaryError
from dispensary.services import dispensing, queries, setup, users
from dispensary.services.context import FixedClock

DAY1 = date(2026, 1, 5)


def main(argv: list[str]) -> int:
    db, username, secret, numbers_file, log_file = argv
    numbers = Path(numbers_file).read_text(encoding="utf-8").split()
    log = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def note(line: str) -> None:
        os.write(log, (line + "\n").encode())

    clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    ctx = setup.open_database(db, clock).context

    @event.listens_for(ctx.engine, "before_cursor_execute")
    def _announce(*_args: Any) -> None:
        os.write(1, b"e\n")

    actor = users.sign_in(ctx, username, secret)
    for number in numbers:
        if queries.participant(ctx, actor, number).last_cycle is not None:
            continue
        note(f"attempt {number}")
        try:
            result = dispensing.dispense_cycle(ctx, actor, number, 1, DAY1, secret)
        except DispensaryError as exc:
            note(f"refused {number} {type(exc).__name__}: {exc.message[:200]}")
            continue
        except Exception:
            note(f"error {number} {traceback.format_exc()!r}")
            return 1
        note(f"done {number} {result.number}")
    note("finished")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
