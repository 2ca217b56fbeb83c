"""Mail owed inside the caller's transaction, then claimed, composed and delivered with retries."""

import re
import secrets
import smtplib
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload

from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.senders import mail_sender
from petition.models import (
    MailKind,
    MailPriority,
    Organiser,
    OutboxMessage,
    OutboxState,
    Signature,
    UTCDateTime,
    table_of,
    utcnow,
)
from petition.transactions import rows_changed, write_transaction, writing_connection

_PACKAGE = Path(__file__).resolve().parents[1]
BACKOFF_BASE_SECONDS = 5
SETTLE_RETRY_PAUSE_SECONDS = 0.5


class ClaimedMessage(NamedTuple):
    """A message this worker holds a claim on: what to compose, or (queued by older code) the text."""

    id: int
    kind: str | None
    language: str | None
    signature_id: int | None
    change_id: int | None
    invitation_id: int | None
    update_id: int | None
    organiser_id: int | None
    petition_id: int | None
    figure: int | None
    recipient: str | None
    subject: str | None
    body_text: str | None
    body_html: str | None
    created_at: datetime
    attempts: int

    @classmethod
    def of(cls, row: OutboxMessage) -> "ClaimedMessage":
        """What a stored row owes, to compose it outside a delivery round (the /dev/mail page)."""
        return cls(*(getattr(row, name) for name in cls._fields))


@dataclass(frozen=True)
class OwedMail:
    """What a change owes: a kind of message, what it is about and the language to write it in."""

    kind: MailKind
    language: str
    signature_id: int | None = None
    change_id: int | None = None  # the details a confirmation link proposes (SignatureChange)
    invitation_id: int | None = None
    update_id: int | None = None  # an organiser's update (PetitionUpdate)
    organiser_id: int | None = None  # mail to an organiser rather than a signer
    petition_id: int | None = None  # the petition mail to an organiser is about
    figure: int | None = None  # a number it is about (the percentage of a goal passed)
    priority: MailPriority = MailPriority.TRANSACTIONAL


class MessageGoneError(LookupError):
    """What the message was about no longer exists (withdrawn, purged): there is nothing to send."""


Composer = Callable[[ClaimedMessage], Email]
_COMPOSERS_KEY = "petition.mail_composers"


def register_composers(app: Flask, table: Mapping[MailKind, Composer]) -> None:
    """Hand the app the function that writes each kind of owed mail (built in petition.wiring).

    Every kind needs one: a kind with none would sit in the outbox until it failed, so the app
    refuses to start without it.
    """
    missing = set(MailKind) - set(table)
    if missing:
        raise RuntimeError(f"no composer for mail of kinds {sorted(missing)}")
    app.extensions[_COMPOSERS_KEY] = MappingProxyType(dict(table))


def composers() -> Mapping[str, Composer]:
    """The app's table of composers by kind of mail."""
    table: Mapping[str, Composer] = current_app.extensions[_COMPOSERS_KEY]
    return table


def compose(message: ClaimedMessage) -> Email:
    """The message as it will be sent: written now from what the row owes, in its language."""
    if message.kind is None:  # queued before mail was composed at delivery: its text is stored
        if message.recipient is None or message.subject is None or message.body_text is None:
            raise MessageGoneError(f"outbox message {message.id} has neither a kind nor a text")
        return Email(message.recipient, message.subject, message.body_text, message.body_html)
    composer = composers().get(message.kind)
    if composer is None:
        raise LookupError(f"no composer for mail of kind {message.kind!r}")
    return composer(message)


