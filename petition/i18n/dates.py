"""Days written the reader's way."""

from datetime import date, datetime, timedelta

from flask_babel import format_date

from petition.i18n.languages import current_language

_DAY_FORMATS = {"en": "d MMMM y"}


def last_day(closes_at: datetime) -> str:
    """The last day a petition is open, in the reader's language ("24 January 2027", "24 января 2027 г.")."""
    day = (closes_at - timedelta(seconds=1)).date()  # a date: no time zone shifts the day
    return format_date(day, _DAY_FORMATS.get(current_language(), "long"))


def long_day(day: date) -> str:
    """A day in the reader's language, as last_day writes it ("3 March 2026", "3 марта 2026 г.")."""
    return format_date(day, _DAY_FORMATS.get(current_language(), "long"))
