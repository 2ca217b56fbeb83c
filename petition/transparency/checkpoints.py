"""Signed checkpoints: a log's size, root hash and counted total, as a C2SP signed note.

One is made when an append finds the newest older than LOG_CHECKPOINT_SECONDS (or none yet),
when one is asked for and the log has grown since the newest and it is that old, when a
petition closes, and by `flask --app petition petitions checkpoint` (for cron).
"""

import base64
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from petition.extensions import db
from petition.models import LogCheckpoint, Petition, table_of, utcnow
from petition.petitions.public_copies import KEEPS_SNAPSHOTS
from petition.transactions import write_transaction
from petition.transparency import merkle
from petition.transparency.keys import log_key
from petition.transparency.tree import StoredTree

MAX_LISTED = 100
_petitions = table_of(Petition).c
_STAMP = (
    update(table_of(Petition))
    .where(_petitions.id == bindparam("petition_id"))
    .values(log_checkpoint_at=bindparam("now"))
    .execution_options(**{KEEPS_SNAPSHOTS: True})  # no page shows it
)
_LOG_STATE = select(
    _petitions.slug, _petitions.log_size, _petitions.signature_count, _petitions.log_checkpoint_at
).where(_petitions.id == bindparam("petition_id"))


def origin_of(slug: str) -> str:
    """The origin line of a petition's checkpoints: unique per petition and per site."""
    return f"{log_key().name}/petitions/{slug}"


def checkpoint_text(slug: str, size: int, root: bytes, count: int) -> str:
    """The signed note: origin, size, root, count, a blank line, the signature line."""
    note = f"{origin_of(slug)}\n{size}\n{base64.b64encode(root).decode()}\ncount {count}\n"
    return note + "\n" + log_key().sign(note)


def record_checkpoint(
    session: Session, petition_id: int, slug: str, size: int, count: int
) -> LogCheckpoint:
    """Sign and store a checkpoint of the first `size` entries, which add up to `count`."""
    root = StoredTree(session, petition_id).root(size)
    now = utcnow()
    checkpoint = LogCheckpoint(
        petition_id=petition_id,
        size=size,
        count=count,
        root=root,
        text=checkpoint_text(slug, size, root, count),
        created_at=now,
    )
    session.add(checkpoint)
    session.execute(_STAMP, {"petition_id": petition_id, "now": now})
    session.flush()
    return checkpoint


def _interval() -> timedelta:
    return timedelta(seconds=current_app.config["LOG_CHECKPOINT_SECONDS"])


def latest_checkpoint(session: Session, petition_id: int) -> LogCheckpoint | None:
    """The petition's newest checkpoint, if it has one."""
    return session.scalar(
        select(LogCheckpoint)
        .where(LogCheckpoint.petition_id == petition_id)
        .order_by(LogCheckpoint.size.desc())
        .limit(1)
    )


def _checkpoint_if_grown(session: Session, petition_id: int, *, fresh: bool) -> LogCheckpoint:
    """Under the petition's lock: a new checkpoint if the log outgrew the newest, else the newest.

    With fresh=False a newest younger than LOG_CHECKPOINT_SECONDS is kept even if outgrown.
    """
    state = session.execute(_LOG_STATE.with_for_update(), {"petition_id": petition_id}).one()
    latest = latest_checkpoint(session, petition_id)
    if latest is None and state.log_size == 0:
        return _empty(state.slug)
    if latest is not None and latest.size == state.log_size:
        return latest
    if latest is not None and not fresh and utcnow() - latest.created_at < _interval():
        return latest
    return record_checkpoint(
        session, petition_id, state.slug, state.log_size, state.signature_count
    )


def _empty(slug: str) -> LogCheckpoint:
    """The checkpoint of a log with no entries: signed when asked for, never stored.

    Reading a page must not store anything; Ed25519 signs the same note the same way each time.
    """
    text = checkpoint_text(slug, 0, merkle.EMPTY_ROOT, 0)
    return LogCheckpoint(size=0, count=0, root=merkle.EMPTY_ROOT, text=text, created_at=utcnow())


def current_checkpoint(petition_id: int) -> LogCheckpoint:
    """The checkpoint to serve: the newest, or a new one if the log outgrew it long enough ago."""
    reading = db.session()
    state = reading.execute(_LOG_STATE, {"petition_id": petition_id}).one()
    latest = latest_checkpoint(reading, petition_id)
    if latest is None and state.log_size == 0:
        return _empty(state.slug)
    if latest is not None and (
        latest.size == state.log_size or utcnow() - latest.created_at < _interval()
    ):
        return latest
    with write_transaction() as session:
        return _checkpoint_if_grown(session, petition_id, fresh=False)


def checkpoint_petitions(slug: str | None = None) -> list[LogCheckpoint]:
    """A checkpoint for every petition (or one) whose log grew since its newest; the new ones."""
    made = []
    query = select(Petition.id).order_by(Petition.id)
    if slug is not None:
        query = query.where(Petition.slug == slug)
    for petition_id in db.session.scalars(query).all():
        with write_transaction() as writing:
            before = latest_checkpoint(writing, petition_id)
            checkpoint = _checkpoint_if_grown(writing, petition_id, fresh=True)
            if checkpoint is not before and checkpoint.size:
                made.append(checkpoint)
    return made


def checkpoints_before(petition_id: int, before: int | None) -> Sequence[LogCheckpoint]:
    """The petition's checkpoints newest first, at most MAX_LISTED, of sizes below `before`."""
    query = select(LogCheckpoint).where(LogCheckpoint.petition_id == petition_id)
    if before is not None:
        query = query.where(LogCheckpoint.size < before)
    return db.session.scalars(query.order_by(LogCheckpoint.size.desc()).limit(MAX_LISTED)).all()


def maybe_checkpoint(
    session: Session, petition_id: int, size: int, count: int, last_at: datetime | None
) -> None:
    """After an append: sign a checkpoint if the newest is LOG_CHECKPOINT_SECONDS old, or none."""
    if last_at is None or utcnow() - last_at >= _interval():
        slug = session.scalar(select(_petitions.slug).where(_petitions.id == petition_id))
        assert slug is not None
        record_checkpoint(session, petition_id, slug, size, count)


def checkpoint_at_close(session: Session, petition_id: int) -> None:
    """A closed petition's final count is signed at once."""
    _checkpoint_if_grown(session, petition_id, fresh=True)
