"""The service as operators run it: gunicorn workers under concurrent load, and a crash while mail is owed."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import OutboxMessage, OutboxState, Signature
from petition.petitions import create_petition
from tests.conftest import SMTPServer, free_port

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 30


class Gunicorn:
    """gunicorn serving wsgi:app in its own process group, configured through FLASK_* variables."""

    def __init__(self, database_url: str, smtp_port: int, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = os.environ | {
            "FLASK_SECRET_KEY": "process-test-secret",
            "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
            "FLASK_MAIL_SERVER": "127.0.0.1",
            "FLASK_MAIL_PORT": str(smtp_port),
            "FLASK_PUBLIC_URL": self.url,
            "FLASK_OUTBOX_POLL_SECONDS": "0.5",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "-w", str(self.workers)]
        command += ["-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "wsgi:app"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url, timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                # The master accepts connections before its workers have imported the app; on a
                # busy machine that takes longer than one request's timeout.
                assert self.process.poll() is None, "gunicorn exited while starting"
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a crash or OOM kill would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)


@pytest.fixture
def gunicorn(
    app: Flask, database_url: str, smtp: SMTPServer
) -> Iterator[Callable[[int], Gunicorn]]:
    servers: list[Gunicorn] = []

    def start(workers: int) -> Gunicorn:
        server = Gunicorn(database_url, smtp.port, workers)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


def publish(app: Flask, make_organiser: Callable) -> str:
    return create_petition(title="Stop the evictions", body="Now.", organiser=make_organiser()).slug


def sign_as(base: str, slug: str, number: int) -> int:
    """One signer's whole visit: open the page, take its CSRF token, sign."""
    with requests.Session() as session:
        page = session.get(f"{base}/petitions/{slug}", timeout=30).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = session.post(
            f"{base}/petitions/{slug}/sign",
            data={
                "csrf_token": token,
                "name": f"Signer {number}",
                "email": f"signer{number}@example.org",
            },
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.2)


def outbox_states() -> Counter[str]:
    db.session.rollback()
    return Counter(db.session.scalars(select(OutboxMessage.state)))


def test_four_workers_take_concurrent_signers_and_send_each_mail_once(
    app: Flask, make_organiser, gunicorn, smtp: SMTPServer
) -> None:
    slug = publish(app, make_organiser)
    server = gunicorn(4)
    signers = 160
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = Counter(pool.map(lambda n: sign_as(server.url, slug, n), range(signers)))
    assert statuses == {303: signers}  # no "database is locked", no 500
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Signature)) == signers
    smtp.sink.wait_for(signers, timeout=60)
    wait_until(lambda: outbox_states() == {OutboxState.SENT: signers}, 30, "every message is sent")
    recipients = Counter(str(message["To"]) for message in smtp.sink.messages)
    assert len(recipients) == signers and set(recipients.values()) == {1}


def test_mail_owed_at_a_crash_goes_out_once_both_are_back(
    app: Flask, make_organiser, gunicorn, smtp: SMTPServer
) -> None:
    slug = publish(app, make_organiser)
    smtp.stop()
    server = gunicorn(2)
    owed = 12
    assert [sign_as(server.url, slug, n) for n in range(owed)] == [303] * owed
    wait_until(
        lambda: (
            db.session.rollback()
            or db.session.scalar(select(func.min(OutboxMessage.attempts))) >= 1
        ),
        30,
        "every message has met the dead mail server",
    )
    server.kill()
    assert outbox_states() == {OutboxState.PENDING: owed}

    smtp.start()
    back = time.monotonic()
    gunicorn(2)  # no request needed: each worker starts delivering on its own
    smtp.sink.wait_for(owed, timeout=120)
    assert time.monotonic() - back < 120
    wait_until(lambda: outbox_states() == {OutboxState.SENT: owed}, 30, "every message is sent")
    assert len(smtp.sink.messages) == owed
    assert len({str(m["To"]) for m in smtp.sink.messages}) == owed
