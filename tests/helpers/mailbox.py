"""The mail the outbox owes, written as the deliverer writes it just before sending."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.outbox import ClaimedMessage, compose
from petition.models import OutboxMessage


def written(row: OutboxMessage) -> Email:
    """One owed message as it would go out now."""
    return compose(ClaimedMessage.of(row))


def owed_mail() -> list[Email]:
    """Every message in the outbox, oldest first, as it would go out now."""
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [written(row) for row in rows]


def queue_composed(session: Session | scoped_session[Any], message: Email) -> None:
    """A message as the code before mail was composed at delivery queued it: its text stored."""
    session.add(
        OutboxMessage(
            recipient=message.recipient,
            subject=message.subject,
            body_text=message.text,
            body_html=message.html,
        )
    )
