"""Engine and session factory for SQLite (default) or any SQLAlchemy URL such as PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Dialect,
    Engine,
    ExceptionContext,
    TypeDecorator,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import DatabaseError as DriverDatabaseError
from sqlalchemy.orm import Session, sessionmaker

from store.errors import BobError
from store.private_files import make_private_sqlite_file


class DatabaseError(BobError):
    """The database cannot be reached or opened; the message says which and how to fix it."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the bot) work while the daily run writes; busy_timeout makes a second
    # process wait for the write lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _first_line_only(context: ExceptionContext) -> None:
    """PostgreSQL's message goes on with the values of the failing row ("DETAIL: Failing
    row contains (…)", "Key (…)=(…) already exists"); keep only its first line."""
    for error in (context.original_exception, context.sqlalchemy_exception):
        message = error.args[0] if error is not None and error.args else None
        if error is not None and isinstance(message, str) and "\n" in message:
            error.args = (message.split("\n", 1)[0], *error.args[1:])


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for a SQLite file, create it and its folder owner-only and set safe
    pragmas.

    A database error never carries the values bound to its statement (names, SSNs, dates
    of birth), nor the failing row PostgreSQL quotes: they would reach stderr and the log
    with the error.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"database.url {url.split('@')[-1]!r} is not a database URL; "
            "use e.g. sqlite:///var/bob.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _create_sqlite_file(Path(parsed.database))
        engine = create_engine(url, hide_parameters=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the driver for {parsed.get_backend_name()} is not installed ({exc.name}); "
            "install bob with the 'postgres' extra: pip install 'bob[postgres]'"
        ) from None
    event.listen(engine, "handle_error", _first_line_only)
    event.listen(engine, "connect", _read_to_the_end)
    return engine


def _read_to_the_end(dbapi_connection: Any, _record: Any) -> None:
    """bob streams a query (a server-side cursor) to read every row in little memory, never
    to show the first rows soon; PostgreSQL plans a cursor for its first tenth unless told,
    which made the follow-up queue of a 1M book 4 s to stream instead of 0.8 s. Set for the
    session outside any transaction (the pool's reset would roll it back), leaving the
    operator's own connection options alone."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("SET cursor_tuple_fraction = 1")
    finally:
        dbapi_connection.autocommit = autocommit


def _create_sqlite_file(path: Path) -> None:
    try:
        make_private_sqlite_file(path)
    except OSError as exc:
        raise DatabaseError(
            f"the SQLite database {str(path)!r} cannot be created ({exc.strerror or type(exc).__name__}); "
            "check database.url"
        ) from None


def check_connection(engine: Engine) -> None:
    """Fail with one clear line if the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DriverDatabaseError as exc:
        where = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        if not isinstance(exc, OperationalError):  # reached, but no database there (SQLite: any file)
            raise DatabaseError(f"{where}: {reason}; check database.url") from None
        raise DatabaseError(
            f"cannot reach the database at {where}: {reason}; check database.url and that "
            "the server is running"
        ) from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def insert_ignoring_duplicates(session: Session, table: Any) -> Any:
    """An INSERT that skips rows whose unique key exists, on SQLite and PostgreSQL alike.

    Each dialect's module is imported here, for the database in use: PostgreSQL's loads its
    asyncio drivers too (about 30 ms), which a command on SQLite need not pay."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    raise NotImplementedError(f"database {dialect!r} is not supported; use SQLite or PostgreSQL")


class SerializedJSON(TypeDecorator[str]):
    """A JSON column's value already serialized (by ``json.dumps``, as the JSON type does),
    bound as it is: a large document is serialized once, piece by piece, and can be shared
    by several rows without being serialized again."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None
