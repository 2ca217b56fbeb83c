"""A fresh database for each bench part: a SQLite file, or a PostgreSQL database made and dropped."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import psycopg
from harness import flask

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_available() -> bool:
    try:
        psycopg.connect(POSTGRES, connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


@contextmanager
def _postgres(name: str) -> Iterator[str]:
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(env: dict[str, str], tmp: Path, kind: str) -> Iterator[dict[str, str]]:
    """The environment of servers on a new database with the demo petitions loaded."""
    name = f"petition_bench_{uuid.uuid4().hex[:12]}"
    with (
        _postgres(name) if kind == "postgres" else nullcontext(f"sqlite:///{tmp / name}.db") as uri
    ):
        env = env | {"FLASK_SQLALCHEMY_DATABASE_URI": uri}
        flask(env, "db", "upgrade")
        flask(env, "demo")
        yield env
