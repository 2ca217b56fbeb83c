"""A signer takes their signature back: their details are deleted and the count goes down."""

from typing import Any

from flask import current_app
from sqlalchemy import delete, update

from petition import tokens
from petition.extensions import db
from petition.models import OutboxMessage, OutboxState, Petition, Signature, SignatureStatus
from petition.transactions import write_transaction


def _signature_id(token: str) -> int:
    config = current_app.config
    payload: Any = tokens.read_token(
        config["SECRET_KEY"], tokens.WITHDRAW_SIGNATURE, token, config["WITHDRAW_MAX_AGE"]
    )
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
        raise tokens.InvalidTokenError("unexpected payload")
    return payload[0]


def petition_of_withdrawal(token: str) -> Petition | None:
    """The petition a withdrawal link is for; None once the signature is gone. Changes nothing."""
    signature = db.session.get(Signature, _signature_id(token))
    return signature.petition if signature is not None else None


def withdraw_signature(token: str) -> Petition | None:
    """Delete the signature and its owner's details; uncount it if it counted. Idempotent."""
    signature_id = _signature_id(token)
    with write_transaction() as session:
        # Locked, so an invalidation running now cannot uncount it a second time.
        signature = session.get(Signature, signature_id, with_for_update=True)
        if signature is None:
            return None  # already withdrawn (or purged): nothing of theirs is left
        petition = signature.petition
        if signature.status == SignatureStatus.CONFIRMED:
            session.execute(
                update(Petition)
                .where(Petition.id == petition.id)
                .values(signature_count=Petition.signature_count - 1)
            )
        # Delivered mail to them holds their name and links; mail still owed elsewhere stays.
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.recipient == signature.email,
                OutboxMessage.state != OutboxState.PENDING,
            )
        )
        session.delete(signature)
    return petition
