"""Petitions: publishing, closing, finding them, and their counts."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Mapped, Session

from petition.extensions import db
from petition.i18n.languages import LANGUAGES
from petition.models import (
    EventAction,
    Organiser,
    Petition,
    Signature,
    SignatureStatus,
    utcnow,
)
from petition.petitions.history import record_event
from petition.petitions.slugs import MAX_SLUG_LENGTH, is_valid_slug, slugify
from petition.transactions import write_transaction

MAX_TITLE_LENGTH = 200
MAX_TARGET_LENGTH = 200
MAX_BODY_LENGTH = 50_000
MAX_GOAL = 100_000_000  # past any real campaign, and well inside the INTEGER column


class PetitionError(ValueError):
    """A petition cannot be published or changed as asked; the message says why."""


def closing_time(last_day: date) -> datetime:
    """A petition open until a given day closes when that day ends, in UTC."""
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC)


def check_fields(title: str, body: str, target: str | None, goal: int | None) -> None:
    """Refuse a title, text, target or goal that would not make a usable petition."""
    if not title.strip() or len(title) > MAX_TITLE_LENGTH or "\n" in title or "\r" in title:
        raise PetitionError(f"A title is one line of 1 to {MAX_TITLE_LENGTH} characters.")
    if not body.strip() or len(body) > MAX_BODY_LENGTH:
        raise PetitionError(f"The text needs 1 to {MAX_BODY_LENGTH} characters.")
    if target is not None and len(target) > MAX_TARGET_LENGTH:
        raise PetitionError(f"The target has at most {MAX_TARGET_LENGTH} characters.")
    if goal is not None and not 1 <= goal <= MAX_GOAL:
        raise PetitionError(f"A goal is a whole number of signatures from 1 to {MAX_GOAL}.")


def check_language(language: str) -> None:
    """Refuse a language the site does not speak."""
    if language not in LANGUAGES:
        raise PetitionError(f"The language is one of: {', '.join(LANGUAGES)}.")


def _unique_slug(wanted: str) -> str:
    taken = set(db.session.scalars(select(Petition.slug).where(Petition.slug.startswith(wanted))))
    slug, number = wanted, 2
    while slug in taken:
        suffix = f"-{number}"
        slug = wanted[: MAX_SLUG_LENGTH - len(suffix)] + suffix
        number += 1
    return slug


def create_petition(
    *,
    title: str,
    body: str,
    organiser: Organiser,
    slug: str | None = None,
    target: str | None = None,
    goal: int | None = None,
    closes_on: date | None = None,
    collects_country: bool = False,
    language: str = "en",
) -> Petition:
    """Publish a petition run by one organiser, written in `language`."""
    title = title.strip()
    check_fields(title, body, target, goal)
    check_language(language)
    if slug is not None and not is_valid_slug(slug):
        raise PetitionError("A slug is lowercase letters, digits and single hyphens.")
    with write_transaction() as session:
        if slug is None:
            slug = _unique_slug(slugify(title) or "petition")
        elif session.scalar(select(Petition.id).where(Petition.slug == slug)) is not None:
            raise PetitionError(f"The slug {slug!r} is taken.")
        petition = Petition(
            slug=slug,
            title=title,
            body=body,
            target=target,
            goal=goal,
            closes_at=closing_time(closes_on) if closes_on else None,
            collects_country=collects_country,
            language=language,
        )
        member = session.merge(organiser)
        petition.organisers.append(member)
        session.add(petition)
        session.flush()
        record_event(session, petition, member, EventAction.CREATED, slug=slug)
    return petition


RowT = TypeVar("RowT")


def petition_row(
    session: Session, model: type[RowT], petition: Petition, **key: object
) -> RowT | None:
    """The petition's row of `model` with these values, or None: another petition's is none."""
    return session.scalar(select(model).filter_by(petition_id=petition.id, **key))


class PetitionRow(Protocol):
    """A mapped class whose rows belong to one petition, numbered in the order they were added."""

    # The columns as the class holds them, for queries (an instance holds their values).
    id: ClassVar[Mapped[int]]
    petition_id: ClassVar[Mapped[int]]


PetitionRowT = TypeVar("PetitionRowT", bound=PetitionRow)


def newest_first(model: type[PetitionRowT], petition: Petition) -> Sequence[PetitionRowT]:
    """The petition's rows of `model`, the newest first."""
    return db.session.scalars(
        select(model).where(model.petition_id == petition.id).order_by(model.id.desc())
    ).all()


@dataclass(frozen=True)
class RowRemoval(Generic[RowT]):
    """How an organiser takes one of a petition's rows of `model` away: the event `action` it
    records, with the row's `details`, and what runs once the row is gone (`after`: a recount,
    under the lock `for_update` takes)."""

    model: type[RowT]
    action: EventAction
    details: Callable[[RowT], dict[str, Any]]
    for_update: bool = False
    after: Callable[[Session, Petition], None] | None = None

    def remove(self, petition: Petition, organiser: Organiser, **key: object) -> bool:
        """Delete the petition's row with these values and record it; false if it has none."""
        with write_transaction() as session:
            petition = stored_petition(session, petition, for_update=self.for_update)
            row = petition_row(session, self.model, petition, **key)
            if row is None:
                return False
            record_event(session, petition, organiser, self.action, **self.details(row))
            session.delete(row)
            if self.after is not None:
                session.flush()
                self.after(session, petition)
        return True


def stored_petition(session: Session, petition: Petition, *, for_update: bool = False) -> Petition:
    """The petition as stored now, read again in the caller's transaction, for a use case to change
    (with `for_update`, locked until that transaction ends)."""
    found = session.get(Petition, petition.id, populate_existing=True, with_for_update=for_update)
    if found is None:
        raise PetitionError(gettext("This petition no longer exists."))
    return found


def petition_by_slug(slug: str) -> Petition | None:
    """The petition at this address, if any (hidden ones included)."""
    return db.session.scalar(select(Petition).where(Petition.slug == slug))


def public_petition_by_slug(slug: str) -> Petition | None:
    """The petition at this address, unless its organisers have hidden it."""
    petition = petition_by_slug(slug)
    return petition if petition is not None and petition.hidden_at is None else None


def open_petitions() -> Sequence[Petition]:
    """Petitions that take signatures now, most signed first."""
    now = utcnow()
    return db.session.scalars(
        select(Petition)
        .where(Petition.open_clause(now))
        .order_by(Petition.signature_count.desc(), Petition.id.desc())
    ).all()


def all_petitions() -> Sequence[Petition]:
    """Every petition, newest first."""
    return db.session.scalars(select(Petition).order_by(Petition.id.desc())).all()


def pending_counts(petition_ids: Sequence[int]) -> dict[int, int]:
    """Unconfirmed signatures per petition (verified counts live on the petition)."""
    if not petition_ids:
        return {}
    rows = db.session.execute(
        select(Signature.petition_id, func.count())
        .where(Signature.petition_id.in_(petition_ids), Signature.status == SignatureStatus.PENDING)
        .group_by(Signature.petition_id)
    )
    return {petition_id: count for petition_id, count in rows}


def is_organiser_of(organiser: Organiser, petition: Petition) -> bool:
    """Whether this organiser runs this petition."""
    return any(member.id == organiser.id for member in petition.organisers)
