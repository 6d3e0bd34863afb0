"""A PostgreSQL URL as psql and the server's documentation write it (postgresql://, or the older
postgres://) reaches the server through the driver this program ships, psycopg 3, not
SQLAlchemy's default psycopg2, which is not installed."""

from __future__ import annotations

import pytest

from dispensary.db.engine import checked_url, make_engine


@pytest.mark.parametrize(
    "typed",
    [
        "postgresql://pharmacy@db.example/dispensary",
        "postgres://pharmacy@db.example/dispensary",
        "postgresql+psycopg://pharmacy@db.example/dispensary",
    ],
)
def test_a_plain_postgresql_url_uses_the_shipped_driver(typed: str) -> None:
    url = checked_url(typed)
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.database, url.username) == ("db.example", "dispensary", "pharmacy")
    engine = make_engine(typed)  # no connection is made until used
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_another_postgresql_driver_named_is_kept() -> None:
    assert checked_url("postgresql+psycopg2://u@h/d").drivername == "postgresql+psycopg2"


def test_a_server_that_asks_for_a_password_none_was_found_for_says_where_to_put_it() -> None:
    """libpq's "no password supplied" comes before the server answers (no FATAL, no SQLSTATE):
    it is not an unreachable server but a missing line of the password file."""
    from sqlalchemy.exc import OperationalError

    from dispensary.db.faults import server_fault

    said = Exception(
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
        "fe_sendauth: no password supplied"
    )
    problem = server_fault(OperationalError("connect", None, said), "postgresql://u@h/d")
    assert problem is not None
    assert "asks for a password" in problem.message
    assert "host:port:database:user:password" in problem.message
    assert "cannot be reached" not in problem.message


@pytest.mark.parametrize(
    "typed",
    [
        "file:pharmacy.sqlite3?mode=ro",
        "file:/srv/pharmacy.sqlite3",
        "sqlite:///pharmacy.sqlite3?mode=ro",
        "sqlite:///file:pharmacy.sqlite3?mode=ro&uri=true",
    ],
)
def test_a_sqlite_uri_with_options_is_refused_saying_to_give_the_path(typed: str) -> None:
    """ "?mode=ro" was dropped without a word (the database opened for writing) or the URI was
    taken for a file named "file:...", said to be missing."""
    from dispensary.domain.errors import DatabaseProblem

    with pytest.raises(DatabaseProblem) as info:
        checked_url(typed)
    message = info.value.message
    assert f"'{typed}' is a SQLite URI with options" in message
    assert "by its file path alone" in message and "There is no database" not in message


def test_a_plain_sqlite_path_and_url_are_still_taken() -> None:
    assert checked_url("pharmacy.sqlite3").database.endswith("pharmacy.sqlite3")  # type: ignore[union-attr]
    assert checked_url("sqlite:///pharmacy.sqlite3").database == "pharmacy.sqlite3"
