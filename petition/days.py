"""The calendar days the service takes from people: closing days and export ranges.

Python's dates end at the years 1 and 9999; a day near either end overflows as soon as a day or a
time zone is added to it. Nothing of ours happens before 2000, and the last day leaves a year
of margin, so every day inside these bounds survives any arithmetic we do with it.
"""

from datetime import date

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(9998, 12, 31)


def is_usable_day(day: date) -> bool:
    """Whether the day lies within the years the service can compute with."""
    return FIRST_DAY <= day <= LAST_DAY
