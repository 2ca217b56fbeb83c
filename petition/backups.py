"""A consistent copy of the database, taken while the site runs: SQLite's online backup API, or
PostgreSQL's `pg_dump` (one snapshot, in its custom format for `pg_restore`).

What a restore needs besides the copy lives outside the database and is kept apart: the
settings (SECRET_KEY, CLIENT_HASH_KEY) and the log's signing key (LOG_SIGNING_KEY, or the file
in instance/). A restored site with another log key would sign checkpoints no verifier accepts.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from petition.extensions import db

PG_DUMP_SECONDS = 3600


class BackupError(Exception):
    """The copy could not be made; the message says why, and nothing was left at the target."""


def back_up(target: Path) -> str:
    """Copy the app's database to `target`, which must not exist yet; what was made."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    url = db.engine.url
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)  # left by a copy that was killed
    # Every signer's name and address is in it: readable by its owner only, from the start.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_file(url), partial)
            made = "a SQLite database (restore: stop the site, put it in place of the database)"
        elif url.get_backend_name() == "postgresql":
            _pg_dump(url, partial)
            made = "a pg_dump archive (restore: pg_restore --no-owner -d DATABASE FILE)"
        else:
            raise BackupError(f"no backup for {url.get_backend_name()} databases")
        partial.replace(target)  # whole or not at all
    finally:
        partial.unlink(missing_ok=True)
    return made


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory; there is no file to copy")
    return Path(url.database).resolve()


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: one read transaction, so writers carry on and the copy is one
    moment of the database, WAL included."""
    if target.resolve() == source:
        raise BackupError("the copy would overwrite the database itself")
    live = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)
        if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError("the copy failed SQLite's integrity check")
    finally:
        copy.close()
        live.close()


def _pg_dump(url: URL, target: Path) -> None:
    """pg_dump of the whole database in one snapshot; the password goes by environment, never on
    a command line that `ps` shows."""
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump is not installed (Debian: postgresql-client)")
    libpq = url.set(drivername="postgresql", password=None)
    environment = os.environ | ({"PGPASSWORD": str(url.password)} if url.password else {})
    command = [program, "--format=custom", "--no-owner", f"--file={target}"]
    command.append(libpq.render_as_string(hide_password=False))
    try:
        done = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=PG_DUMP_SECONDS
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"pg_dump took longer than {PG_DUMP_SECONDS} s") from exc
    if done.returncode:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
