"""Petitions as the public API and the feed present them: pages, states and plain data."""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from petition.extensions import db
from petition.models import Petition, PublicPetition, utcnow
from petition.petitions.markdown import summary
from petition.petitions.versions import PetitionInLanguage
from petition.web.urls import public_url

MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # far past any real catalogue; keeps OFFSET within what every database takes


class State(enum.StrEnum):
    """Whether a petition takes signatures now."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class PetitionPage:
    """One page of petitions, newest first, and how many there are in all."""

    petitions: Sequence[Petition]
    total: int
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        """Whether a later page has petitions."""
        return self.page * self.per_page < self.total


def _state_filter(state: State) -> ColumnElement[bool]:
    is_open = Petition.open_clause(utcnow())
    return is_open if state is State.OPEN else ~is_open


def listed_petitions(state: State | None, page: int, per_page: int) -> PetitionPage:
    """Petitions in a state (or all), newest first, `per_page` to a page."""
    where: list[ColumnElement[bool]] = [
        Petition.hidden_at.is_(None)
    ]  # hidden by its organisers: gone from public view
    if state is not None:
        where.append(_state_filter(state))
    total = db.session.scalar(select(func.count()).select_from(Petition).where(*where)) or 0
    petitions = db.session.scalars(
        select(Petition)
        .where(*where)
        .order_by(Petition.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return PetitionPage(petitions, total, page, per_page)


def state_of(petition: PublicPetition) -> State:
    """The petition's state now."""
    return State.OPEN if petition.is_open() else State.CLOSED


def petition_facts(petition: PetitionInLanguage) -> dict[str, Any]:
    """What every public JSON document says of a petition, each fact written one way."""
    return {
        "slug": petition.slug,
        "title": petition.title,
        "language": petition.language,
        "languages": list(petition.languages),
        "target": petition.target,
        "url": public_url("public.petition", slug=petition.slug),
        "signature_count": petition.signature_count,
        "goal": petition.goal,
        "created_at": petition.created_at.isoformat(),
        "closes_at": petition.closes_at.isoformat() if petition.closes_at else None,
        # Counted by its organisers and never verified: apart from signature_count, never in it.
        "paper_signature_count": petition.paper_signature_count,
    }


def petition_data(petition: PetitionInLanguage) -> dict[str, Any]:
    """The public facts about a petition, never anything about its signers but the count."""
    return petition_facts(petition) | {
        "original_language": petition.original_language,
        "summary": summary(petition.body),
        "state": state_of(petition.petition).value,
    }
