"""Appending to a petition's log, inside the transaction of the use case that changes the count.

Each append takes the next index by raising petitions.log_size (UPDATE … RETURNING): the row's
lock makes concurrent confirmations of one petition append one after the other, so no index is
taken twice, and the entry, the subtrees it completes and the count commit or roll back together.
"""

import enum
import json
import re
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from petition.log import merkle
from petition.log.checkpoints import maybe_checkpoint
from petition.log.tree import StoredTree
from petition.models import LogEntry, LogNode, Petition, table_of, utcnow
from petition.petitions.public_copies import KEEPS_SNAPSHOTS

COMMITMENT = re.compile(r"[0-9a-f]{64}")


class ExcludeReason(enum.StrEnum):
    """Why a signature stopped counting, as its exclude entry says."""

    WITHDRAWN = "withdrawn"
    HELD = "held"
    INVALIDATED = "invalidated"


_petitions = table_of(Petition)
_TAKE_INDEX = (
    update(_petitions)
    .where(_petitions.c.id == bindparam("petition_id"))
    .values(
        log_size=_petitions.c.log_size + 1,
        log_counted=_petitions.c.log_counted + bindparam("delta"),
    )
    .returning(_petitions.c.log_size, _petitions.c.log_counted, _petitions.c.log_checkpoint_at)
    # No page shows the log's size: a held confirmation keeps every process's public copies.
    .execution_options(**{KEEPS_SNAPSHOTS: True})
)
_NEW_ENTRY = insert(table_of(LogEntry))
_NEW_NODES = insert(table_of(LogNode))


def leaf_bytes(entry: dict[str, Any]) -> bytes:
    """An entry as the log hashes it: canonical JSON, UTF-8."""
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _minute() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%MZ")


def _append(
    session: Session, petition_id: int, entry: dict[str, Any], delta: int, checkpoint: bool = True
) -> int:
    # Core on the session's connection: the ORM's execute costs as much again on this hot path.
    connection = session.connection()
    size, counted, checkpoint_at = connection.execute(
        _TAKE_INDEX, {"petition_id": petition_id, "delta": delta}
    ).one()
    index = size - 1
    leaf = leaf_bytes(entry)
    hashed = merkle.leaf_hash(leaf)
    connection.execute(
        _NEW_ENTRY,
        {
            "petition_id": petition_id,
            "position": index,
            "leaf": leaf,
            "leaf_hash": hashed,
            "kind": entry["kind"],
            "commitment": entry.get("commitment"),
            "refers_to": entry.get("refers_to"),
            "reason": entry.get("reason"),
            "counted": counted,
            "created_at": utcnow(),
        },
    )
    siblings = merkle.left_siblings(index)
    if siblings:
        tree = StoredTree(connection, petition_id)
        tree.prefetch(siblings)
        nodes = merkle.completed_nodes(index, hashed, tree.subtree)
        connection.execute(
            _NEW_NODES,
            [
                {"petition_id": petition_id, "level": level, "position": position, "hash": value}
                for level, position, value in nodes
            ],
        )
    if checkpoint:
        maybe_checkpoint(session, petition_id, size, counted, checkpoint_at)
    return index


def _add_entry(commitment: str) -> dict[str, Any]:
    if not COMMITMENT.fullmatch(commitment):
        raise ValueError("a commitment is 64 lowercase hex digits")
    return {"commitment": commitment, "kind": "add", "time": _minute()}


def append_add(session: Session, petition_id: int, commitment: str) -> int:
    """Log that a signature (known by its receipt's commitment) counts from now; its index."""
    return _append(session, petition_id, _add_entry(commitment), 1)


def append_held(session: Session, petition_id: int, commitment: str) -> int:
    """Log a held signature: added and at once excluded, with no checkpoint between the two
    (one there would sign a count the page never showed); the add's index."""
    add = _append(session, petition_id, _add_entry(commitment), 1, checkpoint=False)
    append_exclude(session, petition_id, add, ExcludeReason.HELD)
    return add


def append_exclude(
    session: Session, petition_id: int, refers_to: int, reason: ExcludeReason | str
) -> int:
    """Log that the signature added at `refers_to` no longer counts, and why; its index."""
    entry = {
        "kind": "exclude",
        "reason": ExcludeReason(reason).value,
        "refers_to": refers_to,
        "time": _minute(),
    }
    return _append(session, petition_id, entry, -1)
