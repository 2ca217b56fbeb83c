"""Ids and the other whole numbers kept in INTEGER columns: their range, and how to read them.

Every id and count column is an INTEGER, 32 bits on PostgreSQL; SQLite holds the same range. A
number outside it is no id of ours: it is refused where it enters (a path, a query, a form, a
signed link), before any query, so the database never has to answer for it.
"""

import re

# The largest value of an INTEGER column (PostgreSQL's int4; SQLite's wider integers hold it too).
MAX_INTEGER = 2**31 - 1
MAX_ID = MAX_INTEGER
# A whole number as we write it: ASCII digits, no sign, no leading zero (so one spelling each).
# At most as many digits as the largest value, so a long string is refused before int() reads it.
ID_PATTERN = rf"[1-9][0-9]{{0,{len(str(MAX_ID)) - 1}}}"
_NUMBER = re.compile(rf"0|[1-9][0-9]{{0,{len(str(MAX_INTEGER)) - 1}}}")


def is_id(value: object) -> bool:
    """Whether the value is an int an id column can hold (bools, which JSON also has, are not)."""
    return type(value) is int and 1 <= value <= MAX_ID


def parse_number(text: str, low: int = 0, high: int = MAX_INTEGER) -> int | None:
    """The whole number the text spells, if it lies from low to high; None for anything else.

    high is at most MAX_INTEGER: a number with more digits is not read at all.
    """
    if not _NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(text: str) -> int | None:
    """The id the text spells, or None if it is not one an id column can hold."""
    return parse_number(text, 1, MAX_ID)
