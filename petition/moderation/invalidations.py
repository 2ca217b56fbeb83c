"""Organisers mark signatures fraudulent in bulk (dry run first), recorded and reversible."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import ColumnElement, and_, func, or_, select, update

from petition.extensions import db
from petition.i18n.languages import N_
from petition.models import (
    Invalidation,
    Organiser,
    Petition,
    Signature,
    SignatureStatus,
    utcnow,
)
from petition.moderation.reinstatement import restore_held
from petition.petitions.publishing import newest_first
from petition.transactions import rows_changed, write_transaction
from petition.transparency.tally import ExcludeReason, count_out

_COUNTED_OR_PENDING = (SignatureStatus.PENDING, SignatureStatus.CONFIRMED)
MIN_NETWORK_LABEL = 8
# How each recorded criterion reads, in the order the page lists them.
_CRITERIA_WORDS = {
    "domain": N_("domain %(value)s"),
    "network": N_("network %(value)s"),
    "name_pattern": N_("name like %(value)s"),
    "since": N_("from %(value)s"),
    "until": N_("until %(value)s"),
}
_TIMES = ("since", "until")


class InvalidationError(ValueError):
    """The invalidation cannot be done as asked; the message says why, in the reader's language."""


@dataclass(frozen=True)
class Criteria:
    """Which signatures of a petition to invalidate; every given criterion must match."""

    domain: str | None = None  # "example.org" (and its subdomains) or a wildcard "*.example"
    network: str | None = None  # the label the activity view shows for a client network
    name_pattern: str | None = None  # wildcards * and ?, case-insensitive
    since: datetime | None = None
    until: datetime | None = None

    def values(self) -> dict[str, Any]:
        """The given criteria, for the record: text as typed, times as ISO 8601."""
        given = {
            "domain": self.domain,
            "network": self.network,
            "name_pattern": self.name_pattern,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {name: value for name, value in given.items() if value}


def criteria_text(record: Invalidation) -> str:
    """An invalidation's criteria in the reader's language; text as typed, times in UTC.

    One recorded before criteria were kept as values, that the upgrade could not read, shows the
    words it was stored with.
    """
    values = record.criteria_values or {}
    if record.criteria or not values:
        return record.criteria
    parts = []
    for name, message in _CRITERIA_WORDS.items():
        if value := values.get(name):
            if name in _TIMES:
                value = f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M} UTC"
            parts.append(gettext(message, value=value))
    return ", ".join(parts)


def _like(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def _where(petition: Petition, criteria: Criteria) -> ColumnElement[bool]:
    if not any((criteria.domain, criteria.network, criteria.name_pattern)) and not (
        criteria.since or criteria.until
    ):
        raise InvalidationError(
            gettext("Give at least one of domain, network, name or time window.")
        )
    if criteria.since and criteria.until and criteria.since >= criteria.until:
        raise InvalidationError(gettext("The start of the time window must come before its end."))
    if criteria.network and len(criteria.network) < MIN_NETWORK_LABEL:
        raise InvalidationError(gettext("Copy the network's label from the activity table."))
    clauses = [Signature.petition_id == petition.id, Signature.status.in_(_COUNTED_OR_PENDING)]
    if criteria.domain:
        domain = _like(criteria.domain.strip().lower())
        clauses.append(
            or_(
                Signature.email_canonical.like(f"%@{domain}", escape="\\"),
                Signature.email_canonical.like(f"%@%.{domain}", escape="\\"),
            )
        )
    if criteria.network:
        clauses.append(Signature.network_hash.startswith(criteria.network.lower()))
    if criteria.name_pattern:
        pattern = _like(criteria.name_pattern.strip().lower())
        clauses.append(func.lower(Signature.name).like(pattern, escape="\\"))
    if criteria.since:
        clauses.append(Signature.created_at >= criteria.since)
    if criteria.until:
        clauses.append(Signature.created_at < criteria.until)
    return and_(*clauses)


def count_matching(petition: Petition, criteria: Criteria) -> int:
    """The dry run: how many signatures (counted or pending) an invalidation would mark."""
    return db.session.scalar(select(func.count()).where(_where(petition, criteria))) or 0


def invalidate(
    petition: Petition, criteria: Criteria, *, organiser: Organiser, reason: str
) -> Invalidation:
    """Mark the matching signatures fraudulent, uncount the confirmed ones, record it all."""
    where = _where(petition, criteria)
    with write_transaction() as session:
        record = Invalidation(
            petition_id=petition.id,
            organiser_id=organiser.id,
            criteria_values=criteria.values(),
            reason=reason[:500],
        )
        session.add(record)
        session.flush()
        marked = {"status": SignatureStatus.HELD, "invalidation_id": record.id}
        flagged = dict(marked, flag_reason="invalidation")
        # Each one that stops counting is excluded in the log: RETURNING names exactly those
        # this statement changed, whatever confirmations committed meanwhile.
        uncounted = session.execute(
            update(Signature)
            .where(where, Signature.status == SignatureStatus.CONFIRMED)
            .values(**flagged)
            .returning(Signature.id, Signature.log_index)
            .execution_options(synchronize_session=False)
        ).all()
        confirmed = len(uncounted)
        pending = rows_changed(
            session.execute(
                update(Signature)
                .where(where, Signature.status == SignatureStatus.PENDING)
                .values(**flagged)
                .execution_options(synchronize_session=False)
            )
        )
        for _id, add in sorted(uncounted):
            if add is not None:  # one never logged was never in the count
                count_out(session, petition.id, add, ExcludeReason.INVALIDATED)
        record.count = confirmed + pending
    return record


def reverse_invalidation(petition: Petition, invalidation_id: int, *, organiser: Organiser) -> int:
    """Return an invalidation's signatures to where they were; how many came back."""
    with write_transaction() as session:
        record = session.get(Invalidation, invalidation_id, with_for_update=True)
        if record is None or record.petition_id != petition.id:
            raise InvalidationError(gettext("There is no such invalidation for this petition."))
        if record.reversed_at is not None:
            return 0
        mine = and_(
            Signature.invalidation_id == record.id,
            Signature.status == SignatureStatus.HELD,
        )
        restored = restore_held(session, petition, mine)
        record.reversed_at = utcnow()
        record.reversed_by_id = organiser.id
    return restored


def invalidations_of(petition: Petition) -> Sequence[Invalidation]:
    """The petition's invalidations, newest first."""
    return newest_first(Invalidation, petition)


def set_disposable_blocking(petition: Petition, on: bool) -> None:
    """Switch quiet handling of throwaway mail domains on or off for new signatures."""
    with write_transaction() as session:
        session.execute(
            update(Petition).where(Petition.id == petition.id).values(blocks_disposable=on)
        )
