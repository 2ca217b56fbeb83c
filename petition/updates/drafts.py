"""An organiser's updates to the signers who asked for them: drafted, tested, then sent once.

Sending needs the organiser's confirmation of what the step before it showed (how many, in
which languages); an edit or a real change in recipients since then asks again. Sending queues
one outbox row per recipient with a single INSERT … SELECT in the transaction that marks the
update sent, so 100,000 recipients cost one statement, not 100,000; the rows are
bulk mail, which the deliverer claims only after every waiting confirmation.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, String, case, func, literal, select
from sqlalchemy.orm import Session

from petition.extensions import db
from petition.i18n.languages import LANGUAGES
from petition.ids import is_id
from petition.mail.background import notify_delivery
from petition.mail.outbox import OwedMail, queue_message, queue_per_signature
from petition.models import (
    EventAction,
    MailKind,
    MailPriority,
    Organiser,
    OutboxMessage,
    OutboxState,
    Petition,
    PetitionUpdate,
    Signature,
    SignatureStatus,
    table_of,
    utcnow,
)
from petition.petitions.history import record_event
from petition.petitions.publishing import newest_first
from petition.signing.retention import ANONYMISED
from petition.text import unwanted_character
from petition.transactions import write_transaction

MAX_SUBJECT_LENGTH = 200
MAX_UPDATE_LENGTH = 20_000
WEEK = timedelta(days=7)


class UpdateError(Exception):
    """An update cannot be saved or sent as it is; the message says why, in the reader's words."""


class UpdateAlreadySentError(UpdateError):
    """A sent update is history: it cannot be edited or sent again."""


class TooManyUpdatesError(UpdateError):
    """The petition sent its UPDATES_PER_WEEK already; `next_at` is when the next one may go."""

    def __init__(self, next_at: datetime | None) -> None:
        super().__init__(f"too many updates this week; next at {next_at}")
        self.next_at = next_at  # None: updates are switched off on this site


class StaleConfirmationError(UpdateError):
    """The draft or its recipients changed since the organiser confirmed: they must look again."""


Translations = Mapping[str, Mapping[str, str]]


def other_languages(petition: Petition) -> list[str]:
    """The languages an update may have versions in: every one the site speaks but the original.

    Not only the petition's own versions: someone who signed on the Kazakh site of a petition
    written only in Russian reads updates best in Kazakh too.
    """
    return [code for code in LANGUAGES if code != petition.language]


def _checked_translations(
    petition: Petition, translations: Translations
) -> dict[str, dict[str, str]]:
    allowed = set(other_languages(petition))
    kept: dict[str, dict[str, str]] = {}
    for language, version in translations.items():
        subject, body = version.get("subject", "").strip(), version.get("body", "")
        if not subject and not body.strip():
            continue  # no version in this language: its signers get the original
        if language not in allowed:
            raise UpdateError(f"the site has no language {language!r}")
        _check_text(subject, body)
        kept[language] = {"subject": subject, "body": body}
    return kept


def _check_text(subject: str, body: str) -> None:
    # The form says this in the reader's words first; this guards every other caller.
    if not subject or len(subject) > MAX_SUBJECT_LENGTH or unwanted_character(subject):
        # A line break in a subject would end the mail header it is written into.
        raise UpdateError(f"a subject of 1 to {MAX_SUBJECT_LENGTH} characters on one line")
    if not body.strip() or len(body) > MAX_UPDATE_LENGTH or unwanted_character(body, lines=True):
        raise UpdateError(
            f"a text of 1 to {MAX_UPDATE_LENGTH} characters, without control characters"
        )


def create_draft(
    session: Session,
    petition: Petition,
    organiser: Organiser | None,
    subject: str,
    body: str,
    translations: Translations,
    milestone_id: int | None = None,
) -> PetitionUpdate:
    """A new draft update, inside the caller's transaction (flushed, so it has its id)."""
    _check_text(subject.strip(), body)
    draft = PetitionUpdate(
        petition_id=petition.id,
        organiser_id=organiser.id if organiser is not None else None,
        subject=subject.strip(),
        body=body,
        translations=_checked_translations(petition, translations),
        milestone_id=milestone_id,
    )
    session.add(draft)
    session.flush()
    return draft


def petition_update(petition: Petition, update_id: int) -> PetitionUpdate | None:
    """One of this petition's updates, or None (an id from another petition finds nothing)."""
    if not is_id(update_id):
        return None
    found = db.session.get(PetitionUpdate, update_id)
    return found if found is not None and found.petition_id == petition.id else None


def _locked_draft(session: Session, petition: Petition, update_id: int) -> PetitionUpdate:
    found = session.get(PetitionUpdate, update_id, with_for_update=True)
    if found is None or found.petition_id != petition.id:
        raise LookupError(f"petition {petition.id} has no update {update_id}")
    if found.sent_at is not None:
        raise UpdateAlreadySentError(f"update {update_id} was sent")
    return found


