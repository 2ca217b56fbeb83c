"""`flask backup FILE`: a consistent copy that, restored into a fresh instance, is the same site:
the same counts, a recount that finds nothing to fix, and a log the shipped verifier accepts as
the continuation of what it saw before the backup."""

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from petition.extensions import db
from petition.models import LogEntry, OutboxMessage, Petition, Signature
from tests.conftest import LiveServer, service_missing
from tests.helpers.signing import confirm, sign


def verify(url: str, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "petition.verify", url, *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def inventory() -> dict[str, object]:
    """What a restore must bring back, read afresh."""
    db.session.rollback()
    return {
        "counts": dict(db.session.execute(select(Petition.slug, Petition.signature_count)).all()),
        "signatures": db.session.scalar(select(func.count()).select_from(Signature)),
        "log entries": db.session.scalar(select(func.count()).select_from(LogEntry)),
        "outbox": db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    }


@pytest.fixture
def restore(database_url: str, tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """Restore a backup file into a fresh database the operator's way; its URL."""
    made: list[str] = []

    def restore_into_fresh(backup: Path) -> str:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite":
            restored = tmp_path / "restored.sqlite3"
            shutil.copyfile(backup, restored)  # stop the site, put the copy in place
            return f"sqlite:///{restored}"
        if shutil.which("pg_restore") is None:
            service_missing("pg_dump and pg_restore (Debian: postgresql-client)")
        name = f"{url.database}_restored"
        administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        made.append(name)
        target = url.set(drivername="postgresql", database=name)
        command = ["pg_restore", "--no-owner", "-d", target.render_as_string(False), str(backup)]
        subprocess.run(command, check=True, capture_output=True)
        return url.set(database=name).render_as_string(hide_password=False)

    def administer(*statements: str) -> None:
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
        admin.dispose()

    yield restore_into_fresh
    for name in made:
        administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_fresh_instance_is_the_same_site(
    app: Flask,
    client: FlaskClient,
    make_app: Callable[..., Flask],
    make_petition: Callable[..., Petition],
    restore: Callable[[Path], str],
    tmp_path: Path,
) -> None:
    slug = make_petition().slug
    for name, email in [("Айгерим", "aigerim@example.org"), ("Bob", "bob@example.org")]:
        sign(client, slug, name, email)
        confirm(client, email)
    sign(client, slug, "Carol", "carol@example.org")  # pending: owed mail, not counted
    before = inventory()
    assert before["counts"] == {slug: 2}

    app.config["LOG_CHECKPOINT_SECONDS"] = 0  # a checkpoint whenever the log has grown
    original = LiveServer(app)
    original.start()
    saved = tmp_path / "checkpoint.txt"
    try:
        seen = verify(f"{original.url}/petitions/{slug}", "--save", str(saved))
        assert seen.returncode == 0, seen.stdout + seen.stderr
        backup = tmp_path / "site.backup"
        result = app.test_cli_runner().invoke(args=["backup", str(backup)])
        assert result.exit_code == 0, result.output
        assert f"wrote {backup}" in result.output
        assert backup.stat().st_mode & 0o777 == 0o600, "signers' data: for its owner only"
        again = app.test_cli_runner().invoke(args=["backup", str(backup)])
        assert again.exit_code == 1 and "exists already" in again.output
    finally:
        original.stop()

    restored = make_app(SQLALCHEMY_DATABASE_URI=restore(backup), LOG_CHECKPOINT_SECONDS=0)
    with restored.app_context():
        assert inventory() == before
    check = restored.test_cli_runner().invoke(args=["petitions", "recount", "--check"])
    assert check.exit_code == 0 and "0 drifted" in check.output, check.output
    served = LiveServer(restored, port=int(original.url.rsplit(":", 1)[1]))
    served.start()
    try:
        later = verify(f"{served.url}/petitions/{slug}", "--checkpoint", str(saved))
    finally:
        served.stop()
    assert later.returncode == 0, later.stdout + later.stderr


def test_a_backup_refuses_a_target_it_cannot_write_and_leaves_nothing(
    app: Flask, tmp_path: Path
) -> None:
    missing = tmp_path / "no such folder" / "site.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(missing)])
    assert result.exit_code == 1 and "is not a folder" in result.output
    assert list(tmp_path.iterdir()) == []
