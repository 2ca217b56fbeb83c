"""What a petition's Atom feed carries: its milestones and the updates sent to its signers."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from petition.extensions import db
from petition.models import PetitionUpdate, PublicPetition
from petition.petitions.timeline import MilestoneRow, timeline_rows

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
    items.sort(key=lambda item: item.published, reverse=True)
    return items[:FEED_LENGTH]
