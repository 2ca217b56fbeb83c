"""What an update to 100,000 signers costs: `python bench/updates.py`

1. A petition filled (in bulk, straight into its table) with BENCH_UPDATE_SIGNERS (100,000)
   confirmed signers who asked for updates; then the time to queue one update to all of them:
   the transaction that marks it sent and writes one outbox row each. Target: < 30 s.
2. With those rows waiting, a signer signs: how long until a delivery round claims their
   confirmation (it must be the first round, whatever the backlog).

SQLite on a scratch file by default; BENCH_POSTGRES_URL (a database it may fill and empty, e.g.
postgresql://postgres@127.0.0.1:5432/postgres) runs it on PostgreSQL as well. Run from the
project's folder, so that its code is the one measured: `PYTHONPATH=. python bench/updates.py`.
"""

import os
import tempfile
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, insert, select

from petition import create_app
from petition.extensions import db
from petition.mail.outbox import claim_due
from petition.models import (
    MailKind,
    OutboxMessage,
    Petition,
    Signature,
    SignatureStatus,
    new_link_secret,
    table_of,
    utcnow,
)
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.petitions.versions import save_petition_text
from petition.signing.signatures import sign_petition
from petition.transactions import write_transaction
from petition.updates.drafts import create_draft, queue_update

SIGNERS = int(os.environ.get("BENCH_UPDATE_SIGNERS", "100000"))
BATCH = 20_000
TARGET_SECONDS = 30.0


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
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def fill(petition: Petition, count: int) -> float:
    """Confirmed signers who asked for updates, in bulk; returns the seconds it took."""
    start = time.perf_counter()
    now = utcnow()
    languages = ("en", "ru", "kk")
    for first in range(0, count, BATCH):
        rows = [
            {
                "petition_id": petition.id,
                "name": f"Signer {n}",
                "email": f"s{n}@example.org",
                "email_canonical": f"s{n}@example.org",
                "language": languages[n % 3],
                "link_secret": new_link_secret(),
                "status": SignatureStatus.CONFIRMED,
                "created_at": now,
                "confirmed_at": now,
                "wants_updates": True,
            }
            for n in range(first, min(first + BATCH, count))
        ]
        with write_transaction() as session:
            session.execute(insert(table_of(Signature)), rows)
    return time.perf_counter() - start


def run(name: str, url: str) -> None:
    app = _app(url)
    with app.app_context():
        organiser = set_organiser_password("bench@example.org", "a long bench password")
        petition = create_petition(title="Bench", body="Bench.", organiser=organiser)
        save_petition_text(petition, organiser, language="ru", title="Тест", body="Тест.")
        filled = fill(petition, SIGNERS)
        print(f"{name}: {SIGNERS:,} opted-in signers written in {filled:.1f} s")

        start = time.perf_counter()
        with write_transaction() as session:
            russian = {"ru": {"subject": "Новости", "body": "Её **вручили**."}}
            draft = create_draft(session, petition, None, "News", "It was **delivered**.", russian)
            queued = queue_update(session, petition, None, draft.id)
        seconds = time.perf_counter() - start
        verdict = "ok" if seconds < TARGET_SECONDS else "SLOWER THAN THE TARGET"
        print(
            f"  queueing one update: {queued:,} rows in {seconds:.2f} s, "
            f"{queued / seconds:,.0f} rows/s (target < {TARGET_SECONDS:.0f} s: {verdict})"
        )

        sign_petition(petition, name="Late Signer", email="late@example.org")
        signed = time.perf_counter()
        _claim, claimed = claim_due(app.config["OUTBOX_BATCH_SIZE"])
        waited = time.perf_counter() - signed
        first_round = any(message.kind == MailKind.CONFIRM for message in claimed)
        waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        print(
            f"  a confirmation queued behind {waiting - 1:,} update rows: claimed after "
            f"{waited * 1000:.1f} ms, in the first round: {'yes' if first_round else 'NO'}"
        )
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    databases = {
        "SQLite": "sqlite:///"
        + str(Path(tempfile.mkdtemp(prefix="petition-updates-")) / "b.sqlite3")
    }
    if postgres := os.environ.get("BENCH_POSTGRES_URL"):
        databases["PostgreSQL"] = postgres
    for name, url in databases.items():
        run(name, url)


if __name__ == "__main__":
    main()
