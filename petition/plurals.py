"""The plural categories of the reader's language, for words a script changes with a count."""

from babel import Locale
from flask_babel import get_locale

# Every category of the three languages has a member below 100 (Russian "many": 0, 5, 11...).
_SAMPLE_RANGE = range(100)


def plural_samples() -> list[tuple[str, int]]:
    """One sample number per CLDR plural category of the current language, smallest first.

    A page asks gettext for a count's words at each sample and hands them to the live counter,
    which picks one with the browser's Intl.PluralRules: both name the same categories.
    """
    rule = (get_locale() or Locale("en")).plural_form
    samples: dict[str, int] = {}
    for number in _SAMPLE_RANGE:
        samples.setdefault(rule(number), number)
    return sorted(samples.items(), key=lambda item: item[1])
