"""Invitations to help run a petition: emailed, bound to a secret, used once, withdrawable."""

import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from petition import tokens
from petition.addresses import InvalidAddressError, normalise_email
from petition.extensions import db
from petition.i18n.languages import current_language
from petition.mail.background import notify_delivery
from petition.mail.messages import Email, compose_email
from petition.mail.outbox import ClaimedMessage, MessageGoneError, OwedMail, queue_message
from petition.models import EventAction, Invitation, MailKind, Organiser, Petition, utcnow
from petition.organisers.accounts import (
    AccountError,
    authenticate,
    check_new_password,
    find_organiser,
    save_password,
)
from petition.petitions.history import record_event
from petition.transactions import rows_changed, write_transaction
from petition.web.urls import public_url, site_name


class UsedInvitationError(tokens.InvalidTokenError):
    """The link is genuine, but its invitation has been used: each one works once."""


class InvitationGoneError(ValueError):
    """The invitation to withdraw was used or withdrawn meanwhile; the message says so."""


def invite_organiser(petition: Petition, inviter: Organiser, email: str) -> Invitation:
    """Email a link, bound to a new invitation's secret, that makes its holder an organiser."""
    try:
        address = normalise_email(email).lower()
    except InvalidAddressError as exc:
        raise AccountError(gettext("Please check the address. %(problem)s", problem=exc)) from exc
    if any(member.email == address for member in petition.organisers):
        raise AccountError(gettext("%(email)s already runs this petition.", email=address))
    with write_transaction() as session:
        invitation = Invitation(
            petition_id=petition.id,
            email=address,
            inviter_id=inviter.id,
            secret=secrets.token_urlsafe(16),
        )
        session.add(invitation)
        session.flush()
        queue_message(
            session,
            OwedMail(MailKind.INVITATION, current_language(), invitation_id=invitation.id),
        )
        record_event(session, petition, inviter, EventAction.INVITED, address=address)
    notify_delivery()
    return invitation


def invitation_token(invitation: Invitation) -> str:
    """The link token that opens this invitation and no other."""
    payload = [invitation.id, invitation.secret]
    return tokens.make_token(current_app.config["SECRET_KEY"], tokens.INVITE_ORGANISER, payload)


def invitation_email(message: ClaimedMessage) -> Email:
    """The invitation, written when it is sent, in the language the inviter was using.

    It goes to an address the inviter typed, so it carries nothing the inviter wrote: not the
    petition's title (which could hold a link or words meant to deceive), only who invites, the
    site and the link. The petition is named on the page the link opens.
    """
    invitation = (
        db.session.get(Invitation, message.invitation_id) if message.invitation_id else None
    )
    if invitation is None or invitation.used_at is not None:
        raise MessageGoneError(f"invitation {message.invitation_id} is withdrawn or used")
    language = message.language or "en"
    days = current_app.config["INVITATION_MAX_AGE"] // 86400
    inviter = invitation.inviter.email if invitation.inviter is not None else ""
    site = site_name()
    with force_locale(language):
        return compose_email(
            "invite",
            invitation.email,
            gettext("Invitation to help run a petition on %(site)s", site=site),
            site=site,
            inviter=inviter,
            accept_url=public_url(
                "organisers.accept_invitation", token=invitation_token(invitation), lang=language
            ),
            new_account=find_organiser(invitation.email) is None,
            days=days,
        )


def read_invitation(token: str) -> Invitation:
    """The unused invitation a link carries, if the link is genuine, unexpired and its own."""
    config = current_app.config
    # Links of the old form, [petition, address, inviter], carry no secret and open nothing.
    invitation_id, secret = tokens.read_bound_token(
        config["SECRET_KEY"], tokens.INVITE_ORGANISER, token, config["INVITATION_MAX_AGE"]
    )
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not hmac.compare_digest(invitation.secret.encode(), secret.encode()):
        raise tokens.InvalidTokenError("no such invitation")
    if invitation.used_at is not None:
        raise UsedInvitationError("invitation used")
    return invitation


def has_account(invitation: Invitation) -> bool:
    """Whether the invited address already logs in (then it proves itself with its password)."""
    return find_organiser(invitation.email) is not None


def accept_invitation(
    invitation: Invitation, password: str, client_address: str | None = None
) -> Organiser:
    """Join the petition's organisers: a new address sets its password, a known one gives it.

    Using the invitation and joining happen together, and only once: a second use of the same
    link, even at the same moment, finds it used.
    """
    invitation_id, email, petition_id = invitation.id, invitation.email, invitation.petition_id
    known = has_account(invitation)
    if known:
        if authenticate(email, password, client_address) is None:
            raise AccountError(gettext("That is not the password of this account."))
    else:
        check_new_password(password)
    with write_transaction() as session:
        claimed = rows_changed(
            session.execute(
                update(Invitation)
                .where(Invitation.id == invitation_id, Invitation.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        )
        if claimed != 1:
            raise UsedInvitationError("invitation used or withdrawn meanwhile")
        member = session.scalar(select(Organiser).where(Organiser.email == email))
        if member is None and not known:
            member = save_password(session, email, password)
            session.flush()
        elif member is None or not known:
            # The account appeared or vanished since the password was checked: start again.
            raise AccountError(gettext("That is not the password of this account."))
        petition = session.get(Petition, petition_id)
        if petition is not None and member not in petition.organisers:
            petition.organisers.append(member)
            record_event(session, petition, member, EventAction.JOINED, address=member.email)
    return member


def pending_invitations(petition: Petition) -> Sequence[Invitation]:
    """The petition's invitations that are neither used nor expired, oldest first."""
    since = utcnow() - timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])
    return db.session.scalars(
        select(Invitation)
        .where(
            Invitation.petition_id == petition.id,
            Invitation.used_at.is_(None),
            Invitation.created_at > since,
        )
        .order_by(Invitation.id)
    ).all()


def withdraw_invitation(petition: Petition, organiser: Organiser, invitation_id: int) -> str:
    """Cancel an unused invitation of this petition, so its link opens nothing; returns its address."""
    with write_transaction() as session:
        invitation = session.scalar(
            select(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.petition_id == petition.id,
                Invitation.used_at.is_(None),
            )
            .with_for_update()
        )
        if invitation is None:
            raise InvitationGoneError(gettext("That invitation was already used or withdrawn."))
        email = invitation.email
        session.delete(invitation)
        record_event(session, petition, organiser, EventAction.INVITATION_WITHDRAWN, address=email)
    return email
