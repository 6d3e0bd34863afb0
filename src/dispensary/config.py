"""Settings and paths: where the database, backups and settings live on this workstation."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from platformdirs import user_config_dir, user_data_dir

from dispensary.files import write_private

APP = "Dispensary"
ENV_DB = "DISPENSARY_DB"


def data_dir() -> Path:
    override = os.environ.get("DISPENSARY_HOME")
    return Path(override) if override else Path(user_data_dir(APP, appauthor=False))


def in_data_folder(database: str) -> str:
    """A database file typed without its folder (`pharmacy.sqlite3`, `records/pharmacy.sqlite3`)
    as a file in the data folder: the windows' working folder is wherever a desktop shortcut
    started the program, nowhere anyone chose. A full path, `~/...` and a URL are kept."""
    if not database or "://" in database or database.startswith("file:"):
        return database
    if Path(database).expanduser().is_absolute():
        return database
    return str(data_dir() / database)


def config_dir() -> Path:
    override = os.environ.get("DISPENSARY_HOME")
    return Path(override) if override else Path(user_config_dir(APP, appauthor=False))


def default_database() -> str:
    return str(data_dir() / "dispensary.sqlite3")


def location_file() -> Path:
    """Where the first-run set-up wrote which database this workstation uses (a file in
    another folder, or a PostgreSQL URL): owner-only, since a URL may carry a password."""
    return config_dir() / "database.txt"


def saved_database() -> str | None:
    try:
        text = location_file().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None


def stored_form(database: str) -> str:
    """The location as kept for the next start: a file by its absolute path (the program may
    be started from another folder), a URL without its password (which the PostgreSQL
    password file supplies: PGPASSFILE, else ~/.pgpass or %APPDATA%\\postgresql\\pgpass.conf).
    A SQLite URL is kept as its file's absolute path too: "sqlite:///pharmacy.sqlite3" names a
    file relative to the folder the program happened to start in."""
    if "://" not in database:
        return str(Path(database).expanduser().resolve())
    file = _sqlite_file(database)
    if file is not None:
        return file
    return without_password(database)[0]


def _sqlite_file(url: str) -> str | None:
    """The absolute path of a plain SQLite URL's file (None for any other URL, or one with
    options, kept as it was given)."""
    from sqlalchemy.engine import make_url  # here: `dispensary --help` loads no SQLAlchemy
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # not a URL SQLAlchemy reads: kept as given
        return None
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or parsed.query or not name or name == ":memory:":
        return None
    return str(Path(name).resolve())  # as SQLite opens it: no ~ expanded


def without_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (None when it had none)."""
    parts = urlsplit(url)
    user, at, host = parts.netloc.rpartition("@")
    if not at or ":" not in user:
        return url, None
    name, _colon, password = user.partition(":")
    return urlunsplit(parts._replace(netloc=f"{name}@{host}")), unquote(password)


def save_database(database: str) -> Path:
    """Kept for the next start (see `stored_form`); the default file needs no note."""
    file = location_file()
    kept = stored_form(database)
    if kept == stored_form(default_database()):
        file.unlink(missing_ok=True)
        return file
    file.parent.mkdir(parents=True, exist_ok=True)
    write_private(file, (kept + "\n").encode("utf-8"))
    return file


def database_from(option: str | None) -> str:
    """--db wins, then DISPENSARY_DB, then the one chosen at set-up, then the file in the user
    data folder."""
    return option or os.environ.get(ENV_DB) or saved_database() or default_database()


def backup_dir(database: str) -> Path:
    if "://" in database:
        return data_dir() / "backups"
    return Path(database).expanduser().resolve().parent / "backups"


@dataclass
class Settings:
    """Workstation settings (not study facts): kept in settings.json in the config folder.
    The idle lock time is the pharmacy's (services/pharmacy.IDLE_LOCK), not a workstation's: an
    older file's `idle_lock_minutes` is ignored, so no workstation switches the lock off."""

    backups_kept: int = 14
    label_stock: str = ""
    label_offsets: dict[str, list[float]] = field(default_factory=dict)  # stock -> [dx, dy, scale]
    printer: str = ""
    printers: dict[str, str] = field(default_factory=dict)
    """Label stock -> the printer loaded with it: the counter prints there without a dialog.
    A stock with none is previewed and printed through the system's print dialog."""
    paper: str = ""
    """The paper last chosen for a report or leaflet in Reports and labels ("a4", "letter"):
    offered again there ("": the command's default, A4)."""
    site_key: str = ""
    """The site key's file (services/site_key): each anchor log line is signed with it."""

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        file = path or config_dir() / "settings.json"
        if not file.exists():
            return cls()
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["printers"] = _bindings(known.get("printers"))
        try:
            return cls(**known)
        except TypeError:
            return cls()

    def save(self, path: Path | None = None) -> Path:
        file = path or config_dir() / "settings.json"
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        partial.replace(file)
        return file


def _bindings(saved: object) -> dict[str, str]:
    """The printer of each stock as saved; a file written by hand with anything else there
    loses only that entry, not the workstation's other settings."""
    if not isinstance(saved, dict):
        return {}
    return {
        str(stock): printer
        for stock, printer in saved.items()
        if isinstance(printer, str) and printer.strip()
    }
