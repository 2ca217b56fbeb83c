"""Organiser accounts: creating them and checking their passwords."""

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from petition.extensions import db
from petition.models import Organiser
from petition.transactions import write_transaction

MIN_PASSWORD_LENGTH = 10
# Checked when no account matches, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


def normal_login(email: str) -> str:
    """Organiser logins compare without regard to case or surrounding space."""
    return email.strip().lower()


def find_organiser(email: str) -> Organiser | None:
    """The organiser with this login address, if any."""
    return db.session.scalar(select(Organiser).where(Organiser.email == normal_login(email)))


def set_organiser_password(email: str, password: str) -> Organiser:
    """Create the organiser, or give an existing one a new password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    login = normal_login(email)
    if "@" not in login or len(login) > 254:
        raise AccountError("An organiser logs in with an email address.")
    with write_transaction() as session:
        organiser = session.scalar(select(Organiser).where(Organiser.email == login))
        if organiser is None:
            organiser = Organiser(email=login, password_hash="")
            session.add(organiser)
        organiser.password_hash = generate_password_hash(password)
    return organiser


def authenticate(email: str, password: str) -> Organiser | None:
    """The organiser whose address and password these are, or None."""
    organiser = find_organiser(email)
    if organiser is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return organiser if check_password_hash(organiser.password_hash, password) else None
