"""The log follows every change of the count: its counted total equals signature_count always."""

import base64
import hashlib
import json
from datetime import timedelta
from functools import partial

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask
from sqlalchemy import delete, func, select, update

from petition.extensions import db
from petition.models import LogCheckpoint, LogEntry, Petition, Signature, SignatureStatus, utcnow
from petition.moderation.invalidations import Criteria, invalidate, reverse_invalidation
from petition.moderation.reinstatement import reinstate_signature
from petition.petitions.editing import close_petition
from petition.signing.links import confirmation_token, withdrawal_token
from petition.signing.signatures import confirm_signature, load_confirmation, sign_petition
from petition.signing.withdrawal import withdraw_signature
from petition.transparency import merkle
from petition.transparency.checkpoints import checkpoint_petitions, current_checkpoint
from petition.transparency.keys import log_key
from petition.transparency.reading import counted_totals
from petition.transparency.receipts import commitment_of, receipt_status, shown_receipt
from tests.helpers.checks import must
from tests.signing.test_signing import run_at_once


def signed(petition: Petition, email: str, *, held: str | None = None) -> Signature:
    sign_petition(petition, name="Test Signer", email=email, flag_reason=held)
    return must(db.session.scalar(select(Signature).filter_by(email=email)))


def replay(petition_id: int) -> int:
    """The counted total as a verifier computes it, from the leaves alone."""
    db.session.rollback()
    leaves = db.session.scalars(
        select(LogEntry.leaf).where(LogEntry.petition_id == petition_id).order_by(LogEntry.position)
    ).all()
    adds: dict[int, bool] = {}
    for index, leaf in enumerate(leaves):
        entry = json.loads(leaf)
        if entry["kind"] == "add":
            adds[index] = True
        else:
            target = entry["refers_to"]
            assert target < index and adds.get(target) is True, entry
            adds[target] = False
    return sum(adds.values())


def assert_in_step(petition: Petition) -> None:
    db.session.rollback()
    stored = db.session.get(Petition, petition.id)
    assert stored is not None
    confirmed = select(func.count()).where(
        Signature.petition_id == petition.id, Signature.status == SignatureStatus.CONFIRMED
    )
    assert stored.signature_count == db.session.scalar(confirmed)
    assert replay(petition.id) == stored.signature_count
    assert counted_totals([petition.id]) == {petition.id: stored.signature_count}


def test_every_change_of_the_count_is_logged(app: Flask, make_petition, make_organiser) -> None:
    organiser = make_organiser()
    petition = make_petition(organiser=organiser)
    people = [signed(petition, f"person{n}@example.org") for n in range(4)]
    spam = [signed(petition, f"bot{n}@spam.example") for n in range(2)]
    held = signed(petition, "held@example.org", held="rate")
    for signature in [*people, *spam, held]:
        confirmation = confirm_signature(confirmation_token(signature))
        assert confirmation.receipt is not None
        assert_in_step(petition)
    # Opening the link again shows the same receipt.
    again = confirm_signature(confirmation_token(people[0]))
    assert again.receipt == must(db.session.get(Signature, people[0].id)).receipt
    assert load_confirmation(confirmation_token(people[0])).receipt == again.receipt

    held_receipt = must(db.session.get(Signature, held.id)).receipt
    assert held_receipt is not None
    status = receipt_status(petition.id, shown_receipt(held_receipt).upper())
    assert status is not None and not status.counted and status.excluded_reason == "held"

    withdrawn_receipt = must(db.session.get(Signature, people[1].id)).receipt
    withdraw_signature(withdrawal_token(people[1]))
    assert_in_step(petition)
    assert withdrawn_receipt is not None
    status = receipt_status(petition.id, withdrawn_receipt)
    assert status is not None and status.excluded_reason == "withdrawn"

    record = invalidate(petition, Criteria(domain="spam.example"), organiser=organiser, reason="x")
    assert_in_step(petition)
    spam_receipt = must(db.session.get(Signature, spam[0].id)).receipt
    assert spam_receipt is not None
    assert must(receipt_status(petition.id, spam_receipt)).excluded_reason == "invalidated"
    reverse_invalidation(petition, record.id, organiser=organiser)
    assert_in_step(petition)
    back = receipt_status(petition.id, spam_receipt)
    assert back is not None and back.counted and back.excluded_reason is None

    assert reinstate_signature(petition, held.id, organiser=organiser, reason="real person")
    assert_in_step(petition)
    assert must(receipt_status(petition.id, held_receipt)).counted

    receipt = must(db.session.get(Signature, people[2].id)).receipt
    assert receipt is not None
    counted = receipt_status(petition.id, receipt)
    # Only the first append's checkpoint exists yet, made before this signature's add.
    assert counted is not None and counted.counted and counted.checkpoint is None
    checkpoint_petitions()
    counted = receipt_status(petition.id, receipt)
    assert counted is not None and counted.checkpoint is not None
    assert counted.checkpoint.size == must(db.session.get(Petition, petition.id)).log_size
    assert receipt_status(petition.id, "a" * 32) is None
    assert receipt_status(petition.id, "not a receipt") is None


