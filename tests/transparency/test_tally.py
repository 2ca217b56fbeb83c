"""One owner moves the count and the log: after every change of state they and the rows agree."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select

from petition.extensions import db
from petition.models import LogEntry, Petition, Signature, SignatureStatus, utcnow
from petition.moderation.invalidations import Criteria, invalidate, reverse_invalidation
from petition.moderation.reinstatement import reinstate_signature
from petition.petitions.public_copies import public_snapshot
from petition.signing.links import confirmation_token, withdrawal_token
from petition.signing.retention import ANONYMISED, purge
from petition.signing.signatures import confirm_signature
from petition.signing.withdrawal import withdraw_signature
from petition.transactions import write_transaction
from petition.transparency.checkpoints import checkpoint_petitions, current_checkpoint
from petition.transparency.reading import consistency_proof, entries_between, inclusion_proof
from petition.transparency.tally import count_in, hold
from tests.helpers.checks import must
from tests.transparency.test_log_flow import replay, signed, verify
from tests.transparency.verify_support import counted, mth, path, proof


def all_leaves(petition_id: int, size: int) -> list[bytes]:
    """The log's leaves as the public reads them."""
    return [leaf for _, leaf in entries_between(petition_id, 0, size).entries] if size else []


def assert_one_truth(petition: Petition, sizes: list[int]) -> None:
    """The stored count, the confirmed rows and the log's recount agree, and the log verifies."""
    db.session.rollback()
    stored = db.session.get(Petition, petition.id)
    assert stored is not None
    confirmed = db.session.scalar(
        select(func.count()).where(
            Signature.petition_id == petition.id, Signature.status == SignatureStatus.CONFIRMED
        )
    )
    leaves = all_leaves(petition.id, stored.log_size)
    assert len(leaves) == stored.log_size
    assert stored.signature_count == confirmed == replay(petition.id) == counted(leaves)
    # Each entry stores the counted total after it, as the log's own replay says.
    totals = db.session.scalars(
        select(LogEntry.counted)
        .where(LogEntry.petition_id == petition.id)
        .order_by(LogEntry.position)
    ).all()
    assert totals == [counted(leaves[: n + 1]) for n in range(len(leaves))]
    # A checkpoint signed now says the count, over the root an independent MTH computes.
    checkpoint_petitions(petition.slug)
    checkpoint = current_checkpoint(petition.id)
    _, size, root, count = verify(checkpoint.text)
    assert (size, root, count) == (stored.log_size, mth(leaves), stored.signature_count)
    if leaves:
        last = inclusion_proof(petition.id, size - 1, size)
        assert last.path == path(size - 1, leaves)
    for earlier in sizes:  # every size seen before is still the start of the log
        if 0 < earlier < size:
            assert consistency_proof(petition.id, earlier, size) == proof(earlier, leaves)
    sizes.append(size)


@contextmanager
def petition_updates(app: Flask) -> Iterator[list[str]]:
    """The UPDATE statements on petitions run meanwhile."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE PETITIONS"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_every_change_of_state_keeps_count_rows_and_log_one_truth(
    app: Flask, make_petition, make_organiser
) -> None:
    organiser = make_organiser()
    petition = make_petition(organiser=organiser, closes_on=(utcnow() + timedelta(days=2)).date())
    people = [signed(petition, f"person{n}@example.org") for n in range(4)]
    spam = [signed(petition, f"bot{n}@spam.example") for n in range(2)]
    held = signed(petition, "held@example.org", held="rate")
    never = signed(petition, "never@example.org", held="rate").id  # held, never confirmed
    signed(petition, "pending@example.org")  # never confirmed
    sizes: list[int] = []
    assert_one_truth(petition, sizes)

    for signature in [*people, *spam]:  # confirm
        confirm_signature(confirmation_token(signature))
        assert_one_truth(petition, sizes)
    confirm_signature(confirmation_token(held))  # held on confirmation: logged, not counted
    assert_one_truth(petition, sizes)
    assert must(db.session.get(Petition, petition.id)).signature_count == 6

    withdraw_signature(withdrawal_token(people[1]))  # withdraw
    assert_one_truth(petition, sizes)
    record = invalidate(petition, Criteria(domain="spam.example"), organiser=organiser, reason="x")
    assert_one_truth(petition, sizes)
    assert must(db.session.get(Petition, petition.id)).signature_count == 3
    reverse_invalidation(petition, record.id, organiser=organiser)  # reverse the invalidation
    assert_one_truth(petition, sizes)
    assert reinstate_signature(petition, held.id, organiser=organiser, reason="a real person")
    assert_one_truth(petition, sizes)
    assert must(db.session.get(Petition, petition.id)).signature_count == 6

    # Retention: unconfirmed signatures (the held one among them) go; nothing counted changes.
    report = purge(now=utcnow() + timedelta(days=31))
    assert report.unconfirmed_deleted == 2 and report.anonymised == 0
    assert db.session.get(Signature, never) is None
    assert_one_truth(petition, sizes)
    # Long after the close, signers are anonymised: the count and the log stay.
    assert purge(now=utcnow() + timedelta(days=200)).anonymised == 6
    assert must(db.session.get(Signature, people[0].id)).email == ANONYMISED
    assert_one_truth(petition, sizes)
    assert must(db.session.get(Petition, petition.id)).signature_count == 6
    kinds = [
        (entry["kind"], entry.get("reason"))
        for entry in map(json.loads, all_leaves(petition.id, sizes[-1]))
    ]
    assert kinds.count(("exclude", "held")) == 1
    assert kinds.count(("exclude", "withdrawn")) == 1
    assert kinds.count(("exclude", "invalidated")) == 2


def test_a_confirmation_moves_count_and_log_in_one_update(app: Flask, make_petition) -> None:
    petition = make_petition()
    first, second = (signed(petition, f"one{n}@example.org") for n in range(2))
    third_held = signed(petition, "held@example.org", held="rate")
    confirm_signature(confirmation_token(first))  # signs the first checkpoint, stamped too
    with petition_updates(app) as updates:
        confirm_signature(confirmation_token(second))
    assert len(updates) == 1, updates
    with petition_updates(app) as updates:
        confirm_signature(confirmation_token(third_held))  # held: an add and its exclude
    assert len(updates) == 1, updates
    with petition_updates(app) as updates:
        withdraw_signature(withdrawal_token(first))
    assert len(updates) == 1, updates
    db.session.rollback()
    stored = db.session.get(Petition, petition.id)
    assert stored is not None
    assert (stored.log_size, stored.signature_count) == (5, 1)


def test_a_hold_keeps_the_public_copies_and_a_count_drops_them(app: Flask, make_petition) -> None:
    app.config["PUBLIC_SNAPSHOT_SECONDS"] = 3600  # kept by the rule, not because a second is short
    petition = make_petition(slug="kept")
    commitment = "ab" * 32
    kept = public_snapshot("kept")
    assert kept is not None and public_snapshot("kept") is kept
    with write_transaction() as session:
        hold(session, petition.id, commitment)  # changes nothing any page shows
    assert public_snapshot("kept") is kept
    with write_transaction() as session:
        count_in(session, petition.id, commitment)
    fresh = public_snapshot("kept")
    assert fresh is not kept and fresh is not None and fresh.signature_count == 1
