"""The letter a supporter sends from their own mail: its version, its targets, its mailto link.

Nothing here writes: the supporter's edits travel in their request and are never stored.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import force_locale, gettext
from sqlalchemy import ColumnElement, or_, select

from petition.extensions import db
from petition.models import LetterAction, LetterTarget

# Longer mailto links are cut or refused by some browsers and mail apps (Outlook near 2,000).
MAX_MAILTO = 1800
# The country offered first for a page language: the campaign's readers of Kazakh and Russian
# are mostly in Kazakhstan; other languages guess none. The choice is one tap away either way.
_LANGUAGE_COUNTRY = {"kk": "KZ", "ru": "KZ"}


@dataclass(frozen=True)
class Letter:
    """What the supporter sends, in one language."""

    language: str
    title: str
    subject: str
    body: str


def letter_in(action: LetterAction, language: str | None, original: str) -> Letter:
    """The action's letter in the reader's language when written in it, else the original."""
    version = (action.translations or {}).get(language or "")
    if isinstance(version, dict) and version.get("subject") and version.get("body"):
        return Letter(
            language=str(language),
            title=version.get("title") or action.title,
            subject=version["subject"],
            body=version["body"],
        )
    return Letter(original, action.title, action.subject, action.body)


def guessed_country(language: str) -> str | None:
    """The country to offer first, guessed from the page's language only (never the address)."""
    return _LANGUAGE_COUNTRY.get(language)


def targets_for(action: LetterAction, country: str | None) -> Sequence[LetterTarget]:
    """The target for supporters in this country (if any) and every fixed target."""
    where: ColumnElement[bool] = LetterTarget.country.is_(None)
    if country:
        where = or_(where, LetterTarget.country == country)
    return db.session.scalars(
        select(LetterTarget)
        .where(LetterTarget.action_id == action.id, where)
        .order_by(LetterTarget.country.is_(None), LetterTarget.id)
    ).all()


def targets_by_country(action: LetterAction) -> dict[str, list[LetterTarget]]:
    """Who supporters write to, for each country with a target of its own and, under "", for
    every other country: the country's targets first, then the fixed ones, as `targets_for`."""
    rows = db.session.scalars(
        select(LetterTarget).where(LetterTarget.action_id == action.id).order_by(LetterTarget.id)
    ).all()
    fixed = [target for target in rows if target.country is None]
    own: dict[str, list[LetterTarget]] = {}
    for target in rows:
        if target.country:
            own.setdefault(target.country, []).append(target)
    return {"": fixed} | {code: [*targets, *fixed] for code, targets in own.items()}


def greeting(salutations: Iterable[str | None], language: str) -> str:
    """How a letter opens: the salutation its targets share, or else a neutral greeting in the
    letter's language (one email to a court and an ambassador addresses neither by title)."""
    kept = set(salutations)
    if len(kept) == 1 and (shared := kept.pop()):
        return shared
    with force_locale(language):
        return gettext("Dear Sir or Madam,")


def with_greeting(opening: str, body: str) -> str:
    """The letter as sent: the greeting, a blank line, then the text (the page's script too)."""
    return f"{opening}\n\n{body}"


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def encoded_addresses(emails: Sequence[str]) -> str:
    """Addresses as a mailto link lists them; joined with "," they stay one list."""
    return ",".join(quote(email, safe="@") for email in emails)


def copies_part(copies: Sequence[str]) -> str:
    """The link's copies-to, ready to go before its subject."""
    return "cc=" + encoded_addresses(copies) + "&" if copies else ""


@dataclass(frozen=True)
class Mailto:
    """A mailto link and whether the body had to be left out of it (too long for one)."""

    href: str
    has_body: bool
    prefix: str  # the link up to its subject: "mailto:to?cc=…&", for the page's script


def mailto(to: Sequence[str], copies: Sequence[str], subject: str, body: str) -> Mailto:
    """A mailto link (RFC 6068): UTF-8 percent-encoded, spaces as %20, lines ending in %0D%0A."""
    prefix = "mailto:" + encoded_addresses(to) + "?" + copies_part(copies)
    without_body = prefix + "subject=" + quote(subject, safe="")
    full = without_body + "&body=" + quote(_crlf(body), safe="")
    if len(full) <= MAX_MAILTO:
        return Mailto(full, True, prefix)
    return Mailto(without_body, False, prefix)
