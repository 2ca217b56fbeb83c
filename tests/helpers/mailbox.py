"""The mail the outbox owes, written as the deliverer writes it just before sending."""

import threading
import time
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.outbox import ClaimedMessage, DeliveryReport, compose, deliver_due
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


def deliver_from_two_threads(
    app: Flask, *, limit: int, until_sent: int, pause: float = 0.0
) -> list[DeliveryReport]:
    """Two deliverers started together, each running rounds of `limit` until `until_sent`
    messages are sent between them (a minute at most); every round's report. Fails on an error."""
    reports: list[DeliveryReport] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)
    deadline = time.monotonic() + 60

    def deliver() -> None:
        with app.app_context():
            try:
                barrier.wait()
                while sum(r.sent for r in reports) < until_sent and time.monotonic() < deadline:
                    reports.append(deliver_due(limit=limit))
                    time.sleep(pause)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(70)
    assert errors == []
    return reports
