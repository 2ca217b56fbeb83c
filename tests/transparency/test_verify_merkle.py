"""The verifier's hashing and proof checks against RFC 6962/9162 reference values and our own log."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from petition.verify import (
    EMPTY_ROOT,
    Frontier,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from tests.transparency.vectors import CONSISTENCY, INCLUSION, LEAVES, ROOTS
from tests.transparency.verify_support import mth, path, proof


def hashes(size: int) -> list[bytes]:
    return [leaf_hash(leaf) for leaf in LEAVES[:size]]


def root(size: int) -> bytes:
    return bytes.fromhex(ROOTS[size])


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_reference_tree_heads(size: int) -> None:
    assert root_of(hashes(size)) == root(size)
    assert mth(LEAVES[:size]) == root(size)  # the test log builder agrees too


def test_the_frontier_keeps_one_hash_per_bit_of_the_size_and_gives_every_root() -> None:
    """What lets the verifier check a log of millions without keeping its leaves."""
    leaves = [bytes([i % 256]) * (i % 7) for i in range(300)]
    tree = Frontier()
    for n, leaf in enumerate(leaves, start=1):
        tree.append(leaf_hash(leaf))
        assert len(tree.nodes) == n.bit_count()
        if n <= 40 or n in (64, 255, 256, 257, 300):
            assert tree.root() == mth(leaves[:n])


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


def test_running_the_verifier_loads_nothing_of_the_server() -> None:
    """`python -m petition.verify` imports the package first: it must not pull in the server.

    A target with only Python and `cryptography` installed runs it, and it starts in a tenth of
    the time the server's imports take.
    """
    listing = "import sys, petition.verify; print(*sorted({m.split('.')[0] for m in sys.modules}))"
    done = subprocess.run(
        [sys.executable, "-c", listing], capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split()) - set(sys.stdlib_module_names)
    ours_or_allowed = {"petition", "cryptography", "_cffi_backend", "_openssl", "__main__"}
    found = {name for name in loaded if not name.startswith(("_distutils", "__editable__"))}
    assert found <= ours_or_allowed, found - ours_or_allowed
    assert "petition" in found  # the listing ran
