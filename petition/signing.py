"""The signer's use cases: sign, then confirm by the emailed link. No request, no session."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from petition import tokens
from petition.addresses import canonical_email
from petition.clients import client_hash, network_hash
from petition.deliverer import notify_delivery
from petition.emails import Email, already_signed_email, confirmation_email
from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus, utcnow
from petition.outbox import queue_message
from petition.screening import broken_rule
from petition.snapshots import KEEPS_SNAPSHOTS, PetitionSnapshot
from petition.transactions import write_transaction


class PetitionClosedError(Exception):
    """The petition no longer accepts signatures or confirmations."""

    def __init__(self, petition: Petition | PetitionSnapshot) -> None:
        super().__init__(f"petition {petition.slug} is closed")
        self.petition = petition


class SignOutcome(enum.StrEnum):
    """What a submission did. Only the signer's mailbox ever learns this."""

    NEW = "new"
    REMINDED = "reminded"
    ALREADY_CONFIRMED = "already-confirmed"
    CAPPED = "capped"


def confirmation_token(signature: Signature) -> str:
    """A link token that confirms this signature and nothing else."""
    secret = current_app.config["SECRET_KEY"]
    return tokens.make_token(
        secret, tokens.CONFIRM_SIGNATURE, [signature.id, signature.petition_id]
    )


def withdrawal_token(signature: Signature) -> str:
    """A link token that withdraws this signature and nothing else."""
    secret = current_app.config["SECRET_KEY"]
    return tokens.make_token(
        secret, tokens.WITHDRAW_SIGNATURE, [signature.id, signature.petition_id]
    )


def _send(session: Session, signature: Signature, email: Email) -> None:
    queue_message(session, email.recipient, email.subject, email.text, email.html)
    signature.messages_sent += 1


_SIGNING_STATE = select(
    Petition.__table__.c.hidden_at,
    Petition.__table__.c.closes_at,
    Petition.__table__.c.blocks_disposable,
).where(Petition.__table__.c.id == bindparam("petition_id"))
_EXISTING = (
    select(Signature.__table__.c.id)
    .where(
        Signature.__table__.c.petition_id == bindparam("petition_id"),
        Signature.__table__.c.email_canonical == bindparam("email_canonical"),
    )
    .with_for_update()  # concurrent resubmissions queue here, so the message cap holds
)


def _open(hidden_at: datetime | None, closes_at: datetime | None) -> bool:
    return hidden_at is None and (closes_at is None or utcnow() < closes_at)


_NEW_SIGNATURE = (
    insert(Signature.__table__)
    .returning(Signature.__table__.c.id)
    # A new signature is pending or held: no public page shows it, so readers' copies stay.
    .execution_options(**{KEEPS_SNAPSHOTS: True})
)


def _sign(
    session: Session,
    petition: Petition | PetitionSnapshot,
    name: str,
    email: str,
    country: str | None,
    address: str | None,
    show_name: bool,
    held_for: str | None,
    language: str,
) -> SignOutcome:
    # Read inside the transaction: the caller's petition may be a copy a second old.
    state = session.execute(_SIGNING_STATE, {"petition_id": petition.id}).one_or_none()
    if state is None or not _open(*state[:2]):
        raise PetitionClosedError(petition)
    canonical = canonical_email(email)
    signature_id = session.scalar(
        _EXISTING, {"petition_id": petition.id, "email_canonical": canonical}
    )
    if signature_id is None:
        # Quiet handling: a rule-breaker gets the same pages and mail, but is never counted.
        flag_reason = broken_rule(session, petition.id, state.blocks_disposable, email, address)
        flag_reason = flag_reason or held_for
        # The hot path of a surge: one Core INSERT instead of the ORM's unit of work, which
        # measured several times slower per signature. A concurrent twin fails here.
        signature_id = session.scalar(
            _NEW_SIGNATURE,
            {
                "petition_id": petition.id,
                "name": name,
                "email": email,
                "email_canonical": canonical,
                "country": country,
                "show_name": show_name,
                "language": language,
                "messages_sent": 1,
                "client_hash": client_hash(address),
                "network_hash": network_hash(address),
                "flag_reason": flag_reason,
                "status": SignatureStatus.FRAUDULENT if flag_reason else SignatureStatus.PENDING,
            },
        )
        new = Signature(
            id=signature_id, petition_id=petition.id, name=name, email=email, language=language
        )
        message = confirmation_email(  # `new` is unsaved: it only carries what the mail needs
            petition, new, confirmation_token(new), withdrawal_token(new)
        )
        queue_message(session, message.recipient, message.subject, message.text, message.html)
        return SignOutcome.NEW
    signature = session.get_one(Signature, signature_id, populate_existing=True)
    if signature.messages_sent >= current_app.config["MAX_MESSAGES_PER_SIGNATURE"]:
        return SignOutcome.CAPPED
    withdraw = withdrawal_token(signature)
    if signature.confirmed_at is not None:  # counted, or quietly not: the mail is the same
        signature.language = language  # the note goes out in the language they use now
        _send(session, signature, already_signed_email(petition, signature, withdraw))
        return SignOutcome.ALREADY_CONFIRMED
    signature.name, signature.email, signature.country = name, email, country
    signature.show_name, signature.language = show_name, language
    _send(
        session,
        signature,
        confirmation_email(petition, signature, confirmation_token(signature), withdraw),
    )
    return SignOutcome.REMINDED


