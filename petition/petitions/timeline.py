"""A petition's public timeline as anyone reads it: delivered, answered, notes, oldest first.

Recording and removing milestones is the organisers' business (followup.milestones); this module
only reads them, for the page, the JSON, the API and the feed.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import bindparam, select

from petition.extensions import db
from petition.i18n.languages import N_
from petition.models import MilestoneKind, PetitionMilestone

# Built once: the petition page runs it for every fresh public copy.
_OF_PETITION = (
    select(PetitionMilestone)
    .where(PetitionMilestone.petition_id == bindparam("petition_id"))
    .order_by(PetitionMilestone.happened_on, PetitionMilestone.id)
)


@dataclass(frozen=True)
class MilestoneRow:
    """One step of the timeline, detached from the database so a public copy can keep it."""

    id: int
    kind: str  # a MilestoneKind
    happened_on: date
    recipient: str | None
    method: str | None
    reference: str | None
    text: str | None
    link: str | None
    created_at: datetime


def timeline_rows(petition_id: int) -> list[MilestoneRow]:
    """The petition's milestones in the order they happened (by day, then as recorded)."""
    return [
        MilestoneRow(
            id=m.id,
            kind=m.kind,
            happened_on=m.happened_on,
            recipient=m.recipient,
            method=m.method,
            reference=m.reference,
            text=m.text,
            link=m.link,
            created_at=m.created_at,
        )
        for m in db.session.scalars(_OF_PETITION, {"petition_id": petition_id})
    ]


def milestone_data(row: MilestoneRow) -> dict[str, Any]:
    """A milestone as the JSON count and the API give it: every field, null when not given."""
    return {
        "kind": row.kind,
        "date": row.happened_on.isoformat(),
        "recipient": row.recipient,
        "method": row.method,
        "reference": row.reference,
        "text": row.text,
        "link": row.link,
    }


# What each kind of milestone is called, on the timeline and in the history.
KIND_NAMES: dict[str, str] = {
    MilestoneKind.DELIVERED: N_("Delivered"),
    MilestoneKind.ANSWERED: N_("Answer received"),
    MilestoneKind.NOTE: N_("Note"),
}


def kind_name(kind: str) -> str:
    """The name of a kind of milestone, in the reader's language."""
    name = KIND_NAMES.get(kind)
    return gettext(name) if name else kind
