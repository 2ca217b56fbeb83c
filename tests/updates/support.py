"""Signing, confirming and writing updates as people do: through the pages, with mail by SMTP."""

import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from petition.mail.outbox import deliver_due
from tests.conftest import SMTPServer
from tests.helpers.signing import sign

CONFIRM_LINK = re.compile(r"https://petitions\.example\.org(/confirm/\S+)")
UNSUBSCRIBE_LINK = re.compile(r"https://petitions\.example\.org(/unsubscribe/\S+)")


def path_of(url: str) -> str:
    """The path and query of one of our absolute links, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def deliver(smtp: SMTPServer) -> list[EmailMessage]:
    """Send everything due, and return every message the SMTP server received so far."""
    while deliver_due(1000).claimed:
        pass
    return list(smtp.sink.messages)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def sign_choosing_updates(
    client: FlaskClient, slug: str, name: str, email: str, *, wants: bool, lang: str = "en"
) -> None:
    """Sign through the form in a language, ticking (or not) the updates box."""
    box: dict[str, Any] = {"wants_updates": "y"} if wants else {}
    response = sign(client, slug, name=name, email=email, query=f"?lang={lang}", **box)
    assert response.status_code == 303, response.text[-800:]


def confirm_from_mail(client: FlaskClient, smtp: SMTPServer, address: str) -> None:
    """Deliver the mail and press Confirm in the newest confirmation to this address."""
    messages = [m for m in deliver(smtp) if m["To"] == address and "/confirm/" in text_of(m)]
    assert messages, f"no confirmation reached {address}"
    link = CONFIRM_LINK.search(text_of(messages[-1]))
    assert link is not None
    assert client.post(link.group(1)).status_code == 303  # then the confirmed page, by GET


def updates_to(smtp: SMTPServer, address: str, subject: str) -> list[EmailMessage]:
    """The messages with this subject that reached this address."""
    return [m for m in smtp.sink.messages if m["To"] == address and subject in str(m["Subject"])]


SHOWN_COUNT = re.compile(r'name="count" value="([0-9]+)"')
SHOWN_VERSION = re.compile(r'name="version" value="([0-9a-f]+)"')


def confirmation_shown(client: FlaskClient, slug: str, update_id: int) -> dict[str, str]:
    """Press "Send…" on the draft and read what the confirmation step asks to send back."""
    path = f"/organisers/petitions/{slug}/updates/{update_id}/send"
    pressed = client.post(path)
    assert pressed.status_code == 303 and pressed.headers["Location"].endswith(path)
    step = client.get(path)
    assert step.status_code == 200, step.text[-800:]
    count, version = SHOWN_COUNT.search(step.text), SHOWN_VERSION.search(step.text)
    assert count is not None and version is not None, "the step has no send button"
    return {"count": count.group(1), "version": version.group(1)}


def send_confirmed(client: FlaskClient, slug: str, update_id: int) -> TestResponse:
    """Send a draft as an organiser does: "Send…", then "Send to N signers" on the step."""
    shown = confirmation_shown(client, slug, update_id)
    return client.post(f"/organisers/petitions/{slug}/updates/{update_id}/send", data=shown)
