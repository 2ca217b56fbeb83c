"""RFC 9162 Merkle tree hashing over stored perfect subtrees: roots and proofs in O(log n) reads.

A perfect subtree is identified by (level, index): the 2**level leaves from index * 2**level on.
When leaf i is appended, every perfect subtree it completes is stored (completed_nodes), so the
hash of any range the RFC's recursion asks for is a combination of O(log n) stored hashes. These
functions read hashes through an accessor and know nothing of the database.
"""

import hashlib
from collections.abc import Callable

Subtree = Callable[[int, int], bytes]  # (level, index) -> the hash of that perfect subtree
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(subtree: Subtree, start: int, end: int) -> bytes:
    """MTH of the leaves [start, end), a range the RFC's recursion reaches (start aligned)."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return subtree(level, start >> level)
    k = _split(size)
    return node_hash(range_hash(subtree, start, start + k), range_hash(subtree, start + k, end))


def root(subtree: Subtree, size: int) -> bytes:
    """The root hash of the tree of the first `size` leaves."""
    return range_hash(subtree, 0, size) if size else EMPTY_ROOT


def inclusion_path(subtree: Subtree, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3 PATH(index, D[0:size]), leaf side first."""
    if not 0 <= index < size:
        raise ValueError("need 0 <= index < size")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(subtree, start + k, end))
            end = start + k
        else:
            path.append(range_hash(subtree, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_path(subtree: Subtree, old: int, new: int) -> list[bytes]:
    """RFC 9162 §2.1.4 PROOF(old, D[0:new]); empty when old == new."""
    if not 0 < old <= new:
        raise ValueError("need 0 < old <= new")
    path: list[bytes] = []
    start, end, m, complete = 0, new, old, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                path.append(range_hash(subtree, start, end))
            break
        k = _split(n)
        if m <= k:
            path.append(range_hash(subtree, start + k, end))
            end = start + k
        else:
            path.append(range_hash(subtree, start, start + k))
            start, m, complete = start + k, m - k, False
    path.reverse()
    return path


def left_siblings(index: int) -> list[tuple[int, int]]:
    """The stored subtrees that appending leaf `index` combines with its own: (level, index)."""
    needed = []
    level, position = 0, index
    while position & 1:
        needed.append((level, position - 1))
        level, position = level + 1, position >> 1
    return needed


def completed_nodes(index: int, leaf: bytes, subtree: Subtree) -> list[tuple[int, int, bytes]]:
    """The perfect subtrees above level 0 that leaf `index` (hash `leaf`) completes."""
    nodes = []
    current = leaf
    for level, position in left_siblings(index):
        current = node_hash(subtree(level, position), current)
        nodes.append((level + 1, position >> 1, current))
    return nodes
