"""Unusual signing activity: signatures per hour by email domain and by client network."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus, utcnow

TOP_PER_HOUR = 5
NETWORK_LABEL_LENGTH = 12  # enough to tell networks apart; the full hash never leaves the server


@dataclass(frozen=True)
class Group:
    """One domain or network's signatures in one hour."""

    label: str
    count: int
    over: bool  # at or above the threshold: worth a look


@dataclass
class Hour:
    """The busiest domains and networks of one hour."""

    start: datetime
    total: int = 0
    domains: list[Group] = field(default_factory=list)
    networks: list[Group] = field(default_factory=list)


def _top(counts: Counter[str], threshold: int) -> list[Group]:
    return [
        Group(label, count, count >= threshold) for label, count in counts.most_common(TOP_PER_HOUR)
    ]


def signing_activity(
    petition: Petition, hours: int, threshold: int, now: datetime | None = None
) -> list[Hour]:
    """Each of the last `hours` hours that saw signatures, newest first, with its top groups."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Signature.created_at, Signature.email_canonical, Signature.network_hash).where(
            Signature.petition_id == petition.id,
            Signature.created_at >= now - timedelta(hours=hours),
        )
    )
    domains: dict[datetime, Counter[str]] = {}
    networks: dict[datetime, Counter[str]] = {}
    for created_at, email, network in rows:
        hour = created_at.replace(minute=0, second=0, microsecond=0)
        domains.setdefault(hour, Counter())[email.rpartition("@")[2]] += 1
        label = network[:NETWORK_LABEL_LENGTH] if network else "unknown"
        networks.setdefault(hour, Counter())[label] += 1
    return [
        Hour(
            start=hour,
            total=sum(domains[hour].values()),
            domains=_top(domains[hour], threshold),
            networks=_top(networks[hour], threshold),
        )
        for hour in sorted(domains, reverse=True)
    ]


def held_counts(petition: Petition) -> dict[str, int]:
    """Held signatures (never counted), by the rule or action that held them."""
    rows = db.session.execute(
        select(Signature.flag_reason, func.count())
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.HELD,
        )
        .group_by(Signature.flag_reason)
    )
    return {reason or "unknown": count for reason, count in rows}
