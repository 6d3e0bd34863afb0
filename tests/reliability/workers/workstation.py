"""One workstation of a busy pharmacy: dispenses, receives, enrols, records returns and
quarantines, all against the same database as the other workstations, on purpose contending
for the same participants, kits and shipment numbers.

    workstation.py DB USERNAME PASSWORD SEED OPERATIONS LOG_FILE

It signs in, prints "ready", waits for a line on stdin (so all workstations start together),
then writes one JSON line per attempt to the log: the operation and its outcome ("ok",
"refused" with the DispensaryError's class and message, or "error" with the traceback of
anything else, which the test counts as a failure).
"""

from __future__ import annotations

import json
import os
import random
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, date, datetime

from dispensary.domain.errors import DispensaryError
from dispensary.services import (
    dispensing,
    participants,
    quarantine,
    queries,
    receiving,
    returns,
    setup,
    users,
)
from dispensary.services.context import Actor, Context, FixedClock

DAY1 = date(2026, 1, 5)
EXPIRY = date(2027, 6, 30)
PRODUCT = "herombopag-7.5mg"
PARTICIPANTS = 150  # 01-0001 ... enrolled before the run
KITS = 400  # K00001 ... received before the run
SHIPMENTS = 30  # SH-W-0 ... with overlapping kit ranges W0001-W0010, W0006-W0015, ...
NEW_PARTICIPANTS = 60  # 02-0001 ... enrolled during the run, each by whoever is first


class Workstation:
    def __init__(self, ctx: Context, actor: Actor, secret: str, rng: random.Random) -> None:
        self.ctx, self.actor, self.secret, self.rng = ctx, actor, secret, rng

    def participant(self) -> str:
        return f"01-{self.rng.randint(1, PARTICIPANTS):04d}"

    def kit(self) -> str:
        return f"K{self.rng.randint(1, KITS):05d}"

    def dispense(self) -> None:
        dispensing.dispense_cycle(self.ctx, self.actor, self.participant(), 1, DAY1, self.secret)

    def dispense_scanned(self) -> None:
        dispensing.dispense_cycle(
            self.ctx, self.actor, self.participant(), 1, DAY1, self.secret, kits=[self.kit()]
        )

    def receive(self) -> None:
        n = self.rng.randrange(SHIPMENTS)
        listed = receiving.kits_from_range(
            self.ctx, f"W{n * 5 + 1:04d}-W{n * 5 + 10:04d}", PRODUCT, "LW1", EXPIRY, None
        )
        receiving.receive_shipment(self.ctx, self.actor, f"SH-W-{n}", listed)

    def enroll(self) -> None:
        number = f"02-{self.rng.randint(1, NEW_PARTICIPANTS):04d}"
        participants.enroll(
            self.ctx,
            self.actor,
            number,
            "CD",
            1965,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(self.ctx.study),
        )

    def record_return(self) -> None:
        number = self.participant()
        _row, history = queries.participant_history(self.ctx, self.actor, number)
        kits = [kit for row in history if row.cycle == 1 for kit in row.kits] or [self.kit()]
        returns.record_return(
            self.ctx,
            self.actor,
            self.rng.choice(kits),
            self.rng.randint(0, 5),
            self.secret,
            study_number=number,
            cycle=1,
        )

    def quarantine(self) -> None:
        quarantine.quarantine(self.ctx, self.actor, [self.kit()], "dropped on the floor")

    def release(self) -> None:
        quarantine.release(
            self.ctx,
            self.actor,
            [self.kit()],
            "sponsor says release",
            "TE-2026-014",
            password=self.secret,
        )


def main(argv: list[str]) -> int:
    db, username, secret, seed, operations, log_file = argv
    rng = random.Random(int(seed))
    clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    ctx = setup.open_database(db, clock).context
    station = Workstation(ctx, users.sign_in(ctx, username, secret), secret, rng)
    steps: list[tuple[str, Callable[[], None], int]] = [
        ("dispense", station.dispense, 5),
        ("dispense_scanned", station.dispense_scanned, 3),
        ("receive", station.receive, 2),
        ("enroll", station.enroll, 2),
        ("return", station.record_return, 3),
        ("quarantine", station.quarantine, 1),
        ("release", station.release, 1),
    ]
    names = [s[0] for s in steps]
    doers = {s[0]: s[1] for s in steps}
    weights = [s[2] for s in steps]
    log = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(int(operations)):
        name = rng.choices(names, weights)[0]
        entry: dict[str, str] = {"worker": username, "op": name}
        try:
            doers[name]()
            entry["outcome"] = "ok"
        except DispensaryError as exc:
            entry.update(outcome="refused", kind=type(exc).__name__, message=exc.message[:300])
        except Exception as exc:
            entry.update(outcome="error", kind=type(exc).__name__, message=traceback.format_exc())
        os.write(log, (json.dumps(entry) + "\n").encode())
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
