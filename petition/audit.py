"""The history of a petition: who changed or exported what, and when."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from petition.extensions import db
from petition.models import Organiser, Petition, PetitionEvent

HISTORY_LENGTH = 50


def record_event(
    session: Session,
    petition: Petition,
    organiser: Organiser | None,
    action: str,
    detail: str = "",
    rows: int | None = None,
) -> None:
    """Note, inside the caller's transaction, what an organiser (or None: an operator) did."""
    session.add(
        PetitionEvent(
            petition_id=petition.id,
            organiser_id=organiser.id if organiser is not None else None,
            action=action,
            detail=detail[:500],
            rows=rows,
        )
    )


def petition_history(
    petition: Petition, *, exports: bool, limit: int = HISTORY_LENGTH
) -> Sequence[PetitionEvent]:
    """The latest changes (exports=False) or exports (exports=True) of a petition, newest first."""
    query = select(PetitionEvent).where(PetitionEvent.petition_id == petition.id)
    is_export = PetitionEvent.action == "export"
    query = query.where(is_export if exports else ~is_export)
    return db.session.scalars(
        query.options(selectinload(PetitionEvent.organiser))
        .order_by(PetitionEvent.id.desc())
        .limit(limit)
    ).all()


def last_event(petition: Petition, action: str) -> PetitionEvent | None:
    """The most recent event of one kind on a petition, if any."""
    return db.session.scalar(
        select(PetitionEvent)
        .where(PetitionEvent.petition_id == petition.id, PetitionEvent.action == action)
        .order_by(PetitionEvent.id.desc())
        .limit(1)
    )
