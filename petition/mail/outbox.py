"""Mail queued inside the caller's transaction, then claimed and delivered with retries."""

import secrets
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from petition.mail.messages import Email
from petition.mail.senders import mail_sender
from petition.models import OutboxMessage, OutboxState, table_of, utcnow
from petition.transactions import release_session, rows_changed, write_transaction

BACKOFF_BASE_SECONDS = 5
SETTLE_RETRY_PAUSE_SECONDS = 0.5


class ClaimedMessage(NamedTuple):
    """A message this worker holds a claim on."""

    id: int
    recipient: str
    subject: str
    body_text: str
    body_html: str | None
    created_at: datetime
    attempts: int

    def email(self) -> Email:
        """The message as it was composed, for the sender."""
        return Email(self.recipient, self.subject, self.body_text, self.body_html)


@dataclass
class DeliveryReport:
    """What one delivery round did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed


_QUEUE = insert(table_of(OutboxMessage))


def queue_message(session: Session, message: Email, signature_id: int | None = None) -> None:
    """Owe a composed message: it is sent only if the caller's transaction commits.

    A message about a signature names it, so withdrawing the signature deletes it too.
    """
    # A Core INSERT built once: it runs on every signature, and the ORM's unit of work (or
    # building the statement anew) costs more than running it.
    session.execute(
        _QUEUE,
        {
            "recipient": message.recipient,
            "subject": message.subject,
            "body_text": message.text,
            "body_html": message.html,
            "signature_id": signature_id,
        },
    )


def claim_due(limit: int) -> tuple[str, list[ClaimedMessage]]:
    """Claim up to `limit` due messages; no other worker takes them until the claim runs out."""
    now = utcnow()
    claim_id = secrets.token_hex(16)
    lease = timedelta(seconds=current_app.config["OUTBOX_CLAIM_SECONDS"])
    with write_transaction() as session:
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(session.scalars(due))
        if not ids:
            return claim_id, []
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                claim_id=claim_id, claimed_until=now + lease, attempts=OutboxMessage.attempts + 1
            )
        )
        rows = session.execute(
            select(*(getattr(OutboxMessage, name) for name in ClaimedMessage._fields))
            .where(OutboxMessage.claim_id == claim_id)
            .order_by(OutboxMessage.id)
        )
        return claim_id, [ClaimedMessage(*row) for row in rows]


def _settle(claim_id: str, message_id: int, **values: object) -> None:
    with write_transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claim_id == claim_id)
            .values(claim_id=None, claimed_until=None, **values)
        )
    if rows_changed(result) == 0:
        current_app.logger.warning("outbox message %s: claim expired before it settled", message_id)


def _mark_sent(claim_id: str, message: ClaimedMessage) -> None:
    """Record a message the mail server accepted, retrying while our claim still holds.

    A send left unrecorded goes out again once the claim expires; a database connection cut
    (restart, failover) usually heals within a moment, so keep trying for half the claim.
    """
    deadline = time.monotonic() + current_app.config["OUTBOX_CLAIM_SECONDS"] / 2
    while True:
        try:
            _settle(claim_id, message.id, state=OutboxState.SENT, sent_at=utcnow(), last_error=None)
            return
        except OperationalError:
            release_session(None)
            if time.monotonic() >= deadline:
                raise
            current_app.logger.warning("outbox message %s sent but not recorded yet", message.id)
            time.sleep(SETTLE_RETRY_PAUSE_SECONDS)


def _mark_failed(claim_id: str, message: ClaimedMessage, error: str) -> None:
    current_app.logger.error("outbox message %s failed for good: %s", message.id, error)
    _settle(claim_id, message.id, state=OutboxState.FAILED, last_error=error[:500])


def _retry_later(claim_id: str, message: ClaimedMessage, error: str) -> bool:
    """Schedule another attempt with backoff; give up once the message is too old. True if kept."""
    config = current_app.config
    now = utcnow()
    if now - message.created_at > timedelta(seconds=config["OUTBOX_GIVE_UP_AFTER"]):
        _mark_failed(claim_id, message, f"gave up after {message.attempts} attempts: {error}")
        return False
    delay = min(config["OUTBOX_MAX_BACKOFF"], BACKOFF_BASE_SECONDS * 2 ** (message.attempts - 1))
    _settle(
        claim_id, message.id, next_attempt_at=now + timedelta(seconds=delay), last_error=error[:500]
    )
    return True


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    """A 5xx answer will not change by trying again; a 4xx answer might."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _breaks_connection(exc: Exception) -> bool:
    """A dropped, reset or timed-out connection, as opposed to an answer about one message."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _settle_refused(
    claim_id: str, message: ClaimedMessage, exc: Exception, report: DeliveryReport
) -> None:
    """One message was refused or cannot be sent as it is; the rest of the batch goes on."""
    retryable = isinstance(exc, smtplib.SMTPException) and not _is_permanent(exc)
    if retryable and _retry_later(claim_id, message, repr(exc)):
        report.retrying += 1
        return
    if not retryable:  # a 5xx, or a message smtplib cannot encode (UnicodeEncodeError…)
        _mark_failed(claim_id, message, repr(exc))
    report.failed += 1


def deliver_due(limit: int | None = None) -> DeliveryReport:
    """Claim due messages and hand them to the app's mail sender over one connection."""
    claim_id, messages = claim_due(limit or current_app.config["OUTBOX_BATCH_SIZE"])
    if not messages:
        return DeliveryReport()
    report = DeliveryReport()
    remaining = list(messages)
    try:
        with mail_sender().open() as send:
            while remaining:
                message = remaining.pop(0)
                try:
                    send(message.email())
                except Exception as exc:
                    if _breaks_connection(exc):
                        remaining.insert(0, message)
                        raise
                    _settle_refused(claim_id, message, exc, report)
                    continue
                _mark_sent(claim_id, message)
                report.sent += 1
    except (smtplib.SMTPException, OSError) as exc:
        # The server is down, unreachable or hung up: every message not yet settled waits.
        current_app.logger.warning("mail server unavailable, will retry: %r", exc)
        for message in remaining:
            if _retry_later(claim_id, message, repr(exc)):
                report.retrying += 1
            else:
                report.failed += 1
    return report