def sign_petition(
    petition: Petition | PetitionSnapshot,
    *,
    name: str,
    email: str,
    country: str | None = None,
    client_address: str | None = None,
    show_name: bool = False,
    flag_reason: str | None = None,
    language: str = "en",
) -> SignOutcome:
    """Record a pending signature (or find the existing one) and owe its owner one email.

    The client address is only hashed (see clients.py); it is never stored. A flag_reason
    (the caller's own rule, such as a spent rate limit) holds a new signature quietly; an
    existing one keeps its status, so a real signer is never uncounted by someone else's flood.
    Every email to the signer is written in `language`, the one they signed in.
    """
    for attempt in (1, 2):
        try:
            with write_transaction() as session:
                outcome = _sign(
                    session,
                    petition,
                    name,
                    email,
                    country,
                    client_address,
                    show_name,
                    flag_reason,
                    language,
                )
            break
        except IntegrityError:
            # Two submissions of one address raced; the second now finds the first.
            if attempt == 2:
                raise
    if outcome is not SignOutcome.CAPPED:
        notify_delivery()
    return outcome


def _signature_id(token: str) -> int:
    config = current_app.config
    payload: Any = tokens.read_token(
        config["SECRET_KEY"], tokens.CONFIRM_SIGNATURE, token, config["CONFIRMATION_MAX_AGE"]
    )
    if not (isinstance(payload, list) and payload and isinstance(payload[0], int)):
        raise tokens.InvalidTokenError("unexpected payload")
    return payload[0]


def _check_confirmable(signature: Signature) -> None:
    if not _confirmable(signature.created_at, signature.petition.closes_at):
        raise PetitionClosedError(signature.petition)


def _confirmable(created_at: datetime, closes_at: datetime | None) -> bool:
    grace = timedelta(seconds=current_app.config["CLOSED_CONFIRMATION_GRACE"])
    return closes_at is None or (created_at < closes_at and utcnow() <= closes_at + grace)


def load_confirmation(token: str) -> Signature:
    """The signature a confirmation link is for, if it can still be confirmed. Changes nothing."""
    signature = db.session.get(Signature, _signature_id(token))
    if signature is None:
        raise tokens.InvalidTokenError("no such signature")
    if signature.confirmed_at is None:
        _check_confirmable(signature)
    return signature


@dataclass(frozen=True)
class Confirmation:
    """A signature as confirming left it: counted, or (held quietly) only looking so."""

    id: int
    petition_id: int
    petition_slug: str
    status: str
    confirmed_at: datetime


_signatures = Signature.__table__.c
_petitions = Petition.__table__.c
# Built once: confirming is a hot path in a surge, and making a statement costs more than running
# it. Core statements, not the ORM's unit of work, for the same reason.
_TO_CONFIRM = (
    select(
        _signatures.petition_id,
        _petitions.slug,
        _signatures.status,
        _signatures.created_at,
        _signatures.confirmed_at,
        _petitions.closes_at,
    )
    .join_from(Signature.__table__, Petition.__table__)
    .where(_signatures.id == bindparam("signature_id"))
    # Locked, so a bulk invalidation or its reversal waits for us or we for it.
    .with_for_update(of=Signature.__table__)
)
_MARK_CONFIRMED = (
    update(Signature.__table__)
    .where(_signatures.id == bindparam("signature_id"))
    .values(confirmed_at=bindparam("now"))
)
_COUNT_CONFIRMED = (
    update(Signature.__table__)
    .where(
        _signatures.id == bindparam("signature_id"),
        _signatures.status == SignatureStatus.PENDING,
    )
    .values(status=SignatureStatus.CONFIRMED, confirmed_at=bindparam("now"))
)
_ADD_ONE = (
    update(Petition.__table__)
    .where(_petitions.id == bindparam("petition_id"))
    .values(signature_count=_petitions.signature_count + 1)
)


def confirm_signature(token: str) -> Confirmation:
    """Count the signature once, however often the link is used."""
    signature_id = _signature_id(token)
    with write_transaction() as session:
        row = session.execute(_TO_CONFIRM, {"signature_id": signature_id}).one_or_none()
        if row is None:
            raise tokens.InvalidTokenError("no such signature")
        petition_id, slug, status, created_at, confirmed_at, closes_at = row
        if confirmed_at is not None:
            return Confirmation(signature_id, petition_id, slug, status, confirmed_at)
        if not _confirmable(created_at, closes_at):
            raise PetitionClosedError(session.get_one(Petition, petition_id))
        now = utcnow()
        if status == SignatureStatus.FRAUDULENT:
            # Looks confirmed to its signer; reversing the flag would count it from here.
            session.execute(_MARK_CONFIRMED, {"signature_id": signature_id, "now": now})
            return Confirmation(signature_id, petition_id, slug, status, now)
        confirmed = session.execute(_COUNT_CONFIRMED, {"signature_id": signature_id, "now": now})
        if confirmed.rowcount:  # type: ignore[attr-defined]
            session.execute(_ADD_ONE, {"petition_id": petition_id})
    return Confirmation(signature_id, petition_id, slug, SignatureStatus.CONFIRMED, now)


def petition_of_expired_token(error: tokens.ExpiredTokenError) -> Petition | None:
    """The petition an expired confirmation link was for, to offer signing again."""
    payload = error.payload
    if isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], int):
        return db.session.get(Petition, payload[1])
    return None
