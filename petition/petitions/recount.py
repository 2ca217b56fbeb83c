"""Verified counts: kept on the petition row, and reconciled with the confirmed rows on demand."""

from dataclasses import dataclass

from sqlalchemy import func, select, update

from petition.models import Petition, Signature, SignatureStatus
from petition.transactions import write_transaction


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
                session.execute(
                    update(Petition)
                    .where(Petition.id == petition_id)
                    .values(signature_count=check.confirmed)
                )
            checks.append(check)
    return checks
