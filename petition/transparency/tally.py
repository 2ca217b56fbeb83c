"""The one owner of a petition's counted state: its verified count and its log move together.

A petition's signature_count is its log's counted total: every change of it is one
UPDATE petitions … RETURNING that raises log_size and moves the count in the same statement,
then the log's entry and the subtrees it completes, in the caller's transaction. The row's lock
makes concurrent confirmations of one petition take their indexes one after the other, so no
index is taken twice, and the count, the entry and its nodes commit or roll back together. No
other module writes signature_count, log_size or the log's entries and nodes
(tests/architecture/test_count_owner.py). A page never counts rows; `petitions recount` checks
the count against the confirmed signatures.
"""

import enum
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from petition.models import LogEntry, LogNode, Petition, table_of, utcnow
from petition.petitions.public_copies import KEEPS_SNAPSHOTS
from petition.transparency import merkle
from petition.transparency.checkpoints import maybe_checkpoint
from petition.transparency.tree import StoredTree

COMMITMENT = re.compile(r"[0-9a-f]{64}")


class ExcludeReason(enum.StrEnum):
    """Why a signature stopped counting, as its exclude entry says."""

    WITHDRAWN = "withdrawn"
    HELD = "held"
    INVALIDATED = "invalidated"


@dataclass(frozen=True)
class CountedTowardsGoal:
    """A petition's verified count just after a change, with its goal and the quarter last told."""

    petition_id: int
    count: int
    goal: int | None
    goal_notified: int


_petitions = table_of(Petition)
_c = _petitions.c
# Built once: confirming runs this on every signature in a surge. `entries` is how many this
# change appends (two for a held signature: its add and its exclude), `delta` how the count moves.
_MOVE = (
    update(_petitions)
    .where(_c.id == bindparam("petition_id"))
    .values(
        log_size=_c.log_size + bindparam("entries"),
        signature_count=_c.signature_count + bindparam("delta"),
    )
    .returning(_c.log_size, _c.signature_count, _c.log_checkpoint_at, _c.goal, _c.goal_notified)
)
# A held signature never changes the count any page shows: every process keeps its copies.
_MOVE_UNSEEN = _MOVE.execution_options(**{KEEPS_SNAPSHOTS: True})
_NEW_ENTRY = insert(table_of(LogEntry))
_NEW_NODES = insert(table_of(LogNode))


def leaf_bytes(entry: dict[str, Any]) -> bytes:
    """An entry as the log hashes it: canonical JSON, UTF-8."""
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _minute() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%MZ")


def _add_entry(commitment: str) -> dict[str, Any]:
    if not COMMITMENT.fullmatch(commitment):
        raise ValueError("a commitment is 64 lowercase hex digits")
    return {"commitment": commitment, "kind": "add", "time": _minute()}


def _exclude_entry(refers_to: int, reason: ExcludeReason | str) -> dict[str, Any]:
    reason = ExcludeReason(reason).value
    return {"kind": "exclude", "reason": reason, "refers_to": refers_to, "time": _minute()}


def _store(
    connection: Connection, petition_id: int, index: int, entry: dict[str, Any], counted: int
) -> None:
    """Entry `index` and the perfect subtrees it completes."""
    # Core on the session's connection: the ORM's execute costs as much again on this hot path.
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


def _move(
    session: Session, petition_id: int, delta: int, *entries: Callable[[int], dict[str, Any]]
) -> tuple[int, CountedTowardsGoal]:
    """Append the entries (each made from its index) and move the count by `delta`, in one
    statement; the first entry's index, and the count it made."""
    connection = session.connection()
    statement = _MOVE if delta else _MOVE_UNSEEN
    values = {"petition_id": petition_id, "entries": len(entries), "delta": delta}
    size, count, checkpoint_at, goal, notified = connection.execute(statement, values).one()
    first = size - len(entries)
    # Each entry stores the counted total after it: a held add counts for the one entry before
    # its exclude, and no checkpoint comes between the two (it would sign a count never shown).
    counted = count - delta
    for index, make in enumerate(entries, start=first):
        entry = make(index)
        counted += 1 if entry["kind"] == "add" else -1
        _store(connection, petition_id, index, entry, counted)
    maybe_checkpoint(session, petition_id, size, count, checkpoint_at)
    return first, CountedTowardsGoal(petition_id, count, goal, notified)


def count_in(session: Session, petition_id: int, commitment: str) -> tuple[int, CountedTowardsGoal]:
    """A signature (known by its receipt's commitment) counts from now: its add's index, and
    the count it made, with the petition's goal (for the organisers' mail)."""
    add = _add_entry(commitment)
    return _move(session, petition_id, 1, lambda _index: add)


def count_out(
    session: Session, petition_id: int, refers_to: int, reason: ExcludeReason | str
) -> int:
    """The signature added at `refers_to` no longer counts, and why; its exclude's index."""
    exclude = _exclude_entry(refers_to, reason)
    index, _ = _move(session, petition_id, -1, lambda _index: exclude)
    return index


def hold(session: Session, petition_id: int, commitment: str) -> int:
    """A held signature is logged as added and at once excluded: the count, and what any page
    shows, stay as they were; the add's index."""
    add = _add_entry(commitment)
    index, _ = _move(
        session,
        petition_id,
        0,
        lambda _index: add,
        lambda index: _exclude_entry(index - 1, ExcludeReason.HELD),  # the add just before
    )
    return index


_ENTRIES = table_of(LogEntry).c
_FROM_LOG = (
    update(_petitions)
    .where(_c.id == bindparam("petition_id"))
    .values(
        log_size=select(func.count()).where(_ENTRIES.petition_id == _c.id).scalar_subquery(),
        signature_count=select(
            func.coalesce(func.sum(case((_ENTRIES.kind == "add", 1), else_=-1)), 0)
        )
        .where(_ENTRIES.petition_id == _c.id)
        .scalar_subquery(),
    )
    .returning(_c.signature_count)
)


def count_from_log(session: Session, petition_id: int) -> int:
    """Set the count (and the log's size) to what the log's entries say, undoing a change made
    behind this module's back (a hand edit); the count. For `petitions recount`."""
    return int(session.execute(_FROM_LOG, {"petition_id": petition_id}).scalar_one())
