"""Running the real `dispensary` command in tests: a clean environment, a fixed today, results
with their exit code, and the state a refusal must leave untouched."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from dispensary.db.engine import make_engine, read_transaction
from dispensary.db.models import AuditEntry, Dispense, Kit, LedgerEntry, Participant, Return
from dispensary.services.demo import DEMO_PASSWORD

DEMO_TODAY = date(2026, 3, 2)
DEMO_STUDY = "NCT07198672"
PG_ENV = "DISPENSARY_TEST_DB"
SIGN_IN_ACTIONS = ("sign_in", "sign_in_failed", "sign_in_refused")
_SCRIPT = Path(sys.executable).parent / "dispensary"
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "dispensary.cli"]
SUBPROCESS_ENV = "DISPENSARY_TEST_CLI_SUBPROCESS"  # =1: every CLI test runs the command itself


def pg_server() -> str | None:
    return os.environ.get(PG_ENV) or None


def pg_statement(server: str, statement: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def pg_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.out.strip(), f"no JSON on stdout; stderr: {self.err}"
        return json.loads(self.out)


@dataclass
class Cli:
    """Runs `dispensary` with a clean environment: this database, the demo password, a fixed
    today, and (unless told otherwise) signed in as the demo pharmacist."""

    db: str
    home: Path
    today: date = DEMO_TODAY
    user: str | None = "pharmacist"
    runs: list[list[str]] = field(default_factory=list)
    subprocess: bool = False  # True: run the installed command (smoke tests)

    def __call__(
        self, *args: str, user: str | None = "", env: dict[str, str | None] | None = None
    ) -> Result:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DISPENSARY_")}
        environment |= {
            "DISPENSARY_HOME": str(self.home),
            "DISPENSARY_DB": self.db,
            "DISPENSARY_PASSWORD": DEMO_PASSWORD,
            "DISPENSARY_TODAY": self.today.isoformat(),
            "DISPENSARY_LANG": "en",  # English unless a test gives --lang, whatever LANG says
            # The demo pharmacy holds three studies: the commands work in the first unless a
            # test names another (--study) or none (env={"DISPENSARY_STUDY": None}).
            "DISPENSARY_STUDY": DEMO_STUDY,
        }
        who = self.user if user == "" else user
        if who:
            environment["DISPENSARY_USER"] = who
        for key, value in (env or {}).items():
            if value is None:
                environment.pop(key, None)
            else:
                environment[key] = value
        self.runs.append(list(args))
        if self.subprocess or os.environ.get(SUBPROCESS_ENV) == "1":
            return run_subprocess(list(args), environment)
        return run_in_process(list(args), environment)


def run_subprocess(args: list[str], environment: dict[str, str]) -> Result:
    """The installed command in a process of its own: what a user runs (the smoke tests)."""
    proc = subprocess.run(
        [*COMMAND, *args],
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_in_process(args: list[str], environment: dict[str, str]) -> Result:
    """`dispensary.cli.main(args)` in this process, with exactly `environment` as os.environ and
    stdin, stdout and stderr of its own: the same code path as the command, without a Python
    start-up per call (a subprocess per CLI test made them the slowest of the suite)."""
    from dispensary import cli

    saved_env = dict(os.environ)
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_umask = os.umask(0o022)
    os.umask(saved_umask)
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(environment)
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
        code = cli.main(args)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_env)
        os.umask(saved_umask)
    return Result(code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class DemoMaster:
    location: str  # a SQLite file, or a PostgreSQL database name on DISPENSARY_TEST_DB's server
    info: dict[str, Any]  # what `dispensary demo --json` printed


def state_of(db: str) -> dict[str, Any]:
    """What a refusal must leave as it was: every record but the sign-in entries of the audit
    trail (each command signs in, and a wrong password is counted, as it should be)."""
    engine = make_engine(db)
    try:
        with read_transaction(engine) as s:
            return {
                "audit": [
                    (e.id, e.action, e.entity_id, e.new)
                    for e in s.scalars(
                        select(AuditEntry)
                        .where(AuditEntry.action.not_in(SIGN_IN_ACTIONS))
                        .order_by(AuditEntry.id)
                    )
                ],
                "ledger": s.scalar(select(func.count()).select_from(LedgerEntry)),
                "kits": sorted(s.execute(select(Kit.number, Kit.status)).tuples()),
                "participants": sorted(
                    s.execute(select(Participant.study_number, Participant.status)).tuples()
                ),
                "dispenses": s.scalar(select(func.count()).select_from(Dispense)),
                "returns": s.scalar(select(func.count()).select_from(Return)),
            }
    finally:
        engine.dispose()
