"""The `dispensary` command run for real, as a subprocess, against a copy of the demo database.

The demo is built once per session by `dispensary demo` itself; its users' light argon2 hashes
keep each command's sign-in and signatures to milliseconds, so a command costs about the
interpreter's start-up. Every run fixes "today" with DISPENSARY_TODAY (the demo's last day), so
no test depends on the calendar. With DISPENSARY_TEST_DB (a PostgreSQL server) the demo is built
on that server and each test gets its own copy (CREATE DATABASE ... TEMPLATE).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import Cli, DemoMaster, pg_server, pg_statement, pg_url, state_of


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoMaster]:
    folder = tmp_path_factory.mktemp("cli-demo")
    server = pg_server()
    name = f"dsp_cli_demo_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    if server is None:
        location = str(folder / "demo.sqlite3")
    else:
        pg_statement(server, f'CREATE DATABASE "{name}"')
        location = pg_url(server, name)
    result = Cli(location, folder)("demo", "--db", location, "--json", user=None)
    assert result.code == 0, result.err
    try:
        yield DemoMaster(location if server is None else name, result.json())
    finally:
        if server is not None:
            pg_statement(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo_db(demo_master: DemoMaster, tmp_path: Path) -> Iterator[str]:
    """A copy of the demo database of this test's own."""
    server = pg_server()
    if server is None:
        copy = tmp_path / "demo.sqlite3"
        shutil.copyfile(demo_master.location, copy)
        copy.chmod(0o600)  # owner-only, as the program creates it (else every command warns)
        yield str(copy)
        return
    name = f"dsp_cli_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    pg_statement(server, f'CREATE DATABASE "{name}" TEMPLATE "{demo_master.location}"')
    try:
        yield pg_url(server, name)
    finally:
        pg_statement(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cli(demo_db: str, tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(demo_db, home)


@pytest.fixture
def sqlite_only() -> None:
    if pg_server() is not None:
        pytest.skip("SQLite files only (backups, damaged files) or no database: the SQLite run")


@pytest.fixture
def state() -> Callable[[str], dict[str, Any]]:
    """`before = state(db)` ... `assert state(db) == before`: the refusal wrote nothing."""
    return state_of
