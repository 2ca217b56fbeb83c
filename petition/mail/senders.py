"""How owed mail leaves: over SMTP, or printed on a development machine. Chosen once per app.

The delivery loop only ever asks the app for its sender, so no round decides this anew.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol

from flask import Flask, current_app

from petition.mail.smtp import build_message, open_connection

if TYPE_CHECKING:
    from petition.mail.messages import Email

EXTENSION_KEY = "petition.mail_sender"

Send = Callable[["Email"], None]


class MailSender(Protocol):
    """Opens one connection per delivery round and hands back the function that sends on it.

    `open()` raises `smtplib.SMTPException` or `OSError` when the server cannot be reached: every
    message of the round is retried later (until OUTBOX_GIVE_UP_AFTER). The send function
    raises, for one message: `smtplib.SMTPServerDisconnected` or another `OSError` when the
    connection is lost (this message and the rest are retried later); another `smtplib.SMTPException` when the server refuses it (a
    5xx answer fails it for good, a 4xx one is retried); anything else when it cannot be sent as
    it is (it fails, and the next message still goes).
    """

    def open(self) -> AbstractContextManager[Send]: ...


class SMTPSender:
    """Sends through the configured relay, with MAIL_TIMEOUT on every socket operation.

    The settings are read when a round opens its connection. Without MAIL_SERVER the connection
    is refused with a 421, so mail waits in the outbox (and is retried) until a relay is set.
    """

    @contextmanager
    def open(self) -> Iterator[Send]:
        with open_connection() as connection:
            unfinished = False

            def send(message: Email) -> None:
                nonlocal unfinished
                if unfinished:
                    # The last message failed before or during its dialogue: start this one cleanly.
                    if connection.host is not None:
                        connection.host.rset()
                    unfinished = False
                try:
                    connection.send(build_message(message))
                except (smtplib.SMTPException, OSError):
                    raise
                except Exception:
                    unfinished = True
                    raise

            yield send


class LocalSender:
    """Prints each message to the log instead of sending it: a development machine has no relay.

    The message stays in the outbox, marked sent, which is what /dev/mail lists.
    """

    @contextmanager
    def open(self) -> Iterator[Send]:
        def send(message: Email) -> None:
            headers = "".join(f"{name}: {value}\n" for name, value in message.headers.items())
            current_app.logger.info(
                "Mail (printed, not sent)\nTo: %s\nSubject: %s\n%s\n%s",
                message.recipient,
                message.subject,
                headers,
                message.text,
            )

        yield send


def choose_sender(app: Flask) -> MailSender:
    """Print mail in debug mode without a relay; send it by SMTP in every other case.

    Outside debug mode a missing relay never prints (signers' links would land in a server's
    log): the SMTP sender finds no server and the mail waits in the outbox.
    """
    if app.debug and not app.config["MAIL_SERVER"]:
        return LocalSender()
    return SMTPSender()


def register_sender(app: Flask) -> None:
    """Store the app's sender, chosen from its settings as they are once loaded."""
    app.extensions[EXTENSION_KEY] = choose_sender(app)


def mail_sender() -> MailSender:
    """The current app's sender."""
    sender: MailSender = current_app.extensions[EXTENSION_KEY]
    return sender