def save_draft(
    petition: Petition,
    organiser: Organiser,
    update_id: int | None,
    subject: str,
    body: str,
    translations: Translations,
) -> int:
    """Write a new draft (update_id None) or change an unsent one; returns its id."""
    with write_transaction() as session:
        if update_id is None:
            return create_draft(session, petition, organiser, subject, body, translations).id
        draft = _locked_draft(session, petition, update_id)
        _check_text(subject.strip(), body)
        draft.subject, draft.body = subject.strip(), body
        draft.translations = _checked_translations(petition, translations)
        return draft.id


def version_language(update: PetitionUpdate, language: str | None, original: str) -> str:
    """The language a reader of `language` gets the update in: theirs if it has a version."""
    return language if language in (update.translations or {}) else original


def send_test(petition: Petition, organiser: Organiser, update_id: int, language: str) -> None:
    """Queue the update once, marked as a test, to the organiser who asked: nobody else."""
    with write_transaction() as session:
        draft = _locked_draft(session, petition, update_id)
        owed = OwedMail(
            MailKind.UPDATE,
            version_language(draft, language, petition.language),
            update_id=draft.id,
            organiser_id=organiser.id,
        )
        queue_message(session, owed)
    notify_delivery()


@dataclass(frozen=True)
class Schedule:
    """When the petition may send updates, under UPDATES_PER_WEEK."""

    switched_off: bool  # UPDATES_PER_WEEK is 0: never
    next_at: datetime | None  # the next update may not go before this; None: at once
    after_this: datetime | None  # if one goes now, when the one after it may; None: at once

    @property
    def open_now(self) -> bool:
        """Whether an update may go now."""
        return not self.switched_off and self.next_at is None


def _free_from(sent: Sequence[datetime], limit: int) -> datetime | None:
    """When one more update may go, given the sending times of the last 7 days, oldest first."""
    if len(sent) < limit:
        return None
    return sent[len(sent) - limit] + WEEK  # the oldest of the last `limit` leaves the 7 days first


def _schedule(session: Session, petition: Petition, now: datetime) -> Schedule:
    limit = current_app.config["UPDATES_PER_WEEK"]
    if limit <= 0:
        return Schedule(switched_off=True, next_at=None, after_this=None)
    recent = [
        sent_at
        for sent_at in session.scalars(
            select(PetitionUpdate.sent_at)
            .where(PetitionUpdate.petition_id == petition.id, PetitionUpdate.sent_at > now - WEEK)
            .order_by(PetitionUpdate.sent_at)
        )
        if sent_at is not None
    ]
    next_at = _free_from(recent, limit)
    after_this = _free_from([*recent, now], limit) if next_at is None else None
    return Schedule(switched_off=False, next_at=next_at, after_this=after_this)


def update_schedule(petition: Petition) -> Schedule:
    """When this petition's next update could go out, and the one after it."""
    return _schedule(db.session(), petition, utcnow())


_signatures = table_of(Signature).c


def _recipients(petition_id: int) -> list[ColumnElement[bool]]:
    return [
        _signatures.petition_id == petition_id,
        _signatures.status == SignatureStatus.CONFIRMED,
        _signatures.wants_updates.is_(True),
        _signatures.email != ANONYMISED,
    ]


def _reading_language(draft: PetitionUpdate, petition: Petition) -> ColumnElement[str]:
    """The language each recipient gets the draft in: the one they signed in when the draft
    has a version in it, else the original (version_language, in SQL)."""
    versions = sorted(draft.translations or {})
    original = literal(petition.language, String)
    if not versions:
        return original
    return case((_signatures.language.in_(versions), _signatures.language), else_=original)


def _by_language(session: Session, petition: Petition, draft: PetitionUpdate) -> dict[str, int]:
    reading = (
        select(_reading_language(draft, petition).label("language"))
        .where(*_recipients(petition.id))
        .subquery()
    )
    rows = session.execute(
        select(reading.c.language, func.count()).group_by(reading.c.language)
    ).all()
    return {language: count for language, count in rows}


def _without_their_version(
    session: Session, petition: Petition, draft: PetitionUpdate
) -> dict[str, int]:
    """Recipients who signed in a language the draft has no version in -> how many, by it."""
    written = {petition.language, *(draft.translations or {})}
    rows = session.execute(
        select(_signatures.language, func.count())
        .where(*_recipients(petition.id), _signatures.language.not_in(sorted(written)))
        .group_by(_signatures.language)
    ).all()
    return {language: count for language, count in rows}


