"""Stopping updates: the one-click link in every update, bound to its signature by the secret.

Opening the link changes nothing (mail scanners open links); pressing its button, or a mail
app's one-click POST (RFC 8058), stops the updates. It works without login or cookies: the
signed token, which only the signature's own secret makes, is the proof.
"""

from dataclasses import dataclass

from sqlalchemy import update

from petition import tokens
from petition.extensions import db
from petition.models import Petition, Signature, SignatureChange
from petition.signing.links import SignatureLink, read_unsubscribe_link
from petition.transactions import write_transaction


@dataclass(frozen=True)
class Subscription:
    """The signature an unsubscribe link is for: its petition, and whether it still gets updates."""

    petition: Petition | None  # None: the signature was withdrawn or deleted since
    wants_updates: bool


def _linked(link: SignatureLink) -> Signature | None:
    signature = db.session.get(Signature, link.signature_id)
    if signature is None:
        return None  # withdrawn: nothing left that could get an update
    if not link.fits(signature.petition_id, signature.link_secret, signature.created_at):
        raise tokens.InvalidTokenError("no such signature")  # someone else's, under a reused id
    return signature


def subscription(token: str) -> Subscription:
    """What an unsubscribe link is about. Changes nothing."""
    signature = _linked(read_unsubscribe_link(token))
    if signature is None:
        return Subscription(None, False)
    return Subscription(signature.petition, signature.wants_updates)


def unsubscribe(token: str) -> Subscription:
    """Stop the updates of the link's signature; pressing again changes nothing more."""
    link = read_unsubscribe_link(token)
    with write_transaction() as session:
        signature = session.get(Signature, link.signature_id, with_for_update=True)
        if signature is None:
            return Subscription(None, False)
        if not link.fits(signature.petition_id, signature.link_secret, signature.created_at):
            raise tokens.InvalidTokenError("no such signature")
        signature.wants_updates = False
        # Details still waiting for the mailbox's confirmation must not turn them back on.
        session.execute(
            update(SignatureChange)
            .where(SignatureChange.signature_id == signature.id)
            .values(wants_updates=False)
        )
        petition = signature.petition
    return Subscription(petition, False)
