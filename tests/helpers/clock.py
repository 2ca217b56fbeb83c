"""The dates the service works in: UTC, read when asked, never at import."""

from datetime import date, timedelta

from petition.models import utcnow


def today_utc() -> date:
    """Today's date in UTC, the calendar the service stores and compares dates in."""
    return utcnow().date()


def days_from_today(days: int) -> date:
    """The UTC date `days` from today (negative for the past)."""
    return today_utc() + timedelta(days=days)
