"""A signer takes their signature back: their details are deleted and the count goes down."""

from sqlalchemy import delete

from petition.extensions import db
from petition.models import OutboxMessage, OutboxState, Petition, Signature, SignatureStatus
from petition.signing.links import SignatureLink, read_withdrawal_link
from petition.transactions import write_transaction
from petition.transparency.tally import ExcludeReason, count_out


def _fits(link: SignatureLink, signature: Signature | None) -> bool:
    return signature is not None and link.fits(
        signature.petition_id, signature.link_secret, signature.created_at
    )


def petition_of_withdrawal(token: str) -> Petition | None:
    """The petition a withdrawal link is for; None once the signature is gone. Changes nothing."""
    link = read_withdrawal_link(token)
    signature = db.session.get(Signature, link.signature_id)
    return signature.petition if signature is not None and _fits(link, signature) else None


def withdraw_signature(token: str) -> Petition | None:
    """Delete the signature and its owner's details; uncount it if it counted. Idempotent.

    A link whose signature is gone does nothing, also when a later signature got its old id.
    """
    link = read_withdrawal_link(token)
    with write_transaction() as session:
        # Locked, so an invalidation running now cannot uncount it a second time.
        signature = session.get(Signature, link.signature_id, with_for_update=True)
        if signature is None or not _fits(link, signature):
            return None  # already withdrawn (or purged): nothing of theirs is left
        petition = signature.petition
        # One confirmed but never logged (so never in the count) has nothing to uncount.
        if signature.status == SignatureStatus.CONFIRMED and signature.log_index is not None:
            count_out(session, petition.id, signature.log_index, ExcludeReason.WITHDRAWN)
        # Every message about this signature goes with it (ON DELETE CASCADE). Messages queued
        # before they named their signature are found by address: those already delivered.
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.signature_id.is_(None),
                OutboxMessage.recipient == signature.email,
                OutboxMessage.state != OutboxState.PENDING,
            )
        )
        session.delete(signature)
    return petition
