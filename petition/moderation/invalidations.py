"""Organisers mark signatures fraudulent in bulk (dry run first), recorded and reversible."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

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
from petition.transactions import write_transaction

_COUNTED_OR_PENDING = (SignatureStatus.PENDING, SignatureStatus.CONFIRMED)
MIN_NETWORK_LABEL = 8
# The words Criteria.describe() records (in English), and how each reads translated.
_CRITERIA_WORDS = {
    "domain ": N_("domain %(value)s"),
    "network ": N_("network %(value)s"),
    "name like ": N_("name like %(value)s"),
    "from ": N_("from %(value)s"),
    "until ": N_("until %(value)s"),
}
_CRITERIA_PARTS = re.compile(r", (?=domain |network |name like |from |until )")


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

    def describe(self) -> str:
        """The criteria in words, for the record."""
        parts = [
            f"domain {self.domain}" if self.domain else "",
            f"network {self.network}" if self.network else "",
            f"name like {self.name_pattern}" if self.name_pattern else "",
            f"from {self.since:%Y-%m-%d %H:%M} UTC" if self.since else "",
            f"until {self.until:%Y-%m-%d %H:%M} UTC" if self.until else "",
        ]
        return ", ".join(part for part in parts if part)[:500]


def criteria_text(described: str) -> str:
    """Recorded criteria in the reader's language; values as typed, anything unexpected as stored."""
    parts = []
    for part in _CRITERIA_PARTS.split(described):
        word = next((word for word in _CRITERIA_WORDS if part.startswith(word)), None)
        if word is None:
            return described
        parts.append(gettext(_CRITERIA_WORDS[word], value=part.removeprefix(word)))
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
            criteria=criteria.describe(),
            reason=reason[:500],
        )
        session.add(record)
        session.flush()
        marked = {"status": SignatureStatus.FRAUDULENT, "invalidation_id": record.id}
        flagged = dict(marked, flag_reason="invalidation")
        confirmed = session.execute(
            update(Signature)
            .where(where, Signature.status == SignatureStatus.CONFIRMED)
            .values(**flagged)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        pending = session.execute(
            update(Signature)
            .where(where, Signature.status == SignatureStatus.PENDING)
            .values(**flagged)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        _change_count(session, petition.id, -confirmed)
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
            Signature.status == SignatureStatus.FRAUDULENT,
        )
        restored = restore_held(session, petition, mine)
        record.reversed_at = utcnow()
        record.reversed_by_id = organiser.id
    return restored


def _change_count(session: Session, petition_id: int, delta: int) -> None:
    """Move the stored count in the caller's transaction, so it never drifts from the rows."""
    if delta:
        session.execute(
            update(Petition)
            .where(Petition.id == petition_id)
            .values(signature_count=Petition.signature_count + delta)
        )


def invalidations_of(petition: Petition) -> Sequence[Invalidation]:
    """The petition's invalidations, newest first."""
    return db.session.scalars(
        select(Invalidation)
        .where(Invalidation.petition_id == petition.id)
        .order_by(Invalidation.id.desc())
    ).all()


def set_disposable_blocking(petition: Petition, on: bool) -> None:
    """Switch quiet handling of throwaway mail domains on or off for new signatures."""
    with write_transaction() as session:
        session.execute(
            update(Petition).where(Petition.id == petition.id).values(blocks_disposable=on)
        )
