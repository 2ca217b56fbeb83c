"""Plurals in the reader's language: counted messages in Python code, and the categories a script
needs to change words with a count."""

from functools import cache

from babel import Locale
from flask_babel import get_locale, get_translations

from petition.i18n.languages import format_number

# Every category of the three languages has a member below 100 (Russian "many": 0, 5, 11...).
_SAMPLE_RANGE = range(100)


def plural_samples() -> tuple[tuple[str, int], ...]:
    """One sample number per CLDR plural category of the current language, smallest first.

    A page asks gettext for a count's words at each sample and hands them to the live counter,
    which picks one with the browser's Intl.PluralRules: both name the same categories.
    """
    return _samples(get_locale() or Locale("en"))


@cache  # a language's rule never changes; working it out took a hundred evaluations per page
def _samples(locale: Locale) -> tuple[tuple[str, int], ...]:
    rule = locale.plural_form
    samples: dict[str, int] = {}
    for number in _SAMPLE_RANGE:
        samples.setdefault(rule(number), number)
    return tuple(sorted(samples.items(), key=lambda item: item[1]))


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    """The form of the message for this count, translated, %(num)s being the count as written.

    Flask-Babel's own ngettext puts the bare number into %(num)s (12345, not 12 345), and will not
    take another value for it.
    """
    message: str = get_translations().ungettext(singular, plural, count)
    return message % {"num": format_number(count), **values}
