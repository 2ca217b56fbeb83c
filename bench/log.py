"""What the auditable log costs: `python bench/log.py`

1. Confirming with and without appending to the log, in process, in the same run (alternating
   rounds, medians): the share the append adds to the confirm path. Target: at most 10%.
2. A log of one million entries, seeded straight into its tables: inclusion and consistency
   proofs (target < 50 ms each) and signing a checkpoint over all of it (target < 2 s).

SQLite on a scratch file by default; BENCH_POSTGRES_URL (a database it may fill and empty, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) runs both parts on PostgreSQL as well.
BENCH_LOG_ENTRIES changes the million. Ratios within one run are what count.
"""

import base64
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

from flask import Flask
from sqlalchemy import bindparam, insert, select, update

from petition import create_app
from petition.extensions import db
from petition.models import LogEntry, LogNode, Petition, Signature, table_of, utcnow
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.signing import signatures as signing
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.transactions import write_transaction
from petition.transparency import merkle
from petition.transparency.checkpoints import record_checkpoint
from petition.transparency.reading import consistency_proof, inclusion_proof
from petition.transparency.tally import CountedTowardsGoal

ROUNDS = 6
PER_ROUND = 200
ENTRIES = int(os.environ.get("BENCH_LOG_ENTRIES", "1000000"))
PROOFS = 200
BATCH = 20_000


def _app(url: str) -> Flask:
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key-of-at-least-32-bytes",
            "CLIENT_HASH_KEY": "bench-client-hash",
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_DELIVER_IN_WEB": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PUBLIC_URL": "https://petitions.example.org",
            "LOG_SIGNING_KEY": base64.b64encode(b"bench log key, thirty-two bytes!").decode(),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _pending(petition: Petition, count: int, offset: int) -> list[str]:
    """Sign `count` times and return the confirmation tokens."""
    for n in range(count):
        sign_petition(petition, name="Bench Signer", email=f"b{offset + n}@example.org", mail=False)
    rows = db.session.scalars(
        select(Signature).where(
            Signature.petition_id == petition.id, Signature.confirmed_at.is_(None)
        )
    ).all()
    return [confirmation_token(s) for s in rows]


_COUNT_ONLY = (
    update(table_of(Petition))
    .where(table_of(Petition).c.id == bindparam("petition_id"))
    .values(signature_count=table_of(Petition).c.signature_count + 1)
    .returning(table_of(Petition).c.signature_count)
)


def _count_only(session: Any, petition_id: int, _commitment: str) -> tuple[int, CountedTowardsGoal]:
    """What confirming cost before the log: the count's UPDATE alone, no entry."""
    count = session.connection().execute(_COUNT_ONLY, {"petition_id": petition_id}).scalar_one()
    return 0, CountedTowardsGoal(petition_id, count, None, 0)


@contextmanager
def _without_log() -> Iterator[None]:
    with mock.patch.object(signing, "count_in", _count_only):
        yield


def confirm_cost(app: Flask, *, http: bool) -> dict[str, float]:
    """Median seconds per confirmation with and without the append, alternating rounds.

    http=True posts each link to /confirm/<token> through Flask's test client (the page as a
    signer gets it); otherwise the use case is called directly.
    """
    with app.app_context():
        organiser = set_organiser_password(f"bench-{http}@example.org", "a long bench password")
        petition = create_petition(title="Bench", body="Bench.", organiser=organiser)
        client = app.test_client()
        tokens = _pending(petition, ROUNDS * PER_ROUND * 2, 100_000 if http else 0)
        random.Random(1).shuffle(tokens)
        times: dict[str, list[float]] = {"with the log": [], "without": []}
        for round_ in range(ROUNDS * 2):
            label = "with the log" if round_ % 2 == 0 else "without"
            batch = tokens[round_ * PER_ROUND : (round_ + 1) * PER_ROUND]
            context: AbstractContextManager[None] = (
                _without_log() if label == "without" else nullcontext()
            )
            with context:
                start = time.perf_counter()
                for token in batch:
                    if http:
                        assert client.post(f"/confirm/{token}").status_code == 200
                    else:
                        confirm_signature(token)
                times[label].append((time.perf_counter() - start) / PER_ROUND)
        return {label: statistics.median(values) for label, values in times.items()}


