"""A dishonest or broken site: every way of changing the log, its checkpoint or its key fails."""

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from petition.verify import VerificationError, parse_verifier_key
from tests.transparency.test_verify import Site, append_signatures, check, cli
from tests.transparency.verify_support import TIME, Log, Signer, add, exclude, receipt, serving


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as served:
        yield served


@pytest.fixture
def saved(site: Site, tmp_path: Path) -> Path:
    """A checkpoint of six honest signatures, kept by someone before the site misbehaved."""
    base, log = site
    append_signatures(log, 0, 6)
    kept = tmp_path / "saved.txt"
    assert check(base, "--save", str(kept))[0] == 0
    return kept


def fails(base: str, *args: str, because: str) -> None:
    status, output = check(base, *args)
    assert status == 1, output
    assert because in output.split("FAILED:", 1)[1], output


def test_a_changed_leaf_fails(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 5)
    log.sign_now()
    log.leaves[2] = add(receipt(99))
    fails(base, because="do not hash to the checkpoint's root")


def test_a_dropped_leaf_fails_even_under_a_fresh_checkpoint(site: Site, saved: Path) -> None:
    base, log = site
    log.sign_now()
    del log.leaves[3]  # the old checkpoint still claims six entries
    fails(base, because="refused")
    append_signatures(log, 6, 2)
    log.sign_now()  # a fresh, valid checkpoint over seven: only a kept copy shows the loss
    assert check(base)[0] == 0
    fails(base, "--checkpoint", str(saved), because="do not match the saved checkpoint")


def test_two_reordered_leaves_fail_against_a_saved_checkpoint(site: Site, saved: Path) -> None:
    base, log = site
    log.leaves[1], log.leaves[4] = log.leaves[4], log.leaves[1]
    fails(base, "--checkpoint", str(saved), because="do not match the saved checkpoint")


def test_an_inserted_leaf_fails_against_a_saved_checkpoint(site: Site, saved: Path) -> None:
    base, log = site
    log.leaves.insert(2, add(receipt(50)))
    fails(base, "--checkpoint", str(saved), because="do not match the saved checkpoint")


def test_a_forked_history_of_the_same_size_fails(site: Site, tmp_path: Path) -> None:
    base, log = site
    append_signatures(log, 100, 6)  # another history, signed by the same key
    fork = tmp_path / "fork.txt"
    fork.write_text(log.checkpoint())
    log.leaves.clear()
    append_signatures(log, 0, 6)
    fails(base, "--checkpoint", str(fork), because="do not match the saved checkpoint")


def test_a_shorter_checkpoint_that_is_no_prefix_fails(site: Site, tmp_path: Path) -> None:
    base, log = site
    append_signatures(log, 100, 3)
    fork = tmp_path / "fork.txt"
    fork.write_text(log.checkpoint())
    log.leaves.clear()
    append_signatures(log, 0, 6)
    fails(base, "--checkpoint", str(fork), because="do not match the saved checkpoint")


def test_a_log_shorter_than_a_saved_checkpoint_fails(site: Site, saved: Path) -> None:
    base, log = site
    del log.leaves[4:]
    fails(base, "--checkpoint", str(saved), because="more than the 4 now")


def test_a_saved_checkpoint_whose_count_was_wrong_fails(site: Site, tmp_path: Path) -> None:
    base, log = site
    append_signatures(log, 0, 4)
    lying = tmp_path / "lying.txt"
    lying.write_text(log.signer.checkpoint(log.origin, log.leaves, count=3))
    append_signatures(log, 4, 2)
    fails(base, "--checkpoint", str(lying), because="says count 3, its 4 entries count 4")


