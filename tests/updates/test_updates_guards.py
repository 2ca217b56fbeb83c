"""Updates: hostile unsubscribe links, anonymised signers, and confirmations before bulk mail."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from petition import tokens
from petition.extensions import db
from petition.mail.outbox import claim_due, deliver_due
from petition.models import (
    MailKind,
    OutboxMessage,
    Petition,
    PetitionUpdate,
    Signature,
    SignatureStatus,
    new_link_secret,
    table_of,
    utcnow,
)
from petition.signing.links import unsubscribe_token, withdrawal_token
from petition.signing.retention import purge
from petition.transactions import write_transaction
from petition.updates.drafts import UpdateError, create_draft, queue_update
from tests.conftest import SMTPServer
from tests.helpers.signing import signature_of
from tests.updates.support import confirm_from_mail, sign_choosing_updates

MakePetition = Callable[..., Petition]


@pytest.fixture
def subscribed(client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer) -> Signature:
    """A confirmed signer who asked for updates."""
    slug = make_petition().slug
    sign_choosing_updates(client, slug, "Ann", "ann@example.org", wants=True)
    confirm_from_mail(client, smtp, "ann@example.org")
    signature = signature_of("ann@example.org")
    assert signature.wants_updates
    return signature


def test_hostile_unsubscribe_links_change_nothing(
    app: Flask, client: FlaskClient, subscribed: Signature, make_petition: MakePetition
) -> None:
    genuine = unsubscribe_token(subscribed)
    key = app.config["SECRET_KEY"]
    payload = [subscribed.id, subscribed.petition_id]
    hostile = {
        "garbage": "not-a-token",
        "truncated": genuine[:-6],
        "tampered": genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB"),
        "another key": tokens.make_token(
            "another-key", tokens.UNSUBSCRIBE_UPDATES, payload + [subscribed.link_secret]
        ),
        "another purpose": withdrawal_token(subscribed),
        "someone else's": tokens.make_token(key, tokens.UNSUBSCRIBE_UPDATES, payload + ["0" * 32]),
        "no secret": tokens.make_token(key, tokens.UNSUBSCRIBE_UPDATES, payload),
        "wrong types": tokens.make_token(key, tokens.UNSUBSCRIBE_UPDATES, ["1", {"a": 1}, None]),
        "huge numbers": tokens.make_token(key, tokens.UNSUBSCRIBE_UPDATES, [10**40, 10**40, "x"]),
        "too long": "a" * 5000,
        "NUL byte": genuine + "%00",
    }
    for name, token in hostile.items():
        for method in ("GET", "POST"):
            response = client.open(f"/unsubscribe/{token}", method=method)
            assert 400 <= response.status_code < 500, (name, method, response.status_code)
            assert "Traceback" not in response.text
    # Another petition's signature under the same id pattern: its own link, not Ann's.
    assert signature_of("ann@example.org").wants_updates is True


def test_an_expired_unsubscribe_link_is_refused_and_changes_nothing(
    make_app: Callable[..., Flask], make_petition: MakePetition, smtp: SMTPServer
) -> None:
    app = make_app(UNSUBSCRIBE_MAX_AGE=-1)  # every link is already too old
    with app.app_context():
        client = app.test_client()
        slug = make_petition().slug
        sign_choosing_updates(client, slug, "Ann", "ann@example.org", wants=True)
        confirm_from_mail(client, smtp, "ann@example.org")
        token = unsubscribe_token(signature_of("ann@example.org"))
        response = client.post(f"/unsubscribe/{token}")
        assert response.status_code == 410 and "too old" in response.text
        assert signature_of("ann@example.org").wants_updates is True


def test_the_link_of_a_withdrawn_signature_says_nothing_more_will_come(
    client: FlaskClient, subscribed: Signature
) -> None:
    token = unsubscribe_token(subscribed)
    with write_transaction() as session:
        session.delete(session.get(Signature, subscribed.id))
    for method in ("GET", "POST"):
        response = client.open(f"/unsubscribe/{token}", method=method)
        assert response.status_code == 200 and "nothing more will be sent" in response.text


def test_anonymised_signers_get_no_more_updates(
    app: Flask, subscribed: Signature, make_petition: MakePetition
) -> None:
    petition = db.session.get(Petition, subscribed.petition_id)
    assert petition is not None
    with write_transaction() as session:
        stored = session.get(Petition, petition.id)
        assert stored is not None
        stored.closes_at = utcnow() - timedelta(days=1)
    later = utcnow() + timedelta(days=app.config["RETENTION_DAYS_AFTER_CLOSE"] + 1)
    assert purge(now=later).anonymised == 1
    assert db.session.get(Signature, subscribed.id).wants_updates is False  # type: ignore[union-attr]
    with write_transaction() as session:
        draft = create_draft(session, petition, None, "News", "Text", {})
        assert queue_update(session, petition, None, draft.id) == 0
    assert "get no more updates" in app.test_client().get("/privacy").text


def _fill(petition: Petition, count: int) -> None:
    """Confirmed signers who asked for updates, written in bulk."""
    now = utcnow()
    rows = [
        {
            "petition_id": petition.id,
            "name": f"Signer {n}",
            "email": f"s{n}@example.org",
            "email_canonical": f"s{n}@example.org",
            "language": "en",
            "link_secret": new_link_secret(),
            "status": SignatureStatus.CONFIRMED,
            "created_at": now,
            "confirmed_at": now,
            "wants_updates": True,
        }
        for n in range(count)
    ]
    with write_transaction() as session:
        session.execute(insert(table_of(Signature)), rows)


def test_a_confirmation_queued_after_thousands_of_updates_goes_in_the_first_round(
    app: Flask, client: FlaskClient, make_petition: MakePetition, smtp: SMTPServer
) -> None:
    petition = make_petition()
    _fill(petition, 3000)
    with write_transaction() as session:
        draft = create_draft(session, petition, None, "News for all", "Text", {})
        assert queue_update(session, petition, None, draft.id) == 3000
    sign_choosing_updates(
        client, petition.slug, "Late", "late@example.org", wants=False
    )  # queued afterwards

    report = deliver_due()  # one round of OUTBOX_BATCH_SIZE
    assert report.sent == app.config["OUTBOX_BATCH_SIZE"]
    first_round = smtp.sink.wait_for(report.sent)
    [confirmation] = [message for message in first_round if message["To"] == "late@example.org"]
    assert "Confirm your signature" in str(confirmation["Subject"])
    waiting = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.state == "pending")
    ).all()
    assert len(waiting) == 3000 - (report.sent - 1)
    assert set(waiting) == {MailKind.UPDATE}
    # Claims still go by priority: with updates waiting, a new confirmation is claimed first.
    sign_choosing_updates(client, petition.slug, "Later", "later@example.org", wants=False)
    _claim, claimed = claim_due(1)
    assert [message.kind for message in claimed] == [MailKind.CONFIRM]


def test_the_use_case_refuses_what_the_form_would(app: Flask, make_petition: MakePetition) -> None:
    petition = make_petition()
    bad = [
        ("Two\nlines", "Text", {}),
        ("s" * 201, "Text", {}),
        ("Fine", "x" * 20_001, {}),
        ("Fine", "Nul\x00", {}),
        ("Fine", "Text", {"de": {"subject": "Nein", "body": "Keine Sprache"}}),  # not the site's
    ]
    for subject, body, translations in bad:
        with pytest.raises(UpdateError), write_transaction() as session:
            create_draft(session, petition, None, subject, body, translations)
    assert db.session.scalar(select(PetitionUpdate)) is None