@dataclass
class DeliveryReport:
    """What one delivery round did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed

    @property
    def goes_on(self) -> bool:
        """Whether the next round starts at once: this one sent or gave up on mail, so more may wait."""
        return bool(self.sent or self.failed)


_OUTBOX = table_of(OutboxMessage)
_QUEUE = insert(_OUTBOX)


def queue_message(session: Session, owed: OwedMail) -> None:
    """Owe a message: it is composed and sent only if the caller's transaction commits.

    The row holds what to send, not the text, so the request that owes it renders nothing and
    rows at rest hold no names and no link secrets. A message about a signature names it, so
    withdrawing the signature deletes it too.
    """
    # A Core INSERT built once: it runs on every signature, and the ORM's unit of work (or
    # building the statement anew) costs more than running it.
    session.execute(
        _QUEUE,
        {
            "kind": owed.kind,
            "language": owed.language,
            "signature_id": owed.signature_id,
            "change_id": owed.change_id,
            "invitation_id": owed.invitation_id,
            "update_id": owed.update_id,
            "organiser_id": owed.organiser_id,
            "petition_id": owed.petition_id,
            "figure": owed.figure,
            "priority": owed.priority,
        },
    )


def send_seconds() -> float:
    """The longest one message can take to send: the relay may take MAIL_TIMEOUT to answer the
    end of the data, and as long again for the commands before it, and a second for the rest."""
    return 2 * float(current_app.config["MAIL_TIMEOUT"]) + 1


def claim_seconds() -> float:
    """How long a claim lasts: OUTBOX_CLAIM_SECONDS, and never less than two sends may take, so
    that a worker renewing it before each send always has one send's time in hand."""
    return max(float(current_app.config["OUTBOX_CLAIM_SECONDS"]), 2 * send_seconds())


def claim_due(limit: int) -> tuple[str, list[ClaimedMessage]]:
    """Claim up to `limit` due messages; no other worker takes them until the claim runs out.

    On PostgreSQL concurrent workers skip each other's locked rows; SQLite has one writer, so
    their claims take turns.
    """
    now = utcnow()
    claim_id = secrets.token_hex(16)
    lease = timedelta(seconds=claim_seconds())
    with write_transaction() as session:
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            # A confirmation never waits behind an update to 100,000 signers.
            .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id)
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


def _settle(claim_id: str, message_ids: list[int], **values: object) -> int:
    """Settle messages still under our claim, releasing it; how many were."""
    with write_transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claim_id == claim_id)
            .values(claim_id=None, claimed_until=None, **values)
        )
    settled = rows_changed(result)
    if settled < len(message_ids):
        current_app.logger.warning(
            "outbox messages %s: a claim expired (or the message was withdrawn) before it settled",
            message_ids,
        )
    return settled


# Recording a message sent, once per message: a Core statement, prepared once, on the round's
# own connection: an ORM transaction per message cost the deliverer 1.8 ms of CPU, this 0.3 ms.
_RECORD_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("sent_id"), _OUTBOX.c.claim_id == bindparam("sent_claim"))
    .values(
        state=OutboxState.SENT,
        sent_at=bindparam("sent_time"),
        last_error=None,
        claim_id=None,
        claimed_until=None,
    )
)


def _mark_failed(claim_id: str, message: ClaimedMessage, error: str) -> None:
    current_app.logger.error("outbox message %s failed for good: %s", message.id, error)
    _settle(claim_id, [message.id], state=OutboxState.FAILED, last_error=error[:500])


def _retry_later(claim_id: str, message: ClaimedMessage, error: str) -> bool:
    """Schedule another attempt with backoff; give up once the message is too old. True if kept."""
    config = current_app.config
    now = utcnow()
    if now - message.created_at > timedelta(seconds=config["OUTBOX_GIVE_UP_AFTER"]):
        _mark_failed(claim_id, message, f"gave up after {message.attempts} attempts: {error}")
        return False
    delay = min(config["OUTBOX_MAX_BACKOFF"], BACKOFF_BASE_SECONDS * 2 ** (message.attempts - 1))
    _settle(
        claim_id,
        [message.id],
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=error[:500],
    )
    return True


# The enhanced status code that opens a reply's text (RFC 3463): "5.1.1 No such user".
_ENHANCED_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}\b")


def failure_text(error: BaseException) -> str:
    """What a failure is kept and logged as: the reply code and enhanced status ("550 5.1.1"),
    or the kind of error. Never the rest of a relay's words, which often repeat the address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, text = next(iter(error.recipients.values()))
        return _reply_text(code, text)
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply_text(error.smtp_code, error.smtp_error)
    if isinstance(error, (smtplib.SMTPException, OSError)):  # words of smtplib's or the system's
        return f"{type(error).__name__}: {str(error)[:200]}"
    return type(error).__name__


def _reply_text(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    status = _ENHANCED_STATUS.match(words.lstrip())
    return f"{code} {status.group()}" if status else str(code)


def _breaks_connection(exc: Exception) -> bool:
    """A dropped, reset or timed-out connection, as opposed to an answer about one message."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _bad_mailbox(exc: Exception) -> bool:
    """The relay refused the recipient for good: 5.1.x, an address that cannot receive mail."""
    if not isinstance(exc, smtplib.SMTPRecipientsRefused) or not exc.recipients:
        return False
    replies = [_reply_text(code, text) for code, text in exc.recipients.values()]
    return all(reply.startswith("5") and " 5.1." in reply for reply in replies)


