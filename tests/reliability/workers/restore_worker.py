"""Restores a backup over a database as `dispensary restore` does, announcing each step of the
swap, and stops itself with SIGKILL at a named step (or pauses there).

    restore_worker.py DB BACKUP KILL_AT PAUSE_AT PAUSE_SECONDS

KILL_AT and PAUSE_AT name one of backup.RESTORE_STEPS, or "-". Each step is printed as
"step NAME T", T being time.monotonic() (one clock for every process of the machine, so the
test can compare it with a workstation's log). The last line is "restored" or "refused CLASS".
"""

from __future__ import annotations

import os
import signal
import sys
import time

from dispensary.domain.codes import Role
from dispensary.domain.errors import DispensaryError
from dispensary.services import backup
from dispensary.services.context import Actor

ADMIN = Actor(1, "admin", "Ada Admin", "AA", Role.ADMINISTRATOR)
"""The administrator signed in to the current database, who restores."""


def main(argv: list[str]) -> int:
    db, source, kill_at, pause_at, pause = argv

    def on_step(name: str) -> None:
        print(f"step {name} {time.monotonic():.6f}", flush=True)
        if name == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if name == pause_at:
            time.sleep(float(pause))

    try:
        backup.restore(db, source, ADMIN, on_step=on_step, reason="restored in a test")
    except DispensaryError as exc:
        print(f"refused {type(exc).__name__}: {exc.message}", flush=True)
        return 3
    print("restored", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