def draft_version(draft: PetitionUpdate) -> str:
    """A short fingerprint of the draft's text in every language: it changes with any edit."""
    text = json.dumps(
        [draft.subject, draft.body, draft.translations or {}], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SendPlan:
    """What sending a draft now would do: who gets it in which language, and when is next."""

    languages: dict[str, int]  # language the update is read in -> recipients
    # Language signed in -> recipients who get the original because it has no version in theirs.
    untranslated: dict[str, int]
    schedule: Schedule
    version: str  # draft_version() of the draft it was made for

    @property
    def count(self) -> int:
        """How many signers would get it."""
        return sum(self.languages.values())

    @property
    def sendable(self) -> bool:
        """Whether UPDATES_PER_WEEK lets it go now."""
        return self.schedule.open_now


def send_plan(petition: Petition, draft: PetitionUpdate) -> SendPlan:
    """What sending this draft now would do, for the organiser to confirm."""
    session = db.session()
    return SendPlan(
        languages=dict(sorted(_by_language(session, petition, draft).items())),
        untranslated=dict(sorted(_without_their_version(session, petition, draft).items())),
        schedule=_schedule(session, petition, utcnow()),
        version=draft_version(draft),
    )


@dataclass(frozen=True)
class Confirmation:
    """What the organiser saw when they confirmed: the recipient count and the draft's version."""

    count: int
    version: str


def still_confirmed(confirmation: Confirmation, count: int, version: str) -> bool:
    """Whether a confirmation still covers the draft and its recipients as they are now.

    Any edit of the text asks again; so does a change in recipients above 5 % (a busy petition
    gains signers every minute, and asking again for each would never end).
    """
    return version == confirmation.version and abs(count - confirmation.count) <= (
        confirmation.count // 20
    )


def queue_update(
    session: Session,
    petition: Petition,
    organiser: Organiser | None,
    update_id: int,
    confirmation: Confirmation | None = None,
) -> int:
    """Mark the update sent and owe it to every recipient, in the caller's transaction.

    Recipients: counted (confirmed, not held) signers of the petition who asked for updates and
    whose details were not anonymised. Each gets it in the language they signed in when it has a
    version in it, else in the original. With a confirmation, refuses (StaleConfirmationError)
    if it no longer covers the draft and its recipients. Returns how many.
    """
    session.get(Petition, petition.id, with_for_update=True)  # one sender at a time per petition
    draft = _locked_draft(session, petition, update_id)
    now = utcnow()
    schedule = _schedule(session, petition, now)
    if not schedule.open_now:
        raise TooManyUpdatesError(schedule.next_at)
    if confirmation is not None:
        expected = sum(_by_language(session, petition, draft).values())
        if not still_confirmed(confirmation, expected, draft_version(draft)):
            raise StaleConfirmationError(f"update {update_id} changed since it was confirmed")
    count = queue_per_signature(
        session,
        MailKind.UPDATE,
        _signatures.id,
        _reading_language(draft, petition),
        _recipients(petition.id),
        priority=MailPriority.BULK,
        update_id=draft.id,
    )
    draft.sent_at, draft.recipients = now, count
    record_event(
        session, petition, organiser, EventAction.UPDATE_SENT, rows=count,
        update_id=draft.id, recipients=count, subject=draft.subject,
    )  # fmt: skip
    return count


def send_update(
    petition: Petition, organiser: Organiser, update_id: int, confirmation: Confirmation
) -> int:
    """Send a draft the organiser confirmed to its recipients, within UPDATES_PER_WEEK."""
    with write_transaction() as session:
        count = queue_update(session, petition, organiser, update_id, confirmation)
    if count:
        notify_delivery()
    return count


def petition_updates(petition: Petition) -> Sequence[PetitionUpdate]:
    """The petition's updates, newest first."""
    return newest_first(PetitionUpdate, petition)


def opted_in_count(petition: Petition) -> int:
    """How many signers an update sent now would go to."""
    return db.session.scalar(select(func.count()).where(*_recipients(petition.id))) or 0


@dataclass(frozen=True)
class Progress:
    """Where a sent update's mail stands (rows are deleted OUTBOX_RETENTION_DAYS after leaving)."""

    queued: int = 0
    sent: int = 0
    failed: int = 0


def progress(update_ids: Sequence[int]) -> dict[int, Progress]:
    """Queued, sent and failed mail per update, test sends to organisers left out."""
    if not update_ids:
        return {}
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(OutboxMessage.update_id, OutboxMessage.state, func.count())
        .where(OutboxMessage.update_id.in_(update_ids), OutboxMessage.signature_id.is_not(None))
        .group_by(OutboxMessage.update_id, OutboxMessage.state)
    )
    for update_id, state, count in rows:
        if update_id is not None:
            counts.setdefault(update_id, {})[state] = count
    return {
        update_id: Progress(
            queued=by_state.get(OutboxState.PENDING, 0),
            sent=by_state.get(OutboxState.SENT, 0),
            failed=by_state.get(OutboxState.FAILED, 0),
        )
        for update_id, by_state in counts.items()
    }
