"""Signing, confirming and counting as a signer does, through the test client."""

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from petition.extensions import db
from petition.models import Petition, Signature
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail

CONFIRM_LINK = re.compile(r"https://petitions\.example\.org(/confirm/\S+)")


def sign(
    client: FlaskClient,
    petition: Petition | str,
    name: str = "Ann Signer",
    email: str = "ann@example.org",
    *,
    address: str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    **fields: str,
) -> TestResponse:
    """Post the signing form for a petition (or its slug), from `address` if given."""
    slug = petition if isinstance(petition, str) else petition.slug
    environ = {"REMOTE_ADDR": address} if address else {}
    return client.post(
        f"/petitions/{slug}/sign{query}",
        data={"name": name, "email": email} | fields,
        headers=headers,
        environ_base=environ,
    )


def confirm_path(text: str) -> str:
    """The path of the confirmation link in a message's text."""
    match = CONFIRM_LINK.search(text)
    assert match, text
    return match.group(1)


def mailed_confirm_path(email: str | None = None) -> str:
    """The path of the newest confirmation link the outbox owes (to `email`, if given)."""
    db.session.rollback()
    texts = [
        message.text
        for message in owed_mail()
        if (email is None or message.recipient == email) and CONFIRM_LINK.search(message.text)
    ]
    assert texts, f"no confirmation owed to {email or 'anyone'}"
    return confirm_path(texts[-1])


def confirm(
    client: FlaskClient, email: str | None = None, *, follow_redirects: bool = False
) -> TestResponse:
    """Press Confirm in the newest confirmation message (to `email`, if given)."""
    return client.post(mailed_confirm_path(email), follow_redirects=follow_redirects)


def count_of(petition: Petition | str) -> int:
    """The signature count of a petition (or the one with this slug) as stored now."""
    db.session.rollback()
    slug = petition if isinstance(petition, str) else petition.slug
    count = db.session.scalar(select(Petition.signature_count).where(Petition.slug == slug))
    assert count is not None
    return count


def signature_of(email: str) -> Signature:
    """The signature with this address as stored now (read afresh, not from the session)."""
    db.session.rollback()
    return must(db.session.scalar(select(Signature).where(Signature.email == email)))