class _RelayHealth:
    """Whether the app's relay fails now (refuses everything, or cannot be reached), so that the
    log says so once per outage and once when it is over, not once per message or round. Kept
    in the app's extensions: one per deliverer process."""

    KEY = "petition.relay_failing"

    @classmethod
    def _becomes(cls, failing: bool) -> bool:
        """Record the relay's state; whether it changed."""
        was = bool(current_app.extensions.get(cls.KEY, False))
        current_app.extensions[cls.KEY] = failing
        return was != failing

    @classmethod
    def refused_all(cls, reply: str) -> None:
        if cls._becomes(True):
            current_app.logger.warning(
                "the mail relay refuses every message (%s): treated as its outage; the messages "
                "wait and are tried again",
                reply,
            )

    @classmethod
    def unreachable(cls, error: str) -> None:
        if cls._becomes(True):
            current_app.logger.warning(
                "mail server unavailable (%s): the messages wait and are tried again", error
            )

    @classmethod
    def accepted(cls) -> None:
        if cls._becomes(False):
            current_app.logger.warning("the mail relay accepts mail again")


def _signatures_of(messages: list[ClaimedMessage]) -> list[Signature]:
    ids = [message.signature_id for message in messages if message.signature_id is not None]
    if not ids:
        return []
    query = select(Signature).where(Signature.id.in_(ids)).options(joinedload(Signature.petition))
    return list(db.session.scalars(query))


def _where(error: BaseException) -> str:
    """The kind of error and the line of ours that raised it: enough to find a bug, and no words
    of the error's own, which may hold an address."""
    ours = [
        frame for frame in traceback.extract_tb(error.__traceback__) if "petition" in frame.filename
    ]
    place = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    return f"{type(error).__name__}{place}"


def _compose_batch(
    claim_id: str, messages: list[ClaimedMessage], report: DeliveryReport
) -> list[tuple[ClaimedMessage, Email]]:
    """Write every claimed message in one read; those that cannot be written now are settled."""
    composed: list[tuple[ClaimedMessage, Email]] = []
    failures: list[tuple[ClaimedMessage, Exception]] = []
    # The signatures the round is about, in one query rather than one per message; held here
    # because the session keeps only the objects someone refers to.
    about = _signatures_of(messages)
    for message in messages:
        try:
            composed.append((message, compose(message)))
        except Exception as exc:
            failures.append((message, exc))
    db.session.rollback()  # end the read, so SQLite's writers are not held behind our snapshot
    del about
    for message, error in failures:
        if isinstance(error, MessageGoneError):
            _mark_failed(claim_id, message, "nothing left to send")
            report.failed += 1
            continue
        # A bug or a lost database connection: the message waits, it is not lost.
        current_app.logger.error("outbox message %s not composed: %s", message.id, _where(error))
        if _retry_later(claim_id, message, f"not composed: {type(error).__name__}"):
            report.retrying += 1
        else:
            report.failed += 1
    return composed


