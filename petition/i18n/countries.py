"""Countries signers can choose from: the ISO 3166 list, each name in the reader's language."""

import unicodedata
from functools import lru_cache

import pycountry
from babel import Locale

from petition.i18n.languages import current_language


@lru_cache(maxsize=8)
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


def _english_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    # Prefer the everyday name ("Bolivia") over the formal one ("Bolivia, Plurinational State of").
    return getattr(country, "common_name", None) or country.name


def country_name(code: str, language: str | None = None) -> str:
    """The name people read for a two-letter ISO 3166 code (the code itself if unknown)."""
    code = code.upper()
    if len(code) != 2 or not code.isalpha():
        return code
    language = language or current_language()
    if language != "en" and is_country_code(code):
        name = _territories(language).get(code)
        if name:
            return name
    return _english_name(code)


@lru_cache(maxsize=1)
def _codes() -> tuple[str, ...]:
    return tuple(country.alpha_2 for country in pycountry.countries)


def is_country_code(code: str) -> bool:
    """Whether this is a two-letter code on the list."""
    return code in _codes()


# Cyrillic letters in dictionary order; Kazakh's own letters sit among the Russian ones, and
# a Russian dictionary files ё with е. Code point order would put them all after я.
_ALPHABETS = {
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
}


def _sort_key(name: str, language: str) -> tuple[int, ...]:
    """Order names as a reader of `language` expects: accents folded (Åland by A), own alphabet."""
    alphabet = _ALPHABETS.get(language, "")
    ranks = []
    for letter in name.casefold():
        if letter in alphabet:
            ranks.append(0x10000 + alphabet.index("е" if letter == "ё" else letter))
        else:
            base = unicodedata.normalize("NFKD", letter)[:1] or letter
            ranks.append(ord(base))
    return tuple(ranks)


@lru_cache(maxsize=8)
def _sorted_choices(language: str) -> tuple[tuple[str, str], ...]:
    pairs = ((code, country_name(code, language)) for code in _codes())
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1], language)))


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for a select, sorted by name as people read it in their language."""
    return list(_sorted_choices(current_language()))
