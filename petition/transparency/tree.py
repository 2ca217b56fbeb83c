"""A petition's log as a Merkle tree: its stored hashes, roots and proofs (see merkle)."""

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from petition.models import LogEntry, LogNode, table_of
from petition.transparency import merkle

_entries = table_of(LogEntry).c
_nodes = table_of(LogNode).c
# Built once: an append on the confirm path runs them.
_LEAF_HASH = select(_entries.leaf_hash).where(
    _entries.petition_id == bindparam("petition_id"), _entries.position == bindparam("position")
)
_NODE_HASH = select(_nodes.hash).where(
    _nodes.petition_id == bindparam("petition_id"),
    _nodes.level == bindparam("level"),
    _nodes.position == bindparam("position"),
)
_NODE_HASHES = select(_nodes.level, _nodes.position, _nodes.hash).where(
    _nodes.petition_id == bindparam("petition_id"),
    _nodes.level.in_(bindparam("levels", expanding=True)),
    _nodes.position.in_(bindparam("positions", expanding=True)),
)


class StoredTree:
    """Reads one petition's perfect-subtree hashes, each once per instance."""

    def __init__(self, session: Session | Connection, petition_id: int) -> None:
        self.session = session
        self.petition_id = petition_id
        self._known: dict[tuple[int, int], bytes] = {}

    def subtree(self, level: int, position: int) -> bytes:
        """The hash of the perfect subtree (level, position); it must be complete."""
        key = (level, position)
        if key not in self._known:
            where = {"petition_id": self.petition_id, "position": position}
            if level == 0:
                found = self.session.scalar(_LEAF_HASH, where)
            else:
                found = self.session.scalar(_NODE_HASH, where | {"level": level})
            if found is None:
                raise LookupError(f"no stored subtree {key} in log {self.petition_id}")
            self._known[key] = found
        return self._known[key]

    def prefetch(self, wanted: list[tuple[int, int]]) -> None:
        """Read several subtrees above the leaves in one query."""
        inner = [(level, position) for level, position in wanted if level > 0]
        if not inner:
            return
        rows = self.session.execute(
            _NODE_HASHES,
            {
                "petition_id": self.petition_id,
                "levels": sorted({level for level, _ in inner}),
                "positions": sorted({position for _, position in inner}),
            },
        )
        for level, position, hashed in rows:
            self._known[(level, position)] = hashed

    def root(self, size: int) -> bytes:
        """The root hash of the first `size` entries."""
        return merkle.root(self.subtree, size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """The RFC 9162 inclusion proof of entry `index` in the tree of the first `size`."""
        return merkle.inclusion_path(self.subtree, index, size)

    def consistency(self, old: int, new: int) -> list[bytes]:
        """The RFC 9162 consistency proof from the first `old` entries to the first `new`."""
        return merkle.consistency_path(self.subtree, old, new)
