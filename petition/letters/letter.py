"""The letter a supporter sends from their own mail: its version, its targets, its mailto link.

Nothing here writes: the supporter's edits travel in their request and are never stored.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import ColumnElement, or_, select

from petition.extensions import db
from petition.models import LetterAction, LetterTarget

# Longer mailto links are cut or refused by some browsers and mail apps (Outlook near 2,000).
MAX_MAILTO = 1800
# The country a page language points to with some confidence; other languages guess none.
_LANGUAGE_COUNTRY = {"kk": "KZ"}


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


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _addresses(emails: Sequence[str]) -> str:
    return ",".join(quote(email, safe="@") for email in emails)


@dataclass(frozen=True)
class Mailto:
    """A mailto link and whether the body had to be left out of it (too long for one)."""

    href: str
    has_body: bool
    prefix: str  # the link up to its subject: "mailto:to?cc=…&", for the page's script


def mailto(to: Sequence[str], copies: Sequence[str], subject: str, body: str) -> Mailto:
    """A mailto link (RFC 6068): UTF-8 percent-encoded, spaces as %20, lines ending in %0D%0A."""
    prefix = "mailto:" + _addresses(to) + "?" + ("cc=" + _addresses(copies) + "&" if copies else "")
    without_body = prefix + "subject=" + quote(subject, safe="")
    full = without_body + "&body=" + quote(_crlf(body), safe="")
    if len(full) <= MAX_MAILTO:
        return Mailto(full, True, prefix)
    return Mailto(without_body, False, prefix)
