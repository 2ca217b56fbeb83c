"""A petition's verified count: kept on its row, changed only here, reconciled on demand.

The invariant: a petition's signature_count equals the number of its signatures whose status is
`confirmed`. Every use case that moves a signature into or out of `confirmed` (confirming,
withdrawing, invalidating and its reversal, reinstating) calls change_count in the same
transaction, under the row lock that keeps two of them from counting one signature twice, so a
page never counts rows and the count never drifts. recount_signatures checks the invariant and
repairs a drift.
"""

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from petition.models import Petition, Signature, SignatureStatus, table_of
from petition.transactions import write_transaction

_petitions = table_of(Petition)
# Built once: confirming runs this on every signature in a surge.
_CHANGE = (
    update(_petitions)
    .where(_petitions.c.id == bindparam("petition_id"))
    .values(signature_count=_petitions.c.signature_count + bindparam("delta"))
)


def change_count(session: Session, petition_id: int, delta: int) -> None:
    """Add delta (negative to take away) to the verified count, in the caller's transaction."""
    if delta:
        session.execute(_CHANGE, {"petition_id": petition_id, "delta": delta})


@dataclass(frozen=True)
class CountedTowardsGoal:
    """A petition's verified count just after a change, with its goal and the quarter last told."""

    petition_id: int
    count: int
    goal: int | None
    goal_notified: int


# The same change, reporting the new count in the same statement: no query more per confirmation.
_CHANGE_REPORTING = _CHANGE.returning(
    _petitions.c.signature_count, _petitions.c.goal, _petitions.c.goal_notified
)


def change_count_reporting(session: Session, petition_id: int, delta: int) -> CountedTowardsGoal:
    """change_count, telling what the count now is and how far the petition is towards its goal."""
    count, goal, notified = session.execute(
        _CHANGE_REPORTING, {"petition_id": petition_id, "delta": delta}
    ).one()
    return CountedTowardsGoal(petition_id, count, goal, notified)


class UnknownPetitionError(LookupError):
    """No petition has the slug asked for."""


@dataclass(frozen=True)
class CountCheck:
    """One petition's stored count beside the number of its confirmed signatures."""

    slug: str
    stored: int
    confirmed: int

    @property
    def drift(self) -> int:
        """How far the stored count is above (positive) or below (negative) the truth."""
        return self.stored - self.confirmed


def recount_signatures(slug: str | None = None, *, fix: bool = True) -> list[CountCheck]:
    """Compare each petition's stored count with its confirmed signatures, and correct any drift."""
    with write_transaction() as session:
        query = select(Petition.id, Petition.slug, Petition.signature_count).order_by(Petition.id)
        if slug is not None:
            query = query.where(Petition.slug == slug)
        # Locking the petition rows makes confirmations wait, so the count and the rows agree.
        petitions = session.execute(query.with_for_update()).all()
        if slug is not None and not petitions:
            raise UnknownPetitionError(slug)
        confirmed = dict(
            session.execute(
                select(Signature.petition_id, func.count())
                .where(
                    Signature.petition_id.in_([petition_id for petition_id, _, _ in petitions]),
                    Signature.status == SignatureStatus.CONFIRMED,
                )
                .group_by(Signature.petition_id)
            ).all()
        )
        checks = []
        for petition_id, petition_slug, stored in petitions:
            check = CountCheck(petition_slug, stored, confirmed.get(petition_id, 0))
            if check.drift and fix:
                change_count(session, petition_id, -check.drift)
            checks.append(check)
    return checks
