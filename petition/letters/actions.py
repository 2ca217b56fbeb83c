"""Organisers' letter actions: written, changed, removed, and their targets, each one transaction.

Every change is recorded in the petition's history. Nothing here knows about supporters: they
only ever add one to an anonymous count (count_letter_sent).
"""

from collections.abc import Mapping, Sequence

from flask_babel import gettext
from sqlalchemy import func, select, update

from petition.addresses import InvalidAddressError, normalise_email
from petition.extensions import db
from petition.i18n.languages import format_number
from petition.ids import is_id
from petition.letters.targets import TargetData, TargetError
from petition.models import EventAction, LetterAction, LetterTarget, Organiser, Petition
from petition.petitions.history import record_event
from petition.petitions.versions import petition_texts
from petition.text import unwanted_character
from petition.transactions import write_transaction

MAX_TITLE = 200
MAX_SUBJECT = 200
# A mailto link carries the body; mail apps and browsers cut or refuse much longer ones.
MAX_BODY = 5000
MAX_COPIES = 10
MAX_TARGETS = 5000

Versions = Mapping[str, Mapping[str, str]]


class LetterError(ValueError):
    """A letter action cannot be saved as it is (the form says why first; this guards the rest)."""


def version_languages(petition: Petition) -> list[str]:
    """The languages a letter may have versions in: those of the petition's own versions."""
    return [text.language for text in petition_texts(petition)]


def _check_letter(title: str, subject: str, body: str) -> None:
    if not title or len(title) > MAX_TITLE or unwanted_character(title):
        raise LetterError(f"a title of 1 to {MAX_TITLE} characters on one line")
    if not subject or len(subject) > MAX_SUBJECT or unwanted_character(subject):
        raise LetterError(f"a subject of 1 to {MAX_SUBJECT} characters on one line")
    if not body.strip() or len(body) > MAX_BODY or unwanted_character(body, lines=True):
        raise LetterError(f"a text of 1 to {MAX_BODY} characters, without control characters")


def _checked_versions(petition: Petition, versions: Versions) -> dict[str, dict[str, str]]:
    allowed = set(version_languages(petition))
    kept: dict[str, dict[str, str]] = {}
    for language, version in versions.items():
        title = version.get("title", "").strip()
        subject, body = version.get("subject", "").strip(), version.get("body", "")
        if not subject and not body.strip():
            continue  # no version in this language: its readers get the original
        if language not in allowed:
            raise LetterError(f"the petition has no version in {language!r}")
        _check_letter(title or "-", subject, body)
        kept[language] = {"subject": subject, "body": body} | ({"title": title} if title else {})
    return kept


def checked_copies(addresses: Sequence[str]) -> list[str]:
    """The copies-to addresses in their normal form, at most MAX_COPIES, each once."""
    kept: list[str] = []
    for address in addresses:
        if address.strip():
            try:
                normal = normalise_email(address)
            except InvalidAddressError as exc:
                raise LetterError(f"not an address: {address!r}") from exc
            if normal not in kept:
                kept.append(normal)
    if len(kept) > MAX_COPIES:
        raise LetterError(f"at most {MAX_COPIES} copies")
    return kept


def petition_actions(petition: Petition) -> Sequence[LetterAction]:
    """The petition's letter actions, oldest first."""
    return db.session.scalars(
        select(LetterAction)
        .where(LetterAction.petition_id == petition.id)
        .order_by(LetterAction.id)
    ).all()


def letter_action(petition_id: int, action_id: int) -> LetterAction | None:
    """One of this petition's letter actions, or None (another petition's id finds nothing)."""
    if not is_id(action_id):
        return None
    found = db.session.get(LetterAction, action_id)
    return found if found is not None and found.petition_id == petition_id else None


def save_action(
    petition: Petition,
    organiser: Organiser,
    action_id: int | None,
    *,
    title: str,
    subject: str,
    body: str,
    versions: Versions,
    copies: Sequence[str],
) -> int:
    """Write a new letter action (action_id None) or change one; returns its id."""
    title, subject = title.strip(), subject.strip()
    _check_letter(title, subject, body)
    values = {
        "title": title,
        "subject": subject,
        "body": body,
        "translations": _checked_versions(petition, versions),
        "copies": checked_copies(copies),
    }
    with write_transaction() as session:
        if action_id is None:
            action = LetterAction(petition_id=petition.id, **values)
            session.add(action)
            session.flush()
            event = EventAction.LETTER_ADDED
        else:
            found = session.get(LetterAction, action_id, with_for_update=True)
            if found is None or found.petition_id != petition.id:
                raise LookupError(f"petition {petition.id} has no letter action {action_id}")
            action = found
            for name, value in values.items():
                setattr(action, name, value)
            event = EventAction.LETTER_CHANGED
        record_event(session, petition, organiser, event, action_id=action.id, title=title)
        return action.id


def remove_action(petition: Petition, organiser: Organiser, action_id: int) -> None:
    """Remove a letter action and its targets (its count goes with it)."""
    with write_transaction() as session:
        found = session.get(LetterAction, action_id, with_for_update=True)
        if found is None or found.petition_id != petition.id:
            raise LookupError(f"petition {petition.id} has no letter action {action_id}")
        record_event(
            session, petition, organiser, EventAction.LETTER_REMOVED,
            action_id=found.id, title=found.title,
        )  # fmt: skip
        session.delete(found)


def _target_count(action_id: int) -> int:
    counted = select(func.count()).where(LetterTarget.action_id == action_id)
    return db.session.scalar(counted) or 0


def add_targets(
    petition: Petition, organiser: Organiser, action: LetterAction, targets: Sequence[TargetData],
    *, imported: bool,
) -> int:  # fmt: skip
    """Add these targets to the action, all or none; returns how many."""
    with write_transaction() as session:
        locked = session.get(LetterAction, action.id, with_for_update=True)
        if locked is None or locked.petition_id != petition.id:
            raise LookupError(f"petition {petition.id} has no letter action {action.id}")
        if _target_count(action.id) + len(targets) > MAX_TARGETS:
            raise TargetError(
                gettext(
                    "A letter action can have at most %(max)s targets; these would make more.",
                    max=format_number(MAX_TARGETS),
                )
            )
        session.add_all(LetterTarget(action_id=action.id, **target.__dict__) for target in targets)
        if imported:
            record_event(
                session, petition, organiser, EventAction.TARGETS_IMPORTED, rows=len(targets),
                action_id=action.id, title=action.title, count=len(targets),
            )  # fmt: skip
        else:
            for target in targets:
                record_event(
                    session, petition, organiser, EventAction.TARGET_ADDED,
                    action_id=action.id, title=action.title, name=target.name,
                    country=target.country,
                )  # fmt: skip
    return len(targets)


def remove_target(
    petition: Petition, organiser: Organiser, action: LetterAction, target_id: int
) -> None:
    """Remove one target of this action (another action's target finds nothing)."""
    with write_transaction() as session:
        found = session.get(LetterTarget, target_id) if is_id(target_id) else None
        if found is None or found.action_id != action.id or action.petition_id != petition.id:
            raise LookupError(f"letter action {action.id} has no target {target_id}")
        record_event(
            session, petition, organiser, EventAction.TARGET_REMOVED,
            action_id=action.id, title=action.title, name=found.name, country=found.country,
        )  # fmt: skip
        session.delete(found)


def count_letter_sent(action_id: int) -> None:
    """A supporter says they sent the letter: one more, and nothing about who."""
    with write_transaction() as session:
        session.execute(
            update(LetterAction)
            .where(LetterAction.id == action_id)
            .values(letters_sent=LetterAction.letters_sent + 1)
        )
