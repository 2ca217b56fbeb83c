"""The operator's mail check: one test message to the relay, every answer shown.

Mail that never arrives is the commonest complaint of signers. This walks the SMTP dialogue one
command at a time with the site's own settings, so an operator sees which step the relay refuses
(a login, the sender, the recipient) instead of a message that silently waits in the outbox.
"""

import smtplib
from collections.abc import Callable
from email.utils import parseaddr

from flask import current_app

from petition.addresses import normalise_email
from petition.mail.messages import Email
from petition.mail.smtp import build_message

Say = Callable[[str], None]


class MailCheckError(Exception):
    """A step of the dialogue failed; the message is one line saying which and how."""


def recipient_address(text: str) -> str:
    """The recipient as typed, in its normal form; raises InvalidAddressError."""
    return normalise_email(text)


def sender_domain() -> str:
    """The domain of the From address: the one SPF, DKIM and DMARC must vouch for."""
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2].lower() or "(none)"


def _answer(say: Say, code: int, text: bytes | str) -> str:
    shown = text.decode(errors="replace") if isinstance(text, bytes) else text
    lines = shown.splitlines() or [""]
    for line in lines:
        say(f"<<< {code} {line}")
    return f"{code} {' '.join(lines)}"


def _step(
    say: Say, command: str, run: Callable[[], tuple[int, bytes]], ok: tuple[int, ...]
) -> None:
    say(f">>> {command}")
    text: bytes | str
    try:
        code, text = run()
    except smtplib.SMTPResponseException as error:
        code, text = error.smtp_code, error.smtp_error
    except smtplib.SMTPRecipientsRefused as error:  # pragma: no cover - rcpt() does not raise it
        raise MailCheckError(f"{command}: refused: {error.recipients}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise MailCheckError(f"{command}: {error or type(error).__name__}") from error
    answer = _answer(say, code, text)
    if code not in ok:
        raise MailCheckError(f"{command}: the relay answered {answer}")


def _connect(say: Say, host: smtplib.SMTP, server: str, port: int) -> None:
    say(f">>> connect {server}:{port}")
    text: bytes | str
    try:
        code, text = host.connect(server, port)
    except smtplib.SMTPResponseException as error:
        code, text = error.smtp_code, error.smtp_error
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise MailCheckError(f"connect {server}:{port}: {error or type(error).__name__}") from error
    answer = _answer(say, code, text)
    if code != 220:
        raise MailCheckError(f"connect {server}:{port}: the relay answered {answer}")


def check_mail(recipient: str, say: Say) -> None:
    """Send one plain test message through the configured relay, saying every command and answer.

    Raises MailCheckError naming the step that failed; returns once the relay has accepted the
    message and the connection is closed. The password is never said.
    """
    config = current_app.config
    server, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    if not server:
        raise MailCheckError("MAIL_SERVER is not set: there is no relay to check")
    timeout = float(config["MAIL_TIMEOUT"])
    host = (
        smtplib.SMTP_SSL(timeout=timeout)
        if config["MAIL_USE_SSL"]
        else smtplib.SMTP(timeout=timeout)
    )
    message = build_message(
        Email(
            recipient=recipient,
            subject="Test message from the petition site",
            text="This is a test of the site's mail settings. Nothing needs to be done.\n",
            html=None,
        )
    )
    sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
    try:
        _connect(say, host, server, port)
        _step(say, "EHLO", lambda: host.ehlo(), (250,))
        if config["MAIL_USE_TLS"]:
            _step(say, "STARTTLS", lambda: host.starttls(), (220,))
            _step(say, "EHLO", lambda: host.ehlo(), (250,))
        username, password = config["MAIL_USERNAME"], config["MAIL_PASSWORD"]
        if username and password:
            _step(
                say,
                f"AUTH as {username} (password not shown)",
                lambda: host.login(username, password),
                (235, 503),
            )
        _step(say, f"MAIL FROM:<{sender}>", lambda: host.mail(sender), (250,))
        _step(say, f"RCPT TO:<{recipient}>", lambda: host.rcpt(recipient), (250, 251))
        _step(say, "DATA", lambda: host.data(message.as_bytes()), (250,))
        _step(say, "QUIT", lambda: host.quit(), (221,))
    finally:
        host.close()


def authentication_hints(say: Say) -> None:
    """Where receiving servers look to trust the From domain, in two lines."""
    domain = sender_domain()
    say(
        f"Mail is sent as {domain}: its DNS needs an SPF record (TXT at {domain}) naming this relay, "
        f"a DKIM key (TXT at <selector>._domainkey.{domain}) the relay signs with, "
        f"and a DMARC policy (TXT at _dmarc.{domain})."
    )
    say(
        'See "Mail that gets through" in docs/operators/mail.md. Look at the received message\'s '
        "Authentication-Results header: spf, dkim and dmarc should each say pass."
    )
