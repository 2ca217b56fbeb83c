"""What the public reads of a log: its size, entries by range, proofs; and its counted totals."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select

from petition.extensions import db
from petition.ids import MAX_INTEGER
from petition.models import LogEntry, Petition
from petition.transparency.tree import StoredTree

MAX_ENTRIES = 10_000
# A log's size, and so every index and size asked of it, fits its petition's INTEGER column.
MAX_LOG_SIZE = MAX_INTEGER


def log_size(petition_id: int) -> int:
    """How many entries the petition's log holds."""
    return db.session.scalar(select(Petition.log_size).where(Petition.id == petition_id)) or 0


@dataclass(frozen=True)
class EntriesPage:
    """Entries [start, end) of a log, at most MAX_ENTRIES, and where the next page starts."""

    size: int
    entries: Sequence[tuple[int, bytes]]  # (index, leaf bytes)
    next: int | None


def entries_between(petition_id: int, start: int, end: int) -> EntriesPage:
    """The leaves of entries start to end (exclusive); 0 <= start < end <= size, else ValueError."""
    size = log_size(petition_id)
    if not 0 <= start < end <= size:
        raise ValueError(f"need 0 <= start < end <= {size}")
    stop = min(end, start + MAX_ENTRIES)
    rows = db.session.execute(
        select(LogEntry.position, LogEntry.leaf)
        .where(
            LogEntry.petition_id == petition_id,
            LogEntry.position >= start,
            LogEntry.position < stop,
        )
        .order_by(LogEntry.position)
    ).all()
    return EntriesPage(size, [(index, leaf) for index, leaf in rows], stop if stop < end else None)


@dataclass(frozen=True)
class InclusionProof:
    """An entry's leaf hash and the RFC 9162 path from it to the root of the first `size`."""

    index: int
    size: int
    leaf_hash: bytes
    path: list[bytes]


def inclusion_proof(petition_id: int, index: int, size: int) -> InclusionProof:
    """Prove entry `index` is in the first `size`; 0 <= index < size <= log size, else ValueError."""
    if not 0 <= index < size <= log_size(petition_id):
        raise ValueError("need 0 <= index < size <= the log's size")
    tree = StoredTree(db.session(), petition_id)
    return InclusionProof(index, size, tree.subtree(0, index), tree.inclusion(index, size))


def consistency_proof(petition_id: int, old: int, new: int) -> list[bytes]:
    """Prove the first `old` entries are a prefix of the first `new`; 0 < old <= new <= size."""
    if not 0 < old <= new <= log_size(petition_id):
        raise ValueError("need 0 < from <= to <= the log's size")
    return StoredTree(db.session(), petition_id).consistency(old, new)


def counted_totals(petition_ids: Sequence[int]) -> dict[int, int]:
    """Each petition's counted total recomputed from its entries: adds less excludes.

    The server appends only valid excludes (each cancels one counted add), so this is the
    spec's counted total without replaying the log.
    """
    sign = case((LogEntry.kind == "add", 1), else_=-1)
    rows = db.session.execute(
        select(LogEntry.petition_id, func.sum(sign))
        .where(LogEntry.petition_id.in_(petition_ids))
        .group_by(LogEntry.petition_id)
    ).all()
    found = {petition_id: int(total) for petition_id, total in rows}
    return {petition_id: found.get(petition_id, 0) for petition_id in petition_ids}


def counted_totals_by_slug(slug: str | None = None) -> dict[str, int]:
    """counted_totals for every petition (or one), by slug."""
    query = select(Petition.id, Petition.slug)
    if slug is not None:
        query = query.where(Petition.slug == slug)
    slugs = {petition_id: found for petition_id, found in db.session.execute(query)}
    return {slugs[petition_id]: total for petition_id, total in counted_totals(list(slugs)).items()}
