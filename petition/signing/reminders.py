"""Help signers who lost their link: send the confirmation again, within every limit."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from petition.mail.background import notify_delivery
from petition.mail.outbox import queue_per_signature
from petition.models import (
    EventAction,
    MailKind,
    Organiser,
    Petition,
    Signature,
    SignatureStatus,
    table_of,
    utcnow,
)
from petition.petitions.history import last_event, record_event
from petition.transactions import write_transaction

RESEND_ACTION = EventAction.RESENT
_signatures = table_of(Signature).c
MAX_OLDER_THAN_HOURS = 24 * 365


class ResendTooSoonError(Exception):
    """Confirmations were resent on this petition too recently."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds


def resend_confirmations(
    petition: Petition, organiser: Organiser, older_than_hours: int | None = None
) -> int:
    """Email the confirmation again to pending signers (older than N hours); returns how many.

    Signatures that already had MAX_MESSAGES_PER_SIGNATURE messages get none, and a petition's
    organisers can do this once per RESEND_MIN_INTERVAL, so it cannot become a mail cannon.
    """
    config = current_app.config
    interval = timedelta(seconds=config["RESEND_MIN_INTERVAL"])
    cap = config["MAX_MESSAGES_PER_SIGNATURE"]
    with write_transaction() as session:
        # Lock the petition so two organisers pressing at once cannot both pass the interval check.
        session.get(Petition, petition.id, with_for_update=True)
        previous = last_event(petition, RESEND_ACTION)
        now = utcnow()
        if previous is not None and now - previous.created_at < interval:
            wait = interval - (now - previous.created_at)
            raise ResendTooSoonError(int(wait.total_seconds()) + 1)
        waiting = [
            Signature.petition_id == petition.id,
            # Quietly held signatures get the reminder too, so their signers notice nothing.
            Signature.status.in_((SignatureStatus.PENDING, SignatureStatus.HELD)),
            Signature.confirmed_at.is_(None),
            Signature.messages_sent < cap,
        ]
        if older_than_hours:
            waiting.append(Signature.created_at < now - timedelta(hours=older_than_hours))
        # Lock them, so a confirmation or resubmission waits; one that signs meanwhile gets a
        # higher id and waits for the next reminder.
        chosen = list(session.scalars(select(Signature.id).where(*waiting).with_for_update()))
        sent = 0
        if chosen:
            waiting.append(Signature.id <= max(chosen))
            # Set-based: one INSERT … SELECT and one UPDATE, however many signers wait.
            sent = queue_per_signature(
                session, MailKind.CONFIRM, _signatures.id, _signatures.language, waiting
            )
            session.execute(
                update(Signature)
                .where(*waiting)
                .values(messages_sent=Signature.messages_sent + 1)
                .execution_options(synchronize_session=False)
            )
        record_event(
            session,
            petition,
            session.merge(organiser),
            RESEND_ACTION,
            rows=sent,
            count=sent,
            older_than_hours=older_than_hours or None,
        )
    if sent:
        notify_delivery()
    return sent
