"""Organiser accounts: creating them, checking their passwords, ending their logins."""

from functools import cache

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from petition.extensions import db
from petition.models import AccountAction, Organiser
from petition.organisers.account_history import record_account_event
from petition.organisers.login_attempts import (
    check_login_allowed,
    clear_login_failures,
    record_login_failure,
)
from petition.transactions import write_transaction

MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash(method: str) -> str:
    """Checked when no account matches, so a wrong address takes as long as a wrong password.

    Made on first use: a hash costs as much as a login, which no import should pay.
    """
    return generate_password_hash("not-a-real-password", method=method)


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why, in the reader's language."""


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


def check_login_address(email: str) -> str:
    """The address an organiser will log in with, or an AccountError."""
    login = normal_login(email)
    if "@" not in login or len(login) > 254:
        raise AccountError(gettext("An organiser logs in with an email address."))
    return login


def save_password(session: Session, login: str, password: str) -> Organiser:
    """Inside the caller's transaction: create the organiser, or give one a new password.

    A new password ends every login of the account made with the old one.
    """
    check_new_password(password)
    organiser = session.scalar(select(Organiser).where(Organiser.email == login))
    if organiser is None:
        organiser = Organiser(email=login, password_hash="", session_version=0)
        session.add(organiser)
    else:
        organiser.session_version += 1
    organiser.password_hash = generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    return organiser


def set_organiser_password(email: str, password: str) -> Organiser:
    """Create the organiser, or give an existing one a new password."""
    check_new_password(password)
    login = check_login_address(email)
    with write_transaction() as session:
        return save_password(session, login, password)


def authenticate(email: str, password: str, client_address: str | None = None) -> Organiser | None:
    """The organiser whose address and password these are, or None.

    After LOGIN_FAILURES_ALLOWED wrong passwords in a row for one address from one client, that
    pair waits a doubling delay (LoginDelayedError) before its next attempt, whether the address
    has an account or not: the answers never tell which addresses do, and guessing from one
    client never locks the organiser out of another.
    """
    login = normal_login(email)
    check_login_allowed(login, client_address)
    organiser = find_organiser(login)
    succeeded = check_password_hash(
        organiser.password_hash
        if organiser is not None
        else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
        password,
    )
    if organiser is None or not succeeded:
        record_login_failure(login, client_address)
        return None
    clear_login_failures(login, client_address)
    return organiser


def end_logins(organiser: Organiser) -> None:
    """End every login of this organiser, on every device and browser."""
    with write_transaction() as session:
        session.execute(
            update(Organiser)
            .where(Organiser.id == organiser.id)
            .values(session_version=Organiser.session_version + 1)
        )


def change_password(organiser: Organiser, current: str, new: str) -> Organiser:
    """Give an organiser a new password once they have shown they know the current one.

    Every login made before it ends; the caller logs its own browser in again with the result.
    """
    if not check_password_hash(organiser.password_hash, current):
        raise AccountError(gettext("That is not your current password."))
    check_new_password(new)
    with write_transaction() as session:
        changed = save_password(session, organiser.email, new)
        record_account_event(session, changed.id, AccountAction.PASSWORD_CHANGED)
        return changed
