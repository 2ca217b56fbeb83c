"""Messages rendered from the text and HTML templates in templates/email/, as a sender takes them.

The features write their own messages (signing/messages.py, organisers/invitations.py) when the
deliverer asks for them, not when a request owes them: see mail/outbox.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import render_template


@dataclass(frozen=True)
class Email:
    """A composed message, ready for a mail sender."""

    recipient: str
    subject: str
    text: str
    html: str | None  # every message we compose has one; a plain-text message would not
    # Headers beyond those every message gets (List-Unsubscribe on an update, for instance).
    headers: Mapping[str, str] = field(default_factory=dict)


def compose_email(
    template: str,
    recipient: str,
    subject: str,
    headers: Mapping[str, str] | None = None,
    **context: object,
) -> Email:
    """The text and HTML versions of templates/email/<template>.txt and .html."""
    return Email(
        recipient=recipient,
        subject=subject,
        text=render_template(f"email/{template}.txt", **context),
        html=render_template(f"email/{template}.html", **context),
        headers=dict(headers or {}),
    )