def _seed(petition_id: int, size: int) -> None:
    """A log of `size` adds written straight into its tables, as appends would have left it."""
    entries, nodes = table_of(LogEntry), table_of(LogNode)
    edge: dict[tuple[int, int], bytes] = {}
    rows: list[dict[str, Any]] = []
    node_rows: list[dict[str, Any]] = []
    now = utcnow()
    for index in range(size):
        commitment = f"{index:064x}"
        leaf = json.dumps(
            {"commitment": commitment, "kind": "add", "time": "2026-12-06T02:31Z"},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        hashed = merkle.leaf_hash(leaf)
        rows.append(
            {
                "petition_id": petition_id, "position": index, "leaf": leaf, "leaf_hash": hashed,
                "kind": "add", "commitment": commitment, "refers_to": None, "reason": None,
                "counted": index + 1, "created_at": now,
            }
        )  # fmt: skip
        completed = merkle.completed_nodes(index, hashed, lambda lv, p: edge.pop((lv, p)))
        for level, position, value in completed:
            node_rows.append(
                {"petition_id": petition_id, "level": level, "position": position, "hash": value}
            )
        if completed:
            level, position, value = completed[-1]
            edge[(level, position)] = value
        else:
            edge[(0, index)] = hashed
        if len(rows) >= BATCH or index == size - 1:
            with write_transaction() as session:
                session.execute(insert(entries), rows)
                if node_rows:
                    session.execute(insert(nodes), node_rows)
            rows, node_rows = [], []
    with write_transaction() as session:
        session.execute(
            update(table_of(Petition))
            .where(table_of(Petition).c.id == petition_id)
            .values(log_size=size, signature_count=size)
        )


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def million(app: Flask) -> dict[str, float]:
    """Seed a log of ENTRIES and time proofs (median and worst) and one checkpoint."""
    with app.app_context():
        organiser = set_organiser_password("big@example.org", "bench password long enough")
        petition = create_petition(title="Big", body="Big.", organiser=organiser)
        petition_id, slug = petition.id, petition.slug
        started = time.perf_counter()
        _seed(petition_id, ENTRIES)
        seeded = time.perf_counter() - started
        rng = random.Random(9162)
        inclusion, consistency = [], []
        for _ in range(PROOFS):
            db.session.remove()
            size = rng.randrange(1, ENTRIES + 1)
            index = rng.randrange(size)
            inclusion.append(_timed(partial(inclusion_proof, petition_id, index, size)))
            old = rng.randrange(1, size + 1)
            consistency.append(_timed(partial(consistency_proof, petition_id, old, ENTRIES)))
        db.session.remove()

        def checkpoint() -> None:
            with write_transaction() as session:
                record_checkpoint(session, petition_id, slug, ENTRIES, ENTRIES)

        return {
            "seeding (s)": seeded,
            "inclusion proof, median (ms)": statistics.median(inclusion) * 1000,
            "inclusion proof, worst (ms)": max(inclusion) * 1000,
            "consistency proof, median (ms)": statistics.median(consistency) * 1000,
            "consistency proof, worst (ms)": max(consistency) * 1000,
            "checkpoint (s)": _timed(checkpoint),
        }


def main() -> None:
    databases = {
        "SQLite": "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="petition-log-")) / "b.sqlite3")
    }
    if postgres := os.environ.get("BENCH_POSTGRES_URL"):
        databases["PostgreSQL"] = postgres
    for name, url in databases.items():
        app = _app(url)
        for http, what in ((True, "POST /confirm/<token>"), (False, "confirm_signature() alone")):
            costs = confirm_cost(app, http=http)
            added = costs["with the log"] / costs["without"] - 1
            print(f"{name}: {what}, median of {ROUNDS} rounds of {PER_ROUND} confirmations")
            for label, seconds in costs.items():
                print(f"  {label:<14} {seconds * 1000:7.3f} ms")
            print(f"  the log adds {added:+.1%} (target: at most +10%)")
        print(f"{name}: a log of {ENTRIES:,} entries")
        for label, value in million(app).items():
            print(f"  {label:<32} {value:9.3f}")
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
