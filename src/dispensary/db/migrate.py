"""Schema by migration only: create, upgrade (after a backup), and refuse a newer schema.

Opening a database at the current schema must be quick (it is on the way to the sign-in
window), so the revisions are read from the migration files' text and the database's
alembic_version table; Alembic itself is imported only to create or upgrade a schema.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from dispensary.db.engine import is_sqlite, writing

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _revisions() -> dict[str, str | None]:
    """revision -> the revision it follows, read from each file under versions/."""
    return dict(_revisions_in(MIGRATIONS))


@functools.lru_cache(maxsize=8)
def _revisions_in(folder: Path) -> tuple[tuple[str, str | None], ...]:
    """Read once per folder and process: the program's files do not change while it runs, and
    a database opened later need not read them again (an inspector's account that may not
    read the installation's folder once the program has started, for one)."""
    found: dict[str, str | None] = {}
    for script in sorted((folder / "versions").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        down = _DOWN.search(source)
        if revision and down:
            found[revision.group(1)] = down.group(1)
    return tuple(found.items())


def head_revision() -> str:
    revisions = _revisions()
    heads = set(revisions) - {down for down in revisions.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def known_revisions() -> set[str]:
    return set(_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def upgrade(engine: Engine) -> None:
    from alembic import command

    with writing(engine).connect() as conn:
        # SQLite: a migration that rebuilds a table others refer to (0008: participants) runs
        # with foreign keys off, as SQLite's own procedure asks; they are checked before the
        # commit and turned back on whatever happens. PRAGMA foreign_keys must be set outside
        # a transaction, hence on the driver's connection before BEGIN.
        raw = conn.connection.driver_connection if is_sqlite(engine) else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():  # the write lock at BEGIN, as any writer
                config = alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                if raw is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(
                            f"upgrade left a broken reference in {broken[0]} row {broken[1]}"
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
