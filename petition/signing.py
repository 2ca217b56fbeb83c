"""The signer's use cases: sign, then confirm by the emailed link. No request, no session."""

import enum
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update
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
from petition.transactions import write_transaction


class PetitionClosedError(Exception):
    """The petition no longer accepts signatures or confirmations."""

    def __init__(self, petition: Petition) -> None:
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


def _sign(
    session: Session,
    petition: Petition,
    name: str,
    email: str,
    country: str | None,
    address: str | None,
    show_name: bool,
    held_for: str | None,
    language: str,
) -> SignOutcome:
    if not petition.is_open():
        raise PetitionClosedError(petition)
    canonical = canonical_email(email)
    signature = session.scalar(
        select(Signature)
        .where(Signature.petition_id == petition.id, Signature.email_canonical == canonical)
        .with_for_update()  # concurrent resubmissions queue here, so the message cap holds
    )
    if signature is None:
        # Quiet handling: a rule-breaker gets the same pages and mail, but is never counted.
        flag_reason = broken_rule(session, petition, email, address) or held_for
        # The hot path of a surge: one Core INSERT instead of the ORM's unit of work, which
        # measured several times slower per signature. A concurrent twin fails here.
        signature_id = session.scalar(
            insert(Signature)
            .values(
                petition_id=petition.id,
                name=name,
                email=email,
                email_canonical=canonical,
                country=country,
                show_name=show_name,
                language=language,
                messages_sent=1,
                client_hash=client_hash(address),
                network_hash=network_hash(address),
                flag_reason=flag_reason,
                status=SignatureStatus.FRAUDULENT if flag_reason else SignatureStatus.PENDING,
            )
            .returning(Signature.id)
        )
        new = Signature(
            id=signature_id, petition_id=petition.id, name=name, email=email, language=language
        )
        message = confirmation_email(  # `new` is unsaved: it only carries what the mail needs
            petition, new, confirmation_token(new), withdrawal_token(new)
        )
        queue_message(session, message.recipient, message.subject, message.text, message.html)
        return SignOutcome.NEW
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
    petition: Petition,
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
    closes_at = signature.petition.closes_at
    grace = timedelta(seconds=current_app.config["CLOSED_CONFIRMATION_GRACE"])
    if closes_at is not None and (
        signature.created_at >= closes_at or utcnow() > closes_at + grace
    ):
        raise PetitionClosedError(signature.petition)


def load_confirmation(token: str) -> Signature:
    """The signature a confirmation link is for, if it can still be confirmed. Changes nothing."""
    signature = db.session.get(Signature, _signature_id(token))
    if signature is None:
        raise tokens.InvalidTokenError("no such signature")
    if signature.confirmed_at is None:
        _check_confirmable(signature)
    return signature


def confirm_signature(token: str) -> Signature:
    """Count the signature once, however often the link is used."""
    signature_id = _signature_id(token)
    with write_transaction() as session:
        # Locked, so a bulk invalidation or its reversal waits for us or we for it.
        signature = session.get(Signature, signature_id, with_for_update=True)
        if signature is None:
            raise tokens.InvalidTokenError("no such signature")
        if signature.confirmed_at is not None:
            return signature
        _check_confirmable(signature)
        if signature.status == SignatureStatus.FRAUDULENT:
            # Looks confirmed to its signer; reversing the flag would count it from here.
            signature.confirmed_at = utcnow()
            return signature
        confirmed = session.execute(
            update(Signature)
            .where(Signature.id == signature_id, Signature.status == SignatureStatus.PENDING)
            .values(status=SignatureStatus.CONFIRMED, confirmed_at=utcnow())
        )
        if confirmed.rowcount:  # type: ignore[attr-defined]
            session.execute(
                update(Petition)
                .where(Petition.id == signature.petition_id)
                .values(signature_count=Petition.signature_count + 1)
            )
    return signature


def petition_of_expired_token(error: tokens.ExpiredTokenError) -> Petition | None:
    """The petition an expired confirmation link was for, to offer signing again."""
    payload = error.payload
    if isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], int):
        return db.session.get(Petition, payload[1])
    return None
