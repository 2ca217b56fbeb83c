"""One transaction per use case, and SQLite tuned so concurrent writers wait instead of failing."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from petition.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 10_000
_IMMEDIATE = "petition_begin_immediate"


@event.listens_for(Engine, "connect")
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


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn: Connection) -> None:
    """A transaction that will write takes the write lock up front.

    A deferred transaction that reads and then writes cannot wait for the lock: SQLite
    fails it at once with "database is locked", whatever the busy timeout.
    """
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
