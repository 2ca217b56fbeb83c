"""The upgrade writes a log for the signatures that already exist, agreeing with every count."""

import json
from datetime import timedelta

from flask import Flask
from sqlalchemy import column, insert, select, table, text

from petition.extensions import db
from petition.models import LogEntry, Petition, Signature, UTCDateTime, utcnow
from petition.transparency import merkle
from petition.transparency.checkpoints import current_checkpoint
from petition.transparency.reading import consistency_proof, counted_totals, inclusion_proof
from petition.transparency.receipts import commitment_of, receipt_status
from tests.helpers.checks import must

# Before the log: (status, confirmed, held by an invalidation) of each signature, in id order.
OLD = [
    ("confirmed", True, False),
    ("pending", False, False),
    ("fraudulent", True, False),  # held after confirming: an add, then an exclude
    ("confirmed", True, False),
    ("fraudulent", False, False),  # held before confirming: not in the log
    ("fraudulent", True, True),
    ("confirmed", True, False),
]


def test_the_upgrade_backfills_a_log_equal_to_each_count(empty_database_app: Flask) -> None:
    app = empty_database_app
    runner = app.test_cli_runner()
    with app.app_context():
        before = runner.invoke(args=["db", "upgrade", "5a7d3c9e1f20"])
        assert before.exit_code == 0, before.output
        signed = utcnow() - timedelta(hours=1)
        petitions = table(
            "petitions",
            *map(column, ("id", "slug", "title", "body", "signature_count", "language")),
            *map(column, ("collects_country", "blocks_disposable")),
            column("created_at", UTCDateTime),
        )
        signatures = table(
            "signatures",
            *map(column, ("petition_id", "name", "email", "email_canonical", "status")),
            *map(column, ("messages_sent", "show_name", "language", "link_secret")),
            *map(column, ("flag_reason", "invalidation_id")),
            column("created_at", UTCDateTime),
            column("confirmed_at", UTCDateTime),
        )
        invalidations = table(
            "invalidations",
            *map(column, ("petition_id", "criteria", "reason", "count", "criteria_values")),
            column("created_at", UTCDateTime),
        )
        ids = []
        for slug, rows in (("old", OLD), ("empty", [])):
            counted = sum(status == "confirmed" for status, _, _ in rows)
            ids.append(
                db.session.scalar(
                    insert(petitions)
                    .values(
                        slug=slug, title=slug, body="x", signature_count=counted, language="en",
                        collects_country=False, blocks_disposable=False, created_at=signed,
                    )
                    .returning(petitions.c.id)
                )
            )  # fmt: skip
        invalidation = db.session.scalar(
            insert(invalidations)
            .values(
                petition_id=ids[0], criteria="", reason="x", count=1, criteria_values="{}",
                created_at=signed,
            )
            .returning(column("id"))
        )  # fmt: skip
        for n, (status, confirmed, invalidated) in enumerate(OLD):
            db.session.execute(
                insert(signatures).values(
                    petition_id=ids[0], name=f"S{n}", email=f"s{n}@example.org",
                    email_canonical=f"s{n}@example.org", status=status, messages_sent=1,
                    show_name=False, language="en", link_secret=f"{n:032x}",
                    flag_reason=_held_for(status, invalidated),
                    invalidation_id=invalidation if invalidated else None,
                    created_at=signed, confirmed_at=signed if confirmed else None,
                )
            )  # fmt: skip
        db.session.commit()

        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        db.session.remove()
        assert counted_totals(ids) == {ids[0]: 3, ids[1]: 0}
        entries = db.session.scalars(
            select(LogEntry).where(LogEntry.petition_id == ids[0]).order_by(LogEntry.position)
        ).all()
        kinds = [(e.kind, json.loads(e.leaf).get("reason")) for e in entries]
        assert kinds == [
            ("add", None),
            ("add", None),
            ("exclude", "held"),
            ("add", None),
            ("add", None),
            ("exclude", "invalidated"),
            ("add", None),
        ]
        assert json.loads(entries[0].leaf)["time"] == signed.strftime("%Y-%m-%dT%H:%MZ")
        petition = db.session.get(Petition, ids[0])
        assert petition is not None
        assert (petition.log_size, petition.signature_count) == (7, 3)
        # Each logged signature has its receipt, and the receipt finds its add.
        logged = db.session.scalars(
            select(Signature).where(Signature.log_index.is_not(None)).order_by(Signature.id)
        ).all()
        assert [s.log_index for s in logged] == [0, 1, 3, 4, 6]
        for signature in logged:
            assert signature.commitment == commitment_of(must(signature.receipt))
            state = receipt_status(ids[0], must(signature.receipt))
            assert state is not None and state.index == signature.log_index
            assert state.counted == (signature.status == "confirmed")
        # The stored subtrees are those an append would have written: roots and proofs hold.
        hashes = [e.leaf_hash for e in entries]
        checkpoint = current_checkpoint(ids[0])
        assert (checkpoint.size, checkpoint.count) == (7, 3)
        assert checkpoint.root == _mth(hashes)
        proof = inclusion_proof(ids[0], 5, 7)
        assert proof.leaf_hash == hashes[5] and proof.path
        assert consistency_proof(ids[0], 3, 7)
        result = runner.invoke(args=["petitions", "recount", "--check"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()


def _held_for(status: str, invalidated: bool) -> str | None:
    if status != "fraudulent":
        return None
    return "invalidation" if invalidated else "rate"


def _mth(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return merkle.node_hash(_mth(hashes[:k]), _mth(hashes[k:]))


def test_one_count_column_keeps_what_the_log_counts(empty_database_app: Flask) -> None:
    """A count that drifted from its log (a recount set it alone) becomes the log's total, which
    the recount then compares with the confirmed rows; going back, log_counted is the count."""
    app = empty_database_app
    runner = app.test_cli_runner()
    with app.app_context():
        before = runner.invoke(args=["db", "upgrade", "0017_account_events"])
        assert before.exit_code == 0, before.output
        db.session.execute(
            text(
                "INSERT INTO petitions (id, slug, title, body, collects_country, created_at,"
                " signature_count, blocks_disposable, log_size, log_counted)"
                " VALUES (1, 'drifted', 'D', 'Text', false, CURRENT_TIMESTAMP, 5, false, 0, 0)"
            )
        )
        db.session.commit()
        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        assert db.session.execute(text("SELECT signature_count FROM petitions")).scalar() == 0
        result = runner.invoke(args=["petitions", "recount", "--check"])
        assert result.exit_code == 0, result.output  # no confirmed rows: the log's 0 is right
        db.session.execute(text("UPDATE petitions SET signature_count = 4"))
        db.session.commit()
        downgrade = runner.invoke(args=["db", "downgrade", "0017_account_events"])
        assert downgrade.exit_code == 0, downgrade.output
        counts = "SELECT signature_count, log_counted FROM petitions"
        assert tuple(db.session.execute(text(counts)).one()) == (4, 4)
        db.session.execute(text("DELETE FROM petitions"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_held_signatures_are_stored_as_held(empty_database_app: Flask) -> None:
    """Signatures stored as "fraudulent" read "held" after the upgrade, and again back."""
    app = empty_database_app
    runner = app.test_cli_runner()
    status = "SELECT status FROM signatures ORDER BY id"
    with app.app_context():
        before = runner.invoke(args=["db", "upgrade", "0018_one_count_column"])
        assert before.exit_code == 0, before.output
        db.session.execute(
            text(
                "INSERT INTO petitions (id, slug, title, body, collects_country, created_at,"
                " signature_count, blocks_disposable, log_size)"
                " VALUES (1, 'held', 'H', 'Text', false, CURRENT_TIMESTAMP, 1, false, 0)"
            )
        )
        for number, old in enumerate(("fraudulent", "confirmed", "pending"), start=1):
            db.session.execute(
                text(
                    "INSERT INTO signatures (id, petition_id, name, email, email_canonical,"
                    " status, created_at, messages_sent, link_secret)"
                    " VALUES (:id, 1, 'N', :email, :email, :status, CURRENT_TIMESTAMP, 0, :email)"
                ),
                {"id": number, "email": f"s{number}@example.org", "status": old},
            )
        db.session.commit()
        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        assert db.session.execute(text(status)).scalars().all() == ["held", "confirmed", "pending"]
        db.session.commit()  # ends the read, so the downgrade's writes are seen
        downgrade = runner.invoke(args=["db", "downgrade", "0018_one_count_column"])
        assert downgrade.exit_code == 0, downgrade.output
        after = db.session.execute(text(status)).scalars().all()
        assert after == ["fraudulent", "confirmed", "pending"]
        db.session.execute(text("DELETE FROM signatures"))
        db.session.execute(text("DELETE FROM petitions"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
