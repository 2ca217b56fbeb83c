"""Counted messages in Python code: the right plural form, the count written the reader's way."""

from flask_babel import get_translations

from petition.languages import format_number


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    """The form of the message for this count, translated, %(num)s being the count as written.

    Flask-Babel's own ngettext puts the bare number into %(num)s (12345, not 12 345), and will not
    take another value for it.
    """
    message = get_translations().ungettext(singular, plural, count)
    return message % {"num": format_number(count), **values}
