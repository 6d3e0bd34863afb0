"""Shared fixtures: the study, a settable clock, a real database with the users every workflow
needs, and a snapshot that proves a refusal wrote nothing.

The database is a SQLite file in a temp folder; with DISPENSARY_TEST_DB set to a PostgreSQL URL
(e.g. postgresql+psycopg://postgres@127.0.0.1:55432/postgres) every test gets a database of its
own on that server instead, so the same tests prove both back ends.

Creating users costs an argon2 hash each, so the initialised database with its users is built
once per session as a template and copied for each test (a file copy on SQLite; on PostgreSQL a
CREATE DATABASE ... TEMPLATE, reused by later tests after its rows are put back). Tests also swap the argon2 parameters for cheap ones: the parameters
change the cost of a hash, not what the services do with it (`PRODUCTION_HASHER` keeps the real
ones for the test that checks them).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from dispensary.db.engine import is_sqlite, make_engine
from dispensary.domain.errors import DispensaryError, SignatureFailed
from dispensary.services import setup, users
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study, default_study_path, load_study
from signed import PEOPLE

# The tests read English unless a test asks for another language: a machine whose locale is
# Chinese runs the same suite (dispensary.i18n.system_language reads this first).
os.environ["DISPENSARY_LANG"] = "en"

PG_ENV = "DISPENSARY_TEST_DB"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# The template database (its users) is made before any date a test sets: the audit trail's
# time never goes backwards, so a test's first step may be dated any day after this.
TEMPLATE_MADE = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
PRODUCTION_HASHER = users._hasher

# The users of the template database: username -> (role, full name, initials, password).

E = TypeVar("E", bound=DispensaryError)
Snapshot = dict[str, tuple[int, str]]


def pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def _pg_admin(url: str) -> Iterator[Any]:
    """CREATE/DROP DATABASE run outside a transaction, on the server of the given URL."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


_names = itertools.count(1)


def _pg_name(kind: str) -> str:
    return f"dsp_{kind}_{os.getpid()}_{next(_names)}_{uuid.uuid4().hex[:6]}"


def _pg_create(server: str, template: str | None = None) -> str:
    name = _pg_name("tmpl" if template is None else "test")
    with _pg_admin(server) as conn:
        clause = f' TEMPLATE "{template}"' if template else ""
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
    return name


def _pg_drop(server: str, name: str) -> None:
    with _pg_admin(server) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Template:
    """The initialised database every test starts from, and who is in it."""

    location: str  # a SQLite file path, or the PostgreSQL database name
    actors: dict[str, Actor]


ROWS = "template_rows"  # schema holding the template's rows inside each PostgreSQL copy


class PostgresPool:
    """Copies of the template database, reused between tests.

    CREATE DATABASE ... TEMPLATE takes a quarter of a second; putting the template's rows back
    into a used copy (DELETE, then INSERT from the ROWS schema, then the sequences) takes a
    hundredth. A copy whose tables changed, or that cannot be reset, is dropped and replaced.
    """

    def __init__(self, server: str, template: str) -> None:
        self.server = server
        self.template = template
        self.free: list[str] = []
        self.every: list[str] = []
        with _pg_admin(_with_database(server, template)) as conn:
            self.tables = sorted(inspect(conn).get_table_names())
            self.sequences = [
                (table, column)
                for table, column in conn.exec_driver_sql(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%%'"
                )
            ]
            conn.exec_driver_sql(f"CREATE SCHEMA {ROWS}")
            for table in self.tables:
                conn.exec_driver_sql(f'CREATE TABLE {ROWS}."{table}" AS TABLE public."{table}"')

    def take(self) -> str:
        while self.free:
            name = self.free.pop()
            if self._reset(name):
                return name
            self._drop(name)
        name = _pg_create(self.server, template=self.template)
        self.every.append(name)
        return name

    def give_back(self, name: str) -> None:
        self.free.append(name)

    def close(self) -> None:
        for name in self.every:
            _pg_drop(self.server, name)
        self.every.clear()
        self.free.clear()

    def _drop(self, name: str) -> None:
        self.every.remove(name)
        _pg_drop(self.server, name)

    def _reset(self, name: str) -> bool:
        with _pg_admin(_with_database(self.server, name)) as conn:
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if sorted(inspect(conn).get_table_names()) != self.tables:
                return False
            try:
                conn.exec_driver_sql("BEGIN")
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                for table in self.tables:
                    conn.exec_driver_sql(f'DELETE FROM public."{table}"')
                    conn.exec_driver_sql(f'INSERT INTO public."{table}" TABLE {ROWS}."{table}"')
                for table, column in self.sequences:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('public.\"{table}\"', '{column}'), "
                        f'COALESCE(MAX("{column}"), 0) + 1, false) FROM public."{table}"'
                    )
                conn.exec_driver_sql("COMMIT")
            except DBAPIError:
                conn.exec_driver_sql("ROLLBACK")
                return False
        return True


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's own data folder (DISPENSARY_HOME, unless the test sets its own): what the
    program keeps beside a server database's backups there, such as the audit trail's last
    verified point (services.audit_check), never reaches the machine's real folder nor another
    test's database of the same name (the PostgreSQL pool hands names out again)."""
    if "DISPENSARY_HOME" not in os.environ:
        monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="session")
