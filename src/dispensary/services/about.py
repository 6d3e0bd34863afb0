"""What the About box says of the running program: its version, the database it keeps its
records in, and the study files loaded into it. A support call starts from these facts, so they
come from the services (the database named as messages name it: never with a password)."""

from __future__ import annotations

import platform
import sqlite3
from dataclasses import dataclass

from dispensary import __version__
from dispensary.db.engine import display_name
from dispensary.domain.errors import DispensaryError
from dispensary.services import studies
from dispensary.services.context import Actor, Context
from dispensary.services.results import StudyRow


@dataclass(frozen=True)
class AboutFacts:
    version: str
    database: str  # a SQLite file's path, or a server URL without its password
    engine: str  # "SQLite 3.40.1" or "PostgreSQL"
    python: str
    studies: tuple[StudyRow, ...]  # the study files loaded that this user may see


def about(ctx: Context, actor: Actor) -> AboutFacts:
    """The facts of this workstation's program and database. A study list the database cannot
    give now (busy, the account ended) leaves the list empty rather than the box unopened."""
    url = ctx.engine.url
    if url.get_backend_name() == "sqlite":
        engine = f"SQLite {sqlite3.sqlite_version}"
    else:
        engine = "PostgreSQL"
    try:
        rows = tuple(studies.list_studies(ctx, actor))
    except DispensaryError:
        rows = ()
    return AboutFacts(
        version=__version__,
        database=display_name(url),
        engine=engine,
        python=platform.python_version(),
        studies=rows,
    )
