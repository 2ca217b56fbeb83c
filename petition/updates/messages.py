"""The update a signer (or, as a test, an organiser) gets, written by the deliverer when it is sent.

An update to 100,000 signers is 100,000 rows of one text: the text in each language is read
and rendered once per process for a short while (a sent update never changes), and only the
signer's address and unsubscribe link are written per message. Whether the signer still wants
updates is read at delivery, so someone who unsubscribed after the update was queued gets
nothing more.
"""

import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext
from markupsafe import Markup

from petition.extensions import db
from petition.mail.messages import Email, compose_email
from petition.mail.outbox import ClaimedMessage, MessageGoneError
from petition.models import (
    Organiser,
    Petition,
    PetitionUpdate,
    Signature,
    SignatureStatus,
)
from petition.petitions.markdown import plain_text, render_markdown
from petition.petitions.versions import in_language
from petition.signing.links import unsubscribe_token
from petition.signing.retention import ANONYMISED
from petition.web.urls import public_url

CACHE_KEY = "petition.update_texts"
CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class UpdateText:
    """One update in one language, ready to be put in any number of messages."""

    subject: str
    body: str  # the Markdown as plain text, for the message's text part
    html: Markup  # rendered and sanitised
    title: str  # the petition's title in that language (or its original)
    petition_url: str


def _read_text(update: PetitionUpdate, language: str) -> UpdateText:
    version = (update.translations or {}).get(language) or {}
    subject, body = version.get("subject") or update.subject, version.get("body") or update.body
    stored = db.session.get(Petition, update.petition_id)
    if stored is None:
        raise MessageGoneError(f"petition {update.petition_id} is gone")
    petition = in_language(stored, language)
    url = public_url("public.petition", slug=petition.slug, lang=language)
    return UpdateText(subject, plain_text(body), render_markdown(body), petition.title, url)


def _update(update_id: int | None) -> PetitionUpdate:
    update = db.session.get(PetitionUpdate, update_id) if update_id is not None else None
    if update is None:
        raise MessageGoneError(f"update {update_id} is gone")
    return update


def _sent_text(update_id: int | None, language: str) -> UpdateText:
    """A sent update's text, kept per app for CACHE_SECONDS: it cannot change once sent."""
    cache: dict[tuple[int | None, str], tuple[float, UpdateText]]
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    now = time.monotonic()
    kept = cache.get((update_id, language))
    if kept is not None and kept[0] > now:
        return kept[1]
    text = _read_text(_update(update_id), language)
    for key in [key for key, (until, _text) in cache.items() if until <= now]:
        del cache[key]  # expired texts of updates long sent
    cache[(update_id, language)] = (now + CACHE_SECONDS, text)
    return text


def _still_wanted(signature_id: int | None) -> Signature:
    signature = db.session.get(Signature, signature_id) if signature_id is not None else None
    if signature is None:
        raise MessageGoneError(f"signature {signature_id} is gone")
    if (
        not signature.wants_updates
        or signature.status != SignatureStatus.CONFIRMED
        or signature.email == ANONYMISED
    ):
        raise MessageGoneError(f"signature {signature_id} no longer wants updates")
    return signature


def _test_email(message: ClaimedMessage, language: str) -> Email:
    """The update as a test to the organiser who asked: marked so, with no working unsubscribe."""
    organiser = db.session.get(Organiser, message.organiser_id)
    if organiser is None:
        raise MessageGoneError(f"organiser {message.organiser_id} is gone")
    text = _read_text(_update(message.update_id), language)  # a draft may change: read it now
    with force_locale(language):
        return compose_email(
            "update",
            organiser.email,
            gettext("[Test] %(subject)s", subject=text.subject),
            text=text,
            test=True,
            unsubscribe_url=None,
        )


def update_email(message: ClaimedMessage) -> Email:
    """An organiser's update, in the signer's language, with a one-click unsubscribe (RFC 8058)."""
    if message.update_id is None:
        raise MessageGoneError(f"outbox message {message.id} names no update")
    language = message.language or "en"
    if message.organiser_id is not None:
        return _test_email(message, language)
    signature = _still_wanted(message.signature_id)
    text = _sent_text(message.update_id, language)
    unsubscribe_url = public_url(
        "public.unsubscribe", token=unsubscribe_token(signature), lang=language
    )
    with force_locale(language):
        return compose_email(
            "update",
            signature.email,
            text.subject,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            text=text,
            test=False,
            unsubscribe_url=unsubscribe_url,
        )