def production_hasher() -> PasswordHasher:
    """The program's own argon2 parameters (tests hash with cheap ones)."""
    return PRODUCTION_HASHER


@pytest.fixture(scope="session")
def study() -> Study:
    return load_study(default_study_path())


@pytest.fixture
def clock() -> FixedClock:
    """Monday 5 January 2026, 09:00 UTC; tests move it with `clock.set_date`."""
    return FixedClock(START)


@pytest.fixture
def passwords() -> dict[str, str]:
    return {name: person[3] for name, person in PEOPLE.items()}


@pytest.fixture
def pw() -> Callable[[Actor], str]:
    """The password a test user signs with."""
    return lambda actor: PEOPLE[actor.username][3]


def _build_template(url: str, study: Study) -> dict[str, Actor]:
    role, name, initials, password = PEOPLE["admin"]
    ctx = setup.init_database(
        url, study, "admin", name, initials, password, FixedClock(TEMPLATE_MADE)
    )
    try:
        admin = users.sign_in(ctx, "admin", password)
        for username, (role, name, initials, password) in PEOPLE.items():
            if username != "admin":
                users.add_user(
                    ctx, admin, username, role, name, initials, password, temporary_password=False
                )
        with ctx.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, username FROM users")).all()
    finally:
        ctx.engine.dispose()
    ids = {username: user_id for user_id, username in rows}
    return {
        username: Actor(ids[username], username, name, initials, role)
        for username, (role, name, initials, _password) in PEOPLE.items()
    }


@pytest.fixture(scope="session")
def _template(
    study: Study, tmp_path_factory: pytest.TempPathFactory, cheap_argon2: None
) -> Iterator[Template]:
    server = pg_url()
    if server is None:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        actors = _build_template(str(path), study)
        yield Template(str(path), actors)
        return
    name = _pg_create(server)
    try:
        actors = _build_template(_with_database(server, name), study)
        yield Template(name, actors)
    finally:
        _pg_drop(server, name)


@pytest.fixture(scope="session")
def _postgres_pool(_template: Template) -> Iterator[PostgresPool | None]:
    server = pg_url()
    if server is None:
        yield None
        return
    pool = PostgresPool(server, _template.location)
    try:
        yield pool
    finally:
        pool.close()


