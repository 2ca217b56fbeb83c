"""Slowing password guessing per (login address, client), the same for known and unknown addresses.

Counting per account alone let a stranger lock an organiser out from anywhere, and let an unknown
address be told from a real one (only real ones were ever delayed).
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from petition.extensions import db
from petition.models import LoginFailures, utcnow
from petition.transactions import write_transaction
from petition.web.clients import attempt_hash

# A pair that has not failed for this long starts again from no failures.
FORGET_AFTER = timedelta(days=1)


class LoginDelayedError(Exception):
    """Too many wrong passwords in a row from this client for this address: it waits a while."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"try again in {seconds} s")
        self.seconds = seconds


def login_delay(failures: int) -> int:
    """Seconds the next attempt waits after this many wrong passwords in a row."""
    config = current_app.config
    beyond = failures - config["LOGIN_FAILURES_ALLOWED"]
    first = config["LOGIN_DELAY_FIRST"]
    return 0 if beyond < 0 else min(config["LOGIN_DELAY_MAX"], first * 2**beyond)


def check_login_allowed(login: str, client_address: str | None) -> None:
    """Raise LoginDelayedError while this address, tried from this client, must wait."""
    blocked_until = db.session.scalar(
        select(LoginFailures.blocked_until).where(
            LoginFailures.key == attempt_hash(login, client_address)
        )
    )
    now = utcnow()
    if blocked_until is not None and blocked_until > now:
        raise LoginDelayedError(max(1, int((blocked_until - now).total_seconds() + 0.999)))


def record_login_failure(login: str, client_address: str | None) -> None:
    """Count one more wrong password for this pair, and delay its next attempt when due."""
    key = attempt_hash(login, client_address)
    for attempt in range(2):  # a concurrent first failure may insert the same row
        try:
            with write_transaction() as session:
                row = session.get(LoginFailures, key, with_for_update=True)
                now = utcnow()
                if row is None:
                    row = LoginFailures(key=key, failures=0)
                    session.add(row)
                elif row.last_failed_at < now - FORGET_AFTER:
                    row.failures = 0
                row.failures += 1
                row.last_failed_at = now
                delay = login_delay(row.failures)
                row.blocked_until = now + timedelta(seconds=delay) if delay else None
            return
        except IntegrityError:
            if attempt:
                raise


def clear_login_failures(login: str, client_address: str | None) -> None:
    """Forget this pair's wrong passwords after it got the password right."""
    key = attempt_hash(login, client_address)
    if db.session.get(LoginFailures, key) is None:
        return  # a clean success writes nothing
    with write_transaction() as session:
        session.execute(delete(LoginFailures).where(LoginFailures.key == key))
