"""How a petition is going: counts, confirmation rate, signatures per day and per country."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Date, case, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus
from petition.petitions.publishing import pending_counts

CHART_DAYS = 90


@dataclass(frozen=True)
class Day:
    """Signatures made on one day (UTC) and how many of them are confirmed by now."""

    day: date
    signed: int
    verified: int


@dataclass(frozen=True)
class Summary:
    """The headline figures of a petition."""

    verified: int
    pending: int

    @property
    def confirmation_rate(self) -> float | None:
        """The share of signatures confirmed so far, or None before anyone signs."""
        total = self.verified + self.pending
        return self.verified / total if total else None


def summary(petition: Petition) -> Summary:
    """Verified and pending counts of a petition."""
    return Summary(petition.signature_count, pending_counts([petition.id]).get(petition.id, 0))


def _signing_day() -> ColumnElement[date]:
    # Days are UTC days; PostgreSQL would otherwise cut them in the session's time zone.
    if db.engine.dialect.name == "postgresql":
        return cast(func.timezone("UTC", Signature.created_at), Date)
    return func.date(Signature.created_at)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def daily(petition: Petition, days: int = CHART_DAYS) -> list[Day]:
    """Signatures per signing day over the petition's last `days` active days, gaps filled with 0."""
    day = _signing_day().label("day")
    verified = func.sum(case((Signature.status == SignatureStatus.CONFIRMED, 1), else_=0))
    rows = db.session.execute(
        select(day, func.count(), verified)
        # Quietly held signatures never count, not even as awaiting confirmation.
        .where(
            Signature.petition_id == petition.id,
            Signature.status != SignatureStatus.HELD,
        )
        .group_by(day)
        .order_by(day)
    ).all()
    found = {_as_date(when): Day(_as_date(when), signed, int(ok or 0)) for when, signed, ok in rows}
    if not found:
        return []
    last = max(found)
    first = max(min(found), last - timedelta(days=days - 1))
    span = (last - first).days + 1
    return [
        found.get(first + timedelta(days=n), Day(first + timedelta(days=n), 0, 0))
        for n in range(span)
    ]


def by_country(petition: Petition) -> list[tuple[str, int]]:
    """Verified signatures per country code, most first ("" for signatures without one)."""
    count = func.count().label("count")
    rows = db.session.execute(
        select(Signature.country, count)
        .where(Signature.petition_id == petition.id, Signature.status == SignatureStatus.CONFIRMED)
        .group_by(Signature.country)
        .order_by(count.desc(), Signature.country)
    )
    return [(code or "", n) for code, n in rows]


@dataclass(frozen=True)
class PublicCountries:
    """Country counts as anyone may see them: small ones are added together, never shown alone."""

    counts: list[tuple[str, int]]  # country code ("" for none given) and verified signatures
    other: int  # verified signatures from countries with fewer than `minimum` each
    minimum: int


def public_by_country(petition: Petition) -> PublicCountries:
    """Verified signatures per country for the public, below PUBLIC_COUNTRY_MIN merged as other.

    An exact count of 1 for a rare country, updated every second, points at one person.
    Signatures without a country name no one's country, so their count stays as it is.
    """
    minimum = int(current_app.config["PUBLIC_COUNTRY_MIN"])
    counts = by_country(petition)
    shown = [(code, n) for code, n in counts if n >= minimum or not code]
    other = sum(n for code, n in counts if code and n < minimum)
    return PublicCountries(shown, other, minimum)