@dataclass
class DatabaseFactory:
    """Fresh databases for one test (or one hypothesis example): empty, or from the template."""

    template: Template
    pool: PostgresPool | None
    folder: Path
    made: list[tuple[str, Engine | None]]

    def empty_url(self) -> str:
        if self.pool is None:
            return str(self.folder / f"empty-{next(_names)}.sqlite3")
        name = _pg_create(self.pool.server, template="template0")
        self.made.append((name, None))
        return _with_database(self.pool.server, name)

    def context(self, study: Study, clock: FixedClock) -> Context:
        if self.pool is None:
            path = self.folder / f"db-{next(_names)}.sqlite3"
            shutil.copyfile(self.template.location, path)
            wal = Path(f"{self.template.location}-wal")
            if wal.exists():  # normally merged when the template's engine was disposed
                shutil.copyfile(wal, f"{path}-wal")
            name = url = str(path)
        else:
            name = self.pool.take()
            url = _with_database(self.pool.server, name)
        engine = make_engine(url)
        self.made.append((name, engine))
        return Context(engine, study, clock, url)

    def release(self, ctx: Context) -> None:
        """Done with one database before the test ends (a hypothesis example, say)."""
        for made in list(self.made):
            if made[1] is ctx.engine:
                self._close(*made)
                self.made.remove(made)

    def close(self) -> None:
        for name, engine in self.made:
            self._close(name, engine)
        self.made.clear()

    def _close(self, name: str, engine: Engine | None) -> None:
        if engine is not None:
            engine.dispose()
        if self.pool is None:
            return
        if engine is None:  # an empty database from empty_url
            _pg_drop(self.pool.server, name)
        else:
            self.pool.give_back(name)


@pytest.fixture
def databases(
    _template: Template, _postgres_pool: PostgresPool | None, tmp_path: Path
) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(_template, _postgres_pool, tmp_path, [])
    yield factory
    factory.close()


@pytest.fixture
def db_url(databases: DatabaseFactory) -> str:
    """A database location with nothing in it yet (for tests of `init` and `open`)."""
    return databases.empty_url()


@pytest.fixture
def ctx(databases: DatabaseFactory, study: Study, clock: FixedClock) -> Context:
    """An initialised database (services.setup.init_database) with the users of PEOPLE."""
    return databases.context(study, clock)


@pytest.fixture
def admin(_template: Template) -> Actor:
    return _template.actors["admin"]


@pytest.fixture
def pharmacist(_template: Template) -> Actor:
    return _template.actors["pharm"]


@pytest.fixture
def pharmacist2(_template: Template) -> Actor:
    return _template.actors["pharm2"]


@pytest.fixture
def technician(_template: Template) -> Actor:
    return _template.actors["tech"]


@pytest.fixture
def monitor(_template: Template) -> Actor:
    return _template.actors["monitor"]


_tables: WeakKeyDictionary[Engine, list[str]] = WeakKeyDictionary()


def take_snapshot(ctx: Context) -> Snapshot:
    """Row count and a digest of the content of every table (chain head and audit included)."""
    bind = ctx.engine.execution_options(sqlite_begin="DEFERRED") if is_sqlite(ctx.engine) else None
    with (bind or ctx.engine).connect() as conn:
        found: Snapshot = {}
        tables = _tables.get(ctx.engine)
        if tables is None:
            tables = _tables[ctx.engine] = sorted(inspect(conn).get_table_names())
        for table in tables:
            rows = sorted(repr(tuple(r)) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"'))
            found[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return found


@pytest.fixture
def snapshot() -> Callable[[Context], Snapshot]:
    """`before = snapshot(ctx)` ... `assert snapshot(ctx) == before`: nothing was written."""
    return take_snapshot


def _changed(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


@contextmanager
def _refused(ctx: Context, error: type[E], words: str) -> Iterator[pytest.ExceptionInfo[E]]:
    before = take_snapshot(ctx)
    with pytest.raises(error) as info:
        yield info
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    assert words in info.value.message, info.value.message
    after = take_snapshot(ctx)
    if isinstance(info.value, SignatureFailed):
        # Nothing of the step; only the wrong password counted against its signer, by the
        # service itself: one `signature_failed` entry more, the account's failures (users).
        assert info.value.counted, f"the failed signature was not counted: {info.value.uncounted}"
        assert after["audit_entries"][0] == before["audit_entries"][0] + 1
        counting = {"users", "audit_entries", "audit_entry_studies", "chain_head"}
        before = {t: v for t, v in before.items() if t not in counting}
        after = {t: v for t, v in after.items() if t not in counting}
    changed = _changed(before, after)
    assert not changed, f"a refusal wrote to {changed}"


@pytest.fixture
def refused() -> Callable[..., AbstractContextManager[pytest.ExceptionInfo[Any]]]:
    """`with refused(ctx, RuleViolation, "words of the message"):` the call inside must raise
    exactly that error type, its message must hold the words, and no table may change."""
    return _refused
