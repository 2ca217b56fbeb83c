"""The stored-subtree Merkle tree against RFC 6962 reference vectors and a naive oracle."""

import random

import pytest

from petition.log import merkle

# The 8-leaf reference tree used by Certificate Transparency implementations
# (transparency-dev/merkle, testonly): leaf inputs, roots by size, and proofs.
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


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
    for size, expected in enumerate(ROOTS):
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
