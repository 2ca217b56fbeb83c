"""Whether confirmation mail gets through: signed against confirmed by email domain, and stalls.

The funnel covers the signatures made in the last FUNNEL_DAYS days, except the last SETTLE
(people need a moment to open their mail, so fresh signatures would look unconfirmed). A
signature counts as confirmed once its mailbox confirmed it, whatever happened after
(`confirmed_at` is set). Quietly held signatures are left out, as on the rest of the
organisers' page: they never count, not even as awaiting confirmation, so a held domain never
shows up here. Anonymised signatures have no address left; they are added to the other domains.

A domain is marked when at least FLAG_MIN_SIGNED of its signatures are in the funnel and it
confirmed under FLAG_SHARE of the petition's own rate over the same signatures: then its mail is
probably landing in spam (or not arriving at all).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus, utcnow

FUNNEL_DAYS = 7
SETTLE = timedelta(hours=1)
TOP_DOMAINS = 10
FLAG_MIN_SIGNED = 10
FLAG_SHARE = 0.5
# The stall note leaves out the last minutes too: those signers have not had time to confirm.
STALL_SETTLE = timedelta(minutes=15)


def _rate(signed: int, confirmed: int) -> float | None:
    return confirmed / signed if signed else None


@dataclass(frozen=True)
class DomainFunnel:
    """One email domain's signatures in the funnel, and how many of them were confirmed."""

    domain: str | None  # None: the other domains together
    signed: int
    confirmed: int
    flagged: bool = False  # far below the petition's own rate

    @property
    def rate(self) -> float:
        """The share confirmed (a row always has signatures)."""
        return self.confirmed / self.signed


@dataclass(frozen=True)
class Funnel:
    """The busiest domains, then the other domains together, and the petition's own figures."""

    domains: list[DomainFunnel]
    other: DomainFunnel | None
    signed: int
    confirmed: int

    @property
    def rate(self) -> float | None:
        """The petition's own confirmation rate over the same signatures."""
        return _rate(self.signed, self.confirmed)

    @property
    def flagged(self) -> list[DomainFunnel]:
        """The domains whose mail may be landing in spam."""
        return [row for row in self.domains if row.flagged]


def _domain(address: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str | None]:
    """What follows the first @ of an address, or NULL without one (anonymised), as SQL."""
    find = func.strpos if db.engine.dialect.name == "postgresql" else func.instr
    at = find(address, "@")
    return case((at > 0, func.substr(address, at + 1)), else_=None)


def _in_funnel(petition: Petition, since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    return [
        Signature.petition_id == petition.id,
        Signature.status != SignatureStatus.HELD,
        Signature.created_at >= since,
        Signature.created_at < until,
    ]


def _far_below(signed: int, confirmed: int, overall: float | None) -> bool:
    return (
        overall is not None
        and signed >= FLAG_MIN_SIGNED
        and confirmed / signed < overall * FLAG_SHARE
    )


def confirmation_funnel(petition: Petition, now: datetime | None = None) -> Funnel:
    """Signed and confirmed by email domain: the TOP_DOMAINS busiest and the rest, in one query."""
    now = now or utcnow()
    until = now - SETTLE
    made = (
        select(_domain(Signature.email_canonical).label("domain"), Signature.confirmed_at)
        .where(*_in_funnel(petition, until - timedelta(days=FUNNEL_DAYS), until))
        .subquery()
    )
    signed, confirmed = func.count(), func.count(made.c.confirmed_at)
    rows = db.session.execute(
        select(
            made.c.domain,
            signed,
            confirmed,
            # Totals over every domain, before the limit: the rest is the total minus the top.
            func.sum(signed).over(),
            func.sum(confirmed).over(),
        )
        .group_by(made.c.domain)
        .order_by(made.c.domain.is_(None), signed.desc(), made.c.domain)
        .limit(TOP_DOMAINS)
    ).all()
    if not rows:
        return Funnel([], None, 0, 0)
    total_signed, total_confirmed = int(rows[0][3]), int(rows[0][4])
    overall = _rate(total_signed, total_confirmed)
    domains = [
        DomainFunnel(domain, n, ok, _far_below(n, ok, overall))
        for domain, n, ok, _, _ in rows
        if domain is not None
    ]
    rest_signed = total_signed - sum(row.signed for row in domains)
    rest_confirmed = total_confirmed - sum(row.confirmed for row in domains)
    other = DomainFunnel(None, rest_signed, rest_confirmed) if rest_signed else None
    return Funnel(domains, other, total_signed, total_confirmed)


@dataclass(frozen=True)
class Stall:
    """Many signed lately and few confirmed: confirmation mail may not be arriving."""

    hours: int
    signed: int
    waiting: int


def confirmation_stall(petition: Petition, now: datetime | None = None) -> Stall | None:
    """A stall over the last STALL_HOURS (but the last minutes), or None while mail gets through.

    It is one when at least STALL_MIN_PENDING people signed then and fewer than STALL_RATE of
    them confirmed.
    """
    config = current_app.config
    hours = int(config["STALL_HOURS"])
    now = now or utcnow()
    signed, confirmed = db.session.execute(
        select(func.count(), func.count(Signature.confirmed_at)).where(
            *_in_funnel(petition, now - timedelta(hours=hours), now - STALL_SETTLE)
        )
    ).one()
    if signed < int(config["STALL_MIN_PENDING"]) or confirmed >= signed * config["STALL_RATE"]:
        return None
    return Stall(hours, signed, signed - confirmed)