class _Round:
    """One delivery round under one claim: fenced, so that no message is sent once the claim on
    it may have passed to another worker, and judged as a whole where the relay refuses.

    Before each send the claim must hold for at least one send's time (send_seconds), else it is
    renewed in one statement; a renewal that finds a message taken ends the round. Each message
    is recorded sent as soon as the relay accepts it, so a worker killed mid-round sends at most
    the one message in flight again.

    A permanent refusal waits for the end of the round: when the relay refused every message
    of the round alike and accepted none, it is the relay that fails, not the mailboxes, and
    every message waits for another attempt. Otherwise an address that does not exist (5.1.x)
    fails for good, and any other refusal waits.
    """

    def __init__(self, claim_id: str, claimed_at: float, report: DeliveryReport) -> None:
        self.claim_id = claim_id
        self.report = report
        self.held_until = claimed_at + claim_seconds()
        self.refused: list[tuple[ClaimedMessage, Exception]] = []
        self.stopped = False
        self._writes: Connection | None = None

    def holds(self, unsettled: list[int]) -> bool:
        """Whether the claim on these messages holds for one more send, renewing it if need be."""
        if time.monotonic() + send_seconds() < self.held_until:
            return True
        ids = unsettled + [message.id for message, _error in self.refused]
        renewed_at = time.monotonic()
        with write_transaction() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.claim_id == self.claim_id)
                .values(claimed_until=utcnow() + timedelta(seconds=claim_seconds()))
            )
        if rows_changed(result) == len(ids):
            self.held_until = renewed_at + claim_seconds()
            return True
        current_app.logger.warning(
            "outbox claim %s was taken by another worker; its round stops", self.claim_id[:8]
        )
        self.stopped = True
        return False

    def sent(self, message: ClaimedMessage) -> bool:
        """Record a message the relay accepted; false if the claim had passed on meanwhile."""
        _RelayHealth.accepted()
        self.report.sent += 1
        if self._record_sent(message.id):
            return True
        current_app.logger.error(
            "outbox message %s was sent after its claim ran out and may go out twice: one send "
            "took longer than OUTBOX_CLAIM_SECONDS allows",
            message.id,
        )
        self.stopped = True
        return False

    def _record_sent(self, message_id: int) -> bool:
        """Record one message sent, retrying while the claim still holds; false if the claim
        was taken while it was being sent (the other worker may send it too).

        A send left unrecorded goes out again once the claim expires; a database connection cut
        (restart, failover) usually heals within a moment, so keep trying for half the claim.
        """
        deadline = time.monotonic() + claim_seconds() / 2
        values = {"sent_id": message_id, "sent_claim": self.claim_id}
        while True:
            try:
                connection = self._connection()
                recorded = rows_changed(
                    connection.execute(_RECORD_SENT, values | {"sent_time": utcnow()})
                )
                connection.commit()
                return recorded == 1
            except OperationalError:
                self.close()
                if time.monotonic() >= deadline:
                    raise
                current_app.logger.warning(
                    "outbox message %s sent but not recorded yet", message_id
                )
                time.sleep(SETTLE_RETRY_PAUSE_SECONDS)

    def _connection(self) -> Connection:
        if self._writes is None:
            self._writes = writing_connection()
        return self._writes

    def close(self) -> None:
        """Give back the round's own connection; one that broke is discarded by the pool."""
        writes, self._writes = self._writes, None
        if writes is not None:
            writes.close()

    def refuse(self, message: ClaimedMessage, exc: Exception) -> None:
        """The relay refused this message, or it cannot be sent as it is."""
        if not isinstance(exc, smtplib.SMTPException):  # UnicodeEncodeError…: never sendable
            _mark_failed(self.claim_id, message, failure_text(exc))
            self.report.failed += 1
        elif _is_temporary(exc):
            self.retry(message, failure_text(exc))
        else:
            self.refused.append((message, exc))

    def retry(self, message: ClaimedMessage, error: str) -> None:
        if _retry_later(self.claim_id, message, error):
            self.report.retrying += 1
        else:
            self.report.failed += 1

    def finish(self) -> None:
        """Judge the refusals, now that the round shows whether the relay accepts anything."""
        replies = {failure_text(exc) for _message, exc in self.refused}
        relay_fails = self.refused and self.report.sent == 0 and len(replies) == 1
        if relay_fails:
            _RelayHealth.refused_all(replies.pop())
        for message, exc in self.refused:
            if not relay_fails and _bad_mailbox(exc):
                _mark_failed(self.claim_id, message, failure_text(exc))
                self.report.failed += 1
            else:
                self.retry(message, failure_text(exc))
        self.refused = []

    def release(self) -> None:
        """Give up the claim on what a stopped round did not send, for the next round to take."""
        if not self.stopped:
            return
        with write_transaction() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.claim_id == self.claim_id)
                .values(claim_id=None, claimed_until=None)
            )