def test_a_receipt_is_random_and_its_commitment_is_in_the_log(app: Flask, make_petition) -> None:
    petition = make_petition()
    signature = signed(petition, "one@example.org")
    receipt = confirm_signature(confirmation_token(signature)).receipt
    assert receipt is not None and len(receipt) == 32
    assert set(receipt) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert len(shown_receipt(receipt)) == 39
    [entry] = db.session.scalars(select(LogEntry)).all()
    leaf = json.loads(entry.leaf)
    assert leaf["commitment"] == hashlib.sha256(receipt.encode()).hexdigest()
    assert leaf["commitment"] == commitment_of(receipt)
    assert sorted(leaf) == ["commitment", "kind", "time"]
    assert entry.leaf == json.dumps(leaf, sort_keys=True, separators=(",", ":")).encode()


def verify(text: str) -> tuple[str, int, bytes, int]:
    """Check a checkpoint's signature as a verifier does, with the published key."""
    note, signature_line = text.split("\n\n")
    name, key_id_hex, encoded = log_key().verifier.split("+", 2)
    raw = base64.b64decode(encoded)
    assert raw[0] == 1
    dash, signer, blob = signature_line.rstrip("\n").split(" ")
    assert dash == "\u2014" and signer == name
    signed_blob = base64.b64decode(blob)
    assert signed_blob[:4].hex() == key_id_hex
    assert hashlib.sha256(name.encode() + b"\n\x01" + raw[1:]).digest()[:4] == signed_blob[:4]
    Ed25519PublicKey.from_public_bytes(raw[1:]).verify(signed_blob[4:], (note + "\n").encode())
    origin, size, root, count = note.split("\n")
    assert count.startswith("count ")
    return origin, int(size), base64.b64decode(root), int(count.removeprefix("count "))


def test_checkpoints_are_signed_and_say_the_count(app: Flask, make_petition) -> None:
    petition = make_petition()
    empty = current_checkpoint(petition.id)
    origin, size, root, count = verify(empty.text)
    assert origin == f"petitions.example.org/petitions/{petition.slug}"
    assert (size, root, count) == (0, merkle.EMPTY_ROOT, 0)
    signatures = [signed(petition, f"p{n}@example.org") for n in range(5)]
    for signature in signatures:
        confirm_signature(confirmation_token(signature))
    withdraw_signature(withdrawal_token(signatures[0]))
    # Appends within a minute of the last checkpoint make none; the cron command makes one now.
    checkpoint_petitions(petition.slug)
    latest = current_checkpoint(petition.id)
    _, size, root, count = verify(latest.text)
    assert (size, count) == (6, 4)
    leaves = db.session.scalars(
        select(LogEntry.leaf).where(LogEntry.petition_id == petition.id).order_by(LogEntry.position)
    ).all()
    assert root == _mth([merkle.leaf_hash(leaf) for leaf in leaves])
    assert (
        log_key().fingerprint
        == hashlib.sha256(base64.b64decode(log_key().verifier.split("+", 2)[2])[1:]).hexdigest()
    )


