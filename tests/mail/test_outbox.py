"""Delivering the outbox over a real SMTP server: success, retries, failures, hangs and races."""

import contextlib
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select, update

from petition.extensions import db
from petition.mail.background import deliverer_for
from petition.mail.messages import Email
from petition.mail.outbox import DeliveryReport, deliver_due
from petition.models import OutboxMessage, OutboxState, utcnow
from petition.signing.signatures import sign_petition
from tests.conftest import SMTPServer, free_port
from tests.helpers.checks import must
from tests.helpers.mailbox import deliver_from_two_threads, queue_composed


def queue(*recipients: str) -> list[int]:
    """Owe one plain message to each recipient; return their ids in order."""
    for recipient in recipients:
        queue_composed(
            db.session, Email(recipient, f"Hello {recipient}", "Hello.", "<p>Hello.</p>")
        )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.recipient.in_(recipients))
            .order_by(OutboxMessage.id)
        )
    )


def stored(message_id: int) -> OutboxMessage:
    """The message as the database has it now (other connections may have changed it)."""
    db.session.rollback()
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    return message


def make_everything_due() -> None:
    """Move time on: every pending message's next attempt is now in the past."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.PENDING)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def only_message(smtp: SMTPServer) -> EmailMessage:
    [message] = smtp.sink.wait_for(1)
    return message


# --- a successful delivery -------------------------------------------------------------------


def test_a_signers_confirmation_arrives_as_text_and_html(
    app: Flask, smtp: SMTPServer, make_petition
) -> None:
    petition = make_petition(title="Свободу адвокату")
    sign_petition(petition, name="Айгерим", email="aigerim@example.org")
    assert deliver_due() == DeliveryReport(sent=1)
    message = only_message(smtp)
    assert message["Subject"] == "Confirm your signature: Свободу адвокату"
    assert (
        message["From"] == app.config["MAIL_DEFAULT_SENDER"] == "Petitions <petitions@example.org>"
    )
    assert message["To"] == "aigerim@example.org"
    assert message.is_multipart()
    text = must(message.get_body(preferencelist=("plain",))).get_content()
    html = must(message.get_body(preferencelist=("html",))).get_content()
    assert "Айгерим" in text
    link = re.search(r"https://petitions\.example\.org/confirm/\S+", text)
    assert link, text
    assert f'href="{link.group(0)}"' in html
    [row] = db.session.scalars(select(OutboxMessage))
    assert row.state == OutboxState.SENT and row.sent_at is not None and row.attempts == 1


# --- the server is down, then back ------------------------------------------------------------


def test_a_stopped_server_keeps_the_message_for_a_later_attempt(
    app: Flask, smtp: SMTPServer
) -> None:
    smtp.stop()
    [message_id] = queue("ann@example.org")
    assert deliver_due() == DeliveryReport(retrying=1)
    message = stored(message_id)
    assert message.state == OutboxState.PENDING
    assert (
        utcnow()
        < message.next_attempt_at
        <= utcnow() + timedelta(seconds=app.config["OUTBOX_MAX_BACKOFF"])
    )
    assert message.last_error and "Refused" in message.last_error
    assert message.claim_id is None and message.claimed_until is None
    assert message.attempts == 1


def test_an_unreachable_server_is_logged_once_per_outage_not_per_round(
    app: Flask, smtp: SMTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.stop()
    queue("ann@example.org")
    with caplog.at_level("WARNING"):
        for _round in range(3):
            make_everything_due()
            assert deliver_due().retrying == 1
        smtp.start()
        make_everything_due()
        assert deliver_due() == DeliveryReport(sent=1)
    said = [record.getMessage() for record in caplog.records]
    assert sum("mail server unavailable" in line for line in said) == 1, said
    assert sum("accepts mail again" in line for line in said) == 1, said


def test_after_the_server_returns_the_message_is_delivered_exactly_once(
    app: Flask, smtp: SMTPServer
) -> None:
    smtp.stop()
    [message_id] = queue("ann@example.org")
    assert deliver_due().retrying == 1
    smtp.start()
    assert deliver_due().claimed == 0, "the backoff has not run out yet"
    make_everything_due()
    assert deliver_due() == DeliveryReport(sent=1)
    make_everything_due()
    assert deliver_due().claimed == 0
    assert only_message(smtp)["To"] == "ann@example.org"
    message = stored(message_id)
    assert (
        message.state == OutboxState.SENT and message.attempts == 2 and message.last_error is None
    )


def test_the_wait_between_attempts_doubles(app: Flask, smtp: SMTPServer) -> None:
    smtp.stop()
    [message_id] = queue("ann@example.org")
    waits = []
    for _ in range(3):
        make_everything_due()
        before = utcnow()
        assert deliver_due().retrying == 1
        waits.append((stored(message_id).next_attempt_at - before).total_seconds())
    assert [int(wait) for wait in waits] == [5, 10, 20]  # BACKOFF_BASE_SECONDS doubling


# --- what the server answers ------------------------------------------------------------------


def test_a_temporary_refusal_is_retried(app: Flask, smtp: SMTPServer) -> None:
    smtp.sink.reply = "451 4.3.0 Try again later"
    [message_id] = queue("ann@example.org")
    assert deliver_due() == DeliveryReport(retrying=1)
    message = stored(message_id)
    assert message.state == OutboxState.PENDING and "451" in (message.last_error or "")
    smtp.sink.reply = None
    make_everything_due()
    assert deliver_due() == DeliveryReport(sent=1)
    assert only_message(smtp)["To"] == "ann@example.org"


def test_a_relay_refusing_every_message_alike_is_down_and_the_mail_waits(
    app: Flask, smtp: SMTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """550 for everyone is the relay's bad minute, not bad mailboxes: nothing fails for good."""
    smtp.sink.reply = "550 5.1.1 <ann@example.org>: no such user here"
    ids = queue("ann@example.org", "bob@example.org")
    with caplog.at_level("WARNING"):
        assert deliver_due() == DeliveryReport(retrying=2)
        make_everything_due()
        assert deliver_due() == DeliveryReport(retrying=2)
    assert [stored(i).state for i in ids] == ["pending", "pending"]
    assert {stored(i).last_error for i in ids} == {"550 5.1.1"}  # the code, not the address
    outage = [r for r in caplog.records if "refuses every message" in r.getMessage()]
    assert len(outage) == 1, "one line per outage, not one per message or round"
    smtp.sink.reply = None
    make_everything_due()
    assert deliver_due() == DeliveryReport(sent=2)
    assert sorted(m["To"] for m in smtp.sink.wait_for(2)) == ["ann@example.org", "bob@example.org"]
    assert "accepts mail again" in caplog.text


