"""Keeping personal data no longer than needed: what `flask --app petition purge` does."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, cast, delete, literal, select, update

from petition.models import (
    LoginFailures,
    OutboxMessage,
    OutboxState,
    Petition,
    Signature,
    SignatureChange,
    utcnow,
)
from petition.organisers.login_attempts import FORGET_AFTER
from petition.transactions import rows_changed, write_transaction

ANONYMISED = ""  # the name and address left on an anonymised signature


@dataclass(frozen=True)
class PurgeReport:
    """What one purge did; every number is 0 when it runs again at once."""

    unconfirmed_deleted: int
    anonymised: int
    messages_deleted: int
    login_counts_deleted: int = 0


def purge(now: datetime | None = None) -> PurgeReport:
    """Delete old unconfirmed signatures, old mail and stale login counts; anonymise signers of
    long-closed petitions.

    Counts and country totals stay. Safe to run at any frequency: it only touches what is due.
    """
    config = current_app.config
    now = now or utcnow()
    unconfirmed_before = now - timedelta(days=config["UNCONFIRMED_RETENTION_DAYS"])
    closed_before = now - timedelta(days=config["RETENTION_DAYS_AFTER_CLOSE"])
    mail_before = now - timedelta(days=config["OUTBOX_RETENTION_DAYS"])
    with write_transaction() as session:
        unconfirmed = rows_changed(
            session.execute(
                delete(Signature).where(
                    Signature.confirmed_at.is_(None), Signature.created_at < unconfirmed_before
                )
            )
        )
        long_closed = select(Petition.id).where(Petition.closes_at < closed_before)
        anonymised = rows_changed(
            session.execute(
                update(Signature)
                .where(Signature.petition_id.in_(long_closed), Signature.email != ANONYMISED)
                .values(
                    name=ANONYMISED,
                    email=ANONYMISED,
                    # Unique per petition, and no longer anyone's address.
                    email_canonical=literal("#") + cast(Signature.id, String),
                    client_hash=None,
                    network_hash=None,
                    # The log keeps its commitment; the receipt was the signer's to keep.
                    receipt=None,
                    # Nobody is left to write to: no more updates.
                    wants_updates=False,
                )
                .execution_options(synchronize_session=False)
            )
        )
        # Details a resubmission typed and nobody confirmed go with the rest.
        session.execute(
            delete(SignatureChange).where(
                SignatureChange.signature_id.in_(
                    select(Signature.id).where(Signature.petition_id.in_(long_closed))
                )
            )
        )
        # Mail about a deleted signature went with it. Sent or failed mail holds names, addresses and live links: no use once it has left.
        messages = rows_changed(
            session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.state != OutboxState.PENDING,
                    OutboxMessage.created_at < mail_before,
                )
            )
        )
        # Counts of wrong passwords hold hashes of addresses; a quiet day makes them moot.
        login_counts = rows_changed(
            session.execute(
                delete(LoginFailures).where(LoginFailures.last_failed_at < now - FORGET_AFTER)
            )
        )
    return PurgeReport(unconfirmed, anonymised, messages, login_counts)
