"""Organiser accounts: creating them, checking their passwords, slowing down guessing."""

from datetime import timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from petition.extensions import db
from petition.models import Organiser, utcnow
from petition.transactions import write_transaction

MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash() -> str:
    """Checked when no account matches, so a wrong address takes as long as a wrong password.

    Made on first use: a hash costs as much as a login, which no import should pay.
    """
    return generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why, in the reader's language."""


class LoginDelayedError(Exception):
    """Too many wrong passwords in a row: this account takes no attempt for a while."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"try again in {seconds} s")
        self.seconds = seconds


def normal_login(email: str) -> str:
    """Organiser logins compare without regard to case or surrounding space."""
    return email.strip().lower()


def find_organiser(email: str) -> Organiser | None:
    """The organiser with this login address, if any."""
    return db.session.scalar(select(Organiser).where(Organiser.email == normal_login(email)))


def check_new_password(password: str) -> None:
    """Refuse a password too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            gettext("A password needs at least %(num)s characters.", num=MIN_PASSWORD_LENGTH)
        )


def set_organiser_password(email: str, password: str) -> Organiser:
    """Create the organiser, or give an existing one a new password."""
    check_new_password(password)
    login = normal_login(email)
    if "@" not in login or len(login) > 254:
        raise AccountError(gettext("An organiser logs in with an email address."))
    with write_transaction() as session:
        organiser = session.scalar(select(Organiser).where(Organiser.email == login))
        if organiser is None:
            organiser = Organiser(email=login, password_hash="")
            session.add(organiser)
        organiser.password_hash = generate_password_hash(password)
        organiser.failed_logins, organiser.login_blocked_until = 0, None
    return organiser


def _login_delay(failures: int) -> int:
    """Seconds the next attempt waits after this many wrong passwords in a row."""
    config = current_app.config
    beyond = failures - config["LOGIN_FAILURES_ALLOWED"]
    return 0 if beyond < 0 else min(config["LOGIN_DELAY_MAX"], 2**beyond)


def _record_login(organiser_id: int, succeeded: bool) -> None:
    with write_transaction() as session:
        organiser = session.get(Organiser, organiser_id, with_for_update=True)
        if organiser is None:
            return
        organiser.failed_logins = 0 if succeeded else organiser.failed_logins + 1
        delay = _login_delay(organiser.failed_logins)
        organiser.login_blocked_until = utcnow() + timedelta(seconds=delay) if delay else None


def authenticate(email: str, password: str) -> Organiser | None:
    """The organiser whose address and password these are, or None.

    After LOGIN_FAILURES_ALLOWED wrong passwords in a row the account refuses attempts for a
    doubling delay (LoginDelayedError), so guessing one organiser's password takes years.
    """
    organiser = find_organiser(email)
    if organiser is None:
        check_password_hash(_dummy_hash(), password)
        return None
    blocked_until = organiser.login_blocked_until
    if blocked_until is not None and blocked_until > utcnow():
        raise LoginDelayedError(max(1, int((blocked_until - utcnow()).total_seconds() + 0.999)))
    succeeded = check_password_hash(organiser.password_hash, password)
    if not succeeded or organiser.failed_logins:  # a clean success writes nothing
        _record_login(organiser.id, succeeded)
    return organiser if succeeded else None


def change_password(organiser: Organiser, current: str, new: str) -> None:
    """Give an organiser a new password once they have shown they know the current one."""
    if not check_password_hash(organiser.password_hash, current):
        raise AccountError(gettext("That is not your current password."))
    check_new_password(new)
    with write_transaction() as session:
        found = session.get(Organiser, organiser.id)
        if found is not None:
            found.password_hash = generate_password_hash(new)