def _mth(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return merkle.node_hash(_mth(hashes[:k]), _mth(hashes[k:]))


def test_an_old_checkpoint_is_replaced_when_the_log_grows(make_app, make_petition) -> None:
    petition = make_petition()
    first = signed(petition, "first@example.org")
    confirm_signature(confirmation_token(first))  # the first append signs a checkpoint
    assert db.session.scalar(select(func.count()).select_from(LogCheckpoint)) == 1
    second = signed(petition, "second@example.org")
    confirm_signature(confirmation_token(second))  # too soon for another
    assert current_checkpoint(petition.id).size == 1
    db.session.execute(update(LogCheckpoint).values(created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    assert current_checkpoint(petition.id).size == 2


def test_closing_a_petition_signs_its_final_count(app: Flask, make_petition) -> None:
    petition = make_petition()
    for n in range(3):
        confirm_signature(confirmation_token(signed(petition, f"c{n}@example.org")))
    close_petition(petition.slug)
    latest = db.session.scalars(select(LogCheckpoint).order_by(LogCheckpoint.size.desc())).first()
    assert latest is not None
    assert (latest.size, latest.count) == (3, 3)


def test_racing_confirmations_never_share_an_index(app: Flask, make_petition) -> None:
    petition = make_petition()
    signatures = [signed(petition, f"race{n}@example.org") for n in range(8)]
    tokens_ = [confirmation_token(s) for s in signatures]
    errors = run_at_once(app, [partial(confirm_signature, t) for t in tokens_])
    assert not errors, errors
    db.session.rollback()
    positions = db.session.scalars(
        select(LogEntry.position).where(LogEntry.petition_id == petition.id)
    ).all()
    assert sorted(positions) == list(range(8))
    assert_in_step(petition)
    indexes = db.session.scalars(select(Signature.log_index)).all()
    assert sorted(map(must, indexes)) == list(range(8))


def test_recount_check_catches_a_count_changed_behind_the_logs_back(
    app: Flask, make_petition
) -> None:
    petition = make_petition()
    confirm_signature(confirmation_token(signed(petition, "one@example.org")))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["petitions", "recount", "--check"])
    assert result.exit_code == 0, result.output
    # A count changed behind the log's back (a hand edit, a bug) is caught, and repaired from it.
    db.session.execute(update(Petition).values(signature_count=2))
    db.session.commit()
    result = runner.invoke(args=["petitions", "recount", "--check", petition.slug])
    assert result.exit_code == 1
    assert f"{petition.slug}: stored 2, confirmed 1 (+1), left as is" in result.output
    result = runner.invoke(args=["petitions", "recount", petition.slug])
    assert result.exit_code == 0, result.output
    assert_in_step(petition)


def test_recount_repairs_rows_changed_behind_the_logs_back(app: Flask, make_petition) -> None:
    petition = make_petition()
    people = [signed(petition, f"row{n}@example.org") for n in range(3)]
    for signature in people:
        confirm_signature(confirmation_token(signature))
    # A hand edit: one counted signature deleted, one pending one marked confirmed with no add.
    extra = signed(petition, "extra@example.org")
    db.session.execute(delete(Signature).where(Signature.id == people[0].id))
    db.session.execute(
        update(Signature)
        .where(Signature.id == extra.id)
        .values(status=SignatureStatus.CONFIRMED, confirmed_at=utcnow())
    )
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["petitions", "recount", "--check"]).exit_code == 0  # 3 and 3
    db.session.execute(delete(Signature).where(Signature.id == people[1].id))
    db.session.commit()
    result = runner.invoke(args=["petitions", "recount"])
    assert result.output.splitlines()[0] == f"{petition.slug}: stored 3, confirmed 2 (+1), set to 2"
    assert_in_step(petition)
    kinds = db.session.scalars(
        select(LogEntry.reason)
        .where(LogEntry.petition_id == petition.id)
        .order_by(LogEntry.position)
    ).all()
    assert kinds == [None, None, None, "withdrawn", "withdrawn", None]


def test_the_checkpoint_command_signs_grown_logs_only(app: Flask, make_petition) -> None:
    petition = make_petition()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["petitions", "checkpoint"])
    # An empty log's checkpoint is signed when asked for, never stored.
    assert result.exit_code == 0 and "0 new checkpoints." in result.output
    for n in range(2):
        confirm_signature(confirmation_token(signed(petition, f"n{n}@example.org")))
    result = runner.invoke(args=["petitions", "checkpoint", petition.slug])
    assert f"petitions.example.org/petitions/{petition.slug}: size 2, count 2" in result.output


def test_no_checkpoint_counts_a_held_signature(app: Flask, make_petition) -> None:
    """A held confirmation's add and exclude go in together: no signed count the page never said."""
    app.config["LOG_CHECKPOINT_SECONDS"] = 0  # a checkpoint at every append that allows one
    petition = make_petition()
    confirm_signature(confirmation_token(signed(petition, "real@example.org")))
    for n in range(3):
        confirm_signature(confirmation_token(signed(petition, f"held{n}@example.org", held="rule")))
    confirm_signature(confirmation_token(signed(petition, "second@example.org")))

    listed = app.test_client().get(f"/petitions/{petition.slug}/log/checkpoints").get_json()
    pairs = sorted((c["size"], c["count"]) for c in listed["checkpoints"])
    assert pairs == [(1, 1), (3, 1), (5, 1), (7, 1), (8, 2)]
