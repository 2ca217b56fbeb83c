"""Whole numbers from a request: ids in paths.

Each is read by the one rule of petition.ids, so a number no column can hold never reaches a
query: a path that carries one matches no route (404).
"""

from werkzeug.routing import BaseConverter, ValidationError

from petition.ids import ID_PATTERN, parse_id


class IdConverter(BaseConverter):
    """`<id:name>`: a database id in a path, 1 to MAX_ID, written without sign or leading zero."""

    regex = ID_PATTERN
    weight = 50  # as werkzeug's int: a number is tried before a free-text segment

    def to_python(self, value: str) -> int:
        found = parse_id(value)
        if found is None:
            raise ValidationError()  # the rule does not match, so the path is not found
        return found
