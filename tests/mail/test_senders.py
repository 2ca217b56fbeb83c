"""The mail sender is chosen once, when the app is built; delivery only asks the app for it."""

import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.outbox import DeliveryReport, deliver_due
from petition.mail.senders import EXTENSION_KEY, LocalSender, Send, SMTPSender
from petition.models import OutboxMessage, OutboxState
from tests.conftest import SMTPServer
from tests.helpers.mailbox import queue_composed
from tests.helpers.signing import sign

SIGNER: dict[str, Any] = {"name": "Ann Example", "email": "ann@example.org"}


def states() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage.state).order_by(OutboxMessage.id)))


def test_in_debug_without_a_relay_mail_is_printed_and_listed_at_dev_mail(
    make_app: Callable[..., Flask],
    make_petition,
    smtp: SMTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    petition = make_petition()
    app = make_app(DEBUG=True, MAIL_SERVER="", DEV_MAIL_VIEWER=True)
    assert type(app.extensions[EXTENSION_KEY]) is LocalSender
    assert sign(app.test_client(), petition.slug, **SIGNER).status_code == 303
    with app.app_context(), caplog.at_level("INFO", logger=app.logger.name):
        assert deliver_due() == DeliveryReport(sent=1)
    assert "Mail (printed, not sent)" in caplog.text and "To: ann@example.org" in caplog.text
    assert "https://petitions.example.org/confirm/" in caplog.text
    assert smtp.sink.messages == []
    assert states() == [OutboxState.SENT]
    page = app.test_client().get("/dev/mail").get_data(as_text=True)
    assert "To: ann@example.org" in page and f"Confirm your signature: {petition.title}" in page


@pytest.mark.parametrize("debug", [False, True])
def test_with_a_relay_mail_goes_to_the_smtp_server(
    make_app: Callable[..., Flask], make_petition, smtp: SMTPServer, debug: bool
) -> None:
    petition = make_petition()
    app = make_app(DEBUG=debug)  # the fixture's MAIL_SERVER is the test SMTP server
    assert type(app.extensions[EXTENSION_KEY]) is SMTPSender
    assert sign(app.test_client(), petition.slug, **SIGNER).status_code == 303
    with app.app_context():
        assert deliver_due() == DeliveryReport(sent=1)
    [message] = smtp.sink.wait_for(1)
    assert message["To"] == "ann@example.org"
    assert message["Subject"] == f"Confirm your signature: {petition.title}"
    assert states() == [OutboxState.SENT]


def test_outside_debug_without_a_relay_mail_waits_in_the_outbox(
    make_app: Callable[..., Flask], smtp: SMTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(MAIL_SERVER="")
    assert type(app.extensions[EXTENSION_KEY]) is SMTPSender
    with app.app_context(), caplog.at_level("INFO", logger=app.logger.name):
        queue_composed(db.session, Email("ann@example.org", "Hello", "Hello.", None))
        db.session.commit()
        assert deliver_due() == DeliveryReport(retrying=1)
        [message] = db.session.scalars(select(OutboxMessage))
        assert message.state == OutboxState.PENDING
        assert "MAIL_SERVER is not configured" in (message.last_error or "")
    assert "printed" not in caplog.text, "a server never prints signers' links to its log"
    assert smtp.sink.messages == []


def test_settings_changed_after_the_app_is_built_do_not_change_its_sender(
    make_app: Callable[..., Flask], smtp: SMTPServer
) -> None:
    app = make_app(DEBUG=True, MAIL_SERVER="")
    app.config["MAIL_SERVER"] = "127.0.0.1"  # no round looks at this again
    with app.app_context():
        queue_composed(db.session, Email("ann@example.org", "Hello", "Hello.", "<p>Hello.</p>"))
        db.session.commit()
        assert deliver_due() == DeliveryReport(sent=1)
    assert smtp.sink.messages == []
    assert type(app.extensions[EXTENSION_KEY]) is LocalSender


class RecordingSender:
    """A sender that keeps what it is given and refuses one address for good."""

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.sent: list[Email] = []
        self.opened = 0

    @contextmanager
    def open(self) -> Iterator[Send]:
        self.opened += 1

        def send(message: Email) -> None:
            if message.recipient == self.refused:
                raise smtplib.SMTPRecipientsRefused(
                    {message.recipient: (550, b"5.1.1 No such user")}
                )
            self.sent.append(message)

        yield send


def test_delivery_hands_the_composed_messages_to_the_apps_sender(app: Flask) -> None:
    sender = RecordingSender(refused="nobody@example.org")
    app.extensions[EXTENSION_KEY] = sender
    ann = Email("ann@example.org", "Hello Ann", "Hello.", "<p>Hello.</p>")
    queue_composed(db.session, ann)
    queue_composed(db.session, Email("nobody@example.org", "Hello", "Hello.", None))
    db.session.commit()
    assert deliver_due() == DeliveryReport(sent=1, failed=1)
    assert sender.sent == [ann] and sender.opened == 1
    assert states() == [OutboxState.SENT, OutboxState.FAILED]