def test_another_key_under_the_sites_name_fails(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    log.key_text = Signer(log.signer.name).verifier_key
    fails(base, because="not by the site's key")


def test_a_checkpoint_signed_by_another_key_fails(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    log.checkpoint_text = Signer(log.signer.name).checkpoint(log.origin, log.leaves)
    fails(base, because="not by the site's key")


def test_a_wrong_fingerprint_fails(site: Site) -> None:
    base, log = site
    fails(base, "--key-fingerprint", Signer("x").fingerprint, because="fingerprint")


def test_a_signature_that_does_not_verify_fails(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    text = log.checkpoint()
    body, signature_line = text.rsplit("\n\n", 1)
    prefix, encoded = signature_line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[10] ^= 1  # the key id (first four bytes) stays right
    log.checkpoint_text = f"{body}\n\n{prefix} {base64.b64encode(raw).decode()}\n"
    fails(base, because="signature does not verify")


def test_a_changed_body_under_a_real_signature_fails(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    log.checkpoint_text = log.checkpoint().replace("count 2\n", "count 1\n")
    fails(base, because="signature does not verify")


def test_a_count_line_that_lies_fails(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 4)
    log.leaves.append(exclude(0))
    log.checkpoint_text = log.signer.checkpoint(log.origin, log.leaves, count=4)
    fails(base, because="the checkpoint says count 4, the log counts 3")


def test_another_petitions_checkpoint_fails(site: Site) -> None:
    base, log = site
    log.checkpoint_text = log.signer.checkpoint(f"{log.signer.name}/petitions/other", [])
    fails(base, because="not '")


@pytest.mark.parametrize(
    "text",
    [
        "{origin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ncount 0\n",  # no signature
        "{origin}\n00\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ncount 0\n\n— x y\n",
        "{origin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n0\n\n— x y\n",
        "{origin}\r\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ncount 0\n\n— x y\n",
    ],
)
def test_a_checkpoint_that_is_not_exactly_a_signed_note_fails(site: Site, text: str) -> None:
    base, log = site
    log.checkpoint_text = text.format(origin=log.origin)
    status, output = check(base)
    assert status == 1, output


@pytest.mark.parametrize(
    ("bad", "because"),
    [
        (exclude(3), "which is no earlier add"),  # refers to itself
        (exclude(7), "which is no earlier add"),  # refers to the future
        (exclude(2), "which is no earlier add"),  # refers to an exclude
        (exclude(1), "excludes add 1 a second time"),
        (exclude(0, reason="disliked"), "unknown reason"),
    ],
)
def test_an_invalid_exclude_fails(site: Site, bad: bytes, because: str) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    log.leaves += [exclude(1), bad]
    fails(base, because=because)


@pytest.mark.parametrize(
    ("leaf", "because"),
    [
        (b'{"commitment": "%s", "kind": "add", "time": "' + TIME.encode() + b'"}', "canonical"),
        (b'{"time":"' + TIME.encode() + b'","kind":"add","commitment":"%s"}', "canonical"),
        (b'{"commitment":"%s","kind":"add","time":"' + TIME.encode() + b'"}\n', "canonical"),
        (b'{"commitment":"%s","kind":"add","name":"Ann","time":"' + TIME.encode() + b'"}', "keys"),
        (b'{"commitment":"%s","kind":"add","time":"2026-12-06T02:31:00Z"}', "time"),
        (b'{"commitment":"%s","kind":"add","time":"2026-02-30T02:31Z"}', "time"),
        (b'{"commitment":"%s","kind":"add","time":["x"]}', "time"),
        (b'{"commitment":"%s","kind":"sign","time":"' + TIME.encode() + b'"}', "unknown kind"),
        (b'["add"]', "not a JSON object"),
        (b"\xff", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),  # too deep to parse: no traceback
    ],
)
def test_a_malformed_or_non_canonical_leaf_fails(site: Site, leaf: bytes, because: str) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    commitment = json.loads(add(receipt(5)))["commitment"]
    log.leaves.append(leaf.replace(b"%s", commitment.encode()))
    fails(base, because=because)


def test_an_uppercase_commitment_fails(site: Site) -> None:
    base, log = site
    entry = json.loads(add(receipt(1)))
    entry["commitment"] = entry["commitment"].upper()
    log.leaves.append(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode())
    fails(base, because="commitment")


def test_a_receipt_not_in_the_log_fails(site: Site) -> None:
    base, log = site
    append_signatures(log, 0, 3)
    fails(base, "--receipt", receipt(42), because="the receipt is not in the log")


def test_a_wrong_inclusion_proof_fails(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    base, log = site
    append_signatures(log, 0, 5)
    import tests.transparency.verify_support as support

    monkeypatch.setattr(support, "path", lambda m, leaves: [b"\x00" * 32] * 3)
    fails(base, "--receipt", receipt(3), because="inclusion proof does not verify")


def test_a_wrong_consistency_proof_fails(
    site: Site, saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, log = site
    append_signatures(log, 6, 3)
    import tests.transparency.verify_support as support

    monkeypatch.setattr(support, "proof", lambda m, leaves: [b"\x00" * 32] * 2)
    fails(base, "--checkpoint", str(saved), because="consistency proof does not verify")


def test_a_dropped_leaf_fails_from_the_command_line(site: Site, saved: Path) -> None:
    base, log = site
    del log.leaves[0]
    append_signatures(log, 6, 2)  # the size grows past the kept checkpoint's again
    done = cli(base, "--checkpoint", str(saved))
    assert done.returncode == 1
    assert "do not match the saved checkpoint" in done.stdout
    assert "Traceback" not in done.stderr


def test_entries_out_of_order_fail(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    base, log = site
    append_signatures(log, 0, 4)
    log.page_size = 2
    import tests.transparency.verify_support as support

    real = support.answer

    def skipping(log: Log, route: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        status, kind, body = real(log, route, query)
        if route == "entries":
            page = json.loads(body)
            page["entries"] = [{**e, "index": e["index"] + 1} for e in page["entries"]]
            body = json.dumps(page).encode()
        return status, kind, body

    monkeypatch.setattr(support, "answer", skipping)
    fails(base, because="expected entry 0")


def test_a_verifier_key_whose_base64_holds_a_plus_sign_is_read() -> None:
    """Names never hold "+", base64 may: only the first two split the key."""
    while "+" not in (key := Signer("example.org")).verifier_key.split("+", 2)[2]:
        pass
    assert parse_verifier_key(key.verifier_key).public_key == key.public
    with pytest.raises(VerificationError):
        parse_verifier_key(key.verifier_key.replace("example.org+", "example.net+"))


def test_a_saved_file_that_is_no_checkpoint_fails(site: Site, tmp_path: Path) -> None:
    base, log = site
    append_signatures(log, 0, 2)
    kept = tmp_path / "saved.txt"
    kept.write_text("this is not a checkpoint\n")
    fails(base, "--checkpoint", str(kept), because="saved checkpoint: the checkpoint is not")
