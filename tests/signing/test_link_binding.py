"""A link acts only on the signature it was made for; a stranger's submission changes nothing stored.

Black box where a signer or an attacker would act (real HTTP, real SMTP); tokens are only made
by hand where the attack needs one that no mailbox ever received.
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from flask import Flask
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from petition import tokens
from petition.extensions import db
from petition.mail.outbox import deliver_due
from petition.models import OutboxMessage, Petition, Signature
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.checks import must
from tests.helpers.http import form_token, organiser_session
from tests.helpers.mailbox import written


def links_in(message: object, base: str) -> dict[str, str]:
    text = message.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    found = dict(re.findall(rf"{re.escape(base)}/(confirm|withdraw)/(\S+)", text))
    assert set(found) == {"confirm", "withdraw"}, text
    return {kind: f"{base}/{kind}/{token}" for kind, token in found.items()}


def sign_over_http(base: str, slug: str, **fields: str) -> requests.Response:
    """Sign as a visitor with a browser would: open the page, send the form with its token."""
    visitor = requests.Session()
    page = visitor.get(f"{base}/petitions/{slug}").text
    response = visitor.post(
        f"{base}/petitions/{slug}/sign", data={"form_token": form_token(page), **fields}
    )
    assert response.status_code == 200 and response.url.endswith("/check-email#main"), response.text
    return response


def count(base: str, slug: str) -> int:
    return requests.get(f"{base}/petitions/{slug}.json").json()["signature_count"]


def stored(app: Flask) -> list[tuple[int, str, str, bool]]:
    with app.app_context():
        rows = db.session.execute(
            select(Signature.id, Signature.name, Signature.status, Signature.show_name)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def new_petition(app: Flask, title: str = "Free the jailed lawyer") -> str:
    with app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        return create_petition(title=title, body="Release her.", organiser=organiser).slug


def test_old_links_do_nothing_to_a_later_signature(
    live_server: LiveServer, smtp: SMTPServer
) -> None:
    base, app = live_server.url, live_server.app
    slug = new_petition(app)
    sign_over_http(base, slug, name="Ann First", email="ann@example.org")
    ann = links_in(smtp.sink.wait_for(1)[0], base)
    [(ann_id, *_)] = stored(app)
    assert requests.post(ann["withdraw"]).status_code == 200
    assert stored(app) == []

    sign_over_http(base, slug, name="Bob Second", email="bob@example.org")
    bob = links_in(smtp.sink.wait_for(2)[1], base)
    [(bob_id, *_)] = stored(app)
    assert bob_id != ann_id, "an id is never handed out twice"

    # Ann's old links, pressed again, leave Bob's pending signature alone.
    assert requests.post(ann["confirm"]).status_code == 400
    assert requests.post(ann["withdraw"]).status_code == 200  # "withdrawn": hers is gone
    assert stored(app) == [(bob_id, "Bob Second", "pending", False)]
    assert count(base, slug) == 0
    # Bob's own link counts him; Ann's old withdrawal link still cannot take him off.
    assert requests.post(bob["confirm"]).status_code == 200
    assert requests.post(ann["withdraw"]).status_code == 200
    assert count(base, slug) == 1
    assert stored(app) == [(bob_id, "Bob Second", "confirmed", False)]


def test_a_link_with_the_right_id_but_a_wrong_secret_does_nothing(
    live_server: LiveServer, smtp: SMTPServer
) -> None:
    base, app = live_server.url, live_server.app
    slug = new_petition(app)
    sign_over_http(base, slug, name="Ann Signer", email="ann@example.org")
    smtp.sink.wait_for(1)
    with app.app_context():
        signature = db.session.scalars(select(Signature)).one()
        key = app.config["SECRET_KEY"]
        forged = [signature.id, signature.petition_id, "0" * 32]
        confirm = tokens.make_token(key, tokens.CONFIRM_SIGNATURE, forged)
        withdraw = tokens.make_token(key, tokens.WITHDRAW_SIGNATURE, forged)
        other_petition = create_petition(
            title="Another", body="x", organiser=set_organiser_password("o2@example.org", PASSWORD)
        )
        wrong_petition = [signature.id, other_petition.id, signature.link_secret]
        elsewhere = tokens.make_token(key, tokens.CONFIRM_SIGNATURE, wrong_petition)
    for link in (f"{base}/confirm/{confirm}", f"{base}/confirm/{elsewhere}"):
        assert requests.get(link).status_code == 400
        assert requests.post(link).status_code == 400
    assert requests.post(f"{base}/withdraw/{withdraw}").status_code == 200
    assert [status for _, _, status, _ in stored(app)] == ["pending"]
    assert count(base, slug) == 0


def legacy_token(app: Flask, purpose: str, payload: list[int], made: datetime) -> str:
    """A link as the service made them before signatures had secrets, stamped at `made`."""

    class Stamped(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(made.timestamp())

    serializer = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=f"petition.{purpose}", signer=Stamped
    )
    return serializer.dumps(payload)


def test_links_from_before_secrets_work_only_for_the_signature_they_were_made_for(
    app: Flask, make_petition
) -> None:
    from petition.signing.signatures import confirm_signature, sign_petition
    from petition.signing.withdrawal import withdraw_signature

    petition = make_petition()
    sign_petition(petition, name="Ann", email="ann@example.org")
    signature = db.session.scalars(select(Signature)).one()
    payload = [signature.id, petition.id]
    made_after = signature.created_at  # stamped in whole seconds, as links were
    made_before = signature.created_at - timedelta(minutes=5)  # for an earlier owner of the id
    with pytest.raises(tokens.InvalidTokenError):
        confirm_signature(legacy_token(app, tokens.CONFIRM_SIGNATURE, payload, made_before))
    assert (
        withdraw_signature(legacy_token(app, tokens.WITHDRAW_SIGNATURE, payload, made_before))
        is None
    )
    db.session.expire_all()
    assert must(db.session.get(Signature, signature.id)).status == "pending"
    confirm_signature(legacy_token(app, tokens.CONFIRM_SIGNATURE, payload, made_after))
    db.session.expire_all()
    assert must(db.session.get(Petition, petition.id)).signature_count == 1
    assert withdraw_signature(legacy_token(app, tokens.WITHDRAW_SIGNATURE, payload, made_after))
    db.session.expire_all()
    assert db.session.get(Signature, signature.id) is None
    assert must(db.session.get(Petition, petition.id)).signature_count == 0


def test_a_strangers_resubmission_changes_nothing_the_signer_stored(
    live_server: LiveServer, smtp: SMTPServer
) -> None:
    """The review's attack: list a quiet signer under a marker name by resubmitting their address."""
    base, app = live_server.url, live_server.app
    slug = new_petition(app)
    sign_over_http(base, slug, name="Quiet Signer", email="quiet@example.org")
    own = links_in(smtp.sink.wait_for(1)[0], base)
    sign_over_http(base, slug, name="MARKER", email="Quiet@Example.org", show_name="y")
    second = smtp.sink.wait_for(2)[1]
    assert second["To"] == "quiet@example.org", "mail goes only to the address first stored"
    assert stored(app)[0][1:] == ("Quiet Signer", "pending", False)

    # The signer's own first link shows, before the button, what will be recorded.
    preview = requests.get(own["confirm"]).text
    assert "Quiet Signer" in preview and "MARKER" not in preview
    assert "Your name will not be listed." in preview
    assert requests.post(own["confirm"]).status_code == 200
    assert stored(app)[0][1:] == ("Quiet Signer", "confirmed", False)
    assert "MARKER" not in requests.get(f"{base}/petitions/{slug}").text
    assert "MARKER" not in requests.get(f"{base}/api/v1/petitions/{slug}").text
    # The stranger's link went to the signer's mailbox; pressed now, it changes nothing.
    theirs = links_in(second, base)
    assert requests.post(theirs["confirm"]).status_code == 200
    assert stored(app)[0][1:] == ("Quiet Signer", "confirmed", False)

    organiser = organiser_session(base, "organiser@example.org", PASSWORD)
    export = organiser.get(f"{base}/organisers/petitions/{slug}/export.csv")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["Quiet Signer"]