def _is_temporary(exc: smtplib.SMTPException) -> bool:
    """A 4xx answer may change by trying again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _text in exc.recipients.values())
    return not (isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500)


def deliver_due(limit: int | None = None) -> DeliveryReport:
    """Claim due messages, compose them and hand them to the app's mail sender over one connection."""
    claimed_at = time.monotonic()
    claim_id, messages = claim_due(limit or current_app.config["OUTBOX_BATCH_SIZE"])
    report = DeliveryReport()
    if not messages:
        return report
    remaining = _compose_batch(claim_id, messages, report)
    round_ = _Round(claim_id, claimed_at, report)
    try:
        with mail_sender().open() as send:
            while remaining:
                if not round_.holds([message.id for message, _email in remaining]):
                    remaining = []
                    break
                message, email = remaining.pop(0)
                try:
                    send(email)
                except Exception as exc:
                    if _breaks_connection(exc):
                        remaining.insert(0, (message, email))
                        raise
                    round_.refuse(message, exc)
                    continue
                if not round_.sent(message):
                    remaining = []
    except (smtplib.SMTPException, OSError) as exc:
        # The server is down, unreachable or hung up: every message not yet settled waits.
        error = failure_text(exc)
        _RelayHealth.unreachable(error)
        for message, _email in remaining:
            round_.retry(message, error)
    finally:
        round_.close()
        round_.finish()
        round_.release()
    return report


class BatchSize:
    """How many messages a round claims: it grows while the backlog fills whole rounds.

    Starts at OUTBOX_BATCH_SIZE and doubles after every full round up to OUTBOX_BATCH_MAX, so a
    surge's backlog goes out in big rounds (one connection each) while a quiet site claims few
    messages at a time; a round that finds less than it asked for starts small again.
    """

    def __init__(self) -> None:
        self.current = 0

    def next(self) -> int:
        config = current_app.config
        smallest, largest = config["OUTBOX_BATCH_SIZE"], config["OUTBOX_BATCH_MAX"]
        self.current = min(max(self.current, smallest), max(largest, smallest))
        return self.current

    def after(self, report: DeliveryReport) -> None:
        self.current = self.current * 2 if report.claimed >= self.current else 0


def deliver_round(batch: BatchSize) -> DeliveryReport:
    """One round of delivery at the batch's size, which then grows or starts small again.

    The command's loop and the web process's thread both deliver this way; each handles a failed
    round its own way (see cli.py and mail/background.py).
    """
    report = deliver_due(batch.next())
    batch.after(report)
    return report


_PER_SIGNATURE_COLUMNS = [
    "kind", "language", "signature_id", "update_id", "priority", "state",
    "created_at", "next_attempt_at", "attempts",
]  # fmt: skip


def queue_per_signature(
    session: Session,
    kind: MailKind,
    signature_id: ColumnElement[int],
    language: ColumnElement[str],
    where: Sequence[ColumnElement[bool]],
    *,
    priority: MailPriority = MailPriority.TRANSACTIONAL,
    update_id: int | None = None,
) -> int:
    """Owe one message to each signature the conditions select, in one INSERT … SELECT.

    For mail to many signers at once (an update to 100,000 of them, reminders): the database
    copies the rows itself, where one INSERT per signature would take minutes. Returns how many.
    """
    now = utcnow()
    rows = select(
        literal(str(kind), String),
        language,
        signature_id,
        literal(update_id, Integer),
        literal(int(priority), Integer),
        literal(str(OutboxState.PENDING), String),
        literal(now, UTCDateTime),
        literal(now, UTCDateTime),
        literal(0, Integer),
    ).where(*where)
    result = session.execute(insert(_OUTBOX).from_select(_PER_SIGNATURE_COLUMNS, rows))
    queued = rows_changed(result)
    if queued < 0:  # a driver that does not say: count the rows just queued
        queued = session.scalar(select(func.count()).where(*where)) or 0
    return queued


_PER_ORGANISER_COLUMNS = [
    "kind", "language", "organiser_id", "priority", "state",
    "created_at", "next_attempt_at", "attempts",
]  # fmt: skip


def queue_per_organiser(
    session: Session,
    kind: MailKind,
    language: str,
    where: Sequence[ColumnElement[bool]],
) -> None:
    """Owe one message to each organiser the conditions select, in one INSERT … SELECT.

    For mail that must cost the same whether anyone is selected or not (a password reset
    asked for an address that may have no account): the same statement runs either way.
    """
    now = utcnow()
    rows = select(
        literal(str(kind), String),
        literal(language, String),
        Organiser.id,
        literal(int(MailPriority.TRANSACTIONAL), Integer),
        literal(str(OutboxState.PENDING), String),
        literal(now, UTCDateTime),
        literal(now, UTCDateTime),
        literal(0, Integer),
    ).where(*where)
    session.execute(insert(_OUTBOX).from_select(_PER_ORGANISER_COLUMNS, rows))
