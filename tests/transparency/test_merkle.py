"""The stored-subtree Merkle tree against RFC 6962 reference vectors and a naive oracle."""

import random

import pytest

from petition.transparency import merkle
from tests.transparency.vectors import CONSISTENCY, INCLUSION, LEAVES, ROOTS


class StoredTree:
    """What the database keeps, in memory: leaf hashes and every completed perfect subtree."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0

    def subtree(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]

    def append(self, leaf: bytes) -> None:
        hashed = merkle.leaf_hash(leaf)
        self.nodes[(0, self.size)] = hashed
        for level, index, value in merkle.completed_nodes(self.size, hashed, self.subtree):
            self.nodes[(level, index)] = value
        self.size += 1


def tree_of(leaves: list[bytes]) -> StoredTree:
    tree = StoredTree()
    for leaf in leaves:
        tree.append(leaf)
    return tree


# The oracle: RFC 9162 §2.1 written down as directly as it reads, over the leaves themselves.
def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return subproof(m, leaves[:k], complete) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def hexes(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


def test_roots_match_the_reference_vectors() -> None:
    for size, expected in ROOTS.items():
        assert merkle.root(tree_of(LEAVES[:size]).subtree, size).hex() == expected


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_inclusion_proofs_match_the_reference_vectors(
    index: int, size: int, expected: list[str]
) -> None:
    tree = tree_of(LEAVES)
    assert hexes(merkle.inclusion_path(tree.subtree, index, size)) == expected


@pytest.mark.parametrize(("old", "new", "expected"), CONSISTENCY)
def test_consistency_proofs_match_the_reference_vectors(
    old: int, new: int, expected: list[str]
) -> None:
    tree = tree_of(LEAVES)
    assert hexes(merkle.consistency_path(tree.subtree, old, new)) == expected


def test_every_size_agrees_with_the_oracle() -> None:
    leaves = [f"leaf {i}".encode() for i in range(70)]
    tree = tree_of(leaves)
    for size in range(71):
        assert merkle.root(tree.subtree, size) == mth(leaves[:size])
        for index in range(size):
            assert merkle.inclusion_path(tree.subtree, index, size) == path(index, leaves[:size])
        for old in range(1, size + 1):
            expected = subproof(old, leaves[:size], True)
            assert merkle.consistency_path(tree.subtree, old, size) == expected


def test_random_proofs_in_a_larger_tree_agree_with_the_oracle() -> None:
    rng = random.Random(9162)
    leaves = [rng.randbytes(rng.randrange(0, 40)) for _ in range(1000)]
    tree = tree_of(leaves)
    for _ in range(40):
        size = rng.randrange(1, 1001)
        index = rng.randrange(size)
        old = rng.randrange(1, size + 1)
        assert merkle.inclusion_path(tree.subtree, index, size) == path(index, leaves[:size])
        assert merkle.consistency_path(tree.subtree, old, size) == subproof(
            old, leaves[:size], True
        )


def test_an_append_stores_about_two_hashes() -> None:
    tree = tree_of([bytes([i % 256]) for i in range(1024)])
    assert len(tree.nodes) == 2 * 1024 - 1


@pytest.mark.parametrize(("index", "size"), [(-1, 3), (3, 3), (0, 0)])
def test_an_impossible_inclusion_proof_is_refused(index: int, size: int) -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_path(tree_of(LEAVES).subtree, index, size)


@pytest.mark.parametrize(("old", "new"), [(0, 3), (4, 3), (-1, 2)])
def test_an_impossible_consistency_proof_is_refused(old: int, new: int) -> None:
    with pytest.raises(ValueError):
        merkle.consistency_path(tree_of(LEAVES).subtree, old, new)
