"""An organiser's changes to a petition they run: edit, close, reopen, hide, show. Each is recorded."""

import enum
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from flask import Flask, current_app
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from petition.models import EventAction, Organiser, Petition, PetitionText, utcnow
from petition.petitions.history import record_event
from petition.petitions.publishing import (
    PetitionError,
    check_fields,
    check_language,
    closing_time,
    petition_by_slug,
    stored_petition,
)
from petition.transactions import write_transaction


class StateChange(enum.StrEnum):
    """The buttons on a petition's page that change whether people can see or sign it."""

    CLOSE = "close"
    REOPEN = "reopen"
    HIDE = "hide"
    SHOW = "show"


# What the history records for each change.
_RECORDED = {
    StateChange.CLOSE: EventAction.CLOSED,
    StateChange.REOPEN: EventAction.REOPENED,
    StateChange.HIDE: EventAction.HIDDEN,
    StateChange.SHOW: EventAction.SHOWN,
}


ClosingHook = Callable[[Session, int], None]
_CLOSING_HOOKS_KEY = "petition.closing_hooks"


def register_closing_hooks(app: Flask, hooks: Sequence[ClosingHook]) -> None:
    """Hand the app what features above this package do, as hook(session, petition_id), in the
    transaction that closes a petition (the log signs the final count); built in petition.wiring.

    The app's list is replaced, never extended, so wiring an app twice runs each hook once.
    """
    app.extensions[_CLOSING_HOOKS_KEY] = tuple(hooks)


def closing_hooks() -> tuple[ClosingHook, ...]:
    """The app's hooks run when a petition closes."""
    hooks: tuple[ClosingHook, ...] = current_app.extensions[_CLOSING_HOOKS_KEY]
    return hooks


def _has_version(session: Session, petition: Petition, language: str) -> bool:
    found = select(PetitionText.id).where(
        PetitionText.petition_id == petition.id, PetitionText.language == language
    )
    return session.scalar(found) is not None


def last_open_day(petition: Petition) -> date | None:
    """The last day people can sign, as the edit form shows it."""
    return (petition.closes_at - timedelta(seconds=1)).date() if petition.closes_at else None


def _closes_at(petition: Petition, closes_on: date | None) -> datetime | None:
    # An unchanged day keeps the exact moment, so saving a petition closed at noon keeps it closed.
    if closes_on is None:
        return None
    return petition.closes_at if closes_on == last_open_day(petition) else closing_time(closes_on)


def update_petition(
    petition: Petition,
    organiser: Organiser,
    *,
    title: str,
    body: str,
    target: str | None,
    goal: int | None,
    closes_on: date | None,
    collects_country: bool,
    language: str | None = None,
) -> Petition:
    """Change a petition's wording and settings; its address stays, so shared links keep working."""
    title = title.strip()
    check_fields(title, body, target, goal)
    if language is not None:
        check_language(language)
    with write_transaction() as session:
        petition = stored_petition(session, petition)
        language = language or petition.language
        if language != petition.language and _has_version(session, petition, language):
            raise PetitionError(
                gettext(
                    "The petition has a version in that language: remove it first, or keep the"
                    " language."
                )
            )
        wanted = {
            "title": title,
            "body": body,
            "target": target,
            "goal": goal,
            "closes_at": _closes_at(petition, closes_on),
            "collects_country": collects_country,
            "language": language,
        }
        changed = [name for name, value in wanted.items() if getattr(petition, name) != value]
        for name in changed:
            setattr(petition, name, wanted[name])
        if changed:
            record_event(
                session, petition, session.merge(organiser), EventAction.EDITED, fields=changed
            )
    return petition


def change_state(petition: Petition, organiser: Organiser | None, change: StateChange) -> Petition:
    """Close, reopen, hide or show a petition; doing what is already done records nothing.

    The one way to change whether people can see or sign a petition, from a page or (organiser
    None: an operator) from the command line.
    """
    with write_transaction() as session:
        petition = stored_petition(session, petition)
        now = utcnow()
        closed = petition.closes_at is not None and petition.closes_at <= now
        if change is StateChange.CLOSE and not closed:
            petition.closes_at = now
            session.flush()
            for hook in closing_hooks():
                hook(session, petition.id)
        elif change is StateChange.REOPEN and closed:
            petition.closes_at = None  # a new closing date can be set by editing
        elif change is StateChange.HIDE and petition.hidden_at is None:
            petition.hidden_at = now
        elif change is StateChange.SHOW and petition.hidden_at is not None:
            petition.hidden_at = None
        else:
            return petition
        by = session.merge(organiser) if organiser is not None else None
        record_event(session, petition, by, _RECORDED[change])
    return petition


def close_petition(slug: str, organiser: Organiser | None = None) -> Petition:
    """Stop taking signatures now (pending ones may still be confirmed for a grace period)."""
    petition = petition_by_slug(slug)
    if petition is None:
        raise PetitionError(f"No petition has the slug {slug!r}.")
    return change_state(petition, organiser, StateChange.CLOSE)
