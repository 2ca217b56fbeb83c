"""Countries signers can choose from: the ISO 3166 list, each label from one place."""

import unicodedata
from functools import lru_cache

import pycountry


def country_name(code: str) -> str:
    """The name people read for a two-letter ISO 3166 code (the code itself if unknown)."""
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        return code
    # Prefer the everyday name ("Bolivia") over the formal one ("Bolivia, Plurinational State of").
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=1)
def _codes() -> tuple[str, ...]:
    return tuple(country.alpha_2 for country in pycountry.countries)


def is_country_code(code: str) -> bool:
    """Whether this is a two-letter code on the list."""
    return code in _codes()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for a select, sorted by name as people read it."""
    pairs = ((code, country_name(code)) for code in _codes())
    return sorted(pairs, key=lambda pair: unicodedata.normalize("NFKD", pair[1]).casefold())
