"""`petitions recount`: each petition's count against its confirmed signatures, and the repair.

The count is the log's counted total (petition/transparency/tally.py), so a drift means signatures
changed behind the log's back (a hand edit, a bug). The log cannot be rewritten: the repair
appends what it lacks, an add for each confirmed signature it does not count and an exclude for
each add it counts that no confirmed signature holds, so the count, the rows and the log agree.
"""

from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from petition.models import LogEntry, Petition, Signature, SignatureStatus, table_of
from petition.transactions import write_transaction
from petition.transparency.receipts import commitment_of, new_receipt
from petition.transparency.tally import ExcludeReason, count_from_log, count_in, count_out


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
    """Compare each petition's stored count with its confirmed signatures, and repair any drift."""
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
                _repair(session, petition_id)
            checks.append(check)
    return checks


_LOGGED = (
    update(table_of(Signature))
    .where(table_of(Signature).c.id == bindparam("signature_id"))
    .values(log_index=bindparam("log_index"), commitment=bindparam("commitment"))
)


def _repair(session: Session, petition_id: int) -> None:
    """Append the entries that make the petition's log count exactly its confirmed signatures."""
    count_from_log(session, petition_id)  # first, so each entry below stores the right total
    adds = set(
        session.scalars(
            select(LogEntry.position).where(
                LogEntry.petition_id == petition_id, LogEntry.kind == "add"
            )
        )
    )
    excluded = session.scalars(
        select(LogEntry.refers_to).where(
            LogEntry.petition_id == petition_id, LogEntry.kind == "exclude"
        )
    )
    live = adds - set(excluded)
    signatures = session.execute(
        select(Signature.id, Signature.status, Signature.log_index, Signature.commitment)
        .add_columns(Signature.invalidation_id)
        .where(
            Signature.petition_id == petition_id,
            or_(Signature.status == SignatureStatus.CONFIRMED, Signature.log_index.is_not(None)),
        )
        .order_by(Signature.id)
    ).all()
    held = {
        row.log_index: ExcludeReason.INVALIDATED if row.invalidation_id else ExcludeReason.HELD
        for row in signatures
        if row.status == SignatureStatus.HELD
    }
    counted = {row.log_index for row in signatures if row.status == SignatureStatus.CONFIRMED}
    # An add no confirmed signature holds: held since, or gone (withdrawn) without its exclude.
    for position in sorted(live - counted):
        count_out(session, petition_id, position, held.get(position, ExcludeReason.WITHDRAWN))
    logged = []
    for row in signatures:
        if row.status == SignatureStatus.CONFIRMED and row.log_index not in live:
            commitment = row.commitment or commitment_of(new_receipt())
            add, _ = count_in(session, petition_id, commitment)
            logged.append({"signature_id": row.id, "log_index": add, "commitment": commitment})
    if logged:
        session.execute(_LOGGED, logged)
