"""Messages of support: written by anyone, kept pending until the petition's organisers decide.

Nothing about the writer is stored but what they typed (the message, an optional first name and
city) and the page's language: no email, no address, no client address. A message is public only
once approved; rejected ones are deleted after REJECTED_MESSAGE_RETENTION_DAYS.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, select, update

from petition.extensions import db
from petition.models import (
    EventAction,
    Organiser,
    Petition,
    SupportMessage,
    SupportState,
    table_of,
    utcnow,
)
from petition.moderation.screening import network_blocked
from petition.petitions.history import record_event
from petition.petitions.public_copies import KEEPS_SNAPSHOTS
from petition.transactions import rows_changed, write_transaction

MAX_MESSAGE_LENGTH = 500
MAX_NAME_LENGTH = 50
MAX_CITY_LENGTH = 50
QUEUE_PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 20
MAX_PAGE = 999_999  # far past any petition's messages, and a small enough OFFSET for any database
# How many of the newest approved messages the petition page itself shows.
PETITION_PAGE_MESSAGES = 5
# Most ids one bulk decision acts on (a queue page holds 50); more is refused as hostile.
MAX_BULK_IDS = 200


@dataclass(frozen=True)
class Page:
    """One page of messages and whether another follows."""

    messages: Sequence[SupportMessage]
    number: int
    has_next: bool


def write_message(
    petition_id: int,
    *,
    body: str,
    name: str | None,
    city: str | None,
    language: str,
    client_address: str | None,
) -> bool:
    """Keep a message for the organisers' queue; False when a block list covers the client.

    A blocked client gets the same thank-you page as anyone, but its message is never stored:
    the client address is only compared with the petition's and the site's network rules, and
    is not kept. The insert keeps every process's public copies: a pending message is not shown.
    """
    with write_transaction() as session:
        if network_blocked(session, petition_id, client_address):
            return False
        session.execute(
            insert(table_of(SupportMessage))
            .values(
                petition_id=petition_id,
                body=body,
                name=name or None,
                city=city or None,
                language=language,
                state=SupportState.PENDING,
                created_at=utcnow(),
            )
            .execution_options(**{KEEPS_SNAPSHOTS: True})
        )
    return True


def _page(query: object, number: int, size: int) -> Page:
    number = max(1, number)
    rows = db.session.scalars(query.offset((number - 1) * size).limit(size + 1)).all()  # type: ignore[attr-defined]
    return Page(messages=rows[:size], number=number, has_next=len(rows) > size)


def pending_messages(petition: Petition, number: int = 1) -> Page:
    """The petition's messages waiting for a decision, oldest first."""
    query = (
        select(SupportMessage)
        .where(
            SupportMessage.petition_id == petition.id,
            SupportMessage.state == SupportState.PENDING,
        )
        .order_by(SupportMessage.id)
    )
    return _page(query, number, QUEUE_PAGE_SIZE)


def approved_messages(petition_id: int, number: int = 1, size: int = PUBLIC_PAGE_SIZE) -> Page:
    """The petition's approved messages, newest first (by when they were written)."""
    query = (
        select(SupportMessage)
        .where(
            SupportMessage.petition_id == petition_id,
            SupportMessage.state == SupportState.APPROVED,
        )
        .order_by(SupportMessage.created_at.desc(), SupportMessage.id.desc())
    )
    return _page(query, number, size)


def all_approved(petition_id: int) -> Sequence[SupportMessage]:
    """Every approved message, oldest first, for the printable bundle."""
    return db.session.scalars(
        select(SupportMessage)
        .where(
            SupportMessage.petition_id == petition_id,
            SupportMessage.state == SupportState.APPROVED,
        )
        .order_by(SupportMessage.created_at, SupportMessage.id)
    ).all()


def message_count(petition_id: int, state: SupportState) -> int:
    """How many of the petition's messages are in this state."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(SupportMessage)
            .where(SupportMessage.petition_id == petition_id, SupportMessage.state == state)
        )
        or 0
    )


def decide_messages(
    petition: Petition, organiser: Organiser, ids: Iterable[int], approve: bool
) -> int:
    """Approve or reject the petition's messages among these ids; returns how many changed.

    Ids of other petitions' messages, or of messages already so decided, are left alone. A
    rejected message may be approved later, and an approved one withdrawn (rejected).
    """
    wanted = sorted(set(ids))[:MAX_BULK_IDS]
    if not wanted:
        return 0
    state = SupportState.APPROVED if approve else SupportState.REJECTED
    with write_transaction() as session:
        changed = rows_changed(
            session.execute(
                update(table_of(SupportMessage))
                .where(
                    table_of(SupportMessage).c.petition_id == petition.id,
                    table_of(SupportMessage).c.id.in_(wanted),
                    table_of(SupportMessage).c.state != state,
                )
                .values(state=state, decided_at=utcnow(), decided_by_id=organiser.id)
            )
        )
        if changed:
            action = EventAction.MESSAGES_APPROVED if approve else EventAction.MESSAGES_REJECTED
            record_event(session, petition, organiser, action, count=changed)
    return changed


def purge_support_messages(now: datetime | None = None) -> int:
    """Delete rejected messages decided more than REJECTED_MESSAGE_RETENTION_DAYS ago, and
    pending ones written that long ago (a queue nobody reads is not a reason to keep them)."""
    now = now or utcnow()
    before = now - timedelta(days=current_app.config["REJECTED_MESSAGE_RETENTION_DAYS"])
    table = table_of(SupportMessage).c
    with write_transaction() as session:
        rejected = rows_changed(
            session.execute(
                delete(table_of(SupportMessage)).where(
                    table.state == SupportState.REJECTED,
                    func.coalesce(table.decided_at, table.created_at) < before,
                )
            )
        )
        pending = rows_changed(
            session.execute(
                delete(table_of(SupportMessage)).where(
                    table.state == SupportState.PENDING, table.created_at < before
                )
            )
        )
    return rejected + pending
