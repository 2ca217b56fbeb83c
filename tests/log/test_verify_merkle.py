"""The verifier's hashing and proof checks against RFC 6962/9162 reference values and our own log."""

import ast
import sys
from pathlib import Path

import pytest

from petition.verify import (
    EMPTY_ROOT,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from tests.log.verify_support import mth, path, proof

# The eight leaves of Certificate Transparency's test data, and the published tree heads.
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
ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
INCLUSION = [  # (index, size, path)
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
CONSISTENCY = [  # (from, to, path)
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


def hashes(size: int) -> list[bytes]:
    return [leaf_hash(leaf) for leaf in LEAVES[:size]]


def root(size: int) -> bytes:
    return bytes.fromhex(ROOTS[size])


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_reference_tree_heads(size: int) -> None:
    assert root_of(hashes(size)) == root(size)
    assert mth(LEAVES[:size]) == root(size)  # the test log builder agrees too


def test_the_empty_tree_hashes_the_empty_string() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_reference_inclusion_proofs_verify(index: int, size: int, expected: list[str]) -> None:
    proof_hashes = [bytes.fromhex(h) for h in expected]
    assert path(index, LEAVES[:size]) == proof_hashes
    assert verify_inclusion(index, size, hashes(size)[index], proof_hashes, root(size))


@pytest.mark.parametrize(("first", "second", "expected"), CONSISTENCY)
def test_reference_consistency_proofs_verify(first: int, second: int, expected: list[str]) -> None:
    proof_hashes = [bytes.fromhex(h) for h in expected]
    assert proof(first, LEAVES[:second]) == proof_hashes
    assert verify_consistency(first, second, root(first), root(second), proof_hashes)


def test_every_proof_of_small_trees_verifies_and_a_changed_one_does_not() -> None:
    """Against the recursive RFC 9162 builder, for every size and position up to 33 leaves."""
    leaves = [bytes([i]) * (i % 5) for i in range(33)]
    leaf_hashes = [leaf_hash(leaf) for leaf in leaves]
    roots = [mth(leaves[:n]) for n in range(len(leaves) + 1)]
    wrong = b"\x55" * 32
    for n in range(1, len(leaves) + 1):
        assert root_of(leaf_hashes[:n]) == roots[n]
        for i in range(n):
            p = path(i, leaves[:n])
            assert verify_inclusion(i, n, leaf_hashes[i], p, roots[n])
            assert not verify_inclusion(i, n, wrong, p, roots[n])
            if p:
                assert not verify_inclusion(i, n, leaf_hashes[i], [*p[:-1], wrong], roots[n])
                assert not verify_inclusion(i, n, leaf_hashes[i], p[:-1], roots[n])
        for m in range(1, n + 1):
            c = proof(m, leaves[:n])
            assert verify_consistency(m, n, roots[m], roots[n], c)
            assert not verify_consistency(m, n, wrong, roots[n], c)
            assert not verify_consistency(m, n, roots[m], wrong, c)
            if c:
                assert not verify_consistency(m, n, roots[m], roots[n], [*c[:-1], wrong])
                assert not verify_consistency(m, n, roots[m], roots[n], c[:-1])


def test_proofs_with_impossible_sizes_are_refused() -> None:
    assert not verify_inclusion(3, 3, hashes(3)[0], [], root(3))
    assert not verify_consistency(0, 3, EMPTY_ROOT, root(3), [])
    assert not verify_consistency(4, 3, root(4), root(3), [])
    assert not verify_consistency(2, 5, root(2), root(5), [])


def test_the_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    """It must stay an independent implementation: nothing of ours, nothing exotic."""
    source = Path(__file__).resolve().parents[2] / "petition" / "verify.py"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    allowed = set(sys.stdlib_module_names) | {"cryptography"}
    assert imported <= allowed, imported - allowed
