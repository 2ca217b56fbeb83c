"""Helpers for tests that run the service as operators do: gunicorn processes over real HTTP."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import select

from petition.extensions import db
from petition.models import OutboxMessage
from tests.conftest import TEST_LOG_KEY, TEST_PASSWORD_HASH, free_port
from tests.helpers.checks import must

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30
FORM_TOKEN_FIELD = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
CONFIRM_LINK = re.compile(r"https?://\S+/confirm/\S+")


class Gunicorn:
    """gunicorn serving wsgi:app with gunicorn.conf.py, in its own process group, set by FLASK_*."""

    def __init__(
        self,
        database_url: str,
        smtp_port: int,
        workers: int,
        settings: Mapping[str, str] | None = None,
        access_log: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.access_log = access_log
        self.env = (
            os.environ
            | {
                "FLASK_SECRET_KEY": "process-test-secret-of-at-least-32-bytes",
                "FLASK_CLIENT_HASH_KEY": "process-test-client-hash-key",
                # As behind a reverse proxy: each signer arrives from an address of their own.
                "FLASK_TRUSTED_PROXY_HOPS": "1",
                "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
                "FLASK_MAIL_SERVER": "127.0.0.1",
                "FLASK_MAIL_PORT": str(smtp_port),
                "FLASK_PUBLIC_URL": self.url,
                "FLASK_OUTBOX_POLL_SECONDS": "0.5",
                # The key in a setting, so no process writes one into the checkout's instance/.
                "FLASK_LOG_SIGNING_KEY": TEST_LOG_KEY,
                "FLASK_PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
            }
            | dict(settings or {})
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "-w", str(self.workers)]
        command += ["-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "wsgi:app"]
        if self.access_log is not None:
            command += ["--access-logfile", str(self.access_log)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                assert self.process.poll() is None, "gunicorn exited while starting"
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start")

    def worker_pids(self) -> list[int]:
        """The process ids of the workers the master runs now."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a crash or OOM kill would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)


@contextmanager
def outbox_worker(env: Mapping[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """`flask --app petition outbox deliver` running beside the web processes, stopped after."""
    command = [sys.executable, "-m", "flask", "--app", "petition", "outbox", "deliver"]
    worker = subprocess.Popen(command, cwd=ROOT, env=dict(env))
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(15)


def sign_as(base: str, slug: str, number: int) -> int:
    """One signer's whole visit: open the page, take its form token, sign."""
    with requests.Session() as session:
        session.headers["X-Forwarded-For"] = f"198.51.{number // 250 % 250}.{number % 250}"
        page = session.get(f"{base}/petitions/{slug}", timeout=30)
        if page.status_code != 200:
            return page.status_code
        token = must(FORM_TOKEN_FIELD.search(page.text)).group(1)
        response = session.post(
            f"{base}/petitions/{slug}/sign",
            data={
                "form_token": token,
                "name": f"Signer {number}",
                "email": f"signer{number}@example.org",
            },
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code


def confirm_link(base: str, link: str) -> int:
    """Press the emailed link's Confirm button, as a signer's browser would (no cookies)."""
    path = link.split("/confirm/", 1)[1]
    return requests.post(f"{base}/confirm/{path}", allow_redirects=False, timeout=30).status_code


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll a condition until it holds; fail the test when it has not within the timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.2)


def outbox_states() -> Counter[str]:
    """How many outbox messages are in each state, read afresh."""
    db.session.rollback()
    return Counter(db.session.scalars(select(OutboxMessage.state)))
