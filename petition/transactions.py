"""One transaction per use case, and SQLite tuned so concurrent writers wait instead of failing."""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, CursorResult, Engine, ExceptionContext, Result
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from petition.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 10_000
_IMMEDIATE = "petition_begin_immediate"


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer; we issue BEGIN ourselves to choose its kind."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    """A transaction that will write takes the write lock up front.

    A deferred transaction that reads and then writes cannot wait for the lock: SQLite
    fails it at once with "database is locked", whatever the busy timeout.
    """
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# PostgreSQL's "operator intervention" errors: the server ended this connection (an admin, a
# restart, a failover). psycopg reports them before it marks the connection broken.
_SERVER_ENDED_CONNECTION = {"57P01", "57P02", "57P03"}


def _detect_ended_connection(context: ExceptionContext) -> None:
    """Treat a connection the server ended as gone, so the pool discards it instead of reusing it."""
    if getattr(context.original_exception, "sqlstate", None) in _SERVER_ENDED_CONNECTION:
        context.is_disconnect = True


def listen_once(
    engine: Engine, listeners: dict[str, Callable[..., Any]], *, first: bool = False
) -> None:
    """Listen on the engine's events, each name to its function, unless it already does.

    The app's engines are tuned this way when the app is wired (petition.wiring), and wiring an
    app again adds nothing; `first` puts each ahead of the listeners already there.
    """
    for name, listener in listeners.items():
        if not event.contains(engine, name, listener):
            event.listen(engine, name, listener, insert=first)


def tune_engine(engine: Engine) -> None:
    """Make the app's engine wait for SQLite's write lock and drop connections PostgreSQL ended."""
    # First, as listeners on the Engine class were: before the dialect's own first connect.
    listen_once(
        engine,
        {
            "connect": _tune_sqlite,
            "begin": _begin_sqlite,
            "handle_error": _detect_ended_connection,
        },
        first=True,
    )


def release_session(_error: BaseException | None) -> None:
    """End the request's session even when its connection died under it.

    The response is already made; rolling back on a dead connection fails, and that failure
    must not turn a finished page into a 500.
    """
    try:
        db.session.remove()
    except DBAPIError:
        db.session.registry.clear()  # the connection is invalidated; forget the session


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run a use case in one fresh transaction that commits at the end or rolls back on error."""
    session = db.session()
    if session.in_transaction():
        # A view's reads left a transaction open; end it so ours starts as a writer.
        assert not (session.new or session.dirty or session.deleted), "unsaved changes"
        session.rollback()
    session.connection(execution_options={_IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def writing_connection() -> Connection:
    """A connection of its own for a loop of small writes, each committed alone with
    `connection.commit()`, for the loops that record one row at a time (the outbox's sends):
    a Core statement on it costs a fraction of an ORM session's transaction. Close it after."""
    return db.engine.connect().execution_options(**{_IMMEDIATE: True})


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (SQLAlchemy types execute() as any Result)."""
    return cast(CursorResult[Any], result).rowcount


def commit_without_waiting_for_disk(session: Session) -> None:
    """Let this transaction's commit return before PostgreSQL has flushed it to disk.

    A commit that wrote rows waits for the flush and one that wrote none does not: several
    milliseconds a stranger can measure. Where that would tell whether something exists, both
    answers skip the wait; a crash in the following moment may lose the transaction, so only for
    what the person can simply ask again. SQLite (synchronous=NORMAL in WAL) never waits here.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))
