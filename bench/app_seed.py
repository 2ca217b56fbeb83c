"""Bench data made through the app's own code, so it fits any database and the app's own schema.

Rows the app will read back in its own way (owed mail above all) are made by its use cases, not
written column by column.
"""

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, insert, select

from petition import create_app
from petition.addresses import canonical_email
from petition.extensions import db
from petition.models import OutboxMessage, OutboxState, Signature, SignatureStatus, new_link_secret
from petition.petitions.publishing import petition_by_slug
from petition.signing.links import confirmation_token
from petition.signing.signatures import sign_petition
from petition.transactions import write_transaction

SECRET = "bench-secret-key-of-at-least-32-bytes"
PAGE_SLUG = "stop-forced-evictions"


def bench_app(database_uri: str) -> Flask:
    """The app in this process, with the servers' secret, on the bench's database."""
    return create_app(
        {
            "SECRET_KEY": SECRET,
            "CLIENT_HASH_KEY": SECRET + "-client-hash",
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "OUTBOX_DELIVER_IN_WEB": False,  # this process only makes data
            "PUBLIC_URL": "http://127.0.0.1",
        }
    )


def pending_tokens(app: Flask, count: int, tag: str, slug: str = PAGE_SLUG) -> list[str]:
    """Pending signatures on a petition, as their owners' confirmation link tokens."""
    with app.app_context():
        petition = petition_by_slug(slug)
        assert petition is not None, slug
        now = datetime.now(UTC)
        rows = []
        for n in range(count):
            email = f"{tag}-{n}@example.org"
            rows.append(
                {
                    "petition_id": petition.id,
                    "name": f"Signer {tag} {n}",
                    "email": email,
                    "email_canonical": canonical_email(email),
                    "status": SignatureStatus.PENDING,
                    "created_at": now,
                    "link_secret": new_link_secret(),
                    "messages_sent": 1,
                }
            )
        with write_transaction() as session:
            session.execute(insert(Signature), rows)
        made = db.session.execute(
            select(Signature.id, Signature.petition_id, Signature.link_secret)
            .where(Signature.email.like(f"{tag}-%"))
            .order_by(Signature.id)
        )
        return [
            confirmation_token(Signature(id=i, petition_id=p, link_secret=s)) for i, p, s in made
        ]


def owe_mail(app: Flask, count: int, tag: str, slug: str = PAGE_SLUG) -> None:
    """Sign a petition `count` times as new signers: each signature owes one confirmation email."""
    with app.app_context():
        petition = petition_by_slug(slug)
        assert petition is not None, slug
        for n in range(count):
            sign_petition(petition, name=f"Signer {tag} {n}", email=f"{tag}-{n}@example.org")


def outbox_backlog(app: Flask) -> int:
    """Messages owed and not yet delivered."""
    with app.app_context():
        pending = select(func.count()).where(OutboxMessage.state == OutboxState.PENDING)
        return db.session.scalar(pending) or 0
