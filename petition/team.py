"""Working as a team: organisers invite others by email to run a petition with them."""

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from petition import tokens
from petition.accounts import AccountError, authenticate, find_organiser, set_organiser_password
from petition.addresses import InvalidAddressError, normalise_email
from petition.audit import record_event
from petition.deliverer import notify_delivery
from petition.emails import invitation_email
from petition.extensions import db
from petition.models import Organiser, Petition
from petition.outbox import queue_message
from petition.petitions import is_organiser_of
from petition.transactions import write_transaction


@dataclass(frozen=True)
class Invitation:
    """What an invitation link offers: a place among one petition's organisers, for one address."""

    petition: Petition
    email: str

    @property
    def has_account(self) -> bool:
        """Whether the invited address already logs in (then it proves itself with its password)."""
        return find_organiser(self.email) is not None


def invite_organiser(petition: Petition, inviter: Organiser, email: str) -> None:
    """Email a signed, expiring link that makes its holder one of the petition's organisers."""
    try:
        address = normalise_email(email).lower()
    except InvalidAddressError as exc:
        raise AccountError(gettext("Please check the address. %(problem)s", problem=exc)) from exc
    if any(member.email == address for member in petition.organisers):
        raise AccountError(gettext("%(email)s already runs this petition.", email=address))
    config = current_app.config
    token = tokens.make_token(
        config["SECRET_KEY"], tokens.INVITE_ORGANISER, [petition.id, address, inviter.id]
    )
    days = config["INVITATION_MAX_AGE"] // 86400
    message = invitation_email(
        petition, inviter.email, address, token, find_organiser(address) is None, days
    )
    with write_transaction() as session:
        queue_message(session, message.recipient, message.subject, message.text, message.html)
        record_event(session, petition, session.merge(inviter), "invited", f"Invited {address}")
    notify_delivery()


def read_invitation(token: str) -> Invitation:
    """The invitation a link carries, if it is genuine, unexpired and its petition still exists."""
    config = current_app.config
    payload: Any = tokens.read_token(
        config["SECRET_KEY"], tokens.INVITE_ORGANISER, token, config["INVITATION_MAX_AGE"]
    )
    if not (isinstance(payload, list) and len(payload) == 3 and isinstance(payload[0], int)):
        raise tokens.InvalidTokenError("unexpected payload")
    petition = db.session.get(Petition, payload[0])
    if petition is None or not isinstance(payload[1], str):
        raise tokens.InvalidTokenError("no such petition")
    return Invitation(petition, payload[1])


def accept_invitation(invitation: Invitation, password: str) -> Organiser:
    """Join the petition's organisers: a new address sets its password, a known one gives it."""
    if invitation.has_account:
        organiser = authenticate(invitation.email, password)
        if organiser is None:
            raise AccountError(gettext("That is not the password of this account."))
    else:
        organiser = set_organiser_password(invitation.email, password)
    if is_organiser_of(organiser, invitation.petition):
        return organiser
    with write_transaction() as session:
        petition = session.get(Petition, invitation.petition.id)
        member = session.scalar(select(Organiser).where(Organiser.id == organiser.id))
        if petition is not None and member is not None and member not in petition.organisers:
            petition.organisers.append(member)
            record_event(session, petition, member, "joined", f"{member.email} joined")
    return organiser