def test_the_mailbox_owner_can_correct_their_details_with_the_newest_link(
    live_server: LiveServer, smtp: SMTPServer
) -> None:
    base, app = live_server.url, live_server.app
    slug = new_petition(app)
    sign_over_http(base, slug, name="Jon Smit", email="jon@example.org")
    sign_over_http(base, slug, name="John Smith", email="jon@example.org", show_name="y")
    first, second = (links_in(message, base) for message in smtp.sink.wait_for(2))
    preview = requests.get(second["confirm"]).text
    assert "John Smith" in preview and "Your first name, John, will be listed." in preview
    assert stored(app)[0][1:] == ("Jon Smit", "pending", False)
    assert requests.post(second["confirm"]).status_code == 200
    assert stored(app)[0][1:] == ("John Smith", "confirmed", True)
    assert "John" in requests.get(f"{base}/petitions/{slug}").text
    # Once confirmed, the older link confirms nothing new and changes nothing back.
    assert requests.post(first["confirm"]).status_code == 200
    assert stored(app)[0][1:] == ("John Smith", "confirmed", True)
    assert count(base, slug) == 1


def test_withdrawing_deletes_every_message_about_the_signature(
    client, make_petition, app: Flask, smtp: SMTPServer
) -> None:
    """Mail to an earlier spelling of the address went too, not only mail to the last one."""
    petition = make_petition()
    form = {"name": "Ann Lee", "email": "Ann.Lee@gmail.com"}
    client.post(f"/petitions/{petition.slug}/sign", data=form)
    client.post(f"/petitions/{petition.slug}/sign", data=form | {"email": "annlee@gmail.com"})
    deliver_due()
    client.post(f"/petitions/{petition.slug}/sign", data=form)  # one more, still owed
    db.session.rollback()
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 3
    text = written(messages[0]).text
    withdraw = must(re.search(r"https://petitions\.example\.org(/withdraw/\S+)", text)).group(1)
    assert client.post(withdraw).status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_ids_are_never_reused_after_the_highest_row_is_deleted(app: Flask, make_petition) -> None:
    from petition.signing.signatures import sign_petition

    petition = make_petition()
    sign_petition(petition, name="Ann", email="ann@example.org")
    first = db.session.scalars(select(Signature)).one()
    first_id, message_id = first.id, db.session.scalars(select(OutboxMessage.id)).one()
    db.session.delete(first)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    sign_petition(petition, name="Bob", email="bob@example.org")
    second = db.session.scalars(select(Signature)).one()
    assert second.id > first_id
    assert db.session.scalars(select(OutboxMessage.id)).one() > message_id
    assert datetime.now(UTC) - second.created_at < timedelta(minutes=1)
