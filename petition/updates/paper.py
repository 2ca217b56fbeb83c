"""Signatures collected on paper (or otherwise offline), as the organisers counted them.

They are shown apart from the verified count and never join it: not in signature_count, not in
the exports of signers, not in the auditable log. Petition.paper_signature_count is the sum of the
petition's batches, set again in the transaction that adds or removes one; it never passes
MAX_PAPER_TOTAL.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from petition.extensions import db
from petition.i18n.languages import format_number
from petition.models import EventAction, Organiser, PaperBatch, Petition, utcnow
from petition.petitions.history import record_event
from petition.petitions.publishing import RowRemoval, stored_petition
from petition.transactions import write_transaction

MIN_BATCH = 1
MAX_BATCH = 1_000_000
MAX_NOTE_LENGTH = 500
# The most paper signatures one petition counts: more than any petition has gathered, and low
# enough that the sum fits every column and page it is written to.
MAX_PAPER_TOTAL = 100_000_000


class PaperError(Exception):
    """A batch that cannot be recorded as given; the message says why, for the organiser."""


def count_problem(count: int) -> str | None:
    """Why this cannot be the size of one batch, or None."""
    if not MIN_BATCH <= count <= MAX_BATCH:
        return gettext(
            "A batch is a whole number of signatures from %(min)s to %(max)s.",
            min=format_number(MIN_BATCH),
            max=format_number(MAX_BATCH),
        )
    return None


def _total_problem(counted: int, count: int) -> str | None:
    """Why a batch of `count` cannot join the `counted` paper signatures already there, or None."""
    if counted + count > MAX_PAPER_TOTAL:
        return gettext(
            "A petition can count at most %(max)s signatures on paper, and this one has "
            "%(counted)s already: this batch would pass that.",
            max=format_number(MAX_PAPER_TOTAL),
            counted=format_number(counted),
        )
    return None


def collected_problem(day: date) -> str | None:
    """Why this cannot be the day a batch was collected, or None."""
    if day > utcnow().date():
        return gettext("The day they were collected cannot be in the future.")
    return None


def _recount(session: Session, petition: Petition) -> None:
    total = session.scalar(
        select(func.coalesce(func.sum(PaperBatch.count), 0)).where(
            PaperBatch.petition_id == petition.id
        )
    )
    petition.paper_signature_count = int(total or 0)


def record_paper_batch(
    petition: Petition, organiser: Organiser, *, count: int, collected_on: date, note: str = ""
) -> PaperBatch:
    """Add a batch of offline signatures and count it in the petition's paper total."""
    problem = count_problem(count) or collected_problem(collected_on)
    if problem is None and len(note) > MAX_NOTE_LENGTH:
        problem = gettext("At most %(max)s characters.", max=format_number(MAX_NOTE_LENGTH))
    if problem:
        raise PaperError(problem)
    with write_transaction() as session:
        # Two organisers recording at once would each add their batch to the sum the other committed.
        petition = stored_petition(session, petition, for_update=True)
        # Read under the lock: two batches recorded at once cannot both fit in the last room.
        problem = _total_problem(petition.paper_signature_count, count)
        if problem:
            raise PaperError(problem)
        batch = PaperBatch(
            petition_id=petition.id,
            organiser_id=organiser.id,
            count=count,
            collected_on=collected_on,
            note=note,
        )
        session.add(batch)
        session.flush()
        _recount(session, petition)
        record_event(
            session,
            petition,
            organiser,
            EventAction.PAPER_RECORDED,
            batch=batch.id,
            count=count,
            day=collected_on.isoformat(),
        )
    return batch


def _batch_details(batch: PaperBatch) -> dict[str, Any]:
    return {"batch": batch.id, "count": batch.count, "day": batch.collected_on.isoformat()}


_BATCH_REMOVAL = RowRemoval(
    PaperBatch,
    EventAction.PAPER_REMOVED,
    _batch_details,
    for_update=True,  # the recount, as recording one, must not miss a batch added meanwhile
    after=_recount,
)


def remove_paper_batch(petition: Petition, organiser: Organiser, batch_id: int) -> bool:
    """Take a batch out of the paper total; false if it is not this petition's."""
    return _BATCH_REMOVAL.remove(petition, organiser, id=batch_id)


def paper_batches(petition: Petition) -> Sequence[PaperBatch]:
    """The petition's batches, newest first, with who recorded each."""
    return db.session.scalars(
        select(PaperBatch)
        .where(PaperBatch.petition_id == petition.id)
        .options(selectinload(PaperBatch.organiser))
        .order_by(PaperBatch.collected_on.desc(), PaperBatch.id.desc())
    ).all()
