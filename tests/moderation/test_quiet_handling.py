"""Quiet handling: rule-breakers see the normal pages and mail, but never count or export."""

import re
from functools import partial

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition.exports.rows import export_chunks
from petition.extensions import db
from petition.models import OutboxMessage, Signature, SignatureStatus
from petition.moderation.screening import add_rule, is_disposable
from petition.web.clients import client_hash
from tests.helpers import signing
from tests.helpers.checks import json_of
from tests.helpers.mailbox import owed_mail
from tests.helpers.signing import confirm, count_of

SIGNER = {"name": "Ann Signer", "email": "ann@example.org"}
# Every signature here is Ann's, from one address, unless a test says otherwise.
sign = partial(signing.sign, address="192.0.2.10", name=SIGNER["name"], email=SIGNER["email"])


def only_signature() -> Signature:
    db.session.rollback()
    return db.session.scalars(select(Signature)).one()


def test_the_honeypot_gets_the_normal_page_and_nothing_is_stored_or_sent(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    response = sign(client, petition.slug, leave_blank="http://spam.example")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/petitions/{petition.slug}/check-email#main")
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_sign_form_hides_the_honeypot_from_people(client: FlaskClient, make_petition) -> None:
    page = client.get(f"/petitions/{make_petition().slug}?lang=en").get_data(as_text=True)
    assert re.search(r'class="honeypot" aria-hidden="true"', page)
    assert re.search(
        r'name="leave_blank"[^>]*tabindex="-1"|tabindex="-1"[^>]*name="leave_blank"', page
    )


def test_a_blocked_domain_looks_normal_gets_mail_but_never_counts(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    add_rule("domain", "*.example.org", "block")
    add_rule("domain", "example.org", "block")
    honest = sign(client, petition.slug, email="bob@good.example.net")
    flagged = sign(client, petition.slug, email="ann@example.org")
    assert flagged.status_code == honest.status_code == 303
    assert flagged.headers["Location"] == honest.headers["Location"]
    db.session.rollback()
    ann = db.session.scalar(select(Signature).filter_by(email="ann@example.org"))
    assert ann is not None
    assert ann.status == SignatureStatus.HELD and ann.flag_reason == "blocked domain"
    page = confirm(client, follow_redirects=True).get_data(
        as_text=True
    )  # the last message is Ann's: she got the normal email
    assert "your signature is confirmed" in page
    assert count_of(petition) == 0
    db.session.rollback()
    ann = db.session.get(Signature, ann.id)
    assert ann is not None
    assert ann.status == SignatureStatus.HELD and ann.confirmed_at is not None
    assert "ann@example.org" not in "".join(export_chunks(petition, "csv"))
    assert json_of(client.get(f"/petitions/{petition.slug}.json"))["signature_count"] == 0


def test_signing_again_after_a_quiet_confirmation_gets_the_already_signed_mail(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    add_rule("address", "ann@example.org", "block")
    sign(client, petition.slug)
    confirm(client, follow_redirects=True).get_data(as_text=True)
    sign(client, petition.slug)
    subjects = [message.subject for message in owed_mail()]
    assert subjects[-1].startswith("You have already signed")


def test_a_blocked_network_is_matched_by_cidr(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    add_rule("network", "203.0.113.0/24", "block")
    sign(client, petition.slug, address="203.0.113.77")
    assert only_signature().status == SignatureStatus.HELD
    sign(client, petition.slug, address="198.51.100.1", email="bob@example.org")
    db.session.rollback()
    bob = db.session.scalar(select(Signature).filter_by(email="bob@example.org"))
    assert bob is not None
    assert bob.status == SignatureStatus.PENDING


def test_disposable_domains_are_flagged_only_where_the_organiser_switched_it_on(
    client: FlaskClient, make_petition
) -> None:
    assert is_disposable("someone@mailinator.com") and not is_disposable("a@example.org")
    relaxed = make_petition(title="Relaxed")
    strict = make_petition(title="Strict")
    strict.blocks_disposable = True
    db.session.commit()
    sign(client, relaxed.slug, email="x@mailinator.com")
    sign(client, strict.slug, email="x@mailinator.com")
    db.session.rollback()
    statuses = dict(db.session.execute(select(Signature.petition_id, Signature.status)).all())
    assert statuses == {relaxed.id: "pending", strict.id: "held"}


def test_allow_exempts_from_the_disposable_list_but_block_wins_over_allow(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    petition.blocks_disposable = True
    db.session.commit()
    add_rule("address", "friend@mailinator.com", "allow")
    add_rule("address", "foe@mailinator.com", "allow")
    add_rule("address", "foe@mailinator.com", "block")
    sign(client, petition.slug, email="friend@mailinator.com")
    sign(client, petition.slug, email="foe@mailinator.com")
    db.session.rollback()
    statuses = dict(db.session.execute(select(Signature.email, Signature.status)).all())
    assert statuses == {"friend@mailinator.com": "pending", "foe@mailinator.com": "held"}


def test_client_addresses_are_stored_only_as_keyed_hashes(
    make_app, make_petition, app: Flask
) -> None:
    petition = make_petition()
    app.test_client().post(
        f"/petitions/{petition.slug}/sign",
        data=SIGNER,
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    signature = only_signature()
    row = " ".join(str(value) for value in db.session.execute(select(Signature.__table__)).one())
    assert "192.0.2" not in row
    assert signature.client_hash and signature.network_hash
    app.config["CLIENT_HASH_KEY"] = "a-rotated-key"
    assert client_hash("192.0.2.44") != signature.client_hash  # a new key makes new hashes
