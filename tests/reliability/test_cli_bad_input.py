"""Bad arguments to the `dispensary` command, run in-process (dispensary.cli.main): every
command and sub-command of the real parser, its positionals and options filled by hypothesis
with junk (control characters, huge and SQL-looking text, unicode, impossible dates, negative
and huge numbers, unknown barcodes).

Whatever the arguments, the command answers with a usage error (2), a refusal (3), a permission
or sign-in refusal (4) or a plain error (1) that names the problem: never a crash ("Unexpected
error", a traceback). When it refuses, the records are as before (sign-in entries aside).
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect

from dispensary import cli
from dispensary.db.engine import is_sqlite
from dispensary.services import participants, receiving, setup
from dispensary.services.context import Actor, Context

from .conftest import Figures
from .test_bad_input import LATE, NASTY, P75, QUICK, RUNS

GLOBAL = {"help", "db", "user", "json"}
SKIPPED = {("demo",)}  # builds six months of records: slow, and it writes its own file
SIGN_IN_ACTIONS = ("sign_in", "sign_in_failed", "sign_in_refused")

ARGUMENT = st.one_of(
    st.text(max_size=40).filter(lambda s: "\x00" not in s),
    st.sampled_from([s for s in NASTY if "\x00" not in s]),
    st.integers().map(str),
    st.sampled_from(
        [
            "0000-01-01",
            "2026-02-30",
            "9999-12-31",
            "1999-12-31",
            "2030-01-01",
            "26/01/2026",
            "-1",
            "1e9",
            "nan",
            "99999999999999999999",
            "K0001",
            "Q99999999",
            "01-001",
            "DSP000001",
            "--",
            "-",
        ]
    ),
)


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield path, parser
        return
    for name, sub in groups[0].choices.items():
        yield from _leaves(sub, (*path, name))


COMMANDS = [(path, p) for path, p in _leaves(cli.build_parser()) if path and path not in SKIPPED]


def _argv(path: tuple[str, ...], parser: argparse.ArgumentParser) -> st.SearchStrategy[list[str]]:
    pieces: list[st.SearchStrategy[list[str]]] = [st.just(list(path))]
    for action in parser._actions:
        if action.dest in GLOBAL or isinstance(action, argparse._SubParsersAction):
            continue
        value = ARGUMENT
        if action.choices:
            value = st.one_of(st.sampled_from([str(c) for c in action.choices]), ARGUMENT)
        if not action.option_strings:
            many = action.nargs in ("+", "*")
            pieces.append(st.lists(value, min_size=1, max_size=3 if many else 1))
            continue
        flag = action.option_strings[0]
        given_value = (
            st.just([flag]) if action.nargs == 0 else st.tuples(st.just(flag), value).map(list)
        )
        pieces.append(given_value if action.required else st.one_of(st.just([]), given_value))
    pieces.append(st.lists(ARGUMENT, max_size=1))  # a stray extra argument, sometimes
    return st.tuples(*pieces).map(lambda parts: [token for part in parts for token in part])


ANY_COMMAND = st.sampled_from(COMMANDS).flatmap(lambda c: _argv(*c))


def _records(ctx: Context) -> dict[str, str]:
    """A digest of every table, sign-in entries of the audit trail left out (each command
    signs in, and that is recorded whatever the command then does; a study named that the
    user may not open is refused after the sign-in, as one the database does not hold)."""
    bind = ctx.engine.execution_options(sqlite_begin="DEFERRED") if is_sqlite(ctx.engine) else None
    found: dict[str, str] = {}
    with (bind or ctx.engine).connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table in ("chain_head", "users"):
                continue
            query = f'SELECT * FROM "{table}"'
            listed = ", ".join(f"'{a}'" for a in SIGN_IN_ACTIONS)
            if table == "audit_entries":
                query += f" WHERE action NOT IN ({listed})"
            if table == "audit_entry_studies":  # and their rows in the study index
                query += (
                    " WHERE audit_entry_id NOT IN (SELECT id FROM audit_entries WHERE action IN "
                    f"({listed}))"
                )
            rows = sorted(repr(tuple(r)) for r in conn.exec_driver_sql(query))
            found[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return found


@pytest.mark.parametrize("examples", RUNS)
def test_the_command_line_refuses_bad_arguments_cleanly(
    examples: int,
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    figures: Figures,
) -> None:
    listed = receiving.kits_from_range(ctx, "K0001-K0005", P75, "L1", LATE, None)
    receiving.receive_shipment(ctx, pharmacist, "SH-1", listed)
    participants.enroll(
        ctx,
        pharmacist,
        "01-001",
        "AB",
        1970,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # labels, reports and backups given a junk --out land here
    monkeypatch.setenv("DISPENSARY_DB", ctx.database)
    monkeypatch.setenv("DISPENSARY_USER", pharmacist.username)
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    monkeypatch.setenv("DISPENSARY_TODAY", "2026-01-05")  # as on a training database:
    monkeypatch.setattr(setup, "training_clock_allowed", lambda _ctx: True)
    for name in ("DISPENSARY_NEW_PASSWORD", "DISPENSARY_VERIFIER_PASSWORD", "DISPENSARY_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    codes: dict[int, int] = {}

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=examples == QUICK,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(ANY_COMMAND)
    def check(argv: list[str]) -> None:
        before = _records(ctx)
        capsys.readouterr()
        code = cli.main(argv)
        _out, err = capsys.readouterr()
        assert "Unexpected error" not in err and "Traceback" not in err, (argv, err)
        assert code in (0, 2, 3, 4), (argv, code)  # never 1: an unexpected error
        if code:
            assert err.strip(), f"{argv}: a refusal says why"
            assert _records(ctx) == before, f"{argv} was refused but wrote to the records"
        codes[code] = codes.get(code, 0) + 1
        figures.add("bad input.command lines tried")

    check()
    assert sum(v for k, v in codes.items() if k) > 0, codes
    print(f"\ncommand lines by exit code: {dict(sorted(codes.items()))}")


def test_every_command_is_fuzzed() -> None:
    names = {path[0] for path, _ in COMMANDS}
    assert {"dispense", "receive", "enroll", "return", "count", "destroy"} <= names