def test_a_server_that_hangs_up_mid_batch_leaves_the_rest_for_later(
    app: Flask, smtp: SMTPServer
) -> None:
    smtp.sink.reply = "421 4.3.2 Service shutting down"
    first, second = queue("first@example.org", "second@example.org")
    assert deliver_due() == DeliveryReport(retrying=2)
    assert [stored(i).state for i in (first, second)] == ["pending", "pending"]
    assert "421" in (stored(first).last_error or "")
    smtp.sink.reply = None
    make_everything_due()
    assert deliver_due() == DeliveryReport(sent=2)


class ScriptedRelay:
    """An SMTP server that answers chosen recipients with chosen errors, at RCPT TO or at DATA."""

    def __init__(self) -> None:
        self.at_rcpt: dict[str, str] = {}
        self.at_data: dict[str, str] = {}
        self.delivered: list[str] = []

    async def handle_RCPT(  # aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.at_rcpt:
            return self.at_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for address in envelope.rcpt_tos:
            if address in self.at_data:
                return self.at_data[address]
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted"


@pytest.fixture
def relay(app: Flask) -> Iterator[ScriptedRelay]:
    handler = ScriptedRelay()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["MAIL_PORT"] = controller.port
    yield handler
    controller.stop()


def test_refusals_at_data_settle_each_message_and_the_batch_goes_on(
    app: Flask, relay: ScriptedRelay
) -> None:
    """A refusal at DATA is the relay's, whatever its code: the message waits, the rest go on."""
    relay.at_data = {"later@example.org": "451 4.3.0 Try again later",
                     "nobody@example.org": "554 5.6.0 Message refused"}  # fmt: skip
    later, nobody, ann = queue("later@example.org", "nobody@example.org", "ann@example.org")
    assert deliver_due() == DeliveryReport(sent=1, retrying=2)
    assert relay.delivered == ["ann@example.org"]
    assert [stored(i).state for i in (later, nobody, ann)] == ["pending", "pending", "sent"]
    assert [stored(i).last_error for i in (later, nobody)] == ["451 4.3.0", "554 5.6.0"]


def test_an_address_that_does_not_exist_fails_for_good_while_the_relay_takes_other_mail(
    app: Flask, relay: ScriptedRelay
) -> None:
    relay.at_rcpt = {"nobody@example.org": "550 5.1.1 <nobody@example.org>: no such user",
                     "policy@example.org": "550 5.7.1 <policy@example.org>: refused"}  # fmt: skip
    nobody, policy, ann = queue("nobody@example.org", "policy@example.org", "ann@example.org")
    assert deliver_due() == DeliveryReport(sent=1, retrying=1, failed=1)
    assert stored(nobody).state == OutboxState.FAILED
    assert stored(nobody).last_error == "550 5.1.1"
    # Not an address that does not exist: it may be the relay's rule of the day, so it waits.
    assert (stored(policy).state, stored(policy).last_error) == ("pending", "550 5.7.1")
    make_everything_due()
    assert deliver_due() == DeliveryReport(retrying=1)  # alone now, and refused: it still waits


def test_a_recipient_refused_at_rcpt_does_not_delay_the_rest_of_the_batch(
    app: Flask, relay: ScriptedRelay
) -> None:
    relay.at_rcpt = {"busy@example.org": "450 4.2.1 Mailbox busy, try later"}
    busy, ann = queue("busy@example.org", "ann@example.org")
    deliver_due()
    assert relay.delivered == ["ann@example.org"]
    assert stored(ann).state == OutboxState.SENT
    assert stored(busy).state == OutboxState.PENDING


def test_an_internationalised_mailbox_does_not_crash_the_round(
    app: Flask, smtp: SMTPServer, make_petition
) -> None:
    [poison, good] = queue("айгерим@пример.рф", "bob@example.org")  # the form refuses these now
    assert deliver_due() == DeliveryReport(sent=1, failed=1)
    assert stored(good).state == OutboxState.SENT
    assert stored(poison).state == OutboxState.FAILED
    assert stored(poison).claim_id is None and "UnicodeEncodeError" in must(
        stored(poison).last_error
    )


def test_mail_queued_behind_an_internationalised_mailbox_is_still_delivered(
    app: Flask, smtp: SMTPServer
) -> None:
    [good] = queue("айгерим@пример.рф", "bob@example.org")[1:]
    for _ in range(3):
        with contextlib.suppress(UnicodeEncodeError):
            deliver_due()
        db.session.rollback()
        db.session.execute(
            update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        make_everything_due()
    assert stored(good).state == OutboxState.SENT


# --- a server that never answers --------------------------------------------------------------


class SilentServer:
    """Accepts TCP connections and never writes a byte, like a hung mail relay."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted.append(connection)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for connection in self.accepted:
            connection.close()
        self._listener.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.mark.serial
def test_a_hung_server_costs_one_timeout_and_the_message_waits(
    make_app: Callable[..., Flask], silent_server: SilentServer
) -> None:
    app = make_app(MAIL_PORT=silent_server.port, MAIL_TIMEOUT=1)
    assert socket.getdefaulttimeout() is None
    with app.app_context():
        [message_id] = queue("ann@example.org")
        started = time.monotonic()
        report = deliver_due()
        elapsed = time.monotonic() - started
        message = stored(message_id)
        assert report == DeliveryReport(retrying=1)
        assert 0.9 <= elapsed < 3.0, f"deliver_due took {elapsed:.1f}s with MAIL_TIMEOUT=1"
        assert message.state == OutboxState.PENDING
        assert "timed out" in (message.last_error or "")
    assert silent_server.accepted, "the deliverer never reached the silent server"
    assert socket.getdefaulttimeout() is None


# --- development: no relay -------------------------------------------------------------------


def test_in_debug_without_a_relay_mail_is_printed_and_counts_as_sent(
    make_app: Callable[..., Flask], smtp: SMTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(DEBUG=True, MAIL_SERVER="")
    with app.app_context():
        [message_id] = queue("ann@example.org")
        with caplog.at_level("INFO", logger=app.logger.name):
            assert deliver_due() == DeliveryReport(sent=1)
        assert stored(message_id).state == OutboxState.SENT
    assert "To: ann@example.org" in caplog.text and "Hello." in caplog.text
    assert smtp.sink.messages == []


# --- several workers ------------------------------------------------------------------------


def test_two_parallel_deliverers_send_each_message_exactly_once(
    app: Flask, smtp: SMTPServer
) -> None:
    recipients = [f"signer{n}@example.org" for n in range(30)]
    queue(*recipients)
    reports = deliver_from_two_threads(app, limit=4, until_sent=30)
    assert sum(report.sent for report in reports) == 30
    arrived = smtp.sink.wait_for(30)
    assert Counter(message["To"] for message in arrived) == Counter(recipients)
    db.session.rollback()
    states = Counter(db.session.scalars(select(OutboxMessage.state)))
    assert states == {OutboxState.SENT: 30}


def claim_by_another_worker(message_id: int, until_seconds: float) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            claim_id="f" * 32,
            claimed_until=utcnow() + timedelta(seconds=until_seconds),
            attempts=1,
        )
    )
    db.session.commit()


def test_a_live_claim_is_left_alone(app: Flask, smtp: SMTPServer) -> None:
    [message_id] = queue("ann@example.org")
    claim_by_another_worker(message_id, until_seconds=60)
    assert deliver_due().claimed == 0
    assert stored(message_id).claim_id == "f" * 32
    assert smtp.sink.messages == []


def test_an_expired_claim_of_a_dead_worker_is_taken_by_the_next_round(
    app: Flask, smtp: SMTPServer
) -> None:
    [message_id] = queue("ann@example.org")
    claim_by_another_worker(message_id, until_seconds=-1)
    assert deliver_due() == DeliveryReport(sent=1)
    assert only_message(smtp)["To"] == "ann@example.org"
    message = stored(message_id)
    assert message.state == OutboxState.SENT and message.attempts == 2 and message.claim_id is None


# --- giving up --------------------------------------------------------------------------------


def test_a_message_undeliverable_for_longer_than_the_limit_is_failed(
    app: Flask, smtp: SMTPServer
) -> None:
    old, young = queue("old@example.org", "young@example.org")
    limit = timedelta(seconds=app.config["OUTBOX_GIVE_UP_AFTER"])
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == old)
        .values(created_at=utcnow() - limit - timedelta(minutes=1))
    )
    db.session.commit()
    smtp.stop()
    assert deliver_due() == DeliveryReport(retrying=1, failed=1)
    assert stored(old).state == OutboxState.FAILED
    assert (stored(old).last_error or "").startswith("gave up after 1 attempts")
    assert stored(young).state == OutboxState.PENDING
    smtp.start()
    make_everything_due()
    assert deliver_due() == DeliveryReport(sent=1)
    assert only_message(smtp)["To"] == "young@example.org"


# --- the web process's own deliverer ------------------------------------------------------------


def test_the_background_deliverer_sends_mail_queued_by_a_web_request(
    make_app: Callable[..., Flask], smtp: SMTPServer, make_petition
) -> None:
    petition = make_petition()
    web = make_app(OUTBOX_DELIVER_IN_WEB=True, OUTBOX_POLL_SECONDS=60)
    response = web.test_client().post(
        f"/petitions/{petition.slug}/sign", data={"name": "Ann", "email": "ann@example.org"}
    )
    assert response.status_code == 303
    [message] = smtp.sink.wait_for(1)  # a 60 s poll: only the wake-up can deliver in time
    assert message["To"] == "ann@example.org"
    assert message["Subject"] == f"Confirm your signature: {petition.title}"
    deliverer_for(web).stop()  # finishes the round, so the row is settled
    db.session.rollback()
    assert list(db.session.scalars(select(OutboxMessage.state))) == [OutboxState.SENT]


def test_no_failure_keeps_or_logs_an_address(
    app: Flask, relay: ScriptedRelay, caplog: pytest.LogCaptureFixture
) -> None:
    """Relays repeat the address in their refusals; the outbox and the logs keep only codes."""
    relay.at_rcpt = {"gone@example.org": "550 5.1.1 <gone@example.org>: no such user",
                     "busy@example.org": "452 4.2.2 <busy@example.org>: mailbox full"}  # fmt: skip
    relay.at_data = {"refused@example.org": "554 5.7.1 refused@example.org: spam"}
    addresses = ["gone@example.org", "busy@example.org", "refused@example.org", "ann@example.org"]
    ids = queue(*addresses)
    with caplog.at_level("DEBUG", logger=app.logger.name):
        assert deliver_due() == DeliveryReport(sent=1, retrying=2, failed=1)
        app.config["MAIL_PORT"] = free_port()  # and then the relay is gone
        make_everything_due()
        assert deliver_due() == DeliveryReport(retrying=2)
    errors = [stored(i).last_error for i in ids]
    assert errors[0] == "550 5.1.1" and errors[3] is None
    assert [error.split(":")[0] for error in errors[1:3] if error] == ["ConnectionRefusedError"] * 2
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(app.logger.name))
    assert "550 5.1.1" in ours and "ConnectionRefusedError" in ours  # the failures were logged
    for address in addresses:
        assert address not in ours
