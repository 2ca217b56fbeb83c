"""Who a supporter's letter goes to, how it opens and its mail link, for the chosen country and,
for the page's script, for every other country, so that choosing one needs no request."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from petition.letters.letter import (
    Mailto,
    copies_part,
    encoded_addresses,
    greeting,
    mailto,
    targets_by_country,
    with_greeting,
)
from petition.models import LetterAction, LetterTarget


@dataclass(frozen=True)
class Recipients:
    """One supporter's letter: its targets, its opening, its link, and the other countries'."""

    targets: Sequence[LetterTarget]  # the chosen country's, then the fixed ones
    every: Sequence[LetterTarget]  # every country's, then the fixed ones: the page shows some
    greeting: str
    link: Mailto
    choices: dict[str, Any]  # what the page's script needs to follow another country


def _emails(targets: Sequence[LetterTarget]) -> list[str]:
    return [target.email for target in targets if target.email]


def _opening(targets: Sequence[LetterTarget], language: str) -> str:
    """One email goes to all of them: it opens as they all wish, or neutrally."""
    return greeting((target.salutation for target in targets if target.email), language)


def recipients(
    action: LetterAction, country: str | None, language: str, subject: str, body: str
) -> Recipients:
    """The letter in `language` for a supporter in `country` (None: no country chosen)."""
    by_country = targets_by_country(action)
    fixed = by_country[""]
    targets = by_country.get(country or "", fixed)
    opening = _opening(targets, language)
    copies = action.copies or []
    own = {code: chosen[: len(chosen) - len(fixed)] for code, chosen in by_country.items()}
    countries = {
        code: {"to": encoded_addresses(_emails(own[code])), "greeting": _opening(chosen, language)}
        for code, chosen in by_country.items()
    }
    return Recipients(
        targets=targets,
        every=[target for code in own for target in own[code]] + fixed,
        greeting=opening,
        link=mailto(_emails(targets), copies, subject, with_greeting(opening, body)),
        choices={
            "cc": copies_part(copies),
            "fixed": encoded_addresses(_emails(fixed)),
            "countries": countries,
        },
    )
