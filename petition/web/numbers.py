"""Whole numbers from a request: ids in paths, numbers in query strings, ids in posted forms.

Each is read by the one rule of petition.ids, so a number no column can hold never reaches a
query: a path that carries one matches no route (404), a query or a form that does is a 400.
"""

from typing import overload

from flask import abort, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError

from petition.ids import ID_PATTERN, MAX_INTEGER, parse_id, parse_number


class IdConverter(BaseConverter):
    """`<id:name>`: a database id in a path, 1 to MAX_ID, written without sign or leading zero."""

    regex = ID_PATTERN
    weight = 50  # as werkzeug's int: a number is tried before a free-text segment

    def to_python(self, value: str) -> int:
        found = parse_id(value)
        if found is None:
            raise ValidationError()  # the rule does not match, so the path is not found
        return found


def _query_number(name: str, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    found = parse_number(raw, low, high)
    if found is None:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}.")
    return found


@overload
def query_number(name: str, *, default: int, low: int = 1, high: int = MAX_INTEGER) -> int: ...


@overload
def query_number(
    name: str, *, default: None = None, low: int = 1, high: int = MAX_INTEGER
) -> int | None: ...


def query_number(
    name: str, *, default: int | None = None, low: int = 1, high: int = MAX_INTEGER
) -> int | None:
    """The whole number ?name= gives, from low to high; default when absent; else a 400 says so."""
    found = _query_number(name, low, high)
    return default if found is None else found


def required_query_number(name: str, *, low: int = 1, high: int = MAX_INTEGER) -> int:
    """As query_number, for a number the request must give: its absence is a 400 too."""
    found = _query_number(name, low, high)
    if found is None:
        raise BadRequest(f"{name} is required: a whole number from {low} to {high}.")
    return found


def posted_id(name: str) -> int:
    """The id a form posts in this field (a remove button's); anything else is a 400."""
    found = parse_id(request.form.get(name, ""))
    if found is None:
        abort(400)
    return found


def posted_ids(name: str, most: int) -> list[int]:
    """The ids a form posts in this field (ticked boxes), at most `most`; anything else is a 400."""
    raw = request.form.getlist(name)
    ids = [found for value in raw[:most] if (found := parse_id(value)) is not None]
    if len(raw) > most or len(ids) < len(raw):
        abort(400)
    return ids
