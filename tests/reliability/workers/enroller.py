"""A second workstation saving records while a restore runs.

    enroller.py DB USERNAME PASSWORD FIRST LOG_FILE STOP_FILE MODE

It signs in, prints "ready", then enrols 02-FIRST, 02-FIRST+1 ... until STOP_FILE exists,
retrying a number whose attempt failed. MODE says how it holds the database:

- "each": a connection of its own for every step (setup.open_database, then dispose), as the
  `dispensary` command does; it never holds the file between steps, so a restore can go ahead.
- "waiter": one engine made after "go" is read on stdin (the test sends it while the restore
  holds its lock), so its first connection is opened while the file is locked and is left
  waiting on the lock; it keeps that engine, as a window's pool would.
- "holder": one engine opened at start and kept (an open window's idle pooled connection);
  after "go" on stdin, it enrols with that same engine.

Each attempt appends one JSON line to LOG_FILE: {"number", "ok", "start", "end", "error"},
times from time.monotonic().
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from dispensary.db.engine import make_engine
from dispensary.services import participants, setup, users
from dispensary.services.context import Context, SystemClock

CLOCK = SystemClock()  # the restore dates its entry now: a save after it may not be dated earlier


def main(argv: list[str]) -> int:
    db, username, secret, first, log_file, stop_file, mode = argv
    log = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    opened = setup.open_database(db, CLOCK)
    actor = users.sign_in(opened.context, username, secret)
    study = opened.context.study
    kept: Context | None = opened.context if mode == "holder" else None
    if kept is None:
        opened.context.engine.dispose()
    print("ready", flush=True)
    if mode in ("waiter", "holder"):
        sys.stdin.readline()
    if mode == "waiter":
        kept = Context(make_engine(db), study, CLOCK, db)
    number = int(first)
    stop, deadline = Path(stop_file), time.monotonic() + 300  # never left running for ever
    while mode == "holder" or (not stop.exists() and time.monotonic() < deadline):
        entry: dict[str, object] = {"number": f"02-{number:04d}", "start": time.monotonic()}
        ctx = kept
        try:
            if ctx is None:
                ctx = setup.open_database(db, CLOCK).context
            try:
                participants.enroll(
                    ctx,
                    actor,
                    str(entry["number"]),
                    "CD",
                    1965,
                    "F",
                    "Dr Liu",
                    criteria_confirmed=participants.eligibility_checklist(ctx.study),
                )
            finally:
                if kept is None:
                    ctx.engine.dispose()
            entry["ok"] = True
            number += 1
        except Exception as exc:
            entry["ok"] = False
            entry["error"] = f"{type(exc).__name__}: {exc}"[:300]
        entry["end"] = time.monotonic()
        os.write(log, (json.dumps(entry) + "\n").encode())
        if mode == "holder":  # a holder saves once, then ends
            break
        time.sleep(0.02)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
