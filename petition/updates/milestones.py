"""Recording what happened after the signing: delivered, answered, or a note; and removing a mistake.

The rules of a milestone live here (forms call them for their messages): a delivery or an answer
cannot be dated in the future, an answer has its text or a link (or both), a link is http(s).
"""

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import force_locale, format_date, gettext

from petition.i18n.languages import format_number
from petition.models import (
    EventAction,
    MilestoneKind,
    Organiser,
    Petition,
    PetitionMilestone,
    utcnow,
)
from petition.petitions.history import record_event
from petition.petitions.publishing import RowRemoval, stored_petition
from petition.transactions import write_transaction
from petition.updates.drafts import MAX_SUBJECT_LENGTH, MAX_UPDATE_LENGTH, create_draft

MAX_RECIPIENT_LENGTH = 200
MAX_METHOD_LENGTH = 200
MAX_REFERENCE_LENGTH = 100
MAX_TEXT_LENGTH = 20_000
MAX_LINK_LENGTH = 500
# Kinds that say something happened: a day still to come is a typing mistake.
_DONE_KINDS = {MilestoneKind.DELIVERED, MilestoneKind.ANSWERED}


class MilestoneError(Exception):
    """A milestone that cannot be recorded as given; the message says why, for the organiser."""


def day_problem(kind: MilestoneKind, day: date) -> str | None:
    """Why this day cannot be a milestone of this kind, or None."""
    if kind in _DONE_KINDS and day > utcnow().date():
        if kind is MilestoneKind.DELIVERED:
            return gettext("The day it was delivered cannot be in the future.")
        return gettext("The day the answer came cannot be in the future.")
    return None


def link_problem(link: str) -> str | None:
    """Why this cannot be a milestone's link, or None: only web addresses (http, https)."""
    if len(link) > MAX_LINK_LENGTH:
        return gettext("At most %(max)s characters.", max=format_number(MAX_LINK_LENGTH))
    parts = urlsplit(link)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return gettext("Please give a web address, for example https://example.org/page.")
    if any(c.isspace() or ord(c) < 32 for c in link):
        return gettext("Please give a web address, for example https://example.org/page.")
    return None


def _check(
    kind: MilestoneKind,
    day: date,
    recipient: str | None,
    method: str | None,
    reference: str | None,
    text: str | None,
    link: str | None,
) -> None:
    problem = day_problem(kind, day) or (link_problem(link) if link else None)
    if problem:
        raise MilestoneError(problem)
    lengths = (
        (recipient, MAX_RECIPIENT_LENGTH),
        (method, MAX_METHOD_LENGTH),
        (reference, MAX_REFERENCE_LENGTH),
        (text, MAX_TEXT_LENGTH),
    )
    for value, limit in lengths:
        if value is not None and len(value) > limit:
            raise MilestoneError(gettext("At most %(max)s characters.", max=format_number(limit)))
    if kind is MilestoneKind.DELIVERED and not recipient:
        raise MilestoneError(gettext("Please say who the petition was delivered to."))
    if kind is MilestoneKind.ANSWERED and not (text or link):
        raise MilestoneError(gettext("Please give the answer's text, a link to it, or both."))
    if kind is MilestoneKind.NOTE and not text:
        raise MilestoneError(gettext("Please write the note."))


def record_milestone(
    petition: Petition,
    organiser: Organiser,
    *,
    kind: MilestoneKind,
    happened_on: date,
    recipient: str | None = None,
    method: str | None = None,
    reference: str | None = None,
    text: str | None = None,
    link: str | None = None,
    announce: bool = False,
) -> tuple[PetitionMilestone, int | None]:
    """Add a step to the petition's public timeline, and note in its history who added it.

    Only the fields of its kind are kept: a note has no recipient, a delivery no answer. With
    `announce`, a draft update telling the signers about it is written in the same transaction,
    for the organiser to read over and send; its id comes back with the milestone.
    """
    if kind is not MilestoneKind.DELIVERED:
        recipient = method = reference = None
    if kind is MilestoneKind.DELIVERED:
        text = link = None
    _check(kind, happened_on, recipient, method, reference, text, link)
    with write_transaction() as session:
        petition = stored_petition(session, petition)
        milestone = PetitionMilestone(
            petition_id=petition.id,
            organiser_id=organiser.id,
            kind=kind,
            happened_on=happened_on,
            recipient=recipient,
            method=method,
            reference=reference,
            text=text,
            link=link,
        )
        session.add(milestone)
        session.flush()
        record_event(
            session,
            petition,
            organiser,
            EventAction.MILESTONE_RECORDED,
            milestone=milestone.id,
            kind=kind.value,
            day=happened_on.isoformat(),
        )
        draft_id = None
        if announce:
            subject, body = announcement(milestone, petition.language)
            draft = create_draft(session, petition, organiser, subject, body, {}, milestone.id)
            draft_id = draft.id
    return milestone, draft_id


def announcement(milestone: PetitionMilestone, language: str) -> tuple[str, str]:
    """A first draft of the update that tells signers about a milestone, in the petition's
    language (the organiser reads it over, adds other languages and sends it)."""
    day = milestone.happened_on
    with force_locale(language):
        when = format_date(day, format="long")
        if milestone.kind == MilestoneKind.DELIVERED:
            recipient = milestone.recipient or ""
            subject = gettext("The petition was delivered to %(recipient)s", recipient=recipient)
            lines = [
                gettext(
                    "On %(day)s the petition was delivered to %(recipient)s.",
                    day=when,
                    recipient=recipient,
                )
            ]
            if milestone.method:
                lines.append(gettext("How: %(method)s.", method=milestone.method))
            if milestone.reference:
                lines.append(
                    gettext("Reference number: %(reference)s.", reference=milestone.reference)
                )
        elif milestone.kind == MilestoneKind.ANSWERED:
            subject = gettext("The petition has been answered")
            lines = [gettext("On %(day)s an answer to the petition was received.", day=when)]
        else:
            subject = gettext("News about the petition")
            lines = []
        if milestone.text:
            lines.append(milestone.text)
        if milestone.link:
            lines.append(f"<{milestone.link}>")
    body = "\n\n".join(lines) or subject
    return subject[:MAX_SUBJECT_LENGTH], body[:MAX_UPDATE_LENGTH]


def _milestone_details(milestone: PetitionMilestone) -> dict[str, Any]:
    return {
        "milestone": milestone.id,
        "kind": milestone.kind,
        "day": milestone.happened_on.isoformat(),
    }


_MILESTONE_REMOVAL = RowRemoval(
    PetitionMilestone, EventAction.MILESTONE_REMOVED, _milestone_details
)


def remove_milestone(petition: Petition, organiser: Organiser, milestone_id: int) -> bool:
    """Take a milestone (recorded by mistake) off the timeline; false if it is not this petition's."""
    return _MILESTONE_REMOVAL.remove(petition, organiser, id=milestone_id)
