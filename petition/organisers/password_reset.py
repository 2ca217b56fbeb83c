"""Resetting a forgotten password by an emailed link: asked for alike for any address, bound to
the account's current password, used once, short-lived."""

import hashlib
import hmac

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from petition import tokens
from petition.extensions import db
from petition.mail.background import notify_delivery
from petition.mail.messages import Email, compose_email
from petition.mail.outbox import ClaimedMessage, MessageGoneError, queue_per_organiser
from petition.models import AccountAction, MailKind, Organiser
from petition.organisers.account_history import record_account_event, record_account_events
from petition.organisers.accounts import check_new_password, normal_login, save_password
from petition.organisers.login_attempts import clear_login_failures
from petition.transactions import commit_without_waiting_for_disk, write_transaction
from petition.web.urls import public_url, site_name


class UsedResetLinkError(tokens.InvalidTokenError):
    """The link is genuine, but the password has been set since it was sent: it works no more."""


def password_binding(organiser: Organiser) -> str:
    """A secret that changes whenever the account's password does, to bind a link to it.

    Setting a password (by this link or otherwise) changes the hash and the session version,
    so every link sent before stops working: each link works once.
    """
    key = str(current_app.config["SECRET_KEY"]).encode()
    state = f"{organiser.id}:{organiser.session_version}:{organiser.password_hash}"
    return hmac.new(key, state.encode(), hashlib.sha256).hexdigest()[:32]


def request_password_reset(email: str, language: str) -> None:
    """Owe a reset link to the account of this address, if there is one; the caller learns nothing.

    Known and unknown addresses run the same statements (INSERT … SELECT the account of the
    address), and neither commit waits for the disk, so an address with an account costs no
    more than one without: only the rows written differ, not the work of asking. A request lost
    in a crash at that moment is simply asked again.
    """
    is_account = [Organiser.email == normal_login(email)]
    with write_transaction() as session:
        commit_without_waiting_for_disk(session)  # else a known address waits for the disk
        queue_per_organiser(session, MailKind.PASSWORD_RESET, language, is_account)
        record_account_events(session, AccountAction.RESET_REQUESTED, is_account)
    notify_delivery()  # for either answer: waking a deliverer with nothing due costs alike


def reset_token(organiser: Organiser) -> str:
    """The link token that resets this account's password once, and no other's."""
    payload = [organiser.id, password_binding(organiser)]
    return tokens.make_token(current_app.config["SECRET_KEY"], tokens.RESET_PASSWORD, payload)


def password_reset_email(message: ClaimedMessage) -> Email:
    """The reset link, made when it is sent (so its hour starts then), in the asker's language."""
    organiser = db.session.get(Organiser, message.organiser_id) if message.organiser_id else None
    if organiser is None:
        raise MessageGoneError(f"organiser {message.organiser_id} is gone")
    language = message.language or "en"
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    site = site_name()
    with force_locale(language):
        return compose_email(
            "password_reset",
            organiser.email,
            gettext("Reset your organiser password on %(site)s", site=site),
            site=site,
            reset_url=public_url(
                "organisers.reset_password", token=reset_token(organiser), lang=language
            ),
            minutes=minutes,
        )


def read_reset_link(token: str) -> tuple[Organiser, str]:
    """The account a reset link is for and the binding it carries, if it is genuine and still works."""
    config = current_app.config
    organiser_id, binding = tokens.read_bound_token(
        config["SECRET_KEY"], tokens.RESET_PASSWORD, token, config["PASSWORD_RESET_MAX_AGE"]
    )
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        raise tokens.InvalidTokenError("no such organiser")
    if not hmac.compare_digest(password_binding(organiser).encode(), binding.encode()):
        raise UsedResetLinkError("the password was set since the link was sent")
    return organiser, binding


def reset_password(
    organiser: Organiser, binding: str, password: str, client_address: str | None = None
) -> Organiser:
    """Give the account a new password by its link, once: every login and every other link ends.

    The binding is checked again on the locked row, so two uses of one link at the same moment
    cannot both succeed. The wrong passwords this client typed before are forgotten: whoever
    forgot a password has often tried a few, and should not wait to log in with the new one.
    """
    check_new_password(password)
    with write_transaction() as session:
        locked = session.scalar(
            select(Organiser).where(Organiser.id == organiser.id).with_for_update()
        )
        if locked is None:
            raise tokens.InvalidTokenError("no such organiser")
        if not hmac.compare_digest(password_binding(locked).encode(), binding.encode()):
            raise UsedResetLinkError("the password was set meanwhile")
        changed = save_password(session, locked.email, password)
        record_account_event(session, changed.id, AccountAction.PASSWORD_RESET)
    clear_login_failures(changed.email, client_address)
    return changed
