"""What a petition's Atom feed carries: its milestones, the updates sent to its signers and its
approved messages of support."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from petition.extensions import db
from petition.models import PetitionUpdate, PublicPetition, SupportMessage
from petition.petitions.timeline import MilestoneRow, timeline_rows
from petition.support import approved_messages

FEED_LENGTH = 50


@dataclass(frozen=True)
class SentUpdate:
    """An update as sent, in the language a reader asked for when it has that version."""

    id: int
    subject: str
    body: str  # Markdown
    language: str
    sent_at: datetime


@dataclass(frozen=True)
class FeedItem:
    """One entry of the feed: a milestone or a sent update, and when it was published."""

    published: datetime
    milestone: MilestoneRow | None = None
    update: SentUpdate | None = None
    message: SupportMessage | None = None  # an approved message of support


def _version(update: PetitionUpdate, original: str, language: str | None) -> SentUpdate:
    version = (update.translations or {}).get(language or "")
    assert update.sent_at is not None
    if isinstance(version, dict) and version.get("subject") and version.get("body"):
        return SentUpdate(
            update.id, str(version["subject"]), str(version["body"]), str(language), update.sent_at
        )
    return SentUpdate(update.id, update.subject, update.body, original, update.sent_at)


def feed_items(petition: PublicPetition, language: str | None) -> list[FeedItem]:
    """The petition's milestones and sent updates, newest first, FEED_LENGTH at most."""
    updates = db.session.scalars(
        select(PetitionUpdate)
        .where(PetitionUpdate.petition_id == petition.id, PetitionUpdate.sent_at.is_not(None))
        .order_by(PetitionUpdate.sent_at.desc())
        .limit(FEED_LENGTH)
    )
    items = [
        FeedItem(published=shown.sent_at, update=shown)
        for shown in (_version(update, petition.language, language) for update in updates)
    ]
    items += [
        FeedItem(published=row.created_at, milestone=row) for row in timeline_rows(petition.id)
    ]
    items += [
        FeedItem(published=message.decided_at or message.created_at, message=message)
        for message in approved_messages(petition.id, 1, FEED_LENGTH).messages
    ]
    items.sort(key=lambda item: item.published, reverse=True)
    return items[:FEED_LENGTH]
